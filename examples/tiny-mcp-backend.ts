// A tiny MCP backend for the examples: Streamable HTTP on 127.0.0.1, `tools` tools
// named tool-0, tool-1, ... Stateless (a server per request), as the MCP SDK shows it.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';

export interface TinyBackend {
  readonly url: string;
  close(): Promise<void>;
}

export async function startTinyBackend(
  name: string,
  tools: readonly string[],
): Promise<TinyBackend> {
  const http = createServer((req, res) => {
    const server = new McpServer({ name, version: '1.0.0' });
    for (const tool of tools) {
      server.registerTool(tool, { description: `${tool} of ${name}` }, () => ({
        content: [{ type: 'text', text: `${name} ran ${tool}` }],
      }));
    }
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => void server.close());
    void server.connect(transport).then(() => transport.handleRequest(req, res));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${String(port)}/mcp`,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => {
          resolve();
        });
      }),
  };
}
