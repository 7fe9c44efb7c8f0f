import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { demoClusterTarget } from '../../../src/cli/demo-cluster.js';
import {
  localClusterDir,
  localClusterKubeconfig,
} from '../../../src/demo/local-cluster-kubeconfig.js';
import { ConfigError } from '../../../src/errors.js';

describe("the demo's cluster target (demo --reporter k8s)", function () {
  it("finds the local cluster's kubeconfig where npm run cluster:up writes it", function () {
    expect(localClusterDir({}, '/home/ana')).to.equal('/home/ana/.cache/vmcp-status/cluster');
    expect(localClusterKubeconfig({ XDG_CACHE_HOME: '/var/cache/ana' }, '/home/ana')).to.equal(
      '/var/cache/ana/vmcp-status/cluster/admin.kubeconfig',
    );
    expect(localClusterKubeconfig({ XDG_CACHE_HOME: '' }, '/home/ana')).to.equal(
      '/home/ana/.cache/vmcp-status/cluster/admin.kubeconfig',
    );
  });

  describe('demoClusterTarget', function () {
    let dir: string;
    let kubeconfig: string;
    before(async function () {
      dir = await mkdtemp(join(tmpdir(), 'vmcp-demo-target-'));
      kubeconfig = join(dir, 'config');
      await writeFile(kubeconfig, 'apiVersion: v1\nkind: Config\n');
    });
    after(async function () {
      await rm(dir, { recursive: true, force: true });
    });

    it('takes --kubeconfig (the first file of a KUBECONFIG list) and the object named', function () {
      expect(
        demoClusterTarget({
          kubeconfig: `${kubeconfig}:/elsewhere`,
          namespace: 'team-a',
          name: 'demo',
        }),
      ).to.deep.equal({ kubeconfigPath: kubeconfig, namespace: 'team-a', name: 'demo' });
    });

    it('names the flag when a kubeconfig file is missing', function () {
      expect(() =>
        demoClusterTarget({ kubeconfig: join(dir, 'missing'), namespace: 'a', name: 'b' }),
      ).to.throw(ConfigError, /^--kubeconfig: expected an existing kubeconfig file/);
    });

    it('names the flag for a bad namespace or name', function () {
      expect(() => demoClusterTarget({ kubeconfig, namespace: 'Team_A', name: 'demo' })).to.throw(
        ConfigError,
        /^--namespace: expected a DNS-1123 label/,
      );
      expect(() => demoClusterTarget({ kubeconfig, namespace: 'a', name: 'Demo!' })).to.throw(
        ConfigError,
        /^--name: expected a DNS-1123 subdomain/,
      );
    });
  });
});
