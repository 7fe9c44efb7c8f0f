import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VmcpServer } from '../../../src/server/vmcp-server.js';
import {
  startEverythingBackend,
  type EverythingBackend,
} from '../../support/mcp/everything-backend.js';

const bin = fileURLToPath(new URL('../../../node_modules/.bin/conformance', import.meta.url));

/** Each scenario's verdict: passed when none of its checks is a FAILURE (as the CLI judges). */
async function runSuite(
  url: string,
): Promise<Map<string, { passed: boolean; failures: string[] }>> {
  const out = mkdtempSync(join(tmpdir(), 'vmcp-conformance-'));
  try {
    // Programs spawned by tests run on the pinned Node: node_modules/.bin first on PATH.
    const path = `${fileURLToPath(new URL('../../../node_modules/.bin', import.meta.url))}:${process.env.PATH ?? ''}`;
    await new Promise<void>((resolve, reject) => {
      const child = spawn(bin, ['server', '--url', url, '--suite', 'all', '-o', out], {
        env: { ...process.env, PATH: path },
        stdio: 'ignore',
      });
      child.on('error', reject);
      child.on('exit', () => {
        resolve();
      });
    });
    const results = new Map<string, { passed: boolean; failures: string[] }>();
    for (const dir of readdirSync(out)) {
      const scenario = /^server-(.+)-\d{4}-\d\d-\d\dT/.exec(dir)?.[1];
      if (scenario === undefined) continue;
      const checks = JSON.parse(readFileSync(join(out, dir, 'checks.json'), 'utf8')) as Array<{
        id: string;
        status: string;
      }>;
      const failures = checks.filter((c) => c.status === 'FAILURE').map((c) => c.id);
      results.set(scenario, { passed: failures.length === 0, failures });
    }
    return results;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

describe('the MCP conformance suite (@modelcontextprotocol/conformance), directly and through the vMCP', function () {
  this.timeout(300_000);
  let backend: EverythingBackend;
  let vmcp: VmcpServer;

  before(async () => {
    backend = await startEverythingBackend();
    // One backend listed in priorityOrder: every name passes through unchanged.
    vmcp = await VmcpServer.start({
      backends: [{ name: 'everything', url: backend.url }],
      aggregation: {
        conflictResolution: 'priority',
        conflictResolutionConfig: { priorityOrder: ['everything'] },
      },
      port: 0,
    });
  });
  after(async () => {
    await vmcp.close();
    await backend.close();
  });

  it('passes through the vMCP every scenario the backend passes directly', async function () {
    const direct = await runSuite(backend.url);
    const through = await runSuite(vmcp.url);
    expect(direct.size).to.be.greaterThan(25, 'the suite ran');
    const rows = [...direct.keys()].sort().map((scenario) => ({
      scenario,
      direct: direct.get(scenario)?.passed === true ? 'pass' : 'FAIL',
      'through the vMCP': through.get(scenario)?.passed === true ? 'pass' : 'FAIL',
    }));
    console.table(rows);
    const regressions = [...direct]
      .filter(([scenario, result]) => result.passed && through.get(scenario)?.passed !== true)
      .map(
        ([scenario]) =>
          `${scenario}: ${through.get(scenario)?.failures.join(', ') ?? 'did not run'}`,
      );
    expect(regressions).to.deep.equal([]);
    // The backend written for this test has no Host check; the vMCP has one.
    expect(through.get('dns-rebinding-protection')?.passed).to.equal(true);
  });
});
