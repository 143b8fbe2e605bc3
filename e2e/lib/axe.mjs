// Accessibility checks with axe-core (WCAG 2.0/2.1 A and AA, 2.2 AA).
//
// The page must come from a context made with `newContext(browser, { a11y: true })`:
// the portal's Content-Security-Policy forbids inline scripts, and axe is
// injected as one.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let axeSource;
function axeScript() {
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  return axeSource;
}

/** The WCAG tags every page must pass. No rule is ever disabled. */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** Run axe on the current document; returns axe's results object. */
export async function runAxe(page) {
  const present = await page.evaluate(() => typeof window.axe === 'object');
  if (!present) await page.addScriptTag({ content: axeScript() });
  return page.evaluate(
    (tags) =>
      window.axe.run(document, {
        runOnly: { type: 'tag', values: tags },
        resultTypes: ['violations'],
      }),
    WCAG_TAGS,
  );
}

/** A readable report of axe violations, one block per rule with its failing nodes. */
export function formatViolations(name, url, violations) {
  const lines = [`${violations.length} accessibility violation(s) on ${name} (${url}):`];
  for (const v of violations) {
    lines.push('', `- ${v.id} [${v.impact}] ${v.help}`, `  ${v.helpUrl}`);
    for (const node of v.nodes) {
      lines.push(`    target: ${node.target.join(' ')}`);
      lines.push(`      html: ${node.html.replace(/\s+/g, ' ').slice(0, 300)}`);
      if (node.failureSummary) {
        for (const s of node.failureSummary.split('\n')) lines.push(`      ${s.trim()}`);
      }
    }
  }
  return lines.join('\n');
}

/**
 * Assert that axe finds no WCAG violations on `page`. On failure, the error
 * (and stderr) lists each violation's id, impact, help and the failing nodes.
 */
export async function checkA11y(page, name) {
  const results = await runAxe(page);
  const { violations } = results;
  if (violations.length > 0) {
    const report = formatViolations(name, page.url(), violations);
    console.error(report);
    assert.fail(report);
  }
  return results;
}
