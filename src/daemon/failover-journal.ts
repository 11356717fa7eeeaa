// Wiring of the failover journal (README "Failover journal"): the ZooKeeper store under the
// working znode, the local file (zkfc.journal.file, else a file in the daemon's state or log
// directory), and the journal itself, whose newest entries go into the status model. A part of the
// composition root, kept out of daemon.ts.

import { join } from 'node:path';
import type { ZkfcConfig } from '../config/load.js';
import type { Logger } from '../observability/logger.js';
import { RotatingJournalFile } from '../observability/journal-file.js';
import type { StatusBoard } from '../observability/status.js';
import { FailoverJournal } from '../runtime/failover-journal.js';
import { JournalZkStore } from '../runtime/journal-zk.js';
import type { Clock, ZkSessionFactory } from '../runtime/ports.js';
import type { ZkSetup } from './validate.js';

/** How long a stopping daemon waits for the journal's last entries to be written. */
export const JOURNAL_CLOSE_TIMEOUT_MS = 3000;

/** The first directory of a systemd directory variable ("a:b" lists several). */
function firstDirectory(value: string | undefined): string | undefined {
  const first = value?.split(':')[0]?.trim();
  return first === undefined || first === '' ? undefined : first;
}

/**
 * zkfc.journal.file, else failover-journal-<ns>.<nn>.jsonl in $STATE_DIRECTORY (systemd's
 * StateDirectory=), $LOGS_DIRECTORY (LogsDirectory=) or $HADOOP_LOG_DIR (Hadoop's daemon scripts);
 * null when none is set.
 */
export function journalFilePath(
  configured: string | null,
  env: NodeJS.ProcessEnv,
  nameservice: string,
  namenode: string,
): string | null {
  if (configured !== null && configured.trim() !== '') return configured.trim();
  const dir =
    firstDirectory(env['STATE_DIRECTORY']) ??
    firstDirectory(env['LOGS_DIRECTORY']) ??
    firstDirectory(env['HADOOP_LOG_DIR']);
  if (dir === undefined) return null;
  const safe = (id: string): string => id.replace(/[^A-Za-z0-9_.-]/g, '_');
  return join(dir, `failover-journal-${safe(nameservice)}.${safe(namenode)}.jsonl`);
}

export interface FailoverJournalParts {
  readonly config: ZkfcConfig;
  readonly env: NodeJS.ProcessEnv;
  readonly host: string;
  /** A plain session factory (not the one the controller adopts its start-up session from). */
  readonly zkFactory: ZkSessionFactory;
  readonly zk: ZkSetup;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly status: StatusBoard;
}

/** The journal, or undefined when zkfc.journal.max-records is 0. */
export function createFailoverJournal(parts: FailoverJournalParts): FailoverJournal | undefined {
  const { config, clock, status } = parts;
  const { maxRecords } = config.settings.journal;
  const log = parts.logger.child({ component: 'journal' });
  if (maxRecords <= 0) {
    status.setHistory(null);
    return undefined;
  }
  const { nameserviceId, namenodeId } = config.local;
  const filePath = journalFilePath(config.settings.journal.file, parts.env, nameserviceId, namenodeId);
  const store = new JournalZkStore({
    zk: parts.zkFactory,
    zkSession: parts.zk.session,
    workingDir: parts.zk.paths.workingDir,
    acl: parts.zk.acl,
    maxRecords,
    clock,
  });
  log.info(
    { znode: store.path, file: filePath, maxRecords },
    filePath === null
      ? 'failover journal: in ZooKeeper only (no state or log directory; set zkfc.journal.file)'
      : 'failover journal: in ZooKeeper and a local file',
  );
  status.setHistory([]);
  return new FailoverJournal({
    nameservice: nameserviceId,
    namenode: namenodeId,
    host: parts.host,
    clock,
    log,
    store,
    ...(filePath !== null ? { file: new RotatingJournalFile(filePath, maxRecords) } : {}),
    onHistory: (entries) => status.setHistory(entries),
  });
}
