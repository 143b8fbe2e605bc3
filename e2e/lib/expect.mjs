// Small assertions and readers of pages, shared by the scenarios.
import assert from 'node:assert/strict';

/** The page's `<html lang>`. */
export async function htmlLang(page) {
  return page.evaluate(() => document.documentElement.lang);
}

/**
 * The path of a listing's public page: municipal services live under
 * `/services/<slug>`, businesses under `/listings/<slug>`.
 */
export function listingPath(kind, slug) {
  const prefix = kind === 'municipal_service' ? 'services' : 'listings';
  return `/${prefix}/${encodeURIComponent(slug)}`;
}

/**
 * Links inside `scope` (default `main`) that point to a listing page
 * (`/listings/<slug>` or `/services/<slug>`):
 * `[{ slug, kind, text, href, path }]` in document order, where `kind` is
 * `business` or `municipal_service` as the URL says.
 */
export async function listingLinks(page, scope = 'main') {
  return page.$$eval(`${scope} a[href]`, (links) =>
    links
      .map((a) => ({ href: a.getAttribute('href'), url: new URL(a.href), text: a.textContent.trim() }))
      .filter(({ url }) => url.origin === location.origin && /^\/(listings|services)\/[^/]+$/.test(url.pathname))
      .map(({ href, url, text }) => {
        const [, prefix, slug] = url.pathname.split('/');
        return {
          slug: decodeURIComponent(slug),
          kind: prefix === 'services' ? 'municipal_service' : 'business',
          text,
          href,
          path: url.pathname,
        };
      }),
  );
}

/**
 * The hits of a search results page (`main ol.hits`, each `h3 a`):
 * `[{ href, path, text }]` in document order.
 */
export async function searchHits(page) {
  return page.$$eval('main ol.hits > li h3 a[href]', (links) =>
    links.map((a) => ({ href: a.getAttribute('href'), path: new URL(a.href).pathname, text: a.textContent.trim() })),
  );
}

/** The number in a text such as "1.452 Ergebnisse" or "Cafés (85)" (the last number in it). */
export function numberIn(text) {
  const all = String(text).match(/\d[\d.,\u202f\u00a0']*/g);
  assert.ok(all, `no number in "${text}"`);
  return Number(all.at(-1).replace(/[^\d]/g, ''));
}

/** The result count a search page announces in its results heading. */
export async function resultCount(page) {
  const heading = page.locator('main section.results h2').first();
  return numberIn(await heading.innerText());
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

/** The largest horizontal extent of the page, for reflow checks (WCAG 1.4.10). */
export async function scrollWidth(page) {
  return page.evaluate(() => Math.max(document.documentElement.scrollWidth, document.body?.scrollWidth ?? 0));
}

/** Up to `max` elements that stick out to the right of a `width` px viewport, described. */
export async function overflowingElements(page, width, max = 8) {
  return page.evaluate(
    ({ width, max }) => {
      const out = [];
      for (const el of document.querySelectorAll('body *')) {
        const r = el.getBoundingClientRect();
        if (r.right > width + 0.5 && r.width > 0) {
          const cls = el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
          const id = el.id ? `#${el.id}` : '';
          out.push(`<${el.tagName.toLowerCase()}${id}${cls}> right edge at ${Math.round(r.right)} px`);
          if (out.length >= max) break;
        }
      }
      return out;
    },
    { width, max },
  );
}

/**
 * Wait (at most `timeoutMs`) until the Leaflet map in `selector` is drawn and
 * shows at least one loaded tile; returns how many tiles are loaded.
 */
export async function waitForMap(page, selector = '[data-map]', timeoutMs = 10_000) {
  await page.waitForFunction(
    (sel) => !!document.querySelector(sel)?.matches('.map-ready') && !!document.querySelector(`${sel} img.leaflet-tile-loaded`),
    selector,
    { timeout: timeoutMs },
  );
  return page.locator(`${selector} img.leaflet-tile-loaded`).count();
}
