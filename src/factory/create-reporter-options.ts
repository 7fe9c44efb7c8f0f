import type { ReporterMetrics } from '../apply/k8s-reporter-options.js';
import type { StatusLayout } from '../apply/status-layout.js';
import type { Logger } from '../logger.js';
import type { ReporterChoice } from './detect-reporter-mode.js';

/** Options of {@link createReporter}. */
export interface CreateReporterOptions {
  /** The VirtualMCPServer to report into. Defaults to `VMCP_NAME`. */
  readonly name?: string;
  /** Its namespace. Defaults to `VMCP_NAMESPACE`. */
  readonly namespace?: string;
  /** An explicit choice wins over detection. Defaults to `VMCP_STATUS_REPORTER`, else `auto`. */
  readonly reporter?: ReporterChoice;
  /** Defaults to `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Where the service-account files are. Defaults to `/var/run/secrets/kubernetes.io/serviceaccount`. */
  readonly serviceAccountDir?: string;
  /**
   * Where the choice, and the log reporter's lines, go. Defaults to `createLogger`'s
   * logger on stderr (stdout may be an MCP server's stdio transport).
   */
  readonly logger?: Logger;
  /** Kubernetes mode: a kubeconfig file to use instead of the in-pod service account. */
  readonly kubeconfigPath?: string;
  /** Kubernetes mode: the SSA field manager. Defaults to `vmcp-runtime`. */
  readonly fieldManager?: string;
  /** Kubernetes mode: the VirtualMCPServer apiVersion. Defaults to `vmcp-status.dev/v1beta1`. */
  readonly apiVersion?: string;
  /** Kubernetes mode: metrics hooks. */
  readonly metrics?: ReporterMetrics;
  /**
   * Kubernetes mode: where the runtime's status goes, `top-level`, `runtime`
   * (ToolHive's `status.runtime`) or `auto` (from the installed CRD's schema).
   * Defaults to `VMCP_STATUS_LAYOUT`, else `auto`.
   */
  readonly statusLayout?: StatusLayout;
  /**
   * Kubernetes mode: the term of the write Lease that keeps several replicas from
   * writing at once, in ms; 0 turns it off. Used when `POD_NAME` names this replica.
   * Defaults to 60 000.
   */
  readonly writeLeaseDurationMs?: number;
  /** Kubernetes mode: see `K8sReporterOptions.statusRefreshMs`. Defaults to 300 000 (5 m). */
  readonly statusRefreshMs?: number;
  /** Kubernetes mode: see `K8sReporterOptions.maxReportedBackends`. Defaults to 256. */
  readonly maxReportedBackends?: number;
  /** Log mode (and Kubernetes mode's fallback): how often the summary line goes out. Defaults to the report interval. */
  readonly logSummaryIntervalMs?: number;
}
