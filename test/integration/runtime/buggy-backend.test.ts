import { expect } from 'chai';
import { MAX_RESPONSE_BYTES } from '../../../src/runtime/bounded-fetch.js';
import { MAX_TOOL_PAGES, MAX_TOOLS } from '../../../src/runtime/count-tools.js';
import { McpProber } from '../../../src/runtime/mcp-prober.js';
import { memoryLogger } from '../../support/memory-log.js';
import {
  rawResult,
  startRawMcpServer,
  type RawMcpServer,
  type RawResponder,
} from '../../support/mcp/raw-mcp-server.js';

const tool = (name: string, description = 'a tool') => ({
  name,
  description,
  inputSchema: { type: 'object' },
});

/**
 * Backends that answer MCP wrongly, served by hand over Streamable HTTP: the probe
 * never rejects, never crashes, and says `protocol_error` where the answer cannot be
 * used; tool names and descriptions never reach a log.
 */
describe('McpProber against buggy backends', function () {
  const servers: RawMcpServer[] = [];
  const probers: McpProber[] = [];

  afterEach(async function () {
    await Promise.all(probers.splice(0).map((p) => p.close()));
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  async function probe(respond: RawResponder, timeoutMs = 60_000) {
    const server = await startRawMcpServer(respond);
    servers.push(server);
    const log = memoryLogger('trace');
    const prober = new McpProber(
      { name: 'buggy', url: server.url },
      { probeTimeoutMs: timeoutMs, logger: log.logger },
    );
    probers.push(prober);
    const result = await prober.probe();
    return { result, server, log };
  }

  it('counts tools with megabyte names and descriptions, and logs none of them', async function () {
    this.timeout(60_000);
    const huge = 'N'.repeat(1024 * 1024);
    const { result, log } = await probe((method) =>
      method === 'tools/list'
        ? {
            result: {
              tools: [tool(`${huge}1`, 'D'.repeat(4 * 1024 * 1024)), tool(`${huge}2`), tool('x')],
            },
          }
        : undefined,
    );
    expect(result).to.include({ outcome: 'healthy', toolCount: 3 });
    expect(log.raw.join('')).to.not.include('NNNNNNNN');
  });

  it('counts tools whose names and descriptions are not UTF-8', async function () {
    const bytes = (...codes: number[]) => Buffer.from(codes);
    const name = Buffer.concat([Buffer.from('"'), bytes(0xff, 0xfe, 0xc3, 0x28), Buffer.from('"')]);
    const { result } = await probe((method, _params, _url, id) =>
      method === 'tools/list'
        ? {
            status: 200,
            body: rawResult(
              id,
              Buffer.concat([
                Buffer.from('{"tools":[{"name":'),
                name,
                Buffer.from(',"description":'),
                name,
                Buffer.from(
                  ',"inputSchema":{"type":"object"}},{"name":"ok","inputSchema":{"type":"object"}}]}',
                ),
              ]),
            ),
          }
        : undefined,
    );
    expect(result).to.include({ outcome: 'healthy', toolCount: 2 });
  });

  it('stops reading an answer over 16 MiB: protocol_error', async function () {
    this.timeout(60_000);
    const { result } = await probe((method) =>
      method === 'tools/list'
        ? { result: { tools: [tool('big', 'D'.repeat(MAX_RESPONSE_BYTES + 1024))] } }
        : undefined,
    );
    expect(result).to.include({ outcome: 'failed', errorCategory: 'protocol_error' });
    expect(result.errorDetail).to.include('ResponseTooLargeError');
  });

  it('gives up a tools/list whose cursor never ends after a bounded number of pages: protocol_error', async function () {
    this.timeout(120_000);
    let page = 0;
    const { result, server } = await probe((method) =>
      method === 'tools/list'
        ? { result: { tools: [tool(`t${String(page)}`)], nextCursor: `c${String(++page)}` } }
        : undefined,
    );
    expect(result).to.include({ outcome: 'failed', errorCategory: 'protocol_error' });
    expect(result.errorDetail).to.include('ToolListError');
    expect(server.counts.get('tools/list')).to.equal(MAX_TOOL_PAGES);
  });

  it('gives up at once on a cursor that comes back: protocol_error', async function () {
    const { result, server } = await probe((method, params) =>
      method === 'tools/list'
        ? { result: { tools: [tool('t')], nextCursor: params?.cursor === 'a' ? 'b' : 'a' } }
        : undefined,
    );
    expect(result).to.include({ outcome: 'failed', errorCategory: 'protocol_error' });
    // Pages a, b, then a again.
    expect(server.counts.get('tools/list')).to.equal(3);
  });

  it(`gives up past ${String(MAX_TOOLS)} tools: protocol_error`, async function () {
    this.timeout(60_000);
    const pageOf = Array.from({ length: 30_000 }, (_, i) => tool(`t${String(i)}`, ''));
    let page = 0;
    const { result, server } = await probe((method) =>
      method === 'tools/list'
        ? { result: { tools: pageOf, nextCursor: `p${String(++page)}` } }
        : undefined,
    );
    expect(result).to.include({ outcome: 'failed', errorCategory: 'protocol_error' });
    expect(server.counts.get('tools/list')).to.equal(4);
  });

  it('says protocol_error for a tools/list that is no list, and for a cursor that is no string', async function () {
    for (const answer of [
      { tools: 'many' },
      { tools: [tool('a')], nextCursor: 7 },
      { tools: [{ name: 5 }] },
    ]) {
      const { result } = await probe((method) =>
        method === 'tools/list' ? { result: answer } : undefined,
      );
      expect(result, `${JSON.stringify(answer)} ${String(result.errorDetail)}`).to.include({
        outcome: 'failed',
        errorCategory: 'protocol_error',
      });
    }
  });

  it('never logs an error page that echoes the request', async function () {
    const { result, log } = await probe((_method, _params, url) => ({
      status: 500,
      body: `upstream said no to ${url} SECRET-PAGE`,
      contentType: 'text/plain',
    }));
    expect(result).to.include({ outcome: 'failed', errorCategory: 'backend_unavailable' });
    expect(result.errorDetail).to.equal('StreamableHTTPError HTTP 500');
    // The detail is all a log line gets (the monitor logs it); the prober itself logs
    // nothing that holds the page.
    expect(log.raw.join('')).to.not.include('SECRET-PAGE');
  });
});
