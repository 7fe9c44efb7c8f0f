import {
  Observable,
  asyncScheduler,
  type MonoTypeOperatorFunction,
  type SchedulerLike,
  type Subscription,
} from 'rxjs';

/**
 * Paces a stream on an interval, leading and trailing: the first value after a quiet
 * period goes out at once, a burst collapses to at most one value per interval, and
 * the last value of a burst always goes out (at the end of its window, or at once
 * when the source completes, so a shutdown never waits a whole interval).
 *
 * Like `throttleTime(ms, scheduler, { leading: true, trailing: true })`, except for
 * the flush on completion.
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
  return (source) =>
    new Observable<T>((subscriber) => {
      let window: Subscription | undefined;
      let pending: { value: T } | undefined;

      const openWindow = (): void => {
        window = scheduler.schedule(() => {
          window = undefined;
          if (pending !== undefined) emitPending();
        }, intervalMs);
      };
      const emitPending = (): void => {
        const { value } = pending as { value: T };
        pending = undefined;
        subscriber.next(value);
        openWindow();
      };

      const subscription = source.subscribe({
        next: (value) => {
          if (window === undefined) {
            subscriber.next(value);
            openWindow();
          } else {
            pending = { value };
          }
        },
        error: (err: unknown) => {
          subscriber.error(err);
        },
        complete: () => {
          window?.unsubscribe();
          window = undefined;
          if (pending !== undefined) subscriber.next(pending.value);
          pending = undefined;
          subscriber.complete();
        },
      });
      return () => {
        window?.unsubscribe();
        subscription.unsubscribe();
      };
    });
}
