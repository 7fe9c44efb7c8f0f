import { expect } from 'chai';
import { capReportedBackends } from '../../../src/apply/cap-reported-backends.js';
import { statusApplyPatch } from '../../../src/apply/status-patch.js';
import { deriveRuntimeStatus } from '../../../src/reactive/derive-runtime-status.js';
import type { BackendHealthStatus, RuntimeStatus } from '../../../src/types.js';
import { check, statesOf } from '../../../tools/cluster/health-checks.js';

const at = new Date('2026-12-01T10:00:00Z');

/** `n` backends `b-0000`…; those whose index `pick` maps to a status get it, the rest are healthy. */
function statusOf(n: number, pick: (i: number) => BackendHealthStatus | undefined): RuntimeStatus {
  const checks = Array.from({ length: n }, (_, i) =>
    check(`b-${String(i).padStart(4, '0')}`, pick(i) ?? 'healthy', { checkedAt: at }),
  );
  return deriveRuntimeStatus(
    statesOf(checks, at),
    checks.map((c) => c.name),
    at,
  );
}

describe('capReportedBackends', () => {
  it('returns a status under the cap as it is', () => {
    const status = statusOf(10, (i) => (i === 3 ? 'unhealthy' : undefined));
    expect(capReportedBackends(status, 10)).to.equal(status);
  });

  it('keeps unhealthy, unknown, degraded, unauthenticated, then healthy, each by name', () => {
    const order: Record<number, BackendHealthStatus> = {
      1: 'healthy',
      7: 'unauthenticated',
      5: 'degraded',
      9: 'unknown',
      8: 'unhealthy',
      2: 'unhealthy',
    };
    const capped = capReportedBackends(
      statusOf(10, (i) => order[i]),
      6,
    );
    expect(capped.backends.map((b) => `${b.name}:${b.status}`)).to.deep.equal([
      'b-0002:unhealthy',
      'b-0008:unhealthy',
      'b-0009:unknown',
      'b-0005:degraded',
      'b-0007:unauthenticated',
      'b-0000:healthy',
    ]);
  });

  it('keeps every count exact and says in message that the list is truncated', () => {
    const status = statusOf(10_000, (i) => (i % 1000 === 0 ? 'unhealthy' : undefined));
    const capped = capReportedBackends(status, 256);
    expect(capped.backends).to.have.length(256);
    expect(capped.backends.slice(0, 10).every((b) => b.status === 'unhealthy')).to.equal(true);
    for (const field of [
      'backendCount',
      'healthyBackends',
      'unhealthyBackends',
      'totalToolCount',
      'phase',
      'conditions',
    ] as const) {
      expect(capped[field], field).to.deep.equal(status[field]);
    }
    expect(capped.healthyBackends).to.equal(9_990);
    expect(capped.unhealthyBackends).to.equal(10);
    expect(capped.totalToolCount).to.equal(99_900);
    expect(capped.message).to.equal(
      '9990/10000 backends routable (10 unhealthy), 99900 tools; showing 256 of 10000 backends, unhealthy first',
    );
  });

  it('keeps the apply body of 10,000 backends to a few dozen KiB', () => {
    const status = statusOf(10_000, (i) => (i % 7 === 0 ? 'unhealthy' : undefined));
    const bytes = (s: RuntimeStatus) =>
      Buffer.byteLength(JSON.stringify(statusApplyPatch({ name: 'v', namespace: 'n' }, s)));
    expect(bytes(capReportedBackends(status, 256))).to.be.below(100 * 1024);
    expect(bytes(status)).to.be.above(1024 * 1024);
  });
});
