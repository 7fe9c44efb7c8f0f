import { expect } from 'chai';
import fc from 'fast-check';
import {
  laidOutPatch,
  layoutStatusBody,
  runtimeSnapshot,
  toolhiveBackendMessage,
} from '../../../src/apply/runtime-snapshot.js';
import { everyStatusFieldBody } from '../../../src/apply/status-field-discovery.js';
import { statusApplyPatch, type DiscoveredBackendJson } from '../../../src/apply/status-patch.js';
import { deriveRuntimeStatus } from '../../../src/reactive/derive-runtime-status.js';
import { check, statesOf } from '../../../tools/cluster/health-checks.js';
import { backendsArbitrary } from '../../support/arbitraries.js';

const at = new Date('2026-11-29T10:00:00Z');
const ref = { name: 'x', namespace: 'y' };
const statusOf = (checks: ReturnType<typeof check>[]) =>
  deriveRuntimeStatus(
    statesOf(checks, at),
    checks.map((c) => c.name),
    at,
  );
const entry = (over: Partial<DiscoveredBackendJson>): DiscoveredBackendJson => ({
  name: 'a',
  status: 'ready',
  ...over,
});

/** Every path in a JSON value, list entries as `name[]`. */
function paths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v) => paths(v, `${prefix}[]`));
  if (typeof value !== 'object' || value === null) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => [
    prefix === '' ? k : `${prefix}.${k}`,
    ...paths(v, prefix === '' ? k : `${prefix}.${k}`),
  ]);
}

describe("the runtime layout: ToolHive's status.runtime snapshot", () => {
  it("words backend messages as ToolHive's runtime does, never the raw error", () => {
    expect(toolhiveBackendMessage(entry({}))).to.equal('Healthy');
    expect(toolhiveBackendMessage(entry({ status: 'unavailable', message: 'timeout' }))).to.equal(
      'Health check timed out',
    );
    expect(
      toolhiveBackendMessage(entry({ status: 'unavailable', message: 'connection_failed' })),
    ).to.equal('Connection failed');
    expect(toolhiveBackendMessage(entry({ status: 'degraded', consecutiveFailures: 2 }))).to.equal(
      'Recovering from 2 failures',
    );
    expect(toolhiveBackendMessage(entry({ status: 'degraded' }))).to.equal('Degraded performance');
    expect(toolhiveBackendMessage(entry({ status: 'unauthenticated' }))).to.match(
      /^Authentication misconfigured/,
    );
    expect(
      toolhiveBackendMessage(
        entry({ status: 'unavailable', message: 'timeout', circuitBreakerState: 'open' }),
      ),
    ).to.equal('Circuit breaker OPEN - Health check timed out');
    expect(
      toolhiveBackendMessage(entry({ status: 'unknown', circuitBreakerState: 'half-open' })),
    ).to.equal('Circuit breaker testing recovery - Unknown');
  });

  it('puts the runtime status under status.runtime and nothing at the top', () => {
    const json = statusApplyPatch(ref, statusOf([check('a', 'healthy')])).status;
    const body = layoutStatusBody('runtime', json);
    expect(Object.keys(body)).to.deep.equal(['runtime']);
    const runtime = body.runtime as Record<string, unknown>;
    expect(runtime.phase).to.equal('Ready');
    expect(runtime.backendCount).to.equal(1);
    expect((runtime.conditions as Array<{ type: string }>).map((c) => c.type)).to.include('Ready');
    expect(layoutStatusBody('top-level', json)).to.deep.equal(json);
  });

  it("leaves out empty values as Go's omitempty does, so ToolHive's round trip changes nothing", () => {
    const json = statusApplyPatch(
      ref,
      statusOf([check('a', 'unhealthy', { toolCount: 0 })]),
    ).status;
    expect(json.backendCount).to.equal(0);
    const snapshot = runtimeSnapshot(json);
    expect(snapshot).to.not.have.property('backendCount');
    expect(snapshot).to.not.have.property('totalToolCount');
    const backend = snapshot.discoveredBackends?.[0];
    expect(backend).to.not.have.property('toolCount');
    expect(backend?.consecutiveFailures).to.equal(3);
    expect(backend?.status).to.equal('unavailable');
    const none = runtimeSnapshot(statusApplyPatch(ref, statusOf([])).status);
    expect(none).to.not.have.property('discoveredBackends');
  });

  it('laidOutPatch drops the fields the CRD lacks, under status.runtime too', () => {
    const status = statusOf([check('a', 'healthy')]);
    const patch = laidOutPatch(
      ref,
      status,
      'runtime',
      undefined,
      new Set(['runtime.totalToolCount', 'runtime.discoveredBackends[].toolCount']),
    );
    const runtime = patch.status.runtime as Record<string, unknown>;
    expect(runtime).to.not.have.property('totalToolCount');
    expect((runtime.discoveredBackends as object[])[0]).to.not.have.property('toolCount');
    expect(patch.metadata).to.deep.equal({ name: 'x', namespace: 'y' });
  });

  it('property: every field a patch can hold is one the schema check looks at', () => {
    const circuit = fc.option(fc.constantFrom('closed', 'open', 'half-open' as const), {
      nil: undefined,
    });
    fc.assert(
      fc.property(backendsArbitrary, fc.array(circuit), ({ checks, configured }, circuits) => {
        const withCircuits = checks.map((c, i) =>
          circuits[i] === undefined
            ? c
            : { ...c, circuitBreakerState: circuits[i], circuitLastChanged: at },
        );
        const status = deriveRuntimeStatus(statesOf(withCircuits, at), configured, at);
        for (const layout of ['top-level', 'runtime'] as const) {
          const known = new Set(paths(everyStatusFieldBody(layout)));
          const body = laidOutPatch(ref, status, layout, undefined, new Set()).status;
          for (const path of paths(body))
            expect(known.has(path), `${layout}: ${path}`).to.equal(true);
        }
      }),
    );
  });
});
