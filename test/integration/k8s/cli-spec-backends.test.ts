import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
} from '@kubernetes/client-node';
import type { DiscoveredBackendJson } from '../../../src/apply/status-patch.js';
import {
  startScriptedMcpServer,
  type ScriptedMcpServer,
} from '../../../src/demo/scripted-mcp-server.js';
import { installCrd } from '../../../tools/cluster/install-crd.js';
import { runtimeIdentity } from '../../../tools/cluster/runtime-identity.js';
import { useTestCluster } from '../../support/k8s/shared-control-plane.js';
import { CliProcess, requireBuiltCli } from '../../support/mcp/cli-process.js';
import { waitFor } from '../../../tools/cluster/wait-for.js';
import { vmcpResource } from '../../../src/apply/vmcp-resource.js';

const { group, version, plural } = vmcpResource();

describe('vmcp-status run in Kubernetes mode with backends from the spec (the built binary)', function () {
  const cluster = useTestCluster('clispec');
  let admin: KubeConfig;
  let dir: string;
  const servers: ScriptedMcpServer[] = [];
  const processes: CliProcess[] = [];

  const target = (name: string) => ({ group, version, namespace: cluster.namespace, plural, name });
  const api = (): CustomObjectsApi => admin.makeApiClient(CustomObjectsApi);
  const discovered = async (name: string): Promise<Record<string, string>> => {
    const object = (await api().getNamespacedCustomObject(target(name))) as {
      status?: { discoveredBackends?: DiscoveredBackendJson[] };
    };
    return Object.fromEntries(
      (object.status?.discoveredBackends ?? []).map((b) => [b.name, b.status]),
    );
  };

  before(async () => {
    requireBuiltCli();
    admin = cluster.plane.adminKubeConfig();
    await installCrd(admin);
    dir = await mkdtemp(join(tmpdir(), 'vmcp-status-clispec-'));
    servers.push(
      ...(await Promise.all([
        startScriptedMcpServer({ tools: 3 }),
        startScriptedMcpServer({ tools: 2 }),
      ])),
    );
  });
  afterEach(() => {
    for (const p of processes.splice(0)) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await rm(dir, { recursive: true, force: true });
  });

  it('without --config takes backends and settings from the spec, follows spec changes, and stops with 0 on SIGTERM', async function () {
    this.timeout(120_000);
    const [alpha, beta] = servers as [ScriptedMcpServer, ScriptedMcpServer];
    await api().createNamespacedCustomObject({
      group,
      version,
      namespace: cluster.namespace,
      plural,
      body: {
        apiVersion: `${group}/${version}`,
        kind: 'VirtualMCPServer',
        metadata: { name: 'cli', namespace: cluster.namespace },
        spec: {
          config: {
            backends: [{ name: 'alpha', url: alpha.url }],
            operational: {
              failureHandling: {
                statusReportingInterval: '1s',
                healthCheckInterval: '1h',
                healthCheckTimeout: '5s',
              },
            },
          },
        },
      },
    });
    // The runtime's Role of manifests/runtime/rbac.yaml: get and watch on its object, no list.
    const identity = await runtimeIdentity(cluster.plane, cluster.namespace, 'cli');
    const kubeconfig = join(dir, 'runtime.kubeconfig');
    await writeFile(kubeconfig, identity.exportConfig(), { mode: 0o600 });

    const cli = new CliProcess(['run', '--reporter', 'k8s', '--kubeconfig', kubeconfig], {
      VMCP_NAME: 'cli',
      VMCP_NAMESPACE: cluster.namespace,
    });
    processes.push(cli);
    const started = await cli.line((l) => l.msg === 'vmcp-status started', {
      what: 'the start line',
    });
    expect(started).to.include({
      backends: 'spec',
      interval: '1s',
      probeInterval: '1h',
      reporter: 'k8s',
    });
    await waitFor(
      'alpha ready in the status',
      async () => (await discovered('cli')).alpha === 'ready',
    );

    await api().patchNamespacedCustomObject(
      {
        ...target('cli'),
        body: { spec: { config: { backends: [{ name: 'beta', url: beta.url }] } } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await waitFor('beta replacing alpha without a restart', async () => {
      const now = await discovered('cli');
      return Object.keys(now).join() === 'beta' && now.beta === 'ready';
    });
    expect(cli.lines.some((l) => l.msg === 'VirtualMCPServer spec changed')).to.equal(true);

    cli.child.kill('SIGTERM');
    expect(await cli.exitCode()).to.equal(0);
    expect(cli.lines.filter((l) => (l.level as number) >= 50)).to.deep.equal([]);
  });

  it('exits 0 on SIGTERM while still waiting for a VirtualMCPServer that does not exist', async function () {
    this.timeout(60_000);
    const identity = await runtimeIdentity(cluster.plane, cluster.namespace, 'absent');
    const kubeconfig = join(dir, 'absent.kubeconfig');
    await writeFile(kubeconfig, identity.exportConfig(), { mode: 0o600 });
    const cli = new CliProcess(
      ['run', '--reporter', 'k8s', '--kubeconfig', kubeconfig, '--backends-from', 'spec'],
      { VMCP_NAME: 'absent', VMCP_NAMESPACE: cluster.namespace },
    );
    processes.push(cli);
    await cli.line((l) => typeof l.msg === 'string' && l.msg.includes('not found: waiting'), {
      what: 'the not-found warning',
    });
    cli.child.kill('SIGTERM');
    expect(await cli.exitCode()).to.equal(0);
    expect(cli.lines.some((l) => l.msg === 'vmcp-status started')).to.equal(false);
  });
});
