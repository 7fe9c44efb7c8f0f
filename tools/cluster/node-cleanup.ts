/**
 * Removing everything the node made: its processes and containers, mounts, network
 * namespaces, cgroups, iptables chains and bridge. Used by a normal stop and, after a
 * crash, by the next start, from the record the node left in {@link NODE_RECORD}.
 */
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { hostCommand } from './host-command.js';
import { cgroupProcesses, removeCgroups } from './node-cgroups.js';
import {
  idleCniNetns,
  leftoverChains,
  removeBridgeAndNetns,
  removeNodeChains,
  setSysctl,
} from './node-host-network.js';
import type { NodeNetwork } from './node-network.js';

const CNI_RESULTS = '/var/lib/cni/results';
const SHIM_SOCKETS = '/run/containerd/s';
/** Folders outside the node's own that its components create; removed when empty. */
const OUTSIDE_FOLDERS = [
  SHIM_SOCKETS,
  '/run/containerd',
  '/run/netns',
  CNI_RESULTS,
  '/var/lib/cni',
];

/** One node per machine: what it made, for whoever cleans up after it. */
export const NODE_RECORD = '/run/vmcp-status/node.json';

/** What a running node wrote down about itself. */
export interface NodeRecord {
  /** The folder holding all its state (removed at the end). */
  readonly dir: string;
  /** The control plane's folder: its etcd and apiserver are stopped with the node after a crash. */
  readonly planeDir: string;
  readonly network: NodeNetwork;
  readonly cgroupRoot: string;
  readonly cgroupParents: readonly string[];
  /** `net.ipv4.ip_forward` before the node set it. */
  readonly ipForwardBefore: string;
  readonly kubeProxy: string;
  /** The process that started it (a test run, or `npm run cluster:up`). */
  readonly ownerPid: number;
  /** Started detached (`cluster:up`): alive while its kubelet is. */
  readonly detached: boolean;
  /** Its own processes, by component. */
  readonly pids: Record<string, number>;
}

export function readNodeRecord(): NodeRecord | undefined {
  try {
    return JSON.parse(readFileSync(NODE_RECORD, 'utf8')) as NodeRecord;
  } catch {
    return undefined;
  }
}

export function writeNodeRecord(record: NodeRecord): void {
  mkdirSync(dirname(NODE_RECORD), { recursive: true });
  writeFileSync(NODE_RECORD, JSON.stringify(record, null, 2));
}

export function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether the node of `record` is still in use by a live owner. */
export function recordInUse(record: NodeRecord): boolean {
  if (record.ownerPid === process.pid) return true;
  return record.detached ? alive(record.pids.kubelet) : alive(record.ownerPid);
}

/** Processes whose command line names `dir` (containerd, its shims, kubelet, kube-proxy, CoreDNS). */
function processesUsing(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes(dir)) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

/**
 * A killed shim leaves its socket in /run/containerd/s (a fixed path in containerd):
 * remove those nobody listens on any more.
 */
function removeDeadShimSockets(): void {
  let names: string[];
  try {
    names = readdirSync(SHIM_SOCKETS);
  } catch {
    return;
  }
  const listening = hostCommand('ss', ['-xlnH'], { mayFail: true }).stdout;
  for (const name of names) {
    const path = `${SHIM_SOCKETS}/${name}`;
    if (!listening.includes(path)) rmSync(path, { force: true });
  }
}

/** Blocks for `ms` (cleanup must also work where nothing async can run). */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function killAll(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Mount points at or below `dir`, deepest first. */
function mountsUnder(dir: string): string[] {
  const points: string[] = [];
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const point = line.split(' ')[4]?.replace(/\\040/g, ' ');
    if (point !== undefined && (point === dir || point.startsWith(`${dir}/`))) points.push(point);
  }
  return points.sort((a, b) => b.length - a.length);
}

/** What {@link leftovers} found. */
export interface NodeLeftovers {
  readonly processes: number[];
  readonly mounts: string[];
  readonly cgroupProcesses: number[];
  readonly cgroups: string[];
  readonly chains: string[];
  readonly netns: string[];
  readonly bridge: boolean;
  readonly dir: boolean;
  /** Shim sockets and CNI results left outside the node's folder. */
  readonly outside: string[];
}

/** Everything of the node still on this machine: empty lists once it is cleaned up. */
export function leftovers(
  record: Pick<NodeRecord, 'dir' | 'network' | 'cgroupRoot'>,
): NodeLeftovers {
  return {
    processes: processesUsing(record.dir),
    mounts: mountsUnder(record.dir),
    cgroupProcesses: cgroupProcesses(record.cgroupRoot),
    cgroups: existsSync(`/sys/fs/cgroup/memory${record.cgroupRoot}`)
      ? [`/sys/fs/cgroup/memory${record.cgroupRoot}`]
      : [],
    chains: leftoverChains(),
    netns: idleCniNetns(),
    bridge:
      hostCommand('ip', ['link', 'show', record.network.bridge], { mayFail: true }).code === 0,
    dir: existsSync(record.dir),
    outside: outsideLeftovers(),
  };
}

function outsideLeftovers(): string[] {
  const list = (dir: string, keep: (name: string) => boolean): string[] => {
    try {
      return readdirSync(dir)
        .filter(keep)
        .map((name) => `${dir}/${name}`);
    } catch {
      return [];
    }
  };
  return [
    ...list(SHIM_SOCKETS, () => true),
    ...list(CNI_RESULTS, (name) => /^(vmcp-node|cni-loopback)-/.test(name)),
  ];
}

/**
 * Stops and removes everything of the node: every process naming its folder and every
 * process in its cgroups (the containers), then mounts, cgroups, iptables chains (by
 * kube-proxy's own `--cleanup`, then whatever kubelet and CNI left), the bridge and
 * CNI's network namespaces, and finally its folder; restores `ip_forward`. Safe to
 * run twice. Returns what it could not remove (empty when all went). Synchronous, so
 * it also runs from a process's `exit` handler.
 */
export function cleanUpNode(record: NodeRecord): string[] {
  for (let round = 0; round < 50; round++) {
    const pids = [
      ...processesUsing(record.planeDir),
      ...processesUsing(record.dir),
      ...cgroupProcesses(record.cgroupRoot),
    ];
    if (pids.length === 0) break;
    killAll(pids);
    sleepSync(100);
  }
  for (const point of mountsUnder(record.dir)) {
    hostCommand('umount', ['-l', point], { mayFail: true });
  }
  const busyCgroups = removeCgroups(record.cgroupRoot, record.cgroupParents);
  if (existsSync(record.kubeProxy)) hostCommand(record.kubeProxy, ['--cleanup'], { mayFail: true });
  removeNodeChains();
  removeBridgeAndNetns(record.network);
  try {
    setSysctl('net.ipv4.ip_forward', record.ipForwardBefore);
  } catch {
    // not ours to restore (no permission)
  }
  rmSync(record.dir, { recursive: true, force: true });
  // CNI's cache of results (libcni's default, outside ours), then the folders the
  // shims and CNI make outside ours, once empty (a shim may still be removing its
  // socket: try for a moment).
  for (let round = 0; round < 10; round++) {
    try {
      for (const file of readdirSync(CNI_RESULTS).filter((f) =>
        /^(vmcp-node|cni-loopback)-/.test(f),
      )) {
        rmSync(`${CNI_RESULTS}/${file}`, { force: true });
      }
    } catch {
      // none
    }
    removeDeadShimSockets();
    const remaining = OUTSIDE_FOLDERS.filter((dir) => {
      try {
        rmdirSync(dir);
        return false;
      } catch (err) {
        return (err as NodeJS.ErrnoException).code === 'ENOTEMPTY';
      }
    });
    if (remaining.length === 0) break;
    sleepSync(100);
  }
  const left = leftovers(record);
  const problems = [
    ...left.processes.map((p) => `process ${String(p)}`),
    ...left.mounts.map((m) => `mount ${m}`),
    ...left.cgroupProcesses.map((p) => `process ${String(p)} in the node's cgroups`),
    ...busyCgroups.map((c) => `cgroup ${c}`),
    ...left.chains.map((c) => `iptables chain ${c}`),
    ...left.netns.map((n) => `netns ${n}`),
    ...(left.bridge ? [`bridge ${record.network.bridge}`] : []),
    ...(left.dir ? [`folder ${record.dir}`] : []),
    ...left.outside.map((f) => `file ${f}`),
  ];
  if (problems.length === 0 && readNodeRecord()?.dir === record.dir)
    rmSync(NODE_RECORD, { force: true });
  return problems;
}
