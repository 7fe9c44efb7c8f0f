import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { SseError } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { ErrorCategory } from '../types.js';
import { ResponseTooLargeError } from './bounded-fetch.js';
import { ProbeTimeoutError, causeChain, codeOf } from './error-chain.js';

export { ProbeTimeoutError } from './error-chain.js';

/** What a probe failure means: its category, and whether the backend asked for credentials. */
export interface ProbeErrorClass {
  readonly category: ErrorCategory;
  /** The backend answered 401 or 403: it wants credentials, or rejected the ones it got. */
  readonly authRequired: boolean;
  /** The HTTP status the backend answered with, when there was one. */
  readonly httpStatus?: number | undefined;
}

/** Node's and undici's codes for a connection that could not be made or was lost. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT',
]);

/** Codes of a connection or response that took too long below the probe's own deadline. */
const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** JSON-RPC errors that mean the backend does not speak MCP as expected. */
const PROTOCOL_RPC_CODES = new Set<number>([
  ErrorCode.ParseError,
  ErrorCode.InvalidRequest,
  ErrorCode.MethodNotFound,
  ErrorCode.InvalidParams,
]);

/**
 * Maps whatever a probe threw to a category from the fixed set. The raw error stays
 * out of the result on purpose: it may hold hostnames, tokens or stack traces.
 *
 * | thrown                                                        | category              |
 * | ------------------------------------------------------------- | --------------------- |
 * | the probe deadline, JSON-RPC request timeout, socket timeouts | `timeout`             |
 * | HTTP 401/403, the SDK's `UnauthorizedError`                   | `authentication_failed` |
 * | HTTP 429 and 5xx                                              | `backend_unavailable` |
 * | other HTTP 4xx, wrong content type, unparsable or invalid JSON-RPC | `protocol_error` |
 * | an answer over 16 MiB, a tools/list that never ends               | `protocol_error` |
 * | refused, reset or closed connections, DNS failures            | `connection_failed`   |
 * | anything else (e.g. the backend answered `ping` with an error) | `health_check_failed` |
 */
export function classifyProbeError(err: unknown): ProbeErrorClass {
  const httpStatus = httpStatusOf(err);
  if (httpStatus !== undefined) {
    if (httpStatus === 401 || httpStatus === 403) {
      return { category: 'authentication_failed', authRequired: true, httpStatus };
    }
    if (httpStatus === 429 || httpStatus >= 500) {
      return { category: 'backend_unavailable', authRequired: false, httpStatus };
    }
    return { category: 'protocol_error', authRequired: false, httpStatus };
  }
  if (err instanceof UnauthorizedError) {
    return { category: 'authentication_failed', authRequired: true };
  }
  for (const cause of causeChain(err)) {
    if (cause instanceof ProbeTimeoutError) return plain('timeout');
    if (cause instanceof ResponseTooLargeError) return plain('protocol_error');
    if (cause instanceof Error && cause.name === 'TimeoutError') return plain('timeout');
    if (cause instanceof McpError) {
      if (cause.code === (ErrorCode.RequestTimeout as number)) return plain('timeout');
      if (cause.code === (ErrorCode.ConnectionClosed as number)) return plain('connection_failed');
      if (PROTOCOL_RPC_CODES.has(cause.code)) return plain('protocol_error');
      return plain('health_check_failed');
    }
    const code = codeOf(cause);
    if (code !== undefined && TIMEOUT_CODES.has(code)) return plain('timeout');
    if (code !== undefined && CONNECTION_CODES.has(code)) return plain('connection_failed');
    if (cause instanceof SyntaxError || isZodError(cause)) return plain('protocol_error');
    if (cause instanceof StreamableHTTPError || cause instanceof SseError) {
      // Code -1 (unexpected content type) or no code at all: not an MCP answer.
      return plain('protocol_error');
    }
  }
  // undici's `TypeError('fetch failed')` whose cause carried no known code.
  if (err instanceof TypeError && err.message === 'fetch failed') return plain('connection_failed');
  return plain('health_check_failed');
}

function plain(category: ErrorCategory): ProbeErrorClass {
  return { category, authRequired: false };
}

/** The HTTP status an SDK transport error carries, if it is a real one. */
function httpStatusOf(err: unknown): number | undefined {
  for (const cause of causeChain(err)) {
    if (cause instanceof StreamableHTTPError || cause instanceof SseError) {
      const code = cause.code;
      if (typeof code === 'number' && code >= 100 && code <= 599) return code;
    }
  }
  return undefined;
}

function isZodError(err: unknown): boolean {
  // zod/mini, which the SDK validates results with, names its errors `$ZodError`.
  return (
    err instanceof Error &&
    /^\$?ZodError$/.test(err.name) &&
    Array.isArray((err as Error & { issues?: unknown }).issues)
  );
}
