import { Option, type Command } from 'commander';
import { FIELD_MANAGERS } from '../apply/ownership.js';
import { STATUS_LAYOUTS } from '../apply/status-layout.js';
import { DEFAULT_API_VERSION } from '../apply/vmcp-resource.js';
import type { ExitWith } from './exit-with.js';
import type { InspectFlags } from './inspect-vmcp.js';

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
      // The Kubernetes client loads only now, so that --help and a usage error answer at once.
      const { inspectVmcp } = await import('./inspect-vmcp.js');
      exitWith(await inspectVmcp(name, flags));
    });
}
