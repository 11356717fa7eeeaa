// Gives memory back to the system after the daemon's heap has grown (README "A lean daemon").
// V8 grows the heap for a burst of work (a run of failovers, a large status scrape) and keeps
// what it grew: the garbage promoted during the burst stays in the old generation until a full
// collection, and an idle daemon allocates too little to ever bring one about (V8 starts one
// when the old generation reaches a limit tens of MiB above what the daemon holds). Measured in
// the sandbox: 40 graceful failovers took a standby from 50.4 to 62.5 MiB resident, still 55.8
// MiB 45 s later; the slow allocation of an idle daemon (health checks, ZooKeeper pings) adds
// about 2 MiB in 13 minutes the same way.
//
// So, every intervalMs, and when the quiet after the daemon's last HA activity is over, the
// reducer looks at what the heap holds resident. Its baseline is the old generation that the last
// collection left (or the smallest seen before one, or since: what the daemon needs); when the old
// generation is HEAP_GROWTH_BYTES or more above it, or the young generation (about 1 MiB idle; a
// burst grows it to tens of MiB) is YOUNG_LIMIT_BYTES or more, one compacting full collection
// gives the pages back (20-35 ms on the event loop, far inside every timeout the daemon keeps).
// The young generation's idle ups and downs (0.25 to 1 MiB) never count. Never in the middle of
// an episode, and only once the process has been quiet for QUIET_MS: the daemon reports its HA
// activity (activity()), so a failover is never the one that waits for a collection; and V8
// shrinks the young generation only in a collection that comes when little has been allocated
// lately (Heap::ReduceNewSpaceSize: under 1 KB/ms over the GC tracer's last 5 s), so QUIET_MS is
// those 5 s and one more. Measured in the sandbox, 30 graceful failovers: 60.7 MiB resident at
// their end, 50.8 MiB 6 s later (young generation 8 -> 1 MiB). When the young generation stays
// large through a collection (the daemon allocates fast), the next try comes after a pause that
// doubles each time, up to MAX_BACKOFF_INTERVALS intervals.
//
// The first collection once the daemon has been quiet for QUIET_MS after start() (the start-up
// collection), and the first after each burst of HA activity, come grown or not, and also drop the
// bytecode of every function not running then (ProcessHeap flushCode). The start-up
// (configuration, schema, XML, listeners) compiles some 0.6 MiB of bytecode that nothing runs
// again; a burst of failovers compiles its paths (the elector's, fencing, transitions, the
// ZKFCProtocol server: +0.7 MB of live heap after the benchmark's 80 failovers, with its feedback
// vectors). What the idle daemon runs (health checks, ZooKeeper pings) compiles again within
// seconds. Measured on a fresh standby: 995 -> 347 KiB of bytecode, 50.5 -> 48.7 MiB resident.
// Keeping a failover's code would only spare the next failover compiling it again (+10-20 ms on
// a 15 ms graceful failover, measured), and only for a while: V8 drops bytecode that has not run
// through --bytecode-old-age (5) full collections, which the reducer's own collections bring
// about within the hour. Failovers are rare, so that next one comes after the flush in nearly
// every cluster; failovers in a burst, less than QUIET_MS apart, keep their code.

import type { Cancel, Clock, HeapUsage, ProcessHeap } from './ports.js';
import type { RuntimeLog } from './logging.js';
import { PeriodicTask } from './periodic-task.js';

/**
 * Growth of the old generation over the baseline that makes the reducer collect. Half a MiB: after
 * a collection that dropped code, what the idle daemon compiles again and the garbage promoted
 * meanwhile (0.3-0.6 MiB) bring one more collection within a minute or two, which the idle daemon
 * then keeps until its slow promotion has added half a MiB again (a 20 ms collection every several
 * minutes). With 1 MiB that garbage stayed until V8 collected on its own: sandbox, 30 graceful
 * failovers, two rounds, idle medians 49.0-49.9 MiB against 49.8-50.1.
 */
export const HEAP_GROWTH_BYTES = 512 * 1024;

/** A young generation this large has been grown by a burst (V8 starts it at 1 MiB). */
export const YOUNG_LIMIT_BYTES = 4 * 1024 * 1024;

/** How long the daemon must have been without HA activity (or since start()) before a collection. */
export const QUIET_MS = 6_000;

/** The longest pause after collections that did not bring the heap back, in intervals. */
export const MAX_BACKOFF_INTERVALS = 32;

export interface HeapReducerOptions {
  readonly heap: ProcessHeap;
  readonly clock: Clock;
  /** Between two looks at the heap (zkfc.heap.reduce-interval.ms); > 0. */
  readonly intervalMs: number;
  readonly logger: RuntimeLog;
}

/** What one look did. */
export type HeapLook =
  | { readonly action: 'none' | 'backoff' | 'unavailable'; readonly usage: HeapUsage }
  /** For HA activity: the quiet is over in quietInMs, when activity()'s look comes. */
  | { readonly action: 'deferred'; readonly usage: HeapUsage; readonly quietInMs: number }
  | {
      readonly action: 'compacted';
      /**
       * The first once quiet after start() or after HA activity (these flushed code), or one for a
       * grown heap.
       */
      readonly reason: 'start-up' | 'ha-activity' | 'grown';
      readonly before: HeapUsage;
      readonly after: HeapUsage;
      readonly durationMs: number;
      /** Whether the young generation came back below YOUNG_LIMIT_BYTES. */
      readonly recovered: boolean;
    };

const MIB = 1024 * 1024;
const mib = (bytes: number): number => Math.round((bytes / MIB) * 100) / 100;

export class HeapReducer {
  /** The old generation the last collection left, lowered when it shrinks on its own. */
  private baselineBytes: number | undefined;
  private unavailable = false;
  /** Whether a collection has been made (the first is the start-up collection). */
  private collected = false;
  /** Start-up or HA activity since the last collection: the next one comes grown or not, and flushes code. */
  private flushPending = true;
  private lastActivityMs: number | undefined;
  /** Collections in a row that left the young generation large. */
  private misses = 0;
  private notBeforeMs = -Infinity;
  private readonly task: PeriodicTask<HeapLook>;
  /** The look when the quiet after the last HA activity is over (cancelled by the next activity). */
  private quietLook: Cancel | undefined;
  private started = false;

  constructor(private readonly options: HeapReducerOptions) {
    this.task = new PeriodicTask({
      clock: options.clock,
      run: () => Promise.resolve(this.look()),
      // A deferred look needs no timer of its own: activity() has put one at the quiet's end.
      delayAfter: () => options.intervalMs,
      onError: (error) => options.logger.error({ err: error }, 'heap reduction failed'),
    });
  }

  /** The first look in intervalMs, then one every intervalMs; the start counts as HA activity. */
  start(): void {
    this.started = true;
    this.quietFromNow();
    this.task.start(this.options.intervalMs);
  }

  async stop(): Promise<void> {
    this.started = false;
    this.quietLook?.();
    this.quietLook = undefined;
    await this.task.stop();
  }

  /**
   * The daemon did something of HA weight now (a state change, a transition, fencing, a failover).
   * A look comes when the quiet after it is over, and collects, grown or not, flushing code: what a
   * failover grew and compiled goes back QUIET_MS after the last one, not up to an interval later.
   */
  activity(): void {
    this.flushPending = true;
    this.quietFromNow();
  }

  /** The quiet starts again now; a look comes at its end. */
  private quietFromNow(): void {
    this.lastActivityMs = this.options.clock.monotonicMs();
    if (!this.started) return;
    this.quietLook?.();
    this.quietLook = this.options.clock.schedule(QUIET_MS, () => {
      this.quietLook = undefined;
      this.task.runSoon();
    });
  }

  /** One look at the heap now (the periodic run; tests call it directly). */
  look(): HeapLook {
    const { heap, clock, logger, intervalMs } = this.options;
    const usage = heap.usage();
    if (this.baselineBytes === undefined || usage.oldBytes < this.baselineBytes) this.baselineBytes = usage.oldBytes;
    const flushCode = this.flushPending;
    if (this.unavailable || (!flushCode && !this.grown(usage))) return { action: 'none', usage };
    const now = clock.monotonicMs();
    if (now < this.notBeforeMs) return { action: 'backoff', usage };
    const quietInMs = this.lastActivityMs === undefined ? 0 : this.lastActivityMs + QUIET_MS - now;
    if (quietInMs > 0) return { action: 'deferred', usage, quietInMs };
    if (!heap.compact({ flushCode })) {
      // Stays so for the life of the process: the runtime does not change under it.
      this.unavailable = true;
      logger.warn({}, 'heap reduction unavailable: this Node cannot run a collection on request');
      return { action: 'unavailable', usage };
    }
    const reason = !this.collected ? 'start-up' : flushCode ? 'ha-activity' : 'grown';
    this.collected = true;
    this.flushPending = false;
    const durationMs = clock.monotonicMs() - now;
    const after = heap.usage();
    this.baselineBytes = after.oldBytes;
    const recovered = after.youngBytes < YOUNG_LIMIT_BYTES;
    if (recovered) {
      this.misses = 0;
      this.notBeforeMs = -Infinity;
    } else {
      this.misses++;
      this.notBeforeMs = now + intervalMs * Math.min(2 ** this.misses, MAX_BACKOFF_INTERVALS);
    }
    logger.debug(
      {
        reason,
        codeFlushed: flushCode,
        beforeMiB: mib(usage.youngBytes + usage.oldBytes),
        afterMiB: mib(after.youngBytes + after.oldBytes),
        youngBeforeMiB: mib(usage.youngBytes),
        youngAfterMiB: mib(after.youngBytes),
        oldBaselineMiB: mib(this.baselineBytes),
        durationMs: Math.round(durationMs * 10) / 10,
      },
      'heap compacted',
    );
    return { action: 'compacted', reason, before: usage, after, durationMs, recovered };
  }

  private grown(usage: HeapUsage): boolean {
    return (
      usage.oldBytes - (this.baselineBytes ?? usage.oldBytes) >= HEAP_GROWTH_BYTES ||
      usage.youngBytes >= YOUNG_LIMIT_BYTES
    );
  }
}
