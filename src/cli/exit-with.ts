/**
 * Receives the exit code of a command that ran. Commands report through it instead
 * of calling `process.exit`, so `main.ts` alone decides when the process ends.
 */
export type ExitWith = (code: number) => void;
