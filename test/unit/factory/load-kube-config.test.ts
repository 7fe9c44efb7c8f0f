import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../../src/errors.js';
import {
  checkCurrentCluster,
  loadKubeConfig,
  loadKubeconfigFile,
} from '../../../src/factory/load-kube-config.js';

/** The ConfigError `fn` throws. */
function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return err as ConfigError;
  }
  expect.fail('no ConfigError');
}

const VALID = `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "https://127.0.0.1:6443" } }]
users: [{ name: u, user: { token: SECRET-TOKEN } }]
contexts: [{ name: x, context: { cluster: c, user: u } }]
current-context: x
`;

describe('loadKubeconfigFile and checkCurrentCluster', function () {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vmcp-kubeconfig-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const file = async (name: string, text: string): Promise<string> => {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  };

  it('loads a valid kubeconfig', async () => {
    const path = await file('ok', VALID);
    expect(
      checkCurrentCluster(loadKubeconfigFile(path), path).getCurrentCluster()?.server,
    ).to.equal('https://127.0.0.1:6443');
  });

  it('names the path of a file that cannot be read, and why', () => {
    const missing = configError(() => loadKubeconfigFile(join(dir, 'absent')));
    expect(missing.message).to.equal(
      `kubeconfigPath: expected a readable kubeconfig file (ENOENT), got ${JSON.stringify(join(dir, 'absent'))}`,
    );
    expect(configError(() => loadKubeconfigFile(dir)).message)
      .to.include('(EISDIR)')
      .and.include(dir);
  });

  it('names the path and the line of a file that is not YAML, never quoting it', async () => {
    const path = await file(
      'broken',
      `${VALID.replace('current-context: x', '')}users: [ { token: SECRET-TOKEN2 \n`,
    );
    const err = configError(() => loadKubeconfigFile(path));
    expect(err.field).to.equal('kubeconfigPath');
    expect(err.message)
      .to.include(path)
      .and.match(/valid kubeconfig in YAML \(.*\d/);
    expect(err.message).to.not.include('SECRET');
    expect(err.message.split('\n')).to.have.length(1);
  });

  it('names what is missing in a kubeconfig without a usable current context', async () => {
    const none = await file('no-context', VALID.replace('current-context: x', ''));
    expect(configError(() => checkCurrentCluster(loadKubeconfigFile(none), none)).message).to.equal(
      `kubeconfigPath: expected a current-context, got ${JSON.stringify(none)}`,
    );
    const dangling = await file(
      'dangling',
      VALID.replace('current-context: x', 'current-context: y'),
    );
    expect(
      configError(() => checkCurrentCluster(loadKubeconfigFile(dangling), dangling)).message,
    ).to.include('"y" is not in contexts');
    const clusterless = await file('clusterless', VALID.replace('cluster: c,', 'cluster: d,'));
    expect(
      configError(() => checkCurrentCluster(loadKubeconfigFile(clusterless), clusterless)).message,
    ).to.include('a cluster with a server for context "x"');
  });

  it('checks the in-pod address variables', async () => {
    const saDir = await mkdtemp(join(dir, 'sa-'));
    await writeFile(join(saDir, 'token'), 'SECRET');
    const port = configError(() =>
      loadKubeConfig(undefined, saDir, {
        KUBERNETES_SERVICE_HOST: '10.0.0.1',
        KUBERNETES_SERVICE_PORT: 'https',
      }),
    );
    expect(port.message).to.equal(
      'KUBERNETES_SERVICE_PORT: expected an integer from 1 to 65535, got "https"',
    );
    expect(
      configError(() =>
        loadKubeConfig(undefined, saDir, {
          KUBERNETES_SERVICE_HOST: '10.0.0.1',
          KUBERNETES_SERVICE_PORT: '70000',
        }),
      ).field,
    ).to.equal('KUBERNETES_SERVICE_PORT');
    expect(
      configError(() =>
        loadKubeConfig(undefined, saDir, { KUBERNETES_SERVICE_HOST: 'https://10.0.0.1/' }),
      ).message,
    ).to.match(/^KUBERNETES_SERVICE_HOST: expected an IP address or host name/);
    const kc = loadKubeConfig(undefined, saDir, {
      KUBERNETES_SERVICE_HOST: 'fd00::1',
      KUBERNETES_SERVICE_PORT: '443',
    });
    expect(kc.getCurrentCluster()?.server).to.equal('https://[fd00::1]:443');
  });
});
