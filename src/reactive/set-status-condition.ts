import type { Condition } from '../types.js';

/**
 * Carries `lastTransitionTime` forward the way apimachinery's `SetStatusCondition`
 * does: a condition keeps the previous time unless its `status` changed; reason and
 * message update in place. Conditions absent from `next` are dropped (the runtime
 * always reports its complete set).
 *
 * Pure: `next` holds candidate times (usually "now"), `previous` the ones last reported.
 */
export function carryTransitionTimes(
  previous: readonly Condition[] | undefined,
  next: readonly Condition[],
): Condition[] {
  if (previous === undefined || previous.length === 0) return [...next];
  return next.map((condition) => {
    const before = previous.find((p) => p.type === condition.type);
    if (before === undefined || before.status !== condition.status) return condition;
    if (before.lastTransitionTime.getTime() === condition.lastTransitionTime.getTime()) {
      return condition;
    }
    return { ...condition, lastTransitionTime: before.lastTransitionTime };
  });
}
