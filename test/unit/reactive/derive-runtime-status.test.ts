import { expect } from 'chai';
import { deriveRuntimeStatus } from '../../../src/reactive/derive-runtime-status.js';
import type { BackendHealthEvent, BackendHealthStatus, Phase } from '../../../src/types.js';
import { check, statesOf } from '../../../tools/cluster/health-checks.js';

const now = new Date('2026-11-25T12:00:00Z');

function derive(checks: BackendHealthEvent[], configured = checks.map((c) => c.name)) {
  return deriveRuntimeStatus(statesOf(checks), configured, now);
}
function condition(status: ReturnType<typeof derive>, type: string) {
  return status.conditions.find((c) => c.type === type);
}
function checksOf(...statuses: BackendHealthStatus[]): BackendHealthEvent[] {
  return statuses.map((s, i) => check(`b${i}`, s));
}

describe('deriveRuntimeStatus', () => {
  interface Row {
    case: string;
    checks: BackendHealthEvent[];
    configured?: string[];
    phase: Phase;
    ready: 'True' | 'False';
    reason: string;
    backendCount: number;
    degradedCondition: boolean;
  }
  const rows: Row[] = [
    {
      case: 'zero backends configured',
      checks: [],
      phase: 'Ready',
      ready: 'True',
      reason: 'AllBackendsRoutable',
      backendCount: 0,
      degradedCondition: false,
    },
    {
      case: 'configured, none checked yet',
      checks: [],
      configured: ['a', 'b'],
      phase: 'Pending',
      ready: 'False',
      reason: 'BackendsPending',
      backendCount: 0,
      degradedCondition: false,
    },
    {
      case: 'all healthy',
      checks: checksOf('healthy', 'healthy'),
      phase: 'Ready',
      ready: 'True',
      reason: 'AllBackendsRoutable',
      backendCount: 2,
      degradedCondition: false,
    },
    {
      case: 'all unauthenticated',
      checks: checksOf('unauthenticated', 'unauthenticated'),
      phase: 'Ready',
      ready: 'True',
      reason: 'AllBackendsRoutable',
      backendCount: 2,
      degradedCondition: false,
    },
    {
      case: 'healthy + unauthenticated',
      checks: checksOf('healthy', 'unauthenticated'),
      phase: 'Ready',
      ready: 'True',
      reason: 'AllBackendsRoutable',
      backendCount: 2,
      degradedCondition: false,
    },
    {
      case: 'degraded only',
      checks: checksOf('degraded', 'degraded'),
      phase: 'Degraded',
      ready: 'False',
      reason: 'SomeBackendsUnhealthy',
      backendCount: 0,
      degradedCondition: true,
    },
    {
      case: 'unknown only',
      checks: checksOf('unknown', 'unknown'),
      phase: 'Failed',
      ready: 'False',
      reason: 'NoRoutableBackends',
      backendCount: 0,
      degradedCondition: false,
    },
    {
      case: 'unhealthy only',
      checks: checksOf('unhealthy'),
      phase: 'Failed',
      ready: 'False',
      reason: 'NoRoutableBackends',
      backendCount: 0,
      degradedCondition: false,
    },
    {
      case: 'unhealthy + unknown',
      checks: checksOf('unhealthy', 'unknown'),
      phase: 'Failed',
      ready: 'False',
      reason: 'NoRoutableBackends',
      backendCount: 0,
      degradedCondition: false,
    },
    {
      case: 'healthy + unhealthy',
      checks: checksOf('healthy', 'unhealthy'),
      phase: 'Degraded',
      ready: 'False',
      reason: 'SomeBackendsUnhealthy',
      backendCount: 1,
      degradedCondition: false,
    },
    {
      case: 'healthy + degraded',
      checks: checksOf('healthy', 'degraded'),
      phase: 'Degraded',
      ready: 'False',
      reason: 'SomeBackendsUnhealthy',
      backendCount: 1,
      degradedCondition: true,
    },
    {
      case: 'degraded + unhealthy',
      checks: checksOf('degraded', 'unhealthy'),
      phase: 'Degraded',
      ready: 'False',
      reason: 'SomeBackendsUnhealthy',
      backendCount: 0,
      degradedCondition: true,
    },
    {
      case: 'unauthenticated + unknown',
      checks: checksOf('unauthenticated', 'unknown'),
      phase: 'Degraded',
      ready: 'False',
      reason: 'SomeBackendsUnhealthy',
      backendCount: 1,
      degradedCondition: false,
    },
    {
      case: 'one healthy checked, one still pending',
      checks: [check('a', 'healthy')],
      configured: ['a', 'b'],
      phase: 'Ready',
      ready: 'True',
      reason: 'AllBackendsRoutable',
      backendCount: 1,
      degradedCondition: false,
    },
    {
      case: 'one unhealthy checked, one still pending',
      checks: [check('a', 'unhealthy')],
      configured: ['a', 'b'],
      phase: 'Failed',
      ready: 'False',
      reason: 'NoRoutableBackends',
      backendCount: 0,
      degradedCondition: false,
    },
  ];

  for (const row of rows) {
    it(`${row.case} → ${row.phase}, Ready ${row.ready} ${row.reason}`, () => {
      const status = derive(row.checks, row.configured);
      expect(status.phase).to.equal(row.phase);
      expect(condition(status, 'Ready')).to.include({ status: row.ready, reason: row.reason });
      expect(status.backendCount).to.equal(row.backendCount);
      if (row.degradedCondition) {
        expect(condition(status, 'Degraded')).to.include({
          status: 'True',
          reason: 'BackendsDegraded',
        });
      } else {
        expect(condition(status, 'Degraded')).to.equal(undefined);
      }
      expect(condition(status, 'BackendsDiscovered')).to.include({
        status: 'True',
        reason: 'BackendsDiscovered',
      });
    });
  }

  it('says no backends are configured when there are none', () => {
    const status = derive([]);
    expect(status.message).to.equal('No backends configured');
    expect(condition(status, 'Ready')?.message).to.equal('No backends configured');
    expect(condition(status, 'BackendsDiscovered')?.message).to.equal('0 backends discovered');
  });

  it('counts the backends in the BackendsDiscovered message', () => {
    expect(
      condition(derive(checksOf('healthy', 'unhealthy', 'unknown')), 'BackendsDiscovered')?.message,
    ).to.equal('3 backends discovered');
    expect(condition(derive([check('a', 'healthy')]), 'BackendsDiscovered')?.message).to.equal(
      '1 backend discovered',
    );
  });

  it('writes a human message with routable, unhealthy and tool counts', () => {
    const status = derive([
      check('a', 'healthy', { toolCount: 20 }),
      check('b', 'unauthenticated', { toolCount: 21 }),
      check('c', 'unhealthy', { toolCount: 7 }),
    ]);
    expect(status.message).to.equal('2/3 backends routable (1 unhealthy), 41 tools');
  });

  it('mentions degraded, unknown and pending backends in the message', () => {
    const status = derive(
      [check('a', 'degraded', { toolCount: 1 }), check('b', 'unknown')],
      ['a', 'b', 'c'],
    );
    expect(status.message).to.equal(
      '0/3 backends routable (1 degraded, 1 unknown, 1 pending), 1 tool',
    );
    expect(derive([], ['a']).message).to.equal('Waiting for the first check of 1 backend');
  });

  it('counts healthy and unhealthy backends apart from routable ones', () => {
    const status = derive(
      checksOf('healthy', 'unauthenticated', 'unhealthy', 'unhealthy', 'unknown', 'degraded'),
    );
    expect(status.healthyBackends).to.equal(1);
    expect(status.unhealthyBackends).to.equal(2);
    expect(status.backendCount).to.equal(2);
  });

  it('sums the tools of usable backends only (routable or degraded)', () => {
    const status = derive([
      check('a', 'healthy', { toolCount: 3 }),
      check('b', 'degraded', { toolCount: 5 }),
      check('c', 'unauthenticated', { toolCount: 7 }),
      check('d', 'unhealthy', { toolCount: 100 }),
      check('e', 'unknown', { toolCount: 1000 }),
    ]);
    expect(status.totalToolCount).to.equal(15);
  });

  it('ignores checks of backends that are not configured', () => {
    const status = derive([check('a', 'healthy'), check('gone', 'unhealthy')], ['a']);
    expect(status.phase).to.equal('Ready');
    expect(status.backends.map((b) => b.name)).to.deep.equal(['a']);
  });

  it('lists only checked backends, sorted by name, with the check time as lastHealthCheck', () => {
    const at = new Date('2026-11-25T11:59:00Z');
    const status = derive(
      [check('zeta', 'healthy'), check('alpha', 'unhealthy', { checkedAt: at })],
      ['zeta', 'mid', 'alpha'],
    );
    expect(status.backends.map((b) => b.name)).to.deep.equal(['alpha', 'zeta']);
    expect(status.backends[0]?.lastHealthCheck).to.deep.equal(at);
  });

  it('passes lastDiscoveryTime through and stamps conditions with now', () => {
    const discovered = new Date('2026-11-25T10:00:00Z');
    const status = deriveRuntimeStatus(statesOf([check('a', 'healthy')], discovered), ['a'], now);
    expect(status.lastDiscoveryTime).to.deep.equal(discovered);
    for (const c of status.conditions) expect(c.lastTransitionTime).to.deep.equal(now);
  });

  it('gives the same status for the same backends whatever the map and configuration order', () => {
    const checks = checksOf('healthy', 'degraded', 'unhealthy', 'unauthenticated');
    const a = derive(
      checks,
      checks.map((c) => c.name),
    );
    const b = deriveRuntimeStatus(
      statesOf([...checks].reverse()),
      checks.map((c) => c.name).reverse(),
      now,
    );
    expect(b).to.deep.equal(a);
  });
});
