import { asyncScheduler, type MonoTypeOperatorFunction, type SchedulerLike } from 'rxjs';
import { paceWithUrgentLane } from './pace-with-urgent-lane.js';

/**
 * Paces a stream on an interval, leading and trailing: the first value after a quiet
 * period goes out at once, a burst collapses to at most one value per interval, and
 * the last value of a burst always goes out (at the end of its window, or at once
 * when the source completes, so a shutdown never waits a whole interval).
 *
 * Like `throttleTime(ms, scheduler, { leading: true, trailing: true })`, except for
 * the flush on completion; `paceWithUrgentLane` without an urgent lane.
 *
 * ```
 * source:   a-b-c------d---|
 * paced 5:  a----c-----d---|
 * source:   a-b-|
 * paced 5:  a---(b|)
 * ```
 *
 * @param intervalMs the shortest time between two values
 * @param scheduler defaults to `asyncScheduler`; a `TestScheduler` drives virtual time
 */
export function paceLatest<T>(
  intervalMs: number,
  scheduler: SchedulerLike = asyncScheduler,
): MonoTypeOperatorFunction<T> {
  return paceWithUrgentLane<T>(intervalMs, undefined, scheduler);
}
