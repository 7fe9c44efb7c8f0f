import { expect } from 'chai';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { VmcpOperator } from '../../src/operator/vmcp-operator.js';
import { validateSpec } from '../../src/operator/validate-spec.js';
import { waitFor } from '../../tools/cluster/wait-for.js';
import type { FaultCluster } from '../support/faults/fault-cluster.js';
import {
  conditionOf,
  operatorIdentity,
  readChildren,
  vmcpClient,
  type VmcpJson,
} from '../support/k8s/operator-fixtures.js';
import { memoryLogger } from '../support/memory-log.js';
import {
  installRegistryPolicy,
  REGISTRY_POLICY_MESSAGE,
} from '../support/faults/registry-policy.js';

/**
 * How long an informer waits at most before it restarts a failed watch
 * (InformerSource's default backoff cap), and room for one reconcile after it.
 */
const INFORMER_MAX_BACKOFF_MS = 30_000;
const RECONCILE_MS = 30_000;

/** The operator's side of the fault suite (issue 14 item 3). */
export function describeOperatorFaults(cluster: FaultCluster): void {
  const namespace = `${cluster.namespace}-operator`;
  const running: VmcpOperator[] = [];
  let operatorKc: KubeConfig;
  let vmcps: ReturnType<typeof vmcpClient>;

  before(async () => {
    await cluster.admin
      .makeApiClient(CoreV1Api)
      .createNamespace({ body: { metadata: { name: namespace } } });
    operatorKc = await operatorIdentity(cluster.plane);
    vmcps = vmcpClient(cluster.admin, namespace);
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((o) => o.stop()));
  });

  const startOperator = async (runtimeImage?: string) => {
    const log = memoryLogger('info');
    const operator = new VmcpOperator({
      kubeConfig: operatorKc,
      namespace,
      logger: log.logger,
      ...(runtimeImage === undefined ? {} : { runtimeImage }),
    });
    running.push(operator);
    await operator.start();
    return { operator, log };
  };
  const waitForVmcp = (
    what: string,
    name: string,
    check: (v: VmcpJson) => boolean,
    timeoutMs = RECONCILE_MS,
  ) =>
    waitFor(
      what,
      async () => {
        const vmcp = await vmcps.read(name);
        return check(vmcp) ? vmcp : undefined;
      },
      timeoutMs,
      50,
    );
  const reconciled = (v: VmcpJson) => conditionOf(v, 'Reconciled')?.status === 'True';

  it('its informers recover after an apiserver restart: a VirtualMCPServer created after it is reconciled', async () => {
    const { log } = await startOperator();
    await vmcps.create('before-restart');
    await waitForVmcp('before-restart reconciled', 'before-restart', reconciled);

    await cluster.plane.stopApiserver();
    await cluster.plane.startApiserver();
    const ended = performance.now();
    await vmcps.create('after-restart');
    await waitForVmcp(
      'after-restart reconciled by the restarted informers',
      'after-restart',
      reconciled,
      INFORMER_MAX_BACKOFF_MS + RECONCILE_MS,
    );
    console.log(
      `      recovery: operator informers after apiserver restart ${String(Math.round(performance.now() - ended))} ms`,
    );
    const children = await readChildren(cluster.admin, namespace, 'after-restart');
    expect([...children.keys()]).to.include('Deployment');
    // The informers said they lost the watch and got it back.
    expect(log.lines.some((l) => l.msg === 'watch failed: restarting it')).to.equal(true);
    expect(cluster.rejections, 'unhandled rejections').to.deep.equal([]);
  });

  it('a child the apiserver rejects as invalid sets Reconciled=False naming the child and the reason', async () => {
    await installRegistryPolicy(cluster.admin, namespace);
    // A runtime image the cluster's policy refuses (the operator's setting, not the spec's),
    // and a spec our validation and the CRD accept.
    await startOperator('docker.io/library/busybox:1.37');
    const spec = {};
    expect(
      validateSpec({ metadata: { name: 'rejected' }, spec }).valid,
      'our validation passes it',
    ).to.equal(true);
    await vmcps.create('rejected', spec);
    const vmcp = await waitForVmcp(
      'Reconciled=False',
      'rejected',
      (v) => conditionOf(v, 'Reconciled')?.status === 'False',
    );
    const condition = conditionOf(vmcp, 'Reconciled');
    expect(condition?.reason).to.equal('ApplyFailed');
    expect(condition?.message).to.contain(`Deployment/${namespace}/rejected-vmcp: rejected (422)`);
    expect(condition?.message).to.contain(REGISTRY_POLICY_MESSAGE);
    expect(conditionOf(vmcp, 'Valid')?.status).to.equal('True');
    // The children before the Deployment were applied; the Deployment was not.
    const children = await readChildren(cluster.admin, namespace, 'rejected');
    expect([...children.keys()]).to.deep.equal([
      'ServiceAccount',
      'Role',
      'RoleBinding',
      'Service',
    ]);
    expect(cluster.rejections, 'unhandled rejections').to.deep.equal([]);
  });
}
