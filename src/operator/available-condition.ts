import type { V1Deployment } from '@kubernetes/client-node';

/** The `Available` condition's words, before times are attached. */
export interface ConditionVerdict {
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason: string;
  readonly message: string;
}

/** What the Deployment controller says while a rollout is still under way. */
const ROLLING_OUT = new Set(['NewReplicaSetCreated', 'FoundNewReplicaSet', 'ReplicaSetUpdated']);

/**
 * `Available` from the vMCP Deployment, the operator's own evidence that a runtime is
 * up whatever its last report says:
 *
 * - True, `DeploymentAvailable`: at least one available replica;
 * - False, `DeploymentProgressing`: none yet, and a rollout is under way (the
 *   Deployment controller has not seen the latest spec, or reports
 *   `Progressing=True` with a rollout reason);
 * - False, `DeploymentUnavailable`: none, and nothing is rolling out (the pods died
 *   or never got ready, the progress deadline passed, scaled to 0, or no Deployment).
 *
 * Pure.
 */
export function availableCondition(deployment: V1Deployment | undefined): ConditionVerdict {
  if (deployment === undefined) {
    return { status: 'False', reason: 'DeploymentUnavailable', message: 'no Deployment yet' };
  }
  const name = deployment.metadata?.name ?? '';
  const wanted = deployment.spec?.replicas ?? 1;
  const available = deployment.status?.availableReplicas ?? 0;
  const counts = `${available}/${wanted} replicas available`;
  if (available > 0) {
    return {
      status: 'True',
      reason: 'DeploymentAvailable',
      message: `Deployment ${name}: ${counts}`,
    };
  }
  if (wanted === 0) {
    return {
      status: 'False',
      reason: 'DeploymentUnavailable',
      message: `Deployment ${name} is scaled to 0`,
    };
  }
  const generation = deployment.metadata?.generation ?? 0;
  const observed = deployment.status?.observedGeneration ?? 0;
  const progressing = deployment.status?.conditions?.find((c) => c.type === 'Progressing');
  if (
    observed < generation ||
    (progressing?.status === 'True' && ROLLING_OUT.has(progressing.reason ?? ''))
  ) {
    return {
      status: 'False',
      reason: 'DeploymentProgressing',
      message: `Deployment ${name}: ${counts}, rollout in progress`,
    };
  }
  const why =
    progressing?.reason === 'ProgressDeadlineExceeded' ? ', progress deadline exceeded' : '';
  return {
    status: 'False',
    reason: 'DeploymentUnavailable',
    message: `Deployment ${name}: ${counts}${why}`,
  };
}
