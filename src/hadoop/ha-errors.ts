// The HA protocols' remote exceptions and how the HA ports report a failed call. The IPC layer
// (src/ipc) types the exceptions it knows itself; the two of the HA protocols are typed here and
// handed to it (HA_REMOTE_ERRORS). The clients of src/hadoop then turn every failure into the
// port's HaCallError, so the runtime, fencing and haadmin branch on its kind and never on a Java
// class name. Parity: how Hadoop's callers tell the cases apart — HealthMonitor#doHealthChecks
// (HealthCheckFailedException vs anything else), FailoverController#failover and
// #tryGracefulFence (ServiceFailedException vs IOException), HAAdmin (IOException).
// The Java exception lines haadmin prints are written here too, so no code outside src/ipc and
// src/hadoop names a Java exception class.

import { errorMessage } from '../errors.js';
import {
  RemoteError,
  RpcConnectError,
  RpcTimeoutError,
  RpcTransportError,
  type RemoteErrorClass,
  type RemoteErrorClasses,
} from '../ipc/errors.js';
import { HaCallError, type HaCallErrorKind } from '../runtime/ports.js';
import { ExceptionClassName } from './protocol-names.js';

/** org.apache.hadoop.ha.HealthCheckFailedException: the service says it is unhealthy. */
export class HealthCheckFailedError extends RemoteError {
  override readonly code = 'RPC_HEALTH_CHECK_FAILED';
}

/** org.apache.hadoop.ha.ServiceFailedException: a state change was refused or failed. */
export class ServiceFailedError extends RemoteError {
  override readonly code = 'RPC_SERVICE_FAILED';
}

/** The HA protocols' own exceptions, for the IPC client's `remoteErrors`. */
export const HA_REMOTE_ERRORS: RemoteErrorClasses = new Map<string, RemoteErrorClass>([
  [ExceptionClassName.HealthCheckFailed, HealthCheckFailedError],
  [ExceptionClassName.ServiceFailed, ServiceFailedError],
]);

/** The port's kind for a failure of an HA call over IPC. */
export function haCallErrorKind(error: unknown): HaCallErrorKind {
  if (error instanceof HealthCheckFailedError) return 'unhealthy';
  if (error instanceof ServiceFailedError) return 'refused';
  if (error instanceof RemoteError) return 'failed';
  if (error instanceof RpcTimeoutError || (error instanceof RpcConnectError && error.timedOut)) return 'timedOut';
  return 'unreachable';
}

/**
 * Run one call of an HA port: a failure of the IPC layer rejects as HaCallError with the same
 * message (the NameNode's own, for a remote error) and the original in `cause`. Anything else (a
 * bug, a bad argument) passes unchanged.
 */
export async function haCall<T>(address: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof RemoteError || error instanceof RpcTransportError) {
      const notSent = error instanceof RpcConnectError;
      throw new HaCallError(haCallErrorKind(error), errorMessage(error), address, notSent, { cause: error });
    }
    throw error;
  }
}

/**
 * The line log4j prints under a logged exception, "<class>: <message>", as haadmin shows it: the
 * Java class the peer named for a remote error, else our error's name.
 */
export function javaExceptionLine(error: unknown): string {
  const inner = error instanceof HaCallError && error.cause !== undefined ? error.cause : error;
  if (inner instanceof RemoteError) return `${inner.className}: ${inner.message}`;
  if (inner instanceof Error) return `${inner.name}: ${inner.message}`;
  return errorMessage(inner);
}

/**
 * What the JVM prints on stderr when HAAdmin's Preconditions.checkState throws an
 * IllegalStateException that nothing catches (the process then exits 1).
 */
export function uncaughtIllegalStateLine(message: string): string {
  return `Exception in thread "main" java.lang.IllegalStateException: ${message}`;
}
