import { expect } from 'chai';
import { vmcpResource } from '../../../src/apply/vmcp-resource.js';
import { ConfigError } from '../../../src/errors.js';

describe('vmcpResource', () => {
  it('defaults to vmcp-status.dev/v1beta1 and splits a configured apiVersion', () => {
    expect(vmcpResource()).to.deep.equal({
      apiVersion: 'vmcp-status.dev/v1beta1',
      group: 'vmcp-status.dev',
      version: 'v1beta1',
      plural: 'virtualmcpservers',
    });
    expect(vmcpResource('example.dev/v1')).to.include({ group: 'example.dev', version: 'v1' });
  });

  it('rejects anything but GROUP/VERSION with a ConfigError naming apiVersion', () => {
    for (const bad of ['v1', 'a/b/c', '/v1', 'g/']) {
      expect(() => vmcpResource(bad), bad)
        .to.throw(ConfigError)
        .with.property('field', 'apiVersion');
    }
  });
});
