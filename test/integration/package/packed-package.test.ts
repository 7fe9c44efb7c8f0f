import { expect } from 'chai';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  startScriptedMcpServer,
  type ScriptedMcpServer,
} from '../../../src/demo/scripted-mcp-server.js';
import { installCrd } from '../../../tools/cluster/install-crd.js';
import { useTestCluster } from '../../support/k8s/shared-control-plane.js';
import { vmcpClient } from '../../support/k8s/operator-fixtures.js';
import { CliProcess, requireBuiltCli, type LogLine } from '../../support/mcp/cli-process.js';
import {
  copyExamples,
  installPackedPackage,
  type PackedProject,
} from '../../support/packed-package.js';

const statusChanged = (line: LogLine) => line.msg === 'runtime status changed';

describe('the package as a user gets it: npm pack, installed into a fresh project', function () {
  this.timeout(120_000);
  let project: PackedProject;
  let examples: readonly string[];

  before(function () {
    this.timeout(600_000);
    requireBuiltCli();
    project = installPackedPackage();
    examples = copyExamples(project);
  });

  it('ships the license, the readme, declarations and source maps that carry their sources', function () {
    const installed = join(project.dir, 'node_modules', 'vmcp-status');
    for (const file of ['LICENSE', 'README.md', 'package.json', 'dist/index.d.ts']) {
      expect(existsSync(join(installed, file)), file).to.equal(true);
    }
    const pkg = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as {
      repository?: unknown;
      peerDependencies?: Record<string, string>;
      dependencies: Record<string, string>;
    };
    expect(pkg.repository).to.not.equal(undefined);
    expect(pkg.peerDependencies).to.have.property('rxjs');
    expect(pkg.dependencies).to.not.have.property('rxjs');
    expect(pkg.dependencies).to.not.have.property('pino-pretty');
    const maps = readdirSync(join(installed, 'dist'), { recursive: true, encoding: 'utf8' }).filter(
      (f) => f.endsWith('.js.map'),
    );
    expect(maps.length).to.be.greaterThan(50);
    for (const map of maps) {
      const { sources, sourcesContent } = JSON.parse(
        readFileSync(join(installed, 'dist', map), 'utf8'),
      ) as { sources: string[]; sourcesContent?: string[] };
      expect(sourcesContent?.length, `${map} carries its sources`).to.equal(sources.length);
    }
    // rxjs is the embedder's: one copy, at the top.
    expect(existsSync(join(installed, 'node_modules', 'rxjs'))).to.equal(false);
  });

  it('type-checks every example of the docs against the installed package', function () {
    expect(examples).to.include.members(['embed.ts', 'embed-vmcp.ts', 'embed-k8s.ts']);
    // Throws with tsc's output when an example uses something the package does not export.
    project.run('tsc', ['-p', '.']);
    expect(existsSync(join(project.dir, 'dist', 'embed.js'))).to.equal(true);
  });

  it('log-only (embed.js): status lines on stderr, nothing on stdout, no Kubernetes module loaded', async function () {
    const hook = join(project.dir, 'loaded-modules.mjs');
    writeFileSync(
      hook,
      `import { registerHooks } from 'node:module';
const loaded = [];
registerHooks({ load(url, context, next) { loaded.push(url); return next(url, context); } });
process.on('exit', () => process.stderr.write(JSON.stringify({ loaded }) + '\\n'));
`,
    );
    const run = new CliProcess([], {}, { script: join('dist', 'embed.js'), cwd: project.dir });
    expect(await run.exitCode()).to.equal(0);
    expect(run.stdout).to.equal('', 'stdout belongs to a stdio MCP server');
    const changed = run.lines.find(statusChanged);
    expect(changed).to.include({ phase: 'Degraded', totalToolCount: 12 });

    const traced = new CliProcess(
      [],
      {},
      { script: join('dist', 'embed.js'), cwd: project.dir, nodeArgs: ['--import', hook] },
    );
    expect(await traced.exitCode()).to.equal(0);
    const loaded = (traced.lines.find((l) => Array.isArray(l.loaded))?.loaded ?? []) as string[];
    expect(loaded.some((url) => url.includes('/node_modules/vmcp-status/'))).to.equal(true);
    expect(loaded.filter((url) => url.includes('@kubernetes'))).to.deep.equal([]);
    expect(loaded.filter((url) => url.includes('@modelcontextprotocol'))).to.deep.equal([]);
  });

  it('startStatusReporting (embed-status-reporting.js) probes a backend and flushes on stop', async function () {
    const run = new CliProcess(
      [],
      {},
      { script: join('dist', 'embed-status-reporting.js'), cwd: project.dir },
    );
    expect(await run.exitCode()).to.equal(0);
    expect(run.stdout).to.match(/phase Degraded: 1\/2 backends routable \(1 unhealthy\), 2 tools/);
  });

  describe('a vMCP on the public API alone (embed-vmcp.js)', function () {
    let github: ScriptedMcpServer;
    let jira: ScriptedMcpServer;
    let vmcp: CliProcess;
    let client: Client;

    before(async () => {
      // tool-1 and tool-2 conflict: the vMCP serves github's; jira adds tool-3.
      github = await startScriptedMcpServer({ name: 'github', tools: 2 });
      jira = await startScriptedMcpServer({ name: 'jira', tools: 3 });
      vmcp = new CliProcess(
        [`github=${github.url}`, `jira=${jira.url}`],
        {},
        { script: join('dist', 'embed-vmcp.js'), cwd: project.dir },
      );
      await vmcp.line(statusChanged, { what: 'the first status' });
      const url = /listening at (\S+)/.exec(vmcp.stdout)?.[1];
      expect(url).to.be.a('string');
      client = new Client({ name: 'test', version: '1' });
      await client.connect(new StreamableHTTPClientTransport(new URL(url ?? '')));
    });
    after(async () => {
      await client.close();
      vmcp.child.kill('SIGTERM');
      await vmcp.exitCode();
      await Promise.all([github.close(), jira.close()]);
    });

    it('counts what it serves: totalToolCount is the length of its tools/list, not the sum', async function () {
      const first = vmcp.lines.find(statusChanged);
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name).sort()).to.deep.equal(['tool-1', 'tool-2', 'tool-3']);
      expect(first).to.include({ phase: 'Ready', totalToolCount: tools.length });
      expect(first?.statusMessage).to.equal('2/2 backends routable, 3 tools');
      // One session per backend: the probes go through it (no second initialize).
      expect(jira.counts.get('initialize')).to.equal(1);
    });

    it('turns Degraded at once when the call that crosses the threshold fails, at the default 30 s interval', async function () {
      jira.mode = 'unavailable';
      const from = vmcp.lines.length;
      let failedAt = 0;
      for (let i = 0; i < 3; i++) {
        const result = await client.callTool({ name: 'tool-3', arguments: {} }).then(
          () => 'answered',
          () => 'failed',
        );
        expect(result).to.equal('failed');
        failedAt = Date.now();
      }
      // Paced, it would wait out the 30 s report interval; the urgent lane sends it now.
      const degraded = await vmcp.line((l) => statusChanged(l) && l.phase === 'Degraded', {
        from,
        timeoutMs: 15_000,
        what: 'Degraded',
      });
      const latencyMs = Math.max(0, Number(degraded.time) - failedAt);
      console.log(`      Degraded within ${String(latencyMs)} ms of the third failed call`);
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name).sort()).to.deep.equal(['tool-1', 'tool-2']);
      expect(degraded).to.include({ totalToolCount: tools.length, unhealthyBackends: 1 });
    });
  });

  describe('the Kubernetes reporter against the test apiserver (embed-k8s.js)', function () {
    const cluster = useTestCluster('packed');

    it('applies the status with the field manager vmcp-runtime', async function () {
      const admin = cluster.plane.adminKubeConfig();
      await installCrd(admin);
      const vmcps = vmcpClient(admin, cluster.namespace);
      await vmcps.create('embedded');
      const run = new CliProcess(
        ['embedded', cluster.namespace],
        { KUBECONFIG: cluster.plane.kubeconfigPath },
        { script: join('dist', 'embed-k8s.js'), cwd: project.dir },
      );
      expect(await run.exitCode(), run.stderr).to.equal(0);
      expect(run.stdout).to.include(`reporting into ${cluster.namespace}/embedded`);
      const object = await vmcps.read('embedded');
      expect(object.status).to.include({ phase: 'Ready', totalToolCount: 4 });
      const managers = (object.metadata.managedFields ?? []).map(
        (f) => `${f.manager} ${f.operation} ${f.subresource ?? ''}`,
      );
      expect(managers).to.include('vmcp-runtime Apply status');
    });
  });
});
