import { expect } from 'chai';
import type { V1Deployment } from '@kubernetes/client-node';
import { availableCondition } from '../../../src/operator/available-condition.js';

function deployment(
  status: V1Deployment['status'],
  { replicas = 1, generation = 1 }: { replicas?: number; generation?: number } = {},
): V1Deployment {
  return {
    metadata: { name: 'demo-vmcp', generation },
    spec: { replicas, selector: {}, template: {} },
    status,
  };
}
const progressing = (reason: string, status = 'True') => ({ type: 'Progressing', status, reason });

describe('availableCondition', () => {
  it('True with at least one available replica', () => {
    expect(
      availableCondition(
        deployment(
          {
            observedGeneration: 1,
            availableReplicas: 1,
            conditions: [progressing('NewReplicaSetAvailable')],
          },
          { replicas: 3 },
        ),
      ),
    ).to.deep.equal({
      status: 'True',
      reason: 'DeploymentAvailable',
      message: 'Deployment demo-vmcp: 1/3 replicas available',
    });
  });

  it('DeploymentProgressing while a rollout is under way', () => {
    for (const d of [
      deployment(undefined),
      deployment({ observedGeneration: 1 }, { generation: 2 }),
      deployment({ observedGeneration: 1, conditions: [progressing('ReplicaSetUpdated')] }),
      deployment({ observedGeneration: 1, conditions: [progressing('NewReplicaSetCreated')] }),
    ]) {
      expect(availableCondition(d)).to.include({
        status: 'False',
        reason: 'DeploymentProgressing',
      });
    }
  });

  it('DeploymentUnavailable when nothing rolls out and no replica is available', () => {
    expect(
      availableCondition(
        deployment({ observedGeneration: 1, conditions: [progressing('NewReplicaSetAvailable')] }),
      ),
    ).to.deep.equal({
      status: 'False',
      reason: 'DeploymentUnavailable',
      message: 'Deployment demo-vmcp: 0/1 replicas available',
    });
    expect(
      availableCondition(
        deployment({
          observedGeneration: 1,
          conditions: [progressing('ProgressDeadlineExceeded', 'False')],
        }),
      ),
    ).to.include({
      reason: 'DeploymentUnavailable',
      message: 'Deployment demo-vmcp: 0/1 replicas available, progress deadline exceeded',
    });
    expect(availableCondition(deployment({ observedGeneration: 1 }, { replicas: 0 }))).to.include({
      reason: 'DeploymentUnavailable',
      message: 'Deployment demo-vmcp is scaled to 0',
    });
    expect(availableCondition(undefined)).to.include({
      status: 'False',
      reason: 'DeploymentUnavailable',
    });
  });
});
