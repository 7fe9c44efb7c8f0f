import { expect } from 'chai';
import { CliProcess, requireBuiltCli, type LogLine } from '../../support/mcp/cli-process.js';
import { duplicateKeys } from '../../support/log/duplicate-keys.js';
import { eventually } from '../../support/mcp/eventually.js';

const isStatus = (line: LogLine): boolean => line.msg === 'runtime status changed';

/** The phases of `lines`, each run of one phase counted once. */
function phaseRuns(lines: readonly LogLine[]): string[] {
  const runs: string[] = [];
  for (const line of lines) if (runs.at(-1) !== line.phase) runs.push(String(line.phase));
  return runs;
}

/** True when `sequence` occurs in `runs` in order, other runs allowed between. */
function inOrder(runs: readonly string[], sequence: readonly string[]): boolean {
  let next = 0;
  for (const run of runs) if (run === sequence[next]) next++;
  return next === sequence.length;
}

describe('vmcp-status demo (the built binary, real MCP servers)', function () {
  const processes: CliProcess[] = [];
  before(function () {
    requireBuiltCli();
  });
  afterEach(function () {
    for (const p of processes.splice(0)) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  });

  function start(args: string[]): CliProcess {
    const cli = new CliProcess(args);
    processes.push(cli);
    return cli;
  }

  it('reports Ready, Degraded, Failed and Ready again, one JSON line per change, no key twice', async function () {
    // Ten times faster: a 15 s step takes 1.5 s. Debug: the probes' lines too.
    const cli = start(['demo', '--speed', '10', '--log-level', 'debug']);
    const sequence = ['Ready', 'Degraded', 'Failed', 'Ready'];
    await eventually(() => inOrder(phaseRuns(cli.lines.filter(isStatus)), sequence), {
      timeoutMs: 45_000,
      what: `the reporter to go ${sequence.join(' → ')}`,
    });
    cli.child.kill('SIGTERM');
    expect(await cli.exitCode()).to.equal(0);

    const statuses = cli.lines.filter(isStatus);
    expect(statuses[0]).to.include({ phase: 'Ready', configuredBackends: 3, healthyBackends: 3 });
    const failed = statuses.find((l) => l.phase === 'Failed')!;
    expect(failed).to.include({ healthyBackends: 0, totalToolCount: 0 });
    const degraded = statuses.find((l) => l.phase === 'Degraded')!;
    expect(degraded.changes).to.deep.include({
      name: 'search',
      kind: 'changed',
      from: 'healthy',
      to: 'unhealthy',
      toolCount: 0, // what the vMCP serves of it: nothing, while it is down
      errorCategory: 'backend_unavailable',
    });
    const steps = cli.lines.filter((l) => l.msg === 'demo step').map((l) => l.phase);
    expect(steps.slice(0, 4)).to.deep.equal(['Ready', 'Degraded', 'Failed', 'Ready']);

    // Every line of the run, the probes' included, is one JSON object without a key twice.
    const lines = cli.stdout.split('\n').filter((l) => l !== '');
    expect(lines.length).to.be.above(10);
    expect(cli.lines.some((l) => l.component === 'vmcp-server')).to.equal(true, 'server lines');
    expect(cli.lines.some((l) => l.component === 'health')).to.equal(true, 'health lines');
    const repeated = lines.flatMap((line) => duplicateKeys(line).map((key) => `${key} in ${line}`));
    expect(repeated).to.deep.equal([]);
  });

  it('--log-format pretty: one line of text per change, time first', async function () {
    const cli = start(['demo', '--speed', '10', '--log-format', 'pretty']);
    const statusLine = /^\d\d:\d\d:\d\d (Ready|Degraded|Failed) +\d\/3 healthy {2}\d+ tools {2}\S/;
    await eventually(
      () =>
        inOrder(
          cli.stdout
            .split('\n')
            .filter((l) => statusLine.test(l))
            .map((l) => statusLine.exec(l)![1]!),
          ['Ready', 'Degraded', 'Failed'],
        ),
      { timeoutMs: 45_000, what: 'pretty status lines going Ready → Degraded → Failed' },
    );
    cli.child.kill('SIGTERM');
    expect(await cli.exitCode()).to.equal(0);
    expect(cli.lines, 'no JSON lines').to.deep.equal([]);
    const text = cli.stdout.split('\n').filter((l) => l !== '');
    expect(text.every((l) => /^\d\d:\d\d:\d\d /.test(l))).to.equal(true, cli.stdout);
    const degraded =
      /^\d\d:\d\d:\d\d Degraded 2\/3 healthy {2}16 tools {2}search healthy → unhealthy \(backend_unavailable\)$/;
    expect(text.some((l) => degraded.test(l))).to.equal(true, cli.stdout);
    const step = /^\d\d:\d\d:\d\d demo {5}next Failed for 1\.5s: every backend is down/;
    expect(text.some((l) => step.test(l))).to.equal(true, cli.stdout);
    expect(cli.stdout).not.to.include('\u001b[', 'no colours off a terminal');
  });

  it('a bad --log-format or --speed exits 2 naming the flag', async function () {
    const bad = start(['demo', '--log-format', 'yaml']);
    expect(await bad.exitCode()).to.equal(2);
    expect(bad.stderr).to.match(/--log-format/);
    expect(bad.stderr).to.match(/auto, json, pretty/);
    const bySpeed = start(['demo', '--speed', '0.5']);
    expect(await bySpeed.exitCode()).to.equal(2);
    expect(bySpeed.stderr).to.match(/--speed: expected a number from 1 to 100/);
  });
});
