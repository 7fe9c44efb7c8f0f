import { randomBytes } from 'node:crypto';
import { CoreV1Api } from '@kubernetes/client-node';
import { onRunEnd } from '../root-hooks.js';
import { ControlPlane } from '../../../tools/cluster/control-plane.js';
import { ensureImage } from '../../../tools/cluster/image.js';

let shared: Promise<ControlPlane> | undefined;
let sharedWithNode: Promise<ControlPlane> | undefined;

/** Whether the run may start a node (root only): `VMCP_TEST_NODE=0` turns it off. */
export const TEST_NODE = process.env.VMCP_TEST_NODE !== '0';

/**
 * The run's one control plane for integration tests, started on first use and stopped
 * after the last test. It has no node: a Deployment's pods stay Pending, so what a test
 * counts (writes, resourceVersions, reports) is what the test did, not what a pod the
 * operator made did meanwhile. It never skips: when it cannot start, every test that
 * needs it fails with the reason (in CI and on a laptop alike), so a broken setup can't
 * pass as green.
 */
export function sharedControlPlane(): Promise<ControlPlane> {
  shared ??= (async () => {
    const plane = await ControlPlane.start({
      controllerManager: process.env.VMCP_TEST_CONTROLLER_MANAGER !== '0',
    });
    onRunEnd(() => plane.stop());
    return plane;
  })();
  return shared;
}

/** A control plane and a namespace of the calling test file's own. */
export interface TestCluster {
  readonly plane: ControlPlane;
  readonly namespace: string;
}

/**
 * Use in a `describe`: starts (or reuses) the control plane in `before`, creates a
 * fresh namespace named after `prefix` for this file, and deletes it in `after`.
 * The returned object is filled in by the `before` hook.
 */
export function useTestCluster(prefix: string): TestCluster {
  const cluster = { plane: undefined as unknown as ControlPlane, namespace: '' };
  before(async function () {
    // The first caller may wait for the binaries' first build (minutes).
    this.timeout(30 * 60_000);
    cluster.plane = await sharedControlPlane();
    cluster.namespace = `${prefix}-${randomBytes(3).toString('hex')}`;
    await cluster.plane
      .adminKubeConfig()
      .makeApiClient(CoreV1Api)
      .createNamespace({ body: { metadata: { name: cluster.namespace } } });
  });
  after(async () => {
    if (cluster.namespace === '') return;
    // No namespace controller may be running: deletion is best effort and the run's
    // teardown removes everything anyway.
    await cluster.plane
      .adminKubeConfig()
      .makeApiClient(CoreV1Api)
      .deleteNamespace({ name: cluster.namespace })
      .catch(() => undefined);
  });
  return cluster;
}

/**
 * A second control plane with a node (containerd, kubelet, kube-proxy, CoreDNS) running
 * the image built from the Containerfile, for the tests whose subject is pods. It is
 * its own plane so that no pod runs beside the integration tests; stop it with
 * {@link stopSharedNode} when the pod tests are done (and at the run's end anyway).
 * Fails (never skips) when the run may have no node.
 */
export async function sharedNode(): Promise<{
  plane: ControlPlane;
  node: NonNullable<ControlPlane['node']>;
}> {
  if (!TEST_NODE) {
    throw new Error(
      'this test needs the node (pods), and this run has none: VMCP_TEST_NODE=0 turned it off',
    );
  }
  sharedWithNode ??= (async () => {
    const plane = await ControlPlane.start({
      controllerManager: true,
      node: true,
      images: [ensureImage((line) => process.stderr.write(`${line}\n`))],
    });
    onRunEnd(() => plane.stop());
    return plane;
  })();
  const plane = await sharedWithNode;
  if (plane.node === undefined) throw new Error('the control plane started without its node');
  return { plane, node: plane.node };
}

/** Stops the plane of {@link sharedNode} and its node, if one was started. */
export async function stopSharedNode(): Promise<void> {
  const started = sharedWithNode;
  sharedWithNode = undefined;
  if (started !== undefined) await (await started).stop();
}
