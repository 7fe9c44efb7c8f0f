import { expect } from 'chai';
import { ConfigError } from '../../../src/errors.js';
import {
  formatDuration,
  parseDuration,
  toMilliseconds,
} from '../../../src/runtime/parse-duration.js';

describe('parseDuration', function () {
  const valid: [string, number][] = [
    ['30s', 30_000],
    ['2m', 120_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1_500],
    ['250ms', 250],
    ['0', 0],
    ['0s', 0],
    ['1m30s500ms', 90_500],
    ['1500us', 1.5],
  ];
  for (const [text, ms] of valid) {
    it(`reads ${text} as ${ms} ms`, function () {
      expect(parseDuration('f', text)).to.equal(ms);
    });
  }

  for (const text of ['30', '', 's', '-5s', '10 s', '1d', 'abc', '5sec']) {
    it(`rejects ${JSON.stringify(text)} with a ConfigError naming the field`, function () {
      expect(() => parseDuration('--interval', text))
        .to.throw(ConfigError, /--interval: expected a duration/)
        .with.property('field', '--interval');
    });
  }

  it('toMilliseconds takes numbers as milliseconds and strings as durations', function () {
    expect(toMilliseconds('i', 1_000)).to.equal(1_000);
    expect(toMilliseconds('i', '2s')).to.equal(2_000);
    expect(() => toMilliseconds('i', -1)).to.throw(ConfigError);
    expect(() => toMilliseconds('i', Number.NaN)).to.throw(ConfigError);
  });

  it('formats durations the Go way', function () {
    expect(formatDuration(90_000)).to.equal('1m30s');
    expect(formatDuration(5_000)).to.equal('5s');
    expect(formatDuration(250)).to.equal('250ms');
    expect(formatDuration(3_600_000)).to.equal('1h');
    expect(formatDuration(0)).to.equal('0s');
  });
});
