import { expect } from 'chai';
import { parse } from 'yaml';
import {
  ApiException,
  CustomObjectsApi,
  EventsV1Api,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
} from '@kubernetes/client-node';
import { K8sReporter } from '../../../src/apply/k8s-reporter.js';
import type { ReportOutcome } from '../../../src/reporter.js';
import { ownerOf } from '../../../src/apply/ownership.js';
import { NoopReporter } from '../../../src/reporter.js';
import type { RuntimeStatus } from '../../../src/types.js';
import { installCrd } from '../../../tools/cluster/install-crd.js';
import { legacyCrd } from '../../support/k8s/legacy-crd.js';
import { runtimeIdentity, runtimeRules } from '../../../tools/cluster/runtime-identity.js';
import {
  managedStatusFields,
  type ManagedStatusField,
} from '../../../src/apply/managed-status-fields.js';
import { useTestCluster } from '../../support/k8s/shared-control-plane.js';
import { statusOf, vmcpObject } from '../../../tools/cluster/status-fixtures.js';
import { LEVEL, memoryLogger } from '../../support/memory-log.js';
import { waitFor } from '../../../tools/cluster/wait-for.js';
import { vmcpResource } from '../../../src/apply/vmcp-resource.js';
import { readStatusSchema } from '../../../src/apply/openapi-schema.js';
import { apiserverRequests } from '../../support/k8s/apiserver-requests.js';

const { group, version, plural } = vmcpResource();

/** A condition item's type; undefined for any other field. */
const conditionType = (k: ManagedStatusField): string | undefined =>
  k.path[0] === 'conditions' && typeof k.item?.type === 'string' ? k.item.type : undefined;

type Vmcp = {
  metadata: {
    resourceVersion: string;
    uid: string;
    managedFields?: Array<{
      manager: string;
      operation: string;
      subresource?: string;
      fieldsV1?: Record<string, unknown>;
    }>;
  };
  status?: Record<string, unknown> & {
    conditions?: Array<{
      type: string;
      status: string;
      lastTransitionTime: string;
      observedGeneration?: number;
    }>;
    discoveredBackends?: Array<{ name: string }>;
  };
};

describe('K8sReporter on a real kube-apiserver', function () {
  const cluster = useTestCluster('reporter');
  let admin: KubeConfig;
  const reporters: K8sReporter[] = [];

  const adminApi = (): CustomObjectsApi => admin.makeApiClient(CustomObjectsApi);
  const read = async (name: string, apiVersion = `${group}/${version}`): Promise<Vmcp> => {
    const [g, v] = apiVersion.split('/') as [string, string];
    return (await adminApi().getNamespacedCustomObject({
      group: g,
      version: v,
      namespace: cluster.namespace,
      plural,
      name,
    })) as Vmcp;
  };
  const create = async (name: string, apiVersion = `${group}/${version}`): Promise<void> => {
    const [g, v] = apiVersion.split('/') as [string, string];
    await adminApi().createNamespacedCustomObject({
      group: g,
      version: v,
      namespace: cluster.namespace,
      plural,
      body: vmcpObject(name, cluster.namespace, apiVersion),
    });
  };
  const reporterFor = async (
    name: string,
    options: {
      kubeConfig?: KubeConfig;
      apiVersion?: string;
      level?: 'info' | 'debug';
      fallback?: NoopReporter;
      withoutOpenApi?: boolean;
    } = {},
  ) => {
    const log = memoryLogger(options.level ?? 'info');
    const outcomes: ReportOutcome[] = [];
    const pending = { max: 0 };
    const reporter = new K8sReporter({
      kubeConfig:
        options.kubeConfig ?? (await runtimeIdentity(cluster.plane, cluster.namespace, name)),
      ref: {
        name,
        namespace: cluster.namespace,
        ...(options.apiVersion !== undefined ? { apiVersion: options.apiVersion } : {}),
      },
      logger: log.logger,
      backoff: { initialMs: 100, maxMs: 1000 },
      metrics: {
        reportOutcome: (o) => outcomes.push(o),
        pendingWrites: (n) => {
          pending.max = Math.max(pending.max, n);
        },
      },
      ...(options.fallback !== undefined ? { fallback: options.fallback } : {}),
      // As on an apiserver that serves no OpenAPI v3: only rejected applies teach.
      ...(options.withoutOpenApi === true
        ? { readSchema: () => Promise.resolve({ kind: 'unpublished', reason: 'test' } as const) }
        : {}),
    });
    reporters.push(reporter);
    return { reporter, log, outcomes, pending };
  };

  before(async () => {
    admin = cluster.plane.adminKubeConfig();
    await installCrd(admin);
  });
  afterEach(async () => {
    await Promise.all(reporters.splice(0).map((r) => r.stop()));
  });

  it('applies status as vmcp-runtime: one Apply entry on the status subresource, runtime fields only', async () => {
    await create('appears');
    const { reporter } = await reporterFor('appears');
    await reporter.start(30_000);
    await reporter.report(
      statusOf([
        ['alpha', 'healthy', 4],
        ['beta', 'unhealthy'],
      ]),
    );
    const object = await read('appears');
    expect(object.status?.phase).to.equal('Degraded');
    expect(object.status?.totalToolCount).to.equal(4);
    expect(object.status?.discoveredBackends?.map((b) => b.name)).to.deep.equal(['alpha', 'beta']);
    const runtimeEntries = (object.metadata.managedFields ?? []).filter(
      (m) => m.manager === 'vmcp-runtime',
    );
    expect(runtimeEntries).to.have.length(1);
    expect(runtimeEntries[0]).to.include({ operation: 'Apply', subresource: 'status' });
    const owned = managedStatusFields(runtimeEntries[0]?.fieldsV1);
    expect(owned.map((k) => conditionType(k) ?? k.path.join('.'))).to.include.members([
      'phase',
      'message',
      'totalToolCount',
      'discoveredBackends',
      'Ready',
      'BackendsDiscovered',
    ]);
    for (const key of owned)
      expect(ownerOf(key.path, conditionType(key)), JSON.stringify(key)).to.equal('runtime');
  });

  it('stays quiet: the same status again sends nothing and resourceVersion does not move', async () => {
    await create('quiet');
    const { reporter, outcomes } = await reporterFor('quiet');
    await reporter.start(30_000);
    const status = statusOf([['alpha', 'healthy', 4]]);
    await reporter.report(status);
    const before = (await read('quiet')).metadata.resourceVersion;
    // Same stable fields, later check time: still nothing to say.
    await reporter.report(statusOf([['alpha', 'healthy', 4]], new Date(Date.now() + 5000)));
    await reporter.report(status);
    expect(outcomes).to.deep.equal(['applied', 'unchanged', 'unchanged']);
    expect((await read('quiet')).metadata.resourceVersion).to.equal(before);
  });

  it('its conditions carry the observed generation: a spec change is written once with the new one, nothing else moves', async () => {
    await create('generation');
    const { reporter, outcomes } = await reporterFor('generation');
    await reporter.start(30_000);
    await reporter.report(statusOf([['alpha', 'healthy', 4]]));
    const generations = async () =>
      ((await read('generation')).status?.conditions ?? []).map((c) => [
        c.type,
        c.observedGeneration,
      ]);
    expect(await generations()).to.deep.equal([
      ['Ready', 1],
      ['BackendsDiscovered', 1],
    ]);
    await adminApi().patchNamespacedCustomObject(
      {
        group,
        version,
        namespace: cluster.namespace,
        plural,
        name: 'generation',
        body: { spec: { replicas: 2 } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    // No new report: the drift watch sees generation 2 and the latest status goes out again.
    await waitFor('the conditions at generation 2', async () =>
      (await generations()).every(([, g]) => g === 2),
    );
    expect(outcomes).to.deep.equal(['applied', 'applied']);
    const settled = (await read('generation')).metadata.resourceVersion;
    await reporter.report(statusOf([['alpha', 'healthy', 4]]));
    expect(outcomes.at(-1)).to.equal('unchanged');
    expect((await read('generation')).metadata.resourceVersion).to.equal(settled);
  });

  it('an identical server-side apply sent twice leaves resourceVersion unchanged on the apiserver itself', async () => {
    await create('noop-apply');
    const body = {
      ...vmcpObject('noop-apply', cluster.namespace),
      status: { phase: 'Ready', backendCount: 1 },
    };
    const apply = () =>
      adminApi().patchNamespacedCustomObjectStatus(
        {
          group,
          version,
          namespace: cluster.namespace,
          plural,
          name: 'noop-apply',
          body,
          fieldManager: 'vmcp-runtime',
          force: true,
        },
        setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
      ) as Promise<Vmcp>;
    const first = await apply();
    const second = await apply();
    expect(second.metadata.resourceVersion).to.equal(first.metadata.resourceVersion);
  });

  it('coexists with the operator: disjoint field sets, no 409, each survives the other, removed backends go', async () => {
    await create('shared');
    const { reporter } = await reporterFor('shared');
    await reporter.start(30_000);
    const operatorApply = async (generation: number): Promise<unknown> =>
      adminApi().patchNamespacedCustomObjectStatus(
        {
          group,
          version,
          namespace: cluster.namespace,
          plural,
          name: 'shared',
          body: {
            ...vmcpObject('shared', cluster.namespace),
            status: {
              url: 'http://shared.example:4483',
              observedGeneration: generation,
              conditions: [
                {
                  type: 'Reconciled',
                  status: 'True',
                  reason: 'Reconciled',
                  message: 'ok',
                  lastTransitionTime: '2026-11-29T10:00:00Z',
                },
              ],
            },
          },
          fieldManager: 'vmcp-operator',
          force: false, // without force a conflict would be a 409: there must be none
        },
        setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
      );
    await operatorApply(1);
    await reporter.report(
      statusOf([
        ['alpha', 'healthy'],
        ['beta', 'healthy'],
      ]),
    );
    await operatorApply(2);
    await reporter.report(statusOf([['alpha', 'healthy']]));
    const object = await read('shared');
    expect(object.status?.url).to.equal('http://shared.example:4483');
    expect(object.status?.observedGeneration).to.equal(2);
    expect(object.status?.phase).to.equal('Ready');
    expect(object.status?.discoveredBackends?.map((b) => b.name)).to.deep.equal(['alpha']);
    expect(object.status?.conditions?.map((c) => c.type).sort()).to.deep.equal([
      'BackendsDiscovered',
      'Ready',
      'Reconciled',
    ]);
    const fields = (manager: string) =>
      new Set(
        managedStatusFields(
          object.metadata.managedFields?.find((m) => m.manager === manager)?.fieldsV1,
        ).map((k) => `${k.path.join('.')}/${conditionType(k) ?? ''}`),
      );
    const runtime = fields('vmcp-runtime');
    const operator = fields('vmcp-operator');
    expect(operator).to.deep.equal(
      new Set(['url/', 'observedGeneration/', 'conditions/Reconciled']),
    );
    for (const key of operator) expect(runtime.has(key), key).to.equal(false);
  });

  it('keeps lastTransitionTime across a restart of the runtime', async () => {
    await create('restart');
    const kubeConfig = await runtimeIdentity(cluster.plane, cluster.namespace, 'restart');
    const first = await reporterFor('restart', { kubeConfig });
    await first.reporter.start(30_000);
    await first.reporter.report(statusOf([['alpha', 'healthy']], new Date('2026-11-29T08:00:00Z')));
    await first.reporter.stop();
    const second = await reporterFor('restart', { kubeConfig });
    await second.reporter.start(30_000);
    // A new process derives the same state with new times, and a new tool count to force a write.
    await second.reporter.report(
      statusOf([['alpha', 'healthy', 11]], new Date('2026-11-29T09:00:00Z')),
    );
    const object = await read('restart');
    expect(object.status?.totalToolCount).to.equal(11);
    const ready = object.status?.conditions?.find((c) => c.type === 'Ready');
    expect(ready?.lastTransitionTime).to.equal('2026-11-29T08:00:00Z');
  });

  it('repairs a legacy writer that overwrote phase by Get + UpdateStatus, with no new health event', async () => {
    await create('drift');
    const { reporter, log } = await reporterFor('drift');
    await reporter.start(300);
    await reporter.report(statusOf([['alpha', 'healthy']]));
    const current = await read('drift');
    await adminApi().replaceNamespacedCustomObjectStatus({
      group,
      version,
      namespace: cluster.namespace,
      plural,
      name: 'drift',
      body: {
        ...current,
        status: { ...current.status, phase: 'Failed', message: 'legacy writer was here' },
      },
    });
    expect((await read('drift')).status?.phase).to.equal('Failed');
    await waitFor(
      'the phase repaired',
      async () => (await read('drift')).status?.phase === 'Ready',
    );
    expect((await read('drift')).status?.message).to.not.contain('legacy');
    expect(log.lines.some((l) => l.msg.includes('changed by another writer'))).to.equal(true);
  });

  it('403: a Role without patch on status logs one RBAC message naming verb and resource', async () => {
    await create('forbidden');
    const rules = runtimeRules('forbidden').map((r) =>
      r.resources.includes('virtualmcpservers/status') ? { ...r, verbs: ['get'] } : r,
    );
    const kubeConfig = await runtimeIdentity(cluster.plane, cluster.namespace, 'forbidden', {
      rules,
    });
    const code = await adminlessPatchCode(kubeConfig, 'forbidden');
    expect(code).to.equal(403);
    const { reporter, log, outcomes } = await reporterFor('forbidden', { kubeConfig });
    await reporter.start(30_000);
    await reporter.report(statusOf([['alpha', 'healthy']]));
    await reporter.report(statusOf([['alpha', 'unhealthy']]));
    expect(outcomes).to.deep.equal(['failed', 'failed']);
    const rbac = log.lines.filter((l) => l.msg.startsWith('RBAC'));
    expect(rbac).to.have.length(1);
    expect(rbac[0]?.msg)
      .to.contain('patch')
      .and.contain('virtualmcpservers/status')
      .and.contain('"forbidden"');
    expect(rbac[0]?.level).to.equal(LEVEL.error);
  });

  async function adminlessPatchCode(kubeConfig: KubeConfig, name: string): Promise<number> {
    try {
      await kubeConfig.makeApiClient(CustomObjectsApi).patchNamespacedCustomObjectStatus(
        {
          group,
          version,
          namespace: cluster.namespace,
          plural,
          name,
          body: vmcpObject(name, cluster.namespace),
          fieldManager: 'vmcp-runtime',
          force: true,
        },
        setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
      );
      return 200;
    } catch (err) {
      return (err as ApiException<unknown>).code;
    }
  }

  it('404: keeps the latest status while the object is gone and applies it when it is recreated', async () => {
    await create('gone');
    const { reporter, outcomes } = await reporterFor('gone');
    await reporter.start(30_000);
    await reporter.report(statusOf([['alpha', 'healthy']]));
    await adminApi().deleteNamespacedCustomObject({
      group,
      version,
      namespace: cluster.namespace,
      plural,
      name: 'gone',
    });
    expect(await adminlessPatchCode(admin, 'gone')).to.equal(404);
    await reporter.report(
      statusOf([
        ['alpha', 'healthy'],
        ['beta', 'unhealthy'],
      ]),
    );
    expect(outcomes).to.deep.equal(['applied', 'deferred']);
    await create('gone');
    const object = await waitFor('status on the recreated object', async () => {
      const o = await read('gone');
      return o.status?.phase !== undefined ? o : undefined;
    });
    expect(object.status?.phase).to.equal('Degraded');
    expect(object.status?.discoveredBackends?.map((b) => b.name)).to.deep.equal(['alpha', 'beta']);
  });

  describe('an older CRD without some status fields', () => {
    const legacyGroup = 'legacy.toolhive.test';
    const apiVersion = `${legacyGroup}/${version}`;
    const legacyRules = (name: string) =>
      runtimeRules(name).map((r) =>
        r.apiGroups.includes(group) ? { ...r, apiGroups: [legacyGroup] } : r,
      );
    const rejected = async () =>
      (
        await apiserverRequests(admin, {
          group: legacyGroup,
          resource: plural,
          subresource: 'status',
          verb: 'APPLY',
        })
      ).get('500') ?? 0;

    before(async function () {
      this.timeout(120_000);
      await installCrd(
        admin,
        legacyCrd(legacyGroup, ['totalToolCount', 'discoveredBackends[].toolCount']),
      );
      await waitFor(
        'the legacy CRD published in OpenAPI v3',
        async () =>
          (await readStatusSchema(admin, { group: legacyGroup, version, kind: 'VirtualMCPServer' }))
            .kind === 'found',
        60_000,
      );
    });

    it('the apiserver answers 500, not 400, when a strict apply names unknown fields', async () => {
      await create('legacy-raw', apiVersion);
      const raw = await adminApi()
        .patchNamespacedCustomObjectStatus(
          {
            group: legacyGroup,
            version,
            namespace: cluster.namespace,
            plural,
            name: 'legacy-raw',
            body: {
              ...vmcpObject('legacy-raw', cluster.namespace, apiVersion),
              status: { totalToolCount: 3 },
            },
            fieldManager: 'probe',
            force: true,
            fieldValidation: 'Strict',
          },
          setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
        )
        .then(
          () => ({ code: 200, body: '' }),
          (err: unknown) => ({
            code: (err as ApiException<string>).code,
            body: (err as ApiException<string>).body,
          }),
        );
      expect(raw.code, raw.body).to.equal(500);
      expect(raw.body).to.contain('totalToolCount');
    });

    it('schema first: no apply rejected, one warning naming the fields, everything else reported', async () => {
      await create('legacy', apiVersion);
      const kubeConfig = await runtimeIdentity(cluster.plane, cluster.namespace, 'legacy', {
        rules: legacyRules('legacy'),
      });
      const before = await rejected();
      const { reporter, log, outcomes } = await reporterFor('legacy', { kubeConfig, apiVersion });
      await reporter.start(30_000);
      await reporter.report(statusOf([['alpha', 'healthy', 4]]));
      await reporter.report(
        statusOf([
          ['alpha', 'healthy', 5],
          ['beta', 'healthy', 1],
        ]),
      );
      expect(outcomes).to.deep.equal(['applied', 'applied']);
      expect((await rejected()) - before).to.equal(0);
      expect(reporter.statusLayout).to.deep.equal({ layout: 'top-level', source: 'schema' });
      expect(reporter.droppedFields).to.deep.equal([
        'discoveredBackends[].toolCount',
        'totalToolCount',
      ]);
      const warnings = log.lines.filter((l) => l.level === LEVEL.warn);
      expect(warnings).to.have.length(1);
      expect(warnings[0]?.droppedFields).to.deep.equal(reporter.droppedFields);
      const object = await read('legacy', apiVersion);
      expect(object.status?.phase).to.equal('Ready');
      expect(object.status?.discoveredBackends?.map((b) => b.name)).to.deep.equal([
        'alpha',
        'beta',
      ]);
      expect(object.status).to.not.have.property('totalToolCount');
    });

    it('without OpenAPI v3: learns the fields from the rejected applies (500 message) and reports the rest', async () => {
      await create('legacy-fallback', apiVersion);
      const kubeConfig = await runtimeIdentity(
        cluster.plane,
        cluster.namespace,
        'legacy-fallback',
        {
          rules: legacyRules('legacy-fallback'),
        },
      );
      const before = await rejected();
      const { reporter, log, outcomes } = await reporterFor('legacy-fallback', {
        kubeConfig,
        apiVersion,
        withoutOpenApi: true,
      });
      await reporter.start(30_000);
      await reporter.report(statusOf([['alpha', 'healthy', 4]]));
      await reporter.report(
        statusOf([
          ['alpha', 'healthy', 5],
          ['beta', 'healthy', 1],
        ]),
      );
      expect(outcomes).to.deep.equal(['applied', 'applied']);
      expect(reporter.statusLayout.source).to.equal('default');
      expect(reporter.droppedFields).to.deep.equal([
        'discoveredBackends[].toolCount',
        'totalToolCount',
      ]);
      // What having no schema costs: one rejected apply per round of unknown fields.
      const cost = (await rejected()) - before;
      expect(cost).to.be.within(1, 2);
      const warnings = log.lines.filter((l) => l.level === LEVEL.warn);
      expect(warnings).to.have.length(cost);
      expect(warnings.flatMap((w) => w.droppedFields as string[])).to.include('totalToolCount');
      const object = await read('legacy-fallback', apiVersion);
      expect(object.status?.discoveredBackends?.map((b) => b.name)).to.deep.equal([
        'alpha',
        'beta',
      ]);
      expect(object.status).to.not.have.property('totalToolCount');
    });
  });

  it('422: a value the schema rejects is logged once with the field errors', async () => {
    await create('invalid');
    const { reporter, log, outcomes } = await reporterFor('invalid');
    await reporter.start(30_000);
    const longName = 'x'.repeat(300); // the CRD allows 253 characters
    await reporter.report(statusOf([[longName, 'healthy']]));
    await reporter.report(statusOf([[longName, 'unhealthy']]));
    expect(outcomes).to.deep.equal(['failed', 'failed']);
    const errors = log.lines.filter((l) => l.level === LEVEL.error);
    expect(errors).to.have.length(1);
    expect(JSON.stringify(errors[0]?.fieldErrors)).to.contain('discoveredBackends');
    expect(errors[0]?.code).to.equal(422);
    await reporter.report(statusOf([['alpha', 'healthy']]));
    expect((await read('invalid')).status?.phase).to.equal('Ready');
  });

  it('records bounded PhaseChanged Events on transitions', async () => {
    await create('events');
    const { reporter } = await reporterFor('events');
    await reporter.start(30_000);
    for (let i = 0; i < 20; i++) {
      await reporter.report(statusOf([['alpha', i % 2 === 0 ? 'healthy' : 'unhealthy']]));
    }
    const events = await waitFor('events recorded', async () => {
      const list = await admin
        .makeApiClient(EventsV1Api)
        .listNamespacedEvent({ namespace: cluster.namespace });
      const mine = list.items.filter(
        (e) => e.regarding?.name === 'events' && e.reason === 'PhaseChanged',
      );
      return mine.length >= 5 ? mine : undefined;
    });
    // 20 transitions, a burst of 5 allowed: flapping cannot flood etcd.
    expect(events.length).to.equal(5);
    expect(events.map((e) => e.note)).to.include('None → Ready: 1/1 backends routable, 10 tools');
    expect(events.find((e) => e.note?.startsWith('Ready → Failed'))?.type).to.equal('Warning');
    expect(events[0]?.reportingController).to.equal('vmcp-status.dev/vmcp-runtime');
    const describe = cluster.plane.kubectl([
      'describe',
      'vmcpst',
      'events',
      '-n',
      cluster.namespace,
    ]);
    expect(describe.stdout).to.contain('PhaseChanged');
  });

  it('survives the apiserver going away: status goes to the fallback, the latest lands after recovery', async function () {
    this.timeout(5 * 60_000);
    await create('outage');
    const fallback = new NoopReporter();
    const { reporter, log, pending } = await reporterFor('outage', { fallback });
    await reporter.start(30_000);
    await reporter.report(statusOf([['alpha', 'healthy']]));
    await cluster.plane.stopApiserver();
    let last: RuntimeStatus | undefined;
    try {
      // Statuses arrive faster than writes fail: most wait, and are replaced.
      const reports: Array<Promise<ReportOutcome>> = [];
      for (let i = 0; i < 200; i++) {
        last = statusOf([['alpha', i % 2 === 0 ? 'unhealthy' : 'degraded', i]]);
        reports.push(reporter.report(last));
      }
      await Promise.all(reports);
      expect(fallback.reportCount).to.be.greaterThan(0);
      // Memory stays bounded: never more than one write in flight and one waiting.
      expect(pending.max).to.be.at.most(2);
      expect(
        log.lines.filter((l) => l.msg.startsWith('Kubernetes API unavailable')),
      ).to.have.length(1);
    } finally {
      await cluster.plane.startApiserver();
    }
    await waitFor(
      'the last status after recovery',
      async () => (await read('outage')).status?.totalToolCount === 199,
      60_000,
    );
    expect((await read('outage')).status?.phase).to.equal(last?.phase);
    expect(log.lines.some((l) => l.msg.startsWith('Kubernetes API reachable again'))).to.equal(
      true,
    );
  });

  it('shows both managers in the real kubectl --show-managed-fields', async () => {
    await create('kubectl');
    const { reporter } = await reporterFor('kubectl');
    await reporter.start(30_000);
    await reporter.report(statusOf([['alpha', 'healthy']]));
    const out = cluster.plane.kubectl([
      'get',
      'vmcpst',
      'kubectl',
      '-n',
      cluster.namespace,
      '-o',
      'yaml',
      '--show-managed-fields',
    ]);
    expect(out.code, out.stderr).to.equal(0);
    const object = parse(out.stdout) as Vmcp;
    const entry = object.metadata.managedFields?.find((m) => m.manager === 'vmcp-runtime');
    expect(entry).to.include({ operation: 'Apply', subresource: 'status' });
    expect(Object.keys(entry?.fieldsV1?.['f:status'] ?? {})).to.include.members([
      'f:phase',
      'f:conditions',
      'f:discoveredBackends',
    ]);
  });
});
