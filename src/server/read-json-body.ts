import type { IncomingMessage } from 'node:http';

/** What {@link readJsonBody} read: the parsed body, or why there is none. */
export type JsonBody =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly status: 400 | 413; readonly message: string };

/**
 * Reads a request's body as JSON, at most `maxBytes` (a declared `Content-Length` over
 * it is refused before reading; a body that grows over it stops being read). Node's
 * own streams: cheaper than a web `Request` for every call the vMCP serves.
 */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<JsonBody> {
  const tooLarge = {
    ok: false,
    status: 413,
    message: `Payload Too Large: Request body must not exceed ${String(maxBytes)} bytes`,
  } as const;
  if (Number(req.headers['content-length'] ?? 0) > maxBytes) return tooLarge;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).byteLength;
    if (size > maxBytes) {
      req.destroy();
      return tooLarge;
    }
    chunks.push(chunk as Buffer);
  }
  try {
    return { ok: true, value: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown };
  } catch {
    return { ok: false, status: 400, message: 'Parse error: Invalid JSON' };
  }
}
