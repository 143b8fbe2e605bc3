// Applying online through a module, in the browser without JavaScript: the service
// page's "Apply online", the module's form (errors beside the fields, typing kept), the
// review of exactly what goes to whom, sending; the module (a webhook receiver here,
// and its API) moves the case on, asks a question the resident answers, approves;
// My applications shows the timeline. The pages pass axe and reflow at 320 px.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import test from 'node:test';
import { checkA11y } from '../lib/axe.mjs';
import { addSessionCookie, followLink, goto, h1Text, submitWith } from '../lib/browser.mjs';
import { htmlLang, overflowingElements, scrollWidth } from '../lib/expect.mjs';
import { msg } from '../lib/l10n.mjs';
import { useSuite } from '../lib/suite.mjs';

const suite = useSuite();
const EXAMPLE = readFileSync(new URL('../../openapi/examples/module-manifest.parking-permits.json', import.meta.url), 'utf8');
const SERVICE = 'residents-parking-permit';
const SERVICE_EN = "Residents' parking permit";
const PDF = Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

/** The module's webhook endpoint on loopback: records each event's body. */
function receiver() {
  const got = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      got.push({ id: req.headers['webhook-id'], signature: req.headers['webhook-signature'], body: JSON.parse(body) });
      // No connection kept open: the test file must be able to end.
      res.writeHead(204, { Connection: 'close' }).end();
    });
  });
  return new Promise((resolve) => {
    // Nothing of the receiver keeps the test process alive once the tests are done.
    server.unref();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({ url: `http://127.0.0.1:${port}/webhooks/portal`, got, close: () => server.close() });
    });
  });
}

async function until(what, check) {
  for (let i = 0; i < 200; i++) {
    const v = await check();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

let modulePromise;
/** The example module, approved, delivering to a receiver here: `{ rx, token }`. */
function module() {
  modulePromise ??= (async () => {
    const rx = await receiver();
    await suite.portal.createAdmin('admin-applications@example.org', 'admin-password-1');
    const admin = suite.client();
    await admin.login('admin-applications@example.org', 'admin-password-1');
    const manifest = JSON.parse(EXAMPLE);
    manifest.webhook_url = rx.url;
    delete manifest.encryption_key;
    await admin.post('/api/v1/admin/modules', manifest);
    const approved = await admin.post(`/api/v1/admin/modules/${manifest.id}/approve`, { version: 1 });
    const basic = Buffer.from(`${approved.module.client_id}:${approved.client_secret}`).toString('base64');
    const res = await fetch(new URL('/oauth/token', suite.portal.baseUrl), {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    const { access_token: token } = await res.json();
    return { rx, token };
  })();
  return modulePromise;
}

/** The module moves case `id` on through its API. */
async function setStatus(token, id, body) {
  const res = await fetch(new URL(`/api/v1/module/applications/${id}/status`, suite.portal.baseUrl), {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 200, await res.text());
}

/** A logged-in resident (an API client holding the session cookie). */
async function resident(name) {
  const r = suite.client();
  await r.register({ displayName: name });
  return r;
}

function startDay() {
  const d = new Date(Date.now() + 3 * 86_400_000);
  return d.toISOString().slice(0, 10);
}

test('without JavaScript a resident applies online, reviews what goes to whom, sends, answers the question and sees the decision', async () => {
  const { rx, token } = await module();
  const r = await resident('Rosa Beispiel');
  const context = await suite.context({ javaScriptEnabled: false, locale: 'en-GB' });
  try {
    await addSessionCookie(context, suite.portal.baseUrl, r.cookieHeader());
    const page = await context.newPage();
    await goto(page, `/services/${SERVICE}?lang=en`, { expectStatus: 200 });
    await followLink(page, page.locator('#apply-online'));
    assert.equal(new URL(page.url()).pathname, `/services/${SERVICE}/apply`);
    assert.equal(await h1Text(page), msg('en', 'application-apply-title', { service: SERVICE_EN }));

    // Sent half filled in: the errors beside their fields, the typing kept.
    await page.locator('#plate').fill('S-AB 1234');
    await submitWith(page, page.getByRole('button', { name: msg('en', 'application-apply-next') }));
    assert.equal(await page.locator('#error-summary').count(), 1);
    assert.equal(await page.locator('#zone-error').count(), 1);
    assert.equal(await page.locator('#proof-error').count(), 1);
    assert.equal(await page.locator('#plate').inputValue(), 'S-AB 1234');

    await page.locator('#zone-0').check();
    await page.locator('#address-street').fill('Königstraße 1');
    await page.locator('#address-postcode').fill('70173');
    await page.locator('#address-city').fill('Stuttgart');
    await page.locator('#proof').setInputFiles({ name: 'Meldebescheinigung.pdf', mimeType: 'application/pdf', buffer: PDF });
    await page.locator('#start').fill(startDay());
    await page.locator('#confirm').check();
    await page.locator('#share-name').check();
    await submitWith(page, page.getByRole('button', { name: msg('en', 'application-apply-next') }));

    // The review: exactly what goes to whom.
    assert.equal(await h1Text(page), msg('en', 'application-review-title'));
    const answers = await page.locator('#answers').innerText();
    for (const t of ['S-AB 1234', 'Königstraße 1, 70173, Stuttgart', 'Meldebescheinigung.pdf']) assert.ok(answers.includes(t), t);
    assert.ok((await page.locator('#profile').innerText()).includes('Rosa Beispiel'));
    const who = await page.locator('.who').innerText();
    assert.ok(who.includes('Art. 6(1)(e) GDPR'), who);
    assert.equal(rx.got.length, 0, 'nothing is sent before the resident confirms');
    await submitWith(page, page.getByRole('button', { name: msg('en', 'application-review-send', { module: "Residents' parking" }) }));
    assert.equal((await page.locator('#status').innerText()).trim(), msg('en', 'application-status-submitted'));
    const id = new URL(page.url()).pathname.split('/').pop();

    // The module gets it, signed; moves it on and asks a question.
    const submitted = await until('the webhook', () => rx.got.find((g) => g.body.type === 'application.submitted'));
    assert.match(submitted.signature, /^v1,/);
    assert.equal(submitted.body.data.answers.plate, 'S-AB 1234');
    await setStatus(token, id, { status: 'received' });
    await setStatus(token, id, { status: 'needs_information', question: 'Is the car registered in Stuttgart?' });
    await goto(page, `/account/applications/${id}?lang=en`, { expectStatus: 200 });
    assert.ok((await page.locator('#question').innerText()).includes('Is the car registered in Stuttgart?'));
    await page.locator('#answer').fill('Yes, since 2024.');
    await submitWith(page, page.getByRole('button', { name: msg('en', 'application-answer-send') }));
    assert.equal((await page.locator('#status').innerText()).trim(), msg('en', 'application-status-in-progress'));
    await until('the answer', () => rx.got.find((g) => g.body.type === 'application.answered'));

    await setStatus(token, id, { status: 'approved', message: 'Your permit is attached.' });
    await goto(page, '/account?lang=en', { expectStatus: 200 });
    await followLink(page, page.locator('main a[href="/account/applications"]'));
    await followLink(page, page.locator(`main a[href="/account/applications/${id}"]`));
    assert.equal((await page.locator('#status').innerText()).trim(), msg('en', 'application-status-approved'));
    const timeline = await page.locator('#timeline').innerText();
    for (const k of ['application-event-submitted', 'application-event-received', 'application-event-answered', 'application-event-decided-approved']) {
      assert.ok(timeline.includes(msg('en', k)), k);
    }
    assert.ok(timeline.includes('Your permit is attached.'));
  } finally {
    await context.close();
  }
});

test('without JavaScript a resident withdraws a case on its confirm page', async () => {
  const { rx } = await module();
  const r = await resident('Willi Beispiel');
  const context = await suite.context({ javaScriptEnabled: false, locale: 'de-DE' });
  try {
    await addSessionCookie(context, suite.portal.baseUrl, r.cookieHeader());
    const page = await context.newPage();
    await goto(page, `/services/${SERVICE}/apply?lang=de`, { expectStatus: 200 });
    await page.locator('#plate').fill('S-XY 77');
    await page.locator('#zone-1').check();
    await page.locator('#address-street').fill('Marktplatz 1');
    await page.locator('#address-postcode').fill('70173');
    await page.locator('#address-city').fill('Stuttgart');
    await page.locator('#proof').setInputFiles({ name: 'nachweis.pdf', mimeType: 'application/pdf', buffer: PDF });
    await page.locator('#start').fill(startDay());
    await page.locator('#confirm').check();
    await submitWith(page, page.getByRole('button', { name: msg('de', 'application-apply-next') }));
    assert.ok((await page.locator('#profile').innerText()).includes(msg('de', 'application-review-no-profile')));
    await submitWith(page, page.getByRole('button', { name: msg('de', 'application-review-send', { module: 'Bewohnerparken' }) }));
    const id = new URL(page.url()).pathname.split('/').pop();
    // Once the office has it, its withdrawal is sent too (a case withdrawn before it went
    // out is sent neither way).
    await until('the submission', () => rx.got.find((g) => g.body.type === 'application.submitted' && g.body.data.application_id === id));
    await followLink(page, page.getByRole('link', { name: msg('de', 'application-withdraw') }));
    assert.equal(await h1Text(page), msg('de', 'application-withdraw-title'));
    await submitWith(page, page.getByRole('button', { name: msg('de', 'application-withdraw-yes') }));
    assert.equal((await page.locator('#status').innerText()).trim(), msg('de', 'application-status-withdrawn'));
    await until('the withdrawal', () => rx.got.find((g) => g.body.type === 'application.withdrawn' && g.body.data.application_id === id));
  } finally {
    await context.close();
  }
});

for (const lang of ['de', 'en']) {
  test(`axe: the application pages have no WCAG violations, and the form reflows at 320 px (${lang})`, async () => {
    await module();
    const r = await resident(`A11y ${lang}`);
    // A case to show (sent through the pages' own forms by the API client's session).
    const context = await suite.context({ a11y: true, locale: lang === 'en' ? 'en-GB' : 'de-DE', headers: { 'Accept-Language': lang } });
    try {
      await addSessionCookie(context, suite.portal.baseUrl, r.cookieHeader());
      const page = await context.newPage();
      await goto(page, `/services/${SERVICE}/apply?lang=${lang}`, { expectStatus: 200 });
      assert.equal(await htmlLang(page), lang);
      await checkA11y(page, `apply (${lang})`);
      // With errors beside the fields.
      await submitWith(page, page.getByRole('button', { name: msg(lang, 'application-apply-next') }));
      await checkA11y(page, `apply with errors (${lang})`);
      await page.locator('#plate').fill('S-AB 1234');
      await page.locator('#zone-0').check();
      await page.locator('#address-street').fill('Königstraße 1');
      await page.locator('#address-postcode').fill('70173');
      await page.locator('#address-city').fill('Stuttgart');
      await page.locator('#proof').setInputFiles({ name: 'proof.pdf', mimeType: 'application/pdf', buffer: PDF });
      await page.locator('#start').fill(startDay());
      await page.locator('#confirm').check();
      await submitWith(page, page.getByRole('button', { name: msg(lang, 'application-apply-next') }));
      await checkA11y(page, `review (${lang})`);
      await submitWith(page, page.locator('main form button[type="submit"]'));
      await checkA11y(page, `case (${lang})`);
      const id = new URL(page.url()).pathname.split('/').pop();
      await goto(page, `/account/applications?lang=${lang}`, { expectStatus: 200 });
      await checkA11y(page, `my applications (${lang})`);
      await goto(page, `/account/applications/${id}/withdraw?lang=${lang}`, { expectStatus: 200 });
      await checkA11y(page, `withdraw (${lang})`);
    } finally {
      await context.close();
    }
    const narrow = await suite.context({ viewport: { width: 320, height: 640 }, locale: lang === 'en' ? 'en-GB' : 'de-DE' });
    try {
      await addSessionCookie(narrow, suite.portal.baseUrl, r.cookieHeader());
      const page = await narrow.newPage();
      await goto(page, `/services/${SERVICE}/apply?lang=${lang}`, { expectStatus: 200 });
      const width = await scrollWidth(page);
      assert.ok(width <= 320, `scrollWidth ${width}: ${(await overflowingElements(page, 320)).join(', ')}`);
    } finally {
      await narrow.close();
    }
  });
}
