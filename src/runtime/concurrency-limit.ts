import { Observable, type Subscription } from 'rxjs';
import { checkNumber } from '../validate.js';

/**
 * At most `max` observables subscribed at once; the others wait in order. Synchronous
 * and scheduler-free, so it works in virtual time. Unsubscribing a waiting one removes
 * it from the line; unsubscribing a running one frees its slot.
 *
 * ```
 * limit = 1
 * run(a$): ^--a|
 * run(b$): ^----(waits)--b|     b$ is subscribed when a$ completes
 * ```
 */
export class ConcurrencyLimit {
  readonly max: number;
  #active = 0;
  readonly #waiting = new Set<() => void>();

  constructor(max: number) {
    this.max = checkNumber('maxConcurrentProbes', max, { min: 1, integer: true });
  }

  /** Observables running now. */
  get active(): number {
    return this.#active;
  }

  /** Observables waiting for a slot. */
  get waiting(): number {
    return this.#waiting.size;
  }

  /** Subscribes to `source$` once a slot is free, and holds the slot until it ends. */
  run<T>(source$: Observable<T>): Observable<T> {
    return new Observable<T>((subscriber) => {
      let inner: Subscription | undefined;
      let holding = false;
      const release = (): void => {
        if (!holding) return;
        holding = false;
        this.#active--;
        this.#startNext();
      };
      const start = (): void => {
        this.#waiting.delete(start);
        holding = true;
        this.#active++;
        inner = source$.subscribe({
          next: (value) => {
            subscriber.next(value);
          },
          error: (err: unknown) => {
            release();
            subscriber.error(err);
          },
          complete: () => {
            release();
            subscriber.complete();
          },
        });
      };
      if (this.#active < this.max) start();
      else this.#waiting.add(start);
      return () => {
        this.#waiting.delete(start);
        inner?.unsubscribe();
        release();
      };
    });
  }

  #startNext(): void {
    const next = this.#waiting.values().next();
    if (next.done !== true) next.value();
  }
}
