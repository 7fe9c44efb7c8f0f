import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const CRD = new URL('../../../manifests/crd/virtualmcpservers.yaml', import.meta.url);

interface SchemaNode {
  readonly description?: string;
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly items?: SchemaNode;
  readonly additionalProperties?: SchemaNode | boolean;
}

/** Every field under `node`, by its path, with its schema. `metadata` is the apiserver's. */
function fields(node: SchemaNode, path: string): Array<[string, SchemaNode]> {
  const out: Array<[string, SchemaNode]> = [];
  for (const [name, child] of Object.entries(node.properties ?? {})) {
    if (path === '' && (name === 'metadata' || name === 'apiVersion' || name === 'kind')) continue;
    const at = path === '' ? name : `${path}.${name}`;
    out.push([at, child], ...fields(child, at));
  }
  if (node.items !== undefined) out.push(...fields(node.items, `${path}[]`));
  if (typeof node.additionalProperties === 'object')
    out.push(...fields(node.additionalProperties, `${path}.*`));
  return out;
}

describe('the CRD explains itself (kubectl explain)', function () {
  const crd = parse(readFileSync(CRD, 'utf8')) as {
    spec: { versions: Array<{ name: string; schema: { openAPIV3Schema: SchemaNode } }> };
  };

  for (const version of crd.spec.versions) {
    it(`${version.name}: every field has a description`, function () {
      const root = version.schema.openAPIV3Schema;
      const all = fields(root, '');
      // The walk reaches deep: spec.config.backends[].url and the status conditions.
      expect(all.map(([path]) => path)).to.include.members([
        'spec.config.backends[].url',
        'spec.config.operational.failureHandling.healthCheckInterval',
        'status.conditions[].observedGeneration',
        'status.discoveredBackends[].name',
      ]);
      const missing = all
        .filter(
          ([, node]) => typeof node.description !== 'string' || node.description.trim() === '',
        )
        .map(([path]) => path);
      expect(missing, 'fields without a description').to.deep.equal([]);
      expect(root.description, 'the kind itself').to.be.a('string').and.not.equal('');
    });
  }

  it('the walk finds a field without one (the test can fail)', function () {
    const found = fields(
      { properties: { spec: { description: 'x', properties: { bare: {} } } } },
      '',
    ).filter(([, node]) => node.description === undefined);
    expect(found.map(([path]) => path)).to.deep.equal(['spec.bare']);
  });
});
