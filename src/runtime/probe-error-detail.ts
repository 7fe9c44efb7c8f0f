import { redactUrlsIn } from '../redact-url.js';
import { ProbeTimeoutError, causeChain, codeOf, isInstanceNamed } from './error-chain.js';

/** The longest detail {@link probeErrorDetail} returns. */
export const MAX_ERROR_DETAIL = 200;

/**
 * A bounded, scrubbed account of a probe failure for debug logs: the error's class,
 * code, HTTP status or JSON-RPC code along its cause chain, e.g.
 * `TypeError < Error ECONNREFUSED` or `StreamableHTTPError HTTP 401`. Never the
 * message text: fetch and undici embed the URL (credentials included) and the SDK
 * embeds the backend's own response body, neither of which may reach a log.
 */
export function probeErrorDetail(err: unknown): string {
  const parts: string[] = [];
  for (const cause of causeChain(err)) parts.push(describe(cause));
  const text = parts.filter((p) => p !== '').join(' < ');
  return text.length > MAX_ERROR_DETAIL ? `${text.slice(0, MAX_ERROR_DETAIL - 1)}…` : text;
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return typeof err;
  // The class says more than `name`, which the SDK's errors leave at `Error`.
  const words = [safeWord(err.constructor.name === 'Error' ? err.name : err.constructor.name)];
  if (err instanceof ProbeTimeoutError) words.push(`after ${String(err.timeoutMs)} ms`);
  const code = codeOf(err);
  if (code !== undefined) words.push(safeWord(code));
  // The SDK's errors, known by class name: this module must not load the SDK.
  const numeric = (err as { code?: unknown }).code;
  if (isInstanceNamed(err, 'StreamableHTTPError') || isInstanceNamed(err, 'SseError')) {
    const status = numeric;
    if (typeof status === 'number' && status >= 100 && status <= 599) {
      words.push(`HTTP ${String(status)}`);
    }
  }
  if (isInstanceNamed(err, 'McpError') && typeof numeric === 'number') {
    words.push(`JSON-RPC ${String(numeric)}`);
  }
  return words.filter((w) => w !== '').join(' ');
}

/** Identifier characters only, at most 40: a name or code, never a sentence. */
function safeWord(text: string): string {
  return text.replace(/[^A-Za-z0-9_.-]/g, '').slice(0, 40);
}

/**
 * Detail text from elsewhere (a custom `Prober`'s `errorDetail`) made fit for a
 * debug log: URL credentials redacted, control characters dropped, bounded.
 */
export function scrubErrorDetail(text: string): string {
  // eslint-disable-next-line no-control-regex -- dropping them is the point
  const clean = redactUrlsIn(text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' '));
  return clean.length > MAX_ERROR_DETAIL ? `${clean.slice(0, MAX_ERROR_DETAIL - 1)}…` : clean;
}
