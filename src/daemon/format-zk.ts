// `zkfc -formatZK [-force] [-nonInteractive]` (docs/hadoop-compat.md §4.4): create the nameservice's working znode,
// or, when it exists, clear it only with -force or the operator's confirmation. Exit codes are
// Hadoop's: 0 done, 2 refused (ERR_CODE_FORMAT_DENIED), 1 when clearing failed.

import type { Logger } from 'pino';
import type { ZkAcl, ZkSession } from '../runtime/ports.js';
import { clearParentZNode, ensureParentZNode, parentZNodeExists } from '../zookeeper/parent-znode.js';
import { ExitCode, errorMessage } from '../errors.js';

export interface FormatZkOptions {
  readonly session: ZkSession;
  readonly workingDir: string;
  readonly acl: readonly ZkAcl[];
  readonly force: boolean;
  readonly interactive: boolean;
  readonly retryCountMax: number;
  readonly logger: Logger;
  /** Asks "Proceed formatting <znode>? (Y or N)" and resolves true for yes. */
  readonly confirm: (question: string) => Promise<boolean>;
  readonly stderr: (text: string) => void;
}

export async function formatZk(options: FormatZkOptions): Promise<ExitCode> {
  const { session, workingDir, logger } = options;
  const zkOptions = { retryCountMax: options.retryCountMax, logger };
  if (await parentZNodeExists(session, workingDir, zkOptions)) {
    if (!options.force) {
      if (!options.interactive) {
        options.stderr(`Parent znode ${workingDir} already exists; -nonInteractive given, not formatting.\n`);
        return ExitCode.FORMAT_DENIED;
      }
      options.stderr(
        '===============================================\n' +
          `The configured parent znode ${workingDir} already exists.\n` +
          'Are you sure you want to clear all failover information from\n' +
          'ZooKeeper?\n' +
          'WARNING: Before proceeding, ensure that all HDFS services and\n' +
          'failover controllers are stopped!\n' +
          '===============================================\n',
      );
      if (!(await options.confirm(`Proceed formatting ${workingDir}?`))) return ExitCode.FORMAT_DENIED;
    }
    try {
      await clearParentZNode(session, workingDir, zkOptions);
    } catch (error) {
      logger.error({ err: error, znode: workingDir }, 'Unable to clear zk parent znode');
      options.stderr(`Unable to clear zk parent znode ${workingDir}: ${errorMessage(error)}\n`);
      return ExitCode.FATAL;
    }
  }
  await ensureParentZNode(session, workingDir, options.acl, zkOptions);
  logger.info({ znode: workingDir }, 'Successfully created znode in ZK');
  return ExitCode.OK;
}
