// Paths shared by the harness: the e2e folder, the repository root and the
// places the harness reads (the portal binary) and writes (screenshots).
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The `e2e/` folder. */
export const E2E_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The repository root (the folder above `e2e/`). */
export const REPO_ROOT = path.resolve(E2E_DIR, '..');

/** The portal binary: `PORTAL_BIN`, else the debug build in `<repo>/target`. */
export function portalBin() {
  const fromEnv = process.env.PORTAL_BIN;
  if (fromEnv) return path.resolve(fromEnv);
  return path.join(REPO_ROOT, 'target', 'debug', 'city-portal');
}

/** Where screenshots go: `<repo>/target/e2e`. */
export const SHOTS_DIR = path.join(REPO_ROOT, 'target', 'e2e');
