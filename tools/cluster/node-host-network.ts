/**
 * The node's footprint in this machine's network: the pods' bridge with this host's
 * address on it, the guard rules that keep pod traffic inside the machine, and the
 * removal of every chain, rule, bridge and network namespace the node (kubelet,
 * kube-proxy, CNI) made.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostCommand } from './host-command.js';
import type { NodeNetwork } from './node-network.js';

/**
 * Our own chain, first in the mangle table's FORWARD (IPv4 and IPv6). Mangle's FORWARD
 * runs after the Service DNAT and before the filter FORWARD, where kube-proxy puts its
 * own chains first (its ACCEPT of masquerade-marked packets would otherwise let a pod
 * reach an external IP of a Service whose endpoint is outside the cluster).
 */
export const GUARD_CHAIN = 'VMCP-NODE-GUARD';

/** The table whose FORWARD chain jumps to {@link GUARD_CHAIN}. */
export const GUARD_TABLE = 'mangle';

/** Chains the node's components create: removed on stop, and by the next start after a crash. */
const NODE_CHAIN = /^(KUBE-|CNI-|VMCP-NODE-)/;

/** Creates the bridge (before the apiserver binds to its address) and brings it up. Idempotent. */
export function setUpBridge(network: NodeNetwork): void {
  const exists = hostCommand('ip', ['link', 'show', network.bridge], { mayFail: true }).code === 0;
  if (!exists) hostCommand('ip', ['link', 'add', network.bridge, 'type', 'bridge']);
  const address = `${network.hostIp}/${String(network.podPrefix)}`;
  const shown = hostCommand('ip', ['-4', 'addr', 'show', 'dev', network.bridge]).stdout;
  if (!shown.includes(` ${address} `)) {
    hostCommand('ip', ['addr', 'add', address, 'dev', network.bridge]);
  }
  hostCommand('ip', ['link', 'set', network.bridge, 'up']);
}

/**
 * Installs the guard: a packet forwarded from the pod range may only go to the pod
 * range (Services are translated to pods or to this host before forwarding, and this
 * host is not forwarded to); nothing from elsewhere is forwarded into the pod range;
 * no IPv6 is forwarded to or from the bridge at all.
 */
export function installGuard(network: NodeNetwork): void {
  for (const tool of ['iptables', 'ip6tables'] as const) {
    const inTable = ['-w', '-t', GUARD_TABLE];
    hostCommand(tool, [...inTable, '-N', GUARD_CHAIN], { mayFail: true });
    hostCommand(tool, [...inTable, '-F', GUARD_CHAIN]);
    const rules =
      tool === 'iptables'
        ? [
            ['-s', network.podCidr, '-d', network.podCidr, '-j', 'RETURN'],
            ['-s', network.podCidr, '-j', 'DROP'],
            ['-d', network.podCidr, '!', '-i', network.bridge, '-j', 'DROP'],
          ]
        : [
            ['-i', network.bridge, '-j', 'DROP'],
            ['-o', network.bridge, '-j', 'DROP'],
          ];
    for (const rule of rules) hostCommand(tool, [...inTable, '-A', GUARD_CHAIN, ...rule]);
    const hooked =
      hostCommand(tool, [...inTable, '-C', 'FORWARD', '-j', GUARD_CHAIN], { mayFail: true })
        .code === 0;
    if (!hooked) hostCommand(tool, [...inTable, '-I', 'FORWARD', '1', '-j', GUARD_CHAIN]);
  }
}

/** Sets a sysctl by its /proc/sys path, returning the previous value. */
export function setSysctl(key: string, value: string): string {
  const path = `/proc/sys/${key.replaceAll('.', '/')}`;
  const previous = readFileSync(path, 'utf8').trim();
  if (previous !== value) writeFileSync(path, value);
  return previous;
}

/** Removes every rule that jumps to a node chain from the built-in chains, then the node chains themselves. */
export function removeNodeChains(): string[] {
  const removed: string[] = [];
  for (const tool of ['iptables', 'ip6tables'] as const) {
    for (const table of ['filter', 'nat', 'mangle', 'raw']) {
      const saved = hostCommand(`${tool}-save`, ['-t', table], { mayFail: true });
      if (saved.code !== 0) continue;
      const chains = new Set<string>();
      const jumps: string[][] = [];
      for (const line of saved.stdout.split('\n')) {
        const declared = /^:(\S+) /.exec(line);
        if (declared?.[1] !== undefined && NODE_CHAIN.test(declared[1])) chains.add(declared[1]);
        const rule = /^-A (\S+) (.*)$/.exec(line);
        const target = / -j (\S+)/.exec(line)?.[1];
        if (rule?.[1] !== undefined && rule[2] !== undefined && target !== undefined) {
          if (NODE_CHAIN.test(target) && !NODE_CHAIN.test(rule[1])) {
            jumps.push([rule[1], ...splitRule(rule[2])]);
          }
        }
      }
      for (const [chain = '', ...spec] of jumps) {
        hostCommand(tool, ['-w', '-t', table, '-D', chain, ...spec], { mayFail: true });
      }
      for (const chain of chains)
        hostCommand(tool, ['-w', '-t', table, '-F', chain], { mayFail: true });
      for (const chain of chains) {
        if (hostCommand(tool, ['-w', '-t', table, '-X', chain], { mayFail: true }).code === 0) {
          removed.push(`${tool}/${table}/${chain}`);
        }
      }
    }
  }
  return removed;
}

/** iptables-save quotes comments with spaces: split a rule back into arguments. */
function splitRule(spec: string): string[] {
  const args: string[] = [];
  const pattern = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let match = pattern.exec(spec); match !== null; match = pattern.exec(spec)) {
    args.push(match[1] !== undefined ? match[1].replace(/\\"/g, '"') : (match[2] ?? ''));
  }
  return args;
}

/** Node chains still present (for the "nothing left" check). */
export function leftoverChains(): string[] {
  const found: string[] = [];
  for (const tool of ['iptables', 'ip6tables'] as const) {
    for (const table of ['filter', 'nat', 'mangle', 'raw']) {
      const saved = hostCommand(`${tool}-save`, ['-t', table], { mayFail: true });
      for (const line of saved.stdout.split('\n')) {
        const declared = /^:(\S+) /.exec(line)?.[1];
        if (declared !== undefined && NODE_CHAIN.test(declared))
          found.push(`${tool}/${table}/${declared}`);
      }
    }
  }
  return found;
}

/** CNI's network namespaces with no process left in them. */
export function idleCniNetns(): string[] {
  let names: string[];
  try {
    names = readdirSync('/run/netns').filter((n) => n.startsWith('cni-'));
  } catch {
    return [];
  }
  return names.filter(
    (name) => hostCommand('ip', ['netns', 'pids', name], { mayFail: true }).stdout.trim() === '',
  );
}

/** Removes the bridge (its veths go with the network namespaces) and CNI's idle namespaces. */
export function removeBridgeAndNetns(network: NodeNetwork): string[] {
  const removed: string[] = [];
  for (const name of idleCniNetns()) {
    hostCommand('ip', ['netns', 'delete', name], { mayFail: true });
    removed.push(`netns/${name}`);
  }
  if (hostCommand('ip', ['link', 'show', network.bridge], { mayFail: true }).code === 0) {
    hostCommand('ip', ['link', 'delete', network.bridge], { mayFail: true });
    removed.push(`link/${network.bridge}`);
  }
  return removed;
}
