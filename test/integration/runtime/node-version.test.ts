import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { expect } from 'chai';
import { MINIMUM_NODE, nodeVersionProblem } from '../../../src/cli/node-version-check.js';
import { CLI, requireBuiltCli } from '../../support/mcp/cli-process.js';

/** Where a machine keeps its own Node, which may be older than the pinned one. */
const CANDIDATES = [process.env.VMCP_TEST_OLD_NODE, '/usr/local/bin/node', '/usr/bin/node'];

/** The first of {@link CANDIDATES} older than the CLI's minimum, with its version. */
function oldNode(): { path: string; version: string } {
  const seen: string[] = [];
  for (const path of CANDIDATES) {
    if (path === undefined || path === '' || !existsSync(path)) continue;
    const version = spawnSync(path, ['-p', 'process.versions.node'], {
      encoding: 'utf8',
    }).stdout.trim();
    seen.push(`${path} (${version})`);
    if (nodeVersionProblem(version) !== undefined) return { path, version };
  }
  throw new Error(
    `no Node older than ${MINIMUM_NODE} to run the CLI on: looked at ${CANDIDATES.filter(Boolean).join(', ')}${seen.length > 0 ? `, found ${seen.join(', ')}` : ''}; set VMCP_TEST_OLD_NODE`,
  );
}

describe('vmcp-status on a Node that is too old (the built binary)', function () {
  before(function () {
    requireBuiltCli();
  });

  for (const args of [['demo'], ['--version']]) {
    it(`exits 2 saying which Node it needs and which this is: vmcp-status ${args.join(' ')}`, function () {
      const node = oldNode();
      const run = spawnSync(node.path, [CLI, ...args], { encoding: 'utf8', timeout: 30_000 });
      expect(run.status, run.stderr).to.equal(2);
      expect(run.stderr).to.match(
        new RegExp(
          `^vmcp-status needs Node\\.js >= ${MINIMUM_NODE.replace('.', '\\.')} \\(this is ${node.version.replaceAll('.', '\\.')}\\)\\.\n`,
        ),
      );
      expect(run.stderr).to.include('nodejs.org');
      expect(run.stderr).not.to.include('TypeError');
      expect(run.stdout).to.equal('');
    });
  }
});
