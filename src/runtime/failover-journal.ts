// The failover journal (README "Failover journal"; not in Hadoop): a bounded record of every
// failover, kept in ZooKeeper (journal-zk.ts) and in a local file (the JournalFile port). It is an
// observer: it is fed the controller's records (ControllerRuntime#onEvent) and three small hooks of
// the composition root (who asked for a cede or a graceful failover, and that the daemon stops),
// and nothing in the failover logic waits for it or reads it back.
//
// What it writes (records.ts JournalEntry):
// - standDown, by the old active's zkfc when it leaves the election while holding the lock, with
//   its own reason: its NameNode unhealthy (the NameNode's message) or not responding, a cede (and
//   who asked), its ZooKeeper session expired, the daemon stopping, a fatal error. The entry is
//   queued in the same turn of the event loop as the quit, and written beside it;
// - failover, by the new active's zkfc: from, to, the phases (the runtime's FailoverRecord), the
//   fencing runs with each method's outcome and output tail, what it saw (the lock going, its own
//   session, the breadcrumb) and, for a graceful failover, who asked. When the old active's host
//   is dead there is no stand-down, and `trigger` is what the winner saw;
// - failoverHeldBack / holdBackEnded, anti-flap's records as they are.
//
// Writes never delay the election: entries go into a bounded queue and are written one at a time
// after the event, ZooKeeper first (bounded by its operation timeout), then the local file, which
// gets every entry whatever ZooKeeper does. A failing store is logged once (with its path) until
// it works again. The newest entries, read back from ZooKeeper after a write or a lock-holder
// change (never on a timer of its own), feed /status `history`.

import { errorMessage } from '../errors.js';
import type { ElectorState, HAServiceState, HealthState, NamenodeTarget } from '../core/types.js';
import { attachLosers, entryZnodeName, fitEntry, journalPath } from './journal-codec.js';
import type { JournalReadResult } from './journal-zk.js';
import type { RuntimeLog } from './logging.js';
import type { Cancel, Clock, FenceOutcome, JournalFile } from './ports.js';
import type {
  ControllerRecord,
  FailoverJournalEntry,
  FailoverRecord,
  JournalEntry,
  JournalEntryRead,
  JournalFencing,
  StandDownCause,
  StandDownJournalEntry,
} from './records.js';
import { isoTimestamp } from '../observability/wall-time.js';

/** Entries waiting to be written; beyond it the oldest waiting one is dropped (and logged). */
const QUEUE_MAX = 64;
/** Entries read back for the history (the status shows fewer; the rest help join failovers to stand-downs). */
const HISTORY_READ = 20;
/** Read the history again this long after a failover, a stand-down or a lock-holder change seen. */
export const HISTORY_FOLLOW_UP_MS = 3000;
/** The first read of the history after start(). */
export const HISTORY_FIRST_READ_MS = 5000;
/** A cede request names the stand-down that follows it for this long (plus its own duration). */
const CEDE_MEMORY_MS = 30_000;
/** Fencing runs kept until the failover that used them. */
const FENCING_KEPT = 8;
/** Corrupt znodes remembered (each is reported once). */
const REPORTED_MAX = 1000;

/** What the journal needs of the ZooKeeper store (JournalZkStore). */
export interface JournalStore {
  /** The journal znode. */
  readonly path: string;
  /** Write `entry` as `znode` (a child of `path`), keep the newest entries; resolves with the znode. */
  append(entry: JournalEntry, znode: string): Promise<string>;
  readNewest(limit: number): Promise<JournalReadResult>;
  close(): Promise<void>;
}

export interface FailoverJournalOptions {
  readonly nameservice: string;
  /** This daemon's NameNode. */
  readonly namenode: string;
  /** This host's name (the writer of every entry). */
  readonly host: string;
  readonly clock: Clock;
  readonly log: RuntimeLog;
  /** The ZooKeeper copy; absent: none (tests, a journal without ZooKeeper). */
  readonly store?: JournalStore;
  /** The local copy; absent: none. */
  readonly file?: JournalFile;
  /** How many entries the status shows (default 5). */
  readonly historyShown?: number;
  /** Called with the newest entries (failovers joined to their losers' stand-downs) when they change. */
  readonly onHistory?: (entries: readonly JournalEntryRead[]) => void;
}

interface FencingSeen {
  readonly atWallMs: number;
  readonly target: NamenodeTarget;
  readonly outcome: FenceOutcome;
}

export class FailoverJournal {
  private readonly log: RuntimeLog;
  // What the controller's records said (see observe).
  private holding = false;
  private disconnectedAtWallMs: number | undefined;
  private health: HealthState = 'INITIALIZING';
  private lastProblem: string | undefined;
  private lastReported: HAServiceState | null | undefined;
  private exitMessage: string | undefined;
  private cedeInStep = false;
  private cede: { readonly requester: string; readonly millisToCede: number; readonly atMs: number } | undefined;
  private stopReason: string | undefined;
  private pendingStandDown: { readonly from: ElectorState; to: ElectorState | 'expired' } | undefined;
  private lockHolder: string | undefined;
  private ownSessionExpiredAtWallMs: number | undefined;
  private fencings: FencingSeen[] = [];
  private graceful: { readonly caller: string } | undefined;
  // Writing
  private readonly queue: JournalEntry[] = [];
  private draining: Promise<void> | undefined;
  private storeFailing = false;
  private fileFailing = false;
  private closing = false;
  // History
  private readonly known = new Map<string, JournalEntryRead>();
  private readonly reported = new Set<string>();
  private historyTimer: Cancel | undefined;
  private historyKey = '';
  private historyDueMs: number | undefined;
  private followUpDueMs: number | undefined;
  private reading = false;

  constructor(private readonly options: FailoverJournalOptions) {
    this.log = options.log;
  }

  /** Schedule the first read of the history (the status shows it before any failover here). */
  start(): void {
    this.scheduleHistoryRead(HISTORY_FIRST_READ_MS);
  }

  // -------------------------------------------------------------------------------------------
  // Hooks of the composition root

  /** cedeActive(millisToCede) arrived from `requester` (user at address). */
  cedeRequested(requester: string, millisToCede: number): void {
    if (millisToCede > 0) this.cede = { requester, millisToCede, atMs: this.options.clock.monotonicMs() };
  }

  /** gracefulFailover arrived from `caller`; call the returned function when it has ended. */
  gracefulFailoverRequested(caller: string): () => void {
    const request = { caller };
    this.graceful = request;
    return () => {
      if (this.graceful === request) this.graceful = undefined;
    };
  }

  /** The daemon is stopping (`reason`, e.g. the signal): a stand-down that follows says so. */
  stopping(reason: string): void {
    this.stopReason = reason;
  }

  // -------------------------------------------------------------------------------------------
  // The controller's records

  observe(record: ControllerRecord): void {
    const wallMs = this.options.clock.wallMs();
    switch (record.type) {
      case 'healthCheck':
        if (record.outcome !== 'healthy') this.lastProblem = record.reason ?? record.outcome;
        return;
      case 'healthStateChanged':
        this.health = record.to;
        return;
      case 'serviceStateReported':
        this.lastReported = record.state;
        return;
      case 'electorStateChanged':
        // Out of the election this zkfc watches nothing: a holder seen before is no longer news.
        if (record.to === 'INIT') this.lockHolder = undefined;
        if (record.to === 'ACTIVE') {
          this.holding = true;
          this.disconnectedAtWallMs = undefined;
        } else if (this.holding && record.to === 'NEUTRAL') {
          // Disconnected: the session, and the lock, may still be ours.
          this.disconnectedAtWallMs ??= wallMs;
        } else if (this.holding) {
          this.standDown(record.from, record.to);
        }
        return;
      case 'zkSessionEvent':
        if (record.event !== 'expired') return;
        if (this.holding) this.standDown('NEUTRAL', 'expired');
        else this.ownSessionExpiredAtWallMs = wallMs;
        return;
      case 'exit':
        this.exitMessage = record.message;
        return;
      case 'cede':
        if (record.untilWallMs !== null) this.cedeInStep = true;
        return;
      case 'lockHolder':
        this.onLockHolder(record.info?.namenodeId ?? null);
        return;
      case 'fencing':
        this.fencings = [...this.fencings, { atWallMs: wallMs, target: record.target, outcome: record.outcome }].slice(
          -FENCING_KEPT,
        );
        return;
      case 'failover':
        this.submit(this.failoverEntry(record.record));
        return;
      case 'antiFlap': {
        const { report, atWallMs } = record;
        if (report.kind === 'failoverHeldBack') {
          this.submit({
            ...this.base(atWallMs),
            kind: 'failoverHeldBack',
            namenode: report.namenode,
            healthReason: report.healthReason,
            failoversInWindow: report.failoversInWindow,
            maxFailovers: report.maxFailovers,
            windowMs: report.windowMs,
            releaseAt: iso(atWallMs + report.releaseInMs),
          });
        } else if (report.kind === 'holdBackEnded') {
          this.submit({
            ...this.base(atWallMs),
            kind: 'holdBackEnded',
            namenode: report.namenode,
            reason: report.reason,
            heldBackMs: report.heldBackMs,
          });
        }
        return;
      }
      default:
        return;
    }
  }

  /** The lock's holder as read (a standby reads it when it joins or the holder changes). */
  private onLockHolder(holder: string | null): void {
    if (holder === null || holder === this.options.namenode) return;
    if (holder !== this.lockHolder) this.scheduleHistoryRead(HISTORY_FOLLOW_UP_MS);
    this.lockHolder = holder;
  }

  /**
   * This zkfc left the election while holding the lock. The cause is decided once the records of
   * the same controller step are in (an exit or a cede comes after the elector's state change).
   */
  private standDown(from: ElectorState, to: ElectorState | 'expired'): void {
    this.holding = false;
    if (this.pendingStandDown !== undefined) return;
    this.pendingStandDown = { from, to };
    queueMicrotask(() => {
      const pending = this.pendingStandDown;
      this.pendingStandDown = undefined;
      if (pending !== undefined) this.submit(this.standDownEntry(pending.from, pending.to));
      this.cedeInStep = false;
    });
  }

  private standDownEntry(from: ElectorState, to: ElectorState | 'expired'): StandDownJournalEntry {
    const nowMs = this.options.clock.monotonicMs();
    const cede =
      this.cede !== undefined && nowMs - this.cede.atMs <= this.cede.millisToCede + CEDE_MEMORY_MS
        ? this.cede
        : undefined;
    const disconnectedAt = this.disconnectedAtWallMs;
    this.disconnectedAtWallMs = undefined;
    let cause: StandDownCause;
    let detail: string;
    let requestedBy: string | null = null;
    if (this.stopReason !== undefined) {
      cause = 'stop';
      detail = `zkfc stopped (${this.stopReason}); the next active fences this NameNode`;
    } else if (this.exitMessage !== undefined || this.health === 'HEALTH_MONITOR_FAILED') {
      cause = 'fatal';
      detail = this.exitMessage ?? 'health monitor failed';
    } else if (this.cedeInStep) {
      cause = 'cede';
      requestedBy = cede?.requester ?? null;
      detail =
        cede === undefined
          ? 'cedeActive: stepped aside for a graceful failover'
          : `cedeActive for ${cede.millisToCede} ms: stepped aside for a graceful failover`;
      this.cede = undefined;
    } else if (to === 'expired') {
      cause = 'session-expired';
      detail =
        'ZooKeeper session expired; the lock went with it' +
        (disconnectedAt === undefined ? '' : ` (disconnected since ${iso(disconnectedAt)})`);
    } else if (this.health === 'SERVICE_UNHEALTHY') {
      cause = 'unhealthy';
      detail = `health check failed: ${this.lastProblem ?? 'unhealthy'}`;
    } else if (this.health === 'SERVICE_NOT_RESPONDING') {
      cause = 'not-responding';
      detail = `NameNode not responding: ${this.lastProblem ?? 'no answer'}`;
    } else if (this.lastReported !== undefined && this.lastReported !== null && this.lastReported !== 'ACTIVE') {
      cause = 'service-state';
      detail = `NameNode reported ${this.lastReported} while this zkfc held the lock`;
    } else {
      cause = 'other';
      detail = `left the election (elector ${from} -> ${to})`;
    }
    return {
      ...this.base(this.options.clock.wallMs()),
      kind: 'standDown',
      namenode: this.options.namenode,
      cause,
      detail,
      requestedBy,
      since: disconnectedAt === undefined ? null : iso(disconnectedAt),
    };
  }

  private failoverEntry(record: FailoverRecord): FailoverJournalEntry {
    const startWallMs = record.atWallMs - record.durationMs;
    const runs = this.fencings.filter((run) => run.atWallMs >= startWallMs - 1000);
    this.fencings = [];
    const fencing = runs.map((run): JournalFencing => ({
      target: run.target.namenodeId,
      fenced: run.outcome.fenced,
      graceful: run.outcome.graceful,
      attempts: run.outcome.attempts.map((attempt) => ({
        method: attempt.method,
        outcome: attempt.outcome,
        durationMs: attempt.durationMs,
        detail: attempt.detail,
        outputTail: attempt.outputTail ?? [],
      })),
    }));
    const ownSessionExpired =
      this.ownSessionExpiredAtWallMs !== undefined && this.ownSessionExpiredAtWallMs >= startWallMs - 1000;
    const seen = {
      lockHolder: this.lockHolder ?? null,
      ownSessionExpired,
    };
    const requestedBy = record.reason === 'graceful' ? (this.graceful?.caller ?? null) : null;
    this.lockHolder = undefined;
    this.ownSessionExpiredAtWallMs = undefined;
    this.scheduleHistoryRead(HISTORY_FOLLOW_UP_MS);
    return {
      ...this.base(record.atWallMs),
      kind: 'failover',
      from: record.from ?? seen.lockHolder,
      to: record.to,
      reason: record.reason,
      durationMs: record.durationMs,
      phases: { ...record.phases },
      trigger: winnerTrigger(record, seen, fencing, requestedBy),
      seen,
      fencing,
      requestedBy,
    };
  }

  private base(atWallMs: number): Pick<JournalEntry, 'v' | 'at' | 'nameservice' | 'writer'> {
    return {
      v: 1,
      at: iso(atWallMs),
      nameservice: this.options.nameservice,
      writer: { namenode: this.options.namenode, host: this.options.host },
    };
  }

  // -------------------------------------------------------------------------------------------
  // Writing

  private submit(entry: JournalEntry): void {
    if (this.queue.length >= QUEUE_MAX) {
      const dropped = this.queue.shift();
      this.log.warn({ kind: dropped?.kind, at: dropped?.at }, 'failover journal: queue full, oldest entry dropped');
    }
    this.queue.push(entry);
    this.draining ??= this.drain().finally(() => {
      this.draining = undefined;
    });
  }

  private async drain(): Promise<void> {
    // Off the controller's turn of the event loop: whatever queued the entry goes on first.
    await Promise.resolve();
    for (let entry = this.queue.shift(); entry !== undefined; entry = this.queue.shift()) {
      // The file first: it gets every entry at once, whatever ZooKeeper does or how long it takes.
      const znode = this.znodeFor(entry);
      await this.writeToFile(entry, znode);
      const written = await this.writeToStore(entry, znode);
      this.remember({ ...entry, znode: written });
    }
    this.scheduleHistoryRead(0);
  }

  /** Where the entry goes in ZooKeeper (its name sorts by time; a random suffix keeps writers apart). */
  private znodeFor(entry: JournalEntry): string {
    const suffix = Math.floor(Math.random() * 0xffffff).toString(16);
    return `${this.options.store?.path ?? journalPath('(no ZooKeeper)')}/${entryZnodeName(entry, suffix)}`;
  }

  /** Resolves with the znode written, or the intended one when ZooKeeper did not take it. */
  private async writeToStore(entry: JournalEntry, znode: string): Promise<string> {
    const store = this.options.store;
    if (store === undefined || this.closing) return znode;
    try {
      const written = await store.append(entry, znode);
      if (this.storeFailing) {
        this.storeFailing = false;
        this.log.info({ znode: store.path }, 'failover journal: ZooKeeper writes work again');
      }
      return written;
    } catch (error) {
      if (!this.storeFailing) {
        this.storeFailing = true;
        this.log.warn(
          { znode: (error as { path?: string }).path ?? znode, err: errorMessage(error), kind: entry.kind },
          'failover journal: ZooKeeper write failed; the entry is kept in the local file only',
        );
      }
      return znode;
    }
  }

  private async writeToFile(entry: JournalEntry, znode: string): Promise<void> {
    const file = this.options.file;
    if (file === undefined) return;
    try {
      await file.append(JSON.stringify({ ...fitEntry(entry), znode }));
      if (this.fileFailing) {
        this.fileFailing = false;
        this.log.info({ file: file.path }, 'failover journal: local file writes work again');
      }
    } catch (error) {
      if (!this.fileFailing) {
        this.fileFailing = true;
        this.log.warn({ file: file.path, err: errorMessage(error) }, 'failover journal: local file write failed');
      }
    }
  }

  /**
   * Write what is queued, giving ZooKeeper at most `timeoutMs` (after it, what is left goes to the
   * file only and a ZooKeeper write under way is abandoned), then close the ZooKeeper session
   * (waiting at most as long again). Never rejects.
   */
  async close(timeoutMs: number): Promise<void> {
    this.historyTimer?.();
    this.historyTimer = undefined;
    this.historyDueMs = undefined;
    this.followUpDueMs = undefined;
    // Stand-downs decided in this turn are queued first.
    await Promise.resolve();
    const drained = await this.within(timeoutMs, this.draining ?? Promise.resolve());
    this.closing = true;
    if (!drained) for (const entry of this.queue.splice(0)) await this.writeToFile(entry, this.znodeFor(entry));
    await this.within(timeoutMs, this.options.store?.close().catch(() => undefined) ?? Promise.resolve());
  }

  /** True when `promise` settled within `timeoutMs`. */
  private async within(timeoutMs: number, promise: Promise<unknown>): Promise<boolean> {
    let cancel: Cancel | undefined;
    const timedOut = new Promise<false>((resolve) => {
      cancel = this.options.clock.schedule(timeoutMs, () => resolve(false));
    });
    const settled = await Promise.race([promise.then(() => true as const), timedOut]);
    cancel?.();
    return settled;
  }

  // -------------------------------------------------------------------------------------------
  // History (the status)

  private remember(entry: JournalEntryRead): void {
    this.known.set(entry.znode, entry);
    this.publishHistory();
  }

  /**
   * Read the history in `delayMs`. One read is pending at a time: a request for later than the
   * pending one becomes its follow-up (read again then), one for sooner moves it.
   */
  private scheduleHistoryRead(delayMs: number): void {
    if (this.options.store === undefined || this.closing) return;
    const dueMs = this.options.clock.monotonicMs() + delayMs;
    const pending = this.historyDueMs;
    if (this.reading || (pending !== undefined && pending <= dueMs)) {
      this.followUpDueMs = Math.max(this.followUpDueMs ?? dueMs, dueMs);
      return;
    }
    if (pending !== undefined) this.followUpDueMs = Math.max(this.followUpDueMs ?? pending, pending);
    this.historyTimer?.();
    this.historyDueMs = dueMs;
    this.historyTimer = this.options.clock.schedule(delayMs, () => {
      this.historyTimer = undefined;
      this.historyDueMs = undefined;
      void this.readHistory();
    });
  }

  private async readHistory(): Promise<void> {
    const store = this.options.store;
    if (store === undefined || this.closing) return;
    this.reading = true;
    try {
      const read = await store.readNewest(HISTORY_READ);
      for (const entry of read.entries) this.known.set(entry.znode, entry);
      for (const corrupt of read.corrupt) {
        if (this.reported.has(corrupt.znode)) continue;
        if (this.reported.size >= REPORTED_MAX) this.reported.clear();
        this.reported.add(corrupt.znode);
        this.log.warn({ znode: corrupt.znode, detail: corrupt.detail }, 'failover journal: unreadable entry skipped');
      }
      this.publishHistory();
    } catch (error) {
      this.log.debug({ znode: store.path, err: errorMessage(error) }, 'failover journal: history not read');
    } finally {
      this.reading = false;
      const followUp = this.followUpDueMs;
      this.followUpDueMs = undefined;
      if (followUp !== undefined) this.scheduleHistoryRead(Math.max(0, followUp - this.options.clock.monotonicMs()));
    }
  }

  private publishHistory(): void {
    const newest = attachLosers([...this.known.values()]).slice(0, HISTORY_READ);
    // Keep only what may still be shown or joined.
    const keep = new Set(newest.map((entry) => entry.znode));
    for (const znode of [...this.known.keys()]) if (!keep.has(znode)) this.known.delete(znode);
    const shown = newest.slice(0, this.options.historyShown ?? 5);
    const key = JSON.stringify(shown);
    if (key === this.historyKey) return;
    this.historyKey = key;
    this.options.onHistory?.(shown);
  }
}

function iso(wallMs: number): string {
  return Number.isNaN(new Date(wallMs).getTime()) ? isoTimestamp(0) : isoTimestamp(wallMs);
}

/** What the new active's zkfc saw, in words (the trigger when the old active's own reason is missing). */
export function winnerTrigger(
  record: Pick<FailoverRecord, 'from' | 'reason'>,
  seen: FailoverJournalEntry['seen'],
  fencing: readonly JournalFencing[],
  requestedBy: string | null,
): string {
  switch (record.reason) {
    case 'graceful':
      return `graceful failover requested by ${requestedBy ?? 'an administrator'}`;
    case 'initial':
      return 'no previous active on record (no breadcrumb)';
    case 'reelected':
      return 'the breadcrumb named this NameNode itself: it won the lock again';
    case 'election':
      break;
  }
  const parts: string[] = [];
  parts.push(
    seen.lockHolder !== null
      ? `the lock of ${seen.lockHolder} went away (its zkfc quit the election or its ZooKeeper session expired)`
      : 'the lock was free when this zkfc joined the election',
  );
  if (seen.ownSessionExpired) parts.push("this zkfc's own ZooKeeper session expired meanwhile");
  if (record.from !== null) parts.push(`the breadcrumb named ${record.from}`);
  const last = fencing[fencing.length - 1];
  if (last === undefined) parts.push('nothing fenced');
  else if (last.fenced && last.graceful) parts.push(`${last.target} went to standby when asked (graceful fence)`);
  else if (last.fenced) {
    const method = last.attempts.find((attempt) => attempt.outcome === 'success')?.method ?? 'a fencing method';
    parts.push(`${last.target} fenced by ${method}`);
  } else parts.push(`fencing ${last.target} failed`);
  return parts.join('; ');
}
