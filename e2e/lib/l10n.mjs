// The portal's own texts, read from every `frontend/locales/<lang>/*.ftl` (the interface
// and each capability's errors), so that scenarios check the words the pages should show
// without copying them.
// Only simple one-line messages are supported (`key = text with { $var }`).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './paths.mjs';

const cache = new Map();

function messages(lang) {
  if (!cache.has(lang)) {
    const dir = path.join(REPO_ROOT, 'frontend', 'locales', lang);
    const map = new Map();
    for (const name of readdirSync(dir).filter((f) => f.endsWith('.ftl')).sort()) {
      for (const line of readFileSync(path.join(dir, name), 'utf8').split('\n')) {
        const m = /^([a-z][a-z0-9_-]*)\s*=\s*(.*\S)\s*$/i.exec(line);
        if (m) map.set(m[1], m[2]);
      }
    }
    cache.set(lang, map);
  }
  return cache.get(lang);
}

/** The message `key` in `lang` (`de` or `en`) with `{ $var }` placeables filled from `args`. */
export function msg(lang, key, args = {}) {
  const text = messages(lang).get(key);
  if (text === undefined) throw new Error(`no one-line message ${key} in frontend/locales/${lang}/*.ftl`);
  return text.replace(/\{\s*\$([a-z_][a-z0-9_-]*)\s*\}/gi, (_, name) => {
    if (!(name in args)) throw new Error(`message ${key} needs $${name}`);
    return String(args[name]);
  });
}
