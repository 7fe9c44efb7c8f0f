import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  ToolListChangedNotificationSchema,
  type ClientCapabilities,
} from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../logger.js';
import type { BackendConfig } from './backend-config.js';
import { boundedFetch } from './bounded-fetch.js';
import { packageVersion } from './package-version.js';
import { probeErrorDetail } from './probe-error-detail.js';
import { untilAborted } from './until-aborted.js';

/** An MCP session with one backend, kept between probes. */
export interface McpSession {
  readonly client: Client;
  /** The tool count last listed in this session; `undefined` until listed. */
  toolCount: number | undefined;
  /** Set by `notifications/tools/list_changed`: the next probe lists again. */
  toolsStale: boolean;
}

/** How a session's client is set up beyond the probe's needs (the vMCP server's). */
export interface McpSessionSetup {
  /** What the client offers the backend (sampling, elicitation, roots). Defaults to none. */
  readonly capabilities?: ClientCapabilities;
  /** Registers handlers on the client before it connects. */
  readonly prepare?: (client: Client) => void;
}

/**
 * Opens a session: Streamable HTTP, falling back to SSE for backends that only speak
 * it (`transport: auto`, when the endpoint answers 400, 404 or 405). `onClose` runs
 * when the session ends on its own (the backend closed it).
 */
export async function openMcpSession(
  backend: BackendConfig,
  options: RequestOptions,
  logger: Logger,
  onClose: (session: McpSession) => void,
  setup: McpSessionSetup = {},
): Promise<McpSession> {
  const kind = backend.transport ?? 'auto';
  const kinds = kind === 'auto' ? (['streamable-http', 'sse'] as const) : [kind];
  let lastError: unknown;
  for (const attempt of kinds) {
    const client = new Client(
      { name: 'vmcp-status', version: packageVersion() },
      setup.capabilities === undefined ? undefined : { capabilities: setup.capabilities },
    );
    const session: McpSession = { client, toolCount: undefined, toolsStale: false };
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      session.toolsStale = true;
    });
    setup.prepare?.(client);
    client.onerror = (err) => {
      logger.debug({ errorDetail: probeErrorDetail(err) }, 'background session error');
    };
    client.onclose = () => {
      onClose(session);
    };
    // A connect that hangs below the SDK's request timeout (an SSE stream that never
    // sends its endpoint) ends with the probe; a session the backend already opened
    // (its id came back) is ended there too, not left to its idle timeout. Terminate
    // before close: close aborts the transport's requests, the DELETE included.
    const onAbort = (): void => {
      void closeMcpSession(session, true);
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await client.connect(transport(backend, attempt), options);
      options.signal?.throwIfAborted();
      if (client.getServerCapabilities()?.tools === undefined) session.toolCount = 0;
      return session;
    } catch (err) {
      if (options.signal?.aborted === true) throw options.signal.reason;
      await client.close().catch(() => undefined);
      lastError = err;
      const notStreamable =
        err instanceof StreamableHTTPError && [400, 404, 405].includes(err.code ?? 0);
      if (!(kind === 'auto' && attempt === 'streamable-http' && notStreamable)) throw err;
      logger.debug({ httpStatus: err.code }, 'no Streamable HTTP; trying SSE');
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
    }
  }
  throw lastError;
}

/** Ends a session: a Streamable HTTP session is terminated on the backend (best effort, 1 s). */
export async function closeMcpSession(session: McpSession, terminate: boolean): Promise<void> {
  const transport = session.client.transport;
  if (
    terminate &&
    transport instanceof StreamableHTTPClientTransport &&
    transport.sessionId !== undefined
  ) {
    await untilAborted(transport.terminateSession(), AbortSignal.timeout(1_000)).catch(
      () => undefined,
    );
  }
  await session.client.close().catch(() => undefined);
}

function transport(
  backend: BackendConfig,
  kind: 'streamable-http' | 'sse',
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- for backends that only speak SSE
): StreamableHTTPClientTransport | SSEClientTransport {
  const url = new URL(backend.url);
  const requestInit: RequestInit = { headers: { ...backend.headers } };
  const fetch = boundedFetch();
  return kind === 'sse'
    ? // eslint-disable-next-line @typescript-eslint/no-deprecated -- for backends that only speak SSE
      new SSEClientTransport(url, { requestInit, fetch })
    : new StreamableHTTPClientTransport(url, { requestInit, fetch });
}
