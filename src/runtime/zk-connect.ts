// "Connect once or fail": open one ZooKeeper session and wait until it connects within the session
// timeout; any other first outcome (expired, auth failed, connect timed out) closes it and rejects.
// Used for the daemon's fail-fast connection at start-up (ZKFailoverController: ERR_CODE_NO_ZK,
// exit 6) and for the short-lived session graceful failover reads the lock through when the
// elector has none.

import type { ZkSession, ZkSessionFactory, ZkSessionOptions } from './ports.js';
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
            `Unable to connect to ZooKeeper quorum at ${options.connectString} (${event.state}). Please ` +
              `check the configured value for ha.zookeeper.quorum and ensure that ZooKeeper is running.`,
          ),
        );
      }
    });
  });
}
