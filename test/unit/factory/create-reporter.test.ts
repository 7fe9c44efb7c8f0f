import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { K8sReporter } from '../../../src/apply/k8s-reporter.js';
import { LogReporter } from '../../../src/apply/log-reporter.js';
import { ConfigError } from '../../../src/errors.js';
import {
  createReporter,
  type CreateReporterOptions,
} from '../../../src/factory/create-reporter.js';
import { NoopReporter } from '../../../src/reporter.js';
import { LEVEL, memoryLogger } from '../../support/memory-log.js';

const named = { VMCP_NAME: 'my-vmcp', VMCP_NAMESPACE: 'tools' };

/** A temporary service-account directory, with or without a token. */
async function serviceAccountDir(withToken: boolean): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vmcp-status-sa-'));
  if (withToken) await writeFile(join(dir, 'token'), 'not-a-real-token');
  return dir;
}

/** What `promise` rejects with; fails the test when it resolves. */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  expect.fail('expected a rejection');
}

describe('createReporter', () => {
  const dirs: string[] = [];
  let emptyDir: string;
  let tokenDir: string;
  before(async () => {
    emptyDir = await serviceAccountDir(false);
    tokenDir = await serviceAccountDir(true);
    dirs.push(emptyDir, tokenDir);
  });
  after(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  /** createReporter with an injected environment and an in-memory log. */
  async function create(options: CreateReporterOptions) {
    const log = memoryLogger('info');
    const selection = await createReporter({
      serviceAccountDir: emptyDir,
      env: {},
      ...options,
      logger: log.logger,
    });
    return { ...selection, lines: log.lines };
  }

  /** The factory's log lines: it must say once which reporter it chose and why. */
  const selectionLines = (lines: Awaited<ReturnType<typeof create>>['lines']) =>
    lines.filter((l) => l.msg === 'status reporter selected');

  it('builds a LogReporter outside a pod and says once at info level why', async () => {
    const { reporter, mode, lines } = await create({ env: named });
    expect(reporter).to.be.instanceOf(LogReporter);
    expect(mode.mode).to.equal('log');
    expect(lines).to.have.length(1);
    expect(lines[0]).to.include({
      level: LEVEL.info,
      msg: 'status reporter selected',
      component: 'factory',
      reporter: 'log',
      reason: mode.reason,
    });
    expect(mode.reason).to.match(/^not running in a pod/);
  });

  it('gives the LogReporter its logger', async () => {
    const { reporter, lines } = await create({ env: {} });
    await reporter.report({
      phase: 'Ready',
      message: 'No backends configured',
      backends: [],
      totalToolCount: 0,
      healthyBackends: 0,
      unhealthyBackends: 0,
      backendCount: 0,
      conditions: [],
    });
    expect(lines.map((l) => l.msg)).to.deep.equal([
      'status reporter selected',
      'runtime status changed',
    ]);
  });

  it('builds a NoopReporter when chosen explicitly, even in a Kubernetes environment', async () => {
    const { reporter, mode, lines } = await create({
      reporter: 'noop',
      env: { ...named, KUBERNETES_SERVICE_HOST: '10.96.0.1' },
    });
    expect(reporter).to.be.instanceOf(NoopReporter);
    expect(mode).to.deep.equal({ mode: 'noop', reason: "reporter: 'noop'" });
    expect(selectionLines(lines)).to.have.length(1);
  });

  it('takes the choice from VMCP_STATUS_REPORTER', async () => {
    const { reporter, mode } = await create({
      env: { ...named, KUBERNETES_SERVICE_HOST: '10.96.0.1', VMCP_STATUS_REPORTER: 'log' },
    });
    expect(reporter).to.be.instanceOf(LogReporter);
    expect(mode.reason).to.equal('VMCP_STATUS_REPORTER=log');
  });

  it('uses log mode in a pod when VMCP_NAMESPACE is missing, naming it', async () => {
    const { reporter, mode } = await create({
      env: { VMCP_NAME: 'my-vmcp', KUBERNETES_SERVICE_HOST: 'x' },
    });
    expect(reporter).to.be.instanceOf(LogReporter);
    expect(mode.reason).to.equal('VMCP_NAMESPACE not set: reporting status to the log');
  });

  it('throws a ConfigError naming VMCP_NAMESPACE for an invalid namespace in a pod', async () => {
    const err = await rejection(
      create({
        env: { VMCP_NAME: 'my-vmcp', VMCP_NAMESPACE: 'Not_Valid', KUBERNETES_SERVICE_HOST: 'x' },
      }),
    );
    expect(err).to.be.instanceOf(ConfigError).with.property('field', 'VMCP_NAMESPACE');
    expect(err.message).to.match(/^VMCP_NAMESPACE: /);
  });

  it('takes the object from name and namespace, which win over the environment', async () => {
    const { mode } = await create({
      name: 'tools',
      namespace: 'team-a',
      reporter: 'k8s',
      env: { VMCP_NAME: 'other', VMCP_NAMESPACE: 'elsewhere', KUBERNETES_SERVICE_HOST: '10.0.0.1' },
      serviceAccountDir: tokenDir,
    });
    expect(mode).to.deep.include({ mode: 'k8s', name: 'tools', namespace: 'team-a' });
    const auto = await create({
      name: 'tools',
      namespace: 'team-a',
      env: { KUBERNETES_SERVICE_HOST: '10.0.0.1' },
      serviceAccountDir: tokenDir,
    });
    expect(auto.mode.reason).to.equal('name and namespace are set and the process runs in a pod');
    const err = await rejection(create({ name: 'Not Valid', namespace: 'x', reporter: 'k8s' }));
    expect(err).to.be.instanceOf(ConfigError).with.property('field', 'name');
    const missing = await create({ name: 'tools', env: { KUBERNETES_SERVICE_HOST: 'x' } });
    expect(missing.mode.reason).to.equal('VMCP_NAMESPACE not set: reporting status to the log');
  });

  describe('pod detection through the service-account directory', () => {
    /**
     * The mode createReporter chose, read from its selection log line. The line is
     * written before the reporter is built, so this checks the decision alone; what
     * building the Kubernetes reporter does (it may throw without a real cluster) is
     * tested in its own describe below.
     */
    async function chosenMode(withToken: boolean, env: Record<string, string>) {
      const dir = await serviceAccountDir(withToken);
      dirs.push(dir);
      const log = memoryLogger('info');
      try {
        await createReporter({ env, serviceAccountDir: dir, logger: log.logger });
      } catch {
        // Building the reporter is not what this checks.
      }
      const lines = selectionLines(log.lines);
      expect(lines).to.have.length(1);
      return lines[0]!;
    }

    it('picks Kubernetes mode when a token is mounted and both variables are set', async () => {
      const line = await chosenMode(true, named);
      expect(line).to.include({
        reporter: 'k8s',
        reason: 'VMCP_NAME and VMCP_NAMESPACE are set and the process runs in a pod',
      });
    });

    it('picks log mode when the directory holds no token', async () => {
      const line = await chosenMode(false, named);
      expect(line.reporter).to.equal('log');
      expect(line.reason).to.match(/^not running in a pod/);
    });

    it('picks log mode with a token when a variable is missing', async () => {
      const line = await chosenMode(true, { VMCP_NAME: 'my-vmcp' });
      expect(line).to.include({
        reporter: 'log',
        reason: 'VMCP_NAMESPACE not set: reporting status to the log',
      });
    });
  });
});

// The Kubernetes reporter is not part of this build yet. When it lands, replace this
// block with tests of what createReporter('k8s') builds.
describe('createReporter in Kubernetes mode', () => {
  it('builds a K8sReporter from a pod service-account folder and KUBERNETES_SERVICE_HOST', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vmcp-sa-'));
    try {
      await writeFile(join(dir, 'token'), 'not-a-real-token');
      const { logger, lines } = memoryLogger('info');
      const { reporter, mode } = await createReporter({
        env: { ...named, KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '6443' },
        serviceAccountDir: dir,
        logger,
      });
      expect(reporter).to.be.instanceOf(K8sReporter);
      expect(mode).to.deep.include({ mode: 'k8s' });
      expect(lines[0]).to.include({ reporter: 'k8s' });
      expect(JSON.stringify(lines)).to.not.contain('not-a-real-token');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('checks POD_NAME (the Lease holder and Events instance): a DNS-1123 name', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vmcp-sa-'));
    try {
      await writeFile(join(dir, 'token'), 'not-a-real-token');
      const env = { ...named, KUBERNETES_SERVICE_HOST: '10.0.0.1' };
      const { logger } = memoryLogger('info');
      const err = await rejection(
        createReporter({ env: { ...env, POD_NAME: 'Bad Name!' }, serviceAccountDir: dir, logger }),
      );
      expect(err).to.be.instanceOf(ConfigError).with.property('field', 'POD_NAME');
      expect(err.message).to.match(/^POD_NAME: expected a DNS-1123 subdomain/);
      const { reporter } = await createReporter({
        env: { ...env, POD_NAME: 'vmcp-7d9f-abcde' },
        serviceAccountDir: dir,
        logger,
      });
      expect(reporter).to.be.instanceOf(K8sReporter);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('passes the status layout: the option, else VMCP_STATUS_LAYOUT, else auto', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vmcp-sa-'));
    try {
      await writeFile(join(dir, 'token'), 'not-a-real-token');
      const inPod = { ...named, KUBERNETES_SERVICE_HOST: '10.0.0.1' };
      const layoutOf = async (options: CreateReporterOptions) => {
        const { logger } = memoryLogger('info');
        const { reporter } = await createReporter({ serviceAccountDir: dir, logger, ...options });
        return (reporter as K8sReporter).statusLayout;
      };
      expect(await layoutOf({ env: inPod })).to.deep.equal({
        layout: 'top-level',
        source: 'default',
      });
      expect(await layoutOf({ env: { ...inPod, VMCP_STATUS_LAYOUT: 'runtime' } })).to.deep.equal({
        layout: 'runtime',
        source: 'forced',
      });
      expect(
        await layoutOf({
          env: { ...inPod, VMCP_STATUS_LAYOUT: 'runtime' },
          statusLayout: 'top-level',
        }),
      ).to.deep.equal({ layout: 'top-level', source: 'forced' });
      expect(await rejection(layoutOf({ env: { ...inPod, VMCP_STATUS_LAYOUT: 'nested' } })))
        .to.be.instanceOf(ConfigError)
        .with.property('field', 'VMCP_STATUS_LAYOUT');
      expect(await rejection(layoutOf({ env: {}, statusLayout: 'flat' as never })))
        .to.be.instanceOf(ConfigError)
        .with.property('field', 'statusLayout');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('without a server address or a kubeconfig is a ConfigError naming KUBERNETES_SERVICE_HOST', async () => {
    const { logger } = memoryLogger('info');
    expect(
      await rejection(
        createReporter({ reporter: 'k8s', env: named, logger, serviceAccountDir: '/nonexistent' }),
      ),
    )
      .to.be.instanceOf(ConfigError)
      .with.property('field', 'KUBERNETES_SERVICE_HOST');
  });

  it('with a kubeconfig path that does not exist is a ConfigError naming kubeconfigPath', async () => {
    const { logger } = memoryLogger('info');
    expect(
      await rejection(
        createReporter({
          reporter: 'k8s',
          env: named,
          logger,
          kubeconfigPath: '/nonexistent/kubeconfig',
        }),
      ),
    )
      .to.be.instanceOf(ConfigError)
      .with.property('field', 'kubeconfigPath');
  });
});
