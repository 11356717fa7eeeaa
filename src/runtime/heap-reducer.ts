// Gives memory back to the system after the daemon's heap has grown (README "A lean daemon").
// V8 grows the heap for a burst of work (a run of failovers, a large status scrape) and keeps
// what it grew: the garbage promoted during the burst stays in the old generation until a full
// collection, and an idle daemon allocates too little to ever bring one about (V8 starts one
// when the old generation reaches a limit tens of MiB above what the daemon holds). Measured in
// the sandbox: 40 graceful failovers took a standby from 50.4 to 62.5 MiB resident, still 55.8
// MiB 45 s later; the slow allocation of an idle daemon (health checks, ZooKeeper pings) adds
// about 1 MiB in 8 minutes the same way. So, every intervalMs, the reducer looks at the heap's
// committed size; when it is GROWTH_BYTES or more above what it was after the last collection
// (or at the first look), one compacting collection gives the pages back (about 20-30 ms on the
// event loop, far inside every timeout the daemon keeps; once per interval at most). Never in the
// middle of an episode: the daemon reports its HA activity (activity()), and the reducer waits
// until QUIET_MS have passed without any, so a failover is never the one that waits for it.

import type { Clock, ProcessHeap } from './ports.js';
import type { RuntimeLog } from './logging.js';
import { PeriodicTask } from './periodic-task.js';

/** Growth of the committed heap over the last baseline that makes the reducer collect. */
export const HEAP_GROWTH_BYTES = 1024 * 1024;

/** How long the daemon must have been without HA activity before a collection; also the retry delay. */
export const QUIET_MS = 2000;

export interface HeapReducerOptions {
  readonly heap: ProcessHeap;
  readonly clock: Clock;
  /** Between two looks at the heap (zkfc.heap.reduce-interval.ms); > 0. */
  readonly intervalMs: number;
  readonly logger: RuntimeLog;
}

/** What one look did. */
export type HeapLook =
  | { readonly action: 'baseline' | 'none' | 'deferred'; readonly committedBytes: number }
  | {
      readonly action: 'compacted';
      readonly beforeBytes: number;
      readonly afterBytes: number;
      readonly durationMs: number;
    }
  | { readonly action: 'unavailable'; readonly committedBytes: number };

const MIB = 1024 * 1024;
const mib = (bytes: number): number => Math.round((bytes / MIB) * 100) / 100;

export class HeapReducer {
  /** Committed bytes after the last collection, or at the first look; lowered when the heap shrinks alone. */
  private baselineBytes: number | undefined;
  private unavailable = false;
  private lastActivityMs: number | undefined;
  private readonly task: PeriodicTask<HeapLook>;

  constructor(private readonly options: HeapReducerOptions) {
    this.task = new PeriodicTask({
      clock: options.clock,
      run: () => Promise.resolve(this.look()),
      // Deferred for activity: again once the daemon has been quiet for QUIET_MS.
      delayAfter: (look) => (look?.action === 'deferred' ? QUIET_MS : options.intervalMs),
      onError: (error) => options.logger.error({ err: error }, 'heap reduction failed'),
    });
  }

  /** The first look in intervalMs, then one every intervalMs. */
  start(): void {
    this.task.start(this.options.intervalMs);
  }

  async stop(): Promise<void> {
    await this.task.stop();
  }

  /** The daemon did something of HA weight now (a state change, a transition, fencing, a failover). */
  activity(): void {
    this.lastActivityMs = this.options.clock.monotonicMs();
  }

  /** One look at the heap now (the periodic run; tests call it directly). */
  look(): HeapLook {
    const { heap, clock, logger } = this.options;
    const committedBytes = heap.committedBytes();
    if (this.baselineBytes === undefined || committedBytes < this.baselineBytes) {
      this.baselineBytes = committedBytes;
      return { action: 'baseline', committedBytes };
    }
    if (this.unavailable || committedBytes - this.baselineBytes < HEAP_GROWTH_BYTES)
      return { action: 'none', committedBytes };
    if (this.lastActivityMs !== undefined && clock.monotonicMs() - this.lastActivityMs < QUIET_MS)
      return { action: 'deferred', committedBytes };
    const started = clock.monotonicMs();
    if (!heap.compact()) {
      // Stays so for the life of the process: the runtime does not change under it.
      this.unavailable = true;
      logger.warn({}, 'heap reduction unavailable: this Node cannot run a collection on request');
      return { action: 'unavailable', committedBytes };
    }
    const durationMs = clock.monotonicMs() - started;
    const afterBytes = heap.committedBytes();
    this.baselineBytes = afterBytes;
    logger.debug(
      { beforeMiB: mib(committedBytes), afterMiB: mib(afterBytes), durationMs: Math.round(durationMs * 10) / 10 },
      'heap compacted',
    );
    return { action: 'compacted', beforeBytes: committedBytes, afterBytes, durationMs };
  }
}
