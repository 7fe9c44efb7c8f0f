import { useFaultCluster } from '../support/faults/fault-cluster.js';
import { describeOperatorFaults } from './operator-faults.js';
import { describeReporterFaults } from './reporter-faults.js';

// One private control plane for the whole suite: starting one costs more than any fault.
describe('Fault suite: a private control plane behind a fault proxy (no node)', function () {
  this.timeout(3 * 60_000);
  const cluster = useFaultCluster('faults');

  describe('K8sReporter', () => {
    describeReporterFaults(cluster);
  });

  describe('VmcpOperator', () => {
    describeOperatorFaults(cluster);
  });
});
