// The daemon's "fail fast" ZooKeeper connection at start-up (docs/hadoop-compat.md §5.2, §7.1 step 5): open one
// session and wait for it to connect within the session timeout; otherwise exit 6 (ERR_CODE_NO_ZK).

import type { ZkSession, ZkSessionFactory, ZkSessionOptions } from '../runtime/ports.js';
import { ExitCode, ZkfcError } from '../errors.js';

export class ZkUnavailableError extends ZkfcError {
  readonly code = 'ZK_UNAVAILABLE';
  /** Hadoop's ERR_CODE_NO_ZK. */
  readonly exitCode = ExitCode.NO_ZK;
}

export function connectOnce(factory: ZkSessionFactory, options: ZkSessionOptions): Promise<ZkSession> {
  return new Promise<ZkSession>((resolve, reject) => {
    let settled = false;
    const session = factory.open(options, (event) => {
      if (settled) return;
      if (event.state === 'connected') {
        settled = true;
        resolve(session);
      } else if (event.state !== 'disconnected') {
        settled = true;
        void session.close();
        reject(
          new ZkUnavailableError(
            `Unable to connect to ZooKeeper quorum at ${options.connectString} (${event.state}). Please check the configured value for ha.zookeeper.quorum and ensure that ZooKeeper is running.`,
          ),
        );
      }
    });
  });
}
