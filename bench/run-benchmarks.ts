/**
 * `npm run bench [-- --full] [-- --interval 2000 --duration 16000 ...]`: status traffic of
 * vmcp-status against ToolHive v0.63.0's (a Go reproduction, bench/toolhive-baseline/)
 * on one kube-apiserver, latency against its floor, the in-process pipeline and the
 * import cost; writes docs/BENCHMARKS.md.
 *
 * One run: one etcd + kube-apiserver on loopback (tools/cluster/control-plane.ts) with
 * this project's CRD and a ToolHive-shaped one (bench/fixtures/) in a group of its own;
 * half the latency floor (bare server-side applies), then for every subject of
 * bench/subjects.ts the isolated timeline (on as few staggered VirtualMCPServers as give
 * enough latency samples), the urgent lane at a real report interval, the
 * floor's other half, every other timeline of bench/timelines.ts on one
 * VirtualMCPServer, then 100 VirtualMCPServers at once; then, the apiserver
 * stopped, the pipeline benchmark and the import cost (bench/import-cost.ts, of the
 * built package: `npm run bench` builds first), each in a child process. Method:
 * bench/README.md. Asserts nothing; the targets are judged in the report.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release, totalmem, type as osType } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { VersionApi } from '@kubernetes/client-node';
import { format, resolveConfig } from 'prettier';
import { parse } from 'yaml';
import { DEFAULT_API_VERSION } from '../src/apply/vmcp-resource.js';
import { ControlPlane } from '../tools/cluster/control-plane.js';
import { installCrd, readCrd } from '../tools/cluster/install-crd.js';
import type { ManifestObject } from '../tools/cluster/manifests.js';
import {
  MIN_LATENCY_SAMPLES,
  REAL_INTERVAL_MS,
  quantile,
  renderReport,
  type BenchReport,
} from './benchmarks-report.js';
import type { ImportRow } from './import-cost.js';
import { joinSamples, measureFloor, type LatencySamples } from './latency-floor.js';
import type { PipelineRow } from './measure-pipeline.js';
import { runSubject, type BenchContext, type RunResult } from './run-subject.js';
import { SUBJECTS } from './subjects.js';
import {
  ISOLATED_SPACING_INTERVALS,
  TIMELINE_KINDS,
  buildTimeline,
  type Timeline,
  type TimelineOptions,
} from './timelines.js';
import { measureUrgentLane, type UrgentLaneSamples } from './urgent-lane.js';
import { buildToolhiveBaseline } from './toolhive-baseline.js';

/** ToolHive's CRD, in its own group beside the project's `vmcp-status.dev`. */
const TOOLHIVE_FIXTURE_GROUP = 'toolhive.stacklok.dev';

const { values } = parseArgs({
  options: {
    full: { type: 'boolean', default: false },
    interval: { type: 'string', default: '2000' },
    duration: { type: 'string' },
    'scale-duration': { type: 'string' },
    'scale-vmcps': { type: 'string', default: '100' },
    'scale-interval': { type: 'string', default: '6000' },
    'operator-write-interval': { type: 'string', default: '250' },
    'isolated-duration': { type: 'string' },
    'latency-samples': { type: 'string' },
    'urgent-interval': { type: 'string', default: '30000' },
    'import-runs': { type: 'string' },
    seed: { type: 'string', default: '1' },
    only: { type: 'string', default: 'timelines,latency,scale,pipeline,imports' },
    output: {
      type: 'string',
      default: fileURLToPath(new URL('../docs/BENCHMARKS.md', import.meta.url)),
    },
  },
});

function wholeNumber(
  flag: string,
  text: string | undefined,
  fallback: number,
  min: number,
): number {
  const n = text === undefined ? fallback : Number(text);
  if (!Number.isInteger(n) || n < min) {
    console.error(
      `--${flag}: expected a whole number of at least ${String(min)}, got ${String(text)}`,
    );
    process.exit(2);
  }
  return n;
}

const full = values.full;
const intervalMs = wholeNumber('interval', values.interval, 2000, 100);
const scaleIntervalMs = wholeNumber('scale-interval', values['scale-interval'], 6000, 100);
const settings = {
  mode: full ? ('full' as const) : ('quick' as const),
  intervalMs,
  compression: REAL_INTERVAL_MS / intervalMs,
  durationMs: wholeNumber('duration', values.duration, full ? 120_000 : 16_000, intervalMs),
  scaleDurationMs: wholeNumber(
    'scale-duration',
    values['scale-duration'],
    full ? 120_000 : 24_000,
    scaleIntervalMs,
  ),
  scaleIntervalMs,
  scaleCompression: REAL_INTERVAL_MS / scaleIntervalMs,
  scaleVmcps: wholeNumber('scale-vmcps', values['scale-vmcps'], 100, 1),
  operatorWriteIntervalMs: wholeNumber(
    'operator-write-interval',
    values['operator-write-interval'],
    250,
    10,
  ),
  seed: wholeNumber('seed', values.seed, 1, 0),
  // The isolated timeline lasts longer than the others (each change needs its own
  // pacing window), and replays on as many staggered objects as give enough samples.
  isolatedDurationMs: wholeNumber(
    'isolated-duration',
    values['isolated-duration'],
    full ? 120_000 : 24_000,
    intervalMs,
  ),
  latencySamples: wholeNumber('latency-samples', values['latency-samples'], full ? 100 : 36, 1),
  // Never compressed: the point is that a phase change does not wait for it.
  urgentIntervalMs: wholeNumber('urgent-interval', values['urgent-interval'], 30_000, 100),
  importRuns: wholeNumber('import-runs', values['import-runs'], full ? 31 : 11, 1),
  // The default 5-minute refresh, compressed like the intervals.
  statusRefreshMs: Math.round(300_000 / (REAL_INTERVAL_MS / intervalMs)),
};

const sections = new Set(values.only.split(','));

function toolhiveCrd(): ManifestObject {
  const path = fileURLToPath(
    new URL('./fixtures/toolhive-virtualmcpservers.yaml', import.meta.url),
  );
  // Its own group and short name (vmcp; the project's is vmcpst): the two live side by side.
  return parse(readFileSync(path, 'utf8')) as ManifestObject;
}

function goVersion(): string {
  const goEnv = fileURLToPath(new URL('../tools/k8s/go-env.sh', import.meta.url));
  const result = spawnSync('bash', ['-c', '. "$1" && "$GO" version', '_', goEnv], {
    encoding: 'utf8',
  });
  return result.status === 0 ? result.stdout.trim() : 'unknown';
}

/**
 * The `isolated` timeline on as few VirtualMCPServers as give at least
 * {@link MIN_LATENCY_SAMPLES} changes in all, their changes staggered evenly over one
 * spacing so that no two objects change together.
 */
function isolatedTimelines(options: TimelineOptions): Timeline[] {
  const spacingMs = ISOLATED_SPACING_INTERVALS * options.intervalMs;
  for (let objects = 1; ; objects++) {
    const timelines = Array.from({ length: objects }, (_, i) =>
      buildTimeline('isolated', { ...options, changeOffsetMs: (i * spacingMs) / objects }),
    );
    const changes = timelines.reduce((n, t) => n + t.changes.length, 0);
    if (changes >= MIN_LATENCY_SAMPLES || objects >= MIN_LATENCY_SAMPLES) return timelines;
  }
}

/** Runs a bench script in a child process on this Node and parses the last line it prints as JSON. */
function runJsonChild(
  script: string,
  args: readonly string[],
  nodeOptions: string[] = [],
): unknown {
  const path = fileURLToPath(new URL(script, import.meta.url));
  const result = spawnSync(process.execPath, [...nodeOptions, '--import', 'tsx', path, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 16 * 2 ** 20,
  });
  if (result.status !== 0)
    throw new Error(`bench/${script.slice(2)} failed (exit ${String(result.status)})`);
  return JSON.parse(result.stdout.trim().split('\n').pop() ?? 'null');
}

function runPipeline(): PipelineRow[] {
  return runJsonChild('./pipeline-throughput.ts', ['--json'], ['--expose-gc']) as PipelineRow[];
}

/** bench/import-cost.ts on the built package (dist/), with `rxjs` alone as a row. */
function runImportCost(): ImportRow[] {
  return runJsonChild('./import-cost.ts', [
    '--json',
    '--runs',
    String(settings.importRuns),
  ]) as ImportRow[];
}

/** One line on stderr per latency measurement, so a run shows its numbers as it goes. */
function latencyLine(what: string, samples: LatencySamples): string {
  const [p50, p95] = [0.5, 0.95].map((q) => quantile(samples.latenciesMs, q).toFixed(1));
  return `${what}: p50 ${String(p50)} ms, p95 ${String(p95)} ms over ${String(samples.latenciesMs.length)} (${String(samples.unseen)} unseen)`;
}

async function main(): Promise<void> {
  const started = Date.now();
  const log = (message: string): void => {
    console.error(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}`);
  };
  const baselineBinary = buildToolhiveBaseline();
  const loadAtStart = loadavg();
  log('starting etcd + kube-apiserver on loopback');
  const plane = await ControlPlane.start();
  const timelines: RunResult[] = [];
  const scale: RunResult[] = [];
  let floor: LatencySamples | undefined;
  let urgent: UrgentLaneSamples | undefined;
  let isolatedVmcps = 0;
  let apiserverVersion: string;
  try {
    const admin = plane.adminKubeConfig();
    await installCrd(admin, readCrd());
    await installCrd(admin, toolhiveCrd());
    apiserverVersion = (await admin.makeApiClient(VersionApi).getCode()).gitVersion;
    const ctx: BenchContext = {
      plane,
      admin,
      apiVersions: { project: DEFAULT_API_VERSION, toolhive: `${TOOLHIVE_FIXTURE_GROUP}/v1beta1` },
      baselineBinary,
    };
    const timelineOptions = {
      intervalMs,
      durationMs: settings.durationMs,
      compression: settings.compression,
      seed: settings.seed,
    };
    const latency = {
      apiVersion: ctx.apiVersions.project,
      samples: settings.latencySamples,
      operatorWriteIntervalMs: settings.operatorWriteIntervalMs,
    };
    // The floor in two halves, right before the isolated timeline and right after the
    // urgent lane: it spans the stretch of the run the rows it is compared with ran in.
    const floorHalves: LatencySamples[] = [];
    const measureFloorHalf = async (): Promise<void> => {
      const half = floorHalves.length + 1;
      const samples = half === 1 ? Math.ceil(latency.samples / 2) : Math.floor(latency.samples / 2);
      log(`latency floor, half ${String(half)}: ${String(samples)} bare server-side applies`);
      const part = await measureFloor(admin, {
        ...latency,
        samples,
        namespace: `latency-floor-${String(half)}`,
      });
      floorHalves.push(part);
      log(latencyLine(`floor, half ${String(half)}`, part));
    };
    const measureUrgent = async (): Promise<void> => {
      log(
        `urgent lane: ${String(latency.samples)} phase changes right after a detail change, interval ${String(settings.urgentIntervalMs)} ms`,
      );
      urgent = await measureUrgentLane(admin, {
        ...latency,
        namespace: 'latency-urgent',
        reportIntervalMs: settings.urgentIntervalMs,
        // The default refresh (5 minutes) at this real interval.
        statusRefreshMs: 300_000,
      });
      log(latencyLine('urgent lane', urgent));
      await measureFloorHalf();
      floor = joinSamples(floorHalves);
      log(latencyLine('floor, both halves', floor));
    };
    if (sections.has('latency')) await measureFloorHalf();
    if (sections.has('timelines')) {
      // The isolated changes right after the floor they are compared with.
      const kinds = ['isolated', ...TIMELINE_KINDS.filter((k) => k !== 'isolated')] as const;
      for (const kind of kinds) {
        const isolated = kind === 'isolated';
        const durationMs = isolated ? settings.isolatedDurationMs : settings.durationMs;
        const perObject = isolated
          ? isolatedTimelines({ ...timelineOptions, durationMs })
          : [buildTimeline(kind, timelineOptions)];
        if (isolated) isolatedVmcps = perObject.length;
        for (const subject of SUBJECTS) {
          log(`${kind}: ${subject.label}`);
          const run = await runSubject(ctx, subject, {
            name: kind,
            timelines: perObject,
            intervalMs,
            durationMs,
            operator: 'writer',
            operatorWriteIntervalMs: settings.operatorWriteIntervalMs,
            statusRefreshMs: settings.statusRefreshMs,
          });
          timelines.push(run);
          if (isolated) log(latencyLine(`${kind}, ${subject.label}`, { ...run, bodyBytes: 0 }));
        }
        if (isolated && sections.has('latency')) await measureUrgent();
      }
    } else if (sections.has('latency')) await measureUrgent();
    if (sections.has('scale')) {
      const perObject = Array.from({ length: settings.scaleVmcps }, (_, i) =>
        buildTimeline('random', {
          ...timelineOptions,
          intervalMs: scaleIntervalMs,
          compression: settings.scaleCompression,
          durationMs: settings.scaleDurationMs,
          seed: settings.seed * 1000 + i,
          randomBackends: 10,
        }),
      );
      for (const subject of SUBJECTS) {
        log(`scale (${String(settings.scaleVmcps)} VirtualMCPServers): ${subject.label}`);
        scale.push(
          await runSubject(ctx, subject, {
            name: 'scale',
            timelines: perObject,
            intervalMs: scaleIntervalMs,
            durationMs: settings.scaleDurationMs,
            operator: 'real',
            operatorWriteIntervalMs: settings.operatorWriteIntervalMs,
            statusRefreshMs: Math.round(300_000 / settings.scaleCompression),
          }),
        );
      }
    }
  } finally {
    await plane.stop();
  }
  let pipeline: PipelineRow[] = [];
  if (sections.has('pipeline')) {
    log('pipeline (child process)');
    pipeline = runPipeline();
  }
  let imports: ImportRow[] = [];
  if (sections.has('imports')) {
    log('import cost (child processes, of dist/)');
    imports = runImportCost();
  }
  const cpu = cpus()[0]?.model ?? 'unknown';
  const report: BenchReport = {
    command: [
      'npm run bench',
      ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : []),
    ].join(' '),
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    machine: {
      CPU: `${String(availableParallelism())} cores (${cpu})`,
      Memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
      Kernel: `${osType()} ${release()}`,
      Node: process.version,
      Go: goVersion(),
      'kube-apiserver': apiserverVersion,
      'Load average (1 min) at start / end': `${loadAtStart[0]?.toFixed(2) ?? '?'} / ${loadavg()[0]?.toFixed(2) ?? '?'} (the machine is shared: other work runs beside the benchmark)`,
    },
    settings: { ...settings, isolatedVmcps },
    timelines,
    scale,
    latency: { floor, urgent },
    pipeline,
    imports,
  };
  const text = renderReport(report);
  const formatted = await format(text, {
    ...(await resolveConfig(values.output)),
    filepath: values.output,
  });
  writeFileSync(values.output, formatted);
  log(`wrote ${values.output}`);
  const failures = [...timelines, ...scale].flatMap((r) => r.errors);
  if (failures.length > 0)
    console.error(`errors during the run:\n${failures.slice(0, 10).join('\n')}`);
}

await main();
