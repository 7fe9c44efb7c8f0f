/** The largest count a status field holds: the CRD's counts are int32. */
export const MAX_STATUS_COUNT = 2_147_483_647;

/**
 * A count fit for a status field: a non-negative int32. A buggy backend or prober may
 * say NaN, a negative number, a fraction or 1e300; those become 0, 0, the integer
 * below, and {@link MAX_STATUS_COUNT}, so an apply is never rejected for a count.
 */
export function toSafeCount(value: unknown): number {
  if (typeof value !== 'number' || Number.isNaN(value) || value <= 0) return 0;
  return value >= MAX_STATUS_COUNT ? MAX_STATUS_COUNT : Math.floor(value);
}

/** A sum of counts that stays an int32: it stops at {@link MAX_STATUS_COUNT}. */
export function addSafeCounts(a: number, b: number): number {
  return Math.min(MAX_STATUS_COUNT, toSafeCount(a) + toSafeCount(b));
}
