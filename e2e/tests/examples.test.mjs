// The demo city with its example modules running inside the server (DEMO_MODULES): a
// resident applies for a residents' parking permit and, a few seconds later, sees the
// module's decision with the permit to download; a resident reports a broken street
// light and sees the module move it on to fixed; a resident books an appointment to
// certify copies in the citizens' office's own appointment system. With and without
// JavaScript.
import assert from 'node:assert/strict';
import test from 'node:test';
import { checkA11y } from '../lib/axe.mjs';
import { addSessionCookie, followLink, goto, submitWith } from '../lib/browser.mjs';
import { msg } from '../lib/l10n.mjs';
import { useSuite } from '../lib/suite.mjs';

const suite = useSuite({ portalEnv: { DEMO_MODULES: 'true' } });
const PDF = Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

/** A logged-in resident (an API client holding the session cookie). */
async function resident(name) {
  const r = suite.client();
  await r.register({ displayName: name });
  return r;
}

function startDay() {
  return new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
}

/** Reloads `path` until `#status`'s or `main`'s text has `text` (the module pauses two seconds a step). */
async function reloadUntil(page, path, locator, text) {
  for (let i = 0; i < 60; i++) {
    await goto(page, path, { expectStatus: 200 });
    const got = await page.locator(locator).innerText();
    if (got.includes(text)) return got;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${path} never showed ${text}`);
}

for (const javaScriptEnabled of [false, true]) {
  test(`${javaScriptEnabled ? 'with' : 'without'} JavaScript a resident applies for a parking permit and the example module approves it with the permit`, async () => {
    const r = await resident(`Parker ${javaScriptEnabled}`);
    const context = await suite.context({ javaScriptEnabled, locale: 'en-GB' });
    try {
      await addSessionCookie(context, suite.portal.baseUrl, r.cookieHeader());
      const page = await context.newPage();
      await goto(page, '/services/residents-parking-permit?lang=en', { expectStatus: 200 });
      await followLink(page, page.locator('#apply-online'));
      // The fee is shown as help.
      assert.ok((await page.locator('main').innerText()).includes('€60.00 for one year'));
      await page.locator('#plate').fill('S-AB 1234');
      await page.locator('#zone-2').check();
      await page.locator('#address-street').fill('Königstraße 1');
      await page.locator('#address-postcode').fill('70173');
      await page.locator('#address-city').fill('Stuttgart');
      await page.locator('#proof').setInputFiles({ name: 'Meldebescheinigung.pdf', mimeType: 'application/pdf', buffer: PDF });
      await page.locator('#start').fill(startDay());
      await page.locator('#fee').check();
      await page.locator('#confirm').check();
      await submitWith(page, page.getByRole('button', { name: msg('en', 'application-apply-next') }));
      await submitWith(page, page.locator('main form button[type="submit"]'));
      const path = new URL(page.url()).pathname;
      assert.match(path, /^\/account\/applications\/[0-9a-f-]+$/);

      const status = await reloadUntil(page, `${path}?lang=en`, '#status', msg('en', 'application-status-approved'));
      assert.equal(status.trim(), msg('en', 'application-status-approved'));
      const timeline = await page.locator('#timeline').innerText();
      for (const k of ['application-event-received', 'application-event-decided-approved']) {
        assert.ok(timeline.includes(msg('en', k)), k);
      }
      assert.ok(timeline.includes('is approved'), timeline);
      // The permit, a PDF, to download.
      const href = await page.locator(`main a[href^="${path}/files/"]`).first().getAttribute('href');
      const file = await context.request.get(new URL(href, suite.portal.baseUrl).toString());
      assert.equal(file.status(), 200);
      assert.ok((await file.body()).subarray(0, 5).equals(Buffer.from('%PDF-')));
    } finally {
      await context.close();
    }
  });
}

test('without JavaScript a resident reports a broken street light and sees the example module fix it', async () => {
  const r = await resident('Lamp Watcher');
  const { places } = await suite.api.get('/api/v1/places?q=Mannerheimintie&limit=10');
  const where = (places.find((p) => p.kind === 'address') ?? places[0]).name;
  const description = `Street light out ${Date.now()}`;
  const context = await suite.context({ javaScriptEnabled: false, locale: 'en-GB' });
  try {
    await addSessionCookie(context, suite.portal.baseUrl, r.cookieHeader());
    const page = await context.newPage();
    await goto(page, '/services/report-street-defect?lang=en', { expectStatus: 200 });
    await followLink(page, page.getByRole('link', { name: msg('en', 'report-link') }));
    await page.locator('#report_address').fill(where);
    await page.locator('#report_description').fill(description);
    await page.locator('#kind-1').check();
    await submitWith(page, page.getByRole('button', { name: msg('en', 'report-send') }));
    assert.equal(new URL(page.url()).pathname, '/account/reports');
    const mine = await reloadUntil(page, '/account/reports?lang=en', 'main', msg('en', 'report-state-fixed'));
    assert.ok(mine.includes(description), mine);
    // Open311 apps see the same: closed, with the module's note.
    const [req] = (await suite.api.get('/open311/v2/requests.json?service_code=report-street-defect'))
      .filter((q) => q.description === description);
    assert.equal(req.status, 'closed');
    assert.ok(req.status_notes.includes('Fixed.'), req.status_notes);
  } finally {
    await context.close();
  }
});

test('without JavaScript a resident books the citizens\' office\'s appointment system through its module, and the access log names the module', async () => {
  const r = await resident('Copy Booker');
  const offers = (await suite.api.get('/api/v1/listings/certified-copy/offers')).items.filter((o) => o.provider === 'partner');
  const offer = offers.find((o) => o.partner.offer_ref === 'copy.certify');
  assert.ok(offer, `the module's offer is on the listing: ${JSON.stringify(offers)}`);
  const context = await suite.context({ javaScriptEnabled: false, locale: 'en-GB' });
  try {
    await addSessionCookie(context, suite.portal.baseUrl, r.cookieHeader());
    const page = await context.newPage();
    await goto(page, '/services/certified-copy?lang=en', { expectStatus: 200 });
    await followLink(page, page.locator(`main li#offer-${offer.id} a.button`));
    assert.equal(new URL(page.url()).pathname, `/offers/${offer.id}`);
    // A week with free times (the office opens on weekdays).
    for (let i = 0; i < 3 && (await page.locator('main ul.times button[name="starts_at"]').count()) === 0; i++) {
      await followLink(page, page.locator('main a[rel="next"]'));
    }
    const first = page.locator('main ul.times button[name="starts_at"]').first();
    assert.equal(await first.count(), 1, 'a free time');
    await submitWith(page, first);
    assert.match(new URL(page.url()).pathname, /^\/account\/bookings\/[0-9a-f-]{36}$/);
    await submitWith(page, page.locator('main form[action$="/confirm"] button'));
    assert.equal(new URL(page.url()).pathname, '/account/bookings');
    const upcoming = page.locator('main section[aria-labelledby="h-upcoming"] li.booking');
    assert.equal(await upcoming.count(), 1);
    assert.equal((await upcoming.locator('.status').innerText()).trim(), msg('en', 'booking-status-confirmed'));
    // The module's reading is in the resident's access log, named.
    const log = await r.get('/api/v1/accounts/me/access-log');
    assert.ok(log.some((e) => e.reader === 'citizens-office-appointments' && e.reader_kind === 'module'), JSON.stringify(log));
  } finally {
    await context.close();
  }
});

test('axe: the example module\'s parking permit form (its fee as help) has no WCAG violations', async () => {
  const r = await resident('A11y Parker');
  const context = await suite.context({ a11y: true, locale: 'en-GB', headers: { 'Accept-Language': 'en' } });
  try {
    await addSessionCookie(context, suite.portal.baseUrl, r.cookieHeader());
    const page = await context.newPage();
    await goto(page, '/services/residents-parking-permit/apply?lang=en', { expectStatus: 200 });
    await checkA11y(page, 'the example module\'s form');
  } finally {
    await context.close();
  }
});
