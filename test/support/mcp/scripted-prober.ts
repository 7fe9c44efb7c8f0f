import { defer, type Observable } from 'rxjs';
import type { BackendConfig } from '../../../src/runtime/backend-config.js';
import type { Prober, ProbeResult } from '../../../src/runtime/prober.js';
import type { ErrorCategory } from '../../../src/types.js';

/** Probe results for scripted probers. */
export const results = {
  ok: (toolCount = 3): ProbeResult => ({ outcome: 'healthy', toolCount, latencyMs: 1 }),
  slow: (toolCount = 3): ProbeResult => ({ outcome: 'degraded', toolCount, latencyMs: 9_000 }),
  unauth: (): ProbeResult => ({ outcome: 'unauthenticated', latencyMs: 1 }),
  fail: (errorCategory: ErrorCategory = 'connection_failed'): ProbeResult => ({
    outcome: 'failed',
    errorCategory,
    errorDetail: 'raw detail',
    latencyMs: 1,
  }),
};

/**
 * A prober whose n-th probe is whatever `script(n)` returns: an observable, so a
 * `TestScheduler` drives its timing. Counts probes, cancellations and closes.
 */
export class ScriptedProber implements Prober {
  probes = 0;
  cancelled = 0;
  closed = 0;

  constructor(
    readonly backend: BackendConfig,
    private readonly script: (n: number) => Observable<ProbeResult>,
  ) {}

  probe(signal: AbortSignal): Observable<ProbeResult> {
    const n = this.probes++;
    signal.addEventListener('abort', () => this.cancelled++, { once: true });
    return defer(() => this.script(n));
  }

  close(): Promise<void> {
    this.closed++;
    return Promise.resolve();
  }
}

/** Creates scripted probers per backend name and remembers them all, in creation order. */
export class ScriptedProbers {
  readonly created: ScriptedProber[] = [];

  constructor(private readonly script: (backend: string, n: number) => Observable<ProbeResult>) {}

  readonly create = (backend: BackendConfig): ScriptedProber => {
    const prober = new ScriptedProber(backend, (n) => this.script(backend.name, n));
    this.created.push(prober);
    return prober;
  };

  /** The probers created for one backend (several when it was re-added or changed). */
  of(name: string): ScriptedProber[] {
    return this.created.filter((p) => p.backend.name === name);
  }
}
