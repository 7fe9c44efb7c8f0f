import { expect } from 'chai';
import {
  runtimeOwnedPart,
  sameRuntimeStatus,
  serverHoldsApplied,
  withoutStatusFields,
} from '../../../src/apply/runtime-status-fields.js';
import { statusApplyPatch } from '../../../src/apply/status-patch.js';
import { deriveRuntimeStatus } from '../../../src/reactive/derive-runtime-status.js';
import { check, statesOf } from '../../../tools/cluster/health-checks.js';

const at = new Date('2026-11-29T10:00:00Z');
const patchOf = (checkedAt: Date) => {
  const checks = [check('b', 'healthy', { checkedAt }), check('a', 'unhealthy', { checkedAt })];
  return statusApplyPatch(
    { name: 'x', namespace: 'y' },
    deriveRuntimeStatus(statesOf(checks, at), ['a', 'b'], at),
  );
};

describe('runtime status fields', () => {
  it('drops top-level and per-entry fields the CRD does not know', () => {
    const status = withoutStatusFields(
      patchOf(at).status,
      new Set(['totalToolCount', 'discoveredBackends[].toolCount']),
    );
    expect(status).to.not.have.property('totalToolCount');
    expect(status.discoveredBackends.every((b) => !('toolCount' in b))).to.equal(true);
    expect(patchOf(at).status.totalToolCount).to.equal(10);
  });

  it('ignores lastHealthCheck when deciding whether a status changed', () => {
    const a = patchOf(at).status as unknown as Record<string, unknown>;
    const b = patchOf(new Date('2026-11-29T11:00:00Z')).status as unknown as Record<
      string,
      unknown
    >;
    expect(sameRuntimeStatus(a, b)).to.equal(true);
    expect(sameRuntimeStatus(a, { ...b, phase: 'Failed' })).to.equal(false);
  });

  it('finds what the runtime applied in a server status that also holds operator fields, in any order', () => {
    const applied = patchOf(at).status;
    const server = {
      ...applied,
      url: 'http://x',
      observedGeneration: 3,
      discoveredBackends: [...applied.discoveredBackends].reverse(),
      conditions: [{ type: 'Available', status: 'True' }, ...applied.conditions],
    };
    expect(serverHoldsApplied(server, applied)).to.equal(true);
    expect(serverHoldsApplied({ ...server, phase: 'Failed' }, applied)).to.equal(false);
    expect(runtimeOwnedPart(server)).to.not.have.any.keys('url', 'observedGeneration');
  });
});
