import { expect } from 'chai';
import { parseAllDocuments } from 'yaml';
import { installCrd } from '../../../tools/cluster/install-crd.js';
import { readKustomization, type ManifestObject } from '../../../tools/cluster/manifests.js';
import { OPERATOR_NAMESPACE, operatorIdentity } from '../../support/k8s/operator-fixtures.js';
import { useTestCluster } from '../../support/k8s/shared-control-plane.js';

const placed = (objects: ManifestObject[]) =>
  objects
    .map((o) => {
      const subjects = (o.subjects as Array<{ namespace?: string }> | undefined) ?? [];
      return `${o.kind}/${o.metadata?.namespace ?? '-'}/${o.metadata?.name ?? ''}${subjects.map((s) => ` → ${s.namespace ?? '-'}`).join('')}`;
    })
    .sort();

describe('manifests/operator', function () {
  const cluster = useTestCluster('operator-manifests');
  before(async () => {
    await installCrd(cluster.plane.adminKubeConfig());
  });

  it('kustomize keeps the operator in vmcp-system and the example in default; readKustomization agrees', () => {
    const built = cluster.plane.kubectl(['kustomize', 'manifests/']);
    expect(built.code, built.stderr).to.equal(0);
    const fromKubectl = parseAllDocuments(built.stdout).map((d) => d.toJS() as ManifestObject);
    expect(placed(readKustomization('.'))).to.deep.equal(placed(fromKubectl));
    expect(placed(fromKubectl)).to.include.members([
      'Namespace/-/vmcp-system',
      'ServiceAccount/vmcp-system/vmcp-operator',
      'Deployment/vmcp-system/vmcp-operator',
      'ClusterRole/-/vmcp-operator',
      'ClusterRoleBinding/-/vmcp-operator → vmcp-system',
      'ServiceAccount/default/demo-vmcp',
      'RoleBinding/default/demo-vmcp → default',
      'VirtualMCPServer/default/demo',
    ]);
  });

  it('kubectl apply -k manifests/operator/ works on its own', () => {
    const result = cluster.plane.kubectl([
      'apply',
      '--server-side',
      '--field-manager=vmcp-tests',
      '-k',
      'manifests/operator/',
    ]);
    expect(result.stderr).to.equal('');
    expect(result.stdout).to.match(/deployment.apps\/vmcp-operator serverside-applied/);
  });

  it('grants the operator what it needs and nothing it must not have (kubectl auth can-i)', async () => {
    await operatorIdentity(cluster.plane);
    const as = `--as=system:serviceaccount:${OPERATOR_NAMESPACE}:vmcp-operator`;
    const can = (verb: string, target: string): string => {
      const [resource = '', subresource] = target.split('/');
      const sub = subresource === undefined ? [] : [`--subresource=${subresource}`];
      const args = ['auth', 'can-i', verb, resource, ...sub, '-n', cluster.namespace, as];
      return cluster.plane.kubectl(args).stdout.trim();
    };
    for (const [verb, resource] of [
      ['watch', 'virtualmcpservers.vmcp-status.dev'],
      ['patch', 'virtualmcpservers.vmcp-status.dev/status'],
      ['create', 'deployments.apps'],
      ['patch', 'roles.rbac.authorization.k8s.io'],
      ['create', 'rolebindings.rbac.authorization.k8s.io'],
      ['create', 'events.events.k8s.io'],
    ])
      expect(can(verb!, resource!), `${verb} ${resource}`).to.equal('yes');
    for (const [verb, resource] of [
      ['delete', 'deployments.apps'],
      ['update', 'virtualmcpservers.vmcp-status.dev'],
      ['patch', 'virtualmcpservers.vmcp-status.dev'],
      ['get', 'secrets'],
      ['escalate', 'roles.rbac.authorization.k8s.io'],
      ['bind', 'clusterroles.rbac.authorization.k8s.io'],
      ['create', 'pods'],
    ])
      expect(can(verb!, resource!), `${verb} ${resource}`).to.equal('no');
  });
});
