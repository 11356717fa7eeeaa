// The production Clock: the daemon's one real clock and timer source for its decisions. The core
// (through the runtime), the health poller, the ZooKeeper adapter, fencing and the IPC client get
// time and timers through the Clock port this implements. A few I/O guards keep local timers
// because they take no failover decision: the IPC server's close linger, the bound on start-up
// host-name lookups, and the status server's idle-socket timeout, request timing and warning spacing.
// Monotonic time comes from process.hrtime (never goes backwards, unaffected by NTP steps);
// wall time from Date.now() is for logs, metrics and records only.

import type { Cancel, Clock } from './ports.js';

const ORIGIN_NS = process.hrtime.bigint();

/**
 * Milliseconds on the monotonic clock since this module loaded (sub-millisecond precision), what
 * performance.now() gives, without it: the `performance` global loads Node's whole perf_hooks
 * (eleven modules, their code and source resident; README "A lean daemon"). For the local timers
 * above, which take no Clock.
 */
export function monotonicNowMs(): number {
  return Number(process.hrtime.bigint() - ORIGIN_NS) / 1e6;
}

export class SystemClock implements Clock {
  monotonicMs(): number {
    return monotonicNowMs();
  }

  wallMs(): number {
    return Date.now();
  }

  schedule(delayMs: number, callback: () => void): Cancel {
    // setTimeout clamps to 1 ms anyway; a negative or NaN delay means "as soon as possible".
    const delay = Number.isFinite(delayMs) && delayMs > 0 ? delayMs : 0;
    const handle = setTimeout(callback, delay);
    return () => clearTimeout(handle);
  }
}
