// The failover journal's bytes and bounds (README "Failover journal"; records.ts JournalEntry): one
// persistent znode per entry under <working dir>/ZkfcFailoverJournal, named so that names sort by
// time, holding the entry as UTF-8 JSON of at most JOURNAL_ENTRY_MAX_BYTES (ZooKeeper's
// jute.maxbuffer is 1 MiB). Hadoop's ZKFC never reads it (its elector touches only the lock and the
// breadcrumb) and -formatZK deletes it with the rest of the working znode.
//
// The znodes are untrusted input (any client the ACL lets in may write there): decoding checks the
// size, the encoding, every field's type and bound, and keeps only the fields it knows; anything
// else is a JournalDataError naming the znode, which readers report and skip. Entries we write are
// bounded the same way before they are encoded (boundEntry), so they always read back.
//
// Also here: attachLosers, which joins a failover to the old active's own stand-down entry (the two
// are written by two daemons, each when it can, so either may land first; the join is by NameNode
// and time, on the readers' side).

import { ZkfcError } from '../errors.js';
import { boundText } from '../observability/untrusted.js';
import {
  STAND_DOWN_CAUSES,
  type FailoverJournalEntry,
  type JournalEntry,
  type JournalEntryRead,
  type JournalFenceAttempt,
  type JournalFencing,
  type StandDownJournalEntry,
} from './records.js';

export const JOURNAL_ZNODE = 'ZkfcFailoverJournal';
/** Largest entry written or read (a typical one is under 2 KiB). */
export const JOURNAL_ENTRY_MAX_BYTES = 16 * 1024;
/** Most entries read at once (zkfc.journal.max-records is at most as many: src/config/schema.ts). */
export const JOURNAL_READ_MAX = 1000;
/** Bounds of the fields (characters; a cut string carries a marker of up to MARKER_CHARS more). */
export const JOURNAL_ID_MAX_CHARS = 256;
export const JOURNAL_TEXT_MAX_CHARS = 2000;
export const JOURNAL_OUTPUT_LINE_MAX_CHARS = 240;
export const JOURNAL_OUTPUT_TAIL_LINES = 10;
export const JOURNAL_FENCING_RUNS_MAX = 4;
export const JOURNAL_FENCE_ATTEMPTS_MAX = 8;
/** What boundText appends to a cut string ("…[123456 more chars]"). */
const MARKER_CHARS = 32;
/** A failover and its loser's stand-down are joined when this close (either side's clock). */
export const LOSER_JOIN_WINDOW_MS = 60_000;

const FAILOVER_REASONS = ['initial', 'election', 'graceful', 'reelected'] as const;
const FENCE_OUTCOMES = ['success', 'failure', 'timeout', 'error'] as const;
const HOLD_BACK_ENDS = ['healthy', 'not-responding', 'window-passed', 'lock-released'] as const;
/** Longest duration a field may hold: a year (anything longer is not a measurement). */
const DURATION_MAX_MS = 365 * 86_400_000;

/** A journal znode's data is not a journal entry. */
export class JournalDataError extends ZkfcError {
  readonly code = 'ZNODE_DATA_INVALID';
  constructor(
    message: string,
    readonly path: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export function journalPath(workingDir: string): string {
  return `${workingDir}/${JOURNAL_ZNODE}`;
}

/** Names we write: 15-digit epoch ms, kind, NameNode id (made znode-safe), a random suffix. */
const ENTRY_NAME = /^\d{15}-[A-Za-z]{1,20}-[A-Za-z0-9_.-]{1,64}-[0-9a-f]{1,12}$/;

/** The child name of `entry`; names sort by the writer's time. `suffix`: a few random hex digits. */
export function entryZnodeName(entry: JournalEntry, suffix: string): string {
  const ms = Math.max(0, Math.min(999_999_999_999_999, Math.floor(Date.parse(entry.at)) || 0));
  const who = 'namenode' in entry ? entry.namenode : entry.to;
  const safe = who.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 64) || '_';
  const tail = suffix.replace(/[^0-9a-f]/g, '').slice(0, 12) || '0';
  return `${String(ms).padStart(15, '0')}-${entry.kind}-${safe}-${tail}`;
}

/** True for the names this journal writes (trimming deletes only those). */
export function isEntryZnodeName(name: string): boolean {
  return ENTRY_NAME.test(name);
}

// ---------------------------------------------------------------------------------------------
// Writing

function text(value: string, max = JOURNAL_TEXT_MAX_CHARS): string {
  return boundText(value, max);
}

function boundFencing(runs: readonly JournalFencing[]): JournalFencing[] {
  return runs.slice(-JOURNAL_FENCING_RUNS_MAX).map((run) => ({
    target: text(run.target, JOURNAL_ID_MAX_CHARS),
    fenced: run.fenced,
    graceful: run.graceful,
    attempts: run.attempts.slice(0, JOURNAL_FENCE_ATTEMPTS_MAX).map((attempt): JournalFenceAttempt => ({
      method: text(attempt.method, JOURNAL_ID_MAX_CHARS),
      outcome: attempt.outcome,
      durationMs: Math.max(0, Math.round(attempt.durationMs)),
      detail: text(attempt.detail),
      outputTail: attempt.outputTail
        .slice(-JOURNAL_OUTPUT_TAIL_LINES)
        .map((line) => text(line, JOURNAL_OUTPUT_LINE_MAX_CHARS)),
    })),
  }));
}

/** `entry` with every string, list and number within the bounds decodeJournalEntry checks. */
export function boundEntry(entry: JournalEntry): JournalEntry {
  const base = {
    v: 1 as const,
    at: entry.at,
    nameservice: text(entry.nameservice, JOURNAL_ID_MAX_CHARS),
    writer: {
      namenode: text(entry.writer.namenode, JOURNAL_ID_MAX_CHARS),
      host: text(entry.writer.host, JOURNAL_ID_MAX_CHARS),
    },
  };
  const ms = (value: number): number => Math.max(0, Math.min(DURATION_MAX_MS, Math.round(value)));
  switch (entry.kind) {
    case 'failover':
      return {
        ...base,
        kind: 'failover',
        from: entry.from === null ? null : text(entry.from, JOURNAL_ID_MAX_CHARS),
        to: text(entry.to, JOURNAL_ID_MAX_CHARS),
        reason: entry.reason,
        durationMs: ms(entry.durationMs),
        phases: {
          detectionMs: ms(entry.phases.detectionMs),
          electionMs: ms(entry.phases.electionMs),
          fencingMs: ms(entry.phases.fencingMs),
          promotionMs: ms(entry.phases.promotionMs),
        },
        trigger: text(entry.trigger),
        seen: {
          lockHolder: entry.seen.lockHolder === null ? null : text(entry.seen.lockHolder, JOURNAL_ID_MAX_CHARS),
          ownSessionExpired: entry.seen.ownSessionExpired,
        },
        fencing: boundFencing(entry.fencing),
        requestedBy: entry.requestedBy === null ? null : text(entry.requestedBy, JOURNAL_ID_MAX_CHARS),
      };
    case 'standDown':
      return {
        ...base,
        kind: 'standDown',
        namenode: text(entry.namenode, JOURNAL_ID_MAX_CHARS),
        cause: entry.cause,
        detail: text(entry.detail),
        requestedBy: entry.requestedBy === null ? null : text(entry.requestedBy, JOURNAL_ID_MAX_CHARS),
        since: entry.since,
      };
    case 'failoverHeldBack':
      return {
        ...base,
        kind: 'failoverHeldBack',
        namenode: text(entry.namenode, JOURNAL_ID_MAX_CHARS),
        healthReason: text(entry.healthReason),
        failoversInWindow: Math.max(0, Math.round(entry.failoversInWindow)),
        maxFailovers: Math.max(0, Math.round(entry.maxFailovers)),
        windowMs: ms(entry.windowMs),
        releaseAt: entry.releaseAt,
      };
    case 'holdBackEnded':
      return {
        ...base,
        kind: 'holdBackEnded',
        namenode: text(entry.namenode, JOURNAL_ID_MAX_CHARS),
        reason: entry.reason,
        heldBackMs: ms(entry.heldBackMs),
      };
  }
}

function encode(value: JournalEntry): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}

/**
 * The bounded entry (boundEntry) whose JSON is at most JOURNAL_ENTRY_MAX_BYTES: when the fencing
 * output makes it larger, the output tails go first, then the oldest fencing runs.
 */
export function fitEntry(entry: JournalEntry): JournalEntry {
  const bounded = boundEntry(entry);
  let bytes = encode(bounded);
  if (bytes.length <= JOURNAL_ENTRY_MAX_BYTES || bounded.kind !== 'failover') return bounded;
  let smaller: FailoverJournalEntry = {
    ...bounded,
    fencing: bounded.fencing.map((run) => ({
      ...run,
      attempts: run.attempts.map((attempt) => ({ ...attempt, outputTail: [] })),
    })),
  };
  bytes = encode(smaller);
  while (bytes.length > JOURNAL_ENTRY_MAX_BYTES && smaller.fencing.length > 0) {
    smaller = { ...smaller, fencing: smaller.fencing.slice(1) };
    bytes = encode(smaller);
  }
  return smaller;
}

/** UTF-8 JSON of fitEntry(entry): what a journal znode holds. */
export function encodeJournalEntry(entry: JournalEntry): Uint8Array {
  return encode(fitEntry(entry));
}

// ---------------------------------------------------------------------------------------------
// Reading

type Fields = Record<string, unknown>;

/** Parse and check one entry; throws JournalDataError naming the znode and what is wrong. */
export function decodeJournalEntry(data: Uint8Array, path: string): JournalEntry {
  const fail = (what: string, cause?: unknown): never => {
    throw new JournalDataError(
      `${path}: not a failover journal entry: ${what}`,
      path,
      cause === undefined ? undefined : { cause },
    );
  };
  if (data.length > JOURNAL_ENTRY_MAX_BYTES) fail(`${data.length} bytes, more than ${JOURNAL_ENTRY_MAX_BYTES}`);
  let json: string;
  try {
    json = new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch (cause) {
    return fail('not UTF-8', cause);
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (cause) {
    return fail('not JSON', cause);
  }
  const record = object(value, 'the entry', fail);
  const str = (fields: Fields, name: string, max: number): string => {
    const raw = fields[name];
    if (typeof raw !== 'string') return fail(`"${name}" is not a string`);
    if (raw.length > max + MARKER_CHARS) fail(`"${name}" is longer than ${max} characters`);
    return raw;
  };
  const strOrNull = (fields: Fields, name: string, max: number): string | null =>
    fields[name] === null ? null : str(fields, name, max);
  const time = (fields: Fields, name: string): string => {
    const raw = str(fields, name, 40);
    if (!Number.isFinite(Date.parse(raw))) fail(`"${name}" is not an ISO-8601 time`);
    return raw;
  };
  const timeOrNull = (fields: Fields, name: string): string | null =>
    fields[name] === null ? null : time(fields, name);
  const num = (fields: Fields, name: string, max = DURATION_MAX_MS): number => {
    const raw = fields[name];
    if (typeof raw !== 'number' || !Number.isFinite(raw) || raw < 0 || raw > max)
      return fail(`"${name}" is not a number between 0 and ${max}`);
    return raw;
  };
  const bool = (fields: Fields, name: string): boolean => {
    const raw = fields[name];
    if (typeof raw !== 'boolean') return fail(`"${name}" is not true or false`);
    return raw;
  };
  const oneOf = <T extends string>(fields: Fields, name: string, allowed: readonly T[]): T => {
    const raw = fields[name];
    if (typeof raw !== 'string' || !(allowed as readonly string[]).includes(raw))
      return fail(`"${name}" is not one of ${allowed.join(', ')}`);
    return raw as T;
  };
  const list = (fields: Fields, name: string, max: number): unknown[] => {
    const raw = fields[name];
    if (!Array.isArray(raw)) return fail(`"${name}" is not a list`);
    if (raw.length > max) fail(`"${name}" has more than ${max} items`);
    return raw as unknown[];
  };

  if (record['v'] !== 1) fail(`version ${JSON.stringify(record['v'] ?? null)?.slice(0, 20)} is not 1`);
  const writer = object(record['writer'], '"writer"', fail);
  const base = {
    v: 1 as const,
    at: time(record, 'at'),
    nameservice: str(record, 'nameservice', JOURNAL_ID_MAX_CHARS),
    writer: {
      namenode: str(writer, 'namenode', JOURNAL_ID_MAX_CHARS),
      host: str(writer, 'host', JOURNAL_ID_MAX_CHARS),
    },
  };
  const kind = oneOf(record, 'kind', ['failover', 'standDown', 'failoverHeldBack', 'holdBackEnded'] as const);
  switch (kind) {
    case 'failover': {
      const phases = object(record['phases'], '"phases"', fail);
      const seen = object(record['seen'], '"seen"', fail);
      return {
        ...base,
        kind,
        from: strOrNull(record, 'from', JOURNAL_ID_MAX_CHARS),
        to: str(record, 'to', JOURNAL_ID_MAX_CHARS),
        reason: oneOf(record, 'reason', FAILOVER_REASONS),
        durationMs: num(record, 'durationMs'),
        phases: {
          detectionMs: num(phases, 'detectionMs'),
          electionMs: num(phases, 'electionMs'),
          fencingMs: num(phases, 'fencingMs'),
          promotionMs: num(phases, 'promotionMs'),
        },
        trigger: str(record, 'trigger', JOURNAL_TEXT_MAX_CHARS),
        seen: {
          lockHolder: strOrNull(seen, 'lockHolder', JOURNAL_ID_MAX_CHARS),
          ownSessionExpired: bool(seen, 'ownSessionExpired'),
        },
        fencing: list(record, 'fencing', JOURNAL_FENCING_RUNS_MAX).map((item): JournalFencing => {
          const run = object(item, 'a fencing run', fail);
          return {
            target: str(run, 'target', JOURNAL_ID_MAX_CHARS),
            fenced: bool(run, 'fenced'),
            graceful: bool(run, 'graceful'),
            attempts: list(run, 'attempts', JOURNAL_FENCE_ATTEMPTS_MAX).map((one): JournalFenceAttempt => {
              const attempt = object(one, 'a fencing attempt', fail);
              return {
                method: str(attempt, 'method', JOURNAL_ID_MAX_CHARS),
                outcome: oneOf(attempt, 'outcome', FENCE_OUTCOMES),
                durationMs: num(attempt, 'durationMs'),
                detail: str(attempt, 'detail', JOURNAL_TEXT_MAX_CHARS),
                outputTail: list(attempt, 'outputTail', JOURNAL_OUTPUT_TAIL_LINES).map((line) => {
                  if (typeof line !== 'string' || line.length > JOURNAL_OUTPUT_LINE_MAX_CHARS + MARKER_CHARS)
                    return fail(
                      `an output line is not a string of at most ${JOURNAL_OUTPUT_LINE_MAX_CHARS} characters`,
                    );
                  return line;
                }),
              };
            }),
          };
        }),
        requestedBy: strOrNull(record, 'requestedBy', JOURNAL_ID_MAX_CHARS),
      };
    }
    case 'standDown':
      return {
        ...base,
        kind,
        namenode: str(record, 'namenode', JOURNAL_ID_MAX_CHARS),
        cause: oneOf(record, 'cause', STAND_DOWN_CAUSES),
        detail: str(record, 'detail', JOURNAL_TEXT_MAX_CHARS),
        requestedBy: strOrNull(record, 'requestedBy', JOURNAL_ID_MAX_CHARS),
        since: timeOrNull(record, 'since'),
      };
    case 'failoverHeldBack':
      return {
        ...base,
        kind,
        namenode: str(record, 'namenode', JOURNAL_ID_MAX_CHARS),
        healthReason: str(record, 'healthReason', JOURNAL_TEXT_MAX_CHARS),
        failoversInWindow: num(record, 'failoversInWindow', 1_000_000),
        maxFailovers: num(record, 'maxFailovers', 1_000_000),
        windowMs: num(record, 'windowMs'),
        releaseAt: time(record, 'releaseAt'),
      };
    case 'holdBackEnded':
      return {
        ...base,
        kind,
        namenode: str(record, 'namenode', JOURNAL_ID_MAX_CHARS),
        reason: oneOf(record, 'reason', HOLD_BACK_ENDS),
        heldBackMs: num(record, 'heldBackMs'),
      };
  }
}

function object(value: unknown, what: string, fail: (what: string) => never): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail(`${what} is not a JSON object`);
  return value as Fields;
}

// ---------------------------------------------------------------------------------------------
// Joining and ordering

function timeMs(iso: string | null): number {
  return iso === null ? Number.NaN : Date.parse(iso);
}

/** Newest first by the entries' own times (then by znode name, newest first). */
export function newestFirst<T extends JournalEntryRead>(entries: readonly T[]): T[] {
  return [...entries].sort(
    (a, b) => timeMs(b.at) - timeMs(a.at) || (a.znode < b.znode ? 1 : a.znode > b.znode ? -1 : 0),
  );
}

/**
 * Newest first, each failover with the old active's own stand-down (`loser`): the stand-down of the
 * failover's `from` whose time (its `since`, else its `at`) is closest to the failover's start,
 * within LOSER_JOIN_WINDOW_MS of the failover. A stand-down joins at most one failover.
 */
export function attachLosers(entries: readonly JournalEntryRead[]): JournalEntryRead[] {
  const standDowns = entries.filter(
    (entry): entry is StandDownJournalEntry & { readonly znode: string } => entry.kind === 'standDown',
  );
  const used = new Set<string>();
  const ordered = newestFirst(entries);
  // Oldest failovers first, so an earlier failover takes the stand-down that came before it.
  const joined = new Map<string, JournalEntryRead>();
  for (const entry of [...ordered].reverse()) {
    if (entry.kind !== 'failover' || entry.from === null || entry.from === entry.to || entry.loser !== undefined)
      continue;
    const endMs = timeMs(entry.at);
    const startMs = endMs - entry.durationMs;
    let best: (StandDownJournalEntry & { readonly znode: string }) | undefined;
    let bestDistance = Number.POSITIVE_INFINITY;
    for (const standDown of standDowns) {
      if (standDown.namenode !== entry.from || used.has(standDown.znode)) continue;
      const atMs = Math.min(timeMs(standDown.at), timeMs(standDown.since ?? standDown.at));
      if (!(atMs >= startMs - LOSER_JOIN_WINDOW_MS && atMs <= endMs + LOSER_JOIN_WINDOW_MS)) continue;
      const distance = Math.abs(atMs - startMs);
      if (distance < bestDistance) {
        best = standDown;
        bestDistance = distance;
      }
    }
    if (best !== undefined) {
      used.add(best.znode);
      joined.set(entry.znode, { ...entry, loser: best });
    }
  }
  return ordered.map((entry) => joined.get(entry.znode) ?? entry);
}
