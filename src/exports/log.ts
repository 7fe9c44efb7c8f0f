/**
 * `vmcp-status/log`: the smallest entry, for a vMCP that logs its status. The
 * pipeline, the health model and the log reporter; nothing that talks to Kubernetes
 * or speaks MCP.
 *
 * @module vmcp-status/log
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
} from '../types.js';
export { NoopReporter, type ReportOutcome, type Reporter } from '../reporter.js';
export { ConfigError, VmcpStatusError } from '../errors.js';
export { createLogger, type Logger, type LoggerOptions } from '../logger.js';
export { LogReporter, type LogReporterOptions } from '../apply/log-reporter.js';
export type { ServedCatalogue } from '../reactive/derive-runtime-status.js';
export {
  runtimeStatusStream,
  type RuntimeStatusStreamOptions,
} from '../reactive/runtime-status-stream.js';
export { reportStatus, type ReportStatusOptions } from '../reactive/report-status.js';
export {
  BackendHealthModel,
  type BackendHealthModelOptions,
} from '../runtime/backend-health-model.js';
export type { CallOutcome } from '../runtime/call-outcome.js';
export type { BackendConfig } from '../runtime/backend-config.js';
