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
    const response = await base(url, init);
    if ((init?.method ?? 'GET').toUpperCase() !== 'POST' || response.body === null) return response;
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
          if (seen > maxBytes) controller.error(new ResponseTooLargeError(maxBytes));
          else controller.enqueue(chunk);
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
