/* eslint-disable @typescript-eslint/no-deprecated -- mcp-proxy's own example uses the low-level Server */
/**
 * The serving benchmark's npm proxy, in a process of its own: `mcp-proxy` (the most
 * downloaded npm MCP proxy) used as a library, HTTP to HTTP with no stdio hop: one
 * upstream client to BACKEND_URL shared by every downstream session, as the vMCP does.
 * Prints its URL.
 */
import { createServer } from 'node:net';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Server } from '@modelcontextprotocol/server';
import { proxyServer, startHTTPServer } from 'mcp-proxy';

const port = await new Promise<number>((resolve) => {
  const probe = createServer().listen(0, '127.0.0.1', () => {
    const address = probe.address();
    probe.close(() => {
      resolve(typeof address === 'object' && address !== null ? address.port : 0);
    });
  });
});
const upstream = new Client({ name: 'mcp-proxy', version: '1.0.0' }, { capabilities: {} });
await upstream.connect(new StreamableHTTPClientTransport(new URL(process.env.BACKEND_URL ?? '')));
const capabilities = upstream.getServerCapabilities() ?? {};
await startHTTPServer({
  host: '127.0.0.1',
  port,
  streamEndpoint: '/mcp',
  sseEndpoint: null,
  createServer: async () => {
    const server = new Server(upstream.getServerVersion() ?? { name: 'proxy', version: '1' }, {
      capabilities,
    });
    await proxyServer({ client: upstream, server, serverCapabilities: capabilities });
    return server;
  },
});
console.log(`http://127.0.0.1:${String(port)}/mcp`);
