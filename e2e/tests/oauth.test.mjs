// Apps acting for residents (OAuth 2.0): the consent page passes axe in both languages
// and works without JavaScript, and a second client library (oauth4webapi) completes
// the code flow with PKCE against the portal's metadata, checks the `iss` response
// parameter (RFC 9207), refreshes and revokes.
import assert from 'node:assert/strict';
import http from 'node:http';
import test, { after } from 'node:test';
import * as oauth from 'oauth4webapi';
import { checkA11y } from '../lib/axe.mjs';
import { addSessionCookie, goto, h1Text, submitWith } from '../lib/browser.mjs';
import { htmlLang, overflowingElements, scrollWidth } from '../lib/expect.mjs';
import { msg } from '../lib/l10n.mjs';
import { useSuite } from '../lib/suite.mjs';

const suite = useSuite();
// The app's callback: a small server on loopback (a browser follows the redirect there).
const callback = http.createServer((_, res) => res.end('<title>callback</title>'));
await new Promise((resolve) => callback.listen(0, '127.0.0.1', resolve));
after(() => callback.close());
const REDIRECT = `http://127.0.0.1:${callback.address().port}/callback`;
const APP = 'Terminfinder';
const insecure = { [oauth.allowInsecureRequests]: true };

let setupPromise;
/** An admin registers the app; a resident is logged in; the server's metadata is read. */
function setup() {
  setupPromise ??= (async () => {
    await suite.portal.createAdmin('admin-oauth@example.org', 'admin-password-1');
    const admin = suite.client();
    await admin.login('admin-oauth@example.org', 'admin-password-1');
    const created = await admin.post('/api/v1/oauth-clients', {
      name: APP,
      kind: 'confidential',
      scopes: ['bookings:read', 'account:read'],
      redirect_uris: [REDIRECT],
    });
    const resident = suite.client();
    await resident.register({ displayName: 'Erika Muster' });
    const issuer = new URL(suite.portal.baseUrl);
    const as = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }),
    );
    return {
      as,
      client: { client_id: created.client.id },
      auth: oauth.ClientSecretBasic(created.client_secret),
      resident,
    };
  })();
  return setupPromise;
}

/** A fresh authorization URL with PKCE and state; `{ url, verifier, state }`. */
async function authorization(as, client) {
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const url = new URL(as.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: REDIRECT,
    scope: 'bookings:read account:read',
    state,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  }).toString();
  return { url: url.toString(), verifier, state };
}

for (const lang of ['de', 'en']) {
  test(`axe: no WCAG violations on the consent page, and it reflows at 320 px (${lang})`, async () => {
    const { as, client, resident } = await setup();
    const { url } = await authorization(as, client);
    for (const viewport of [undefined, { width: 320, height: 640 }]) {
      const context = await suite.context({
        a11y: true,
        viewport,
        locale: lang === 'en' ? 'en-GB' : 'de-DE',
        headers: { 'Accept-Language': lang },
      });
      try {
        await addSessionCookie(context, suite.portal.baseUrl, resident.cookieHeader());
        const page = await context.newPage();
        await goto(page, url, { expectStatus: 200 });
        assert.equal(await htmlLang(page), lang);
        assert.equal(await h1Text(page), msg(lang, 'oauth-consent-title', { app: APP }));
        const scopes = await page.locator('main ul.scopes li').allInnerTexts();
        assert.equal(scopes.length, 2);
        assert.ok(scopes[0].includes(msg(lang, 'oauth-scope-account-read')), scopes[0]);
        if (viewport) {
          const width = await scrollWidth(page);
          assert.ok(width <= 320, `scrollWidth ${width}: ${(await overflowingElements(page, 320)).join(', ')}`);
        } else {
          await checkA11y(page, `consent page (${lang})`);
        }
      } finally {
        await context.close();
      }
    }
  });
}

test('without JavaScript the resident allows the app, and oauth4webapi exchanges, refreshes and revokes', async () => {
  const { as, client, auth, resident } = await setup();
  const { url, verifier, state } = await authorization(as, client);
  const context = await suite.context({ javaScriptEnabled: false });
  try {
    await addSessionCookie(context, suite.portal.baseUrl, resident.cookieHeader());
    const page = await context.newPage();
    await goto(page, url, { expectStatus: 200 });
    await submitWith(page, page.locator('main form button[value="allow"]'));
    const back = new URL(page.url());
    assert.equal(`${back.origin}${back.pathname}`, REDIRECT);
    // RFC 9207: oauth4webapi checks `iss` against the metadata, and the state.
    const params = oauth.validateAuthResponse(as, client, back, state);
    const response = await oauth.authorizationCodeGrantRequest(as, client, auth, params, REDIRECT, verifier, insecure);
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, response);
    assert.equal(tokens.token_type, 'bearer');
    assert.ok(tokens.expires_in <= 600);
    assert.ok(tokens.refresh_token);
    const me = await fetch(suite.portal.url('/api/v1/accounts/me'), {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    assert.equal(me.status, 200);
    assert.equal((await me.json()).display_name, 'Erika Muster');

    const refreshed = await oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(as, client, auth, tokens.refresh_token, insecure),
    );
    assert.notEqual(refreshed.refresh_token, tokens.refresh_token, 'the refresh token rotates');
    await oauth.processRevocationResponse(
      await oauth.revocationRequest(as, client, auth, refreshed.refresh_token, insecure),
    );
    const after = await fetch(suite.portal.url('/api/v1/accounts/me'), {
      headers: { authorization: `Bearer ${refreshed.access_token}` },
    });
    assert.equal(after.status, 401, 'revoking the refresh token ends its access tokens');

    // The account page lists the app, and every read by it is in the access log.
    await goto(page, '/account?lang=en', { expectStatus: 200 });
    const apps = await page.locator('main section[aria-labelledby="h-apps"]').innerText();
    assert.ok(apps.includes(APP), apps);
    const log = await page.locator('main table').innerText();
    assert.ok(log.includes(`the app “${APP}”`), log);
  } finally {
    await context.close();
  }
});
