import {
  Observable,
  type ConfigurationOptions,
  type ObservableMiddleware,
  type RequestContext,
  type ResponseContext,
} from '@kubernetes/client-node';

/**
 * client-node per-request options (`options`, if given, plus a deadline) that abandon
 * the request when no answer came within `timeoutMs`: it rejects with a `TimeoutError`.
 * client-node sets no deadline of its own and undici waits 300 s for response headers,
 * so without one a partitioned apiserver (connection open, nothing answered) holds a
 * request for five minutes.
 */
export function withDeadline(
  timeoutMs: number,
  options?: ConfigurationOptions,
): ConfigurationOptions {
  const deadline: ObservableMiddleware = {
    pre: (context: RequestContext) => {
      context.setSignal(AbortSignal.timeout(timeoutMs));
      return new Observable(Promise.resolve(context));
    },
    post: (response: ResponseContext) => new Observable(Promise.resolve(response)),
  };
  return {
    ...options,
    middleware: [...(options?.middleware ?? []), deadline],
    // After whatever middleware the client itself was made with, not instead of it.
    middlewareMergeStrategy: 'append',
  };
}
