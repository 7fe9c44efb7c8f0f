/**
 * The serving benchmark's backend, in a process of its own: an MCP server with one
 * tool, `echo`, on 127.0.0.1 (Streamable HTTP, a session per client, as a real backend
 * has). Prints its URL on stdout.
 */
/* eslint-disable @typescript-eslint/no-deprecated -- the SDK's low-level Server: the least work per call */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';

const sessions = new Map<string, StreamableHTTPServerTransport>();
const http = createServer((req, res) => {
  const id = req.headers['mcp-session-id'];
  const known = typeof id === 'string' ? sessions.get(id) : undefined;
  if (known !== undefined) {
    void known.handleRequest(req, res);
    return;
  }
  const server = new Server({ name: 'echo', version: '1.0.0' }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: [{ name: 'echo', description: 'echoes its text', inputSchema: { type: 'object' } }],
  }));
  server.setRequestHandler(CallToolRequestSchema, (request) => ({
    content: [{ type: 'text', text: JSON.stringify(request.params.arguments ?? {}) }],
  }));
  const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
    sessionIdGenerator: () => randomUUID(),
    onsessioninitialized: (sessionId) => {
      sessions.set(sessionId, transport);
    },
  });
  void server.connect(transport).then(() => transport.handleRequest(req, res));
});
http.listen(0, '127.0.0.1', () => {
  console.log(`http://127.0.0.1:${String((http.address() as AddressInfo).port)}/mcp`);
});
