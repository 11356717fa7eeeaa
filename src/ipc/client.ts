// Hadoop IPC client over node:net (docs/hadoop-compat.md §1): one persistent TCP connection per (address, protocol,
// user), calls multiplexed on it and answered out of order by callId. SIMPLE auth only: preamble,
// connection context and first call are written back-to-back in one write, as Java does.
// Failure model, which the ZKFC's health monitoring relies on:
// - every call has its own timer; a timeout rejects that call only (RpcTimeoutError) and the
//   connection stays usable (a late answer is dropped);
// - the connection closing (peer crash, reset, protocol violation, FATAL reply) fails every
//   outstanding call at once and is reported at once to onConnectionClosed listeners, so a dead
//   NameNode is noticed in milliseconds rather than at the next timeout;
// - the next call after a close reconnects (no retry loop here: retry policy belongs to callers).
// With a SASL authentication (option `sasl`, Kerberos in practice) the connection first negotiates
// SASL (src/ipc/sasl.ts); calls made meanwhile wait and are sent, after the connection context, once
// it succeeds, wrapped when a security layer was negotiated; a failed negotiation fails them.
// Not provided: pings (docs/hadoop-compat.md §1.9: with the ZKFC's timeouts Java sends none), idle
// disconnect.

import net from 'node:net';
import os from 'node:os';
import type { DescMessage, MessageInitShape, MessageShape } from '@bufbuild/protobuf';
import type { HostPort } from '../core/types.js';
import { errorMessage } from '../errors.js';
import { silentLogger, type Logger } from '../observability/logger.js';
import type { Cancel, Clock } from '../runtime/ports.js';
import { SystemClock } from '../runtime/system-clock.js';
import { CLIENT_ID_LENGTH, DEFAULT_MAX_FRAME_BYTES } from './codec/constants.js';
import { FrameDecoder, type Frame } from './codec/frame-decoder.js';
import {
  decodeMessage,
  decodeResponseFrame,
  encodeCallFrame,
  encodeConnectionContextFrame,
  encodeMessage,
  errorCodeName,
} from './codec/messages.js';
import { encodePreamble } from './codec/preamble.js';
import { AuthProtocol, CallId } from './codec/constants.js';
import { RpcSaslProto_SaslState, RpcSaslProtoSchema } from '../gen/RpcHeader_pb.js';
import { SaslNegotiation, encodeSaslMessage, type IpcSaslAuthentication, type SaslClientMechanism } from './sasl.js';
import {
  ConnectionClosedError,
  ProtocolError,
  RemoteError,
  RpcConnectError,
  RpcTimeoutError,
  RpcTransportError,
  remoteErrorFor,
  TooManyPendingCallsError,
  type RemoteErrorClasses,
} from './errors.js';
import type { ProtocolId } from './names.js';

/** ipc.client.connect.timeout default. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 20_000;
/** Outstanding calls per connection before new calls are refused (bounds memory and timers). */
export const DEFAULT_MAX_PENDING_CALLS = 1024;

/** The timer part of the Clock port; the client needs nothing else. Default: the SystemClock. */
export type TimerScheduler = Pick<Clock, 'schedule'>;

/** The user a SIMPLE-auth Hadoop client acts as: HADOOP_USER_NAME, else the OS login user. */
export function defaultEffectiveUser(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env['HADOOP_USER_NAME'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  try {
    return os.userInfo().username;
  } catch {
    return env['USER'] ?? env['LOGNAME'] ?? 'unknown';
  }
}

/**
 * 16 bytes of a random v4 UUID, most significant half first (ClientId.getClientId). The id must
 * be unique among a NameNode's clients (its RetryCache keys on it), not secret: any client may
 * send any id. So Math.random (V8 seeds it per process from the OS) serves, and the daemon does
 * not load node:crypto for it (2 MiB resident in an otherwise idle Node process).
 */
export function newClientId(): Uint8Array {
  const id = new Uint8Array(16);
  for (let i = 0; i < 16; i += 2) {
    const random16 = Math.floor(Math.random() * 0x10000);
    id[i] = random16 >>> 8;
    id[i + 1] = random16 & 0xff;
  }
  id[6] = (id[6]! & 0x0f) | 0x40; // version 4
  id[8] = (id[8]! & 0x3f) | 0x80; // IETF variant
  return id;
}

/** Hands out call ids: counter & 0x7FFFFFFF starting at 0, shared by a client's connections. */
export class CallIdCounter {
  private next = 0;
  take(): number {
    const id = this.next;
    this.next = (this.next + 1) & 0x7fffffff;
    return id;
  }
}

export interface IpcConnectionOptions {
  readonly address: HostPort;
  readonly protocol: ProtocolId;
  /** userInfo.effectiveUser of the connection context. */
  readonly effectiveUser: string;
  /** userInfo.realUser, only for proxy (doAs) users. */
  readonly realUser?: string;
  /** 16 bytes; default a fresh random id. */
  readonly clientId?: Uint8Array;
  readonly callIds?: CallIdCounter;
  readonly connectTimeoutMs?: number;
  /** Largest response frame accepted (ipc.maximum.response.length); default 128 MiB. */
  readonly maxResponseBytes?: number;
  readonly maxPendingCalls?: number;
  readonly logger?: Logger;
  readonly timers?: TimerScheduler;
  /** The protocol's own remote exceptions, as typed errors by Java class name. */
  readonly remoteErrors?: RemoteErrorClasses;
  /** Authenticate with SASL (Kerberos); the connection context's user then comes from it. Default: SIMPLE. */
  readonly sasl?: IpcSaslAuthentication;
}

/** A SUCCESS response message before decoding. */
export interface RawResponse {
  readonly body: Uint8Array;
  /** Stream offset of body[0] (for error messages). */
  readonly offset: number;
}

interface PendingCall {
  readonly callId: number;
  readonly method: string;
  readonly resolve: (value: RawResponse) => void;
  readonly reject: (error: Error) => void;
  cancelTimer: Cancel;
}

/** One TCP connection's lifetime; events of an older session are ignored. */
interface Session {
  readonly socket: net.Socket;
  readonly decoder: FrameDecoder;
  established: boolean;
  closed: boolean;
  cancelConnectTimer: Cancel;
  lastSocketError: Error | undefined;
  /** The SASL negotiation under way; frames to send wait in `queued` until it ends. */
  negotiation: SaslNegotiation | undefined;
  queued: Uint8Array[];
  /** Server SASL messages, handled one after the other. */
  saslChain: Promise<void>;
  /** The negotiated security layer: every frame is wrapped and unwrapped. */
  security: SaslClientMechanism | undefined;
  /** Frames inside the unwrapped stream. */
  inner: FrameDecoder | undefined;
}

/** A persistent Hadoop IPC connection to one address for one protocol and user. */
export class IpcConnection {
  readonly address: HostPort;
  readonly protocol: ProtocolId;
  readonly clientId: Uint8Array;
  private readonly addressText: string;
  private readonly effectiveUser: string;
  private readonly realUser: string | undefined;
  private readonly callIds: CallIdCounter;
  private readonly connectTimeoutMs: number;
  private readonly maxResponseBytes: number;
  private readonly maxPendingCalls: number;
  private readonly log: Logger;
  private readonly timers: TimerScheduler;
  private readonly remoteErrors: RemoteErrorClasses | undefined;
  private readonly sasl: IpcSaslAuthentication | undefined;
  private readonly pending = new Map<number, PendingCall>();
  private readonly listeners = new Set<(reason: Error) => void>();
  private session: Session | undefined;

  constructor(options: IpcConnectionOptions) {
    this.address = options.address;
    this.protocol = options.protocol;
    this.addressText = `${options.address.host}:${options.address.port}`;
    const port = options.address.port;
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      throw new RangeError(`invalid port in IPC address ${this.addressText}`);
    if (options.address.host === '') throw new RangeError('empty host in IPC address');
    this.effectiveUser = options.effectiveUser;
    this.realUser = options.realUser;
    this.clientId = options.clientId ?? newClientId();
    if (this.clientId.length !== CLIENT_ID_LENGTH) throw new RangeError(`clientId must be ${CLIENT_ID_LENGTH} bytes`);
    this.callIds = options.callIds ?? new CallIdCounter();
    this.connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.maxPendingCalls = options.maxPendingCalls ?? DEFAULT_MAX_PENDING_CALLS;
    this.timers = options.timers ?? new SystemClock();
    this.remoteErrors = options.remoteErrors;
    this.sasl = options.sasl;
    this.log = (options.logger ?? silentLogger()).child({
      component: 'ipc-client',
      peer: this.addressText,
      protocol: options.protocol.name,
    });
  }

  /** Whether a TCP connection is currently open (or being opened). */
  get connected(): boolean {
    return this.session !== undefined;
  }

  /** Calls sent and not yet answered, failed or timed out. */
  get pendingCalls(): number {
    return this.pending.size;
  }

  /**
   * Call `method` with `request`; resolves with the decoded response. Rejects with an
   * RpcTransportError or a RemoteError (see src/ipc/errors.ts). Connects first if needed.
   */
  async call<I extends DescMessage, O extends DescMessage>(
    method: string,
    input: I,
    request: MessageInitShape<I>,
    output: O,
    timeoutMs: number,
  ): Promise<MessageShape<O>> {
    const response = await this.callRaw(method, input, request, timeoutMs);
    try {
      return decodeMessage(output, response.body, response.offset);
    } catch (error) {
      // A bad response message fails this call only (Java parses it in the caller's thread).
      throw error instanceof ProtocolError
        ? withAddress(error, this.addressText)
        : new ProtocolError(response.offset, String(error), this.addressText);
    }
  }

  /**
   * Like call, but resolves with the undecoded response message, for callers that must read
   * fields the generated schema cannot represent (e.g. unknown enum values).
   */
  callRaw<I extends DescMessage>(
    method: string,
    input: I,
    request: MessageInitShape<I>,
    timeoutMs: number,
  ): Promise<RawResponse> {
    return new Promise<RawResponse>((resolve, reject) => {
      if (this.pending.size >= this.maxPendingCalls) {
        reject(
          new TooManyPendingCallsError(
            `${this.pending.size} calls outstanding on ${this.addressText}`,
            this.addressText,
          ),
        );
        return;
      }
      const requestBytes = encodeMessage(input, request); // throws only for a programming error
      const callId = this.callIds.take();
      const call: PendingCall = { callId, method, resolve, reject, cancelTimer: () => {} };
      call.cancelTimer = this.timers.schedule(timeoutMs, () => this.timeOut(call, timeoutMs));
      this.pending.set(callId, call);
      const frame = encodeCallFrame({
        callId,
        clientId: this.clientId,
        methodName: method,
        protocol: this.protocol,
        request: requestBytes,
      });
      this.log.debug({ callId, method }, 'rpc call sent');
      this.send(frame);
    });
  }

  /** Called once each time an established connection closes (not for close() by the owner). */
  onConnectionClosed(listener: (reason: Error) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Close the connection, failing outstanding calls; the next call reconnects. */
  close(): void {
    const session = this.session;
    if (session)
      this.teardown(
        session,
        new ConnectionClosedError(`connection to ${this.addressText} closed by client`, this.addressText),
        false,
      );
  }

  private send(frame: Uint8Array): void {
    const existing = this.session;
    if (existing) {
      existing.socket.ref();
      if (existing.negotiation !== undefined) existing.queued.push(frame);
      else this.write(existing, frame);
      return;
    }
    this.openSession(frame);
  }

  /** One frame out, in RpcSaslProto WRAP messages under a security layer (SaslRpcClient.WrappedOutputStream). */
  private write(session: Session, frame: Uint8Array): void {
    const security = session.security;
    if (security === undefined) {
      session.socket.write(frame);
      return;
    }
    const chunk = security.rawSendSize > 0 ? security.rawSendSize : frame.length;
    for (let offset = 0; offset < frame.length; offset += chunk) {
      const token = security.wrap(frame.subarray(offset, Math.min(frame.length, offset + chunk)));
      session.socket.write(encodeSaslMessage({ state: RpcSaslProto_SaslState.WRAP, token }));
    }
  }

  private openSession(firstCall: Uint8Array): void {
    const socket = new net.Socket();
    const session: Session = {
      socket,
      decoder: new FrameDecoder({ maxFrameBytes: this.maxResponseBytes, allowEmptyFrames: false }),
      established: false,
      closed: false,
      cancelConnectTimer: () => {},
      lastSocketError: undefined,
      negotiation: undefined,
      queued: [],
      saslChain: Promise.resolve(),
      security: undefined,
      inner: undefined,
    };
    this.session = session;
    this.log.debug({ from: 'idle', to: 'connecting', reason: 'call' }, 'connection state changed');

    session.cancelConnectTimer = this.timers.schedule(this.connectTimeoutMs, () => {
      if (session.established || session.closed) return;
      const cause = Object.assign(new Error(`connect timed out after ${this.connectTimeoutMs} ms`), {
        code: 'ETIMEDOUT',
      });
      this.teardown(
        session,
        new RpcConnectError(
          `connect to ${this.addressText} timed out after ${this.connectTimeoutMs} ms`,
          this.addressText,
          'ETIMEDOUT',
          true,
          { cause },
        ),
        false,
      );
    });
    socket.on('connect', () => {
      if (session.closed) return;
      session.established = true;
      session.cancelConnectTimer();
      socket.setNoDelay(true);
      socket.setKeepAlive(true);
      this.log.debug({ from: 'connecting', to: 'open', reason: 'connected' }, 'connection state changed');
    });
    socket.on('data', (chunk: Buffer) => this.onData(session, chunk));
    socket.on('error', (error: Error) => {
      session.lastSocketError = error;
      if (!session.established) {
        const errno = (error as NodeJS.ErrnoException).code;
        this.teardown(
          session,
          new RpcConnectError(
            `connect to ${this.addressText} failed: ${error.message}`,
            this.addressText,
            errno,
            false,
            { cause: error },
          ),
          false,
        );
      }
    });
    socket.on('close', () => {
      const cause = session.lastSocketError;
      this.teardown(
        session,
        new ConnectionClosedError(
          cause
            ? `connection to ${this.addressText} lost: ${cause.message}`
            : `connection to ${this.addressText} closed by peer`,
          this.addressText,
          cause ? { cause } : undefined,
        ),
        true,
      );
    });

    let first: Uint8Array;
    if (this.sasl !== undefined) {
      // Parity: Client.Connection.setupIOstreams with SASL: preamble and NEGOTIATE, then the
      // negotiation; the connection context and calls follow its success.
      session.negotiation = new SaslNegotiation(this.sasl, this.address, this.addressText);
      session.queued.push(firstCall);
      first = concat([encodePreamble({ authProtocol: AuthProtocol.SASL }), SaslNegotiation.negotiateFrame()]);
    } else {
      // Parity: Client.Connection.setupIOstreams writes preamble, connection context and the first
      // call before reading anything, so a SIMPLE server sees them in one segment.
      first = concat([encodePreamble(), this.connectionContext(this.effectiveUser), firstCall]);
    }
    try {
      socket.connect({ host: this.address.host, port: this.address.port });
    } catch (error) {
      // net throws synchronously for some bad addresses; it must fail the calls, not the caller.
      const errno = (error as NodeJS.ErrnoException).code;
      this.teardown(
        session,
        new RpcConnectError(
          `connect to ${this.addressText} failed: ${errorMessage(error)}`,
          this.addressText,
          errno,
          false,
          { cause: error },
        ),
        false,
      );
      return;
    }
    socket.write(first);
  }

  private onData(session: Session, chunk: Buffer): void {
    if (session.closed) return;
    try {
      session.decoder.push(chunk, (frame) => this.onFrame(session, frame));
    } catch (error) {
      // Only framing / protocol violations and FATAL replies escape onFrame.
      if (error instanceof RemoteError) {
        this.teardown(session, error, true);
        return;
      }
      const violation =
        error instanceof RpcTransportError
          ? error
          : new ProtocolError(session.decoder.offset, String(error), this.addressText);
      this.log.warn({ err: violation }, 'protocol violation from server; closing connection');
      this.teardown(
        session,
        new ConnectionClosedError(`connection to ${this.addressText} closed: ${violation.message}`, this.addressText, {
          cause: violation,
        }),
        true,
      );
    }
  }

  private connectionContext(effectiveUser: string): Uint8Array {
    return encodeConnectionContextFrame({
      clientId: this.clientId,
      effectiveUser,
      ...(this.realUser !== undefined ? { realUser: this.realUser } : {}),
      protocol: this.protocol.name,
    });
  }

  private onFrame(session: Session, frame: Frame): void {
    if (session.closed) return;
    if (session.negotiation !== undefined) {
      this.onSaslFrame(session, session.negotiation, frame);
      return;
    }
    if (session.security !== undefined && session.inner !== undefined) {
      const response = decodeResponseFrame(frame);
      if (response.callId === CallId.SASL && response.status === 'SUCCESS') {
        const message = decodeMessage(RpcSaslProtoSchema, response.body!, response.bodyOffset);
        if (message.state !== RpcSaslProto_SaslState.WRAP || message.token === undefined)
          throw new ProtocolError(response.bodyOffset, 'Server sent non-wrapped response', this.addressText);
        const data = session.security.unwrap(message.token);
        session.inner.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength), (inner) =>
          this.onPlainFrame(session, inner),
        );
        return;
      }
      // A FATAL reply may come unwrapped; anything else is a violation, raised below.
      if (response.status === 'SUCCESS')
        throw new ProtocolError(frame.offset, 'Server sent non-wrapped response', this.addressText);
    }
    this.onPlainFrame(session, frame);
  }

  /** One server message of the SASL negotiation (SaslRpcClient.saslConnect's loop body). */
  private onSaslFrame(session: Session, negotiation: SaslNegotiation, frame: Frame): void {
    const response = decodeResponseFrame(frame);
    const header = response.header;
    if (response.status !== 'SUCCESS') {
      throw remoteErrorFor(
        {
          className: header.exceptionClassName || 'ServerDidNotSetExceptionClassName',
          errorMsg: header.errorMsg || 'ServerDidNotSetErrorMsg',
          status: response.status,
          errorDetail: header.errorDetail ? errorCodeName(header.errorDetail) : undefined,
          address: this.addressText,
        },
        this.remoteErrors,
      );
    }
    if (response.callId !== CallId.SASL)
      throw new ProtocolError(frame.offset, 'Non-SASL response during negotiation', this.addressText);
    const message = decodeMessage(RpcSaslProtoSchema, response.body!, response.bodyOffset);
    session.saslChain = session.saslChain
      .then(async () => {
        if (session.closed) return;
        const step = await negotiation.onMessage(message);
        if (session.closed) return;
        if (step.kind === 'send') {
          session.socket.write(step.frame);
          return;
        }
        this.finishNegotiation(session, step.client);
      })
      .catch((error: unknown) => {
        const failure = error instanceof Error ? error : new Error(String(error));
        this.log.warn({ err: failure }, 'SASL authentication failed; closing connection');
        // Not reported as a closed connection: the calls waiting for it fail with the reason.
        this.teardown(session, failure, false);
      });
  }

  private finishNegotiation(session: Session, client: SaslClientMechanism | undefined): void {
    session.negotiation = undefined;
    const user = client !== undefined ? this.sasl!.effectiveUser(client) : this.sasl!.simpleUser;
    if (client?.wrapsTraffic === true) {
      session.security = client;
      session.inner = new FrameDecoder({ maxFrameBytes: this.maxResponseBytes, allowEmptyFrames: false });
    } else {
      client?.dispose();
    }
    this.log.debug({ user, wrapped: session.security !== undefined }, 'SASL authentication complete');
    this.write(session, this.connectionContext(user));
    const queued = session.queued;
    session.queued = [];
    for (const frame of queued) this.write(session, frame);
  }

  private onPlainFrame(session: Session, frame: Frame): void {
    if (session.closed) return;
    const response = decodeResponseFrame(frame);
    const header = response.header;
    if (header.clientId.length > 0 && !sameBytes(header.clientId, this.clientId)) {
      throw new ProtocolError(
        frame.offset,
        `Client IDs not matched: local ID=${hex(this.clientId)}, ID in response=${hex(header.clientId)}`,
        this.addressText,
      );
    }
    if (response.status === 'FATAL') {
      const call = this.pending.get(response.callId);
      throw remoteErrorFor(
        {
          className: header.exceptionClassName || 'ServerDidNotSetExceptionClassName',
          errorMsg: header.errorMsg || 'ServerDidNotSetErrorMsg',
          status: 'FATAL',
          errorDetail: header.errorDetail ? errorCodeName(header.errorDetail) : undefined,
          address: this.addressText,
          ...(call ? { method: call.method } : {}),
        },
        this.remoteErrors,
      );
    }
    const call = this.pending.get(response.callId);
    if (!call) {
      // A call that already timed out, or an id we never sent: Java ignores both the same way.
      this.log.debug(
        { callId: response.callId, status: response.status },
        'response for unknown or timed-out call dropped',
      );
      return;
    }
    this.finish(call);
    if (response.status === 'ERROR') {
      call.reject(
        remoteErrorFor(
          {
            className: header.exceptionClassName || 'ServerDidNotSetExceptionClassName',
            errorMsg: header.errorMsg || 'ServerDidNotSetErrorMsg',
            status: 'ERROR',
            errorDetail: header.errorDetail ? errorCodeName(header.errorDetail) : undefined,
            address: this.addressText,
            method: call.method,
          },
          this.remoteErrors,
        ),
      );
      return;
    }
    call.resolve({ body: response.body ?? new Uint8Array(0), offset: response.bodyOffset });
  }

  private timeOut(call: PendingCall, timeoutMs: number): void {
    if (this.pending.get(call.callId) !== call) return;
    this.finish(call);
    this.log.debug({ callId: call.callId, method: call.method, timeoutMs }, 'rpc call timed out');
    call.reject(
      new RpcTimeoutError(
        `call ${call.method} #${call.callId} to ${this.addressText} timed out after ${timeoutMs} ms`,
        this.addressText,
        call.method,
        call.callId,
        timeoutMs,
      ),
    );
  }

  private finish(call: PendingCall): void {
    call.cancelTimer();
    this.pending.delete(call.callId);
    // Idle connections must not keep a CLI process alive; a daemon is kept alive by its own work.
    if (this.pending.size === 0) this.session?.socket.unref();
  }

  private teardown(session: Session, error: Error, notify: boolean): void {
    if (session.closed) return;
    session.closed = true;
    session.cancelConnectTimer();
    session.socket.destroy();
    session.negotiation?.dispose();
    session.security?.dispose();
    session.queued = [];
    if (this.session === session) this.session = undefined;
    const calls = [...this.pending.values()];
    this.pending.clear();
    for (const call of calls) {
      call.cancelTimer();
      call.reject(error);
    }
    this.log.debug(
      {
        from: session.established ? 'open' : 'connecting',
        to: 'idle',
        reason: error.message,
        failedCalls: calls.length,
      },
      'connection state changed',
    );
    if (notify && session.established) {
      for (const listener of [...this.listeners]) {
        try {
          listener(error);
        } catch (listenerError) {
          this.log.error({ err: listenerError }, 'onConnectionClosed listener threw');
        }
      }
    }
  }
}

export interface IpcClientOptions {
  /** Default: HADOOP_USER_NAME, else the OS login user. */
  readonly effectiveUser?: string;
  readonly realUser?: string;
  readonly connectTimeoutMs?: number;
  readonly maxResponseBytes?: number;
  readonly maxPendingCalls?: number;
  readonly logger?: Logger;
  readonly timers?: TimerScheduler;
  /** The protocol's own remote exceptions (see IpcConnectionOptions). */
  readonly remoteErrors?: RemoteErrorClasses;
  /** Fixed client id (tests); default a random v4 UUID. */
  readonly clientId?: Uint8Array;
  /** SASL authentication for every connection (see IpcConnectionOptions.sasl). */
  readonly sasl?: IpcSaslAuthentication;
}

/**
 * A Hadoop IPC client: one client id and call-id counter (like one Java Client instance) and a
 * cache of connections keyed by (address, protocol) for its user.
 */
export class IpcClient {
  readonly clientId: Uint8Array;
  readonly effectiveUser: string;
  private readonly callIds = new CallIdCounter();
  private readonly connections = new Map<string, IpcConnection>();

  constructor(private readonly options: IpcClientOptions = {}) {
    this.clientId = options.clientId ?? newClientId();
    this.effectiveUser = options.effectiveUser ?? defaultEffectiveUser();
  }

  /** The shared connection for (address, protocol); created on first use, reconnects on demand. */
  connection(address: HostPort, protocol: ProtocolId): IpcConnection {
    const key = `${address.host}:${address.port}|${protocol.name}|${protocol.version}`;
    let connection = this.connections.get(key);
    if (!connection) {
      connection = this.createConnection(address, protocol);
      this.connections.set(key, connection);
    }
    return connection;
  }

  /** A connection owned by the caller (not cached), sharing this client's id and call ids. */
  createConnection(
    address: HostPort,
    protocol: ProtocolId,
    overrides: { readonly connectTimeoutMs?: number } = {},
  ): IpcConnection {
    const o = this.options;
    const connectTimeoutMs = overrides.connectTimeoutMs ?? o.connectTimeoutMs;
    return new IpcConnection({
      address,
      protocol,
      effectiveUser: this.effectiveUser,
      clientId: this.clientId,
      callIds: this.callIds,
      ...(o.realUser !== undefined ? { realUser: o.realUser } : {}),
      ...(connectTimeoutMs !== undefined ? { connectTimeoutMs } : {}),
      ...(o.maxResponseBytes !== undefined ? { maxResponseBytes: o.maxResponseBytes } : {}),
      ...(o.maxPendingCalls !== undefined ? { maxPendingCalls: o.maxPendingCalls } : {}),
      ...(o.logger !== undefined ? { logger: o.logger } : {}),
      ...(o.timers !== undefined ? { timers: o.timers } : {}),
      ...(o.remoteErrors !== undefined ? { remoteErrors: o.remoteErrors } : {}),
      ...(o.sasl !== undefined ? { sasl: o.sasl } : {}),
    });
  }

  /** Close every cached connection. */
  close(): void {
    for (const connection of this.connections.values()) connection.close();
    this.connections.clear();
  }
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

function withAddress(error: ProtocolError, address: string): ProtocolError {
  return error.address !== undefined
    ? error
    : new ProtocolError(error.offset, error.reason, address, { cause: error.cause });
}
