// A business and the city, through the pages in a real browser:
// register → log in → create an organization → create a listing with the
// /manage editor (a German validation error first) → publish it → find it in
// public search; edit its weekly hours so it is open now in the city's time
// zone ("open now" on its page and under the open-now facet), then closed now;
// city staff suspend it in /admin with a reason: it leaves search and its page
// is a 404. axe checks the dashboard, the editor and the admin page; each gets a
// screenshot (`manage`, `listing-editor-errors`, `listing-editor`, `admin`).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import test from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { checkA11y } from '../lib/axe.mjs';
import { followLink, goto, h1Text, submitWith } from '../lib/browser.mjs';
import { assertNoProblems, listingPath, resultCount, searchHits } from '../lib/expect.mjs';
import { loginViaForm, logoutViaHeader, newAccount, registerAndLogIn } from '../lib/flows.mjs';
import { msg } from '../lib/l10n.mjs';
import { screenshot } from '../lib/shots.mjs';
import { useSuite } from '../lib/suite.mjs';

// Far from the machine's own zone, so that "open now" can only be right if the
// portal really uses CITY_TIMEZONE.
const CITY_TIMEZONE = 'Pacific/Auckland';
const suite = useSuite({ portalEnv: { CITY_TIMEZONE } });

/** Weekday (0 = Monday) and minutes since midnight, now, in the city's time zone. */
function cityNow() {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: CITY_TIMEZONE,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(new Date())
      .map((p) => [p.type, p.value]),
  );
  const weekday = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(parts.weekday);
  return { weekday, minutes: Number(parts.hour) * 60 + Number(parts.minute) };
}

/** Re-run `check` (which reloads what it looks at) until it passes, for at most `ms`. */
async function eventually(what, check, ms = 15_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`${what}: ${err.message}`);
      await sleep(300);
    }
  }
}

/** Empty every weekly opening field of the editor. */
async function clearWeeklyHours(page) {
  for (const input of await page.locator('table.hours-editor input[type="time"]').all()) await input.fill('');
}

/** The open/closed line of a listing page. */
async function openState(page) {
  return (await page.locator('main .open-state').innerText()).trim();
}

/** The facet links of a results page under the heading `title`: `[{ text, href }]`. */
async function facetGroup(page, title) {
  return page.$$eval(
    'details.refine .facets h2',
    (headings, title) => {
      const h = headings.find((x) => x.textContent.trim() === title);
      const list = h?.nextElementSibling;
      if (!list || list.tagName !== 'UL') return [];
      return [...list.querySelectorAll('a')].map((a) => ({ text: a.textContent.trim(), href: a.getAttribute('href') }));
    },
    title,
  );
}

test('a business lists itself, changes its hours, and the city suspends it', async () => {
  const account = newAccount({ displayName: 'Berta Bäckerin' });
  const word = `Quendel${randomUUID().slice(0, 8)}`;
  const nameDe = `Backstube ${word}`;
  const nameEn = `${word} Bakery`;
  const { page, context, problems, close } = await suite.page({ locale: 'de-DE', a11y: true });
  try {
    // Register, log out, log in again.
    await registerAndLogIn(page, suite.portal.mailbox, account);
    assert.equal(new URL(page.url()).pathname, '/account');
    await logoutViaHeader(page);
    await loginViaForm(page, account.email, account.password);
    assert.equal(new URL(page.url()).pathname, '/account');

    // Create the organization on the dashboard.
    await goto(page, '/manage', { expectStatus: 200 });
    await page.locator('#org-name').fill(`Backstube ${word} GmbH`);
    await submitWith(page, page.locator('main form[action="/manage/organizations"] button[type="submit"]'));
    assert.equal(new URL(page.url()).pathname, '/manage');
    assert.equal((await page.locator('main .notice').innerText()).trim(), msg('de', 'done-org-created'));
    const org = page.locator('main section.org', { hasText: `Backstube ${word} GmbH` });
    assert.equal(await org.count(), 1, 'the new organization is on the dashboard');
    await checkA11y(page, 'manage');
    await screenshot(page, 'manage');

    // The editor: a wrong web address first, answered in German next to the field.
    await followLink(page, org.locator('a.button[href$="/listings/new"]'));
    assert.equal(await h1Text(page), msg('de', 'editor-new'));
    const category = await page.locator('#category_1 option[value*="."]').first().getAttribute('value');
    await page.locator('#name_de').fill(nameDe);
    await page.locator('#name_en').fill(nameEn);
    await page.locator('#category_1').selectOption(category);
    await page.locator('#street').fill('Queen Street 1');
    // The coordinates are an advanced option, folded away under the address search.
    await page.locator('details.coordinates > summary').click();
    await page.locator('#lat').fill('-36.8485');
    await page.locator('#lng').fill('174.7633');
    await page.locator('#website').fill('ftp://example.org');
    let res = await submitWith(page, page.locator('main form.editor > button[type="submit"]'));
    assert.equal(res.status(), 422);
    const summary = page.locator('#error-summary');
    assert.equal((await summary.locator('a[href="#website"]').innerText()).trim(), msg('de', 'v-url'));
    assert.equal((await page.locator('#website-error').innerText()).trim(), msg('de', 'v-url'));
    await page.waitForFunction(() => document.activeElement?.id === 'error-summary', null, { timeout: 5_000 });
    assert.equal(await page.locator('#name_de').inputValue(), nameDe, 'the input is kept');
    await checkA11y(page, 'listing editor with errors');
    await screenshot(page, 'listing-editor-errors');

    await page.locator('#website').fill('https://example.org/');
    await submitWith(page, page.locator('main form.editor > button[type="submit"]'));
    const editorPath = new URL(page.url()).pathname;
    assert.match(editorPath, /^\/manage\/listings\/[0-9a-f-]{36}$/);
    const listingId = editorPath.split('/').at(-1);
    assert.equal((await page.locator('main .notice').innerText()).trim(), msg('de', 'done-created'));
    assert.equal(await suite.api.search({ q: word }).then((r) => r.estimated_total), 0, 'a draft is not public');

    // Publish: the public page and public search find it.
    await submitWith(page, page.locator('main .status-bar button[value="publish"]'));
    assert.equal((await page.locator('main .notice').innerText()).trim(), msg('de', 'done-publish'));
    await checkA11y(page, 'listing editor');
    await screenshot(page, 'listing-editor');
    const publicHref = await page.locator('main .status-bar a[href^="/listings/"]').getAttribute('href');
    const slug = decodeURIComponent(publicHref.split('/').at(-1));
    assert.equal(publicHref, listingPath('business', slug));

    const visitor = await suite.page({ locale: 'de-DE' });
    try {
      const v = visitor.page;
      await eventually('the listing is found by public search', async () => {
        await goto(v, `/search?q=${encodeURIComponent(word)}`, { expectStatus: 200 });
        assert.deepEqual((await searchHits(v)).map((h) => h.path), [publicHref]);
      });
      const api = await suite.api.search({ q: word });
      assert.deepEqual(api.hits.map((h) => h.slug), [slug], 'the page agrees with /api/v1/search');
      await followLink(v, v.locator('main ol.hits h3 a').first());
      assert.equal(await h1Text(v), nameDe);

      // Open now: today (in the city's zone) 00:00–23:59.
      let now = cityNow();
      // Too close to midnight for "open until 23:59" to hold while the test runs:
      // wait for the new day (bounded: at most 2 minutes).
      for (let i = 0; i < 30 && now.minutes >= 23 * 60 + 58; i++) {
        await sleep(5_000);
        now = cityNow();
      }
      await goto(page, editorPath, { expectStatus: 200 });
      await clearWeeklyHours(page);
      await page.locator(`#h${now.weekday}_0_opens`).fill('00:00');
      await page.locator(`#h${now.weekday}_0_closes`).fill('23:59');
      await submitWith(page, page.locator('main form.editor > button[type="submit"]'));
      assert.equal((await page.locator('main .notice').innerText()).trim(), msg('de', 'done-saved'));

      await goto(v, publicHref, { expectStatus: 200 });
      assert.equal(await openState(v), msg('de', 'open-until', { time: '23:59' }));
      const today = v.locator('table.hours tr.today');
      assert.equal(await today.count(), 1);
      const todayHeader = (await today.locator('th').innerText()).trim();
      assert.ok(todayHeader.startsWith(msg('de', `day-${now.weekday}`)), `today's row: ${todayHeader}`);
      assert.equal((await today.locator('.visually-hidden').textContent()).trim(), msg('de', 'hours-today'));

      // …and under the open-now facet of its search, in the "opening hours" group.
      await eventually('the listing is under the open-now facet', async () => {
        await goto(v, `/search?q=${encodeURIComponent(word)}`, { expectStatus: 200 });
        const group = await facetGroup(v, msg('de', 'opening-hours'));
        assert.deepEqual(group.map((f) => f.text), [msg('de', 'facet-count', { label: msg('de', 'filter-open-now'), count: 1 })]);
        const accessibility = await facetGroup(v, msg('de', 'accessibility'));
        assert.ok(!accessibility.some((f) => f.text.startsWith(msg('de', 'filter-open-now'))), 'not under accessibility');
      });
      await followLink(v, v.locator('details.refine .facets a', { hasText: msg('de', 'filter-open-now') }));
      assert.equal(new URL(v.url()).searchParams.get('open_now'), '1');
      assert.deepEqual((await searchHits(v)).map((h) => h.path), [publicHref]);
      await screenshot(v, 'search-open-now');

      // Closed now: open only tomorrow, 10:00–11:00.
      const tomorrow = (now.weekday + 1) % 7;
      await goto(page, editorPath, { expectStatus: 200 });
      await clearWeeklyHours(page);
      await page.locator(`#h${tomorrow}_0_opens`).fill('10:00');
      await page.locator(`#h${tomorrow}_0_closes`).fill('11:00');
      await submitWith(page, page.locator('main form.editor > button[type="submit"]'));
      assert.equal((await page.locator('main .notice').innerText()).trim(), msg('de', 'done-saved'));
      // (If midnight passed meanwhile, "tomorrow" became today.)
      const after = cityNow();
      const expected =
        after.weekday === tomorrow
          ? [msg('de', 'opens-today', { time: '10:00' }), msg('de', 'closed-now'), msg('de', 'open-until', { time: '11:00' })]
          : [msg('de', 'opens-on', { day: msg('de', `day-${tomorrow}`), time: '10:00' })];
      await goto(v, publicHref, { expectStatus: 200 });
      assert.ok(expected.includes(await openState(v)), `closed now: ${await openState(v)} (expected ${expected.join(' | ')})`);
      if (after.weekday !== tomorrow) {
        await eventually('the listing has left the open-now results', async () => {
          await goto(v, `/search?q=${encodeURIComponent(word)}&open_now=1`, { expectStatus: 200 });
          assert.equal(await resultCount(v), 0);
          assert.equal((await v.locator('main .empty h3').innerText()).trim(), msg('de', 'empty-title'));
        });
      }

      // City staff suspend it in /admin with a reason.
      const adminEmail = `admin-${word.toLowerCase()}@city.example`;
      await suite.portal.createAdmin(adminEmail, 'admin-password-1');
      const staff = await suite.page({ locale: 'de-DE', a11y: true });
      try {
        const s = staff.page;
        await loginViaForm(s, adminEmail, 'admin-password-1');
        await goto(s, `/admin?q=${encodeURIComponent(word)}`, { expectStatus: 200 });
        const row = s.locator(`main li#l-${listingId}`);
        assert.equal(await row.count(), 1, 'the listing is found in moderation');
        await checkA11y(s, 'admin');
        await screenshot(s, 'admin');
        await row.locator(`#reason-${listingId}`).fill('Irreführende Angaben');
        await submitWith(s, row.locator('button[value="suspend"]'));
        assert.equal(new URL(s.url()).pathname, '/admin');
        assert.equal((await s.locator('main .notice').innerText()).trim(), msg('de', 'done-suspend'));
        assertNoProblems(staff.problems, staff.context, 'admin');
      } finally {
        await staff.close();
      }

      // Gone from search; its page is the 404 page; the owner sees why.
      await eventually('the suspended listing has left public search', async () => {
        await goto(v, `/search?q=${encodeURIComponent(word)}`, { expectStatus: 200 });
        assert.equal(await resultCount(v), 0);
      });
      assert.equal((await suite.api.search({ q: word })).estimated_total, 0);
      await goto(v, publicHref, { expectStatus: 404 });
      assert.equal(await h1Text(v), msg('de', 'not-found-title'));
      assertNoProblems(visitor.problems, visitor.context, 'public pages');
    } finally {
      await visitor.close();
    }
    await goto(page, editorPath, { expectStatus: 200 });
    const status = (await page.locator('main .status-bar').innerText()).replace(/\s+/g, ' ');
    assert.ok(status.includes(msg('de', 'status-suspended')) && status.includes('Irreführende Angaben'), status);
    assertNoProblems(problems, context, 'business flow');
  } finally {
    await close();
  }
});

// A business takes a name with one of the city's reserved terms: publishing it waits
// for city staff; staff find it in /admin's review queue and approve it; then it is
// public. axe checks the editor with its review notice, /admin with the queue, and
// /admin/organizations.
test('a reserved name waits for the city, which approves it in its review queue', async () => {
  const account = newAccount({ displayName: 'Rudi Rathaus' });
  const word = `Quitte${randomUUID().slice(0, 8)}`;
  const nameDe = `Bürgeramt Schnelltermin ${word}`;
  const { page, context, problems, close } = await suite.page({ locale: 'de-DE', a11y: true });
  try {
    await registerAndLogIn(page, suite.portal.mailbox, account);
    await goto(page, '/manage', { expectStatus: 200 });
    await page.locator('#org-name').fill(`Termin ${word} GmbH`);
    await submitWith(page, page.locator('main form[action="/manage/organizations"] button[type="submit"]'));
    const org = page.locator('main section.org', { hasText: `Termin ${word} GmbH` });
    await followLink(page, org.locator('a.button[href$="/listings/new"]'));
    // The city's own categories are not offered to a business.
    assert.equal(await page.locator('#category_1 option[value^="admin."]').count(), 0);
    await page.locator('#name_de').fill(nameDe);
    await page.locator('#category_1').selectOption('services.other');
    await submitWith(page, page.locator('main form.editor > button[type="submit"]'));
    const editorPath = new URL(page.url()).pathname;
    const listingId = editorPath.split('/').at(-1);

    // Publishing waits for review, and the owner is told why.
    await submitWith(page, page.locator('main .status-bar button[value="publish"]'));
    assert.equal((await page.locator('main .notice[role="status"]').innerText()).trim(), msg('de', 'done-review-requested'));
    const bar = (await page.locator('main .status-bar').innerText()).replace(/\s+/g, ' ');
    assert.ok(bar.includes(msg('de', 'status-pending_review')), bar);
    assert.ok((await page.locator('#review-state').innerText()).includes('Bürgeramt'));
    await checkA11y(page, 'listing editor waiting for review');
    // The owner sees the same preview; a visitor gets nothing.
    await followLink(page, page.locator(`main .status-bar a[href="/manage/listings/${listingId}/preview"]`));
    assert.equal(await h1Text(page), nameDe);
    const visitor = await suite.page({ locale: 'de-DE' });
    try {
      await goto(visitor.page, `/manage/listings/${listingId}/preview`, { expectStatus: 404 });
    } finally {
      await visitor.close();
    }
    await goto(page, editorPath, { expectStatus: 200 });
    assert.equal((await suite.api.search({ q: word })).estimated_total, 0, 'not public while it waits');

    // City staff approve it in the queue.
    const adminEmail = `admin-${word.toLowerCase()}@city.example`;
    await suite.portal.createAdmin(adminEmail, 'admin-password-1');
    const staff = await suite.page({ locale: 'de-DE', a11y: true });
    try {
      const s = staff.page;
      await loginViaForm(s, adminEmail, 'admin-password-1');
      await goto(s, '/admin?kind=business', { expectStatus: 200 });
      const queued = s.locator(`main li#r-${listingId}`);
      assert.equal(await queued.count(), 1, 'the listing is in the review queue');
      assert.ok((await queued.innerText()).includes(`Termin ${word} GmbH`));
      await checkA11y(s, 'admin with the review queue');
      await screenshot(s, 'admin-review');
      // Staff look at the page before they approve it: marked as not public.
      await followLink(s, queued.locator(`a[href="/manage/listings/${listingId}/preview"]`));
      assert.equal(await h1Text(s), nameDe);
      assert.equal((await s.locator('main .notice.preview strong').innerText()).trim(), msg('de', 'preview-pending_review'));
      assert.equal(await s.locator('meta[name="robots"][content="noindex"]').count(), 1, 'kept from search engines');
      await checkA11y(s, 'preview of a listing waiting for review');
      await screenshot(s, 'listing-preview');
      await goto(s, '/admin?kind=business', { expectStatus: 200 });
      await submitWith(s, queued.locator('button[value="approve"]'));
      const back = new URL(s.url());
      assert.equal(back.pathname, '/admin');
      assert.equal(back.searchParams.get('kind'), 'business', 'the filter is kept');
      assert.equal((await s.locator('main .notice').innerText()).trim(), msg('de', 'done-approve'));
      assert.equal(await s.locator(`main li#r-${listingId}`).count(), 0, 'no longer waiting');

      await goto(s, '/admin/organizations', { expectStatus: 200 });
      const orgSection = s.locator('main section.org', { hasText: `Termin ${word} GmbH` });
      assert.ok((await orgSection.innerText()).includes('Rudi Rathaus'));
      assert.ok((await orgSection.innerText()).includes(nameDe));
      await checkA11y(s, 'admin organizations');
      assertNoProblems(staff.problems, staff.context, 'admin review');
    } finally {
      await staff.close();
    }

    // Now it is public.
    await eventually('the approved listing is found by public search', async () => {
      assert.equal((await suite.api.search({ q: word })).estimated_total, 1);
    });
    await goto(page, editorPath, { expectStatus: 200 });
    const publicHref = await page.locator('main .status-bar a[href^="/listings/"]').getAttribute('href');
    await goto(page, publicHref, { expectStatus: 200 });
    assert.equal(await h1Text(page), nameDe);
    assertNoProblems(problems, context, 'reserved name flow');
  } finally {
    await close();
  }
});
