/**
 * The local cluster's one node: containerd + runc + CNI, a kubelet with its own node
 * identity, kube-proxy (iptables) and CoreDNS, all on this machine, as root. Pods get
 * addresses on a bridge of this machine; nothing they send leaves it (see
 * node-host-network.ts). Started and stopped by ControlPlane (`node: true`).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { freePort } from './free-port.js';
import { hostCommand } from './host-command.js';
import { coreDnsRbac } from './coredns-rbac.js';
import { applyObjects } from './manifests.js';
import { ensureNodeBinaries } from './node-host.js';
import {
  NODE_NAME,
  PAUSE_IMAGE,
  cniConflist,
  containerdConfig,
  corefile,
  kubeProxyConfig,
  kubeletConfig,
  podResolvConf,
  type NodeLayout,
} from './node-config.js';
import { cleanUpNode, writeNodeRecord, type NodeRecord } from './node-cleanup.js';
import type { NodeNetwork } from './node-network.js';
import { ensurePauseImage } from './pause-image.js';
import type { ClientCert, NodePki } from './pki.js';
import { waitFor } from './wait-for.js';

/** The parts of a control plane the node needs (see ControlPlane). */
export interface NodeHost {
  readonly dir: string;
  readonly binDir: string;
  readonly server: string;
  readonly caCert: string;
  readonly detached: boolean;
  adminKubeConfig(): KubeConfig;
  /** Starts a component with its log in the control plane's folder. */
  spawnComponent(
    name: string,
    path: string,
    args: readonly string[],
    env?: NodeJS.ProcessEnv,
  ): number;
  /** Stops a component started by {@link spawnComponent}. */
  killComponent(name: string): Promise<void>;
  logTail(component: string, lines?: number): string;
}

export { nodeUnavailableReason, prepareNodeHost } from './node-host.js';

/** A running node. */
export class ClusterNode {
  private constructor(
    private readonly host: NodeHost,
    private record: NodeRecord,
    readonly layout: NodeLayout,
    readonly nodeBinDir: string,
  ) {}

  /** The containerd socket (for `ctr --address`). */
  get containerdSocket(): string {
    return this.layout.containerdSocket;
  }

  get network(): NodeNetwork {
    return this.record.network;
  }

  /**
   * Starts containerd, loads the pause image and `images` (OCI archives), then the
   * kubelet, kube-proxy and CoreDNS, and waits until the node is Ready and DNS answers.
   */
  static async start(
    host: NodeHost,
    record: NodeRecord,
    pki: NodePki,
    images: readonly { archive: string; name: string }[] = [],
  ): Promise<ClusterNode> {
    const nodeBinDir = ensureNodeBinaries();
    const d = record.dir;
    const layout: NodeLayout = {
      dir: d,
      containerdRoot: join(d, 'containerd/root'),
      containerdState: join(d, 'containerd/state'),
      containerdSocket: join(d, 'containerd/containerd.sock'),
      runcRoot: join(d, 'runc'),
      cniConfDir: join(d, 'cni/net.d'),
      cniIpamDir: join(d, 'cni/ipam'),
      cniBinDir: '/usr/lib/cni',
      kubeletRoot: join(d, 'kubelet'),
      kubeletCerts: join(d, 'kubelet-pki'),
      podLogs: join(d, 'pod-logs'),
      resolvConf: join(d, 'resolv.conf'),
    };
    for (const folder of [
      layout.cniConfDir,
      layout.cniIpamDir,
      layout.kubeletRoot,
      layout.kubeletCerts,
      layout.podLogs,
      join(d, 'containerd'),
    ]) {
      mkdirSync(folder, { recursive: true });
    }
    const kubeProxyBin = join(host.binDir, 'kube-proxy');
    const node = new ClusterNode(host, { ...record, kubeProxy: kubeProxyBin }, layout, nodeBinDir);
    writeNodeRecord(node.record);
    await node.#startContainerd();
    node.#loadImage(ensurePauseImage(nodeBinDir), PAUSE_IMAGE);
    for (const image of images) node.#loadImage(image.archive, image.name);
    await applyObjects(node.host.adminKubeConfig(), coreDnsRbac());
    await node.#startKubelet(pki);
    await node.#startKubeProxy(pki.kubeProxy);
    await node.#startCoreDns(pki.coredns);
    await node.#waitNodeReady();
    return node;
  }

  /** Imports an OCI archive into containerd's `k8s.io` namespace as `name`. */
  loadImage(archive: string, name: string): void {
    this.#loadImage(archive, name);
  }

  /** Runs `ctr` against the node's containerd (namespace `k8s.io`). */
  ctr(args: readonly string[]): { code: number; stdout: string; stderr: string } {
    return hostCommand(
      join(this.nodeBinDir, 'ctr'),
      ['--address', this.layout.containerdSocket, '-n', 'k8s.io', ...args],
      {
        mayFail: true,
      },
    );
  }

  /** Stops every component and removes everything the node made. Returns what could not be removed. */
  async stop(): Promise<string[]> {
    for (const name of ['coredns', 'kube-proxy', 'kubelet', 'containerd'])
      await this.host.killComponent(name);
    return cleanUpNode(this.record);
  }

  #kubeconfig(name: string, cert: ClientCert): string {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [
        {
          name: 'vmcp-local',
          server: this.host.server,
          caFile: this.host.caCert,
          skipTLSVerify: false,
        },
      ],
      users: [{ name, certFile: cert.cert, keyFile: cert.key }],
      contexts: [{ name, cluster: 'vmcp-local', user: name }],
      currentContext: name,
    });
    const path = join(this.layout.dir, `${name}.kubeconfig`);
    writeFileSync(path, kc.exportConfig(), { mode: 0o600 });
    return path;
  }

  #spawn(name: string, path: string, args: readonly string[], env?: NodeJS.ProcessEnv): void {
    const pid = this.host.spawnComponent(name, path, args, env);
    this.record = { ...this.record, pids: { ...this.record.pids, [name]: pid } };
    writeNodeRecord(this.record);
  }

  async #startContainerd(): Promise<void> {
    const config = join(this.layout.dir, 'containerd.toml');
    writeFileSync(config, containerdConfig(this.layout));
    writeFileSync(
      join(this.layout.cniConfDir, '10-vmcp.conflist'),
      cniConflist(this.layout, this.record.network),
    );
    // The shim must be on containerd's PATH; runc comes from Debian's package.
    const env = { ...process.env, PATH: `${this.nodeBinDir}:/usr/sbin:/usr/bin:/sbin:/bin` };
    this.#spawn(
      'containerd',
      join(this.nodeBinDir, 'containerd'),
      ['--config', config, '--log-level', 'warn'],
      env,
    );
    await waitFor(
      `containerd on ${this.layout.containerdSocket}`,
      () => this.ctr(['version']).code === 0,
      30_000,
      100,
    ).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}\n${this.host.logTail('containerd')}`);
    });
  }

  /**
   * Imports an OCI archive. An archive whose `ref.name` annotation is a whole reference
   * (buildah's) is named by it; umoci's tag-only annotation needs the repository as
   * `--base-name`.
   */
  #loadImage(archive: string, name: string): void {
    const tagOnly = name === PAUSE_IMAGE;
    const args = tagOnly ? ['--base-name', name.slice(0, name.lastIndexOf(':'))] : [];
    const imported = this.ctr(['images', 'import', ...args, archive]);
    if (imported.code !== 0)
      throw new Error(`ctr images import ${archive} failed: ${imported.stderr}`);
    const names = this.ctr(['images', 'ls', '-q']).stdout.split('\n');
    if (!names.includes(name)) {
      throw new Error(
        `image ${name} not in containerd after importing ${archive} (it holds: ${names.join(', ')})`,
      );
    }
  }

  async #startKubelet(pki: NodePki): Promise<void> {
    const config = join(this.layout.dir, 'kubelet.yaml');
    writeFileSync(this.layout.resolvConf, podResolvConf(this.record.network));
    writeFileSync(
      config,
      kubeletConfig(this.layout, this.record.network, {
        cgroupRoot: this.record.cgroupRoot,
        caFile: this.host.caCert,
        servingCert: pki.kubeletServing.cert,
        servingKey: pki.kubeletServing.key,
        port: await freePort(),
        healthzPort: await freePort(),
      }),
    );
    this.#spawn('kubelet', join(this.host.binDir, 'kubelet'), [
      `--config=${config}`,
      `--kubeconfig=${this.#kubeconfig('kubelet', pki.kubelet)}`,
      `--root-dir=${this.layout.kubeletRoot}`,
      `--cert-dir=${this.layout.kubeletCerts}`,
      `--hostname-override=${NODE_NAME}`,
      `--node-ip=${this.record.network.hostIp}`,
      '--v=1',
    ]);
  }

  async #startKubeProxy(cert: ClientCert): Promise<void> {
    const ports = { healthz: await freePort(), metrics: await freePort() };
    const config = join(this.layout.dir, 'kube-proxy.yaml');
    writeFileSync(
      config,
      kubeProxyConfig(this.#kubeconfig('kube-proxy', cert), this.record.network, ports),
    );
    this.#spawn('kube-proxy', join(this.host.binDir, 'kube-proxy'), [
      `--config=${config}`,
      '--v=1',
    ]);
    await waitFor(
      'kube-proxy to program the kubernetes Service',
      () => hostCommand('iptables-save', ['-t', 'nat']).stdout.includes('default/kubernetes:https'),
      60_000,
      200,
    ).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}\n${this.host.logTail('kube-proxy')}`);
    });
  }

  async #startCoreDns(cert: ClientCert): Promise<void> {
    const healthPort = await freePort();
    const file = join(this.layout.dir, 'Corefile');
    writeFileSync(
      file,
      corefile(this.#kubeconfig('coredns', cert), this.record.network, healthPort),
    );
    this.#spawn('coredns', join(this.nodeBinDir, 'coredns'), ['-conf', file]);
    await waitFor(
      'CoreDNS to answer',
      async () => (await fetch(`http://127.0.0.1:${String(healthPort)}/health`)).ok,
      30_000,
      100,
    ).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}\n${this.host.logTail('coredns')}`);
    });
  }

  async #waitNodeReady(): Promise<void> {
    const core = this.host.adminKubeConfig().makeApiClient(CoreV1Api);
    await waitFor(
      `node ${NODE_NAME} Ready`,
      async () => {
        const node = await core.readNode({ name: NODE_NAME });
        const ready = node.status?.conditions?.some(
          (c) => c.type === 'Ready' && c.status === 'True',
        );
        // Schedulable once the node lifecycle controller lifts the not-ready taint.
        return ready === true && (node.spec?.taints ?? []).length === 0;
      },
      120_000,
      250,
    ).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}\n${this.host.logTail('kubelet', 40)}`);
    });
  }
}
