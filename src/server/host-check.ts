/** Options of {@link hostCheckProblem}: who may reach the endpoint from a browser. */
export interface HostCheckOptions {
  /**
   * Host names (no port) the `Host` header may name; `undefined`: any. Defaults, for an
   * endpoint bound to loopback, to `localhost`, `127.0.0.1` and `[::1]`: a page on
   * another site that rebinds its name to 127.0.0.1 sends its own name as Host.
   */
  readonly allowedHosts?: readonly string[] | undefined;
  /**
   * Origins (`scheme://host[:port]`) a browser may send requests from. Defaults to
   * none besides the allowed hosts: a request with any other `Origin` is refused.
   */
  readonly allowedOrigins?: readonly string[] | undefined;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** The allowed hosts for an endpoint bound to `host`: the loopback names, or any for others. */
export function defaultAllowedHosts(host: string): readonly string[] | undefined {
  return LOOPBACK.has(host) ? ['localhost', '127.0.0.1', '[::1]'] : undefined;
}

/**
 * DNS-rebinding protection: why a request's `Host` or `Origin` is refused, or
 * `undefined` when it may go on. A request without `Origin` (no browser) passes the
 * Origin check; the Host check compares the host name only (`new URL` normalises it).
 */
export function hostCheckProblem(
  headers: { readonly host?: string | undefined; readonly origin?: string | undefined },
  options: HostCheckOptions,
): string | undefined {
  const { allowedHosts, allowedOrigins = [] } = options;
  if (allowedHosts !== undefined) {
    const host = hostnameOf(`http://${headers.host ?? ''}`);
    if (host === undefined || !allowedHosts.includes(host)) {
      return `Host ${JSON.stringify(headers.host ?? '')} is not allowed`;
    }
  }
  if (headers.origin !== undefined && headers.origin !== '') {
    const origin = headers.origin.replace(/\/$/, '');
    const host = hostnameOf(origin);
    const allowed =
      allowedOrigins.includes(origin) ||
      (host !== undefined && allowedHosts !== undefined && allowedHosts.includes(host));
    if (!allowed) return `Origin ${JSON.stringify(headers.origin)} is not allowed`;
  }
  return undefined;
}

function hostnameOf(url: string): string | undefined {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}
