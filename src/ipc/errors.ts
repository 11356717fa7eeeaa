// Typed errors of the Hadoop IPC layer. Two families:
// - transport errors (RpcTransportError): the call did not reach a handler or its answer did not
//   come back: connect failed or timed out, the call timed out, the connection closed, the peer
//   sent bytes that are not Hadoop IPC (FrameError, ProtocolError);
// - remote errors (RemoteError): the peer answered with status ERROR or FATAL. The subclass is
//   chosen by the Java exception class name, as Hadoop's callers unwrap RemoteException by class:
//   the IPC layer's own here; a protocol adds its own (src/hadoop/ha-errors.ts) through the
//   client's `remoteErrors` option.
// Callers branch on `instanceof` or on the stable `code`; the original failure stays in `cause`.

import { ZkfcError, type RpcErrorCode } from '../errors.js';
import { IpcExceptionClassName } from './names.js';
import { boundText } from '../observability/untrusted.js';

// ---------------------------------------------------------------------------------------------
// Transport

/** Base of every failure where no answer from a handler was obtained. */
export abstract class RpcTransportError extends ZkfcError<RpcErrorCode> {
  constructor(
    message: string,
    /** "host:port" of the peer, when known (codec errors are raised without one). */
    readonly address: string | undefined,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** TCP connect failed (ECONNREFUSED, EHOSTUNREACH, DNS failure...) or did not finish in time. */
export class RpcConnectError extends RpcTransportError {
  readonly code = 'RPC_CONNECT_FAILED';
  constructor(
    message: string,
    address: string,
    /** The system error code of the cause (ECONNREFUSED...), or ETIMEDOUT for our connect timeout. */
    readonly errno: string | undefined,
    /** True when our connect timeout fired (the peer never answered the SYN). */
    readonly timedOut: boolean,
    options?: ErrorOptions,
  ) {
    super(message, address, options);
  }
}

/** No response within the per-call timeout. The connection stays open and usable. */
export class RpcTimeoutError extends RpcTransportError {
  readonly code = 'RPC_TIMEOUT';
  constructor(
    message: string,
    address: string,
    readonly method: string,
    readonly callId: number,
    readonly timeoutMs: number,
    options?: ErrorOptions,
  ) {
    super(message, address, options);
  }
}

/** The connection closed (or was closed because of a protocol violation) before the response came. */
export class ConnectionClosedError extends RpcTransportError {
  readonly code = 'RPC_CONNECTION_CLOSED';
}

/** The connection already has its maximum of outstanding calls; the call was not sent. */
export class TooManyPendingCallsError extends RpcTransportError {
  readonly code = 'RPC_TOO_MANY_PENDING_CALLS';
}

/** Framing violated: bad length prefix, oversize frame, truncated varint. `offset` is the stream offset. */
export class FrameError extends RpcTransportError {
  readonly code = 'RPC_FRAME_INVALID';
  constructor(
    /** Byte offset in the stream (from the first byte ever received on it) where the fault is. */
    readonly offset: number,
    readonly reason: string,
    address?: string,
    options?: ErrorOptions,
  ) {
    super(`invalid IPC frame at byte ${offset}: ${reason}`, address, options);
  }
}

/** Well-framed bytes with bad content: undecodable header, missing required field, length mismatch. */
export class ProtocolError extends RpcTransportError {
  readonly code = 'RPC_PROTOCOL_ERROR';
  constructor(
    /** Byte offset in the stream of the message at fault. */
    readonly offset: number,
    readonly reason: string,
    address?: string,
    options?: ErrorOptions,
  ) {
    super(`IPC protocol error at byte ${offset}: ${reason}`, address, options);
  }
}

// ---------------------------------------------------------------------------------------------
// Remote

export type RemoteStatus = 'ERROR' | 'FATAL';

/** What the response header said, as RemoteError keeps it. */
export interface RemoteErrorFields {
  /** exceptionClassName; Java's client substitutes "ServerDidNotSetExceptionClassName". */
  readonly className: string;
  /** Full errorMsg (may carry a Java stack trace after the first line). */
  readonly errorMsg: string;
  readonly status: RemoteStatus;
  /** RpcErrorCodeProto name, e.g. ERROR_APPLICATION, FATAL_UNAUTHORIZED; undefined if absent. */
  readonly errorDetail: string | undefined;
  /** "host:port" of the peer. */
  readonly address?: string;
  /** The method called, when the error answers a call. */
  readonly method?: string;
}

/** Bounds on what a peer's exception may make us carry around (a peer may send megabytes). */
export const REMOTE_MESSAGE_MAX_CHARS = 1024;
export const REMOTE_CLASS_NAME_MAX_CHARS = 256;
export const REMOTE_ERROR_MSG_MAX_CHARS = 16 * 1024;

/**
 * The peer answered with an exception. The message is the first line of errorMsg. Every text the
 * peer sent is cut to a bound here, so no log line or error message built from it can be huge.
 */
export class RemoteError extends ZkfcError<RpcErrorCode> {
  readonly code: RpcErrorCode = 'RPC_REMOTE_ERROR';
  readonly className: string;
  readonly errorMsg: string;
  readonly status: RemoteStatus;
  readonly errorDetail: string | undefined;
  readonly address: string | undefined;
  readonly method: string | undefined;
  constructor(fields: RemoteErrorFields, options?: ErrorOptions) {
    const className = boundText(fields.className, REMOTE_CLASS_NAME_MAX_CHARS);
    const firstLine = boundText(
      fields.errorMsg.slice(0, REMOTE_ERROR_MSG_MAX_CHARS).split('\n', 1)[0] ?? '',
      REMOTE_MESSAGE_MAX_CHARS,
    );
    super(firstLine.length > 0 ? firstLine : className, options);
    this.className = className;
    this.errorMsg = boundText(fields.errorMsg, REMOTE_ERROR_MSG_MAX_CHARS);
    this.status = fields.status;
    this.errorDetail = fields.errorDetail;
    this.address = fields.address;
    this.method = fields.method;
  }
}

/** org.apache.hadoop.security.AccessControlException (status ERROR). */
export class AccessControlError extends RemoteError {
  override readonly code = 'RPC_ACCESS_DENIED';
}
/** org.apache.hadoop.ipc.RetriableException: try again later (NameNode still starting). */
export class RetriableError extends RemoteError {
  override readonly code = 'RPC_RETRIABLE';
}
/** org.apache.hadoop.ipc.StandbyException. */
export class StandbyError extends RemoteError {
  override readonly code = 'RPC_STANDBY';
}
/** org.apache.hadoop.ipc.RpcNoSuchMethodException. */
export class RpcNoSuchMethodError extends RemoteError {
  override readonly code = 'RPC_NO_SUCH_METHOD';
}
/** org.apache.hadoop.ipc.RpcNoSuchProtocolException. */
export class RpcNoSuchProtocolError extends RemoteError {
  override readonly code = 'RPC_NO_SUCH_PROTOCOL';
}
/** org.apache.hadoop.ipc.RPC$VersionMismatch with status ERROR (protocol version). */
export class VersionMismatchError extends RemoteError {
  override readonly code = 'RPC_VERSION_MISMATCH';
}
/**
 * Any FATAL response, whatever the class (bad preamble, unauthorized, invalid header...). The
 * server closes the connection after it; every outstanding call on it fails with this error.
 */
export class FatalRpcError extends RemoteError {
  override readonly code = 'RPC_FATAL';
}

export type RemoteErrorClass = new (fields: RemoteErrorFields, options?: ErrorOptions) => RemoteError;
/** Typed errors by Java exception class name, for the ERROR replies of one protocol. */
export type RemoteErrorClasses = ReadonlyMap<string, RemoteErrorClass>;

const BY_CLASS_NAME: RemoteErrorClasses = new Map<string, RemoteErrorClass>([
  [IpcExceptionClassName.AccessControl, AccessControlError],
  [IpcExceptionClassName.Retriable, RetriableError],
  [IpcExceptionClassName.Standby, StandbyError],
  [IpcExceptionClassName.NoSuchMethod, RpcNoSuchMethodError],
  [IpcExceptionClassName.NoSuchProtocol, RpcNoSuchProtocolError],
  [IpcExceptionClassName.VersionMismatch, VersionMismatchError],
]);

/**
 * Build the typed error for an ERROR/FATAL response header: a class of `protocolErrors` (the
 * protocol's own exceptions), else one of the IPC layer's, else RemoteError.
 */
export function remoteErrorFor(fields: RemoteErrorFields, protocolErrors?: RemoteErrorClasses): RemoteError {
  if (fields.status === 'FATAL') return new FatalRpcError(fields);
  const ErrorClass = protocolErrors?.get(fields.className) ?? BY_CLASS_NAME.get(fields.className) ?? RemoteError;
  return new ErrorClass(fields);
}

/**
 * Thrown (or rejected) by a handler of src/ipc/server.ts: the client receives status ERROR, errorDetail
 * ERROR_APPLICATION, exceptionClassName = className, errorMsg = message. Use Java's class names
 * (those of the protocol served) so Java clients unwrap them.
 */
export class RemoteException extends ZkfcError<RpcErrorCode> {
  readonly code = 'RPC_REMOTE_EXCEPTION';
  constructor(
    readonly className: string,
    message: string,
  ) {
    super(message);
  }
}
