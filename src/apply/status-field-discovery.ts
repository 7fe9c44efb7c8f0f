import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../logger.js';
import type { RuntimeStatus } from '../types.js';
import { readStatusSchema, type SchemaReading } from './openapi-schema.js';
import { layoutStatusBody } from './runtime-snapshot.js';
import {
  resolveStatusLayout,
  type LayoutDecision,
  type ResolvedStatusLayout,
  type StatusLayout,
} from './status-layout.js';
import { statusApplyPatch } from './status-patch.js';
import { fieldsNotInSchema, schemaHasRuntime, type SchemaNode } from './status-schema.js';
import { VMCP_KIND } from './vmcp-resource.js';

/** Options of {@link StatusFieldDiscovery}. */
export interface StatusFieldDiscoveryOptions {
  readonly kubeConfig: KubeConfig;
  readonly group: string;
  readonly version: string;
  /** Defaults to `auto`: decided by the schema. */
  readonly layout?: StatusLayout;
  readonly logger: Logger;
  /** Reads the published schema. Defaults to {@link readStatusSchema}. */
  readonly readSchema?: typeof readStatusSchema;
}

const moment = new Date('2026-01-01T00:00:00Z');

/**
 * A status with every optional field set, so its patch holds every field the runtime
 * can ever write: what is checked against the schema before the first apply.
 */
const EVERY_FIELD: RuntimeStatus = {
  phase: 'Degraded',
  message: 'x',
  backends: [
    {
      name: 'x',
      url: 'http://x',
      status: 'degraded',
      toolCount: 1,
      consecutiveFailures: 1,
      errorCategory: 'timeout',
      circuitBreakerState: 'half-open',
      circuitLastChanged: moment,
      lastHealthCheck: moment,
    },
  ],
  totalToolCount: 1,
  healthyBackends: 1,
  unhealthyBackends: 1,
  backendCount: 1,
  lastDiscoveryTime: moment,
  conditions: ['Ready', 'Degraded', 'BackendsDiscovered'].map((type) => ({
    type,
    status: 'True',
    reason: 'X',
    message: 'x',
    lastTransitionTime: moment,
    observedGeneration: 1,
  })),
};

/** Every field path the runtime can write in `layout`, as {@link fieldsNotInSchema} names them. */
export function everyStatusFieldBody(layout: ResolvedStatusLayout): Record<string, unknown> {
  return layoutStatusBody(
    layout,
    statusApplyPatch({ name: 'x', namespace: 'x' }, EVERY_FIELD).status,
  );
}

/**
 * Knows, before the first apply, which status fields the installed CRD has and so
 * where the runtime's status goes and what it must leave out:
 *
 * - reads the CRD's published schema (OpenAPI v3) and picks the layout from it
 *   (unless forced), then leaves out every field the schema lacks, with one warning
 *   naming them all;
 * - without a schema (OpenAPI v3 not served, not readable) it learns from rejected
 *   applies instead (the apiserver names the unknown fields);
 * - when a write is still rejected for an unknown field (the CRD changed underneath)
 *   it reads the schema again.
 */
export class StatusFieldDiscovery {
  readonly #choice: StatusLayout;
  readonly #readSchema: typeof readStatusSchema;
  readonly #dropped = new Set<string>();
  #reading: SchemaReading | undefined;
  #decision: LayoutDecision;
  #objectStatus: Readonly<Record<string, unknown>> | undefined;
  #inflight: Promise<void> | undefined;
  #warned = '';
  #logged = '';

  constructor(private readonly options: StatusFieldDiscoveryOptions) {
    this.#choice = options.layout ?? 'auto';
    this.#readSchema = options.readSchema ?? readStatusSchema;
    this.#decision = resolveStatusLayout(this.#choice);
  }

  /** The layout in use. */
  get layout(): ResolvedStatusLayout {
    return this.#decision.layout;
  }

  /** The layout in use and why. */
  get decision(): LayoutDecision {
    return this.#decision;
  }

  /** Status field paths left out (`totalToolCount`, `runtime.discoveredBackends[].toolCount`). */
  get dropped(): ReadonlySet<string> {
    return this.#dropped;
  }

  /** Whether the schema was read and the kind found in it. */
  get schemaKnown(): boolean {
    return this.#reading?.kind === 'found';
  }

  /**
   * Reads the schema (again, when `force` or when the last read got no answer),
   * decides the layout and works out what to leave out. `objectStatus` (the object as
   * read at start) decides the layout when there is no schema. Never throws.
   */
  async discover(objectStatus?: Readonly<Record<string, unknown>>, force = false): Promise<void> {
    if (objectStatus !== undefined) this.#objectStatus = objectStatus;
    // Concurrent callers (start and a first write) share one read.
    this.#inflight ??= this.#discover(force).finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  async #discover(force: boolean): Promise<void> {
    if (force || this.#reading === undefined || this.#reading.kind === 'failed') {
      this.#reading = await this.#readSchema(this.options.kubeConfig, {
        group: this.options.group,
        version: this.options.version,
        kind: VMCP_KIND,
      });
      if (this.#reading.kind !== 'found') {
        this.options.logger.debug(
          { reason: this.#reading.reason },
          'no published status schema: unknown fields are learnt from rejected applies',
        );
      }
    }
    const schema: SchemaNode | undefined =
      this.#reading.kind === 'found' ? this.#reading.status : undefined;
    const previous = this.#decision.layout;
    this.#decision = resolveStatusLayout(this.#choice, {
      schemaHasRuntime: schema === undefined ? undefined : schemaHasRuntime(schema),
      objectStatus: this.#objectStatus,
    });
    this.#logDecision();
    if (schema !== undefined) {
      // The schema says it all: a field the CRD gained is reported again.
      this.#dropped.clear();
      for (const field of fieldsNotInSchema(everyStatusFieldBody(this.layout), schema))
        this.#dropped.add(field);
      this.#warn('schema');
    } else if (previous !== this.layout) {
      this.#dropped.clear();
    }
  }

  /**
   * The apiserver rejected a write naming `fields` as unknown: re-reads the schema
   * (the CRD may have been upgraded underneath, or published since) and leaves them
   * out. Resolves true when what is left out changed, so that a retry can help.
   */
  async rejected(fields: readonly string[]): Promise<boolean> {
    const before = `${this.layout}:${[...this.#dropped].sort().join(',')}`;
    const layout = this.layout;
    await this.discover(undefined, true);
    // Fields named for the other layout say nothing about this one.
    if (this.layout === layout) for (const field of fields) this.#dropped.add(field);
    this.#warn('rejected apply');
    return `${this.layout}:${[...this.#dropped].sort().join(',')}` !== before;
  }

  #warn(source: 'schema' | 'rejected apply'): void {
    const list = [...this.#dropped].sort();
    const key = list.join(',');
    if (key === this.#warned) return;
    this.#warned = key;
    if (list.length === 0) return;
    const whole = this.layout === 'runtime' && this.#dropped.has('runtime');
    this.options.logger[whole ? 'error' : 'warn'](
      { droppedFields: list, layout: this.layout, source },
      whole
        ? 'status layout runtime, but the installed VirtualMCPServer CRD has no status.runtime: nothing can be reported'
        : 'the installed VirtualMCPServer CRD does not know these status fields: reporting all the others without them',
    );
  }

  #logDecision(): void {
    const key = `${this.#decision.layout}/${this.#decision.source}`;
    if (key === this.#logged) return;
    this.#logged = key;
    this.options.logger.info(
      { layout: this.#decision.layout, layoutSource: this.#decision.source },
      this.#decision.layout === 'runtime'
        ? 'status layout runtime: reporting in status.runtime only (ToolHive’s operator projects it)'
        : 'status layout top-level: reporting the runtime’s fields at the top of status',
    );
  }
}
