import { expect } from 'chai';
import { statusApplyRequest } from '../../../src/apply/status-apply-request.js';

describe('statusApplyRequest', () => {
  const target = {
    group: 'vmcp-status.dev',
    version: 'v1beta1',
    plural: 'virtualmcpservers',
    namespace: 'team-a',
    name: 'demo',
  };

  it('applies to the named object as the given field manager, forced and strictly validated', () => {
    const body = { kind: 'VirtualMCPServer', status: { phase: 'Ready' } };
    expect(statusApplyRequest(target, body, 'vmcp-runtime')).to.deep.equal({
      ...target,
      body,
      fieldManager: 'vmcp-runtime',
      force: true,
      fieldValidation: 'Strict',
    });
  });

  it('carries the body as given, not a copy that could drift from what was compared', () => {
    const body = { status: {} };
    expect(statusApplyRequest(target, body, 'other').body).to.equal(body);
    expect(statusApplyRequest(target, body, 'other').fieldManager).to.equal('other');
  });
});
