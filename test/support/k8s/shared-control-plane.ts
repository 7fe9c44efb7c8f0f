import { randomBytes } from 'node:crypto';
import { CoreV1Api } from '@kubernetes/client-node';
import { onRunEnd } from '../root-hooks.js';
import { ControlPlane } from '../../../tools/cluster/control-plane.js';

let shared: Promise<ControlPlane> | undefined;

/**
 * The run's one control plane, started on first use and stopped after the last test.
 * It never skips: when it cannot start, every test that needs it fails with the reason
 * (in CI and on a laptop alike), so a broken setup can't pass as green.
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
