import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { stringify } from 'yaml';
import {
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
} from '@kubernetes/client-node';
import { K8sReporter } from '../../../src/apply/k8s-reporter.js';
import { readStatusSchema } from '../../../src/apply/openapi-schema.js';
import type { InspectReport } from '../../../src/cli/inspect-report.js';
import { installCrd } from '../../../tools/cluster/install-crd.js';
import { applyObjects } from '../../../tools/cluster/manifests.js';
import { runtimeIdentity, runtimeRules } from '../../../tools/cluster/runtime-identity.js';
import { statusOf, vmcpObject } from '../../../tools/cluster/status-fixtures.js';
import { waitFor } from '../../../tools/cluster/wait-for.js';
import { impersonating } from '../../support/k8s/ownership-policy.js';
import { useTestCluster } from '../../support/k8s/shared-control-plane.js';
import { toolhiveCrd } from '../../support/k8s/toolhive-crd.js';
import { ToolhiveOperatorEcho } from '../../support/k8s/toolhive-operator-echo.js';
import { requireBuiltCli, runCli } from '../../support/mcp/cli-process.js';
import { memoryLogger } from '../../support/memory-log.js';

const TOOLHIVE_GROUP = 'toolhive-compat.test';

describe('vmcp-status inspect (the built CLI) on a real kube-apiserver', function () {
  this.timeout(120_000);
  const cluster = useTestCluster('inspect');
  let admin: KubeConfig;
  let kubeconfig: string;

  const inspect = (...args: string[]) =>
    runCli(['inspect', ...args, '-n', cluster.namespace, '--kubeconfig', kubeconfig]);
  const inspectJson = async (...args: string[]) => {
    const result = await inspect(...args, '-o', 'json');
    return { ...result, report: JSON.parse(result.stdout) as InspectReport };
  };

  /** The real kubectl as a foreign writer: a server-side apply of the status subresource. */
  const foreignApply = (
    resource: string,
    name: string,
    status: Record<string, unknown>,
    manager = 'intruder',
  ) => {
    const [plural, ...group] = resource.split('.');
    const out = cluster.plane.kubectl(
      [
        'apply',
        '--server-side',
        '--subresource=status',
        `--field-manager=${manager}`,
        '--force-conflicts',
        '-f',
        '-',
      ],
      {
        input: stringify({
          apiVersion: `${group.join('.')}/v1beta1`,
          kind: 'VirtualMCPServer',
          metadata: { name, namespace: cluster.namespace },
          status,
        }),
      },
    );
    expect(out.code, `${out.stderr} (${plural ?? ''})`).to.equal(0);
  };

  /**
   * A VirtualMCPServer the runtime reported on, then stopped: a running runtime would
   * repair a foreign writer's change within moments (its drift watch).
   */
  async function reported(name: string, apiVersion?: string): Promise<void> {
    const [group = '', version = ''] = (apiVersion ?? 'vmcp-status.dev/v1beta1').split('/');
    await admin.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
      group,
      version,
      namespace: cluster.namespace,
      plural: 'virtualmcpservers',
      body: vmcpObject(name, cluster.namespace, `${group}/${version}`),
    });
    const rules = runtimeRules(name).map((r) =>
      r.apiGroups.includes('vmcp-status.dev') ? { ...r, apiGroups: [group] } : r,
    );
    const reporter = new K8sReporter({
      kubeConfig: await runtimeIdentity(cluster.plane, cluster.namespace, name, { rules }),
      ref: { name, namespace: cluster.namespace, ...(apiVersion ? { apiVersion } : {}) },
      logger: memoryLogger('silent').logger,
      events: false,
    });
    await reporter.start(30_000);
    await reporter.report(
      statusOf([
        ['alpha', 'healthy', 4],
        ['beta', 'unhealthy'],
      ]),
    );
    await reporter.stop();
  }

  before(async () => {
    requireBuiltCli();
    admin = cluster.plane.adminKubeConfig();
    kubeconfig = cluster.plane.kubeconfigPath;
    await installCrd(admin);
  });

  it('top-level: runtime and operator on their own fields, exit 0; a foreign kubectl apply, exit 1', async () => {
    await reported('clean');
    // The operator's fields, as vmcp-operator applies them.
    await admin.makeApiClient(CustomObjectsApi).patchNamespacedCustomObjectStatus(
      {
        group: 'vmcp-status.dev',
        version: 'v1beta1',
        namespace: cluster.namespace,
        plural: 'virtualmcpservers',
        name: 'clean',
        body: {
          ...vmcpObject('clean', cluster.namespace),
          status: {
            url: 'http://clean:4483',
            observedGeneration: 1,
            conditions: [
              {
                type: 'Available',
                status: 'True',
                reason: 'DeploymentAvailable',
                message: '1/1 replicas available',
                lastTransitionTime: '2026-11-29T10:00:00Z',
              },
            ],
          },
        },
        fieldManager: 'vmcp-operator',
        force: true,
      },
      setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
    );

    const text = await inspect('clean');
    expect(text.code, text.stderr).to.equal(0);
    expect(text.stdout)
      .to.contain(`VirtualMCPServer ${cluster.namespace}/clean`)
      .and.contain("Status layout: top-level (from the CRD's published schema)")
      .and.contain('Phase:         Degraded')
      .and.contain('Backends:      1 routable of 2, 1 healthy, 1 unhealthy, 4 tools')
      .and.contain('Every status field is owned as the ownership table says.');
    expect(text.stdout).to.match(
      /^ {2}phase\s+vmcp-runtime\s+Apply\s+\S+Z\s+runtime \(vmcp-runtime\)$/m,
    );
    expect(text.stdout).to.match(
      /^ {2}conditions\[type=Available\]\s+vmcp-operator\s+Apply\s+\S+\s+operator \(vmcp-operator\)$/m,
    );

    const clean = await inspectJson('clean');
    expect(clean.code).to.equal(0);
    expect(clean.report).to.include({
      layout: 'top-level',
      layoutSource: 'schema',
      phase: 'Degraded',
    });
    expect(clean.report.foreignWriters).to.deep.equal([]);
    const managers = (field: string) =>
      clean.report.fields.filter((f) => f.field === field).map((f) => f.manager);
    expect(managers('phase')).to.deep.equal(['vmcp-runtime']);
    expect(managers('url')).to.deep.equal(['vmcp-operator']);
    expect(managers('discoveredBackends[name=beta]')).to.deep.equal(['vmcp-runtime']);
    expect(clean.report.runtime).to.include({
      backendCount: 1,
      totalToolCount: 4,
      discoveredBackends: 2,
    });

    foreignApply('virtualmcpservers.vmcp-status.dev', 'clean', {
      phase: 'Ready',
      message: 'all good, says a script',
    });
    const dirty = await inspectJson('clean');
    expect(dirty.code).to.equal(1);
    expect(dirty.report.foreignWriters).to.deep.equal(['intruder']);
    expect(
      dirty.report.fields.filter((f) => f.foreign).map((f) => [f.field, f.manager, f.operation]),
    ).to.deep.equal([
      ['message', 'intruder', 'Apply'],
      ['phase', 'intruder', 'Apply'],
    ]);
    const marked = await inspect('clean');
    expect(marked.code).to.equal(1);
    expect(marked.stdout).to.match(/^! phase\s+intruder\s+Apply/m);
    expect(marked.stdout).to.contain('Foreign writers: intruder (fields marked !).');
  });

  it('a third manager adding a condition of its own is a foreign writer: named in the verdict, exit 1', async () => {
    await reported('third');
    foreignApply(
      'virtualmcpservers.vmcp-status.dev',
      'third',
      {
        conditions: [
          {
            type: 'Custom',
            status: 'True',
            reason: 'SomeoneElse',
            message: 'written by another controller',
            lastTransitionTime: '2026-12-08T10:00:00Z',
          },
        ],
      },
      'other',
    );
    const text = await inspect('third');
    expect(text.code, text.stderr).to.equal(1);
    expect(text.stdout).to.match(
      /^! conditions\[type=Custom\]\s+other\s+Apply\s+\S+\s+\(not in the table\)$/m,
    );
    expect(text.stdout).to.contain('Foreign writers: other (fields marked !).');
    expect(text.stdout).to.not.contain('Every status field is owned as the ownership table says.');
    const json = await inspectJson('third');
    expect(json.code).to.equal(1);
    expect(json.report.foreignWriters).to.deep.equal(['other']);
  });

  it('finds the kubeconfig as kubectl does: KUBECONFIG, and --context', async () => {
    await reported('by-env');
    // A second file whose current context points nowhere: --context picks the real one.
    const other = join(cluster.plane.dir, 'other.kubeconfig');
    const [context] = cluster.plane.adminKubeConfig().getContexts();
    writeFileSync(
      other,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'nowhere', cluster: { server: 'https://127.0.0.1:9' } }],
        users: [{ name: 'nobody', user: {} }],
        contexts: [{ name: 'nowhere', context: { cluster: 'nowhere', user: 'nobody' } }],
        'current-context': 'nowhere',
      }),
    );
    const env = { KUBECONFIG: `${other}:${kubeconfig}` };
    const args = ['inspect', 'by-env', '-n', cluster.namespace, '-o', 'json'];
    const unreachable = await runCli(args, env);
    expect(unreachable.code).to.equal(1);
    expect(unreachable.stderr).to.contain('cannot read VirtualMCPServer');
    const viaContext = await runCli([...args, '--context', context!.name], env);
    expect(viaContext.code, viaContext.stderr).to.equal(0);
    expect((JSON.parse(viaContext.stdout) as InspectReport).name).to.equal('by-env');
  });

  it('exits 2 on usage errors and 1 on an object it cannot read, saying why', async () => {
    const missing = await runCli(['inspect', '--kubeconfig', kubeconfig]);
    expect(missing.code).to.equal(2);
    expect(missing.stderr).to.contain("missing required argument 'name'");
    const badContext = await inspect('x', '--context', 'nope');
    expect(badContext.code).to.equal(2);
    expect(badContext.stderr).to.contain('--context: expected a context of the kubeconfig');
    const badOutput = await inspect('x', '-o', 'yaml');
    expect(badOutput.code).to.equal(2);
    const badName = await inspect('Not_A_Name');
    expect(badName.code).to.equal(2);
    expect(badName.stderr).to.contain('NAME: expected a DNS-1123 subdomain');
    const absent = await inspect('absent');
    expect(absent.code).to.equal(1);
    expect(absent.stderr).to.contain(
      `cannot read VirtualMCPServer ${cluster.namespace}/absent: not found (404)`,
    );
  });

  it("the runtime layout (ToolHive's CRD): the runtime in status.runtime, ToolHive's operator at the top; a foreign writer in status.runtime", async () => {
    const apiVersion = `${TOOLHIVE_GROUP}/v1beta1`;
    await installCrd(admin, toolhiveCrd(TOOLHIVE_GROUP));
    await waitFor(
      'the ToolHive CRD published',
      async () =>
        (
          await readStatusSchema(admin, {
            group: TOOLHIVE_GROUP,
            version: 'v1beta1',
            kind: 'VirtualMCPServer',
          })
        ).kind === 'found',
      60_000,
    );
    await reported('toolhive', apiVersion);
    // ToolHive's operator projects it once.
    await applyObjects(admin, [
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: 'toolhive-operator-vmcp', namespace: cluster.namespace },
        rules: [
          {
            apiGroups: [TOOLHIVE_GROUP],
            resources: ['virtualmcpservers', 'virtualmcpservers/status'],
            verbs: ['get', 'list', 'watch', 'update'],
          },
        ],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'toolhive-operator-vmcp', namespace: cluster.namespace },
        roleRef: {
          apiGroup: 'rbac.authorization.k8s.io',
          kind: 'Role',
          name: 'toolhive-operator-vmcp',
        },
        subjects: [
          { kind: 'ServiceAccount', name: 'toolhive-operator', namespace: 'toolhive-system' },
        ],
      },
    ]);
    const echo = new ToolhiveOperatorEcho({
      kubeConfig: impersonating(
        cluster.plane,
        'system:serviceaccount:toolhive-system:toolhive-operator',
      ),
      ref: {
        group: TOOLHIVE_GROUP,
        version: 'v1beta1',
        plural: 'virtualmcpservers',
        namespace: cluster.namespace,
        name: 'toolhive',
      },
      resyncMs: 60_000,
      url: 'http://toolhive:4483',
    });
    echo.start();
    try {
      await waitFor('projected', async () => {
        const r = await inspectJson('toolhive', '--api-version', apiVersion);
        return r.report.phase === 'Degraded';
      });
    } finally {
      await echo.stop();
    }
    const clean = await inspectJson('toolhive', '--api-version', apiVersion);
    expect(clean.code, clean.stderr).to.equal(0);
    expect(clean.report).to.include({
      layout: 'runtime',
      layoutSource: 'schema',
      phase: 'Degraded',
    });
    expect(clean.report.runtime).to.include({ phase: 'Degraded', backendCount: 1 });
    const owners = new Map(clean.report.fields.map((f) => [`${f.field} ${f.manager}`, f.owner]));
    expect(owners.get('runtime.phase vmcp-runtime')).to.equal('runtime');
    expect(owners.get('phase toolhive-operator')).to.equal('operator');
    expect(
      clean.report.fields
        .filter((f) => f.manager === 'vmcp-runtime')
        .every((f) => f.field.startsWith('runtime.')),
    ).to.equal(true);
    const text = await inspect('toolhive', '--api-version', apiVersion);
    expect(text.stdout)
      .to.contain('Runtime phase: Degraded')
      .and.contain('Runtime conditions (status.runtime):');

    foreignApply(`virtualmcpservers.${TOOLHIVE_GROUP}`, 'toolhive', {
      runtime: { phase: 'Ready' },
    });
    const dirty = await inspectJson('toolhive', '--api-version', apiVersion);
    expect(dirty.code).to.equal(1);
    expect(dirty.report.foreignWriters).to.deep.equal(['intruder']);
    expect(dirty.report.fields.filter((f) => f.foreign).map((f) => f.field)).to.deep.equal([
      'runtime.phase',
    ]);
    // Forced, the layout is the flag's.
    const forced = await inspectJson(
      'toolhive',
      '--api-version',
      apiVersion,
      '--status-layout',
      'top-level',
    );
    expect(forced.report).to.include({ layout: 'top-level', layoutSource: 'forced' });
  });
});
