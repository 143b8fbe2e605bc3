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
