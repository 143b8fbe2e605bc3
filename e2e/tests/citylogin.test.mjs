// The city login in a real browser, against a real OpenID Provider (panva's
// oidc-provider, started by scripts/test as TEST_OIDC_ISSUER): the login page's
// "Log in with ..." button, the provider's login and consent pages, the portal's page
// asking before it makes a new account (yes, or cancel: nothing stored), back on the
// account page with the link and the login's assurance level; with and without
// JavaScript; and the pages of the city login pass axe.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import test from 'node:test';
import { checkA11y } from '../lib/axe.mjs';
import { goto, h1Text } from '../lib/browser.mjs';
import { assertNoProblems } from '../lib/expect.mjs';
import { msg } from '../lib/l10n.mjs';
import { useSuite } from '../lib/suite.mjs';

const issuer = process.env.TEST_OIDC_ISSUER?.trim();
if (!issuer) {
  console.log('skipped: the city login browser tests need TEST_OIDC_ISSUER (scripts/test starts a provider)');
}
const PROVIDER_NAME = 'Testhausen-Konto';
/** The portal's client id at the provider (for its `/_test/tamper`). */
let clientId = '';

const suite = issuer
  ? useSuite({
      portalSetup: async (base) => {
        const r = await fetch(`${issuer}/reg`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            redirect_uris: [`${base}/auth/oidc/callback`],
            post_logout_redirect_uris: [`${base}/`],
            client_name: 'City Portal (e2e)',
          }),
        });
        assert.equal(r.status, 201, 'client registration at the provider');
        const client = await r.json();
        clientId = client.client_id;
        return {
          PUBLIC_URL: base,
          OIDC_ISSUER_URL: issuer,
          OIDC_CLIENT_ID: client.client_id,
          OIDC_CLIENT_SECRET: client.client_secret,
          OIDC_DISPLAY_NAME: PROVIDER_NAME,
          OIDC_ACR_LEVELS: 'basic substantial high',
          OIDC_STEP_UP: 'account-export=substantial',
        };
      },
    })
  : null;

for (const javaScriptEnabled of [true, false]) {
  const how = javaScriptEnabled ? 'with' : 'without';
  test(`a resident logs in with the city account and sees the link and its level (${how} JavaScript)`, { skip: !issuer }, async () => {
    const { page, problems, close } = await suite.page({ locale: 'en-GB', javaScriptEnabled });
    try {
      await goto(page, '/login?lang=en', { expectStatus: 200 });
      const button = page.getByRole('link', { name: msg('en', 'oidc-login-button', { name: PROVIDER_NAME }) });
      assert.equal(await button.count(), 1, 'the login page offers the city login');
      await Promise.all([page.waitForURL((u) => u.toString().startsWith(issuer)), button.click()]);
      // The provider's own login page.
      const login = `e2e${randomUUID().replaceAll('-', '')}`;
      await page.fill('#login', login);
      await page.selectOption('#acr', 'substantial');
      await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit]')]);
      // Its consent page.
      await Promise.all([
        page.waitForURL((u) => u.toString().startsWith(suite.portal.baseUrl)),
        page.click('button[type=submit]'),
      ]);
      // The portal asks before it makes the account, and says what it keeps.
      assert.equal(new URL(page.url()).pathname, '/auth/oidc/confirm');
      assert.equal(await h1Text(page), msg('en', 'oidc-confirm-title'));
      assert.equal((await page.locator('#oidc-confirm-email').innerText()).trim(), `${login}@citizens.example`);
      assert.equal((await page.locator('#oidc-confirm-name').innerText()).trim(), login);
      assert.equal(await page.locator('main a[href="/privacy#h-city-login"]').count(), 1);
      await Promise.all([
        page.waitForURL((u) => new URL(u).pathname === '/account'),
        page.getByRole('button', { name: msg('en', 'oidc-confirm-create') }).click(),
      ]);
      assert.equal(new URL(page.url()).pathname, '/account');
      assert.match(await page.locator('#oidc-status').innerText(), /Linked since/);
      assert.equal((await page.locator('#oidc-level').innerText()).trim(), 'substantial');
      assert.match(await page.locator('main').innerText(), new RegExp(`${login}@citizens.example`));
      assertNoProblems(problems, page, 'account page after the city login');
      // Logging out ends the provider's session too (RP-initiated logout): the
      // provider asks, then sends the browser back to the portal.
      await Promise.all([
        page.waitForURL((u) => u.toString().startsWith(`${issuer}/session/end`)),
        page.locator('form[action="/logout"] button').first().click(),
      ]);
      await Promise.all([
        page.waitForURL((u) => u.toString().startsWith(suite.portal.baseUrl)),
        page.click('button[name=logout][value=yes]'),
      ]);
      const account = await page.request.get('/account', { maxRedirects: 0 });
      assert.equal(account.status(), 303, 'the portal session is over');
    } finally {
      await close();
    }
  });
}

test('a resident who cancels on the portal\'s page gets no account (without JavaScript)', { skip: !issuer }, async () => {
  const { page, problems, close } = await suite.page({ locale: 'en-GB', javaScriptEnabled: false });
  try {
    const login = `e2e${randomUUID().replaceAll('-', '')}`;
    await goto(page, '/auth/oidc/login', {});
    await page.waitForURL((u) => u.toString().startsWith(issuer));
    await page.fill('#login', login);
    await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit]')]);
    await Promise.all([
      page.waitForURL((u) => u.toString().startsWith(suite.portal.baseUrl)),
      page.click('button[type=submit]'),
    ]);
    assert.equal(new URL(page.url()).pathname, '/auth/oidc/confirm');
    await Promise.all([
      page.waitForLoadState('load'),
      page.getByRole('button', { name: msg('en', 'oidc-confirm-cancel') }).click(),
    ]);
    assert.equal(await h1Text(page), msg('en', 'oidc-new-cancelled-title'));
    assertNoProblems(problems, page, 'the cancelled city login');
    const account = await page.request.get('/account', { maxRedirects: 0 });
    assert.equal(account.status(), 303, 'not logged in');
    // No account has the address: registering it works.
    const api = suite.client();
    await api.register({ email: `${login}@citizens.example`, password: 'correct horse battery', displayName: 'Registered Later' });
  } finally {
    await close();
  }
});

test('the city login pages pass axe: the login page with the button, a refused answer, the page asking before a new account, the page that links an account', { skip: !issuer }, async () => {
  const { page, close } = await suite.page({ locale: 'de-DE', a11y: true });
  try {
    for (const lang of ['de', 'en']) {
      await goto(page, `/login?lang=${lang}`, { expectStatus: 200 });
      assert.equal(await page.locator('#h-city-login').count(), 1);
      await checkA11y(page, `login with the city login (${lang})`);
      // A callback this browser did not start: refused, and the page says so.
      await goto(page, '/auth/oidc/callback?state=forged&code=x', { expectStatus: 400 });
      assert.equal(await h1Text(page), msg(lang, 'oidc-state-title'));
      await checkA11y(page, `refused city login (${lang})`);
    }
    // A first login (in a browser of its own: the provider keeps its session): the
    // page asking before the account is made.
    const other = await suite.page({ locale: 'de-DE', a11y: true });
    try {
      const first = `e2e${randomUUID().replaceAll('-', '')}`;
      await goto(other.page, '/auth/oidc/login', {});
      await other.page.waitForURL((u) => u.toString().startsWith(issuer));
      await other.page.fill('#login', first);
      await Promise.all([other.page.waitForLoadState('load'), other.page.click('button[type=submit]')]);
      await Promise.all([
        other.page.waitForURL((u) => u.toString().startsWith(suite.portal.baseUrl)),
        other.page.click('button[type=submit]'),
      ]);
      assert.equal(new URL(other.page.url()).pathname, '/auth/oidc/confirm');
      await checkA11y(other.page, 'confirm a new account from the city login');
      await Promise.all([other.page.waitForLoadState('load'), other.page.click('main button[value=cancel]')]);
      await checkA11y(other.page, 'the new account cancelled');
    } finally {
      await other.close();
    }
    // An account with the address exists: the provider's login leads to the page
    // asking for its password.
    const login = `e2e${randomUUID().replaceAll('-', '')}`;
    const api = suite.client();
    await api.register({ email: `${login}@citizens.example`, password: 'correct horse battery', displayName: 'Linked Later' });
    await goto(page, '/auth/oidc/login', {});
    await page.waitForURL((u) => u.toString().startsWith(issuer));
    await page.fill('#login', login);
    await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit]')]);
    await Promise.all([
      page.waitForURL((u) => u.toString().startsWith(suite.portal.baseUrl)),
      page.click('button[type=submit]'),
    ]);
    assert.equal(new URL(page.url()).pathname, '/auth/oidc/link');
    await checkA11y(page, 'link the city login to an account');
    await page.fill('#password', 'correct horse battery');
    await Promise.all([page.waitForURL((u) => new URL(u).pathname === '/account'), page.click('main button[type=submit]')]);
    assert.match(await page.locator('#oidc-status').innerText(), /\d/);
    await checkA11y(page, 'account page with the city login');
  } finally {
    await close();
  }
});

for (const javaScriptEnabled of [true, false]) {
  const how = javaScriptEnabled ? 'with' : 'without';
  test(`a step-up the provider answers with an old login is refused, and the page says so (${how} JavaScript)`, { skip: !issuer }, async () => {
    const { page, problems, close } = await suite.page({ locale: 'en-GB', javaScriptEnabled, a11y: javaScriptEnabled });
    try {
      const login = `e2e${randomUUID().replaceAll('-', '')}`;
      await goto(page, '/auth/oidc/login', {});
      await page.waitForURL((u) => u.toString().startsWith(issuer));
      await page.fill('#login', login);
      await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit]')]);
      await Promise.all([
        page.waitForURL((u) => u.toString().startsWith(suite.portal.baseUrl)),
        page.click('button[type=submit]'),
      ]);
      await Promise.all([
        page.waitForURL((u) => new URL(u).pathname === '/account'),
        page.click('main button[value=create]'),
      ]);
      // The export needs "substantial": its link leads to the provider, which must ask
      // for a new login (prompt=login, max_age=0).
      const exportLink = page.locator('main a[href^="/auth/oidc/step-up"]');
      assert.equal(await exportLink.count(), 1, 'the export asks for the higher level');
      await Promise.all([page.waitForURL((u) => u.toString().startsWith(issuer)), exportLink.click()]);
      // The provider asks who logs in, although its session is open.
      assert.equal(await page.locator('#login').count(), 1);
      await page.fill('#login', login);
      await page.selectOption('#acr', 'substantial');
      // The provider answers as if the resident had logged in an hour ago.
      const set = await fetch(`${issuer}/_test/tamper`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ client_id: clientId, mode: 'old-auth-time' }),
      });
      assert.equal(set.status, 204);
      await Promise.all([
        page.waitForURL((u) => u.toString().startsWith(suite.portal.baseUrl)),
        page.click('button[type=submit]'),
      ]);
      assert.equal(await h1Text(page), msg('en', 'oidc-stale-title'));
      assert.equal(await page.locator('#oidc-error').getAttribute('data-code'), 'oidc-stale');
      assertNoProblems(problems.filter((p) => !/403/.test(String(p))), page, 'the refused step-up');
      if (javaScriptEnabled) await checkA11y(page, 'a step-up without a new login');
      const exported = await page.request.get('/account/export', { maxRedirects: 0 });
      assert.equal(exported.status(), 303, 'still below the level');
    } finally {
      await close();
    }
  });
}
