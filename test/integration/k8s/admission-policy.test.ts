import { cpSync, mkdtempSync, appendFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { parseAllDocuments, stringify } from 'yaml';
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { K8sReporter } from '../../../src/apply/k8s-reporter.js';
import type { ReportOutcome } from '../../../src/reporter.js';
import { DEFAULT_POLICY_OPTIONS } from '../../../src/admission/ownership-policy.js';
import { installCrd } from '../../../tools/cluster/install-crd.js';
import {
  MANIFESTS_DIR,
  applyObjects,
  readManifest,
  type ManifestObject,
} from '../../../tools/cluster/manifests.js';
import {
  impersonating,
  installScopedPolicy,
  type ScopedPolicy,
} from '../../support/k8s/ownership-policy.js';
import {
  applyStatus,
  readVmcp,
  updateStatus,
  type StatusTarget,
  type WriteAnswer,
} from '../../../tools/cluster/status-writes.js';
import { runtimeIdentity } from '../../../tools/cluster/runtime-identity.js';
import { useTestCluster } from '../../support/k8s/shared-control-plane.js';
import { statusOf, vmcpObject } from '../../../tools/cluster/status-fixtures.js';
import { memoryLogger } from '../../support/memory-log.js';
import { waitFor } from '../../../tools/cluster/wait-for.js';

const OPERATOR = DEFAULT_POLICY_OPTIONS.operatorUsernames[0]!;
const statusRules = (verbs: string[]) => [
  { apiGroups: ['vmcp-status.dev'], resources: ['virtualmcpservers/status'], verbs },
];

function condition(type: string, status: 'True' | 'False', reason = 'Testing') {
  return { type, status, reason, message: '', lastTransitionTime: '2026-11-29T10:00:00Z' };
}

/**
 * The committed policy (manifests/admission/) on the real kube-apiserver: the policy runs
 * inside it, so these are the real HTTP codes, messages and warnings a writer sees.
 */
describe('the status-ownership admission policy on a real kube-apiserver', function () {
  const cluster = useTestCluster('admission');
  let admin: KubeConfig;
  let warnNamespace: string;
  let policy: ScopedPolicy;
  /** Identities per namespace. */
  const as: Record<string, { intruder: KubeConfig; otherRuntime: KubeConfig }> = {};
  let operator: KubeConfig;

  /** `virtualmcpservers… "NAME" is forbidden: ValidatingAdmissionPolicy … denied request: <reason>` */
  const denial = (name: string, ns: string, reason: string): string =>
    `virtualmcpservers.vmcp-status.dev "${name}" is forbidden: ValidatingAdmissionPolicy ` +
    `'${policy.policyName}' with binding '${policy.bindings.get(ns) ?? ''}' denied request: ${reason}`;
  const sa = (ns: string, name: string): string => `system:serviceaccount:${ns}:${name}`;
  const runtimeOwned = (ns: string, name: string): string =>
    `(owned by vmcp-runtime, written only by ${sa(ns, `${name}-vmcp`)})`;
  const operatorOwned = `(owned by vmcp-operator, written only by ${OPERATOR})`;

  /** A fresh VirtualMCPServer with runtime and operator fields already written by their owners. */
  async function seeded(
    ns: string,
    name: string,
  ): Promise<{ target: StatusTarget; runtime: KubeConfig }> {
    await admin.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
      group: 'vmcp-status.dev',
      version: 'v1beta1',
      namespace: ns,
      plural: 'virtualmcpservers',
      body: vmcpObject(name, ns),
    });
    const target = { namespace: ns, name };
    // The runtime's own RBAC (manifests/runtime/rbac.yaml): get and patch, no update.
    const runtime = await runtimeIdentity(cluster.plane, ns, name);
    expect(
      await applyStatus(
        runtime,
        target,
        {
          phase: 'Ready',
          message: 'ok',
          backendCount: 1,
          conditions: [condition('Ready', 'True')],
        },
        { fieldManager: 'vmcp-runtime' },
      ),
    ).to.include({ code: 200 });
    expect(
      await applyStatus(
        operator,
        target,
        { url: `http://${name}.example:4483`, conditions: [condition('Available', 'True')] },
        { fieldManager: 'vmcp-operator' },
      ),
    ).to.include({ code: 200 });
    return { target, runtime };
  }

  before(async function () {
    this.timeout(120_000);
    admin = cluster.plane.adminKubeConfig();
    await installCrd(admin);
    warnNamespace = `${cluster.namespace}-warn`;
    await admin
      .makeApiClient(CoreV1Api)
      .createNamespace({ body: { metadata: { name: warnNamespace } } });
    operator = impersonating(cluster.plane, OPERATOR);
    for (const ns of [cluster.namespace, warnNamespace]) {
      // The operator's ServiceAccount may update status here (it lives in vmcp-system,
      // which this file never creates: impersonation needs only the RoleBinding).
      await applyObjects(admin, [
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'Role',
          metadata: { name: 'vmcp-operator-status', namespace: ns },
          rules: statusRules(['get', 'update', 'patch']),
        },
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'RoleBinding',
          metadata: { name: 'vmcp-operator-status', namespace: ns },
          roleRef: {
            apiGroup: 'rbac.authorization.k8s.io',
            kind: 'Role',
            name: 'vmcp-operator-status',
          },
          subjects: [{ kind: 'ServiceAccount', name: 'vmcp-operator', namespace: 'vmcp-system' }],
        },
      ]);
      as[ns] = {
        // Any other ServiceAccount with RBAC update on status.
        intruder: await runtimeIdentity(cluster.plane, ns, 'app', {
          sa: 'intruder',
          rules: statusRules(['get', 'update', 'patch']),
        }),
        // The runtime of another VirtualMCPServer, allowed by RBAC to write this one.
        otherRuntime: await runtimeIdentity(cluster.plane, ns, 'other', {
          rules: statusRules(['get', 'update', 'patch']),
        }),
      };
    }
    policy = await installScopedPolicy(admin, `vmcp-status-ownership-${cluster.namespace}`, [
      { namespace: cluster.namespace, mode: 'deny' },
      { namespace: warnNamespace, mode: 'warn' },
    ]);
    // The policy is in force once a dry-run write that it refuses is refused (or warned).
    for (const ns of [cluster.namespace, warnNamespace]) {
      const { target: probe } = await seeded(ns, 'probe');
      await waitFor(`the policy in force in ${ns}`, async () => {
        const answer = await applyStatus(
          as[ns]!.intruder,
          probe,
          { phase: 'Failed' },
          {
            dryRun: true,
          },
        );
        return ns === warnNamespace ? answer.warning !== undefined : answer.code === 403;
      });
    }
  });

  after(async () => {
    await policy.remove();
    await admin
      .makeApiClient(CoreV1Api)
      .deleteNamespace({ name: warnNamespace })
      .catch(() => undefined);
  });

  describe('with the [Deny] binding', () => {
    const ns = (): string => cluster.namespace;

    it('the runtime ServiceAccount applies its fields with K8sReporter (the real apply) and passes', async () => {
      const { target, runtime } = await seeded(ns(), 'app');
      const outcomes: ReportOutcome[] = [];
      const reporter = new K8sReporter({
        kubeConfig: runtime,
        ref: target,
        logger: memoryLogger('info').logger,
        events: false,
        metrics: { reportOutcome: (o) => outcomes.push(o) },
      });
      try {
        await reporter.start(30_000);
        await reporter.report(
          statusOf([
            ['alpha', 'healthy', 4],
            ['beta', 'unhealthy'],
          ]),
        );
      } finally {
        await reporter.stop();
      }
      expect(outcomes).to.deep.equal(['applied']);
      const object = await readVmcp(admin, target);
      expect(object.status).to.include({ phase: 'Degraded', totalToolCount: 4 });
      // The operator's fields are untouched.
      expect(object.status).to.include({ url: 'http://app.example:4483' });
    });

    it('the runtime ServiceAccount touching url is denied: 403 naming status.url, its owner and the caller', async () => {
      const { target, runtime } = await seeded(ns(), 'touch-url');
      const answer = await applyStatus(
        runtime,
        target,
        { phase: 'Ready', url: 'http://elsewhere.example' },
        { fieldManager: 'vmcp-runtime' },
      );
      expect(answer).to.deep.equal({
        code: 403,
        reason: 'Forbidden',
        message: denial(
          'touch-url',
          ns(),
          `${sa(ns(), 'touch-url-vmcp')} may not change status.url ${operatorOwned}`,
        ),
      });
      expect((await readVmcp(admin, target)).status).to.include({
        url: 'http://touch-url.example:4483',
      });
    });

    it('the operator applies its own fields and passes', async () => {
      const { target } = await seeded(ns(), 'operator-own');
      const answer = await applyStatus(
        operator,
        target,
        {
          url: 'http://moved.example:4483',
          observedGeneration: 2,
          conditions: [
            condition('Available', 'False', 'DeploymentUnavailable'),
            condition('Valid', 'True'),
          ],
        },
        { fieldManager: 'vmcp-operator' },
      );
      expect(answer.code).to.equal(200);
      expect(answer.warning).to.equal(undefined);
      expect((await readVmcp(admin, target)).status).to.include({
        url: 'http://moved.example:4483',
        observedGeneration: 2,
        phase: 'Ready',
      });
    });

    it('the operator changing phase is denied with the message, by server-side apply and by a plain Update alike', async () => {
      const { target } = await seeded(ns(), 'operator-phase');
      const message = denial(
        'operator-phase',
        ns(),
        `${OPERATOR} may not change status.phase ${runtimeOwned(ns(), 'operator-phase')}`,
      );
      const byApply = await applyStatus(
        operator,
        target,
        { phase: 'Failed' },
        {
          fieldManager: 'vmcp-operator',
        },
      );
      const byUpdate = await updateStatus(operator, target, (status) => {
        status.phase = 'Failed';
      });
      expect(byApply).to.deep.equal({ code: 403, reason: 'Forbidden', message });
      expect(byUpdate).to.deep.equal({ code: 403, reason: 'Forbidden', message });
      expect((await readVmcp(admin, target)).status).to.include({ phase: 'Ready' });
    });

    it('the operator changing a runtime condition (Ready) is denied, by server-side apply and by a plain Update alike', async () => {
      const { target } = await seeded(ns(), 'operator-ready');
      const message = denial(
        'operator-ready',
        ns(),
        `${OPERATOR} may not change status.conditions[type=Ready] ${runtimeOwned(ns(), 'operator-ready')}`,
      );
      const byApply = await applyStatus(
        operator,
        target,
        { conditions: [condition('Ready', 'False', 'DeploymentUnavailable')] },
        { fieldManager: 'vmcp-operator' },
      );
      const byUpdate = await updateStatus(operator, target, (status) => {
        const conditions = status.conditions as Array<{ type: string; status: string }>;
        const ready = conditions.find((c) => c.type === 'Ready')!;
        ready.status = 'False';
      });
      expect(byApply).to.deep.equal({ code: 403, reason: 'Forbidden', message });
      expect(byUpdate).to.deep.equal({ code: 403, reason: 'Forbidden', message });
    });

    it('removing a runtime-owned field is a change too', async () => {
      const { target } = await seeded(ns(), 'operator-removes');
      const answer = await updateStatus(operator, target, (status) => {
        delete status.message;
      });
      expect(answer.code).to.equal(403);
      expect(answer.message).to.contain(
        `${OPERATOR} may not change status.message (owned by vmcp-runtime`,
      );
    });

    it('any other ServiceAccount with RBAC update on status: one denial names every field it touched, with each owner', async () => {
      const { target } = await seeded(ns(), 'app-intruded');
      const answer = await updateStatus(as[ns()]!.intruder, target, (status) => {
        status.phase = 'Failed';
        status.backendCount = 7;
        status.url = 'http://evil.example';
      });
      expect(answer).to.deep.equal({
        code: 403,
        reason: 'Forbidden',
        message: denial(
          'app-intruded',
          ns(),
          `${sa(ns(), 'intruder')} may not change status.phase, status.backendCount ` +
            `${runtimeOwned(ns(), 'app-intruded')}; status.url ${operatorOwned}`,
        ),
      });
    });

    it('the runtime ServiceAccount of another VirtualMCPServer may not write this one', async () => {
      const { target } = await seeded(ns(), 'victim');
      // As vmcp-runtime with fewer fields, the apply also removes the manager's others.
      const answer = await applyStatus(
        as[ns()]!.otherRuntime,
        target,
        { phase: 'Failed' },
        { fieldManager: 'vmcp-runtime' },
      );
      expect(answer).to.deep.equal({
        code: 403,
        reason: 'Forbidden',
        message: denial(
          'victim',
          ns(),
          `${sa(ns(), 'other-vmcp')} may not change status.phase, status.message, ` +
            `status.backendCount, status.conditions[type=Ready] ${runtimeOwned(ns(), 'victim')}`,
        ),
      });
    });

    it('a request that changes nothing owned passes: a no-op Update, an apply of current values, an unowned condition', async () => {
      const { target } = await seeded(ns(), 'noop');
      const before = await readVmcp(admin, target);
      const noopUpdate = await updateStatus(operator, target, () => undefined);
      expect(noopUpdate).to.deep.equal({
        code: 200,
        resourceVersion: before.metadata?.resourceVersion,
      });
      // Same values: SSA adds a co-owner in managedFields, status itself does not change.
      const sameValues = await applyStatus(
        as[ns()]!.intruder,
        target,
        { phase: 'Ready', url: 'http://noop.example:4483' },
        { fieldManager: 'someone-else' },
      );
      expect(sameValues.code).to.equal(200);
      const foreign = await applyStatus(
        as[ns()]!.intruder,
        target,
        { conditions: [condition('example.com/Checked', 'True')] },
        { fieldManager: 'someone-else' },
      );
      expect(foreign.code).to.equal(200);
      expect(foreign.warning).to.equal(undefined);
    });

    it('an admin (system:masters: break-glass) may change anything', async () => {
      const { target } = await seeded(ns(), 'break-glass');
      const answer = await applyStatus(admin, target, {
        phase: 'Failed',
        url: 'http://fixed.example',
        conditions: [condition('Ready', 'False'), condition('Available', 'False')],
      });
      expect(answer.code).to.equal(200);
      expect((await readVmcp(admin, target)).status).to.include({
        phase: 'Failed',
        url: 'http://fixed.example',
      });
    });

    it('kubectl shows the denial as docs/ownership.md does', async () => {
      await seeded(ns(), 'kubectl-deny');
      const result = cluster.plane.kubectl([
        'patch',
        'vmcpst',
        'kubectl-deny',
        '-n',
        ns(),
        '--subresource=status',
        '--type=merge',
        '-p',
        '{"status":{"phase":"Failed"}}',
        `--as=${OPERATOR}`,
      ]);
      expect(result.code).to.equal(1);
      expect(result.stderr).to.equal(
        `Error from server (Forbidden): ${denial(
          'kubectl-deny',
          ns(),
          `${OPERATOR} may not change status.phase ${runtimeOwned(ns(), 'kubectl-deny')}`,
        )}\n`,
      );
    });

    it('evaluates within the CEL cost budget for 1000 discovered backends', async () => {
      const { target, runtime } = await seeded(ns(), 'many');
      const backends = Array.from({ length: 1000 }, (_, i) => ({
        name: `backend-${String(i)}`,
        status: 'ready',
        url: `http://backend-${String(i)}.example:8080/mcp`,
        toolCount: 3,
      }));
      const byRuntime = await applyStatus(
        runtime,
        target,
        { discoveredBackends: backends },
        {
          fieldManager: 'vmcp-runtime',
        },
      );
      expect(byRuntime.code).to.equal(200);
      backends[999]!.status = 'unavailable';
      const byOperator = await applyStatus(
        operator,
        target,
        { discoveredBackends: backends },
        {
          fieldManager: 'vmcp-operator',
        },
      );
      expect(byOperator.code).to.equal(403);
      expect(byOperator.message).to.contain(`${OPERATOR} may not change status.discoveredBackends`);
    });
  });

  describe('with the [Warn, Audit] binding', () => {
    const ns = (): string => warnNamespace;
    const warning = (reason: string): string =>
      `299 - "Validation failed for ValidatingAdmissionPolicy '${policy.policyName}' with binding '${
        policy.bindings.get(ns()) ?? ''
      }': ${reason}"`;

    it('the same writes pass and each response carries the warning', async () => {
      const { target, runtime } = await seeded(ns(), 'app');
      const byApply = await applyStatus(
        operator,
        target,
        { phase: 'Failed' },
        {
          fieldManager: 'vmcp-operator',
        },
      );
      const byUpdate = await updateStatus(operator, target, (status) => {
        const conditions = status.conditions as Array<{ type: string; status: string }>;
        conditions.find((c) => c.type === 'Ready')!.status = 'False';
      });
      const urlByRuntime = await applyStatus(runtime, target, { url: 'http://elsewhere.example' });
      expect(byApply.code).to.equal(200);
      expect(byApply.warning).to.equal(
        warning(`${OPERATOR} may not change status.phase ${runtimeOwned(ns(), 'app')}`),
      );
      expect(byUpdate.code).to.equal(200);
      expect(byUpdate.warning).to.equal(
        warning(
          `${OPERATOR} may not change status.conditions[type=Ready] ${runtimeOwned(ns(), 'app')}`,
        ),
      );
      expect(urlByRuntime.code).to.equal(200);
      expect(urlByRuntime.warning).to.equal(
        warning(`${sa(ns(), 'app-vmcp')} may not change status.url ${operatorOwned}`),
      );
      expect((await readVmcp(admin, target)).status).to.include({
        phase: 'Failed',
        url: 'http://elsewhere.example',
      });
    });

    it('kubectl prints the warning and succeeds', async () => {
      await seeded(ns(), 'kubectl-warn');
      const result = cluster.plane.kubectl([
        'patch',
        'vmcpst',
        'kubectl-warn',
        '-n',
        ns(),
        '--subresource=status',
        '--type=merge',
        '-p',
        '{"status":{"phase":"Failed"}}',
        `--as=${OPERATOR}`,
      ]);
      expect(result.code, result.stderr).to.equal(0);
      expect(result.stdout).to.equal('virtualmcpserver.vmcp-status.dev/kubectl-warn patched\n');
      expect(result.stderr).to.equal(
        `Warning: Validation failed for ValidatingAdmissionPolicy '${policy.policyName}' with binding '${
          policy.bindings.get(ns()) ?? ''
        }': ${OPERATOR} may not change status.phase ${runtimeOwned(ns(), 'kubectl-warn')}\n`,
      );
    });

    it('a permitted write carries no warning', async () => {
      const { target, runtime } = await seeded(ns(), 'quiet');
      const answer: WriteAnswer = await applyStatus(
        runtime,
        target,
        { phase: 'Degraded' },
        {
          fieldManager: 'vmcp-runtime',
        },
      );
      expect(answer.code).to.equal(200);
      expect(answer.warning).to.equal(undefined);
    });
  });

  describe('kustomize: the policy is opt-in', () => {
    const render = (dir: string): ManifestObject[] => {
      const result = cluster.plane.kubectl(['kustomize', dir]);
      expect(result.code, result.stderr).to.equal(0);
      return parseAllDocuments(result.stdout)
        .map((d) => d.toJS() as ManifestObject | null)
        .filter((o): o is ManifestObject => o !== null);
    };
    const admissionObjects = (objects: ManifestObject[]) =>
      objects.filter((o) => o.apiVersion === 'admissionregistration.k8s.io/v1');
    /** Server dry run: the apiserver validates and admits the objects, stores nothing. */
    const dryRun = (objects: ManifestObject[]) =>
      cluster.plane.kubectl(
        ['apply', '--server-side', '--dry-run=server', '--field-manager=vmcp-tests', '-f', '-'],
        { input: objects.map((o) => stringify(o)).join('---\n') },
      );
    const [committedPolicy] = readManifest('admission/policy.yaml');

    it('kubectl apply -k manifests/ installs no admission policy', () => {
      expect(admissionObjects(render('manifests/'))).to.deep.equal([]);
    });

    it('examples/kustomize/enforced: manifests/ plus the committed policy and a [Deny] binding, accepted by the apiserver', () => {
      const objects = render('examples/kustomize/enforced');
      const admission = admissionObjects(objects);
      expect(admission.map((o) => o.kind)).to.deep.equal([
        'ValidatingAdmissionPolicy',
        'ValidatingAdmissionPolicyBinding',
      ]);
      expect(admission[0]).to.deep.equal(committedPolicy);
      expect(admission[1]?.spec).to.deep.equal({
        policyName: 'vmcp-status-ownership',
        validationActions: ['Deny'],
      });
      expect(objects.map((o) => o.kind)).to.include('CustomResourceDefinition');
      const applied = dryRun(admission);
      expect(applied.code, applied.stderr).to.equal(0);
      expect(applied.stdout).to.contain(
        'validatingadmissionpolicy.admissionregistration.k8s.io/vmcp-status-ownership serverside-applied (server dry run)',
      );
      expect(applied.stdout).to.contain(
        'validatingadmissionpolicybinding.admissionregistration.k8s.io/vmcp-status-ownership serverside-applied (server dry run)',
      );
    });

    it('examples/kustomize/audit: the same binding with [Warn, Audit]', () => {
      const [, binding] = admissionObjects(render('examples/kustomize/audit'));
      expect(binding?.spec).to.deep.equal({
        policyName: 'vmcp-status-ownership',
        validationActions: ['Warn', 'Audit'],
      });
      expect(binding).to.deep.equal(readManifest('admission/binding-warn.yaml')[0]);
    });

    it('uncommenting "components: [admission]" in manifests/kustomization.yaml works too', () => {
      // kustomize does not know these kinds are cluster-scoped and gives them the base's
      // namespace; the apiserver ignores it for cluster-scoped objects.
      const copy = mkdtempSync(join(tmpdir(), 'vmcp-kustomize-'));
      try {
        cpSync(MANIFESTS_DIR, copy, { recursive: true });
        appendFileSync(join(copy, 'kustomization.yaml'), '\ncomponents: [admission]\n');
        const admission = admissionObjects(render(copy));
        expect(admission.map((o) => o.metadata?.name)).to.deep.equal([
          'vmcp-status-ownership',
          'vmcp-status-ownership',
        ]);
        const applied = dryRun(admission);
        expect(applied.code, applied.stderr).to.equal(0);
      } finally {
        rmSync(copy, { recursive: true, force: true });
      }
    });
  });
});
