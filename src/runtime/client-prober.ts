import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { checkNumber } from '../validate.js';
import { classifyProbeError } from './classify-probe-error.js';
import { countTools } from './count-tools.js';
import { ProbeTimeoutError } from './error-chain.js';
import { probeErrorDetail } from './probe-error-detail.js';
import type { ProbeResult, Prober } from './prober.js';
import { untilAborted } from './until-aborted.js';

/** Options of {@link clientProber}. */
export interface ClientProberOptions {
  /** The whole probe's deadline, getting the session included. Defaults to 10 000 ms. */
  readonly probeTimeoutMs?: number;
  /** A `ping` slower than this makes the backend `degraded`. Defaults to 5 000 ms. */
  readonly degradedThresholdMs?: number;
  /**
   * Whether each probe also counts the backend's tools (`tools/list`, every page).
   * Defaults to false: a vMCP that gives `served$` counts what it serves instead.
   */
  readonly countTools?: boolean;
  /** A monotonic clock in ms for latencies. Defaults to `performance.now`. */
  readonly now?: () => number;
}

/**
 * Probes a backend through a session the embedder already holds: one `ping` on the
 * client `session()` returns (which may connect first, and should reuse its session),
 * so the backend sees one MCP session from the vMCP, not one for serving and one for
 * probing. The session is the embedder's: a failed probe never closes it.
 *
 * ```ts
 * monitor: { createProber: (backend) => clientProber(() => pool.client(backend.name)) }
 * ```
 *
 * `session` gets the probe's signal (aborted at the deadline or when the probe is
 * cancelled); whatever it throws is the probe's failure, classified as the built-in
 * prober's are (e.g. a refused connection is `connection_failed`).
 */
export function clientProber(
  session: (signal: AbortSignal) => Client | Promise<Client>,
  options: ClientProberOptions = {},
): Prober {
  const timeoutMs = checkNumber('probeTimeoutMs', options.probeTimeoutMs ?? 10_000, { min: 1 });
  const degradedMs = checkNumber('degradedThresholdMs', options.degradedThresholdMs ?? 5_000);
  const now = options.now ?? (() => performance.now());
  return {
    async probe(signal: AbortSignal): Promise<ProbeResult> {
      const started = now();
      const deadline = AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
      try {
        const work = (async () => {
          const client = await session(deadline);
          const sent = now();
          await client.ping({ signal: deadline, timeout: timeoutMs });
          const latencyMs = now() - sent;
          const toolCount =
            options.countTools === true
              ? await countTools(client, { signal: deadline, timeout: timeoutMs })
              : undefined;
          return { latencyMs, toolCount };
        })();
        const { latencyMs, toolCount } = await untilAborted(work, deadline);
        return {
          outcome: latencyMs > degradedMs ? 'degraded' : 'healthy',
          latencyMs,
          ...(toolCount === undefined ? {} : { toolCount }),
        };
      } catch (err) {
        if (signal.aborted) throw signal.reason;
        const failure = deadline.aborted ? new ProbeTimeoutError(timeoutMs) : err;
        const { category, authRequired } = classifyProbeError(failure);
        return authRequired
          ? { outcome: 'failed', errorCategory: category, latencyMs: now() - started }
          : {
              outcome: 'failed',
              errorCategory: category,
              errorDetail: probeErrorDetail(failure),
              latencyMs: now() - started,
            };
      }
    },
    close(): Promise<void> {
      // The session is the embedder's to close.
      return Promise.resolve();
    },
  };
}
