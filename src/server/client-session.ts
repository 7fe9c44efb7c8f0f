/* eslint-disable @typescript-eslint/no-deprecated -- the SDK's low-level Server (its "advanced use"): every request handled as it comes */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { AnySchema, SchemaOutput } from '@modelcontextprotocol/sdk/server/zod-compat.js';
import {
  CallToolRequestSchema,
  CallToolResultSchema,
  CompleteRequestSchema,
  CompleteResultSchema,
  ErrorCode,
  GetPromptRequestSchema,
  GetPromptResultSchema,
  ListPromptsRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListResourcesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  ReadResourceResultSchema,
  SetLevelRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
  EmptyResultSchema,
  type ClientRequest,
  type LoggingLevel,
  type ServerNotification,
  type ServerRequest,
} from '@modelcontextprotocol/sdk/types.js';
import type { BackendHealthModel } from '../runtime/backend-health-model.js';
import type { BackendPool } from './backend-pool.js';
import { BackendUnavailableError } from './backend-session.js';
import { callContext, type CallContext } from './call-context.js';

/** What the vMCP knows of one client's session. */
export interface ClientSessionState {
  /** The level the client asked for with `logging/setLevel`, if any. */
  loggingLevel: LoggingLevel | undefined;
  /** Resources the client subscribed to. */
  readonly subscriptions: Set<string>;
  /** When the client last sent a request (ms since the epoch), for the idle timeout. */
  lastActivity: number;
}

/** One client's session: its MCP server, its transport and its state. */
export interface ClientSession {
  readonly server: Server;
  readonly transport: StreamableHTTPServerTransport;
  readonly state: ClientSessionState;
}

/** What {@link createSessionServer} needs of the vMCP. */
export interface SessionServerOptions {
  readonly pool: BackendPool;
  readonly health: BackendHealthModel;
  readonly serverInfo: { readonly name: string; readonly version: string };
  /** Told when a resource subscription starts or ends, to keep the backends' in step. */
  readonly onSubscription: (uri: string, subscribed: boolean) => Promise<void>;
}

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/**
 * The MCP server a client's session talks to (the SDK's low-level `Server`: a vMCP
 * forwards requests as they come). It answers `initialize` itself, with a fixed set of
 * capabilities, so no backend can slow a session's start; lists come from the current
 * catalogue; calls go to the backend that owns the name, under its own name, each with
 * its own deadline, progress and cancellation carried through, and whatever the backend
 * asks of the client meanwhile sent to this session (see `callContext`).
 */
export function createSessionServer(
  options: SessionServerOptions,
  state: ClientSessionState,
): Server {
  const { pool, health } = options;
  const server = new Server(options.serverInfo, {
    capabilities: {
      tools: { listChanged: true },
      resources: { subscribe: true, listChanged: true },
      prompts: { listChanged: true },
      logging: {},
      completions: {},
    },
  });

  async function forward<S extends AnySchema>(
    backend: string,
    request: ClientRequest,
    schema: S,
    extra: Extra,
  ): Promise<SchemaOutput<S>> {
    const session = pool.session(backend);
    if (session === undefined) throw new BackendUnavailableError(backend, 'removed');
    if (!health.allowsTraffic(backend)) throw new BackendUnavailableError(backend, 'circuit open');
    const token = extra._meta?.progressToken;
    const context: CallContext = {
      sessionId: extra.sessionId ?? '',
      sendRequest: (req, resultSchema) => extra.sendRequest(req as ServerRequest, resultSchema),
      sendNotification: (notification) =>
        extra.sendNotification(notification as ServerNotification),
      loggingLevel: () => state.loggingLevel,
    };
    // The client's progress token is its own: the backend call gets one of the SDK's,
    // and its progress goes back under the client's.
    const params = { ...(request.params ?? {}) } as Record<string, unknown>;
    const meta = params._meta as Record<string, unknown> | undefined;
    if (meta !== undefined) {
      const { progressToken: _token, ...rest } = meta;
      params._meta = rest;
    }
    return callContext.run(context, () =>
      session.request({ ...request, params } as ClientRequest, schema, {
        signal: extra.signal,
        ...(token === undefined
          ? {}
          : {
              onprogress: (progress) => {
                void extra
                  .sendNotification({
                    method: 'notifications/progress',
                    params: { ...progress, progressToken: token },
                  })
                  .catch(() => undefined);
              },
            }),
      }),
    );
  }

  const notFound = (what: string, name: string) =>
    new McpError(ErrorCode.InvalidParams, `${what} not found: ${name}`);

  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: pool.catalogue.tools.map((t) => t.tool),
  }));
  server.setRequestHandler(CallToolRequestSchema, (request, extra) => {
    const tool = pool.catalogue.tool(request.params.name);
    if (tool === undefined) throw notFound('tool', request.params.name);
    return forward(
      tool.backend,
      { method: 'tools/call', params: { ...request.params, name: tool.originalName } },
      CallToolResultSchema,
      extra,
    );
  });
  server.setRequestHandler(ListResourcesRequestSchema, () => ({
    resources: pool.catalogue.resources.map((r) => r.item),
  }));
  server.setRequestHandler(ListResourceTemplatesRequestSchema, () => ({
    resourceTemplates: pool.catalogue.resourceTemplates.map((t) => t.item),
  }));
  server.setRequestHandler(ReadResourceRequestSchema, (request, extra) => {
    const owner = pool.catalogue.resourceOwner(request.params.uri);
    if (owner === undefined) throw notFound('resource', request.params.uri);
    return forward(
      owner,
      { method: 'resources/read', params: request.params },
      ReadResourceResultSchema,
      extra,
    );
  });
  server.setRequestHandler(SubscribeRequestSchema, async (request) => {
    if (!state.subscriptions.has(request.params.uri)) {
      state.subscriptions.add(request.params.uri);
      await options.onSubscription(request.params.uri, true);
    }
    return {};
  });
  server.setRequestHandler(UnsubscribeRequestSchema, async (request) => {
    if (state.subscriptions.delete(request.params.uri)) {
      await options.onSubscription(request.params.uri, false);
    }
    return {};
  });
  server.setRequestHandler(ListPromptsRequestSchema, () => ({
    prompts: pool.catalogue.prompts.map((p) => p.prompt),
  }));
  server.setRequestHandler(GetPromptRequestSchema, (request, extra) => {
    const prompt = pool.catalogue.prompt(request.params.name);
    if (prompt === undefined) throw notFound('prompt', request.params.name);
    return forward(
      prompt.backend,
      { method: 'prompts/get', params: { ...request.params, name: prompt.originalName } },
      GetPromptResultSchema,
      extra,
    );
  });
  server.setRequestHandler(CompleteRequestSchema, (request, extra) => {
    const { ref } = request.params;
    if (ref.type === 'ref/prompt') {
      const prompt = pool.catalogue.prompt(ref.name);
      if (prompt === undefined) throw notFound('prompt', ref.name);
      return forward(
        prompt.backend,
        {
          method: 'completion/complete',
          params: { ...request.params, ref: { ...ref, name: prompt.originalName } },
        },
        CompleteResultSchema,
        extra,
      );
    }
    const owner = pool.catalogue.templateOwner(ref.uri) ?? pool.catalogue.resourceOwner(ref.uri);
    if (owner === undefined) throw notFound('resource', ref.uri);
    return forward(
      owner,
      { method: 'completion/complete', params: request.params },
      CompleteResultSchema,
      extra,
    );
  });
  server.setRequestHandler(SetLevelRequestSchema, (request) => {
    state.loggingLevel = request.params.level;
    return {};
  });
  return server;
}

/** Subscribes or unsubscribes a backend to one resource, when the backend supports it. */
export async function backendSubscription(
  pool: BackendPool,
  uri: string,
  subscribed: boolean,
): Promise<void> {
  const owner = pool.catalogue.resourceOwner(uri);
  const session = owner === undefined ? undefined : pool.session(owner);
  if (session === undefined) return;
  const client = await session.client().catch(() => undefined);
  if (client?.getServerCapabilities()?.resources?.subscribe !== true) return;
  await session
    .request(
      { method: subscribed ? 'resources/subscribe' : 'resources/unsubscribe', params: { uri } },
      EmptyResultSchema,
    )
    .catch(() => undefined);
}
