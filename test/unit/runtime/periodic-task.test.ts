// Goal: the one loop of the daemon's periodic side work (src/runtime/periodic-task.ts) runs at start
// (at once or after a first delay), then one pause after each run ends, the pause chosen from the
// run's result; runs never overlap (runOnce() during a run is that run; a slow run delays the next);
// runSoon() runs once more right after a run under way, or at once in place of the pending timer;
// a run that throws goes to onError and the cadence goes on; stop() starts nothing more and settles
// when the run under way has ended.
// Method: a PeriodicTask on a ManualClock whose runs end when the test says; time moves only by
// clock.advance.

import { describe, expect, it } from 'vitest';
import { PeriodicTask } from '../../../src/runtime/periodic-task.js';
import { ManualClock } from '../../../tools/testing/clock.js';

/** Runs that end when the test says so; each resolves to what it is given. */
class Runs<T> {
  started = 0;
  private readonly pending: ((outcome: T | Error) => void)[] = [];

  readonly run = (): Promise<T> => {
    this.started++;
    return new Promise<T>((resolve, reject) =>
      this.pending.push((outcome) => (outcome instanceof Error ? reject(outcome) : resolve(outcome))),
    );
  };

  get inFlight(): number {
    return this.pending.length;
  }

  async end(outcome: T | Error): Promise<void> {
    const next = this.pending.shift();
    if (next === undefined) throw new Error('no run in flight');
    next(outcome);
    // Let the task's continuations run.
    for (let i = 0; i < 6; i++) await Promise.resolve();
  }
}

function setUp<T>(delayAfter: (result: T | undefined) => number = () => 1000): {
  clock: ManualClock;
  runs: Runs<T>;
  task: PeriodicTask<T>;
  errors: unknown[];
} {
  const clock = new ManualClock();
  const runs = new Runs<T>();
  const errors: unknown[] = [];
  const task = new PeriodicTask<T>({ clock, run: runs.run, delayAfter, onError: (error) => errors.push(error) });
  return { clock, runs, task, errors };
}

describe('PeriodicTask', () => {
  it('runs at once at start, then one interval after each run ends; a slow run delays the next', async () => {
    const { clock, runs, task } = setUp<string>();
    task.start();
    expect(runs.started).toBe(1);
    clock.advance(10_000);
    expect(runs.started).toBe(1);
    await runs.end('a');
    clock.advance(999);
    expect(runs.started).toBe(1);
    clock.advance(1);
    expect(runs.started).toBe(2);
    task.start();
    expect(runs.started).toBe(2);
  });

  it('runs after the first delay on the clock when start is given one', () => {
    const { clock, runs, task } = setUp<string>();
    task.start(0);
    expect(runs.started).toBe(0);
    clock.advance(0);
    expect(runs.started).toBe(1);
  });

  it('never runs two at once: runOnce during a run returns that run', async () => {
    const { runs, task } = setUp<string>();
    task.start();
    const first = task.runOnce();
    const second = task.runOnce();
    expect(second).toBe(first);
    expect(runs.started).toBe(1);
    await runs.end('done');
    await expect(first).resolves.toBe('done');
    void task.runOnce();
    expect(runs.started).toBe(2);
  });

  it('takes the pause after a run from its result', async () => {
    const { clock, runs, task } = setUp<number>((next) => next ?? 1000);
    task.start();
    await runs.end(250);
    clock.advance(250);
    expect(runs.started).toBe(2);
    await runs.end(5000);
    clock.advance(4999);
    expect(runs.started).toBe(2);
    clock.advance(1);
    expect(runs.started).toBe(3);
  });

  it('runSoon: once more right after the run under way, or at once in place of the pending timer', async () => {
    const { clock, runs, task } = setUp<string>();
    task.start();
    task.runSoon();
    task.runSoon();
    expect(runs.started).toBe(1);
    await runs.end('first');
    clock.advance(0);
    expect(runs.started).toBe(2);
    await runs.end('second');
    expect(clock.nextTimerAtMs()).toBe(1000);
    clock.advance(400);
    task.runSoon();
    expect(clock.pendingTimers).toBe(1);
    clock.advance(0);
    expect(runs.started).toBe(3);
    await runs.end('third');
    // The interval counts from the end of the extra run.
    expect(clock.nextTimerAtMs()).toBe(1400);
  });

  it('runSoon during a run started by runOnce runs right after it', async () => {
    const { clock, runs, task } = setUp<string>();
    task.start(60_000);
    void task.runOnce();
    task.runSoon();
    await runs.end('outside');
    clock.advance(0);
    expect(runs.started).toBe(2);
  });

  it('hands a run that throws to onError and goes on', async () => {
    const { clock, runs, task, errors } = setUp<string>();
    task.start();
    await runs.end(new Error('bug'));
    expect(errors).toEqual([new Error('bug')]);
    clock.advance(1000);
    expect(runs.started).toBe(2);

    const clock2 = new ManualClock();
    const thrown: unknown[] = [];
    const sync = new PeriodicTask<string>({
      clock: clock2,
      run: () => {
        throw new Error('thrown at once');
      },
      delayAfter: () => 1000,
      onError: (error) => thrown.push(error),
    });
    sync.start();
    for (let i = 0; i < 6; i++) await Promise.resolve();
    expect(thrown).toEqual([new Error('thrown at once')]);
    expect(clock2.nextTimerAtMs()).toBe(1000);
  });

  it('stop: nothing more starts, and it settles when the run under way has ended', async () => {
    const { clock, runs, task } = setUp<string>();
    task.start();
    let stopped = false;
    const stopping = task.stop().then(() => (stopped = true));
    task.runSoon();
    for (let i = 0; i < 6; i++) await Promise.resolve();
    expect(stopped).toBe(false);
    await runs.end('last');
    await stopping;
    expect(stopped).toBe(true);
    clock.advance(60_000);
    expect(runs.started).toBe(1);
    expect(clock.pendingTimers).toBe(0);
  });
});
