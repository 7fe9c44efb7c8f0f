import {
  Observable,
  asyncScheduler,
  concat,
  connect,
  defer,
  endWith,
  filter,
  ignoreElements,
  interval,
  map,
  merge,
  of,
  switchMap,
  take,
  takeUntil,
  timer,
  type SchedulerLike,
} from 'rxjs';
import type { BackendHealthEvent, RuntimeStatus } from '../types.js';
import { checkNumber } from '../validate.js';
import { BackendStateTable } from './backend-state-table.js';
import { carryConditionTimes } from './carry-condition-times.js';
import { deriveRuntimeStatus } from './derive-runtime-status.js';
import { paceLatest } from './pace-latest.js';

/** Options of {@link runtimeStatusStream}. */
export interface RuntimeStatusStreamOptions {
  /** Shortest time between two reports. Defaults to 30 000 ms. */
  readonly reportIntervalMs?: number;
  /**
   * How long the first report waits for the first check of every initially configured
   * backend. Defaults to 10 000 ms, the probe timeout.
   */
  readonly firstCheckTimeoutMs?: number;
  /**
   * Re-emits the current status when this long passed without a change (and then this
   * often while nothing changes). Defaults to 0 (off).
   */
  readonly resyncMs?: number;
  /** Defaults to `asyncScheduler`; tests pass a `TestScheduler`. */
  readonly scheduler?: SchedulerLike;
}

/** The defaults of {@link RuntimeStatusStreamOptions}. */
export const RUNTIME_STATUS_STREAM_DEFAULTS = {
  reportIntervalMs: 30_000,
  firstCheckTimeoutMs: 10_000,
  resyncMs: 0,
} as const;

/**
 * From health checks to runtime status: the pipeline a vMCP embeds.
 *
 * - Keeps the latest check per backend (O(1) per check) and derives a status only
 *   when it emits one (O(backends)).
 * - Reports only changes of stable fields; check times and latencies alone never
 *   cause a report.
 * - The first report waits until every initially configured backend was checked, or
 *   `firstCheckTimeoutMs` passed.
 * - Paced leading + trailing on `reportIntervalMs`: a change after a quiet period goes
 *   out at once, a burst costs at most one report per interval, its last state always
 *   goes out, and on completion the pending state goes out at once.
 * - Backends come and go with `configured$`; a removed backend's late checks are ignored.
 *
 * ```
 * configured$: a---------------   (a = ['x', 'y'])
 * checks$:     -x-y-x'-x''------  (x' only a new checkedAt; x'' a new status)
 * status$:     ---S------T------  (interval 5: S when both were checked, T for x'')
 * ```
 */
export function runtimeStatusStream(
  checks$: Observable<BackendHealthEvent>,
  configured$: Observable<readonly string[]>,
  options: RuntimeStatusStreamOptions = {},
): Observable<RuntimeStatus> {
  const reportIntervalMs = checkNumber(
    'reportIntervalMs',
    options.reportIntervalMs ?? RUNTIME_STATUS_STREAM_DEFAULTS.reportIntervalMs,
  );
  const firstCheckTimeoutMs = checkNumber(
    'firstCheckTimeoutMs',
    options.firstCheckTimeoutMs ?? RUNTIME_STATUS_STREAM_DEFAULTS.firstCheckTimeoutMs,
  );
  const resyncMs = checkNumber(
    'resyncMs',
    options.resyncMs ?? RUNTIME_STATUS_STREAM_DEFAULTS.resyncMs,
  );
  const scheduler = options.scheduler ?? asyncScheduler;
  const now = (): Date => new Date(scheduler.now());

  return defer(() => {
    const table = new BackendStateTable();
    // Each update says whether it is worth a report.
    const updates$ = merge(
      configured$.pipe(map((names) => table.setConfigured(names, now()))),
      checks$.pipe(map((check) => table.applyCheck(check, now()))),
    );
    return updates$.pipe(
      connect((shared$) => {
        const inputsDone$ = shared$.pipe(ignoreElements(), endWith(true));
        const whenConfigured$ = defer(() =>
          table.isConfigured ? of(true) : shared$.pipe(filter(() => table.isConfigured)),
        );
        const gateOpen$ = merge(
          shared$.pipe(filter(() => table.firstChecksDone)),
          timer(firstCheckTimeoutMs, scheduler).pipe(switchMap(() => whenConfigured$)),
          inputsDone$.pipe(filter(() => table.isConfigured)),
        ).pipe(take(1));
        const changes$ = merge(of(true), shared$.pipe(filter((worthReporting) => worthReporting)));
        // A resync comes only after resyncMs without a change: a status that moves
        // often is never re-sent, a quiet one once per resyncMs.
        const withResync$ =
          resyncMs > 0
            ? changes$.pipe(
                switchMap((change) =>
                  concat(of(change), interval(resyncMs, scheduler).pipe(map(() => true))),
                ),
                takeUntil(inputsDone$),
              )
            : changes$;
        return gateOpen$.pipe(switchMap(() => withResync$));
      }),
      paceLatest(reportIntervalMs, scheduler),
      map(() => deriveRuntimeStatus(table, table.configuredNames, now())),
      carryConditionTimes(),
    );
  });
}
