// One accepted connection of the Hadoop IPC server (src/ipc/server.ts): Java's
// Server.Connection.readAndProcess and processOneRpc. It checks the preamble (with Java's replies
// to bad input), runs the SASL exchange when the server authenticates (ConnectionSecurity.sasl,
// src/ipc/sasl-server.ts: a SIMPLE client is refused, and after a negotiated security layer every
// frame both ways is an RpcSaslProto WRAP, Server.Connection.unwrapPacketAndProcessRpcs and
// Server.wrapWithSasl) or answers it only to fall back to SIMPLE, takes the connection context,
// authorizes the connection (Server.Connection.authorizeConnection: ConnectionSecurity.authorize),
// and dispatches each call by (protocol, version, method) to its handler, answering in any order.
// Every fault ends in an ERROR/FATAL reply or a closed connection, never in an exception to the
// server. Backpressure: it stops reading while too many calls are in flight or responses unsent.
// Bounds (ConnectionLimits): a small frame limit until the connection context has arrived and the
// full one after it, a deadline for the preamble and the context, and the time of its last
// traffic, so the server can close connections that sit idle (Server#closeIdle).

import net from 'node:net';
import { create, isFieldSet, toBinary } from '@bufbuild/protobuf';
import type { DescMessage, MessageInitShape } from '@bufbuild/protobuf';
import { IpcConnectionContextProtoSchema } from '../gen/IpcConnectionContext_pb.js';
import { RequestHeaderProtoSchema } from '../gen/ProtobufRpcEngine2_pb.js';
import {
  RpcKindProto,
  RpcRequestHeaderProto_OperationProto,
  RpcRequestHeaderProtoSchema,
  RpcResponseHeaderProto_RpcErrorCodeProto as ErrorCode,
  RpcResponseHeaderProto_RpcStatusProto as Status,
  RpcSaslProto_SaslState,
  RpcSaslProtoSchema,
} from '../gen/RpcHeader_pb.js';
import type { RpcRequestHeaderProto, RpcSaslProto } from '../gen/RpcHeader_pb.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import { AuthProtocol, CallId, INVALID_RETRY_COUNT, IPC_VERSION, PREAMBLE_LENGTH } from './codec/constants.js';
import { DelimitedReader } from './codec/delimited.js';
import { FrameDecoder, type Frame } from './codec/frame-decoder.js';
import { decodeMessage, encodeMessage, encodeResponseFrame } from './codec/messages.js';
import { checkPreamble, looksLikeHttpGet } from './codec/preamble.js';
import { FrameError, ProtocolError, RemoteException } from './errors.js';
import { IpcExceptionClassName as ExceptionClassName } from './names.js';
import {
  printable,
  SaslExceptionClassName,
  SaslServerFault,
  SaslServerNegotiation,
  type IpcSaslServerAuthentication,
  type SaslServerMechanism,
} from './sasl-server.js';
import { monotonicNowMs } from '../runtime/system-clock.js';

/** How the connection was authenticated (UserGroupInformation.AuthenticationMethod). */
export type RpcAuthMethod = 'SIMPLE' | 'KERBEROS';

/** Who a connection is, once its context has arrived: what authorization looks at. */
export interface ConnectionIdentity {
  /** The authenticated principal (KERBEROS) or the context's effectiveUser (SIMPLE). */
  readonly user: string;
  /** The short name of an authenticated principal (auth_to_local); undefined for SIMPLE. */
  readonly shortUser: string | undefined;
  readonly authMethod: RpcAuthMethod;
  /** The connection context's protocol, undefined when absent. */
  readonly protocol: string | undefined;
  readonly remoteAddress: string;
}

/** A connection refused by ConnectionSecurity.authorize: answered FATAL_UNAUTHORIZED with this class and message. */
export class ConnectionAuthorizationError extends Error {
  constructor(
    readonly className: string,
    message: string,
  ) {
    super(message);
    this.name = 'ConnectionAuthorizationError';
  }
}

/** Authentication and authorization of a server's connections; absent: SIMPLE, everyone. */
export interface ConnectionSecurity {
  /** SASL authentication every client must pass; SIMPLE clients are refused. */
  readonly sasl?: IpcSaslServerAuthentication;
  /** Service-level authorization once the context has arrived; throws ConnectionAuthorizationError to refuse. */
  readonly authorize?: (identity: ConnectionIdentity) => void;
}

/** Who called what, handed to every handler. */
export interface RpcCallContext {
  /** userInfo.effectiveUser of the connection context ('' when the client sent none). */
  readonly user: string;
  /** userInfo.realUser, for proxy (doAs) users only. */
  readonly realUser?: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly authMethod: RpcAuthMethod;
  /** The short name of an authenticated principal; undefined for SIMPLE. */
  readonly shortUser?: string;
  /** declaringClassProtocolName of the call. */
  readonly protocol: string;
  readonly method: string;
}

/** One method of a registered protocol; build it with defineMethod. */
export interface RpcMethod {
  readonly input: DescMessage;
  readonly output: DescMessage;
  readonly handler: (request: unknown, ctx: RpcCallContext) => unknown;
}

/** A protocol served: its version and methods by name. */
export interface RegisteredProtocol {
  readonly version: number;
  readonly methods: ReadonlyMap<string, RpcMethod>;
}

/** What one connection may cost; IpcServer fills it from its options. */
export interface ConnectionLimits {
  /** Largest request frame once the connection context has arrived (ipc.maximum.data.length). */
  readonly maxFrameBytes: number;
  /** Largest frame before that (SASL negotiation, the context itself). */
  readonly maxSetupFrameBytes: number;
  /** Preamble and connection context must have arrived this long after accept; 0: no deadline. */
  readonly setupTimeoutMs: number;
  /** Calls in flight before it stops reading (backpressure, like a full call queue). */
  readonly maxInFlight: number;
  /** Unsent response bytes before it stops reading. */
  readonly maxUnsentResponseBytes: number;
}
/** How long a connection being closed after a FATAL reply may linger to flush it. */
const CLOSE_LINGER_MS = 2_000;

/** Parity: Server.RECEIVED_HTTP_REQ_RESPONSE. */
const HTTP_RESPONSE =
  'HTTP/1.1 404 Not Found\r\n' +
  'Content-type: text/plain\r\n\r\n' +
  'It looks like you are making an HTTP request to a Hadoop IPC port. ' +
  'This is not the correct port for the web interface on this daemon.\r\n';

/** An error to answer with; FATAL ones close the connection after the reply. */
class RpcServerFault extends Error {
  constructor(
    readonly status: Status.ERROR | Status.FATAL,
    readonly errorCode: ErrorCode,
    readonly className: string,
    message: string,
  ) {
    super(message);
    this.name = 'RpcServerFault';
  }
}

const fatal = (errorCode: ErrorCode, message: string, className: string = ExceptionClassName.RpcServer) =>
  new RpcServerFault(Status.FATAL, errorCode, className, message);

type ConnectionState =
  | 'preamble'
  /** Preamble asked for SASL; waiting for the client's NEGOTIATE. */
  | 'sasl'
  /** Waiting for the connection context. */
  | 'context'
  | 'ready'
  | 'closing';

/** One accepted connection: Server.Connection.readAndProcess + processOneRpc. */
export class ServerConnection {
  private state: ConnectionState = 'preamble';
  private preamble: Uint8Array = new Uint8Array(0);
  private readonly decoder: FrameDecoder;
  private readonly log: Logger;
  private readonly remoteAddress: string;
  private readonly remotePort: number;
  private authProtocol: number = AuthProtocol.NONE;
  private user = '';
  private realUser: string | undefined;
  /** IpcConnectionContextProto.protocol ("null" in Java's messages when absent). */
  private connectionProtocol: string | undefined;
  private inFlight = 0;
  private closed = false;
  private lingerTimer: NodeJS.Timeout | undefined;
  private setupTimer: NodeJS.Timeout | undefined;
  /** monotonicNowMs() of the last bytes received or sent. */
  private lastActivityMs = monotonicNowMs();
  private authMethod: RpcAuthMethod = 'SIMPLE';
  /** The principal the SASL exchange authenticated. */
  private authenticatedUser: string | undefined;
  private shortUser: string | undefined;
  private negotiation: SaslServerNegotiation | undefined;
  /** SASL steps run one after the other (the mechanism may wait on a worker thread). */
  private saslChain: Promise<void> = Promise.resolve();
  private saslPending = 0;
  /** The negotiated security layer: every frame both ways is wrapped. */
  private securityLayer: SaslServerMechanism | undefined;
  /** Frames inside the unwrapped stream. */
  private inner: FrameDecoder | undefined;

  constructor(
    private readonly socket: net.Socket,
    private readonly protocols: ReadonlyMap<string, RegisteredProtocol>,
    private readonly limits: ConnectionLimits,
    serverLog: Logger,
    private readonly onClosed: () => void,
    private readonly security: ConnectionSecurity = {},
  ) {
    this.remoteAddress = socket.remoteAddress ?? '';
    this.remotePort = socket.remotePort ?? 0;
    this.log = serverLog.child({ peer: `${this.remoteAddress}:${this.remotePort}` });
    this.decoder = new FrameDecoder({ maxFrameBytes: limits.maxSetupFrameBytes, startOffset: PREAMBLE_LENGTH });
    if (limits.setupTimeoutMs > 0) {
      this.setupTimer = setTimeout(() => {
        this.log.info(
          { timeoutMs: limits.setupTimeoutMs, state: this.state },
          'ipc connection did not send its preamble and connection context in time; closing it',
        );
        this.destroy('setup timeout');
      }, limits.setupTimeoutMs);
      this.setupTimer.unref();
    }
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => this.log.debug({ err: error }, 'ipc connection socket error'));
    socket.on('close', () => this.finalize());
    socket.on('drain', () => this.updateFlow());
    this.log.debug('ipc connection accepted');
  }

  /** A call is being handled (its answer not yet sent): the connection is not idle. */
  isBusy(): boolean {
    return this.inFlight > 0;
  }

  /** No call in flight and no traffic for at least `idleMs`. */
  idleFor(idleMs: number, nowMs: number): boolean {
    return this.inFlight === 0 && nowMs - this.lastActivityMs >= idleMs;
  }

  /** Close at once (server shutdown, fatal framing error). */
  destroy(reason: string): void {
    if (this.closed) return;
    this.log.debug({ reason }, 'ipc connection closed by server');
    this.state = 'closing';
    this.socket.destroy();
    this.finalize();
  }

  private finalize(): void {
    if (this.closed) return;
    this.closed = true;
    this.state = 'closing';
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    if (this.setupTimer) clearTimeout(this.setupTimer);
    this.negotiation?.dispose();
    this.securityLayer?.dispose();
    this.onClosed();
  }

  private onData(chunk: Buffer): void {
    this.lastActivityMs = monotonicNowMs();
    try {
      this.consume(chunk);
    } catch (error) {
      // Defensive: consume handles every expected fault itself; anything else is a bug, and a bug
      // must cost one connection, never the server.
      this.log.error({ err: error }, 'unexpected error while reading an ipc connection');
      this.destroy('internal error');
    }
  }

  private consume(chunk: Uint8Array): void {
    if (this.state === 'closing') return;
    let rest = chunk;
    if (this.state === 'preamble') {
      const need = PREAMBLE_LENGTH - this.preamble.length;
      this.preamble = concat(this.preamble, rest.subarray(0, need));
      rest = rest.subarray(need);
      if (looksLikeHttpGet(this.preamble)) {
        this.log.info('http request on the ipc port');
        this.endWith(Buffer.from(HTTP_RESPONSE, 'utf8'));
        return;
      }
      if (this.preamble.length < PREAMBLE_LENGTH) return;
      if (!this.onPreamble()) return;
    }
    try {
      this.decoder.push(rest, (frame) => this.onFrame(frame));
    } catch (error) {
      if (error instanceof FrameError) {
        // Parity: checkDataLength just drops the connection, no reply.
        this.log.info({ offset: error.offset, reason: error.reason }, 'bad ipc frame; closing connection');
        this.destroy(error.reason);
        return;
      }
      throw error;
    }
  }

  /** Returns whether reading may continue. */
  private onPreamble(): boolean {
    const check = checkPreamble(this.preamble);
    if (check.kind === 'badVersion') {
      this.log.warn({ version: check.version, magicOk: check.magicOk }, 'bad ipc preamble');
      if (check.version >= IPC_VERSION) {
        // Parity: Server.setupBadVersionResponse, clients of version >= 9 read a normal FATAL reply.
        this.respondFatal(
          CallId.AUTHORIZATION_FAILED,
          INVALID_RETRY_COUNT,
          new RpcServerFault(
            Status.FATAL,
            ErrorCode.FATAL_VERSION_MISMATCH,
            ExceptionClassName.VersionMismatch,
            `Server IPC version ${IPC_VERSION} cannot communicate with client version ${check.version}`,
          ),
        );
      } else {
        // Versions 2..8 get legacy Writable replies in Java; we speak none of them.
        this.destroy(`unsupported ipc version ${check.version}`);
      }
      return false;
    }
    if (check.kind === 'http') {
      this.endWith(Buffer.from(HTTP_RESPONSE, 'utf8'));
      return false;
    }
    if (check.authProtocol === AuthProtocol.NONE && this.security.sasl !== undefined) {
      // Parity: Server.Connection.initializeAuthContext, NONE without SIMPLE enabled.
      const message = `SIMPLE authentication is not enabled.  Available:[${this.security.sasl.methods.join(', ')}]`;
      this.log.warn({ reason: message }, 'ipc connection refused: a SIMPLE client of a server that requires SASL');
      this.respondFatal(
        CallId.AUTHORIZATION_FAILED,
        INVALID_RETRY_COUNT,
        new RpcServerFault(Status.FATAL, ErrorCode.FATAL_UNAUTHORIZED, ExceptionClassName.AccessControl, message),
      );
      return false;
    }
    if (check.authProtocol === AuthProtocol.NONE) {
      this.state = 'context';
    } else if (check.authProtocol === AuthProtocol.SASL) {
      this.authProtocol = AuthProtocol.SASL;
      this.state = 'sasl';
      if (this.security.sasl !== undefined) this.negotiation = new SaslServerNegotiation(this.security.sasl);
    } else {
      // Parity: Server.Connection.initializeAuthContext → doSaslReply(IpcException).
      this.respondFatal(
        CallId.AUTHORIZATION_FAILED,
        INVALID_RETRY_COUNT,
        new RpcServerFault(
          Status.FATAL,
          ErrorCode.FATAL_UNAUTHORIZED,
          ExceptionClassName.Ipc,
          `Unknown auth protocol:${check.authProtocol}`,
        ),
      );
      return false;
    }
    return true;
  }

  /** Parity: Server.Connection.processOneRpc; `wrapped`: the frame came out of a WRAP message. */
  private onFrame(frame: Frame, wrapped = false): void {
    if (this.state === 'closing') return;
    let callId: number = CallId.AUTHORIZATION_FAILED;
    let retryCount: number = INVALID_RETRY_COUNT;
    try {
      const reader = new DelimitedReader(frame.payload, frame.offset);
      const header = this.readMessage(RpcRequestHeaderProtoSchema, reader, 'RpcRequestHeaderProto');
      callId = header.callId;
      retryCount = header.retryCount;
      checkRpcHeaders(header);
      // Beyond Hadoop (which takes plain frames too): under a security layer nothing unprotected is read.
      if (this.securityLayer !== undefined && !wrapped && callId !== CallId.SASL)
        throw fatal(ErrorCode.FATAL_INVALID_RPC_HEADER, 'Client sent a non-wrapped request under a security layer');
      if (wrapped && callId === CallId.SASL)
        throw fatal(ErrorCode.FATAL_INVALID_RPC_HEADER, 'Client sent a SASL message inside a wrapped one');
      if (callId < 0) this.onOutOfBand(header, reader);
      else if (this.state !== 'ready')
        throw fatal(ErrorCode.FATAL_INVALID_RPC_HEADER, 'Connection context not established');
      else this.onCall(header, reader);
    } catch (error) {
      if (!(error instanceof RpcServerFault)) throw error;
      if (error.status === Status.FATAL) {
        this.log.info(
          { callId, errorCode: ErrorCode[error.errorCode], reason: error.message },
          'fatal ipc error; closing connection',
        );
        this.respondFatal(callId, retryCount, error);
      } else {
        this.respond(callId, retryCount, new Uint8Array(0), error);
      }
    }
  }

  /** Read the next delimited message or answer FATAL_DESERIALIZING_REQUEST like Server.getMessage. */
  private readMessage<Desc extends DescMessage>(schema: Desc, reader: DelimitedReader, simpleName: string) {
    try {
      if (reader.remaining === 0) return decodeMessage(schema, new Uint8Array(0), reader.offset);
      const bytes = reader.next();
      return decodeMessage(schema, bytes, reader.lastOffset);
    } catch (error) {
      if (error instanceof ProtocolError || error instanceof FrameError) {
        throw fatal(ErrorCode.FATAL_DESERIALIZING_REQUEST, `Error decoding ${simpleName}: ${error.reason}`);
      }
      throw error;
    }
  }

  /** Parity: Server.Connection.processRpcOutOfBandRequest. */
  private onOutOfBand(header: RpcRequestHeaderProto, reader: DelimitedReader): void {
    switch (header.callId) {
      case CallId.CONNECTION_CONTEXT: {
        if (this.state === 'sasl')
          throw fatal(ErrorCode.FATAL_INVALID_RPC_HEADER, 'Connection header sent during SASL negotiation');
        if (this.state === 'ready')
          throw fatal(ErrorCode.FATAL_INVALID_RPC_HEADER, 'Connection context already processed');
        const context = this.readMessage(IpcConnectionContextProtoSchema, reader, 'IpcConnectionContextProto');
        const effectiveUser = context.userInfo?.effectiveUser ?? '';
        this.connectionProtocol = context.protocol || undefined;
        if (this.authenticatedUser !== undefined) {
          // Parity: Server.Connection.processConnectionContext: another effective user than the
          // authenticated one is a proxy user, which ProxyUsers.authorize refuses without
          // hadoop.proxyuser.* rules (we have none).
          if (effectiveUser !== '' && effectiveUser !== this.authenticatedUser) {
            const message = `User: ${this.authenticatedUser} is not allowed to impersonate ${printable(effectiveUser)}`;
            this.log.warn(
              { principal: this.authenticatedUser, reason: message },
              'ipc connection refused: impersonation',
            );
            throw fatal(ErrorCode.FATAL_UNAUTHORIZED, message, SaslExceptionClassName.Authorization);
          }
          this.user = this.authenticatedUser;
          this.realUser = undefined;
        } else {
          this.user = effectiveUser;
          this.realUser = context.userInfo?.realUser || undefined;
        }
        this.authorizeConnection();
        this.state = 'ready';
        if (this.setupTimer) clearTimeout(this.setupTimer);
        // Set up: calls may now be as large as the server allows.
        this.decoder.setMaxFrameBytes(this.limits.maxFrameBytes);
        this.inner?.setMaxFrameBytes(this.limits.maxFrameBytes);
        this.log.debug(
          { user: this.user, realUser: this.realUser, protocol: this.connectionProtocol },
          'ipc connection context received',
        );
        return;
      }
      case CallId.SASL: {
        if (this.negotiation !== undefined || this.authenticatedUser !== undefined) {
          this.onSaslMessage(this.readMessage(RpcSaslProtoSchema, reader, 'RpcSaslProto'));
          return;
        }
        if (this.authProtocol !== AuthProtocol.SASL || this.state !== 'sasl') {
          throw fatal(ErrorCode.FATAL_INVALID_RPC_HEADER, 'SASL protocol not requested by client');
        }
        const sasl = this.readMessage(RpcSaslProtoSchema, reader, 'RpcSaslProto');
        if (sasl.state !== RpcSaslProto_SaslState.NEGOTIATE) {
          throw fatal(
            ErrorCode.FATAL_UNAUTHORIZED,
            `SASL ${RpcSaslProto_SaslState[sasl.state] ?? sasl.state} ` +
              `not supported: this server only enables SIMPLE authentication`,
            ExceptionClassName.AccessControl,
          );
        }
        // Parity: a SIMPLE-only server answers NEGOTIATE with SUCCESS and switches to SIMPLE.
        this.authProtocol = AuthProtocol.NONE;
        this.state = 'context';
        this.respond(
          CallId.SASL,
          INVALID_RETRY_COUNT,
          new Uint8Array(0),
          undefined,
          encodeMessage(RpcSaslProtoSchema, { state: RpcSaslProto_SaslState.SUCCESS }),
        );
        return;
      }
      case CallId.PING:
        this.log.debug('ping received');
        return;
      default:
        throw fatal(ErrorCode.FATAL_INVALID_RPC_HEADER, `Unknown out of band call #${header.callId}`);
    }
  }

  /** Parity: Server.Connection.authorizeConnection (service-level authorization). */
  private authorizeConnection(): void {
    if (this.security.authorize === undefined) return;
    try {
      this.security.authorize({
        user: this.user,
        shortUser: this.shortUser,
        authMethod: this.authMethod,
        protocol: this.connectionProtocol,
        remoteAddress: this.remoteAddress,
      });
    } catch (error) {
      if (!(error instanceof ConnectionAuthorizationError)) throw error;
      this.log.warn(
        {
          user: this.user,
          authMethod: this.authMethod,
          protocol: this.connectionProtocol ?? null,
          reason: error.message,
        },
        'ipc connection refused by service authorization',
      );
      throw fatal(ErrorCode.FATAL_UNAUTHORIZED, error.message, error.className);
    }
  }

  /** Parity: Server.Connection.saslReadAndProcess: WRAP carries calls, anything else is the exchange. */
  private onSaslMessage(message: RpcSaslProto): void {
    if (message.state === RpcSaslProto_SaslState.WRAP) {
      if (this.securityLayer === undefined)
        throw fatal(ErrorCode.FATAL_INVALID_RPC_HEADER, 'Server is not wrapping data', SaslExceptionClassName.Sasl);
      let data: Uint8Array;
      try {
        data = this.securityLayer.unwrap(message.token);
      } catch (error) {
        this.log.warn(
          { principal: this.authenticatedUser, reason: errorMessage(error) },
          'ipc wrapped message rejected',
        );
        throw fatal(ErrorCode.FATAL_UNAUTHORIZED, 'Cannot unwrap the message', SaslExceptionClassName.Sasl);
      }
      this.inner!.push(data, (frame) => this.onFrame(frame, true));
      return;
    }
    const negotiation = this.negotiation;
    if (negotiation === undefined || this.state !== 'sasl')
      throw fatal(ErrorCode.FATAL_INVALID_RPC_HEADER, 'Negotiation is already complete', SaslExceptionClassName.Sasl);
    this.saslPending++;
    this.updateFlow();
    this.saslChain = this.saslChain
      .then(async () => {
        if (this.closed || this.state === 'closing') return;
        let step;
        try {
          step = await negotiation.onMessage(message);
        } catch (error) {
          this.saslFailed(negotiation, error);
          return;
        }
        if (this.ending()) {
          if (step.kind === 'done') step.mechanism.dispose();
          return;
        }
        if (step.kind === 'reply') {
          this.respondSasl(encodeMessage(RpcSaslProtoSchema, step.message));
          return;
        }
        this.saslComplete(negotiation, step.mechanism, encodeMessage(RpcSaslProtoSchema, step.message));
      })
      .catch((error: unknown) => {
        this.log.error({ err: error }, 'unexpected error in the SASL exchange');
        this.destroy('internal error');
      })
      .finally(() => {
        this.saslPending--;
        this.updateFlow();
      });
  }

  /** The connection is closed or closing (read through a method: TypeScript narrows fields across awaits). */
  private ending(): boolean {
    return this.closed || this.state === 'closing';
  }

  private saslComplete(negotiation: SaslServerNegotiation, mechanism: SaslServerMechanism, success: Uint8Array): void {
    const principal = mechanism.authorizationId ?? '';
    try {
      this.shortUser = this.security.sasl!.shortName(principal);
    } catch (error) {
      mechanism.dispose();
      this.saslFailed(negotiation, error, principal);
      return;
    }
    this.negotiation = undefined;
    this.authenticatedUser = principal;
    this.authMethod = 'KERBEROS';
    // Parity: Server.Connection.saslProcess: the last reply goes out unwrapped, wrapping starts after it.
    this.respondSasl(success);
    if (mechanism.wrapsTraffic) {
      this.securityLayer = mechanism;
      this.inner = new FrameDecoder({ maxFrameBytes: this.limits.maxSetupFrameBytes, allowEmptyFrames: false });
    } else {
      mechanism.dispose();
    }
    this.state = 'context';
    this.log.info({ principal, protection: mechanism.protection ?? null }, 'ipc SASL authentication complete');
  }

  /** A failed exchange: Hadoop's FATAL_UNAUTHORIZED answer, our log names the peer and the principal. */
  private saslFailed(negotiation: SaslServerNegotiation, error: unknown, principal?: string): void {
    const fault =
      error instanceof SaslServerFault
        ? error
        : new SaslServerFault(SaslExceptionClassName.Sasl, errorMessage(error), undefined, { cause: error });
    this.log.warn(
      {
        principal: principal ?? negotiation.attemptingUser ?? null,
        reason: fault.message,
        ...(fault.detail !== undefined ? { detail: fault.detail } : {}),
      },
      'ipc SASL authentication failed',
    );
    this.negotiation?.dispose();
    this.negotiation = undefined;
    this.respondFatal(
      CallId.SASL,
      INVALID_RETRY_COUNT,
      fatal(
        fault.invalidHeader ? ErrorCode.FATAL_INVALID_RPC_HEADER : ErrorCode.FATAL_UNAUTHORIZED,
        fault.message,
        fault.className,
      ),
    );
  }

  private respondSasl(body: Uint8Array): void {
    this.respond(CallId.SASL, INVALID_RETRY_COUNT, new Uint8Array(0), undefined, body);
  }

  /** Parity: Server.Connection.processRpcRequest + ProtobufRpcEngine2.Server.ProtoBufRpcInvoker.call. */
  private onCall(header: RpcRequestHeaderProto, reader: DelimitedReader): void {
    if (header.rpcKind !== RpcKindProto.RPC_PROTOCOL_BUFFER) {
      throw fatal(
        ErrorCode.FATAL_INVALID_RPC_HEADER,
        `Unknown rpc kind in rpc header${RpcKindProto[header.rpcKind] ?? header.rpcKind}`,
      );
    }
    let requestHeader;
    try {
      const bytes = reader.next();
      requestHeader = decodeMessage(RequestHeaderProtoSchema, bytes, reader.lastOffset);
    } catch (error) {
      if (error instanceof ProtocolError || error instanceof FrameError) {
        throw fatal(
          ErrorCode.FATAL_DESERIALIZING_REQUEST,
          `IPC server unable to read call parameters: ${error.reason}`,
        );
      }
      throw error;
    }
    const { methodName, declaringClassProtocolName: protocolName, clientProtocolVersion } = requestHeader;
    const callId = header.callId;
    const retryCount = header.retryCount;
    const clientId = header.clientId;
    const answer = (fault: RpcServerFault) => this.respond(callId, retryCount, clientId, fault);

    const registered = this.protocols.get(protocolName);
    if (!registered) {
      answer(
        new RpcServerFault(
          Status.ERROR,
          ErrorCode.ERROR_NO_SUCH_PROTOCOL,
          ExceptionClassName.NoSuchProtocol,
          `Unknown protocol: ${protocolName}`,
        ),
      );
      return;
    }
    if (BigInt(registered.version) !== clientProtocolVersion) {
      answer(
        new RpcServerFault(
          Status.ERROR,
          ErrorCode.ERROR_RPC_VERSION_MISMATCH,
          ExceptionClassName.VersionMismatch,
          `Protocol ${protocolName} version mismatch. (client = ` +
            `${clientProtocolVersion}, server = ${registered.version})`,
        ),
      );
      return;
    }
    const method = registered.methods.get(methodName);
    if (!method) {
      answer(
        new RpcServerFault(
          Status.ERROR,
          ErrorCode.ERROR_NO_SUCH_METHOD,
          ExceptionClassName.NoSuchMethod,
          `Unknown method ${methodName} called on ${this.connectionProtocol ?? 'null'} protocol.`,
        ),
      );
      return;
    }
    let request: unknown;
    try {
      const bytes = reader.remaining > 0 ? reader.next() : new Uint8Array(0);
      request = decodeMessage(method.input, bytes, reader.lastOffset);
    } catch (error) {
      const reason = error instanceof ProtocolError || error instanceof FrameError ? error.reason : errorMessage(error);
      answer(
        new RpcServerFault(Status.ERROR, ErrorCode.ERROR_APPLICATION, ExceptionClassName.InvalidProtocolBuffer, reason),
      );
      return;
    }
    const ctx: RpcCallContext = {
      user: this.user,
      ...(this.realUser !== undefined ? { realUser: this.realUser } : {}),
      remoteAddress: this.remoteAddress,
      remotePort: this.remotePort,
      authMethod: this.authMethod,
      ...(this.shortUser !== undefined ? { shortUser: this.shortUser } : {}),
      protocol: protocolName,
      method: methodName,
    };
    this.inFlight++;
    this.updateFlow();
    this.log.debug({ callId, method: methodName, user: this.user }, 'rpc call received');
    void Promise.resolve()
      .then(() => method.handler(request, ctx))
      .then(
        (result) => {
          let body: Uint8Array;
          try {
            body = toBinary(method.output, create(method.output, result as MessageInitShape<DescMessage>));
          } catch (error) {
            this.log.error({ err: error, method: methodName }, 'handler result could not be serialised');
            return this.callDone(
              callId,
              retryCount,
              clientId,
              new RpcServerFault(
                Status.ERROR,
                ErrorCode.ERROR_SERIALIZING_RESPONSE,
                ExceptionClassName.IO,
                errorMessage(error),
              ),
            );
          }
          return this.callDone(callId, retryCount, clientId, undefined, body);
        },
        (error: unknown) => {
          if (error instanceof RemoteException) {
            this.log.debug(
              { callId, method: methodName, className: error.className, reason: error.message },
              'rpc call failed',
            );
            return this.callDone(
              callId,
              retryCount,
              clientId,
              new RpcServerFault(Status.ERROR, ErrorCode.ERROR_APPLICATION, error.className, error.message),
            );
          }
          this.log.error({ err: error, method: methodName }, 'rpc handler threw an unexpected error');
          return this.callDone(
            callId,
            retryCount,
            clientId,
            new RpcServerFault(Status.ERROR, ErrorCode.ERROR_APPLICATION, ExceptionClassName.IO, errorMessage(error)),
          );
        },
      );
  }

  private callDone(
    callId: number,
    retryCount: number,
    clientId: Uint8Array,
    fault?: RpcServerFault,
    body?: Uint8Array,
  ): void {
    if (this.closed) return; // the connection went away while the handler ran: nothing to answer
    this.inFlight--;
    this.respond(callId, retryCount, clientId, fault, body);
    this.updateFlow();
  }

  /** Write one response (ERROR when `fault` is given, else SUCCESS with `body`). */
  private respond(
    callId: number,
    retryCount: number,
    clientId: Uint8Array,
    fault?: RpcServerFault,
    body?: Uint8Array,
  ): void {
    if (this.state === 'closing') return;
    const frame = fault
      ? encodeResponseFrame({
          callId,
          status: fault.status,
          clientId,
          retryCount,
          exceptionClassName: fault.className,
          errorMsg: fault.message,
          errorDetail: fault.errorCode,
        })
      : encodeResponseFrame({ callId, status: Status.SUCCESS, clientId, retryCount }, body ?? new Uint8Array(0));
    this.lastActivityMs = monotonicNowMs();
    const out = this.protect(frame);
    if (out !== undefined) this.socket.write(out);
  }

  /**
   * Under a security layer, the whole frame wrapped in one RpcSaslProto WRAP answer (Server.wrapWithSasl);
   * undefined when wrapping failed (the connection is then closed).
   */
  private protect(frame: Uint8Array): Uint8Array | undefined {
    if (this.securityLayer === undefined) return frame;
    try {
      const token = this.securityLayer.wrap(frame);
      return encodeResponseFrame(
        { callId: CallId.SASL, status: Status.SUCCESS },
        encodeMessage(RpcSaslProtoSchema, { state: RpcSaslProto_SaslState.WRAP, token }),
      );
    } catch (error) {
      this.log.error({ err: error }, 'cannot wrap an ipc response; closing connection');
      this.destroy('wrap failed');
      return undefined;
    }
  }

  /** FATAL replies carry an empty clientId (Java's fake RpcCall) and end the connection. */
  private respondFatal(callId: number, retryCount: number, fault: RpcServerFault): void {
    const frame = encodeResponseFrame({
      callId,
      status: Status.FATAL,
      clientId: new Uint8Array(0),
      retryCount,
      exceptionClassName: fault.className,
      errorMsg: fault.message,
      errorDetail: fault.errorCode,
    });
    const out = this.protect(frame);
    if (out !== undefined) this.endWith(out);
  }

  /** Send the last bytes and close; destroy if the peer does not let us finish in time. */
  private endWith(bytes: Uint8Array): void {
    if (this.state === 'closing') return;
    this.state = 'closing';
    this.socket.end(bytes);
    this.lingerTimer = setTimeout(() => this.socket.destroy(), CLOSE_LINGER_MS);
    this.lingerTimer.unref();
  }

  /** Stop reading while too many calls are in flight or responses are unsent. */
  private updateFlow(): void {
    if (this.closed) return;
    const busy =
      this.saslPending > 0 ||
      this.inFlight >= this.limits.maxInFlight ||
      this.socket.writableLength > this.limits.maxUnsentResponseBytes;
    if (busy && !this.socket.isPaused()) this.socket.pause();
    else if (!busy && this.socket.isPaused()) this.socket.resume();
  }
}

/** Parity: Server.Connection.checkRpcHeaders. */
function checkRpcHeaders(header: RpcRequestHeaderProto): void {
  if (!isFieldSet(header, RpcRequestHeaderProtoSchema.field.rpcOp))
    throw fatal(ErrorCode.FATAL_INVALID_RPC_HEADER, ' IPC Server: No rpc op in rpcRequestHeader');
  if (header.rpcOp !== RpcRequestHeaderProto_OperationProto.RPC_FINAL_PACKET) {
    throw fatal(
      ErrorCode.FATAL_INVALID_RPC_HEADER,
      `IPC Server does not implement rpc header ` +
        `operation${RpcRequestHeaderProto_OperationProto[header.rpcOp] ?? header.rpcOp}`,
    );
  }
  if (!isFieldSet(header, RpcRequestHeaderProtoSchema.field.rpcKind))
    throw fatal(ErrorCode.FATAL_INVALID_RPC_HEADER, ' IPC Server: No rpc kind in rpcRequestHeader');
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
