/**
 * `vmcp-status/mcp`: what speaks MCP through `@modelcontextprotocol/sdk`: the built-in
 * prober (a session of its own per backend), a prober through a session the vMCP
 * already holds, and the bridge from a failed SDK call to the health model.
 *
 * @module vmcp-status/mcp
 */
export { McpProber, PROBE_DEFAULTS, type ProbeOptions } from '../runtime/mcp-prober.js';
export { clientProber, type ClientProberOptions } from '../runtime/client-prober.js';
export { classifyCallError } from '../runtime/classify-call-error.js';
