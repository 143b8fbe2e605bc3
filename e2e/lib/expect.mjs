// Small assertions about pages, shared by the scenarios.
import assert from 'node:assert/strict';

/** The page's `<html lang>`. */
export async function htmlLang(page) {
  return page.evaluate(() => document.documentElement.lang);
}

/**
 * Links inside `main` that point to a listing page: `[{ slug, text, href }]`
 * in document order.
 */
export async function listingLinks(page) {
  return page.$$eval('main a[href]', (links) =>
    links
      .map((a) => ({ href: a.getAttribute('href'), url: new URL(a.href), text: a.textContent.trim() }))
      .filter(({ url }) => url.origin === location.origin && /^\/listings\/[^/]+$/.test(url.pathname))
      .map(({ href, url, text }) => ({ slug: decodeURIComponent(url.pathname.split('/')[2]), text, href })),
  );
}

/** Fail if the page recorded problems (script errors, failed subresources, remote requests). */
export function assertNoProblems(problems, context, what) {
  const all = [...problems, ...(context?.blockedRequests ?? []).map((u) => `blocked non-local request: ${u}`)];
  assert.deepEqual(all, [], `${what}: the page had problems:\n${all.join('\n')}`);
}

/** A localized API text (`{ de, en }`) in `lang`, falling back to the other language. */
export function localized(text, lang) {
  if (!text) return '';
  return text[lang] || text.de || text.en || '';
}
