/**
 * vmcp-status: a vMCP runtime reports its own status, by server-side apply of the
 * VirtualMCPServer status subresource in Kubernetes and to the log elsewhere.
 *
 * The root entry is what an embedding vMCP needs, and loads neither the Kubernetes
 * client nor the MCP SDK: the health model, the pipeline, the log reporter and the
 * factory (which loads the Kubernetes client only when it builds a Kubernetes
 * reporter). The rest is in subpath entries: `vmcp-status/log`, `vmcp-status/k8s`,
 * `vmcp-status/mcp`, `vmcp-status/metrics`, `vmcp-status/operator`.
 *
 * @module vmcp-status
 */
export type {
  BackendHealthEvent,
  BackendHealthReport,
  BackendHealthStatus,
  CircuitBreakerState,
  Condition,
  ErrorCategory,
  Phase,
  RuntimeStatus,
} from './types.js';
export { BACKEND_HEALTH_STATUSES, ERROR_CATEGORIES, PHASES } from './types.js';
export { NoopReporter, REPORT_OUTCOMES, type ReportOutcome, type Reporter } from './reporter.js';
export { ConfigError, VmcpStatusError } from './errors.js';
export { createLogger, type Logger, type LoggerOptions } from './logger.js';
export {
  derivePhase,
  deriveRuntimeStatus,
  type BackendStates,
  type PhaseCounts,
  type PhaseDecision,
  type ServedCatalogue,
} from './reactive/derive-runtime-status.js';
export {
  runtimeStatusStream,
  RUNTIME_STATUS_STREAM_DEFAULTS,
  type RuntimeStatusStreamOptions,
} from './reactive/runtime-status-stream.js';
export { reportStatus, type ReportStatusOptions } from './reactive/report-status.js';
export { paceLatest } from './reactive/pace-latest.js';
export {
  paceWithUrgentLane,
  URGENT_LANE_DEFAULTS,
  type UrgentLane,
} from './reactive/pace-with-urgent-lane.js';
export { LogReporter, type LogReporterOptions } from './apply/log-reporter.js';
export { STATUS_LAYOUTS, type StatusLayout } from './apply/status-layout.js';
export { createReporter, type ReporterSelection } from './factory/create-reporter.js';
export type { CreateReporterOptions } from './factory/create-reporter-options.js';
export {
  detectReporterMode,
  type ReporterChoice,
  type ReporterMode,
  type ReporterTarget,
} from './factory/detect-reporter-mode.js';
export {
  BackendHealthModel,
  HEALTH_MODEL_DEFAULTS,
  type BackendHealthModelOptions,
} from './runtime/backend-health-model.js';
export { CALL_OUTCOME_KINDS, callFailureOf, type CallOutcome } from './runtime/call-outcome.js';
export {
  startStatusReporting,
  type StatusReportingHandle,
  type StatusReportingOptions,
} from './runtime/start-status-reporting.js';
export { monitorBackends, MONITOR_DEFAULTS, type MonitorOptions } from './runtime/monitor.js';
export type { ProbeOutcome, ProbeResult, Prober } from './runtime/prober.js';
export {
  BACKEND_TRANSPORTS,
  type BackendConfig,
  type BackendTransport,
} from './runtime/backend-config.js';
export { CIRCUIT_BREAKER_DEFAULTS, type CircuitBreakerOptions } from './runtime/circuit-breaker.js';
