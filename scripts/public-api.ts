/**
 * Prints the package's public surface (see tools/lint/public-api.ts) as the JSON that
 * `test/fixtures/public-api.json` pins: `npx tsx scripts/public-api.ts > test/fixtures/public-api.json`.
 */
import { fileURLToPath } from 'node:url';
import { publicApi } from '../tools/lint/public-api.js';

console.log(JSON.stringify(publicApi(fileURLToPath(new URL('..', import.meta.url))), null, 2));
