import { expect } from 'chai';
import fc from 'fast-check';
import { ownedConditionTypes, ownedFields, ownerOf } from '../../../src/apply/ownership.js';
import type { ConditionJson } from '../../../src/apply/status-patch.js';
import {
  holdsOperatorStatus,
  operatorOwnedPart,
  operatorStatusPatch,
  type OperatorCondition,
} from '../../../src/operator/operator-status-patch.js';

const ref = { name: 'demo', namespace: 'team-a' };
const now = new Date('2026-11-29T10:00:00.700Z');
const valid: OperatorCondition = {
  type: 'Valid',
  status: 'True',
  reason: 'SpecValid',
  message: 'ok',
};
const available: OperatorCondition = {
  type: 'Available',
  status: 'False',
  reason: 'DeploymentProgressing',
  message: '0/1',
};

describe('operatorStatusPatch', () => {
  it('builds the apply object: identity, url, observedGeneration and the operator’s conditions', () => {
    const patch = operatorStatusPatch(
      ref,
      {
        url: 'http://demo-vmcp.team-a.svc.cluster.local:4483',
        observedGeneration: 3,
        conditions: [valid, available],
      },
      undefined,
      now,
    );
    expect(patch).to.deep.equal({
      apiVersion: 'vmcp-status.dev/v1beta1',
      kind: 'VirtualMCPServer',
      metadata: ref,
      status: {
        url: 'http://demo-vmcp.team-a.svc.cluster.local:4483',
        observedGeneration: 3,
        conditions: [
          { ...valid, lastTransitionTime: '2026-11-29T10:00:00Z', observedGeneration: 3 },
          { ...available, lastTransitionTime: '2026-11-29T10:00:00Z', observedGeneration: 3 },
        ],
      },
    });
  });

  it('leaves url out when there is none (the complete set: applying it removes an old url)', () => {
    const patch = operatorStatusPatch(
      ref,
      { observedGeneration: 1, conditions: [valid] },
      undefined,
      now,
    );
    expect(patch.status).to.not.have.property('url');
  });

  it('keeps lastTransitionTime unless the status flipped; reason and message update in place', () => {
    const previous: ConditionJson[] = [
      { ...valid, message: 'old', lastTransitionTime: '2026-01-01T00:00:00Z' },
      { ...available, status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' },
      // The runtime's: not the operator's to carry.
      {
        type: 'Ready',
        status: 'True',
        reason: 'X',
        message: '',
        lastTransitionTime: '2026-01-01T00:00:00Z',
      },
    ];
    const patch = operatorStatusPatch(
      ref,
      { observedGeneration: 2, conditions: [valid, available] },
      previous,
      now,
    );
    const byType = new Map(patch.status.conditions.map((c) => [c.type, c]));
    expect(byType.get('Valid')).to.include({
      lastTransitionTime: '2026-01-01T00:00:00Z',
      message: 'ok',
    });
    expect(byType.get('Available')?.lastTransitionTime).to.equal('2026-11-29T10:00:00Z');
    expect(byType.has('Ready')).to.equal(false);
  });

  it('property: every field path in the patch belongs to the operator in the ownership table', () => {
    const anyType = fc.constantFrom(
      ...ownedConditionTypes('operator'),
      ...ownedConditionTypes('runtime'),
      'Foreign',
    );
    const condition = fc.record({
      type: anyType,
      status: fc.constantFrom('True' as const, 'False' as const, 'Unknown' as const),
      reason: fc.constantFrom('A', 'B'),
      message: fc.string({ maxLength: 20 }),
    });
    fc.assert(
      fc.property(
        fc.option(fc.webUrl(), { nil: undefined }),
        fc.nat(),
        fc.uniqueArray(condition, { selector: (c) => c.type, maxLength: 8 }),
        (url, observedGeneration, conditions) => {
          const patch = operatorStatusPatch(
            ref,
            { url, observedGeneration, conditions },
            undefined,
            now,
          );
          for (const field of Object.keys(patch.status)) {
            if (field === 'conditions') {
              for (const c of patch.status.conditions)
                expect(ownerOf('conditions', c.type), c.type).to.equal('operator');
            } else {
              expect(ownerOf(field), field).to.equal('operator');
            }
          }
          for (const field of ownedFields('runtime'))
            expect(patch.status).to.not.have.property(field);
          expect(Object.keys(patch)).to.deep.equal(['apiVersion', 'kind', 'metadata', 'status']);
          expect(Object.keys(patch.metadata)).to.deep.equal(['name', 'namespace']);
        },
      ),
    );
  });
});

describe('holdsOperatorStatus', () => {
  const patch = operatorStatusPatch(
    ref,
    { url: 'http://u', observedGeneration: 4, conditions: [valid, available] },
    undefined,
    now,
  );

  it('is true for a server status holding the same operator fields among the runtime’s', () => {
    const server = {
      phase: 'Ready',
      backendCount: 2,
      url: 'http://u',
      observedGeneration: 4,
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'X',
          message: '',
          lastTransitionTime: '2026-01-01T00:00:00Z',
        },
        ...[...patch.status.conditions].reverse(),
      ],
    };
    expect(holdsOperatorStatus(server, patch.status)).to.equal(true);
    expect(operatorOwnedPart(server).conditions.map((c) => c.type)).to.deep.equal([
      'Available',
      'Valid',
    ]);
  });

  it('is false when any operator field differs, or is missing', () => {
    const server = { url: 'http://u', observedGeneration: 4, conditions: patch.status.conditions };
    expect(holdsOperatorStatus({ ...server, observedGeneration: 3 }, patch.status)).to.equal(false);
    expect(holdsOperatorStatus({ ...server, url: undefined }, patch.status)).to.equal(false);
    expect(
      holdsOperatorStatus(
        { ...server, conditions: patch.status.conditions.map((c) => ({ ...c, message: 'x' })) },
        patch.status,
      ),
    ).to.equal(false);
    expect(holdsOperatorStatus(undefined, patch.status)).to.equal(false);
  });
});
