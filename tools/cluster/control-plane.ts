import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeConfig } from '@kubernetes/client-node';
import { ensureBinaries } from './binaries.js';
import { freePort } from './free-port.js';
import { ClusterNode, prepareNodeHost, type NodeHost } from './node.js';
import { cleanUpNode, type NodeRecord } from './node-cleanup.js';
import { nodeNetwork } from './node-network.js';
import { NODE_NAME } from './node-config.js';
import { generateNodePki, generatePki, type ControlPlanePki } from './pki.js';
import { PlaneIdentities, type InPodFolder } from './plane-identities.js';
import { adminGet, type AdminGetResult } from './admin-get.js';
import { ComponentProcesses } from './component-processes.js';
import { apiserverFlags, controllerManagerFlags, etcdFlags } from './component-flags.js';
import { stopDetachedPlane } from './stop-detached-plane.js';
import { waitComponentUp } from './component-readiness.js';
import { forgetOnExit, removeOnExit } from './exit-cleanup.js';

export type { InPodFolder } from './plane-identities.js';

/** Options of {@link ControlPlane.start}. */
export interface ControlPlaneOptions {
  /** Folder of the binaries. Defaults to {@link ensureBinaries} (cache or `KUBEBUILDER_ASSETS`). */
  readonly binDir?: string;
  /** Where certs, etcd data, logs and kubeconfigs go. Defaults to a new temp folder, removed on stop. */
  readonly dir?: string;
  /** Keep the processes running after this process exits (`npm run cluster:up`). */
  readonly detached?: boolean;
  /** Also run kube-controller-manager (garbage collector, Deployment, ReplicaSet controllers). */
  readonly controllerManager?: boolean;
  /**
   * Also run a node (containerd, kubelet, kube-proxy, CoreDNS; root only) and
   * kube-scheduler, with controllers for ServiceAccounts and EndpointSlices: pods run.
   * The apiserver then listens on this host's address on the node's bridge.
   */
  readonly node?: boolean;
  /** OCI archives to load into the node's containerd, as `name`. */
  readonly images?: readonly { readonly archive: string; readonly name: string }[];
}

/** What `kubectl` printed. */
export interface KubectlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

interface State {
  /** The apiserver's address: 127.0.0.1, or this host's address on the node's bridge. */
  readonly host: string;
  readonly etcdPort: number;
  readonly etcdPeerPort: number;
  readonly apiserverPort: number;
  pids: Record<string, number>;
}

/**
 * A real etcd + kube-apiserver (and optionally kube-controller-manager) on loopback:
 * TLS with its own CA, an admin client cert in `system:masters`, RBAC enforced, and
 * service-account signing keys so the TokenRequest API works.
 */
export class ControlPlane implements NodeHost {
  readonly server: string;
  /** The node, when started with `node: true`. */
  node: ClusterNode | undefined;
  /** The admin kubeconfig file (also what `kubectl` here uses). */
  readonly kubeconfigPath: string;
  readonly #processes: ComponentProcesses;
  #stopped = false;
  #nodeRecord: NodeRecord | undefined;
  readonly #identities: PlaneIdentities;

  private constructor(
    readonly dir: string,
    readonly binDir: string,
    readonly pki: ControlPlanePki,
    private readonly state: State,
    private readonly options: ControlPlaneOptions,
    private readonly ownsDir: boolean,
  ) {
    this.server = `https://${state.host}:${String(state.apiserverPort)}`;
    this.kubeconfigPath = join(dir, 'admin.kubeconfig');
    this.#processes = new ComponentProcesses(dir, options.detached === true, (name, pid) => {
      if (pid === undefined) Reflect.deleteProperty(state.pids, name);
      else state.pids[name] = pid;
      writeFileSync(join(dir, 'state.json'), JSON.stringify(state));
    });
    this.#identities = new PlaneIdentities({
      server: this.server,
      pki,
      dir,
      host: state.host,
      port: state.apiserverPort,
    });
  }

  /** Starts etcd and kube-apiserver and waits until `/readyz` answers 200. */
  static async start(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
    const binDir = options.binDir ?? ensureBinaries();
    if (options.node === true && !existsSync(join(binDir, 'kubelet'))) {
      // The oldest apiserver's folder holds a control plane only.
      const release = process.env.VMCP_K8S_APISERVER_VERSION;
      const why = release === undefined ? '' : ` (VMCP_K8S_APISERVER_VERSION=${release})`;
      throw new Error(`a node needs a kubelet, and ${binDir} has none${why}`);
    }
    const ownsDir = options.dir === undefined;
    const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'vmcp-k8s-'));
    mkdirSync(dir, { recursive: true });
    if (ownsDir && options.detached !== true) removeOnExit(dir);
    const network = options.node === true ? nodeNetwork() : undefined;
    const record =
      network === undefined ? undefined : prepareNodeHost(dir, network, options.detached === true);
    const pki = generatePki(
      dir,
      network === undefined ? [] : [network.hostIp, network.kubernetesServiceIp],
    );
    const nodePki =
      network === undefined ? undefined : generateNodePki(dir, NODE_NAME, network.hostIp);
    const state: State = {
      host: network?.hostIp ?? '127.0.0.1',
      etcdPort: await freePort(),
      etcdPeerPort: await freePort(),
      apiserverPort: await freePort(),
      pids: {},
    };
    const plane = new ControlPlane(dir, binDir, pki, state, options, ownsDir);
    plane.#nodeRecord = record;
    writeFileSync(plane.kubeconfigPath, plane.adminKubeConfig().exportConfig(), { mode: 0o600 });
    try {
      await plane.#startEtcd();
      await plane.startApiserver();
      if (options.controllerManager === true || record !== undefined) {
        await plane.startControllerManager();
      }
      if (record !== undefined && nodePki !== undefined) {
        await plane.#startScheduler();
        plane.node = await ClusterNode.start(plane, record, nodePki, options.images ?? []);
      }
    } catch (err) {
      await plane.stop();
      throw err;
    }
    return plane;
  }

  /**
   * Stops a control plane that `start({ detached: true, dir })` left running; waits for
   * its processes to exit and removes everything its node made.
   */
  static stopDetached(dir: string): Promise<boolean> {
    return stopDetachedPlane(dir);
  }

  /** The CA that signs the apiserver's certificate (and every client's). */
  get caCert(): string {
    return this.pki.caCert;
  }

  /** Started with `detached: true`. */
  get detached(): boolean {
    return this.options.detached === true;
  }

  /** The apiserver's address: 127.0.0.1, or this host's address on the node's bridge. */
  get host(): string {
    return this.state.host;
  }

  /** A KubeConfig acting as `admin` (group `system:masters`). */
  adminKubeConfig(): KubeConfig {
    return this.#identities.admin();
  }

  /** Mints a token for `namespace/name` with the TokenRequest API, creating the ServiceAccount if needed. */
  serviceAccountToken(namespace: string, name: string, expirationSeconds = 3600): Promise<string> {
    return this.#identities.serviceAccountToken(namespace, name, expirationSeconds);
  }

  /** A KubeConfig acting as ServiceAccount `namespace/name` (RBAC applies). */
  serviceAccountKubeConfig(namespace: string, name: string): Promise<KubeConfig> {
    return this.#identities.serviceAccount(namespace, name);
  }

  /** A folder with `token`, `ca.crt` and `namespace` as a pod of ServiceAccount `namespace/name` would have. */
  inPodFolder(namespace: string, name: string): Promise<InPodFolder> {
    return this.#identities.inPodFolder(namespace, name);
  }

  /** Runs the real kubectl against this control plane (admin unless `kubeconfig` says otherwise). */
  kubectl(
    args: readonly string[],
    options: { kubeconfig?: string; input?: string } = {},
  ): KubectlResult {
    const result = spawnSync(
      join(this.binDir, 'kubectl'),
      ['--kubeconfig', options.kubeconfig ?? this.kubeconfigPath, ...args],
      {
        encoding: 'utf8',
        input: options.input,
        timeout: 60_000,
      },
    );
    if (result.error !== undefined) throw result.error;
    return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
  }

  /** Starts (or restarts) kube-apiserver on the same port and waits for `/readyz`. etcd's data is kept. */
  async startApiserver(): Promise<void> {
    this.#startBinary(
      'kube-apiserver',
      apiserverFlags({
        dir: this.dir,
        pki: this.pki,
        host: this.state.host,
        port: this.state.apiserverPort,
        etcdPort: this.state.etcdPort,
        serviceCidr: this.#nodeRecord?.network.serviceCidr,
      }),
    );
    await this.#waitReady(180_000);
  }

  /** Stops kube-apiserver (etcd keeps running and keeps the data): the API is unreachable until {@link startApiserver}. */
  async stopApiserver(): Promise<void> {
    await this.#processes.kill('kube-apiserver');
  }

  /** Waits until kube-apiserver answers `/readyz` with 200 (after etcd came back, say). */
  async waitApiserverReady(timeoutMs = 180_000): Promise<void> {
    await this.#waitReady(timeoutMs);
  }

  /** Stops etcd; kube-apiserver keeps running and answers errors until {@link startEtcd}. */
  async stopEtcd(): Promise<void> {
    await this.#processes.kill('etcd');
  }

  /** Starts (or restarts) etcd on the same ports and data folder and waits until it is healthy. */
  async startEtcd(): Promise<void> {
    await this.#startEtcd();
  }

  /** Starts kube-controller-manager: garbage collector, Deployment and ReplicaSet controllers (no kubelet: pods stay Pending). */
  async startControllerManager(): Promise<void> {
    this.#startBinary(
      'kube-controller-manager',
      controllerManagerFlags({
        kubeconfigPath: this.kubeconfigPath,
        pki: this.pki,
        withNode: this.#nodeRecord !== undefined,
      }),
    );
    await sleep(500);
    const child = this.#processes.get('kube-controller-manager');
    if (child?.exitCode != null) {
      throw new Error(
        `kube-controller-manager exited at once:\n${this.logTail('kube-controller-manager')}`,
      );
    }
  }

  /** kube-apiserver's own Prometheus metrics (`/metrics`, as admin), as text. */
  async metrics(): Promise<string> {
    const { statusCode, body } = await this.#adminGet('/metrics', 10_000);
    if (statusCode !== 200) throw new Error(`GET /metrics: HTTP ${String(statusCode)}`);
    return body;
  }

  /** The last lines a component logged: for error messages. */
  logTail(component: string, lines = 30): string {
    return this.#processes.logTail(component, lines);
  }

  /**
   * Stops every process, removes everything the node made, and removes the folder (when
   * this control plane made it). Safe to call twice. Throws when the node left
   * something behind (after stopping everything else).
   */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    let left: string[] = [];
    if (this.node !== undefined) left = await this.node.stop();
    else if (this.#nodeRecord !== undefined) left = cleanUpNode(this.#nodeRecord);
    for (const name of ['kube-scheduler', 'kube-controller-manager', 'kube-apiserver', 'etcd'])
      await this.#processes.kill(name);
    if (this.ownsDir || this.options.detached === true) {
      rmSync(this.dir, { recursive: true, force: true });
      forgetOnExit(this.dir);
    }
    if (left.length > 0) throw new Error(`the node left: ${left.join(', ')}`);
  }

  /** Starts a component (from `path`) with its log in this folder; returns its pid. */
  spawnComponent(
    name: string,
    path: string,
    args: readonly string[],
    env?: NodeJS.ProcessEnv,
  ): number {
    return this.#processes.spawn(name, [...args], path, env);
  }

  /** Stops a component started by {@link spawnComponent} (SIGTERM, then SIGKILL after 10 s). */
  killComponent(name: string): Promise<void> {
    return this.#processes.kill(name);
  }

  /** Sends a signal to a running component (e.g. SIGSTOP to freeze etcd). */
  signalComponent(name: string, signal: NodeJS.Signals): void {
    this.#processes.get(name)?.kill(signal);
  }

  async #startScheduler(): Promise<void> {
    this.#startBinary('kube-scheduler', [
      `--kubeconfig=${this.kubeconfigPath}`,
      '--leader-elect=false',
      '--secure-port=0',
      '--v=1',
    ]);
    await sleep(300);
    const child = this.#processes.get('kube-scheduler');
    if (child?.exitCode != null) {
      throw new Error(`kube-scheduler exited at once:\n${this.logTail('kube-scheduler')}`);
    }
  }

  async #startEtcd(): Promise<void> {
    const { state } = this;
    const client = `http://127.0.0.1:${String(state.etcdPort)}`;
    const peer = `http://127.0.0.1:${String(state.etcdPeerPort)}`;
    this.#startBinary('etcd', etcdFlags(join(this.dir, 'etcd-data'), client, peer));
    await waitComponentUp({
      name: 'etcd',
      timeoutMs: 60_000,
      everyMs: 100,
      check: async () => ((await fetch(`${client}/health`)).ok ? true : `not healthy on ${client}`),
      exited: () => this.#processes.get('etcd')?.exitCode,
      logTail: () => this.logTail('etcd'),
    });
  }

  /** Starts one of the plane's own binaries (from `binDir`). */
  #startBinary(name: string, args: readonly string[]): number {
    return this.#processes.spawn(name, args, join(this.binDir, name));
  }

  #waitReady(timeoutMs: number): Promise<void> {
    return waitComponentUp({
      name: 'kube-apiserver',
      timeoutMs,
      everyMs: 200,
      check: async () => {
        const code = (await this.#adminGet('/readyz', 5_000)).statusCode;
        return code === 200 ? true : `/readyz: HTTP ${String(code)}`;
      },
      exited: () => this.#processes.get('kube-apiserver')?.exitCode,
      logTail: () => this.logTail('kube-apiserver'),
    });
  }

  #adminGet(path: string, timeoutMs: number): Promise<AdminGetResult> {
    return adminGet(
      { host: this.state.host, port: this.state.apiserverPort, pki: this.pki },
      path,
      timeoutMs,
    );
  }
}
