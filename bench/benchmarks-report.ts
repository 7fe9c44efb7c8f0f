import { URGENT_LANE_DEFAULTS } from '../src/reactive/pace-with-urgent-lane.js';
import type { ImportRow } from './import-cost.js';
import type { LatencySamples } from './latency-floor.js';
import type { PipelineRow } from './measure-pipeline.js';
import type { RunResult } from './run-subject.js';
import { OURS, SUBJECTS, TOOLHIVE } from './subjects.js';
import { ISOLATED_SPACING_INTERVALS, TIMELINE_KINDS, type TimelineKind } from './timelines.js';
import type { UrgentLaneSamples } from './urgent-lane.js';

/** Every latency row needs at least this many samples to be judged. */
export const MIN_LATENCY_SAMPLES = 30;
/** Our p50 change-to-visible latency may be at most this many times the floor's p50. */
export const FLOOR_RATIO_LIMIT = 1.5;
/** The log-only entries the import goal is about, and the goal. */
export const LOG_ONLY_ENTRIES = ['vmcp-status', 'vmcp-status/log'] as const;
export const IMPORT_GOAL = { maxModules: 300, maxTimeVsBare: 4 } as const;

/** Everything one `npm run bench` measured, and how. */
export interface BenchReport {
  readonly command: string;
  readonly date: string;
  readonly machine: Readonly<Record<string, string>>;
  readonly settings: {
    readonly mode: 'quick' | 'full';
    readonly intervalMs: number;
    readonly compression: number;
    readonly durationMs: number;
    readonly scaleDurationMs: number;
    readonly scaleVmcps: number;
    readonly scaleIntervalMs: number;
    readonly scaleCompression: number;
    readonly operatorWriteIntervalMs: number;
    readonly seed: number;
    /** The reporter's periodic refresh, when it has one; steady-state writes allowed by it. */
    readonly statusRefreshMs: number | undefined;
    /** How long the isolated timeline replays, and on how many staggered objects. */
    readonly isolatedDurationMs: number;
    readonly isolatedVmcps: number;
    /** Samples asked of the floor and the urgent lane. */
    readonly latencySamples: number;
    /** Processes per import-cost row (the median is shown). */
    readonly importRuns: number;
  };
  readonly timelines: readonly RunResult[];
  readonly scale: readonly RunResult[];
  /** The floor (bare server-side applies) and the urgent lane, when measured. */
  readonly latency: {
    readonly floor?: LatencySamples | undefined;
    readonly urgent?: UrgentLaneSamples | undefined;
  };
  readonly pipeline: readonly PipelineRow[];
  readonly imports: readonly ImportRow[];
}

/** One target of issue 15, judged on the numbers. */
export interface TargetResult {
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
}

/** Nearest-rank quantile of sorted samples (NaN when there are none). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
}

/** ToolHive's default statusReportingInterval: what compressed intervals stand for. */
export const REAL_INTERVAL_MS = 30_000;

/** A run's length in real (uncompressed) minutes. */
export function realMinutes(run: RunResult): number {
  return (run.windowMs * (REAL_INTERVAL_MS / run.intervalMs)) / 60_000;
}

/** Runtime writes per real (uncompressed) minute, per VirtualMCPServer. */
export function writesPerMinute(run: RunResult): number {
  return run.runtimeWrites / run.vmcps / realMinutes(run);
}

/**
 * docs/embedding.md's budget as a rate over `minutes`: paced reports at most
 * 60 / interval a minute plus one, and the urgent lane's token bucket at most its
 * burst plus one token per refill (the report interval).
 */
export function flappingWriteBudget(intervalSeconds: number, minutes: number): number {
  const perMinute = 60 / intervalSeconds + 60 / intervalSeconds;
  return perMinute + (1 + URGENT_LANE_DEFAULTS.burst) / minutes;
}

/** Judges every target on the report's numbers. */
export function evaluateTargets(report: BenchReport): TargetResult[] {
  const { settings } = report;
  const find = (runs: readonly RunResult[], subject: string, workload: string) =>
    runs.find((r) => r.subject.id === subject && r.workload === workload);
  const targets: TargetResult[] = [];

  const steady = find(report.timelines, OURS, 'steady');
  if (steady !== undefined) {
    const allowed =
      settings.statusRefreshMs === undefined
        ? 0
        : Math.floor(steady.durationMs / settings.statusRefreshMs);
    targets.push({
      target:
        'Steady state sends no writes apart from the status refresh' +
        (settings.statusRefreshMs === undefined
          ? ' (no refresh in the reporter yet: 0 allowed)'
          : ''),
      measured: `${String(steady.runtimeWrites)} runtime writes in ${seconds(steady.durationMs)} (${String(allowed)} allowed)`,
      met: steady.runtimeWrites <= allowed,
    });
  }

  const intervalSeconds = (settings.intervalMs * settings.compression) / 1000;
  const changing = [...report.timelines, ...report.scale].filter(
    (r) => r.subject.id === OURS && r.workload !== 'steady',
  );
  if (changing.length > 0) {
    const budget = (run: RunResult) => flappingWriteBudget(intervalSeconds, realMinutes(run));
    const worst = changing.reduce((a, b) =>
      writesPerMinute(b) / budget(b) > writesPerMinute(a) / budget(a) ? b : a,
    );
    const rate = writesPerMinute(worst);
    const limit = budget(worst);
    targets.push({
      target:
        `Writes per minute under any flapping at most the paced 60 / interval plus the urgent lane's ` +
        `60 / refill, plus (1 + burst ${String(URGENT_LANE_DEFAULTS.burst)}) once per run: ` +
        `${fixed(limit, 2)} over ${fixed(realMinutes(worst), 1)} real minutes (interval and refill ${String(intervalSeconds)} s)`,
      measured: `at most ${fixed(rate, 2)} per vMCP per real minute (${worst.workload})`,
      met: rate <= limit,
    });
  }

  const { floor, urgent } = report.latency;
  const isolated = find(report.timelines, OURS, 'isolated');
  if (isolated !== undefined && floor !== undefined) {
    targets.push(
      againstFloor(
        'p50 change-to-visible latency of an isolated change',
        isolated.latenciesMs,
        floor.latenciesMs,
      ),
    );
  }
  if (urgent !== undefined && floor !== undefined) {
    targets.push(
      againstFloor(
        `p50 change-to-visible latency of a phase change right after a detail change (report interval ${seconds(urgent.reportIntervalMs)}, not compressed)`,
        urgent.latenciesMs,
        floor.latenciesMs,
      ),
    );
  }

  const at1k = report.pipeline.find((r) => r.pipeline === 'reactive' && r.backends === 1000);
  if (at1k !== undefined) {
    targets.push({
      target: 'At least 200k health events per second with 1k backends',
      measured: `${thousands(at1k.eventsPerSecond)} events/s (${String(at1k.nsPerEvent)} ns/event)`,
      met: at1k.eventsPerSecond >= 200_000,
    });
  }
  const at10k = report.pipeline.find((r) => r.pipeline === 'reactive' && r.backends === 10_000);
  if (at10k !== undefined) {
    targets.push({
      target: 'Heap under 64 MB with 10k backends',
      measured: `${fixed(at10k.processHeapMiB, 1)} MiB used heap of the whole process (${fixed(at10k.heapMiB, 1)} MiB held by the pipeline)`,
      met: at10k.processHeapMiB * 2 ** 20 < 64e6,
    });
  }

  const logOnly = LOG_ONLY_ENTRIES.map((entry) => report.imports.find((r) => r.entry === entry));
  const bare = report.imports.find((r) => r.entry === BARE_NODE);
  if (bare !== undefined && logOnly.every((r) => r !== undefined)) {
    targets.push({
      target: `A log-only import (${LOG_ONLY_ENTRIES.map((e) => `\`${e}\``).join(', ')}) loads at most ${String(IMPORT_GOAL.maxModules)} modules and takes at most ${String(IMPORT_GOAL.maxTimeVsBare)}× a bare Node start`,
      measured:
        logOnly
          .map(
            (r) =>
              `${r.entry}: ${String(r.modules)} modules, ${fixed(r.ms, 1)} ms = ${fixed(r.timeVsBare, 2)}×`,
          )
          .join('; ') + ` (bare Node ${fixed(bare.ms, 1)} ms)`,
      met: logOnly.every(
        (r) => r.modules <= IMPORT_GOAL.maxModules && r.timeVsBare <= IMPORT_GOAL.maxTimeVsBare,
      ),
    });
  }

  const workloads = [...TIMELINE_KINDS, 'scale'];
  const pairs = workloads.flatMap((workload) => {
    const runs = workload === 'scale' ? report.scale : report.timelines;
    const ours = find(runs, OURS, workload);
    const theirs = find(runs, TOOLHIVE, workload);
    return ours !== undefined && theirs !== undefined ? [{ workload, ours, theirs }] : [];
  });
  if (pairs.length > 0) {
    const fewer = pairs.filter(
      (p) =>
        p.ours.requests.total < p.theirs.requests.total && p.ours.etcdWrites < p.theirs.etcdWrites,
    );
    targets.push({
      target: 'Fewer requests and fewer etcd writes than ToolHive in every timeline',
      measured: pairs
        .map(
          (p) =>
            `${p.workload}: ${String(p.ours.requests.total)} vs ${String(p.theirs.requests.total)} requests, ${String(p.ours.etcdWrites)} vs ${String(p.theirs.etcdWrites)} writes`,
        )
        .join('; '),
      met: fewer.length === pairs.length,
    });
  }
  return targets;
}

/** The row bench/import-cost.ts measures a bare Node start in. */
const BARE_NODE = '(bare node)';

/** Judges `ours` against the floor: p50 at most {@link FLOOR_RATIO_LIMIT}× the floor's, enough samples on both sides. */
function againstFloor(
  what: string,
  ours: readonly number[],
  floor: readonly number[],
): TargetResult {
  const ratio = quantile(ours, 0.5) / quantile(floor, 0.5);
  const enough = ours.length >= MIN_LATENCY_SAMPLES && floor.length >= MIN_LATENCY_SAMPLES;
  return {
    target: `${what} at most ${String(FLOOR_RATIO_LIMIT)}× the floor’s p50 (a bare server-side apply to the watch event), at least ${String(MIN_LATENCY_SAMPLES)} samples each`,
    measured:
      `p50 ${fixed(quantile(ours, 0.5), 1)} ms, p95 ${fixed(quantile(ours, 0.95), 1)} ms over ${String(ours.length)}; ` +
      `floor p50 ${fixed(quantile(floor, 0.5), 1)} ms, p95 ${fixed(quantile(floor, 0.95), 1)} ms over ${String(floor.length)}: ` +
      `${fixed(ratio, 2)}×${enough ? '' : ' (too few samples to judge)'}`,
    met: enough && ratio <= FLOOR_RATIO_LIMIT,
  };
}

/** The whole of docs/BENCHMARKS.md (unformatted; the runner passes it through prettier). */
export function renderReport(report: BenchReport): string {
  const { settings } = report;
  const realInterval = (settings.intervalMs * settings.compression) / 1000;
  const lines: string[] = [
    '# Benchmarks',
    '',
    '<!-- Generated by `npm run bench` (bench/run-benchmarks.ts): do not edit by hand. -->',
    '',
    'Status traffic of vmcp-status against ToolHive v0.63.0 on one kube-apiserver, in one run.',
    'ToolHive’s side is a reproduction of its call sequence in Go with the client libraries it',
    'pins, not its own code (its packages do not compile here); [bench/README.md](../bench/README.md)',
    'says how it was made, which ToolHive files it follows, and how everything is measured.',
    '',
    '## Run',
    '',
    `- Command: \`${report.command}\` (${settings.mode} mode)`,
    `- Date: ${report.date}`,
    ...Object.entries(report.machine).map(([k, v]) => `- ${k}: ${v}`),
    '',
    '**Time is compressed** ' +
      `${String(settings.compression)}×: the report interval (ToolHive’s \`statusReportingInterval\` and ours alike) and every backend’s probe interval are ` +
      `${String(settings.intervalMs)} ms of wall-clock time, standing for ToolHive’s default ${String(realInterval)} s; the timelines are compressed alike ` +
      `(a flap “every 2 s” comes every ${fixed(2000 / settings.compression, 0)} ms). Each timeline replays for ${seconds(settings.durationMs)} ` +
      `(${fixed((settings.durationMs * settings.compression) / 60_000, 1)} real minutes) on one VirtualMCPServer, except the isolated one: ${seconds(settings.isolatedDurationMs)} ` +
      `on ${String(settings.isolatedVmcps)} (each of its changes needs a pacing window of its own, and at least ${String(MIN_LATENCY_SAMPLES)} are timed); the scale run has ` +
      `${String(settings.scaleVmcps)} VirtualMCPServers for ${seconds(settings.scaleDurationMs)}, compressed less (see there). Counts are over the measured window: from snapshots taken just before the replay to snapshots taken as it ends (startup excluded; rates divide by the measured window, a little longer than the replay when the machine is busy). ` +
      'Latencies are wall-clock: ours are API round trips, which compression does not shorten; ToolHive’s are mostly the wait for its next tick, ' +
      `${String(settings.compression)}× longer at its real cadence. In the timeline runs an operator also writes one of its own conditions on the object every ` +
      `${String(settings.operatorWriteIntervalMs)} ms (ours: its server-side apply as \`vmcp-operator\`; ToolHive: its merge patch), so that 409s can happen.`,
    '',
    '## Targets',
    '',
    '| Target | Measured | Met |',
    '| --- | --- | --- |',
    ...evaluateTargets(report).map(
      (t) => `| ${t.target} | ${t.measured} | ${t.met ? 'yes' : '**no**'} |`,
    ),
    '',
    ...latencySection(report),
  ];
  if (report.timelines.length > 0) {
    lines.push(
      '## Status traffic per timeline',
      '',
      'Requests are kube-apiserver’s own `apiserver_request_total` for the resource (every client: runtime, operator, the benchmark’s watch), ' +
        'by verb (`APPLY` is a server-side apply, `PUT` an update, `PATCH` a merge patch; `/status` the status subresource; long-running watches count when they end). ' +
        'etcd writes are new resourceVersions seen by a watch. Runtime writes per minute are per real minute. ' +
        'Latency: from a backend’s health change entering the runtime to a watch seeing the new backend status at the top level of `status`, ' +
        'where `kubectl` reads it (for ToolHive, after its operator’s projection). Only changes that were ever shown have a latency; superseded ones ' +
        '(undone by the backend’s next change before any write showed them) do not, so under flapping the latency column flatters whoever shows fewer changes: ' +
        'read it with the shown/superseded counts and with Stale, the share of backend-time the top-level status showed a backend otherwise than the runtime knew it (sampled every 5 ms). ' +
        '“Without the operator’s own” leaves out the operator’s periodic condition writes, the same number on both sides; they also cost one etcd write each.',
      '',
    );
  }
  const timelineText: Record<TimelineKind, string> = {
    steady: '10 healthy backends, probes only',
    isolated: `10 backends; one changes every ${String(ISOLATED_SPACING_INTERVALS)} intervals${settings.isolatedVmcps > 1 ? ` (${String(settings.isolatedVmcps)} VirtualMCPServers, their changes staggered)` : ''}`,
    flapping: '10 backends; one flaps every 2 s (real time)',
    random: '100 backends changing at random (seeded)',
  };
  for (const kind of TIMELINE_KINDS) {
    const runs = orderBySubject(report.timelines.filter((r) => r.workload === kind));
    if (runs.length === 0) continue;
    lines.push(
      `### ${kind}: ${timelineText[kind]}`,
      '',
      '| Subject | Requests by verb | Requests | without the operator’s own | etcd writes | Runtime writes | per min | Operator writes | 409s | Latency p50 / p95 / max ms | Shown / superseded / changes | Stale |',
      '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: |',
      ...runs.map(
        (r) =>
          `| ${r.subject.label} | ${verbs(r.requests.byVerb)} | ${String(r.requests.total)} | ${String(r.requests.total - r.writerWrites)} | ${String(r.etcdWrites)} | ` +
          `${String(r.runtimeWrites)} | ${fixed(writesPerMinute(r), 2)} | ${String(r.operatorWrites)} | ` +
          `${String(r.requests.conflicts)} | ${latency(r.latenciesMs)} | ${String(r.latenciesMs.length)} / ${String(r.superseded)} / ${String(r.changes)} | ${fixed(r.stale * 100, 1)} % |`,
      ),
      '',
    );
  }
  if (report.scale.length > 0)
    lines.push(
      `## Cluster cost at scale: ${String(settings.scaleVmcps)} VirtualMCPServers at once`,
      '',
      `Each VirtualMCPServer has 10 backends changing at random (seeded per object) for ${seconds(settings.scaleDurationMs)}; every runtime reports into the same apiserver. ` +
        `Time is compressed ${fixed(settings.scaleCompression, 0)}× here (report interval ${String(settings.scaleIntervalMs)} ms for 30 s): at the timelines’ ${String(settings.compression)}× ` +
        `${String(settings.scaleVmcps)} objects would stand for ${String(settings.scaleVmcps * settings.compression)} at real cadence and saturate a shared two-core apiserver, which measures the machine rather than the reporters. ` +
        'The operators run as they would: ours is `VmcpOperator` in-process (its reconciles must not follow runtime writes), ToolHive’s is the reproduction’s projection. ' +
        'CPU is kube-apiserver’s `process_cpu_seconds_total` over the window (the whole apiserver, 2 shared cores).',
      '',
      '| Subject | Requests/s by verb | Requests/s | etcd writes | etcd writes/s | Runtime writes | Event requests | apiserver CPU s | Operator reconciles |',
      '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...orderBySubject(report.scale).map((r) => {
        const s = r.windowMs / 1000;
        const perSecond = Object.fromEntries(
          Object.entries(r.requests.byVerb).map(([k, v]) => [k, v / s]),
        );
        return (
          `| ${r.subject.label} | ${verbs(perSecond, 1)} | ${fixed(r.requests.total / s, 1)} | ${String(r.etcdWrites)} | ${fixed(r.etcdWrites / s, 1)} | ` +
          `${String(r.runtimeWrites)} | ${String(r.eventRequests)} | ${fixed(r.requests.cpuSeconds, 2)} | ${r.reconciles === undefined ? '–' : String(r.reconciles)} |`
        );
      }),
      '',
      'Event requests: `events.k8s.io` Events (ours records a `PhaseChanged` Event on each phase transition; ToolHive’s runtime records none), not in the other columns. ' +
        'Operator reconciles: in the window, where only runtimes write. Ours must be 0 (a status-only change never reconciles); ToolHive’s reconciles on every watch event.',
      '',
    );
  if (report.pipeline.length > 0)
    lines.push(
      '## Pipeline: health events to status, in-process',
      '',
      'bench/measure-pipeline.ts: health events like a real probe’s (mostly a new check time only; a status flip every 50th) pushed through this project’s reactive ' +
        'pipeline on a virtual clock (report interval 30 s), beside a naive pipeline (bench/naive-pipeline.ts: combine the latest check of every backend and ' +
        'derive a whole status on every event). CPU time only, no I/O. Retained heap: what the pipeline holds after the run; process heap: the whole benchmark process’s used heap, pipeline subscribed.',
      '',
      '| Pipeline | Backends | Events | ns/event | events/s | Reports | Retained heap MiB | Process heap MiB |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...report.pipeline.map(
        (r) =>
          `| ${r.pipeline} | ${thousands(r.backends)} | ${thousands(r.events)} | ${thousands(r.nsPerEvent)} | ${thousands(r.eventsPerSecond)} | ` +
          `${thousands(r.reports)} | ${fixed(r.heapMiB, 1)} | ${fixed(r.processHeapMiB, 1)} |`,
      ),
      '',
    );
  lines.push(...importSection(report));
  const errors = [...report.timelines, ...report.scale].filter((r) => r.errors.length > 0);
  if (errors.length > 0) {
    lines.push(
      '## Failures the subjects reported',
      '',
      'What a runtime or operator logged as failed during its run (a ToolHive report that still conflicts after `RetryOnConflict`’s five attempts is dropped until the next tick).',
      '',
    );
    for (const r of errors) {
      lines.push(`- ${r.subject.label}, ${r.workload}: ${r.errors.slice(0, 3).join('; ')}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

/** The latency rows beside their floor: the floor, each subject's isolated changes, the urgent lane. */
function latencySection(report: BenchReport): string[] {
  const { floor, urgent } = report.latency;
  if (floor === undefined && urgent === undefined) return [];
  const { settings } = report;
  const floorP50 = quantile(floor?.latenciesMs ?? [], 0.5);
  const floorP95 = quantile(floor?.latenciesMs ?? [], 0.95);
  const row = (what: string, sorted: readonly number[]): string =>
    `| ${what} | ${String(sorted.length)} | ${fixed(quantile(sorted, 0.5), 1)} | ${fixed(quantile(sorted, 0.95), 1)} | ` +
    `${fixed(quantile(sorted, 0.5) / floorP50, 2)}× | ${fixed(quantile(sorted, 0.95) / floorP95, 2)}× |`;
  const isolated = orderBySubject(report.timelines.filter((r) => r.workload === 'isolated'));
  return [
    '## Latency against its floor',
    '',
    'Change-to-visible latency, all measured alike: from the moment a change starts (the check entering the runtime; for the floor, just before the PATCH) ' +
      'to the first watch event whose top-level `status.discoveredBackends` shows it (bench/status-watch.ts). The **floor** is what the apiserver alone costs: ' +
      'a bare server-side apply of the same status (the body the pipeline derives for the isolated timeline’s change, ' +
      `${floor === undefined ? '–' : String(floor.bodyBytes)} bytes; field manager \`vmcp-runtime\`, force, strict validation) to one VirtualMCPServer, ` +
      'one at a time, the next sent once the last showed and a random 200–450 ms passed, in two halves: right before the isolated timeline and right after the urgent lane, so that it spans the stretch of the run they ran in. ' +
      `As in the timeline runs, an operator applies its own conditions on the object every ${String(settings.operatorWriteIntervalMs)} ms meanwhile, for the floor and the urgent lane too. ` +
      `Ratios divide by the floor’s p50 and p95; the targets ask p50 at most ${String(FLOOR_RATIO_LIMIT)}× the floor’s, over at least ${String(MIN_LATENCY_SAMPLES)} samples each. ` +
      'The isolated rows run at the compressed interval (their change is a phase change as well: backend 0 healthy ↔ unhealthy, Ready ↔ Degraded); ToolHive’s mostly wait for its next tick. ' +
      (urgent === undefined
        ? ''
        : `The **urgent lane** row runs at a real ${seconds(urgent.reportIntervalMs)} report interval, not compressed: each sample is a detail change (backend 2’s tool count) ` +
          'then, 20 ms later, a phase change (backend 1 down, or back up), inside the pacing window the previous write opened; the latency is the phase change’s. ' +
          `Without the lane it would wait out the window (up to ${seconds(urgent.reportIntervalMs)}). The samples come three to a VirtualMCPServer, each with a fresh runtime ` +
          `(${String(urgent.objects)} objects): three is the lane’s burst, and a fourth inside one interval waits by design (the write budget, not the latency).`),
    '',
    '| Measured | Samples | p50 ms | p95 ms | p50 / floor p50 | p95 / floor p95 |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...(floor === undefined
      ? []
      : [row('Floor: a bare server-side apply, PATCH to watch event', floor.latenciesMs)]),
    ...isolated.map((r) =>
      row(`${r.subject.label}: isolated change (interval ${seconds(r.intervalMs)})`, r.latenciesMs),
    ),
    ...(urgent === undefined
      ? []
      : [
          row(
            `vmcp-status: phase change right after a detail change (interval ${seconds(urgent.reportIntervalMs)}, the urgent lane)`,
            urgent.latenciesMs,
          ),
        ]),
    '',
  ];
}

/** bench/import-cost.ts's table, with what it is for. */
function importSection(report: BenchReport): string[] {
  if (report.imports.length === 0) return [];
  return [
    '## Import cost',
    '',
    `bench/import-cost.ts on the built package: each row imports one entry by its package name in a fresh Node process (the pinned Node, a module hook counting every module loaded, CommonJS included); ` +
      `time is spawn to exit and RSS at exit, the median of ${String(report.settings.importRuns)} processes taken round-robin over the rows, after one of each to warm the file cache. ` +
      '`(bare node)` starts Node and imports nothing; `rxjs` alone is the peer dependency every embedder already pays for, so the rows below it show what the package adds. ' +
      `Goal for the log-only entries (${LOG_ONLY_ENTRIES.map((e) => `\`${e}\``).join(', ')}): at most ${String(IMPORT_GOAL.maxModules)} modules and ${String(IMPORT_GOAL.maxTimeVsBare)}× a bare start (judged under Targets). ` +
      'Times on a shared two-core machine move by tens of ms from run to run; module counts do not.',
    '',
    '| Import | Modules | of them `@kubernetes/client-node` | ms | × bare | RSS MiB | RSS × bare |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...report.imports.map(
      (r) =>
        `| ${r.entry === BARE_NODE ? r.entry : `\`${r.entry}\``} | ${String(r.modules)} | ${String(r.kubernetesModules)} | ${fixed(r.ms, 1)} | ${fixed(r.timeVsBare, 2)} | ${fixed(r.rssMiB, 1)} | ${fixed(r.rssVsBare, 2)} |`,
    ),
    '',
  ];
}

function orderBySubject(runs: readonly RunResult[]): RunResult[] {
  const order = SUBJECTS.map((s) => s.id);
  return [...runs].sort((a, b) => order.indexOf(a.subject.id) - order.indexOf(b.subject.id));
}

function verbs(byVerb: Readonly<Record<string, number>>, digits = 0): string {
  const entries = Object.entries(byVerb).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return 'none';
  return entries.map(([verb, n]) => `${verb} ${fixed(n, digits)}`).join(', ');
}

function latency(sorted: readonly number[]): string {
  if (sorted.length === 0) return '–';
  return [0.5, 0.95, 1].map((q) => fixed(quantile(sorted, q), 1)).join(' / ');
}

function fixed(n: number, digits: number): string {
  return Number.isFinite(n) ? n.toFixed(digits) : '–';
}

function thousands(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function seconds(ms: number): string {
  return `${fixed(ms / 1000, ms % 1000 === 0 ? 0 : 1)} s`;
}
