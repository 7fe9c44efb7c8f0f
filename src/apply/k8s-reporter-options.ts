import type { KubeConfig } from '@kubernetes/client-node';
import { checkNumber } from '../validate.js';
import { DEFAULT_MAX_REPORTED_BACKENDS } from './cap-reported-backends.js';
import { FIELD_MANAGERS } from './ownership.js';
import type { Logger } from '../logger.js';
import type { ReportOutcome, Reporter } from '../reporter.js';
import type { BackoffOptions } from './backoff.js';
import type { readStatusSchema } from './openapi-schema.js';
import { checkStatusLayout, type StatusLayout } from './status-layout.js';
import type { ObjectRef, StatusApplyPatch } from './status-patch.js';

/** Hooks for metrics (see src/runtime/metrics.ts); all optional. */
export interface ReporterMetrics {
  reportOutcome?(outcome: ReportOutcome): void;
  applyLatency?(seconds: number): void;
  pendingWrites?(count: number): void;
}

/** Options of `K8sReporter` (src/apply/k8s-reporter.ts). */
export interface K8sReporterOptions {
  readonly kubeConfig: KubeConfig;
  /** The VirtualMCPServer; `apiVersion` defaults to `vmcp-status.dev/v1beta1`. */
  readonly ref: ObjectRef;
  /** Defaults to `vmcp-runtime`. */
  readonly fieldManager?: string;
  /** Gets every status while the API is unreachable (usually a LogReporter). */
  readonly fallback?: Reporter;
  readonly logger?: Logger;
  /** Retry pacing for 429, 5xx and network errors. */
  readonly backoff?: BackoffOptions;
  /**
   * A status write with no answer after this long is abandoned and retried like a
   * network error, so a partitioned apiserver (connections open, nothing answered)
   * cannot hold the one-at-a-time queue, and the fallback gets the status meanwhile.
   * Defaults to 10 000 ms (the apiserver itself gives up on a request after 60 s).
   */
  readonly requestTimeoutMs?: number;
  /** How long `stop()` may spend flushing. Defaults to 5 s. */
  readonly stopTimeoutMs?: number;
  /** Record PhaseChanged Events. Defaults to true. */
  readonly events?: boolean;
  /** Reporting instance of Events; defaults to `POD_NAME`, else the host name. */
  readonly instance?: string;
  readonly metrics?: ReporterMetrics;
  /**
   * Where the runtime's status goes: `top-level` (this project's CRD), `runtime`
   * (ToolHive's `status.runtime`, projected by its operator) or `auto`, decided by the
   * installed CRD's published schema. Defaults to `auto`.
   */
  readonly statusLayout?: StatusLayout;
  /**
   * Reads the CRD's published status schema. Defaults to reading the apiserver's
   * OpenAPI v3 document; a test passes one that finds none, as on a server without it.
   */
  readonly readSchema?: typeof readStatusSchema;
  /**
   * One writer among several replicas: a write Lease named
   * `<VirtualMCPServer>-vmcp-status`, taken or renewed only before a write
   * (src/apply/status-write-lease.ts). `identity` is the pod name. Defaults to none.
   */
  readonly writeLease?: { readonly identity: string; readonly durationMs?: number } | undefined;
  /**
   * Writes a status that only differs in check times (`lastHealthCheck`) once its last
   * write is this old, so no status is older than this plus one report interval (the
   * pipeline re-derives the status every interval: `statusRefresh` of
   * startStatusReporting). 0 turns it off. Defaults to 300 000 ms (5 minutes, the
   * kubelet's node status report frequency).
   */
  readonly statusRefreshMs?: number;
  /**
   * At most this many `discoveredBackends` entries are written (unhealthy first, then
   * by name; see src/apply/cap-reported-backends.ts): the counts stay exact and
   * `message` says the list is truncated. Defaults to 256.
   */
  readonly maxReportedBackends?: number;
  /** Defaults to `Date.now`. */
  readonly now?: () => number;
}

/** The status body the reporter applies, laid out for the CRD. */
export type LaidOutPatch = StatusApplyPatch<Record<string, unknown>>;

/** The reporter's tunables with their defaults, each checked (a ConfigError names the bad one). */
export interface ReporterSettings {
  readonly fieldManager: string;
  readonly requestTimeoutMs: number;
  readonly statusRefreshMs: number;
  readonly maxReportedBackends: number;
  readonly statusLayout: StatusLayout;
}

/** {@link ReporterSettings} of `options`. Pure. */
export function reporterSettings(options: K8sReporterOptions): ReporterSettings {
  return {
    fieldManager: options.fieldManager ?? FIELD_MANAGERS.runtime,
    requestTimeoutMs: checkNumber('requestTimeoutMs', options.requestTimeoutMs ?? 10_000, {
      min: 1,
    }),
    statusRefreshMs: checkNumber('statusRefreshMs', options.statusRefreshMs ?? 300_000),
    maxReportedBackends: checkNumber(
      'maxReportedBackends',
      options.maxReportedBackends ?? DEFAULT_MAX_REPORTED_BACKENDS,
      { integer: true },
    ),
    statusLayout: checkStatusLayout('statusLayout', options.statusLayout ?? 'auto'),
  };
}
