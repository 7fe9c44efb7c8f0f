import { ApiException, CustomObjectsApi } from '@kubernetes/client-node';
import { Option, type Command } from 'commander';
import { readStatusSchema } from '../apply/openapi-schema.js';
import { FIELD_MANAGERS } from '../apply/ownership.js';
import { STATUS_LAYOUTS, resolveStatusLayout, type StatusLayout } from '../apply/status-layout.js';
import { schemaHasRuntime } from '../apply/status-schema.js';
import { DEFAULT_API_VERSION, VMCP_KIND, vmcpResource } from '../apply/vmcp-resource.js';
import { checkKubernetesName } from '../validate.js';
import { EXIT_FAILURE, EXIT_OK } from './exit-codes.js';
import type { ExitWith } from './exit-with.js';
import { formatInspectReport } from './format-inspect-report.js';
import { inspectReport, type InspectedObject } from './inspect-report.js';
import { kubectlKubeConfig } from './kubectl-kubeconfig.js';

interface InspectFlags {
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
 * `vmcp-status inspect NAME`: reads a VirtualMCPServer as kubectl would (the
 * kubeconfig's current context, `KUBECONFIG` too) and prints its phase, counts and
 * conditions, then every status field with the manager that owns it, the operation
 * and the time. Exit 0 when every field is owned as the ownership table says, 1 when
 * a foreign writer owns one (or the object cannot be read), 2 on a usage error.
 */
export function addInspectCommand(program: Command, exitWith: ExitWith): void {
  program
    .command('inspect')
    .description(
      'show a VirtualMCPServer’s status and who owns each status field (managedFields); exit 1 when a field is owned by a writer the ownership table does not name for it',
    )
    .argument('<name>', 'the VirtualMCPServer')
    .option('-n, --namespace <namespace>', "namespace (default: the context's, else default)")
    .option(
      '--kubeconfig <path>',
      'kubeconfig file (default: KUBECONFIG, else ~/.kube/config, as kubectl)',
    )
    .option('--context <name>', 'kubeconfig context (default: its current context)')
    .addOption(
      new Option('-o, --output <format>', 'text, or json for scripts')
        .choices(['text', 'json'])
        .default('text'),
    )
    .addOption(
      new Option(
        '--status-layout <layout>',
        "top-level, runtime (ToolHive's status.runtime), or auto from the CRD's schema",
      )
        .choices(STATUS_LAYOUTS)
        .default('auto'),
    )
    .option('--api-version <group/version>', 'the VirtualMCPServer API', DEFAULT_API_VERSION)
    .option('--field-manager <name>', "the runtime's field manager", FIELD_MANAGERS.runtime)
    .option(
      '--operator-field-manager <name>',
      "the operator's field manager (default: vmcp-operator in the top-level layout; in the runtime layout any manager but the runtime's)",
    )
    .action(async (name: string, flags: InspectFlags) => {
      exitWith(await inspect(name, flags));
    });
}

async function inspect(name: string, flags: InspectFlags): Promise<number> {
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
