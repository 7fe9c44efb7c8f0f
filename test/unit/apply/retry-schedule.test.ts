import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { RetrySchedule } from '../../../src/apply/retry-schedule.js';
import { eventually } from '../../support/mcp/eventually.js';

describe('RetrySchedule', () => {
  const schedules: RetrySchedule[] = [];
  afterEach(() => {
    for (const s of schedules.splice(0)) s.stop();
  });
  const scheduleAt = (clock: { now: number }, backoff = { initialMs: 10, maxMs: 40 }) => {
    const due = { count: 0 };
    const schedule = new RetrySchedule({
      backoff,
      now: () => clock.now,
      onDue: () => due.count++,
    });
    schedules.push(schedule);
    return { schedule, due };
  };

  it('holds writes back for the whole Retry-After, not only the backoff step', () => {
    const clock = { now: 1_000 };
    const { schedule } = scheduleAt(clock);
    expect(schedule.backOff(60_000)).to.equal(60_000);
    clock.now += 59_999;
    expect(schedule.backingOff).to.equal(true);
    clock.now += 1;
    expect(schedule.backingOff).to.equal(false);
  });

  it('grows the backoff step by step, capped, and starts over after a success', () => {
    const clock = { now: 0 };
    const { schedule } = scheduleAt(clock, { initialMs: 100, maxMs: 400 });
    const steps = [0, 1, 2, 3, 4].map(() => schedule.backOff());
    // Jittered within [ceiling/2, ceiling]: 100, 200, 400, 400, 400.
    expect(steps[0]).to.be.within(50, 100);
    expect(steps[1]).to.be.within(100, 200);
    for (const step of steps.slice(2)) expect(step).to.be.within(200, 400);
    schedule.succeeded();
    expect(schedule.backingOff).to.equal(false);
    expect(schedule.backOff()).to.be.within(50, 100);
  });

  it('calls onDue once when the backoff ends, and keeps a retry for its end when another reason took the timer', async () => {
    const clock = { now: Date.now() };
    const { schedule, due } = scheduleAt(clock);
    schedule.backOff(30);
    await eventually(() => due.count === 1, { what: 'the retry' });
    // A shorter wait (another replica's Lease term) replaces the timer and fires first…
    schedule.backOff(10_000);
    schedule.after(5);
    await eventually(() => due.count === 2, { what: 'the shorter wait' });
    // …and a write asking then still waits, with a retry scheduled for the backoff's end.
    expect(schedule.backingOff).to.equal(true);
    clock.now += 10_000;
    expect(schedule.backingOff).to.equal(false);
  });

  it('runs nothing after stop', async () => {
    const clock = { now: Date.now() };
    const { schedule, due } = scheduleAt(clock);
    schedule.after(5);
    schedule.stop();
    schedule.after(5);
    await sleep(30);
    expect(due.count).to.equal(0);
  });
});
