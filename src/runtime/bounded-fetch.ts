import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';

/** The largest answer to one MCP request a probe reads: 16 MiB. */
export const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/** A backend answered one request with more than the probe reads. */
export class ResponseTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`the backend's answer is larger than ${String(limitBytes)} bytes`);
    this.name = 'ResponseTooLargeError';
  }
}

/**
 * `fetch` for MCP transports that stops reading the answer to a POST (one JSON-RPC
 * request: JSON, or an event stream that ends with the answer) after `maxBytes`, so
 * a backend listing tools with megabytes of names cannot take the runtime's memory.
 * GET streams (server-sent notifications, the old SSE transport) are long-lived and
 * pass unchanged.
 */
export function boundedFetch(
  maxBytes: number = MAX_RESPONSE_BYTES,
  base: FetchLike = fetch,
): FetchLike {
  return async (url, init) => {
    // The SDK gives every request of a session the same long-lived signal; undici adds a
    // listener to it per request that goes only when collected, and adding to a signal
    // with thousands of listeners is slow. Each request gets a signal of its own, tied to
    // the session's by one listener removed when the request ends.
    const shared = init?.signal ?? undefined;
    const own = shared === undefined ? undefined : new AbortController();
    const forward = () => {
      own?.abort(shared?.reason);
    };
    if (shared?.aborted === true) forward();
    else shared?.addEventListener('abort', forward, { once: true });
    const release = () => {
      shared?.removeEventListener('abort', forward);
    };
    let response: Response;
    try {
      response = await base(url, own === undefined ? init : { ...init, signal: own.signal });
    } catch (err) {
      release();
      throw err;
    }
    if ((init?.method ?? 'GET').toUpperCase() !== 'POST' || response.body === null) {
      // A GET stream lives as long as the session: it keeps the tie.
      if ((init?.method ?? 'GET').toUpperCase() !== 'GET') release();
      return response;
    }
    const declared = Number(response.headers.get('content-length') ?? Number.NaN);
    if (declared > maxBytes) {
      await response.body.cancel().catch(() => undefined);
      throw new ResponseTooLargeError(maxBytes);
    }
    let seen = 0;
    const body = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          seen += chunk.byteLength;
          if (seen > maxBytes) {
            release();
            controller.error(new ResponseTooLargeError(maxBytes));
          } else controller.enqueue(chunk);
        },
        flush() {
          release();
        },
        cancel() {
          release();
        },
      }),
    );
    return new Response(body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}
