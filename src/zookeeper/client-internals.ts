// The one place that reaches into node-zookeeper-client 1.1.3's private ConnectionManager
// (`client.connectionManager`) to close gaps the public API cannot (docs/hadoop-compat.md §12):
//
// 1. No read timeout (bug 1). We record when bytes last arrived and, like Java's ClientCnxn,
//    declare the connection dead after 2/3 of the negotiated session timeout of silence while
//    connected, or after connectTimeout (session timeout / number of servers) while the connect
//    handshake is pending (a SIGSTOPped server still completes TCP handshakes from its listen
//    backlog but never answers the ConnectRequest, and the library only bounds the TCP connect).
//    The socket is destroyed; the library then moves on to the next server with the same session.
// 2. No way to stop for good (bugs 5, 6). `terminate()` stops every future connect attempt
//    (including one waiting in the library's spin-delay timer), destroys the socket and clears
//    the library's connect timer, without calling the library's close(), which throws on a client
//    that never connected.
// 3. Robustness against bad server bytes: the library parses inside the socket 'data' handler
//    and throws (e.g. "Unknown code" for error codes newer than it knows, such as THROTTLED),
//    which would crash the process. Parse errors are caught, reported and the connection is
//    dropped; the stale partial frame the library keeps across reconnects is discarded too.
// 4. No TLS: the library opens every connection with net.connect. With a `connectSocket` hook its
//    connect() is replaced, for this client only, by the same steps on the hook's socket (a
//    tls.connect socket for ZooKeeper's secureClientPort, tls.ts), with the library's handlers,
//    the ConnectRequest sent once the TLS handshake is done ('secureConnect'), and socket errors
//    reported to the hook (the library ignores them and reconnects).
// 5. No SASL: with an `authenticate` hook, the library's move to CONNECTED on the ConnectResponse is
//    held back; the hook runs the SASL exchange (ZooKeeperSaslClient's OpCode.sasl packets,
//    sasl-packets.ts) on the socket while the library still thinks it is connecting, so it sends
//    nothing queued (Java's ClientCnxn also holds the outgoing queue while SASL is in progress).
//    Success: CONNECTED as the library would have done it (its 'connected' event, the queue sent,
//    pings armed). Failure: reported to the hook and the socket destroyed; the library reconnects
//    and the exchange runs again. No operation ever goes out on an unauthenticated connection.
//
// Everything here is checked against the library's shape at install time: an upgraded library
// with different internals fails loudly at open(), not silently at the first partition.

import type { Socket } from 'node:net';
import type { Client } from 'node-zookeeper-client';
import { encodeSaslRequest, decodeSaslReply, type SaslReply } from './sasl-packets.js';

/**
 * The longest SASL reply frame taken: ZKClientConfig.CLIENT_MAX_PACKET_LENGTH_DEFAULT (jute.maxbuffer,
 * 0xfffff), the bound Java's ClientCnxnSocket.readLength puts on every frame. A SASL token is a few KiB.
 */
const MAX_SASL_REPLY_BYTES = 0xfffff;

/** ConnectionManager.STATES of node-zookeeper-client 1.1.3. */
const CM_STATE = {
  DISCONNECTED: 0,
  CONNECTING: 1,
  CONNECTED: 2,
  CONNECTED_READ_ONLY: 3,
  CLOSING: -1,
  CLOSED: -2,
  SESSION_EXPIRED: -3,
  AUTHENTICATION_FAILED: -4,
} as const;

interface LibraryServer {
  readonly host: string;
  readonly port: number | string;
}

/** The private fields and methods we use; names as in lib/ConnectionManager.js. */
interface LibraryConnectionManager {
  state: number;
  socket: Socket | undefined;
  sessionTimeout: number;
  connectTimeout: number;
  pingTimeout: number;
  xid: number;
  pendingBuffer: Buffer | null;
  connectTimeoutHandler: NodeJS.Timeout | null;
  connect(): void;
  setState(state: number): void;
  findNextServer(callback: (server: LibraryServer) => void): void;
  onSocketData(buffer: Buffer): void;
  onSocketConnected(): void;
  onSocketConnectTimeout(): void;
  onSocketDrain(): void;
  onSocketClosed(hadError: boolean): void;
  onSocketError(error: Error): void;
  onSocketTimeout(): void;
  onPacketQueueReadable(): void;
}

/** A socket of our own for one server, and the event after which the ConnectRequest may be sent. */
export interface OwnSocket {
  readonly socket: Socket;
  readonly readyEvent: 'connect' | 'secureConnect';
}

/** Sends one SASL token (GetSASLRequest) on the current connection and resolves with the server's answer. */
export interface SaslTransport {
  send(token: Uint8Array): Promise<SaslReply>;
}

export type DeadConnectionReason = 'read timeout' | 'connect timeout' | 'unparseable server data';

export interface ClientInternalsHooks {
  /** Monotonic milliseconds (the injected Clock). */
  readonly now: () => number;
  /** The library threw while handling server bytes; the connection is being dropped. */
  readonly onDataError: (error: unknown, server: string | undefined) => void;
  /** Open the socket to a server instead of the library's net.connect (TLS). */
  readonly connectSocket?: (server: { readonly host: string; readonly port: number }) => OwnSocket;
  /** An error on a socket connectSocket opened; `ready`: its readyEvent had fired. */
  readonly onSocketError?: (error: Error, server: string, ready: boolean) => void;
  /** Authenticate each connection with SASL before the library may use it (rejects: refused). */
  readonly authenticate?: (
    server: { readonly host: string; readonly port: number },
    transport: SaslTransport,
  ) => Promise<void>;
  /** The SASL exchange of a connection failed; the connection is being dropped. */
  readonly onAuthenticationFailed?: (error: unknown, server: string) => void;
}

/** The SASL exchange of one connection in progress. */
interface SaslPhase {
  readonly socket: Socket;
  /** Bytes of server frames not yet read. */
  pending: Buffer;
  waiter: { readonly xid: number; resolve(reply: SaslReply): void; reject(error: Error): void } | undefined;
}

export interface ConnectionCheck {
  /** Set when the current connection was declared dead and its socket destroyed. */
  readonly dropped?: {
    readonly reason: DeadConnectionReason;
    readonly silentMs: number;
    readonly limitMs: number;
    readonly server: string | undefined;
  };
  /** When the connection is alive: how long until it would be declared dead if nothing arrives. */
  readonly deadlineInMs?: number;
}

export class ClientInternals {
  private terminated = false;
  private lastReceiveMs: number;
  private attemptStartMs: number;
  private server: string | undefined;
  private lastDropReason: DeadConnectionReason | undefined;
  private sasl: SaslPhase | undefined;

  private constructor(
    private readonly cm: LibraryConnectionManager,
    private readonly hooks: ClientInternalsHooks,
  ) {
    this.lastReceiveMs = hooks.now();
    this.attemptStartMs = this.lastReceiveMs;
  }

  /** Instrument a client before its connect() is called. Throws if the library's internals differ. */
  static install(client: Client, hooks: ClientInternalsHooks): ClientInternals {
    const cm = (client as unknown as { connectionManager?: LibraryConnectionManager }).connectionManager;
    const proto = cm === undefined ? undefined : (Object.getPrototypeOf(cm) as Partial<LibraryConnectionManager>);
    const handlers = [
      'connect',
      'setState',
      'findNextServer',
      'onSocketData',
      'onSocketConnected',
      'onSocketConnectTimeout',
      'onSocketDrain',
      'onSocketClosed',
      'onSocketError',
      'onSocketTimeout',
      'onPacketQueueReadable',
    ] as const;
    if (
      cm === undefined ||
      proto === undefined ||
      handlers.some((name) => typeof proto[name] !== 'function') ||
      typeof cm.state !== 'number' ||
      typeof cm.sessionTimeout !== 'number' ||
      typeof cm.connectTimeout !== 'number'
    ) {
      throw new Error(
        'node-zookeeper-client internals are not those of 1.1.3 ' +
          '(connectionManager); the adapter in src/zookeeper must be revisited',
      );
    }
    const internals = new ClientInternals(cm, hooks);
    // Checked above: both are functions.
    const originalFindNextServer = proto.findNextServer!;
    const originalOnSocketData = proto.onSocketData!;
    // Instance properties shadow the prototype; connect() binds `self.onSocketData` per socket.
    cm.findNextServer = (callback) => {
      if (internals.terminated) return;
      originalFindNextServer.call(cm, (server) => {
        if (internals.terminated) return;
        // A partial frame from the previous connection must not prefix the new one.
        cm.pendingBuffer = null;
        internals.attemptStartMs = hooks.now();
        internals.lastReceiveMs = internals.attemptStartMs;
        internals.server = `${server.host}:${server.port}`;
        internals.lastDropReason = undefined;
        callback(server);
      });
    };
    cm.onSocketData = (buffer) => {
      internals.lastReceiveMs = hooks.now();
      if (internals.sasl !== undefined) {
        internals.onSaslData(buffer);
        return;
      }
      try {
        originalOnSocketData.call(cm, buffer);
      } catch (error) {
        cm.pendingBuffer = null;
        internals.drop('unparseable server data');
        hooks.onDataError(error, internals.server);
      }
    };
    const authenticate = hooks.authenticate;
    if (authenticate !== undefined) {
      const originalSetState = proto.setState!;
      cm.setState = (state) => {
        if (state === CM_STATE.CONNECTED && cm.state === CM_STATE.CONNECTING && !internals.terminated) {
          internals.startSasl(authenticate, originalSetState);
          return;
        }
        originalSetState.call(cm, state);
      };
    }
    const connectSocket = hooks.connectSocket;
    if (connectSocket !== undefined) {
      // ConnectionManager.prototype.connect of 1.1.3, step for step, on our socket.
      cm.connect = () => {
        cm.setState(CM_STATE.CONNECTING);
        cm.findNextServer((server) => {
          const name = `${server.host}:${server.port}`;
          const { socket, readyEvent } = connectSocket({ host: server.host, port: Number(server.port) });
          let ready = false;
          cm.socket = socket;
          cm.connectTimeoutHandler = setTimeout(() => cm.onSocketConnectTimeout(), cm.connectTimeout);
          socket.setNoDelay();
          socket.on(readyEvent, () => {
            ready = true;
            cm.onSocketConnected();
          });
          socket.on('data', (buffer: Buffer) => cm.onSocketData(buffer));
          socket.on('drain', () => cm.onSocketDrain());
          socket.on('close', (hadError: boolean) => cm.onSocketClosed(hadError));
          socket.on('error', (error: Error) => {
            hooks.onSocketError?.(error, name, ready);
            cm.onSocketError(error);
          });
        });
      };
    }
    return internals;
  }

  /** The ConnectResponse arrived: run the SASL exchange, then let the library be connected. */
  private startSasl(
    authenticate: NonNullable<ClientInternalsHooks['authenticate']>,
    setState: (this: LibraryConnectionManager, state: number) => void,
  ): void {
    const cm = this.cm;
    const socket = cm.socket;
    if (socket === undefined) return;
    const phase: SaslPhase = { socket, pending: Buffer.alloc(0), waiter: undefined };
    this.sasl = phase;
    const server = this.server ?? '';
    const colon = server.lastIndexOf(':');
    const address = { host: server.slice(0, colon), port: Number(server.slice(colon + 1)) };
    const current = (): boolean => this.sasl === phase && !this.terminated && !socket.destroyed;
    socket.once('close', () => {
      if (this.sasl !== phase) return;
      this.sasl = undefined;
      phase.waiter?.reject(new Error(`the connection to ${server} closed during SASL authentication`));
    });
    const transport: SaslTransport = {
      send: (token) => {
        if (!current()) return Promise.reject(new Error(`the connection to ${server} is gone`));
        const xid = cm.xid;
        cm.xid += 1;
        return new Promise<SaslReply>((resolve, reject) => {
          phase.waiter = { xid, resolve, reject };
          socket.write(encodeSaslRequest(xid, token));
        });
      },
    };
    authenticate(address, transport).then(
      () => {
        if (!current()) return;
        this.sasl = undefined;
        setState.call(cm, CM_STATE.CONNECTED);
        // What the library does after CONNECTED (ConnectionManager.onSocketData): send the queue, arm pings.
        cm.onPacketQueueReadable();
        socket.setTimeout(cm.pingTimeout, () => cm.onSocketTimeout());
        if (phase.pending.length > 0) cm.onSocketData(phase.pending);
      },
      (error: unknown) => {
        if (this.sasl === phase) this.sasl = undefined;
        if (this.terminated) return;
        this.hooks.onAuthenticationFailed?.(error, server);
        socket.destroy();
      },
    );
  }

  /** Server bytes during the SASL exchange: whole frames go to the waiting send(). */
  private onSaslData(buffer: Buffer): void {
    const phase = this.sasl!;
    const held = this.cm.pendingBuffer;
    this.cm.pendingBuffer = null;
    phase.pending = Buffer.concat([phase.pending, ...(held === null ? [] : [held]), buffer]);
    while (phase.pending.length >= 4) {
      const size = phase.pending.readInt32BE(0);
      // A length out of range fails at once rather than holding the server's bytes until it is met.
      const badLength = size < 0 || size > MAX_SASL_REPLY_BYTES;
      if (!badLength && phase.pending.length < 4 + size) return;
      const waiter = phase.waiter;
      phase.waiter = undefined;
      try {
        if (badLength)
          throw new Error(
            `SASL reply length ${size} from the server is out of range (0..${MAX_SASL_REPLY_BYTES} bytes)`,
          );
        const frame = phase.pending.subarray(4, 4 + size);
        phase.pending = phase.pending.subarray(4 + size);
        const reply = decodeSaslReply(frame);
        if (waiter === undefined || reply.xid !== waiter.xid)
          throw new Error(`unexpected packet (xid ${reply.xid}) from the server during SASL authentication`);
        waiter.resolve(reply);
      } catch (error) {
        const failure = error instanceof Error ? error : new Error(String(error));
        if (waiter !== undefined) waiter.reject(failure);
        else this.hooks.onDataError(failure, this.server);
        phase.socket.destroy();
        return;
      }
      if (this.sasl !== phase) return;
    }
  }

  /** host:port of the server of the current (or last) connection attempt. */
  currentServer(): string | undefined {
    return this.server;
  }

  /** Why the last connection was dropped by us, if it was (consumed by the disconnected log line). */
  takeDropReason(): DeadConnectionReason | undefined {
    const reason = this.lastDropReason;
    this.lastDropReason = undefined;
    return reason;
  }

  isConnected(): boolean {
    return this.cm.state === CM_STATE.CONNECTED || this.cm.state === CM_STATE.CONNECTED_READ_ONLY;
  }

  /** The read timeout Java's ClientCnxn uses: 2/3 of the negotiated session timeout. */
  readTimeoutMs(): number {
    return Math.floor((this.cm.sessionTimeout * 2) / 3);
  }

  /** Session timeout as the library currently knows it (the negotiated one once connected). */
  sessionTimeoutMs(): number {
    return this.cm.sessionTimeout;
  }

  /**
   * Apply the read and handshake timeouts; call periodically. Destroys the socket of a connection
   * that has been silent too long (the library then reconnects elsewhere).
   */
  check(): ConnectionCheck {
    if (this.terminated) return {};
    const socket = this.cm.socket;
    if (socket === undefined || socket.destroyed) return {};
    const now = this.hooks.now();
    if (this.isConnected()) {
      const silentMs = now - this.lastReceiveMs;
      const limitMs = this.readTimeoutMs();
      if (silentMs > limitMs) {
        this.drop('read timeout');
        return { dropped: { reason: 'read timeout', silentMs, limitMs, server: this.server } };
      }
      return { deadlineInMs: limitMs - silentMs };
    } else if (this.cm.state === CM_STATE.CONNECTING) {
      const silentMs = now - this.attemptStartMs;
      const limitMs = this.cm.connectTimeout;
      if (silentMs > limitMs) {
        this.drop('connect timeout');
        return { dropped: { reason: 'connect timeout', silentMs, limitMs, server: this.server } };
      }
      return { deadlineInMs: limitMs - silentMs };
    }
    return {};
  }

  private drop(reason: DeadConnectionReason): void {
    this.lastDropReason = reason;
    this.cm.socket?.destroy();
  }

  /** Once the socket closes (resolves at once if there is none or it is closed already). */
  whenSocketClosed(): Promise<void> {
    const socket = this.cm.socket;
    if (socket === undefined || socket.closed) return Promise.resolve();
    return new Promise((resolve) => socket.once('close', () => resolve()));
  }

  /**
   * Stop the client for good: no further connect attempts, no timers, no socket. Idempotent and
   * safe in every library state, including never connected.
   */
  terminate(): void {
    if (this.terminated) return;
    this.terminated = true;
    if (this.cm.connectTimeoutHandler !== null) {
      clearTimeout(this.cm.connectTimeoutHandler);
      this.cm.connectTimeoutHandler = null;
    }
    // CLOSING makes the library's socket-close handler fail its pending requests and stop instead
    // of reconnecting; set directly so no state event is emitted for it.
    this.cm.state = CM_STATE.CLOSING;
    this.cm.socket?.destroy();
  }
}
