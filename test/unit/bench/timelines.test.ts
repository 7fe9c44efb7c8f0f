import { expect } from 'chai';
import {
  FLAP_PERIOD_REAL_MS,
  buildTimeline,
  checkEvent,
  quietTimeline,
  type Timeline,
} from '../../../bench/timelines.js';

const options = { intervalMs: 2000, durationMs: 20_000, compression: 15 };

/** Status changes recomputed from the events alone. */
function changesOf(timeline: Timeline): Array<[number, number, string]> {
  const status = timeline.initial.map((c) => c[2] as string);
  const changes: Array<[number, number, string]> = [];
  for (const [atMs, backend, next] of timeline.events) {
    if (status[backend] !== next) changes.push([atMs, backend, next]);
    status[backend] = next;
  }
  return changes;
}

describe('bench/timelines', () => {
  it('steady: every backend probed once per interval, no status change', () => {
    const timeline = buildTimeline('steady', options);
    expect(timeline.backends).to.have.length(10);
    expect(timeline.changes).to.deep.equal([]);
    expect(timeline.events.filter((e) => e[1] === 3)).to.have.length(9);
    expect(timeline.events.every((e) => e[2] === 'healthy' && e[4] === 0)).to.be.true;
  });

  it('flapping: backend 0 flips every 2 s of real time, compressed', () => {
    const timeline = buildTimeline('flapping', options);
    const flips = timeline.changes.filter((c) => c.backend === 'backend-000');
    expect(flips.length).to.equal(Math.ceil(options.durationMs / (FLAP_PERIOD_REAL_MS / 15)) - 1);
    expect(flips[1]?.atMs).to.be.closeTo(2 * (FLAP_PERIOD_REAL_MS / 15), 0.001);
    expect(flips[0]?.untilMs).to.equal(flips[1]?.atMs);
  });

  it('random: seeded, so the same seed gives the same timeline and another seed another', () => {
    const a = buildTimeline('random', { ...options, seed: 7 });
    expect(buildTimeline('random', { ...options, seed: 7 })).to.deep.equal(a);
    expect(buildTimeline('random', { ...options, seed: 8 }).events).to.not.deep.equal(a.events);
    expect(a.backends).to.have.length(100);
    expect(a.changes.length).to.be.greaterThan(0);
  });

  for (const kind of ['isolated', 'flapping', 'random'] as const) {
    it(`${kind}: the listed changes are exactly the status changes of the events, in order`, () => {
      const timeline = buildTimeline(kind, options);
      expect(
        timeline.changes.map((c) => [
          c.atMs,
          timeline.backends.findIndex((b) => b.name === c.backend),
          c.status,
        ]),
      ).to.deep.equal(changesOf(timeline));
      const sorted = timeline.events.every(
        (e, i, all) => i === 0 || (all[i - 1]?.[0] ?? 0) <= e[0],
      );
      expect(sorted).to.be.true;
    });
  }

  it('isolated: backend 0 changes every 1.5 intervals; changeOffsetMs moves the changes, not the probes', () => {
    const timeline = buildTimeline('isolated', options);
    expect(timeline.changes.map((c) => c.atMs)).to.deep.equal([
      1500, 4500, 7500, 10_500, 13_500, 16_500, 19_500,
    ]);
    const later = buildTimeline('isolated', { ...options, changeOffsetMs: 1000 });
    expect(later.changes.map((c) => c.atMs)).to.deep.equal([
      2500, 5500, 8500, 11_500, 14_500, 17_500,
    ]);
    const probes = (t: Timeline) => t.events.filter((e) => e[1] !== 0);
    expect(probes(later)).to.deep.equal(probes(timeline));
  });

  it('quietTimeline: healthy backends, nothing replayed; checkEvent turns a check into what a runtime gets', () => {
    const quiet = quietTimeline(3);
    expect(quiet.initial).to.deep.equal([
      [0, 0, 'healthy', 5, 0],
      [0, 1, 'healthy', 5, 0],
      [0, 2, 'healthy', 5, 0],
    ]);
    expect(quiet.events).to.deep.equal([]);
    const at = new Date(0);
    expect(checkEvent(quiet, [0, 1, 'unhealthy', 0, 3], at)).to.deep.include({
      name: 'backend-001',
      status: 'unhealthy',
      errorCategory: 'connection_failed',
      consecutiveFailures: 3,
      checkedAt: at,
    });
    expect(checkEvent(quiet, [0, 7, 'healthy', 5, 0], at)).to.equal(undefined);
  });

  it('an unhealthy backend counts its failures up from the threshold', () => {
    const timeline = buildTimeline('random', { ...options, seed: 3 });
    for (const [, backend, status, , failures] of timeline.events) {
      if (status !== 'unhealthy') expect(failures, `backend ${String(backend)}`).to.equal(0);
      else expect(failures).to.be.at.least(3);
    }
  });

  it('names the field of a bad option', () => {
    expect(() => buildTimeline('steady', { ...options, intervalMs: 0 })).to.throw(/intervalMs/);
  });
});
