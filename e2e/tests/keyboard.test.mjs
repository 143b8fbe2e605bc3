// Keyboard use of the home page: skip link first, and every link reachable by Tab.
import assert from 'node:assert/strict';
import test from 'node:test';
import { goto } from '../lib/browser.mjs';
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
