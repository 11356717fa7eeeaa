// ZKFCProtocol client (docs/hadoop-compat.md §3): cedeActive and gracefulFailover on a peer ZKFC's IPC server, over
// src/ipc. Implements the ZkfcClient port (failed calls reject with its HaCallError). Also the millisToCede conversion
// both sides need:
// Java's int travels in a uint32 field, so -1 is sent as 0xFFFFFFFF and must be read back signed.

import type { HostPort } from '../core/types.js';
import {
  CedeActiveRequestProtoSchema,
  CedeActiveResponseProtoSchema,
  GracefulFailoverRequestProtoSchema,
  GracefulFailoverResponseProtoSchema,
} from '../gen/ZKFCProtocol_pb.js';
import { IpcClient, type IpcConnection, type TimerScheduler } from '../ipc/client.js';
import type { IpcSaslAuthentication } from '../ipc/sasl.js';
import type { Logger } from '../observability/logger.js';
import type { ZkfcClient, ZkfcClientFactory } from '../runtime/ports.js';
import { HA_REMOTE_ERRORS, haCall } from './ha-errors.js';
import { ZKFC_PROTOCOL, ZkfcMethod } from './protocol-names.js';

/** int32 millisToCede → the uint32 wire value (two's complement: -1 → 0xFFFFFFFF). */
export function encodeMillisToCede(millisToCede: number): number {
  if (!Number.isInteger(millisToCede) || millisToCede < -0x80000000 || millisToCede > 0x7fffffff) {
    throw new RangeError(`millisToCede must be a 32-bit signed integer, got ${millisToCede}`);
  }
  return millisToCede >>> 0;
}

/** The uint32 wire value → Java's int (0xFFFFFFFF → -1). Values <= 0 mean "stop ceding". */
export function decodeMillisToCede(wireValue: number): number {
  return wireValue | 0;
}

/** ZKFCProtocol over one persistent connection to a peer ZKFC. */
export class RpcZkfcClient implements ZkfcClient {
  readonly address: HostPort;
  private readonly where: string;

  constructor(private readonly connection: IpcConnection) {
    this.address = connection.address;
    this.where = `${this.address.host}:${this.address.port}`;
  }

  async cedeActive(millisToCede: number, timeoutMs: number): Promise<void> {
    const wireValue = encodeMillisToCede(millisToCede);
    await haCall(this.where, () =>
      this.connection.call(
        ZkfcMethod.cedeActive,
        CedeActiveRequestProtoSchema,
        { millisToCede: wireValue },
        CedeActiveResponseProtoSchema,
        timeoutMs,
      ),
    );
  }

  async gracefulFailover(timeoutMs: number): Promise<void> {
    await haCall(this.where, () =>
      this.connection.call(
        ZkfcMethod.gracefulFailover,
        GracefulFailoverRequestProtoSchema,
        {},
        GracefulFailoverResponseProtoSchema,
        timeoutMs,
      ),
    );
  }

  /** See HAServiceClient.onConnectionClosed. */
  onConnectionClosed(listener: (reason: Error) => void): () => void {
    return this.connection.onConnectionClosed(listener);
  }

  close(): void {
    this.connection.close();
  }
}

export interface RpcZkfcClientFactoryOptions {
  /** Default: HADOOP_USER_NAME, else the OS login user. The peer allows its own user and admins. */
  readonly effectiveUser?: string;
  readonly connectTimeoutMs?: number;
  readonly logger?: Logger;
  readonly timers?: TimerScheduler;
  /** SASL (Kerberos) for every connection; default SIMPLE. */
  readonly sasl?: IpcSaslAuthentication;
}

export class RpcZkfcClientFactory implements ZkfcClientFactory {
  private readonly ipc: IpcClient;

  constructor(options: RpcZkfcClientFactoryOptions = {}) {
    this.ipc = new IpcClient({
      ...(options.effectiveUser !== undefined ? { effectiveUser: options.effectiveUser } : {}),
      ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
      ...(options.logger !== undefined ? { logger: options.logger } : {}),
      ...(options.timers !== undefined ? { timers: options.timers } : {}),
      ...(options.sasl !== undefined ? { sasl: options.sasl } : {}),
      remoteErrors: HA_REMOTE_ERRORS,
    });
  }

  create(address: HostPort): RpcZkfcClient {
    return new RpcZkfcClient(this.ipc.createConnection(address, ZKFC_PROTOCOL));
  }
}
