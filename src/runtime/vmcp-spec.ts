import {
  BACKEND_TRANSPORTS,
  backendConfigChanged,
  backendUrlProblem,
  type BackendConfig,
  type BackendTransport,
} from './backend-config.js';
import { redactUrl } from '../redact-url.js';
import type { MonitorOptions } from './monitor.js';
import { parseDuration } from './parse-duration.js';

/** What the runtime takes from its VirtualMCPServer's `spec`. */
export interface VmcpSpecSettings {
  /** `spec.backends`: name, url and transport of each. */
  readonly backends: readonly BackendConfig[];
  /** `spec.probe`: interval, timeout, degradedThreshold, unhealthyThreshold, as set. */
  readonly monitor: Pick<
    MonitorOptions,
    'probeIntervalMs' | 'probeTimeoutMs' | 'degradedThresholdMs' | 'unhealthyThreshold'
  >;
  /** `spec.reportInterval`, when set. */
  readonly reportIntervalMs?: number | undefined;
}

/** {@link parseVmcpSpec}'s answer: the settings, and the fields it had to leave out. */
export interface ParsedVmcpSpec {
  readonly settings: VmcpSpecSettings;
  /** One line per ignored field, naming it, e.g. `spec.backends[1].url: expected …`. */
  readonly problems: readonly string[];
}

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,251}[A-Za-z0-9])?$/;

/**
 * Maps a VirtualMCPServer `spec` to backend configs and probe options. Pure.
 *
 * The CRD's schema already validates the spec; this is the runtime's own defence
 * against an older or foreign CRD: a backend that is not usable (no name, a URL that
 * is not http(s), a repeated name) and a setting that cannot be read are left out and
 * named in `problems`, and everything else is used.
 */
export function parseVmcpSpec(spec: unknown): ParsedVmcpSpec {
  const problems: string[] = [];
  const object = isRecord(spec) ? spec : {};
  const backends: BackendConfig[] = [];
  const seen = new Set<string>();
  const list = object.backends;
  if (list !== undefined && !Array.isArray(list)) {
    problems.push('spec.backends: expected a list');
  }
  (Array.isArray(list) ? (list as unknown[]) : []).forEach((entry, index) => {
    const field = `spec.backends[${index}]`;
    if (!isRecord(entry)) {
      problems.push(`${field}: expected an object with name and url`);
      return;
    }
    const { name, url, transport } = entry;
    if (typeof name !== 'string' || !NAME.test(name)) {
      problems.push(`${field}.name: expected a backend name, got ${show(name)}`);
      return;
    }
    const urlProblem =
      typeof url === 'string' ? backendUrlProblem(url) : 'an http:// or https:// URL';
    if (typeof url !== 'string' || urlProblem !== undefined) {
      const shown = typeof url === 'string' ? redactUrl(url) : url;
      problems.push(`${field}.url: expected ${urlProblem ?? ''}, got ${show(shown)}`);
      return;
    }
    if (seen.has(name)) {
      problems.push(`${field}.name: expected a name no other backend has, got ${show(name)}`);
      return;
    }
    let known: BackendTransport | undefined;
    if (transport !== undefined) {
      if (typeof transport === 'string' && (BACKEND_TRANSPORTS as string[]).includes(transport)) {
        known = transport as BackendTransport;
      } else {
        problems.push(
          `${field}.transport: expected one of ${BACKEND_TRANSPORTS.join(', ')}, got ${show(transport)}; using auto`,
        );
      }
    }
    seen.add(name);
    backends.push({ name, url, ...(known === undefined ? {} : { transport: known }) });
  });

  const probe = isRecord(object.probe) ? object.probe : {};
  const duration = (field: string, value: unknown, min: number): number | undefined => {
    if (value === undefined) return undefined;
    try {
      if (typeof value !== 'string') throw new Error('not a string');
      const ms = parseDuration(field, value);
      if (ms < min) throw new Error('too short');
      return ms;
    } catch {
      problems.push(
        `${field}: expected a duration${min > 0 ? ' above 0' : ''} such as 30s, got ${show(value)}`,
      );
      return undefined;
    }
  };
  const intervalMs = duration('spec.probe.interval', probe.interval, 1);
  const timeoutMs = duration('spec.probe.timeout', probe.timeout, 1);
  const degradedThresholdMs = duration('spec.probe.degradedThreshold', probe.degradedThreshold, 0);
  let unhealthyThreshold: number | undefined;
  if (probe.unhealthyThreshold !== undefined) {
    const value = probe.unhealthyThreshold;
    if (typeof value === 'number' && Number.isInteger(value) && value >= 1) {
      unhealthyThreshold = value;
    } else {
      problems.push(`spec.probe.unhealthyThreshold: expected an integer >= 1, got ${show(value)}`);
    }
  }
  const reportIntervalMs = duration('spec.reportInterval', object.reportInterval, 1);

  return {
    settings: {
      backends,
      monitor: {
        ...(intervalMs === undefined ? {} : { probeIntervalMs: intervalMs }),
        ...(timeoutMs === undefined ? {} : { probeTimeoutMs: timeoutMs }),
        ...(degradedThresholdMs === undefined ? {} : { degradedThresholdMs }),
        ...(unhealthyThreshold === undefined ? {} : { unhealthyThreshold }),
      },
      ...(reportIntervalMs === undefined ? {} : { reportIntervalMs }),
    },
    problems,
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
  return (
    sameBackends(a.backends, b.backends) &&
    a.reportIntervalMs === b.reportIntervalMs &&
    a.monitor.probeIntervalMs === b.monitor.probeIntervalMs &&
    a.monitor.probeTimeoutMs === b.monitor.probeTimeoutMs &&
    a.monitor.degradedThresholdMs === b.monitor.degradedThresholdMs &&
    a.monitor.unhealthyThreshold === b.monitor.unhealthyThreshold
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
