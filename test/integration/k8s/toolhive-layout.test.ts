import { expect } from 'chai';
import { BehaviorSubject } from 'rxjs';
import { parseAllDocuments } from 'yaml';
import {
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
} from '@kubernetes/client-node';
import { admissionManifests } from '../../../src/admission/admission-manifests.js';
import { K8sReporter } from '../../../src/apply/k8s-reporter.js';
import type { ReportOutcome } from '../../../src/reporter.js';
import { readStatusSchema } from '../../../src/apply/openapi-schema.js';
import {
  watchOwnObject,
  type OwnObject,
  type OwnObjectRef,
} from '../../../src/apply/watch-own-object.js';
import type { BackendConfig } from '../../../src/runtime/backend-config.js';
import {
  startScriptedMcpServer,
  type ScriptedMcpServer,
} from '../../../src/demo/scripted-mcp-server.js';
import { startStatusReporting } from '../../../src/runtime/start-status-reporting.js';
import { installCrd } from '../../../tools/cluster/install-crd.js';
import { applyObjects, type ManifestObject } from '../../../tools/cluster/manifests.js';
import { runtimeIdentity, runtimeRules } from '../../../tools/cluster/runtime-identity.js';
import { statusOf, vmcpObject } from '../../../tools/cluster/status-fixtures.js';
import { waitFor } from '../../../tools/cluster/wait-for.js';
import { apiserverRequests, requestsBetween } from '../../support/k8s/apiserver-requests.js';
import { kubectlTable } from '../../support/k8s/kubectl-table.js';
import { impersonating } from '../../support/k8s/ownership-policy.js';
import { useTestCluster } from '../../support/k8s/shared-control-plane.js';
import { toolhiveCrd } from '../../support/k8s/toolhive-crd.js';
import { ToolhiveOperatorEcho } from '../../support/k8s/toolhive-operator-echo.js';
import { LEVEL, memoryLogger } from '../../support/memory-log.js';

/**
 * ToolHive's CRD (test/fixtures/toolhive) lives in its own API group here: the shared
 * apiserver may serve ToolHive's own group too (the install tests put it there); a
 * group of its own keeps this file's objects apart from theirs.
 */
const GROUP = 'toolhive-compat.test';
const VERSION = 'v1beta1';
const API_VERSION = `${GROUP}/${VERSION}`;
const PLURAL = 'virtualmcpservers';
const RESOURCE = `${PLURAL}.${GROUP}`;
/** ToolHive's operator as its Helm chart runs it (impersonated: RBAC applies). */
const TOOLHIVE_OPERATOR = 'system:serviceaccount:toolhive-system:toolhive-operator';

type Vmcp = OwnObject & {
  metadata: {
    resourceVersion: string;
    managedFields?: Array<{
      manager: string;
      operation: string;
      subresource?: string;
      fieldsV1?: Record<string, Record<string, unknown>>;
    }>;
  };
  status?: Record<string, unknown> & { runtime?: Record<string, unknown> };
};

/** The runtime's Role of manifests/runtime/rbac.yaml, for the other group. */
const rulesFor = (name: string) =>
  runtimeRules(name).map((r) =>
    r.apiGroups.includes('vmcp-status.dev') ? { ...r, apiGroups: [GROUP] } : r,
  );

/** The top-level status keys a manager owns, as `fieldsV1` lists them (`f:runtime`, `f:phase`). */
const ownedTopLevel = (object: Vmcp, manager: string): string[] =>
  Object.keys(
    object.metadata.managedFields?.find((m) => m.manager === manager)?.fieldsV1?.['f:status'] ?? {},
  )
    .filter((k) => k.startsWith('f:'))
    .sort();

describe("the runtime layout on ToolHive's CRD (real kube-apiserver)", function () {
  const cluster = useTestCluster('toolhive');
  let admin: KubeConfig;
  const reporters: K8sReporter[] = [];
  const servers: ScriptedMcpServer[] = [];

  const api = (): CustomObjectsApi => admin.makeApiClient(CustomObjectsApi);
  const ref = (name: string, namespace = cluster.namespace): OwnObjectRef => ({
    group: GROUP,
    version: VERSION,
    plural: PLURAL,
    namespace,
    name,
  });
  const read = async (name: string, namespace = cluster.namespace): Promise<Vmcp> =>
    (await api().getNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      plural: PLURAL,
      namespace,
      name,
    })) as Vmcp;
  const create = async (name: string, namespace = cluster.namespace): Promise<void> => {
    await api().createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      plural: PLURAL,
      namespace,
      body: vmcpObject(name, namespace, API_VERSION),
    });
  };
  const applies = () =>
    apiserverRequests(admin, {
      group: GROUP,
      resource: PLURAL,
      subresource: 'status',
      verb: 'APPLY',
    });
  const reporterFor = async (name: string, namespace = cluster.namespace) => {
    const log = memoryLogger('info');
    const outcomes: ReportOutcome[] = [];
    const reporter = new K8sReporter({
      kubeConfig: await runtimeIdentity(cluster.plane, namespace, name, { rules: rulesFor(name) }),
      ref: { name, namespace, apiVersion: API_VERSION },
      logger: log.logger,
      backoff: { initialMs: 100, maxMs: 1000 },
      metrics: { reportOutcome: (o) => outcomes.push(o) },
      events: false,
    });
    reporters.push(reporter);
    return { reporter, log, outcomes };
  };

  before(async function () {
    this.timeout(120_000);
    admin = cluster.plane.adminKubeConfig();
    await installCrd(admin, toolhiveCrd(GROUP));
    // Publication of a new CRD's OpenAPI lags its Established condition a little; a
    // runtime starting long after its CRD was installed finds it there at once.
    await waitFor(
      "the CRD's OpenAPI v3 schema published",
      async () =>
        (
          await readStatusSchema(admin, {
            group: GROUP,
            version: VERSION,
            kind: 'VirtualMCPServer',
          })
        ).kind === 'found',
      60_000,
    );
  });
  afterEach(async () => {
    await Promise.all(reporters.splice(0).map((r) => r.stop()));
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  it('first start: zero rejected applies, one warning naming every field left out, writes only in status.runtime', async () => {
    await create('first');
    const { reporter, log, outcomes } = await reporterFor('first');
    const before = await applies();
    await reporter.start(30_000);
    expect(reporter.statusLayout).to.deep.equal({ layout: 'runtime', source: 'schema' });
    await reporter.report(
      statusOf([
        ['alpha', 'healthy', 4],
        ['beta', 'unhealthy'],
      ]),
    );
    expect(outcomes).to.deep.equal(['applied']);
    // Counted by the apiserver itself: one apply, answered 200; none rejected.
    expect(requestsBetween(before, await applies())).to.deep.equal({ '200': 1 });

    const warnings = log.lines.filter((l) => l.level >= LEVEL.warn);
    expect(warnings).to.have.length(1);
    expect(warnings[0]?.droppedFields).to.deep.equal([
      'runtime.discoveredBackends[].toolCount',
      'runtime.healthyBackends',
      'runtime.lastDiscoveryTime',
      'runtime.totalToolCount',
      'runtime.unhealthyBackends',
    ]);

    const object = await read('first');
    const runtime = object.status?.runtime;
    expect(runtime?.phase).to.equal('Degraded');
    expect(runtime?.backendCount).to.equal(1);
    expect(runtime?.conditions).to.be.an('array').that.is.not.empty;
    const backends = runtime?.discoveredBackends as Array<Record<string, unknown>>;
    expect(backends.map((b) => [b.name, b.status, b.message])).to.deep.equal([
      ['alpha', 'ready', 'Healthy'],
      ['beta', 'unavailable', 'Unhealthy'],
    ]);
    // Nothing at the top level but the CRD's own default.
    expect(Object.keys(object.status ?? {}).sort()).to.deep.equal(['phase', 'runtime']);
    expect(object.status?.phase).to.equal('Pending');
    const entry = object.metadata.managedFields?.find((m) => m.manager === 'vmcp-runtime');
    expect(entry).to.include({ operation: 'Apply', subresource: 'status' });
    expect(ownedTopLevel(object, 'vmcp-runtime')).to.deep.equal(['f:runtime']);
  });

  it("beside a writer that behaves like ToolHive's operator, through a flapping backend: bounded writes, no ping-pong", async function () {
    this.timeout(120_000);
    const name = 'flapping';
    await create(name);
    const steady = await startScriptedMcpServer({ name: 'steady', tools: 2 });
    const flaky = await startScriptedMcpServer({ name: 'flaky', tools: 3 });
    servers.push(steady, flaky);
    const { reporter, log, outcomes } = await reporterFor(name);
    const health = memoryLogger('info');

    // ToolHive's operator: an Update-based writer with its own RBAC, as its chart grants.
    await applyObjects(admin, toolhiveOperatorAccess(cluster.namespace));
    const echo = new ToolhiveOperatorEcho({
      kubeConfig: impersonating(cluster.plane, TOOLHIVE_OPERATOR),
      ref: ref(name),
      resyncMs: 400,
      url: `http://${name}.${cluster.namespace}.svc:4483`,
    });
    // Every write to the object is one watch event: the resourceVersion bumps.
    let bumps = 0;
    const counter = watchOwnObject({
      kubeConfig: admin,
      ref: ref(name),
      resourceVersion: (await read(name)).metadata.resourceVersion,
      onObject: () => {
        bumps++;
      },
    });
    echo.start();
    const backends$ = new BehaviorSubject<readonly BackendConfig[]>([
      { name: 'steady', url: steady.url },
      { name: 'flaky', url: flaky.url },
    ]);
    const reporting = startStatusReporting({
      backends$,
      reporter,
      reportIntervalMs: 300,
      // Generous deadlines: on a loaded machine one slow ping would be a real change
      // (degraded or a timeout) after the settle, which is not what this test is about.
      monitor: {
        probeIntervalMs: 50,
        probeTimeoutMs: 10_000,
        degradedThresholdMs: 10_000,
        unhealthyThreshold: 1,
        logger: health.logger,
      },
    });
    try {
      const flips = 20;
      for (let i = 0; i < flips; i++) {
        flaky.mode = i % 2 === 0 ? 'unavailable' : 'ok';
        await new Promise((resolve) => setTimeout(resolve, 120));
      }
      flaky.mode = 'ok';
      // Settled: the runtime's last word, projected by the operator.
      await waitFor(
        'Ready in status.runtime and projected to the top level',
        async () => {
          const s = (await read(name)).status;
          return s?.runtime?.phase === 'Ready' && s.phase === 'Ready' && s.backendCount === 2;
        },
        30_000,
      );
      await waitFor('the counter caught up', async () => {
        const settled = await read(name);
        return counter.resourceVersion === settled.metadata.resourceVersion;
      });
      const settled = await read(name);
      const applied = outcomes.filter((o) => o === 'applied').length;
      const quiet = { bumps, applied, updates: echo.updates, resyncs: echo.resyncs };
      const healthLinesAtSettle = health.lines.length;
      const changesSinceSettle = () =>
        JSON.stringify(
          health.lines
            .slice(healthLinesAtSettle)
            .map((l) => [l.backend, l.status, l.errorCategory, l.latencyMs]),
        );

      // No ping-pong: three more resyncs of the operator (each a full Update) change nothing.
      await waitFor(
        'three more resyncs',
        () => Promise.resolve(echo.resyncs >= quiet.resyncs + 3),
        10_000,
      );
      await waitFor('the last resync reconciled', () =>
        Promise.resolve(echo.updates > quiet.updates + 2),
      );
      expect(
        (await read(name)).metadata.resourceVersion,
        `written after the settle; health changes since: ${changesSinceSettle()}`,
      ).to.equal(settled.metadata.resourceVersion);
      expect(bumps).to.equal(quiet.bumps);
      expect(outcomes.filter((o) => o === 'applied').length).to.equal(quiet.applied);

      // The write bound: each runtime apply costs at most one echo write on top (the
      // operator's projection), plus its first write (url, observedGeneration).
      // Every write is one of the two: nobody else writes this object.
      console.log(
        `      runtime applies ${String(applied)}, operator updates ${String(echo.updates)} (of which changed the object ${String(echo.bumps)}, 409s ${String(echo.conflicts)}), resourceVersion bumps ${String(bumps)}, flips ${String(flips)}`,
      );
      expect(applied)
        .to.be.at.least(3)
        .and.at.most(flips + 1);
      expect(echo.bumps).to.be.at.most(applied + 1);
      expect(bumps).to.equal(applied + echo.bumps);
      expect(bumps).to.be.at.most(2 * applied + 1);
      expect(echo.errors).to.deep.equal([]);
      // The runtime never repaired anything: the operator's writes are not drift.
      expect(log.lines.filter((l) => l.msg.includes('changed by another writer'))).to.deep.equal(
        [],
      );

      // The runtime never wrote a top-level field; the operator never took status.runtime.
      expect(ownedTopLevel(settled, 'vmcp-runtime')).to.deep.equal(['f:runtime']);
      expect(ownedTopLevel(settled, 'toolhive-operator')).to.not.include('f:runtime');
      expect(ownedTopLevel(settled, 'toolhive-operator')).to.include.members([
        'f:phase',
        'f:backendCount',
        'f:conditions',
        'f:url',
      ]);

      // What a user sees: the real kubectl, ToolHive's printer columns, projected values.
      const out = cluster.plane.kubectl(['get', RESOURCE, name, '-n', cluster.namespace]);
      expect(out.code, out.stderr).to.equal(0);
      const [row] = kubectlTable(out.stdout);
      expect(row).to.include({
        NAME: name,
        PHASE: 'Ready',
        URL: `http://${name}.${cluster.namespace}.svc:4483`,
        BACKENDS: '2',
        READY: 'True',
      });
      // The deprecated version serves the same object, with its warning.
      const alpha = cluster.plane.kubectl([
        'get',
        `${PLURAL}.v1alpha1.${GROUP}`,
        name,
        '-n',
        cluster.namespace,
        '-o',
        'jsonpath={.status.runtime.phase}',
      ]);
      expect(alpha.stdout).to.equal('Ready');
      expect(alpha.stderr).to.contain(`${GROUP}/v1alpha1 is deprecated`);
    } finally {
      await reporting.stop();
      await echo.stop();
      counter.stop();
    }
  });

  it('the runtime-layout admission policy: the runtime may change only status.runtime, the operator the rest', async function () {
    this.timeout(120_000);
    const namespace = `${cluster.namespace}-policy`;
    await admin
      .makeApiClient(CoreV1Api)
      .createNamespace({ body: { metadata: { name: namespace } } });
    const files = admissionManifests({ layout: 'runtime', group: GROUP, name: `${namespace}-own` });
    const [policy] = objectsOf(files['policy.yaml']);
    const [binding] = objectsOf(files['binding.yaml']);
    await applyObjects(admin, [
      policy!,
      {
        ...binding!,
        spec: {
          ...(binding!.spec as object),
          matchResources: {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } },
          },
        },
      },
      ...toolhiveOperatorAccess(namespace),
    ]);
    try {
      const name = 'guarded';
      await create(name, namespace);
      const operator = impersonating(cluster.plane, TOOLHIVE_OPERATOR);
      const echo = new ToolhiveOperatorEcho({
        kubeConfig: operator,
        ref: ref(name, namespace),
        resyncMs: 60_000,
        url: 'http://guarded:4483',
      });
      const runtimeKc = await runtimeIdentity(cluster.plane, namespace, name, {
        rules: rulesFor(name),
      });
      // The runtime's identity applying a top-level field, as a dry run: admission
      // answers, nothing is stored.
      const topLevelWrite = () =>
        runtimeKc
          .makeApiClient(CustomObjectsApi)
          .patchNamespacedCustomObjectStatus(
            {
              group: GROUP,
              version: VERSION,
              plural: PLURAL,
              namespace,
              name,
              body: {
                apiVersion: API_VERSION,
                kind: 'VirtualMCPServer',
                metadata: { name, namespace },
                status: { phase: 'Ready' },
              },
              fieldManager: 'vmcp-runtime',
              force: true,
              dryRun: 'All',
            },
            setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
          )
          .then(
            () => ({ code: 200, body: '' }),
            (err: unknown) => ({
              code: (err as { code: number }).code,
              body: String((err as { body: unknown }).body),
            }),
          );
      // A new binding takes a moment to be in force.
      await waitFor(
        'the policy in force',
        async () => (await topLevelWrite()).code === 403,
        30_000,
      );
      expect((await topLevelWrite()).body).to.contain(
        'may not change status.phase (owned by the ToolHive operator',
      );

      // ToolHive's operator writes the status first (its reconcile runs before the vMCP
      // pod starts): its full Update passes.
      echo.start();
      await waitFor(
        'the operator wrote',
        async () => (await read(name, namespace)).status?.url !== undefined,
      );
      // The runtime's writes pass: they change status.runtime only.
      const { reporter, outcomes } = await reporterFor(name, namespace);
      await reporter.start(30_000);
      await reporter.report(statusOf([['alpha', 'healthy']]));
      expect(outcomes).to.deep.equal(['applied']);
      // ... and so does the operator's projection of them (status.runtime carried over).
      await waitFor(
        'projected',
        async () => (await read(name, namespace)).status?.phase === 'Ready',
      );
      await echo.stop();
      expect(echo.errors).to.deep.equal([]);
      // The operator may not change status.runtime.
      const object = await read(name, namespace);
      const denied = await operator
        .makeApiClient(CustomObjectsApi)
        .replaceNamespacedCustomObjectStatus({
          group: GROUP,
          version: VERSION,
          plural: PLURAL,
          namespace,
          name,
          body: { ...object, status: { ...object.status, runtime: { phase: 'Failed' } } },
        })
        .then(
          () => ({ code: 200, body: '' }),
          (err: unknown) => ({
            code: (err as { code: number }).code,
            body: String((err as { body: unknown }).body),
          }),
        );
      expect(denied.code).to.equal(403);
      expect(denied.body).to.contain('may not change status.runtime (owned by vmcp-runtime');
    } finally {
      await admin
        .makeApiClient(CoreV1Api)
        .deleteNamespace({ name: namespace })
        .catch(() => undefined);
    }
  });
});

/** RBAC for ToolHive's operator on the status of the fixture's group, in `namespace`. */
function toolhiveOperatorAccess(namespace: string): ManifestObject[] {
  return [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'toolhive-operator-status', namespace },
      rules: [
        { apiGroups: [GROUP], resources: [PLURAL], verbs: ['get', 'list', 'watch'] },
        { apiGroups: [GROUP], resources: [`${PLURAL}/status`], verbs: ['get', 'update', 'patch'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'toolhive-operator-status', namespace },
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'Role',
        name: 'toolhive-operator-status',
      },
      subjects: [
        { kind: 'ServiceAccount', name: 'toolhive-operator', namespace: 'toolhive-system' },
      ],
    },
  ];
}

function objectsOf(text: string | undefined): ManifestObject[] {
  if (text === undefined) throw new Error('no such generated file');
  return parseAllDocuments(text).map((d) => d.toJS() as ManifestObject);
}
