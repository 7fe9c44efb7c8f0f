/**
 * The addresses of the local cluster's one node: a pod range on a bridge of this
 * machine and a Service range that exists only in this machine's iptables rules.
 * Nothing in either range is routed anywhere else: the node's own rules drop any
 * forwarded packet from the pod range to an address outside the cluster.
 */
import { ConfigError } from '../../src/errors.js';

/** Where the node's pods and Services live. */
export interface NodeNetwork {
  /** The Linux bridge pods are attached to. */
  readonly bridge: string;
  /** Pod addresses (CNI host-local), e.g. `10.244.0.0/24`. */
  readonly podCidr: string;
  /** This machine's address on the bridge: the pods' gateway, the apiserver, cluster DNS. */
  readonly hostIp: string;
  /** Prefix length of {@link podCidr}. */
  readonly podPrefix: number;
  /** ClusterIP Services, e.g. `10.0.0.0/24`. */
  readonly serviceCidr: string;
  /** The `kubernetes` Service's ClusterIP (the first address of the Service range). */
  readonly kubernetesServiceIp: string;
}

/** The defaults: change them with `VMCP_POD_CIDR` and `VMCP_SERVICE_CIDR` when they clash with a network of yours. */
export const DEFAULT_POD_CIDR = '10.244.0.0/24';
export const DEFAULT_SERVICE_CIDR = '10.0.0.0/24';

function parseCidr(field: string, value: string): { base: number; prefix: number } {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
  const octets = match?.slice(1, 5).map(Number) ?? [];
  const prefix = Number(match?.[5]);
  if (match === null || octets.some((o) => o > 255) || prefix < 8 || prefix > 28) {
    throw new ConfigError(
      field,
      'an IPv4 CIDR with a prefix from /8 to /28, e.g. 10.244.0.0/24',
      value,
    );
  }
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  if (address % size !== 0) {
    throw new ConfigError(
      field,
      `a network address (the host bits zero) for /${String(prefix)}`,
      value,
    );
  }
  return { base: address, prefix };
}

function ipOf(address: number): string {
  return [24, 16, 8, 0].map((shift) => String(Math.floor(address / 2 ** shift) % 256)).join('.');
}

/** The node's network from the environment (`VMCP_POD_CIDR`, `VMCP_SERVICE_CIDR`, `VMCP_NODE_BRIDGE`). Pure. */
export function nodeNetwork(env: NodeJS.ProcessEnv = process.env): NodeNetwork {
  const podCidr = env.VMCP_POD_CIDR ?? DEFAULT_POD_CIDR;
  const serviceCidr = env.VMCP_SERVICE_CIDR ?? DEFAULT_SERVICE_CIDR;
  const bridge = env.VMCP_NODE_BRIDGE ?? 'vmcp0';
  if (!/^[a-z][a-z0-9-]{0,14}$/.test(bridge)) {
    throw new ConfigError('VMCP_NODE_BRIDGE', 'an interface name of at most 15 characters', bridge);
  }
  const pods = parseCidr('VMCP_POD_CIDR', podCidr);
  const services = parseCidr('VMCP_SERVICE_CIDR', serviceCidr);
  const overlap =
    pods.base < services.base + 2 ** (32 - services.prefix) &&
    services.base < pods.base + 2 ** (32 - pods.prefix);
  if (overlap) {
    throw new ConfigError(
      'VMCP_SERVICE_CIDR',
      `a range that does not overlap VMCP_POD_CIDR ${podCidr}`,
      serviceCidr,
    );
  }
  return {
    bridge,
    podCidr,
    hostIp: ipOf(pods.base + 1),
    podPrefix: pods.prefix,
    serviceCidr,
    kubernetesServiceIp: ipOf(services.base + 1),
  };
}
