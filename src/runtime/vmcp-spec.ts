import type { AggregationConfig } from '../config/aggregation-config.js';
import { parseVmcpConfig, type VmcpConfig } from '../config/parse-vmcp-config.js';
import { backendConfigChanged, type BackendConfig } from './backend-config.js';

/** What the runtime takes from its VirtualMCPServer's `spec.config`. */
export interface VmcpSpecSettings {
  /** `spec.config.backends`: name, url and transport of each. */
  readonly backends: readonly BackendConfig[];
  /** `spec.config.operational.failureHandling`: the health checks' settings, as set. */
  readonly monitor: VmcpConfig['monitor'];
  /** `statusReportingInterval`, when set. */
  readonly reportIntervalMs?: number | undefined;
  /** `spec.config.aggregation`. Defaults to none set (`prefix`). */
  readonly aggregation?: AggregationConfig | undefined;
  /** `operational.timeouts.default`, when set. */
  readonly callTimeoutMs?: number | undefined;
}

/** {@link parseVmcpSpec}'s answer: the settings, and the fields it had to leave out. */
export interface ParsedVmcpSpec {
  readonly settings: VmcpSpecSettings;
  /** One line per ignored field, naming it, e.g. `spec.config.backends[1].url: expected …`. */
  readonly problems: readonly string[];
}

/**
 * Reads a VirtualMCPServer's `spec.config` (ToolHive's shape: see `parseVmcpConfig`,
 * the same reading as the config file's) into backends, health-check, report and
 * aggregation settings. Pure.
 *
 * The CRD's schema and the operator's `Valid` condition already check the spec; this
 * is the runtime's own defence against an older or foreign CRD: a backend that is not
 * usable and a setting that cannot be read are left out and named in `problems`,
 * everything else is used.
 */
export function parseVmcpSpec(spec: unknown): ParsedVmcpSpec {
  const config = isRecord(spec) ? spec.config : undefined;
  const parsed = parseVmcpConfig(config, { field: 'spec.config' });
  return {
    settings: {
      backends: parsed.config.backends,
      monitor: parsed.config.monitor,
      aggregation: parsed.config.aggregation,
      ...(parsed.config.reportIntervalMs === undefined
        ? {}
        : { reportIntervalMs: parsed.config.reportIntervalMs }),
      ...(parsed.config.callTimeoutMs === undefined
        ? {}
        : { callTimeoutMs: parsed.config.callTimeoutMs }),
    },
    problems: [...parsed.problems.map((p) => p.message), ...parsed.notes],
  };
}

/** Whether two backend lists are the same, in order: same names, urls, transports and headers. */
export function sameBackends(a: readonly BackendConfig[], b: readonly BackendConfig[]): boolean {
  return (
    a.length === b.length &&
    a.every((x, i) => {
      const y = b[i];
      return y !== undefined && x.name === y.name && !backendConfigChanged(x, y);
    })
  );
}

/** Whether two spec readings ask for the same thing. */
export function sameVmcpSpecSettings(a: VmcpSpecSettings, b: VmcpSpecSettings): boolean {
  return sameBackends(a.backends, b.backends) && restartSettingsKey(a) === restartSettingsKey(b);
}

/**
 * The settings the runtime reads only at start, as one comparable string: everything
 * but the backends (which it follows without a restart).
 */
export function restartSettingsKey(settings: VmcpSpecSettings): string {
  return JSON.stringify([
    settings.reportIntervalMs,
    settings.callTimeoutMs,
    settings.monitor,
    settings.aggregation ?? {},
  ]);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
