// Language switcher, the `lang` cookie, and Accept-Language.
import assert from 'node:assert/strict';
import test from 'node:test';
import { followLink, goto, h1Text } from '../lib/browser.mjs';
import { assertNoProblems, htmlLang, listingLinks, localized, searchHits } from '../lib/expect.mjs';
import { useSuite } from '../lib/suite.mjs';

const suite = useSuite();

/** The municipal services by slug (names in both languages come from the API). */
async function servicesBySlug() {
  const services = await suite.api.allListings({ kind: 'municipal_service' });
  return new Map(services.map((s) => [s.slug, s]));
}

/** Assert the page is in `lang`: `<html lang>` and the service links' texts. */
async function assertServiceLinksIn(page, services, lang) {
  assert.equal(await htmlLang(page), lang, `<html lang> on ${page.url()}`);
  const links = (await listingLinks(page)).filter((l) => services.has(l.slug));
  assert.ok(links.length > 0, `no service links on ${page.url()}`);
  for (const l of links) {
    const name = localized(services.get(l.slug).name, lang);
    assert.ok(l.text.includes(name), `link to ${l.slug} reads "${l.text}", expected "${name}" (${lang})`);
  }
  return links;
}

async function langCookie(context) {
  return (await context.cookies()).find((c) => c.name === 'lang')?.value;
}

test('clicking "English" shows English texts, and the choice is remembered without ?lang', async () => {
  const services = await servicesBySlug();
  const { page, context, problems, close } = await suite.page({ locale: 'de-DE' });
  try {
    await goto(page, '/', { expectStatus: 200 });
    await assertServiceLinksIn(page, services, 'de');

    const english = page.getByRole('link', { name: 'English', exact: true });
    await followLink(page, english);
    assert.equal(new URL(page.url()).searchParams.get('lang'), 'en');
    const links = await assertServiceLinksIn(page, services, 'en');
    assert.equal(await english.getAttribute('aria-current'), 'true', 'the chosen language is marked current');
    assert.equal(await langCookie(context), 'en', 'the choice is stored in the lang cookie');

    // The next page, reached by a plain link without ?lang, is English too.
    const first = links[0];
    await followLink(page, page.locator(`main a[href="${first.href}"]`).first());
    assert.equal(new URL(page.url()).pathname, `/services/${first.slug}`);
    assert.equal(new URL(page.url()).search, '', 'the service link carries no ?lang');
    assert.equal(await htmlLang(page), 'en');
    assert.equal(await h1Text(page), localized(services.get(first.slug).name, 'en'));

    // And back to German, remembered as well.
    await followLink(page, page.getByRole('link', { name: 'Deutsch', exact: true }));
    assert.equal(await htmlLang(page), 'de');
    assert.equal(await langCookie(context), 'de');
    await goto(page, '/', { expectStatus: 200 });
    await assertServiceLinksIn(page, services, 'de');

    assertNoProblems(problems, context, 'language switch');
  } finally {
    await close();
  }
});

test('a browser that sends Accept-Language: en (no cookie) gets English; a chosen language wins over it', async () => {
  const services = await servicesBySlug();
  const { page, context, problems, close } = await suite.page({
    locale: 'en',
    headers: { 'Accept-Language': 'en' },
  });
  try {
    assert.equal(await langCookie(context), undefined, 'a fresh context has no lang cookie');
    await goto(page, '/', { expectStatus: 200 });
    const links = await assertServiceLinksIn(page, services, 'en');
    await goto(page, links[0].href, { expectStatus: 200 });
    assert.equal(await htmlLang(page), 'en');
    assert.equal(await h1Text(page), localized(services.get(links[0].slug).name, 'en'));

    await followLink(page, page.getByRole('link', { name: 'Deutsch', exact: true }));
    assert.equal(await htmlLang(page), 'de');
    await goto(page, '/', { expectStatus: 200 });
    await assertServiceLinksIn(page, services, 'de');

    assertNoProblems(problems, context, 'Accept-Language');
  } finally {
    await close();
  }
});

test('switching the language on a search results page keeps the search', async () => {
  const services = await servicesBySlug();
  // A query built from a service's German name, so it surely finds something,
  // and that fits on one page of results (so both languages show the same set).
  let slug, service, q;
  for (const [s, l] of [...services].slice(0, 10)) {
    const word = localized(l.name, 'de').split(/\s+/)[0];
    const api = await suite.api.search({ q: word, locale: 'de', per_page: 20 });
    if (api.estimated_total > 0 && api.estimated_total <= 20 && api.hits.some((h) => h.slug === s)) {
      [slug, service, q] = [s, l, word];
      break;
    }
  }
  assert.ok(q, 'a service whose first word finds it among at most 20 results');

  const { page, context, problems, close } = await suite.page({ locale: 'de-DE' });
  try {
    await goto(page, `/search?${new URLSearchParams({ q })}`, { expectStatus: 200 });
    assert.equal(await htmlLang(page), 'de');
    const german = await searchHits(page);
    assert.ok(german.some((h) => h.path === `/services/${slug}`), `the German results list ${slug}`);

    await followLink(page, page.getByRole('link', { name: 'English', exact: true }));
    const url = new URL(page.url());
    assert.equal(url.pathname, '/search');
    assert.equal(url.searchParams.get('q'), q, 'the query is kept');
    assert.equal(url.searchParams.get('lang'), 'en');
    assert.equal(await htmlLang(page), 'en');
    assert.equal(await page.locator('main input[name="q"]').first().inputValue(), q);
    const english = await searchHits(page);
    // Ranking may weigh the names of the page's language: compare as sets.
    assert.deepEqual(
      english.map((h) => h.path).sort(),
      german.map((h) => h.path).sort(),
      'the same results in the other language',
    );
    const hit = english.find((h) => h.path === `/services/${slug}`);
    assert.equal(hit.text, localized(service.name, 'en'), 'the hit reads in English');
    assertNoProblems(problems, context, 'search language switch');
  } finally {
    await close();
  }
});
