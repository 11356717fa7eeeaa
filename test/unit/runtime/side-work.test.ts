// Goal: the daemon's side work (src/runtime/side-work.ts) starts once the daemon is ready, or
// maxDelayMs after the controller starts at the latest, whichever comes first; each start runs
// once; a start added after the others have started runs at once; nothing starts after cancel().
// Method: a SideWork on a ManualClock; starts that count their calls; time moves only by
// clock.advance.

import { describe, expect, it } from 'vitest';
import { SideWork } from '../../../src/runtime/side-work.js';
import { ManualClock } from '../../../tools/testing/clock.js';

function counted(): { calls: number; start: () => void } {
  const counter = {
    calls: 0,
    start: () => {
      counter.calls++;
    },
  };
  return counter;
}

describe('SideWork', () => {
  it('starts when the daemon is ready, once, and cancels its deadline', () => {
    const clock = new ManualClock();
    const work = new SideWork(clock, 2000);
    const a = counted();
    const b = counted();
    work.add(a.start);
    work.add(b.start);
    work.startWithin();
    clock.advance(500);
    expect([a.calls, b.calls]).toEqual([0, 0]);
    work.start();
    expect([a.calls, b.calls]).toEqual([1, 1]);
    expect(clock.pendingTimers).toBe(0);
    clock.advance(5000);
    work.start();
    expect([a.calls, b.calls]).toEqual([1, 1]);
  });

  it('starts at the deadline when the daemon is not ready by then', () => {
    const clock = new ManualClock();
    const work = new SideWork(clock, 2000);
    const a = counted();
    work.add(a.start);
    work.startWithin();
    clock.advance(1999);
    expect(a.calls).toBe(0);
    clock.advance(1);
    expect(a.calls).toBe(1);
    work.start();
    expect(a.calls).toBe(1);
  });

  it('runs a start added after the others have started at once', () => {
    const work = new SideWork(new ManualClock(), 2000);
    work.start();
    const a = counted();
    work.add(a.start);
    expect(a.calls).toBe(1);
  });

  it('starts nothing after cancel (shutdown before ready)', () => {
    const clock = new ManualClock();
    const work = new SideWork(clock, 2000);
    const a = counted();
    work.add(a.start);
    work.startWithin();
    work.cancel();
    clock.advance(5000);
    work.start();
    work.add(a.start);
    expect(a.calls).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });
});
