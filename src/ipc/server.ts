// Hadoop IPC server over node:net (docs/hadoop-compat.md §1, §1.10): what the NameNode simulator and the ZKFC's own
// ZKFCProtocol server run. It speaks what a Java Server with only SIMPLE auth speaks, so Java
// clients (haadmin, ZKFC) and ours both work against it: preamble checks with Java's replies to bad
// input, connection context, ProtobufRpcEngine2 dispatch by (protocol, version, method), and
// Java's error codes and exception class names. SASL is answered only to fall back to SIMPLE.
// Handlers run concurrently and answer in any order; a handler that never answers blocks nothing
// and is forgotten when its connection closes. No input can crash the server: every fault ends in
// an ERROR/FATAL reply or a closed connection, and is logged. One connection's work is in
// server-connection.ts; this file listens, accepts and keeps the protocols served.

import net from 'node:net';
import type { Message, MessageInitShape } from '@bufbuild/protobuf';
import type { GenMessage } from '@bufbuild/protobuf/codegenv2';
import { silentLogger, type Logger } from '../observability/logger.js';
import { DEFAULT_MAX_FRAME_BYTES } from './codec/constants.js';
import { ServerConnection, type RegisteredProtocol, type RpcCallContext, type RpcMethod } from './server-connection.js';

export function defineMethod<I extends Message, O extends Message>(
  input: GenMessage<I>,
  output: GenMessage<O>,
  // NoInfer: I and O come from the schemas only, so a handler's return value is checked against
  // them instead of widening O to Message.
  handler: NoInfer<(request: I, ctx: RpcCallContext) => Promise<MessageInitShape<GenMessage<O>>> | MessageInitShape<GenMessage<O>>>,
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
  /** Further connections are dropped at accept. Default 1024. */
  readonly maxConnections?: number;
}

export class IpcServer {
  private readonly options: IpcServerOptions;
  private readonly log: Logger;
  private readonly maxFrameBytes: number;
  private readonly protocols = new Map<string, RegisteredProtocol>();
  private readonly connections = new Set<ServerConnection>();
  private server: net.Server | undefined;

  constructor(options: IpcServerOptions) {
    this.options = options;
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.log = (options.logger ?? silentLogger()).child({ component: 'ipc-server' });
  }

  /** Serve `methods` under protocol `name` / `version` (the RequestHeaderProto's declaringClassProtocolName). */
  registerProtocol(name: string, version: number, methods: Record<string, RpcMethod>): void {
    this.protocols.set(name, { version, methods: new Map(Object.entries(methods)) });
  }

  /** Start listening; resolves with the bound address (the real port when port 0 was asked). */
  listen(): Promise<{ host: string; port: number }> {
    if (this.server) return Promise.reject(new Error('IpcServer.listen called twice'));
    const server = net.createServer({ noDelay: true, keepAlive: true }, (socket) => this.accept(socket));
    server.maxConnections = this.options.maxConnections ?? 1024;
    this.server = server;
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
    for (const connection of [...this.connections]) connection.destroy('server closing');
    if (!server) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    this.server = undefined;
  }

  connectionCount(): number {
    return this.connections.size;
  }

  private accept(socket: net.Socket): void {
    const connection = new ServerConnection(socket, this.protocols, this.maxFrameBytes, this.log, () => this.connections.delete(connection));
    this.connections.add(connection);
  }
}
