import { compareNames } from '../reactive/derive-runtime-status.js';
import type { BackendHealthReport, BackendHealthStatus, RuntimeStatus } from '../types.js';

/** The default of `maxReportedBackends`: 256 entries stay far below the 1.5 MiB object limit. */
export const DEFAULT_MAX_REPORTED_BACKENDS = 256;

/** Which backends a truncated list keeps first: the ones someone should look at. */
const SHOWN_FIRST: Readonly<Record<BackendHealthStatus, number>> = {
  unhealthy: 0,
  unknown: 1,
  degraded: 2,
  unauthenticated: 3,
  healthy: 4,
};

/**
 * A status whose backend list holds at most `max` entries, so a vMCP with 10,000
 * backends still fits in one object (etcd's 1.5 MiB): unhealthy first, then unknown,
 * degraded, unauthenticated and healthy, each by name. The counts (`backendCount`,
 * healthy, unhealthy, `totalToolCount`) stay those of every backend, and `message`
 * says the list is truncated. Under the cap the status is returned as it is. Pure.
 *
 * For 10,000 backends, 10 of them unhealthy, `message` reads
 * `9990/10000 backends routable (10 unhealthy), 29970 tools; showing 256 of 10000
 * backends, unhealthy first`.
 */
export function capReportedBackends(status: RuntimeStatus, max: number): RuntimeStatus {
  if (status.backends.length <= max) return status;
  const shown = [...status.backends].sort(byConcern).slice(0, max);
  return {
    ...status,
    backends: shown,
    message: `${status.message}; showing ${String(max)} of ${String(status.backends.length)} backends, unhealthy first`,
  };
}

function byConcern(a: BackendHealthReport, b: BackendHealthReport): number {
  return SHOWN_FIRST[a.status] - SHOWN_FIRST[b.status] || compareNames(a.name, b.name);
}
