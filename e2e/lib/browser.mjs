// Launches Debian's Chromium (never a downloaded browser) and makes contexts.
import { chromium } from 'playwright-core';

/** The browser binary: `CHROMIUM`, default Debian's `/usr/bin/chromium`. */
export const CHROMIUM_PATH = process.env.CHROMIUM || '/usr/bin/chromium';

/**
 * Flags for a quiet headless Chromium. The background-networking flags matter:
 * without them Chromium tries to reach the internet, which this machine refuses.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Timeouts for page actions and navigations (ms). */
export const ACTION_TIMEOUT_MS = 15_000;
export const NAVIGATION_TIMEOUT_MS = 30_000;

/**
 * Launch Chromium. Playwright gives every launch a fresh temporary
 * user-data-dir and removes it on `close()`.
 */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
    headless: true,
    timeout: 60_000,
  });
}

/** True for URLs that stay on this machine (or never touch the network). */
export function isLocalUrl(url) {
  const u = new URL(url);
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(u.protocol)) return true;
  return (
    u.hostname === 'localhost' ||
    u.hostname === '[::1]' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(u.hostname)
  );
}

/**
 * A new browser context.
 *
 * @param {import('playwright-core').Browser} browser
 * @param {object} [options]
 * @param {string} [options.baseURL] the portal's base URL, so `page.goto('/')` works
 * @param {boolean} [options.javaScriptEnabled=true]
 * @param {string} [options.locale='de-DE'] browser locale; Chromium sends it as
 *   `Accept-Language` (Chromium's own default would be en-US, so always set one)
 * @param {Record<string,string>} [options.headers] extra HTTP headers on every request
 * @param {boolean} [options.a11y=false] bypass the page's Content-Security-Policy
 *   so that axe-core can be injected (the portal's CSP has no 'unsafe-inline')
 * @param {object} [options.viewport] default 1280x800
 * @returns {Promise<import('playwright-core').BrowserContext & {blockedRequests: string[]}>}
 */
export async function newContext(
  browser,
  { baseURL, javaScriptEnabled = true, locale = 'de-DE', headers, a11y = false, viewport } = {},
) {
  const context = await browser.newContext({
    baseURL,
    javaScriptEnabled,
    locale,
    extraHTTPHeaders: headers,
    bypassCSP: a11y,
    viewport: viewport ?? { width: 1280, height: 800 },
    serviceWorkers: 'block',
  });
  context.setDefaultTimeout(ACTION_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT_MS);
  // Every server stays on loopback: a request anywhere else is aborted and
  // recorded, so a page that tries to load a remote asset fails its test.
  context.blockedRequests = [];
  await context.route(
    (url) => !isLocalUrl(url.toString()),
    (route) => {
      context.blockedRequests.push(route.request().url());
      return route.abort('blockedbyclient');
    },
  );
  return context;
}

/**
 * A new page in a new context (same options as `newContext`). Closing the
 * returned `close()` closes the context too.
 */
export async function newPage(browser, options = {}) {
  const context = await newContext(browser, options);
  const page = await context.newPage();
  const problems = watchPage(page);
  return { context, page, problems, close: () => context.close() };
}

/**
 * Another page in an existing context (e.g. one shared by several tests):
 * `{ page, problems, close }`; `close()` closes only the page.
 */
export async function openPage(context) {
  const page = await context.newPage();
  const problems = watchPage(page);
  return { page, problems, close: () => page.close() };
}

/**
 * Collect what goes wrong on a page: uncaught script errors, console errors
 * (which include CSP violations) and failed or 4xx/5xx subresource requests.
 * The main document is not counted (a 404 page is expected to be a 404).
 * Returns a live array of strings.
 */
export function watchPage(page) {
  const problems = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    // Chromium also logs a 4xx/5xx main document (e.g. the 404 page) as
    // "Failed to load resource"; that status is the test's to check.
    const where = msg.location()?.url;
    if (/^Failed to load resource/.test(msg.text()) && where && where === page.url()) return;
    problems.push(`console error: ${msg.text()}${where ? ` (${where})` : ''}`);
  });
  page.on('requestfailed', (req) => {
    const error = req.failure()?.errorText;
    // Leaving a page cancels its pending fetches (e.g. a type-ahead request
    // when the form is submitted): not a failure of the page.
    if (error === 'net::ERR_ABORTED' && ['fetch', 'xhr'].includes(req.resourceType())) return;
    // So does the browser's own fetch of the page's icon, which it makes last.
    if (error === 'net::ERR_ABORTED' && /^\/(static\/)?favicon(\.[0-9a-f]+)?\.(svg|ico)$/.test(new URL(req.url()).pathname)) {
      return;
    }
    problems.push(`request failed: ${req.url()} (${error})`);
  });
  page.on('response', (res) => {
    if (res.status() >= 400 && !res.request().isNavigationRequest()) {
      problems.push(`HTTP ${res.status()}: ${res.url()}`);
    }
  });
  return problems;
}

/** Navigate and return the main response, failing on a network error. */
export async function goto(page, url, { expectStatus } = {}) {
  const res = await page.goto(url, { waitUntil: 'load' });
  if (!res) throw new Error(`no response for ${url}`);
  if (expectStatus !== undefined && res.status() !== expectStatus) {
    throw new Error(`${url}: expected HTTP ${expectStatus}, got ${res.status()}`);
  }
  return res;
}

/** Click a link and wait for the navigation it starts to load. */
export async function followLink(page, link) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), link.click()]);
}

/**
 * Click a submit button (or anything that navigates) and wait for the new
 * document; returns the main response of the navigation (after redirects).
 */
export async function submitWith(page, button) {
  const [res] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), button.click()]);
  return res;
}

/** Press a key (e.g. Enter in a form) and wait for the navigation it starts. */
export async function pressAndWait(page, key) {
  const [res] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press(key)]);
  return res;
}

/** The visible text of the page's single `h1` (fails if there is not exactly one). */
export async function h1Text(page) {
  const h1 = page.locator('h1');
  const count = await h1.count();
  if (count !== 1) throw new Error(`expected exactly one h1 on ${page.url()}, found ${count}`);
  return (await h1.innerText()).trim();
}

/** Log a browser context in: give it the session cookie an `ApiClient` holds. */
export async function addSessionCookie(context, baseURL, cookieHeader) {
  const cookies = cookieHeader
    .split(/;\s*/)
    .filter(Boolean)
    .map((pair) => {
      const i = pair.indexOf('=');
      return { name: pair.slice(0, i), value: pair.slice(i + 1), url: baseURL };
    });
  await context.addCookies(cookies);
}
