/**
 * `vmcp-status/k8s`: the Kubernetes side, which loads `@kubernetes/client-node`: the
 * reporter that server-side applies the status, and the runtime's own object and spec
 * followed by a watch. `createReporter` from the root entry builds the reporter for you.
 *
 * @module vmcp-status/k8s
 */
export {
  K8sReporter,
  type K8sReporterOptions,
  type LaidOutPatch,
  type ReporterMetrics,
} from '../apply/k8s-reporter.js';
export { STATUS_LAYOUTS, type StatusLayout } from '../apply/status-layout.js';
export {
  watchOwnObject,
  type OwnObject,
  type OwnObjectRef,
  type OwnObjectWatch,
  type WatchOwnObjectOptions,
} from '../apply/watch-own-object.js';
export {
  followVmcpSpec,
  specBackends,
  watchVmcpSpec,
  type FollowedVmcpSpec,
  type VmcpSpecReading,
  type WatchVmcpSpecOptions,
} from '../runtime/spec-backends.js';
export { parseVmcpSpec, type ParsedVmcpSpec, type VmcpSpecSettings } from '../runtime/vmcp-spec.js';
