import type { Logger } from '../logger.js';
import type { BackendConfig } from './backend-config.js';
import type { ProbeOptions } from './mcp-prober.js';
import type { ProbeResult, Prober } from './prober.js';

/**
 * An `McpProber` whose module (and the MCP SDK behind it) loads at its first probe,
 * so importing the monitor costs nothing for an embedder that brings its own prober.
 */
export class LazyMcpProber implements Prober {
  #prober: Promise<Prober> | undefined;

  constructor(
    private readonly backend: BackendConfig,
    private readonly options: ProbeOptions & { readonly logger?: Logger },
  ) {}

  async probe(signal: AbortSignal): Promise<ProbeResult> {
    this.#prober ??= import('./mcp-prober.js').then(
      ({ McpProber }) => new McpProber(this.backend, this.options),
    );
    const prober = await this.#prober;
    return prober.probe(signal) as Promise<ProbeResult>;
  }

  async close(): Promise<void> {
    const prober = this.#prober;
    this.#prober = undefined;
    await (await prober)?.close();
  }
}
