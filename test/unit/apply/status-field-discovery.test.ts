import { expect } from 'chai';
import { KubeConfig } from '@kubernetes/client-node';
import type { SchemaReading } from '../../../src/apply/openapi-schema.js';
import { StatusFieldDiscovery } from '../../../src/apply/status-field-discovery.js';
import type { StatusLayout } from '../../../src/apply/status-layout.js';
import { readCrd } from '../../../tools/cluster/install-crd.js';
import { toolhiveStatusSchema } from '../../support/k8s/toolhive-crd.js';
import { LEVEL, memoryLogger } from '../../support/memory-log.js';
import type { SchemaNode } from '../../../src/apply/status-schema.js';

const ours = (): SchemaNode =>
  (
    readCrd() as unknown as {
      spec: { versions: Array<{ schema: { openAPIV3Schema: SchemaNode } }> };
    }
  ).spec.versions[0]!.schema.openAPIV3Schema.properties!.status!;

function discovery(readings: SchemaReading[], layout: StatusLayout = 'auto') {
  const log = memoryLogger('debug');
  const reads: string[] = [];
  const fields = new StatusFieldDiscovery({
    kubeConfig: new KubeConfig(),
    group: 'vmcp-status.dev',
    version: 'v1beta1',
    layout,
    logger: log.logger,
    readSchema: (_kc, gvk) => {
      reads.push(`${gvk.group}/${gvk.version} ${gvk.kind}`);
      return Promise.resolve(readings.shift() ?? { kind: 'failed', reason: 'no more' });
    },
  });
  const warnings = () => log.lines.filter((l) => l.level >= LEVEL.warn);
  return { fields, reads, warnings, log };
}

describe('StatusFieldDiscovery', () => {
  it("ToolHive's schema: runtime layout and one warning listing every field left out", async () => {
    const { fields, reads, warnings } = discovery([
      { kind: 'found', status: toolhiveStatusSchema() },
    ]);
    await Promise.all([fields.discover({}), fields.discover()]);
    expect(reads).to.deep.equal(['vmcp-status.dev/v1beta1 VirtualMCPServer']);
    expect(fields.decision).to.deep.equal({ layout: 'runtime', source: 'schema' });
    expect([...fields.dropped].sort()).to.deep.equal([
      'runtime.discoveredBackends[].toolCount',
      'runtime.healthyBackends',
      'runtime.lastDiscoveryTime',
      'runtime.totalToolCount',
      'runtime.unhealthyBackends',
    ]);
    expect(warnings()).to.have.length(1);
    expect(warnings()[0]?.droppedFields).to.deep.equal([...fields.dropped].sort());
    await fields.discover();
    expect(reads).to.have.length(1);
    expect(warnings()).to.have.length(1);
  });

  it('our schema: top-level layout, nothing left out, no warning', async () => {
    const { fields, warnings } = discovery([{ kind: 'found', status: ours() }]);
    await fields.discover({});
    expect(fields.decision).to.deep.equal({ layout: 'top-level', source: 'schema' });
    expect(fields.dropped.size).to.equal(0);
    expect(warnings()).to.have.length(0);
  });

  it('no schema: the object decides, and rejected applies teach the fields (re-reading each time)', async () => {
    const { fields, reads, warnings } = discovery([
      { kind: 'unpublished', reason: '404' },
      { kind: 'unpublished', reason: '404' },
      { kind: 'unpublished', reason: '404' },
    ]);
    await fields.discover({ runtime: { phase: 'Ready' } });
    expect(fields.decision).to.deep.equal({ layout: 'runtime', source: 'object' });
    expect(await fields.rejected(['runtime.totalToolCount'])).to.equal(true);
    expect(await fields.rejected(['runtime.totalToolCount'])).to.equal(false);
    expect([...fields.dropped]).to.deep.equal(['runtime.totalToolCount']);
    expect(reads).to.have.length(3);
    expect(warnings()).to.have.length(1);
  });

  it('a CRD upgraded underneath: a rejection re-reads the schema, which may change the layout', async () => {
    const { fields } = discovery([
      { kind: 'found', status: ours() },
      { kind: 'found', status: toolhiveStatusSchema() },
    ]);
    await fields.discover({});
    expect(fields.layout).to.equal('top-level');
    expect(await fields.rejected(['totalToolCount'])).to.equal(true);
    expect(fields.layout).to.equal('runtime');
    // Named for the other layout: not carried over.
    expect(fields.dropped.has('totalToolCount')).to.equal(false);
    expect(fields.dropped.has('runtime.totalToolCount')).to.equal(true);
  });

  it('no answer: tries again at the next write', async () => {
    const { fields, reads } = discovery([
      { kind: 'failed', reason: 'ECONNREFUSED' },
      { kind: 'found', status: toolhiveStatusSchema() },
    ]);
    await fields.discover();
    expect(fields.decision.source).to.equal('default');
    await fields.discover();
    expect(reads).to.have.length(2);
    expect(fields.layout).to.equal('runtime');
  });

  it('forced runtime on a CRD without status.runtime: one error, nothing can be reported', async () => {
    const { fields, warnings } = discovery([{ kind: 'found', status: ours() }], 'runtime');
    await fields.discover({});
    expect(fields.decision).to.deep.equal({ layout: 'runtime', source: 'forced' });
    expect([...fields.dropped]).to.deep.equal(['runtime']);
    expect(warnings()).to.have.length(1);
    expect(warnings()[0]?.level).to.equal(LEVEL.error);
  });
});
