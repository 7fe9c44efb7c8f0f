import { BehaviorSubject, Subject, VirtualTimeScheduler } from 'rxjs';
import { runtimeStatusStream } from '../src/reactive/runtime-status-stream.js';
import type { BackendHealthEvent } from '../src/types.js';
import { naiveRuntimeStatus } from './naive-pipeline.js';

/** The pipeline measured: this project's, or the naive one of bench/naive-pipeline.ts. */
export type PipelineKind = 'reactive' | 'naive';

/** What one pipeline run cost. */
export interface PipelineRow {
  readonly pipeline: PipelineKind;
  readonly backends: number;
  readonly events: number;
  readonly nsPerEvent: number;
  readonly eventsPerSecond: number;
  /** Stable changes among the events (a status flip every 50th event). */
  readonly stableChanges: number;
  /** Statuses the pipeline emitted: each one a report, so a write unless unchanged. */
  readonly reports: number;
  /** Heap the pipeline holds after the run (GC before and after), MiB. */
  readonly heapMiB: number;
  /** The whole process's used heap after the run, pipeline still subscribed (after GC), MiB. */
  readonly processHeapMiB: number;
}

/**
 * Pushes `events` health events through a pipeline for `backends` backends and
 * measures CPU time per event and retained heap. The events are those of real probes:
 * mostly volatile-only changes (a new check time and latency), a status flip every
 * 50th. The reactive pipeline runs on a virtual clock (report interval 30 s), so the
 * time measured is CPU, not waiting; virtual time moves on every 1000 events, so
 * pacing windows open and close. Run with `--expose-gc` for a meaningful heap figure.
 */
export function measurePipeline(
  pipeline: PipelineKind,
  backends: number,
  events: number,
): PipelineRow {
  const names = Array.from({ length: backends }, (_, i) => `backend-${String(i).padStart(5, '0')}`);
  const scheduler = new VirtualTimeScheduler(undefined, Number.POSITIVE_INFINITY);
  const checks$ = new Subject<BackendHealthEvent>();
  let reports = 0;
  const status$ =
    pipeline === 'reactive'
      ? runtimeStatusStream(checks$, new BehaviorSubject<readonly string[]>(names), {
          reportIntervalMs: 30_000,
          firstCheckTimeoutMs: 10_000,
          scheduler,
        })
      : naiveRuntimeStatus(checks$, names, () => new Date(scheduler.now()));
  const subscription = status$.subscribe(() => reports++);
  globalThis.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const started = process.hrtime.bigint();
  const unhealthy = new Set<number>();
  let changes = 0;
  for (let i = 0; i < events; i++) {
    const index = i % backends;
    if (i % 50 === 49) {
      changes++;
      if (unhealthy.has(index)) unhealthy.delete(index);
      else unhealthy.add(index);
    }
    checks$.next({
      name: names[index] ?? 'backend-00000',
      status: unhealthy.has(index) ? 'unhealthy' : 'healthy',
      toolCount: 10,
      consecutiveFailures: 0,
      checkedAt: new Date(1_800_000_000_000 + i),
      latencyMs: i % 97,
    });
    if (i % 1000 === 999) scheduler.flush();
  }
  scheduler.flush();
  const elapsedNs = Number(process.hrtime.bigint() - started);
  globalThis.gc?.();
  const heapUsed = process.memoryUsage().heapUsed;
  subscription.unsubscribe();
  return {
    pipeline,
    backends,
    events,
    nsPerEvent: Math.round(elapsedNs / events),
    eventsPerSecond: Math.round(events / (elapsedNs / 1e9)),
    stableChanges: changes,
    reports,
    heapMiB: Number(((heapUsed - heapBefore) / 2 ** 20).toFixed(1)),
    processHeapMiB: Number((heapUsed / 2 ** 20).toFixed(1)),
  };
}
