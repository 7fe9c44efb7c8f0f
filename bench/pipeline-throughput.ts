/**
 * How much the reactive pipeline costs per health event, and what it keeps in memory,
 * for fleets of 10 to 10,000 backends, beside the naive pipeline of
 * bench/naive-pipeline.ts. Prints a table (or JSON with `--json`, for
 * bench/run-benchmarks.ts); asserts nothing.
 *
 *   npm run bench:pipeline [-- --json] [-- --events 200000]
 *
 * See measurePipeline (bench/measure-pipeline.ts) for what is measured. The naive
 * pipeline derives a whole status per event, so its event count shrinks with the fleet
 * (2·10⁷ backend-derivations per row at most) to finish in seconds.
 */
import { parseArgs } from 'node:util';
import { measurePipeline, type PipelineRow } from './measure-pipeline.js';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    events: { type: 'string', default: '200000' },
  },
});
const events = Number(values.events);
if (!Number.isInteger(events) || events < 1000) {
  console.error(`--events: expected a whole number of at least 1000, got ${values.events}`);
  process.exit(2);
}
if (globalThis.gc === undefined) console.error('run with node --expose-gc for heap figures');

const rows: PipelineRow[] = [];
for (const backends of [10, 100, 1000, 10_000]) {
  rows.push(measurePipeline('reactive', backends, events));
  const naiveEvents = Math.max(1000, Math.min(events, Math.floor(2e7 / backends)));
  rows.push(measurePipeline('naive', backends, naiveEvents));
}
if (values.json) console.log(JSON.stringify(rows));
else console.table(rows);
