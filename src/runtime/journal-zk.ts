// The failover journal in ZooKeeper (README "Failover journal"): writes one entry znode under
// <working dir>/ZkfcFailoverJournal (created with the configured ACL, like the pause znode), keeps
// the newest maxRecords entries (deleting the oldest of the names it writes, never anything else),
// and reads the newest entries back, reporting and skipping any znode that is not an entry.
//
// Cheap and out of the way: the store opens its ZooKeeper session only when it has something to
// write or read, and closes it after idleCloseMs without use, so an idle daemon holds no extra
// session and sends no pings for the journal. The session is its own, never the elector's: a
// journal write never queues behind or in front of an election operation. Every operation is
// bounded by the session options' operation timeout, the connect by the session timeout.

import { ZkfcError } from '../errors.js';
import {
  decodeJournalEntry,
  encodeJournalEntry,
  entryZnodeName,
  isEntryZnodeName,
  journalPath,
  JOURNAL_READ_MAX,
} from './journal-codec.js';
import type { Cancel, Clock, ZkAcl, ZkErrorCode, ZkSession, ZkSessionFactory, ZkSessionOptions } from './ports.js';
import type { JournalEntry, JournalEntryRead } from './records.js';
import { connectOnce } from './zk-connect.js';

/** A journal operation in ZooKeeper failed; `path` is the znode, `zkCode` ZooKeeper's answer. */
export class JournalZkError extends ZkfcError {
  readonly code = 'ZK_OPERATION_FAILED';
  constructor(
    message: string,
    readonly path: string,
    readonly zkCode: ZkErrorCode | 'UNAVAILABLE',
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A znode under the journal that is not an entry, with what is wrong. */
export interface JournalCorruptEntry {
  readonly znode: string;
  readonly detail: string;
}

export interface JournalReadResult {
  /** Newest first. */
  readonly entries: readonly JournalEntryRead[];
  readonly corrupt: readonly JournalCorruptEntry[];
}

/** Children read at once (getData calls in flight). */
const READ_BATCH = 32;
/** Names not written by a journal are read too (to report them), at most this many. */
const FOREIGN_NAMES_MAX = 20;
/** Oldest entries deleted per write beyond maxRecords (the rest go with the next writes). */
const TRIM_PER_WRITE_MAX = 100;

function fail(path: string, what: string, result: { code: ZkErrorCode; message: string }): never {
  throw new JournalZkError(`${what} ${path}: ${result.code} ${result.message}`, path, result.code);
}

/**
 * Read the newest `limit` entries under `path` (the journal znode) on `session`; a missing journal
 * is an empty one. Throws JournalZkError when ZooKeeper does not answer.
 */
export async function readJournal(session: ZkSession, path: string, limit: number): Promise<JournalReadResult> {
  const children = await session.getChildren(path);
  if (children.code === 'NONODE') return { entries: [], corrupt: [] };
  if (children.code !== 'OK') fail(path, 'cannot list', children);
  const ours = children.value.filter(isEntryZnodeName).sort();
  const foreign = children.value.filter((name) => !isEntryZnodeName(name)).sort();
  const names = [...ours.slice(-Math.max(0, limit)), ...foreign.slice(0, FOREIGN_NAMES_MAX)];
  const entries: JournalEntryRead[] = [];
  const corrupt: JournalCorruptEntry[] = [];
  for (let start = 0; start < names.length; start += READ_BATCH) {
    const batch = names.slice(start, start + READ_BATCH);
    const results = await Promise.all(batch.map((name) => session.getData(`${path}/${name}`)));
    results.forEach((result, index) => {
      const znode = `${path}/${batch[index] ?? ''}`;
      if (result.code === 'NONODE') return; // trimmed meanwhile
      if (result.code !== 'OK') fail(znode, 'cannot read', result);
      try {
        entries.push({ ...decodeJournalEntry(result.value.data, znode), znode });
      } catch (error) {
        corrupt.push({ znode, detail: error instanceof Error ? error.message : String(error) });
      }
    });
  }
  entries.sort((a, b) => Date.parse(b.at) - Date.parse(a.at) || (a.znode < b.znode ? 1 : -1));
  return { entries, corrupt };
}

export interface JournalZkStoreOptions {
  readonly zk: ZkSessionFactory;
  readonly zkSession: ZkSessionOptions;
  /** <ha.zookeeper.parent-znode>/<nameservice>: the journal lives below it; it is never created here. */
  readonly workingDir: string;
  /** ha.zookeeper.acl: the journal znode and its entries get it. */
  readonly acl: readonly ZkAcl[];
  /** zkfc.journal.max-records: entries kept. */
  readonly maxRecords: number;
  readonly clock: Clock;
  /** Close the session after this long without an operation (default 30 s). */
  readonly idleCloseMs?: number;
  /** Random hex digits for entry names (default Math.random). */
  readonly randomSuffix?: () => string;
}

export class JournalZkStore {
  readonly path: string;
  private session: Promise<ZkSession> | undefined;
  private inFlight = 0;
  private idleTimer: Cancel | undefined;
  private closed = false;

  constructor(private readonly options: JournalZkStoreOptions) {
    this.path = journalPath(options.workingDir);
  }

  /**
   * Write one entry as `znode` (default: a new name under the journal, see entryZnodeName), then
   * trim; resolves with its znode. Throws JournalZkError.
   */
  append(entry: JournalEntry, znode?: string): Promise<string> {
    return this.use(async (session) => {
      const data = encodeJournalEntry(entry);
      const suffix = this.options.randomSuffix?.() ?? Math.floor(Math.random() * 0xffffff).toString(16);
      const path = znode ?? `${this.path}/${entryZnodeName(entry, suffix)}`;
      if (!path.startsWith(`${this.path}/`) || !isEntryZnodeName(path.slice(this.path.length + 1)))
        throw new JournalZkError(`${path} is not an entry name under ${this.path}`, path, 'OTHER');
      let created = await session.create(path, data, this.options.acl, 'PERSISTENT');
      if (created.code === 'NONODE') {
        const parent = await session.create(this.path, new Uint8Array(0), this.options.acl, 'PERSISTENT');
        if (parent.code === 'NONODE')
          throw new JournalZkError(
            `cannot create ${this.path}: the election znode ${this.options.workingDir} does not exist ` +
              '(run zkfc -formatZK)',
            this.path,
            'NONODE',
          );
        if (parent.code !== 'OK' && parent.code !== 'NODEEXISTS') fail(this.path, 'cannot create', parent);
        created = await session.create(path, data, this.options.acl, 'PERSISTENT');
      }
      if (created.code !== 'OK') fail(path, 'cannot create', created);
      await this.trim(session);
      return path;
    });
  }

  /** The newest `limit` entries (at most JOURNAL_READ_MAX). Throws JournalZkError. */
  readNewest(limit: number): Promise<JournalReadResult> {
    return this.use((session) => readJournal(session, this.path, Math.min(limit, JOURNAL_READ_MAX)));
  }

  /** Close the session (if open); later calls open a new one unless closed for good. */
  async close(): Promise<void> {
    this.closed = true;
    await this.closeSession();
  }

  /** The open session, if any (leak checks). */
  liveSession(): Promise<ZkSession> | undefined {
    return this.session;
  }

  private async trim(session: ZkSession): Promise<void> {
    const children = await session.getChildren(this.path);
    if (children.code !== 'OK') fail(this.path, 'cannot list', children);
    const ours = children.value.filter(isEntryZnodeName).sort();
    const excess = ours.slice(0, Math.max(0, ours.length - this.options.maxRecords)).slice(0, TRIM_PER_WRITE_MAX);
    for (const name of excess) {
      const deleted = await session.delete(`${this.path}/${name}`, -1);
      if (deleted.code !== 'OK' && deleted.code !== 'NONODE') fail(`${this.path}/${name}`, 'cannot delete', deleted);
    }
  }

  private async use<T>(operation: (session: ZkSession) => Promise<T>): Promise<T> {
    if (this.closed) throw new JournalZkError(`${this.path}: the journal is closed`, this.path, 'UNAVAILABLE');
    this.inFlight++;
    this.idleTimer?.();
    this.idleTimer = undefined;
    try {
      let session: ZkSession;
      try {
        session = await this.open();
      } catch (cause) {
        throw new JournalZkError(
          `cannot reach ZooKeeper for ${this.path}: ${cause instanceof Error ? cause.message : String(cause)}`,
          this.path,
          'UNAVAILABLE',
          { cause },
        );
      }
      return await operation(session);
    } finally {
      this.inFlight--;
      if (this.inFlight === 0 && !this.closed)
        this.idleTimer = this.options.clock.schedule(this.options.idleCloseMs ?? 30_000, () => {
          this.idleTimer = undefined;
          if (this.inFlight === 0) void this.closeSession();
        });
    }
  }

  private open(): Promise<ZkSession> {
    if (this.session !== undefined) return this.session;
    const opening = connectOnce(this.options.zk, this.options.zkSession, (event) => {
      // A session that expired or was refused is dead: the next operation opens a new one.
      if (event.state !== 'connected' && event.state !== 'disconnected' && this.session === opening)
        void this.closeSession();
    });
    this.session = opening;
    opening.catch(() => {
      if (this.session === opening) this.session = undefined;
    });
    return opening;
  }

  private async closeSession(): Promise<void> {
    this.idleTimer?.();
    this.idleTimer = undefined;
    const session = this.session;
    this.session = undefined;
    if (session === undefined) return;
    try {
      await (await session).close();
    } catch {
      // never connected: nothing to close
    }
  }
}
