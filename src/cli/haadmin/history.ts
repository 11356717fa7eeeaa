// haadmin history [--json] (also -history; not in Hadoop): the failover journal of the nameservice
// (README "Failover journal"), read from ZooKeeper (<parent-znode>/<nameservice>/ZkfcFailoverJournal),
// newest first: each failover with its trigger (the old active's own reason when its zkfc wrote
// one, else what the new active's zkfc saw), its phases and its fencing; stand-downs no failover
// followed; anti-flap's hold-backs. A table by default, the entries as stored with --json. A znode
// that is not an entry is reported on stderr with its path and skipped. Reads only.
//
// `renderHistory` is pure (same entries, same lines).

import { errorMessage } from '../../errors.js';
import {
  journalDuration,
  journalEvent,
  journalFencing,
  journalNamenodes,
  journalTrigger,
} from '../../observability/journal-text.js';
import { untrustedText } from '../../observability/untrusted.js';
import { attachLosers, JOURNAL_READ_MAX, journalPath } from '../../runtime/journal-codec.js';
import { JournalZkError, readJournal, type JournalCorruptEntry } from '../../runtime/journal-zk.js';
import type { JournalEntryRead } from '../../runtime/records.js';
import { ZkUnavailableError } from '../../runtime/zk-connect.js';
import { FAILED, incorrectArgumentCount, OK, type HaAdminCommand } from './command.js';
import { printJson } from './json-output.js';
import { nameserviceOf, openNameserviceZooKeeper } from './nameservice-zk.js';
import { formatColumns } from './status-table.js';
import { commandUsageLine, type CommandUsage } from './usage.js';

/** Longest trigger or fencing text in a cell (the whole of it is in --json). */
const CELL_MAX_CHARS = 400;

/** What `haadmin history --json` prints. */
export interface HistoryDocument {
  readonly nameservice: string;
  /** The journal znode. */
  readonly journal: string;
  /** Newest first; failovers carry the old active's own stand-down as `loser` when there is one. */
  readonly entries: readonly JournalEntryRead[];
  /** Znodes under the journal that are not entries (skipped). */
  readonly corrupt: readonly JournalCorruptEntry[];
}

function shown(text: string): string {
  return untrustedText(text, CELL_MAX_CHARS);
}

/**
 * The table: one row per failover and per anti-flap record, and per stand-down that no failover
 * took as its trigger (the others appear in their failover's trigger). Pure.
 */
export function renderHistory(document: HistoryDocument): string[] {
  const joined = new Set(
    document.entries.flatMap((entry) => (entry.kind === 'failover' && entry.loser ? [entry.loser.znode] : [])),
  );
  const rows = document.entries.filter((entry) => !joined.has(entry.znode));
  const lines: string[] = [];
  if (rows.length === 0) {
    lines.push(`No failover recorded for ${shown(document.nameservice)} (${shown(document.journal)})`);
    return lines;
  }
  lines.push(`Failover journal of ${shown(document.nameservice)} (${shown(document.journal)}), newest first:`);
  lines.push(
    ...formatColumns([
      ['TIME', 'EVENT', 'NAMENODES', 'TOOK', 'TRIGGER', 'FENCING'],
      ...rows.map((entry) => [
        shown(entry.at),
        journalEvent(entry),
        shown(journalNamenodes(entry)),
        journalDuration(entry),
        shown(journalTrigger(entry)),
        shown(journalFencing(entry)),
      ]),
    ]),
  );
  return lines;
}

const usage: CommandUsage = {
  name: '-history',
  args: '[--json]',
  help:
    'Shows the failover journal of the nameservice from ZooKeeper, newest first: each failover\n' +
    "with its trigger (the old active's own reason), phases and fencing, and anti-flap's\n" +
    'hold-backs. Not in Hadoop; also accepted as "history". Reads only.',
};

export const history: HaAdminCommand = {
  usage,
  options: ['json'],
  async run(ctx, line) {
    if (line.args.length !== 0) return incorrectArgumentCount(ctx, usage, commandUsageLine(usage));
    const nameserviceId = await nameserviceOf(ctx, 'history and the failover journal');
    let document: HistoryDocument;
    try {
      const zk = await openNameserviceZooKeeper(ctx, nameserviceId);
      try {
        const path = journalPath(zk.workingDir);
        const read = await readJournal(zk.session, path, JOURNAL_READ_MAX);
        document = {
          nameservice: nameserviceId,
          journal: path,
          entries: attachLosers(read.entries),
          corrupt: read.corrupt,
        };
      } finally {
        await zk.session.close();
      }
    } catch (error) {
      if (!(error instanceof ZkUnavailableError) && !(error instanceof JournalZkError)) throw error;
      ctx.io.err(`Operation failed: ${errorMessage(error)}`);
      if (line.options.has('json'))
        printJson(ctx.io, { error: { kind: 'operation-failed', code: error.code, message: errorMessage(error) } });
      return FAILED;
    }
    for (const corrupt of document.corrupt)
      ctx.io.err(`history: skipped ${shown(corrupt.znode)}: ${shown(corrupt.detail)}`);
    if (line.options.has('json')) printJson(ctx.io, document);
    else for (const text of renderHistory(document)) ctx.io.out(text);
    return OK;
  },
};
