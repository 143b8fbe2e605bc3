// The trust pages and the API docs: the footer of every page leads to the privacy page,
// the imprint and the accessibility statement, in German and English, with and without
// JavaScript; each page names its language versions; the favicon answers; and /docs
// draws Swagger UI's operation list under the portal's Content-Security-Policy, with
// no CSP violation or other problem in the console.
import assert from 'node:assert/strict';
import test from 'node:test';
import { followLink, goto, h1Text } from '../lib/browser.mjs';
import { assertNoProblems, htmlLang } from '../lib/expect.mjs';
import { msg } from '../lib/l10n.mjs';
import { useSuite } from '../lib/suite.mjs';

const suite = useSuite();

const TRUST_PAGES = [
  { path: '/privacy', title: 'privacy-title' },
  { path: '/impressum', title: 'impressum-title' },
  { path: '/accessibility', title: 'a11y-title' },
];

for (const javaScriptEnabled of [true, false]) {
  const how = javaScriptEnabled ? 'with' : 'without';
  test(`the footer leads to the privacy page, the imprint and the accessibility statement (de, en, ${how} JavaScript)`, async () => {
    for (const lang of ['de', 'en']) {
      const { page, context, problems, close } = await suite.page({
        locale: lang === 'en' ? 'en-GB' : 'de-DE',
        javaScriptEnabled,
      });
      try {
        for (const { path, title } of TRUST_PAGES) {
          await goto(page, `/?lang=${lang}`, { expectStatus: 200 });
          const link = page.locator(`footer a[href="${path}"]`);
          assert.equal(await link.count(), 1, `the footer links to ${path}`);
          await followLink(page, link);
          assert.equal(new URL(page.url()).pathname, path);
          assert.equal(await h1Text(page), msg(lang, title));
          assert.equal(await htmlLang(page), lang);
          assert.equal(
            await page.locator(`footer a[href="${path}"]`).getAttribute('aria-current'),
            'page',
            'the footer marks the page it is on',
          );
          // Its language versions, at addresses that choose the language.
          const alternates = {};
          for (const l of await page.locator('link[rel="alternate"][hreflang]').all()) {
            alternates[await l.getAttribute('hreflang')] = await l.getAttribute('href');
          }
          assert.deepEqual(Object.keys(alternates).sort(), ['de', 'en', 'x-default']);
          assert.equal(new URL(alternates.de).pathname, path);
          assert.equal(new URL(alternates.en).searchParams.get('lang'), 'en');
          assert.equal(new URL(alternates['x-default']).search, '');
          assert.equal(await page.locator('link[rel="canonical"]').getAttribute('href'), alternates[lang]);
          const description = await page.locator('meta[name="description"]').getAttribute('content');
          assert.ok(description && description.length > 20, `${path} describes itself: ${description}`);
        }
        const icon = await page.request.get('/favicon.ico');
        assert.equal(icon.status(), 200);
        assert.equal(icon.headers()['content-type'], 'image/x-icon');
        const svg = await page.locator('link[rel="icon"]').getAttribute('href');
        assert.equal((await page.request.get(svg)).status(), 200);
        assertNoProblems(problems, context, `trust pages (${lang}, ${how} JavaScript)`);
      } finally {
        await close();
      }
    }
  });
}

test('/docs draws the operation list under the Content-Security-Policy, with no console errors', async () => {
  const { page, context, problems, close } = await suite.page({ locale: 'en-GB' });
  try {
    const res = await goto(page, '/docs', { expectStatus: 200 });
    const csp = res.headers()['content-security-policy'];
    assert.match(csp, /script-src 'self';/, 'the pages\' policy, not a weaker one');
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.equal(await htmlLang(page), 'en');
    // Swagger UI draws one section per tag and one block per operation.
    await page.locator('.opblock-tag').first().waitFor({ timeout: 30_000 });
    const tags = (await page.locator('.opblock-tag').allInnerTexts()).map((t) => t.split('\n')[0].trim());
    for (const tag of ['Accounts', 'Booking', 'Listings']) {
      assert.ok(tags.includes(tag), `the tag ${tag} among ${tags.join(', ')}`);
    }
    assert.ok((await page.locator('.opblock').count()) >= 20, 'the operations are listed');
    const paths = await page.locator('.opblock-summary-path').allInnerTexts();
    assert.ok(
      paths.some((p) => p.replace(/\u200b/g, '').trim() === '/api/v1/bookings'),
      `the booking operations are listed: ${paths.slice(0, 5).join(', ')} …`,
    );
    assertNoProblems(problems, context, '/docs');
  } finally {
    await close();
  }
});

test('/docs without JavaScript links the OpenAPI document', async () => {
  const { page, context, problems, close } = await suite.page({ locale: 'en-GB', javaScriptEnabled: false });
  try {
    await goto(page, '/docs', { expectStatus: 200 });
    const link = page.locator('main a[href="/api/v1/openapi.json"]');
    assert.equal(await link.count(), 1);
    const doc = await page.request.get('/api/v1/openapi.json');
    assert.equal(doc.status(), 200);
    assert.equal((await doc.json()).info.title, 'City Portal API');
    assertNoProblems(problems, context, '/docs without JavaScript');
  } finally {
    await close();
  }
});
