import { expect } from 'chai';
import { managedStatusFields, statusFieldLabel } from '../../../src/apply/managed-status-fields.js';
import { auditOwnership } from '../../../src/apply/ownership-audit.js';

/** fieldsV1 as the apiserver records a runtime's apply in the top-level layout. */
const runtimeTopLevel = {
  'f:status': {
    'f:phase': {},
    'f:message': {},
    'f:backendCount': {},
    'f:conditions': {
      'k:{"type":"Ready"}': { '.': {}, 'f:type': {}, 'f:status': {} },
      'k:{"type":"BackendsDiscovered"}': { '.': {}, 'f:type': {} },
    },
    'f:discoveredBackends': { 'k:{"name":"alpha"}': { '.': {}, 'f:name': {}, 'f:status': {} } },
  },
};
const operatorTopLevel = {
  'f:status': {
    'f:url': {},
    'f:observedGeneration': {},
    'f:conditions': { 'k:{"type":"Available"}': { '.': {}, 'f:type': {} } },
  },
};
/** The runtime layout: everything under f:runtime. */
const runtimeNested = {
  'f:status': {
    'f:runtime': {
      '.': {},
      'f:phase': {},
      'f:conditions': { 'k:{"type":"Ready"}': { '.': {} } },
      'f:discoveredBackends': { 'k:{"name":"alpha"}': { '.': {} } },
    },
  },
};
const at = '2026-11-29T10:00:00Z';

describe('managedStatusFields', () => {
  it('lists leaf fields and list-map items by key, sorted', () => {
    expect(managedStatusFields(runtimeTopLevel).map(statusFieldLabel)).to.deep.equal([
      'backendCount',
      'conditions[type=BackendsDiscovered]',
      'conditions[type=Ready]',
      'discoveredBackends[name=alpha]',
      'message',
      'phase',
    ]);
    expect(
      managedStatusFields(runtimeTopLevel).find((f) => f.item?.type === 'Ready'),
    ).to.deep.equal({
      path: ['conditions'],
      item: { type: 'Ready' },
    });
  });

  it('goes into a nested object such as status.runtime', () => {
    expect(managedStatusFields(runtimeNested).map(statusFieldLabel)).to.deep.equal([
      'runtime.conditions[type=Ready]',
      'runtime.discoveredBackends[name=alpha]',
      'runtime.phase',
    ]);
  });

  it('has nothing to say about entries without status', () => {
    expect(managedStatusFields({ 'f:metadata': { 'f:labels': {} } })).to.deep.equal([]);
    expect(managedStatusFields(undefined)).to.deep.equal([]);
  });
});

describe('auditOwnership', () => {
  const entry = (manager: string, fieldsV1: object, operation = 'Apply') => ({
    manager,
    operation,
    subresource: 'status',
    time: at,
    fieldsV1: fieldsV1 as Record<string, unknown>,
  });

  it('top-level: runtime and operator each on their own fields is clean', () => {
    const audit = auditOwnership(
      [entry('vmcp-runtime', runtimeTopLevel), entry('vmcp-operator', operatorTopLevel)],
      'top-level',
    );
    expect(audit.foreignWriters).to.deep.equal([]);
    expect(audit.fields.find((f) => f.field === 'url')).to.deep.equal({
      field: 'url',
      manager: 'vmcp-operator',
      operation: 'Apply',
      time: at,
      owner: 'operator',
      expectedManager: 'vmcp-operator',
      foreign: false,
    });
    expect(audit.fields).to.have.length(9);
  });

  it('marks a field owned by a manager the table does not name for it, and lists the writer', () => {
    const audit = auditOwnership(
      [
        entry('vmcp-runtime', runtimeTopLevel),
        entry('kubectl', { 'f:status': { 'f:phase': {}, 'f:somethingElse': {} } }, 'Update'),
      ],
      'top-level',
    );
    expect(audit.foreignWriters).to.deep.equal(['kubectl']);
    const phase = audit.fields.filter((f) => f.field === 'phase');
    expect(phase.map((f) => [f.manager, f.foreign])).to.deep.equal([
      ['kubectl', true],
      ['vmcp-runtime', false],
    ]);
    // Not in the table, and kubectl is no manager the table names: foreign too.
    const other = audit.fields.find((f) => f.field === 'somethingElse');
    expect(other).to.include({ foreign: true, manager: 'kubectl' });
    expect(other).to.not.have.property('owner');
  });

  it('a third manager is foreign even where it only adds a field the table does not name', () => {
    const third = entry('other', { 'f:status': { 'f:conditions': { 'k:{"type":"Custom"}': {} } } });
    const audit = auditOwnership(
      [entry('vmcp-runtime', runtimeTopLevel), entry('vmcp-operator', operatorTopLevel), third],
      'top-level',
    );
    expect(audit.foreignWriters).to.deep.equal(['other']);
    expect(audit.fields.filter((f) => f.foreign).map((f) => f.field)).to.deep.equal([
      'conditions[type=Custom]',
    ]);
    // The managers the table names may hold such a field.
    const named = auditOwnership(
      [entry('vmcp-operator', { 'f:status': { 'f:conditions': { 'k:{"type":"Custom"}': {} } } })],
      'top-level',
    );
    expect(named.foreignWriters).to.deep.equal([]);
    // In the runtime layout the top level is ToolHive's operator's, whatever it is called.
    expect(auditOwnership([third], 'runtime').foreignWriters).to.deep.equal([]);
    expect(
      auditOwnership([third], 'runtime', { operator: 'thv-operator' }).foreignWriters,
    ).to.deep.equal(['other']);
  });

  it('the runtime layout: the runtime under status.runtime only; any other manager at the top', () => {
    const toolhive = entry(
      'toolhive-operator',
      { 'f:status': { 'f:phase': {}, 'f:conditions': { 'k:{"type":"Ready"}': {} } } },
      'Update',
    );
    const clean = auditOwnership([entry('vmcp-runtime', runtimeNested), toolhive], 'runtime');
    expect(clean.foreignWriters).to.deep.equal([]);
    expect(clean.fields.find((f) => f.field === 'conditions[type=Ready]')).to.include({
      owner: 'operator',
      foreign: false,
    });
    expect(clean.fields.find((f) => f.field === 'conditions[type=Ready]')).to.not.have.property(
      'expectedManager',
    );
    // The runtime writing the top level, or another writer in status.runtime: foreign.
    const dirty = auditOwnership(
      [
        entry('vmcp-runtime', { 'f:status': { 'f:phase': {}, 'f:runtime': { 'f:phase': {} } } }),
        entry('toolhive-vmcp', { 'f:status': { 'f:runtime': { 'f:mcpRevision': {} } } }, 'Update'),
      ],
      'runtime',
    );
    expect(dirty.foreignWriters).to.deep.equal(['toolhive-vmcp', 'vmcp-runtime']);
    // A named operator manager makes every other top-level writer foreign too.
    expect(
      auditOwnership([toolhive], 'runtime', { operator: 'thv-operator' }).foreignWriters,
    ).to.deep.equal(['toolhive-operator']);
  });
});
