import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import {
  AppsV1Api,
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type V1Deployment,
  type V1Role,
} from '@kubernetes/client-node';
import { K8sReporter } from '../../../src/apply/k8s-reporter.js';
import { OperatorMetrics } from '../../../src/operator/operator-metrics.js';
import { VmcpOperator } from '../../../src/operator/vmcp-operator.js';
import { installCrd } from '../../../tools/cluster/install-crd.js';
import { kubectlTable } from '../../support/k8s/kubectl-table.js';
import {
  childVersions,
  conditionOf,
  operatorIdentity,
  readChildren,
  setPodsReady,
  vmcpClient,
  type VmcpJson,
} from '../../support/k8s/operator-fixtures.js';
import { runtimeRules } from '../../../tools/cluster/runtime-identity.js';
import { useTestCluster } from '../../support/k8s/shared-control-plane.js';
import { statusOf } from '../../../tools/cluster/status-fixtures.js';
import { memoryLogger } from '../../support/memory-log.js';
import { waitFor } from '../../../tools/cluster/wait-for.js';

describe('VmcpOperator on a real kube-apiserver (as the vmcp-operator ServiceAccount)', function () {
  const cluster = useTestCluster('operator');
  let admin: KubeConfig;
  let operatorKc: KubeConfig;
  let vmcps: ReturnType<typeof vmcpClient>;
  const running: VmcpOperator[] = [];

  const startOperator = async (
    metrics = new OperatorMetrics({ defaultMetrics: false }),
    namespace = cluster.namespace,
  ) => {
    const operator = new VmcpOperator({
      kubeConfig: operatorKc,
      namespace,
      logger: memoryLogger('warn').logger,
      metrics,
    });
    running.push(operator);
    await operator.start();
    return { operator, metrics };
  };
  const stopOperators = async (): Promise<void> => {
    await Promise.all(running.splice(0).map((o) => o.stop()));
  };
  /** Waits until the operator's status for `name` satisfies `check`. */
  const waitForVmcp = (what: string, name: string, check: (v: VmcpJson) => boolean) =>
    waitFor(what, async () => {
      const vmcp = await vmcps.read(name);
      return check(vmcp) ? vmcp : undefined;
    });
  const reconciled = (generation?: number) => (v: VmcpJson) =>
    conditionOf(v, 'Reconciled')?.status === 'True' &&
    (generation === undefined || v.status?.observedGeneration === generation);
  /** Waits until the operator has reconciled nothing for `quietMs`. */
  const settled = async (operator: VmcpOperator, quietMs = 700): Promise<void> => {
    await waitFor(
      'the operator to settle',
      async () => {
        const before = operator.reconcileCount;
        await sleep(quietMs);
        return operator.reconcileCount === before;
      },
      30_000,
      0,
    );
  };
  const count = async (metrics: OperatorMetrics, name: string, labels: Record<string, string>) => {
    const metric = (await metrics.registry.getSingleMetric(name)?.get())?.values ?? [];
    return metric
      .filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))
      .reduce((sum, v) => sum + v.value, 0);
  };

  before(async function () {
    admin = cluster.plane.adminKubeConfig();
    await installCrd(admin);
    operatorKc = await operatorIdentity(cluster.plane);
    vmcps = vmcpClient(admin, cluster.namespace);
  });
  afterEach(stopOperators);

  it('applies ServiceAccount, Role, RoleBinding, Service and Deployment as vmcp-operator, owned by the VirtualMCPServer', async () => {
    await startOperator();
    const created = await vmcps.create('alpha', {
      config: {
        backends: [{ name: 'github', url: 'http://github-mcp:8080/mcp' }],
        operational: { failureHandling: { statusReportingInterval: '10s' } },
      },
      fieldManager: 'vmcp-runtime',
    });
    const vmcp = await waitForVmcp('Reconciled=True', 'alpha', reconciled());
    const children = await readChildren(admin, cluster.namespace, 'alpha');
    expect([...children.keys()]).to.deep.equal([
      'ServiceAccount',
      'Role',
      'RoleBinding',
      'Service',
      'Deployment',
    ]);
    for (const [kind, child] of children) {
      expect(child.metadata?.name, kind).to.equal('alpha-vmcp');
      expect(child.metadata?.ownerReferences, kind).to.have.length(1);
      expect(child.metadata?.ownerReferences?.[0], kind).to.deep.include({
        apiVersion: 'vmcp-status.dev/v1beta1',
        kind: 'VirtualMCPServer',
        name: 'alpha',
        uid: created.metadata.uid,
        controller: true,
        blockOwnerDeletion: true,
      });
      const appliers = (child.metadata?.managedFields ?? []).map(
        (m) => `${m.manager}/${m.operation}`,
      );
      expect(appliers, kind).to.include('vmcp-operator/Apply');
    }
    expect((children.get('Role') as V1Role).rules).to.deep.equal(runtimeRules('alpha'));
    const container = (children.get('Deployment') as V1Deployment).spec?.template.spec
      ?.containers[0];
    expect(container?.env?.map((e) => e.name)).to.deep.equal([
      'VMCP_NAME',
      'VMCP_NAMESPACE',
      'POD_NAME',
    ]);
    expect(container?.env?.[2]?.valueFrom?.fieldRef?.fieldPath).to.equal('metadata.name');
    expect(container?.args).to.include.members([
      '--interval',
      '10s',
      '--field-manager',
      'vmcp-runtime',
    ]);

    // Only operator fields in status; phase belongs to the runtime.
    expect(vmcp.status?.url).to.equal(
      `http://alpha-vmcp.${cluster.namespace}.svc.cluster.local:4483`,
    );
    expect(vmcp.status?.observedGeneration).to.equal(1);
    expect(vmcp.status?.conditions?.map((c) => [c.type, c.status, c.reason])).to.deep.equal([
      ['Valid', 'True', 'SpecValid'],
      ['Reconciled', 'True', 'ChildrenApplied'],
      ['Available', 'False', 'DeploymentProgressing'],
    ]);
    expect(vmcp.status).to.not.have.property('phase');
    const statusManagers = (vmcp.metadata.managedFields ?? []).filter(
      (m) => m.subresource === 'status',
    );
    expect(statusManagers.map((m) => `${m.manager}/${m.operation}`)).to.deep.equal([
      'vmcp-operator/Apply',
    ]);
  });

  it('is idempotent: reconciling again, or a restarted operator, writes nothing (resourceVersions unchanged)', async () => {
    const { operator, metrics } = await startOperator();
    await vmcps.create('idem', { config: { backends: [{ name: 'a', url: 'http://a:1/mcp' }] } });
    await waitForVmcp('Reconciled=True', 'idem', reconciled());
    await settled(operator);
    const before = {
      vmcp: (await vmcps.read('idem')).metadata.resourceVersion,
      ...(await childVersions(admin, cluster.namespace, 'idem')),
    };
    // Other tests' VirtualMCPServers share the namespace and may be reconciled meanwhile:
    // the counts below are of requests sent (created, configured, unchanged) vs skipped.
    const applies = async (m: OperatorMetrics, ...actions: string[]) => {
      let total = 0;
      for (const action of actions)
        total += await count(m, 'vmcp_operator_child_applies_total', { action });
      return total;
    };
    const sentBefore = await applies(metrics, 'created', 'configured', 'unchanged');
    const skippedBefore = await applies(metrics, 'skipped');

    // A resync of the same operator: every child is skipped (no request at all).
    const reconciles = operator.reconcileCount;
    operator.controller.enqueue({ namespace: cluster.namespace, name: 'idem' });
    await waitFor('one more reconcile', () => operator.reconcileCount >= reconciles + 1);
    expect((await applies(metrics, 'skipped')) - skippedBefore).to.be.at.least(5);
    expect(await applies(metrics, 'created', 'configured', 'unchanged')).to.equal(sentBefore);

    // A new operator process knows nothing: it sends every apply, and the server finds
    // them all equal to what it holds.
    await stopOperators();
    const fresh = await startOperator();
    await waitFor('the fresh operator to reconcile', () => fresh.operator.reconcileCount > 0);
    await settled(fresh.operator);
    expect(await applies(fresh.metrics, 'unchanged')).to.be.at.least(5);
    expect(await applies(fresh.metrics, 'created', 'configured')).to.equal(0);
    expect(
      await count(fresh.metrics, 'vmcp_operator_status_applies_total', { outcome: 'applied' }),
    ).to.equal(0);
    const after = {
      vmcp: (await vmcps.read('idem')).metadata.resourceVersion,
      ...(await childVersions(admin, cluster.namespace, 'idem')),
    };
    expect(after).to.deep.equal(before);
  });

  describe('in a namespace of its own (so only this object can be reconciled)', () => {
    const own = useTestCluster('operator-quiet');

    it('never reconciles for status writes: the runtime writes status 100 times, the operator reconciles 0 times', async function () {
      const { operator, metrics } = await startOperator(undefined, own.namespace);
      const quiet = vmcpClient(admin, own.namespace);
      await quiet.create('quiet', {});
      await waitFor('Reconciled=True', async () => reconciled()(await quiet.read('quiet')));
      await settled(operator);
      // The runtime acts as the ServiceAccount the operator created, with the Role it granted.
      const runtimeKc = await cluster.plane.serviceAccountKubeConfig(own.namespace, 'quiet-vmcp');
      const reporter = new K8sReporter({
        kubeConfig: runtimeKc,
        ref: { name: 'quiet', namespace: own.namespace },
        logger: memoryLogger('warn').logger,
        events: false,
      });
      await reporter.start(30_000);
      const reconcilesBefore = operator.reconcileCount;
      const ignoredBefore = operator.ignoredEvents;
      const rvBefore = (await quiet.read('quiet')).metadata.resourceVersion;
      for (let i = 1; i <= 100; i++) {
        // Each status differs (tool count), so each one is a real write.
        await reporter.report(statusOf([['a', 'healthy', i]]));
      }
      await reporter.stop();
      const vmcp = await quiet.read('quiet');
      expect(vmcp.status?.totalToolCount).to.equal(100);
      expect(Number(vmcp.metadata.resourceVersion)).to.be.greaterThan(Number(rvBefore) + 99);
      await waitFor(
        'the operator to see every write',
        () => operator.ignoredEvents - ignoredBefore >= 100,
      );
      await sleep(500);
      const reconciles = operator.reconcileCount - reconcilesBefore;
      console.log(
        `      reconciles during 100 runtime status writes: ${reconciles} (status-only events ignored: ${operator.ignoredEvents - ignoredBefore})`,
      );
      expect(reconciles).to.equal(0);
      expect(
        await count(metrics, 'vmcp_operator_watch_events_total', {
          kind: 'VirtualMCPServer',
          action: 'ignored',
        }),
      ).to.be.at.least(100);
      // The operator's own fields survived the runtime's 100 applies.
      expect(conditionOf(vmcp, 'Reconciled')?.status).to.equal('True');
      expect(vmcp.status?.url).to.be.a('string');
    });
  });

  it('Available follows the Deployment: Progressing, then True, then Unavailable while phase still says Ready', async () => {
    await startOperator();
    await vmcps.create('avail', {});
    await waitForVmcp(
      'Available=False/DeploymentProgressing',
      'avail',
      (v) => conditionOf(v, 'Available')?.reason === 'DeploymentProgressing',
    );
    // The runtime reports Ready.
    const reporter = new K8sReporter({
      kubeConfig: await cluster.plane.serviceAccountKubeConfig(cluster.namespace, 'avail-vmcp'),
      ref: { name: 'avail', namespace: cluster.namespace },
      logger: memoryLogger('warn').logger,
      events: false,
    });
    await reporter.report(statusOf([['a', 'healthy', 3]]));
    await reporter.stop();

    // No kubelet here: the test marks the pod Ready as a kubelet would (see setPodsReady).
    await waitFor(
      'a pod of the Deployment',
      async () =>
        (await setPodsReady(admin, cluster.namespace, 'app.kubernetes.io/instance=avail', true)) >
        0,
    );
    const up = await waitForVmcp(
      'Available=True',
      'avail',
      (v) => conditionOf(v, 'Available')?.status === 'True',
    );
    expect(conditionOf(up, 'Available')).to.include({
      reason: 'DeploymentAvailable',
      message: 'Deployment avail-vmcp: 1/1 replicas available',
    });
    const upTable = kubectlTable(
      cluster.plane.kubectl(['get', 'vmcpst', 'avail', '-n', cluster.namespace]).stdout,
    )[0];
    expect(upTable).to.include({ PHASE: 'Ready', READY: 'True', AVAILABLE: 'True' });

    // The runtime dies (its pod is no longer ready); its last report still says Ready.
    await setPodsReady(admin, cluster.namespace, 'app.kubernetes.io/instance=avail', false);
    const down = await waitForVmcp(
      'Available=False',
      'avail',
      (v) => conditionOf(v, 'Available')?.status === 'False',
    );
    expect(conditionOf(down, 'Available')?.reason).to.equal('DeploymentUnavailable');
    expect(conditionOf(down, 'Available')?.lastTransitionTime).to.be.a('string');
    const downTable = kubectlTable(
      cluster.plane.kubectl(['get', 'vmcpst', 'avail', '-n', cluster.namespace]).stdout,
    )[0];
    expect(downTable).to.include({ PHASE: 'Ready', READY: 'True', AVAILABLE: 'False' });
    expect(downTable?.URL).to.equal(
      `http://avail-vmcp.${cluster.namespace}.svc.cluster.local:4483`,
    );
  });

  it('an invalid spec gets Valid=False naming the field, and no child changes', async () => {
    const { operator } = await startOperator();
    await vmcps.create('strict', { config: { backends: [{ name: 'a', url: 'http://a:1/mcp' }] } });
    await waitForVmcp('Reconciled=True', 'strict', reconciled(1));
    await settled(operator);
    const before = await childVersions(admin, cluster.namespace, 'strict');
    // Passes the CRD schema (its rules cannot see the backends' names from there),
    // fails the operator's check.
    const patched = await vmcps.patchSpec('strict', {
      config: {
        aggregation: {
          conflictResolution: 'priority',
          conflictResolutionConfig: { priorityOrder: ['b'] },
        },
      },
    });
    const invalid = await waitForVmcp(
      'Valid=False',
      'strict',
      (v) => conditionOf(v, 'Valid')?.status === 'False',
    );
    expect(invalid.status?.observedGeneration).to.equal(patched.metadata.generation);
    expect(conditionOf(invalid, 'Valid')).to.include({ reason: 'InvalidSpec' });
    expect(conditionOf(invalid, 'Valid')?.message).to.contain(
      'spec.config.aggregation.conflictResolutionConfig.priorityOrder[0]: expected a configured backend (a), got "b"',
    );
    expect(conditionOf(invalid, 'Reconciled')).to.include({
      status: 'False',
      reason: 'InvalidSpec',
    });
    await settled(operator);
    expect(await childVersions(admin, cluster.namespace, 'strict')).to.deep.equal(before);

    // Fixed: valid again and applied.
    const fixed = await vmcps.patchSpec('strict', {
      config: {
        aggregation: { conflictResolutionConfig: { priorityOrder: ['a'] } },
        operational: { failureHandling: { statusReportingInterval: '20s' } },
      },
    });
    await waitForVmcp('Reconciled=True again', 'strict', reconciled(fixed.metadata.generation));
    const deployment = (await readChildren(admin, cluster.namespace, 'strict')).get(
      'Deployment',
    ) as V1Deployment;
    expect(deployment.spec?.template.spec?.containers[0]?.args).to.include('20s');
  });

  it('puts back a child someone deleted or changed', async () => {
    await startOperator();
    await vmcps.create('heal', {});
    await waitForVmcp('Reconciled=True', 'heal', reconciled());
    const core = admin.makeApiClient(CoreV1Api);
    const apps = admin.makeApiClient(AppsV1Api);
    const { metadata: oldSa } = await core.readNamespacedServiceAccount({
      name: 'heal-vmcp',
      namespace: cluster.namespace,
    });
    await core.deleteNamespacedServiceAccount({ name: 'heal-vmcp', namespace: cluster.namespace });
    await waitFor('the ServiceAccount to come back', async () => {
      const sa = await core.readNamespacedServiceAccount({
        name: 'heal-vmcp',
        namespace: cluster.namespace,
      });
      return sa.metadata?.uid !== oldSa?.uid;
    });
    await apps.patchNamespacedDeployment(
      {
        name: 'heal-vmcp',
        namespace: cluster.namespace,
        body: {
          spec: { template: { spec: { containers: [{ name: 'vmcp', image: 'someone/else:1' }] } } },
        },
        fieldManager: 'kubectl-edit',
      },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    await waitFor('the image to be restored', async () => {
      const d = await apps.readNamespacedDeployment({
        name: 'heal-vmcp',
        namespace: cluster.namespace,
      });
      return (
        d.spec?.template.spec?.containers[0]?.image === 'ghcr.io/vmcp-status/vmcp-status:0.1.0'
      );
    });
  });

  it('the garbage collector removes the children with the VirtualMCPServer; recreating it works', async () => {
    await startOperator();
    const first = await vmcps.create('gc', {});
    await waitForVmcp('Reconciled=True', 'gc', reconciled());
    expect((await readChildren(admin, cluster.namespace, 'gc')).size).to.equal(5);
    await vmcps.delete('gc');
    await waitFor(
      'the garbage collector to delete every child',
      async () => (await readChildren(admin, cluster.namespace, 'gc')).size === 0,
      60_000,
      200,
    );
    const second = await vmcps.create('gc', {});
    expect(second.metadata.uid).to.not.equal(first.metadata.uid);
    await waitForVmcp('Reconciled=True for the new object', 'gc', reconciled());
    const children = await waitFor('all five children again', async () => {
      const found = await readChildren(admin, cluster.namespace, 'gc');
      return found.size === 5 ? found : undefined;
    });
    for (const child of children.values())
      expect(child.metadata?.ownerReferences?.[0]?.uid).to.equal(second.metadata.uid);
  });
});
