import { hostname } from 'node:os';
import { EventsV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../logger.js';
import type { Phase } from '../types.js';
import { DEFAULT_API_VERSION, VMCP_KIND, type ObjectRef } from './status-patch.js';
import { TokenBucket } from '../reactive/token-bucket.js';

export const REPORTING_CONTROLLER = 'vmcp-status.dev/vmcp-runtime';

/** Options of {@link PhaseEventRecorder}. */
export interface PhaseEventRecorderOptions {
  readonly kubeConfig: KubeConfig;
  readonly ref: ObjectRef;
  readonly logger: Logger;
  /** Reporting instance; defaults to `POD_NAME`, else the host name. */
  readonly instance?: string;
  /** At most this many Events in a row... */
  readonly burst?: number;
  /** ...then one per this many ms. Defaults: 5, and 60 s. */
  readonly refillMs?: number;
  readonly now?: () => number;
}

const WARNING_PHASES: ReadonlySet<Phase> = new Set(['Degraded', 'Failed']);

/**
 * Records an `events.k8s.io/v1` Event (reason `PhaseChanged`) on each phase
 * transition, rate-limited by a token bucket so a flapping backend cannot flood etcd;
 * transitions it skips are counted in the next Event's note. Never throws.
 */
export class PhaseEventRecorder {
  readonly #api: EventsV1Api;
  readonly #bucket: TokenBucket;
  readonly #instance: string;
  #suppressed = 0;
  #phase: Phase | undefined;

  constructor(private readonly options: PhaseEventRecorderOptions) {
    this.#api = options.kubeConfig.makeApiClient(EventsV1Api);
    this.#bucket = new TokenBucket(options.burst ?? 5, options.refillMs ?? 60_000, options.now);
    this.#instance = (options.instance ?? process.env.POD_NAME ?? hostname()).slice(0, 128);
  }

  /** The phase the object held before this process wrote (read at start). */
  seed(phase: Phase | undefined): void {
    this.#phase = phase;
  }

  /** A write of `phase` was accepted: records an Event when the phase changed with it. */
  async accepted(phase: Phase, detail: string, uid?: string): Promise<void> {
    const previous = this.#phase;
    this.#phase = phase;
    if (previous !== phase) await this.phaseChanged(previous, phase, detail, uid);
  }

  /** Records `from → to: detail`, unless the rate limit says no. */
  async phaseChanged(
    from: Phase | undefined,
    to: Phase,
    detail: string,
    uid?: string,
  ): Promise<void> {
    if (!this.#bucket.take()) {
      this.#suppressed++;
      return;
    }
    const suppressed = this.#suppressed;
    this.#suppressed = 0;
    const { ref } = this.options;
    const note = `${from ?? 'None'} → ${to}: ${detail}${suppressed > 0 ? ` (${String(suppressed)} earlier transitions not recorded)` : ''}`;
    try {
      await this.#api.createNamespacedEvent({
        namespace: ref.namespace,
        body: {
          metadata: { generateName: `${ref.name}-`, namespace: ref.namespace },
          // MicroTime wants six fractional digits; client-node passes a string through.
          eventTime: microTime(new Date()) as unknown as Date,
          reportingController: REPORTING_CONTROLLER,
          reportingInstance: this.#instance,
          action: 'ReportStatus',
          reason: 'PhaseChanged',
          type: WARNING_PHASES.has(to) ? 'Warning' : 'Normal',
          note: note.slice(0, 1024),
          regarding: {
            apiVersion: ref.apiVersion ?? DEFAULT_API_VERSION,
            kind: VMCP_KIND,
            name: ref.name,
            namespace: ref.namespace,
            ...(uid !== undefined ? { uid } : {}),
          },
        },
      });
    } catch (err) {
      this.options.logger.debug(
        { err: (err as Error).message.slice(0, 2000) },
        'could not record PhaseChanged event',
      );
    }
  }
}

/** `metav1.MicroTime` text: RFC 3339 with microseconds. */
export function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
