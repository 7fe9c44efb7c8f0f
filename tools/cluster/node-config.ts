/**
 * The node's configuration files, built as text from the folder layout and the
 * network: containerd, CNI, kubelet, kube-proxy and CoreDNS. Pure: what ran a pod on
 * this kind of machine is in ../shared/research/node-recipe.md.
 */
import { stringify } from 'yaml';
import type { NodeNetwork } from './node-network.js';

/** The sandbox image, pinned in containerd so the kubelet never pulls it. Built locally. */
export const PAUSE_IMAGE = 'registry.k8s.io/pause:3.10';

/** The node's name: its kubelet acts as `system:node:vmcp-node`. */
export const NODE_NAME = 'vmcp-node';

/** Where everything the node writes goes (one folder to remove). */
export interface NodeLayout {
  readonly dir: string;
  readonly containerdRoot: string;
  readonly containerdState: string;
  readonly containerdSocket: string;
  readonly runcRoot: string;
  readonly cniConfDir: string;
  readonly cniIpamDir: string;
  readonly cniBinDir: string;
  readonly kubeletRoot: string;
  readonly kubeletCerts: string;
  readonly podLogs: string;
  readonly resolvConf: string;
}

/** containerd 2.x, config version 3, everything under the node folder. */
export function containerdConfig(layout: NodeLayout): string {
  return `version = 3
root = ${JSON.stringify(layout.containerdRoot)}
state = ${JSON.stringify(layout.containerdState)}
disabled_plugins = ["io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]

[grpc]
  address = ${JSON.stringify(layout.containerdSocket)}

[plugins."io.containerd.cri.v1.images"]
  snapshotter = "overlayfs"
  [plugins."io.containerd.cri.v1.images".pinned_images]
    sandbox = ${JSON.stringify(PAUSE_IMAGE)}

[plugins."io.containerd.cri.v1.runtime"]
  # This machine refuses to lower oom_score_adj (the kubelet asks -998 for sandboxes).
  restrict_oom_score_adj = true
  [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc]
    runtime_type = "io.containerd.runc.v2"
    [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc.options]
      SystemdCgroup = false
      Root = ${JSON.stringify(layout.runcRoot)}
  [plugins."io.containerd.cri.v1.runtime".cni]
    bin_dirs = [${JSON.stringify(layout.cniBinDir)}]
    conf_dir = ${JSON.stringify(layout.cniConfDir)}

[plugins."io.containerd.grpc.v1.cri"]
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
`;
}

/**
 * Pods on a bridge of this machine, addresses from host-local. `ipMasq: false`: pod
 * traffic is never translated onto an uplink (and the node's rules drop it anyway).
 */
export function cniConflist(layout: NodeLayout, network: NodeNetwork): string {
  return JSON.stringify(
    {
      cniVersion: '1.0.0',
      name: 'vmcp-node',
      plugins: [
        {
          type: 'bridge',
          bridge: network.bridge,
          isGateway: true,
          ipMasq: false,
          hairpinMode: true,
          ipam: {
            type: 'host-local',
            dataDir: layout.cniIpamDir,
            ranges: [[{ subnet: network.podCidr, gateway: network.hostIp }]],
            routes: [{ dst: '0.0.0.0/0' }],
          },
        },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    },
    null,
    2,
  );
}

/** What the kubelet needs to know beyond the layout. */
export interface KubeletSettings {
  readonly cgroupRoot: string;
  readonly caFile: string;
  readonly servingCert: string;
  readonly servingKey: string;
  readonly port: number;
  readonly healthzPort: number;
}

/** A KubeletConfiguration for this machine: cgroup v1, cgroupfs, no swap or eviction surprises. */
export function kubeletConfig(
  layout: NodeLayout,
  network: NodeNetwork,
  settings: KubeletSettings,
): string {
  return stringify({
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    // The kernel here has cgroup v1 (a hybrid layout) and no systemd.
    failCgroupV1: false,
    cgroupDriver: 'cgroupfs',
    // Under this machine's own memory cgroup, so pods stay inside its limits.
    cgroupRoot: settings.cgroupRoot,
    containerRuntimeEndpoint: `unix://${layout.containerdSocket}`,
    authentication: {
      anonymous: { enabled: false },
      webhook: { enabled: true },
      x509: { clientCAFile: settings.caFile },
    },
    authorization: { mode: 'Webhook' },
    address: network.hostIp,
    port: settings.port,
    readOnlyPort: 0,
    healthzBindAddress: '127.0.0.1',
    healthzPort: settings.healthzPort,
    tlsCertFile: settings.servingCert,
    tlsPrivateKeyFile: settings.servingKey,
    clusterDomain: 'cluster.local',
    clusterDNS: [network.hostIp],
    resolvConf: layout.resolvConf,
    podLogsDir: layout.podLogs,
    failSwapOn: false,
    enforceNodeAllocatable: [],
    localStorageCapacityIsolation: false,
    evictionHard: {
      'memory.available': '1Mi',
      'nodefs.available': '1%',
      'imagefs.available': '1%',
    },
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    // Probes and status as a real node does them, a little quicker to settle.
    nodeStatusUpdateFrequency: '5s',
    syncFrequency: '10s',
    fileCheckFrequency: '10s',
    serializeImagePulls: false,
    maxPods: 60,
    makeIPTablesUtilChains: true,
    shutdownGracePeriod: '0s',
    // A crashed or liveness-killed container comes back within 2 s, not after the
    // default 10 s, 20 s, 40 s ... backoff: a local cluster shows recovery, not waiting.
    crashLoopBackOff: { maxContainerRestartPeriod: '2s' },
  });
}

/** kube-proxy in iptables mode, NodePorts on the bridge address only, conntrack left as it is. */
export function kubeProxyConfig(
  kubeconfig: string,
  network: NodeNetwork,
  ports: { readonly healthz: number; readonly metrics: number },
): string {
  return stringify({
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    clientConnection: { kubeconfig },
    hostnameOverride: NODE_NAME,
    mode: 'iptables',
    clusterCIDR: network.podCidr,
    bindAddress: network.hostIp,
    healthzBindAddress: `127.0.0.1:${String(ports.healthz)}`,
    metricsBindAddress: `127.0.0.1:${String(ports.metrics)}`,
    nodePortAddresses: [`${network.hostIp}/32`],
    conntrack: {
      maxPerCore: 0,
      min: 0,
      tcpEstablishedTimeout: '0s',
      tcpCloseWaitTimeout: '0s',
    },
    iptables: { syncPeriod: '30s', minSyncPeriod: '0s' },
  });
}

/**
 * CoreDNS answering for `cluster.local` from the apiserver, on the bridge address. No
 * `forward`: a name outside the cluster is never asked of anyone else.
 */
export function corefile(kubeconfig: string, network: NodeNetwork, healthPort: number): string {
  return `.:53 {
    bind ${network.hostIp}
    errors
    health 127.0.0.1:${String(healthPort)}
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        kubeconfig ${kubeconfig}
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
        ttl 5
    }
    cache 5
}
`;
}

/** The pods' resolv.conf for `dnsPolicy: Default`: cluster DNS only, never this machine's resolvers. */
export function podResolvConf(network: NodeNetwork): string {
  return `nameserver ${network.hostIp}\noptions ndots:5\n`;
}
