import { ApiException, CustomObjectsApi } from '@kubernetes/client-node';
import { readStatusSchema } from '../apply/openapi-schema.js';
import { resolveStatusLayout, type StatusLayout } from '../apply/status-layout.js';
import { schemaHasRuntime } from '../apply/status-schema.js';
import { VMCP_KIND, vmcpResource } from '../apply/vmcp-resource.js';
import { checkKubernetesName } from '../validate.js';
import { EXIT_FAILURE, EXIT_OK } from './exit-codes.js';
import { formatInspectReport } from './format-inspect-report.js';
import { inspectReport, type InspectedObject } from './inspect-report.js';
import { kubectlKubeConfig } from './kubectl-kubeconfig.js';

/** The flags of `vmcp-status inspect`. */
export interface InspectFlags {
  readonly namespace?: string;
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly output: 'text' | 'json';
  readonly statusLayout: StatusLayout;
  readonly apiVersion: string;
  readonly fieldManager: string;
  readonly operatorFieldManager?: string;
}

/**
 * Reads the VirtualMCPServer as kubectl would, prints the report and returns the exit
 * code: 0 when every status field is owned as the ownership table says, 1 when a
 * foreign writer owns one.
 */
export async function inspectVmcp(name: string, flags: InspectFlags): Promise<number> {
  const { group, version, plural, apiVersion } = vmcpResource(flags.apiVersion);
  checkKubernetesName('NAME', name, 'subdomain');
  const kubeConfig = kubectlKubeConfig(flags.kubeconfig, flags.context);
  const namespace = checkKubernetesName(
    '--namespace',
    flags.namespace ??
      kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace ??
      'default',
    'label',
  );
  let object: InspectedObject;
  try {
    object = (await kubeConfig.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
      group,
      version,
      namespace,
      plural,
      name,
    })) as InspectedObject;
  } catch (err) {
    throw new Error(`cannot read ${VMCP_KIND} ${namespace}/${name}: ${readError(err)}`, {
      cause: err,
    });
  }
  const schema =
    flags.statusLayout === 'auto'
      ? await readStatusSchema(kubeConfig, { group, version, kind: VMCP_KIND })
      : undefined;
  const decision = resolveStatusLayout(flags.statusLayout, {
    schemaHasRuntime: schema?.kind === 'found' ? schemaHasRuntime(schema.status) : undefined,
    objectStatus: object.status,
  });
  const report = inspectReport({ ...object, apiVersion }, decision, {
    runtime: flags.fieldManager,
    ...(flags.operatorFieldManager !== undefined ? { operator: flags.operatorFieldManager } : {}),
  });
  process.stdout.write(
    flags.output === 'json' ? `${JSON.stringify(report, null, 2)}\n` : formatInspectReport(report),
  );
  return report.foreignWriters.length > 0 ? EXIT_FAILURE : EXIT_OK;
}

/** A short reason, never the response body (it may echo request data). */
function readError(err: unknown): string {
  if (err instanceof ApiException) {
    if (err.code === 404) return 'not found (404)';
    if (err.code === 403) return 'forbidden (403): this identity may not get it';
    if (err.code === 401) return 'unauthorized (401): the kubeconfig’s credentials were refused';
    return `HTTP ${String(err.code)}`;
  }
  const code = (err as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  return `the apiserver did not answer${typeof code === 'string' ? ` (${code})` : ''}`;
}
