// Keyboard use: on the home page the skip link comes first and every link is
// reachable by Tab; the registration form can be filled and sent by keyboard alone.
import assert from 'node:assert/strict';
import test from 'node:test';
import { goto, h1Text, pressAndWait } from '../lib/browser.mjs';
import { assertNoProblems } from '../lib/expect.mjs';
import { newAccount } from '../lib/flows.mjs';
import { msg } from '../lib/l10n.mjs';
import { useSuite } from '../lib/suite.mjs';

const suite = useSuite();

/** Elements the browser puts in the Tab order (by markup), in document order. */
const FOCUSABLE = [
  'a[href]',
  'area[href]',
  'button:not([disabled])',
  'input:not([disabled]):not([type="hidden"])',
  'select:not([disabled])',
  'textarea:not([disabled])',
  'iframe',
  'summary',
  '[contenteditable=""]',
  '[contenteditable="true"]',
  '[tabindex]',
].join(',');

/** Number every focusable, rendered element with `data-e2e-tab`; returns how many. */
async function markFocusables(page) {
  return page.evaluate((selector) => {
    let n = 0;
    for (const el of document.querySelectorAll(selector)) {
      if (el.getAttribute('tabindex') === '-1') continue;
      if (!el.checkVisibility({ visibilityProperty: true })) continue;
      el.dataset.e2eTab = String(n++);
    }
    return n;
  }, FOCUSABLE);
}

/** What has focus now: its number, tag, text, whether it is in main and shows a focus ring. */
function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body || el === document.documentElement) return null;
    const style = getComputedStyle(el);
    return {
      index: el.dataset.e2eTab === undefined ? -1 : Number(el.dataset.e2eTab),
      tag: el.tagName.toLowerCase(),
      text: (el.textContent ?? '').trim().slice(0, 60),
      isMain: el.tagName === 'MAIN',
      inMain: !!el.closest('main'),
      ring: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0 ? 'outline' : style.boxShadow !== 'none' ? 'shadow' : null,
    };
  });
}

test('the first Tab focuses a visible skip link; Enter moves focus to the main content', async () => {
  const { page, close } = await suite.page();
  try {
    await goto(page, '/', { expectStatus: 200 });
    await markFocusables(page);
    await page.keyboard.press('Tab');
    const first = await focused(page);
    assert.ok(first, 'the first Tab focuses something');
    const skip = page.locator(':focus');
    assert.equal(await skip.getAttribute('href'), '#main', `first Tab focused ${JSON.stringify(first)}`);
    assert.ok(first.ring, 'the skip link shows a focus indicator');
    const box = await skip.boundingBox();
    const viewport = page.viewportSize();
    assert.ok(
      box && box.x >= 0 && box.y >= 0 && box.x + box.width <= viewport.width && box.y + box.height <= viewport.height,
      `the focused skip link is on screen (box ${JSON.stringify(box)})`,
    );

    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.hash === '#main');
    // Either main (or something in it) has focus now, or the browser moved the
    // sequential focus starting point there: the next Tab lands on main's first
    // focusable element, not back in the header.
    const afterEnter = await focused(page);
    if (!(afterEnter?.isMain || afterEnter?.inMain)) {
      const firstInMain = await page.evaluate(() => {
        const el = document.querySelector('main [data-e2e-tab]');
        return el ? Number(el.dataset.e2eTab) : null;
      });
      assert.notEqual(firstInMain, null, 'main contains a focusable element');
      await page.keyboard.press('Tab');
      const next = await focused(page);
      assert.equal(
        next?.index,
        firstInMain,
        `after Enter on the skip link, Tab should reach main's first link; focus is on ${JSON.stringify(next)}`,
      );
    }
  } finally {
    await close();
  }
});

test('every link on the home page is reachable by Tab, in document order, with a focus indicator', async () => {
  const { page, close } = await suite.page();
  try {
    await goto(page, '/', { expectStatus: 200 });
    const count = await markFocusables(page);
    const links = await page.locator('a[href]').count();
    assert.ok(count >= links && links > 10, `focusables ${count}, links ${links}`);

    const order = [];
    const noRing = [];
    // Bounded: one full round through the page plus a few spare steps.
    for (let step = 0; step < count + 5; step++) {
      await page.keyboard.press('Tab');
      const f = await focused(page);
      if (f === null) {
        if (order.length > 0) break; // focus left the page after the last element
        continue;
      }
      if (order.length > 0 && f.index === order[0]) break; // wrapped around
      order.push(f.index);
      if (!f.ring) noRing.push(f);
    }
    const expected = Array.from({ length: count }, (_, i) => i);
    const missing = expected.filter((i) => !order.includes(i));
    const missingDescr = await page.evaluate(
      (idx) => idx.map((i) => document.querySelector(`[data-e2e-tab="${i}"]`)?.outerHTML.slice(0, 120)),
      missing,
    );
    assert.deepEqual(missingDescr, [], 'elements never reached by Tab');
    assert.ok(!order.includes(-1), 'Tab reached an element that is not focusable by markup');
    assert.deepEqual(order, expected, 'Tab order follows the document order');
    assert.deepEqual(noRing, [], 'focused elements without a visible focus indicator');
  } finally {
    await close();
  }
});

test('keyboard only: Tab reaches name, email, password and the button of the registration form in order; Enter sends it', async () => {
  const account = newAccount();
  const values = { display_name: account.displayName, email: account.email, password: account.password };
  const { page, context, problems, close } = await suite.page({ locale: 'de-DE' });
  try {
    await goto(page, '/register', { expectStatus: 200 });
    const count = await markFocusables(page);

    /** What has focus, as far as the registration form is concerned. */
    const where = () =>
      page.evaluate(() => {
        const el = document.activeElement;
        if (!el || el === document.body) return null;
        const inForm = !!el.closest('main form[action="/register"]');
        const key = el.tagName === 'BUTTON' ? `button[${el.type}]` : el.getAttribute('name') ?? el.tagName.toLowerCase();
        return { inForm, key, html: el.outerHTML.slice(0, 100) };
      });

    const reached = [];
    const noRing = [];
    let landed = null;
    // Bounded: at most one round through the page's focusable elements.
    for (let step = 0; step < count + 5; step++) {
      await page.keyboard.press('Tab');
      const f = await where();
      if (!f?.inForm) {
        if (reached.length > 0) break; // left the form before reaching its button
        continue;
      }
      reached.push(f.key);
      const ring = (await focused(page))?.ring;
      if (!ring) noRing.push(f.html);
      if (values[f.key] !== undefined) await page.keyboard.type(values[f.key]);
      if (f.key === 'button[submit]') {
        landed = await pressAndWait(page, 'Enter');
        break;
      }
    }
    assert.deepEqual(
      reached,
      ['display_name', 'email', 'password', 'button[submit]'],
      'Tab order through the registration form',
    );
    assert.deepEqual(noRing, [], 'form controls without a visible focus indicator');
    assert.ok(landed, 'Enter on the button sent the form');
    assert.equal(await h1Text(page), msg('de', 'link-sent-title'), 'the account waits for its emailed link');
    assertNoProblems(problems, context, 'keyboard registration');
  } finally {
    await close();
  }
});
