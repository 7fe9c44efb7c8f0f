import { expect } from 'chai';
import {
  fieldsNotInSchema,
  schemaHasRuntime,
  statusSchemaOf,
  type SchemaNode,
} from '../../../src/apply/status-schema.js';
import { everyStatusFieldBody } from '../../../src/apply/status-field-discovery.js';
import { readCrd } from '../../../tools/cluster/install-crd.js';
import { toolhiveStatusSchema } from '../../support/k8s/toolhive-crd.js';

const gvk = { group: 'vmcp-status.dev', version: 'v1beta1', kind: 'VirtualMCPServer' };

function ourStatusSchema(): SchemaNode {
  const crd = readCrd() as unknown as {
    spec: { versions: Array<{ schema: { openAPIV3Schema: SchemaNode } }> };
  };
  return crd.spec.versions[0]!.schema.openAPIV3Schema.properties!.status!;
}

describe('status schema from OpenAPI v3', () => {
  it('finds the kind by its group-version-kind and resolves $ref and allOf below status', () => {
    const document = {
      components: {
        schemas: {
          'dev.stacklok.toolhive.v1beta1.VirtualMCPServerList': {
            'x-kubernetes-group-version-kind': [{ ...gvk, kind: 'VirtualMCPServerList' }],
          },
          'dev.stacklok.toolhive.v1beta1.VirtualMCPServer': {
            'x-kubernetes-group-version-kind': [gvk],
            properties: {
              status: {
                allOf: [{ $ref: '#/components/schemas/Status' }],
                description: 'merged',
              },
            },
          },
          Status: { type: 'object', properties: { phase: { type: 'string' } } },
        },
      },
    };
    const status = statusSchemaOf(document, gvk);
    expect(status?.properties).to.have.keys('phase');
    expect(statusSchemaOf(document, { ...gvk, version: 'v1alpha1' })).to.equal(undefined);
    expect(statusSchemaOf({}, gvk)).to.equal(undefined);
  });

  it('a kind without a status schema holds no status fields', () => {
    const document = {
      components: { schemas: { X: { 'x-kubernetes-group-version-kind': [gvk], properties: {} } } },
    };
    const status = statusSchemaOf(document, gvk)!;
    expect(fieldsNotInSchema({ phase: 'Ready' }, status)).to.deep.equal(['phase']);
  });

  it('names undeclared fields at the top, inside list entries and under a sub-object', () => {
    const schema: SchemaNode = {
      type: 'object',
      properties: {
        phase: { type: 'string' },
        list: {
          type: 'array',
          items: { type: 'object', properties: { name: { type: 'string' } } },
        },
        runtime: { type: 'object', properties: { phase: { type: 'string' } } },
        open: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
      },
    };
    const value = {
      phase: 'Ready',
      extra: 1,
      list: [{ name: 'a', toolCount: 1 }, { name: 'b' }],
      runtime: { phase: 'Ready', totalToolCount: 2 },
      open: { anything: { at: 'all' } },
      labels: { a: 'b' },
    };
    expect(fieldsNotInSchema(value, schema)).to.deep.equal([
      'extra',
      'list[].toolCount',
      'runtime.totalToolCount',
    ]);
  });

  it('our CRD declares every field the runtime writes in the top-level layout', () => {
    const schema = ourStatusSchema();
    expect(schemaHasRuntime(schema)).to.equal(false);
    expect(fieldsNotInSchema(everyStatusFieldBody('top-level'), schema)).to.deep.equal([]);
  });

  it("ToolHive's CRD has status.runtime, without this project's counts and per-backend tool counts", () => {
    const schema = toolhiveStatusSchema();
    expect(schemaHasRuntime(schema)).to.equal(true);
    expect(fieldsNotInSchema(everyStatusFieldBody('runtime'), schema)).to.deep.equal([
      'runtime.discoveredBackends[].toolCount',
      'runtime.healthyBackends',
      'runtime.lastDiscoveryTime',
      'runtime.totalToolCount',
      'runtime.unhealthyBackends',
    ]);
    // What a top-level writer would have been refused for on ToolHive's CRD.
    expect(fieldsNotInSchema(everyStatusFieldBody('top-level'), schema)).to.include.members([
      'totalToolCount',
      'discoveredBackends[].toolCount',
    ]);
  });
});
