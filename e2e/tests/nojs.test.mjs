// The pages work without JavaScript: home → service, home → business, language switch.
import assert from 'node:assert/strict';
import test from 'node:test';
import { followLink, goto, h1Text } from '../lib/browser.mjs';
import { assertNoProblems, htmlLang, listingLinks, localized } from '../lib/expect.mjs';
import { useSuite } from '../lib/suite.mjs';

const suite = useSuite();

test('with JavaScript disabled, home links lead to service and business pages', async () => {
  const services = await suite.api.allListings({ kind: 'municipal_service' });
  const serviceBySlug = new Map(services.map((s) => [s.slug, s]));
  const { page, context, problems, close } = await suite.page({ javaScriptEnabled: false });
  try {
    // Scripts really are off: an inline script does not run.
    await page.setContent('<title>before</title><script>document.title = "script ran"</script>');
    assert.equal(await page.title(), 'before', 'JavaScript is disabled in this context');

    await goto(page, '/', { expectStatus: 200 });
    assert.equal(await h1Text(page), suite.portal.cityName);

    const links = await listingLinks(page);
    const service = links.find((l) => serviceBySlug.has(l.slug));
    assert.ok(service, 'home links to a city service');
    await followLink(page, page.locator(`main a[href="${service.href}"]`).first());
    assert.equal(decodeURIComponent(new URL(page.url()).pathname), `/listings/${service.slug}`);
    assert.equal(await h1Text(page), localized(serviceBySlug.get(service.slug).name, 'de'));

    // A business page: through a link on home if it shows businesses, else directly.
    await page.goBack({ waitUntil: 'load' });
    const businessLink = links.find((l) => !serviceBySlug.has(l.slug));
    const slug = businessLink?.slug ?? (await suite.api.listings({ kind: 'business', limit: 1 })).items[0].slug;
    const listing = await suite.api.listing(slug);
    assert.equal(listing.kind, 'business');
    if (businessLink) {
      await followLink(page, page.locator(`main a[href="${businessLink.href}"]`).first());
    } else {
      await goto(page, `/listings/${encodeURIComponent(slug)}`, { expectStatus: 200 });
    }
    assert.equal(decodeURIComponent(new URL(page.url()).pathname), `/listings/${slug}`);
    assert.equal(await h1Text(page), localized(listing.name, 'de'));

    await followLink(page, page.getByRole('link', { name: 'English', exact: true }));
    assert.equal(await htmlLang(page), 'en');
    assert.equal(await h1Text(page), localized(listing.name, 'en'));

    assertNoProblems(problems, context, 'no-JS navigation');
  } finally {
    await close();
  }
});
