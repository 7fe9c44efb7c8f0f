import { expect } from 'chai';
import { createServer, type Server, type Socket } from 'node:net';
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { K8sReporter } from '../../../src/apply/k8s-reporter.js';
import { createReporter } from '../../../src/factory/create-reporter.js';
import { installCrd } from '../../../tools/cluster/install-crd.js';
import { runtimeIdentity } from '../../../tools/cluster/runtime-identity.js';
import { useTestCluster } from '../../support/k8s/shared-control-plane.js';
import { statusOf, vmcpObject } from '../../../tools/cluster/status-fixtures.js';
import { LEVEL, memoryLogger } from '../../support/memory-log.js';

describe('Kubernetes mode as a pod would run it', function () {
  const cluster = useTestCluster('in-pod');

  before(async () => {
    await installCrd(cluster.plane.adminKubeConfig());
  });

  it('createReporter finds the service-account folder and applies status as that ServiceAccount', async () => {
    const admin = cluster.plane.adminKubeConfig().makeApiClient(CustomObjectsApi);
    const ns = cluster.namespace;
    await admin.createNamespacedCustomObject({
      group: 'vmcp-status.dev',
      version: 'v1beta1',
      namespace: ns,
      plural: 'virtualmcpservers',
      body: vmcpObject('podded', ns),
    });
    await runtimeIdentity(cluster.plane, ns, 'podded');
    const pod = await cluster.plane.inPodFolder(ns, 'podded-vmcp');
    const { logger } = memoryLogger('info');
    const { reporter, mode } = await createReporter({
      env: { VMCP_NAME: 'podded', VMCP_NAMESPACE: ns, ...pod.env },
      serviceAccountDir: pod.serviceAccountDir,
      logger,
    });
    expect(mode.mode).to.equal('k8s');
    expect(reporter).to.be.instanceOf(K8sReporter);
    try {
      await reporter.start(30_000);
      await reporter.report(statusOf([['alpha', 'healthy', 7]]));
    } finally {
      await reporter.stop();
    }
    const object = (await admin.getNamespacedCustomObject({
      group: 'vmcp-status.dev',
      version: 'v1beta1',
      namespace: ns,
      plural: 'virtualmcpservers',
      name: 'podded',
    })) as {
      status?: { totalToolCount?: number };
      metadata: { managedFields?: Array<{ manager: string }> };
    };
    expect(object.status?.totalToolCount).to.equal(7);
    expect(object.metadata.managedFields?.map((m) => m.manager)).to.include('vmcp-runtime');
  });

  it('KubeConfig.loadFromCluster reads the same folder', async () => {
    const pod = await cluster.plane.inPodFolder(cluster.namespace, 'reader');
    const saved = {
      host: process.env.KUBERNETES_SERVICE_HOST,
      port: process.env.KUBERNETES_SERVICE_PORT,
    };
    try {
      process.env.KUBERNETES_SERVICE_HOST = pod.env.KUBERNETES_SERVICE_HOST;
      process.env.KUBERNETES_SERVICE_PORT = pod.env.KUBERNETES_SERVICE_PORT;
      const kc = new KubeConfig();
      kc.loadFromCluster(pod.pathPrefix);
      expect(kc.getCurrentCluster()?.server).to.equal(cluster.plane.server);
      expect(kc.getContextObject(kc.getCurrentContext())?.namespace).to.equal(cluster.namespace);
    } finally {
      process.env.KUBERNETES_SERVICE_HOST = saved.host;
      process.env.KUBERNETES_SERVICE_PORT = saved.port;
      if (saved.host === undefined) delete process.env.KUBERNETES_SERVICE_HOST;
      if (saved.port === undefined) delete process.env.KUBERNETES_SERVICE_PORT;
    }
  });
});

describe('K8sReporter.stop() against an apiserver that never answers', () => {
  let server: Server;
  const sockets: Socket[] = [];
  let port = 0;

  before(async () => {
    // Accepts connections and says nothing: the worst kind of outage.
    server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    port = typeof address === 'object' && address !== null ? address.port : 0;
  });
  after(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });

  it('gives up flushing after its timeout and says so, instead of hanging', async () => {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [
        { name: 'silent', server: `https://127.0.0.1:${String(port)}`, skipTLSVerify: true },
      ],
      users: [{ name: 'u', token: 'x' }],
      contexts: [{ name: 'c', cluster: 'silent', user: 'u' }],
      currentContext: 'c',
    });
    const log = memoryLogger('info');
    const reporter = new K8sReporter({
      kubeConfig: kc,
      ref: { name: 'x', namespace: 'y' },
      logger: log.logger,
      stopTimeoutMs: 300,
      events: false,
    });
    void reporter.report(statusOf([['alpha', 'healthy']]));
    await reporter.stop();
    const warning = log.lines.find((l) => l.msg === 'stopped before the last status was applied');
    expect(warning?.level).to.equal(LEVEL.warn);
  });
});
