import {
  Observable,
  asyncScheduler,
  type MonoTypeOperatorFunction,
  type SchedulerLike,
  type Subscription,
} from 'rxjs';
import { checkNumber } from '../validate.js';
import { TokenBucket } from './token-bucket.js';

/** Which values may skip the pacing: see {@link paceWithUrgentLane}. */
export interface UrgentLane<T> {
  /** Whether `value` must go out at once, given the value last sent (`undefined` before the first). */
  readonly isUrgent: (value: T, lastSent: T | undefined) => boolean;
  /** Urgent values sent at once in a burst. Defaults to 3. */
  readonly burst?: number;
  /** One more urgent value may go out at once every this many ms. Defaults to the interval. */
  readonly refillMs?: number;
}

/** The defaults of {@link UrgentLane}. */
export const URGENT_LANE_DEFAULTS = { burst: 3 } as const;

/**
 * Paces a stream on an interval, leading and trailing, with an urgent lane: the first
 * value after a quiet period goes out at once; a burst collapses to at most one value
 * per interval; the last value of a burst always goes out (at the end of its window, or
 * at once when the source completes); and a value the lane calls urgent goes out at
 * once even inside a window, then starts a new window, as long as the lane's token
 * bucket (`burst`, one more every `refillMs`) has a token; without one it waits like
 * any other.
 *
 * "At once" is a zero-delay task on the scheduler, not the same call stack: what
 * changes in the same turn (an embedder updating what it serves right after a health
 * change) is in the value sent. With a `TestScheduler` that is the same frame.
 *
 * Cost: at most one value per interval (60 000 / interval + 1 a minute), plus at most
 * `burst` + (60 000 / `refillMs`) urgent ones a minute.
 *
 * ```
 * interval 5, upper case urgent:
 * source:   a-b-C---d------|
 * result:   a---C----d-----|   b waits; C goes out at once and starts a new window
 * ```
 *
 * @param intervalMs the shortest time between two paced values
 * @param lane which values are urgent; `undefined`: none (plain leading + trailing pacing)
 * @param scheduler defaults to `asyncScheduler`; a `TestScheduler` drives virtual time
 */
export function paceWithUrgentLane<T>(
  intervalMs: number,
  lane: UrgentLane<T> | undefined,
  scheduler: SchedulerLike = asyncScheduler,
): MonoTypeOperatorFunction<T> {
  const burst = checkNumber('urgentBurst', lane?.burst ?? URGENT_LANE_DEFAULTS.burst, {
    integer: true,
  });
  const refillMs = checkNumber('urgentRefillMs', lane?.refillMs ?? intervalMs, { min: 1 });
  return (source) =>
    new Observable<T>((subscriber) => {
      let window: Subscription | undefined;
      let flush: Subscription | undefined;
      let pending: { value: T } | undefined;
      let last: { value: T } | undefined;
      const bucket =
        lane === undefined ? undefined : new TokenBucket(burst, refillMs, () => scheduler.now());

      const send = (): void => {
        flush?.unsubscribe();
        flush = undefined;
        if (pending === undefined) return;
        const { value } = pending;
        pending = undefined;
        last = { value };
        window?.unsubscribe();
        window = scheduler.schedule(() => {
          window = undefined;
          if (pending !== undefined && flush === undefined) send();
        }, intervalMs);
        subscriber.next(value);
      };
      const sendSoon = (): void => {
        flush ??= scheduler.schedule(send, 0);
      };

      const subscription = source.subscribe({
        next: (value) => {
          pending = { value };
          if (flush !== undefined) return;
          if (window === undefined) sendSoon();
          else if (lane?.isUrgent(value, last?.value) === true && bucket?.take() === true) {
            sendSoon();
          }
        },
        error: (err: unknown) => {
          subscriber.error(err);
        },
        complete: () => {
          window?.unsubscribe();
          flush?.unsubscribe();
          window = flush = undefined;
          if (pending !== undefined) subscriber.next(pending.value);
          pending = undefined;
          subscriber.complete();
        },
      });
      return () => {
        window?.unsubscribe();
        flush?.unsubscribe();
        subscription.unsubscribe();
      };
    });
}
