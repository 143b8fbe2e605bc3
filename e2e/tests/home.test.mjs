// Home page → a city service's page.
import assert from 'node:assert/strict';
import test from 'node:test';
import { followLink, goto, h1Text } from '../lib/browser.mjs';
import { assertNoProblems, listingLinks, localized } from '../lib/expect.mjs';
import { screenshot } from '../lib/shots.mjs';
import { useSuite } from '../lib/suite.mjs';

const suite = useSuite();

test('home shows the city name as h1 and links to city services; the first opens its page', async () => {
  const services = await suite.api.allListings({ kind: 'municipal_service' });
  assert.ok(services.length >= 1, 'the demo city has municipal services');

  const { page, context, problems, close } = await suite.page({ locale: 'de-DE' });
  try {
    await goto(page, '/', { expectStatus: 200 });
    assert.equal(await h1Text(page), suite.portal.cityName);
    assert.ok((await page.title()).includes(suite.portal.cityName), 'the title names the city');

    // The home page may show all services or a selection; each shown one must
    // be a real, published service under its own name.
    const serviceBySlug = new Map(services.map((s) => [s.slug, s]));
    const links = await listingLinks(page);
    const serviceLinks = links.filter((l) => serviceBySlug.has(l.slug));
    assert.ok(serviceLinks.length >= 1, 'the home page links to at least one city service');
    for (const l of serviceLinks) {
      const name = localized(serviceBySlug.get(l.slug).name, 'de');
      assert.ok(l.text.includes(name), `link to ${l.slug} reads "${l.text}", expected "${name}"`);
    }
    await screenshot(page, 'home');

    const first = serviceLinks[0];
    const service = serviceBySlug.get(first.slug);
    await followLink(page, page.locator(`main a[href="${first.href}"]`).first());
    assert.equal(decodeURIComponent(new URL(page.url()).pathname), `/listings/${first.slug}`);
    assert.equal(await h1Text(page), localized(service.name, 'de'));
    assert.ok((await page.title()).includes(suite.portal.cityName), 'the title names the city');
    await screenshot(page, 'service');

    assertNoProblems(problems, context, 'home → service');
  } finally {
    await close();
  }
});
