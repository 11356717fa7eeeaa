// The simulator's transition log: one JSON line per HA state change of a simulated NameNode,
// written synchronously BEFORE the RPC is answered, stamped with CLOCK_MONOTONIC nanoseconds
// (process.hrtime.bigint(), system-wide on Linux, so lines of several processes on one host
// can be merged) plus wall time and the pid. A checker reads the lines of every NameNode and
// proves that no two NameNodes of a nameservice were active at the same moment.
//
// Line shapes (field `event`):
//   start      { from: null, to: <initial state> }      the process is up (its pid starts here)
//   transition { from, to, cause }                      an accepted HA state change
//   exit       { from: <state>, to: "stopped", cause }  the process is going away (SIGTERM, crash,
//                                                       exit-on-activate); written before exiting
// A SIGKILLed process writes nothing: the checker treats the moment the harness saw it die as
// the end of its active period (`ends`), or keeps it active forever when not told (conservative).

import { appendFileSync, readFileSync } from 'node:fs';

export const TRANSITION_LOG_VERSION = 1;

/** Lower-case Hadoop state names as HAServiceState.toString prints them, plus "stopped". */
export type LoggedState = 'initializing' | 'active' | 'standby' | 'observer' | 'stopped';

export interface TransitionLogEntry {
  readonly v: number;
  readonly event: 'start' | 'transition' | 'exit';
  readonly nameserviceId: string;
  readonly namenodeId: string;
  readonly pid: number;
  /** CLOCK_MONOTONIC in nanoseconds, as a decimal string (exceeds 2^53 on long-running hosts). */
  readonly monoNs: string;
  readonly wallMs: number;
  readonly from: LoggedState | null;
  readonly to: LoggedState;
  readonly cause: string;
}

/** Appends lines to one file with appendFileSync: each line is on disk (in the page cache) before we return. */
export class TransitionLogWriter {
  constructor(
    private readonly path: string,
    private readonly identity: { readonly nameserviceId: string; readonly namenodeId: string; readonly pid: number },
  ) {}

  append(
    event: TransitionLogEntry['event'],
    from: LoggedState | null,
    to: LoggedState,
    cause: string,
  ): TransitionLogEntry {
    const entry: TransitionLogEntry = {
      v: TRANSITION_LOG_VERSION,
      event,
      nameserviceId: this.identity.nameserviceId,
      namenodeId: this.identity.namenodeId,
      pid: this.identity.pid,
      monoNs: process.hrtime.bigint().toString(),
      wallMs: Date.now(),
      from,
      to,
      cause,
    };
    appendFileSync(this.path, `${JSON.stringify(entry)}\n`);
    return entry;
  }
}

/** A line that is not a transition log entry, with where it was. */
export interface TransitionLogParseError {
  readonly file: string;
  readonly line: number;
  readonly reason: string;
}

/**
 * Parse the lines of one or more log files. A torn last line (a process killed mid-write) is
 * reported in `errors`, never thrown, so a checker can still judge the rest.
 */
export function readTransitionLogs(paths: readonly string[]): {
  entries: TransitionLogEntry[];
  errors: TransitionLogParseError[];
} {
  const entries: TransitionLogEntry[] = [];
  const errors: TransitionLogParseError[] = [];
  for (const file of paths) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw cause;
    }
    const parsed = parseTransitionLog(text, file);
    entries.push(...parsed.entries);
    errors.push(...parsed.errors);
  }
  return { entries, errors };
}

export function parseTransitionLog(
  text: string,
  file = 'transition log',
): { entries: TransitionLogEntry[]; errors: TransitionLogParseError[] } {
  const entries: TransitionLogEntry[] = [];
  const errors: TransitionLogParseError[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      errors.push({ file, line: index + 1, reason: 'not JSON' });
      return;
    }
    const reason = invalidEntryReason(value);
    if (reason) errors.push({ file, line: index + 1, reason });
    else entries.push(value as TransitionLogEntry);
  });
  return { entries, errors };
}

const STATES = new Set(['initializing', 'active', 'standby', 'observer', 'stopped']);

function invalidEntryReason(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not an object';
  const v = value as Record<string, unknown>;
  if (v['event'] !== 'start' && v['event'] !== 'transition' && v['event'] !== 'exit') return 'bad event';
  if (typeof v['nameserviceId'] !== 'string' || typeof v['namenodeId'] !== 'string') return 'missing ids';
  if (typeof v['pid'] !== 'number') return 'missing pid';
  if (typeof v['monoNs'] !== 'string' || !/^\d+$/.test(v['monoNs'])) return 'bad monoNs';
  if (typeof v['to'] !== 'string' || !STATES.has(v['to'])) return 'bad to';
  if (v['from'] !== null && (typeof v['from'] !== 'string' || !STATES.has(v['from']))) return 'bad from';
  return undefined;
}

/** One period during which a NameNode process was active. `endNs` undefined: still active / never seen ending. */
export interface ActivePeriod {
  readonly nameserviceId: string;
  readonly namenodeId: string;
  readonly pid: number;
  readonly startNs: bigint;
  readonly endNs: bigint | undefined;
}

export interface SplitBrainViolation {
  readonly nameserviceId: string;
  readonly first: ActivePeriod;
  readonly second: ActivePeriod;
}

/**
 * Active periods per process. `ends` gives, per pid, the monotonic time at which a harness saw a
 * process die without writing an exit line (SIGKILL); without it such a period never ends.
 */
export function activePeriods(
  entries: readonly TransitionLogEntry[],
  ends: ReadonlyMap<number, bigint> = new Map(),
): ActivePeriod[] {
  const sorted = [...entries].sort((a, b) => compareBigint(BigInt(a.monoNs), BigInt(b.monoNs)));
  // A simulated NameNode is one (pid, ns, nn): in-process tests run several NameNodes in one pid.
  const open = new Map<string, { entry: TransitionLogEntry; startNs: bigint }>();
  const periods: ActivePeriod[] = [];
  for (const entry of sorted) {
    const at = BigInt(entry.monoNs);
    const key = identity(entry);
    const current = open.get(key);
    if (current && entry.to !== 'active') {
      periods.push(period(current.entry, current.startNs, at));
      open.delete(key);
    } else if (!current && entry.to === 'active') {
      open.set(key, { entry, startNs: at });
    }
  }
  for (const current of open.values())
    periods.push(period(current.entry, current.startNs, ends.get(current.entry.pid)));
  return periods;
}

/** Every pair of overlapping active periods of different NameNode processes in the same nameservice. */
export function findSplitBrain(
  entries: readonly TransitionLogEntry[],
  ends: ReadonlyMap<number, bigint> = new Map(),
): SplitBrainViolation[] {
  const periods = activePeriods(entries, ends).sort((a, b) => compareBigint(a.startNs, b.startNs));
  const violations: SplitBrainViolation[] = [];
  for (let i = 0; i < periods.length; i++) {
    const first = periods[i];
    if (!first) continue;
    for (let j = i + 1; j < periods.length; j++) {
      const second = periods[j];
      if (!second) continue;
      if (second.nameserviceId !== first.nameserviceId || identity(second) === identity(first)) continue;
      // Periods are half-open [start, end): a hand-over at the same nanosecond is not an overlap.
      if (first.endNs === undefined || second.startNs < first.endNs)
        violations.push({ nameserviceId: first.nameserviceId, first, second });
    }
  }
  return violations;
}

function period(entry: TransitionLogEntry, startNs: bigint, endNs: bigint | undefined): ActivePeriod {
  return { nameserviceId: entry.nameserviceId, namenodeId: entry.namenodeId, pid: entry.pid, startNs, endNs };
}

function identity(value: {
  readonly pid: number;
  readonly nameserviceId: string;
  readonly namenodeId: string;
}): string {
  return `${value.pid}/${value.nameserviceId}/${value.namenodeId}`;
}

function compareBigint(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
