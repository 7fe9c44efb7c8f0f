import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { redactUrl } from '../redact-url.js';
import type { BackendConfig } from '../runtime/backend-config.js';
import type { CircuitBreakerOptions } from '../runtime/circuit-breaker.js';
import type { MonitorOptions } from '../runtime/monitor.js';
import { aggregationProblems, type AggregationConfig } from './aggregation-config.js';
import {
  UNSUPPORTED_TOOLHIVE_KEYS,
  backendSchema,
  vmcpConfigSchema,
  type VmcpConfigDocument,
} from './vmcp-config-schema.js';

/** The vMCP's configuration, read and normalised: durations in ms, defaults left to the user of each. */
export interface VmcpConfig {
  /** None when the document lists none (in Kubernetes mode they then come from the spec). */
  readonly backends: readonly BackendConfig[];
  readonly aggregation: AggregationConfig;
  /** `operational.failureHandling.statusReportingInterval`, if set. */
  readonly reportIntervalMs?: number | undefined;
  /** `operational.timeouts.default`: one backend call's deadline, if set. */
  readonly callTimeoutMs?: number | undefined;
  /** `maxReportedBackends`, if set. */
  readonly maxReportedBackends?: number | undefined;
  /** The health checks' settings (`operational.failureHandling`), as set. */
  readonly monitor: Omit<MonitorOptions, 'createProber' | 'logger' | 'scheduler' | 'health'>;
}

/** What {@link parseVmcpConfig} found. */
export interface ParsedVmcpConfig {
  /** Usable whatever the problems: a field with a problem is left out. */
  readonly config: VmcpConfig;
  /** Each bad field, named (`operational.failureHandling.healthCheckInterval: expected …`). */
  readonly problems: readonly ConfigError[];
  /** Earlier releases' keys, and ToolHive's that are not used: one line each, to warn about. */
  readonly notes: readonly string[];
}

/** Options of {@link parseVmcpConfig}. */
export interface ParseVmcpConfigOptions {
  /** Where the document sits, for field names: `''` for a file, `spec.config` for a VirtualMCPServer. */
  readonly field?: string;
  /** Whether backends may carry `headers` (the config file: yes; a spec: no, they would be secrets in etcd). */
  readonly allowHeaders?: boolean;
  /** For `${VAR}` in header values. Defaults to `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Reads a vMCP configuration: ToolHive's `spec.config` shape (`backends`,
 * `aggregation`, `operational.failureHandling.{healthCheckInterval, healthCheckTimeout,
 * unhealthyThreshold, statusReportingInterval, circuitBreaker}`, `operational.timeouts.default`),
 * this project's extensions (`degradedThreshold`, `maxConcurrentChecks`,
 * `maxReportedBackends`, backend `headers` in a file) and, with a note each, the keys of
 * earlier releases (`interval`, `probe.*`). Pure.
 *
 * Every problem names its field; a backend with a problem is left out, other fields
 * with a problem too, so the rest stays usable (the runtime's lenient reading of its
 * spec) while a caller that must refuse (the config file, the operator) refuses.
 */
export function parseVmcpConfig(
  document: unknown,
  options: ParseVmcpConfigOptions = {},
): ParsedVmcpConfig {
  const prefix = options.field ?? '';
  const at = (path: readonly PropertyKey[]) => fieldName(prefix, path);
  const env = options.env ?? process.env;
  const problems: ConfigError[] = [];
  const notes: string[] = [];

  const raw = (document ?? {}) as Record<string, unknown>;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    return {
      config: { backends: [], aggregation: {}, monitor: {} },
      problems: [new ConfigError(prefix || '(top level)', 'a mapping of settings')],
      notes,
    };
  }
  // Parse field by field so one bad field leaves the others usable.
  const shape = vmcpConfigSchema.shape as Record<string, z.ZodType>;
  const value: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(raw)) {
    const schema = shape[key];
    if (schema === undefined) {
      problems.push(
        new ConfigError(at([key]), `no such field (known fields: ${knownFields().join(', ')})`),
      );
      continue;
    }
    if (key === 'backends' && Array.isArray(entry)) continue; // below, one by one
    const result = schema.safeParse(entry);
    if (result.success) value[key] = result.data;
    else
      for (const issue of result.error.issues)
        problems.push(problem(at([key, ...issue.path]), issue, entry, issue.path));
  }
  const doc = value as VmcpConfigDocument;

  // Backends one by one: a bad one is left out, the others stay.
  const backends: BackendConfig[] = [];
  const seen = new Set<string>();
  const list = raw.backends;
  (Array.isArray(list) ? (list as unknown[]) : []).forEach((entry, index) => {
    const result = backendSchema.safeParse(entry);
    if (!result.success) {
      for (const issue of result.error.issues) {
        problems.push(problem(at(['backends', index, ...issue.path]), issue, entry, issue.path));
      }
      return;
    }
    const backend = result.data;
    if (seen.has(backend.name)) {
      problems.push(
        new ConfigError(
          at(['backends', index, 'name']),
          'a name no other backend has',
          backend.name,
        ),
      );
      return;
    }
    if (backend.headers !== undefined && options.allowHeaders !== true) {
      problems.push(
        new ConfigError(
          at(['backends', index, 'headers']),
          'no headers here (credentials do not belong in a VirtualMCPServer spec; use a config file with ${VAR})',
        ),
      );
      return;
    }
    let headers: Record<string, string> | undefined;
    if (backend.headers !== undefined) {
      headers = {};
      for (const [name, text] of Object.entries(backend.headers)) {
        headers[name] = text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, variable: string) => {
          const found = env[variable];
          if (found === undefined) {
            problems.push(
              new ConfigError(
                at(['backends', index, 'headers', name]),
                `the environment variable ${variable} to be set`,
              ),
            );
          }
          return found ?? '';
        });
      }
    }
    seen.add(backend.name);
    backends.push({
      name: backend.name,
      url: backend.url,
      ...(backend.transport === undefined ? {} : { transport: backend.transport }),
      ...(headers === undefined ? {} : { headers }),
    });
  });

  const aggregation: AggregationConfig = doc.aggregation ?? {};
  problems.push(
    ...aggregationProblems(
      aggregation,
      backends.length > 0 || Array.isArray(list) ? backends.map((b) => b.name) : undefined,
      at(['aggregation']),
    ),
  );
  for (const [index, entry] of (aggregation.tools ?? []).entries()) {
    if ((entry as { toolConfigRef?: unknown }).toolConfigRef !== undefined) {
      notes.push(
        `${at(['aggregation', 'tools', index, 'toolConfigRef'])}: ToolHive's MCPToolConfig references are not supported; ignored`,
      );
    }
  }

  const handling = doc.operational?.failureHandling ?? {};
  const probe = doc.probe ?? {};
  if (doc.interval !== undefined) {
    notes.push(
      `${at(['interval'])} is deprecated: use operational.failureHandling.statusReportingInterval`,
    );
  }
  const legacy: Array<[keyof typeof probe, string]> = [
    ['interval', 'operational.failureHandling.healthCheckInterval'],
    ['timeout', 'operational.failureHandling.healthCheckTimeout'],
    ['degradedThreshold', 'operational.failureHandling.degradedThreshold'],
    ['unhealthyThreshold', 'operational.failureHandling.unhealthyThreshold'],
    ['maxConcurrent', 'operational.failureHandling.maxConcurrentChecks'],
    ['circuitBreaker', 'operational.failureHandling.circuitBreaker'],
    ['relistToolsEvery', 'nothing (the vMCP lists tools when a backend says they changed)'],
  ];
  for (const [key, instead] of legacy) {
    if (probe[key] !== undefined) notes.push(`${at(['probe', key])} is deprecated: use ${instead}`);
  }
  for (const key of UNSUPPORTED_TOOLHIVE_KEYS) {
    if (raw[key] !== undefined)
      notes.push(`${at([key])}: ToolHive's, not used by vmcp-status; ignored`);
  }

  const breaker = handling.circuitBreaker;
  const legacyBreaker = probe.circuitBreaker;
  const circuitBreaker: CircuitBreakerOptions | undefined =
    breaker !== undefined
      ? breaker.enabled === true
        ? definedOnly<CircuitBreakerOptions>({
            failureThreshold: breaker.failureThreshold,
            openTimeoutMs: breaker.timeout,
          })
        : undefined
      : legacyBreaker === undefined || legacyBreaker.enabled === false
        ? undefined
        : definedOnly<CircuitBreakerOptions>({
            failureThreshold: legacyBreaker.failureThreshold,
            openTimeoutMs: legacyBreaker.openTimeout,
          });

  return {
    config: {
      backends,
      aggregation,
      ...definedOnly<
        Pick<VmcpConfig, 'reportIntervalMs' | 'callTimeoutMs' | 'maxReportedBackends'>
      >({
        reportIntervalMs: handling.statusReportingInterval ?? doc.interval,
        callTimeoutMs: doc.operational?.timeouts?.default,
        maxReportedBackends: doc.maxReportedBackends,
      }),
      monitor: definedOnly<VmcpConfig['monitor']>({
        probeIntervalMs: handling.healthCheckInterval ?? probe.interval,
        probeTimeoutMs: handling.healthCheckTimeout ?? probe.timeout,
        degradedThresholdMs: handling.degradedThreshold ?? probe.degradedThreshold,
        unhealthyThreshold: handling.unhealthyThreshold ?? probe.unhealthyThreshold,
        maxConcurrentProbes: handling.maxConcurrentChecks ?? probe.maxConcurrent,
        relistToolsEvery: probe.relistToolsEvery,
        circuitBreaker,
        transitionLevel: undefined, // not a setting: the CLI picks it by log mode
      }),
    },
    problems,
    notes,
  };
}

/** The object without its undefined values (a key a document does not set stays absent). */
export function definedOnly<T extends object>(values: { [K in keyof Required<T>]: T[K] }): T {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as T;
}

function knownFields(): string[] {
  return Object.keys(vmcpConfigSchema.shape).filter(
    (key) => !(UNSUPPORTED_TOOLHIVE_KEYS as readonly string[]).includes(key),
  );
}

/** A field's name: `backends[1].url`, under `prefix` when given (`spec.config.backends[1].url`). */
export function fieldName(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const part of path) {
    if (typeof part === 'number') out += `[${String(part)}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(top level)' : out;
}

/** One zod issue as a ConfigError naming the field; URLs shown redacted, header values never. */
function problem(
  field: string,
  issue: z.core.$ZodIssue,
  entry: unknown,
  path: readonly PropertyKey[],
): ConfigError {
  if (issue.code === 'unrecognized_keys') {
    return new ConfigError(`${field}.${issue.keys[0] ?? ''}`, 'no such field');
  }
  const found = valueAt(entry, path);
  let expected = issue.message;
  if (issue.code === 'invalid_type') {
    // zod's own wording ("Invalid input: …") gives way to ours; a schema's own words stay.
    if (expected.startsWith('Invalid input')) expected = article(issue.expected);
    if (found === undefined) expected += ' (it is missing)';
  }
  const scalar =
    typeof found === 'string' || typeof found === 'number' || typeof found === 'boolean';
  const shown =
    path.includes('headers') || !scalar
      ? undefined
      : (path[path.length - 1] === 'url' ? redactUrl(String(found)) : String(found)).slice(0, 200);
  return new ConfigError(field, expected, shown);
}

function valueAt(document: unknown, path: readonly PropertyKey[]): unknown {
  let value = document;
  for (const part of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[part];
  }
  return value;
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
