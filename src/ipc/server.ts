// Hadoop IPC server over node:net (docs/hadoop-compat.md §1, §1.10): what the NameNode simulator and the ZKFC's own
// ZKFCProtocol server run. It speaks what a Java Server with only SIMPLE auth speaks, so Java
// clients (haadmin, ZKFC) and ours both work against it: preamble checks with Java's replies to bad
// input, connection context, ProtobufRpcEngine2 dispatch by (protocol, version, method), and
// Java's error codes and exception class names. SASL is answered to fall back to SIMPLE, or, with
// options.security.sasl, required (Kerberos on the ZKFC's server; server-connection.ts).
// Handlers run concurrently and answer in any order; a handler that never answers blocks nothing
// and is forgotten when its connection closes. No input can crash the server: every fault ends in
// an ERROR/FATAL reply or a closed connection, and is logged. One connection's work is in
// server-connection.ts; this file listens, accepts and keeps the protocols served.
//
// Bounded for hostile clients (README, "Security model"): an optional allow-list of source
// addresses and caps on connections in all and per address (admission.ts: at a cap the oldest
// idle connection makes room), small frames until a connection has set itself up and a deadline
// for that, and connections idle longer than maxIdleMs closed (Hadoop's Server#closeIdle). The
// defaults are Hadoop's own generous ones (the NameNode simulator uses them); the ZKFC's server
// sets tight ones (hadoop/zkfc-rpc-server.ts).

import net from 'node:net';
import type { Message, MessageInitShape } from '@bufbuild/protobuf';
import type { GenMessage } from '@bufbuild/protobuf/codegenv2';
import { silentLogger, type Logger } from '../observability/logger.js';
import { RepeatLimiter } from '../observability/untrusted.js';
import { ConnectionAdmission, type AddressAllowList } from './admission.js';
import { DEFAULT_MAX_FRAME_BYTES } from './codec/constants.js';
import {
  ServerConnection,
  type ConnectionLimits,
  type ConnectionSecurity,
  type RegisteredProtocol,
  type RpcCallContext,
  type RpcMethod,
} from './server-connection.js';
import { monotonicNowMs } from '../runtime/system-clock.js';

export function defineMethod<I extends Message, O extends Message>(
  input: GenMessage<I>,
  output: GenMessage<O>,
  // NoInfer: I and O come from the schemas only, so a handler's return value is checked against
  // them instead of widening O to Message.
  handler: NoInfer<
    (request: I, ctx: RpcCallContext) => Promise<MessageInitShape<GenMessage<O>>> | MessageInitShape<GenMessage<O>>
  >,
): RpcMethod {
  return { input, output, handler: handler as (request: unknown, ctx: RpcCallContext) => unknown };
}

export interface IpcServerOptions {
  readonly host: string;
  /** 0 picks a free port; listen() returns it. */
  readonly port: number;
  readonly logger?: Logger;
  /** ipc.maximum.data.length; larger request frames close the connection. Default 128 MiB. */
  readonly maxFrameBytes?: number;
  /** Largest frame before the connection context has arrived (SASL, the context). Default maxFrameBytes. */
  readonly maxSetupFrameBytes?: number;
  /** Connections held at once; at the cap a new one replaces the oldest idle one. Default 1024. */
  readonly maxConnections?: number;
  /** Connections held at once from one source address, same rule. Default maxConnections. */
  readonly maxConnectionsPerAddress?: number;
  /** Only these source addresses may connect; default everyone. */
  readonly allowList?: AddressAllowList;
  /** Deadline for the preamble and the connection context; 0 (default): none. */
  readonly setupTimeoutMs?: number;
  /** Connections without a call and without traffic for this long are closed; 0 (default): never. */
  readonly maxIdleMs?: number;
  /** Calls in flight per connection before it stops reading. Default 256. */
  readonly maxInFlightPerConnection?: number;
  /** Unsent response bytes per connection before it stops reading. Default 8 MiB. */
  readonly maxUnsentResponseBytes?: number;
  /** SASL authentication and service-level authorization; default SIMPLE, everyone. */
  readonly security?: ConnectionSecurity;
}

export class IpcServer {
  private readonly options: IpcServerOptions;
  private readonly log: Logger;
  private readonly maxFrameBytes: number;
  private readonly protocols = new Map<string, RegisteredProtocol>();
  private readonly connections = new Set<ServerConnection>();
  private readonly admission: ConnectionAdmission<ServerConnection>;
  private readonly limits: ConnectionLimits;
  private server: net.Server | undefined;
  private idleSweep: NodeJS.Timeout | undefined;
  private readonly refusalLog = new RepeatLimiter({ burst: 1, windowMs: 60_000 });

  constructor(options: IpcServerOptions) {
    this.options = options;
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.log = (options.logger ?? silentLogger()).child({ component: 'ipc-server' });
    const maxConnections = Math.max(1, options.maxConnections ?? 1024);
    this.admission = new ConnectionAdmission<ServerConnection>(
      {
        maxConnections,
        maxConnectionsPerAddress: Math.max(
          1,
          Math.min(maxConnections, options.maxConnectionsPerAddress ?? maxConnections),
        ),
      },
      (connection) => connection.isBusy(),
      options.allowList,
    );
    this.limits = {
      maxFrameBytes: this.maxFrameBytes,
      maxSetupFrameBytes: Math.min(options.maxSetupFrameBytes ?? this.maxFrameBytes, this.maxFrameBytes),
      setupTimeoutMs: options.setupTimeoutMs ?? 0,
      maxInFlight: options.maxInFlightPerConnection ?? 256,
      maxUnsentResponseBytes: options.maxUnsentResponseBytes ?? 8 * 1024 * 1024,
    };
  }

  /** Serve `methods` under protocol `name` / `version` (the RequestHeaderProto's declaringClassProtocolName). */
  registerProtocol(name: string, version: number, methods: Record<string, RpcMethod>): void {
    this.protocols.set(name, { version, methods: new Map(Object.entries(methods)) });
  }

  /** Start listening; resolves with the bound address (the real port when port 0 was asked). */
  listen(): Promise<{ host: string; port: number }> {
    if (this.server) return Promise.reject(new Error('IpcServer.listen called twice'));
    const server = net.createServer({ noDelay: true, keepAlive: true }, (socket) => this.accept(socket));
    this.server = server;
    const maxIdleMs = this.options.maxIdleMs ?? 0;
    if (maxIdleMs > 0) {
      // Parity: Server.ConnectionManager's idle scan (closeIdle), every half of the idle time here.
      this.idleSweep = setInterval(() => this.closeIdle(maxIdleMs), Math.max(50, Math.floor(maxIdleMs / 2)));
      this.idleSweep.unref();
    }
    return new Promise((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      server.once('error', onError);
      server.listen({ host: this.options.host, port: this.options.port }, () => {
        server.off('error', onError);
        server.on('error', (error) => this.log.error({ err: error }, 'ipc server socket error'));
        const bound = server.address() as net.AddressInfo;
        this.log.info({ host: bound.address, port: bound.port }, 'ipc server listening');
        resolve({ host: bound.address, port: bound.port });
      });
    });
  }

  /** Stop listening and close every connection; pending handlers are abandoned. */
  async close(): Promise<void> {
    const server = this.server;
    if (this.idleSweep !== undefined) clearInterval(this.idleSweep);
    this.idleSweep = undefined;
    for (const connection of [...this.connections]) connection.destroy('server closing');
    if (!server) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    this.server = undefined;
  }

  connectionCount(): number {
    return this.connections.size;
  }

  private accept(socket: net.Socket): void {
    const address = socket.remoteAddress ?? '';
    const decision = this.admission.decide(address);
    if (!decision.admit) {
      socket.on('error', () => undefined);
      socket.destroy();
      const logged = this.refusalLog.check(decision.reason, monotonicNowMs());
      if (logged.write) {
        this.log.warn(
          { address, reason: decision.reason, ...(logged.suppressed > 0 ? { repeated: logged.suppressed } : {}) },
          decision.reason === 'not-allowed'
            ? 'ipc connection refused: address not in the allow-list'
            : 'ipc connection refused: every connection under the cap is busy',
        );
      }
      return;
    }
    for (const victim of decision.evict) victim.destroy('replaced by a new connection at the connection cap');
    const connection = new ServerConnection(
      socket,
      this.protocols,
      this.limits,
      this.log,
      () => {
        this.connections.delete(connection);
        this.admission.remove(connection);
      },
      this.options.security,
    );
    this.connections.add(connection);
    this.admission.add(connection, address);
  }

  /**
   * Close every connection idle for maxIdleMs (Server#closeIdle, which Hadoop runs above ipc.client.idlethreshold
   * connections).
   */
  private closeIdle(maxIdleMs: number): void {
    const now = monotonicNowMs();
    for (const connection of [...this.connections]) {
      if (connection.idleFor(maxIdleMs, now)) connection.destroy(`idle for ${maxIdleMs} ms`);
    }
  }
}
