import { expect } from 'chai';
import { ConfigError } from '../../../src/errors.js';
import { createLogger, resolveLogFormat } from '../../../src/logger.js';

function into(format: 'auto' | 'json' | 'pretty', isTTY: boolean) {
  const written: string[] = [];
  const logger = createLogger({
    level: 'info',
    format,
    isTTY,
    destination: { write: (chunk: string) => written.push(chunk) },
  });
  return { logger, written };
}

describe('createLogger formats (--log-format)', function () {
  it('auto is pretty on a terminal and JSON lines elsewhere', function () {
    expect(resolveLogFormat('auto', true)).to.equal('pretty');
    expect(resolveLogFormat('auto', false)).to.equal('json');
    expect(resolveLogFormat('json', true)).to.equal('json');
    expect(resolveLogFormat('pretty', false)).to.equal('pretty');
  });

  it('refuses a format it does not know, naming the flag and the choices', function () {
    expect(() => resolveLogFormat('yaml', true)).to.throw(
      ConfigError,
      /--log-format.*auto, json, pretty/,
    );
  });

  it('json writes one JSON object per line, even on a terminal', function () {
    const { logger, written } = into('json', true);
    logger.child({ component: 'c' }).info({ n: 1 }, 'hello');
    expect(written).to.have.length(1);
    expect(JSON.parse(written[0]!)).to.include({ msg: 'hello', component: 'c', n: 1, level: 30 });
  });

  it('pretty writes one line of text per record, without colours off a terminal', function () {
    const { logger, written } = into('pretty', false);
    logger.info({ token: 's3cr3t', n: 1 }, 'hello');
    expect(written).to.have.length(1);
    expect(written[0]).to.match(/^\d\d:\d\d:\d\d info {5}hello {2}token=\[redacted\] {2}n=1\n$/);
    expect(written[0]).not.to.include('s3cr3t');
    expect(written[0]).not.to.include('\u001b[');
  });

  it('auto on a terminal writes the human form, in colour', function () {
    const { logger, written } = into('auto', true);
    logger.warn('careful');
    expect(written[0]?.slice(8)).to.equal(' \u001b[33mwarn    \u001b[0m careful\n');
  });
});
