import {
  EMPTY,
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
  shareReplay,
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
import { deriveRuntimeStatus, type ServedCatalogue } from './derive-runtime-status.js';
import { URGENT_LANE_DEFAULTS, paceWithUrgentLane } from './pace-with-urgent-lane.js';

/** Options of {@link runtimeStatusStream}. */
export interface RuntimeStatusStreamOptions {
  /** Shortest time between two paced reports (detail changes). Defaults to 30 000 ms. */
  readonly reportIntervalMs?: number;
  /**
   * How long the first report waits for the first check of every initially configured
   * backend (and the first served catalogue, with `served$`). Defaults to 10 000 ms,
   * the probe timeout.
   */
  readonly firstCheckTimeoutMs?: number;
  /**
   * Re-emits the current status when this long passed without a change (and then this
   * often while nothing changes), so a reporter can refresh it. Defaults to 0 (off).
   */
  readonly statusRefreshMs?: number;
  /**
   * What the vMCP serves, by backend (after conflict resolution and filtering). When
   * given, tool counts come from it, so `totalToolCount` is the length of the served
   * `tools/list`; otherwise each usable backend's checked count is summed. Emit it once
   * the vMCP knows what it serves: the first report waits for it.
   */
  readonly served$?: Observable<ServedCatalogue>;
  /** Phase changes reported at once in a burst. Defaults to 3. */
  readonly urgentBurst?: number;
  /** One more phase change may be reported at once every this many ms. Defaults to `reportIntervalMs`. */
  readonly urgentRefillMs?: number;
  /** Defaults to `asyncScheduler`; tests pass a `TestScheduler`. */
  readonly scheduler?: SchedulerLike;
}

/** The defaults of {@link RuntimeStatusStreamOptions}. */
export const RUNTIME_STATUS_STREAM_DEFAULTS = {
  reportIntervalMs: 30_000,
  firstCheckTimeoutMs: 10_000,
  statusRefreshMs: 0,
  urgentBurst: URGENT_LANE_DEFAULTS.burst,
} as const;

/**
 * From health checks to runtime status: the pipeline a vMCP embeds.
 *
 * - Keeps the latest check per backend (O(1) per check) and derives a status only
 *   when it emits one (O(backends)).
 * - Reports only changes of stable fields; check times and latencies alone never
 *   cause a report.
 * - The first report waits until every initially configured backend was checked (and,
 *   with `served$`, the first catalogue came), or `firstCheckTimeoutMs` passed.
 * - Detail changes (a tool count, a backend's error category) are paced leading +
 *   trailing on `reportIntervalMs`: a change after a quiet period goes out at once, a
 *   burst costs at most one report per interval, its last state always goes out, and
 *   on completion the pending state goes out at once.
 * - The urgent lane: a change of the phase (and so of the Ready condition's status) is
 *   reported at once, whatever detail change came just before, from a token bucket of
 *   `urgentBurst` refilled every `urgentRefillMs`; without a token it is paced.
 * - Backends come and go with `configured$`; a removed backend's late checks are ignored.
 * - Hot: one state however many subscribe (a second subscriber adds no work); a late
 *   subscriber gets the latest status at once. When the last one leaves, the inputs are
 *   left too, and a new subscriber starts from a new state.
 *
 * ```
 * configured$: a--------------------   (a = ['x', 'y'])
 * checks$:     -x-y-v--t----u------   (v: x with a new checkedAt only; t: a new tool count; u: y down)
 * status$:     ---S----T----U------   (interval 5: S once both were checked, T at once after
 *                                       a quiet interval, U at once: the phase changed)
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
    'statusRefreshMs',
    options.statusRefreshMs ?? RUNTIME_STATUS_STREAM_DEFAULTS.statusRefreshMs,
  );
  const urgentLane = {
    isUrgent: (key: string, lastSent: string | undefined) => key !== lastSent,
    burst: checkNumber(
      'urgentBurst',
      options.urgentBurst ?? RUNTIME_STATUS_STREAM_DEFAULTS.urgentBurst,
      {
        integer: true,
      },
    ),
    refillMs: checkNumber('urgentRefillMs', options.urgentRefillMs ?? reportIntervalMs, { min: 1 }),
  };
  const scheduler = options.scheduler ?? asyncScheduler;
  const now = (): Date => new Date(scheduler.now());

  return defer(() => {
    const table = new BackendStateTable(options.served$ !== undefined);
    // Each update says whether it is worth a report.
    const updates$ = merge(
      configured$.pipe(map((names) => table.setConfigured(names, now()))),
      checks$.pipe(map((check) => table.applyCheck(check, now()))),
      options.served$?.pipe(map((served) => table.applyServed(served, now()))) ?? EMPTY,
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
      // The phase at each change: the urgent lane lets a new one out at once.
      map(() => table.phaseKey),
      paceWithUrgentLane(reportIntervalMs, urgentLane, scheduler),
      map(() => deriveRuntimeStatus(table, table.configuredNames, now())),
      carryConditionTimes(),
    );
  }).pipe(shareReplay({ bufferSize: 1, refCount: true }));
}
