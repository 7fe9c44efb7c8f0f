import { readFile } from 'node:fs/promises';
import { expect } from 'chai';
import { ConfigFileError, loadConfigFile, parseConfig } from '../../../src/cli/config-file.js';
import { ConfigError } from '../../../src/errors.js';

function problemsOf(text: string, env: Record<string, string> = {}): string[] {
  try {
    parseConfig(text, 'cfg.yaml', env);
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigFileError);
    return (err as ConfigFileError).problems.map((p) => p.message);
  }
  expect.fail('the config was accepted');
}

describe('config file', function () {
  const expected = {
    reportIntervalMs: 120_000,
    callTimeoutMs: 20_000,
    backends: [
      { name: 'a', url: 'http://127.0.0.1:1/mcp' },
      { name: 'b', url: 'https://b.example/sse', transport: 'sse' },
    ],
    aggregation: {
      conflictResolution: 'priority',
      conflictResolutionConfig: { priorityOrder: ['b', 'a'] },
    },
    monitor: {
      probeIntervalMs: 15_000,
      probeTimeoutMs: 3_000,
      degradedThresholdMs: 1_500,
      unhealthyThreshold: 5,
      maxConcurrentProbes: 4,
      circuitBreaker: { failureThreshold: 2, openTimeoutMs: 30_000 },
    },
    notes: [],
  };

  it("reads ToolHive's spec.config shape, durations in ms", function () {
    const config = parseConfig(`
backends:
  - { name: a, url: "http://127.0.0.1:1/mcp" }
  - { name: b, url: "https://b.example/sse", transport: sse }
aggregation: { conflictResolution: priority, conflictResolutionConfig: { priorityOrder: [b, a] } }
operational:
  timeouts: { default: 20s }
  failureHandling:
    statusReportingInterval: 2m
    healthCheckInterval: 15s
    healthCheckTimeout: 3s
    degradedThreshold: 1.5s
    unhealthyThreshold: 5
    maxConcurrentChecks: 4
    circuitBreaker: { enabled: true, failureThreshold: 2, timeout: 30s }
`);
    expect(config).to.deep.equal(expected);
  });

  it('still reads the keys of earlier releases, with a note saying what to use instead', function () {
    const config = parseConfig(`
interval: 2m
probe:
  interval: 15s
  timeout: 3s
  degradedThreshold: 1.5s
  unhealthyThreshold: 5
  maxConcurrent: 4
  circuitBreaker: { failureThreshold: 2, openTimeout: 30s }
operational: { timeouts: { default: 20s } }
aggregation: { conflictResolution: priority, conflictResolutionConfig: { priorityOrder: [b, a] } }
backends:
  - { name: a, url: "http://127.0.0.1:1/mcp" }
  - { name: b, url: "https://b.example/sse", transport: sse }
`);
    expect({ ...config, notes: [] }).to.deep.equal(expected);
    expect(config.notes).to.deep.equal([
      'interval is deprecated: use operational.failureHandling.statusReportingInterval',
      'probe.interval is deprecated: use operational.failureHandling.healthCheckInterval',
      'probe.timeout is deprecated: use operational.failureHandling.healthCheckTimeout',
      'probe.degradedThreshold is deprecated: use operational.failureHandling.degradedThreshold',
      'probe.unhealthyThreshold is deprecated: use operational.failureHandling.unhealthyThreshold',
      'probe.maxConcurrent is deprecated: use operational.failureHandling.maxConcurrentChecks',
      'probe.circuitBreaker is deprecated: use operational.failureHandling.circuitBreaker',
    ]);
  });

  it('leaves out what the file does not set; a circuit breaker not enabled is none', function () {
    for (const text of [
      'operational: { failureHandling: { circuitBreaker: { failureThreshold: 3 } } }\nbackends: []',
      'probe: { circuitBreaker: { enabled: false } }\nbackends: []',
    ]) {
      const { notes: _notes, ...config } = parseConfig(text);
      expect(config).to.deep.equal({ backends: [], aggregation: {}, monitor: {} });
    }
  });

  it('rejects credentials in a backend URL, says to use headers, and never echoes them', function () {
    const problems = problemsOf(`
backends:
  - { name: a, url: "https://user:SECRET-PW@a.example/mcp?token=SECRET-Q" }
`);
    expect(problems).to.have.length(1);
    const [problem = ''] = problems;
    expect(problem).to.match(/^backends\[0\]\.url: expected a URL without credentials/);
    expect(problem).to.include('headers');
    expect(problem).to.not.include('SECRET');
    expect(problem).to.include('REDACTED@a.example').and.include('token=REDACTED');
  });

  it('accepts credential-like query parameters (redacted wherever shown)', function () {
    const config = parseConfig('backends: [{ name: a, url: "http://a/mcp?token=T" }]');
    expect(config.backends[0]?.url).to.equal('http://a/mcp?token=T');
  });

  it('reads maxReportedBackends, and names it when it is no count', function () {
    expect(parseConfig('maxReportedBackends: 100').maxReportedBackends).to.equal(100);
    expect(problemsOf('maxReportedBackends: -1')).to.deep.equal([
      'maxReportedBackends: expected an integer >= 0, got "-1"',
    ]);
    expect(problemsOf('maxReportedBackends: lots')).to.deep.equal([
      'maxReportedBackends: expected an integer >= 0, got "lots"',
    ]);
  });

  it('names the field of each problem', function () {
    expect(
      problemsOf(`
interval: 30
probe: { timeout: 10 parsecs, unhealthyThreshold: 0 }
backends:
  - { name: ok, url: "ftp://x" }
  - { url: "http://127.0.0.1/mcp", transport: websocket }
`),
    ).to.deep.equal([
      'interval: expected a duration such as 30s, 1m30s or 500ms, got "30"',
      'probe.timeout: expected a duration such as 30s, 1m30s or 500ms, got "10 parsecs"',
      'probe.unhealthyThreshold: expected an integer >= 1, got "0"',
      'backends[0].url: expected an http:// or https:// URL, got "ftp://x"',
      'backends[1].name: expected a name (it is missing)',
      'backends[1].transport: expected one of auto, streamable-http, sse, got "websocket"',
    ]);
  });

  it('rejects unknown fields, listing the known ones', function () {
    const [problem] = problemsOf(`backends: [{ name: a, url: "http://x/mcp", urll: y }]`);
    expect(problem).to.equal('backends[0].urll: expected no such field');
    expect(problemsOf('intervall: 5s\nbackends: []')[0]).to.match(
      /^intervall: expected no such field \(known fields: backends, aggregation, operational, maxReportedBackends, interval, probe\)$/,
    );
  });

  it('takes no backends when the file lists none (Kubernetes mode reads the spec), and wants unique names', function () {
    expect(
      parseConfig('operational: { failureHandling: { statusReportingInterval: 5s } }').backends,
    ).to.deep.equal([]);
    expect(problemsOf('backends: 5')).to.deep.equal([
      'backends: expected a list of backends, got "5"',
    ]);
    expect(
      problemsOf(`backends: [{ name: a, url: "http://x/1" }, { name: a, url: "http://x/2" }]`),
    ).to.deep.equal(['backends[1].name: expected a name no other backend has, got "a"']);
  });

  it('reports YAML syntax errors with line and column, never quoting the file', function () {
    const text =
      'backends:\n  - name: a\n    headers: { Authorization: "Bearer SECRET-T" }\n   url: x';
    const problems = problemsOf(text);
    expect(problems).to.have.length(1);
    expect(problems[0]).to.match(/^line 4, column \d+: expected valid YAML \(.+\)$/);
    expect(problems[0]).to.not.include('SECRET');
    expect(problemsOf('backends: [ {')[0]).to.match(/^line 1, column 14: expected valid YAML/);
  });

  it('says a file that is YAML but no mapping should be one', function () {
    for (const text of ['just some words', '- a\n- b']) {
      expect(problemsOf(text)[0]).to.match(
        /^\(top level\): expected a YAML mapping of settings \(backends, aggregation, operational/,
      );
    }
  });

  it('names invalid backend names: characters, length', function () {
    expect(
      problemsOf(
        `backends: [{ name: "bad name!", url: "http://x/1" }, { name: "${'a'.repeat(254)}", url: "http://x/2" }]`,
      ).map((p) => p.split(':')[0]),
    ).to.deep.equal(['backends[0].name', 'backends[1].name']);
  });

  it('expands ${VAR} in headers from the environment and never echoes header values', function () {
    const text = `backends: [{ name: a, url: "http://x/mcp", headers: { Authorization: "Bearer \${TOKEN}" } }]`;
    const config = parseConfig(text, 'cfg', { TOKEN: 's3cret' });
    expect(config.backends[0]!.headers).to.deep.equal({ Authorization: 'Bearer s3cret' });
    expect(problemsOf(text)).to.deep.equal([
      'backends[0].headers.Authorization: expected the environment variable TOKEN to be set',
    ]);
    const bad = problemsOf(
      `backends: [{ name: a, url: "http://x/mcp", headers: { X-Key: 12345 } }]`,
    );
    expect(bad).to.deep.equal(['backends[0].headers.X-Key: expected a string']);
  });

  it('the error message starts with the file and names the first field', function () {
    try {
      parseConfig('backends: [{ name: a, url: nope }]', 'my.yaml');
      expect.fail('accepted');
    } catch (err) {
      expect(err).to.be.instanceOf(ConfigError);
      expect((err as ConfigError).field).to.equal('backends[0].url');
      expect((err as Error).message).to.match(/^my\.yaml: backends\[0\]\.url: /);
    }
  });

  it('a missing file is a ConfigError naming --config', async function () {
    const err = await loadConfigFile('/nonexistent/vmcp.yaml').catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ConfigError).with.property('field', '--config');
  });

  it('accepts the example config of the README', async function () {
    const text = await readFile(
      new URL('../../../examples/vmcp-status.yaml', import.meta.url),
      'utf8',
    );
    const config = parseConfig(text, 'example', { SEARCH_TOKEN: 't' });
    expect(config.backends.map((b) => b.name)).to.deep.equal(['github', 'jira', 'internal-search']);
    expect(config.monitor.circuitBreaker).to.deep.equal({
      failureThreshold: 5,
      openTimeoutMs: 60_000,
    });
  });
});
