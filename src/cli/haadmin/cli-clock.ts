// The Clock haadmin hands to the fencing adapters: the daemon's SystemClock, one instance for the
// short-lived CLI process, which only waits on RPCs, commands and retry pauses.

import type { Clock } from '../../runtime/ports.js';
import { SystemClock } from '../../runtime/system-clock.js';

export const cliClock: Clock = new SystemClock();

/** Pause for `ms` on `clock`. */
export function sleep(ms: number, clock: Clock = cliClock): Promise<void> {
  return new Promise((resolve) => clock.schedule(ms, resolve));
}
