import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';

/** Pages of `tools/list` followed at most, against a backend that never ends its cursor. */
export const MAX_TOOL_PAGES = 1_000;

/** Counts tools over every page of `tools/list`. */
export async function countTools(client: Client, options: RequestOptions): Promise<number> {
  let count = 0;
  let cursor: string | undefined;
  const seen = new Set<string>();
  for (let page = 0; page < MAX_TOOL_PAGES; page++) {
    const result = await client.listTools(cursor === undefined ? {} : { cursor }, options);
    count += result.tools.length;
    cursor = result.nextCursor;
    if (cursor === undefined) return count;
    if (seen.has(cursor)) break;
    seen.add(cursor);
  }
  throw new McpError(ErrorCode.InvalidRequest, 'tools/list pagination does not end');
}
