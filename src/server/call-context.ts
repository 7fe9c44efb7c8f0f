import { AsyncLocalStorage } from 'node:async_hooks';
import type { LoggingLevel, Notification, Request } from '@modelcontextprotocol/sdk/types.js';
import type { AnySchema } from '@modelcontextprotocol/sdk/server/zod-compat.js';

/**
 * The client request a backend call serves, as the backend session sees it: when a
 * backend asks something of "the client" (sampling, elicitation, roots) or logs while
 * handling the call, it goes to the session whose request caused the call, on that
 * request's own stream.
 */
export interface CallContext {
  readonly sessionId: string;
  /** Asks the client whose request this is; the answer goes back to the backend. */
  sendRequest(request: Request, schema: AnySchema): Promise<unknown>;
  /** Tells the client whose request this is. */
  sendNotification(notification: Notification): Promise<void>;
  /** The level the client asked for with `logging/setLevel`, if any. */
  readonly loggingLevel: () => LoggingLevel | undefined;
}

/**
 * Which client request a backend call serves: set around each forwarded call, read
 * by the backend session's handlers. The MCP SDK reads a backend's answer stream
 * inside the call that sent the request, so a request or notification the backend
 * sends on that stream runs its handler in the call's context. A backend's session
 * is opened outside any context, so what comes on its shared stream belongs to none.
 */
export const callContext = new AsyncLocalStorage<CallContext>();
