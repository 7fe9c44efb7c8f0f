import { createHash } from 'node:crypto';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';

/** Pages of a list followed at most, against a backend that never ends its cursor. */
export const MAX_TOOL_PAGES = 1_000;
/** Items listed at most: more is a buggy backend, not a toolbox. */
export const MAX_TOOLS = 100_000;

/** Why a list was given up: its JSON-RPC code makes it a `protocol_error`. */
export class ToolListError extends McpError {
  constructor(
    readonly why: 'cursor-loop' | 'too-many-pages' | 'too-many-tools',
    method = 'tools/list',
  ) {
    const text = {
      'cursor-loop': `${method} pagination does not end (a cursor came back)`,
      'too-many-pages': `${method} pagination does not end (over ${String(MAX_TOOL_PAGES)} pages)`,
      'too-many-tools': `${method} lists over ${String(MAX_TOOLS)} items`,
    }[why];
    super(ErrorCode.InvalidRequest, text);
    this.name = 'ToolListError';
  }
}

/**
 * Every item of a paginated MCP list (`tools/list`, `resources/list`, …), following
 * `nextCursor`, bounded: a cursor seen before, more than {@link MAX_TOOL_PAGES} pages or
 * more than {@link MAX_TOOLS} items end it with a {@link ToolListError}.
 */
export async function listAll<T>(
  method: string,
  page: (
    cursor: string | undefined,
  ) => Promise<{ items: readonly T[]; nextCursor?: string | undefined }>,
): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  const seen = new Set<string>();
  for (let n = 0; n < MAX_TOOL_PAGES; n++) {
    const result = await page(cursor);
    items.push(...result.items);
    if (items.length > MAX_TOOLS) throw new ToolListError('too-many-tools', method);
    cursor = result.nextCursor;
    if (cursor === undefined) return items;
    // Long cursors are remembered by digest: 1,000 pages of them must stay small.
    const key = cursor.length > 256 ? createHash('sha256').update(cursor).digest('hex') : cursor;
    if (seen.has(key)) throw new ToolListError('cursor-loop', method);
    seen.add(key);
  }
  throw new ToolListError('too-many-pages', method);
}

/** Counts tools over every page of `tools/list`, bounded as {@link listAll} is. */
export async function countTools(client: Client, options: RequestOptions): Promise<number> {
  const tools = await listAll('tools/list', async (cursor) => {
    const result = await client.listTools(cursor === undefined ? {} : { cursor }, options);
    return { items: result.tools, nextCursor: result.nextCursor };
  });
  return tools.length;
}
