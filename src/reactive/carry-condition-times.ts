import { scan, type MonoTypeOperatorFunction } from 'rxjs';
import type { RuntimeStatus } from '../types.js';
import { carryTransitionTimes } from './set-status-condition.js';

/**
 * Keeps each condition's `lastTransitionTime` from the previous status unless its
 * `status` flipped, so a condition's age means "since it last changed".
 *
 * ```
 * source: a(Ready=True @0)---b(Ready=True @9)---c(Ready=False @20)
 * result: a(Ready=True @0)---b(Ready=True @0)---c(Ready=False @20)
 * ```
 */
export function carryConditionTimes(
  initial?: RuntimeStatus['conditions'],
): MonoTypeOperatorFunction<RuntimeStatus> {
  return scan<RuntimeStatus, RuntimeStatus, RuntimeStatus | undefined>(
    (previous, next) => ({
      ...next,
      conditions: carryTransitionTimes(previous?.conditions ?? initial, next.conditions),
    }),
    undefined,
  );
}
