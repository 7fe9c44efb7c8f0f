import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { stringify } from 'yaml';
import {
  CoordinationV1Api,
  CustomObjectsApi,
  Watch,
  type KubeConfig,
  type V1Lease,
} from '@kubernetes/client-node';
import { K8sReporter } from '../../../src/apply/k8s-reporter.js';
import { statusLeaseName } from '../../../src/apply/status-write-lease.js';
import { vmcpResource } from '../../../src/apply/vmcp-resource.js';
import {
  startScriptedMcpServer,
  type ScriptedMcpServer,
} from '../../../src/demo/scripted-mcp-server.js';
import type { RuntimeStatus } from '../../../src/types.js';
import { installCrd } from '../../../tools/cluster/install-crd.js';
import { runtimeIdentity } from '../../../tools/cluster/runtime-identity.js';
import { statusOf, vmcpObject } from '../../../tools/cluster/status-fixtures.js';
import { waitFor } from '../../../tools/cluster/wait-for.js';
import { useTestCluster } from '../../support/k8s/shared-control-plane.js';
import { memoryLogger } from '../../support/memory-log.js';
import { CliProcess, requireBuiltCli } from '../../support/mcp/cli-process.js';

const { group, version, plural } = vmcpResource();
const LEASE_MS = 3_000;

/** One version of the Lease as a watch delivered it. */
interface LeaseVersion {
  readonly holder: string;
  readonly acquiredMs: number;
  readonly renewedMs: number;
  readonly durationMs: number;
  readonly resourceVersion: string;
}

/** A status write: who wrote and when (after the apiserver said yes). */
interface Write {
  readonly who: string;
  readonly atMs: number;
}

/** Every version of the Lease, from a watch. */
function watchLease(kc: KubeConfig, namespace: string, name: string) {
  const versions: LeaseVersion[] = [];
  let request: { abort(): void } | undefined;
  void new Watch(kc)
    .watch(
      `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases`,
      { fieldSelector: `metadata.name=${name}` },
      (_type: string, lease: V1Lease) => {
        const spec = lease.spec ?? {};
        versions.push({
          holder: spec.holderIdentity ?? '',
          acquiredMs: new Date(spec.acquireTime ?? 0).getTime(),
          renewedMs: new Date(spec.renewTime ?? 0).getTime(),
          durationMs: (spec.leaseDurationSeconds ?? 0) * 1000,
          resourceVersion: lease.metadata?.resourceVersion ?? '',
        });
      },
      () => undefined,
    )
    .then((r) => (request = r));
  return { versions, stop: () => request?.abort() };
}

/**
 * Never two writers in one Lease term: each write falls in a term of its writer (after
 * a take or renewal of its own, before that term's end) and no other replica took the
 * Lease between that renewal and the write.
 */
function expectOneWriterPerTerm(writes: readonly Write[], versions: readonly LeaseVersion[]): void {
  expect(writes.length, 'status writes seen').to.be.above(0);
  for (const write of writes) {
    const term = versions
      .filter((v) => v.holder === write.who && v.renewedMs <= write.atMs)
      .sort((a, b) => b.renewedMs - a.renewedMs)[0];
    expect(term, `a Lease term of ${write.who} before its write at ${String(write.atMs)}`).to.not.be
      .undefined;
    expect(write.atMs, `${write.who} wrote within its term`).to.be.below(
      term!.renewedMs + term!.durationMs,
    );
    const takenMeanwhile = versions.filter(
      (v) =>
        v.holder !== write.who &&
        v.holder !== '' &&
        v.acquiredMs > term!.renewedMs &&
        v.acquiredMs <= write.atMs,
    );
    expect(
      takenMeanwhile,
      `nobody took the Lease from ${write.who} before its write`,
    ).to.deep.equal([]);
  }
}

describe('several replicas: one writer per VirtualMCPServer through a write Lease, no heartbeats', function () {
  const cluster = useTestCluster('lease');
  let admin: KubeConfig;
  let dir: string;
  const reporters: K8sReporter[] = [];
  const processes: CliProcess[] = [];
  const servers: ScriptedMcpServer[] = [];

  const readStatus = async (name: string) =>
    (await admin.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
      group,
      version,
      plural,
      namespace: cluster.namespace,
      name,
    })) as { metadata: { resourceVersion: string }; status?: Record<string, unknown> };
  const readLease = (name: string) =>
    admin
      .makeApiClient(CoordinationV1Api)
      .readNamespacedLease({ name: statusLeaseName(name), namespace: cluster.namespace });
  const create = (name: string) =>
    admin.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
      group,
      version,
      plural,
      namespace: cluster.namespace,
      body: vmcpObject(name, cluster.namespace),
    });

  before(async () => {
    requireBuiltCli();
    admin = cluster.plane.adminKubeConfig();
    await installCrd(admin);
    dir = await mkdtemp(join(tmpdir(), 'vmcp-lease-'));
  });
  afterEach(async () => {
    for (const p of processes.splice(0)) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await Promise.all(reporters.splice(0).map((r) => r.stop()));
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await rm(dir, { recursive: true, force: true });
  });

  it('two replicas with divergent views: one writes, the other after the term, then quiet; Lease writes follow status writes, not time', async function () {
    this.timeout(120_000);
    const name = 'two';
    await create(name);
    const kc = await runtimeIdentity(cluster.plane, cluster.namespace, name);
    const writes: Write[] = [];
    const replica = (who: string) => {
      const reporter = new K8sReporter({
        kubeConfig: kc,
        ref: { name, namespace: cluster.namespace },
        writeLease: { identity: who, durationMs: LEASE_MS },
        statusRefreshMs: 0,
        events: false,
        logger: memoryLogger().logger,
        metrics: {
          reportOutcome: (outcome) => {
            if (outcome === 'applied') writes.push({ who, atMs: Date.now() });
          },
        },
      });
      reporters.push(reporter);
      return reporter;
    };
    const lease = watchLease(admin, cluster.namespace, statusLeaseName(name));
    try {
      const a = replica('pod-a');
      const b = replica('pod-b');
      await Promise.all([a.start(1_000), b.start(1_000)]);
      const seenByA: RuntimeStatus = statusOf([
        ['x', 'unhealthy'],
        ['y', 'healthy'],
      ]);
      const seenByB: RuntimeStatus = statusOf([
        ['x', 'healthy'],
        ['y', 'unhealthy'],
      ]);
      // Both at once: one takes the Lease and writes; the other waits for its term.
      await Promise.all([a.report(seenByA), b.report(seenByB)]);
      expect(writes.length, 'one write while one replica holds the term').to.equal(1);
      const first = writes[0]!.who;
      const waiter = first === 'pod-a' ? 'pod-b' : 'pod-a';
      const waiterView = waiter === 'pod-a' ? seenByA : seenByB;
      const unhealthyOf = (s: RuntimeStatus) =>
        s.backends.find((x) => x.status === 'unhealthy')?.name;
      // After the term, the waiter's view still differs from the server's: it writes.
      await waitFor(
        'the waiting replica to write after the term',
        () => writes.some((w) => w.who === waiter),
        LEASE_MS * 4,
        50,
      );
      const converged = await readStatus(name);
      const backends = converged.status?.discoveredBackends as Array<{
        name: string;
        status: string;
      }>;
      expect(backends.find((x) => x.status === 'unavailable')?.name).to.equal(
        unhealthyOf(waiterView),
      );

      // Divergent, but no ping-pong: the other replica does not repair a replica's write.
      const leaseWritesBefore = a.leaseWrites + b.leaseWrites;
      const leaseVersionsBefore = lease.versions.length;
      await new Promise((resolve) => setTimeout(resolve, LEASE_MS * 3));
      expect(
        (await readStatus(name)).metadata.resourceVersion,
        'no status write while quiet',
      ).to.equal(converged.metadata.resourceVersion);
      expect(writes).to.have.length(2);
      // Steady state costs no Lease writes either.
      expect(a.leaseWrites + b.leaseWrites, 'Lease writes while quiet').to.equal(leaseWritesBefore);
      expect(lease.versions.length, 'Lease versions while quiet').to.equal(leaseVersionsBefore);

      // Three changes in one term: one take, then writes within the term.
      const writer = first === 'pod-a' ? a : b;
      const statusesBefore = writes.length;
      for (const s of ['unknown', 'healthy', 'unhealthy'] as const) {
        await writer.report(
          statusOf([
            ['x', s],
            ['y', 'healthy'],
          ]),
        );
      }
      const statusWrites = writes.length - statusesBefore;
      expect(statusWrites).to.equal(3);
      expect(
        a.leaseWrites + b.leaseWrites - leaseWritesBefore,
        'Lease writes for 3 status writes',
      ).to.be.at.most(1);
      console.log(
        `      ${String(writes.length)} status writes cost ${String(a.leaseWrites + b.leaseWrites)} Lease writes`,
      );
      expectOneWriterPerTerm(writes, lease.versions);
    } finally {
      lease.stop();
    }
  });

  it('three replicas as processes: a killed holder is replaced after its term, a graceful stop hands over at once', async function () {
    this.timeout(180_000);
    const name = 'three';
    await create(name);
    const backend = await startScriptedMcpServer({ name: 'alpha', tools: 2 });
    servers.push(backend);
    const config = join(dir, 'three.yaml');
    await writeFile(
      config,
      stringify({
        backends: [{ name: 'alpha', url: backend.url }],
        operational: {
          failureHandling: {
            statusReportingInterval: '500ms',
            healthCheckInterval: '200ms',
            healthCheckTimeout: '1s',
            unhealthyThreshold: 1,
          },
        },
      }),
    );
    const kubeconfig = join(dir, 'three.kubeconfig');
    await writeFile(
      kubeconfig,
      (await runtimeIdentity(cluster.plane, cluster.namespace, name)).exportConfig(),
      { mode: 0o600 },
    );
    const lease = watchLease(admin, cluster.namespace, statusLeaseName(name));
    const byPod = new Map<string, CliProcess>();
    try {
      for (const pod of ['pod-a', 'pod-b', 'pod-c']) {
        const cli = new CliProcess(
          [
            'run',
            '--reporter',
            'k8s',
            '--kubeconfig',
            kubeconfig,
            '--config',
            config,
            '--write-lease-duration',
            `${String(LEASE_MS / 1000)}s`,
            '--status-refresh',
            '0',
            '--health-probe-bind-address',
            '0',
            '--log-level',
            'debug',
          ],
          { VMCP_NAME: name, VMCP_NAMESPACE: cluster.namespace, POD_NAME: pod },
        );
        processes.push(cli);
        byPod.set(pod, cli);
      }
      const phase = (want: string) =>
        waitFor(
          `phase ${want}`,
          async () => (await readStatus(name)).status?.phase === want,
          30_000,
        );
      await phase('Ready');
      const first = await readLease(name);
      const holder1 = first.spec?.holderIdentity ?? '';
      expect([...byPod.keys()]).to.include(holder1);

      // SIGKILL: no release. Another replica takes over only after the dead one's term.
      byPod.get(holder1)!.child.kill('SIGKILL');
      const killedTermEnds =
        new Date(first.spec?.renewTime ?? 0).getTime() +
        (first.spec?.leaseDurationSeconds ?? 0) * 1000;
      backend.mode = 'unavailable';
      await phase('Failed');
      const second = await readLease(name);
      const holder2 = second.spec?.holderIdentity ?? '';
      expect(holder2).to.not.equal(holder1);
      const takenAt = new Date(second.spec?.acquireTime ?? 0).getTime();
      expect(takenAt, 'taken after the killed holder’s term').to.be.at.least(killedTermEnds);
      console.log(
        `      takeover ${String(takenAt - killedTermEnds + LEASE_MS)} ms after the killed holder’s last renewal (Lease ${String(LEASE_MS)} ms)`,
      );

      // SIGTERM: the holder releases; the last one writes without waiting for the term.
      const graceful = byPod.get(holder2)!;
      graceful.child.kill('SIGTERM');
      expect(await graceful.exitCode()).to.equal(0);
      const released = await readLease(name);
      expect(released.spec?.holderIdentity, 'released').to.equal('');
      const releasedTermWouldEnd =
        new Date(second.spec?.renewTime ?? 0).getTime() +
        (second.spec?.leaseDurationSeconds ?? 0) * 1000;
      backend.mode = 'ok';
      await phase('Ready');
      const third = await readLease(name);
      const holder3 = third.spec?.holderIdentity ?? '';
      expect([holder1, holder2]).to.not.include(holder3);
      expect(
        new Date(third.spec?.acquireTime ?? 0).getTime(),
        'taken before the released term would have ended',
      ).to.be.below(releasedTermWouldEnd);

      // Every process's accepted writes, from its own debug log, one writer per term.
      const writes: Write[] = [...byPod].flatMap(([who, cli]) =>
        cli.lines
          .filter((l) => l.msg === 'status applied')
          .map((l) => ({ who, atMs: Number(l.time) })),
      );
      expectOneWriterPerTerm(writes, lease.versions);
    } finally {
      lease.stop();
    }
  });
});
