import { expect } from 'chai';
import {
  ownedConditionTypes,
  ownedFields,
  ownerOf,
  ownershipTable,
  runtimeConditionTypes,
  runtimeStatusFields,
} from '../../../src/apply/ownership.js';

describe('status ownership, one table per layout', () => {
  it('top-level: the runtime and the operator side by side, disjoint', () => {
    const runtime = ownedFields('runtime');
    const operator = ownedFields('operator');
    expect(runtime).to.include.members(['phase', 'discoveredBackends', 'totalToolCount']);
    expect(operator).to.deep.equal(['url', 'observedGeneration']);
    expect(runtime.filter((f) => operator.includes(f))).to.deep.equal([]);
    expect(ownedConditionTypes('runtime')).to.deep.equal([
      'Ready',
      'Degraded',
      'BackendsDiscovered',
    ]);
    expect(ownerOf('conditions', 'Available')).to.equal('operator');
    expect(ownerOf('conditions', 'Ready')).to.equal('runtime');
    expect(ownerOf('runtime')).to.equal(undefined);
  });

  it('runtime: the runtime owns status.runtime and nothing at the top level', () => {
    expect(ownedFields('runtime', 'runtime')).to.deep.equal(['runtime']);
    expect(ownedConditionTypes('runtime', 'runtime')).to.deep.equal([]);
    for (const field of ['phase', 'message', 'backendCount', 'discoveredBackends', 'url'])
      expect(ownerOf(field, undefined, 'runtime'), field).to.equal('operator');
    // ToolHive's operator is the sole writer of the top-level conditions, Ready too.
    expect(ownerOf('conditions', 'Ready', 'runtime')).to.equal('operator');
    expect(ownerOf(['conditions'], undefined, 'runtime')).to.equal('operator');
    expect(ownerOf(['runtime', 'phase'], undefined, 'runtime')).to.equal('runtime');
    expect(ownerOf(['runtime', 'conditions'], 'Degraded', 'runtime')).to.equal('runtime');
    // status.runtime is the runtime's whole: whoever else writes in it is foreign.
    expect(ownerOf(['runtime', 'conditions'], 'Available', 'runtime')).to.equal('runtime');
    expect(ownerOf(['runtime', 'mcpRevision'], undefined, 'runtime')).to.equal('runtime');
  });

  it('the runtime reports the same set in both layouts', () => {
    const row = ownershipTable('runtime').find((r) => r.kind === 'object');
    expect(row?.kind === 'object' ? row.rows : []).to.deep.equal(
      ownershipTable('top-level').filter((r) => r.owner === 'runtime'),
    );
    expect(runtimeStatusFields()).to.deep.equal(ownedFields('runtime'));
    expect(runtimeConditionTypes()).to.deep.equal(ownedConditionTypes('runtime'));
  });
});
