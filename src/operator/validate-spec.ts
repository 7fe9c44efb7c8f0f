import { redactUrl } from '../redact-url.js';
import { FIELD_MANAGERS } from '../apply/ownership.js';
import { ConfigError } from '../errors.js';
import { BACKEND_TRANSPORTS, type BackendTransport } from '../runtime/backend-config.js';
import { parseDuration } from '../runtime/parse-duration.js';
import { DNS1123_LABEL } from '../validate.js';

/** One backend of a valid spec. */
export interface BackendSpec {
  readonly name: string;
  readonly url: string;
  readonly transport: BackendTransport;
}

/** A `VirtualMCPServer` spec that passed {@link validateSpec}, with every default filled in. */
export interface VmcpSpec {
  readonly backends: readonly BackendSpec[];
  /** Go-style, as written: `30s`. */
  readonly reportInterval: string;
  readonly probe: {
    readonly interval: string;
    readonly timeout: string;
    readonly degradedThreshold: string;
    readonly unhealthyThreshold: number;
  };
  readonly replicas: number;
  readonly image: string;
  readonly fieldManager: string;
}

/** The CRD's defaults (manifests/crd/virtualmcpservers.yaml), for objects stored before they existed. */
export const SPEC_DEFAULTS = {
  transport: 'streamable-http',
  reportInterval: '30s',
  probe: { interval: '30s', timeout: '10s', degradedThreshold: '5s', unhealthyThreshold: 3 },
  replicas: 1,
  image: 'ghcr.io/vmcp-status/vmcp-status:0.1.0',
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

/**
 * Checks what the CRD schema cannot: URLs that parse, durations above zero, a name
 * that fits the children's names, a runtime field manager that is not the operator's
 * own. Every problem names its field (`spec.backends[1].url`), as `ConfigError`s do.
 * Fills in the CRD's defaults. Pure.
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
  const probe = isObject(spec.probe) ? spec.probe : {};

  const duration = (field: string, value: unknown, fallback: string, min: number): string => {
    if (value === undefined) return fallback;
    const expected = `a duration ${min > 0 ? 'above 0' : 'of 0 or more'}, such as 30s or 2m`;
    if (typeof value !== 'string') {
      problems.push(new ConfigError(field, expected, show(value)));
      return fallback;
    }
    try {
      if (parseDuration(field, value) < min) problems.push(new ConfigError(field, expected, value));
    } catch {
      problems.push(new ConfigError(field, expected, value));
    }
    return value;
  };
  const integer = (field: string, value: unknown, fallback: number, min: number, max: number) => {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      problems.push(new ConfigError(field, `an integer from ${min} to ${max}`, show(value)));
      return fallback;
    }
    return value;
  };
  const text = (
    field: string,
    value: unknown,
    fallback: string,
    pattern: RegExp,
    expected: string,
  ) => {
    if (value === undefined) return fallback;
    if (typeof value !== 'string' || !pattern.test(value)) {
      problems.push(new ConfigError(field, expected, show(value)));
      return fallback;
    }
    return value;
  };

  const backends = parseBackends(spec.backends, problems);
  const reportInterval = duration(
    'spec.reportInterval',
    spec.reportInterval,
    SPEC_DEFAULTS.reportInterval,
    1,
  );
  const parsedProbe = {
    interval: duration('spec.probe.interval', probe.interval, SPEC_DEFAULTS.probe.interval, 1),
    timeout: duration('spec.probe.timeout', probe.timeout, SPEC_DEFAULTS.probe.timeout, 1),
    degradedThreshold: duration(
      'spec.probe.degradedThreshold',
      probe.degradedThreshold,
      SPEC_DEFAULTS.probe.degradedThreshold,
      0,
    ),
    unhealthyThreshold: integer(
      'spec.probe.unhealthyThreshold',
      probe.unhealthyThreshold,
      SPEC_DEFAULTS.probe.unhealthyThreshold,
      1,
      100,
    ),
  };
  const replicas = integer('spec.replicas', spec.replicas, SPEC_DEFAULTS.replicas, 0, 100);
  const image = text(
    'spec.image',
    spec.image,
    SPEC_DEFAULTS.image,
    /^[^\s]{1,4096}$/,
    'a container image reference without spaces',
  );
  const fieldManager = text(
    'spec.fieldManager',
    spec.fieldManager,
    SPEC_DEFAULTS.fieldManager,
    /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/,
    'a field manager name: lower-case letters, digits, "-" and "."',
  );
  if (fieldManager === operatorFieldManager) {
    problems.push(
      new ConfigError(
        'spec.fieldManager',
        `a field manager other than the operator's own ("${operatorFieldManager}"): the runtime and the operator must own disjoint status fields`,
        fieldManager,
      ),
    );
  }
  if (problems.length > 0) return { valid: false, problems };
  return {
    valid: true,
    spec: { backends, reportInterval, probe: parsedProbe, replicas, image, fieldManager },
  };
}

function parseBackends(value: unknown, problems: ConfigError[]): BackendSpec[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    problems.push(new ConfigError('spec.backends', 'a list of backends'));
    return [];
  }
  const backends: BackendSpec[] = [];
  const seen = new Set<string>();
  value.forEach((item: unknown, index) => {
    const field = `spec.backends[${index}]`;
    const backend = isObject(item) ? item : {};
    const name = backend.name;
    if (typeof name !== 'string' || name.length > 63 || !DNS1123_LABEL.test(name)) {
      problems.push(new ConfigError(`${field}.name`, 'a DNS-1123 label', show(name)));
      return;
    }
    if (seen.has(name)) {
      problems.push(new ConfigError(`${field}.name`, 'a name no other backend has', name));
      return;
    }
    seen.add(name);
    const url = backend.url;
    if (!isHttpUrl(url)) {
      // The message lands in the Valid condition: credentials in the URL must not.
      const shown = typeof url === 'string' ? redactUrl(url) : show(url);
      problems.push(new ConfigError(`${field}.url`, 'an http:// or https:// URL', shown));
      return;
    }
    const transport = backend.transport ?? SPEC_DEFAULTS.transport;
    if (!(BACKEND_TRANSPORTS as readonly unknown[]).includes(transport)) {
      problems.push(
        new ConfigError(
          `${field}.transport`,
          `one of ${BACKEND_TRANSPORTS.join(', ')}`,
          show(transport),
        ),
      );
      return;
    }
    backends.push({ name, url, transport: transport as BackendTransport });
  });
  return backends;
}

function isHttpUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
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
