import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { expect } from 'chai';
import {
  managedStatusFields,
  type ManagedStatusField,
} from '../../../src/apply/managed-status-fields.js';
import { ownerOf } from '../../../src/apply/ownership.js';
import { vmcpResource } from '../../../src/apply/vmcp-resource.js';
import {
  DEMO_FIELD_MANAGER,
  DemoObjectError,
  ensureDemoObject,
} from '../../../src/demo/demo-object.js';
import { installCrd } from '../../../tools/cluster/install-crd.js';
import { waitFor } from '../../../tools/cluster/wait-for.js';
import { useTestCluster } from '../../support/k8s/shared-control-plane.js';
import { duplicateKeys } from '../../support/log/duplicate-keys.js';
import { CliProcess, requireBuiltCli } from '../../support/mcp/cli-process.js';

const { group, version, plural } = vmcpResource();

interface ManagedEntry {
  manager: string;
  operation: string;
  subresource?: string;
  fieldsV1?: Record<string, unknown>;
}
interface Vmcp {
  metadata: { managedFields?: ManagedEntry[] };
  spec?: { replicas?: number };
  status?: { phase?: string };
}

/** True when `sequence` occurs in `seen` in order, other phases allowed between. */
function inOrder(seen: readonly string[], sequence: readonly string[]): boolean {
  let next = 0;
  for (const phase of seen) if (phase === sequence[next]) next++;
  return next === sequence.length;
}

const conditionType = (k: ManagedStatusField): string | undefined =>
  k.path[0] === 'conditions' && typeof k.item?.type === 'string' ? k.item.type : undefined;

describe('vmcp-status demo --reporter k8s (the built CLI) on a real kube-apiserver', function () {
  this.timeout(180_000);
  const cluster = useTestCluster('demo');
  let admin: KubeConfig;
  // A namespace nobody made yet: the demo creates it.
  const namespace = () => `${cluster.namespace}-live`;
  const processes: CliProcess[] = [];

  before(async function () {
    requireBuiltCli();
    admin = cluster.plane.adminKubeConfig();
    await installCrd(admin);
  });
  afterEach(function () {
    for (const p of processes.splice(0)) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  });
  after(async function () {
    // Best effort: the run's teardown removes everything anyway.
    await Promise.resolve()
      .then(() => admin.makeApiClient(CoreV1Api).deleteNamespace({ name: namespace() }))
      .catch(() => undefined);
  });

  const read = async (): Promise<Vmcp | undefined> => {
    try {
      return (await admin.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
        group,
        version,
        plural,
        namespace: namespace(),
        name: 'demo',
      })) as Vmcp;
    } catch {
      return undefined;
    }
  };

  const demo = (): CliProcess => {
    // The test cluster's kubeconfig, explicitly: never the local cluster's default.
    const cli = new CliProcess([
      'demo',
      '--reporter',
      'k8s',
      '--speed',
      '10',
      '--kubeconfig',
      cluster.plane.kubeconfigPath,
      '-n',
      namespace(),
      '--log-level',
      'debug',
    ]);
    processes.push(cli);
    return cli;
  };

  it('creates the namespace and the object, whose status goes Ready, Degraded, Failed, Ready as vmcp-runtime', async function () {
    expect(await read()).to.equal(undefined);
    const cli = demo();
    const seen: string[] = [];
    const sequence = ['Ready', 'Degraded', 'Failed', 'Ready'];
    await waitFor(
      `the object's status.phase to go ${sequence.join(' → ')}`,
      async () => {
        if (cli.child.exitCode !== null) throw new Error(`the demo exited: ${cli.stderr}`);
        const phase = (await read())?.status?.phase;
        if (phase !== undefined && seen.at(-1) !== phase) seen.push(phase);
        return inOrder(seen, sequence);
      },
      90_000,
      20,
    );
    cli.child.kill('SIGTERM');
    expect(await cli.exitCode()).to.equal(0, cli.stderr);

    const created = cli.lines.find((l) => l.msg === 'demo: reporting into the cluster');
    expect(created).to.include({
      vmcp: `${namespace()}/demo`,
      namespace: 'created',
      object: 'created',
    });
    const watch = cli.lines.find((l) => l.msg === 'demo: watch it');
    expect(watch?.command).to.equal(
      `kubectl --kubeconfig ${cluster.plane.kubeconfigPath} get vmcpst -n ${namespace()} demo -w`,
    );

    const object = (await read())!;
    expect(object.spec?.replicas).to.equal(0, 'the demo is the runtime: no pod of its own');
    const entries = object.metadata.managedFields ?? [];
    const creator = entries.filter((m) => m.manager === DEMO_FIELD_MANAGER);
    expect(creator).to.have.length(1);
    expect(creator[0]).to.include({ operation: 'Apply' });
    expect(creator[0]?.subresource).to.equal(undefined);
    expect(creator[0]?.fieldsV1).not.to.have.property('f:status');

    const runtime = entries.filter((m) => m.subresource === 'status');
    expect(runtime.map((m) => [m.manager, m.operation])).to.deep.equal([['vmcp-runtime', 'Apply']]);
    const owned = managedStatusFields(runtime[0]?.fieldsV1);
    expect(owned.map((k) => conditionType(k) ?? k.path.join('.'))).to.include.members([
      'phase',
      'message',
      'healthyBackends',
      'totalToolCount',
      'discoveredBackends',
      'Ready',
      'BackendsDiscovered',
    ]);
    expect(
      owned.filter((k) => k.path[0] === 'discoveredBackends').map((k) => k.item?.name),
    ).to.have.members(['github', 'jira', 'search']);
    for (const key of owned) {
      expect(ownerOf(key.path, conditionType(key)), JSON.stringify(key)).to.equal('runtime');
    }

    // Writes only on change: a backend that stays down costs none per probe (with
    // probes every 100 ms, a write per probe would be dozens a step).
    const applied = cli.lines.filter((l) => l.msg === 'status applied').length;
    const changes = cli.lines.filter((l) => l.msg === 'backend health changed').length;
    expect(applied).to.be.within(1, changes + 2, `${applied} writes for ${changes} changes`);

    const repeated = cli.stdout
      .split('\n')
      .filter((l) => l !== '')
      .flatMap((line) => duplicateKeys(line).map((key) => `${key} in ${line}`));
    expect(repeated).to.deep.equal([]);
  });

  it('uses the namespace and the object that exist, and says so', async function () {
    const cli = demo();
    const line = await cli.line((l) => l.msg === 'demo: reporting into the cluster', {
      what: 'the demo to find its object',
    });
    expect(line).to.include({ namespace: 'existing', object: 'existing' });
    await cli.line((l) => l.msg === 'vmcp-status started', { what: 'the demo to start' });
    cli.child.kill('SIGTERM');
    expect(await cli.exitCode()).to.equal(0, cli.stderr);
  });

  it('says the CRD is missing when the apiserver does not serve the VirtualMCPServer API', async function () {
    const error = await ensureDemoObject(
      admin,
      { namespace: namespace(), name: 'demo' },
      'nothing-here.example/v1',
    ).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).to.be.instanceOf(DemoObjectError);
    expect((error as Error).message).to.equal(
      `VirtualMCPServer/${namespace()}/demo: the VirtualMCPServer CRD is not installed (kubectl apply --server-side -f manifests/crd/)`,
    );
  });
});
