import type { BackendHealthEvent, BackendHealthStatus } from '../../src/types.js';

/** A health check of one backend, with sensible defaults for the fields a test does not care about. */
export function check(
  name: string,
  status: BackendHealthStatus,
  overrides: Partial<BackendHealthEvent> = {},
): BackendHealthEvent {
  return {
    name,
    url: `http://127.0.0.1:9/${name}`,
    status,
    toolCount:
      status === 'healthy' || status === 'degraded' || status === 'unauthenticated' ? 10 : 0,
    consecutiveFailures: status === 'unhealthy' ? 3 : status === 'unknown' ? 1 : 0,
    checkedAt: new Date(0),
    latencyMs: 5,
    ...overrides,
  };
}

/** The derivation's state from a list of checks (the last check of a name wins). */
export function statesOf(checks: readonly BackendHealthEvent[], lastDiscoveryTime?: Date) {
  return { backends: new Map(checks.map((c) => [c.name, c])), lastDiscoveryTime };
}
