/**
 * `npm run api`: regenerates docs/api, the API reference, from the TSDoc of every
 * entry point (TypeDoc, typedoc.json). `npm run api -- --check` (part of `npm run
 * lint`) renders it into a temporary folder instead and fails when docs/api differs,
 * naming the files: the reference can never fall behind the code.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const committed = join(root, 'docs', 'api');
const check = process.argv.includes('--check');
const out = check ? mkdtempSync(join(tmpdir(), 'vmcp-api-')) : committed;

function files(dir: string): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (at: string): void => {
    for (const name of readdirSync(at)) {
      const path = join(at, name);
      if (statSync(path).isDirectory()) walk(path);
      else found.set(relative(dir, path), readFileSync(path, 'utf8'));
    }
  };
  try {
    walk(dir);
  } catch {
    // No folder: no files.
  }
  return found;
}

try {
  if (!check) rmSync(committed, { recursive: true, force: true });
  const typedoc = spawnSync(
    process.execPath,
    [join(root, 'node_modules', 'typedoc', 'bin', 'typedoc'), '--out', out],
    { cwd: root, encoding: 'utf8' },
  );
  process.stdout.write(typedoc.stdout);
  process.stderr.write(typedoc.stderr);
  if (typedoc.status !== 0) {
    console.error('api: typedoc failed');
    process.exitCode = 1;
  } else if (check) {
    const want = files(out);
    const have = files(committed);
    const stale = [...new Set([...want.keys(), ...have.keys()])]
      .filter((name) => want.get(name) !== have.get(name))
      .sort();
    if (stale.length > 0) {
      console.error(
        `docs/api is not what the TSDoc says (${stale.join(', ')}): run \`npm run api\` and commit docs/api`,
      );
      process.exitCode = 1;
    } else {
      console.log(`docs/api is current (${String(want.size)} files)`);
    }
  }
} finally {
  if (check) rmSync(out, { recursive: true, force: true });
}
