// Issue reports in the browser: a resident reports a street defect by address, without
// JavaScript, from the service's page, and sees it on My reports and on the public list
// of open reports, which says nothing about who reported it. The report pages pass axe
// in both languages and reflow at 320 px.
import assert from 'node:assert/strict';
import test from 'node:test';
import { checkA11y } from '../lib/axe.mjs';
import { addSessionCookie, followLink, goto, h1Text, submitWith } from '../lib/browser.mjs';
import { htmlLang, overflowingElements, scrollWidth, waitForMap } from '../lib/expect.mjs';
import { msg } from '../lib/l10n.mjs';
import { useSuite } from '../lib/suite.mjs';

const suite = useSuite();

/** A street-defect module taking reports for the demo city's "report a street defect". */
const MANIFEST = {
  manifest_version: 1,
  id: 'street-defects',
  name: { de: 'Straßenschäden', en: 'Street defects' },
  operator: 'public-works',
  base_url: 'https://defects.module.example',
  contact: { email: 'defects@stadt.example' },
  services: [{
    listing: 'report-street-defect',
    capability: 'report',
    data: ['location', 'attachments'],
    purpose: { de: 'Schäden beheben.', en: 'Repairing defects.' },
    legal_basis: { de: 'Art. 6 Abs. 1 lit. e DSGVO.', en: 'Art. 6(1)(e) GDPR.' },
    form: {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      'x-order': ['kind'],
      required: ['kind'],
      additionalProperties: false,
      properties: {
        kind: {
          type: 'string',
          enum: ['pothole', 'crack'],
          'x-title': { de: 'Art des Schadens', en: 'Kind of defect' },
          'x-enum-labels': { pothole: { de: 'Schlagloch', en: 'Pothole' }, crack: { de: 'Riss', en: 'Crack' } },
        },
      },
    },
  }],
  scopes: ['module:cases:read', 'module:cases:status'],
  events: ['report.*'],
  webhook_url: 'https://defects.module.example/webhook',
};
const SERVICE = MANIFEST.services[0].listing;

/** The resident of the first journey, who has a report (its My reports has a form). */
let reporter = null;

let adminPromise;
/** A city admin with the module registered and approved. */
function admin() {
  adminPromise ??= (async () => {
    await suite.portal.createAdmin('admin-reports@example.org', 'admin-password-1');
    const a = suite.client();
    await a.login('admin-reports@example.org', 'admin-password-1');
    await a.post('/api/v1/admin/modules', MANIFEST);
    await a.post(`/api/v1/admin/modules/${MANIFEST.id}/approve`, { version: 1 });
    return a;
  })();
  return adminPromise;
}

/** An address of the demo city, as its places know it. */
async function address() {
  const { places } = await suite.api.get('/api/v1/places?q=Mannerheimintie&limit=10');
  const place = places.find((p) => p.kind === 'address') ?? places[0];
  assert.ok(place, 'the demo city has addresses on Mannerheimintie');
  return place.name;
}

test('without JavaScript a resident reports a street defect by address and sees it on the public list', async () => {
  await admin();
  const resident = suite.client();
  const account = await resident.register({ displayName: 'Rita Reporter' });
  const where = await address();
  const description = `Deep pothole ${Date.now()}`;
  const context = await suite.context({ javaScriptEnabled: false, locale: 'en-GB' });
  try {
    await addSessionCookie(context, suite.portal.baseUrl, resident.cookieHeader());
    const page = await context.newPage();
    await goto(page, `/services/${SERVICE}?lang=en`, { expectStatus: 200 });
    await followLink(page, page.getByRole('link', { name: msg('en', 'report-link') }));
    assert.equal(new URL(page.url()).pathname, `/services/${SERVICE}/report`);
    assert.ok((await h1Text(page)).startsWith('Report:'));
    // Without JavaScript there is no map, only the address.
    assert.equal(await page.locator('.map-toggle').count(), 0);

    // Forgetting the description: the error beside it, the address kept.
    await page.locator('#report_address').fill(where);
    await page.locator('#kind-0').check();
    await submitWith(page, page.getByRole('button', { name: msg('en', 'report-send') }));
    assert.equal(await page.locator('#report_description-error').count(), 1);
    assert.equal(await page.locator('#report_address').inputValue(), where);

    await page.locator('#report_description').fill(description);
    await page.locator('#kind-0').check();
    await submitWith(page, page.getByRole('button', { name: msg('en', 'report-send') }));
    assert.equal(new URL(page.url()).pathname, '/account/reports');
    assert.equal(await h1Text(page), msg('en', 'my-reports-title'));
    const mine = await page.locator('main').innerText();
    assert.ok(mine.includes(description), mine);
    reporter = resident;
    assert.ok(mine.includes(msg('en', 'report-state-open')), mine);

    // The public list: the report, its place, nothing about who sent it.
    await goto(page, '/reports?lang=en', { expectStatus: 200 });
    const list = await page.locator('main').innerText();
    assert.ok(list.includes(description), list);
    assert.ok(list.includes(where), list);
    assert.ok(!list.includes(account.email) && !list.includes('Rita Reporter'), 'nothing about the reporter');
  } finally {
    await context.close();
  }
});

test('with JavaScript a resident points at the place on a map (shown only on request) instead of typing an address', async () => {
  await admin();
  const resident = suite.client();
  await resident.register();
  const description = `Broken kerb ${Date.now()}`;
  const context = await suite.context({ locale: 'en-GB' });
  try {
    await addSessionCookie(context, suite.portal.baseUrl, resident.cookieHeader());
    const page = await context.newPage();
    await goto(page, `/services/${SERVICE}/report?lang=en`, { expectStatus: 200 });
    assert.equal(await page.locator('#report-map').isHidden(), true, 'no map until asked for');
    await page.getByRole('button', { name: msg('en', 'report-map-show') }).click();
    await waitForMap(page, '#report-map');
    assert.equal(await page.locator('#report-map-hint').isVisible(), true);
    await page.locator('#report-map').click({ position: { x: 60, y: 60 } });
    const lat = Number(await page.locator('#report_lat').inputValue());
    const lng = Number(await page.locator('#report_lng').inputValue());
    assert.ok(lat > 59 && lat < 61 && lng > 24 && lng < 26, `${lat}, ${lng}`);
    await page.locator('#report_description').fill(description);
    await page.locator('#kind-1').check();
    await submitWith(page, page.getByRole('button', { name: msg('en', 'report-send') }));
    assert.equal(new URL(page.url()).pathname, '/account/reports');
    assert.ok((await page.locator('main').innerText()).includes(description));
    const [mine] = await suite.api.get(`/open311/v2/requests.json?service_code=${SERVICE}`)
      .then((all) => all.filter((r) => r.description === description));
    assert.ok(Math.abs(mine.lat - lat) < 1e-5 && Math.abs(mine.long - lng) < 1e-5, JSON.stringify(mine));
  } finally {
    await context.close();
  }
});

for (const lang of ['de', 'en']) {
  test(`axe: the report pages have no WCAG violations and reflow at 320 px (${lang})`, async () => {
    const a = await admin();
    const resident = suite.client();
    await resident.register();
    for (const [path, who] of [
      ['/reports', null],
      [`/services/${SERVICE}/report`, resident],
      ['/account/reports', reporter ?? resident],
      ['/admin/open311-keys', a],
    ]) {
      const context = await suite.context({
        a11y: true,
        locale: lang === 'en' ? 'en-GB' : 'de-DE',
        headers: { 'Accept-Language': lang },
      });
      try {
        if (who) await addSessionCookie(context, suite.portal.baseUrl, who.cookieHeader());
        const page = await context.newPage();
        await goto(page, `${path}?lang=${lang}`, { expectStatus: 200 });
        assert.equal(await htmlLang(page), lang);
        await checkA11y(page, `${path} (${lang})`);
      } finally {
        await context.close();
      }
    }
    for (const [path, who] of [['/reports', null], [`/services/${SERVICE}/report`, resident]]) {
      const context = await suite.context({ viewport: { width: 320, height: 640 }, locale: lang === 'en' ? 'en-GB' : 'de-DE' });
      try {
        if (who) await addSessionCookie(context, suite.portal.baseUrl, who.cookieHeader());
        const page = await context.newPage();
        await goto(page, `${path}?lang=${lang}`, { expectStatus: 200 });
        const width = await scrollWidth(page);
        assert.ok(width <= 320, `${path}: scrollWidth ${width}: ${(await overflowingElements(page, 320)).join(', ')}`);
      } finally {
        await context.close();
      }
    }
  });
}
