// One portal and one browser per test file:
//
//   const env = useSuite();            // at the top of a *.test.mjs file
//   test('...', async () => {
//     const { page, close } = await env.page({ locale: 'en' });
//     try { await page.goto('/'); ... } finally { await close(); }
//   });
//
// `before` starts the portal (fresh database, demo city), a map tile server on
// loopback (the portal's MAP_TILE_URL, so maps never reach the internet) and
// Chromium; `after` stops them, also when a test failed.
import { after, before } from 'node:test';
import { ApiClient } from './api.mjs';
import { launchBrowser, newContext, newPage } from './browser.mjs';
import { startPortal } from './portal.mjs';
import { startTileServer } from './tiles.mjs';

/**
 * @param {object} [options]
 * @param {Record<string,string>} [options.portalEnv] extra portal variables
 * @param {boolean} [options.browser=true] also launch Chromium
 * @param {(baseUrl: string) => Promise<Record<string,string>>} [options.portalSetup]
 *   further portal variables once its address is known (see `startPortal`)
 */
export function useSuite({ portalEnv = {}, browser: withBrowser = true, portalSetup } = {}) {
  const suite = {
    /** @type {import('./portal.mjs').Portal} */
    portal: null,
    /** @type {import('playwright-core').Browser} */
    browser: null,
    /** An anonymous API client for this portal. */
    api: null,
    /** The loopback tile server: `{ url, origin, tileRequests }`. */
    tiles: null,
    /** A new context whose relative URLs resolve against the portal. */
    context(options = {}) {
      return newContext(suite.browser, { baseURL: suite.portal.baseUrl, ...options });
    },
    /** A new page in a new context: `{ context, page, problems, close }`. */
    page(options = {}) {
      return newPage(suite.browser, { baseURL: suite.portal.baseUrl, ...options });
    },
    /** A new API client (e.g. to register an account). */
    client(options) {
      return new ApiClient(suite.portal.baseUrl, { mailbox: suite.portal.mailbox, ...options });
    },
  };

  before(async () => {
    suite.tiles = await startTileServer();
    // Start both at once: the portal's demo import and Chromium's start overlap.
    const [portal, browser] = await Promise.allSettled([
      startPortal({ env: { MAP_TILE_URL: suite.tiles.url, ...portalEnv }, setup: portalSetup }),
      withBrowser ? launchBrowser() : Promise.resolve(null),
    ]);
    suite.portal = portal.value ?? null;
    suite.browser = browser.value ?? null;
    if (portal.status === 'rejected') throw portal.reason;
    if (browser.status === 'rejected') throw browser.reason;
    suite.api = new ApiClient(suite.portal.baseUrl, { mailbox: suite.portal.mailbox });
  });

  after(async () => {
    await suite.browser?.close().catch(() => {});
    await suite.portal?.stop();
    await suite.tiles?.stop();
  });

  return suite;
}
