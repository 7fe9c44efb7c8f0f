import type { Observable } from 'rxjs';
import type { Reporter } from '../reporter.js';
import type { RuntimeStatus } from '../types.js';
import { LatestWinsQueue } from './latest-wins-queue.js';

/** Options of {@link reportStatus}. */
export interface ReportStatusOptions {
  /** Aborting stops reporting: the pending status is still sent, then the promise resolves. */
  readonly signal?: AbortSignal;
  /** Called when `reporter.report` rejects; reporting goes on. Defaults to ignoring it. */
  readonly onError?: (err: unknown) => void;
}

/**
 * Sends each status to `reporter.report`, one at a time and without holding up the
 * stream: while a report is in flight only the newest status waits (latest wins), so
 * memory is bounded whatever the rate. Resolves when `status$` completes (or `signal`
 * aborts) and the last pending status has been sent; rejects after that flush if
 * `status$` errors.
 */
export function reportStatus(
  status$: Observable<RuntimeStatus>,
  reporter: Reporter,
  options: ReportStatusOptions = {},
): Promise<void> {
  const { signal, onError = () => undefined } = options;
  const queue = new LatestWinsQueue((status: RuntimeStatus) => reporter.report(status));
  return new Promise<void>((resolve, reject) => {
    const flushThen = (settle: () => void): void => {
      signal?.removeEventListener('abort', onAbort);
      void queue.onIdle().then(settle);
    };
    const onAbort = (): void => {
      subscription.unsubscribe();
      flushThen(resolve);
    };
    const subscription = status$.subscribe({
      next: (status) => {
        queue.push(status).catch(onError);
      },
      complete: () => {
        flushThen(resolve);
      },
      error: (err: unknown) => {
        flushThen(() => {
          reject(err instanceof Error ? err : new Error(String(err)));
        });
      },
    });
    if (signal?.aborted === true) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
}
