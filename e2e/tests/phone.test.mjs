// Phones: the owner's editors at 320 CSS px (WCAG 1.4.10 reflow), with every field of
// the opening-hours grid labelled on screen, not only for screen readers.
import assert from 'node:assert/strict';
import test from 'node:test';
import { businessListing } from '../lib/api.mjs';
import { addSessionCookie, goto } from '../lib/browser.mjs';
import { overflowingElements, scrollWidth } from '../lib/expect.mjs';
import { msg } from '../lib/l10n.mjs';
import { screenshot } from '../lib/shots.mjs';
import { useSuite } from '../lib/suite.mjs';

const suite = useSuite();
const NARROW = { width: 320, height: 640 };

/** An owner (ApiClient) with an organization and a listing. */
async function ownerWithListing() {
  const owner = suite.client();
  await owner.register({ displayName: 'Olli Omistaja' });
  const org = await owner.createOrganization('Olli Oy');
  const listing = await owner.createListing(
    businessListing(org.id, { name: { de: 'Ollis Laden', en: "Olli's Shop" }, categories: ['sport.gym'] }),
  );
  return { owner, org, listing };
}

/** Each visible time field of the hours grid and the text shown next to it on screen. */
async function hoursGridLabels(page) {
  return page.$$eval('table.hours-editor input[type="time"]', (inputs) =>
    inputs.map((input) => {
      const shown = [...(input.labels ?? [])]
        .flatMap((l) => [...l.querySelectorAll('.cell-label')])
        .filter((s) => {
          const r = s.getBoundingClientRect();
          const style = getComputedStyle(s);
          return r.width > 1 && r.height > 1 && style.visibility !== 'hidden' && style.clip !== 'rect(0px, 0px, 0px, 0px)';
        })
        .map((s) => s.textContent.trim());
      return { id: input.id, shown: shown.join(' ') };
    }),
  );
}

test('the listing and offer editors reflow at 320 px, and the hours grid shows its labels', async () => {
  const { owner, org, listing } = await ownerWithListing();
  for (const lang of ['de', 'en']) {
    const { page, context, close } = await suite.page({
      viewport: NARROW,
      locale: lang === 'en' ? 'en-GB' : 'de-DE',
      headers: { 'Accept-Language': lang },
    });
    try {
      await addSessionCookie(context, suite.portal.baseUrl, owner.cookieHeader());
      const pages = [
        ['listing-editor-new', `/manage/organizations/${org.id}/listings/new`],
        ['listing-editor', `/manage/listings/${listing.id}`],
        ['offer-editor-appointment', `/manage/listings/${listing.id}/offers/new?kind=appointment`],
        ['offer-editor-class', `/manage/listings/${listing.id}/offers/new?kind=class`],
        ['offer-editor-membership', `/manage/listings/${listing.id}/offers/new?kind=membership`],
        ['offers', `/manage/listings/${listing.id}/offers`],
        ['manage', '/manage'],
      ];
      for (const [name, path] of pages) {
        await goto(page, path, { expectStatus: 200 });
        const width = await scrollWidth(page);
        assert.ok(
          width <= NARROW.width,
          `${path} (${lang}) is ${width} px wide at ${NARROW.width} px: ${(await overflowingElements(page, NARROW.width)).join(', ')}`,
        );
        if (lang === 'de' && name === 'listing-editor') await screenshot(page, 'listing-editor-phone');
      }

      // Every time field of the grid says on screen whether it opens or closes.
      await goto(page, `/manage/listings/${listing.id}`, { expectStatus: 200 });
      const fields = await hoursGridLabels(page);
      assert.ok(fields.length >= 14, `the grid has two fields a day (found ${fields.length})`);
      for (const f of fields) {
        const part = f.id.endsWith('_opens') ? 'editor-opens' : 'editor-closes';
        assert.equal(f.shown, msg(lang, part), `${f.id} (${lang}) shows its label at 320 px`);
      }
    } finally {
      await close();
    }
  }
});

/** Tab through `main` from its start; the box of each element that takes the focus. */
async function focusWalk(page, max = 60) {
  await page.evaluate(() => {
    const h1 = document.querySelector('main h1');
    h1.setAttribute('tabindex', '-1');
    h1.focus();
  });
  const seen = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const at = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || !el.closest('main')) return null;
      const r = el.getBoundingClientRect();
      return { what: `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''} ${(el.textContent || el.getAttribute('name') || '').trim().slice(0, 30)}`, top: r.top + window.scrollY, left: r.left, height: r.height };
    });
    if (!at) break;
    seen.push(at);
  }
  return seen;
}

for (const viewport of [NARROW, { width: 390, height: 844 }]) {
  test(`the search page at ${viewport.width} px: the results come first, the filters are one list in a disclosure, focus follows what is seen`, async () => {
    const { page, close } = await suite.page({ viewport, locale: 'de-DE', headers: { 'Accept-Language': 'de' } });
    try {
      await goto(page, '/search?q=Ravintola', { expectStatus: 200 });
      const firstHit = page.locator('main ol.hits > li').first();
      const top = await firstHit.evaluate((el) => el.getBoundingClientRect().top + window.scrollY);
      assert.ok(top < viewport.height, `the first result starts ${Math.round(top)} px down, within the first screen (${viewport.height} px)`);
      assert.ok((await scrollWidth(page)) <= viewport.width, `no sideways scrolling: ${(await overflowingElements(page, viewport.width)).join(', ')}`);
      const refine = page.locator('main details.refine');
      assert.equal(await refine.count(), 1, 'one disclosure for filters and sorting');
      assert.equal(await refine.getAttribute('open'), null, 'closed on a phone, even with JavaScript');
      assert.equal(await page.locator('main aside, main select[name="category"], main select[name="district"]').count(), 0, 'no second list of filters');
      await screenshot(page, `search-phone-${viewport.width}`);

      // Open, the filters come before the results, in the order they are seen.
      await refine.locator('summary').click();
      const walk = await focusWalk(page);
      assert.ok(walk.some((w) => w.what.startsWith('summary')), 'the disclosure takes the focus');
      assert.ok(walk.some((w) => w.what.startsWith('a ') && /\(\d+\)/.test(w.what)), 'the facet links take the focus');
      for (let i = 1; i < walk.length; i++) {
        const [a, b] = [walk[i - 1], walk[i]];
        const sameLine = Math.abs(a.top - b.top) < Math.max(a.height, b.height) / 2;
        assert.ok(
          sameLine ? b.left > a.left : b.top > a.top,
          `focus order follows the visual order: "${b.what}" (top ${Math.round(b.top)}, left ${Math.round(b.left)}) comes after "${a.what}" (top ${Math.round(a.top)}, left ${Math.round(a.left)})`,
        );
      }
    } finally {
      await close();
    }
  });
}
