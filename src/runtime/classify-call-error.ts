import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { CallOutcome } from './call-outcome.js';
import { classifyProbeError } from './classify-probe-error.js';
import { causeChain } from './error-chain.js';

/**
 * What a failed call to a backend through the MCP SDK's `Client` means for its health,
 * as a {@link CallOutcome}: the bridge from `catch (err)` to `health.recordCall`.
 *
 * A JSON-RPC error the backend answered with (unknown tool, invalid params, its own
 * internal error) is the backend working: `success`. The SDK's own request timeout is
 * a `timeout`, a closed connection `transport`, an HTTP error status `http`, anything
 * unreadable `protocol`.
 */
export function classifyCallError(err: unknown, latencyMs?: number): CallOutcome {
  for (const cause of causeChain(err)) {
    if (cause instanceof McpError) {
      if (cause.code === (ErrorCode.RequestTimeout as number))
        return { kind: 'timeout', latencyMs };
      if (cause.code === (ErrorCode.ConnectionClosed as number)) {
        return { kind: 'transport', latencyMs };
      }
      return { kind: 'success', latencyMs };
    }
  }
  const { category, httpStatus } = classifyProbeError(err);
  if (httpStatus !== undefined) return { kind: 'http', status: httpStatus, latencyMs };
  switch (category) {
    case 'timeout':
      return { kind: 'timeout', latencyMs };
    case 'connection_failed':
      return { kind: 'transport', latencyMs };
    default:
      return { kind: 'protocol', latencyMs };
  }
}
