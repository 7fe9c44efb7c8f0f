/**
 * A local control plane for people: `npm run cluster:up` starts etcd, kube-apiserver
 * and kube-controller-manager in the background (the same ones the tests use), installs
 * manifests/ and prints the KUBECONFIG line; `npm run cluster:down` stops it and removes
 * its data.
 */
import { existsSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ControlPlane } from '../tools/cluster/control-plane.js';

const dir = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'vmcp-status', 'cluster');
const kubeconfig = join(dir, 'admin.kubeconfig');

async function up(): Promise<void> {
  if (existsSync(join(dir, 'state.json'))) {
    console.error(
      `a cluster is already set up in ${dir}; run "npm run cluster:down" first to start afresh`,
    );
    printExports();
    return;
  }
  console.error('starting etcd, kube-apiserver and kube-controller-manager on loopback...');
  const plane = await ControlPlane.start({ dir, detached: true, controllerManager: true });
  // The CRD first: one apply cannot create a CRD and an object of its kind.
  const steps = [
    ['apply', '--server-side', '-f', 'manifests/crd/'],
    [
      'wait',
      '--for=condition=Established',
      '--timeout=60s',
      'crd/virtualmcpservers.toolhive.stacklok.dev',
    ],
    ['apply', '--server-side', '-k', 'manifests/'],
  ];
  let failed = false;
  for (const step of steps) {
    const result = plane.kubectl(step);
    process.stderr.write(result.stdout + result.stderr);
    if (result.code !== 0) {
      failed = true;
      break;
    }
  }
  if (failed) {
    console.error(
      'installing manifests/ failed; the cluster is still up ("npm run cluster:down" stops it)',
    );
    process.exitCode = 1;
  }
  console.error(`cluster up at ${plane.server}; kubectl ${plane.binDir}/kubectl`);
  printExports(plane.binDir);
}

function printExports(binDir?: string): void {
  console.log(`export KUBECONFIG=${kubeconfig}`);
  if (binDir !== undefined) console.log(`export PATH=${binDir}:$PATH`);
}

async function down(): Promise<void> {
  const stopped = await ControlPlane.stopDetached(dir);
  rmSync(dir, { recursive: true, force: true });
  console.error(stopped ? `cluster stopped and ${dir} removed` : `no cluster in ${dir}`);
}

const command = process.argv[2];
if (command === 'up') {
  await up();
} else if (command === 'down') {
  await down();
} else {
  console.error('usage: tsx scripts/cluster.ts up|down');
  process.exitCode = 2;
}
