/* eslint-disable @typescript-eslint/no-deprecated -- the SDK's low-level Server (its "advanced use"): every request handled as it comes */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import {
  CallToolRequestSchema,
  CompleteRequestSchema,
  CreateMessageResultSchema,
  ElicitResultSchema,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListResourcesRequestSchema,
  ListRootsResultSchema,
  ListToolsRequestSchema,
  ReadResourceRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
  type CallToolResult,
  type GetPromptResult,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';

/** A 1×1 PNG and a tiny WAV, as the conformance suite's reference server sends them. */
export const PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';
export const WAV = 'UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=';

const object = (properties: Record<string, object> = {}, required: string[] = []) => ({
  type: 'object' as const,
  properties,
  ...(required.length > 0 ? { required } : {}),
});

/** The tools the MCP conformance suite's server scenarios call, plus a few for the vMCP's tests. */
const TOOLS: Tool[] = [
  { name: 'test_simple_text', description: 'Returns simple text', inputSchema: object() },
  { name: 'test_image_content', description: 'Returns an image', inputSchema: object() },
  { name: 'test_audio_content', description: 'Returns audio', inputSchema: object() },
  {
    name: 'test_embedded_resource',
    description: 'Returns an embedded resource',
    inputSchema: object(),
  },
  {
    name: 'test_multiple_content_types',
    description: 'Returns text, an image and a resource',
    inputSchema: object(),
  },
  {
    name: 'test_tool_with_logging',
    description: 'Logs three lines while it runs',
    inputSchema: object(),
  },
  { name: 'test_error_handling', description: 'Fails as a tool (isError)', inputSchema: object() },
  {
    name: 'test_tool_with_progress',
    description: 'Reports progress 0, 50, 100',
    inputSchema: object(),
  },
  {
    name: 'test_sampling',
    description: 'Asks the client to sample',
    inputSchema: object({ prompt: { type: 'string' } }, ['prompt']),
  },
  {
    name: 'test_elicitation',
    description: 'Asks the client for input',
    inputSchema: object({ message: { type: 'string' } }, ['message']),
  },
  {
    name: 'test_elicitation_sep1034_defaults',
    description: 'Elicitation with defaults',
    inputSchema: object(),
  },
  {
    name: 'test_elicitation_sep1330_enums',
    description: 'Elicitation with enums',
    inputSchema: object(),
  },
  {
    name: 'json_schema_2020_12_tool',
    description: 'A tool with a JSON Schema 2020-12 input schema',
    inputSchema: {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      $defs: { address: { type: 'object', properties: { street: { type: 'string' } } } },
      properties: { name: { type: 'string' }, address: { $ref: '#/$defs/address' } },
      additionalProperties: false,
    },
  },
  { name: 'test_list_roots', description: 'Asks the client for its roots', inputSchema: object() },
  {
    name: 'test_slow',
    description: 'Answers after ms milliseconds (or never, with ms < 0)',
    inputSchema: object({ ms: { type: 'number' } }),
  },
];

const PROMPTS = [
  { name: 'test_simple_prompt', description: 'A simple prompt' },
  {
    name: 'test_prompt_with_arguments',
    description: 'A prompt with arguments',
    arguments: [
      { name: 'arg1', description: 'First', required: true },
      { name: 'arg2', description: 'Second', required: true },
    ],
  },
  {
    name: 'test_prompt_with_embedded_resource',
    description: 'A prompt with an embedded resource',
    arguments: [{ name: 'resourceUri', description: 'The resource', required: true }],
  },
  { name: 'test_prompt_with_image', description: 'A prompt with an image' },
];

function stringArg(args: Record<string, unknown> | undefined, name: string): string {
  const value = args?.[name];
  return typeof value === 'string' ? value : '';
}

/** Calls of `test_slow` the client cancelled, over every server of a backend. */
interface CancelCount {
  count: number;
}

/** One MCP server with everything the conformance suite asks of a server. */
function everythingServer(
  name: string,
  cancelled: CancelCount,
  extraTools: readonly Tool[],
): Server {
  const server = new Server(
    { name, version: '1.0.0' },
    {
      capabilities: {
        tools: { listChanged: true },
        resources: { subscribe: true, listChanged: true },
        prompts: { listChanged: true },
        logging: {},
        completions: {},
      },
    },
  );
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: [...TOOLS, ...extraTools] }));
  server.setRequestHandler(
    CallToolRequestSchema,
    async (request, extra): Promise<CallToolResult> => {
      const text = (t: string) => ({ type: 'text' as const, text: t });
      switch (request.params.name) {
        case 'test_simple_text':
          return { content: [text('This is a simple text response for testing.')] };
        case 'test_image_content':
          return { content: [{ type: 'image', data: PNG, mimeType: 'image/png' }] };
        case 'test_audio_content':
          return { content: [{ type: 'audio', data: WAV, mimeType: 'audio/wav' }] };
        case 'test_embedded_resource':
          return {
            content: [
              {
                type: 'resource',
                resource: {
                  uri: 'test://embedded-resource',
                  mimeType: 'text/plain',
                  text: 'This is an embedded resource content.',
                },
              },
            ],
          };
        case 'test_multiple_content_types':
          return {
            content: [
              text('Multiple content types test:'),
              { type: 'image', data: PNG, mimeType: 'image/png' },
              {
                type: 'resource',
                resource: {
                  uri: 'test://mixed-content-resource',
                  mimeType: 'application/json',
                  text: '{"test":"data","value":123}',
                },
              },
            ],
          };
        case 'test_tool_with_logging':
          for (const data of [
            'Tool execution started',
            'Tool processing data',
            'Tool execution completed',
          ]) {
            await extra.sendNotification({
              method: 'notifications/message',
              params: { level: 'info', data },
            });
            await sleep(50);
          }
          return { content: [text('Tool with logging executed successfully')] };
        case 'test_error_handling':
          return {
            isError: true,
            content: [text('This tool intentionally returns an error for testing')],
          };
        case 'test_tool_with_progress': {
          const token = extra._meta?.progressToken;
          for (const progress of [0, 50, 100]) {
            if (token !== undefined) {
              await extra.sendNotification({
                method: 'notifications/progress',
                params: {
                  progressToken: token,
                  progress,
                  total: 100,
                  message: `at ${String(progress)}`,
                },
              });
            }
            await sleep(50);
          }
          return { content: [text(`progress done (token ${String(token)})`)] };
        }
        case 'test_sampling': {
          const prompt = stringArg(request.params.arguments, 'prompt');
          const answer = await extra.sendRequest(
            {
              method: 'sampling/createMessage',
              params: {
                messages: [{ role: 'user', content: { type: 'text', text: prompt } }],
                maxTokens: 100,
              },
            },
            CreateMessageResultSchema,
          );
          const content = answer.content as { type: string; text?: string };
          return { content: [text(`LLM response: ${content.text ?? content.type}`)] };
        }
        case 'test_elicitation': {
          const answer = await extra.sendRequest(
            {
              method: 'elicitation/create',
              params: {
                message: stringArg(request.params.arguments, 'message'),
                requestedSchema: object(
                  { response: { type: 'string', description: 'Your answer' } },
                  ['response'],
                ),
              },
            },
            ElicitResultSchema,
          );
          return { content: [text(`User response: ${JSON.stringify(answer)}`)] };
        }
        case 'test_elicitation_sep1034_defaults': {
          const answer = await extra.sendRequest(
            {
              method: 'elicitation/create',
              params: {
                message: 'Please review and update the form fields with defaults',
                requestedSchema: object({
                  name: { type: 'string', description: 'User name', default: 'John Doe' },
                  age: { type: 'integer', description: 'User age', default: 30 },
                  score: { type: 'number', description: 'User score', default: 95.5 },
                  status: {
                    type: 'string',
                    description: 'User status',
                    enum: ['active', 'inactive', 'pending'],
                    default: 'active',
                  },
                  verified: { type: 'boolean', description: 'Verification status', default: true },
                }),
              },
            },
            ElicitResultSchema,
          );
          return { content: [text(`Elicitation completed: ${JSON.stringify(answer)}`)] };
        }
        case 'test_elicitation_sep1330_enums': {
          const answer = await extra.sendRequest(
            {
              method: 'elicitation/create',
              params: {
                message: 'Please select options from the enum fields',
                requestedSchema: object({
                  untitledSingle: { type: 'string', enum: ['option1', 'option2', 'option3'] },
                  titledSingle: {
                    type: 'string',
                    oneOf: [
                      { const: 'value1', title: 'First Option' },
                      { const: 'value2', title: 'Second Option' },
                    ],
                  },
                  legacyEnum: {
                    type: 'string',
                    enum: ['opt1', 'opt2'],
                    enumNames: ['Option One', 'Option Two'],
                  },
                  untitledMulti: {
                    type: 'array',
                    items: { type: 'string', enum: ['option1', 'option2', 'option3'] },
                  },
                  titledMulti: {
                    type: 'array',
                    items: {
                      anyOf: [
                        { const: 'value1', title: 'First Choice' },
                        { const: 'value2', title: 'Second Choice' },
                      ],
                    },
                  },
                }),
              },
            },
            ElicitResultSchema,
          );
          return { content: [text(`Elicitation completed: ${JSON.stringify(answer)}`)] };
        }
        case 'json_schema_2020_12_tool':
          return { content: [text('ok')] };
        case 'test_list_roots': {
          const roots = await extra.sendRequest({ method: 'roots/list' }, ListRootsResultSchema);
          return { content: [text(`roots: ${roots.roots.map((r) => r.uri).join(',')}`)] };
        }
        case 'test_slow': {
          const ms = Number(request.params.arguments?.ms ?? 0);
          // ms < 0: no answer until the caller gives up (cancels).
          await (ms < 0
            ? new Promise((resolve) => {
                extra.signal.addEventListener('abort', resolve, { once: true });
              })
            : sleep(ms, undefined, { signal: extra.signal }).catch(() => undefined));
          if (extra.signal.aborted) cancelled.count++;
          return { content: [text(extra.signal.aborted ? 'cancelled' : `slept ${String(ms)} ms`)] };
        }
        default:
          return { isError: true, content: [text(`unknown tool ${request.params.name}`)] };
      }
    },
  );
  server.setRequestHandler(ListResourcesRequestSchema, () => ({
    resources: [
      { uri: 'test://static-text', name: 'Static text', mimeType: 'text/plain' },
      { uri: 'test://static-binary', name: 'Static binary', mimeType: 'image/png' },
      { uri: 'test://watched-resource', name: 'Watched', mimeType: 'text/plain' },
    ],
  }));
  server.setRequestHandler(ListResourceTemplatesRequestSchema, () => ({
    resourceTemplates: [
      { uriTemplate: 'test://template/{id}/data', name: 'Template', mimeType: 'application/json' },
    ],
  }));
  server.setRequestHandler(ReadResourceRequestSchema, (request) => {
    const { uri } = request.params;
    if (uri === 'test://static-binary') {
      return { contents: [{ uri, mimeType: 'image/png', blob: PNG }] };
    }
    const templated = /^test:\/\/template\/([^/]+)\/data$/.exec(uri);
    if (templated !== null) {
      const id = templated[1] ?? '';
      return {
        contents: [
          {
            uri,
            mimeType: 'application/json',
            text: JSON.stringify({ id, templateTest: true, data: `Data for ID: ${id}` }),
          },
        ],
      };
    }
    return { contents: [{ uri, mimeType: 'text/plain', text: `This is the content of ${uri}` }] };
  });
  server.setRequestHandler(SubscribeRequestSchema, () => ({}));
  server.setRequestHandler(UnsubscribeRequestSchema, () => ({}));
  server.setRequestHandler(ListPromptsRequestSchema, () => ({ prompts: PROMPTS }));
  server.setRequestHandler(GetPromptRequestSchema, (request): GetPromptResult => {
    const args = request.params.arguments ?? {};
    switch (request.params.name) {
      case 'test_prompt_with_arguments':
        return {
          messages: [
            {
              role: 'user',
              content: {
                type: 'text',
                text: `Prompt with arguments: arg1='${args.arg1 ?? ''}', arg2='${args.arg2 ?? ''}'`,
              },
            },
          ],
        };
      case 'test_prompt_with_embedded_resource':
        return {
          messages: [
            {
              role: 'user',
              content: {
                type: 'resource',
                resource: {
                  uri: args.resourceUri ?? 'test://example-resource',
                  mimeType: 'text/plain',
                  text: 'Embedded',
                },
              },
            },
            {
              role: 'user',
              content: { type: 'text', text: 'Please process the embedded resource above.' },
            },
          ],
        };
      case 'test_prompt_with_image':
        return {
          messages: [
            { role: 'user', content: { type: 'image', data: PNG, mimeType: 'image/png' } },
            { role: 'user', content: { type: 'text', text: 'Please analyze the image above.' } },
          ],
        };
      default:
        return {
          messages: [
            {
              role: 'user',
              content: { type: 'text', text: 'This is a simple prompt for testing.' },
            },
          ],
        };
    }
  });
  server.setRequestHandler(CompleteRequestSchema, (request) => {
    const value = request.params.argument.value;
    const options = ['paris', 'park', 'party'].filter((o) => o.startsWith(value));
    return { completion: { values: options, total: options.length, hasMore: false } };
  });
  return server;
}

/** A running {@link startEverythingBackend}. */
export interface EverythingBackend {
  readonly url: string;
  /** Sessions open now. */
  readonly sessions: () => number;
  /** `initialize` requests received. */
  readonly initializes: () => number;
  /** `test_slow` calls the client cancelled. */
  readonly cancelled: () => number;
  /** Adds a tool (`test_added_N`) and says so on every session. */
  addTool(): Promise<void>;
  /** Sends `notifications/tools/list_changed` on every session. */
  toolsChanged(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A backend with everything the MCP conformance suite asks of a server (its tools,
 * resources, templates, prompts, completion, logging, progress, sampling, elicitation)
 * on 127.0.0.1, stateful Streamable HTTP: what the vMCP fronts in the conformance test.
 * Requests to the client go on the stream of the call that caused them.
 */
export async function startEverythingBackend(
  name = 'everything',
  { host = '127.0.0.1', port = 0 }: { host?: string; port?: number } = {},
): Promise<EverythingBackend> {
  const sessions = new Map<string, { server: Server; transport: StreamableHTTPServerTransport }>();
  let initializes = 0;
  const cancelled: CancelCount = { count: 0 };
  const extraTools: Tool[] = [];
  const http = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const id = req.headers['mcp-session-id'];
      const existing = typeof id === 'string' ? sessions.get(id) : undefined;
      if (existing !== undefined) {
        await existing.transport.handleRequest(req, res);
        return;
      }
      if (typeof id === 'string') {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            jsonrpc: '2.0',
            error: { code: -32001, message: 'Session not found' },
            id: null,
          }),
        );
        return;
      }
      initializes++;
      const server = everythingServer(name, cancelled, extraTools);
      const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (sessionId) => {
          sessions.set(sessionId, { server, transport });
        },
      });
      transport.onclose = () => {
        if (transport.sessionId !== undefined) sessions.delete(transport.sessionId);
      };
      await server.connect(transport);
      await transport.handleRequest(req, res);
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => http.listen(port, host, resolve));
  const address = http.address() as AddressInfo;
  const toolsChanged = async () => {
    await Promise.all([...sessions.values()].map(({ server }) => server.sendToolListChanged()));
  };
  return {
    url: `http://${host}:${String(address.port)}/mcp`,
    sessions: () => sessions.size,
    initializes: () => initializes,
    cancelled: () => cancelled.count,
    toolsChanged,
    async addTool() {
      extraTools.push({
        name: `test_added_${String(extraTools.length + 1)}`,
        description: 'added at run time',
        inputSchema: object(),
      });
      await toolsChanged();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const { transport } of sessions.values()) void transport.close();
        http.closeAllConnections();
        http.close(() => {
          resolve();
        });
      }),
  };
}
