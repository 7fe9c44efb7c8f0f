/**
 * A local cluster for people: `npm run cluster:up` starts etcd, kube-apiserver,
 * kube-controller-manager, kube-scheduler and a node (containerd, kubelet, kube-proxy,
 * CoreDNS; root only) in the background (the same ones the tests use), builds the
 * vmcp-status image from the Containerfile and loads it into the node, installs
 * manifests/ (so the operator runs as a pod) and prints the KUBECONFIG line;
 * `npm run cluster:down` stops everything and removes what it made.
 *
 * `VMCP_CLUSTER_NODE=0` starts the control plane alone (no root needed; pods stay Pending).
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { localClusterDir } from '../src/demo/local-cluster-kubeconfig.js';
import { ControlPlane } from '../tools/cluster/control-plane.js';
import { ensureImage } from '../tools/cluster/image.js';
import { nodeUnavailableReason } from '../tools/cluster/node.js';

const dir = localClusterDir();
const kubeconfig = join(dir, 'admin.kubeconfig');

async function up(): Promise<void> {
  if (existsSync(join(dir, 'state.json'))) {
    console.error(
      `a cluster is already set up in ${dir}; run "npm run cluster:down" first to start afresh`,
    );
    printExports();
    return;
  }
  const node = process.env.VMCP_CLUSTER_NODE !== '0';
  if (node) {
    const reason = nodeUnavailableReason();
    if (reason !== undefined) {
      console.error(
        `cannot start the node: ${reason}; VMCP_CLUSTER_NODE=0 starts the control plane alone`,
      );
      process.exitCode = 1;
      return;
    }
  }
  const started = Date.now();
  const images = node
    ? [
        ensureImage((line) => {
          console.error(line);
        }),
      ]
    : [];
  console.error(
    node
      ? 'starting etcd, kube-apiserver, kube-controller-manager, kube-scheduler and a node (containerd, kubelet, kube-proxy, CoreDNS)...'
      : 'starting etcd, kube-apiserver and kube-controller-manager on loopback...',
  );
  const plane = await ControlPlane.start({
    dir,
    detached: true,
    controllerManager: true,
    node,
    images,
  });
  // The CRD first: one apply cannot create a CRD and an object of its kind.
  const steps = [
    ['apply', '--server-side', '-f', 'manifests/crd/'],
    [
      'wait',
      '--for=condition=Established',
      '--timeout=60s',
      'crd/virtualmcpservers.vmcp-status.dev',
    ],
    ['apply', '--server-side', '-k', 'manifests/'],
    ...(node
      ? [['rollout', 'status', '-n', 'vmcp-system', 'deployment/vmcp-operator', '--timeout=120s']]
      : []),
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
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.error(`cluster up at ${plane.server} in ${seconds} s; kubectl ${plane.binDir}/kubectl`);
  if (node && plane.node !== undefined) {
    const { podCidr, serviceCidr, bridge } = plane.node.network;
    console.error(
      `pods ${podCidr} on bridge ${bridge}, Services ${serviceCidr} (VMCP_POD_CIDR, VMCP_SERVICE_CIDR change them); nothing from them leaves this machine`,
    );
  }
  printExports(plane.binDir);
  console.error(
    'watch a status move: npm run demo:cluster (it prints the kubectl command to run beside it)',
  );
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
