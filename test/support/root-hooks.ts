/**
 * Mocha root hooks: whatever a test started for the whole run (the control plane)
 * registers its teardown here, and it runs once after all tests, pass or fail.
 */
const teardowns: Array<() => Promise<void>> = [];

/** Registers a teardown that runs once after the whole run (last registered, first run). */
export function onRunEnd(teardown: () => Promise<void>): void {
  teardowns.push(teardown);
}

export const mochaHooks = {
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(60_000);
    while (teardowns.length > 0) {
      const teardown = teardowns.pop();
      await teardown?.();
    }
  },
};
