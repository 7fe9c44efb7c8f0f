import { FIELD_MANAGERS } from '../apply/ownership.js';
import { parseVmcpConfig } from '../config/parse-vmcp-config.js';
import { ConfigError } from '../errors.js';
import { parseVmcpSpec, restartSettingsKey } from '../runtime/vmcp-spec.js';
import { DNS1123_LABEL, DNS1123_SUBDOMAIN } from '../validate.js';

/** CPU and memory for the runtime's container, as Kubernetes quantities. */
export interface RuntimeResources {
  readonly requests?: Readonly<Record<string, string>>;
  readonly limits?: Readonly<Record<string, string>>;
}

/** A `VirtualMCPServer` spec that passed {@link validateSpec}, with every default filled in. */
export interface VmcpSpec {
  /** `spec.config.operational.failureHandling.statusReportingInterval` as written (`30s`): the runtime's `--interval`. */
  readonly reportInterval: string;
  /** What the runtime reads only at start, as one string: a change rolls its pods. */
  readonly restartSettings: string;
  readonly replicas: number;
  readonly fieldManager: string;
  readonly imagePullSecrets: ReadonlyArray<{ readonly name: string }>;
  readonly resources: RuntimeResources;
  /** ToolHive's fields this project accepts and does not use, to say so. */
  readonly notes: readonly string[];
}

/**
 * The runtime container's requests and limits when the spec sets none: sized from the
 * runtime pod's use measured on the local node (docs/operator.md), with room for
 * bursts of sessions.
 */
export const DEFAULT_RUNTIME_RESOURCES: RuntimeResources = {
  requests: { cpu: '50m', memory: '96Mi' },
  limits: { cpu: '500m', memory: '256Mi' },
};

/** The CRD's defaults (manifests/crd/virtualmcpservers.yaml), for objects stored before they existed. */
export const SPEC_DEFAULTS = {
  reportInterval: '30s',
  replicas: 1,
  fieldManager: FIELD_MANAGERS.runtime,
} as const;

/** Children are named `<name>-vmcp`; a Service name is a DNS-1035 label of at most 63. */
export const MAX_VMCP_NAME_LENGTH = 63 - '-vmcp'.length;

/** What {@link validateSpec} found. */
export type SpecValidation =
  | { readonly valid: true; readonly spec: VmcpSpec }
  | { readonly valid: false; readonly problems: readonly ConfigError[] };

/** What validation reads of a VirtualMCPServer. */
export interface VmcpObjectInput {
  readonly metadata: { readonly name: string };
  readonly spec?: unknown;
}

type Raw = Record<string, unknown>;

/** A Kubernetes quantity: `500m`, `1`, `96Mi`, `1.5Gi`. */
const QUANTITY = /^[+-]?(\d+(\.\d*)?|\.\d+)(([KMGTPE]i)|[numkMGTPE]|[eE][+-]?\d+)?$/;

/**
 * Checks what the CRD schema cannot, or what an object stored before the schema had it
 * may lack: `spec.config` read as the runtime reads it (`parseVmcpConfig`: backends,
 * aggregation, durations, conflict settings), a name that fits the children's names,
 * a runtime field manager that is not the operator's own, requests and limits that are
 * quantities. Every problem names its field (`spec.config.backends[1].url`), as
 * `ConfigError`s do. Fills in the defaults. Pure.
 *
 * @param operatorFieldManager the operator's SSA field manager: the runtime must use another.
 */
export function validateSpec(
  object: VmcpObjectInput,
  operatorFieldManager: string = FIELD_MANAGERS.operator,
): SpecValidation {
  const problems: ConfigError[] = [];
  const name = object.metadata.name;
  if (name.length > MAX_VMCP_NAME_LENGTH || !/^[a-z]/.test(name) || !DNS1123_LABEL.test(name)) {
    problems.push(
      new ConfigError(
        'metadata.name',
        `a DNS-1035 label of at most ${MAX_VMCP_NAME_LENGTH} characters (lower-case letters, digits and '-', starting with a letter), so that the Service "<name>-vmcp" is valid`,
        name,
      ),
    );
  }
  const spec = isObject(object.spec) ? object.spec : {};
  const config = parseVmcpConfig(spec.config, { field: 'spec.config' });
  problems.push(...config.problems);

  const replicas = integer(
    'spec.replicas',
    spec.replicas,
    SPEC_DEFAULTS.replicas,
    0,
    100,
    problems,
  );
  let fieldManager: string = SPEC_DEFAULTS.fieldManager;
  if (spec.fieldManager !== undefined) {
    if (
      typeof spec.fieldManager !== 'string' ||
      !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(spec.fieldManager)
    ) {
      problems.push(
        new ConfigError(
          'spec.fieldManager',
          'a field manager name: lower-case letters, digits, "-" and "."',
          show(spec.fieldManager),
        ),
      );
    } else fieldManager = spec.fieldManager;
  }
  if (fieldManager === operatorFieldManager) {
    problems.push(
      new ConfigError(
        'spec.fieldManager',
        `a field manager other than the operator's own ("${operatorFieldManager}"): the runtime and the operator must own disjoint status fields`,
        fieldManager,
      ),
    );
  }
  const imagePullSecrets = pullSecrets(spec.imagePullSecrets, problems);
  const resources = runtimeResources(spec.resources, problems);
  const incomingAuth = isObject(spec.incomingAuth) ? spec.incomingAuth : undefined;
  if (incomingAuth !== undefined && incomingAuth.type !== 'anonymous') {
    problems.push(
      new ConfigError(
        'spec.incomingAuth.type',
        'anonymous (the only incoming authentication vmcp-status serves)',
        show(incomingAuth.type),
      ),
    );
  }
  if (problems.length > 0) return { valid: false, problems };

  const handling = (spec.config as { operational?: { failureHandling?: Raw } } | undefined)
    ?.operational?.failureHandling;
  const written = handling?.statusReportingInterval;
  const notes = [...config.notes];
  if (spec.groupRef !== undefined)
    notes.push("spec.groupRef: ToolHive's, not used by vmcp-status; ignored");
  return {
    valid: true,
    spec: {
      reportInterval: typeof written === 'string' ? written : SPEC_DEFAULTS.reportInterval,
      restartSettings: restartSettingsKey(parseVmcpSpec(spec).settings),
      replicas,
      fieldManager,
      imagePullSecrets,
      resources,
      notes,
    },
  };
}

function integer(
  field: string,
  value: unknown,
  fallback: number,
  min: number,
  max: number,
  problems: ConfigError[],
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    problems.push(new ConfigError(field, `an integer from ${min} to ${max}`, show(value)));
    return fallback;
  }
  return value;
}

function pullSecrets(value: unknown, problems: ConfigError[]): Array<{ name: string }> {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    problems.push(new ConfigError('spec.imagePullSecrets', 'a list of { name } references'));
    return [];
  }
  const out: Array<{ name: string }> = [];
  value.forEach((item: unknown, index) => {
    const name = isObject(item) ? item.name : undefined;
    if (typeof name !== 'string' || name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) {
      problems.push(
        new ConfigError(`spec.imagePullSecrets[${index}].name`, 'the name of a Secret', show(name)),
      );
    } else out.push({ name });
  });
  return out;
}

function runtimeResources(value: unknown, problems: ConfigError[]): RuntimeResources {
  if (value === undefined) return DEFAULT_RUNTIME_RESOURCES;
  if (!isObject(value)) {
    problems.push(
      new ConfigError('spec.resources', 'requests and limits, as a container has them'),
    );
    return DEFAULT_RUNTIME_RESOURCES;
  }
  const out: { requests?: Record<string, string>; limits?: Record<string, string> } = {};
  for (const part of ['requests', 'limits'] as const) {
    const entries = value[part];
    if (entries === undefined) continue;
    if (!isObject(entries)) {
      problems.push(
        new ConfigError(`spec.resources.${part}`, 'a map of resource names to quantities'),
      );
      continue;
    }
    const quantities: Record<string, string> = {};
    for (const [resource, quantity] of Object.entries(entries)) {
      const text = typeof quantity === 'number' ? String(quantity) : quantity;
      if (typeof text !== 'string' || !QUANTITY.test(text)) {
        problems.push(
          new ConfigError(
            `spec.resources.${part}.${resource}`,
            'a quantity such as 500m or 96Mi',
            show(quantity),
          ),
        );
      } else quantities[resource] = text;
    }
    out[part] = quantities;
  }
  return out;
}

function isObject(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A found value for an error message: strings as they are, anything else as JSON. */
function show(value: unknown): string {
  if (typeof value === 'string') return value;
  // JSON.stringify(undefined) is undefined, whatever its declared type says.
  const json = JSON.stringify(value) as string | undefined;
  return json ?? 'undefined';
}
