import { expect } from 'chai';
import { readCrd } from '../../../tools/cluster/install-crd.js';
import { SPEC_DEFAULTS, validateSpec } from '../../../src/operator/validate-spec.js';

const named = (spec: unknown, name = 'demo') => validateSpec({ metadata: { name }, spec });
const messages = (spec: unknown, name?: string): string[] => {
  const result = named(spec, name);
  return result.valid ? [] : result.problems.map((p) => p.message);
};

interface SchemaNode {
  default?: unknown;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
}

describe('validateSpec', () => {
  it('fills in the CRD defaults for an empty spec, and they are the CRD’s', () => {
    const result = named({});
    expect(result.valid).to.equal(true);
    if (!result.valid) return;
    expect(result.spec).to.deep.equal({
      backends: [],
      reportInterval: '30s',
      probe: { interval: '30s', timeout: '10s', degradedThreshold: '5s', unhealthyThreshold: 3 },
      replicas: 1,
      image: SPEC_DEFAULTS.image,
      fieldManager: 'vmcp-runtime',
    });
    const crd = readCrd() as unknown as {
      spec: { versions: Array<{ schema: { openAPIV3Schema: SchemaNode } }> };
    };
    const spec = crd.spec.versions[0]!.schema.openAPIV3Schema.properties!.spec!.properties!;
    expect({
      reportInterval: spec.reportInterval!.default,
      replicas: spec.replicas!.default,
      image: spec.image!.default,
      fieldManager: spec.fieldManager!.default,
      transport: spec.backends!.items!.properties!.transport!.default,
      interval: spec.probe!.properties!.interval!.default,
      timeout: spec.probe!.properties!.timeout!.default,
      degradedThreshold: spec.probe!.properties!.degradedThreshold!.default,
      unhealthyThreshold: spec.probe!.properties!.unhealthyThreshold!.default,
    }).to.deep.equal({
      reportInterval: SPEC_DEFAULTS.reportInterval,
      replicas: SPEC_DEFAULTS.replicas,
      image: SPEC_DEFAULTS.image,
      fieldManager: SPEC_DEFAULTS.fieldManager,
      transport: SPEC_DEFAULTS.transport,
      ...SPEC_DEFAULTS.probe,
    });
  });

  it('keeps backends in order with their transport', () => {
    const result = named({
      backends: [
        { name: 'b', url: 'https://b.example/mcp' },
        { name: 'a', url: 'http://a.example:8080/sse', transport: 'sse' },
      ],
    });
    expect(result.valid && result.spec.backends).to.deep.equal([
      { name: 'b', url: 'https://b.example/mcp', transport: 'streamable-http' },
      { name: 'a', url: 'http://a.example:8080/sse', transport: 'sse' },
    ]);
  });

  it('names each field at fault, with what it expected and what it found', () => {
    expect(
      messages({
        backends: [
          { name: 'ok', url: 'http://ok.example' },
          { name: 'bad', url: 'http://bad host/mcp' },
          { name: 'ok', url: 'http://again.example' },
          { name: 'ftp', url: 'ftp://x.example' },
        ],
        reportInterval: '0s',
        probe: { timeout: 'soon', unhealthyThreshold: 0 },
        replicas: 1.5,
        image: 'has space',
      }),
    ).to.deep.equal([
      'spec.backends[1].url: expected an http:// or https:// URL, got "http://bad host/mcp"',
      'spec.backends[2].name: expected a name no other backend has, got "ok"',
      'spec.backends[3].url: expected an http:// or https:// URL, got "ftp://x.example"',
      'spec.reportInterval: expected a duration above 0, such as 30s or 2m, got "0s"',
      'spec.probe.timeout: expected a duration above 0, such as 30s or 2m, got "soon"',
      'spec.probe.unhealthyThreshold: expected an integer from 1 to 100, got "0"',
      'spec.replicas: expected an integer from 0 to 100, got "1.5"',
      'spec.image: expected a container image reference without spaces, got "has space"',
    ]);
  });

  it('never echoes credentials of a bad URL into the Valid condition', () => {
    const [message = ''] = messages({
      backends: [{ name: 'leak', url: 'ftp://bob:SECRET-PW@x.example/mcp?token=SECRET-Q' }],
    });
    expect(message).to.equal(
      'spec.backends[0].url: expected an http:// or https:// URL, got "ftp://REDACTED@x.example/mcp?token=REDACTED"',
    );
  });

  it('refuses the operator’s own field manager for the runtime', () => {
    expect(messages({ fieldManager: 'vmcp-operator' })).to.have.length(1);
    expect(messages({ fieldManager: 'vmcp-operator' })[0]).to.match(/^spec\.fieldManager: /);
    expect(
      validateSpec({ metadata: { name: 'x' }, spec: { fieldManager: 'mine' } }, 'mine').valid,
    ).to.equal(false);
  });

  it('refuses names the children cannot carry: too long for the Service, or not starting with a letter', () => {
    expect(messages({}, 'a'.repeat(58))).to.deep.equal([]);
    expect(messages({}, 'a'.repeat(59))[0]).to.match(
      /^metadata\.name: expected a DNS-1035 label of at most 58/,
    );
    expect(messages({}, '1abc')[0]).to.match(/^metadata\.name: /);
    expect(messages({}, 'a.b')[0]).to.match(/^metadata\.name: /);
  });

  it('reads a spec of the wrong shape without throwing', () => {
    expect(messages({ backends: 'nope', probe: 'x' })).to.deep.equal([
      'spec.backends: expected a list of backends',
    ]);
    expect(named(undefined).valid).to.equal(true);
    expect(messages({ backends: [null] })[0]).to.match(/^spec\.backends\[0\]\.name: /);
  });
});
