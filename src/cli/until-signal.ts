/** A process that runs until one of `signals` arrives. */
export interface UntilSignal {
  /** Resolves with the first signal received. */
  readonly signalled: Promise<NodeJS.Signals>;
  /** Removes the handlers and lets the event loop end. */
  readonly release: () => void;
}

/**
 * Listens for `signals` and keeps the process alive until one arrives, even when
 * nothing else holds the event loop (no backends to probe yet, informers waiting to
 * retry a first list). Call `release()` once done.
 */
export function untilSignal(signals: readonly NodeJS.Signals[]): UntilSignal {
  let onSignal: ((signal: NodeJS.Signals) => void) | undefined;
  const signalled = new Promise<NodeJS.Signals>((resolve) => {
    onSignal = resolve;
    for (const signal of signals) process.on(signal, resolve);
  });
  const keepAlive = setInterval(() => undefined, 3_600_000);
  return {
    signalled,
    release: () => {
      clearInterval(keepAlive);
      for (const signal of signals) if (onSignal) process.off(signal, onSignal);
    },
  };
}
