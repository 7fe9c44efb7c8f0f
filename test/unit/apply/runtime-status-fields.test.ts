import { expect } from 'chai';
import {
  runtimeOwnedPart,
  runtimeSummary,
  sameRuntimeStatus,
  serverHoldsApplied,
  withoutStatusFields,
} from '../../../src/apply/runtime-status-fields.js';
import { layoutStatusBody } from '../../../src/apply/runtime-snapshot.js';
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

  it('ignores the growing failure count of a backend that is down, not of one that is up', () => {
    const withFailures = (name: string, status: 'healthy' | 'unhealthy' | 'degraded', n: number) =>
      statusApplyPatch(
        { name: 'x', namespace: 'y' },
        deriveRuntimeStatus(
          statesOf([check(name, status, { checkedAt: at, consecutiveFailures: n })], at),
          [name],
          at,
        ),
      ).status as unknown as Record<string, unknown>;
    expect(
      sameRuntimeStatus(withFailures('a', 'unhealthy', 3), withFailures('a', 'unhealthy', 9)),
    ).to.equal(true);
    expect(
      sameRuntimeStatus(withFailures('a', 'degraded', 1), withFailures('a', 'degraded', 2)),
    ).to.equal(false);
    expect(
      sameRuntimeStatus(withFailures('a', 'unhealthy', 3), withFailures('a', 'degraded', 3)),
    ).to.equal(false);
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

describe('runtime status fields in the runtime layout', () => {
  const body = () => layoutStatusBody('runtime', patchOf(at).status);

  it('drops fields under status.runtime, in list entries too', () => {
    const dropped = withoutStatusFields(
      body(),
      new Set(['runtime.totalToolCount', 'runtime.discoveredBackends[].toolCount']),
    );
    const runtime = dropped.runtime as Record<string, unknown>;
    expect(runtime).to.not.have.property('totalToolCount');
    expect((runtime.discoveredBackends as object[]).every((b) => !('toolCount' in b))).to.equal(
      true,
    );
    expect((body().runtime as Record<string, unknown>).totalToolCount).to.equal(10);
  });

  it('finds what was applied under status.runtime whatever ToolHive projected to the top', () => {
    const applied = body();
    const runtime = applied.runtime as Record<string, unknown>;
    const server = {
      runtime: {
        ...runtime,
        discoveredBackends: [...(runtime.discoveredBackends as object[])].reverse(),
      },
      // ToolHive's operator's projection: a copy at the top, in its own words.
      phase: 'Degraded',
      message: 'projected',
      conditions: [{ type: 'Ready', status: 'False' }],
      discoveredBackends: [],
    };
    expect(serverHoldsApplied(server, applied, 'runtime')).to.equal(true);
    expect(
      serverHoldsApplied({ ...server, phase: 'Ready', message: 'other' }, applied, 'runtime'),
    ).to.equal(true);
    expect(
      serverHoldsApplied(
        { ...server, runtime: { ...runtime, phase: 'Failed' } },
        applied,
        'runtime',
      ),
    ).to.equal(false);
    // In the top-level layout the same top-level change is drift.
    expect(
      serverHoldsApplied({ ...(applied.runtime as object), phase: 'Failed' }, runtime),
    ).to.equal(false);
  });

  it('counts empty values as absent, as a Go round trip leaves them', () => {
    const applied = body();
    const runtime = applied.runtime as Record<string, unknown>;
    expect(
      serverHoldsApplied(
        { runtime: { ...runtime, message: '', backendCount: 0 } },
        {
          runtime: { ...runtime, message: undefined, backendCount: undefined },
        },
        'runtime',
      ),
    ).to.equal(true);
    expect(sameRuntimeStatus(applied, { runtime: { ...runtime } }, 'runtime')).to.equal(true);
    expect(runtimeSummary(applied, 'runtime')).to.deep.equal({
      phase: 'Degraded',
      backendCount: 1,
    });
  });
});
