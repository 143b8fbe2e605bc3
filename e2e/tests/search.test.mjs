// The /search page: from the home page's form to a listing, the same results
// without JavaScript, facets, pagination, filters and the empty state. The
// JSON API (/api/v1/search) runs the same engine, so the page must agree with it.
import assert from 'node:assert/strict';
import test from 'node:test';
import { followLink, goto, h1Text, pressAndWait, submitWith } from '../lib/browser.mjs';
import {
  assertNoProblems,
  htmlLang,
  listingLinks,
  listingPath,
  localized,
  numberIn,
  resultCount,
  searchHits,
  waitForMap,
} from '../lib/expect.mjs';
import { msg } from '../lib/l10n.mjs';
import { useSuite } from '../lib/suite.mjs';

const suite = useSuite();

/** Results per page of the /search page. */
const PER_PAGE = 20;

/** The page paths of an API search's hits, in order. */
function apiPaths(result) {
  return result.hits.map((h) => listingPath(h.kind, h.slug));
}

/**
 * A query that finds `listing` among few results: the word of its name (in
 * `lang`) with the fewest hits that still include it. `{ q, total }` or null.
 */
async function distinctiveQuery(listing, lang) {
  const words = [...new Set(localized(listing.name, lang).split(/[\s,.;:()/–-]+/u))].filter((w) => w.length >= 4);
  let best = null;
  for (const q of words.slice(0, 6)) {
    const r = await suite.api.search({ q, locale: lang, per_page: PER_PAGE });
    const found = r.hits.some((h) => h.slug === listing.slug);
    if (found && (!best || r.estimated_total < best.total)) best = { q, total: r.estimated_total };
    if (best && best.total <= 5) break; // distinctive enough
  }
  return best;
}

/** A service and a query (in `lang`) that finds it among at most one page of results. */
const serviceQueries = new Map();
function serviceQuery(lang) {
  if (!serviceQueries.has(lang)) {
    serviceQueries.set(
      lang,
      (async () => {
        const services = await suite.api.allListings({ kind: 'municipal_service' });
        for (const service of services.slice(0, 12)) {
          const found = await distinctiveQuery(service, lang);
          if (found && found.total <= PER_PAGE) return { service, ...found };
        }
        throw new Error(`no service in the demo city can be found by a word of its ${lang} name`);
      })(),
    );
  }
  return serviceQueries.get(lang);
}

/** Type `q` into the home page's search field and press Enter (JavaScript on: type-ahead runs). */
async function searchFromHome(page, q, { expectSuggestion } = {}) {
  const input = page.locator('main form[action="/search"] input[name="q"]');
  await input.click();
  await input.pressSequentially(q, { delay: 15 });
  if (expectSuggestion) {
    // enhance.js fills a <datalist> from /api/v1/search/suggest (bounded wait).
    const listId = await input.getAttribute('list');
    assert.ok(listId, 'enhance.js connects the field to a datalist');
    try {
      await page.waitForFunction(
        ({ id, name }) => [...(document.getElementById(id)?.options ?? [])].some((o) => o.value === name),
        { id: listId, name: expectSuggestion },
        { timeout: 5_000 },
      );
    } catch {
      const offered = await page.$$eval(`datalist[id="${listId}"] option`, (os) => os.map((o) => o.value));
      assert.fail(
        `the type-ahead for "${q}" should offer "${expectSuggestion}" (in the page's language); ` +
          `it offers ${JSON.stringify(offered)}`,
      );
    }
  }
  return pressAndWait(page, 'Enter');
}

for (const lang of ['de', 'en']) {
  test(`search from the home page and open the first result (${lang})`, async () => {
    const { service, q } = await serviceQuery(lang);
    const api = await suite.api.search({ q, locale: lang, per_page: PER_PAGE });
    const { page, context, problems, close } = await suite.page({ locale: lang === 'en' ? 'en-GB' : 'de-DE' });
    try {
      // German is the portal's default; English is chosen with ?lang=en.
      await goto(page, lang === 'en' ? '/?lang=en' : '/', { expectStatus: 200 });
      assert.equal(await htmlLang(page), lang);
      const res = await searchFromHome(page, q);
      assert.equal(res.status(), 200);
      const url = new URL(page.url());
      assert.equal(url.pathname, '/search');
      assert.equal(url.searchParams.get('q'), q);
      assert.equal(await htmlLang(page), lang, 'the results are in the chosen language');
      assert.ok((await h1Text(page)).includes(q), 'the heading names the query');
      assert.equal(await page.locator('main input[name="q"]').first().inputValue(), q, 'the query stays in the field');

      const hits = await searchHits(page);
      assert.ok(hits.length > 0, `results for "${q}"`);
      assert.equal(await resultCount(page), api.estimated_total, 'the announced count matches the API');
      assert.deepEqual(hits.map((h) => h.path), apiPaths(api), 'the page lists what the API finds, in order');
      assert.ok(hits.some((h) => h.path === listingPath('municipal_service', service.slug)), `${service.slug} is found`);
      assert.deepEqual(
        hits.map((h) => h.text),
        api.hits.map((h) => h.name),
        `hits are named in ${lang}`,
      );

      const first = hits[0];
      await followLink(page, page.locator('main ol.hits > li h3 a').first());
      assert.equal(new URL(page.url()).pathname, first.path);
      const listing = await suite.api.listing(api.hits[0].slug);
      assert.equal(await h1Text(page), localized(listing.name, lang), 'the first result opens its page');
      assert.equal(await htmlLang(page), lang);
      assertNoProblems(problems, context, `search (${lang})`);
    } finally {
      await close();
    }
  });
}

for (const lang of ['de', 'en']) {
  test(`the type-ahead suggests listing names in the page's language (${lang})`, async () => {
    const { service, q } = await serviceQuery(lang);
    const { suggestions } = await suite.api.suggest(q, lang);
    assert.ok(suggestions.length > 0, `the suggest API has suggestions for "${q}"`);
    const expected = (suggestions.find((s) => s.slug === service.slug) ?? suggestions[0]).name;
    const { page, context, problems, close } = await suite.page({ locale: lang === 'en' ? 'en-GB' : 'de-DE' });
    try {
      await goto(page, lang === 'en' ? '/?lang=en' : '/', { expectStatus: 200 });
      await searchFromHome(page, q, { expectSuggestion: expected });
      assert.equal(new URL(page.url()).pathname, '/search');
      assertNoProblems(problems, context, `type-ahead (${lang})`);
    } finally {
      await close();
    }
  });
}

test('the same searches with JavaScript disabled give the same results', async () => {
  const { q: serviceWord } = await serviceQuery('de');
  const business = (await suite.api.listings({ kind: 'business', limit: 1 })).items[0];
  const businessWord = (await distinctiveQuery(business, 'de'))?.q;
  assert.ok(businessWord, `a word that finds ${business.slug}`);
  const queries = [serviceWord, businessWord];

  const withJs = await suite.page({ locale: 'de-DE' });
  const withoutJs = await suite.page({ locale: 'de-DE', javaScriptEnabled: false });
  try {
    for (const q of queries) {
      await goto(withJs.page, '/', { expectStatus: 200 });
      await searchFromHome(withJs.page, q);

      // Without scripts: fill the field and click the button, a plain GET form.
      await goto(withoutJs.page, '/', { expectStatus: 200 });
      const form = withoutJs.page.locator('main form[action="/search"]');
      await form.locator('input[name="q"]').fill(q);
      await submitWith(withoutJs.page, form.locator('button[type="submit"]'));
      assert.equal(new URL(withoutJs.page.url()).searchParams.get('q'), q);

      const a = await searchHits(withJs.page);
      const b = await searchHits(withoutJs.page);
      assert.ok(a.length > 0, `results for "${q}"`);
      assert.deepEqual(b.map((h) => h.href), a.map((h) => h.href), `the same hit links for "${q}" without JavaScript`);
      assert.equal(await resultCount(withoutJs.page), await resultCount(withJs.page));
      const api = await suite.api.search({ q, locale: 'de', per_page: PER_PAGE });
      assert.deepEqual(b.map((h) => h.path), apiPaths(api), `the page agrees with the API for "${q}"`);
    }

    // The filters work without scripts too: a closed disclosure above the results (so
    // a phone shows the results first) holds one list of filter links with counts.
    const p = withoutJs.page;
    await goto(p, '/search', { expectStatus: 200 });
    const refine = p.locator('main details.refine');
    assert.equal(await refine.getAttribute('open'), null, 'without JavaScript the filters start closed');
    await refine.locator('summary').click();
    await followLink(p, refine.locator('.facets a[href*="kind=municipal_service"]'));
    await p.locator('main details.refine summary').click();
    await followLink(p, p.locator('main details.refine .facets a[href*="wheelchair=1"]'));
    const url = new URL(p.url());
    assert.equal(url.searchParams.get('kind'), 'municipal_service');
    assert.equal(url.searchParams.get('wheelchair'), '1');
    const api = await suite.api.search({ kind: 'municipal_service', wheelchair: true, locale: 'de', per_page: PER_PAGE });
    assert.ok(api.estimated_total > 0, 'some city services are wheelchair accessible');
    assert.equal(await resultCount(p), api.estimated_total);
    assert.deepEqual((await searchHits(p)).map((h) => h.path), apiPaths(api));
    assert.equal(
      (await p.locator('main details.refine summary').innerText()).trim(),
      `${msg('de', 'refine-summary')} ${msg('de', 'refine-chosen', { count: 2 })}`,
      'the closed disclosure says how many filters are chosen',
    );
    assert.equal(await p.locator('main .active-filters a').count(), 2, 'each chosen filter shows as a link that removes it');
    // A new search keeps them; sorting too (the sort field belongs to the search form).
    const form = p.locator('main form#search-form');
    await form.locator('input[name="q"]').fill(serviceWord);
    await submitWith(p, form.locator('button[type="submit"]'));
    const kept = new URL(p.url());
    assert.equal(kept.searchParams.get('kind'), 'municipal_service', 'a new search keeps the filters');
    assert.equal(kept.searchParams.get('wheelchair'), '1');
    await p.locator('main details.refine summary').click();
    await p.locator('main details.refine select#sort').selectOption('name');
    await submitWith(p, p.locator('main details.refine button[type="submit"]'));
    const sorted = new URL(p.url());
    assert.equal(sorted.searchParams.get('sort'), 'name');
    assert.equal(sorted.searchParams.get('kind'), 'municipal_service', 'sorting keeps the filters');
    assert.equal(sorted.searchParams.get("q"), serviceWord);

    assertNoProblems(withJs.problems, withJs.context, 'search with JavaScript');
    assertNoProblems(withoutJs.problems, withoutJs.context, 'search without JavaScript');
  } finally {
    await withJs.close();
    await withoutJs.close();
  }
});

test('a category facet narrows the results and shows as current; "next" goes to page 2', async () => {
  const { page, context, problems, close } = await suite.page({ locale: 'de-DE' });
  try {
    await goto(page, '/', { expectStatus: 200 });
    await followLink(page, page.locator('header nav a[href="/search"]'));
    assert.equal(new URL(page.url()).pathname, '/search');
    const total = await resultCount(page);
    assert.ok(total > PER_PAGE, `the unfiltered search has several pages (${total})`);

    // Category facets: links with counts; pick one that narrows but still spans pages.
    const facets = await page.$$eval('main details.refine .facets a[href*="category="]', (as) =>
      as.map((a) => ({ href: a.getAttribute('href'), text: a.textContent.trim(), current: a.getAttribute('aria-current') })),
    );
    assert.ok(facets.length >= 2, `category facets (found ${facets.length})`);
    assert.ok(facets.every((f) => !f.current), 'no facet is current before one is chosen');
    const counted = facets.map((f) => ({ ...f, count: numberIn(f.text) }));
    const facet = counted.find((f) => f.count > PER_PAGE && f.count < total);
    assert.ok(facet, `a category facet with more than ${PER_PAGE} and fewer than ${total} results`);
    const key = new URL(facet.href, page.url()).searchParams.get('category');

    await followLink(page, page.locator(`main details.refine .facets a[href="${facet.href}"]`));
    let url = new URL(page.url());
    assert.equal(url.searchParams.get('category'), key);
    const narrowed = await resultCount(page);
    assert.equal(narrowed, facet.count, 'the facet said how many results it leaves');
    assert.ok(narrowed < total, 'the facet narrows the results');
    const current = page.locator('main details.refine .facets a[aria-current="true"]');
    assert.equal(await current.count(), 1, 'exactly one facet is current');
    assert.equal(new URL(await current.getAttribute('href'), page.url()).searchParams.get('category'), null, 'the current facet link removes its filter');
    assert.equal(numberIn(await current.innerText()), narrowed);
    assert.equal(await page.locator('main form#search-form input[name="category"]').inputValue(), key, 'a new search keeps the filter');
    assert.equal(await page.locator('main details.refine').getAttribute('open'), '', 'on a wide screen the script opens the filters');
    const api1 = await suite.api.search({ category: key, locale: 'de', per_page: PER_PAGE });
    const page1 = await searchHits(page);
    assert.equal(page1.length, PER_PAGE);
    assert.deepEqual(page1.map((h) => h.path), apiPaths(api1), 'page 1 agrees with the API');

    // Pagination: "next" leads to page 2 of the same filtered search.
    const nav = page.locator('main nav.pagination');
    assert.equal(await nav.count(), 1, 'a pagination nav');
    assert.ok(await nav.getAttribute('aria-label'), 'the pagination nav is labelled');
    assert.equal(await nav.locator('a[aria-current="page"]').innerText(), '1');
    assert.equal(await nav.locator('a[rel="prev"]').count(), 0, 'no "previous" on page 1');
    await followLink(page, nav.locator('a[rel="next"]'));
    url = new URL(page.url());
    assert.equal(url.searchParams.get('page'), '2');
    assert.equal(url.searchParams.get('category'), key, 'the filter is kept on page 2');
    assert.equal(await resultCount(page), narrowed, 'the count is the same on page 2');
    assert.equal(await page.locator('main ol.hits').getAttribute('start'), String(PER_PAGE + 1), 'page 2 numbers from 21');
    assert.equal(await page.locator('main nav.pagination a[aria-current="page"]').innerText(), '2');
    assert.equal(await page.locator('main nav.pagination a[rel="prev"]').count(), 1, '"previous" on page 2');
    const page2 = await searchHits(page);
    assert.ok(page2.length > 0 && page2.length <= PER_PAGE, 'page 2 has results');
    assert.deepEqual(page2.filter((h) => page1.some((o) => o.path === h.path)), [], 'page 2 shows other results than page 1');
    const api2 = await suite.api.search({ category: key, locale: 'de', per_page: PER_PAGE, page: 2 });
    assert.deepEqual(page2.map((h) => h.path), apiPaths(api2), 'page 2 agrees with the API');

    // The current facet, clicked again, removes the filter (and goes back to page 1).
    await followLink(page, page.locator('main details.refine .facets a[aria-current="true"]'));
    url = new URL(page.url());
    assert.equal(url.searchParams.get('category'), null);
    assert.equal(url.searchParams.get('page'), null);
    assert.equal(await resultCount(page), total);
    assertNoProblems(problems, context, 'facets and pagination');
  } finally {
    await close();
  }
});

test('a search that finds nothing shows the empty state with city services to browse', async () => {
  const services = new Map((await suite.api.allListings({ kind: 'municipal_service' })).map((s) => [s.slug, s]));
  const { page, context, problems, close } = await suite.page({ locale: 'de-DE', javaScriptEnabled: false });
  try {
    const q = 'qxzjv-e2e-nothing';
    assert.equal((await suite.api.search({ q })).estimated_total, 0, 'the API finds nothing either');
    await goto(page, `/search?${new URLSearchParams({ q })}`, { expectStatus: 200 });
    assert.equal(await resultCount(page), 0);
    assert.equal(await page.locator('main ol.hits').count(), 0, 'no result list');
    assert.equal(await page.locator('main nav.pagination').count(), 0, 'no pagination');
    const empty = page.locator('main .empty');
    assert.ok(await empty.isVisible(), 'the empty state is shown');
    assert.ok((await empty.innerText()).includes(msg('de', 'empty-title')), 'it says nothing was found');
    const links = await listingLinks(page, 'main .empty');
    assert.ok(links.length > 0, 'it suggests city services');
    for (const l of links) {
      assert.equal(l.kind, 'municipal_service', `${l.href} is a service page`);
      assert.ok(services.has(l.slug), `${l.slug} is a published service`);
      assert.equal(l.text, localized(services.get(l.slug).name, 'de'));
    }
    await followLink(page, page.locator(`main .empty a[href="${links[0].href}"]`).first());
    assert.equal(await h1Text(page), localized(services.get(links[0].slug).name, 'de'));
    assertNoProblems(problems, context, 'empty search');
  } finally {
    await close();
  }
});

test('maps: no page asks the tile server (or loads Leaflet) until the resident opens its map; the controls speak the page language and the focus stays on the button', async () => {
  const { service, q } = await serviceQuery('de');
  const listing = await suite.api.listing(service.slug);
  assert.ok(listing.location, `${service.slug} has a location`);
  const api = await suite.api.search({ q, locale: 'de', per_page: PER_PAGE });
  const located = api.hits.filter((h) => h.location).length;
  assert.ok(located > 0, 'some results have a location');
  const tileHost = new URL(suite.tiles.url.replace(/\{[xyz]\}/g, '0')).host;

  const { page, context, problems, close } = await suite.page({ locale: 'de-DE' });
  const leaflet = [];
  page.on('request', (r) => {
    if (/\/static\/leaflet\./.test(new URL(r.url()).pathname)) leaflet.push(r.url());
  });
  try {
    for (const [path, label, markers] of [
      [listingPath('municipal_service', service.slug), msg('de', 'map-show-one'), 1],
      [`/search?${new URLSearchParams({ q })}`, msg('de', 'show-map'), located],
    ]) {
      leaflet.length = 0;
      const before = suite.tiles.tileRequests.length;
      await goto(page, path, { expectStatus: 200 });
      const button = page.locator('main button.map-toggle');
      assert.equal(await button.count(), 1, `${path}: one button for the map`);
      assert.equal((await button.innerText()).trim(), label);
      assert.equal(await button.getAttribute('aria-expanded'), 'false');
      const note = page.locator(`[id="${await button.getAttribute('aria-describedby')}"]`);
      assert.ok((await note.innerText()).includes(tileHost), `${path}: the button's description names the tile server`);
      await page.waitForTimeout(300);
      assert.equal(suite.tiles.tileRequests.length, before, `${path}: no tile requested before the map is asked for`);
      assert.deepEqual(leaflet, [], `${path}: Leaflet is not loaded before the map is asked for`);
      assert.equal(await page.locator('.leaflet-container').count(), 0, `${path}: no map yet`);

      await button.focus();
      await page.keyboard.press('Enter');
      const tiles = await waitForMap(page);
      assert.ok(tiles > 0, `${path}: the map shows tiles`);
      assert.ok(suite.tiles.tileRequests.length > before, 'the tiles come from MAP_TILE_URL');
      assert.ok(leaflet.length > 0 && leaflet.every((u) => new URL(u).origin === suite.portal.baseUrl), 'Leaflet comes from the portal itself');
      assert.equal(await page.locator('[data-map] .leaflet-interactive').count(), markers, `${path}: a marker for each located place`);
      assert.equal(await button.getAttribute('aria-expanded'), 'true');
      assert.equal((await button.innerText()).trim(), msg('de', 'map-hide'));
      assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('map-toggle')), true, 'the focus stays on the button');
      // Leaflet's controls in German.
      assert.equal(await page.locator('[data-map] .leaflet-control-zoom-in').getAttribute('title'), msg('de', 'map-zoom-in'));
      assert.equal(await page.locator('[data-map] .leaflet-control-zoom-out').getAttribute('title'), msg('de', 'map-zoom-out'));
      assert.ok((await page.locator('[data-map] .leaflet-control-attribution').innerText()).includes(msg('de', 'map-attribution')));
      await page.locator('[data-map] .leaflet-interactive').first().click({ force: true });
      await page.locator('[data-map] .leaflet-popup-close-button').waitFor();
      assert.equal(await page.locator('[data-map] .leaflet-popup-close-button').getAttribute('aria-label'), msg('de', 'map-close-popup'));

      // The same button hides it again.
      await button.click();
      assert.equal(await page.locator('[data-map]').isVisible(), false, `${path}: the map hides again`);
      assert.equal(await button.getAttribute('aria-expanded'), 'false');
    }
    assertNoProblems(problems, context, 'maps');
  } finally {
    await close();
  }
});
