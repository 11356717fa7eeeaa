// Reads the local NameNode's HTTP view (the NameNodeHttpReader port: JMX beans and /isActive) on
// its own timer and keeps the latest: the last good view with when it was read, whether the last
// read succeeded, and the last failure. Off the election path by construction: the controller, the
// health poller and the elector never wait for it or read it; a read is bounded by its deadline
// and reads never overlap (the next one is scheduled when the previous one has ended:
// periodic-task.ts), so a hanging HTTP endpoint costs one pending request, never a delayed health
// check or election.
//
// Changes are logged with stable messages as {from, to, reason}: the view going up or down (or
// failing in a new way), safe mode entered or left, and /isActive disagreeing with the JMX state.
// Nothing is logged while nothing changes, and the logger's repeat limit bounds a view that
// flaps. Nothing here gates promotion yet: the view is shaped for a readiness decision (safe
// mode, millis since the last loaded edits, the last applied transaction id) that a later part
// of the core will take.

import { PeriodicTask } from './periodic-task.js';
import type { Clock, NameNodeHttpFailure, NameNodeHttpReader, NameNodeHttpView } from './ports.js';
import type { RuntimeLog } from './logging.js';

export interface NameNodeHttpPollerOptions {
  readonly reader: NameNodeHttpReader;
  readonly clock: Clock;
  /** zkfc.namenode-http.interval.ms: between the end of a read and the start of the next (> 0). */
  readonly intervalMs: number;
  /** zkfc.namenode-http.timeout.ms: deadline of one read. */
  readonly timeoutMs: number;
  readonly log: RuntimeLog;
}

/** What the poller knows now (input of the status model and the metrics). */
export interface NameNodeHttpSnapshot {
  /** The NameNode's HTTP base URL. */
  readonly baseUrl: string;
  /** The last read succeeded. False before the first read has ended. */
  readonly up: boolean;
  /** The last good view, kept while later reads fail; null before the first good read. */
  readonly view: NameNodeHttpView | null;
  /** Monotonic and wall-clock ms when `view` was read; null without a view. */
  readonly viewAtMonotonicMs: number | null;
  readonly viewAtWallMs: number | null;
  /** The last failed read and when it ended (wall ms); kept after the view is back up. */
  readonly lastFailure: (NameNodeHttpFailure & { readonly atWallMs: number }) | null;
  /** The last good view's /isActive disagrees with its NameNodeStatus.State. */
  readonly isActiveMismatch: boolean;
  /** Reads ended since start, and how many of them failed. */
  readonly reads: number;
  readonly failures: number;
}

/** The outcome of one read, for counters: 'ok' or the failure kind. */
export type NameNodeHttpReadOutcome = 'ok' | NameNodeHttpFailure['kind'];

/**
 * Whether /isActive and the JMX state disagree: /isActive answers 200 exactly when
 * NameNodeStatus.State is active (both are read live from the NameNode). The reads are a few
 * milliseconds apart, so a transition between them can show once; a lasting mismatch means a
 * NameNode that contradicts itself. FSNamesystem tag.HAState is not compared: that bean is a
 * metrics2 source, served from a cache refreshed every metrics period (MetricsSourceAdapter's JMX
 * cache, 10 s by default), and trails every transition by up to that long (seen on Hadoop 3.4.2:
 * active in NameNodeStatus, still standby in tag.HAState, 10 s after the transition).
 */
export function isActiveMismatch(view: NameNodeHttpView): string | undefined {
  const state = view.state.toLowerCase();
  const answered = view.isActive ? '200 (active)' : '405 (not active)';
  if (view.isActive !== (view.state === 'ACTIVE'))
    return `/isActive answered ${answered} but NameNodeStatus.State is ${state}`;
  return undefined;
}

export class NameNodeHttpPoller {
  private readonly task: PeriodicTask<NameNodeHttpSnapshot>;
  private readonly listeners: ((snapshot: NameNodeHttpSnapshot, outcome: NameNodeHttpReadOutcome) => void)[] = [];
  private current: NameNodeHttpSnapshot;
  /** 'up', or 'down: <kind>' ('unknown' before the first read): what a state-change line says. */
  private viewState = 'unknown';

  constructor(private readonly options: NameNodeHttpPollerOptions) {
    this.current = {
      baseUrl: options.reader.baseUrl,
      up: false,
      view: null,
      viewAtMonotonicMs: null,
      viewAtWallMs: null,
      lastFailure: null,
      isActiveMismatch: false,
      reads: 0,
      failures: 0,
    };
    this.task = new PeriodicTask({
      clock: options.clock,
      run: () => this.read(),
      delayAfter: () => options.intervalMs,
      // read() never rejects; a throw would be a bug of ours, reported as the reads' failures are.
      onError: (error) => options.log.error({ err: error }, 'NameNode HTTP view read failed'),
    });
  }

  snapshot(): NameNodeHttpSnapshot {
    return this.current;
  }

  /** Called after every read with the new snapshot and the read's outcome. */
  onRead(listener: (snapshot: NameNodeHttpSnapshot, outcome: NameNodeHttpReadOutcome) => void): void {
    this.listeners.push(listener);
  }

  /** Read now (on the next turn of the clock), then every interval after each read ends. */
  start(): void {
    this.task.start(0);
  }

  /** No read starts after this; a read in flight ends by its deadline. */
  stop(): void {
    void this.task.stop();
  }

  /** One read, its snapshot update, logs and listeners; while a read is under way, that read. Never rejects. */
  readOnce(): Promise<NameNodeHttpSnapshot> {
    return this.task.runOnce();
  }

  private async read(): Promise<NameNodeHttpSnapshot> {
    const { reader, timeoutMs } = this.options;
    let outcome: NameNodeHttpReadOutcome;
    try {
      const result = await reader.read(timeoutMs);
      if (result.ok) {
        outcome = 'ok';
        this.accept(result.view);
      } else {
        outcome = result.failure.kind;
        this.reject(result.failure);
      }
    } catch (error) {
      // The port never rejects; an adapter that does anyway is a failed read, not a crash.
      outcome = 'malformed';
      this.reject({
        kind: 'malformed',
        url: reader.baseUrl,
        message: `reading ${reader.baseUrl}: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
    this.current = { ...this.current, reads: this.current.reads + 1 };
    for (const listener of this.listeners) listener(this.current, outcome);
    return this.current;
  }

  private accept(view: NameNodeHttpView): void {
    const { clock, log } = this.options;
    const before = this.current;
    const mismatch = isActiveMismatch(view);
    this.changeViewState('up', 'read ok');
    if (before.view !== null && before.view.inSafemode !== view.inSafemode) {
      log.info(
        {
          url: before.baseUrl,
          from: before.view.inSafemode ? 'on' : 'off',
          to: view.inSafemode ? 'on' : 'off',
          reason: view.inSafemode ? view.safemode : 'NameNodeInfo.Safemode is empty',
        },
        'NameNode safe mode changed',
      );
    } else if (before.view === null && view.inSafemode) {
      log.info({ url: before.baseUrl, from: 'unknown', to: 'on', reason: view.safemode }, 'NameNode safe mode changed');
    }
    if ((mismatch !== undefined) !== before.isActiveMismatch) {
      (mismatch !== undefined ? log.warn : log.info)(
        {
          url: before.baseUrl,
          from: before.isActiveMismatch ? 'mismatch' : 'agree',
          to: mismatch !== undefined ? 'mismatch' : 'agree',
          reason: mismatch ?? '/isActive and NameNodeStatus.State agree',
        },
        'NameNode /isActive cross-check changed',
      );
    }
    this.current = {
      ...before,
      up: true,
      view,
      viewAtMonotonicMs: clock.monotonicMs(),
      viewAtWallMs: clock.wallMs(),
      isActiveMismatch: mismatch !== undefined,
    };
  }

  private reject(failure: NameNodeHttpFailure): void {
    this.changeViewState(`down: ${failure.kind}`, failure.message);
    this.current = {
      ...this.current,
      up: false,
      lastFailure: { ...failure, atWallMs: this.options.clock.wallMs() },
      failures: this.current.failures + 1,
    };
  }

  private changeViewState(next: string, reason: string): void {
    const from = this.viewState;
    if (from === next) return;
    this.viewState = next;
    const fields = { url: this.current.baseUrl, from, to: next, reason };
    if (next === 'up') this.options.log.info(fields, 'NameNode HTTP view changed');
    else this.options.log.warn(fields, 'NameNode HTTP view changed');
  }
}
