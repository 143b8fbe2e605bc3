// The home page: city services (→ /services/<slug>), category tiles
// (→ /search?category=…), the search form, the privacy line, fingerprinted
// static files; listing URLs of the wrong kind redirect, unknown ones are 404.
import assert from 'node:assert/strict';
import test from 'node:test';
import { followLink, goto, h1Text } from '../lib/browser.mjs';
import { assertNoProblems, listingLinks, listingPath, localized, resultCount } from '../lib/expect.mjs';
import { msg } from '../lib/l10n.mjs';
import { useSuite } from '../lib/suite.mjs';

const suite = useSuite();

/** How many services the home page shows at most (a selection). */
const HOME_SERVICES_MAX = 12;

test('home shows the city name as h1 and a selection of city services; the first opens its /services page', async () => {
  const services = await suite.api.allListings({ kind: 'municipal_service' });
  assert.ok(services.length >= 1, 'the demo city has municipal services');

  const { page, context, problems, close } = await suite.page({ locale: 'de-DE' });
  try {
    await goto(page, '/', { expectStatus: 200 });
    assert.equal(await h1Text(page), suite.portal.cityName);
    assert.ok((await page.title()).includes(suite.portal.cityName), 'the title names the city');

    // Each service shown is a real, published service under its own name and
    // its /services/ address; businesses are found through search, not listed here.
    const serviceBySlug = new Map(services.map((s) => [s.slug, s]));
    const links = await listingLinks(page);
    assert.deepEqual(
      links.filter((l) => l.kind !== 'municipal_service').map((l) => l.href),
      [],
      'the home page lists no businesses',
    );
    const serviceLinks = links.filter((l) => serviceBySlug.has(l.slug));
    assert.deepEqual(
      serviceLinks.map((l) => l.href),
      links.map((l) => l.href),
      'every /services/ link on home is a published service',
    );
    assert.ok(serviceLinks.length >= 1, 'the home page links to at least one city service');
    assert.ok(
      serviceLinks.length <= Math.min(HOME_SERVICES_MAX, services.length),
      `home shows a selection of at most ${HOME_SERVICES_MAX} services (found ${serviceLinks.length})`,
    );
    assert.equal(
      serviceLinks.length,
      Math.min(HOME_SERVICES_MAX, services.length),
      'home shows as many services as the selection holds',
    );
    for (const l of serviceLinks) {
      assert.equal(l.path, listingPath('municipal_service', l.slug));
      const name = localized(serviceBySlug.get(l.slug).name, 'de');
      assert.ok(l.text.includes(name), `link to ${l.slug} reads "${l.text}", expected "${name}"`);
    }

    const first = serviceLinks[0];
    const service = serviceBySlug.get(first.slug);
    await followLink(page, page.locator(`main a[href="${first.href}"]`).first());
    assert.equal(decodeURIComponent(new URL(page.url()).pathname), `/services/${first.slug}`);
    assert.equal(await h1Text(page), localized(service.name, 'de'));
    assert.ok((await page.title()).includes(suite.portal.cityName), 'the title names the city');

    assertNoProblems(problems, context, 'home → service');
  } finally {
    await close();
  }
});

test('home has a GET search form, category tiles that open the search, and a privacy line', async () => {
  const categories = await suite.api.get('/api/v1/categories');
  const topLevel = new Map(categories.filter((c) => !c.parent).map((c) => [c.key, c]));
  const { page, context, problems, close } = await suite.page({ locale: 'de-DE' });
  try {
    await goto(page, '/', { expectStatus: 200 });

    // The search form: GET /search with a labelled `q` field and a submit button.
    const form = page.locator('main form[action="/search"]');
    assert.equal(await form.count(), 1, 'one search form in main');
    assert.equal((await form.getAttribute('method'))?.toLowerCase(), 'get');
    const q = form.locator('input[name="q"]');
    assert.equal(await q.count(), 1, 'the search form has a q field');
    const qId = await q.getAttribute('id');
    assert.equal(await page.locator(`label[for="${qId}"]`).count(), 1, 'the q field has a label');
    assert.equal(await form.locator('button[type="submit"], input[type="submit"]').count(), 1);

    // Category tiles: each a top-level category, in German, linking to its search.
    const tiles = await page.$$eval('main a[href^="/search?category="]', (as) =>
      as.map((a) => ({ href: a.getAttribute('href'), text: a.textContent.trim() })),
    );
    assert.ok(tiles.length >= 3, `category tiles on home (found ${tiles.length})`);
    for (const t of tiles) {
      const key = new URL(t.href, 'http://x').searchParams.get('category');
      assert.ok(topLevel.has(key), `tile ${t.href} is a top-level category`);
      assert.equal(t.text, topLevel.get(key).label.de, `tile for ${key}`);
    }

    // The privacy line links to /privacy.
    const privacy = page.locator('main a[href="/privacy"]');
    assert.ok((await privacy.count()) >= 1, 'main links to /privacy');
    await followLink(page, privacy.first());
    assert.equal(new URL(page.url()).pathname, '/privacy');
    assert.ok((await h1Text(page)).length > 0, 'the privacy page has a heading');

    // A tile opens the search filtered by its category, with as many results as the API finds.
    await goto(page, '/', { expectStatus: 200 });
    const tile = tiles[0];
    const key = new URL(tile.href, 'http://x').searchParams.get('category');
    const api = await suite.api.search({ category: key, locale: 'de', per_page: 1 });
    await followLink(page, page.locator(`main a[href="${tile.href}"]`).first());
    const url = new URL(page.url());
    assert.equal(url.pathname, '/search');
    assert.equal(url.searchParams.get('category'), key);
    assert.equal(await page.locator('main form#search-form input[name="category"]').inputValue(), key, 'a new search keeps the category');
    assert.equal(await page.locator('main .active-filters a').count(), 1, 'the category shows as a chosen filter');
    assert.equal(await resultCount(page), api.estimated_total, `results for category ${key}`);
    assert.ok(api.estimated_total > 0, `category ${key} has results`);

    assertNoProblems(problems, context, 'home → privacy, home → category');
  } finally {
    await close();
  }
});

test('static files are fingerprinted and cached for good; the theme stylesheet loads', async () => {
  const { page, context, problems, close } = await suite.page();
  try {
    const loaded = new Map();
    page.on('response', (res) => loaded.set(new URL(res.url()).pathname, res));
    await goto(page, '/', { expectStatus: 200 });
    const sheets = await page.$$eval('link[rel="stylesheet"]', (ls) => ls.map((l) => l.getAttribute('href')));
    const scripts = await page.$$eval('script[src]', (ss) => ss.map((s) => s.getAttribute('src')));
    const site = sheets.find((h) => /^\/static\/site\.[0-9a-f]{8,}\.css$/.test(h));
    assert.ok(site, `a fingerprinted site stylesheet (found ${sheets.join(', ')})`);
    assert.ok(sheets.includes('/static/theme.css'), 'the theme stylesheet is linked');
    const enhance = scripts.find((s) => /^\/static\/enhance\.[0-9a-f]{8,}\.js$/.test(s));
    assert.ok(enhance, `a fingerprinted enhance.js (found ${scripts.join(', ')})`);

    for (const [path, type] of [
      [site, /^text\/css/],
      [enhance, /javascript/],
      ['/static/theme.css', /^text\/css/],
    ]) {
      const res = await context.request.get(path);
      assert.equal(res.status(), 200, `${path}`);
      assert.match(res.headers()['content-type'] ?? '', type, `${path} content-type`);
      if (path !== '/static/theme.css') {
        assert.match(res.headers()['cache-control'] ?? '', /immutable/, `${path} is cached as immutable`);
      }
    }
    // The page really used them.
    assert.equal(loaded.get(site)?.status(), 200);
    assert.equal(loaded.get('/static/theme.css')?.status(), 200);
    assert.equal(loaded.get(enhance)?.status(), 200);
    // A stale fingerprint is not served.
    assert.equal((await context.request.get('/static/site.000000000000.css')).status(), 404);
    assertNoProblems(problems, context, 'static files');
  } finally {
    await close();
  }
});

test('a listing URL of the wrong kind redirects to the right one; unknown listings get the 404 page', async () => {
  const service = (await suite.api.listings({ kind: 'municipal_service', limit: 1 })).items[0];
  const business = (await suite.api.listings({ kind: 'business', limit: 1 })).items[0];
  const { page, context, problems, close } = await suite.page({ javaScriptEnabled: false });
  try {
    await goto(page, `/listings/${encodeURIComponent(service.slug)}`, { expectStatus: 200 });
    assert.equal(new URL(page.url()).pathname, listingPath('municipal_service', service.slug));
    assert.equal(await h1Text(page), localized(service.name, 'de'));

    await goto(page, `/services/${encodeURIComponent(business.slug)}`, { expectStatus: 200 });
    assert.equal(new URL(page.url()).pathname, listingPath('business', business.slug));
    assert.equal(await h1Text(page), localized(business.name, 'de'));

    for (const path of ['/listings/does-not-exist', '/services/does-not-exist']) {
      const res = await goto(page, path, { expectStatus: 404 });
      assert.match(res.headers()['content-type'] ?? '', /^text\/html/, `${path} is an HTML page`);
      assert.equal(await h1Text(page), msg('de', 'not-found-title'));
      assert.equal(await page.locator('main a[href="/"]').count(), 1, `${path} links back home`);
    }
    assertNoProblems(problems, context, 'redirects and 404');
  } finally {
    await close();
  }
});

test('an unknown address opened in a browser gets the HTML 404 page, not JSON', async () => {
  const { page, close } = await suite.page({ javaScriptEnabled: false });
  try {
    const res = await goto(page, '/no-such-page', { expectStatus: 404 });
    assert.match(
      res.headers()['content-type'] ?? '',
      /^text\/html/,
      `GET /no-such-page (Accept: text/html) answered ${res.headers()['content-type']}: ${(await res.text()).slice(0, 200)}`,
    );
    assert.equal(await h1Text(page), msg('de', 'not-found-title'));
  } finally {
    await close();
  }
});
