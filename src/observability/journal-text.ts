// The failover journal's entries (src/runtime/records.ts JournalEntry) in words, for people: what
// `haadmin history` prints and the status page shows. Pure; every string it returns may quote
// untrusted text (ZooKeeper data any client may write, NameNode messages, fencing output), so the
// callers escape and bound it as they show it (status-table.ts `shown`, status-page.ts `text`).

import type { JournalEntryRead, JournalFencing } from '../runtime/records.js';

/** The kind of event, as a short word. */
export function journalEvent(entry: JournalEntryRead): string {
  switch (entry.kind) {
    case 'failover':
      return entry.reason === 'graceful' ? 'graceful failover' : 'failover';
    case 'standDown':
      return 'stand-down';
    case 'failoverHeldBack':
      return 'held back';
    case 'holdBackEnded':
      return 'hold-back ended';
  }
}

/** The NameNodes involved: "nn1 -> nn2" for a failover, else the one NameNode. */
export function journalNamenodes(entry: JournalEntryRead): string {
  if (entry.kind === 'failover') return `${entry.from ?? '(none)'} -> ${entry.to}`;
  return entry.namenode;
}

/**
 * Why it happened: for a failover the old active's own reason when its zkfc wrote one (else what
 * the new active's zkfc saw), for a stand-down the zkfc's reason, for anti-flap the hold-back.
 */
export function journalTrigger(entry: JournalEntryRead): string {
  switch (entry.kind) {
    case 'failover': {
      const asked = entry.reason === 'graceful' ? `requested by ${entry.requestedBy ?? 'an administrator'}; ` : '';
      const loser = entry.loser;
      if (loser !== undefined)
        return `${asked}${loser.namenode}'s zkfc: ${loser.cause}: ${loser.detail}${byWhom(loser.requestedBy)}`;
      return entry.reason === 'graceful' && entry.requestedBy !== null
        ? entry.trigger
        : `seen by ${entry.to}'s zkfc: ${entry.trigger}`;
    }
    case 'standDown':
      return `${entry.namenode}'s zkfc left the election: ${entry.cause}: ${entry.detail}${byWhom(entry.requestedBy)}`;
    case 'failoverHeldBack':
      return (
        `anti-flap kept ${entry.namenode} active: ${entry.failoversInWindow} of ${entry.maxFailovers} automatic ` +
        `failovers in ${Math.round(entry.windowMs / 1000)} s; health: ${entry.healthReason}; ` +
        `released at ${entry.releaseAt} if still unhealthy`
      );
    case 'holdBackEnded':
      return `anti-flap stopped holding back the failover of ${entry.namenode} (${entry.reason})`;
  }
}

function byWhom(requestedBy: string | null): string {
  return requestedBy === null ? '' : ` (asked by ${requestedBy})`;
}

/** How long: a failover's total and phases, a hold-back's length; '' otherwise. */
export function journalDuration(entry: JournalEntryRead): string {
  if (entry.kind === 'failover') {
    const { detectionMs, electionMs, fencingMs, promotionMs } = entry.phases;
    return (
      `${ms(entry.durationMs)} (detection ${ms(detectionMs)}, election ${ms(electionMs)}, ` +
      `fencing ${ms(fencingMs)}, promotion ${ms(promotionMs)})`
    );
  }
  if (entry.kind === 'holdBackEnded') return `held back ${ms(entry.heldBackMs)}`;
  return '';
}

function ms(value: number): string {
  return `${Math.round(value)} ms`;
}

/** A failover's fencing runs: per run the target and each method with its outcome; '' for other entries. */
export function journalFencing(entry: JournalEntryRead): string {
  if (entry.kind !== 'failover') return '';
  if (entry.fencing.length === 0) return 'none';
  return entry.fencing.map(fencingRun).join('; ');
}

function fencingRun(run: JournalFencing): string {
  const attempts = run.attempts.map((attempt) => `${attempt.method} ${attempt.outcome}`).join(', ');
  return `${run.target}: ${attempts === '' ? 'no method' : attempts}${run.fenced ? '' : ' (NOT FENCED)'}`;
}
