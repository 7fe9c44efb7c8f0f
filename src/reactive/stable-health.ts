import type { BackendHealthReport } from '../types.js';

/** The fields of a backend's health that are worth a report when they change. */
export type StableHealthFields = Pick<
  BackendHealthReport,
  | 'status'
  | 'toolCount'
  | 'url'
  | 'errorCategory'
  | 'circuitBreakerState'
  | 'circuitLastChanged'
  | 'consecutiveFailures'
>;

/**
 * True when two checks of one backend differ in a field worth reporting.
 *
 * Volatile fields never count: `checkedAt`, `latencyMs` and `errorDetail` change on
 * every probe. `consecutiveFailures` counts while it builds up to a status change, but
 * once a backend is unhealthy it keeps growing on every failed probe and is volatile
 * too: a backend that stays down must not cost one write per probe. Whenever a write
 * happens for another reason, it carries the current count.
 */
export function stableHealthChanged(
  previous: StableHealthFields,
  next: StableHealthFields,
): boolean {
  return (
    previous.status !== next.status ||
    previous.toolCount !== next.toolCount ||
    previous.url !== next.url ||
    previous.errorCategory !== next.errorCategory ||
    previous.circuitBreakerState !== next.circuitBreakerState ||
    previous.circuitLastChanged?.getTime() !== next.circuitLastChanged?.getTime() ||
    (next.status !== 'unhealthy' && previous.consecutiveFailures !== next.consecutiveFailures)
  );
}
