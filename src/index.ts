/**
 * vmcp-status: a vMCP runtime reports its own status, by server-side apply of the
 * VirtualMCPServer status subresource in Kubernetes and to the log elsewhere.
 *
 * @packageDocumentation
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
export { NoopReporter, type Reporter } from './reporter.js';
export { ConfigError, VmcpStatusError } from './errors.js';
export { createLogger, type Logger, type LoggerOptions } from './logger.js';
export { deriveRuntimeStatus, type BackendStates } from './reactive/derive-runtime-status.js';
export {
  runtimeStatusStream,
  RUNTIME_STATUS_STREAM_DEFAULTS,
  type RuntimeStatusStreamOptions,
} from './reactive/runtime-status-stream.js';
export { reportStatus, type ReportStatusOptions } from './reactive/report-status.js';
export { paceLatest } from './reactive/pace-latest.js';
export { LogReporter, type LogReporterOptions } from './apply/log-reporter.js';
export { STATUS_LAYOUTS, type StatusLayout } from './apply/status-layout.js';
export {
  createReporter,
  type CreateReporterOptions,
  type ReporterSelection,
} from './factory/create-reporter.js';
export {
  detectReporterMode,
  type ReporterChoice,
  type ReporterMode,
} from './factory/detect-reporter-mode.js';
export {
  startStatusReporting,
  type StatusReportingHandle,
  type StatusReportingOptions,
} from './runtime/start-status-reporting.js';
export { monitorBackends, MONITOR_DEFAULTS, type MonitorOptions } from './runtime/monitor.js';
export { McpProber, PROBE_DEFAULTS, type ProbeOptions } from './runtime/mcp-prober.js';
export type { ProbeOutcome, ProbeResult, Prober } from './runtime/prober.js';
export {
  BACKEND_TRANSPORTS,
  type BackendConfig,
  type BackendTransport,
} from './runtime/backend-config.js';
export { CIRCUIT_BREAKER_DEFAULTS, type CircuitBreakerOptions } from './runtime/circuit-breaker.js';
export { StatusMetrics, type StatusMetricsOptions } from './runtime/metrics.js';
export { parseDuration } from './runtime/parse-duration.js';
export {
  followVmcpSpec,
  specBackends,
  watchVmcpSpec,
  type FollowedVmcpSpec,
  type VmcpSpecReading,
  type WatchVmcpSpecOptions,
} from './runtime/spec-backends.js';
export { parseVmcpSpec, type ParsedVmcpSpec, type VmcpSpecSettings } from './runtime/vmcp-spec.js';
export {
  watchOwnObject,
  type OwnObject,
  type OwnObjectRef,
  type OwnObjectWatch,
  type WatchOwnObjectOptions,
} from './apply/watch-own-object.js';
export { VmcpOperator, type VmcpOperatorOptions } from './operator/vmcp-operator.js';
export { OperatorMetrics, type OperatorMetricsOptions } from './operator/operator-metrics.js';
