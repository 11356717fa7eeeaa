// The simulation's time and randomness: a discrete-event scheduler on a simulated clock, a seeded
// PRNG, and per-process clocks. Nothing here reads a real clock or starts a real timer; the run is
// a pure function of the seed. After each event the scheduler lets pending promise continuations
// run (a bounded number of microtask turns) before the clock moves again, so an async chain that a
// port result starts completes "at the same simulated instant".

import type { Cancel, Clock } from '../../src/runtime/ports.js';
import { SeededRandom } from '../../tools/testing/prng.js';

/** The simulation's PRNG: the shared SeededRandom with the simulation's seeding (same stream as ever). */
export type Prng = SeededRandom;
export const newPrng = (seed: number): Prng => SeededRandom.forSimulation(seed);

interface ScheduledEvent {
  readonly atMs: number;
  readonly seq: number;
  readonly run: () => void;
  cancelled: boolean;
}

/** Binary min-heap on (atMs, seq): events at the same time run in the order they were scheduled. */
class EventHeap {
  private readonly items: ScheduledEvent[] = [];

  get size(): number {
    return this.items.length;
  }

  push(event: ScheduledEvent): void {
    const items = this.items;
    items.push(event);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent] as ScheduledEvent;
      if (before(p, event)) break;
      items[i] = p;
      i = parent;
    }
    items[i] = event;
  }

  peek(): ScheduledEvent | undefined {
    return this.items[0];
  }

  pop(): ScheduledEvent | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= items.length) break;
      const right = left + 1;
      let child = left;
      if (right < items.length && before(items[right] as ScheduledEvent, items[left] as ScheduledEvent)) child = right;
      if (before(last, items[child] as ScheduledEvent)) break;
      items[i] = items[child] as ScheduledEvent;
      i = child;
    }
    items[i] = last;
    return top;
  }
}

function before(a: ScheduledEvent, b: ScheduledEvent): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq);
}

export class SimScheduler {
  private readonly heap = new EventHeap();
  private seq = 0;
  private nowMs = 0;
  /** Bumped by every schedule(): lets the microtask flush notice that continuations did work. */
  activity = 0;
  eventsRun = 0;

  now(): number {
    return this.nowMs;
  }

  schedule(delayMs: number, run: () => void): Cancel {
    const event: ScheduledEvent = { atMs: this.nowMs + Math.max(0, delayMs), seq: this.seq++, run, cancelled: false };
    this.heap.push(event);
    this.activity++;
    return () => {
      event.cancelled = true;
    };
  }

  /** Run events in time order up to `untilMs`; `afterEach` runs after every event (invariants). */
  async runUntil(untilMs: number, afterEach: () => void): Promise<void> {
    for (;;) {
      const next = this.heap.peek();
      if (next === undefined || next.atMs > untilMs) break;
      this.heap.pop();
      if (next.cancelled) continue;
      this.nowMs = next.atMs;
      this.eventsRun++;
      next.run();
      await this.flushMicrotasks();
      afterEach();
    }
    if (untilMs > this.nowMs) this.nowMs = untilMs;
  }

  /** Like runUntil, but stops as soon as `done()` holds after an event; returns whether it did. */
  async runUntilTrue(untilMs: number, afterEach: () => void, done: () => boolean): Promise<boolean> {
    if (done()) return true;
    for (;;) {
      const next = this.heap.peek();
      if (next === undefined || next.atMs > untilMs) break;
      this.heap.pop();
      if (next.cancelled) continue;
      this.nowMs = next.atMs;
      this.eventsRun++;
      next.run();
      await this.flushMicrotasks();
      afterEach();
      if (done()) return true;
    }
    if (untilMs > this.nowMs) this.nowMs = untilMs;
    return done();
  }

  /** Let promise continuations run; stop after two quiet rounds (bounded). */
  async flushMicrotasks(): Promise<void> {
    let quiet = 0;
    for (let round = 0; round < 64 && quiet < 2; round++) {
      const before = this.activity;
      // Each await yields one microtask turn: that is the point here.
      // eslint-disable-next-line @typescript-eslint/await-thenable
      await undefined;
      // eslint-disable-next-line @typescript-eslint/await-thenable
      await undefined;
      // eslint-disable-next-line @typescript-eslint/await-thenable
      await undefined;
      quiet = this.activity === before ? quiet + 1 : 0;
    }
  }
}

/**
 * One simulated process. Once killed, its Clock stops delivering callbacks and the sim ports
 * created for it deliver nothing more (a SIGKILLed daemon does nothing, its promises never settle).
 * While paused (a long GC pause, SIGSTOP), nothing runs in it: timers, answers, watch and session
 * events are held and delivered in order when it resumes; meanwhile it sends nothing either, so
 * ZooKeeper stops hearing from it.
 */
export class SimProcess {
  alive = true;
  pausedUntilMs = 0;
  private readonly pauseListeners = new Set<(paused: boolean) => void>();

  constructor(
    readonly scheduler: SimScheduler,
    readonly name: string,
  ) {}

  kill(): void {
    this.alive = false;
  }

  get paused(): boolean {
    return this.scheduler.now() < this.pausedUntilMs;
  }

  /** Freeze the process for `ms` (extends a pause already under way). */
  pause(ms: number): void {
    const wasPaused = this.paused;
    this.pausedUntilMs = Math.max(this.pausedUntilMs, this.scheduler.now() + ms);
    if (!wasPaused) for (const listener of this.pauseListeners) listener(true);
    const until = this.pausedUntilMs;
    this.scheduler.schedule(ms, () => {
      if (this.pausedUntilMs === until && this.alive) for (const listener of this.pauseListeners) listener(false);
    });
  }

  onPauseChange(listener: (paused: boolean) => void): void {
    this.pauseListeners.add(listener);
  }

  /** Work that arrived while paused, in arrival order (a resumed process sees it in that order). */
  private readonly held: (() => void)[] = [];
  private drainScheduled = false;

  /** Run `fn` inside the process: now, or when a pause ends (in arrival order); never once killed. */
  run(fn: () => void): void {
    if (!this.alive) return;
    if (this.paused || this.held.length > 0) {
      this.held.push(fn);
      this.scheduleDrain();
      return;
    }
    fn();
  }

  private scheduleDrain(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    this.scheduler.schedule(Math.max(0, this.pausedUntilMs - this.scheduler.now()), () => {
      this.drainScheduled = false;
      if (!this.alive) {
        this.held.length = 0;
        return;
      }
      if (this.paused) {
        this.scheduleDrain();
        return;
      }
      // One item per simulated event, so promise continuations run between items as they would
      // between two I/O callbacks of a real event loop.
      const fn = this.held.shift();
      if (this.held.length > 0) this.scheduleDrain();
      fn?.();
    });
  }

  /** Schedule `run` inside the process. */
  later(delayMs: number, run: () => void): Cancel {
    return this.scheduler.schedule(delayMs, () => this.run(run));
  }
}

export class SimClock implements Clock {
  constructor(private readonly process: SimProcess) {}

  monotonicMs(): number {
    return this.process.scheduler.now();
  }

  wallMs(): number {
    // A fixed epoch keeps records deterministic.
    return 1_700_000_000_000 + this.process.scheduler.now();
  }

  schedule(delayMs: number, callback: () => void): Cancel {
    return this.process.later(delayMs, callback);
  }
}
