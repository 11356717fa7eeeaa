// The split-brain oracle of the fault catalogue, the chaos runner and the benchmark: pure
// functions over what the processes wrote down, all on one clock (CLOCK_MONOTONIC nanoseconds,
// system-wide on Linux, so lines of different processes can be merged):
// - the simulated NameNodes' transition logs (src/namenode-sim/transition-log.ts), written before
//   each HA state change is answered;
// - "ends": when a SIGKILLed NameNode stopped being able to act (recorded by whoever killed it:
//   the harness, the shell fencer or the sshfence fuser shim) - it cannot write its own line;
// - the harness's journal: when it injected and healed each fault.
// From these it derives the active periods, overlaps of two of them (split brain), the gaps with
// no active NameNode, the failovers, and a readable interleaved timeline for failure messages.
//
// Not promised: an active period of a process that died without an exit line or an end record
// never ends (conservative: any later active elsewhere is reported as an overlap).

import { ZkfcError } from '../../src/errors.js';
import {
  activePeriods,
  findSplitBrain,
  type ActivePeriod,
  type SplitBrainViolation,
  type TransitionLogEntry,
} from '../namenode-sim/transition-log.js';

/** One thing the harness did, stamped with process.hrtime.bigint() (CLOCK_MONOTONIC). */
export interface JournalEntry {
  readonly monoNs: bigint;
  readonly what: string;
}

export interface OracleInput {
  readonly entries: readonly TransitionLogEntry[];
  readonly ends: ReadonlyMap<number, bigint>;
  readonly journal: readonly JournalEntry[];
}

/** A broken promise of the oracle; the message carries the interleaved timeline. */
export class OracleViolationError extends ZkfcError<'ORACLE_VIOLATION'> {
  readonly code = 'ORACLE_VIOLATION';
}

export function splitBrainOf(input: OracleInput): SplitBrainViolation[] {
  return findSplitBrain(input.entries, input.ends);
}

export interface ActivityStats {
  /** Periods during which some NameNode process was active, in start order. */
  readonly periods: readonly ActivePeriod[];
  /** Times the active role moved to a different NameNode id. */
  readonly failovers: number;
  /** Longest stretch with no active NameNode inside the window (after the first activation), ns. */
  readonly maxGapNs: bigint;
  /** Where that stretch started (monotonic ns), if any. */
  readonly maxGapStartNs: bigint | undefined;
  /** Sum of all stretches with no active NameNode inside the window, ns. */
  readonly totalGapNs: bigint;
}

/**
 * Failovers and gaps without an active NameNode between the first activation at or after
 * `windowStartNs` (or the window start if an active period straddles it) and `windowEndNs`.
 * A period that never ended counts as lasting to the window end.
 */
export function activityStats(input: OracleInput, windowStartNs: bigint, windowEndNs: bigint): ActivityStats {
  const periods = activePeriods(input.entries, input.ends).sort((a, b) =>
    a.startNs < b.startNs ? -1 : a.startNs > b.startNs ? 1 : 0,
  );
  let failovers = 0;
  let previous: string | undefined;
  for (const period of periods) {
    if (period.startNs < windowStartNs || period.startNs > windowEndNs) {
      if (period.startNs < windowStartNs) previous = period.namenodeId;
      continue;
    }
    if (previous !== undefined && previous !== period.namenodeId) failovers++;
    previous = period.namenodeId;
  }
  // Union of the periods, clipped to the window, then the holes between them.
  const clipped = periods
    .map((p) => ({
      start: p.startNs < windowStartNs ? windowStartNs : p.startNs,
      end: p.endNs === undefined || p.endNs > windowEndNs ? windowEndNs : p.endNs,
    }))
    .filter((p) => p.end > p.start && p.start <= windowEndNs);
  let maxGapNs = 0n;
  let maxGapStartNs: bigint | undefined;
  let totalGapNs = 0n;
  let coveredUntil: bigint | undefined;
  for (const p of clipped) {
    if (coveredUntil !== undefined && p.start > coveredUntil) {
      const gap = p.start - coveredUntil;
      totalGapNs += gap;
      if (gap > maxGapNs) {
        maxGapNs = gap;
        maxGapStartNs = coveredUntil;
      }
    }
    if (coveredUntil === undefined || p.end > coveredUntil) coveredUntil = p.end;
  }
  if (coveredUntil !== undefined && coveredUntil < windowEndNs) {
    const gap = windowEndNs - coveredUntil;
    totalGapNs += gap;
    if (gap > maxGapNs) {
      maxGapNs = gap;
      maxGapStartNs = coveredUntil;
    }
  }
  return { periods, failovers, maxGapNs, maxGapStartNs, totalGapNs };
}

/**
 * Every transition, end and harness action in time order, with milliseconds relative to the
 * first line shown. `sinceNs` drops older lines (the chaos runner prints the last stretch only).
 */
export function formatTimeline(
  input: OracleInput,
  options: { readonly sinceNs?: bigint; readonly maxLines?: number } = {},
): string {
  type Line = { readonly at: bigint; readonly text: string };
  const lines: Line[] = [];
  for (const e of input.entries) {
    lines.push({
      at: BigInt(e.monoNs),
      text: `${e.namenodeId.padEnd(5)} pid=${e.pid} ${e.event} ${e.from ?? '-'} -> ${e.to} (${e.cause})`,
    });
  }
  for (const [pid, at] of input.ends) {
    const who = input.entries.find((e) => e.pid === pid)?.namenodeId ?? '?';
    lines.push({ at, text: `${who.padEnd(5)} pid=${pid} END (killed; cannot act after this)` });
  }
  for (const j of input.journal) lines.push({ at: j.monoNs, text: `harness: ${j.what}` });
  lines.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  let shown = options.sinceNs === undefined ? lines : lines.filter((l) => l.at >= options.sinceNs!);
  const maxLines = options.maxLines ?? 400;
  const dropped = shown.length > maxLines ? shown.length - maxLines : 0;
  if (dropped > 0) shown = shown.slice(dropped);
  const origin = shown[0]?.at ?? 0n;
  const body = shown.map((l) => `  +${msBetween(origin, l.at).toFixed(1).padStart(9)} ms  ${l.text}`);
  return [
    `timeline (CLOCK_MONOTONIC, ms since the first line${dropped > 0 ? `; ${dropped} earlier lines omitted` : ''}):`,
    ...body,
  ].join('\n');
}

export function describeViolations(violations: readonly SplitBrainViolation[]): string {
  return violations
    .map((v) => {
      const end = (p: ActivePeriod) => (p.endNs === undefined ? 'never seen ending' : `${p.endNs}`);
      return (
        `two actives in ${v.nameserviceId}: ${v.first.namenodeId} (pid ${v.first.pid}) ` +
        `active ${v.first.startNs}..${end(v.first)} and ${v.second.namenodeId} (pid ` +
        `${v.second.pid}) active from ${v.second.startNs} (overlap ` +
        `${v.first.endNs === undefined ? 'open-ended' : `${msBetween(v.second.startNs, v.first.endNs).toFixed(1)} ms`})`
      );
    })
    .join('\n');
}

/** Throw OracleViolationError with the timeline when two NameNodes were ever active at once. */
export function assertNoSplitBrain(input: OracleInput, context = ''): void {
  const violations = splitBrainOf(input);
  if (violations.length === 0) return;
  throw new OracleViolationError(
    `split brain${context ? ` (${context})` : ''}:\n${describeViolations(violations)}\n${formatTimeline(input)}`,
  );
}

export function msBetween(fromNs: bigint, toNs: bigint): number {
  return Number(toNs - fromNs) / 1e6;
}

/** CLOCK_MONOTONIC now, in ns (the clock of the transition logs). */
export function monoNowNs(): bigint {
  return process.hrtime.bigint();
}
