import { expect } from 'chai';
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { K8sReporter } from '../../../src/apply/k8s-reporter.js';
import type { ReportOutcome } from '../../../src/reporter.js';
import { readStatusSchema } from '../../../src/apply/openapi-schema.js';
import { statusApplyPatch } from '../../../src/apply/status-patch.js';
import { vmcpResource } from '../../../src/apply/vmcp-resource.js';
import type { BackendHealthStatus, RuntimeStatus } from '../../../src/types.js';
import { installCrd } from '../../../tools/cluster/install-crd.js';
import { runtimeIdentity, runtimeRules } from '../../../tools/cluster/runtime-identity.js';
import { statusOf, vmcpObject } from '../../../tools/cluster/status-fixtures.js';
import { waitFor } from '../../../tools/cluster/wait-for.js';
import { useTestCluster } from '../../support/k8s/shared-control-plane.js';
import { toolhiveCrd } from '../../support/k8s/toolhive-crd.js';
import { memoryLogger } from '../../support/memory-log.js';

/** etcd's default request limit, which bounds one object. */
const OBJECT_LIMIT = 1.5 * 1024 * 1024;
/** "Far below" the limit: an eighth of it. */
const FAR_BELOW = OBJECT_LIMIT / 8;
const CAP = 256;

/** ToolHive's CRD in a group of its own (see toolhive-layout.test.ts). */
const TOOLHIVE_GROUP = 'toolhive-compat.test';

type Layout = 'top-level' | 'runtime';
interface Backend {
  name?: string;
  status?: string;
}
interface Vmcp {
  status?: Record<string, unknown> & { runtime?: Record<string, unknown> };
}

/** `n` backends; every 97th unhealthy, every 89th degraded; 3 tools each. */
function synthetic(n: number): {
  status: RuntimeStatus;
  unhealthy: string[];
} {
  const rows: Array<[string, BackendHealthStatus, number]> = [];
  const unhealthy: string[] = [];
  for (let i = 0; i < n; i++) {
    const name = `backend-${String(i).padStart(5, '0')}`;
    const health: BackendHealthStatus =
      i % 97 === 5 ? 'unhealthy' : i % 89 === 7 ? 'degraded' : 'healthy';
    if (health === 'unhealthy') unhealthy.push(name);
    rows.push([name, health, 3]);
  }
  return { status: statusOf(rows), unhealthy };
}

describe('status size: discoveredBackends capped at 256, counts exact (real kube-apiserver)', function () {
  const cluster = useTestCluster('statussize');
  let admin: KubeConfig;
  const reporters: K8sReporter[] = [];
  const sizes: string[] = [];

  before(async function () {
    this.timeout(120_000);
    admin = cluster.plane.adminKubeConfig();
    await installCrd(admin);
    await installCrd(admin, toolhiveCrd(TOOLHIVE_GROUP));
    await waitFor(
      "ToolHive's CRD schema published",
      async () =>
        (
          await readStatusSchema(admin, {
            group: TOOLHIVE_GROUP,
            version: 'v1beta1',
            kind: 'VirtualMCPServer',
          })
        ).kind === 'found',
      60_000,
    );
  });
  afterEach(async () => {
    await Promise.all(reporters.splice(0).map((r) => r.stop()));
  });
  after(() => {
    // The measured sizes, for the record (no assertion on them beyond the bound).
    process.stdout.write(`      measured: ${sizes.join('; ')}\n`);
  });

  for (const layout of ['top-level', 'runtime'] as const satisfies readonly Layout[]) {
    for (const n of [10, 1_000, 10_000]) {
      it(`${String(n)} backends in the ${layout} layout: at most ${String(CAP)} entries, unhealthy first, counts exact, far below 1.5 MiB`, async function () {
        this.timeout(120_000);
        const group = layout === 'runtime' ? TOOLHIVE_GROUP : vmcpResource().group;
        const apiVersion = `${group}/v1beta1`;
        const name = `size-${layout}-${String(n)}`;
        const api = admin.makeApiClient(CustomObjectsApi);
        const target = {
          group,
          version: 'v1beta1',
          plural: 'virtualmcpservers',
          namespace: cluster.namespace,
        };
        await api.createNamespacedCustomObject({
          ...target,
          body: vmcpObject(name, cluster.namespace, apiVersion),
        });
        const rules =
          layout === 'runtime'
            ? runtimeRules(name).map((r) =>
                r.apiGroups.includes('vmcp-status.dev') ? { ...r, apiGroups: [group] } : r,
              )
            : runtimeRules(name);
        const outcomes: ReportOutcome[] = [];
        const reporter = new K8sReporter({
          kubeConfig: await runtimeIdentity(cluster.plane, cluster.namespace, name, { rules }),
          ref: { name, namespace: cluster.namespace, apiVersion },
          logger: memoryLogger('info').logger,
          metrics: { reportOutcome: (o) => outcomes.push(o) },
          events: false,
        });
        reporters.push(reporter);
        await reporter.start(30_000);
        expect(reporter.statusLayout.layout).to.equal(layout);

        const { status, unhealthy } = synthetic(n);
        await reporter.report(status);
        expect(outcomes).to.deep.equal(['applied']);

        const object = (await api.getNamespacedCustomObject({ ...target, name })) as Vmcp;
        const bytes = Buffer.byteLength(JSON.stringify(object));
        sizes.push(`${layout} ${String(n)}: ${String(bytes)} B`);
        expect(bytes).to.be.below(FAR_BELOW);

        const part = (layout === 'runtime' ? object.status?.runtime : object.status) ?? {};
        const shown = (part.discoveredBackends ?? []) as Backend[];
        expect(shown).to.have.length(Math.min(n, CAP));
        // Every unhealthy backend is shown (fewer than the cap), before any other.
        const shownUnhealthy = shown.filter((b) => b.status === 'unavailable').map((b) => b.name);
        expect(shownUnhealthy).to.deep.equal(n > CAP ? unhealthy : shownUnhealthy);
        expect([...shownUnhealthy].sort()).to.deep.equal(unhealthy);
        if (n > CAP) {
          expect(
            shown.slice(0, unhealthy.length).every((b) => b.status === 'unavailable'),
          ).to.equal(true);
          expect(part.message).to.include(`showing ${String(CAP)} of ${String(n)} backends`);
        } else {
          expect(part.message).to.not.include('showing');
        }
        // Counts from every backend, not from the list shown.
        expect(part.backendCount).to.equal(status.backendCount);
        if (layout === 'top-level') {
          expect(part).to.include({
            healthyBackends: status.healthyBackends,
            unhealthyBackends: status.unhealthyBackends,
            totalToolCount: status.totalToolCount,
          });
          expect(status.healthyBackends + status.unhealthyBackends).to.be.below(n + 1);
          expect(status.unhealthyBackends).to.equal(unhealthy.length);
        }
        if (n === 10_000) {
          // What the object would need without the cap: more than etcd accepts.
          const uncapped = Buffer.byteLength(
            JSON.stringify(statusApplyPatch({ name, namespace: cluster.namespace }, status)),
          );
          sizes.push(`${layout} ${String(n)} uncapped apply body: ${String(uncapped)} B`);
          expect(uncapped).to.be.above(OBJECT_LIMIT);
        }
      });
    }
  }
});
