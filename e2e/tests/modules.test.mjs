// The module register in the browser: a city admin registers the example manifest by
// pasting it, reviews exactly the data and scopes it asks for, approves it and sees the
// client secret once; the public register (linked from the privacy page) lists it.
// Without JavaScript; the pages pass axe and the public one reflows at 320 px.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import test from 'node:test';
import { checkA11y } from '../lib/axe.mjs';
import { addSessionCookie, followLink, goto, h1Text, submitWith } from '../lib/browser.mjs';
import { htmlLang, overflowingElements, scrollWidth } from '../lib/expect.mjs';
import { msg } from '../lib/l10n.mjs';
import { useSuite } from '../lib/suite.mjs';

const suite = useSuite();
const EXAMPLE = readFileSync(new URL('../../openapi/examples/module-manifest.parking-permits.json', import.meta.url), 'utf8');
const MANIFEST = JSON.parse(EXAMPLE);

let adminPromise;
/** A logged-in city admin (an API client holding the session cookie). */
function admin() {
  adminPromise ??= (async () => {
    await suite.portal.createAdmin('admin-modules@example.org', 'admin-password-1');
    const a = suite.client();
    await a.login('admin-modules@example.org', 'admin-password-1');
    return a;
  })();
  return adminPromise;
}

test('without JavaScript an admin registers the example manifest, approves it, sees the secret once, and the public register lists it', async () => {
  const a = await admin();
  const context = await suite.context({ javaScriptEnabled: false, locale: 'en-GB' });
  try {
    await addSessionCookie(context, suite.portal.baseUrl, a.cookieHeader());
    const page = await context.newPage();
    await goto(page, '/admin/modules?lang=en', { expectStatus: 200 });
    assert.equal(await h1Text(page), msg('en', 'admin-modules-title'));
    await page.locator('#manifest').fill(EXAMPLE);
    await submitWith(page, page.locator('main form button[type="submit"]'));
    assert.equal(new URL(page.url()).pathname, `/admin/modules/${MANIFEST.id}`);
    assert.equal(await h1Text(page), MANIFEST.name.en);

    // The review names exactly the data categories and scopes asked for.
    const waiting = await page.locator('#waiting').innerText();
    for (const d of MANIFEST.services[0].data) {
      assert.ok(waiting.includes(msg('en', `module-data-${d.replaceAll('_', '-')}`)), d);
    }
    assert.ok(!waiting.includes(msg('en', 'module-data-phone')), 'nothing it does not ask for');
    for (const s of MANIFEST.scopes) assert.ok(waiting.includes(s), s);
    assert.ok(waiting.includes(MANIFEST.services[0].legal_basis.en));

    await submitWith(page, page.getByRole('button', { name: msg('en', 'admin-module-approve', { version: 1 }) }));
    const secret = (await page.locator('#secret').innerText()).trim();
    assert.match(secret, /cps_[A-Za-z0-9_-]+/);
    assert.equal((await page.locator('#status').innerText()).trim(), msg('en', 'admin-modules-status-active'));
    await goto(page, `/admin/modules/${MANIFEST.id}?lang=en`, { expectStatus: 200 });
    assert.equal(await page.locator('#secret').count(), 0, 'the secret is shown once');

    // The privacy page leads to the public register.
    await goto(page, '/privacy?lang=en', { expectStatus: 200 });
    await followLink(page, page.locator('main a[href="/modules"]'));
    assert.equal(await h1Text(page), msg('en', 'modules-title'));
    const entry = await page.locator(`#module-${MANIFEST.id}`).innerText();
    assert.ok(entry.includes(MANIFEST.name.en), entry);
    assert.ok(entry.includes(MANIFEST.contact.email), entry);
    assert.ok(entry.includes(msg('en', 'module-data-postal-address')), entry);
    assert.ok(entry.includes(MANIFEST.services[0].purpose.en), entry);
    assert.equal(await page.locator(`main a[href="/services/${MANIFEST.services[0].listing}"]`).count(), 1);
  } finally {
    await context.close();
  }
});

/** A module booking appointments through its own Partner Booking API, registered and
 * waiting for review: its page asks for the module's booking credentials. */
const APPOINTMENTS = {
  manifest_version: 1,
  id: 'e2e-appointments',
  name: { de: 'Termine (Test)', en: 'Appointments (test)' },
  operator: 'citizens-office',
  base_url: 'http://127.0.0.1:9',
  contact: { email: 'termine@example.org' },
  services: [{
    listing: 'certificate-of-good-conduct',
    capability: 'appointment',
    data: ['name', 'email'],
    purpose: { de: 'Den Termin vorbereiten', en: 'To prepare the appointment' },
    legal_basis: { de: 'Art. 6 Abs. 1 lit. e DSGVO', en: 'Art. 6(1)(e) GDPR' },
    offers: ['conduct.certificate'],
  }],
  scopes: [],
  events: ['booking.*'],
  webhook_url: 'http://127.0.0.1:9/hook',
};

async function appointmentsPending() {
  const a = await admin();
  const list = await a.get('/api/v1/admin/modules');
  if (!list.items.some((m) => m.id === APPOINTMENTS.id)) {
    await a.post('/api/v1/admin/modules', APPOINTMENTS);
  }
  return a;
}

/** The example registered and approved (through the API, if the journey did not). */
async function approved() {
  const a = await admin();
  const list = await suite.api.get('/api/v1/modules');
  if (list.items.some((m) => m.id === MANIFEST.id)) return a;
  await a.post('/api/v1/admin/modules', MANIFEST);
  await a.post(`/api/v1/admin/modules/${MANIFEST.id}/approve`, { version: 1 });
  return a;
}

for (const lang of ['de', 'en']) {
  test(`axe: the module pages have no WCAG violations, and the public register reflows at 320 px (${lang})`, async () => {
    const a = await approved();
    await appointmentsPending();
    for (const [path, session] of [
      ['/modules', false],
      ['/admin/modules', true],
      [`/admin/modules/${MANIFEST.id}`, true],
      [`/admin/modules/${APPOINTMENTS.id}`, true],
    ]) {
      const context = await suite.context({
        a11y: true,
        locale: lang === 'en' ? 'en-GB' : 'de-DE',
        headers: { 'Accept-Language': lang },
      });
      try {
        if (session) await addSessionCookie(context, suite.portal.baseUrl, a.cookieHeader());
        const page = await context.newPage();
        await goto(page, `${path}?lang=${lang}`, { expectStatus: 200 });
        assert.equal(await htmlLang(page), lang);
        if (path.endsWith(APPOINTMENTS.id)) {
          assert.equal(await page.locator('#booking_client_id').count(), 1, 'the approval asks for the booking credentials');
        }
        await checkA11y(page, `${path} (${lang})`);
      } finally {
        await context.close();
      }
    }
    const context = await suite.context({ viewport: { width: 320, height: 640 }, locale: lang === 'en' ? 'en-GB' : 'de-DE' });
    try {
      const page = await context.newPage();
      await goto(page, `/modules?lang=${lang}`, { expectStatus: 200 });
      const width = await scrollWidth(page);
      assert.ok(width <= 320, `scrollWidth ${width}: ${(await overflowingElements(page, 320)).join(', ')}`);
    } finally {
      await context.close();
    }
  });
}
