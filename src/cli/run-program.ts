import { CommanderError } from 'commander';
import { ConfigError } from '../errors.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './exit-codes.js';
import { asFlagError } from './option-flags.js';
import { createProgram } from './program.js';

/**
 * Runs the `vmcp-status` command line to its end and resolves its exit code: 0 on
 * success or a graceful stop (SIGTERM/SIGINT), 1 on a runtime failure, 2 on a usage
 * or config error.
 */
export async function runProgram(argv: readonly string[]): Promise<number> {
  let code: number = EXIT_OK;
  const program = createProgram((exitCode) => {
    code = exitCode;
  });
  try {
    await program.parseAsync(argv);
    return code;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    if (err instanceof ConfigError) {
      process.stderr.write(`vmcp-status: ${asFlagError(err).message}\n`);
      return EXIT_USAGE;
    }
    process.stderr.write(`vmcp-status: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT_FAILURE;
  }
}
