import { deriveRuntimeStatus } from '../../src/reactive/derive-runtime-status.js';
import type { BackendHealthStatus, RuntimeStatus } from '../../src/types.js';
import { check, statesOf } from './health-checks.js';

const discovered = new Date('2026-11-29T07:00:00Z');

/**
 * A derived status for backends given as `[name, status, toolCount?]`, checked at
 * `now`; the discovery time stays fixed unless given, as it would while the set of
 * backends and their tool counts do not change.
 */
export function statusOf(
  backends: ReadonlyArray<readonly [string, BackendHealthStatus, number?]>,
  now = new Date(),
  discoveredAt = discovered,
): RuntimeStatus {
  const checks = backends.map(([name, status, toolCount]) =>
    check(name, status, { checkedAt: now, ...(toolCount !== undefined ? { toolCount } : {}) }),
  );
  return deriveRuntimeStatus(
    statesOf(checks, discoveredAt),
    backends.map(([name]) => name),
    now,
  );
}

/** A VirtualMCPServer body with an empty spec. */
export function vmcpObject(
  name: string,
  namespace: string,
  apiVersion = 'vmcp-status.dev/v1beta1',
) {
  return { apiVersion, kind: 'VirtualMCPServer', metadata: { name, namespace }, spec: {} };
}
