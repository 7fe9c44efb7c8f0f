import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../logger.js';
import { StatusWriteLease, statusLeaseName } from './status-write-lease.js';

/** Options of {@link LeaseGate}. */
export interface LeaseGateOptions {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  /** The VirtualMCPServer: the Lease is `<name>-vmcp-status`. */
  readonly vmcpName: string;
  /** This replica's pod name. */
  readonly identity: string;
  /** Defaults to the Lease's own default (60 s). */
  readonly durationMs?: number | undefined;
  readonly logger: Logger;
  readonly requestTimeoutMs: number;
  readonly now: () => number;
}

/**
 * The write Lease as the reporter asks it before each write: may this replica write
 * now, or how long until the other holder's term ends. A wait is logged once, not
 * once per status that has to wait.
 */
export class LeaseGate {
  readonly #lease: StatusWriteLease;
  #waiting = false;

  /** A gate for `writeLease`, or none when the reporter has no write Lease. */
  static when(
    writeLease: { readonly identity: string; readonly durationMs?: number | undefined } | undefined,
    context: {
      kubeConfig: KubeConfig;
      ref: { namespace: string; name: string };
      logger: Logger;
      requestTimeoutMs: number;
      now: () => number;
    },
  ): LeaseGate | undefined {
    if (writeLease === undefined) return undefined;
    return new LeaseGate({
      kubeConfig: context.kubeConfig,
      namespace: context.ref.namespace,
      vmcpName: context.ref.name,
      identity: writeLease.identity,
      durationMs: writeLease.durationMs,
      logger: context.logger,
      requestTimeoutMs: context.requestTimeoutMs,
      now: context.now,
    });
  }

  constructor(private readonly options: LeaseGateOptions) {
    this.#lease = new StatusWriteLease({
      kubeConfig: options.kubeConfig,
      namespace: options.namespace,
      name: statusLeaseName(options.vmcpName),
      identity: options.identity,
      ...(options.durationMs !== undefined ? { durationMs: options.durationMs } : {}),
      logger: options.logger,
      requestTimeoutMs: options.requestTimeoutMs,
      now: options.now,
    });
  }

  /** Lease creates and updates sent. */
  get writes(): number {
    return this.#lease.writes;
  }

  /** Undefined: write now. A number: another replica holds the Lease for that many ms more. */
  async wait(phase: string): Promise<number | undefined> {
    const answer = await this.#lease.acquire();
    if (answer.held) {
      this.#waiting = false;
      return undefined;
    }
    if (!this.#waiting) {
      this.#waiting = true;
      this.options.logger.info(
        { holder: answer.holder, retryInMs: answer.retryInMs, phase },
        'another replica holds the status write Lease: this status waits for its term to end',
      );
    }
    return answer.retryInMs;
  }

  /** Gives the term up, so another replica may write at once. */
  release(): Promise<void> {
    return this.#lease.release();
  }
}
