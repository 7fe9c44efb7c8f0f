import type { Prompt, Resource, ResourceTemplate, Tool } from '@modelcontextprotocol/sdk/types.js';
import { UriTemplate } from '@modelcontextprotocol/sdk/shared/uriTemplate.js';
import type { ServedCatalogue } from '../reactive/derive-runtime-status.js';
import type { AggregationConfig } from '../config/aggregation-config.js';
import { resolvePrompts, type ServedPrompt } from './resolve-prompts.js';
import { resolveResourceTemplates, resolveResources, type Owned } from './resolve-resources.js';
import { resolveTools, type ServedTool, type ToolConflict } from './resolve-tools.js';

/** What one backend offers, as last listed. */
export interface BackendOffer {
  readonly tools: readonly Tool[];
  readonly resources: readonly Resource[];
  readonly resourceTemplates: readonly ResourceTemplate[];
  readonly prompts: readonly Prompt[];
}

/** The kinds of list a client can be told changed. */
export type ListKind = 'tools' | 'resources' | 'prompts';

/**
 * What the vMCP serves at one moment, and the routes back to the backends: built from
 * what each servable backend offers, never from a backend that is down. Immutable; a
 * change builds a new one.
 */
export class Catalogue {
  readonly tools: readonly ServedTool[];
  readonly toolConflicts: readonly ToolConflict[];
  readonly prompts: readonly ServedPrompt[];
  readonly resources: ReadonlyArray<Owned<Resource>>;
  readonly resourceTemplates: ReadonlyArray<Owned<ResourceTemplate>>;
  /** What the status counts: each configured backend's served tool names. */
  readonly served: ServedCatalogue;
  readonly #tools: ReadonlyMap<string, ServedTool>;
  readonly #prompts: ReadonlyMap<string, ServedPrompt>;
  readonly #resources: ReadonlyMap<string, string>;
  readonly #templates: ReadonlyArray<{ readonly template: UriTemplate; readonly backend: string }>;

  /**
   * @param offers what each backend offers (backends not listed yet are absent)
   * @param servable whether a backend's capabilities may be served now (its health)
   * @param backendNames every configured backend, for {@link served}
   */
  constructor(
    offers: ReadonlyMap<string, BackendOffer>,
    servable: (backend: string) => boolean,
    config: AggregationConfig,
    backendNames: readonly string[],
  ) {
    const live = new Map([...offers].filter(([backend]) => servable(backend)));
    const pick = <T>(select: (offer: BackendOffer) => readonly T[]) =>
      new Map([...live].map(([backend, offer]) => [backend, select(offer)]));
    const resolution = resolveTools(
      pick((o) => o.tools),
      config,
    );
    this.tools = resolution.tools;
    this.toolConflicts = resolution.conflicts;
    this.prompts = resolvePrompts(
      pick((o) => o.prompts),
      config,
    );
    this.resources = resolveResources(pick((o) => o.resources));
    this.resourceTemplates = resolveResourceTemplates(pick((o) => o.resourceTemplates));
    this.#tools = new Map(this.tools.map((t) => [t.name, t]));
    this.#prompts = new Map(this.prompts.map((p) => [p.name, p]));
    this.#resources = new Map(this.resources.map((r) => [r.item.uri, r.backend]));
    // Templates are matched in the order of their template strings, first match wins.
    this.#templates = this.resourceTemplates.map((t) => ({
      template: new UriTemplate(t.item.uriTemplate),
      backend: t.backend,
    }));
    this.served = new Map(
      backendNames.map((backend) => [
        backend,
        this.tools.filter((t) => t.backend === backend).map((t) => t.name),
      ]),
    );
  }

  /** The tool served under `name`. */
  tool(name: string): ServedTool | undefined {
    return this.#tools.get(name);
  }

  /** The prompt served under `name`. */
  prompt(name: string): ServedPrompt | undefined {
    return this.#prompts.get(name);
  }

  /** The backend a `resources/read` of `uri` goes to: the resource's, else a matching template's. */
  resourceOwner(uri: string): string | undefined {
    const exact = this.#resources.get(uri);
    if (exact !== undefined) return exact;
    if (uri.length > 2048) return undefined;
    return this.#templates.find(({ template }) => template.match(uri) !== null)?.backend;
  }

  /** The backend that owns a resource template, by its template string (for completion). */
  templateOwner(uriTemplate: string): string | undefined {
    return this.resourceTemplates.find((t) => t.item.uriTemplate === uriTemplate)?.backend;
  }

  /** Which lists a client would see differently in `next`. */
  changedLists(next: Catalogue): ListKind[] {
    const changed: ListKind[] = [];
    if (signature(this.tools.map((t) => t.tool)) !== signature(next.tools.map((t) => t.tool))) {
      changed.push('tools');
    }
    if (
      signature([this.resources.map((r) => r.item), this.resourceTemplates.map((t) => t.item)]) !==
      signature([next.resources.map((r) => r.item), next.resourceTemplates.map((t) => t.item)])
    ) {
      changed.push('resources');
    }
    if (
      signature(this.prompts.map((p) => p.prompt)) !== signature(next.prompts.map((p) => p.prompt))
    ) {
      changed.push('prompts');
    }
    return changed;
  }
}

function signature(value: unknown): string {
  return JSON.stringify(value);
}
