import type { ErrorCategory } from '../types.js';

/**
 * How one real call from the vMCP to a backend ended, as the health model counts it.
 * The backend answering at all is a `success`: a JSON-RPC error it returns, or a tool
 * result with `isError: true`, is the backend working.
 *
 * - `success`: the backend answered.
 * - `timeout`: no answer within the call's own deadline.
 * - `transport`: the connection could not be made, broke, or was closed.
 * - `http`: the backend answered with an HTTP error status instead of MCP.
 * - `protocol`: the backend answered something that is not MCP (garbage, an answer
 *   over the size limit, a stream that never ends).
 *
 * `latencyMs` is for debug logs only; a slow call is not a failure (tools may work
 * long), so only a probe's `ping` can make a backend `degraded` for being slow.
 */
export type CallOutcome =
  | { readonly kind: 'success'; readonly latencyMs?: number | undefined }
  | { readonly kind: 'timeout'; readonly latencyMs?: number | undefined }
  | { readonly kind: 'transport'; readonly latencyMs?: number | undefined }
  | { readonly kind: 'http'; readonly status: number; readonly latencyMs?: number | undefined }
  | { readonly kind: 'protocol'; readonly latencyMs?: number | undefined };

/** Every {@link CallOutcome} kind. */
export const CALL_OUTCOME_KINDS: readonly CallOutcome['kind'][] = [
  'success',
  'timeout',
  'transport',
  'http',
  'protocol',
];

/**
 * What a failed call means for the backend's health: its error category, or
 * `unauthenticated` for 401/403. Pure; `undefined` for a success.
 *
 * | outcome                 | counts as                                              |
 * | ----------------------- | ------------------------------------------------------ |
 * | `success`               | a success                                              |
 * | `timeout`               | a failure, `timeout`                                   |
 * | `transport`             | a failure, `connection_failed`                         |
 * | `http` 401 / 403        | `unauthenticated` without credentials, else a failure, `authentication_failed` |
 * | `http` 429 / 5xx        | a failure, `backend_unavailable`                       |
 * | `http` other            | a failure, `protocol_error`                            |
 * | `protocol`              | a failure, `protocol_error`                            |
 */
export function callFailureOf(
  outcome: CallOutcome,
): { readonly category: ErrorCategory; readonly authRequired: boolean } | undefined {
  switch (outcome.kind) {
    case 'success':
      return undefined;
    case 'timeout':
      return { category: 'timeout', authRequired: false };
    case 'transport':
      return { category: 'connection_failed', authRequired: false };
    case 'protocol':
      return { category: 'protocol_error', authRequired: false };
    case 'http':
      if (outcome.status === 401 || outcome.status === 403) {
        return { category: 'authentication_failed', authRequired: true };
      }
      if (outcome.status === 429 || outcome.status >= 500) {
        return { category: 'backend_unavailable', authRequired: false };
      }
      return { category: 'protocol_error', authRequired: false };
  }
}
