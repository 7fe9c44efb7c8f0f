import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { AnySchema, SchemaOutput } from '@modelcontextprotocol/sdk/server/zod-compat.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ElicitResultSchema,
  CreateMessageResultSchema,
  ErrorCode,
  ListRootsRequestSchema,
  ListRootsResultSchema,
  LoggingMessageNotificationSchema,
  McpError,
  PromptListChangedNotificationSchema,
  ResourceListChangedNotificationSchema,
  ResourceUpdatedNotificationSchema,
  ToolListChangedNotificationSchema,
  type ClientRequest,
} from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../logger.js';
import { backoffDelay } from '../apply/backoff.js';
import type { BackendConfig } from '../runtime/backend-config.js';
import type { BackendHealthModel } from '../runtime/backend-health-model.js';
import { classifyCallError } from '../runtime/classify-call-error.js';
import { listAll } from '../runtime/count-tools.js';
import { closeMcpSession, openMcpSession, type McpSession } from '../runtime/mcp-session.js';
import { probeErrorDetail } from '../runtime/probe-error-detail.js';
import { callContext } from './call-context.js';
import type { BackendOffer, ListKind } from './catalogue.js';
import { shouldForwardLog } from './logging-levels.js';

/** Options of {@link BackendSession}. */
export interface BackendSessionOptions {
  readonly backend: BackendConfig;
  /** Every call's outcome goes here. */
  readonly health: BackendHealthModel;
  /** One call's deadline, handshake included. */
  readonly callTimeoutMs: number;
  /** Told what the backend offers after each listing (`undefined`: the session ended). */
  readonly onOffer: (offer: BackendOffer) => void;
  /** Told when a resource the backend owns changed (`notifications/resources/updated`). */
  readonly onResourceUpdated: (uri: string) => void;
  readonly logger: Logger;
  /** The clock, for the reconnect backoff. Defaults to `Date.now`. */
  readonly now?: () => number;
}

/** A call that could not reach the backend: said in categories, never the backend's words. */
export class BackendUnavailableError extends McpError {
  constructor(backend: string, why: string) {
    super(ErrorCode.InternalError, `backend ${backend} did not answer (${why})`);
    this.name = 'BackendUnavailableError';
  }
}

/**
 * The vMCP's one MCP session with one backend, shared by every client's calls and by
 * the probes (`clientProber`). Opened on first use, outside any client's context;
 * dropped when a call fails in transport or the backend forgets it (404), and opened
 * again on the next use, no sooner than a backoff (1 s doubling to 30 s) after a failed
 * attempt, which probes skip (they are paced already).
 *
 * Every call's outcome goes into the health model. What the backend asks of a client
 * (sampling, elicitation, roots) and the log lines it sends during a call go to the
 * client whose request caused the call (see `callContext`); what comes outside any
 * call is refused (requests) or dropped (logs).
 */
export class BackendSession {
  readonly #options: BackendSessionOptions;
  readonly #now: () => number;
  readonly #logger: Logger;
  #session: Promise<McpSession> | undefined;
  #offer: BackendOffer | undefined;
  #listing = false;
  #failedAttempts = 0;
  #nextAttemptAt = 0;
  #closed = false;

  constructor(options: BackendSessionOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#logger = options.logger.child({
      component: 'backend-session',
      backend: options.backend.name,
    });
  }

  get name(): string {
    return this.#options.backend.name;
  }

  /**
   * The session's client, connecting first when there is none (the caller records a
   * failed connect as its call's outcome).
   *
   * @param probe a probe: it does not wait out the reconnect backoff
   */
  async client(signal?: AbortSignal, probe = false): Promise<Client> {
    if (this.#closed) throw new BackendUnavailableError(this.name, 'removed');
    if (this.#session === undefined) {
      if (!probe && this.#now() < this.#nextAttemptAt) {
        throw new BackendUnavailableError(this.name, 'reconnecting');
      }
      const opening = this.#open(signal);
      this.#session = opening;
      opening.then(
        () => {
          this.#failedAttempts = 0;
          this.#nextAttemptAt = 0;
        },
        () => {
          if (this.#session === opening) this.#session = undefined;
          this.#failedAttempts++;
          this.#nextAttemptAt =
            this.#now() +
            backoffDelay(this.#failedAttempts - 1, { initialMs: 1_000, maxMs: 30_000 });
        },
      );
      // A fresh session (a reconnect): learn again what the backend offers, unless that
      // is what the caller is doing.
      opening.then(
        () => {
          if (!this.#listing) this.relist().catch(() => undefined);
        },
        () => undefined,
      );
    }
    return (await this.#session).client;
  }

  /**
   * Sends one request, with its own deadline, recording the outcome. A session the
   * backend forgot (404) is replaced and the request sent once more.
   */
  async request<S extends AnySchema>(
    request: ClientRequest,
    schema: S,
    options: RequestOptions = {},
  ): Promise<SchemaOutput<S>> {
    const started = performance.now();
    for (let attempt = 0; ; attempt++) {
      try {
        const client = await this.client(options.signal);
        const result = await client.request(request, schema, {
          ...options,
          timeout: options.timeout ?? this.#options.callTimeoutMs,
        });
        this.#options.health.recordCall(this.name, {
          kind: 'success',
          latencyMs: performance.now() - started,
        });
        return result;
      } catch (err) {
        if (options.signal?.aborted === true) throw err; // the client cancelled: no verdict
        const forgotten = err instanceof StreamableHTTPError && err.code === 404;
        if (forgotten && attempt === 0) {
          await this.#drop();
          continue;
        }
        const outcome = classifyCallError(err, performance.now() - started);
        this.#options.health.recordCall(this.name, outcome);
        if (outcome.kind === 'success') throw err; // the backend's own JSON-RPC error
        this.#logger.debug(
          { outcome: outcome.kind, errorDetail: probeErrorDetail(err) },
          'backend call failed',
        );
        if (outcome.kind === 'transport' || outcome.kind === 'protocol') await this.#drop();
        throw err instanceof BackendUnavailableError
          ? err
          : new BackendUnavailableError(
              this.name,
              outcome.kind === 'http' ? `HTTP ${String(outcome.status)}` : outcome.kind,
            );
      }
    }
  }

  /**
   * Lists what the backend offers (the kinds its capabilities announce; `kinds` after
   * a `list_changed`, everything the first time) and reports it. A listing is a call:
   * its outcome goes into the health model.
   */
  async relist(kinds: readonly ListKind[] = ['tools', 'resources', 'prompts']): Promise<void> {
    this.#listing = true;
    try {
      await this.#relist(kinds);
    } finally {
      this.#listing = false;
    }
  }

  async #relist(kinds: readonly ListKind[]): Promise<void> {
    const client = await this.client();
    const capabilities = client.getServerCapabilities() ?? {};
    const previous = this.#offer;
    const options: RequestOptions = { timeout: this.#options.callTimeoutMs };
    const wants = (kind: ListKind, offered: unknown) =>
      offered !== undefined && (previous === undefined || kinds.includes(kind));
    const page =
      <T>(
        list: (params: { cursor?: string }) => Promise<{ nextCursor?: string | undefined } & T>,
        pick: (result: T) => readonly unknown[],
      ) =>
      async (cursor: string | undefined) => {
        const result = await list(cursor === undefined ? {} : { cursor });
        return { items: pick(result), nextCursor: result.nextCursor };
      };
    try {
      const [tools, resources, resourceTemplates, prompts] = await Promise.all([
        wants('tools', capabilities.tools)
          ? listAll(
              'tools/list',
              page(
                (p) => client.listTools(p, options),
                (r) => r.tools,
              ),
            )
          : (previous?.tools ?? []),
        wants('resources', capabilities.resources)
          ? listAll(
              'resources/list',
              page(
                (p) => client.listResources(p, options),
                (r) => r.resources,
              ),
            )
          : (previous?.resources ?? []),
        wants('resources', capabilities.resources)
          ? listAll(
              'resources/templates/list',
              page(
                (p) => client.listResourceTemplates(p, options),
                (r) => r.resourceTemplates,
              ),
            )
          : (previous?.resourceTemplates ?? []),
        wants('prompts', capabilities.prompts)
          ? listAll(
              'prompts/list',
              page(
                (p) => client.listPrompts(p, options),
                (r) => r.prompts,
              ),
            )
          : (previous?.prompts ?? []),
      ]);
      this.#offer = { tools, resources, resourceTemplates, prompts } as BackendOffer;
      this.#options.health.recordCall(this.name, { kind: 'success' });
      if (!this.#closed) this.#options.onOffer(this.#offer);
    } catch (err) {
      const outcome = classifyCallError(err);
      this.#options.health.recordCall(this.name, outcome);
      this.#logger.debug(
        { outcome: outcome.kind, errorDetail: probeErrorDetail(err) },
        'listing the backend failed',
      );
      if (outcome.kind === 'transport' || outcome.kind === 'protocol') await this.#drop();
      throw err;
    }
  }

  /** What the backend offered at the last listing. */
  get offer(): BackendOffer | undefined {
    return this.#offer;
  }

  /** Ends the session for good (the backend was removed or changed). */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#drop(true);
  }

  async #open(signal: AbortSignal | undefined): Promise<McpSession> {
    const { backend } = this.#options;
    // Outside any client's context: the session's own stream belongs to no call.
    return callContext.exit(() =>
      openMcpSession(
        backend,
        { timeout: this.#options.callTimeoutMs, ...(signal === undefined ? {} : { signal }) },
        this.#logger,
        () => {
          this.#session = undefined;
        },
        {
          capabilities: { sampling: {}, elicitation: { form: {}, url: {} }, roots: {} },
          prepare: (client) => {
            this.#prepare(client);
          },
        },
      ),
    );
  }

  #prepare(client: Client): void {
    const relistLater = (kind: ListKind) => () => {
      void this.relist([kind]).catch(() => undefined);
    };
    client.setNotificationHandler(ToolListChangedNotificationSchema, relistLater('tools'));
    client.setNotificationHandler(ResourceListChangedNotificationSchema, relistLater('resources'));
    client.setNotificationHandler(PromptListChangedNotificationSchema, relistLater('prompts'));
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (notification) => {
      this.#options.onResourceUpdated(notification.params.uri);
    });
    client.setNotificationHandler(LoggingMessageNotificationSchema, async (notification) => {
      const context = callContext.getStore();
      if (context === undefined) return; // not about any client's call
      if (!shouldForwardLog(notification.params.level, context.loggingLevel())) return;
      await context.sendNotification(notification);
    });
    const forward =
      (schema: AnySchema) =>
      async (request: { method: string; params?: Record<string, unknown> }) => {
        const context = callContext.getStore();
        if (context === undefined) {
          throw new McpError(
            ErrorCode.InvalidRequest,
            `${request.method} outside a client's call: the vMCP has no client to ask`,
          );
        }
        return context.sendRequest(request, schema);
      };
    client.setRequestHandler(
      CreateMessageRequestSchema,
      forward(CreateMessageResultSchema) as never,
    );
    client.setRequestHandler(ElicitRequestSchema, forward(ElicitResultSchema) as never);
    client.setRequestHandler(ListRootsRequestSchema, forward(ListRootsResultSchema) as never);
  }

  async #drop(terminate = false): Promise<void> {
    const session = this.#session;
    this.#session = undefined;
    const opened = await session?.catch(() => undefined);
    if (opened !== undefined) await closeMcpSession(opened, terminate);
  }
}
