import {
  asyncScheduler,
  concat,
  defer,
  ignoreElements,
  map,
  of,
  repeat,
  timer,
  type Observable,
  type SchedulerLike,
} from 'rxjs';
import { ConfigError } from '../errors.js';
import type { Phase } from '../types.js';
import { checkNumber } from '../validate.js';
import type { ScriptedMcpServerMode } from './scripted-mcp-server.js';

/** The demo's backends: names, and how many tools each offers (`github` pages them). */
export const DEMO_BACKENDS = [
  { name: 'github', tools: 12, pageSize: 5 },
  { name: 'jira', tools: 4 },
  { name: 'search', tools: 6 },
] as const;

/** One of {@link DEMO_BACKENDS}. */
export type DemoBackendName = (typeof DEMO_BACKENDS)[number]['name'];

/** One step of the demo: how every backend answers, for how long, and what the runtime should then report. */
export interface DemoStep {
  /** The phase the runtime reports once it has seen this step. */
  readonly phase: Phase;
  /** How long the step lasts, in ms of demo time. */
  readonly forMs: number;
  /** What happens, in a few words. */
  readonly note: string;
  readonly modes: Readonly<Record<DemoBackendName, ScriptedMcpServerMode>>;
}

/**
 * The demo's loop, 45 s: Ready (every backend answers), Degraded (`search` is down),
 * Failed (every backend is down), and again. Recovering backends are `degraded` for one
 * probe before they are `healthy`, so Failed goes back to Ready through a short
 * Degraded.
 */
export const DEMO_TIMELINE: readonly DemoStep[] = [
  {
    phase: 'Ready',
    forMs: 15_000,
    note: 'every backend answers',
    modes: { github: 'ok', jira: 'ok', search: 'ok' },
  },
  {
    phase: 'Degraded',
    forMs: 15_000,
    note: 'search is down (503)',
    modes: { github: 'ok', jira: 'ok', search: 'unavailable' },
  },
  {
    phase: 'Failed',
    forMs: 15_000,
    note: 'every backend is down (503)',
    modes: { github: 'unavailable', jira: 'unavailable', search: 'unavailable' },
  },
];

/** A step starting, as {@link demoTimeline} emits it. */
export interface DemoStepStarted {
  readonly step: DemoStep;
  /** Which pass through the timeline, from 0. */
  readonly cycle: number;
  /** When it starts, in ms of demo time since the start (before `speed`). */
  readonly atMs: number;
}

/** Options of {@link demoTimeline}. */
export interface DemoTimelineOptions {
  /** Defaults to {@link DEMO_TIMELINE}. */
  readonly timeline?: readonly DemoStep[];
  /** Demo time runs this many times faster than real time (tests). Defaults to 1. */
  readonly speed?: number;
}

/**
 * The timeline's steps as they start, looping for ever: the first at subscription,
 * each next one when the previous one's `forMs` (divided by `speed`) has passed.
 *
 * ```
 * timeline: Ready 15s, Degraded 15s, Failed 15s
 * result:   R 14999ms D 14999ms F 14999ms R …   (speed 1)
 * ```
 *
 * @throws ConfigError naming `speed` or the `timeline` field that is not usable.
 */
export function demoTimeline(
  options: DemoTimelineOptions = {},
  scheduler: SchedulerLike = asyncScheduler,
): Observable<DemoStepStarted> {
  const timeline = options.timeline ?? DEMO_TIMELINE;
  const speed = checkNumber('speed', options.speed ?? 1, { min: 1 });
  if (timeline.length === 0) throw new ConfigError('timeline', 'at least one step');
  timeline.forEach((step, i) => checkNumber(`timeline[${i}].forMs`, step.forMs, { min: 1 }));
  const cycleMs = timeline.reduce((sum, step) => sum + step.forMs, 0);
  const oneCycle = concat(
    ...timeline.map((step, index) =>
      concat(of({ step, index }), timer(step.forMs / speed, scheduler).pipe(ignoreElements())),
    ),
  );
  return defer(() => oneCycle).pipe(
    repeat(),
    map(({ step, index }, n) => {
      const cycle = Math.floor(n / timeline.length);
      const before = timeline.slice(0, index).reduce((sum, s) => sum + s.forMs, 0);
      return { step, cycle, atMs: cycle * cycleMs + before };
    }),
  );
}
