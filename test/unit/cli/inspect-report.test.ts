import { expect } from 'chai';
import { formatInspectReport } from '../../../src/cli/format-inspect-report.js';
import { inspectReport } from '../../../src/cli/inspect-report.js';

const at = '2026-11-29T10:00:00Z';
const object = {
  apiVersion: 'vmcp-status.dev/v1beta1',
  metadata: {
    name: 'demo',
    namespace: 'team-a',
    managedFields: [
      {
        manager: 'vmcp-runtime',
        operation: 'Apply',
        subresource: 'status',
        time: at,
        fieldsV1: {
          'f:status': {
            'f:phase': {},
            'f:backendCount': {},
            'f:conditions': { 'k:{"type":"Ready"}': {} },
          },
        },
      },
      {
        manager: 'kubectl-edit',
        operation: 'Update',
        subresource: 'status',
        time: at,
        fieldsV1: { 'f:status': { 'f:phase': {} } },
      },
    ],
  },
  status: {
    phase: 'Ready',
    message: '1/1 backends routable, 4 tools',
    backendCount: 1,
    totalToolCount: 4,
    healthyBackends: 1,
    unhealthyBackends: 0,
    discoveredBackends: [{ name: 'alpha', status: 'ready' }],
    conditions: [
      {
        type: 'Ready',
        status: 'True',
        reason: 'AllBackendsRoutable',
        message: 'ok',
        lastTransitionTime: at,
      },
      {
        type: 'Available',
        status: 'True',
        reason: 'DeploymentAvailable',
        message: '1/1',
        lastTransitionTime: at,
      },
    ],
  },
};

describe('inspect report', () => {
  it('says phase, counts, conditions and each field with its manager; marks the foreign writer', () => {
    const report = inspectReport(object, { layout: 'top-level', source: 'schema' });
    expect(report.foreignWriters).to.deep.equal(['kubectl-edit']);
    expect(report.runtime).to.include({
      backendCount: 1,
      totalToolCount: 4,
      discoveredBackends: 1,
    });
    const text = formatInspectReport(report);
    expect(text.split('\n').slice(0, 5)).to.deep.equal([
      'VirtualMCPServer team-a/demo (vmcp-status.dev/v1beta1)',
      "Status layout: top-level (from the CRD's published schema)",
      'Phase:         Ready: 1/1 backends routable, 4 tools',
      'Backends:      1 routable of 1, 1 healthy, 0 unhealthy, 4 tools',
      '',
    ]);
    expect(text).to.match(
      /^! phase\s+kubectl-edit\s+Update\s+2026-11-29T10:00:00Z\s+runtime \(vmcp-runtime\)$/m,
    );
    expect(text).to.match(/^ {2}phase\s+vmcp-runtime\s+Apply/m);
    expect(text).to.match(/^ {2}Ready\s+True\s+AllBackendsRoutable\s+2026-11-29T10:00:00Z\s+ok$/m);
    expect(text).to.contain('Foreign writers: kubectl-edit (fields marked !).');
  });

  it('the runtime layout reads the runtime’s view from status.runtime', () => {
    const report = inspectReport(
      {
        ...object,
        metadata: { ...object.metadata, managedFields: [] },
        status: { phase: 'Pending', runtime: { phase: 'Failed', backendCount: 0 } },
      },
      { layout: 'runtime', source: 'object' },
    );
    expect(report.phase).to.equal('Pending');
    expect(report.runtime).to.include({ phase: 'Failed', backendCount: 0, discoveredBackends: 0 });
    const text = formatInspectReport(report);
    expect(text)
      .to.contain('Runtime phase: Failed')
      .and.contain('Status layout: runtime (from the object');
    expect(text).to.contain('Every status field is owned as the ownership table says.');
  });
});
