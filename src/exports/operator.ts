/**
 * `vmcp-status/operator`: the operator that deploys each VirtualMCPServer's runtime
 * and owns its own status fields, to run in-process (the CLI's `operator` command runs it).
 *
 * @module vmcp-status/operator
 */
export { VmcpOperator, type VmcpOperatorOptions } from '../operator/vmcp-operator.js';
export { OperatorMetrics, type OperatorMetricsOptions } from '../operator/operator-metrics.js';
