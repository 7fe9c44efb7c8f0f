/**
 * `npm run bench [-- --full] [-- --interval 2000 --duration 16000 ...]`: status traffic of
 * vmcp-status against ToolHive v0.63.0's (a Go reproduction, bench/toolhive-baseline/)
 * on one kube-apiserver, plus the in-process pipeline; writes docs/BENCHMARKS.md.
 *
 * One run: one etcd + kube-apiserver on loopback (tools/cluster/control-plane.ts) with
 * this project's CRD and a ToolHive-shaped one (bench/fixtures/) in a group of its own;
 * for every subject of bench/subjects.ts, every timeline of bench/timelines.ts on one
 * VirtualMCPServer, then 100 VirtualMCPServers at once; then the pipeline benchmark in a
 * child process (its own heap). Method: bench/README.md. Asserts nothing; the targets
 * are judged in the report.
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
import { REAL_INTERVAL_MS, renderReport, type BenchReport } from './benchmarks-report.js';
import type { PipelineRow } from './measure-pipeline.js';
import { runSubject, type BenchContext, type RunResult } from './run-subject.js';
import { SUBJECTS } from './subjects.js';
import { TIMELINE_KINDS, buildTimeline } from './timelines.js';
import { buildToolhiveBaseline } from './toolhive-baseline.js';

/** ToolHive's CRD lives in this group here, beside the project's `toolhive.stacklok.dev`. */
const TOOLHIVE_FIXTURE_GROUP = 'bench.toolhive.stacklok.dev';

const { values } = parseArgs({
  options: {
    full: { type: 'boolean', default: false },
    interval: { type: 'string', default: '2000' },
    duration: { type: 'string' },
    'scale-duration': { type: 'string' },
    'scale-vmcps': { type: 'string', default: '100' },
    'scale-interval': { type: 'string', default: '6000' },
    'operator-write-interval': { type: 'string', default: '250' },
    seed: { type: 'string', default: '1' },
    only: { type: 'string', default: 'timelines,scale,pipeline' },
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
  // The default 5-minute refresh, compressed like the intervals.
  statusRefreshMs: Math.round(300_000 / (REAL_INTERVAL_MS / intervalMs)),
};
const sections = new Set(values.only.split(','));

function toolhiveCrd(): ManifestObject {
  const path = fileURLToPath(
    new URL('./fixtures/toolhive-virtualmcpservers.yaml', import.meta.url),
  );
  const crd = parse(readFileSync(path, 'utf8')) as ManifestObject & {
    spec: { group: string; names: { shortNames?: string[]; categories?: string[] } };
  };
  crd.metadata = { name: `virtualmcpservers.${TOOLHIVE_FIXTURE_GROUP}` };
  crd.spec.group = TOOLHIVE_FIXTURE_GROUP;
  // kubectl's `vmcp` keeps meaning the project's CRD.
  delete crd.spec.names.shortNames;
  delete crd.spec.names.categories;
  return crd;
}

function goVersion(): string {
  const goEnv = fileURLToPath(new URL('../tools/k8s/go-env.sh', import.meta.url));
  const result = spawnSync('bash', ['-c', '. "$1" && "$GO" version', '_', goEnv], {
    encoding: 'utf8',
  });
  return result.status === 0 ? result.stdout.trim() : 'unknown';
}

function runPipeline(): PipelineRow[] {
  const script = fileURLToPath(new URL('./pipeline-throughput.ts', import.meta.url));
  const result = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', script, '--json'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 16 * 2 ** 20,
  });
  if (result.status !== 0)
    throw new Error(`bench/pipeline-throughput.ts failed (exit ${String(result.status)})`);
  return JSON.parse(result.stdout.trim().split('\n').pop() ?? '[]') as PipelineRow[];
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
    if (sections.has('timelines')) {
      for (const kind of TIMELINE_KINDS) {
        const timeline = buildTimeline(kind, timelineOptions);
        for (const subject of SUBJECTS) {
          log(`${kind}: ${subject.label}`);
          timelines.push(
            await runSubject(ctx, subject, {
              name: kind,
              timelines: [timeline],
              intervalMs,
              durationMs: settings.durationMs,
              operator: 'writer',
              operatorWriteIntervalMs: settings.operatorWriteIntervalMs,
              statusRefreshMs: settings.statusRefreshMs,
            }),
          );
        }
      }
    }
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
    settings,
    timelines,
    scale,
    pipeline,
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
