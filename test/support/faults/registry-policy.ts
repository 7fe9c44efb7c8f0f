import { AppsV1Api, ApiException, type KubeConfig } from '@kubernetes/client-node';
import { applyObjects } from '../../../tools/cluster/manifests.js';
import { waitFor } from '../../../tools/cluster/wait-for.js';

/** The policy's message: what a rejected Deployment's apply says. */
export const REGISTRY_POLICY_MESSAGE = 'container images must come from ghcr.io/vmcp-status/';

/**
 * A cluster's own rule of the kind many clusters have: a ValidatingAdmissionPolicy
 * (`reason: Invalid`, so the apiserver answers 422) that lets Deployments in
 * `namespace` run images from one registry only. Nothing in a VirtualMCPServer's spec
 * can know of it. Resolves once the apiserver enforces it (policies load
 * asynchronously), probed with a server-side dry run.
 */
export async function installRegistryPolicy(kc: KubeConfig, namespace: string): Promise<void> {
  const name = `images-from-registry-${namespace}`;
  await applyObjects(kc, [
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: {
          resourceRules: [
            {
              apiGroups: ['apps'],
              apiVersions: ['v1'],
              operations: ['CREATE', 'UPDATE'],
              resources: ['deployments'],
            },
          ],
        },
        validations: [
          {
            expression:
              "object.spec.template.spec.containers.all(c, c.image.startsWith('ghcr.io/vmcp-status/'))",
            message: REGISTRY_POLICY_MESSAGE,
            reason: 'Invalid',
          },
        ],
      },
    },
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name },
      spec: {
        policyName: name,
        validationActions: ['Deny'],
        matchResources: {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } },
        },
      },
    },
  ]);
  const apps = kc.makeApiClient(AppsV1Api);
  await waitFor(
    `policy ${name} enforced`,
    async () => {
      try {
        await apps.createNamespacedDeployment({
          namespace,
          dryRun: 'All',
          body: {
            metadata: { name: 'policy-probe' },
            spec: {
              selector: { matchLabels: { app: 'probe' } },
              template: {
                metadata: { labels: { app: 'probe' } },
                spec: { containers: [{ name: 'probe', image: 'docker.io/library/busybox' }] },
              },
            },
          },
        });
        return false;
      } catch (err) {
        return err instanceof ApiException && err.code === 422;
      }
    },
    30_000,
    200,
  );
}
