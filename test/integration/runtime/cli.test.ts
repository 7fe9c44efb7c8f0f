import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import {
  startScriptedMcpServer,
  type ScriptedMcpServer,
} from '../../../src/demo/scripted-mcp-server.js';
import {
  CliProcess,
  requireBuiltCli,
  runCli,
  type LogLine,
} from '../../support/mcp/cli-process.js';
import { eventually } from '../../support/mcp/eventually.js';

const isStatus = (line: LogLine): boolean => line.msg === 'runtime status changed';

describe('vmcp-status CLI (the built binary)', function () {
  let dir: string;
  const servers: ScriptedMcpServer[] = [];
  const processes: CliProcess[] = [];

  before(async function () {
    requireBuiltCli();
    dir = await mkdtemp(join(tmpdir(), 'vmcp-status-cli-'));
  });
  after(async function () {
    await rm(dir, { recursive: true, force: true });
  });
  afterEach(async function () {
    for (const p of processes.splice(0)) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  async function config(name: string, text: string): Promise<string> {
    const file = join(dir, name);
    await writeFile(file, text);
    return file;
  }

  function start(args: string[]): CliProcess {
    const cli = new CliProcess(args);
    processes.push(cli);
    return cli;
  }

  async function backendConfig(
    probe = 'probe: { interval: 100ms, timeout: 5s }',
  ): Promise<{ file: string; a: ScriptedMcpServer; b: ScriptedMcpServer }> {
    const [a, b] = await Promise.all([
      startScriptedMcpServer({ tools: 3 }),
      startScriptedMcpServer({ tools: 2 }),
    ]);
    servers.push(a, b);
    const file = await config(
      `ok-${servers.length}.yaml`,
      `${probe}\nbackends:\n  - { name: a, url: "${a.url}" }\n  - { name: b, url: "${b.url}" }\n`,
    );
    return { file, a, b };
  }

  describe('usage', function () {
    it('--version prints the package version and exits 0', async function () {
      const pkg = JSON.parse(
        await readFile(new URL('../../../package.json', import.meta.url), 'utf8'),
      ) as { version: string };
      const { code, stdout } = await runCli(['--version']);
      expect(code).to.equal(0);
      expect(stdout.trim()).to.equal(pkg.version);
    });

    it('--help on the program and on each command exits 0', async function () {
      const top = await runCli(['--help']);
      expect(top.code).to.equal(0);
      expect(top.stdout)
        .to.match(/run \[options\]/)
        .and.match(/demo \[options\]/);
      const run = await runCli(['run', '--help']);
      expect(run.code).to.equal(0);
      for (const flag of [
        '--config',
        '--backends-from',
        '--interval',
        '--reporter',
        '--kubeconfig',
        '--field-manager',
        '--status-layout',
        '--metrics-bind-address',
        '--log-level',
      ]) {
        expect(run.stdout).to.include(flag);
      }
      const demo = await runCli(['demo', '--help']);
      expect(demo.code).to.equal(0);
      expect(demo.stdout).to.include('--interval');
    });

    const usageErrors: [string, string[], RegExp][] = [
      ['no command', [], /Usage: vmcp-status/],
      ['an unknown command', ['frobnicate'], /unknown command/],
      ['an unknown option', ['run', '--config', 'x.yaml', '--frob'], /unknown option '--frob'/],
      [
        'no --config outside Kubernetes mode',
        ['run', '--reporter', 'log'],
        /--config: expected a config file listing backends/,
      ],
      [
        '--backends-from spec outside Kubernetes mode',
        ['run', '--reporter', 'log', '--backends-from', 'spec'],
        /--backends-from: expected Kubernetes mode/,
      ],
      [
        'an unknown reporter',
        ['run', '--config', 'x.yaml', '--reporter', 'carrier-pigeon'],
        /--reporter.*carrier-pigeon|carrier-pigeon.*Allowed choices/s,
      ],
      [
        'an unknown status layout',
        ['run', '--config', 'x.yaml', '--status-layout', 'nested'],
        /--status-layout.*nested|nested.*Allowed choices/s,
      ],
      [
        'a bad --interval',
        ['run', '--config', '/dev/null', '--interval', '30'],
        /--interval: expected a duration/,
      ],
      ['a zero --interval', ['demo', '--interval', '0'], /--interval: expected a duration above 0/],
      [
        'a bad --metrics-bind-address',
        ['demo', '--metrics-bind-address', 'everywhere'],
        /--metrics-bind-address: expected HOST:PORT/,
      ],
      ['a bad --log-level', ['demo', '--log-level', 'loud'], /--log-level/],
    ];
    for (const [what, args, message] of usageErrors) {
      it(`exits 2 on ${what}, saying why`, async function () {
        const { code, stderr } = await runCli(args);
        expect(code).to.equal(2);
        expect(stderr).to.match(message);
      });
    }
  });

  describe('config errors exit 2 and name the field', function () {
    it('a missing file', async function () {
      const { code, stderr } = await runCli(['run', '--config', join(dir, 'nope.yaml')]);
      expect(code).to.equal(2);
      expect(stderr).to.match(/--config: expected a readable file \(ENOENT\)/);
    });

    it('invalid fields, each named', async function () {
      const file = await config(
        'bad.yaml',
        'probe: { timeout: soon }\nbackends:\n  - { name: a, url: "ftp://x" }\n  - { name: a, url: "http://127.0.0.1:1/mcp", colour: red }\n',
      );
      const { code, stderr } = await runCli(['run', '--config', file]);
      expect(code).to.equal(2);
      expect(stderr).to.include('probe.timeout: expected a duration');
      expect(stderr).to.include(
        'backends[0].url: expected an http:// or https:// URL, got "ftp://x"',
      );
      expect(stderr).to.include('backends[1].colour: expected no such field');
    });

    it('invalid YAML', async function () {
      const file = await config('broken.yaml', 'backends: [ {');
      const { code, stderr } = await runCli(['run', '--config', file]);
      expect(code).to.equal(2);
      expect(stderr).to.match(/expected valid YAML/);
    });

    it('a header variable that is not set, without echoing header values', async function () {
      const file = await config(
        'env.yaml',
        'backends:\n  - name: a\n    url: "http://127.0.0.1:1/mcp"\n    headers: { Authorization: "Bearer ${VMCP_TEST_UNSET_TOKEN}" }\n',
      );
      const { code, stderr } = await runCli(['run', '--config', file]);
      expect(code).to.equal(2);
      expect(stderr).to.include(
        'backends[0].headers.Authorization: expected the environment variable VMCP_TEST_UNSET_TOKEN to be set',
      );
      expect(stderr).not.to.include('Bearer');
    });
  });

  describe('running', function () {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      it(`reports status in log mode and stops gracefully on ${signal} with exit 0`, async function () {
        const { file } = await backendConfig();
        const cli = start(['run', '--config', file, '--reporter', 'log', '--interval', '200ms']);
        const status = await cli.line(isStatus, { what: 'the first status' });
        expect(status).to.include({ phase: 'Ready', backendCount: 2, totalToolCount: 5 });
        cli.child.kill(signal);
        expect(await cli.exitCode()).to.equal(0);
        expect(cli.lines.map((l) => l.msg)).to.include('vmcp-status stopped');
      });
    }

    it('on SIGTERM flushes the status the interval still held back', async function () {
      const { file, a } = await backendConfig('probe: { interval: 100ms, unhealthyThreshold: 1 }');
      const cli = start([
        'run',
        '--config',
        file,
        '--reporter',
        'log',
        '--interval',
        '1h',
        '--log-level',
        'debug',
      ]);
      const first = await cli.line(isStatus, { what: 'the first status' });
      // A detail change (the served tool count) waits for the 1 h interval; a phase
      // change would go out at once.
      const from = cli.lines.length;
      await a.setToolCount(a.toolCount + 2);
      await cli.line((l) => l.msg === 'served lists changed', {
        from,
        what: 'the vMCP to serve the new tools',
      });
      const signalledAt = cli.lines.length;
      expect(cli.lines.filter(isStatus)).to.have.length(1, 'the change is held back');
      cli.child.kill('SIGTERM');
      expect(await cli.exitCode()).to.equal(0);
      const flushed = cli.lines.slice(signalledAt).find(isStatus);
      expect(flushed, 'a status line after SIGTERM').to.include({
        phase: 'Ready',
        totalToolCount: Number(first.totalToolCount) + 2,
      });
    });

    it('turns Degraded at once when a backend goes down, whatever the interval', async function () {
      const { file, a } = await backendConfig('probe: { interval: 100ms, unhealthyThreshold: 1 }');
      const cli = start(['run', '--config', file, '--reporter', 'log', '--interval', '1h']);
      await cli.line(isStatus, { what: 'the first status' });
      a.mode = 'unavailable';
      const degraded = await cli.line((l) => isStatus(l) && l.phase === 'Degraded', {
        what: 'Degraded without waiting an hour',
      });
      expect(degraded).to.include({ previousPhase: 'Ready', unhealthyBackends: 1 });
      cli.child.kill('SIGTERM');
      expect(await cli.exitCode()).to.equal(0);
    });

    it('serves Prometheus metrics with --metrics-bind-address', async function () {
      const { file } = await backendConfig();
      const cli = start([
        'run',
        '--config',
        file,
        '--reporter',
        'log',
        '--interval',
        '200ms',
        '--metrics-bind-address',
        '127.0.0.1:0',
      ]);
      const { url } = (await cli.line((l) => l.msg === 'metrics server listening')) as {
        url: string;
      };
      await cli.line(isStatus);
      let text = '';
      await eventually(
        async () => {
          text = await (await fetch(url)).text();
          return text.includes('vmcp_status_backends{status="healthy"} 2');
        },
        { what: 'two healthy backends in the metrics' },
      );
      expect(text).to.match(/vmcp_status_reports_total\{outcome="applied"\} [1-9]/);
      expect(text).to.include('vmcp_status_pending_writes');
      expect(text).to.include('vmcp_status_apply_duration_seconds_bucket');
      expect(text).to.include('vmcp_status_phase{phase="Ready"} 1');
      expect(text).to.include('process_cpu_seconds_total');
      expect(text).not.to.match(/backend="/);
      cli.child.kill('SIGTERM');
      expect(await cli.exitCode()).to.equal(0);
    });

    it('exits 1 on a runtime failure: the metrics port is taken', async function () {
      const blocker = createServer().listen(0, '127.0.0.1');
      await once(blocker, 'listening');
      try {
        const { port } = blocker.address() as AddressInfo;
        const { file } = await backendConfig();
        const { code, stderr } = await runCli([
          'run',
          '--config',
          file,
          '--reporter',
          'log',
          '--metrics-bind-address',
          `127.0.0.1:${port}`,
        ]);
        expect(code).to.equal(1);
        expect(stderr).to.include('EADDRINUSE');
      } finally {
        blocker.close();
      }
    });
  });
});
