import type { Observable, Subscription } from 'rxjs';
import { eventually } from './eventually.js';

/** Collects what an observable emits, for event-driven waits on real I/O. */
export class Collected<T> {
  readonly values: T[] = [];
  readonly subscription: Subscription;
  error: unknown;
  completed = false;

  constructor(source$: Observable<T>) {
    this.subscription = source$.subscribe({
      next: (value) => this.values.push(value),
      error: (err: unknown) => (this.error = err),
      complete: () => (this.completed = true),
    });
  }

  /** Resolves with the first value (from index `from` on) that matches; fails after `timeoutMs`. */
  async next(
    match: (value: T) => boolean,
    { from = 0, timeoutMs = 20_000, what = 'a matching value' } = {},
  ): Promise<T> {
    let found: T | undefined;
    await eventually(
      () => {
        found = this.values.slice(from).find(match);
        return found !== undefined;
      },
      { timeoutMs, what },
    );
    return found as T;
  }

  unsubscribe(): void {
    this.subscription.unsubscribe();
  }
}
