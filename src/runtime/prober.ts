import type { ObservableInput } from 'rxjs';
import type { ErrorCategory } from '../types.js';

/** What one probe found. */
export type ProbeOutcome = 'healthy' | 'degraded' | 'unauthenticated' | 'failed';

/** The result of one probe. A probe never rejects for a backend's fault: it says `failed`. */
export interface ProbeResult {
  readonly outcome: ProbeOutcome;
  /** The backend's tool count, when known (listed now or earlier in the same session). */
  readonly toolCount?: number | undefined;
  /**
   * The backend's response time: the `ping` round trip (a new session's handshake
   * does not count). For a failure: how long until it failed.
   */
  readonly latencyMs: number;
  /** Why it failed; set only for `failed`. */
  readonly errorCategory?: ErrorCategory | undefined;
  /** A scrubbed account of the failure for debug logs (class, code, HTTP status; never message text). */
  readonly errorDetail?: string | undefined;
}

/**
 * Probes one backend, one probe at a time. The monitor's seam: tests pass their own.
 * `probe` may return a promise or an observable; aborting `signal` (or unsubscribing)
 * cancels the probe, whose result nobody wants any more.
 */
export interface Prober {
  probe(signal: AbortSignal): ObservableInput<ProbeResult>;
  /** Ends the session, if any. */
  close(): Promise<void>;
}
