/**
 * Reading errors without importing their classes: the cause chain, Node's string
 * codes, and class names along the prototype chain. Free of the MCP SDK, so the
 * health model and the monitor can describe any prober's errors without loading it.
 */

/** A probe that ran out of time. The probe's own deadline rejects with it. */
export class ProbeTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`probe timed out after ${timeoutMs} ms`);
    this.name = 'ProbeTimeoutError';
  }
}

/** The error, its `cause`s and, for an `AggregateError`, its members; at most 10 deep. */
export function* causeChain(err: unknown): Generator {
  const queue: unknown[] = [err];
  for (let seen = 0; queue.length > 0 && seen < 10; seen++) {
    const current = queue.shift();
    yield current;
    if (current instanceof AggregateError) queue.push(...(current.errors as unknown[]));
    if (current instanceof Error && current.cause !== undefined) queue.push(current.cause);
  }
}

/** An error's string `code` (Node's `ECONNREFUSED`, undici's `UND_ERR_…`), if any. */
export function codeOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  const { code } = err;
  return typeof code === 'string' ? code : undefined;
}

/** Whether a class of this name is on the error's prototype chain (`McpError` and its subclasses). */
export function isInstanceNamed(err: unknown, className: string): boolean {
  for (let proto: unknown = err; typeof proto === 'object' && proto !== null;) {
    proto = Object.getPrototypeOf(proto);
    const ctor = (proto as { constructor?: { name?: unknown } } | null)?.constructor;
    if (ctor?.name === className) return true;
  }
  return false;
}
