/**
 * The oldest Node.js the CLI runs on, as `engines` in package.json says (a unit test
 * keeps the two equal). Older ones fail deep inside undici with a TypeError.
 */
export const MINIMUM_NODE = '22.19';

/**
 * Why this Node cannot run the CLI, with how to get one that can; `undefined` when
 * it can. Pure. `version` is `process.versions.node` (`20.20.2`, a leading `v` is
 * fine); anything unreadable counts as too old.
 *
 * This file is loaded on any Node, so it imports nothing and uses no newer syntax.
 */
export function nodeVersionProblem(
  version: string,
  minimum: string = MINIMUM_NODE,
): string | undefined {
  const have = parts(version);
  const need = parts(minimum);
  if (have !== undefined && need !== undefined && !older(have, need)) return undefined;
  return (
    `vmcp-status needs Node.js >= ${minimum} (this is ${version.replace(/^v/, '')}).\n` +
    'Install a newer one from https://nodejs.org/en/download (or: nvm install 24); in a clone\n' +
    'of the repository, npm scripts (npm start, npm test) already run on the Node it pins.\n'
  );
}

function parts(version: string): [number, number, number] | undefined {
  const match = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(version);
  if (match === null) return undefined;
  return [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
}

function older(have: readonly number[], need: readonly number[]): boolean {
  for (let i = 0; i < need.length; i++) {
    const a = have[i] ?? 0;
    const b = need[i] ?? 0;
    if (a !== b) return a < b;
  }
  return false;
}
