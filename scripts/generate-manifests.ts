/**
 * `npm run manifests`: writes manifests/admission/ (the status-ownership
 * ValidatingAdmissionPolicy, its bindings and kustomize Components) from the ownership
 * table in src/apply/ownership.ts. `--check` writes nothing and exits 1 when the files
 * differ; the identity flags generate a policy for a cluster with other names.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { admissionManifests } from '../src/admission/admission-manifests.js';
import {
  DEFAULT_POLICY_OPTIONS,
  TOOLHIVE_POLICY_OPTIONS,
  type OwnershipPolicyOptions,
} from '../src/admission/ownership-policy.js';
import { checkStatusLayout } from '../src/apply/status-layout.js';
import { ConfigError } from '../src/errors.js';

const DEFAULT_OUT = fileURLToPath(new URL('../manifests/admission/', import.meta.url));

const usage = `Usage: tsx scripts/generate-manifests.ts [options]

Writes the status-ownership admission policy from src/apply/ownership.ts.

Options:
  --out DIR                          where to write (default: manifests/admission)
  --check                            write nothing; exit 1 if DIR differs from the generated files
  --runtime-service-account PATTERN  runtime ServiceAccount in the object's namespace,
                                     {name} = the VirtualMCPServer (default: ${DEFAULT_POLICY_OPTIONS.runtimeServiceAccount})
  --operator-username USER           the operator's username, repeatable
                                     (default: ${DEFAULT_POLICY_OPTIONS.operatorUsernames.join(', ')})
  --break-glass-group GROUP          a group that may always write, repeatable
                                     (default: ${DEFAULT_POLICY_OPTIONS.breakGlassGroups.join(', ')})
  --name NAME                        policy and binding name (default: ${DEFAULT_POLICY_OPTIONS.name})
  --layout top-level|runtime         the status layout to enforce (default: top-level);
                                     runtime is ToolHive's CRD: the runtime may change only
                                     status.runtime, the operator (default there:
                                     ${TOOLHIVE_POLICY_OPTIONS.operatorUsernames.join(', ')}) the rest
  -h, --help`;

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function layoutOf(value: string): 'top-level' | 'runtime' {
  const layout = checkStatusLayout('--layout', value);
  if (layout === 'auto') throw new ConfigError('--layout', 'top-level or runtime', value);
  return layout;
}

function main(argv: string[]): number {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string' },
      check: { type: 'boolean' },
      'runtime-service-account': { type: 'string' },
      'operator-username': { type: 'string', multiple: true },
      'break-glass-group': { type: 'string', multiple: true },
      name: { type: 'string' },
      layout: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) {
    console.log(usage);
    return 0;
  }
  const options: OwnershipPolicyOptions = {
    ...(values['runtime-service-account'] !== undefined
      ? { runtimeServiceAccount: values['runtime-service-account'] }
      : {}),
    ...(values['operator-username'] !== undefined
      ? { operatorUsernames: values['operator-username'] }
      : {}),
    ...(values['break-glass-group'] !== undefined
      ? { breakGlassGroups: values['break-glass-group'] }
      : {}),
    ...(values.name !== undefined ? { name: values.name } : {}),
    ...(values.layout !== undefined ? { layout: layoutOf(values.layout) } : {}),
  };
  const out = values.out ?? DEFAULT_OUT;
  const files = admissionManifests(options);
  const stale = Object.entries(files).filter(
    ([file, text]) => readOrEmpty(join(out, file)) !== text,
  );
  if (values.check === true) {
    for (const [file] of stale) console.error(`${join(out, file)} differs from the generated file`);
    if (stale.length > 0) console.error('run "npm run manifests" and commit the result');
    return stale.length > 0 ? 1 : 0;
  }
  for (const [file, text] of stale) {
    const path = join(out, file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    console.error(`wrote ${relative(process.cwd(), path)}`);
  }
  if (stale.length === 0) console.error(`${relative(process.cwd(), out) || '.'} is up to date`);
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode =
    err instanceof ConfigError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
      ? 2
      : 1;
}
