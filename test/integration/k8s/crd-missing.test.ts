import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { vmcpResource } from '../../../src/apply/vmcp-resource.js';
import {
  startScriptedMcpServer,
  type ScriptedMcpServer,
} from '../../../src/demo/scripted-mcp-server.js';
import { ControlPlane } from '../../../tools/cluster/control-plane.js';
import { installCrd } from '../../../tools/cluster/install-crd.js';
import { vmcpObject } from '../../../tools/cluster/status-fixtures.js';
import { waitFor } from '../../../tools/cluster/wait-for.js';
import { CliProcess, requireBuiltCli, type LogLine } from '../../support/mcp/cli-process.js';

const { group, version, plural } = vmcpResource();
const CRD = `${plural}.${group}`;
const HOW = 'kubectl apply --server-side -f manifests/crd/';

const namesTheCrd = (line: LogLine): boolean =>
  typeof line.msg === 'string' && line.msg.includes(CRD) && line.msg.includes(HOW);

/**
 * A private apiserver, because the shared one has the CRD installed and other test
 * files need it there. The CRD is installed half-way through the last test.
 */
describe('the CRD missing on the server (a private kube-apiserver, the built binary)', function () {
  let plane: ControlPlane;
  let server: ScriptedMcpServer;
  let dir: string;
  const processes: CliProcess[] = [];

  before(async function () {
    // The first start may wait for the binaries.
    this.timeout(30 * 60_000);
    requireBuiltCli();
    plane = await ControlPlane.start();
    server = await startScriptedMcpServer({ tools: 2 });
    dir = await mkdtemp(join(tmpdir(), 'vmcp-status-crdless-'));
    await writeFile(
      join(dir, 'config.yaml'),
      `backends: [{ name: alpha, url: "${server.url}" }]\nprobe: { interval: 1s }\n`,
    );
  });
  afterEach(() => {
    for (const p of processes.splice(0)) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  });
  after(async function () {
    this.timeout(60_000);
    await server.close();
    await plane.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const run = (...args: string[]): CliProcess => {
    const cli = new CliProcess(
      ['run', '--reporter', 'k8s', '--kubeconfig', plane.kubeconfigPath, ...args],
      { VMCP_NAME: 'crdless', VMCP_NAMESPACE: 'default' },
    );
    processes.push(cli);
    return cli;
  };

  it('backends from the spec: one error naming the CRD and how to install it, no "not found" warning', async function () {
    this.timeout(60_000);
    const cli = run('--backends-from', 'spec');
    const line = await cli.line(namesTheCrd, { what: 'the line naming the CRD' });
    expect(line.level).to.equal(50);
    expect(
      cli.lines.some((l) => l.msg === 'VirtualMCPServer not found: waiting for it to be created'),
    ).to.equal(false);
    cli.child.kill('SIGTERM');
    expect(await cli.exitCode()).to.equal(0);
  });

  it('backends from a config file: the error names the CRD; once it is installed and the object exists, the status is applied', async function () {
    this.timeout(180_000);
    const cli = run('-c', join(dir, 'config.yaml'), '--interval', '1s');
    const line = await cli.line(namesTheCrd, { what: 'the line naming the CRD' });
    expect(line.level).to.equal(50);
    expect(line.crd).to.equal(CRD);
    expect(cli.lines.filter(namesTheCrd)).to.have.length(1);

    const admin = plane.adminKubeConfig();
    await installCrd(admin);
    const api = admin.makeApiClient(CustomObjectsApi);
    await api.createNamespacedCustomObject({
      group,
      version,
      namespace: 'default',
      plural,
      body: vmcpObject('crdless', 'default'),
    });
    await waitFor(
      'the runtime status applied after the CRD was installed',
      async () => {
        const object = (await api.getNamespacedCustomObject({
          group,
          version,
          namespace: 'default',
          plural,
          name: 'crdless',
        })) as { status?: { phase?: string } };
        return object.status?.phase === 'Ready';
      },
      150_000,
      500,
    );
    cli.child.kill('SIGTERM');
    expect(await cli.exitCode()).to.equal(0);
  });
});
