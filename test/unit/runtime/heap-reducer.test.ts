// Goal: the heap reducer (src/runtime/heap-reducer.ts) collects only when the heap has grown by
// HEAP_GROWTH_BYTES over its baseline (the first look, or what the last collection left), lowers
// its baseline when the heap shrinks alone, looks once per interval, gives up for good (with one
// warning) on a runtime that cannot collect, waits for QUIET_MS without HA activity before it
// collects, and starts nothing after stop().
// Method: a HeapReducer on a ManualClock over a scripted ProcessHeap whose compact() shrinks the
// committed size to what the test says; logs recorded.

import { describe, expect, it } from 'vitest';
import { HEAP_GROWTH_BYTES, HeapReducer, QUIET_MS } from '../../../src/runtime/heap-reducer.js';
import type { ProcessHeap } from '../../../src/runtime/ports.js';
import { ManualClock } from '../../../tools/testing/clock.js';
import { recordingLog } from '../../../tools/testing/recording-log.js';

const MIB = 1024 * 1024;

class ScriptedHeap implements ProcessHeap {
  committed = 10 * MIB;
  /** What compact() leaves; undefined: the runtime cannot collect. */
  afterCompact: number | undefined = 9 * MIB;
  compactions = 0;

  constructor(private readonly clock: ManualClock) {}

  committedBytes(): number {
    return this.committed;
  }

  compact(): boolean {
    if (this.afterCompact === undefined) return false;
    this.compactions++;
    this.clock.advance(25);
    this.committed = this.afterCompact;
    return true;
  }
}

function reducer(intervalMs = 30_000) {
  const clock = new ManualClock();
  const heap = new ScriptedHeap(clock);
  const { log, lines } = recordingLog();
  return { clock, heap, lines, reducer: new HeapReducer({ heap, clock, intervalMs, logger: log }) };
}

describe('HeapReducer', () => {
  it('takes its baseline at the first look and collects only from HEAP_GROWTH_BYTES above it', () => {
    const { heap, lines, reducer: r } = reducer();
    expect(r.look()).toEqual({ action: 'baseline', committedBytes: 10 * MIB });
    heap.committed = 10 * MIB + HEAP_GROWTH_BYTES - 1;
    expect(r.look().action).toBe('none');
    expect(heap.compactions).toBe(0);
    heap.committed = 10 * MIB + HEAP_GROWTH_BYTES;
    heap.afterCompact = 9.5 * MIB;
    expect(r.look()).toEqual({
      action: 'compacted',
      beforeBytes: 10 * MIB + HEAP_GROWTH_BYTES,
      afterBytes: 9.5 * MIB,
      durationMs: 25,
    });
    expect(lines).toEqual([
      { level: 'debug', msg: 'heap compacted', fields: { beforeMiB: 11, afterMiB: 9.5, durationMs: 25 } },
    ]);
    // The baseline is now what the collection left: growth counts from there.
    heap.committed = 9.5 * MIB + HEAP_GROWTH_BYTES - 1;
    expect(r.look().action).toBe('none');
    heap.committed = 9.5 * MIB + HEAP_GROWTH_BYTES;
    expect(r.look().action).toBe('compacted');
    expect(heap.compactions).toBe(2);
  });

  it('lowers its baseline when the heap shrinks on its own', () => {
    const { heap, reducer: r } = reducer();
    r.look();
    heap.committed = 8 * MIB;
    expect(r.look()).toEqual({ action: 'baseline', committedBytes: 8 * MIB });
    heap.committed = 8 * MIB + HEAP_GROWTH_BYTES;
    expect(r.look().action).toBe('compacted');
  });

  it('looks once per interval, the first look one interval after start, and none after stop', async () => {
    const { clock, heap, reducer: r } = reducer(30_000);
    r.start();
    heap.committed = 40 * MIB;
    clock.advance(29_999);
    await Promise.resolve();
    expect(heap.compactions).toBe(0);
    clock.advance(1);
    await new Promise((resolve) => setImmediate(resolve));
    // First look: the baseline (40 MiB), no collection.
    expect(heap.compactions).toBe(0);
    heap.committed = 40 * MIB + HEAP_GROWTH_BYTES;
    heap.afterCompact = 12 * MIB;
    clock.advance(30_000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(heap.compactions).toBe(1);
    await r.stop();
    heap.committed = 60 * MIB;
    clock.advance(300_000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(heap.compactions).toBe(1);
    expect(clock.pendingTimers).toBe(0);
  });

  it('warns once and stops collecting on a runtime that cannot collect', () => {
    const { heap, lines, reducer: r } = reducer();
    heap.afterCompact = undefined;
    r.look();
    heap.committed = 20 * MIB;
    expect(r.look()).toEqual({ action: 'unavailable', committedBytes: 20 * MIB });
    heap.committed = 30 * MIB;
    expect(r.look().action).toBe('none');
    expect(lines.filter((line) => line.level === 'warn').map((line) => line.msg)).toEqual([
      'heap reduction unavailable: this Node cannot run a collection on request',
    ]);
  });
});

describe('HeapReducer during HA activity', () => {
  it('defers a collection until QUIET_MS after the last activity, and looks again QUIET_MS later', async () => {
    const { clock, heap, reducer: r } = reducer(10_000);
    r.look();
    heap.committed = 20 * MIB;
    r.activity();
    clock.advance(QUIET_MS - 1);
    expect(r.look()).toEqual({ action: 'deferred', committedBytes: 20 * MIB });
    clock.advance(1);
    expect(r.look().action).toBe('compacted');
    // On its cadence: a deferred look is followed by another QUIET_MS later, not an interval later.
    r.start();
    heap.committed = 20 * MIB;
    clock.advance(9_000);
    r.activity();
    clock.advance(1_000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(heap.compactions).toBe(1);
    clock.advance(QUIET_MS);
    await new Promise((resolve) => setImmediate(resolve));
    expect(heap.compactions).toBe(2);
    await r.stop();
  });
});
