// Typed errors of the failover runtime, as the ZKFCProtocol server (and haadmin through it) sees
// them. Each names the Java exception class a Hadoop peer expects in exceptionClassName, so the
// RPC server can answer exactly as Java's ZKFC would (docs/hadoop-compat.md §3, §7.4, §7.5).

import { ZkfcError } from '../errors.js';

/** org.apache.hadoop.ha.ServiceFailedException: the failover could not be done. */
export class FailoverServiceError extends ZkfcError {
  readonly code = 'SERVICE_FAILED';
  readonly javaClassName = 'org.apache.hadoop.ha.ServiceFailedException';
}

/** A peer ZKFC could not be asked to cede (unreachable, refused...); Java propagates its IOException. */
export class PeerCedeError extends ZkfcError {
  readonly code = 'PEER_CEDE_FAILED';
  readonly javaClassName = 'java.io.IOException';
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
  readonly javaClassName = 'java.io.IOException';
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
