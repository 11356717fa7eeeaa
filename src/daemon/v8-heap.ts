// The ProcessHeap port on V8 (runtime/heap-reducer.ts): the heap's resident size, young
// generation and the rest, from v8.getHeapSpaceStatistics() (physical sizes: a grown young
// generation can hold ten times the capacity it reports), and a full compacting collection on
// request.
//
// Node has no API for a collection on request. V8's gc() is one, installed in the contexts made
// while --expose-gc is set: the flag is set for the moment it takes to make one context (node:vm)
// and take its gc, then unset again. The daemon's own context never gets a `gc` global, and a V8
// flag on the command line would have made V8 reject the code cache of Node's own modules (each
// compiled from source at every start: about 10 ms and 0.7 MiB more, measured with
// --expose-gc). V8 compacts on a full collection only when it judges the old generation
// fragmented enough, which a heap of a few MiB seldom is: --compact-on-every-full-gc is set
// around the one collection, so that the half-empty pages left by a burst's garbage are
// evacuated and given back. With flushCode, --stress-flush-code is set around it too: V8 then
// drops the bytecode of every function that is not on the stack, where it normally drops only
// the bytecode of functions not run for several of its own full collections (--bytecode-old-age;
// the collections asked for here do not age it). The flags are back as they were when compact()
// returns, so what V8 compiles later (and the code cache the build writes, bin/zkfc.js) sees the
// daemon's flags only. The context made for gc is garbage once compact() returns; the next
// collection takes it.

import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { CompactOptions, HeapUsage, ProcessHeap } from '../runtime/ports.js';

/** V8's spaces of the young generation. */
const YOUNG_SPACES: ReadonlySet<string> = new Set(['new_space', 'new_large_object_space']);

/** The node or V8 options in effect, as given (NODE_OPTIONS and the command line). */
function optionGiven(names: readonly string[]): boolean {
  const given = [...process.execArgv, ...(process.env['NODE_OPTIONS'] ?? '').split(/\s+/)].map((option) =>
    option.replace(/_/g, '-'),
  );
  return names.some((name) => given.includes(name));
}

export class V8Heap implements ProcessHeap {
  usage(): HeapUsage {
    let youngBytes = 0;
    let oldBytes = 0;
    for (const space of getHeapSpaceStatistics()) {
      if (YOUNG_SPACES.has(space.space_name)) youngBytes += space.physical_space_size;
      else oldBytes += space.physical_space_size;
    }
    return { youngBytes, oldBytes };
  }

  compact(options: CompactOptions): boolean {
    const collect = this.gcFunction();
    if (collect === undefined) return false;
    // An operator who runs the daemon with a flag keeps it; one who turned bytecode flushing off
    // gets no flush.
    const compactGiven = optionGiven(['--compact-on-every-full-gc']);
    const flush =
      options.flushCode && !optionGiven(['--stress-flush-code', '--no-flush-bytecode', '--noflush-bytecode']);
    if (!compactGiven) setFlagsFromString('--compact-on-every-full-gc');
    if (flush) setFlagsFromString('--stress-flush-code');
    try {
      collect();
    } finally {
      if (flush) setFlagsFromString('--no-stress-flush-code');
      if (!compactGiven) setFlagsFromString('--no-compact-on-every-full-gc');
    }
    return true;
  }

  private gcFunction(): (() => void) | undefined {
    // `node --expose-gc` (an operator's NODE_OPTIONS) gives this context its own.
    const own: unknown = (globalThis as { gc?: unknown }).gc;
    if (typeof own === 'function') return own as () => void;
    setFlagsFromString('--expose-gc');
    let made: unknown;
    try {
      made = runInNewContext('typeof gc === "function" ? gc : undefined');
    } finally {
      setFlagsFromString('--no-expose-gc');
    }
    return typeof made === 'function' ? (made as () => void) : undefined;
  }
}
