import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
} from '@kubernetes/client-node';
import { DEFAULT_API_VERSION, VMCP_KIND, vmcpResource } from '../apply/vmcp-resource.js';
import { VmcpStatusError } from '../errors.js';

/** The field manager the demo creates its Namespace and VirtualMCPServer as: not the runtime's. */
export const DEMO_FIELD_MANAGER = 'vmcp-status-demo';

/** What {@link ensureDemoObject} found or made. */
export interface DemoObjectOutcome {
  readonly namespace: 'created' | 'existing';
  readonly object: 'created' | 'existing';
}

/** The demo's object cannot be read or made: the CRD is missing, RBAC refuses, the apiserver is away. */
export class DemoObjectError extends VmcpStatusError {
  constructor(
    message: string,
    /** `VirtualMCPServer/ns/name` or `Namespace/ns`. */
    readonly subject: string,
    options?: ErrorOptions,
  ) {
    super(`${subject}: ${message}`, 'DemoObjectUnavailable', options);
  }
}

/**
 * The Namespace and the VirtualMCPServer the demo reports into, created by server-side
 * apply as {@link DEMO_FIELD_MANAGER} when missing and left alone when they exist.
 * The object asks for 0 replicas: the demo process is its runtime, so an operator in
 * the cluster deploys none of its own (it still writes its own status fields).
 *
 * @throws DemoObjectError with what to do, never the apiserver's raw text.
 */
export async function ensureDemoObject(
  kubeConfig: KubeConfig,
  ref: { readonly namespace: string; readonly name: string },
  apiVersion: string = DEFAULT_API_VERSION,
): Promise<DemoObjectOutcome> {
  const { group, version, plural } = vmcpResource(apiVersion);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const objects = kubeConfig.makeApiClient(CustomObjectsApi);
  const ssa = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);
  const write = { fieldManager: DEMO_FIELD_MANAGER, fieldValidation: 'Strict' } as const;

  const namespaceSubject = `Namespace/${ref.namespace}`;
  let namespace: DemoObjectOutcome['namespace'] = 'existing';
  if (!(await exists(namespaceSubject, () => core.readNamespace({ name: ref.namespace })))) {
    await guarded(namespaceSubject, () =>
      core.patchNamespace(
        {
          name: ref.namespace,
          body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ref.namespace } },
          ...write,
        },
        ssa,
      ),
    );
    namespace = 'created';
  }

  const subject = `${VMCP_KIND}/${ref.namespace}/${ref.name}`;
  const read = () => objects.getNamespacedCustomObject({ group, version, plural, ...ref });
  if (await exists(subject, read)) return { namespace, object: 'existing' };
  await guarded(subject, () =>
    objects.patchNamespacedCustomObject(
      {
        group,
        version,
        plural,
        ...ref,
        body: {
          apiVersion,
          kind: VMCP_KIND,
          metadata: { name: ref.name, namespace: ref.namespace },
          spec: { replicas: 0 },
        },
        ...write,
      },
      ssa,
    ),
  );
  return { namespace, object: 'created' };
}

async function exists(subject: string, read: () => Promise<unknown>): Promise<boolean> {
  try {
    await read();
    return true;
  } catch (err) {
    if (err instanceof ApiException && err.code === 404) return false;
    throw failure(subject, err);
  }
}

async function guarded(subject: string, write: () => Promise<unknown>): Promise<void> {
  try {
    await write();
  } catch (err) {
    throw failure(subject, err);
  }
}

/** Says what to do, by HTTP code; the apiserver's own text stays out (it goes nowhere). */
function failure(subject: string, err: unknown): DemoObjectError {
  if (!(err instanceof ApiException)) {
    return new DemoObjectError(
      'the apiserver cannot be reached: is the cluster up (npm run cluster:up)?',
      subject,
      { cause: err },
    );
  }
  const why =
    err.code === 404
      ? 'the VirtualMCPServer CRD is not installed (kubectl apply --server-side -f manifests/crd/)'
      : err.code === 401 || err.code === 403
        ? `the kubeconfig's user may not create it (HTTP ${err.code})`
        : `the apiserver refused it (HTTP ${err.code})`;
  return new DemoObjectError(why, subject, { cause: err });
}
