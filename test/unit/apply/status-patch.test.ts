import { expect } from 'chai';
import fc from 'fast-check';
import { ownerOf } from '../../../src/apply/ownership.js';
import { kubeTime, statusApplyPatch, type ConditionJson } from '../../../src/apply/status-patch.js';
import { deriveRuntimeStatus } from '../../../src/reactive/derive-runtime-status.js';
import type { RuntimeStatus } from '../../../src/types.js';
import { checkArbitrary } from '../../support/arbitraries.js';
import { check, statesOf } from '../../../tools/cluster/health-checks.js';

const ref = { name: 'demo', namespace: 'team-a' };
const at = new Date('2026-11-29T10:00:00.123Z');

function statusOf(checks: ReturnType<typeof check>[]): RuntimeStatus {
  return deriveRuntimeStatus(
    statesOf(checks, at),
    checks.map((c) => c.name),
    at,
  );
}

describe('statusApplyPatch', () => {
  it('redacts credentials in a backend URL, whoever built the status', () => {
    const patch = statusApplyPatch(
      ref,
      statusOf([check('a', 'healthy', { url: 'https://u:SECRET@a.example/mcp?api_key=SECRET2' })]),
    );
    expect(patch.status.discoveredBackends[0]?.url).to.equal(
      'https://REDACTED@a.example/mcp?api_key=REDACTED',
    );
  });

  it('builds the apply object: identity and the complete set of runtime fields', () => {
    const patch = statusApplyPatch(
      ref,
      statusOf([
        check('b', 'unhealthy', {
          checkedAt: at,
          errorCategory: 'timeout',
          errorDetail: 'secret-token-xyz',
        }),
        check('a', 'healthy', { checkedAt: at }),
      ]),
    );
    expect(patch.apiVersion).to.equal('vmcp-status.dev/v1beta1');
    expect(patch.kind).to.equal('VirtualMCPServer');
    expect(patch.metadata).to.deep.equal(ref);
    expect(Object.keys(patch.status).sort()).to.deep.equal(
      [
        'backendCount',
        'conditions',
        'discoveredBackends',
        'healthyBackends',
        'lastDiscoveryTime',
        'message',
        'phase',
        'totalToolCount',
        'unhealthyBackends',
      ].sort(),
    );
    expect(patch.status.discoveredBackends).to.deep.equal([
      {
        name: 'a',
        status: 'ready',
        toolCount: 10,
        consecutiveFailures: 0,
        url: 'http://127.0.0.1:9/a',
        lastHealthCheck: '2026-11-29T10:00:00Z',
      },
      {
        name: 'b',
        status: 'unavailable',
        toolCount: 0,
        consecutiveFailures: 3,
        url: 'http://127.0.0.1:9/b',
        message: 'timeout',
        lastHealthCheck: '2026-11-29T10:00:00Z',
      },
    ]);
    expect(JSON.stringify(patch)).to.not.contain('secret-token-xyz');
  });

  it('honours a configured apiVersion', () => {
    expect(
      statusApplyPatch({ ...ref, apiVersion: 'example.dev/v1' }, statusOf([])).apiVersion,
    ).to.equal('example.dev/v1');
  });

  it('keeps a condition lastTransitionTime from the server unless its status changed', () => {
    const previous: ConditionJson[] = [
      {
        type: 'Ready',
        status: 'True',
        reason: 'AllBackendsRoutable',
        message: 'old',
        lastTransitionTime: '2026-01-01T00:00:00Z',
      },
      {
        type: 'BackendsDiscovered',
        status: 'False',
        reason: 'X',
        message: '',
        lastTransitionTime: '2026-01-01T00:00:00Z',
      },
    ];
    const patch = statusApplyPatch(ref, statusOf([check('a', 'healthy')]), previous);
    const byType = new Map(patch.status.conditions.map((c) => [c.type, c]));
    expect(byType.get('Ready')?.lastTransitionTime).to.equal('2026-01-01T00:00:00Z');
    expect(byType.get('Ready')?.message).to.not.equal('old');
    expect(byType.get('BackendsDiscovered')?.lastTransitionTime).to.equal(kubeTime(at));
  });

  it('writes times at second precision, as metav1.Time does', () => {
    expect(kubeTime(new Date('2026-11-29T10:00:00.999Z'))).to.equal('2026-11-29T10:00:00Z');
  });

  it('property: every field path in the patch belongs to the runtime in the ownership table', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(checkArbitrary(), { selector: (c) => c.name, maxLength: 8 }),
        (checks) => {
          const patch = statusApplyPatch(
            ref,
            deriveRuntimeStatus(
              statesOf(checks, at),
              checks.map((c) => c.name),
              at,
            ),
          );
          for (const field of Object.keys(patch.status)) {
            if (field === 'conditions') {
              for (const c of patch.status.conditions)
                expect(ownerOf('conditions', c.type), c.type).to.equal('runtime');
            } else {
              expect(ownerOf(field), field).to.equal('runtime');
            }
          }
          expect(patch.status).to.not.have.any.keys('url', 'observedGeneration');
        },
      ),
    );
  });

  it('drops conditions of types the runtime does not own', () => {
    const status = statusOf([check('a', 'healthy')]);
    const foreign = {
      ...status,
      conditions: [
        ...status.conditions,
        {
          type: 'Available',
          status: 'True' as const,
          reason: 'X',
          message: '',
          lastTransitionTime: at,
        },
      ],
    };
    expect(statusApplyPatch(ref, foreign).status.conditions.map((c) => c.type)).to.not.include(
      'Available',
    );
  });
});
