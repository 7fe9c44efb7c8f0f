import { expect } from 'chai';
import { TestScheduler } from 'rxjs/testing';

/** A fresh TestScheduler comparing with chai's deep equality, one per test. */
export function testScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => {
    expect(actual).to.deep.equal(expected);
  });
}
