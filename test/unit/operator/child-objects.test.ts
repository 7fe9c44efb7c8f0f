import { expect } from 'chai';
import { createProgram } from '../../../src/cli/program.js';
import {
  SETTINGS_HASH_ANNOTATION,
  childObjects,
  serviceUrl,
} from '../../../src/operator/child-objects.js';
import { runtimeRoleRules } from '../../../src/operator/runtime-role.js';
import { validateSpec, type VmcpSpec } from '../../../src/operator/validate-spec.js';
import { readManifest } from '../../../tools/cluster/manifests.js';
import { runtimeRules } from '../../../tools/cluster/runtime-identity.js';

const owner = {
  apiVersion: 'vmcp-status.dev/v1beta1',
  kind: 'VirtualMCPServer',
  name: 'demo',
  namespace: 'team-a',
  uid: '0b7c2f5e-1111-2222-3333-444455556666',
};

function specOf(raw: unknown): VmcpSpec {
  const result = validateSpec({ metadata: { name: owner.name }, spec: raw });
  if (!result.valid) throw new Error(result.problems.map((p) => p.message).join('; '));
  return result.spec;
}

const config = {
  backends: [{ name: 'github', url: 'http://github-mcp:8080/mcp' }],
  operational: {
    failureHandling: {
      statusReportingInterval: '10s',
      healthCheckInterval: '15s',
      healthCheckTimeout: '3s',
      unhealthyThreshold: 2,
    },
  },
};
const spec = specOf({
  config,
  replicas: 2,
  imagePullSecrets: [{ name: 'registry-creds' }],
  fieldManager: 'my-runtime',
});
/** The operator's settings for every runtime pod. */
const pod = { image: 'registry.example/vmcp:1.2.3' };

describe('runtimeRoleRules', () => {
  it('equals the runtime Role of manifests/runtime/rbac.yaml, pointed at the one object', () => {
    expect(runtimeRoleRules('demo')).to.deep.equal(runtimeRules('demo'));
    expect(runtimeRoleRules('other')).to.deep.equal(runtimeRules('other'));
  });
});

describe('the operator ClusterRole (manifests/operator/rbac.yaml)', () => {
  type Rule = {
    apiGroups: string[];
    resources: string[];
    verbs: string[];
    resourceNames?: string[];
  };
  const clusterRole = readManifest('operator/rbac.yaml').find((o) => o.kind === 'ClusterRole');
  const rules = (clusterRole?.rules ?? []) as Rule[];
  const allows = (group: string, resource: string, verb: string): boolean =>
    rules.some(
      (r) =>
        r.resourceNames === undefined &&
        r.apiGroups.includes(group) &&
        r.resources.includes(resource) &&
        r.verbs.includes(verb),
    );

  it('holds every permission of the runtime Role (RBAC lets it grant only what it holds)', () => {
    for (const rule of runtimeRoleRules('any')) {
      for (const group of rule.apiGroups ?? [])
        for (const resource of rule.resources ?? [])
          for (const verb of rule.verbs)
            expect(allows(group, resource, verb), `${verb} ${group}/${resource}`).to.equal(true);
    }
  });

  it('may create, patch and watch each child kind, but delete nothing and never escalate', () => {
    const children: Array<[string, string]> = [
      ['', 'serviceaccounts'],
      ['', 'services'],
      ['rbac.authorization.k8s.io', 'roles'],
      ['rbac.authorization.k8s.io', 'rolebindings'],
      ['apps', 'deployments'],
    ];
    for (const [group, resource] of children)
      for (const verb of ['get', 'list', 'watch', 'create', 'patch'])
        expect(allows(group, resource, verb), `${verb} ${group}/${resource}`).to.equal(true);
    const verbs = new Set(rules.flatMap((r) => r.verbs));
    for (const verb of ['delete', 'deletecollection', 'escalate', 'bind', 'impersonate', '*'])
      expect(verbs.has(verb), verb).to.equal(false);
    // update only on the finalizers subresource (blockOwnerDeletion) and on Leases (the
    // runtime's status write Lease, which it grants).
    expect(
      rules.filter((r) => r.verbs.includes('update')).flatMap((r) => r.resources),
    ).to.deep.equal(['virtualmcpservers/finalizers', 'leases']);
    expect(
      rules.some((r) => r.resources.includes('secrets') || r.resources.includes('*')),
    ).to.equal(false);
  });
});

describe('childObjects', () => {
  const children = childObjects(owner, spec, pod);

  it('names every child <name>-vmcp in the owner’s namespace, owned by it as controller', () => {
    expect(children.all.map((c) => c.kind)).to.deep.equal([
      'ServiceAccount',
      'Role',
      'RoleBinding',
      'Service',
      'Deployment',
    ]);
    for (const child of children.all) {
      expect(child.metadata?.name).to.equal('demo-vmcp');
      expect(child.metadata?.namespace).to.equal('team-a');
      expect(child.metadata?.ownerReferences).to.deep.equal([
        {
          apiVersion: owner.apiVersion,
          kind: owner.kind,
          name: owner.name,
          uid: owner.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
      expect(child.metadata?.labels?.['app.kubernetes.io/managed-by']).to.equal('vmcp-operator');
    }
  });

  it('binds the runtime Role, restricted to this object, to the ServiceAccount', () => {
    expect(children.role.rules).to.deep.equal(runtimeRules('demo'));
    expect(children.roleBinding.roleRef).to.deep.equal({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'Role',
      name: 'demo-vmcp',
    });
    expect(children.roleBinding.subjects).to.deep.equal([
      { kind: 'ServiceAccount', name: 'demo-vmcp', namespace: 'team-a' },
    ]);
  });

  it('runs the image as the ServiceAccount with VMCP_NAME, VMCP_NAMESPACE, POD_NAME and the reporter settings', () => {
    const pod = children.deployment.spec?.template.spec;
    const container = pod?.containers[0];
    expect(children.deployment.spec?.replicas).to.equal(2);
    expect(pod?.serviceAccountName).to.equal('demo-vmcp');
    expect(container?.image).to.equal('registry.example/vmcp:1.2.3');
    expect(container?.env).to.deep.equal([
      { name: 'VMCP_NAME', value: 'demo' },
      { name: 'VMCP_NAMESPACE', value: 'team-a' },
      {
        name: 'POD_NAME',
        valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } },
      },
    ]);
    expect(container?.args).to.deep.equal([
      'run',
      '--reporter',
      'k8s',
      '--backends-from',
      'spec',
      '--interval',
      '10s',
      '--field-manager',
      'my-runtime',
      '--metrics-bind-address',
      ':8080',
      '--health-probe-bind-address',
      ':8081',
      '--host',
      '0.0.0.0',
      '--port',
      '4483',
    ]);
  });

  it('probes the runtime: liveness on /healthz, readiness on /readyz, a grace period that covers the flush', () => {
    const pod = children.deployment.spec?.template.spec;
    const container = pod?.containers[0];
    expect(container?.ports?.find((p) => p.name === 'health')?.containerPort).to.equal(8081);
    expect(container?.livenessProbe?.httpGet).to.deep.equal({ path: '/healthz', port: 'health' });
    expect(container?.readinessProbe?.httpGet).to.deep.equal({ path: '/readyz', port: 'health' });
    // stop(): 10 s for the pending report, 5 s for the reporter's last write.
    expect(pod?.terminationGracePeriodSeconds).to.be.at.least(15);
    expect(pod?.volumes).to.equal(undefined);
    // The selector picks this VirtualMCPServer's pods, which the Service targets.
    expect(children.deployment.spec?.selector.matchLabels).to.deep.equal(
      children.service.spec?.selector,
    );
    const template = children.deployment.spec?.template.metadata?.labels ?? {};
    for (const [k, v] of Object.entries(children.service.spec?.selector ?? {}))
      expect(template[k]).to.equal(v);
  });

  it('passes only flags that vmcp-status run knows', () => {
    const run = createProgram(() => undefined).commands.find((c) => c.name() === 'run');
    const known = new Set(run?.options.map((o) => o.long));
    const args = children.deployment.spec?.template.spec?.containers[0]?.args ?? [];
    for (const flag of args.filter((a) => a.startsWith('--'))) expect(known, flag).to.include(flag);
  });

  it('rolls the pods when settings read at start change, not when backends change', () => {
    const hash = (c: unknown) =>
      childObjects(owner, specOf({ config: c }), pod).deployment.spec?.template.metadata
        ?.annotations?.[SETTINGS_HASH_ANNOTATION];
    const backends = [{ name: 'jira', url: 'http://jira:8080/mcp', transport: 'sse' }];
    const handling = config.operational.failureHandling;
    expect(hash(config)).to.equal(hash({ ...config, backends }));
    expect(hash(config)).to.not.equal(
      hash({
        ...config,
        operational: { failureHandling: { ...handling, statusReportingInterval: '11s' } },
      }),
    );
    expect(hash(config)).to.not.equal(
      hash({
        ...config,
        operational: { failureHandling: { ...handling, healthCheckTimeout: '4s' } },
      }),
    );
    expect(hash(config)).to.not.equal(
      hash({
        ...config,
        aggregation: {
          conflictResolution: 'priority',
          conflictResolutionConfig: { priorityOrder: ['github'] },
        },
      }),
    );
  });

  it('runs the operator’s image with the object’s pull secrets, default requests and limits, and meets Pod Security restricted', () => {
    const template = children.deployment.spec?.template.spec;
    const container = template?.containers[0];
    expect(container?.image).to.equal(pod.image);
    expect(container?.imagePullPolicy).to.equal('IfNotPresent');
    expect(template?.imagePullSecrets).to.deep.equal([{ name: 'registry-creds' }]);
    expect(container?.resources).to.deep.equal({
      requests: { cpu: '50m', memory: '96Mi' },
      limits: { cpu: '500m', memory: '256Mi' },
    });
    // restricted: non-root, no privilege escalation, every capability dropped, RuntimeDefault seccomp.
    expect(template?.securityContext).to.deep.equal({
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container?.securityContext).to.deep.include({
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    const sized = childObjects(
      owner,
      specOf({ resources: { requests: { cpu: '1', memory: '1Gi' } } }),
      pod,
    ).deployment.spec?.template.spec?.containers[0]?.resources;
    expect(sized).to.deep.equal({ requests: { cpu: '1', memory: '1Gi' } });
  });

  it('serves port 4483 as http; the URL is the Service’s cluster DNS name', () => {
    expect(children.service.spec?.ports).to.deep.equal([
      { name: 'http', port: 4483, targetPort: 'http', protocol: 'TCP' },
    ]);
    expect(serviceUrl(owner)).to.equal('http://demo-vmcp.team-a.svc.cluster.local:4483');
    expect(serviceUrl(owner, 'corp.internal')).to.equal(
      'http://demo-vmcp.team-a.svc.corp.internal:4483',
    );
  });
});
