// Full-page screenshots, one per page type, for people to look at:
// `<repo>/target/e2e/<name>.png` (overwritten on every run).
import fsp from 'node:fs/promises';
import path from 'node:path';
import { SHOTS_DIR } from './paths.mjs';

/** Save a full-page screenshot of `page` as `target/e2e/<name>.png`; returns its path. */
export async function screenshot(page, name) {
  if (!/^[a-z0-9][a-z0-9._-]*$/i.test(name)) throw new Error(`bad screenshot name: ${name}`);
  await fsp.mkdir(SHOTS_DIR, { recursive: true });
  const file = path.join(SHOTS_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
  return file;
}
