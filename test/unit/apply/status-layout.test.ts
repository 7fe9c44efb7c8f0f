import { expect } from 'chai';
import { ConfigError } from '../../../src/errors.js';
import {
  checkStatusLayout,
  resolveStatusLayout,
  runtimePartOf,
} from '../../../src/apply/status-layout.js';

describe('status layout', () => {
  it('a forced layout wins over the schema and the object', () => {
    expect(resolveStatusLayout('top-level', { schemaHasRuntime: true })).to.deep.equal({
      layout: 'top-level',
      source: 'forced',
    });
    expect(resolveStatusLayout('runtime', { schemaHasRuntime: false })).to.deep.equal({
      layout: 'runtime',
      source: 'forced',
    });
  });

  it('auto: the schema decides when there is one, whatever the object holds', () => {
    expect(resolveStatusLayout('auto', { schemaHasRuntime: true })).to.deep.equal({
      layout: 'runtime',
      source: 'schema',
    });
    expect(
      resolveStatusLayout('auto', { schemaHasRuntime: false, objectStatus: { runtime: {} } }),
    ).to.deep.equal({ layout: 'top-level', source: 'schema' });
  });

  it('auto without a schema: an object holding status.runtime says runtime, else top-level', () => {
    expect(
      resolveStatusLayout('auto', { objectStatus: { runtime: { phase: 'Ready' } } }),
    ).to.deep.equal({
      layout: 'runtime',
      source: 'object',
    });
    expect(resolveStatusLayout('auto', { objectStatus: { phase: 'Ready' } })).to.deep.equal({
      layout: 'top-level',
      source: 'default',
    });
    expect(resolveStatusLayout('auto')).to.deep.equal({ layout: 'top-level', source: 'default' });
  });

  it('checks a layout from a flag or the environment, naming the field', () => {
    expect(checkStatusLayout('--status-layout', 'runtime')).to.equal('runtime');
    expect(() => checkStatusLayout('VMCP_STATUS_LAYOUT', 'toolhive'))
      .to.throw(ConfigError)
      .with.property(
        'message',
        'VMCP_STATUS_LAYOUT: expected one of auto, top-level, runtime, got "toolhive"',
      );
  });

  it("finds the runtime's part of a status in either layout", () => {
    const status = { phase: 'Pending', runtime: { phase: 'Ready' } };
    expect(runtimePartOf('top-level', status)).to.deep.equal(status);
    expect(runtimePartOf('runtime', status)).to.deep.equal({ phase: 'Ready' });
    expect(runtimePartOf('runtime', { phase: 'Ready' })).to.equal(undefined);
    expect(runtimePartOf('runtime', undefined)).to.equal(undefined);
  });
});
