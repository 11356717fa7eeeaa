// The clocks tests and tools use, both implementing the runtime's Clock port (src/runtime/ports.ts):
// ManualClock, whose time moves only when the test says (timers fire in time order, ties in the
// order they were scheduled), and realClock, the production SystemClock for tests that need real
// time (processes, sockets). One of each, so no test writes its own.

import type { Cancel, Clock } from '../../src/runtime/ports.js';
import { SystemClock } from '../../src/runtime/system-clock.js';

interface ManualTimer {
  readonly atMs: number;
  readonly seq: number;
  readonly callback: () => void;
}

export class ManualClock implements Clock {
  private nowMs: number;
  private readonly wallOriginMs: number;
  private seq = 0;
  private timers: ManualTimer[] = [];

  /** `startMs`: the monotonic time at start (0); `wallStartMs`: the wall time then (2026-01-01). */
  constructor(options: { readonly startMs?: number; readonly wallStartMs?: number } = {}) {
    this.nowMs = options.startMs ?? 0;
    this.wallOriginMs = (options.wallStartMs ?? Date.UTC(2026, 0, 1)) - this.nowMs;
  }

  monotonicMs(): number {
    return this.nowMs;
  }

  wallMs(): number {
    return this.wallOriginMs + this.nowMs;
  }

  schedule(delayMs: number, callback: () => void): Cancel {
    // As SystemClock: a negative or NaN delay means "as soon as possible".
    const delay = Number.isFinite(delayMs) && delayMs > 0 ? delayMs : 0;
    const timer: ManualTimer = { atMs: this.nowMs + delay, seq: this.seq++, callback };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((other) => other !== timer);
    };
  }

  /** Timers scheduled and neither fired nor cancelled. */
  get pendingTimers(): number {
    return this.timers.length;
  }

  /** When the next timer fires, or undefined when none is pending. */
  nextTimerAtMs(): number | undefined {
    return this.next()?.atMs;
  }

  /**
   * Move time forward by `ms`, firing every timer that comes due on the way at its own time, in
   * time order; a timer a callback schedules fires too when it falls inside the step. advance(0)
   * fires what is due now.
   */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`ManualClock.advance: ${ms} is not a duration`);
    const until = this.nowMs + ms;
    for (let timer = this.next(); timer !== undefined && timer.atMs <= until; timer = this.next()) {
      this.fire(timer);
    }
    this.nowMs = until;
  }

  /** Jump to the next timer and fire it; false when none is pending. */
  /** Set the monotonic time to any value, even backwards: for code that must survive a misbehaving clock. */
  setMonotonicMs(ms: number): void {
    this.nowMs = ms;
  }

  runNext(): boolean {
    const timer = this.next();
    if (timer === undefined) return false;
    this.fire(timer);
    return true;
  }

  private next(): ManualTimer | undefined {
    let best: ManualTimer | undefined;
    for (const timer of this.timers) {
      if (best === undefined || timer.atMs < best.atMs || (timer.atMs === best.atMs && timer.seq < best.seq))
        best = timer;
    }
    return best;
  }

  private fire(timer: ManualTimer): void {
    this.timers = this.timers.filter((other) => other !== timer);
    this.nowMs = Math.max(this.nowMs, timer.atMs);
    timer.callback();
  }
}

/** Real time and real timers: the production Clock. */
export const realClock: Clock = new SystemClock();
