// Typed errors of the failover runtime, as the ZKFCProtocol server (and haadmin through it) sees
// them. The server (src/hadoop/zkfc-rpc-server.ts) answers each code with the Java exception
// class Java's ZKFC would throw (docs/hadoop-compat.md §3, §7.4, §7.5).

import { ZkfcError } from '../errors.js';

/** The failover could not be done (Java: ServiceFailedException). */
export class FailoverServiceError extends ZkfcError {
  readonly code = 'SERVICE_FAILED';
}

/** A peer ZKFC could not be asked to cede (unreachable, refused...); Java propagates its IOException. */
export class PeerCedeError extends ZkfcError {
  readonly code = 'PEER_CEDE_FAILED';
  constructor(
    message: string,
    /** host:port of the peer ZKFC. */
    readonly peer: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The controller is stopping or has exited: admin requests are refused. */
export class ControllerNotRunningError extends ZkfcError {
  readonly code = 'ZKFC_NOT_RUNNING';
}

/**
 * The controller exited (fatal error) before or instead of finishing start(). `exitCode` is the
 * process exit code Hadoop uses: 6 (ERR_CODE_NO_ZK) when ZooKeeper was unreachable, else 1.
 */
export class ControllerExitedError extends ZkfcError {
  readonly code = 'ZKFC_EXITED';
  constructor(
    message: string,
    readonly exitCode: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
