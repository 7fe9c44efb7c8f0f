import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { parse } from 'yaml';
import { admissionManifests } from '../../../src/admission/admission-manifests.js';
import {
  ownershipPolicy,
  ownershipPolicyBinding,
} from '../../../src/admission/ownership-policy.js';

const ADMISSION_DIR = fileURLToPath(new URL('../../../manifests/admission/', import.meta.url));

describe('manifests/admission', () => {
  const generated = admissionManifests();

  for (const [file, text] of Object.entries(generated)) {
    it(`${file} is what \`npm run manifests\` generates from the ownership table`, () => {
      let committed: string;
      try {
        committed = readFileSync(join(ADMISSION_DIR, file), 'utf8');
      } catch {
        expect.fail(
          `manifests/admission/${file} is missing: run "npm run manifests" and commit it`,
        );
      }
      // Compared as text: comments and layout are part of what is committed.
      expect(committed, `manifests/admission/${file} is stale: run "npm run manifests"`).to.equal(
        text,
      );
    });
  }

  it('the YAML holds exactly the objects the builders return', () => {
    expect(parse(generated['policy.yaml']!)).to.deep.equal(ownershipPolicy());
    expect(parse(generated['binding.yaml']!)).to.deep.equal(ownershipPolicyBinding());
    expect(parse(generated['binding-warn.yaml']!)).to.deep.equal(
      ownershipPolicyBinding({ validationActions: ['Warn', 'Audit'] }),
    );
  });

  it('the Component lists the policy and the [Deny] binding; the warn Component patches it to [Warn, Audit]', () => {
    expect(parse(generated['kustomization.yaml']!)).to.deep.equal({
      apiVersion: 'kustomize.config.k8s.io/v1alpha1',
      kind: 'Component',
      resources: ['policy.yaml', 'binding.yaml'],
    });
    const warn = parse(generated['warn/kustomization.yaml']!) as {
      kind: string;
      patches: Array<{ target: { kind: string; name: string }; patch: string }>;
    };
    expect(warn.kind).to.equal('Component');
    expect(warn.patches[0]?.target).to.include({
      kind: 'ValidatingAdmissionPolicyBinding',
      name: 'vmcp-status-ownership',
    });
    expect(JSON.parse(warn.patches[0]!.patch)).to.deep.equal([
      { op: 'replace', path: '/spec/validationActions', value: ['Warn', 'Audit'] },
    ]);
  });

  it('the headers name the parameters they were generated with', () => {
    const custom = admissionManifests({
      runtimeServiceAccount: 'runtime-{name}',
      operatorUsernames: ['system:serviceaccount:ops:controller'],
    });
    expect(custom['policy.yaml']).to.contain('#   runtime ServiceAccount: runtime-{name}');
    expect(custom['binding.yaml']).to.contain('#   operator: system:serviceaccount:ops:controller');
  });
});
