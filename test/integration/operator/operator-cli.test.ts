import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { installCrd } from '../../../tools/cluster/install-crd.js';
import { writeKubeconfig } from '../../support/k8s/operator-fixtures.js';
import { useTestCluster } from '../../support/k8s/shared-control-plane.js';
import { CliProcess, requireBuiltCli, runCli } from '../../support/mcp/cli-process.js';

describe('vmcp-status operator (the built binary)', function () {
  const cluster = useTestCluster('operator-cli');
  let dir: string;
  let adminKubeconfig: string;

  before(async function () {
    requireBuiltCli();
    await installCrd(cluster.plane.adminKubeConfig());
    dir = await mkdtemp(join(tmpdir(), 'vmcp-operator-cli-'));
    adminKubeconfig = cluster.plane.kubeconfigPath;
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('--help lists the conventional flags and exits 0', async () => {
    const { code, stdout } = await runCli(['operator', '--help']);
    expect(code).to.equal(0);
    for (const flag of [
      '--kubeconfig',
      '--context',
      '--namespace',
      '--field-manager',
      '--resync',
      '--metrics-bind-address',
      '--log-level',
    ])
      expect(stdout).to.contain(flag);
  });

  it('exits 2 naming the flag for a bad duration, count, namespace or context', async () => {
    for (const [args, field] of [
      [['--resync', 'soon'], '--resync'],
      [['--concurrency', '0'], '--concurrency'],
      [['-n', 'Not_A_Namespace'], '--namespace'],
      [['--kubeconfig', adminKubeconfig, '--context', 'nope'], '--context'],
    ] as const) {
      const { code, stderr } = await runCli(['operator', ...args]);
      expect(code, args.join(' ')).to.equal(2);
      expect(stderr).to.contain(field);
    }
  });

  it('exits 1 with the reason when RBAC refuses the watch', async () => {
    const token = await cluster.plane.serviceAccountToken(cluster.namespace, 'nobody');
    const kubeconfig = writeKubeconfig(join(dir, 'nobody.kubeconfig'), cluster.plane, { token });
    const { code, lines } = await runCli(['operator', '--kubeconfig', kubeconfig]);
    expect(code).to.equal(1);
    expect(lines.map((l) => l.msg)).to.include(
      'cannot start: RBAC refuses to list or watch (apply manifests/operator/rbac.yaml and run as its ServiceAccount)',
    );
  });

  it('runs until SIGTERM, then exits 0', async () => {
    const operator = new CliProcess([
      'operator',
      '--kubeconfig',
      adminKubeconfig,
      '-n',
      cluster.namespace,
    ]);
    try {
      await operator.line((l) => l.msg === 'vmcp-status operator running');
      operator.child.kill('SIGTERM');
      expect(await operator.exitCode()).to.equal(0);
      expect(operator.lines.at(-1)?.msg).to.equal('vmcp-status operator stopped');
    } finally {
      if (operator.child.exitCode === null) operator.child.kill('SIGKILL');
    }
  });
});
