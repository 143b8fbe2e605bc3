// The pages work without JavaScript: home → service, search → business,
// language switch, and the account forms (register, log out, log in).
import assert from 'node:assert/strict';
import test from 'node:test';
import { followLink, goto, h1Text, submitWith } from '../lib/browser.mjs';
import { assertNoProblems, htmlLang, listingLinks, localized, searchHits } from '../lib/expect.mjs';
import { greeting, loginViaForm, logoutViaHeader, newAccount, registerViaForm } from '../lib/flows.mjs';
import { useSuite } from '../lib/suite.mjs';

const suite = useSuite();

/** A page in a context with JavaScript off (checked: an inline script does not run). */
async function pageWithoutScripts(options = {}) {
  const p = await suite.page({ javaScriptEnabled: false, ...options });
  await p.page.setContent('<title>before</title><script>document.title = "script ran"</script>');
  assert.equal(await p.page.title(), 'before', 'JavaScript is disabled in this context');
  return p;
}

test('with JavaScript disabled, home leads to a service page and the search form to a business page', async () => {
  const services = await suite.api.allListings({ kind: 'municipal_service' });
  const serviceBySlug = new Map(services.map((s) => [s.slug, s]));
  // A business that a search for its name finds on the first page of results.
  let business, q;
  for (const b of (await suite.api.listings({ kind: 'business', limit: 10 })).items) {
    const name = localized(b.name, 'de');
    const r = await suite.api.search({ q: name, locale: 'de', per_page: 20 });
    if (r.hits.some((h) => h.slug === b.slug)) {
      [business, q] = [b, name];
      break;
    }
  }
  assert.ok(business, 'a business found by searching its name');
  const { page, context, problems, close } = await pageWithoutScripts();
  try {
    await goto(page, '/', { expectStatus: 200 });
    assert.equal(await h1Text(page), suite.portal.cityName);

    const links = await listingLinks(page);
    const service = links.find((l) => serviceBySlug.has(l.slug));
    assert.ok(service, 'home links to a city service');
    await followLink(page, page.locator(`main a[href="${service.href}"]`).first());
    assert.equal(decodeURIComponent(new URL(page.url()).pathname), `/services/${service.slug}`);
    assert.equal(await h1Text(page), localized(serviceBySlug.get(service.slug).name, 'de'));

    // Businesses are found through the search form (a plain GET form).
    await page.goBack({ waitUntil: 'load' });
    const form = page.locator('main form[action="/search"]');
    await form.locator('input[name="q"]').fill(q);
    await submitWith(page, form.locator('button[type="submit"]'));
    assert.equal(new URL(page.url()).pathname, '/search');
    const hit = (await searchHits(page)).find((h) => h.path === `/listings/${business.slug}`);
    assert.ok(hit, `searching "${q}" finds ${business.slug}`);
    await followLink(page, page.locator(`main ol.hits a[href="${hit.href}"]`).first());
    assert.equal(decodeURIComponent(new URL(page.url()).pathname), `/listings/${business.slug}`);
    assert.equal(await h1Text(page), localized(business.name, 'de'));

    await followLink(page, page.getByRole('link', { name: 'English', exact: true }));
    assert.equal(await htmlLang(page), 'en');
    assert.equal(await h1Text(page), localized(business.name, 'en'));

    assertNoProblems(problems, context, 'no-JS navigation');
  } finally {
    await close();
  }
});

test('with JavaScript disabled, register, log out and log in work through the forms', async () => {
  const account = newAccount();
  const { page, context, problems, close } = await pageWithoutScripts();
  try {
    await registerViaForm(page, account);
    assert.equal(new URL(page.url()).pathname, '/account');
    assert.equal(await h1Text(page), greeting('de', account.displayName));
    await logoutViaHeader(page);
    assert.equal(new URL(page.url()).pathname, '/');
    await loginViaForm(page, account.email, account.password);
    assert.equal(new URL(page.url()).pathname, '/account');
    assert.equal(await h1Text(page), greeting('de', account.displayName));
    assertNoProblems(problems, context, 'no-JS account forms');
  } finally {
    await close();
  }
});

test('with JavaScript disabled, a place typed into the search form sorts the nearest results first', async () => {
  // A district of the demo city, as the places API knows it, and the search's own
  // order by distance from it.
  const { places } = await suite.api.get('/api/v1/places?q=Kluuvi&limit=1');
  assert.equal(places.length, 1, 'the demo city has the district Kluuvi');
  const place = places[0];
  const { lat, lng } = place.location;
  const expected = await suite.api.search({ near: `${lat},${lng}`, sort: 'distance', locale: 'de', per_page: 20 });
  const { page, context, problems, close } = await pageWithoutScripts();
  try {
    await goto(page, '/search', { expectStatus: 200 });
    const form = page.locator('main form[action="/search"]');
    assert.equal(await page.locator('button[data-locate]').isVisible(), false, 'no location button without script');
    await page.getByLabel('In der Nähe von (Straße, Adresse oder Stadtteil)').fill(place.name.toLowerCase());
    await form.locator('select[name="sort"]').selectOption('distance');
    await submitWith(page, form.locator('fieldset button[type="submit"]'));
    assert.equal(new URL(page.url()).searchParams.get('near'), place.name.toLowerCase());
    assert.ok(
      (await page.locator('main p.near').textContent()).includes(`In der Nähe von ${place.label}`),
      'the page says which place it understood',
    );
    const hits = await searchHits(page);
    assert.deepEqual(
      hits.slice(0, 5).map((h) => h.path.split('/').pop()),
      expected.hits.slice(0, 5).map((h) => h.slug),
      'the nearest results come first',
    );
    assertNoProblems(problems, context, 'no-JS place search');
  } finally {
    await close();
  }
});
