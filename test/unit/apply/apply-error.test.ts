import { expect } from 'chai';
import { ApiException } from '@kubernetes/client-node';
import { classifyApplyError, unknownStatusFields } from '../../../src/apply/apply-error.js';
import { backoffDelay } from '../../../src/apply/backoff.js';
import { TokenBucket } from '../../../src/reactive/token-bucket.js';

const apiError = (code: number, body: unknown, headers: Record<string, string> = {}) =>
  new ApiException(code, 'failed', typeof body === 'string' ? body : JSON.stringify(body), headers);

describe('classifyApplyError', () => {
  it('retries 429 honouring Retry-After, 5xx and 409', () => {
    expect(
      classifyApplyError(apiError(429, { reason: 'TooManyRequests' }, { 'retry-after': '3' })),
    ).to.deep.include({ kind: 'retriable', code: 429, retryAfterMs: 3000 });
    expect(classifyApplyError(apiError(503, {}))).to.deep.include({ kind: 'retriable', code: 503 });
    expect(classifyApplyError(apiError(409, {}))).to.deep.include({ kind: 'retriable', code: 409 });
  });

  it('treats an error without an HTTP answer as the API being unreachable', () => {
    const err = Object.assign(new Error('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    expect(classifyApplyError(err)).to.deep.equal({
      kind: 'retriable',
      summary: 'apiserver unreachable (ECONNREFUSED)',
    });
  });

  it('treats a request abandoned after its timeout as the API being unreachable', () => {
    // What fetch rejects with when AbortSignal.timeout() fires.
    const err = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    expect(classifyApplyError(err)).to.deep.equal({
      kind: 'retriable',
      summary: 'apiserver unreachable (no answer in time)',
    });
  });

  it('does not retry 404, 403 and 422 blindly', () => {
    expect(classifyApplyError(apiError(404, {})).kind).to.equal('not-found');
    expect(classifyApplyError(apiError(403, { message: 'forbidden' })).kind).to.equal('forbidden');
    const invalid = classifyApplyError(
      apiError(422, {
        message: 'invalid',
        details: { causes: [{ field: 'status.phase', message: 'Unsupported value: "Running"' }] },
      }),
    );
    expect(invalid).to.deep.include({ kind: 'invalid', code: 422 });
    expect(invalid.kind === 'invalid' && invalid.causes).to.deep.equal([
      'status.phase: Unsupported value: "Running"',
    ]);
  });

  it('reads unknown status fields out of a strict-validation 400', () => {
    const message =
      'failed to create typed patch object (ns/x; vmcp-status.dev/v1beta1, Kind=VirtualMCPServer): ' +
      '.status.totalToolCount: field not declared in schema, .status.discoveredBackends[name="a"].toolCount: field not declared in schema';
    expect(classifyApplyError(apiError(400, { message }))).to.deep.include({
      kind: 'unknown-fields',
      fields: ['discoveredBackends[].toolCount', 'totalToolCount'],
    });
    expect(unknownStatusFields('unknown field "status.totalToolCount"')).to.deep.equal([
      'totalToolCount',
    ]);
    expect(classifyApplyError(apiError(400, { message: 'something else' })).kind).to.equal(
      'invalid',
    );
  });
});

describe('backoffDelay', () => {
  it('grows exponentially with jitter, is capped, and respects Retry-After', () => {
    const opts = { initialMs: 100, maxMs: 1000 };
    expect(backoffDelay(0, opts, undefined, () => 0)).to.equal(50);
    expect(backoffDelay(0, opts, undefined, () => 1)).to.equal(100);
    expect(backoffDelay(3, opts, undefined, () => 1)).to.equal(800);
    expect(backoffDelay(30, opts, undefined, () => 1)).to.equal(1000);
    expect(backoffDelay(0, opts, 5000, () => 1)).to.equal(5000);
  });
});

describe('TokenBucket', () => {
  it('allows a burst, then one per refill period', () => {
    let now = 0;
    const bucket = new TokenBucket(3, 1000, () => now);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).to.deep.equal([
      true,
      true,
      true,
      false,
    ]);
    now = 999;
    expect(bucket.take()).to.equal(false);
    now = 1000;
    expect([bucket.take(), bucket.take()]).to.deep.equal([true, false]);
    now = 100_000;
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).to.deep.equal([
      true,
      true,
      true,
      false,
    ]);
  });
});

describe('classifyApplyError on the SSA unknown-field answer', () => {
  it('reads unknown fields out of the 500 the apiserver gives for a strict apply', () => {
    const message =
      'failed to create typed patch object (ns/legacy; legacy.toolhive.test/v1beta1, Kind=VirtualMCPServer): .status.totalToolCount: field not declared in schema';
    expect(classifyApplyError(apiError(500, { message, code: 500 }))).to.deep.include({
      kind: 'unknown-fields',
      fields: ['totalToolCount'],
    });
    expect(classifyApplyError(apiError(500, { message: 'etcd is gone' })).kind).to.equal(
      'retriable',
    );
  });
});

describe('classifyApplyError on 403', () => {
  it('tells an RBAC refusal from an admission policy denial', () => {
    const rbac = classifyApplyError(
      apiError(403, {
        message:
          'virtualmcpservers.vmcp-status.dev "x" is forbidden: User "u" cannot patch resource',
      }),
    );
    const policy = classifyApplyError(
      apiError(403, {
        message:
          "virtualmcpservers.vmcp-status.dev \"x\" is forbidden: ValidatingAdmissionPolicy 'vmcp-status-ownership' with binding 'vmcp-status-ownership' denied request: …",
      }),
    );
    expect(rbac).to.deep.include({ kind: 'forbidden', byPolicy: false });
    expect(policy).to.deep.include({ kind: 'forbidden', byPolicy: true });
  });
});
