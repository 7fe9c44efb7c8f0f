import { expect } from 'chai';
import {
  ApiException,
  ApiextensionsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
} from '@kubernetes/client-node';
import {
  applyObjects,
  readKustomization,
  readManifest,
  type ManifestObject,
} from '../../../tools/cluster/manifests.js';
import { useTestCluster } from '../../support/k8s/shared-control-plane.js';
import { installCrd } from '../../../tools/cluster/install-crd.js';
import { kubectlTable } from '../../support/k8s/kubectl-table.js';
import { vmcpResource } from '../../../src/apply/vmcp-resource.js';

const { group, version, plural } = vmcpResource();

/** The part of a failed call's `Status` that names the fields it refused. */
interface StatusBody {
  details?: { causes?: { reason?: string; message?: string; field?: string }[] };
}

async function httpCode(call: Promise<unknown>): Promise<number> {
  try {
    await call;
    return 200;
  } catch (err) {
    if (err instanceof ApiException) return err.code;
    throw err;
  }
}

describe('manifests on a real kube-apiserver', function () {
  const cluster = useTestCluster('manifests');
  let admin: KubeConfig;

  before(async () => {
    admin = cluster.plane.adminKubeConfig();
    await installCrd(admin);
  });

  it('applies the kustomization by server-side apply and the CRD is Established', async () => {
    const objects = readKustomization('.', cluster.namespace);
    expect(objects.map((o) => o.kind)).to.include.members([
      'CustomResourceDefinition',
      'Role',
      'RoleBinding',
      'VirtualMCPServer',
    ]);
    await applyObjects(admin, objects);
    const crd = await admin
      .makeApiClient(ApiextensionsV1Api)
      .readCustomResourceDefinition({ name: `${plural}.${group}` });
    const established = crd.status?.conditions?.find((c) => c.type === 'Established');
    expect(established?.status).to.equal('True');
    expect(crd.spec.names.shortNames).to.deep.equal(['vmcpst']);
    const example = (await admin.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
      group,
      version,
      namespace: cluster.namespace,
      plural,
      name: 'demo',
    })) as {
      spec: {
        config: { operational: { failureHandling: Record<string, unknown> } };
        replicas: number;
      };
    };
    // Schema defaults are filled in by the apiserver: the example leaves these out.
    expect(example.spec.config.operational.failureHandling).to.include({
      statusReportingInterval: '30s',
      degradedThreshold: '5s',
    });
    expect(example.spec.replicas).to.equal(1);
  });

  it('also applies with the real kubectl: kubectl apply --server-side -k manifests/', () => {
    const result = cluster.plane.kubectl([
      'apply',
      '--server-side',
      '--field-manager=vmcp-tests',
      '-k',
      'manifests/',
    ]);
    expect(result.stderr).to.equal('');
    expect(result.code).to.equal(0);
    expect(result.stdout).to.match(
      /customresourcedefinition.apiextensions.k8s.io\/virtualmcpservers.vmcp-status.dev serverside-applied/,
    );
    expect(result.stdout).to.match(/virtualmcpserver.vmcp-status.dev\/demo serverside-applied/);
  });

  it('kubectl explain answers from the CRD, deep down too', () => {
    const explain = cluster.plane.kubectl(['explain', 'vmcpst.spec.config.backends.url']);
    expect(explain.code, explain.stderr).to.equal(0);
    expect(explain.stdout).to.match(/The backend's MCP endpoint, http:\/\/ or https:\/\//);
    const status = cluster.plane.kubectl([
      'explain',
      'vmcpst.status.conditions.observedGeneration',
    ]);
    expect(status.code, status.stderr).to.equal(0);
    expect(status.stdout).to.match(/DESCRIPTION:\s+\S/);
  });

  describe("the spec's rules at admission (CEL and schema), each naming its field", () => {
    const api = (): CustomObjectsApi => admin.makeApiClient(CustomObjectsApi);
    /** 201, or the 422's causes as `field: message`. */
    const admit = async (name: string, config: Record<string, unknown>, extra = {}) => {
      try {
        await api().createNamespacedCustomObject({
          group,
          version,
          namespace: cluster.namespace,
          plural,
          body: {
            apiVersion: `${group}/${version}`,
            kind: 'VirtualMCPServer',
            metadata: { name },
            spec: { config, ...extra },
          },
        });
        return 'created';
      } catch (err) {
        if (!(err instanceof ApiException) || err.code !== 422) throw err;
        const causes = (JSON.parse(String(err.body)) as StatusBody).details?.causes ?? [];
        return causes.map((c) => `${c.field ?? ''}: ${c.message ?? ''}`);
      }
    };
    const backend = { name: 'a', url: 'http://a.default.svc:8080/mcp' };
    const handling = (failureHandling: Record<string, unknown>) => ({
      backends: [backend],
      operational: { failureHandling },
    });

    it('accepts what Go and Kubernetes accept as durations: 1m30s, 1.5h, 500ms', async () => {
      expect(
        await admit('durations', {
          ...handling({ healthCheckInterval: '1m30s', statusReportingInterval: '1.5h' }),
          operational: {
            failureHandling: { healthCheckInterval: '1m30s', healthCheckTimeout: '500ms' },
            timeouts: { default: '1.5h' },
          },
        }),
      ).to.equal('created');
    });

    const cases: Array<[string, Record<string, unknown>, RegExp, Record<string, unknown>?]> = [
      [
        'a URL that is not http(s)',
        { backends: [{ name: 'a', url: 'ftp://a/mcp' }] },
        /^spec\.config\.backends\[0\]\.url: .*expected an http:\/\/ or https:\/\/ URL/,
      ],
      [
        'a backend name that is no DNS label',
        { backends: [{ name: 'Not_A_Label', url: backend.url }] },
        /^spec\.config\.backends\[0\]\.name: .*should match/,
      ],
      [
        'two backends of one name',
        { backends: [backend, backend] },
        /^spec\.config\.backends\[1\]: Duplicate value/,
      ],
      [
        'a duration Go does not read',
        handling({ healthCheckInterval: '1 minute' }),
        /^spec\.config\.operational\.failureHandling\.healthCheckInterval: .*should match/,
      ],
      [
        'a zero duration',
        handling({ statusReportingInterval: '0s' }),
        /^spec\.config\.operational\.failureHandling\.statusReportingInterval: .*expected a duration above 0/,
      ],
      [
        'a check timeout as long as its interval',
        handling({ healthCheckInterval: '10s', healthCheckTimeout: '10s' }),
        /^spec\.config\.operational\.failureHandling: .*healthCheckTimeout must be shorter than healthCheckInterval/,
      ],
      [
        'priority without priorityOrder',
        { backends: [backend], aggregation: { conflictResolution: 'priority' } },
        /^spec\.config\.aggregation: .*the priority strategy needs conflictResolutionConfig\.priorityOrder/,
      ],
      [
        'manual without overrides',
        { backends: [backend], aggregation: { conflictResolution: 'manual' } },
        /^spec\.config\.aggregation: .*the manual strategy needs tools\[\]\.overrides/,
      ],
      [
        'an override that changes nothing',
        {
          backends: [backend],
          aggregation: { tools: [{ workload: 'a', overrides: { search: {} } }] },
        },
        /^spec\.config\.aggregation\.tools\[0\]\.overrides\[search\]: .*an override needs a name or a description/,
      ],
      [
        "the operator's own field manager for the runtime",
        { backends: [backend] },
        /^spec\.fieldManager: .*a field manager other than the operator's own/,
        { fieldManager: 'vmcp-operator' },
      ],
    ];
    cases.forEach(([what, config, says, extra], index) => {
      it(`refuses ${what}`, async () => {
        const causes = await admit(`rule-${String(index)}`, config, extra);
        // The first cause is the rule's; a malformed duration also fails the CEL rules
        // that read it (the apiserver evaluates them anyway), each naming the field too.
        expect(causes).to.be.an('array').that.is.not.empty;
        expect((causes as string[])[0]).to.match(says);
      });
    });
  });

  describe('the schema rejects', () => {
    const api = (): CustomObjectsApi => admin.makeApiClient(CustomObjectsApi);
    const create = async (name: string): Promise<void> => {
      await api().createNamespacedCustomObject({
        group,
        version,
        namespace: cluster.namespace,
        plural,
        body: {
          apiVersion: `${group}/${version}`,
          kind: 'VirtualMCPServer',
          metadata: { name },
          spec: {},
        },
      });
    };
    const applyStatus = (name: string, status: Record<string, unknown>): Promise<unknown> =>
      api().patchNamespacedCustomObjectStatus(
        {
          group,
          version,
          namespace: cluster.namespace,
          plural,
          name,
          body: {
            apiVersion: `${group}/${version}`,
            kind: 'VirtualMCPServer',
            metadata: { name, namespace: cluster.namespace },
            status,
          },
          fieldManager: 'vmcp-tests',
          force: true,
        },
        setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
      );

    it('a phase outside the enum, with 422 naming the field', async () => {
      await create('bad-phase');
      try {
        await applyStatus('bad-phase', { phase: 'Running' });
        expect.fail('the apiserver accepted phase Running');
      } catch (err) {
        expect(err).to.be.instanceOf(ApiException);
        const e = err as ApiException<string>;
        expect(e.code).to.equal(422);
        const causes = (JSON.parse(e.body) as StatusBody).details?.causes ?? [];
        const cause = causes.find((c) => c.reason === 'FieldValueNotSupported');
        // 1.30 validates the status subresource's schema from the status itself, so its
        // path there is "phase"; later releases root it at the object ("status.phase").
        expect(cause?.field, e.body).to.be.oneOf(['status.phase', 'phase']);
        expect(cause?.message, e.body).to.contain('"Running"');
      }
    });

    it('duplicate list-map keys in discoveredBackends and in conditions', async () => {
      await create('dupes');
      const dupBackends = await httpCode(
        api().replaceNamespacedCustomObjectStatus({
          group,
          version,
          namespace: cluster.namespace,
          plural,
          name: 'dupes',
          body: {
            ...((await api().getNamespacedCustomObject({
              group,
              version,
              namespace: cluster.namespace,
              plural,
              name: 'dupes',
            })) as object),
            status: {
              discoveredBackends: [
                { name: 'a', status: 'ready' },
                { name: 'a', status: 'unknown' },
              ],
            },
          },
        }),
      );
      expect(dupBackends).to.equal(422);
      const now = new Date().toISOString().replace(/\.\d+Z/, 'Z');
      const condition = {
        type: 'Ready',
        status: 'True',
        reason: 'X',
        message: '',
        lastTransitionTime: now,
      };
      const dupConditions = await httpCode(
        api().replaceNamespacedCustomObjectStatus({
          group,
          version,
          namespace: cluster.namespace,
          plural,
          name: 'dupes',
          body: {
            ...((await api().getNamespacedCustomObject({
              group,
              version,
              namespace: cluster.namespace,
              plural,
              name: 'dupes',
            })) as object),
            status: { conditions: [condition, condition] },
          },
        }),
      );
      expect(dupConditions).to.equal(422);
    });
  });

  it('shows an applied status in the real kubectl get vmcpst columns', async () => {
    const name = 'columns';
    const api = admin.makeApiClient(CustomObjectsApi);
    await api.createNamespacedCustomObject({
      group,
      version,
      namespace: cluster.namespace,
      plural,
      body: {
        apiVersion: `${group}/${version}`,
        kind: 'VirtualMCPServer',
        metadata: { name },
        spec: {},
      },
    });
    await api.patchNamespacedCustomObjectStatus(
      {
        group,
        version,
        namespace: cluster.namespace,
        plural,
        name,
        body: {
          apiVersion: `${group}/${version}`,
          kind: 'VirtualMCPServer',
          metadata: { name, namespace: cluster.namespace },
          status: {
            phase: 'Degraded',
            url: 'http://columns.example:4483',
            backendCount: 2,
            totalToolCount: 41,
            healthyBackends: 2,
            conditions: [
              {
                type: 'Ready',
                status: 'False',
                reason: 'SomeBackendsUnhealthy',
                message: '2/3',
                lastTransitionTime: '2026-11-29T10:00:00Z',
              },
            ],
          },
        },
        fieldManager: 'vmcp-tests',
        force: true,
      },
      setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
    );
    const wide = cluster.plane.kubectl([
      'get',
      'vmcpst',
      name,
      '-n',
      cluster.namespace,
      '-o',
      'wide',
    ]);
    expect(wide.code, wide.stderr).to.equal(0);
    const [header, row] = wide.stdout.trim().split('\n');
    expect(header?.split(/\s+/)).to.deep.equal([
      'NAME',
      'PHASE',
      'URL',
      'BACKENDS',
      'AGE',
      'READY',
      'AVAILABLE',
      'TOOLS',
      'HEALTHY',
    ]);
    expect(row).to.be.a('string');
    // No operator wrote Available: kubectl (v1.37) leaves the cell empty.
    const { AGE: _age, ...cells } = kubectlTable(wide.stdout)[0] ?? {};
    expect(cells).to.deep.equal({
      NAME: name,
      PHASE: 'Degraded',
      URL: 'http://columns.example:4483',
      BACKENDS: '2',
      READY: 'False',
      AVAILABLE: '',
      TOOLS: '41',
      HEALTHY: '2',
    });
    const narrow = cluster.plane.kubectl(['get', 'virtualmcp', name, '-n', cluster.namespace]);
    expect(narrow.stdout.split('\n')[0]).to.not.contain('HEALTHY');
  });

  describe('acting as the runtime ServiceAccount (RBAC from manifests/runtime)', () => {
    let runtime: KubeConfig;
    before(async () => {
      const rbac: ManifestObject[] = readManifest('runtime/rbac.yaml').map((o) => ({
        ...o,
        metadata: { ...o.metadata, namespace: cluster.namespace },
        ...(o.kind === 'RoleBinding'
          ? {
              subjects: [
                { kind: 'ServiceAccount', name: 'demo-vmcp', namespace: cluster.namespace },
              ],
            }
          : {}),
      }));
      await applyObjects(admin, [
        ...rbac,
        ...readManifest('example/virtualmcpserver.yaml').map((o) => ({
          ...o,
          metadata: { ...o.metadata, namespace: cluster.namespace },
        })),
      ]);
      runtime = await cluster.plane.serviceAccountKubeConfig(cluster.namespace, 'demo-vmcp');
    });

    const statusBody = (namespace: string) => ({
      apiVersion: `${group}/${version}`,
      kind: 'VirtualMCPServer',
      metadata: { name: 'demo', namespace },
      status: { phase: 'Ready', backendCount: 0 },
    });

    it('may apply status', async () => {
      const api = runtime.makeApiClient(CustomObjectsApi);
      const code = await httpCode(
        api.patchNamespacedCustomObjectStatus(
          {
            group,
            version,
            namespace: cluster.namespace,
            plural,
            name: 'demo',
            body: statusBody(cluster.namespace),
            fieldManager: 'vmcp-runtime',
            force: true,
          },
          setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
        ),
      );
      expect(code).to.equal(200);
    });

    it('is refused with 403 patching spec, deleting, creating and reading Secrets', async () => {
      const api = runtime.makeApiClient(CustomObjectsApi);
      const ns = cluster.namespace;
      const spec = await httpCode(
        api.patchNamespacedCustomObject(
          {
            group,
            version,
            namespace: ns,
            plural,
            name: 'demo',
            body: {
              apiVersion: `${group}/${version}`,
              kind: 'VirtualMCPServer',
              metadata: { name: 'demo', namespace: ns },
              spec: { replicas: 3 },
            },
            fieldManager: 'vmcp-runtime',
            force: true,
          },
          setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
        ),
      );
      const del = await httpCode(
        api.deleteNamespacedCustomObject({ group, version, namespace: ns, plural, name: 'demo' }),
      );
      const create = await httpCode(
        api.createNamespacedCustomObject({
          group,
          version,
          namespace: ns,
          plural,
          body: {
            apiVersion: `${group}/${version}`,
            kind: 'VirtualMCPServer',
            metadata: { name: 'other' },
            spec: {},
          },
        }),
      );
      const secrets = await httpCode(
        runtime.makeApiClient(CoreV1Api).listNamespacedSecret({ namespace: ns }),
      );
      expect({ spec, del, create, secrets }).to.deep.equal({
        spec: 403,
        del: 403,
        create: 403,
        secrets: 403,
      });
    });
  });
});
