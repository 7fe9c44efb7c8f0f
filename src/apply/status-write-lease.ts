import {
  ApiException,
  CoordinationV1Api,
  type KubeConfig,
  type V1Lease,
} from '@kubernetes/client-node';
import type { Logger } from '../logger.js';
import { checkNumber } from '../validate.js';
import { leaseDecision, type LeaseRecord } from './lease-decision.js';
import { microTime } from './phase-event-recorder.js';
import { withDeadline } from './request-deadline.js';

/** Options of {@link StatusWriteLease}. */
export interface StatusWriteLeaseOptions {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  /** The Lease's name: `<VirtualMCPServer>-vmcp-status` (see {@link statusLeaseName}). */
  readonly name: string;
  /** This replica: its pod name (`POD_NAME`). */
  readonly identity: string;
  /** How long one term lasts after a take or renewal. Defaults to 60 000 ms. */
  readonly durationMs?: number;
  readonly logger: Logger;
  /** A Lease request with no answer after this long rejects. Defaults to 10 000 ms. */
  readonly requestTimeoutMs?: number | undefined;
  /** Defaults to `Date.now`. */
  readonly now?: () => number;
}

/** The Lease of a VirtualMCPServer's status writers. */
export function statusLeaseName(vmcpName: string): string {
  return `${vmcpName}-vmcp-status`;
}

/** May this replica write now? */
export type LeaseAnswer =
  | { readonly held: true }
  | { readonly held: false; readonly holder: string; readonly retryInMs: number };

/**
 * One writer at a time among a VirtualMCPServer's replicas, without heartbeats: a
 * `coordination.k8s.io/v1` Lease taken or renewed only when this replica has a status
 * to write (classic leader election renews every 2 s: 1,800 writes an hour).
 *
 * A term lasts `durationMs` from the moment the take or renewal was sent; within it
 * writes need no Lease call, and the last `safetyMs` of it are left unused so a write
 * never lands after another replica may have taken over. At steady state nothing is
 * written; under a steady stream of changes, one renewal per term.
 */
export class StatusWriteLease {
  readonly durationMs: number;
  readonly #api: CoordinationV1Api;
  readonly #now: () => number;
  readonly #deadline: ReturnType<typeof withDeadline>;
  /** End of our own term (ms, local clock), minus the safety margin. */
  #heldUntil = 0;
  #observed: { key: string; atMs: number } | undefined;
  #writes = 0;

  constructor(private readonly options: StatusWriteLeaseOptions) {
    this.durationMs = checkNumber('writeLease.durationMs', options.durationMs ?? 60_000, {
      min: 1_000,
    });
    this.#api = options.kubeConfig.makeApiClient(CoordinationV1Api);
    this.#now = options.now ?? Date.now;
    this.#deadline = withDeadline(
      checkNumber('requestTimeoutMs', options.requestTimeoutMs ?? 10_000, { min: 1 }),
    );
  }

  /** Margin at the end of a term: a tenth of it, at most 5 s. */
  get safetyMs(): number {
    return Math.min(5_000, this.durationMs / 10);
  }

  /** Lease creates and updates this replica sent (for tests and metrics). */
  get writes(): number {
    return this.#writes;
  }

  /** Whether this replica's term is running. */
  get held(): boolean {
    return this.#now() < this.#heldUntil;
  }

  /**
   * Before a status write: within our term, yes at once; otherwise read the Lease and
   * create, renew or take it, or say who holds it and for how long. API errors reject
   * (the caller retries as for any failed write).
   */
  async acquire(): Promise<LeaseAnswer> {
    if (this.held) return { held: true };
    for (let attempt = 0; attempt < 3; attempt++) {
      const lease = await this.#read();
      const now = this.#now();
      const decision = leaseDecision(
        lease === undefined ? undefined : recordOf(lease),
        this.options.identity,
        now,
        this.#observedAt(lease, now),
        this.durationMs,
      );
      if (decision.action === 'wait') {
        return { held: false, holder: decision.holder, retryInMs: decision.waitMs };
      }
      const sentAt = this.#now();
      try {
        await this.#write(decision.action, lease, sentAt);
      } catch (err) {
        // Another replica created or updated it first: read again.
        if (err instanceof ApiException && err.code === 409) continue;
        throw err;
      }
      this.#heldUntil = sentAt + this.durationMs - this.safetyMs;
      if (decision.action !== 'renew') {
        this.options.logger.info(
          { lease: this.options.name, holder: this.options.identity, action: decision.action },
          'holding the status write Lease',
        );
      }
      return { held: true };
    }
    return { held: false, holder: '(contended)', retryInMs: 1_000 };
  }

  /** Gives the Lease up (graceful stop) so another replica may write at once. Never throws. */
  async release(): Promise<void> {
    if (!this.held) return;
    this.#heldUntil = 0;
    try {
      const lease = await this.#read();
      if (lease?.spec?.holderIdentity !== this.options.identity) return;
      await this.#api.replaceNamespacedLease(
        {
          name: this.options.name,
          namespace: this.options.namespace,
          body: { ...lease, spec: { ...lease.spec, holderIdentity: '' } },
        },
        this.#deadline,
      );
      this.#writes++;
    } catch (err) {
      this.options.logger.debug({ err }, 'could not release the status write Lease');
    }
  }

  async #read(): Promise<V1Lease | undefined> {
    try {
      return await this.#api.readNamespacedLease(
        { name: this.options.name, namespace: this.options.namespace },
        this.#deadline,
      );
    } catch (err) {
      if (err instanceof ApiException && err.code === 404) return undefined;
      throw err;
    }
  }

  async #write(action: 'create' | 'renew' | 'take', lease: V1Lease | undefined, atMs: number) {
    // MicroTime wants six fractional digits; client-node passes a string through.
    const time = microTime(new Date(atMs)) as unknown as Date;
    const durationSeconds = Math.ceil(this.durationMs / 1000);
    if (action === 'create' || lease === undefined) {
      await this.#api.createNamespacedLease(
        {
          namespace: this.options.namespace,
          body: {
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: { name: this.options.name, namespace: this.options.namespace },
            spec: {
              holderIdentity: this.options.identity,
              leaseDurationSeconds: durationSeconds,
              acquireTime: time,
              renewTime: time,
              leaseTransitions: 0,
            },
          },
        },
        this.#deadline,
      );
    } else {
      const spec = lease.spec ?? {};
      await this.#api.replaceNamespacedLease(
        {
          name: this.options.name,
          namespace: this.options.namespace,
          // resourceVersion from the read: a concurrent take answers 409.
          body: {
            ...lease,
            spec: {
              ...spec,
              holderIdentity: this.options.identity,
              leaseDurationSeconds: durationSeconds,
              renewTime: time,
              ...(action === 'take'
                ? { acquireTime: time, leaseTransitions: (spec.leaseTransitions ?? 0) + 1 }
                : {}),
            },
          },
        },
        this.#deadline,
      );
    }
    this.#writes++;
  }

  /** When this replica first saw the Lease as it is now (holder and renewal). */
  #observedAt(lease: V1Lease | undefined, now: number): number {
    const key = `${lease?.spec?.holderIdentity ?? ''}/${String(lease?.spec?.renewTime?.valueOf())}`;
    if (this.#observed?.key !== key) this.#observed = { key, atMs: now };
    return this.#observed.atMs;
  }
}

function recordOf(lease: V1Lease): LeaseRecord {
  const renewed = lease.spec?.renewTime ?? lease.spec?.acquireTime;
  return {
    holderIdentity: lease.spec?.holderIdentity,
    renewedAtMs: renewed === undefined ? undefined : new Date(renewed).getTime(),
    leaseDurationSeconds: lease.spec?.leaseDurationSeconds,
  };
}
