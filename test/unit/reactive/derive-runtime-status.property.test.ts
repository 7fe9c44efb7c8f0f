import { expect } from 'chai';
import fc from 'fast-check';
import {
  deriveRuntimeStatus,
  isRoutable,
  isUsable,
} from '../../../src/reactive/derive-runtime-status.js';
import { BACKEND_HEALTH_STATUSES } from '../../../src/types.js';
import { backendsArbitrary } from '../../support/arbitraries.js';
import { statesOf } from '../../../tools/cluster/health-checks.js';

const now = new Date('2026-11-25T12:00:00Z');

describe('deriveRuntimeStatus properties', () => {
  it('per-status counts add up to the checked backends', () => {
    fc.assert(
      fc.property(backendsArbitrary, ({ checks, configured }) => {
        const status = deriveRuntimeStatus(statesOf(checks), configured, now);
        const perStatus = BACKEND_HEALTH_STATUSES.map(
          (s) => status.backends.filter((b) => b.status === s).length,
        );
        expect(perStatus.reduce((a, b) => a + b, 0)).to.equal(checks.length);
        expect(status.backends).to.have.length(checks.length);
        expect(status.healthyBackends).to.equal(
          checks.filter((c) => c.status === 'healthy').length,
        );
        expect(status.unhealthyBackends).to.equal(
          checks.filter((c) => c.status === 'unhealthy').length,
        );
        expect(status.backendCount).to.equal(checks.filter((c) => isRoutable(c.status)).length);
      }),
    );
  });

  it('is Failed exactly when at least one backend is checked and none is usable', () => {
    fc.assert(
      fc.property(backendsArbitrary, ({ checks, configured }) => {
        const status = deriveRuntimeStatus(statesOf(checks), configured, now);
        const failed = checks.length > 0 && !checks.some((c) => isUsable(c.status));
        expect(status.phase === 'Failed').to.equal(failed);
      }),
    );
  });

  it('is Ready exactly when nothing is configured, or something is checked and every checked backend is routable', () => {
    fc.assert(
      fc.property(backendsArbitrary, ({ checks, configured }) => {
        const status = deriveRuntimeStatus(statesOf(checks), configured, now);
        const ready =
          configured.length === 0 ||
          (checks.length > 0 && checks.every((c) => isRoutable(c.status)));
        expect(status.phase === 'Ready').to.equal(ready);
        expect(status.conditions.find((c) => c.type === 'Ready')?.status).to.equal(
          ready ? 'True' : 'False',
        );
      }),
    );
  });

  it('yields the same status for the same state in any event order', () => {
    fc.assert(
      fc.property(
        backendsArbitrary.chain(({ checks, configured }) =>
          fc.tuple(
            fc.constant(checks),
            fc.constant(configured),
            fc.shuffledSubarray(checks, { minLength: checks.length }),
            fc.shuffledSubarray(configured, { minLength: configured.length }),
          ),
        ),
        ([checks, configured, shuffledChecks, shuffledConfigured]) => {
          const a = deriveRuntimeStatus(statesOf(checks), configured, now);
          const b = deriveRuntimeStatus(statesOf(shuffledChecks), shuffledConfigured, now);
          expect(b).to.deep.equal(a);
        },
      ),
    );
  });

  it('lists backends sorted by name and sums tools of usable backends', () => {
    fc.assert(
      fc.property(backendsArbitrary, ({ checks, configured }) => {
        const status = deriveRuntimeStatus(statesOf(checks), configured, now);
        const names = status.backends.map((b) => b.name);
        expect(names).to.deep.equal([...names].sort());
        const tools = checks.filter((c) => isUsable(c.status)).reduce((n, c) => n + c.toolCount, 0);
        expect(status.totalToolCount).to.equal(tools);
      }),
    );
  });
});
