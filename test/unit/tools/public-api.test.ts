import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { publicApi, type PublicApi } from '../../../tools/lint/public-api.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const pinnedFile = new URL('../../fixtures/public-api.json', import.meta.url);

describe('the public API', function () {
  this.timeout(60_000);

  it('exports exactly the pinned names from each entry point', function () {
    const pinned = JSON.parse(readFileSync(pinnedFile, 'utf8')) as PublicApi;
    const actual = publicApi(root);
    // Adding or removing an export is a decision: make it in test/fixtures/public-api.json
    // (`npx tsx scripts/public-api.ts > test/fixtures/public-api.json`) and in docs/api.
    expect(actual).to.deep.equal(pinned);
  });
});
