import { expect } from 'chai';
import { flappingWriteBudget } from '../../../bench/benchmarks-report.js';

describe('flappingWriteBudget (the bench judges docs/embedding.md’s budget)', function () {
  it('is 8 in the first minute at 30 s and tends to 4 a minute, as the docs say', function () {
    expect(flappingWriteBudget(30, 1)).to.equal(8);
    expect(flappingWriteBudget(30, 10)).to.be.closeTo(4.4, 1e-9);
    expect(flappingWriteBudget(30, 1_000)).to.be.closeTo(4, 0.01);
  });

  it('scales with the interval: at 60 s, 2 a minute plus the burst', function () {
    expect(flappingWriteBudget(60, 1)).to.equal(6);
  });
});
