// The production Clock: the daemon's one source of real time and real timers; every component
// (including the IPC client) gets time and timers through the Clock port it implements.
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
