// axe-core: no WCAG 2.x A/AA violations on each page type, in both languages.
import assert from 'node:assert/strict';
import test from 'node:test';
import { checkA11y } from '../lib/axe.mjs';
import { goto } from '../lib/browser.mjs';
import { htmlLang } from '../lib/expect.mjs';
import { screenshot } from '../lib/shots.mjs';
import { useSuite } from '../lib/suite.mjs';

const suite = useSuite();
const LANGS = ['de', 'en'];

/** How much of a listing page a listing fills: the richest page finds the most. */
function richness(l) {
  return (
    (l.opening_hours?.weekly?.length ? 4 : 0) +
    (l.opening_hours?.osm ? 1 : 0) +
    (l.contact?.phone ? 1 : 0) +
    (l.contact?.email ? 1 : 0) +
    (l.contact?.website ? 1 : 0) +
    (l.address ? 1 : 0) +
    (l.wheelchair ? 1 : 0) +
    (l.description?.de || l.description?.en ? 1 : 0) +
    (l.service ? 4 : 0)
  );
}

/** The page types to check, resolved once against the demo data. */
let pages;
async function pageTypes() {
  if (pages) return pages;
  const services = (await suite.api.listings({ kind: 'municipal_service', limit: 100 })).items;
  const businesses = (await suite.api.listings({ kind: 'business', limit: 100 })).items.filter((l) =>
    String(l.source ?? '').startsWith('osm:'),
  );
  assert.ok(services.length > 0, 'the demo city has municipal services');
  assert.ok(businesses.length > 0, 'the demo city has businesses imported from OpenStreetMap');
  const pick = (list) => list.reduce((best, l) => (richness(l) > richness(best) ? l : best));
  pages = [
    { name: 'home', path: '/', status: 200 },
    { name: 'service', path: `/listings/${pick(services).slug}`, status: 200 },
    { name: 'business', path: `/listings/${pick(businesses).slug}`, status: 200 },
    { name: 'not-found', path: '/listings/does-not-exist', status: 404 },
  ];
  return pages;
}

for (const lang of LANGS) {
  for (const name of ['home', 'service', 'business', 'not-found']) {
    test(`axe: no WCAG violations on the ${name} page (${lang})`, async () => {
      const spec = (await pageTypes()).find((p) => p.name === name);
      const { page, close } = await suite.page({
        a11y: true,
        locale: lang,
        headers: { 'Accept-Language': lang },
      });
      try {
        await goto(page, spec.path, { expectStatus: spec.status });
        assert.equal(await htmlLang(page), lang);
        if (lang === 'de' && (name === 'business' || name === 'not-found')) {
          await screenshot(page, name);
        }
        await checkA11y(page, `${name} page (${lang}) ${spec.path}`);
      } finally {
        await close();
      }
    });
  }
}
