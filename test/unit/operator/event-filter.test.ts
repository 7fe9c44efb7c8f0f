import { expect } from 'chai';
import { canonicalJson } from '../../../src/operator/child-applier.js';
import {
  controllerOwner,
  observedVersion,
  specChanged,
} from '../../../src/operator/event-filter.js';

const object = (generation: number, extra: Record<string, unknown> = {}) => ({
  metadata: {
    name: 'demo',
    namespace: 'ns',
    uid: 'u1',
    generation,
    resourceVersion: '7',
    ...extra,
  },
});

describe('specChanged', () => {
  it('ignores updates that keep the generation: status writes, managedFields, labels', () => {
    const seen = observedVersion(object(3));
    expect(
      specChanged(seen, observedVersion(object(3, { resourceVersion: '8', labels: { a: 'b' } }))),
    ).to.equal(false);
  });

  it('reconciles a new generation, a new uid, the start of deletion, or a first sighting', () => {
    const seen = observedVersion(object(3));
    expect(specChanged(seen, observedVersion(object(4)))).to.equal(true);
    expect(specChanged(seen, observedVersion(object(3, { uid: 'u2' })))).to.equal(true);
    expect(
      specChanged(seen, observedVersion(object(3, { deletionTimestamp: new Date() }))),
    ).to.equal(true);
    expect(specChanged(undefined, seen)).to.equal(true);
  });
});

describe('controllerOwner', () => {
  const child = (ownerReferences: unknown[]) =>
    ({ metadata: { name: 'demo-vmcp', namespace: 'ns', ownerReferences } }) as never;
  const ref = {
    apiVersion: 'vmcp-status.dev/v1beta1',
    kind: 'VirtualMCPServer',
    name: 'demo',
    uid: 'u',
  };

  it('finds the controlling VirtualMCPServer of any served version', () => {
    expect(
      controllerOwner(child([{ ...ref, controller: true }]), 'vmcp-status.dev', 'VirtualMCPServer'),
    ).to.deep.equal({
      namespace: 'ns',
      name: 'demo',
    });
    expect(
      controllerOwner(
        child([{ ...ref, apiVersion: 'vmcp-status.dev/v1alpha1', controller: true }]),
        'vmcp-status.dev',
        'VirtualMCPServer',
      ),
    ).to.deep.equal({ namespace: 'ns', name: 'demo' });
  });

  it('ignores non-controller owners and owners of other kinds or groups', () => {
    const find = (refs: unknown[]) =>
      controllerOwner(child(refs), 'vmcp-status.dev', 'VirtualMCPServer');
    expect(find([ref])).to.equal(undefined);
    expect(find([{ ...ref, kind: 'MCPServer', controller: true }])).to.equal(undefined);
    expect(find([{ ...ref, apiVersion: 'example.dev/v1', controller: true }])).to.equal(undefined);
    expect(find([])).to.equal(undefined);
  });
});

describe('canonicalJson', () => {
  it('ignores key order and undefined, so a watched object and a typed model compare equal', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { y: 1, x: 2 }], c: undefined } })).to.equal(
      canonicalJson({ a: { d: [2, { x: 2, y: 1 }] }, b: 1 }),
    );
    expect(canonicalJson({ a: [1, 2] })).to.not.equal(canonicalJson({ a: [2, 1] }));
  });
});
