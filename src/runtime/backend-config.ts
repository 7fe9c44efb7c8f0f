/** How to reach an MCP backend. */
export type BackendTransport = 'auto' | 'streamable-http' | 'sse';

/** Every backend transport. */
export const BACKEND_TRANSPORTS: readonly BackendTransport[] = ['auto', 'streamable-http', 'sse'];

/** One MCP backend the runtime monitors. */
export interface BackendConfig {
  /** Unique among the backends; the key of `discoveredBackends[]` in the status. */
  readonly name: string;
  /** The MCP endpoint, e.g. `http://127.0.0.1:8080/mcp` (or an SSE endpoint). */
  readonly url: string;
  /**
   * `streamable-http`, `sse` (the older HTTP+SSE transport), or `auto`: Streamable HTTP,
   * falling back to SSE when the endpoint answers 400, 404 or 405. Defaults to `auto`.
   */
  readonly transport?: BackendTransport | undefined;
  /** HTTP headers sent with every request, e.g. `Authorization`. Never logged. */
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

/** Header names that carry credentials. */
const CREDENTIAL_HEADER = /^(authorization|proxy-authorization|cookie)$|token|api-?key/i;

/**
 * Whether credentials are configured for a backend: an `Authorization`,
 * `Proxy-Authorization` or `Cookie` header, or one whose name contains `token` or
 * `api-key`. A backend answering 401/403 without them is `unauthenticated` (clients
 * bring their own); with them, its credentials were rejected (`authentication_failed`).
 */
export function hasCredentials(backend: BackendConfig): boolean {
  return Object.keys(backend.headers ?? {}).some((name) => CREDENTIAL_HEADER.test(name));
}

/** Whether two configs of one backend differ in a way that needs a new session. */
export function backendConfigChanged(a: BackendConfig, b: BackendConfig): boolean {
  return (
    a.url !== b.url ||
    (a.transport ?? 'auto') !== (b.transport ?? 'auto') ||
    JSON.stringify(sortedEntries(a.headers)) !== JSON.stringify(sortedEntries(b.headers))
  );
}

function sortedEntries(headers: Readonly<Record<string, string>> | undefined): [string, string][] {
  return Object.entries(headers ?? {}).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
}

/** What a backend URL must be, for config errors: `undefined` when it is fine. */
export function backendUrlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'an http:// or https:// URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'an http:// or https:// URL';
  if (url.username !== '' || url.password !== '') {
    // Userinfo would be shown wherever the URL is (status, Events, logs): refuse it.
    return 'a URL without credentials (user:password@ is not allowed): send them as headers instead, e.g. Authorization';
  }
  return undefined;
}
