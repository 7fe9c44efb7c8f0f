import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { ensureBinaries } from './binaries.js';
import { freePort } from './free-port.js';
import { ClusterNode, prepareNodeHost, type NodeHost } from './node.js';
import { cleanUpNode, readNodeRecord, type NodeRecord } from './node-cleanup.js';
import { nodeNetwork } from './node-network.js';
import { NODE_NAME } from './node-config.js';
import { generateNodePki, generatePki, type ControlPlanePki } from './pki.js';

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

/** A folder laid out like a pod's service-account mount, and the env a pod would have. */
export interface InPodFolder {
  /** Pass as `KubeConfig.loadFromCluster(pathPrefix)`. */
  readonly pathPrefix: string;
  /** Holds `token`, `ca.crt` and `namespace`. */
  readonly serviceAccountDir: string;
  readonly env: {
    readonly KUBERNETES_SERVICE_HOST: string;
    readonly KUBERNETES_SERVICE_PORT: string;
  };
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

const live = new Set<ChildProcess>();
const ownedDirs = new Set<string>();
// Whatever ends this process (a failed run, Ctrl-C, process.exit), no etcd,
// kube-apiserver or node outlives it unless it was started detached.
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
  const node = readNodeRecord();
  if (node !== undefined && node.ownerPid === process.pid && !node.detached) cleanUpNode(node);
  for (const dir of ownedDirs) rmSync(dir, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.exit(130);
  });
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
  readonly #processes = new Map<string, ChildProcess>();
  #stopped = false;
  #nodeRecord: NodeRecord | undefined;

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
  }

  /** Starts etcd and kube-apiserver and waits until `/readyz` answers 200. */
  static async start(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
    const binDir = options.binDir ?? ensureBinaries();
    const ownsDir = options.dir === undefined;
    const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'vmcp-k8s-'));
    mkdirSync(dir, { recursive: true });
    if (ownsDir && options.detached !== true) ownedDirs.add(dir);
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
  static async stopDetached(dir: string): Promise<boolean> {
    let state: State;
    try {
      state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as State;
    } catch {
      return false;
    }
    const alive = (pid: number): boolean => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    const pids = Object.values(state.pids).filter(alive);
    for (const pid of pids) process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 100 && pids.some(alive); i++) await sleep(100);
    for (const pid of pids.filter(alive)) process.kill(pid, 'SIGKILL');
    const record = readNodeRecord();
    if (record !== undefined && record.dir.startsWith(`${dir}/`)) {
      const left = cleanUpNode(record);
      if (left.length > 0) throw new Error(`the node left: ${left.join(', ')}`);
    }
    return true;
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
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [
        { name: 'vmcp-test', server: this.server, caFile: this.pki.caCert, skipTLSVerify: false },
      ],
      users: [{ name: 'admin', certFile: this.pki.adminCert, keyFile: this.pki.adminKey }],
      contexts: [{ name: 'admin', cluster: 'vmcp-test', user: 'admin', namespace: 'default' }],
      currentContext: 'admin',
    });
    return kc;
  }

  /** Mints a token for `namespace/name` with the TokenRequest API, creating the ServiceAccount if needed. */
  async serviceAccountToken(
    namespace: string,
    name: string,
    expirationSeconds = 3600,
  ): Promise<string> {
    const core = this.adminKubeConfig().makeApiClient(CoreV1Api);
    try {
      await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
    } catch (err) {
      if ((err as { code?: number }).code !== 409) throw err;
    }
    const response = await core.createNamespacedServiceAccountToken({
      namespace,
      name,
      body: { spec: { audiences: [], expirationSeconds } },
    });
    const token = response.status?.token;
    if (token === undefined)
      throw new Error(`TokenRequest for ${namespace}/${name} returned no token`);
    return token;
  }

  /** A KubeConfig acting as ServiceAccount `namespace/name` (RBAC applies). */
  async serviceAccountKubeConfig(namespace: string, name: string): Promise<KubeConfig> {
    const token = await this.serviceAccountToken(namespace, name);
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [
        { name: 'vmcp-test', server: this.server, caFile: this.pki.caCert, skipTLSVerify: false },
      ],
      users: [{ name: `${namespace}-${name}`, token }],
      contexts: [{ name: 'sa', cluster: 'vmcp-test', user: `${namespace}-${name}`, namespace }],
      currentContext: 'sa',
    });
    return kc;
  }

  /** A folder with `token`, `ca.crt` and `namespace` as a pod of ServiceAccount `namespace/name` would have. */
  async inPodFolder(namespace: string, name: string): Promise<InPodFolder> {
    const token = await this.serviceAccountToken(namespace, name);
    const pathPrefix = mkdtempSync(join(this.dir, 'pod-'));
    const serviceAccountDir = join(pathPrefix, 'var/run/secrets/kubernetes.io/serviceaccount');
    mkdirSync(serviceAccountDir, { recursive: true });
    writeFileSync(join(serviceAccountDir, 'token'), token, { mode: 0o600 });
    writeFileSync(join(serviceAccountDir, 'ca.crt'), readFileSync(this.pki.caCert));
    writeFileSync(join(serviceAccountDir, 'namespace'), namespace);
    return {
      pathPrefix,
      serviceAccountDir,
      env: {
        KUBERNETES_SERVICE_HOST: this.state.host,
        KUBERNETES_SERVICE_PORT: String(this.state.apiserverPort),
      },
    };
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
    const { pki, state } = this;
    const node = this.#nodeRecord;
    const nodeFlags =
      node === undefined
        ? [
            '--authorization-mode=RBAC',
            '--service-cluster-ip-range=10.0.0.0/24',
            // No controller makes default ServiceAccounts or their tokens in a bare control plane.
            '--disable-admission-plugins=ServiceAccount',
            '--endpoint-reconciler-type=none',
          ]
        : [
            // The kubelet acts as system:node:<name>: the Node authorizer and NodeRestriction limit it to its own pods.
            '--authorization-mode=Node,RBAC',
            '--enable-admission-plugins=NodeRestriction',
            `--service-cluster-ip-range=${node.network.serviceCidr}`,
            `--kubelet-client-certificate=${join(this.dir, 'apiserver-kubelet-client.crt')}`,
            `--kubelet-client-key=${join(this.dir, 'apiserver-kubelet-client.key')}`,
            '--kubelet-preferred-address-types=InternalIP',
          ];
    this.#spawn('kube-apiserver', [
      `--etcd-servers=http://127.0.0.1:${String(state.etcdPort)}`,
      `--bind-address=${state.host}`,
      `--advertise-address=${state.host}`,
      `--secure-port=${String(state.apiserverPort)}`,
      `--cert-dir=${join(this.dir, 'apiserver-certs')}`,
      `--tls-cert-file=${pki.servingCert}`,
      `--tls-private-key-file=${pki.servingKey}`,
      `--client-ca-file=${pki.caCert}`,
      ...nodeFlags,
      '--service-account-issuer=https://kubernetes.default.svc',
      `--service-account-key-file=${pki.serviceAccountPub}`,
      `--service-account-signing-key-file=${pki.serviceAccountKey}`,
      '--allow-privileged=true',
      '--enable-priority-and-fairness=false',
      '--v=1',
    ]);
    await this.#waitReady(180_000);
  }

  /** Stops kube-apiserver (etcd keeps running and keeps the data): the API is unreachable until {@link startApiserver}. */
  async stopApiserver(): Promise<void> {
    await this.#kill('kube-apiserver');
  }

  /** Waits until kube-apiserver answers `/readyz` with 200 (after etcd came back, say). */
  async waitApiserverReady(timeoutMs = 180_000): Promise<void> {
    await this.#waitReady(timeoutMs);
  }

  /** Stops etcd; kube-apiserver keeps running and answers errors until {@link startEtcd}. */
  async stopEtcd(): Promise<void> {
    await this.#kill('etcd');
  }

  /** Starts (or restarts) etcd on the same ports and data folder and waits until it is healthy. */
  async startEtcd(): Promise<void> {
    await this.#startEtcd();
  }

  /** Starts kube-controller-manager: garbage collector, Deployment and ReplicaSet controllers (no kubelet: pods stay Pending). */
  async startControllerManager(): Promise<void> {
    const controllers = [
      'garbage-collector-controller',
      'deployment-controller',
      'replicaset-controller',
      'namespace-controller',
      // With a node: pods need their namespace's default ServiceAccount and kube-root-ca.crt,
      // Services their EndpointSlices, and a gone pod its cleanup.
      ...(this.#nodeRecord === undefined
        ? []
        : [
            'serviceaccount-controller',
            'root-ca-certificate-publisher-controller',
            'endpointslice-controller',
            'endpoints-controller',
            'pod-garbage-collector-controller',
            // Lifts the not-ready taint a node registers with, once it is Ready.
            'node-lifecycle-controller',
          ]),
    ];
    this.#spawn('kube-controller-manager', [
      `--kubeconfig=${this.kubeconfigPath}`,
      `--controllers=${controllers.join(',')}`,
      '--leader-elect=false',
      '--secure-port=0',
      `--service-account-private-key-file=${this.pki.serviceAccountKey}`,
      `--root-ca-file=${this.pki.caCert}`,
      '--v=1',
    ]);
    await sleep(500);
    const child = this.#processes.get('kube-controller-manager');
    if (child?.exitCode != null) {
      throw new Error(
        `kube-controller-manager exited at once:\n${this.logTail('kube-controller-manager')}`,
      );
    }
  }

  /** kube-apiserver's own Prometheus metrics (`/metrics`, as admin), as text. */
  metrics(): Promise<string> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: this.state.apiserverPort,
          path: '/metrics',
          ca: readFileSync(this.pki.caCert),
          cert: readFileSync(this.pki.adminCert),
          key: readFileSync(this.pki.adminKey),
          timeout: 10_000,
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => {
            if (res.statusCode === 200) resolve(body);
            else reject(new Error(`GET /metrics: HTTP ${String(res.statusCode)}`));
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      req.end();
    });
  }

  /** The last lines a component logged: for error messages. */
  logTail(component: string, lines = 30): string {
    try {
      return readFileSync(join(this.dir, `${component}.log`), 'utf8')
        .split('\n')
        .slice(-lines)
        .join('\n');
    } catch {
      return '(no log)';
    }
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
      await this.#kill(name);
    if (this.ownsDir || this.options.detached === true) {
      rmSync(this.dir, { recursive: true, force: true });
      ownedDirs.delete(this.dir);
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
    return this.#spawn(name, [...args], path, env);
  }

  /** Stops a component started by {@link spawnComponent} (SIGTERM, then SIGKILL after 10 s). */
  killComponent(name: string): Promise<void> {
    return this.#kill(name);
  }

  /** Sends a signal to a running component (e.g. SIGSTOP to freeze etcd). */
  signalComponent(name: string, signal: NodeJS.Signals): void {
    this.#processes.get(name)?.kill(signal);
  }

  async #startScheduler(): Promise<void> {
    this.#spawn('kube-scheduler', [
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
    this.#spawn('etcd', [
      `--data-dir=${join(this.dir, 'etcd-data')}`,
      `--listen-client-urls=${client}`,
      `--advertise-client-urls=${client}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=default=${peer}`,
      '--unsafe-no-fsync',
      '--log-level=warn',
    ]);
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        const response = await fetch(`${client}/health`);
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      if (this.#processes.get('etcd')?.exitCode != null || Date.now() > deadline) {
        throw new Error(`etcd did not become healthy on ${client}:\n${this.logTail('etcd')}`);
      }
      await sleep(100);
    }
  }

  #spawn(
    name: string,
    args: string[],
    path = join(this.binDir, name),
    env: NodeJS.ProcessEnv = process.env,
  ): number {
    const detached = this.options.detached === true;
    const log = openSync(join(this.dir, `${name}.log`), 'a');
    const child = spawn(path, args, { stdio: ['ignore', log, log], detached, env });
    closeSync(log);
    if (child.pid === undefined) throw new Error(`cannot start ${path}`);
    this.#processes.set(name, child);
    if (detached) child.unref();
    else live.add(child);
    child.once('exit', () => live.delete(child));
    this.state.pids[name] = child.pid;
    writeFileSync(join(this.dir, 'state.json'), JSON.stringify(this.state));
    return child.pid;
  }

  async #kill(name: string): Promise<void> {
    const child = this.#processes.get(name);
    this.#processes.delete(name);
    Reflect.deleteProperty(this.state.pids, name);
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => {
      child.once('exit', () => {
        resolve();
      });
    });
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
    live.delete(child);
  }

  async #waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last: string;
    for (;;) {
      const child = this.#processes.get('kube-apiserver');
      if (child?.exitCode != null) {
        throw new Error(
          `kube-apiserver exited with code ${String(child.exitCode)}:\n${this.logTail('kube-apiserver')}`,
        );
      }
      try {
        const code = await this.#get('/readyz');
        if (code === 200) return;
        last = `HTTP ${String(code)}`;
      } catch (err) {
        last = (err as Error).message;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `kube-apiserver not ready after ${String(timeoutMs)} ms (${last}):\n${this.logTail('kube-apiserver')}`,
        );
      }
      await sleep(200);
    }
  }

  #get(path: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: this.state.host,
          port: this.state.apiserverPort,
          path,
          method: 'GET',
          ca: readFileSync(this.pki.caCert),
          cert: readFileSync(this.pki.adminCert),
          key: readFileSync(this.pki.adminKey),
          timeout: 5000,
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      req.end();
    });
  }
}
