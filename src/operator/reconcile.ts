/**
 * The reconcile contract, after controller-runtime's `pkg/reconcile`: a request names
 * one object, a result says whether to come back, and a {@link TerminalError} says
 * retrying cannot help.
 */

/** The object to reconcile: its namespace and name (never the object itself: read it fresh). */
export interface Request {
  readonly namespace: string;
  readonly name: string;
}

/** What the controller does after a reconcile that did not throw. */
export interface Result {
  /** Reconcile this key again after this many milliseconds (the rate limiter is reset). */
  readonly requeueAfterMs?: number;
}

/** Brings the world in line with one object's spec. Must be idempotent. */
export interface Reconciler {
  /**
   * Throwing requeues the key with exponential backoff, unless the error is a
   * {@link TerminalError}: then it is logged once and not retried until the object changes.
   */
  reconcile(request: Request, signal: AbortSignal): Promise<Result>;
}

/** A reconcile error that retrying cannot fix (a bad spec, a refused permission). */
export class TerminalError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TerminalError';
  }
}

/** `namespace/name`: the work-queue key of a request. */
export function requestKey(request: Request): string {
  return `${request.namespace}/${request.name}`;
}

/** The request of a `namespace/name` key. */
export function requestOf(key: string): Request {
  const slash = key.indexOf('/');
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}
