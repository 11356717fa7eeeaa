// The Clock haadmin hands to the fencing adapters: real time. The CLI is a short-lived process
// that only waits on RPCs, commands and retry pauses, so it needs nothing more than this.

import type { Cancel, Clock } from '../../runtime/ports.js';

export const cliClock: Clock = {
  monotonicMs: () => performance.now(),
  wallMs: () => Date.now(),
  schedule(delayMs: number, callback: () => void): Cancel {
    const handle = setTimeout(callback, delayMs);
    return () => clearTimeout(handle);
  },
};

/** Pause for `ms` on `clock`. */
export function sleep(ms: number, clock: Clock = cliClock): Promise<void> {
  return new Promise((resolve) => clock.schedule(ms, resolve));
}
