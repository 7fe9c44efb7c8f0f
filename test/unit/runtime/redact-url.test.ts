import { expect } from 'chai';
import { REDACTED, redactUrl, redactUrlsIn } from '../../../src/redact-url.js';

describe('redactUrl', function () {
  it('replaces userinfo and the values of credential-like query parameters', function () {
    expect(redactUrl('https://user:s3cr3t@host.example/mcp?token=abc&x=1')).to.equal(
      `https://${REDACTED}@host.example/mcp?token=${REDACTED}&x=1`,
    );
  });

  it('knows token, key, secret, password, auth, signature and sig, in any case', function () {
    const names = [
      'token',
      'access_token',
      'api_key',
      'apiKey',
      'client_secret',
      'password',
      'passwd',
      'auth',
      'Authorization',
      'X-Amz-Signature',
      'sig',
      'credential',
    ];
    for (const name of names) {
      const shown = redactUrl(`http://h/p?${name}=VALUE-${name}&keep=this`);
      expect(shown, name).to.not.include(`VALUE-${name}`);
      expect(shown, name).to.include(`${name}=${REDACTED}`).and.include('keep=this');
    }
  });

  it('redacts fragment parameters too (OAuth implicit flow)', function () {
    expect(redactUrl('http://h/cb#access_token=zzz&state=ok')).to.equal(
      `http://h/cb#access_token=${REDACTED}&state=ok`,
    );
  });

  it('leaves a URL without credentials as it was, and is idempotent', function () {
    const plain = 'http://127.0.0.1:8080/mcp?page=2';
    expect(redactUrl(plain)).to.equal(plain);
    const once = redactUrl('https://u:p@h/mcp?key=1');
    expect(redactUrl(once)).to.equal(once);
  });

  it('scrubs text that is no URL', function () {
    expect(redactUrl('not a url //u:pw@h ?token=abc')).to.equal(
      `not a url //${REDACTED}@h ?token=${REDACTED}`,
    );
  });
});

describe('redactUrlsIn', function () {
  it('redacts every URL credential inside free text', function () {
    const text =
      'request to https://bob:hunter2@api.example/mcp?api_key=K1&q=1 failed; retry http://x/y?password=P2';
    const shown = redactUrlsIn(text);
    for (const secret of ['hunter2', 'bob', 'K1', 'P2']) expect(shown).to.not.include(secret);
    expect(shown).to.include('q=1').and.include('api.example/mcp');
  });
});
