import type { Logger } from '../logger.js';
import type { ApplyFailure } from './apply-error.js';
import { crdMissingMessage } from './vmcp-resource.js';
import type { OwnObjectRef } from './watch-own-object.js';

/** Which request failed: reading the object, or applying its status. */
export type FailedVerb = 'get' | 'patch';

/**
 * Logs failed reads and writes of a VirtualMCPServer the way an operator wants to read
 * them: each kind of failure once, with what to do about it (the RBAC line names the
 * verb, resource and apiGroup to grant), then at debug level while it lasts. Nothing
 * it logs carries raw backend text; the apiserver's own message only for denials.
 */
export class ApplyFailureLog {
  readonly #logged = new Set<ApplyFailure['kind']>();

  constructor(
    private readonly logger: Logger,
    private readonly target: OwnObjectRef,
  ) {}

  /**
   * A write went through: says so when the API had been unreachable, and makes every
   * later failure news again (but an unknown-field warning stays said).
   */
  accepted(fields: Record<string, unknown>): void {
    if (this.#logged.has('retriable')) {
      this.logger.info(fields, 'Kubernetes API reachable again: latest status applied');
    }
    for (const kind of ['retriable', 'forbidden', 'invalid', 'not-found'] as const)
      this.#logged.delete(kind);
  }

  /** Logs `failure` at warn or error level the first time, at debug level afterwards. */
  failed(verb: FailedVerb, failure: ApplyFailure): void {
    if (this.#logged.has(failure.kind)) {
      this.logger.debug(
        { verb, failure: failure.kind, summary: failure.summary },
        'status write still failing',
      );
      return;
    }
    this.#logged.add(failure.kind);
    const { plural, group, name, namespace } = this.target;
    const resource = verb === 'get' ? plural : `${plural}/status`;
    switch (failure.kind) {
      case 'retriable':
        this.logger.warn(
          { reason: failure.summary },
          'Kubernetes API unavailable: status goes to the log until it is back',
        );
        break;
      case 'not-found':
        if (failure.resourceMissing) {
          this.logger.error(
            { crd: `${plural}.${group}` },
            `${crdMissingMessage(group, plural)}; the latest status is applied once it is`,
          );
          break;
        }
        this.logger.warn(
          'VirtualMCPServer not found: the latest status is kept and applied when it exists again',
        );
        break;
      case 'forbidden':
        if (failure.byPolicy) {
          this.logger.error(
            { verb, resource, denial: failure.summary },
            'an admission policy denied the status write (is this the ServiceAccount the policy expects for the runtime?)',
          );
          break;
        }
        this.logger.error(
          { verb, resource, apiGroup: group, name, namespace },
          `RBAC: this identity may not ${verb} ${resource} "${name}" in namespace "${namespace}"; grant verb "${verb}" on resource "${resource}" in apiGroup "${group}" to the runtime's ServiceAccount`,
        );
        break;
      case 'invalid':
        this.logger.error(
          { code: failure.code, fieldErrors: failure.causes },
          'the apiserver rejected the status: field errors',
        );
        break;
      case 'unknown-fields':
        this.logger.error(
          { fields: failure.fields },
          'the installed CRD keeps rejecting status fields',
        );
        break;
    }
  }
}
