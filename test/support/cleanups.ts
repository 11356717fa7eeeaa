// Per-test clean-up, written once: a list a test pushes its clean-ups to (servers to close, clients
// to destroy); after each test they all run, the last pushed first, one at a time, and the first
// failure is rethrown once every clean-up has had its turn.

import { afterEach } from 'vitest';

export type Cleanup = () => Promise<void> | void;

/** Call at module level; push clean-ups onto the returned list. */
export function cleanupsAfterEach(): Cleanup[] {
  const cleanups: Cleanup[] = [];
  afterEach(async () => {
    const failures: unknown[] = [];
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length > 0) throw failures[0];
  });
  return cleanups;
}
