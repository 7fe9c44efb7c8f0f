import { expect } from 'chai';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
} from '@kubernetes/client-node';
import { K8sReporter } from '../../../src/apply/k8s-reporter.js';
import type { DiscoveredBackendJson } from '../../../src/apply/status-patch.js';
import { watchOwnObject, type OwnObjectEventType } from '../../../src/apply/watch-own-object.js';
import type { ReportOutcome, Reporter } from '../../../src/reporter.js';
import type { BackendConfig } from '../../../src/runtime/backend-config.js';
import {
  startScriptedMcpServer,
  type ScriptedMcpServer,
} from '../../../src/demo/scripted-mcp-server.js';
import {
  followVmcpSpec,
  type FollowedVmcpSpec,
  type VmcpSpecReading,
} from '../../../src/runtime/spec-backends.js';
import {
  startStatusReporting,
  type StatusReportingHandle,
} from '../../../src/runtime/start-status-reporting.js';
import type { RuntimeStatus } from '../../../src/types.js';
import { installCrd } from '../../../tools/cluster/install-crd.js';
import { runtimeIdentity } from '../../../tools/cluster/runtime-identity.js';
import { useTestCluster } from '../../support/k8s/shared-control-plane.js';
import { LEVEL, memoryLogger } from '../../support/memory-log.js';
import { waitFor } from '../../../tools/cluster/wait-for.js';
import { vmcpResource } from '../../../src/apply/vmcp-resource.js';

const { group, version, plural } = vmcpResource();

type SpecBackend = { name: string; url: string; transport?: 'streamable-http' | 'sse' };
type Vmcp = {
  metadata: { resourceVersion: string; generation: number };
  status?: { discoveredBackends?: DiscoveredBackendJson[]; backendCount?: number };
};

/** Only what the runtime needs to follow its spec: `get` and `watch` on its one object. */
const getAndWatchOnly = (name: string) => [
  { apiGroups: [group], resources: [plural], resourceNames: [name], verbs: ['get', 'watch'] },
];

/** Records every status and forwards it to the real reporter. */
class RecordingReporter implements Reporter {
  readonly reports: Array<{ at: number; status: RuntimeStatus }> = [];
  constructor(readonly inner: Reporter) {}
  report(status: RuntimeStatus): Promise<ReportOutcome> {
    this.reports.push({ at: Date.now(), status });
    return this.inner.report(status);
  }
  start(intervalMs: number): Promise<void> {
    return this.inner.start(intervalMs);
  }
  stop(): Promise<void> {
    return this.inner.stop();
  }
}

describe('backends from the VirtualMCPServer spec on a real kube-apiserver', function () {
  const cluster = useTestCluster('spec');
  let admin: KubeConfig;
  const servers: ScriptedMcpServer[] = [];
  const specs: FollowedVmcpSpec[] = [];
  const stops: Array<() => Promise<void> | void> = [];

  const api = (): CustomObjectsApi => admin.makeApiClient(CustomObjectsApi);
  const target = (name: string) => ({
    group,
    version,
    namespace: cluster.namespace,
    plural,
    name,
  });
  const read = async (name: string): Promise<Vmcp> =>
    (await api().getNamespacedCustomObject(target(name))) as Vmcp;
  const create = async (name: string, spec: Record<string, unknown>): Promise<void> => {
    await api().createNamespacedCustomObject({
      group,
      version,
      namespace: cluster.namespace,
      plural,
      body: {
        apiVersion: `${group}/${version}`,
        kind: 'VirtualMCPServer',
        metadata: { name, namespace: cluster.namespace },
        spec,
      },
    });
  };
  const mergePatch = { ...setHeaderOptions('Content-Type', PatchStrategy.MergePatch) };
  const patchSpec = async (name: string, spec: Record<string, unknown>): Promise<void> => {
    await api().patchNamespacedCustomObject({ ...target(name), body: { spec } }, mergePatch);
  };
  const patchStatus = async (name: string, status: Record<string, unknown>): Promise<void> => {
    await api().patchNamespacedCustomObjectStatus(
      { ...target(name), body: { status } },
      mergePatch,
    );
  };
  const patchLabels = async (name: string, labels: Record<string, string>): Promise<void> => {
    await api().patchNamespacedCustomObject(
      { ...target(name), body: { metadata: { labels } } },
      mergePatch,
    );
  };
  const backendOf = (server: ScriptedMcpServer, name: string): SpecBackend => ({
    name,
    url: server.url,
  });
  const follow = (kubeConfig: KubeConfig, name: string, level: 'info' | 'debug' = 'info') => {
    const log = memoryLogger(level);
    const spec = followVmcpSpec({
      kubeConfig,
      ref: { name, namespace: cluster.namespace },
      logger: log.logger,
      backoff: { initialMs: 100, maxMs: 1000 },
    });
    specs.push(spec);
    const readings: VmcpSpecReading[] = [];
    spec.spec$.subscribe((r) => readings.push(r));
    const backendLists: Array<readonly BackendConfig[]> = [];
    spec.backends$.subscribe((b) => backendLists.push(b));
    return { spec, readings, backendLists, log };
  };

  before(async () => {
    admin = cluster.plane.adminKubeConfig();
    await installCrd(admin);
    servers.push(
      ...(await Promise.all([
        startScriptedMcpServer({ name: 'alpha', tools: 3 }),
        startScriptedMcpServer({ name: 'beta', tools: 2 }),
        startScriptedMcpServer({ name: 'gamma', tools: 5 }),
      ])),
    );
  });
  afterEach(async () => {
    for (const spec of specs.splice(0)) spec.stop();
    for (const stop of stops.splice(0).reverse()) await stop();
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  it('reads spec.config backends and health-check settings at start with RBAC limited to get and watch on its own object', async () => {
    const [alpha, beta] = servers as [ScriptedMcpServer, ScriptedMcpServer];
    await create('start', {
      config: {
        backends: [backendOf(alpha, 'alpha'), { ...backendOf(beta, 'beta'), transport: 'sse' }],
        operational: {
          failureHandling: {
            statusReportingInterval: '45s',
            healthCheckInterval: '20s',
            healthCheckTimeout: '4s',
            unhealthyThreshold: 2,
          },
        },
      },
    });
    const identity = await runtimeIdentity(cluster.plane, cluster.namespace, 'start', {
      rules: getAndWatchOnly('start'),
    });
    // The identity really cannot list: the spec is followed by GET and watch alone.
    const listed = await identity
      .makeApiClient(CustomObjectsApi)
      .listNamespacedCustomObject({ group, version, namespace: cluster.namespace, plural })
      .then(
        () => 'allowed',
        (err: unknown) => (err as { code?: number }).code,
      );
    expect(listed).to.equal(403);

    const { spec, log } = follow(identity, 'start');
    const first = await spec.first;
    // No transport set: the CRD leaves it unset, and the runtime tries Streamable HTTP, then SSE.
    expect(first.backends).to.deep.equal([
      { name: 'alpha', url: alpha.url },
      { name: 'beta', url: beta.url, transport: 'sse' },
    ]);
    // The CRD's defaults fill in what the spec leaves out (degradedThreshold).
    expect(first.monitor).to.deep.equal({
      probeIntervalMs: 20_000,
      probeTimeoutMs: 4_000,
      degradedThresholdMs: 5_000,
      unhealthyThreshold: 2,
    });
    expect(first.reportIntervalMs).to.equal(45_000);
    expect(first.generation).to.equal(1);
    expect(log.lines.filter((l) => l.level >= LEVEL.warn)).to.deep.equal([]);
  });

  it('emits spec changes without a restart and ignores status writes, metadata changes and unrelated spec fields', async () => {
    const [alpha, beta, gamma] = servers as [
      ScriptedMcpServer,
      ScriptedMcpServer,
      ScriptedMcpServer,
    ];
    await create('changes', {
      config: { backends: [backendOf(alpha, 'alpha'), backendOf(beta, 'beta')] },
    });
    const identity = await runtimeIdentity(cluster.plane, cluster.namespace, 'changes', {
      rules: getAndWatchOnly('changes'),
    });
    const { spec, readings, backendLists, log } = follow(identity, 'changes', 'debug');
    await spec.first;

    // None of these asks for other backends or settings: the watch sees each, and
    // emits nothing.
    await patchStatus('changes', { message: 'written by someone', backendCount: 7 });
    await patchLabels('changes', { team: 'search' });
    await patchSpec('changes', { replicas: 2 });
    // A real spec change after them: the watch delivers events in order, so once it is
    // read, everything before it was seen (and ignored).
    await patchSpec('changes', {
      config: {
        backends: [backendOf(alpha, 'alpha'), backendOf(beta, 'beta'), backendOf(gamma, 'gamma')],
      },
    });
    await waitFor('the added backend', () => readings.length === 2);
    expect(readings.map((r) => r.backends.map((b) => b.name))).to.deep.equal([
      ['alpha', 'beta'],
      ['alpha', 'beta', 'gamma'],
    ]);
    expect(readings[1]?.generation).to.equal(3);

    await patchStatus('changes', { message: 'again' });
    await patchSpec('changes', { config: { backends: [backendOf(gamma, 'gamma')] } });
    await waitFor('the removal', () => readings.length === 3);
    expect(readings[2]?.backends.map((b) => b.name)).to.deep.equal(['gamma']);
    // Probe settings changed alone: a reading, but the backends do not move.
    await patchSpec('changes', {
      config: { operational: { failureHandling: { healthCheckTimeout: '3s' } } },
    });
    await waitFor('the probe change', () => readings.length === 4);
    expect(readings[3]?.monitor.probeTimeoutMs).to.equal(3_000);
    expect(backendLists.map((list) => list.map((b) => b.name))).to.deep.equal([
      ['alpha', 'beta'],
      ['alpha', 'beta', 'gamma'],
      ['gamma'],
    ]);
    expect(log.lines.filter((l) => l.level >= LEVEL.warn)).to.deep.equal([]);
  });

  it('keeps the last backends while the object is deleted and reads the recreated one', async () => {
    const [alpha, beta] = servers as [ScriptedMcpServer, ScriptedMcpServer];
    await create('recreate', { config: { backends: [backendOf(alpha, 'alpha')] } });
    const identity = await runtimeIdentity(cluster.plane, cluster.namespace, 'recreate', {
      rules: getAndWatchOnly('recreate'),
    });
    const { spec, readings, log } = follow(identity, 'recreate');
    await spec.first;
    await api().deleteNamespacedCustomObject(target('recreate'));
    await waitFor('the deletion seen', () =>
      log.lines.some((l) => l.msg.startsWith('VirtualMCPServer deleted')),
    );
    expect(readings).to.have.length(1);
    // Recreated with the same spec: generation 1 again, a new uid; nothing to emit.
    await create('recreate', { config: { backends: [backendOf(alpha, 'alpha')] } });
    await patchSpec('recreate', { config: { backends: [backendOf(beta, 'beta')] } });
    await waitFor('the recreated object read', () => readings.length === 2);
    expect(readings[1]?.backends.map((b) => b.name)).to.deep.equal(['beta']);
  });

  it('waits for an object that does not exist yet, and names missing RBAC once', async () => {
    const [alpha] = servers as [ScriptedMcpServer];
    const identity = await runtimeIdentity(cluster.plane, cluster.namespace, 'later', {
      rules: getAndWatchOnly('later'),
    });
    const { spec, log } = follow(identity, 'later');
    await waitFor('the not-found warning', () =>
      log.lines.some((l) => l.msg.includes('not found: waiting for it to be created')),
    );
    await create('later', { config: { backends: [backendOf(alpha, 'alpha')] } });
    expect((await spec.first).backends.map((b) => b.name)).to.deep.equal(['alpha']);

    // Without watch: the GET works, the watch is refused, and the error names the verb.
    await create('nowatch', { config: { backends: [backendOf(alpha, 'alpha')] } });
    const noWatch = await runtimeIdentity(cluster.plane, cluster.namespace, 'nowatch', {
      rules: [
        { apiGroups: [group], resources: [plural], resourceNames: ['nowatch'], verbs: ['get'] },
      ],
    });
    const followed = follow(noWatch, 'nowatch');
    expect((await followed.spec.first).backends).to.have.length(1);
    await waitFor('the RBAC message', () =>
      followed.log.lines.some((l) => l.level === LEVEL.error && l.verb === 'watch'),
    );
    await sleep(1_500); // a few retries
    const rbac = followed.log.lines.filter((l) => l.level === LEVEL.error);
    expect(rbac).to.have.length(1);
    expect(rbac[0]?.msg).to.match(
      /may not watch virtualmcpservers "nowatch".*grant verbs "get" and "watch"/,
    );
  });

  it('watchOwnObject: a resourceVersion too old (410 Gone) is re-read by GET and the watch goes on', async () => {
    await create('gone', { config: { backends: [] } });
    const identity = await runtimeIdentity(cluster.plane, cluster.namespace, 'gone', {
      rules: getAndWatchOnly('gone'),
    });
    const events: Array<{ type: OwnObjectEventType; generation: number | undefined }> = [];
    const watch = watchOwnObject({
      kubeConfig: identity,
      ref: target('gone'),
      resourceVersion: '1',
      onObject: (type, object) => events.push({ type, generation: object.metadata?.generation }),
      backoff: { initialMs: 100, maxMs: 1000 },
    });
    stops.push(() => {
      watch.stop();
    });
    await waitFor('the re-read', () => events.length >= 1);
    expect(events[0]).to.deep.equal({ type: 'MODIFIED', generation: 1 });
    await patchSpec('gone', { replicas: 3 });
    await waitFor('the next event', () => events.some((e) => e.generation === 2));
    expect(watch.resourceVersion).to.equal((await read('gone')).metadata.resourceVersion);
  });

  it('the runtime follows its spec: a backend added or removed is probed and reported at once, without a restart', async function () {
    this.timeout(120_000);
    const [alpha, beta, gamma] = servers as [
      ScriptedMcpServer,
      ScriptedMcpServer,
      ScriptedMcpServer,
    ];
    await create('runtime', {
      config: {
        backends: [backendOf(alpha, 'alpha'), backendOf(beta, 'beta')],
        operational: { failureHandling: { healthCheckInterval: '1h', healthCheckTimeout: '5s' } },
      },
    });
    // The runtime's Role of manifests/runtime/rbac.yaml, nothing more.
    const identity = await runtimeIdentity(cluster.plane, cluster.namespace, 'runtime');
    const log = memoryLogger('info');
    const reporter = new RecordingReporter(
      new K8sReporter({
        kubeConfig: identity,
        ref: { name: 'runtime', namespace: cluster.namespace },
        logger: log.logger,
        backoff: { initialMs: 100, maxMs: 1000 },
        events: false,
      }),
    );
    const { spec, backendLists } = follow(identity, 'runtime');
    const first = await spec.first;
    const intervalMs = 1_000;
    const reporting: StatusReportingHandle = startStatusReporting({
      backends$: spec.backends$,
      reporter,
      reportIntervalMs: intervalMs,
      // Probes once per hour: only a configuration change can cause a new report.
      monitor: first.monitor,
      logger: log.logger,
    });
    stops.push(() => reporting.stop());

    const applied = async (): Promise<Record<string, string>> =>
      Object.fromEntries(
        ((await read('runtime')).status?.discoveredBackends ?? []).map((b) => [b.name, b.status]),
      );
    await waitFor('alpha and beta ready in the status', async () => {
      const now = await applied();
      return now.alpha === 'ready' && now.beta === 'ready';
    });
    const quiet = async (): Promise<void> => {
      await waitFor('a quiet report interval', () => {
        const last = reporter.reports.at(-1)?.at ?? 0;
        return Date.now() - last > intervalMs * 1.5;
      });
    };

    await quiet();
    let before = reporter.reports.length;
    await patchSpec('runtime', {
      config: {
        backends: [backendOf(alpha, 'alpha'), backendOf(beta, 'beta'), backendOf(gamma, 'gamma')],
      },
    });
    await waitFor('gamma ready in the status', async () => (await applied()).gamma === 'ready');
    // The first report after the change came from the change itself, before gamma's
    // first probe answered: it went out at once, not at the next interval or probe.
    const added = reporter.reports[before]?.status;
    expect(added?.backends.map((b) => b.name)).to.deep.equal(['alpha', 'beta']);
    expect(added?.conditions.find((c) => c.type === 'BackendsDiscovered')?.message).to.equal(
      '3 backends discovered',
    );
    expect(added?.message).to.match(/pending/);
    expect(reporter.reports.at(-1)?.status.totalToolCount).to.equal(10);

    await quiet();
    before = reporter.reports.length;
    await patchSpec('runtime', { config: { backends: [backendOf(gamma, 'gamma')] } });
    await waitFor('alpha and beta gone from the status', async () => {
      const now = await applied();
      return Object.keys(now).join() === 'gamma';
    });
    expect(reporter.reports[before]?.status.backends.map((b) => b.name)).to.deep.equal(['gamma']);
    const status = (await read('runtime')).status;
    expect(status?.backendCount).to.equal(1);

    // Every status write of the runtime was an event on the watched object, and none
    // re-emitted the backends: one list per spec change.
    expect(backendLists.map((list) => list.map((b) => b.name))).to.deep.equal([
      ['alpha', 'beta'],
      ['alpha', 'beta', 'gamma'],
      ['gamma'],
    ]);
    expect(reporter.reports.length).to.be.greaterThan(3);
    expect(log.lines.filter((l) => l.level >= LEVEL.warn)).to.deep.equal([]);
  });
});
