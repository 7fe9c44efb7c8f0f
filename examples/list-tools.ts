// An MCP client of a vMCP: lists what it serves and calls one tool.
//   npx tsx examples/list-tools.ts [http://127.0.0.1:4483/mcp]
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const url = new URL(process.argv[2] ?? 'http://127.0.0.1:4483/mcp');
const client = new Client({ name: 'list-tools', version: '1.0.0' });
await client.connect(new StreamableHTTPClientTransport(url));
const { tools } = await client.listTools();
console.log(`${String(tools.length)} tools at ${url.href}:`);
for (const tool of tools) console.log(`  ${tool.name}  ${tool.description ?? ''}`);
const [first] = tools;
if (first !== undefined) {
  const result = await client.callTool({ name: first.name, arguments: {} });
  console.log(`${first.name} → ${JSON.stringify(result.content)}`);
}
await client.close();
