/**
 * `vmcp-status/metrics`: the runtime's Prometheus metrics (prom-client), on a registry
 * of their own, for `startStatusReporting({ metrics })`. The operator's are in
 * `vmcp-status/operator`.
 *
 * @module vmcp-status/metrics
 */
export { StatusMetrics, type StatusMetricsOptions } from '../runtime/metrics.js';
