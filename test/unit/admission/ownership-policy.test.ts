import { expect } from 'chai';
import { ownedConditionTypes, ownedFields } from '../../../src/apply/ownership.js';
import {
  celString,
  changedLabelsExpression,
  ownedFieldChecks,
} from '../../../src/admission/ownership-cel.js';
import {
  ownershipPolicy,
  ownershipPolicyBinding,
  resolvePolicyOptions,
} from '../../../src/admission/ownership-policy.js';
import { ConfigError } from '../../../src/errors.js';

type Policy = ReturnType<typeof ownershipPolicy>;
const variable = (policy: Policy, name: string): string =>
  policy.spec.variables.find((v) => v.name === name)?.expression ?? '';

describe('the status-ownership policy builder', () => {
  describe('ownedFieldChecks: the CEL comes from the ownership table', () => {
    for (const owner of ['runtime', 'operator'] as const) {
      it(`names every ${owner}-owned field and condition type, and nothing else`, () => {
        expect(ownedFieldChecks(owner).map((c) => c.label)).to.deep.equal([
          ...ownedFields(owner).map((f) => `status.${f}`),
          ...ownedConditionTypes(owner).map((t) => `status.conditions[type=${t}]`),
        ]);
      });
    }

    it('compares a field by optional selection, so absent on both sides is no change', () => {
      const phase = ownedFieldChecks('runtime').find((c) => c.label === 'status.phase');
      expect(phase?.changed).to.equal('object.?status.?phase != oldObject.?status.?phase');
    });

    it('compares a condition by its type only', () => {
      const ready = ownedFieldChecks('runtime').find(
        (c) => c.label === 'status.conditions[type=Ready]',
      );
      expect(ready?.changed).to.equal(
        "variables.newConditions.filter(c, c.type == 'Ready') != variables.oldConditions.filter(c, c.type == 'Ready')",
      );
    });

    it('joins the labels of changed fields into one list', () => {
      expect(
        changedLabelsExpression([
          { label: 'status.a', changed: 'A' },
          { label: 'status.b', changed: 'B' },
        ]),
      ).to.equal("(A ? ['status.a'] : [])\n+ (B ? ['status.b'] : [])");
      expect(changedLabelsExpression([])).to.equal('[]');
    });

    it('escapes CEL string literals', () => {
      expect(celString("it's a \\ path")).to.equal("'it\\'s a \\\\ path'");
    });
  });

  describe('ownershipPolicy', () => {
    it('matches only UPDATE of virtualmcpservers/status in the CRD group, failing closed', () => {
      const policy = ownershipPolicy();
      expect(policy.spec.failurePolicy).to.equal('Fail');
      expect(policy.spec.matchConstraints.resourceRules).to.deep.equal([
        {
          apiGroups: ['vmcp-status.dev'],
          apiVersions: ['*'],
          operations: ['UPDATE'],
          resources: ['virtualmcpservers/status'],
        },
      ]);
    });

    it('lets the break-glass groups through before any validation', () => {
      const policy = ownershipPolicy({ breakGlassGroups: ['system:masters', 'ops:admins'] });
      expect(policy.spec.matchConditions).to.deep.equal([
        {
          name: 'not-break-glass',
          expression:
            "!request.userInfo.?groups.orValue([]).exists(g, g in ['system:masters', 'ops:admins'])",
        },
      ]);
    });

    it('derives the runtime identity from the object: <name>-vmcp in its namespace by default', () => {
      expect(variable(ownershipPolicy(), 'runtimeUsername')).to.equal(
        "'system:serviceaccount:' + object.metadata.namespace + ':' + object.metadata.name + '-vmcp'",
      );
    });

    it('takes the runtime ServiceAccount as a pattern', () => {
      const expression = (pattern: string) =>
        variable(ownershipPolicy({ runtimeServiceAccount: pattern }), 'runtimeUsername');
      expect(expression('vmcp-{name}')).to.equal(
        "'system:serviceaccount:' + object.metadata.namespace + ':vmcp-' + object.metadata.name",
      );
      expect(expression('{name}')).to.equal(
        "'system:serviceaccount:' + object.metadata.namespace + ':' + object.metadata.name",
      );
      // One ServiceAccount for every VirtualMCPServer of a namespace.
      expect(expression('vmcp-runtime')).to.equal(
        "'system:serviceaccount:' + object.metadata.namespace + ':vmcp-runtime'",
      );
    });

    it('takes the operator identities as a parameter and names them in the message', () => {
      const policy = ownershipPolicy({
        operatorUsernames: ['system:serviceaccount:ops:op', 'system:serviceaccount:ops:op2'],
      });
      expect(variable(policy, 'operatorDeniedFields')).to.equal(
        "variables.caller in ['system:serviceaccount:ops:op', 'system:serviceaccount:ops:op2'] ? [] : variables.operatorFieldsChanged",
      );
      expect(policy.spec.validations[0]?.messageExpression).to.contain(
        "(owned by vmcp-operator, written only by system:serviceaccount:ops:op or system:serviceaccount:ops:op2)'",
      );
    });

    it('has one validation, so one denial names every field, owner and the caller', () => {
      const [validation, ...rest] = ownershipPolicy().spec.validations;
      expect(rest).to.deep.equal([]);
      expect(validation).to.include({
        expression:
          'size(variables.runtimeDeniedFields) + size(variables.operatorDeniedFields) == 0',
        reason: 'Forbidden',
      });
      expect(validation?.messageExpression).to.match(/^variables\.caller \+ ' may not change '/);
    });

    it('refuses bad parameters with a ConfigError naming the option', () => {
      const field = (fn: () => unknown): string => {
        try {
          fn();
        } catch (err) {
          expect(err).to.be.instanceOf(ConfigError);
          return (err as ConfigError).field;
        }
        return expect.fail('no error');
      };
      expect(field(() => resolvePolicyOptions({ runtimeServiceAccount: 'Bad_{name}' }))).to.equal(
        'runtimeServiceAccount',
      );
      expect(field(() => resolvePolicyOptions({ operatorUsernames: [] }))).to.equal(
        'operatorUsernames',
      );
      expect(field(() => resolvePolicyOptions({ operatorUsernames: ["a' || true"] }))).to.equal(
        'operatorUsernames',
      );
      expect(field(() => resolvePolicyOptions({ breakGlassGroups: ['a b'] }))).to.equal(
        'breakGlassGroups',
      );
      expect(field(() => ownershipPolicyBinding({ validationActions: ['Deny', 'Warn'] }))).to.equal(
        'validationActions',
      );
    });
  });

  describe('the runtime layout (ToolHive’s CRD)', () => {
    it('the runtime may change only status.runtime; the operator every top-level field', () => {
      expect(ownedFieldChecks('runtime', 'runtime')).to.deep.equal([
        {
          label: 'status.runtime',
          changed: 'object.?status.?runtime != oldObject.?status.?runtime',
        },
      ]);
      const operator = ownedFieldChecks('operator', 'runtime').map((c) => c.label);
      expect(operator).to.include.members([
        'status.phase',
        'status.message',
        'status.backendCount',
        'status.discoveredBackends',
        'status.conditions',
        'status.url',
      ]);
      expect(operator).to.not.include('status.runtime');
    });

    it("defaults to ToolHive's operator and says who owns what in the denial", () => {
      const policy = ownershipPolicy({ layout: 'runtime' });
      expect(variable(policy, 'operatorDeniedFields')).to.contain(
        "['system:serviceaccount:toolhive-system:toolhive-operator']",
      );
      expect(variable(policy, 'runtimeFieldsChanged')).to.equal(
        "(object.?status.?runtime != oldObject.?status.?runtime ? ['status.runtime'] : [])",
      );
      expect(policy.spec.validations[0]?.messageExpression).to.contain(
        '(owned by the ToolHive operator, written only by system:serviceaccount:toolhive-system:toolhive-operator)',
      );
      expect(resolvePolicyOptions({ layout: 'runtime', operatorUsernames: ['x:y'] }))
        .to.have.property('operatorUsernames')
        .that.deep.equals(['x:y']);
      expect(() => resolvePolicyOptions({ layout: 'nested' as never }))
        .to.throw(ConfigError)
        .with.property('field', 'layout');
    });
  });

  describe('ownershipPolicyBinding', () => {
    it('denies by default, in every namespace', () => {
      expect(ownershipPolicyBinding()).to.deep.equal({
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicyBinding',
        metadata: { name: 'vmcp-status-ownership' },
        spec: { policyName: 'vmcp-status-ownership', validationActions: ['Deny'] },
      });
    });

    it('can warn and audit instead, and be limited to namespaces', () => {
      const binding = ownershipPolicyBinding({
        validationActions: ['Warn', 'Audit'],
        namespaceSelector: { matchLabels: { team: 'a' } },
      });
      expect(binding.spec).to.deep.equal({
        policyName: 'vmcp-status-ownership',
        validationActions: ['Warn', 'Audit'],
        matchResources: { namespaceSelector: { matchLabels: { team: 'a' } } },
      });
    });
  });
});
