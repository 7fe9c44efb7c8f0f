/**
 * How much the reactive pipeline costs per health event, and what it keeps in memory,
 * for fleets of 10 to 10,000 backends. Prints a table; asserts nothing.
 *
 *   npm run bench:pipeline
 *
 * Each run pushes `events` health events (mostly volatile-only changes, as real probes
 * are, plus a status flip every 50th event) through runtimeStatusStream on a virtual
 * clock, so the timings are CPU cost, not waiting. `reports` shows the pacing: however
 * many stable changes, at most one report per interval plus the trailing one.
 */
import { BehaviorSubject, Subject, VirtualTimeScheduler } from 'rxjs';
import { runtimeStatusStream } from '../src/reactive/runtime-status-stream.js';
import type { BackendHealthEvent } from '../src/types.js';

interface Row {
  backends: number;
  events: number;
  'ns/event': number;
  'stable changes': number;
  reports: number;
  'heap MiB': number;
}

function run(backends: number, events: number): Row {
  const names = Array.from({ length: backends }, (_, i) => `backend-${String(i).padStart(5, '0')}`);
  const scheduler = new VirtualTimeScheduler(undefined, Number.POSITIVE_INFINITY);
  const checks$ = new Subject<BackendHealthEvent>();
  const configured$ = new BehaviorSubject<readonly string[]>(names);
  let reports = 0;
  const subscription = runtimeStatusStream(checks$, configured$, {
    reportIntervalMs: 30_000,
    firstCheckTimeoutMs: 10_000,
    scheduler,
  }).subscribe(() => reports++);
  globalThis.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const started = process.hrtime.bigint();
  const unhealthy = new Set<number>();
  let changes = 0;
  for (let i = 0; i < events; i++) {
    const index = i % backends;
    const name = names[index] ?? 'backend-00000';
    // Every 50th event flips its backend between healthy and unhealthy: a stable change.
    if (i % 50 === 49) {
      changes++;
      if (unhealthy.has(index)) unhealthy.delete(index);
      else unhealthy.add(index);
    }
    checks$.next({
      name,
      status: unhealthy.has(index) ? 'unhealthy' : 'healthy',
      toolCount: 10,
      consecutiveFailures: 0,
      checkedAt: new Date(1_800_000_000_000 + i),
      latencyMs: i % 97,
    });
    // Let virtual time run every 1000 events: pacing windows (30 s each) open and close.
    if (i % 1000 === 999) scheduler.flush();
  }
  scheduler.flush();
  const elapsed = Number(process.hrtime.bigint() - started);
  globalThis.gc?.();
  const heap = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
  subscription.unsubscribe();
  return {
    backends,
    events,
    'ns/event': Math.round(elapsed / events),
    'stable changes': changes,
    reports,
    'heap MiB': Number(heap.toFixed(1)),
  };
}

const rows: Row[] = [];
for (const backends of [10, 100, 1000, 10_000]) rows.push(run(backends, 200_000));
console.table(rows);
