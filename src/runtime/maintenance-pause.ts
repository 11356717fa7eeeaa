// The maintenance pause (README "Maintenance pause"; not in Hadoop): an operator's
// `haadmin pause --ttl 30m --reason …` writes one persistent znode beside the elector's,
// <working dir>/ZkfcMaintenancePause, holding a small JSON record; `haadmin resume` deletes it.
// Every zkfc of the nameservice reads it with a ZooKeeper watch (so a pause or resume arrives at
// once), again right after a pause's end, and every zkfc.pause.check-interval.ms as a fallback,
// and tells its core (MaintenancePauseChanged): while a pause holds, no controller transitions or fences anything.
// Hadoop's ZKFC never reads the znode (its elector touches only the lock and the breadcrumb) and
// -formatZK deletes it with the rest of the working dir.
//
// The record is untrusted input: its size is bounded, every field is checked, and a pause ends
// at the earliest of its `until` and zkfc.pause.max-ttl.ms after its `at`, so a wrong clock or a
// hand-written record cannot hold failover off for longer than the operator's bound. A record
// that cannot be read counts as no pause (failover stays automatic) and is reported as a
// ZooKeeper problem with the command that clears it.
//
// The monitor keeps a session of its own: a paused standby leaves the election, and with it the
// elector's session, yet must still see `resume`.

import { errorMessage, ZkfcError } from '../errors.js';
import { PeriodicTask } from './periodic-task.js';
import type { Clock, ZkSession, ZkSessionFactory, ZkSessionOptions } from './ports.js';
import { isoTimestamp } from '../observability/wall-time.js';

export const PAUSE_ZNODE = 'ZkfcMaintenancePause';
/** Records are a few hundred bytes; anything much bigger is not ours. */
export const PAUSE_MAX_BYTES = 4096;
export const PAUSE_REASON_MAX_CHARS = 1024;

export interface MaintenancePause {
  /** Wall-clock epoch ms the pause was set. */
  readonly atWallMs: number;
  /** Wall-clock epoch ms the pause ends (its TTL). */
  readonly untilWallMs: number;
  readonly reason: string;
  /** Who set it: user@host, as haadmin writes it. */
  readonly by: string;
}

/** The pause znode's data is not a pause record. */
export class PauseDataError extends ZkfcError {
  readonly code = 'ZNODE_DATA_INVALID';
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
  }
}

export function pausePath(workingDir: string): string {
  return `${workingDir}/${PAUSE_ZNODE}`;
}

export function encodePause(pause: MaintenancePause): Uint8Array {
  const record = {
    version: 1,
    at: isoTimestamp(pause.atWallMs),
    until: isoTimestamp(pause.untilWallMs),
    reason: pause.reason,
    by: pause.by,
  };
  return new TextEncoder().encode(JSON.stringify(record));
}

/** Parse and check a pause record; throws PauseDataError naming the znode and what is wrong. */
export function decodePause(data: Uint8Array, path: string): MaintenancePause {
  const fail = (what: string): never => {
    throw new PauseDataError(`${path}: not a maintenance pause record: ${what}`, path);
  };
  if (data.length > PAUSE_MAX_BYTES) fail(`${data.length} bytes, more than ${PAUSE_MAX_BYTES}`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    return fail('not UTF-8');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return fail(`not JSON (${errorMessage(error)})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('not a JSON object');
  const record = value as Record<string, unknown>;
  const time = (field: string): number => {
    const raw = record[field];
    const ms = typeof raw === 'string' ? Date.parse(raw) : NaN;
    if (!Number.isFinite(ms)) fail(`"${field}" is not an ISO-8601 time`);
    return ms;
  };
  const text_ = (field: string, max: number): string => {
    const raw = record[field];
    if (typeof raw !== 'string') return fail(`"${field}" is not a string`);
    if (raw.length > max) fail(`"${field}" is longer than ${max} characters`);
    return raw;
  };
  const atWallMs = time('at');
  const untilWallMs = time('until');
  if (untilWallMs <= atWallMs) fail('"until" is not after "at"');
  return { atWallMs, untilWallMs, reason: text_('reason', PAUSE_REASON_MAX_CHARS), by: text_('by', 256) };
}

/** When a pause really ends: its TTL, capped at maxTtlMs after it was set. */
export function pauseEndWallMs(pause: MaintenancePause, maxTtlMs: number): number {
  return Math.min(pause.untilWallMs, pause.atWallMs + maxTtlMs);
}

/** What the monitor concluded from one read. */
export type PauseView =
  | { readonly state: 'none' }
  | { readonly state: 'paused'; readonly pause: MaintenancePause; readonly endWallMs: number }
  | { readonly state: 'expired'; readonly pause: MaintenancePause }
  | { readonly state: 'unreadable'; readonly detail: string };

export interface PauseMonitorOptions {
  readonly workingDir: string;
  readonly zkSession: ZkSessionOptions;
  readonly zk: ZkSessionFactory;
  readonly clock: Clock;
  readonly checkIntervalMs: number;
  readonly maxTtlMs: number;
  /** Called with every view that differs from the previous one (never twice the same). */
  readonly onChange: (view: PauseView) => void;
  readonly log: { warn(fields: object, message: string): void; debug(fields: object, message: string): void };
}

/**
 * Reads the pause znode on a session of its own, with a watch, right after a pause's end and every
 * checkIntervalMs (the fallback for a watch lost with a connection), and reports changes. Each
 * read compares the pause's end with the wall clock. Without ZooKeeper the last view stands (a
 * pause that started stays until its end).
 */
export class PauseMonitor {
  private session: ZkSession | undefined;
  private sessionUsable = false;
  private stopped = false;
  private last: string | undefined;
  private lastPause: MaintenancePause | undefined;
  /** Reads with a watch; each returns the pause before the next (periodic-task.ts: never two at once). */
  private readonly task: PeriodicTask<number>;

  constructor(private readonly options: PauseMonitorOptions) {
    this.task = new PeriodicTask({
      clock: options.clock,
      run: () => this.read(),
      delayAfter: (nextMs) => nextMs ?? options.checkIntervalMs,
      // read() reports what it cannot read as a view; a throw would be a bug of ours.
      onError: (error) =>
        options.log.warn({ znode: this.path, detail: errorMessage(error) }, 'maintenance pause read failed'),
    });
  }

  get path(): string {
    return pausePath(this.options.workingDir);
  }

  /** The monitor's own session, if one is open (leak checks). */
  liveSession(): ZkSession | undefined {
    return this.session;
  }

  start(): void {
    this.openSession();
    this.task.start(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    // Not waited for: a read under way ends with the session closed here.
    void this.task.stop();
    const session = this.session;
    this.session = undefined;
    await session?.close();
  }

  private openSession(): void {
    if (this.stopped) return;
    const opened = this.options.zk.open(this.options.zkSession, (event) => {
      if (this.session !== opened) return;
      if (event.state === 'connected') {
        this.sessionUsable = true;
        this.readSoon();
      } else if (event.state === 'disconnected') this.sessionUsable = false;
      else {
        // Expired, or never connected: a new session on the next read.
        this.sessionUsable = false;
        this.session = undefined;
        void opened.close();
      }
    });
    this.session = opened;
    this.sessionUsable = false;
  }

  /** A watch fired or a session connected: read now (after the read under way, if any). */
  private readSoon(): void {
    this.task.runSoon();
  }

  /** One function for every watch, so the client keeps one watcher per znode. */
  private readonly onWatch = (): void => this.readSoon();

  /** One read; resolves to the pause before the next one. */
  private async read(): Promise<number> {
    let nextMs = this.options.checkIntervalMs;
    if (this.session === undefined) this.openSession();
    const session = this.session;
    if (session !== undefined && this.sessionUsable) {
      // The watch brings the next change at once; the interval is only the fallback re-read.
      const result = await session.getData(this.path, this.onWatch);
      if (result.code === 'NONODE') {
        // Watch for its creation; created meanwhile: read it now.
        const exists = await session.exists(this.path, this.onWatch);
        if (exists.code === 'OK') this.readSoon();
      }
      if (result.code === 'OK') {
        try {
          this.lastPause = decodePause(result.value.data, this.path);
          this.report(this.viewOf(this.lastPause));
        } catch (error) {
          this.lastPause = undefined;
          this.report({ state: 'unreadable', detail: errorMessage(error) });
        }
      } else if (result.code === 'NONODE') {
        this.lastPause = undefined;
        this.report({ state: 'none' });
      } else {
        this.options.log.debug({ code: result.code, znode: this.path }, 'maintenance pause not read');
        if (this.lastPause !== undefined) this.report(this.viewOf(this.lastPause));
      }
    } else if (this.lastPause !== undefined) {
      // No ZooKeeper: the pause we know of still ends on time.
      this.report(this.viewOf(this.lastPause));
    }
    // A pause ends by the clock too: look again right after its end.
    const last = this.lastPause;
    if (last !== undefined) {
      const untilEndMs = pauseEndWallMs(last, this.options.maxTtlMs) - this.options.clock.wallMs();
      if (untilEndMs >= 0) nextMs = Math.min(nextMs, untilEndMs + 1);
    }
    return nextMs;
  }

  private viewOf(pause: MaintenancePause): PauseView {
    const endWallMs = pauseEndWallMs(pause, this.options.maxTtlMs);
    return endWallMs > this.options.clock.wallMs()
      ? { state: 'paused', pause, endWallMs }
      : { state: 'expired', pause };
  }

  private report(view: PauseView): void {
    const key = JSON.stringify(view);
    if (key === this.last) return;
    this.last = key;
    if (view.state === 'unreadable')
      this.options.log.warn({ znode: this.path, detail: view.detail }, 'maintenance pause unreadable');
    this.options.onChange(view);
  }
}
