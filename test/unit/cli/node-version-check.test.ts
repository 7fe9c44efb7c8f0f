import { readFile } from 'node:fs/promises';
import { expect } from 'chai';
import { MINIMUM_NODE, nodeVersionProblem } from '../../../src/cli/node-version-check.js';

describe('nodeVersionProblem (the Node check before the CLI loads)', function () {
  it('accepts the minimum and anything newer', function () {
    for (const version of ['22.19.0', '22.19.1', '22.20.0', '23.0.0', '24.21.0', 'v24.1.0']) {
      expect(nodeVersionProblem(version, '22.19'), version).to.equal(undefined);
    }
  });

  it('refuses anything older, saying which Node it needs, which this is and how to get one', function () {
    for (const version of ['20.20.2', '22.18.9', '22.9.0', '18.0.0', 'v21.7.3']) {
      const problem = nodeVersionProblem(version, '22.19');
      expect(problem, version).to.be.a('string');
      expect(problem).to.match(
        new RegExp(
          `^vmcp-status needs Node\\.js >= 22\\.19 \\(this is ${version.slice(version.startsWith('v') ? 1 : 0)}\\)`,
        ),
      );
      expect(problem).to.include('https://nodejs.org/en/download');
    }
  });

  it('refuses a version it cannot read', function () {
    expect(nodeVersionProblem('not-a-version', '22.19')).to.match(/needs Node\.js >= 22\.19/);
  });

  it("checks against package.json's engines.node", async function () {
    const pkg = JSON.parse(
      await readFile(new URL('../../../package.json', import.meta.url), 'utf8'),
    ) as { engines: { node: string } };
    expect(pkg.engines.node).to.equal(`>=${MINIMUM_NODE}`);
  });
});
