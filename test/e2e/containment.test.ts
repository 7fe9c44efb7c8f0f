import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { ControlPlane } from '../../tools/cluster/control-plane.js';
import { hostCommand } from '../../tools/cluster/host-command.js';
import { applyObjects } from '../../tools/cluster/manifests.js';
import { GUARD_CHAIN, GUARD_TABLE } from '../../tools/cluster/node-host-network.js';
import { PAUSE_IMAGE } from '../../tools/cluster/node-config.js';
import type { NodeNetwork } from '../../tools/cluster/node-network.js';
import { waitFor } from '../../tools/cluster/wait-for.js';
import { sharedNode } from '../support/k8s/shared-control-plane.js';

/** TEST-NET-2 (RFC 5737): an address outside the cluster that nothing on this machine uses. */
const OUTSIDE = '198.51.100.7';
/** Another one, as a Service's external IP. */
const OUTSIDE_EXTERNAL_IP = '198.51.100.8';
const PORT = 9;

/**
 * The node's promise: no packet from the pod range leaves this machine. Each case
 * first checks that the guard is in place ahead of every other forwarding rule, and
 * only then sends (so a missing guard fails the test without a packet going out),
 * from a real pod's network namespace, and counts the packets the guard dropped.
 */
describe('on the node: nothing from the pod range leaves this machine', function () {
  let plane: ControlPlane;
  let network: NodeNetwork;
  let admin: KubeConfig;
  let podNetns: string;
  const ns = `e2e-guard-${randomBytes(3).toString('hex')}`;

  /** The guard's rules, as `iptables -S` prints them. */
  const guardRules = (): string[] =>
    hostCommand('iptables', ['-w', '-t', GUARD_TABLE, '-S', GUARD_CHAIN])
      .stdout.split('\n')
      .filter((line) => line.startsWith('-A '));

  /** Packets the guard dropped because they came from the pod range. */
  const droppedFromPods = (): number => {
    const listing = hostCommand('iptables', [
      '-w',
      '-t',
      GUARD_TABLE,
      '-L',
      GUARD_CHAIN,
      '-v',
      '-x',
      '-n',
    ]).stdout;
    const row = listing
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .find((cols) => cols[2] === 'DROP' && cols[7] === network.podCidr && cols[8] === '0.0.0.0/0');
    expect(row, `the guard's drop rule for ${network.podCidr} in:\n${listing}`).to.not.equal(
      undefined,
    );
    return Number(row![0]);
  };

  /** Fails unless the first thing the forwarding path does with any packet is the guard. */
  const expectGuardFirst = (): void => {
    const forward = hostCommand('iptables', ['-w', '-t', GUARD_TABLE, '-S', 'FORWARD'])
      .stdout.split('\n')
      .filter((line) => line.startsWith('-A '));
    expect(forward[0], `${GUARD_TABLE} FORWARD:\n${forward.join('\n')}`).to.equal(
      `-A FORWARD -j ${GUARD_CHAIN}`,
    );
    expect(guardRules()).to.deep.equal([
      `-A ${GUARD_CHAIN} -s ${network.podCidr} -d ${network.podCidr} -j RETURN`,
      `-A ${GUARD_CHAIN} -s ${network.podCidr} -j DROP`,
      `-A ${GUARD_CHAIN} -d ${network.podCidr} ! -i ${network.bridge} -j DROP`,
    ]);
    const v6 = hostCommand('ip6tables', ['-w', '-t', GUARD_TABLE, '-S', 'FORWARD']).stdout;
    expect(
      v6.split('\n').find((line) => line.startsWith('-A ')),
      'IPv6',
    ).to.equal(`-A FORWARD -j ${GUARD_CHAIN}`);
  };

  /** Sends `count` UDP datagrams to `address` from the pod's network namespace, on the pinned Node. */
  const sendFromPod = (address: string, count: number): void => {
    const script = `const s = require('node:dgram').createSocket('udp4');
let left = ${String(count)};
for (let i = 0; i < left; i++) s.send('probe', ${String(PORT)}, '${address}', () => { if (--left === 0) s.close(); });`;
    hostCommand('ip', ['netns', 'exec', podNetns, process.execPath, '-e', script]);
  };

  /** Waits for kube-proxy to translate to `OUTSIDE` (its rules follow the EndpointSlice within a second or so). */
  const waitForTranslation = (serviceIp: string) =>
    waitFor(
      `kube-proxy's rules for ${serviceIp}`,
      () => {
        const nat = hostCommand('iptables-save', ['-t', 'nat']).stdout;
        return nat.includes(`--to-destination ${OUTSIDE}:${String(PORT)}`) &&
          nat.includes(`-d ${serviceIp}/32`)
          ? true
          : undefined;
      },
      30_000,
      200,
    );

  before(async function () {
    this.timeout(30 * 60_000);
    const shared = await sharedNode();
    plane = shared.plane;
    network = shared.node.network;
    admin = plane.adminKubeConfig();
    const core = admin.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: ns } } });
    await core.createNamespacedPod({
      namespace: ns,
      body: {
        metadata: { name: 'prober' },
        spec: {
          containers: [{ name: 'pause', image: PAUSE_IMAGE, imagePullPolicy: 'Never' }],
        },
      },
    });
    const podIp = await waitFor(
      'the prober pod Running with an address',
      async () => {
        const pod = await core.readNamespacedPod({ name: 'prober', namespace: ns });
        return pod.status?.phase === 'Running' ? pod.status.podIP : undefined;
      },
      120_000,
      200,
    );
    podNetns = await waitFor('the prober pod’s network namespace', () =>
      hostCommand('ip', ['netns', 'list'])
        .stdout.split('\n')
        .map((line) => line.split(' ')[0] ?? '')
        .filter((name) => name.startsWith('cni-'))
        .find((name) =>
          hostCommand('ip', ['-n', name, '-4', '-o', 'addr', 'show'], {
            mayFail: true,
          }).stdout.includes(` ${podIp}/`),
        ),
    );
  });

  after(async () => {
    await admin
      .makeApiClient(CoreV1Api)
      .deleteNamespace({ name: ns, body: { gracePeriodSeconds: 0 } });
  });

  /** Checks the guard, sends three datagrams from the pod to `address`, and expects all three dropped by it. */
  const expectDroppedFromPod = (address: string): void => {
    expectGuardFirst();
    const before = droppedFromPods();
    sendFromPod(address, 3);
    expect(droppedFromPods() - before).to.be.at.least(3);
  };

  /** A selector-less UDP Service `name` whose one endpoint is {@link OUTSIDE}; returns its ClusterIP. */
  const outsideService = async (name: string, externalIPs?: string[]): Promise<string> => {
    const ports = [{ name: 'udp', port: PORT, protocol: 'UDP' }];
    await applyObjects(admin, [
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name, namespace: ns },
        spec: { ports, ...(externalIPs === undefined ? {} : { externalIPs }) },
      },
      {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name, namespace: ns, labels: { 'kubernetes.io/service-name': name } },
        addressType: 'IPv4',
        endpoints: [{ addresses: [OUTSIDE], conditions: { ready: true } }],
        ports,
      },
    ]);
    const service = await admin
      .makeApiClient(CoreV1Api)
      .readNamespacedService({ name, namespace: ns });
    const clusterIp = service.spec?.clusterIP ?? '';
    expect(clusterIp, 'the Service’s ClusterIP').to.match(/^\d+\.\d+\.\d+\.\d+$/);
    return clusterIp;
  };

  it('drops a pod’s packet to an address outside the cluster', () => {
    expectDroppedFromPod(OUTSIDE);
  });

  it('drops it when a Service translates to an address outside the cluster', async () => {
    const clusterIp = await outsideService('outside');
    await waitForTranslation(clusterIp);
    expectDroppedFromPod(clusterIp);
  });

  it('drops it when a Service’s external IP is marked for masquerade (kube-proxy would accept it)', async () => {
    await outsideService('external', [OUTSIDE_EXTERNAL_IP]);
    await waitForTranslation(OUTSIDE_EXTERNAL_IP);
    expectDroppedFromPod(OUTSIDE_EXTERNAL_IP);
  });
});
