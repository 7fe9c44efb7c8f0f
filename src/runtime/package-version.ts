import { readFileSync } from 'node:fs';

let version: string | undefined;

/** This package's version, read once from its `package.json` (from `src/` and `dist/` alike). */
export function packageVersion(): string {
  if (version === undefined) {
    const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
    version = (JSON.parse(text) as { version: string }).version;
  }
  return version;
}
