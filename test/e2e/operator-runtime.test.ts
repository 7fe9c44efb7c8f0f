import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { parse } from 'yaml';
import { CoreV1Api, type KubeConfig, type V1Deployment } from '@kubernetes/client-node';
import { ownedConditionTypes, ownerOf } from '../../src/apply/ownership.js';
import { startMcpTestServer, type McpTestServer } from '../../src/runtime/mcp-test-server.js';
import { installCrd } from '../../tools/cluster/install-crd.js';
import { kubectlTable } from '../support/k8s/kubectl-table.js';
import {
  OPERATOR_NAMESPACE,
  OPERATOR_SERVICE_ACCOUNT,
  conditionOf,
  operatorIdentity,
  readChildren,
  setPodsReady,
  vmcpClient,
  writeKubeconfig,
  type VmcpJson,
} from '../support/k8s/operator-fixtures.js';
import { runtimeRules } from '../../tools/cluster/runtime-identity.js';
import { useTestCluster } from '../support/k8s/shared-control-plane.js';
import { CliProcess, requireBuiltCli } from '../support/mcp/cli-process.js';
import { managedStatusFields } from '../../src/apply/managed-status-fields.js';
import { waitFor } from '../../tools/cluster/wait-for.js';

const REPORT_INTERVAL_MS = 3_000;
const PROBE_INTERVAL_MS = 200;

/** Top-level status fields and `conditions[Type]` one manager owns, sorted. */
function statusFieldsOf(fieldsV1: Record<string, unknown> | undefined): string[] {
  const names = managedStatusFields(fieldsV1).map((k) =>
    k.path[0] === 'conditions' && typeof k.item?.type === 'string'
      ? `conditions[${k.item.type}]`
      : k.path.join('.'),
  );
  return [...new Set(names)].sort();
}

describe('end to end: the operator deploys a vMCP, the runtime reports, kubectl shows both', function () {
  const cluster = useTestCluster('e2e');
  let admin: KubeConfig;
  let dir: string;
  let operatorKubeconfig: string;
  const processes: CliProcess[] = [];
  const servers: McpTestServer[] = [];

  before(async function () {
    requireBuiltCli();
    admin = cluster.plane.adminKubeConfig();
    await installCrd(admin);
    await operatorIdentity(cluster.plane);
    dir = await mkdtemp(join(tmpdir(), 'vmcp-e2e-'));
    operatorKubeconfig = writeKubeconfig(join(dir, 'operator.kubeconfig'), cluster.plane, {
      token: await cluster.plane.serviceAccountToken(OPERATOR_NAMESPACE, OPERATOR_SERVICE_ACCOUNT),
    });
  });
  after(async function () {
    for (const p of processes) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await Promise.all(servers.map((s) => s.close()));
    await rm(dir, { recursive: true, force: true });
  });

  it('create → children with env and RBAC → runtime reports → kubectl → backend down → runtime dead → delete and recreate', async function () {
    this.timeout(300_000);
    const ns = cluster.namespace;
    const vmcps = vmcpClient(admin, ns);
    const kubectlRow = () =>
      kubectlTable(cluster.plane.kubectl(['get', 'vmcp', 'e2e', '-n', ns]).stdout)[0];
    const waitForVmcp = (what: string, check: (v: VmcpJson) => boolean, timeoutMs = 30_000) =>
      waitFor(
        what,
        async () => {
          const v = await vmcps.read('e2e');
          return check(v) ? v : undefined;
        },
        timeoutMs,
      );

    // The operator, as its own process and its own ServiceAccount (manifests/operator RBAC).
    const operator = new CliProcess(['operator', '--kubeconfig', operatorKubeconfig, '-n', ns]);
    processes.push(operator);
    await operator.line((l) => l.msg === 'vmcp-status operator running', {
      what: 'the operator to start',
    });

    // Two real MCP backends on loopback.
    const [alpha, beta] = await Promise.all([
      startMcpTestServer({ name: 'alpha', tools: 3 }),
      startMcpTestServer({ name: 'beta', tools: 2 }),
    ]);
    servers.push(alpha, beta);
    const spec = {
      backends: [
        { name: 'alpha', url: alpha.url },
        { name: 'beta', url: beta.url },
      ],
      reportInterval: `${REPORT_INTERVAL_MS / 1000}s`,
      probe: { interval: `${PROBE_INTERVAL_MS}ms`, timeout: '2s', unhealthyThreshold: 1 },
    };
    const created = await vmcps.create('e2e', spec);

    // 1. The children, with the env vars and the runtime RBAC.
    const children = await waitFor('the five children', async () => {
      const found = await readChildren(admin, ns, 'e2e');
      return found.size === 5 ? found : undefined;
    });
    const deployment = children.get('Deployment') as V1Deployment;
    const container = deployment.spec?.template.spec?.containers[0];
    expect(deployment.spec?.template.spec?.serviceAccountName).to.equal('e2e-vmcp');
    expect(container?.env).to.deep.include.members([
      { name: 'VMCP_NAME', value: 'e2e' },
      { name: 'VMCP_NAMESPACE', value: ns },
    ]);
    expect(
      container?.env?.find((e) => e.name === 'POD_NAME')?.valueFrom?.fieldRef?.fieldPath,
    ).to.equal('metadata.name');
    expect((children.get('Role') as { rules?: unknown }).rules).to.deep.equal(runtimeRules('e2e'));

    // No kubelet: the test marks the Deployment's pod Ready as a kubelet would (setPodsReady).
    const podName = await waitFor('the Deployment’s pod', async () => {
      const pods = await admin
        .makeApiClient(CoreV1Api)
        .listNamespacedPod({ namespace: ns, labelSelector: 'app.kubernetes.io/instance=e2e' });
      return pods.items[0]?.metadata?.name;
    });
    await setPodsReady(admin, ns, 'app.kubernetes.io/instance=e2e', true);
    await waitForVmcp('Available=True', (v) => conditionOf(v, 'Available')?.status === 'True');

    // 2. The runtime, as that pod would run it: the Deployment's args and env, acting as the
    //    created ServiceAccount through in-pod files (a minted token, the CA).
    const inPod = await cluster.plane.inPodFolder(ns, 'e2e-vmcp');
    const runtimeKubeconfig = writeKubeconfig(join(dir, 'runtime.kubeconfig'), cluster.plane, {
      tokenFile: join(inPod.serviceAccountDir, 'token'),
      caFile: join(inPod.serviceAccountDir, 'ca.crt'),
    });
    const args = [...(container?.args ?? [])];
    args[args.indexOf('--metrics-bind-address') + 1] = '0';
    const env: Record<string, string> = { POD_NAME: podName };
    for (const e of container?.env ?? []) if (e.value !== undefined) env[e.name] = e.value;
    const runtime = new CliProcess([...args, '--kubeconfig', runtimeKubeconfig], env);
    processes.push(runtime);
    const ready = await waitForVmcp(
      'phase Ready from the runtime',
      (v) => v.status?.phase === 'Ready',
    );
    expect(ready.status).to.include({ backendCount: 2, totalToolCount: 5, healthyBackends: 2 });

    // 3. kubectl get: the runtime's phase, the operator's URL and Available.
    expect(kubectlRow()).to.include({
      NAME: 'e2e',
      PHASE: 'Ready',
      URL: `http://e2e-vmcp.${ns}.svc.cluster.local:4483`,
      BACKENDS: '2',
      READY: 'True',
      AVAILABLE: 'True',
      TOOLS: '5',
    });

    // 4. Two managers on the status subresource, both Apply, with disjoint fields, each
    //    exactly its side of the ownership table.
    const yaml = cluster.plane.kubectl([
      'get',
      'vmcp',
      'e2e',
      '-n',
      ns,
      '-o',
      'yaml',
      '--show-managed-fields',
    ]);
    expect(yaml.code, yaml.stderr).to.equal(0);
    const managed = (parse(yaml.stdout) as VmcpJson).metadata.managedFields ?? [];
    const onStatus = managed.filter((m) => m.subresource === 'status');
    expect(onStatus.map((m) => `${m.manager}/${m.operation}`).sort()).to.deep.equal([
      'vmcp-operator/Apply',
      'vmcp-runtime/Apply',
    ]);
    const fieldsOf = (manager: string) =>
      statusFieldsOf(onStatus.find((m) => m.manager === manager)?.fieldsV1);
    const runtimeFields = fieldsOf('vmcp-runtime');
    const operatorFields = fieldsOf('vmcp-operator');
    expect(runtimeFields.filter((f) => operatorFields.includes(f))).to.deep.equal([]);
    const ownerOfPath = (path: string) => {
      const match = /^conditions\[(.+)\]$/.exec(path);
      return match ? ownerOf('conditions', match[1]) : ownerOf(path);
    };
    for (const f of runtimeFields) expect(ownerOfPath(f), f).to.equal('runtime');
    for (const f of operatorFields) expect(ownerOfPath(f), f).to.equal('operator');
    expect(operatorFields).to.deep.equal(
      [
        'observedGeneration',
        'url',
        ...ownedConditionTypes('operator').map((t) => `conditions[${t}]`),
      ].sort(),
    );
    expect(runtimeFields).to.include.members(['phase', 'discoveredBackends', 'conditions[Ready]']);

    // 5. A backend goes down: the phase flips within one report interval (plus the probe
    //    that notices it).
    const down = performance.now();
    beta.mode = 'unavailable';
    await waitForVmcp(
      'phase Degraded',
      (v) => v.status?.phase === 'Degraded',
      REPORT_INTERVAL_MS + PROBE_INTERVAL_MS + 1_000,
    );
    const flippedMs = performance.now() - down;
    console.log(
      `      phase flipped to Degraded ${Math.round(flippedMs)} ms after a backend went down`,
    );
    beta.mode = 'ok';
    await waitForVmcp('phase Ready again', (v) => v.status?.phase === 'Ready', 10_000);

    // 6. The runtime dies: its last report still says Ready; Available tells the truth.
    runtime.child.kill('SIGTERM');
    expect(await runtime.exitCode()).to.equal(0);
    await setPodsReady(admin, ns, 'app.kubernetes.io/instance=e2e', false);
    await waitForVmcp('Available=False', (v) => conditionOf(v, 'Available')?.status === 'False');
    expect(kubectlRow()).to.include({ PHASE: 'Ready', READY: 'True', AVAILABLE: 'False' });

    // 7. Delete: the garbage collector removes the children. Recreate: all back.
    await vmcps.delete('e2e');
    await waitFor(
      'the garbage collector to remove the children',
      async () => (await readChildren(admin, ns, 'e2e')).size === 0,
      60_000,
      200,
    );
    const again = await vmcps.create('e2e', spec);
    expect(again.metadata.uid).to.not.equal(created.metadata.uid);
    await waitForVmcp(
      'Reconciled=True again',
      (v) => conditionOf(v, 'Reconciled')?.status === 'True',
    );
    const back = await waitFor('the children again', async () => {
      const found = await readChildren(admin, ns, 'e2e');
      return found.size === 5 ? found : undefined;
    });
    for (const child of back.values())
      expect(child.metadata?.ownerReferences?.[0]?.uid).to.equal(again.metadata.uid);

    operator.child.kill('SIGTERM');
    expect(await operator.exitCode()).to.equal(0);
  });
});
