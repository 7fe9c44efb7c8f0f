import type { IncomingMessage } from 'node:http';
import { readJsonBody as readBounded } from '../server/read-json-body.js';

/** A request's body parsed as JSON (at most 64 MiB); `undefined` when empty or not JSON. */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const body = await readBounded(req, 64 * 1024 * 1024);
  return body.ok ? body.value : undefined;
}

/** The JSON-RPC method of a message (the first of a batch), if it has one. */
export function rpcMethodOf(body: unknown): string | undefined {
  const message = Array.isArray(body) ? (body[0] as unknown) : body;
  if (typeof message !== 'object' || message === null || !('method' in message)) return undefined;
  const { method } = message;
  return typeof method === 'string' ? method : undefined;
}
