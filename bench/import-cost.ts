/**
 * What importing each entry point of the built package costs a fresh process: modules
 * loaded (and how many of them are `@kubernetes/client-node`), wall-clock time from
 * spawn to exit, and resident memory, beside a bare Node start and `rxjs` alone (the
 * peer dependency every embedder already loads) measured in the same run. Prints a
 * table (or JSON with `--json`); asserts nothing. `npm run bench` puts it in
 * docs/BENCHMARKS.md and judges the goal there.
 *
 *   npm run build && npx tsx bench/import-cost.ts [-- --runs 15] [-- --json]
 *
 * Each row imports the entry by its package name (`vmcp-status/log`, resolved through
 * the package's own `exports`, as an embedder's import is) in a child process on the
 * pinned Node, with a module hook that records every module loaded, CommonJS included.
 * Times are the median of `--runs` processes, taken round-robin over the rows; the
 * goal for a log-only import (issue 24) is at most 300 modules and at most 4× a bare
 * start. `--entries a,b` measures those specifiers instead (the bare start always).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '15' },
    json: { type: 'boolean', default: false },
    entries: { type: 'string' },
  },
});
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) {
  console.error(`--runs: expected a whole number of at least 1, got ${values.runs}`);
  process.exit(2);
}

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = (await import(pathToFileURL(join(root, 'package.json')).href, {
  with: { type: 'json' },
})) as { default: { name: string; exports: Record<string, unknown> } };
const name = pkg.default.name;
/** The peer dependency, alone: what an embedder pays before importing this package. */
const PEER = 'rxjs';
const entries = values.entries?.split(',') ?? [
  PEER,
  ...Object.keys(pkg.default.exports)
    .filter((key) => key !== './package.json')
    .map((key) => (key === '.' ? name : `${name}/${key.slice(2)}`)),
];
if (!existsSync(join(root, 'dist'))) {
  console.error('import-cost: no dist/; run `npm run build` first');
  process.exit(2);
}

const scratch = mkdtempSync(join(tmpdir(), 'vmcp-import-cost-'));
const hook = join(scratch, 'count-modules.mjs');
// registerHooks (Node 22.15+, in-thread) sees every module load, import and require alike.
writeFileSync(
  hook,
  `import { registerHooks } from 'node:module';
const loaded = new Set();
registerHooks({
  load(url, context, next) {
    if (!url.startsWith('node:')) loaded.add(url);
    return next(url, context);
  },
});
process.on('exit', () => {
  const all = [...loaded];
  process.stderr.write('IMPORT-COST ' + JSON.stringify({
    modules: all.length,
    kubernetes: all.filter((u) => u.includes('/@kubernetes/')).length,
    rss: process.memoryUsage().rss,
  }) + '\\n');
});
`,
);

interface Sample {
  readonly ms: number;
  readonly modules: number;
  readonly kubernetes: number;
  readonly rssMiB: number;
}

function once(specifier: string | undefined): Sample {
  const code = specifier === undefined ? '' : `await import(${JSON.stringify(specifier)});`;
  const started = performance.now();
  const child = spawnSync(
    process.execPath,
    ['--import', pathToFileURL(hook).href, '--input-type=module', '-e', code],
    { cwd: root, encoding: 'utf8' },
  );
  const ms = performance.now() - started;
  const line = child.stderr.split('\n').find((l) => l.startsWith('IMPORT-COST '));
  if (child.status !== 0 || line === undefined) {
    throw new Error(`importing ${specifier ?? '(nothing)'} failed: ${child.stderr.slice(0, 2000)}`);
  }
  const counted = JSON.parse(line.slice('IMPORT-COST '.length)) as {
    modules: number;
    kubernetes: number;
    rss: number;
  };
  return { ms, ...counted, rssMiB: counted.rss / 2 ** 20 };
}

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? 0)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** One row of the table: an entry (or `(bare node)`, or `rxjs` alone) and what it cost. */
export interface ImportRow {
  readonly entry: string;
  readonly modules: number;
  readonly kubernetesModules: number;
  readonly ms: number;
  readonly rssMiB: number;
  readonly timeVsBare: number;
  readonly rssVsBare: number;
}

/**
 * Every specifier `runs` times, round-robin (one process of each, then the next round),
 * after one process of each to warm the file cache: a load that comes and goes on a
 * shared machine then weighs on every row alike, and the ratios to the bare start hold.
 */
function measure(
  specifiers: ReadonlyArray<string | undefined>,
): Array<Omit<ImportRow, 'timeVsBare' | 'rssVsBare'>> {
  for (const specifier of specifiers) once(specifier);
  const samples: Sample[][] = specifiers.map(() => []);
  for (let run = 0; run < runs; run++) {
    specifiers.forEach((specifier, i) => samples[i]?.push(once(specifier)));
  }
  return specifiers.map((specifier, i) => {
    const taken = samples[i] ?? [];
    const first = taken[0] as Sample;
    return {
      entry: specifier ?? '(bare node)',
      modules: first.modules,
      kubernetesModules: first.kubernetes,
      ms: Math.round(median(taken.map((s) => s.ms)) * 10) / 10,
      rssMiB: Math.round(median(taken.map((s) => s.rssMiB)) * 10) / 10,
    };
  });
}

try {
  const measured = measure([undefined, ...entries]);
  const bare = measured[0] as (typeof measured)[number];
  const rows: ImportRow[] = measured.map((row) => ({
    ...row,
    timeVsBare: Math.round((row.ms / bare.ms) * 100) / 100,
    rssVsBare: Math.round((row.rssMiB / bare.rssMiB) * 100) / 100,
  }));
  if (values.json) console.log(JSON.stringify(rows));
  else {
    console.log(`Import cost, median of ${String(runs)} processes, Node ${process.version}`);
    console.table(rows);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
