import { expect } from 'chai';
import { pino } from 'pino';
import { duplicateKeys } from '../../support/log/duplicate-keys.js';

describe('duplicateKeys (the test helper that catches a key written twice)', function () {
  it('finds a key repeated at the top and inside nested objects and arrays', function () {
    expect(duplicateKeys('{"a":1,"b":{"c":2,"c":3},"a":"x","l":[{"d":1,"d":2}]}')).to.deep.equal([
      'b.c',
      'a',
      'l.0.d',
    ]);
  });

  it('finds none in JSON without repeats, escapes and all', function () {
    expect(
      duplicateKeys('{"a\\"b":"}\\"{","c":[1,-2.5e3,true,null,{}],"d":{"a\\"b":1}}'),
    ).to.deep.equal([]);
  });

  it('refuses text that is not JSON', function () {
    expect(() => duplicateKeys('{"a":1')).to.throw(SyntaxError);
    expect(() => duplicateKeys('{"a":1} x')).to.throw(SyntaxError);
  });

  it('catches what a pino child of a child writes with the same binding', function () {
    const lines: string[] = [];
    const logger = pino({ base: null }, { write: (line: string) => lines.push(line) });
    logger.child({ component: 'monitor' }).child({ component: 'probe' }).info('x');
    expect(duplicateKeys(lines[0]!.trim())).to.deep.equal(['component']);
  });
});
