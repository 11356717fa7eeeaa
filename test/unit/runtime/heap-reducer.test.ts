// Goal: the heap reducer (src/runtime/heap-reducer.ts) makes its first collection (the start-up
// collection) once the daemon has been quiet for QUIET_MS after start, grown or not, and the first
// after HA activity the same way; those two kinds flush code, no other; else it collects only
// when the old generation is HEAP_GROWTH_BYTES above its baseline (what the last collection left,
// or the smallest seen) or the young generation has grown to YOUNG_LIMIT_BYTES, and only after
// QUIET_MS without HA activity; the young generation's idle ups and downs do not count; a
// collection that leaves the young generation large is tried again after a pause that doubles,
// up to MAX_BACKOFF_INTERVALS; it looks once per interval and when the quiet after HA activity is
// over, gives up for good (one warning) on a runtime that cannot collect, and starts nothing
// after stop().
// Method: a HeapReducer on a ManualClock over a scripted ProcessHeap whose compact() leaves the
// usage the test says and records whether it was asked to flush code; logs recorded.

import { describe, expect, it } from 'vitest';
import {
  HEAP_GROWTH_BYTES,
  HeapReducer,
  MAX_BACKOFF_INTERVALS,
  QUIET_MS,
  YOUNG_LIMIT_BYTES,
} from '../../../src/runtime/heap-reducer.js';
import type { CompactOptions, HeapUsage, ProcessHeap } from '../../../src/runtime/ports.js';
import { ManualClock } from '../../../tools/testing/clock.js';
import { recordingLog } from '../../../tools/testing/recording-log.js';

const MIB = 1024 * 1024;
const INTERVAL_MS = 10_000;

class ScriptedHeap implements ProcessHeap {
  now: HeapUsage = { youngBytes: 1 * MIB, oldBytes: 8 * MIB };
  /** What compact() leaves; undefined: the runtime cannot collect. */
  afterCompact: HeapUsage | undefined = { youngBytes: 1 * MIB, oldBytes: 8 * MIB };
  compactions = 0;
  /** flushCode of each compact() that collected. */
  readonly flushes: boolean[] = [];

  constructor(private readonly clock: ManualClock) {}

  usage(): HeapUsage {
    return this.now;
  }

  compact(options: CompactOptions): boolean {
    if (this.afterCompact === undefined) return false;
    this.compactions++;
    this.flushes.push(options.flushCode);
    this.clock.advance(25);
    this.now = this.afterCompact;
    return true;
  }
}

const usage = (youngMiB: number, oldBytes: number): HeapUsage => ({ youngBytes: youngMiB * MIB, oldBytes });

/** A reducer; unless `fresh`, past its start-up collection (not counted in compactions or lines). */
function reducer({ fresh = false } = {}) {
  const clock = new ManualClock();
  const heap = new ScriptedHeap(clock);
  const { log, lines } = recordingLog();
  const r = new HeapReducer({ heap, clock, intervalMs: INTERVAL_MS, logger: log });
  if (!fresh) {
    expect(r.look()).toMatchObject({ action: 'compacted', reason: 'start-up' });
    heap.compactions = 0;
    heap.flushes.length = 0;
    lines.length = 0;
  }
  return { clock, heap, lines, reducer: r };
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Move the clock on and let the timers' runs that fell due finish. */
async function advance(clock: ManualClock, ms: number): Promise<void> {
  clock.advance(ms);
  await settle();
}

describe('HeapReducer', () => {
  it('collects from HEAP_GROWTH_BYTES above the old generation the last collection left, and logs what it did', () => {
    const { heap, lines, reducer: r } = reducer();
    expect(r.look()).toEqual({ action: 'none', usage: usage(1, 8 * MIB) });
    // Before any collection, the baseline is the smallest old generation seen.
    heap.now = usage(0.25, 7 * MIB);
    r.look();
    heap.now = usage(1, 7 * MIB + HEAP_GROWTH_BYTES - 1);
    expect(r.look().action).toBe('none');
    heap.now = usage(1, 7 * MIB + HEAP_GROWTH_BYTES);
    heap.afterCompact = usage(0.5, 7.5 * MIB);
    expect(r.look()).toEqual({
      action: 'compacted',
      reason: 'grown',
      before: usage(1, 7 * MIB + HEAP_GROWTH_BYTES),
      after: usage(0.5, 7.5 * MIB),
      durationMs: 25,
      recovered: true,
    });
    expect(lines).toEqual([
      {
        level: 'debug',
        msg: 'heap compacted',
        fields: {
          reason: 'grown',
          codeFlushed: false,
          beforeMiB: 8.5,
          afterMiB: 8,
          youngBeforeMiB: 1,
          youngAfterMiB: 0.5,
          oldBaselineMiB: 7.5,
          durationMs: 25,
        },
      },
    ]);
    // Growth now counts from what the collection left (7.5 MiB).
    heap.now = usage(1, 7.5 * MIB + HEAP_GROWTH_BYTES - 1);
    expect(r.look().action).toBe('none');
    heap.now = usage(1, 7.5 * MIB + HEAP_GROWTH_BYTES);
    heap.afterCompact = usage(1, 9 * MIB);
    expect(r.look().action).toBe('compacted');
    // The daemon holds more now (9 MiB): no collection again until it has grown from there...
    heap.now = usage(1, 9 * MIB + HEAP_GROWTH_BYTES - 1);
    expect(r.look().action).toBe('none');
    // ...or it shrinks on its own, which lowers the baseline.
    heap.now = usage(1, 6 * MIB);
    r.look();
    heap.now = usage(1, 6 * MIB + HEAP_GROWTH_BYTES);
    expect(r.look().action).toBe('compacted');
    expect(heap.compactions).toBe(3);
    expect(heap.flushes).toEqual([false, false, false]);
  });

  it('collects once quiet for QUIET_MS after start and after HA activity, grown or not, flushing code', async () => {
    const { clock, heap, lines, reducer: r } = reducer({ fresh: true });
    r.start();
    // HA activity during the start (the election): the quiet counts from it.
    clock.advance(1000);
    r.activity();
    await advance(clock, QUIET_MS - 1);
    expect(heap.compactions).toBe(0);
    await advance(clock, 1);
    expect(heap.flushes).toEqual([true]);
    expect(lines).toEqual([
      {
        level: 'debug',
        msg: 'heap compacted',
        fields: expect.objectContaining({ reason: 'start-up', codeFlushed: true }) as unknown,
      },
    ]);
    // Nothing grew: no collection at the next looks; a grown heap collects, without flushing code.
    await advance(clock, 3 * INTERVAL_MS);
    expect(heap.compactions).toBe(1);
    heap.now = usage(1, 8 * MIB + HEAP_GROWTH_BYTES);
    await advance(clock, INTERVAL_MS);
    expect(heap.flushes).toEqual([true, false]);
    // HA activity (a failover compiled its path): once quiet, a collection, grown or not, flushing code.
    r.activity();
    await advance(clock, QUIET_MS - 1);
    expect(heap.compactions).toBe(2);
    await advance(clock, 1);
    expect(heap.flushes).toEqual([true, false, true]);
    expect(lines.at(-1)).toMatchObject({ fields: { reason: 'ha-activity', codeFlushed: true } });
    // Only the first after it: nothing grew since, no collection.
    await advance(clock, 3 * INTERVAL_MS);
    expect(heap.compactions).toBe(3);
    await r.stop();
    // Without start(), the first look is the start-up collection; when a burst came first, too.
    const burst = reducer({ fresh: true });
    burst.heap.now = usage(16, 20 * MIB);
    expect(burst.reducer.look()).toMatchObject({ action: 'compacted', reason: 'start-up' });
    expect(burst.heap.flushes).toEqual([true]);
  });

  it('collects for a grown young generation, not for its idle ups and downs', () => {
    const { heap, reducer: r } = reducer();
    r.look();
    for (const young of [0.25, 1, 2, 0.5, YOUNG_LIMIT_BYTES / MIB - 0.01]) {
      heap.now = usage(young, 8 * MIB);
      expect(r.look().action).toBe('none');
    }
    heap.now = usage(YOUNG_LIMIT_BYTES / MIB, 8 * MIB);
    expect(r.look()).toMatchObject({ action: 'compacted', reason: 'grown', recovered: true });
  });

  it('waits QUIET_MS after the last HA activity', () => {
    const { clock, heap, reducer: r } = reducer();
    r.look();
    heap.now = usage(1, 20 * MIB);
    r.activity();
    clock.advance(QUIET_MS - 1);
    expect(r.look()).toEqual({ action: 'deferred', usage: usage(1, 20 * MIB), quietInMs: 1 });
    expect(heap.compactions).toBe(0);
    clock.advance(1);
    expect(r.look().action).toBe('compacted');
  });

  it('backs off, doubling up to MAX_BACKOFF_INTERVALS, while collections do not bring the heap back', () => {
    const { clock, heap, reducer: r } = reducer();
    r.look();
    heap.afterCompact = usage(12, 8 * MIB);
    const attempts: number[] = [];
    for (let t = 0; t <= 200 * INTERVAL_MS; t += INTERVAL_MS) {
      heap.now = usage(12, 8 * MIB);
      if (r.look().action === 'compacted') attempts.push(Math.round(clock.monotonicMs() / INTERVAL_MS));
      clock.advance(INTERVAL_MS);
    }
    // Pauses (in intervals) after each miss: 2, 4, 8, 16, 32, 32, ...
    const pauses = attempts.slice(1).map((at, i) => at - attempts[i]!);
    expect(pauses.slice(0, 7)).toEqual([2, 4, 8, 16, 32, 32, 32]);
    expect(Math.max(...pauses)).toBe(MAX_BACKOFF_INTERVALS);
    // A collection that brings the heap back ends the back-off.
    heap.afterCompact = usage(1, 8 * MIB);
    clock.advance(MAX_BACKOFF_INTERVALS * INTERVAL_MS);
    expect(r.look()).toMatchObject({ action: 'compacted', recovered: true });
    heap.now = usage(12, 8 * MIB);
    expect(r.look().action).toBe('compacted');
  });

  it('looks every interval, and when the quiet after HA activity is over; none after stop', async () => {
    const { clock, heap, reducer: r } = reducer();
    r.start();
    // The look at the end of the start's quiet: nothing grown (the start-up collection is done).
    await advance(clock, QUIET_MS);
    expect(heap.compactions).toBe(0);
    // Grown at the next interval's look, but HA activity just before: deferred to the quiet's end.
    heap.now = usage(1, 8 * MIB + HEAP_GROWTH_BYTES);
    clock.advance(INTERVAL_MS - 1000);
    r.activity();
    await advance(clock, 1000);
    expect(heap.compactions).toBe(0);
    await advance(clock, QUIET_MS - 1000 - 1);
    expect(heap.compactions).toBe(0);
    await advance(clock, 1);
    expect(heap.compactions).toBe(1);
    // Each activity moves the look to QUIET_MS after it, between the interval's looks.
    heap.now = usage(1, 8 * MIB + 2 * HEAP_GROWTH_BYTES);
    clock.advance(1000);
    r.activity();
    clock.advance(2000);
    r.activity();
    await advance(clock, QUIET_MS - 1);
    expect(heap.compactions).toBe(1);
    await advance(clock, 1);
    expect(heap.compactions).toBe(2);
    // The interval's looks go on.
    heap.now = usage(1, 8 * MIB + 2 * HEAP_GROWTH_BYTES);
    await advance(clock, INTERVAL_MS);
    expect(heap.compactions).toBe(3);
    await r.stop();
    r.activity();
    heap.now = usage(30, 60 * MIB);
    await advance(clock, 300_000);
    expect(heap.compactions).toBe(3);
    expect(clock.pendingTimers).toBe(0);
  });

  it('warns once and stops collecting on a runtime that cannot collect', () => {
    const { heap, lines, reducer: r } = reducer({ fresh: true });
    heap.afterCompact = undefined;
    expect(r.look()).toEqual({ action: 'unavailable', usage: usage(1, 8 * MIB) });
    heap.now = usage(1, 20 * MIB);
    heap.now = usage(1, 30 * MIB);
    expect(r.look().action).toBe('none');
    expect(lines.filter((line) => line.level === 'warn').map((line) => line.msg)).toEqual([
      'heap reduction unavailable: this Node cannot run a collection on request',
    ]);
  });
});
