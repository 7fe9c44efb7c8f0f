import { createHash } from 'node:crypto';
import type {
  V1Deployment,
  V1OwnerReference,
  V1Role,
  V1RoleBinding,
  V1Service,
  V1ServiceAccount,
} from '@kubernetes/client-node';
import { runtimeRoleRules } from './runtime-role.js';
import type { VmcpSpec } from './validate-spec.js';

/** The VirtualMCPServer that owns the children. */
export interface OwnerRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
}

/** The vMCP's MCP port (ToolHive's vMCP default), served by the Service as `http`. */
export const VMCP_PORT = 4483;
/** The runtime's Prometheus metrics port. */
export const METRICS_PORT = 8080;
/** The runtime's `/healthz` and `/readyz` (its `--health-probe-bind-address`). */
export const HEALTH_PORT = 8081;
/**
 * Covers the runtime's flush on SIGTERM: the pending report (10 s at most) and the
 * reporter's own last write (5 s at most), with room to spare.
 */
export const TERMINATION_GRACE_SECONDS = 30;
/**
 * Pod-template annotation: a digest of the settings the runtime reads only at start
 * (everything in `spec.config` but the backends), so changing them rolls the pods.
 * Backends are not in it: the runtime follows `spec.config.backends` itself, without a
 * restart.
 */
export const SETTINGS_HASH_ANNOTATION = 'vmcp-status.dev/settings-hash';
/** Label on every child; the operator watches only objects with it. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';

/** What the operator decides for every runtime pod (not each object's spec: `--runtime-image`). */
export interface RuntimePodSettings {
  /** The runtime's image. */
  readonly image: string;
  /** Defaults to `IfNotPresent`. */
  readonly imagePullPolicy?: string | undefined;
}

/** The children of one VirtualMCPServer, and the order they are applied in. */
export interface ChildObjects {
  readonly serviceAccount: V1ServiceAccount;
  readonly role: V1Role;
  readonly roleBinding: V1RoleBinding;
  readonly service: V1Service;
  readonly deployment: V1Deployment;
  /** Every child, dependencies first (the Deployment last). */
  readonly all: readonly ChildObject[];
}

/** One child, as applied. */
export type ChildObject = V1ServiceAccount | V1Role | V1RoleBinding | V1Service | V1Deployment;

/** Every child's name: `<name>-vmcp`. */
export function childName(vmcpName: string): string {
  return `${vmcpName}-vmcp`;
}

/** The Service URL the operator writes to `status.url`. */
export function serviceUrl(
  owner: { name: string; namespace: string },
  clusterDomain = 'cluster.local',
): string {
  return `http://${childName(owner.name)}.${owner.namespace}.svc.${clusterDomain}:${VMCP_PORT}`;
}

/** Labels every child carries; the first two select the pods. */
export function childLabels(vmcpName: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'vmcp',
    'app.kubernetes.io/instance': vmcpName,
    'app.kubernetes.io/component': 'runtime',
    [MANAGED_BY_LABEL]: 'vmcp-operator',
  };
}

/** The owner reference every child carries: the VirtualMCPServer, as controller. */
export function ownerReference(owner: OwnerRef): V1OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.name,
    uid: owner.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/**
 * The objects one VirtualMCPServer needs, as server-side apply bodies: ServiceAccount,
 * Role (the runtime's rules, restricted to this object), RoleBinding, Service and
 * Deployment, all named `<name>-vmcp`, labelled, and owned by the VirtualMCPServer
 * (`controller: true`), so the garbage collector removes them with it.
 *
 * The Deployment runs `vmcp-status run` in Kubernetes mode, from the image the operator
 * is set to (never one an object names), with `VMCP_NAME`, `VMCP_NAMESPACE` and
 * `POD_NAME` (downward API), and the reporter settings of the spec as flags
 * (`--interval`, `--field-manager`); the runtime reads `spec.config` from its own
 * object (`--backends-from spec`), so the Role's `get` and `watch` on it is all the
 * configuration it needs. Its pod meets Pod Security `restricted`. Pure.
 */
export function childObjects(
  owner: OwnerRef,
  spec: VmcpSpec,
  pod: RuntimePodSettings,
): ChildObjects {
  const name = childName(owner.name);
  const labels = childLabels(owner.name);
  const metadata = () => ({
    name,
    namespace: owner.namespace,
    labels: { ...labels },
    ownerReferences: [ownerReference(owner)],
  });
  const selector = {
    'app.kubernetes.io/name': labels['app.kubernetes.io/name'] ?? 'vmcp',
    'app.kubernetes.io/instance': owner.name,
  };
  // Read by the runtime at start only: a change must roll the pods.
  const settings = JSON.stringify([spec.reportInterval, spec.restartSettings]);

  const serviceAccount: V1ServiceAccount = {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: metadata(),
  };
  const role: V1Role = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: metadata(),
    rules: runtimeRoleRules(owner.name),
  };
  const roleBinding: V1RoleBinding = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: metadata(),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
    subjects: [{ kind: 'ServiceAccount', name, namespace: owner.namespace }],
  };
  const service: V1Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: metadata(),
    spec: {
      type: 'ClusterIP',
      selector: { ...selector },
      ports: [{ name: 'http', port: VMCP_PORT, targetPort: 'http', protocol: 'TCP' }],
    },
  };
  const deployment: V1Deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: metadata(),
    spec: {
      replicas: spec.replicas,
      selector: { matchLabels: { ...selector } },
      template: {
        metadata: {
          labels: { ...labels },
          annotations: {
            [SETTINGS_HASH_ANNOTATION]: createHash('sha256')
              .update(settings)
              .digest('hex')
              .slice(0, 16),
          },
        },
        spec: {
          serviceAccountName: name,
          terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
          ...(spec.imagePullSecrets.length > 0
            ? { imagePullSecrets: spec.imagePullSecrets.map((s) => ({ name: s.name })) }
            : {}),
          // Pod Security `restricted`.
          securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: 'vmcp',
              image: pod.image,
              imagePullPolicy: pod.imagePullPolicy ?? 'IfNotPresent',
              resources: {
                ...(spec.resources.requests === undefined
                  ? {}
                  : { requests: { ...spec.resources.requests } }),
                ...(spec.resources.limits === undefined
                  ? {}
                  : { limits: { ...spec.resources.limits } }),
              },
              args: [
                'run',
                '--reporter',
                'k8s',
                '--backends-from',
                'spec',
                '--interval',
                spec.reportInterval,
                '--field-manager',
                spec.fieldManager,
                '--metrics-bind-address',
                `:${METRICS_PORT}`,
                '--health-probe-bind-address',
                `:${HEALTH_PORT}`,
                // Serve MCP to the Service in front of the pods (ToolHive's vmcp does too).
                '--host',
                '0.0.0.0',
                '--port',
                String(VMCP_PORT),
              ],
              env: [
                { name: 'VMCP_NAME', value: owner.name },
                { name: 'VMCP_NAMESPACE', value: owner.namespace },
                {
                  name: 'POD_NAME',
                  valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } },
                },
              ],
              ports: [
                { name: 'http', containerPort: VMCP_PORT, protocol: 'TCP' },
                { name: 'metrics', containerPort: METRICS_PORT, protocol: 'TCP' },
                { name: 'health', containerPort: HEALTH_PORT, protocol: 'TCP' },
              ],
              // Liveness: the process and its reporting loop; readiness: it serves MCP
              // and a first status was reported (or is being retried). Available
              // follows readiness, so it means a client can connect.
              livenessProbe: {
                httpGet: { path: '/healthz', port: 'health' },
                periodSeconds: 5,
                timeoutSeconds: 2,
                failureThreshold: 3,
                // A runtime that fails liveness cannot flush anyway: do not wait the pod's grace.
                terminationGracePeriodSeconds: 5,
              },
              readinessProbe: {
                httpGet: { path: '/readyz', port: 'health' },
                periodSeconds: 5,
                timeoutSeconds: 2,
                failureThreshold: 2,
              },
              securityContext: {
                runAsNonRoot: true,
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
                seccompProfile: { type: 'RuntimeDefault' },
              },
            },
          ],
        },
      },
    },
  };
  return {
    serviceAccount,
    role,
    roleBinding,
    service,
    deployment,
    all: [serviceAccount, role, roleBinding, service, deployment],
  };
}
