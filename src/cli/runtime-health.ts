import type { Reporter } from '../reporter.js';
import type { RuntimeStatus } from '../types.js';
import type { HealthCheck, HealthChecks } from './health-server.js';

/**
 * The runtime's probes. Live while status reporting runs (the kubelet restarts a
 * runtime whose pipeline ended or whose event loop is stuck: then `/healthz` does not
 * answer at all). Ready once its first status has been reported: written, unchanged,
 * or handed to the reporter's retries (an unreachable API still counts: the reporter
 * is retrying, and restarting the pod would not help).
 */
export class RuntimeHealth implements HealthChecks {
  #reported = false;
  #ended: string | undefined;
  #serving: () => boolean = () => true;

  /** Readiness also asks this: whether the vMCP serves MCP (set once the endpoint runs). */
  serving(check: () => boolean): void {
    this.#serving = check;
  }

  /** Wraps `reporter` so a settled `report()` marks the runtime ready. */
  observe(reporter: Reporter): Reporter {
    return {
      report: async (status: RuntimeStatus, signal?: AbortSignal) => {
        try {
          return await reporter.report(status, signal);
        } finally {
          this.#reported = true;
        }
      },
      start: (intervalMs, signal) => reporter.start(intervalMs, signal),
      stop: () => reporter.stop(),
    };
  }

  /** Status reporting ended: liveness fails from now on. */
  ended(reason: string): void {
    this.#ended ??= reason;
  }

  readonly live = (): HealthCheck =>
    this.#ended === undefined ? { ok: true } : { ok: false, reason: this.#ended };

  readonly ready = (): HealthCheck => {
    if (this.#ended !== undefined) return { ok: false, reason: this.#ended };
    if (!this.#serving()) return { ok: false, reason: 'not serving MCP yet' };
    return this.#reported ? { ok: true } : { ok: false, reason: 'no status reported yet' };
  };
}
