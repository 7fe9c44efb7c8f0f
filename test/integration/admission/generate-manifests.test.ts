import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { admissionManifests } from '../../../src/admission/admission-manifests.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Runs scripts/generate-manifests.ts as `npm run manifests` does. */
function generate(...args: string[]) {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'scripts/generate-manifests.ts', ...args],
    { cwd: ROOT, encoding: 'utf8', timeout: 60_000 },
  );
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('npm run manifests (scripts/generate-manifests.ts)', function () {
  this.timeout(120_000);
  let out: string;
  beforeEach(() => {
    out = mkdtempSync(join(tmpdir(), 'vmcp-manifests-'));
  });
  afterEach(() => {
    rmSync(out, { recursive: true, force: true });
  });

  it('--check passes on the committed manifests/admission', () => {
    const result = generate('--check');
    expect(result.code, result.stderr).to.equal(0);
  });

  it('writes every file, then --check passes; an edited file makes --check exit 1 naming it', () => {
    expect(generate('--out', out).code).to.equal(0);
    for (const [file, text] of Object.entries(admissionManifests()))
      expect(readFileSync(join(out, file), 'utf8')).to.equal(text);
    expect(generate('--check', '--out', out).code).to.equal(0);
    writeFileSync(join(out, 'binding.yaml'), 'edited by hand\n');
    const stale = generate('--check', '--out', out);
    expect(stale.code).to.equal(1);
    expect(stale.stderr).to.contain('binding.yaml differs from the generated file');
    expect(readFileSync(join(out, 'binding.yaml'), 'utf8')).to.equal('edited by hand\n');
  });

  it('--layout runtime generates the policy for ToolHive’s CRD; --layout auto exits 2', () => {
    const result = generate('--out', out, '--layout', 'runtime');
    expect(result.code, result.stderr).to.equal(0);
    const policy = readFileSync(join(out, 'policy.yaml'), 'utf8');
    expect(policy).to.equal(admissionManifests({ layout: 'runtime' })['policy.yaml']);
    expect(policy).to.contain('status layout: runtime');
    expect(policy).to.contain(
      "object.?status.?runtime != oldObject.?status.?runtime ? ['status.runtime']",
    );
    const auto = generate('--out', out, '--layout', 'auto');
    expect(auto.code).to.equal(2);
    expect(auto.stderr).to.contain('--layout: expected top-level or runtime');
  });

  it('generates for other identities; a bad one exits 2 naming the option', () => {
    const custom = generate(
      '--out',
      out,
      '--runtime-service-account',
      'runtime-{name}',
      '--operator-username',
      'system:serviceaccount:platform:toolhive-operator',
    );
    expect(custom.code, custom.stderr).to.equal(0);
    const policy = readFileSync(join(out, 'policy.yaml'), 'utf8');
    expect(policy).to.contain(":runtime-' + object.metadata.name");
    expect(policy).to.contain(
      "variables.caller in ['system:serviceaccount:platform:toolhive-operator']",
    );
    const bad = generate('--out', out, '--runtime-service-account', 'Runtime_{name}');
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.contain('runtimeServiceAccount: expected');
  });
});
