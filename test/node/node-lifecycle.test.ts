import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { CoreV1Api } from '@kubernetes/client-node';
import { ControlPlane } from '../../tools/cluster/control-plane.js';
import { PAUSE_IMAGE } from '../../tools/cluster/node-config.js';
import { leftovers, readNodeRecord, type NodeRecord } from '../../tools/cluster/node-cleanup.js';
import { waitFor } from '../../tools/cluster/wait-for.js';

/**
 * Runs on its own, after the main run (`npm test` runs it second): one node per machine,
 * and these tests start and stop their own. Everything the node makes (processes,
 * containers, mounts, cgroups, iptables chains, bridge, network namespaces, files
 * outside its folder) must be gone after a stop, after `cluster:down`, and after a
 * crash once the next start has run.
 */
describe('the node leaves nothing behind', function () {
  this.timeout(300_000);

  const expectNothingLeft = (record: NodeRecord): void => {
    const left = leftovers(record);
    expect(left.processes, 'processes').to.deep.equal([]);
    expect(left.cgroupProcesses, 'processes in its cgroups').to.deep.equal([]);
    expect(left.mounts, 'mounts').to.deep.equal([]);
    expect(left.cgroups, 'cgroups').to.deep.equal([]);
    expect(left.chains, 'iptables chains').to.deep.equal([]);
    expect(left.netns, 'network namespaces').to.deep.equal([]);
    expect(left.bridge, 'bridge').to.equal(false);
    expect(left.dir, 'its folder').to.equal(false);
    expect(left.outside, 'files outside its folder').to.deep.equal([]);
    expect(readNodeRecord(), 'its record').to.equal(undefined);
  };

  it('after a crash (SIGKILL of the run), the next start cleans up, runs a pod, and stop removes everything', async () => {
    const crashedDir = mkdtempSync(join(tmpdir(), 'vmcp-crash-'));
    const child = spawn(
      join('node_modules', '.bin', 'tsx'),
      ['test/support/k8s/start-node-process.ts', crashedDir],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await waitFor('the crashing run’s node', () => out.includes('ready'), 180_000, 100);
    const crashed = readNodeRecord();
    expect(crashed?.dir).to.equal(join(crashedDir, 'node'));
    const before = leftovers(crashed!);
    expect(before.bridge, 'a running node has its bridge').to.equal(true);
    expect(before.chains.length, 'and its chains').to.be.above(0);
    expect(before.processes.length, 'and its processes').to.be.above(0);
    // The run's own process (tsx's launcher is its parent): killed, no handler runs.
    process.kill(crashed!.ownerPid, 'SIGKILL');
    await waitFor('the crashed run gone', () => {
      try {
        process.kill(crashed!.ownerPid, 0);
        return false;
      } catch {
        return true;
      }
    });
    if (child.exitCode === null && child.signalCode === null) {
      await new Promise((resolve) => child.once('exit', resolve));
    }
    // Nothing ran its cleanup: the kubelet, containerd and the chains are still there.
    expect(leftovers(crashed!).chains.length).to.be.above(0);

    const plane = await ControlPlane.start({ node: true });
    const record = readNodeRecord()!;
    expect(record.dir).to.not.equal(crashed?.dir);
    expect(leftovers(crashed!).processes, 'the crashed run’s processes').to.deep.equal([]);
    try {
      const core = plane.adminKubeConfig().makeApiClient(CoreV1Api);
      await core.createNamespacedPod({
        namespace: 'default',
        body: {
          metadata: { name: 'sleeper' },
          spec: {
            containers: [{ name: 'pause', image: PAUSE_IMAGE, imagePullPolicy: 'Never' }],
          },
        },
      });
      await waitFor(
        'the pod Running',
        async () =>
          (await core.readNamespacedPod({ name: 'sleeper', namespace: 'default' })).status
            ?.phase === 'Running',
        120_000,
        200,
      );
      const running = leftovers(record);
      expect(running.netns.length + running.cgroupProcesses.length).to.be.above(0);
    } finally {
      await plane.stop();
    }
    expectNothingLeft(record);
    rmSync(crashedDir, { recursive: true, force: true });
  });

  it('npm run cluster:up runs the operator as a pod; npm run cluster:down removes everything', async () => {
    const home = mkdtempSync(join(tmpdir(), 'vmcp-cluster-home-'));
    const cache = join(
      process.env.XDG_CACHE_HOME ?? join(process.env.HOME ?? '/root', '.cache'),
      'vmcp-status',
    );
    const env = {
      ...process.env,
      XDG_CACHE_HOME: home,
      VMCP_K8S_CACHE: join(cache, 'k8s'),
      VMCP_NODE_CACHE: join(cache, 'node'),
      VMCP_IMAGE_CACHE: join(cache, 'image'),
    };
    const run = (script: string) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        const child = spawn('npm', ['run', '--silent', script], { env });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
        child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
        child.once('exit', (code) => {
          resolve({ code: code ?? -1, stdout, stderr });
        });
      });
    const started = Date.now();
    const up = await run('cluster:up');
    expect(up.code, up.stderr).to.equal(0);
    console.log(`      cluster:up took ${String(Math.round((Date.now() - started) / 100) / 10)} s`);
    expect(up.stdout).to.include(
      `export KUBECONFIG=${join(home, 'vmcp-status/cluster/admin.kubeconfig')}`,
    );
    expect(up.stderr).to.include('deployment "vmcp-operator" successfully rolled out');
    const record = readNodeRecord();
    expect(record?.detached).to.equal(true);
    const down = await run('cluster:down');
    expect(down.code, down.stderr).to.equal(0);
    expectNothingLeft(record!);
    rmSync(home, { recursive: true, force: true });
  });
});
