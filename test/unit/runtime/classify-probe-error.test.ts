import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { expect } from 'chai';
import { z } from 'zod';
import {
  ProbeTimeoutError,
  classifyProbeError,
} from '../../../src/runtime/classify-probe-error.js';
import { ERROR_CATEGORIES } from '../../../src/types.js';

function withCode(code: string): Error {
  return Object.assign(new Error(`raw ${code} 10.0.0.7`), { code });
}

describe('classifyProbeError', function () {
  const cases: [string, unknown, string][] = [
    ['the probe deadline', new ProbeTimeoutError(10), 'timeout'],
    ['a JSON-RPC request timeout', new McpError(ErrorCode.RequestTimeout, 'x'), 'timeout'],
    ['AbortSignal.timeout', new DOMException('t', 'TimeoutError'), 'timeout'],
    [
      'a headers timeout',
      new TypeError('fetch failed', { cause: withCode('UND_ERR_HEADERS_TIMEOUT') }),
      'timeout',
    ],
    [
      'a refused connection',
      new TypeError('fetch failed', { cause: withCode('ECONNREFUSED') }),
      'connection_failed',
    ],
    [
      'a refused connection to every address',
      new TypeError('fetch failed', { cause: new AggregateError([withCode('ECONNREFUSED')]) }),
      'connection_failed',
    ],
    [
      'a closed socket',
      new TypeError('fetch failed', { cause: withCode('UND_ERR_SOCKET') }),
      'connection_failed',
    ],
    [
      'an unknown host',
      new TypeError('fetch failed', { cause: withCode('ENOTFOUND') }),
      'connection_failed',
    ],
    ['a bare fetch failure', new TypeError('fetch failed'), 'connection_failed'],
    ['a closed MCP connection', new McpError(ErrorCode.ConnectionClosed, 'x'), 'connection_failed'],
    ['HTTP 401', new StreamableHTTPError(401, 'x'), 'authentication_failed'],
    ['HTTP 403', new StreamableHTTPError(403, 'x'), 'authentication_failed'],
    ['the SDK UnauthorizedError', new UnauthorizedError(), 'authentication_failed'],
    ['HTTP 503', new StreamableHTTPError(503, 'x'), 'backend_unavailable'],
    ['HTTP 500', new StreamableHTTPError(500, 'x'), 'backend_unavailable'],
    ['HTTP 429', new StreamableHTTPError(429, 'x'), 'backend_unavailable'],
    ['HTTP 404', new StreamableHTTPError(404, 'x'), 'protocol_error'],
    [
      'an unexpected content type',
      new StreamableHTTPError(-1, 'Unexpected content type'),
      'protocol_error',
    ],
    ['unparsable JSON', new SyntaxError('Unexpected token'), 'protocol_error'],
    [
      'an invalid JSON-RPC message',
      z.object({ a: z.string() }).safeParse({}).error,
      'protocol_error',
    ],
    ['method not found', new McpError(ErrorCode.MethodNotFound, 'x'), 'protocol_error'],
    [
      'an internal error answering ping',
      new McpError(ErrorCode.InternalError, 'x'),
      'health_check_failed',
    ],
    ['anything else', new Error('something'), 'health_check_failed'],
    ['a thrown string', 'boom', 'health_check_failed'],
  ];
  for (const [what, err, category] of cases) {
    it(`${what} → ${category}`, function () {
      expect(classifyProbeError(err).category).to.equal(category);
    });
  }

  it('says when the backend asked for credentials, with the HTTP status', function () {
    expect(classifyProbeError(new StreamableHTTPError(401, 'x'))).to.deep.equal({
      category: 'authentication_failed',
      authRequired: true,
      httpStatus: 401,
    });
    expect(classifyProbeError(new StreamableHTTPError(503, 'x')).authRequired).to.equal(false);
  });

  it('only ever answers a category from the fixed set, never raw text', function () {
    for (const [, err] of cases) {
      const result = classifyProbeError(err);
      expect(ERROR_CATEGORIES).to.include(result.category);
      expect(JSON.stringify(result)).not.to.match(/10\.0\.0\.7|raw/);
    }
  });
});
