// The loop of the daemon's periodic side work, written once: the cluster view (cluster-view.ts), the
// NameNode HTTP view (namenode-http-poller.ts), the fencing preflight (src/fencing/preflight.ts) and
// the maintenance pause's re-read (maintenance-pause.ts) each run one task on a timer of its own.
// The rules they share:
// - runs never overlap: the next run is scheduled when the previous one has ended; runOnce() while
//   a run is under way returns that run; runSoon() while one is under way runs once more right
//   after it, and otherwise runs at once in place of the pending timer;
// - the pause after a run may depend on what it found (the maintenance pause looks again right
//   after a pause's end);
// - time comes from the injected Clock (tests move a ManualClock);
// - a run's length is bounded by the task, whose every call has its own deadline; the runner makes
//   a slow run delay the next one, never run beside it;
// - a run that throws is a bug (tasks report failures as values): it is handed to onError and the
//   cadence goes on;
// - stop() cancels the timer and starts nothing more; its promise settles when the run under way
//   has ended.
// No jitter: a nameservice has two or three daemons, too few for their rounds to line up into load
// on a NameNode, and every interval stays the configured one.

import type { Cancel, Clock } from './ports.js';

export interface PeriodicTaskOptions<T> {
  readonly clock: Clock;
  /** One run. */
  readonly run: () => Promise<T>;
  /** The pause between the end of a run and the start of the next, given its result (undefined if it threw). */
  readonly delayAfter: (result: T | undefined) => number;
  /** A run that threw. */
  readonly onError: (error: unknown) => void;
}

export class PeriodicTask<T> {
  private running: Promise<T> | undefined;
  private timer: Cancel | undefined;
  private active = false;
  private again = false;
  /** A cadence run (tick) is under way: it schedules the next run when it ends. */
  private ticking = false;

  constructor(private readonly options: PeriodicTaskOptions<T>) {}

  /** Start the cadence: the first run now, or after `firstDelayMs` on the clock. */
  start(firstDelayMs?: number): void {
    if (this.active) return;
    this.active = true;
    if (firstDelayMs === undefined) void this.tick();
    else this.schedule(firstDelayMs);
  }

  /** No run starts after this; settles when the run under way (if any) has ended. */
  async stop(): Promise<void> {
    this.active = false;
    this.cancelTimer();
    await this.running?.catch(() => undefined);
  }

  /** One run now; while a run is under way, that run (runs never overlap). */
  runOnce(): Promise<T> {
    if (this.running !== undefined) return this.running;
    let started: Promise<T>;
    try {
      // Called at once, as an async function would run up to its first await.
      started = this.options.run();
    } catch (error) {
      started = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    const run = started.finally(() => {
      this.running = undefined;
    });
    this.running = run;
    return run;
  }

  /** Run as soon as possible: right after the run under way, or at once instead of the pending timer. */
  runSoon(): void {
    if (!this.active) return;
    if (this.ticking) this.again = true;
    else if (this.running === undefined) this.schedule(0);
    // A run from runOnce(), outside the cadence: once it has ended.
    else void this.running.catch(() => undefined).then(() => this.runSoon());
  }

  private schedule(delayMs: number): void {
    this.cancelTimer();
    this.timer = this.options.clock.schedule(delayMs, () => {
      this.timer = undefined;
      void this.tick();
    });
  }

  private cancelTimer(): void {
    this.timer?.();
    this.timer = undefined;
  }

  private async tick(): Promise<void> {
    if (!this.active) return;
    let result: T | undefined;
    this.ticking = true;
    try {
      result = await this.runOnce();
    } catch (error) {
      this.options.onError(error);
    } finally {
      this.ticking = false;
    }
    if (!this.active) return;
    const delayMs = this.again ? 0 : this.options.delayAfter(result);
    this.again = false;
    this.schedule(delayMs);
  }
}
