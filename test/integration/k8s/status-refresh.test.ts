import { expect } from 'chai';
import { of } from 'rxjs';
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { K8sReporter } from '../../../src/apply/k8s-reporter.js';
import type { ReportOutcome } from '../../../src/reporter.js';
import { vmcpResource } from '../../../src/apply/vmcp-resource.js';
import { startScriptedMcpServer } from '../../../src/demo/scripted-mcp-server.js';
import { startStatusReporting } from '../../../src/runtime/start-status-reporting.js';
import { waitFor } from '../../../tools/cluster/wait-for.js';
import { installCrd } from '../../../tools/cluster/install-crd.js';
import { runtimeIdentity } from '../../../tools/cluster/runtime-identity.js';
import { statusOf, vmcpObject } from '../../../tools/cluster/status-fixtures.js';
import { useTestCluster } from '../../support/k8s/shared-control-plane.js';
import { memoryLogger } from '../../support/memory-log.js';

const { group, version, plural } = vmcpResource();

describe('bounded staleness: a status that only moved its check times is written once the last write is a refresh period old', function () {
  const cluster = useTestCluster('refresh');
  let admin: KubeConfig;

  before(async () => {
    admin = cluster.plane.adminKubeConfig();
    await installCrd(admin);
  });

  const createVmcp = (name: string) =>
    admin.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
      group,
      version,
      plural,
      namespace: cluster.namespace,
      body: vmcpObject(name, cluster.namespace),
    });

  const scenario = async (name: string, statusRefreshMs: number) => {
    await createVmcp(name);
    let now = Date.parse('2026-12-03T10:00:00Z');
    const outcomes: ReportOutcome[] = [];
    const reporter = new K8sReporter({
      kubeConfig: await runtimeIdentity(cluster.plane, cluster.namespace, name),
      ref: { name, namespace: cluster.namespace },
      statusRefreshMs,
      events: false,
      now: () => now,
      logger: memoryLogger().logger,
      metrics: { reportOutcome: (o) => outcomes.push(o) },
    });
    await reporter.start(1_000);
    const checkedAt = async (advanceMs: number) => {
      now += advanceMs;
      // The same backends, checked again: only lastHealthCheck moves.
      await reporter.report(statusOf([['a', 'healthy']], new Date(now)));
      const object = (await admin.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
        group,
        version,
        plural,
        namespace: cluster.namespace,
        name,
      })) as { status: { discoveredBackends: Array<{ lastHealthCheck: string }> } };
      return object.status.discoveredBackends[0]?.lastHealthCheck;
    };
    const seen = [
      await checkedAt(0),
      await checkedAt(30_000),
      await checkedAt(240_000),
      await checkedAt(31_000),
      await checkedAt(30_000),
    ];
    await reporter.stop();
    return { outcomes, seen };
  };

  it('refreshes every 5 minutes by default, never more often', async () => {
    const { outcomes, seen } = await scenario('five', 300_000);
    // t = 0 s, 30 s, 270 s, 301 s (refresh due), 331 s
    expect(outcomes).to.deep.equal(['applied', 'unchanged', 'unchanged', 'applied', 'unchanged']);
    expect(seen[3], 'the refresh wrote the new check time').to.equal('2026-12-03T10:05:01Z');
    expect(seen[4]).to.equal(seen[3]);
  });

  it('0 turns it off: only changes are written', async () => {
    const { outcomes, seen } = await scenario('off', 0);
    expect(outcomes).to.deep.equal(['applied', 'unchanged', 'unchanged', 'unchanged', 'unchanged']);
    expect(new Set(seen).size).to.equal(1);
  });

  it('the whole chain: a backend that stays healthy gets a fresh lastHealthCheck once per refresh period, and nothing in between', async function () {
    this.timeout(60_000);
    const name = 'chain';
    await createVmcp(name);
    const server = await startScriptedMcpServer({ tools: 2 });
    const writes: number[] = [];
    const refreshMs = 3_000;
    const reporter = new K8sReporter({
      kubeConfig: await runtimeIdentity(cluster.plane, cluster.namespace, name),
      ref: { name, namespace: cluster.namespace },
      statusRefreshMs: refreshMs,
      events: false,
      logger: memoryLogger().logger,
      metrics: { reportOutcome: (o) => o === 'applied' && writes.push(Date.now()) },
    });
    const reporting = startStatusReporting({
      backends$: of([{ name: 'a', url: server.url }]),
      reporter,
      reportIntervalMs: 200,
      monitor: { probeIntervalMs: 100, probeTimeoutMs: 30_000 },
      statusRefreshMs: refreshMs,
    });
    const checkTime = async () => {
      const object = (await admin.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
        group,
        version,
        plural,
        namespace: cluster.namespace,
        name,
      })) as { status?: { discoveredBackends?: Array<{ lastHealthCheck?: string }> } };
      return object.status?.discoveredBackends?.[0]?.lastHealthCheck;
    };
    try {
      await waitFor('the first write', () => writes.length >= 1);
      const first = await checkTime();
      // Probes every 100 ms change nothing worth a write: only the refresh writes.
      await waitFor('two refreshes', () => writes.length >= 3, 30_000, 50);
      const refreshed = await checkTime();
      expect(Date.parse(refreshed ?? '')).to.be.greaterThan(Date.parse(first ?? ''));
      const gaps = writes.slice(1).map((at, i) => at - writes[i]!);
      // A refresh comes a refresh period after the last change (at most a tenth early):
      // dozens of probes in between, and no write for them.
      for (const gap of gaps) expect(gap).to.be.at.least(refreshMs * 0.9 - 200);
    } finally {
      await reporting.stop();
      await server.close();
    }
  });
});
