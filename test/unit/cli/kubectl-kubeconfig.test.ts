import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { expect } from 'chai';
import { stringify } from 'yaml';
import { kubectlKubeConfig } from '../../../src/cli/kubectl-kubeconfig.js';
import { ConfigError } from '../../../src/errors.js';

function config(cluster: string, server: string, current?: string) {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: cluster, cluster: { server } }],
    users: [{ name: `${cluster}-user`, user: { token: 'x' } }],
    contexts: [
      { name: cluster, context: { cluster, user: `${cluster}-user`, namespace: cluster } },
    ],
    ...(current !== undefined ? { 'current-context': current } : {}),
  });
}

describe('kubectlKubeConfig', () => {
  let dir: string;
  let a: string;
  let b: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'vmcp-kubeconfig-'));
    a = join(dir, 'a');
    b = join(dir, 'b');
    writeFileSync(a, config('one', 'https://one.example'));
    writeFileSync(b, config('two', 'https://two.example', 'two'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('merges KUBECONFIG as kubectl does: every file, the first current-context set, missing files skipped', () => {
    const kc = kubectlKubeConfig(undefined, undefined, {
      KUBECONFIG: [join(dir, 'missing'), a, b].join(delimiter),
    });
    expect(kc.getContexts().map((c) => c.name)).to.deep.equal(['one', 'two']);
    expect(kc.getCurrentContext()).to.equal('two');
    expect(kc.getCurrentCluster()?.server).to.equal('https://two.example');
    const other = kubectlKubeConfig(undefined, 'one', { KUBECONFIG: [b, a].join(delimiter) });
    expect(other.getCurrentCluster()?.server).to.equal('https://one.example');
  });

  it('--kubeconfig is one file; ~/.kube/config without either', () => {
    expect(kubectlKubeConfig(b, undefined, {}).getCurrentContext()).to.equal('two');
    const home = mkdtempSync(join(tmpdir(), 'vmcp-home-'));
    try {
      expect(() => kubectlKubeConfig(undefined, undefined, { HOME: home }))
        .to.throw(ConfigError)
        .with.property('field', '--kubeconfig');
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('names the flag or variable at fault', () => {
    const field = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        expect(err).to.be.instanceOf(ConfigError);
        return (err as ConfigError).field;
      }
      return expect.fail('no error');
    };
    expect(field(() => kubectlKubeConfig(join(dir, 'nope'), undefined, {}))).to.equal(
      '--kubeconfig',
    );
    expect(
      field(() => kubectlKubeConfig(undefined, undefined, { KUBECONFIG: join(dir, 'nope') })),
    ).to.equal('KUBECONFIG');
    expect(field(() => kubectlKubeConfig(b, 'three', {}))).to.equal('--context');
    // No current context: kubectl would not know where to go either.
    expect(field(() => kubectlKubeConfig(a, undefined, {}))).to.equal('--context');
  });
});
