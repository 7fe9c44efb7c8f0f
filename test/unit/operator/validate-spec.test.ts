import { expect } from 'chai';
import { readCrd } from '../../../tools/cluster/install-crd.js';
import {
  DEFAULT_RUNTIME_RESOURCES,
  SPEC_DEFAULTS,
  validateSpec,
} from '../../../src/operator/validate-spec.js';

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
  it('fills in the defaults for an empty spec, and they are the CRD’s', () => {
    const result = named({});
    expect(result.valid).to.equal(true);
    if (!result.valid) return;
    expect(result.spec).to.deep.include({
      reportInterval: '30s',
      replicas: 1,
      fieldManager: 'vmcp-runtime',
      imagePullSecrets: [],
      resources: DEFAULT_RUNTIME_RESOURCES,
      notes: [],
    });
    const crd = readCrd() as unknown as {
      spec: { versions: Array<{ schema: { openAPIV3Schema: SchemaNode } }> };
    };
    const spec = crd.spec.versions[0]!.schema.openAPIV3Schema.properties!.spec!.properties!;
    const handling = spec.config!.properties!.operational!.properties!.failureHandling!.properties!;
    expect({
      reportInterval: handling.statusReportingInterval!.default,
      replicas: spec.replicas!.default,
      fieldManager: spec.fieldManager!.default,
    }).to.deep.equal({
      reportInterval: SPEC_DEFAULTS.reportInterval,
      replicas: SPEC_DEFAULTS.replicas,
      fieldManager: SPEC_DEFAULTS.fieldManager,
    });
  });

  it('reads spec.config as the runtime reads it: the interval as written, a digest of what needs a restart', () => {
    const result = named({
      config: {
        backends: [{ name: 'a', url: 'http://a.example:8080/sse', transport: 'sse' }],
        operational: { failureHandling: { statusReportingInterval: '1m30s' } },
      },
    });
    expect(result.valid && result.spec.reportInterval).to.equal('1m30s');
    const other = named({ config: { backends: [{ name: 'b', url: 'http://b.example/mcp' }] } });
    const again = named({
      config: {
        backends: [{ name: 'b', url: 'http://b.example/mcp' }],
        operational: { failureHandling: { healthCheckTimeout: '9s' } },
      },
    });
    expect(other.valid && again.valid && other.spec.restartSettings).to.not.equal(
      again.valid && again.spec.restartSettings,
    );
  });

  it('names each field at fault, with what it expected and what it found', () => {
    expect(
      messages({
        config: {
          backends: [
            { name: 'ok', url: 'http://ok.example' },
            { name: 'bad', url: 'ftp://x.example' },
            { name: 'ok', url: 'http://again.example' },
          ],
          operational: { failureHandling: { healthCheckTimeout: 'soon', unhealthyThreshold: 0 } },
          aggregation: { conflictResolution: 'priority' },
        },
        replicas: 1.5,
        imagePullSecrets: [{ name: 'Not A Name' }],
        resources: { limits: { memory: 'lots' } },
        incomingAuth: { type: 'oidc' },
      }),
    ).to.deep.equal([
      'spec.config.operational.failureHandling.healthCheckTimeout: expected a duration such as 30s, 1m30s or 500ms, got "soon"',
      'spec.config.operational.failureHandling.unhealthyThreshold: expected an integer >= 1, got "0"',
      'spec.config.backends[1].url: expected an http:// or https:// URL, got "ftp://x.example"',
      'spec.config.backends[2].name: expected a name no other backend has, got "ok"',
      'spec.config.aggregation.conflictResolutionConfig.priorityOrder: expected the backends in order of priority (the priority strategy needs it)',
      'spec.replicas: expected an integer from 0 to 100, got "1.5"',
      'spec.imagePullSecrets[0].name: expected the name of a Secret, got "Not A Name"',
      'spec.resources.limits.memory: expected a quantity such as 500m or 96Mi, got "lots"',
      'spec.incomingAuth.type: expected anonymous (the only incoming authentication vmcp-status serves), got "oidc"',
    ]);
  });

  it('never echoes credentials of a bad URL into the Valid condition', () => {
    const [message = ''] = messages({
      config: {
        backends: [{ name: 'leak', url: 'ftp://bob:SECRET-PW@x.example/mcp?token=SECRET-Q' }],
      },
    });
    expect(message).to.not.include('SECRET');
    expect(message).to.match(/^spec\.config\.backends\[0\]\.url: /);
  });

  it('refuses headers in a spec: credentials do not belong in etcd', () => {
    expect(
      messages({
        config: { backends: [{ name: 'a', url: 'http://a/mcp', headers: { Authorization: 'x' } }] },
      })[0],
    ).to.match(/^spec\.config\.backends\[0\]\.headers: expected no headers here/);
  });

  it('accepts ToolHive’s fields it does not use, and says so', () => {
    const result = named({
      groupRef: { name: 'g' },
      incomingAuth: { type: 'anonymous' },
      config: { groupRef: 'g', outgoingAuth: { source: 'inline' } },
    });
    expect(result.valid && result.spec.notes).to.deep.equal([
      "spec.config.groupRef: ToolHive's, not used by vmcp-status; ignored",
      "spec.config.outgoingAuth: ToolHive's, not used by vmcp-status; ignored",
      "spec.groupRef: ToolHive's, not used by vmcp-status; ignored",
    ]);
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
    expect(messages({ config: { backends: 'nope' } })).to.deep.equal([
      'spec.config.backends: expected a list of backends, got "nope"',
    ]);
    expect(named(undefined).valid).to.equal(true);
    expect(messages({ config: { backends: [null] } })[0]).to.match(/^spec\.config\.backends\[0\]/);
  });
});
