import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { expect } from 'chai';
import { parse } from 'yaml';
import { AppsV1Api, CoordinationV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { ownerOf } from '../../src/apply/ownership.js';
import { watchOwnObject } from '../../src/apply/watch-own-object.js';
import { statusLeaseName } from '../../src/apply/status-write-lease.js';
import { vmcpResource } from '../../src/apply/vmcp-resource.js';
import {
  startScriptedMcpServer,
  type ScriptedMcpServer,
} from '../../src/demo/scripted-mcp-server.js';
import type { ControlPlane } from '../../tools/cluster/control-plane.js';
import { imageName } from '../../tools/cluster/image.js';
import type { ClusterNode } from '../../tools/cluster/node.js';
import { waitFor } from '../../tools/cluster/wait-for.js';
import { kubectlTable } from '../support/k8s/kubectl-table.js';
import { managedStatusFields, statusFieldLabel } from '../../src/apply/managed-status-fields.js';
import {
  containerTask,
  hostBackendService,
  podsOf,
  waitForReadyPods,
} from '../support/k8s/node-fixtures.js';
import { conditionOf, vmcpClient, type VmcpJson } from '../support/k8s/operator-fixtures.js';
import { sharedNode, stopSharedNode } from '../support/k8s/shared-control-plane.js';

/**
 * The whole product on a real node: `kubectl apply -k manifests/` runs the operator as
 * a pod from the image built from the Containerfile; each VirtualMCPServer gets a
 * runtime pod that reports with its own projected ServiceAccount token, reaching its
 * backends by Service name through cluster DNS and kube-proxy (MCP servers on this
 * machine's bridge address behind selector-less Services).
 */
describe('on the node: the operator and each vMCP runtime run as pods', function () {
  let plane: ControlPlane;
  let node: ClusterNode;
  let admin: KubeConfig;
  const servers: ScriptedMcpServer[] = [];
  const ns = `e2e-node-${randomBytes(3).toString('hex')}`;

  const kubectl = (...args: string[]) => {
    const result = plane.kubectl(args);
    expect(result.code, `kubectl ${args.join(' ')}: ${result.stderr}`).to.equal(0);
    return result.stdout;
  };
  /**
   * Runs an MCP client's steps; a failure says its HTTP status (the SDK's message has
   * only the body) and what the runtime logged, so a flake can be read afterwards.
   */
  const explained = async <T>(deployment: string, steps: () => Promise<T>): Promise<T> => {
    try {
      return await steps();
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      const logs = plane.kubectl(['logs', `deployment/${deployment}`, '-n', ns, '--tail=40']);
      throw new Error(
        `${err instanceof Error ? err.message : String(err)} (code ${String(code)})\n` +
          `kubectl logs deployment/${deployment}:\n${logs.stdout}${logs.stderr}`,
        { cause: err },
      );
    }
  };
  const readVmcp = (namespace: string, name: string) => vmcpClient(admin, namespace).read(name);
  const waitForVmcp = (
    namespace: string,
    name: string,
    what: string,
    check: (v: VmcpJson) => boolean,
    timeoutMs = 60_000,
  ) =>
    waitFor(
      what,
      async () => {
        const v = await readVmcp(namespace, name);
        return check(v) ? v : undefined;
      },
      timeoutMs,
      200,
    );
  const startServer = async (name: string, tools: number) => {
    const server = await startScriptedMcpServer({ name, tools, host: node.network.hostIp });
    servers.push(server);
    return server;
  };

  before(async function () {
    this.timeout(30 * 60_000);
    ({ plane, node } = await sharedNode());
    admin = plane.adminKubeConfig();
    // The example's backends first: its runtime probes every 30 s, so Services made after
    // its first probe would cost the test up to 30 s of waiting.
    const github = await startServer('github', 4);
    const jira = await startServer('jira', 3);
    await hostBackendService(admin, 'default', 'github-mcp', github.url);
    await hostBackendService(admin, 'default', 'jira-mcp', jira.url);
    // As the README says: the CRD first, then everything.
    kubectl('apply', '--server-side', '-f', 'manifests/crd/');
    kubectl(
      'wait',
      '--for=condition=Established',
      '--timeout=60s',
      'crd/virtualmcpservers.vmcp-status.dev',
    );
    kubectl('apply', '--server-side', '-k', 'manifests/');
    await admin.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: ns } } });
  });

  after(async function () {
    this.timeout(120_000);
    // The whole plane goes with its node and pods: none may run beside the integration
    // tests that follow (they count writes, and a pod's work would count too).
    await stopSharedNode();
    await Promise.all(servers.map((s) => s.close()));
  });

  it('runs the operator from manifests/ as a pod with its own ServiceAccount token, Ready by its probes', async function () {
    this.timeout(180_000);
    const [pod] = await waitForReadyPods(
      admin,
      'vmcp-system',
      'app.kubernetes.io/name=vmcp-operator',
      1,
    );
    expect(pod?.spec?.serviceAccountName).to.equal('vmcp-operator');
    expect(pod?.spec?.containers[0]?.image).to.equal(imageName());
    expect(pod?.spec?.containers[0]?.readinessProbe?.httpGet?.path).to.equal('/readyz');
    // The kubelet mounted a projected, expiring token: not a Secret.
    const projected = pod?.spec?.volumes?.find((v) => v.projected !== undefined);
    expect(projected?.projected?.sources?.some((s) => s.serviceAccountToken !== undefined)).to.be
      .true;
    const deployment = await admin
      .makeApiClient(AppsV1Api)
      .readNamespacedDeployment({ name: 'vmcp-operator', namespace: 'vmcp-system' });
    expect(deployment.status?.availableReplicas).to.equal(1);
  });

  it('the example reaches github-mcp.default.svc by cluster DNS and reports, owners in managedFields', async function () {
    this.timeout(180_000);
    const ready = await waitForVmcp(
      'default',
      'demo',
      'the example Ready from its runtime pod',
      (v) => v.status?.phase === 'Ready' && conditionOf(v, 'Available')?.status === 'True',
      120_000,
    );
    expect(ready.status).to.include({ backendCount: 2, totalToolCount: 7 });
    const row = kubectlTable(kubectl('get', 'vmcpst', 'demo', '-n', 'default'))[0];
    expect(row).to.include({
      NAME: 'demo',
      PHASE: 'Ready',
      URL: 'http://demo-vmcp.default.svc.cluster.local:4483',
      BACKENDS: '2',
      READY: 'True',
      AVAILABLE: 'True',
      TOOLS: '7',
    });
    const [runtimePod] = await podsOf(admin, 'default', 'app.kubernetes.io/instance=demo');
    expect(runtimePod?.spec?.serviceAccountName).to.equal('demo-vmcp');

    const yaml = kubectl(
      'get',
      'vmcpst',
      'demo',
      '-n',
      'default',
      '-o',
      'yaml',
      '--show-managed-fields',
    );
    const managed = (parse(yaml) as VmcpJson).metadata.managedFields ?? [];
    const onStatus = managed.filter((m) => m.subresource === 'status');
    expect(onStatus.map((m) => `${m.manager}/${m.operation}`).sort()).to.deep.equal([
      'vmcp-operator/Apply',
      'vmcp-runtime/Apply',
    ]);
    for (const entry of onStatus) {
      const owner = entry.manager === 'vmcp-runtime' ? 'runtime' : 'operator';
      for (const field of managedStatusFields(entry.fieldsV1)) {
        const type = typeof field.item?.type === 'string' ? field.item.type : undefined;
        expect(ownerOf(field.path, type), `${entry.manager}: ${statusFieldLabel(field)}`).to.equal(
          owner,
        );
      }
    }
  });

  it('serves MCP at status.url: a client lists exactly totalToolCount tools, calls each backend, and sees a dead backend leave as the status does', async function () {
    this.timeout(300_000);
    const github = await startServer('gh', 3);
    const jira = await startServer('jr', 2);
    const vmcps = vmcpClient(admin, ns);
    await vmcps.create('served', {
      config: {
        backends: [
          { name: 'github', url: await hostBackendService(admin, ns, 'gh', github.url) },
          { name: 'jira', url: await hostBackendService(admin, ns, 'jr', jira.url) },
        ],
        operational: {
          failureHandling: {
            statusReportingInterval: '30s',
            healthCheckInterval: '2s',
            healthCheckTimeout: '1900ms',
            unhealthyThreshold: 1,
          },
        },
      },
    });
    const ready = await waitForVmcp(
      ns,
      'served',
      'Ready and Available',
      (v) => v.status?.phase === 'Ready' && conditionOf(v, 'Available')?.status === 'True',
      120_000,
    );
    expect(ready.status?.url).to.equal(`http://served-vmcp.${ns}.svc.cluster.local:4483`);
    // From this machine, the Service behind status.url (its ClusterIP: no cluster DNS here).
    const service = await admin
      .makeApiClient(CoreV1Api)
      .readNamespacedService({ name: 'served-vmcp', namespace: ns });
    const client = new Client({ name: 'e2e', version: '1' });
    await explained('served-vmcp', () =>
      client.connect(
        new StreamableHTTPClientTransport(
          new URL(`http://${service.spec?.clusterIP ?? ''}:4483/mcp`),
        ),
      ),
    );
    const watch = spawn(
      join(plane.binDir, 'kubectl'),
      ['--kubeconfig', plane.kubeconfigPath, 'get', 'vmcpst', 'served', '-n', ns, '-w'],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    let watched = '';
    watch.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      watched += chunk;
    });
    try {
      const { tools } = await explained('served-vmcp', () => client.listTools());
      expect(tools.length).to.equal(ready.status?.totalToolCount);
      expect(tools.map((t) => t.name).sort()).to.deep.equal([
        'github_tool-1',
        'github_tool-2',
        'github_tool-3',
        'jira_tool-1',
        'jira_tool-2',
      ]);
      for (const name of ['github_tool-1', 'jira_tool-1']) {
        const result = await explained('served-vmcp', () =>
          client.callTool({ name, arguments: {} }),
        );
        expect(result.isError ?? false, name).to.equal(false);
      }

      const killed = Date.now();
      await jira.close();
      const degraded = await waitForVmcp(
        ns,
        'served',
        'Degraded with jira left out',
        (v) => v.status?.phase === 'Degraded',
      );
      console.log(`      jira killed → Degraded in the status: ${String(Date.now() - killed)} ms`);
      const after = await explained('served-vmcp', () => client.listTools());
      expect(after.tools.map((t) => t.name).sort()).to.deep.equal([
        'github_tool-1',
        'github_tool-2',
        'github_tool-3',
      ]);
      expect(degraded.status?.totalToolCount).to.equal(after.tools.length);
      await waitFor(
        'kubectl get -w to show it',
        () => Promise.resolve(/Degraded/.test(watched)),
        10_000,
        100,
      );
      // `-w` prints each row with its own widths: split on spaces (every cell is one word).
      const [header = '', ...lines] = watched.trim().split('\n');
      const names = header.trim().split(/\s+/);
      const rows = lines.map((line) =>
        Object.fromEntries(
          line
            .trim()
            .split(/\s+/)
            .map((cell, i) => [names[i] ?? '', cell]),
        ),
      );
      expect(rows.at(-1)).to.include({ NAME: 'served', PHASE: 'Degraded', TOOLS: '3' });
      expect(rows.some((r) => r.PHASE === 'Ready' && r.TOOLS === '5')).to.equal(true);
    } finally {
      watch.kill();
      await client.close();
    }
  });

  it('flushes on delete, restarts after SIGKILL and SIGSTOP with Available telling the truth, rolls on an interval change, runs two replicas', async function () {
    this.timeout(600_000);
    // How long each step took on this node, for the record (nothing asserts a duration).
    let stepStarted = Date.now();
    const stepDone = (what: string) => {
      console.log(`      ${what}: ${((Date.now() - stepStarted) / 1000).toFixed(1)} s`);
      stepStarted = Date.now();
    };
    const vmcps = vmcpClient(admin, ns);
    const selector = 'app.kubernetes.io/instance=e2e';
    const alpha = await startServer('alpha', 3);
    const beta = await startServer('beta', 2);
    const spec = {
      config: {
        backends: [
          { name: 'alpha', url: await hostBackendService(admin, ns, 'alpha', alpha.url) },
          { name: 'beta', url: await hostBackendService(admin, ns, 'beta', beta.url) },
        ],
        operational: {
          failureHandling: {
            statusReportingInterval: '3s',
            healthCheckInterval: '1s',
            healthCheckTimeout: '900ms',
            unhealthyThreshold: 1,
          },
        },
      },
    };
    await vmcps.create('e2e', spec);
    const phase = (want: string) =>
      waitForVmcp(ns, 'e2e', `phase ${want}`, (v) => v.status?.phase === want);
    const available = (want: 'True' | 'False', timeoutMs = 90_000) =>
      waitForVmcp(
        ns,
        'e2e',
        `Available=${want}`,
        (v) => conditionOf(v, 'Available')?.status === want,
        timeoutMs,
      );
    const [first] = await waitForReadyPods(admin, ns, selector, 1);
    await phase('Ready');
    await available('True');
    stepDone('created, its pod Ready and the status Ready');

    // A backend goes down and comes back: the runtime pod reports both.
    alpha.mode = 'unavailable';
    await phase('Degraded');
    alpha.mode = 'ok';
    await phase('Ready');
    stepDone('a backend down and back, both reported');

    // statusReportingInterval rolls the pod: one pod left, a new one, the new interval in
    // its args, and Ready.
    const rollTo = async (interval: string) => {
      await vmcps.patchSpec('e2e', {
        config: { operational: { failureHandling: { statusReportingInterval: interval } } },
      });
      await waitFor(
        `one runtime pod, with --interval ${interval}`,
        async () => {
          const pods = (await podsOf(admin, ns, selector)).filter(
            (p) => p.metadata?.deletionTimestamp == null,
          );
          const args = pods[0]?.spec?.containers[0]?.args ?? [];
          return pods.length === 1 && args[args.indexOf('--interval') + 1] === interval;
        },
        120_000,
        250,
      );
      const [pod] = await waitForReadyPods(admin, ns, selector, 1);
      return pod!;
    };

    // 1. The interval change rolls the pod. alpha is down before the roll, so the new pod's
    //    first report (Ready means it was made) already says Degraded and uses the 60 s
    //    window's leading edge.
    alpha.mode = 'unavailable';
    await phase('Degraded');
    const rolled = await rollTo('60s');
    expect(rolled.metadata?.name).to.not.equal(first?.metadata?.name);
    stepDone('rolled on the interval change');

    // 2. `kubectl delete pod`: SIGTERM, and the status still pending lands before the pod is
    //    gone. A detail change (beta serves one more tool) waits for the trailing edge, up
    //    to a minute away, unless the stop flushes it (a phase change would go out at once).
    const before = Number((await readVmcp(ns, 'e2e')).status?.totalToolCount);
    await beta.setToolCount(beta.toolCount + 1);
    await new Promise((resolve) => setTimeout(resolve, 2_000)); // beta's list_changed is seen
    const pending = await readVmcp(ns, 'e2e');
    expect(pending.status?.totalToolCount, 'the change is still pending').to.equal(before);
    const deleted = Date.now();
    kubectl('delete', 'pod', rolled.metadata?.name ?? '', '-n', ns, '--wait=true', '--timeout=60s');
    const flushed = await readVmcp(ns, 'e2e');
    expect(flushed.status?.totalToolCount, 'flushed on SIGTERM').to.equal(before + 1);
    console.log(
      `      the pending status was flushed; the pod was gone ${String(Date.now() - deleted)} ms after kubectl delete`,
    );
    alpha.mode = 'ok';
    // The replacement started while alpha was down: its first report used the
    // 60 s window's leading edge, so their recovery would wait for the trailing edge. Back
    // to 3 s (another roll) so the steps below see changes within seconds.
    const afterDelete = await rollTo('3s');
    await phase('Ready');
    await available('True');
    stepDone('deleted, flushed, and its replacement Ready');

    // 3. SIGKILL: the container restarts; Available turns False and back, and meanwhile
    //    the operator never writes a runtime field: every version of the object seen has
    //    the runtime's fields owned by vmcp-runtime's Apply alone.
    const managersSeen: string[][] = [];
    const { group, version, plural } = vmcpResource();
    const watch = watchOwnObject({
      kubeConfig: admin,
      ref: { group, version, plural, namespace: ns, name: 'e2e' },
      readFirst: true,
      onObject: (_type, object) => {
        const entries = (
          (object.metadata as VmcpJson['metadata'] | undefined)?.managedFields ?? []
        ).filter((m) => m.subresource === 'status');
        managersSeen.push(
          entries.flatMap((m) =>
            managedStatusFields(m.fieldsV1).map((f) => {
              const type = typeof f.item?.type === 'string' ? f.item.type : undefined;
              return `${ownerOf(f.path, type) ?? '?'}:${m.manager}/${m.operation}`;
            }),
          ),
        );
      },
    });
    try {
      const killed = containerTask(node, afterDelete);
      expect(node.ctr(['tasks', 'kill', '--signal', 'SIGKILL', killed.id]).code).to.equal(0);
      await available('False');
      await available('True');
      const restarted = (await podsOf(admin, ns, selector))[0];
      expect(restarted?.status?.containerStatuses?.[0]?.restartCount).to.be.at.least(1);
      expect(managersSeen.length, 'the watch saw the object change').to.be.above(1);
      for (const keys of managersSeen) {
        expect([...new Set(keys)].sort()).to.deep.equal([
          'operator:vmcp-operator/Apply',
          'runtime:vmcp-runtime/Apply',
        ]);
      }
      stepDone('SIGKILL: Available False, restarted, Available True');
    } finally {
      watch.stop();
    }

    // 4. SIGSTOP: frozen, it fails its probes; the kubelet restarts it (liveness) and
    //    Available follows readiness.
    let restartsBefore = 0;
    // The task listed may have ended a moment later (a restart on a loaded machine):
    // freeze the one that runs.
    await waitFor(
      'a running container task to freeze',
      async () => {
        const [beforeFreeze] = await waitForReadyPods(admin, ns, selector, 1);
        restartsBefore = beforeFreeze?.status?.containerStatuses?.[0]?.restartCount ?? 0;
        try {
          process.kill(containerTask(node, beforeFreeze!).pid, 'SIGSTOP');
          return true;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
          throw err;
        }
      },
      90_000,
      500,
    );
    await available('False');
    await available('True', 180_000);
    const [thawed] = await waitForReadyPods(admin, ns, selector, 1);
    expect(thawed?.status?.containerStatuses?.[0]?.restartCount).to.be.above(restartsBefore);
    stepDone('SIGSTOP: Available False, liveness restart, Available True');

    // 5. replicas: 2 runs two runtime pods (one writer among them: the multi-replica work).
    await vmcps.patchSpec('e2e', { replicas: 2 });
    const two = await waitForReadyPods(admin, ns, selector, 2);
    expect(new Set(two.map((p) => p.metadata?.name)).size).to.equal(2);
    await phase('Ready');
    // Both probe; one writes at a time, through the Lease held by one of the two pods.
    alpha.mode = 'unavailable';
    await phase('Degraded');
    const lease = await admin
      .makeApiClient(CoordinationV1Api)
      .readNamespacedLease({ name: statusLeaseName('e2e'), namespace: ns });
    expect(two.map((p) => p.metadata?.name)).to.include(lease.spec?.holderIdentity);
    alpha.mode = 'ok';
    await phase('Ready');
    stepDone('two replicas, one writer');
  });
});
