import { expect } from 'chai';
import { ConfigError } from '../../../src/errors.js';
import { createLogger } from '../../../src/logger.js';

const destination = { write: (): void => undefined };

describe('createLogger and LOG_LEVEL', () => {
  const saved = process.env.LOG_LEVEL;
  afterEach(() => {
    if (saved === undefined) delete process.env.LOG_LEVEL;
    else process.env.LOG_LEVEL = saved;
  });

  it('names LOG_LEVEL and the levels it takes when it holds no level', () => {
    process.env.LOG_LEVEL = 'loud';
    expect(() => createLogger({ destination }))
      .to.throw(ConfigError)
      .with.property(
        'message',
        'LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent, got "loud"',
      );
  });

  it('takes a valid LOG_LEVEL, and info when it is empty', () => {
    process.env.LOG_LEVEL = 'trace';
    expect(createLogger({ destination }).level).to.equal('trace');
    process.env.LOG_LEVEL = '';
    expect(createLogger({ destination }).level).to.equal('info');
  });
});
