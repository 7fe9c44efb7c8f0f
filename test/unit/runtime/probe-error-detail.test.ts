import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { expect } from 'chai';
import { ProbeTimeoutError } from '../../../src/runtime/classify-probe-error.js';
import {
  MAX_ERROR_DETAIL,
  probeErrorDetail,
  scrubErrorDetail,
} from '../../../src/runtime/probe-error-detail.js';

describe('probeErrorDetail', function () {
  it('names class, code and HTTP status along the cause chain, never the message', function () {
    const cause = Object.assign(new Error('connect ECONNREFUSED https://u:SECRET@h/?token=T'), {
      code: 'ECONNREFUSED',
    });
    const err = new TypeError('fetch failed https://u:SECRET@h/?token=T', { cause });
    const detail = probeErrorDetail(err);
    expect(detail).to.equal('TypeError < Error ECONNREFUSED');
  });

  it('keeps a backend body out: an HTTP error says only its status', function () {
    const err = new StreamableHTTPError(500, 'Error POSTing: backend says SECRET-BODY');
    expect(probeErrorDetail(err)).to.equal('StreamableHTTPError HTTP 500');
  });

  it('gives the JSON-RPC code of an MCP error and the deadline of a timeout', function () {
    expect(probeErrorDetail(new McpError(ErrorCode.InternalError, 'SECRET'))).to.equal(
      'McpError JSON-RPC -32603',
    );
    expect(probeErrorDetail(new ProbeTimeoutError(500))).to.equal('ProbeTimeoutError after 500 ms');
  });

  it('is bounded, whatever the error looks like', function () {
    let err: Error = new Error('x');
    for (let i = 0; i < 20; i++) {
      err = Object.assign(new Error('y', { cause: err }), { code: 'E'.repeat(1_000) });
    }
    expect(probeErrorDetail(err).length).to.be.at.most(MAX_ERROR_DETAIL);
    expect(probeErrorDetail('a string')).to.equal('string');
  });
});

describe('scrubErrorDetail', function () {
  it('redacts URL credentials, drops control characters and bounds the text', function () {
    const shown = scrubErrorDetail(
      `GET https://u:SECRET@h/mcp?token=T2\n\u0000${'z'.repeat(1_000)}`,
    );
    expect(shown)
      .to.not.include('SECRET')
      .and.not.include('T2')
      .and.not.include('\n')
      .and.not.include('\u0000');
    expect(shown.length).to.be.at.most(MAX_ERROR_DETAIL);
  });
});
