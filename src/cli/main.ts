#!/usr/bin/env node
/**
 * The `vmcp-status` executable. It checks the Node version first: everything else
 * loads by dynamic import only afterwards, since on an older Node it fails while
 * loading (inside undici) before it could say why. Exit codes: see `run-program.ts`;
 * 2 for a Node that is too old.
 */
import { EXIT_USAGE } from './exit-codes.js';
import { nodeVersionProblem } from './node-version-check.js';

const problem = nodeVersionProblem(process.versions.node);
if (problem !== undefined) {
  process.stderr.write(problem);
  process.exitCode = EXIT_USAGE;
} else {
  const { runProgram } = await import('./run-program.js');
  const code = await runProgram(process.argv);
  process.exitCode = code;
  // Whatever still holds the event loop (a socket closing slowly) must not hold the exit.
  setTimeout(() => process.exit(code), 2_000).unref();
}
