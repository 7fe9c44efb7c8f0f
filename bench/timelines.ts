import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { BackendHealthEvent, BackendHealthStatus } from '../src/types.js';
import { checkNumber } from '../src/validate.js';

/**
 * One scripted health check result, compact because timelines go to the Go baseline
 * as JSON: `[atMs, backendIndex, status, toolCount, consecutiveFailures]`.
 */
export type Check = readonly [
  atMs: number,
  backend: number,
  status: BackendHealthStatus,
  toolCount: number,
  consecutiveFailures: number,
];

/** A stable change in a timeline: when a backend's status becomes a new one. */
export interface Change {
  readonly atMs: number;
  readonly backend: string;
  readonly status: BackendHealthStatus;
  /** When this backend changes again (Infinity if never): the change is visible until then. */
  readonly untilMs: number;
}

/** A scripted sequence of health check results for one vMCP. */
export interface Timeline {
  readonly kind: TimelineKind;
  readonly backends: ReadonlyArray<{ readonly name: string; readonly url: string }>;
  /** The first check of every backend: in before the first report. */
  readonly initial: readonly Check[];
  /** Replayed after the start, in time order. */
  readonly events: readonly Check[];
  /** The status changes among `events`. */
  readonly changes: readonly Change[];
}

/** The timelines the benchmarks replay. */
export type TimelineKind = 'steady' | 'isolated' | 'flapping' | 'random';

/** Every timeline kind, in the order the report shows them. */
export const TIMELINE_KINDS: readonly TimelineKind[] = ['steady', 'isolated', 'flapping', 'random'];

/** What the timelines are made of; every time is wall-clock time, already compressed. */
export interface TimelineOptions {
  /** The report interval and the probe interval (ToolHive's default for both: 30 s). */
  readonly intervalMs: number;
  /** How long the replay lasts. */
  readonly durationMs: number;
  /** Real time per wall-clock time: 15 turns ToolHive's 30 s into 2 s. */
  readonly compression: number;
  /** Seeds the `random` timeline. Defaults to 1. */
  readonly seed?: number;
  /** Backends of the `random` timeline. Defaults to 100; the others have 10. */
  readonly randomBackends?: number;
  /**
   * Moves the scripted changes of `isolated` this much later (probes stay put), so that
   * several objects replaying it change one after another, never together. Defaults to 0.
   */
  readonly changeOffsetMs?: number;
}

/** How often the flapping backend flips, in real (uncompressed) time. */
export const FLAP_PERIOD_REAL_MS = 2000;
/** How often one backend of the `random` timeline changes on average, in real time. */
export const RANDOM_CHANGE_MEAN_REAL_MS = 120_000;
/**
 * Isolated changes come this many report intervals apart: never inside one pacing
 * window (the window a write opens has closed half an interval before the next change),
 * and for ToolHive's ticker never two changes to one tick.
 */
export const ISOLATED_SPACING_INTERVALS = 1.5;

const STATUSES: readonly BackendHealthStatus[] = ['healthy', 'unhealthy', 'degraded'];
const TOOLS = 5;
const UNHEALTHY_THRESHOLD = 3;

/**
 * Builds a timeline. Every backend is probed once per interval, the probes spread
 * evenly over the interval; a probe only refreshes the check time unless the
 * timeline changes the backend's status then.
 *
 * - `steady`: 10 healthy backends, probes only.
 * - `isolated`: 10 backends; backend 0 alternates healthy/unhealthy every
 *   {@link ISOLATED_SPACING_INTERVALS} intervals, the first half a spacing in (plus
 *   `changeOffsetMs`).
 * - `flapping`: 10 backends; backend 0 flips every {@link FLAP_PERIOD_REAL_MS} of real time.
 * - `random`: 100 backends; at each probe a backend moves to another status with the
 *   probability that gives one change per {@link RANDOM_CHANGE_MEAN_REAL_MS}; seeded.
 */
export function buildTimeline(kind: TimelineKind, options: TimelineOptions): Timeline {
  const intervalMs = checkNumber('intervalMs', options.intervalMs, { min: 1 });
  const durationMs = checkNumber('durationMs', options.durationMs, { min: 1 });
  const compression = checkNumber('compression', options.compression, { min: 1 });
  const count = kind === 'random' ? (options.randomBackends ?? 100) : 10;
  checkNumber('randomBackends', count, { min: 1, integer: true });
  const rng = xoroshiro128plus(options.seed ?? 1);
  const backends = timelineBackends(count);
  // What happens when: a probe (status undefined: keep) or a scripted status.
  const planned: Array<{ atMs: number; backend: number; status?: BackendHealthStatus }> = [];
  const flapMs = FLAP_PERIOD_REAL_MS / compression;
  for (let backend = 0; backend < count; backend++) {
    if (kind === 'flapping' && backend === 0) continue;
    const offset = (backend / count) * intervalMs;
    for (let n = 1; offset + n * intervalMs < durationMs; n++) {
      planned.push({ atMs: offset + n * intervalMs, backend });
    }
  }
  if (kind === 'flapping') {
    for (let n = 1; n * flapMs < durationMs; n++) {
      planned.push({ atMs: n * flapMs, backend: 0, status: n % 2 === 1 ? 'unhealthy' : 'healthy' });
    }
  }
  if (kind === 'isolated') {
    const spacing = ISOLATED_SPACING_INTERVALS * intervalMs;
    const offsetMs = checkNumber('changeOffsetMs', options.changeOffsetMs ?? 0);
    for (let n = 1; (n - 0.5) * spacing + offsetMs < durationMs; n++) {
      const atMs = (n - 0.5) * spacing + offsetMs;
      planned.push({ atMs, backend: 0, status: n % 2 === 1 ? 'unhealthy' : 'healthy' });
    }
  }
  planned.sort((a, b) => a.atMs - b.atMs || a.backend - b.backend);

  const changeChance = Math.min(1, (intervalMs * compression) / RANDOM_CHANGE_MEAN_REAL_MS);
  const state: Array<{ status: BackendHealthStatus; failures: number }> = backends.map(() => ({
    status: 'healthy',
    failures: 0,
  }));
  const initial = healthyChecks(count);
  const events: Check[] = [];
  const changes: Array<{ atMs: number; backend: number; status: BackendHealthStatus }> = [];
  for (const step of planned) {
    const current = state[step.backend] ?? { status: 'healthy', failures: 0 };
    let next = step.status ?? current.status;
    if (kind === 'random' && uniformInt(rng, 0, 999_999) < changeChance * 1_000_000) {
      const others = STATUSES.filter((s) => s !== current.status);
      next = others[uniformInt(rng, 0, others.length - 1)] ?? 'healthy';
    }
    const failures =
      next !== 'unhealthy'
        ? 0
        : current.status === 'unhealthy'
          ? current.failures + 1
          : UNHEALTHY_THRESHOLD;
    const atMs = Math.round(step.atMs * 1000) / 1000;
    if (next !== current.status) changes.push({ atMs, backend: step.backend, status: next });
    state[step.backend] = { status: next, failures };
    events.push([atMs, step.backend, next, next === 'unhealthy' ? 0 : TOOLS, failures]);
  }
  return {
    kind,
    backends,
    initial,
    events,
    changes: changes.map((change, i) => {
      const later = changes.slice(i + 1).find((c) => c.backend === change.backend);
      return {
        atMs: change.atMs,
        backend: backends[change.backend]?.name ?? '',
        status: change.status,
        untilMs: later?.atMs ?? Number.POSITIVE_INFINITY,
      };
    }),
  };
}

/**
 * A timeline of `count` healthy backends and no events, for a benchmark that scripts
 * its own changes (see {@link checkEvent}).
 */
export function quietTimeline(count = 10): Timeline {
  return {
    kind: 'steady',
    backends: timelineBackends(count),
    initial: healthyChecks(count),
    events: [],
    changes: [],
  };
}

function timelineBackends(count: number): Timeline['backends'] {
  return Array.from({ length: count }, (_, i) => {
    const name = `backend-${String(i).padStart(3, '0')}`;
    return { name, url: `http://${name}.mcp.svc.cluster.local:8080/mcp` };
  });
}

function healthyChecks(count: number): Check[] {
  return Array.from({ length: count }, (_, i): Check => [0, i, 'healthy', TOOLS, 0]);
}

/**
 * The health event a runtime gets for `check` (an unhealthy one says
 * `connection_failed`), checked at `checkedAt`; `undefined` for an unknown backend.
 */
export function checkEvent(
  timeline: Pick<Timeline, 'backends'>,
  [, index, status, toolCount, consecutiveFailures]: Check,
  checkedAt: Date,
): BackendHealthEvent | undefined {
  const backend = timeline.backends[index];
  if (backend === undefined) return undefined;
  return {
    name: backend.name,
    url: backend.url,
    status,
    toolCount,
    consecutiveFailures,
    ...(status === 'unhealthy' ? { errorCategory: 'connection_failed' as const } : {}),
    checkedAt,
    latencyMs: 3,
  };
}
