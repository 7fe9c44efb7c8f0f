import { expect } from 'chai';
import { VirtualTimeScheduler, take, toArray } from 'rxjs';
import { ConfigError } from '../../../src/errors.js';
import { DEMO_TIMELINE, demoTimeline, type DemoStep } from '../../../src/demo/demo-timeline.js';

/** The steps that start until `untilMs` of virtual time: [time, phase, cycle]. */
function startsUntil(untilMs: number, speed = 1, timeline?: readonly DemoStep[]) {
  const scheduler = new VirtualTimeScheduler(undefined, untilMs);
  const seen: Array<[number, string, number, number]> = [];
  demoTimeline({ speed, ...(timeline === undefined ? {} : { timeline }) }, scheduler).subscribe(
    ({ step, cycle, atMs }) => {
      seen.push([scheduler.now(), step.phase, cycle, atMs]);
    },
  );
  scheduler.flush();
  return seen;
}

describe('demoTimeline (the demo loop)', function () {
  it('goes Ready, Degraded, Failed and back to Ready within a minute, and repeats', function () {
    expect(startsUntil(100_000)).to.deep.equal([
      [0, 'Ready', 0, 0],
      [15_000, 'Degraded', 0, 15_000],
      [30_000, 'Failed', 0, 30_000],
      [45_000, 'Ready', 1, 45_000],
      [60_000, 'Degraded', 1, 60_000],
      [75_000, 'Failed', 1, 75_000],
      [90_000, 'Ready', 2, 90_000],
    ]);
  });

  it('runs faster by a speed factor; demo times stay as they were', function () {
    expect(startsUntil(9_000, 10)).to.deep.equal([
      [0, 'Ready', 0, 0],
      [1_500, 'Degraded', 0, 15_000],
      [3_000, 'Failed', 0, 30_000],
      [4_500, 'Ready', 1, 45_000],
      [6_000, 'Degraded', 1, 60_000],
      [7_500, 'Failed', 1, 75_000],
      [9_000, 'Ready', 2, 90_000],
    ]);
  });

  it('takes one backend down for Degraded and every backend for Failed', function () {
    const down = (step: DemoStep) =>
      Object.entries(step.modes)
        .filter(([, mode]) => mode !== 'ok')
        .map(([name]) => name);
    expect(DEMO_TIMELINE.map((s) => [s.phase, down(s)])).to.deep.equal([
      ['Ready', []],
      ['Degraded', ['search']],
      ['Failed', ['github', 'jira', 'search']],
    ]);
  });

  it('plays a timeline it is given, step by step', function () {
    const ok = { github: 'ok', jira: 'ok', search: 'ok' } as const;
    const timeline: DemoStep[] = [
      { phase: 'Ready', forMs: 1_000, note: 'a', modes: ok },
      { phase: 'Failed', forMs: 250, note: 'b', modes: ok },
    ];
    expect(startsUntil(2_600, 1, timeline).map(([t, phase]) => [t, phase])).to.deep.equal([
      [0, 'Ready'],
      [1_000, 'Failed'],
      [1_250, 'Ready'],
      [2_250, 'Failed'],
      [2_500, 'Ready'],
    ]);
  });

  it('emits the first step at once, without waiting', function () {
    const scheduler = new VirtualTimeScheduler();
    let first: string | undefined;
    demoTimeline({}, scheduler)
      .pipe(take(1), toArray())
      .subscribe((steps) => (first = steps[0]?.step.phase));
    expect(first).to.equal('Ready');
  });

  it('refuses a speed below 1 or an empty timeline, naming the field', function () {
    expect(() => demoTimeline({ speed: 0.5 })).to.throw(ConfigError, /speed/);
    expect(() => demoTimeline({ timeline: [] })).to.throw(ConfigError, /timeline/);
  });
});
