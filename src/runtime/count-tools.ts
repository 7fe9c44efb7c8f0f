import { createHash } from 'node:crypto';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';

/** Pages of `tools/list` followed at most, against a backend that never ends its cursor. */
export const MAX_TOOL_PAGES = 1_000;
/** Tools counted at most: more is a buggy backend, not a toolbox. */
export const MAX_TOOLS = 100_000;

/** Why a `tools/list` was given up: its JSON-RPC code makes it a `protocol_error`. */
export class ToolListError extends McpError {
  constructor(readonly why: 'cursor-loop' | 'too-many-pages' | 'too-many-tools') {
    const text = {
      'cursor-loop': 'tools/list pagination does not end (a cursor came back)',
      'too-many-pages': `tools/list pagination does not end (over ${String(MAX_TOOL_PAGES)} pages)`,
      'too-many-tools': `tools/list lists over ${String(MAX_TOOLS)} tools`,
    }[why];
    super(ErrorCode.InvalidRequest, text);
    this.name = 'ToolListError';
  }
}

/**
 * Counts tools over every page of `tools/list`, bounded: a cursor seen before, more
 * than {@link MAX_TOOL_PAGES} pages or more than {@link MAX_TOOLS} tools end it with a
 * {@link ToolListError}.
 */
export async function countTools(client: Client, options: RequestOptions): Promise<number> {
  let count = 0;
  let cursor: string | undefined;
  const seen = new Set<string>();
  for (let page = 0; page < MAX_TOOL_PAGES; page++) {
    const result = await client.listTools(cursor === undefined ? {} : { cursor }, options);
    count += result.tools.length;
    if (count > MAX_TOOLS) throw new ToolListError('too-many-tools');
    cursor = result.nextCursor;
    if (cursor === undefined) return count;
    // Long cursors are remembered by digest: 1,000 pages of them must stay small.
    const key = cursor.length > 256 ? createHash('sha256').update(cursor).digest('hex') : cursor;
    if (seen.has(key)) throw new ToolListError('cursor-loop');
    seen.add(key);
  }
  throw new ToolListError('too-many-pages');
}
