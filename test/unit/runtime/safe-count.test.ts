import { expect } from 'chai';
import { statusApplyPatch } from '../../../src/apply/status-patch.js';
import { deriveRuntimeStatus } from '../../../src/reactive/derive-runtime-status.js';
import { BackendHealthTracker } from '../../../src/runtime/backend-health-tracker.js';
import { MAX_STATUS_COUNT, addSafeCounts, toSafeCount } from '../../../src/safe-count.js';
import { check, statesOf } from '../../../tools/cluster/health-checks.js';

describe('counts a buggy backend or prober reports', () => {
  it('become non-negative int32 integers', () => {
    const cases: Array<[unknown, number]> = [
      [Number.NaN, 0],
      [-5, 0],
      [-0, 0],
      [2.9, 2],
      [1e300, MAX_STATUS_COUNT],
      [Number.POSITIVE_INFINITY, MAX_STATUS_COUNT],
      [Number.NEGATIVE_INFINITY, 0],
      ['12', 0],
      [undefined, 0],
      [7, 7],
    ];
    for (const [value, safe] of cases) expect(toSafeCount(value), String(value)).to.equal(safe);
    expect(addSafeCounts(MAX_STATUS_COUNT, 5)).to.equal(MAX_STATUS_COUNT);
  });

  it('reach the status apply body only as int32-safe integers, totals included', () => {
    const tracker = new BackendHealthTracker({ name: 'nan', url: 'http://x/mcp' });
    const fromProber = tracker.record(
      { outcome: 'healthy', toolCount: Number.NaN, latencyMs: 1 },
      0,
    );
    expect(fromProber.toolCount).to.equal(0);
    // An embedder feeding the observable API directly.
    const checks = [
      check('huge', 'healthy', { toolCount: 1e300 }),
      check('more', 'healthy', { toolCount: 2 ** 31 }),
      check('negative', 'healthy', { toolCount: -3, consecutiveFailures: -1 }),
      check('fraction', 'degraded', { toolCount: 2.5 }),
      { ...fromProber },
    ];
    const status = deriveRuntimeStatus(
      statesOf(checks),
      checks.map((c) => c.name),
      new Date(0),
    );
    const body = statusApplyPatch({ name: 'v', namespace: 'n' }, status).status;
    const counts = [
      body.totalToolCount,
      body.backendCount,
      body.healthyBackends,
      body.unhealthyBackends,
      ...body.discoveredBackends.flatMap((b) => [b.toolCount ?? 0, b.consecutiveFailures ?? 0]),
    ];
    for (const n of counts) {
      expect(Number.isInteger(n) && n >= 0 && n <= MAX_STATUS_COUNT, String(n)).to.equal(true);
    }
    expect(body.totalToolCount).to.equal(MAX_STATUS_COUNT);
    expect(
      Object.fromEntries(body.discoveredBackends.map((b) => [b.name, b.toolCount])),
    ).to.deep.equal({
      fraction: 2,
      huge: MAX_STATUS_COUNT,
      more: MAX_STATUS_COUNT,
      nan: 0,
      negative: 0,
    });
  });
});
