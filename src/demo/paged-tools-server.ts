/* eslint-disable @typescript-eslint/no-deprecated --
 * The low-level `Server` answers `tools/list` page by page; McpServer does not paginate. */
import { Server as McpServer } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';

/** What {@link pagedToolsServer} offers. */
export interface PagedTools {
  /** The server's name in `initialize`. */
  readonly name: string;
  /** How many tools it offers, read on every `tools/list` (the count may change). */
  readonly toolCount: () => number;
  /** Tools per `tools/list` page; `undefined` puts all of them on one page. */
  readonly pageSize?: number | undefined;
}

/**
 * One MCP session's server (`@modelcontextprotocol/sdk`): `tool-1` … `tool-N`, listed
 * page by page with a cursor, each answering `tools/call` with a line of text, and
 * able to announce `notifications/tools/list_changed`.
 */
export function pagedToolsServer(tools: PagedTools): McpServer {
  const server = new McpServer(
    { name: tools.name, version: '1.0.0' },
    { capabilities: { tools: { listChanged: true } } },
  );
  server.setRequestHandler(ListToolsRequestSchema, (request) => {
    const total = tools.toolCount();
    const pageSize = tools.pageSize ?? Math.max(total, 1);
    const start = Number(request.params?.cursor ?? 0);
    const end = Math.min(start + pageSize, total);
    const page = [];
    for (let i = start; i < end; i++) {
      page.push({
        name: `tool-${i + 1}`,
        description: `test tool ${i + 1}`,
        inputSchema: { type: 'object' as const },
      });
    }
    return end < total ? { tools: page, nextCursor: String(end) } : { tools: page };
  });
  server.setRequestHandler(CallToolRequestSchema, (request) => ({
    content: [{ type: 'text', text: `called ${request.params.name}` }],
  }));
  return server;
}
