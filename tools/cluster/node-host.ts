/**
 * This machine, before and around the node: its binaries, whether it can run one, and
 * the host state (bridge, guard rules, ip_forward, cgroups) set up before the apiserver
 * starts, recorded for cleanup.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { makeCgroups, nodeCgroupRoot } from './node-cgroups.js';
import {
  cleanUpNode,
  readNodeRecord,
  recordInUse,
  writeNodeRecord,
  type NodeRecord,
} from './node-cleanup.js';
import { installGuard, setSysctl, setUpBridge } from './node-host-network.js';
import type { NodeNetwork } from './node-network.js';

/** The node's own binaries (containerd, shim, ctr, CoreDNS, pause): built by tools/node/ensure-node.sh. */
export function ensureNodeBinaries(): string {
  const script = new URL('../node/ensure-node.sh', import.meta.url).pathname;
  const result = spawnSync('bash', [script], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    throw new Error(
      `${script} failed with exit code ${String(result.status)} (see its messages above)`,
    );
  }
  const dir = result.stdout.trim().split('\n').pop();
  if (dir === undefined || dir === '') throw new Error(`${script} printed no folder`);
  return dir;
}

/** Why the node cannot run here, or undefined when it can. */
export function nodeUnavailableReason(): string | undefined {
  if (process.platform !== 'linux') return 'the node needs Linux';
  if (process.getuid?.() !== 0) return 'the node needs root (containerd, the kubelet and iptables)';
  if (!existsSync('/sys/fs/cgroup/memory'))
    return 'the node needs cgroup v1 with a memory hierarchy';
  return undefined;
}

/**
 * Before the apiserver starts: cleans up what a crashed earlier node left, makes the
 * bridge (the apiserver binds to this host's address on it), the guard rules and
 * `ip_forward`, and records all of it. Throws when another node is running here.
 */
export function prepareNodeHost(dir: string, network: NodeNetwork, detached: boolean): NodeRecord {
  const reason = nodeUnavailableReason();
  if (reason !== undefined) throw new Error(`cannot start the node: ${reason}`);
  const stale = readNodeRecord();
  if (stale !== undefined) {
    if (recordInUse(stale)) {
      throw new Error(
        `another node is running on this machine (started by pid ${String(stale.ownerPid)}, folder ${stale.dir}): stop it first ("npm run cluster:down" for cluster:up)`,
      );
    }
    const left = cleanUpNode(stale);
    if (left.length > 0)
      throw new Error(`cannot clean up the last node's leftovers: ${left.join(', ')}`);
  }
  const record: NodeRecord = {
    dir: join(dir, 'node'),
    planeDir: dir,
    network,
    cgroupRoot: nodeCgroupRoot(),
    cgroupParents: [],
    ipForwardBefore: '0',
    kubeProxy: '',
    ownerPid: process.pid,
    detached,
    pids: {},
  };
  mkdirSync(record.dir, { recursive: true });
  writeNodeRecord(record);
  setUpBridge(network);
  installGuard(network);
  const ipForwardBefore = setSysctl('net.ipv4.ip_forward', '1');
  const cgroupParents = makeCgroups(record.cgroupRoot);
  const prepared = { ...record, ipForwardBefore, cgroupParents };
  writeNodeRecord(prepared);
  return prepared;
}
