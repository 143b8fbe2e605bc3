// The pages work without JavaScript: home → service, search → business,
// language switch, and the account forms (register, log out, log in).
import assert from 'node:assert/strict';
import test from 'node:test';
import { followLink, goto, h1Text, submitWith } from '../lib/browser.mjs';
import { assertNoProblems, htmlLang, listingLinks, localized, searchHits } from '../lib/expect.mjs';
import { finishRegistration, greeting, loginViaForm, logoutViaHeader, newAccount, registerAndLogIn } from '../lib/flows.mjs';
import { msg } from '../lib/l10n.mjs';
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
    await registerAndLogIn(page, suite.portal.mailbox, account);
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

test('on a phone without JavaScript, a resident books the citizens\' office: Enter books nothing, the hold is kept longer once, what to bring is shown', async () => {
  const slug = 'register-residence';
  const [offer] = (await suite.api.get(`/api/v1/listings/${slug}/offers`)).items;
  assert.ok(offer, 'the service has an appointment offer');
  const bring = offer.what_to_bring.de;
  assert.ok(bring.length > 0);
  const account = newAccount({ displayName: 'Bea Bürger' });
  const { page, context, problems, close } = await pageWithoutScripts({
    locale: 'de-DE',
    viewport: { width: 360, height: 740 },
  });
  const posts = [];
  page.on('request', (r) => {
    if (r.method() === 'POST') posts.push(new URL(r.url()).pathname);
  });
  const fitsPhone = async () => {
    const { scroll, width } = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      width: document.documentElement.clientWidth,
    }));
    assert.ok(scroll <= width, `${page.url()} reflows at ${width} px (scrolls ${scroll})`);
  };
  try {
    // The service page: how to apply (no placeholder link) and the way to book.
    await goto(page, `/services/${slug}`, { expectStatus: 200 });
    await fitsPhone();
    assert.equal(await page.locator('main a[href^="https://city.example"]').count(), 0, 'no placeholder link');
    const apply = page.locator('main ul.how-to-apply');
    assert.ok((await apply.innerText()).includes(msg('de', 'appt-apply-book')));
    const card = page.locator(`main section.book li#offer-${offer.id}`);
    assert.ok((await card.innerText()).includes(msg('de', 'appt-price', { price: offer.price.de })));
    await followLink(page, card.locator('a.button'));
    // Logging in is asked for; registering comes back to the offer.
    await followLink(page, page.locator('main a[href^="/register"]'));
    const form = page.locator('main form[action="/register"]');
    await form.locator('input[name="display_name"]').fill(account.displayName);
    await form.locator('input[name="email"]').fill(account.email);
    await form.locator('input[name="password"]').fill(account.password);
    await submitWith(page, form.locator('button[type="submit"]'));
    // The emailed link confirms the address and leads, through the login, back to the offer.
    assert.equal(await h1Text(page), msg('de', 'link-sent-title'));
    await fitsPhone();
    await finishRegistration(page, suite.portal.mailbox, account);
    assert.equal(new URL(page.url()).pathname, `/offers/${offer.id}`);
    await fitsPhone();

    // A week with free times (the current one may be over or a holiday).
    for (let i = 0; i < 3 && (await page.locator('main ul.times button[name="starts_at"]').count()) === 0; i++) {
      await followLink(page, page.locator('main a[rel="next"]'));
    }
    const first = page.locator('main ul.times button[name="starts_at"]').first();
    assert.equal(await first.count(), 1, 'a free time');

    // Enter in the email field submits nothing (it would have booked the first time).
    const url = page.url();
    const before = posts.length;
    await page.locator('#email').focus();
    await page.keyboard.press('Enter');
    await page.waitForTimeout(1000);
    assert.equal(posts.length, before, `Enter posted ${posts.slice(before)}`);
    assert.equal(page.url(), url);

    // A time: the review shows the fee and what to bring, and the hold can be kept longer once.
    const res = await submitWith(page, first);
    assert.equal(res.status(), 200);
    assert.match(new URL(page.url()).pathname, /^\/account\/bookings\/[0-9a-f-]{36}$/);
    await fitsPhone();
    const items = await page.locator('main section.bring li').allInnerTexts();
    assert.deepEqual(items.map((t) => t.trim()), bring);
    assert.equal((await page.locator('main dd.price').innerText()).trim(), offer.price.de);
    const extend = page.locator('main form[action$="/extend"] button');
    assert.equal(await extend.count(), 1);
    await submitWith(page, extend);
    assert.equal((await page.locator('main .notice[role="status"]').innerText()).trim(), msg('de', 'booking-done-extended'));
    assert.equal(await page.locator('main form[action$="/extend"]').count(), 0, 'extended once only');
    assert.ok((await page.locator('#hold-time').innerText()).length > 0);

    // Confirm: my bookings lists it with what to bring.
    await submitWith(page, page.locator('main form[action$="/confirm"] button'));
    assert.equal(new URL(page.url()).pathname, '/account/bookings');
    await fitsPhone();
    const upcoming = page.locator('main section[aria-labelledby="h-upcoming"] li.booking');
    assert.equal(await upcoming.count(), 1);
    assert.equal((await upcoming.locator('.status').innerText()).trim(), msg('de', 'booking-status-confirmed'));
    assert.ok((await upcoming.locator('details.bring').innerText()).includes(msg('de', 'appt-bring-heading')));
    assertNoProblems(problems, context, 'booking the citizens\' office on a phone without JavaScript');
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
    // The place and the order are in the disclosure above the results.
    const refine = page.locator('main details.refine');
    await refine.locator('summary').click();
    assert.equal(await page.locator('button[data-locate]').isVisible(), false, 'no location button without script');
    await page.getByLabel(msg('de', 'near-label')).fill(place.name.toLowerCase());
    await refine.locator('select[name="sort"]').selectOption('distance');
    await submitWith(page, refine.locator('button[type="submit"]'));
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
