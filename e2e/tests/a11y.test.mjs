// axe-core: no WCAG 2.x A/AA violations on each page type, in both languages;
// a full-page screenshot of each (German) page type; and reflow (WCAG 1.4.10):
// no horizontal scrolling at a 320 px wide viewport.
import assert from 'node:assert/strict';
import test from 'node:test';
import { checkA11y } from '../lib/axe.mjs';
import { addSessionCookie, goto, submitWith } from '../lib/browser.mjs';
import { htmlLang, localized, overflowingElements, scrollWidth, searchHits, waitForMap } from '../lib/expect.mjs';
import { newAccount, registerViaForm, registrationForm, verifyEmailViaLink } from '../lib/flows.mjs';
import { msg } from '../lib/l10n.mjs';
import { screenshot } from '../lib/shots.mjs';
import { useSuite } from '../lib/suite.mjs';

const suite = useSuite();
const LANGS = ['de', 'en'];

/** How much of a listing page a listing fills: the richest page finds the most. */
function richness(l) {
  return (
    (l.opening_hours?.weekly?.length ? 4 : 0) +
    (l.opening_hours?.osm ? 1 : 0) +
    (l.contact?.phone ? 1 : 0) +
    (l.contact?.email ? 1 : 0) +
    (l.contact?.website ? 1 : 0) +
    (l.address ? 1 : 0) +
    (l.wheelchair ? 1 : 0) +
    (l.description?.de || l.description?.en ? 1 : 0) +
    (l.service ? 4 : 0)
  );
}

/**
 * A search word, taken from the demo data, with more than one page of results
 * (so the results page shows hits, facets and pagination).
 */
async function broadQuery(listings) {
  for (const l of listings.slice(0, 20)) {
    for (const q of localized(l.name, 'de').split(/[\s,.;:()/–-]+/u).filter((w) => w.length >= 4).slice(0, 3)) {
      const r = await suite.api.search({ q, locale: 'de', per_page: 20 });
      if (r.estimated_total > 20 && r.estimated_total < 1000) return q;
    }
  }
  throw new Error('no word of a listing name finds more than one page of results');
}

/** A too-short password and a malformed email: the registration form with two errors. */
async function registerWithErrors(page) {
  await goto(page, '/register', { expectStatus: 200 });
  const form = registrationForm(page);
  await form.locator('input[name="display_name"]').fill('Erika Muster');
  await form.locator('input[name="email"]').fill('not-an-email');
  await form.locator('input[name="password"]').fill('short');
  const res = await submitWith(page, form.locator('button[type="submit"]'));
  assert.ok(res.status() >= 400 && res.status() < 500, `the form is refused (HTTP ${res.status()})`);
  assert.equal(await page.locator('main .error-summary a').count(), 2, 'two errors in the summary');
  return res;
}

/** Registered through the form: the "check your mailbox" page (nobody logged in). */
async function registerSent(page) {
  const res = await registerViaForm(page, newAccount());
  assert.equal(res.status(), 200);
  assert.equal(await page.locator('main [role="status"]').count(), 1, 'the page says where the email went');
  return res;
}

/** The page an emailed verification link opens: "confirm your address" with its button. */
async function verifyConfirm(page) {
  const { email } = await suite.client().register({ verify: false });
  const link = new URL(await suite.portal.mailbox.link(email, 'verify'));
  const res = await goto(page, `${link.pathname}${link.search}`, { expectStatus: 200 });
  assert.equal(await page.locator('main form[action="/verify"]').count(), 1, 'the confirm button');
  return res;
}

/** The confirm button pressed: the login form with the address filled in and a notice. */
async function verifiedLogin(page) {
  const { email } = await suite.client().register({ verify: false });
  const res = await verifyEmailViaLink(page, suite.portal.mailbox, email);
  assert.equal(res.status(), 200);
  assert.equal(await page.locator('main form[action="/login"] input[name="email"]').inputValue(), email);
  assert.equal(await page.locator('main .notice[role="status"]').count(), 1, 'the notice that the address is confirmed');
  return res;
}

/** The page types to check, resolved once against the demo data. */
let pagesPromise;
function pageTypes() {
  pagesPromise ??= (async () => {
    const services = (await suite.api.listings({ kind: 'municipal_service', limit: 100 })).items;
    const businesses = (await suite.api.listings({ kind: 'business', limit: 100 })).items.filter((l) =>
      String(l.source ?? '').startsWith('osm:'),
    );
    assert.ok(services.length > 0, 'the demo city has municipal services');
    assert.ok(businesses.length > 0, 'the demo city has businesses imported from OpenStreetMap');
    const pick = (list) => list.reduce((best, l) => (richness(l) > richness(best) ? l : best));
    const q = await broadQuery([...businesses, ...services]);

    // A logged-in resident with an organization and an entry in the access log,
    // so the account page shows its list and its table.
    const owner = suite.client();
    await owner.register({ displayName: 'Erika Muster' });
    const org = await owner.createOrganization('E2E Sportverein');
    await suite.portal.createAdmin('admin-a11y@example.org', 'admin-password-1');
    const admin = suite.client();
    await admin.login('admin-a11y@example.org', 'admin-password-1');
    await admin.members(org.id);

    return [
      { name: 'home', path: '/' },
      {
        name: 'search',
        path: `/search?${new URLSearchParams({ q })}`,
        check: async (page) => assert.ok((await searchHits(page)).length > 0, 'the search page shows results'),
      },
      {
        name: 'search-empty',
        path: '/search?q=qxzjv-e2e-nothing',
        check: async (page) => assert.equal(await page.locator('main .empty').count(), 1, 'the empty state'),
      },
      { name: 'listing', path: `/listings/${pick(businesses).slug}` },
      { name: 'service', path: `/services/${pick(services).slug}` },
      { name: 'privacy', path: '/privacy' },
      { name: 'modules', path: '/modules' },
      { name: 'impressum', path: '/impressum' },
      { name: 'accessibility', path: '/accessibility' },
      { name: 'login', path: '/login' },
      { name: 'register', path: '/register' },
      { name: 'register-errors', arrive: registerWithErrors },
      { name: 'register-sent', arrive: registerSent },
      { name: 'verify-confirm', arrive: verifyConfirm },
      { name: 'verify-login', arrive: verifiedLogin },
      { name: 'account', path: '/account', session: owner.cookieHeader() },
      { name: 'not-found', path: '/listings/does-not-exist', status: 404 },
    ];
  })();
  return pagesPromise;
}
const PAGE_TYPES = [
  'home',
  'search',
  'search-empty',
  'listing',
  'service',
  'privacy',
  'modules',
  'impressum',
  'accessibility',
  'login',
  'register',
  'register-errors',
  'register-sent',
  'verify-confirm',
  'verify-login',
  'account',
  'not-found',
];

/** Open page type `name` in `lang` in a new context; `{ page, spec, close }`. */
async function openPageType(name, lang, { a11y = false, viewport } = {}) {
  const spec = (await pageTypes()).find((p) => p.name === name);
  const context = await suite.context({
    a11y,
    viewport,
    locale: lang === 'en' ? 'en-GB' : 'de-DE',
    headers: { 'Accept-Language': lang },
  });
  try {
    if (spec.session) await addSessionCookie(context, suite.portal.baseUrl, spec.session);
    const page = await context.newPage();
    if (spec.arrive) await spec.arrive(page);
    else await goto(page, spec.path, { expectStatus: spec.status ?? 200 });
    if (spec.path) assert.equal(new URL(page.url()).pathname, new URL(spec.path, 'http://x').pathname, 'no redirect');
    assert.equal(await htmlLang(page), lang);
    await spec.check?.(page);
    return { page, spec, close: () => context.close() };
  } catch (err) {
    await context.close();
    throw err;
  }
}

for (const lang of LANGS) {
  for (const name of PAGE_TYPES) {
    test(`axe: no WCAG violations on the ${name} page (${lang})`, async () => {
      const { page, close } = await openPageType(name, lang, { a11y: true });
      try {
        if (lang === 'de') await screenshot(page, name);
        await checkA11y(page, `${name} page (${lang}) ${new URL(page.url()).pathname}${new URL(page.url()).search}`);
      } finally {
        await close();
      }
    });
  }
}

for (const lang of LANGS) {
  for (const name of ['search', 'listing', 'service']) {
    test(`axe: no WCAG violations on the ${name} page with its map shown (${lang})`, async () => {
      const { page, close } = await openPageType(name, lang, { a11y: true });
      try {
        const button = page.locator('main button.map-toggle');
        assert.equal(await button.count(), 1, 'a button to show the map');
        await button.click();
        await waitForMap(page);
        if (lang === 'de') await screenshot(page, `${name}-map`);
        await checkA11y(page, `${name} page with map (${lang}) ${new URL(page.url()).pathname}${new URL(page.url()).search}`);
      } finally {
        await close();
      }
    });
  }
}

/** Reflow: at 320 CSS px the page scrolls only vertically (WCAG 1.4.10). */
const NARROW = { width: 320, height: 640 };
for (const name of PAGE_TYPES) {
  test(`reflow: no horizontal scrolling at 320 px on the ${name} page (de, en)`, async () => {
    const failures = [];
    for (const lang of LANGS) {
      const { page, close } = await openPageType(name, lang, { viewport: NARROW });
      try {
        const width = await scrollWidth(page);
        if (width > NARROW.width) {
          const culprits = await overflowingElements(page, NARROW.width);
          failures.push(`${name} (${lang}) ${page.url()}: scrollWidth ${width} px\n    ${culprits.join('\n    ')}`);
        }
      } finally {
        await close();
      }
    }
    assert.deepEqual(failures, [], `wider than ${NARROW.width} px:\n${failures.join('\n')}`);
  });
}
