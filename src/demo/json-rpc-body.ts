import type { IncomingMessage } from 'node:http';

/** A request's body parsed as JSON; `undefined` when empty or not JSON. */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return text === '' ? undefined : (JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
}

/** The JSON-RPC method of a message (the first of a batch), if it has one. */
export function rpcMethodOf(body: unknown): string | undefined {
  const message = Array.isArray(body) ? (body[0] as unknown) : body;
  if (typeof message !== 'object' || message === null || !('method' in message)) return undefined;
  const { method } = message;
  return typeof method === 'string' ? method : undefined;
}
