import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { ControlPlane } from '../../../tools/cluster/control-plane.js';
import { installCrd } from '../../../tools/cluster/install-crd.js';
import { FaultProxy } from './fault-proxy.js';
import { ThrottlingFront } from './throttling-front.js';

/** What the fault suite runs against; filled in by {@link useFaultCluster}'s `before`. */
export interface FaultCluster {
  /** A control plane of the suite's own (no node): it stops and restarts its processes. */
  readonly plane: ControlPlane;
  readonly admin: KubeConfig;
  /** TCP proxy in front of the apiserver. */
  readonly proxy: FaultProxy;
  /** HTTPS front in front of the apiserver that can answer 429. */
  readonly front: ThrottlingFront;
  readonly namespace: string;
  /** Every `unhandledRejection` the process saw while the suite ran. */
  readonly rejections: unknown[];
}

/**
 * Use in a `describe`: starts a private control plane (the shared one must not see
 * its apiserver and etcd restarted), a fault proxy and a throttling front in front of
 * it, installs the CRD and a namespace; stops everything in `after`. Records every
 * unhandled rejection, so a test can fail on one.
 */
export function useFaultCluster(namespace: string): FaultCluster {
  const cluster = { rejections: [] as unknown[], namespace } as {
    -readonly [K in keyof FaultCluster]: FaultCluster[K];
  };
  const onRejection = (reason: unknown): void => {
    cluster.rejections.push(reason);
  };
  before(async function () {
    this.timeout(30 * 60_000);
    process.on('unhandledRejection', onRejection);
    cluster.plane = await ControlPlane.start({});
    cluster.admin = cluster.plane.adminKubeConfig();
    const { hostname, port } = new URL(cluster.plane.server);
    const target = { host: hostname, port: Number(port) };
    cluster.proxy = await FaultProxy.start(target);
    cluster.front = await ThrottlingFront.start(target, cluster.plane.pki);
    await installCrd(cluster.admin);
    await cluster.admin
      .makeApiClient(CoreV1Api)
      .createNamespace({ body: { metadata: { name: namespace } } });
  });
  after(async function () {
    this.timeout(120_000);
    process.off('unhandledRejection', onRejection);
    // Each is unset when `before` failed before making it.
    const { proxy, front, plane } = cluster as Partial<FaultCluster>;
    await proxy?.close();
    await front?.close();
    await plane?.stop();
  });
  return cluster;
}
