import { readFile } from 'node:fs/promises';
import { YAMLParseError, parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { redactUrl } from '../redact-url.js';
import {
  BACKEND_TRANSPORTS,
  backendUrlProblem,
  type BackendConfig,
} from '../runtime/backend-config.js';
import type { CircuitBreakerOptions } from '../runtime/circuit-breaker.js';
import type { MonitorOptions } from '../runtime/monitor.js';
import {
  CONFLICT_RESOLUTIONS,
  aggregationProblems,
  type AggregationConfig,
} from '../server/aggregation-config.js';
import { parseDuration } from '../runtime/parse-duration.js';

/** What `vmcp-status run --config FILE` reads, validated and with durations in ms. */
export interface RunConfig {
  /** The report interval, if the file sets one. */
  readonly intervalMs?: number | undefined;
  /** `maxReportedBackends`, if the file sets it. */
  readonly maxReportedBackends?: number | undefined;
  /** None when the file lists none: in Kubernetes mode they then come from the spec. */
  readonly backends: readonly BackendConfig[];
  /** Probe settings; `probeIntervalMs` defaults to the report interval. */
  readonly monitor: Omit<MonitorOptions, 'createProber' | 'logger' | 'scheduler' | 'health'>;
  /** What the vMCP serves of its backends (ToolHive's `aggregation`). */
  readonly aggregation: AggregationConfig;
}

/** Invalid config file: every problem found, each naming its field. The CLI exits 2. */
export class ConfigFileError extends ConfigError {
  constructor(
    readonly file: string,
    readonly problems: readonly ConfigError[],
  ) {
    const [first] = problems;
    super(first?.field ?? file, first?.expected ?? 'a valid config file', first?.found);
    this.message = `${file}: ${problems.map((p) => p.message).join('; ')}`;
  }
}

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,251}[A-Za-z0-9])?$/;

const duration = z.string({ error: 'a duration such as 30s or 2m' }).transform((text, ctx) => {
  try {
    return parseDuration('', text);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'a duration such as 30s, 2m or 500ms' });
    return z.NEVER;
  }
});
const positiveDuration = duration.refine((ms) => ms > 0, 'a duration above 0, such as 30s');
const count = z.int({ error: 'an integer >= 1' }).min(1, 'an integer >= 1');

const backendSchema = z.strictObject({
  name: z
    .string({ error: 'a name' })
    .regex(NAME, 'a name of letters, digits, "-", "_" and "." (at most 253 characters)'),
  url: z.string({ error: 'an http:// or https:// URL' }).superRefine((text, ctx) => {
    const expected = backendUrlProblem(text);
    if (expected !== undefined) ctx.addIssue({ code: 'custom', message: expected });
  }),
  transport: z
    .enum(BACKEND_TRANSPORTS, { error: `one of ${BACKEND_TRANSPORTS.join(', ')}` })
    .optional(),
  headers: z.record(z.string(), z.string({ error: 'a string' })).optional(),
});

const configSchema = z.strictObject({
  interval: positiveDuration.optional(),
  probe: z
    .strictObject({
      interval: positiveDuration.optional(),
      timeout: positiveDuration.optional(),
      degradedThreshold: duration.optional(),
      unhealthyThreshold: count.optional(),
      maxConcurrent: count.optional(),
      relistToolsEvery: count.optional(),
      circuitBreaker: z
        .strictObject({
          enabled: z.boolean({ error: 'true or false' }).optional(),
          failureThreshold: count.optional(),
          openTimeout: duration.optional(),
        })
        .optional(),
    })
    .optional(),
  backends: z
    .array(backendSchema, { error: 'a list of backends' })
    .superRefine((list, ctx) => {
      const seen = new Set<string>();
      list.forEach((backend, index) => {
        if (seen.has(backend.name)) {
          ctx.addIssue({
            code: 'custom',
            message: 'a name no other backend has',
            path: [index, 'name'],
          });
        }
        seen.add(backend.name);
      });
    })
    .optional(),
  aggregation: z
    .strictObject({
      conflictResolution: z
        .enum(CONFLICT_RESOLUTIONS, { error: `one of ${CONFLICT_RESOLUTIONS.join(', ')}` })
        .optional(),
      conflictResolutionConfig: z
        .strictObject({
          prefixFormat: z.string({ error: 'a string such as {workload}_' }).optional(),
          priorityOrder: z.array(z.string({ error: 'a backend name' })).optional(),
        })
        .optional(),
      excludeAllTools: z.boolean({ error: 'true or false' }).optional(),
      defaultToolVisibility: z.enum(['allow', 'deny'], { error: 'allow or deny' }).optional(),
      tools: z
        .array(
          z.strictObject({
            workload: z.string({ error: 'a backend name' }),
            filter: z.array(z.string({ error: 'a tool name' })).optional(),
            excludeAll: z.boolean({ error: 'true or false' }).optional(),
            overrides: z
              .record(
                z.string(),
                z.strictObject({
                  name: z.string({ error: 'a tool name' }).optional(),
                  description: z.string({ error: 'a description' }).optional(),
                  annotations: z.record(z.string(), z.unknown()).optional(),
                }),
              )
              .optional(),
          }),
        )
        .optional(),
    })
    .optional(),
  maxReportedBackends: z
    .int({ error: 'an integer >= 0' })
    .min(0, 'an integer >= 0')
    .max(10_000, 'at most 10000 (the CRD allows no more)')
    .optional(),
});

/**
 * Reads and validates a YAML config file. `${VAR}` in a header value is replaced by
 * the environment variable, so tokens stay out of the file.
 *
 * @throws ConfigFileError naming every bad field, e.g. `backends[1].url: expected an
 *   http:// or https:// URL, got "ftp://x"`; header values are never echoed.
 */
export async function loadConfigFile(
  file: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<RunConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError('--config', `a readable file (${code})`, file);
  }
  return parseConfig(text, file, env);
}

/** Validates config text; see {@link loadConfigFile}. */
export function parseConfig(
  text: string,
  file = 'config',
  env: Readonly<Record<string, string | undefined>> = process.env,
): RunConfig {
  let document: unknown;
  try {
    document = parseYaml(text) as unknown;
  } catch (err) {
    throw new ConfigFileError(file, [yamlProblem(err)]);
  }
  const result = configSchema.safeParse(document ?? {});
  if (!result.success) {
    throw new ConfigFileError(
      file,
      result.error.issues.map((issue) => problem(issue, document)),
    );
  }
  const config = result.data;
  const problems: ConfigError[] = [];
  const backends = (config.backends ?? []).map((backend, index): BackendConfig => {
    const expand = (name: string, value: string): string =>
      value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, variable: string) => {
        const found = env[variable];
        if (found === undefined) {
          problems.push(
            new ConfigError(
              `backends[${index}].headers.${name}`,
              `the environment variable ${variable} to be set`,
            ),
          );
        }
        return found ?? '';
      });
    const headers =
      backend.headers === undefined
        ? undefined
        : Object.fromEntries(
            Object.entries(backend.headers).map(([name, value]) => [name, expand(name, value)]),
          );
    return {
      name: backend.name,
      url: backend.url,
      ...(backend.transport === undefined ? {} : { transport: backend.transport }),
      ...(headers === undefined ? {} : { headers }),
    };
  });
  const aggregation: AggregationConfig = config.aggregation ?? {};
  problems.push(
    ...aggregationProblems(
      aggregation,
      backends.length > 0 ? backends.map((b) => b.name) : undefined,
    ),
  );
  if (problems.length > 0) throw new ConfigFileError(file, problems);

  const probe = config.probe ?? {};
  const breaker = probe.circuitBreaker;
  const circuitBreaker: CircuitBreakerOptions | undefined =
    breaker === undefined || breaker.enabled === false
      ? undefined
      : {
          ...(breaker.failureThreshold === undefined
            ? {}
            : { failureThreshold: breaker.failureThreshold }),
          ...(breaker.openTimeout === undefined ? {} : { openTimeoutMs: breaker.openTimeout }),
        };
  return {
    intervalMs: config.interval,
    ...(config.maxReportedBackends === undefined
      ? {}
      : { maxReportedBackends: config.maxReportedBackends }),
    backends,
    aggregation,
    monitor: definedOnly<RunConfig['monitor']>({
      probeIntervalMs: probe.interval,
      probeTimeoutMs: probe.timeout,
      degradedThresholdMs: probe.degradedThreshold,
      unhealthyThreshold: probe.unhealthyThreshold,
      maxConcurrentProbes: probe.maxConcurrent,
      relistToolsEvery: probe.relistToolsEvery,
      circuitBreaker,
      transitionLevel: undefined, // not a file setting: the CLI picks it by log mode
    }),
  };
}

/** The object without its undefined values (a key the file does not set stays absent). */
function definedOnly<T extends object>(values: { [K in keyof Required<T>]: T[K] }): T {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as T;
}

/** One zod issue as a ConfigError naming the field, e.g. `backends[1].url`. */
function problem(issue: z.core.$ZodIssue, document: unknown): ConfigError {
  const path = [...issue.path];
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys;
    return new ConfigError(
      fieldName([...path, keys[0] ?? '']),
      `no such field (known fields: ${knownFields(path).join(', ')})`,
    );
  }
  let expected = issue.message;
  const found = valueAt(document, path);
  if (path.length === 0) {
    expected = `a YAML mapping of settings (${Object.keys(configSchema.shape).join(', ')})`;
  } else if (issue.code === 'invalid_type' && issue.message.startsWith('Invalid input')) {
    expected =
      found === undefined ? `${article(issue.expected)} (it is missing)` : article(issue.expected);
  }
  const isHeader = path.includes('headers');
  const scalar =
    typeof found === 'string' || typeof found === 'number' || typeof found === 'boolean';
  // A URL is shown with its credentials redacted; header values never.
  const shown =
    isHeader || !scalar
      ? undefined
      : (path[path.length - 1] === 'url' ? redactUrl(String(found)) : String(found)).slice(0, 200);
  return new ConfigError(fieldName(path), expected, shown);
}

/**
 * A YAML syntax error as a problem at `line L, column C`, with the parser's reason
 * (its code frame, which quotes the file, left out: a header line may hold a token).
 */
function yamlProblem(err: unknown): ConfigError {
  const message = (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
  const where = err instanceof YAMLParseError ? err.linePos?.[0] : undefined;
  const reason = message.replace(/ at line \d+, column \d+:?$/, '').slice(0, 200);
  return new ConfigError(
    where === undefined ? '(YAML)' : `line ${String(where.line)}, column ${String(where.col)}`,
    `valid YAML (${reason})`,
  );
}

function fieldName(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(top level)' : out;
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

function knownFields(path: readonly PropertyKey[]): string[] {
  const names = path.filter((p) => typeof p === 'string');
  const last = names[names.length - 1];
  let shape: z.ZodRawShape = configSchema.shape;
  if (last === 'probe') shape = configSchema.shape.probe.unwrap().shape;
  else if (last === 'circuitBreaker') {
    shape = configSchema.shape.probe.unwrap().shape.circuitBreaker.unwrap().shape;
  } else if (last === 'backends') shape = backendSchema.shape;
  else if (last === 'aggregation') shape = configSchema.shape.aggregation.unwrap().shape;
  return Object.keys(shape);
}
