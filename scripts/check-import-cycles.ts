/**
 * `npm run lint` step: fails when files of `src/` (or the folders given) import each
 * other in a cycle, type-only imports included, and prints each cycle.
 */
import { importCycles, importGraph } from '../tools/lint/import-cycles.js';

const folders = process.argv.length > 2 ? process.argv.slice(2) : ['src'];
let found = 0;
for (const folder of folders) {
  for (const cycle of importCycles(importGraph(folder))) {
    found++;
    console.error(`import cycle in ${folder}/: ${cycle.join(' → ')}`);
  }
}
if (found > 0) {
  console.error(`${found} import cycle(s): move what both sides share into a file of its own`);
  process.exitCode = 1;
}
