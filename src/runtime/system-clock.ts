// The production Clock: the daemon's one real clock and timer source for its decisions. The core
// (through the runtime), the health poller, the ZooKeeper adapter, fencing and the IPC client get
// time and timers through the Clock port this implements. A few I/O guards keep local timers
// because they take no failover decision: the IPC server's close linger, the bound on start-up
// host-name lookups, and the status server's idle-socket timeout, request timing and warning spacing.
// Monotonic time comes from performance.now() (never goes backwards, unaffected by NTP steps);
// wall time from Date.now() is for logs, metrics and records only.

import type { Cancel, Clock } from './ports.js';

export class SystemClock implements Clock {
  monotonicMs(): number {
    return performance.now();
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
