// Booking through the pages in a real browser.
//
// A resident with JavaScript off: the listing's "Book" section → choose a session →
// log in is asked for, registering comes back to the offer → a full session says so →
// phone number and a free session → the review shows exactly what goes to whom →
// confirm → my bookings (its .ics) → cancel; the full session's waiting list is joined
// and left. Then, with JavaScript on, axe and screenshots of the
// same page types (`booking-offers`, `booking-pick`, `booking-review`, `my-bookings`).
//
// A business: the dashboard's offers of a listing → a new class in the editor (an
// error first, focus on the error summary) → saved → a resident's request shows in the
// bookings view with what it shares → approve. axe and screenshots of each page
// (`offers`, `offer-editor-errors`, `offer-editor`, `offer-bookings`).
//
// The demo gym, whose calendar is kept in its own booking system (the sandbox partner
// the server runs): a resident books a class there through the same pages.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import test from 'node:test';
import { businessListing } from '../lib/api.mjs';
import { checkA11y } from '../lib/axe.mjs';
import { addSessionCookie, followLink, goto, h1Text, submitWith } from '../lib/browser.mjs';
import { assertNoProblems } from '../lib/expect.mjs';
import { finishRegistration, newAccount } from '../lib/flows.mjs';
import { msg } from '../lib/l10n.mjs';
import { screenshot } from '../lib/shots.mjs';
import { useSuite } from '../lib/suite.mjs';

const CITY_TIMEZONE = 'Europe/Berlin';
const suite = useSuite({ portalEnv: { CITY_TIMEZONE } });

/** The local date `days` from today in the city, as YYYY-MM-DD. */
function cityDate(days) {
  const d = new Date(Date.now() + days * 86_400_000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: CITY_TIMEZONE }).format(d);
}

/** A business with a published listing: `{ owner, org, listing }` (owner is an ApiClient). */
async function publishedListing(name) {
  const owner = suite.client();
  await owner.register({ displayName: `Owner ${name}` });
  const org = await owner.createOrganization(`${name} GmbH`);
  const listing = await owner.createListing(
    businessListing(org.id, { name: { de: name, en: name }, categories: ['sport.gym'] }),
  );
  await owner.publishListing(listing.id);
  return { owner, org, listing };
}

/** A page in a context with JavaScript off (checked: an inline script does not run). */
async function pageWithoutScripts(options = {}) {
  const p = await suite.page({ javaScriptEnabled: false, ...options });
  await p.page.setContent('<title>before</title><script>document.title = "script ran"</script>');
  assert.equal(await p.page.title(), 'before', 'JavaScript is disabled in this context');
  return p;
}

/** The text of a `dl` as `{ term: description }`. */
async function definitions(locator) {
  return locator.evaluate((dl) => {
    const out = {};
    for (const dt of dl.querySelectorAll('dt')) out[dt.textContent.trim()] = dt.nextElementSibling?.textContent.trim();
    return out;
  });
}

test('a resident books a class, confirms what is shared, and cancels it, without JavaScript', async () => {
  const word = `Kurs${randomUUID().slice(0, 6)}`;
  const { owner, listing } = await publishedListing(`Fitness ${word}`);
  // One place per session; the first session is taken by someone else.
  const [first, second] = [`${cityDate(2)}T18:00:00`, `${cityDate(3)}T18:00:00`];
  const offer = await owner.post(`/api/v1/listings/${listing.id}/offers`, {
    kind: 'class',
    name: { de: `Rückenfit ${word}`, en: `Back fit ${word}` },
    collect_phone: true,
    cancel_deadline_minutes: 60,
    class: { seats: 1, duration_minutes: 60, sessions: [first, second] },
  });
  const other = suite.client();
  await other.register();
  const slots = (await suite.api.get(`/api/v1/offers/${offer.id}/availability?from=${cityDate(2)}&to=${cityDate(3)}`)).slots;
  assert.equal(slots.length, 2);
  await other.post(
    '/api/v1/bookings',
    { offer_id: offer.id, starts_at: slots[0].starts_at, contact: { phone: '+49 30 999 000' } },
    { headers: { 'idempotency-key': randomUUID() } },
  );

  const account = newAccount({ displayName: `Rita ${word}` });
  const { page, context, problems, close } = await pageWithoutScripts({ locale: 'de-DE' });
  try {
    // The listing page: the "Book" section with the policy in words.
    await goto(page, `/listings/${listing.slug}`, { expectStatus: 200 });
    const section = page.locator('main section.book');
    assert.equal((await section.locator('h2').innerText()).trim(), msg('de', 'booking-book'));
    const card = section.locator('li.offer', { hasText: `Rückenfit ${word}` });
    assert.equal(await card.count(), 1);
    const policy = (await card.locator('ul.policy').innerText()).replace(/\s+/g, ' ');
    assert.ok(
      policy.includes(msg('de', 'booking-policy-shares', { who: `Fitness ${word} GmbH`, what: msg('de', 'booking-shares-name-phone') })),
      policy,
    );
    assert.ok(policy.includes(msg('de', 'booking-policy-instant')), policy);

    // Choosing a session asks for a login; registering comes back to the offer.
    await followLink(page, card.locator('a.button'));
    assert.equal(new URL(page.url()).pathname, '/login');
    await followLink(page, page.locator('main a[href^="/register"]'));
    assert.equal(new URL(page.url()).pathname, '/register');
    const form = page.locator('main form[action="/register"]');
    await form.locator('input[name="display_name"]').fill(account.displayName);
    await form.locator('input[name="email"]').fill(account.email);
    await form.locator('input[name="password"]').fill(account.password);
    await submitWith(page, form.locator('button[type="submit"]'));
    // Booking waits for the address: the emailed link confirms it and leads,
    // through the login, back to the offer.
    assert.equal(await h1Text(page), msg('de', 'link-sent-title'));
    await finishRegistration(page, suite.portal.mailbox, account);
    assert.equal(new URL(page.url()).pathname, `/offers/${offer.id}`);
    assert.equal(await h1Text(page), msg('de', 'booking-pick-heading', { name: `Rückenfit ${word}` }));

    // The first session is full and says so (and offers the waiting list); the second is a button.
    const times = page.locator('main ul.times li');
    assert.equal(await times.count(), 2);
    assert.ok((await times.nth(0).innerText()).includes(msg('de', 'booking-full')));
    assert.equal(await times.nth(0).locator('button:not([formaction])').count(), 0, 'a full session cannot be booked');
    const join = times.nth(0).locator('button[formaction$="/waitlist"]');
    assert.ok((await join.innerText()).trim().endsWith(msg('de', 'booking-join-waitlist')), 'but waited for');
    const button = times.nth(1).locator('button:not([formaction])');
    assert.equal(await button.count(), 1);

    // Without the phone number the field says what is missing.
    let res = await submitWith(page, button);
    assert.equal(res.status(), 422);
    assert.equal((await page.locator('#phone-error').innerText()).trim(), msg('de', 'v-booking-phone-needed'));
    assert.equal(await page.locator('#error-summary a[href="#phone"]').count(), 1);
    await page.locator('#phone').fill('+49 30 1234 567');

    // The full session: join its waiting list instead (with the phone number it needs).
    await submitWith(page, page.locator('main ul.times li').nth(0).locator('button'));
    assert.equal(new URL(page.url()).pathname, '/account/bookings');
    assert.equal((await page.locator('main .notice').innerText()).trim(), msg('de', 'booking-done-waitlist-joined'));
    const entry = page.locator('main section#waitlist li.booking');
    assert.equal(await entry.count(), 1);
    assert.equal((await entry.locator('.status').innerText()).trim(), msg('de', 'booking-waitlist-position', { n: 1 }));
    await goto(page, `/offers/${offer.id}`, { expectStatus: 200 });
    assert.ok((await page.locator('main ul.times li').nth(0).innerText()).includes(msg('de', 'booking-on-waitlist')));
    await page.locator('#phone').fill('+49 30 1234 567');
    res = await submitWith(page, page.locator('main ul.times li').nth(1).locator('button'));
    assert.equal(res.status(), 200);

    // The review: exactly what goes to whom, and until when the time is kept.
    assert.match(new URL(page.url()).pathname, /^\/account\/bookings\/[0-9a-f-]{36}$/);
    const reviewPath = new URL(page.url()).pathname;
    assert.equal(await h1Text(page), msg('de', 'booking-review-title'));
    const shared = page.locator('main section.shared');
    assert.equal((await shared.locator('h2').innerText()).trim(), msg('de', 'booking-shares-heading', { who: `Fitness ${word} GmbH` }));
    assert.deepEqual(await definitions(shared.locator('dl')), {
      [msg('de', 'booking-shared-name')]: account.displayName,
      [msg('de', 'booking-shared-phone')]: '+49 30 1234 567',
    });
    assert.ok(!(await page.locator('main').innerText()).includes(account.email), 'the email address is not shared');
    assert.ok((await page.locator('#booking-actions .notice').innerText()).length > 0, 'the hold expiry is shown');
    await screenshot(page, 'booking-review');

    // Confirm: my bookings shows it; cancel it there.
    await submitWith(page, page.locator('main form[action$="/confirm"] button'));
    assert.equal(new URL(page.url()).pathname, '/account/bookings');
    assert.equal((await page.locator('main .notice').innerText()).trim(), msg('de', 'booking-done-confirmed'));
    const upcoming = page.locator('main section[aria-labelledby="h-upcoming"] li.booking');
    assert.equal(await upcoming.count(), 1);
    assert.ok((await upcoming.innerText()).includes(`Rückenfit ${word}`));
    assert.equal((await upcoming.locator('.status').innerText()).trim(), msg('de', 'booking-status-confirmed'));
    await screenshot(page, 'my-bookings');
    // Its calendar file downloads with the session.
    const ics = await upcoming.locator('a[href$=".ics"]').getAttribute('href');
    const file = await context.request.get(ics);
    assert.equal(file.status(), 200);
    assert.match(file.headers()['content-type'], /^text\/calendar/);
    assert.match(await file.text(), /BEGIN:VCALENDAR/);
    // Cancelling asks first, on a page of its own (no script needed).
    await followLink(page, upcoming.locator('a[href$="/cancel"]'));
    assert.equal(await h1Text(page), msg('de', 'booking-cancel-title'));
    assert.ok((await page.locator('main dl').innerText()).includes(`Rückenfit ${word}`));
    await submitWith(page, page.locator('main form[action$="/cancel"] button'));
    assert.equal((await page.locator('main .notice').innerText()).trim(), msg('de', 'booking-done-cancelled'));
    assert.equal(await page.locator('main section[aria-labelledby="h-upcoming"] li.booking').count(), 0);
    const past = page.locator('main section[aria-labelledby="h-past"] li.booking');
    assert.equal((await past.locator('.status').innerText()).trim(), msg('de', 'booking-status-cancelled'));
    assert.equal(await past.locator('form').count(), 0, 'nothing left to cancel');
    // Leave the waiting list.
    await submitWith(page, page.locator('main section#waitlist form[action$="/leave"] button'));
    assert.equal((await page.locator('main .notice').innerText()).trim(), msg('de', 'booking-done-waitlist-left'));
    assert.equal((await page.locator('main section#waitlist p').innerText()).trim(), msg('de', 'booking-no-waitlists'));
    assertNoProblems(problems, context, 'resident booking flow without JavaScript');

    // The same page types with JavaScript on: axe and screenshots.
    const a11y = await suite.page({ locale: 'de-DE', a11y: true });
    try {
      await a11y.context.addCookies(await context.cookies());
      const p = a11y.page;
      await goto(p, `/listings/${listing.slug}`, { expectStatus: 200 });
      await checkA11y(p, 'listing with offers');
      await screenshot(p, 'booking-offers');
      await goto(p, `/offers/${offer.id}`, { expectStatus: 200 });
      await checkA11y(p, 'time picker');
      await screenshot(p, 'booking-pick');
      await p.locator('#phone').fill('+49 30 1234 567');
      await submitWith(p, p.locator('main ul.times li').nth(1).locator('button'));
      assert.equal(await h1Text(p), msg('de', 'booking-review-title'));
      assert.notEqual(new URL(p.url()).pathname, reviewPath, 'a new hold');
      await checkA11y(p, 'booking review');
      await submitWith(p, p.locator('main form[action$="/cancel"] button'));
      assert.equal((await p.locator('main .notice').innerText()).trim(), msg('de', 'booking-done-released'));
      await checkA11y(p, 'my bookings');
      await goto(p, `${reviewPath}?lang=en`, { expectStatus: 200 });
      await checkA11y(p, 'a cancelled booking (en)');
      assertNoProblems(a11y.problems, a11y.context, 'resident pages with JavaScript');
    } finally {
      await a11y.close();
    }
  } finally {
    await close();
  }
});

test('a business adds a class, sees a request with what it shares, and approves it', async () => {
  const word = `Verein${randomUUID().slice(0, 6)}`;
  const { owner, listing } = await publishedListing(`Sport ${word}`);
  const { page, context, problems, close } = await suite.page({ locale: 'de-DE', a11y: true });
  try {
    await addSessionCookie(context, suite.portal.baseUrl, owner.cookieHeader());
    await goto(page, '/manage', { expectStatus: 200 });
    const row = page.locator('main table.list tr', { hasText: `Sport ${word}` });
    await followLink(page, row.locator(`a[href="/manage/listings/${listing.id}/offers"]`));
    assert.equal(await h1Text(page), msg('de', 'offers-title', { name: `Sport ${word}` }));
    assert.equal((await page.locator('main > p', { hasText: msg('de', 'offers-none') }).count()), 1);
    await checkA11y(page, 'offers');
    await screenshot(page, 'offers');

    // A new class: no places first, answered next to the field, focus on the summary.
    await followLink(page, page.locator('main a.button[href$="kind=class"]'));
    assert.equal(await h1Text(page), msg('de', 'offer-new-class'));
    await page.locator('#name_de').fill(`Lauftreff ${word}`);
    await page.locator('#class_duration_minutes').fill('60');
    const session = `${cityDate(2)}T19:00`;
    await page.locator('#s0').fill(session);
    await page.locator('#confirmation_approval').check();
    let res = await submitWith(page, page.locator('main form.editor > button[type="submit"]'));
    assert.equal(res.status(), 422);
    assert.equal((await page.locator('#seats-error').innerText()).trim(), msg('de', 'v-booking-range', { min: 1, max: 1000 }));
    await page.waitForFunction(() => document.activeElement?.id === 'error-summary', null, { timeout: 5_000 });
    assert.equal(await page.locator('#s0').inputValue(), session, 'the input is kept');
    await checkA11y(page, 'offer editor with errors');
    await screenshot(page, 'offer-editor-errors');
    await page.locator('#seats').fill('6');
    await page.locator('#collect_email').check();
    await submitWith(page, page.locator('main form.editor > button[type="submit"]'));
    assert.equal(new URL(page.url()).pathname, `/manage/listings/${listing.id}/offers`);
    assert.equal((await page.locator('main .notice').innerText()).trim(), msg('de', 'done-offer-created'));
    const offerRow = page.locator('main table.list tbody tr', { hasText: `Lauftreff ${word}` });
    assert.equal(await offerRow.count(), 1);
    await followLink(page, offerRow.locator('a[href^="/manage/offers/"]').first());
    assert.equal(await page.locator('#s0').inputValue(), session, 'the editor shows the stored session');
    await checkA11y(page, 'offer editor');
    await screenshot(page, 'offer-editor');
    const offerId = new URL(page.url()).pathname.split('/').at(-1);

    // A resident requests a place (through the API: the resident's pages are tested above).
    const resident = suite.client();
    const { display_name: displayName, email } = await resident.register({ displayName: `Bea ${word}` });
    const { slots } = await suite.api.get(`/api/v1/offers/${offerId}/availability?from=${cityDate(2)}&to=${cityDate(2)}`);
    const booking = await resident.post(
      '/api/v1/bookings',
      { offer_id: offerId, starts_at: slots[0].starts_at },
      { headers: { 'idempotency-key': randomUUID() } },
    );
    assert.equal(booking.status, 'requested');
    // Another resident only holds a place: the business sees that a time is held, no more.
    const holder = suite.client();
    const { display_name: holderName, email: holderEmail } = await holder.register({ displayName: `Hanna ${word}` });
    const held = await holder.post(
      '/api/v1/bookings',
      { offer_id: offerId, starts_at: slots[0].starts_at, hold: true },
      { headers: { 'idempotency-key': randomUUID() } },
    );
    assert.equal(held.status, 'held');

    // The bookings view: the request with what it shares; approve it.
    await followLink(page, page.locator(`main a[href="/manage/offers/${offerId}/bookings"]`));
    assert.equal(await h1Text(page), msg('de', 'offer-bookings-title', { name: `Lauftreff ${word}` }));
    const b = page.locator(`main tr#b-${booking.id}`);
    assert.equal(await b.count(), 1);
    const text = await b.innerText();
    assert.ok(text.includes(displayName) && text.includes(email), text);
    assert.equal((await b.locator('.status').innerText()).trim(), msg('de', 'offer-booking-status-requested'));
    const h = page.locator(`main tr#b-${held.id}`);
    const heldText = await h.innerText();
    assert.ok(heldText.includes(msg('de', 'offer-bookings-not-shared')), heldText);
    assert.ok(!heldText.includes(holderName) && !(await page.content()).includes(holderEmail), 'no contact of a hold');
    await checkA11y(page, 'offer bookings');
    await screenshot(page, 'offer-bookings');
    await submitWith(page, b.locator('button[value="approve"]'));
    assert.equal((await page.locator('main .notice', { hasText: msg('de', 'done-decided-approve') }).count()), 1);
    assert.equal((await page.locator(`main tr#b-${booking.id} .status`).innerText()).trim(), msg('de', 'offer-booking-status-confirmed'));
    assert.equal(await page.locator(`main tr#b-${booking.id} button`).count(), 0);
    assert.equal((await resident.get(`/api/v1/bookings/${booking.id}`)).status, 'confirmed');
    // Reading it is in the resident's access log, in words: the business, the offer.
    const log = await resident.get('/api/v1/accounts/me/access-log');
    assert.ok(log.some((e) => e.reader_kind === 'organization' && e.resource.includes(`Lauftreff ${word}`)), JSON.stringify(log));
    assertNoProblems(problems, context, 'business booking pages');
  } finally {
    await close();
  }
});

test("a resident books the demo gym's class through the gym's own booking system, without JavaScript", async () => {
  // The demo data's Sandbox Gym keeps its calendar in a partner system (the sandbox the
  // server runs); the pages are the same as for any offer.
  const resident = suite.client();
  await resident.register({ displayName: 'Pia Partner' });
  const { page, context, problems, close } = await pageWithoutScripts({ locale: 'en-GB' });
  try {
    await addSessionCookie(context, suite.portal.baseUrl, resident.cookieHeader());
    await goto(page, '/listings/sandbox-gym?lang=en', { expectStatus: 200 });
    const card = page.locator('main section.book li.offer', { hasText: 'Morning yoga' });
    assert.equal(await card.count(), 1);
    await followLink(page, card.locator('a.button'));
    assert.equal(await h1Text(page), msg('en', 'booking-pick-heading', { name: 'Morning yoga' }));
    // The partner's seats: a free session is a button.
    const first = page.locator('main ul.times li').first().locator('button:not([formaction])');
    assert.equal(await first.count(), 1);
    const res = await submitWith(page, first);
    assert.equal(res.status(), 200);
    assert.equal(await h1Text(page), msg('en', 'booking-review-title'));
    // Only the name goes to the gym (its offer asks for nothing else).
    assert.deepEqual(Object.keys(await definitions(page.locator('main section.shared dl'))), [
      msg('en', 'booking-shared-name'),
    ]);
    await submitWith(page, page.locator('main form[action$="/confirm"] button'));
    assert.equal(new URL(page.url()).pathname, '/account/bookings');
    const upcoming = page.locator('main section[aria-labelledby="h-upcoming"] li.booking', { hasText: 'Morning yoga' });
    assert.equal(await upcoming.count(), 1);
    assert.equal((await upcoming.locator('.status').innerText()).trim(), msg('en', 'booking-status-confirmed'));
    // The API says the same.
    const mine = await resident.get('/api/v1/bookings');
    const booking = mine.items.find((b) => b.status === 'confirmed');
    assert.ok(booking, JSON.stringify(mine));
    assertNoProblems(problems, context, 'partner booking without JavaScript');
  } finally {
    await close();
  }
});
