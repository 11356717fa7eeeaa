// HAServiceProtocol client (docs/hadoop-compat.md §2): the calls the ZKFC and haadmin make on a NameNode, over one
// persistent Hadoop IPC connection per address. Implements the HAServiceClient port: every failed
// call rejects with the port's HaCallError (ha-errors.ts says which kind each remote exception
// and transport failure is). This module adds no retries: cadence and retry policy belong to the
// health monitor and the controller.

import { fromBinary, isFieldSet } from '@bufbuild/protobuf';
import type { HAServiceState, HARequestSource, HostPort, ServiceStatus } from '../core/types.js';
import {
  GetServiceStatusRequestProtoSchema,
  GetServiceStatusResponseProtoSchema,
  HARequestSource as HARequestSourceProto,
  HAServiceStateProto,
  MonitorHealthRequestProtoSchema,
  MonitorHealthResponseProtoSchema,
  TransitionToActiveRequestProtoSchema,
  TransitionToActiveResponseProtoSchema,
  TransitionToObserverRequestProtoSchema,
  TransitionToObserverResponseProtoSchema,
  TransitionToStandbyRequestProtoSchema,
  TransitionToStandbyResponseProtoSchema,
} from '../gen/HAServiceProtocol_pb.js';
import { IpcClient, type IpcConnection, type TimerScheduler } from '../ipc/client.js';
import { ProtocolError } from '../ipc/errors.js';
import type { IpcSaslAuthentication } from '../ipc/sasl.js';
import type { Logger } from '../observability/logger.js';
import type { HAServiceClient, HAServiceClientFactory } from '../runtime/ports.js';
import { HA_REMOTE_ERRORS, haCall } from './ha-errors.js';
import { HA_SERVICE_PROTOCOL, HAServiceMethod } from './protocol-names.js';

const REQUEST_SOURCE: Record<HARequestSource, HARequestSourceProto> = {
  REQUEST_BY_USER: HARequestSourceProto.REQUEST_BY_USER,
  REQUEST_BY_USER_FORCED: HARequestSourceProto.REQUEST_BY_USER_FORCED,
  REQUEST_BY_ZKFC: HARequestSourceProto.REQUEST_BY_ZKFC,
};

/**
 * HAServiceStateProto → our state names. Parity: HAServiceProtocolClientSideTranslatorPB maps anything else to
 * INITIALIZING.
 */
export function haServiceStateFromProto(value: number): HAServiceState {
  switch (value as HAServiceStateProto) {
    case HAServiceStateProto.ACTIVE:
      return 'ACTIVE';
    case HAServiceStateProto.STANDBY:
      return 'STANDBY';
    case HAServiceStateProto.OBSERVER:
      return 'OBSERVER';
    default:
      return 'INITIALIZING';
  }
}

/** Our state names → HAServiceStateProto (for servers answering getServiceStatus). */
export function haServiceStateToProto(state: HAServiceState): HAServiceStateProto {
  return HAServiceStateProto[state];
}

/**
 * Decode GetServiceStatusResponseProto. `state` is a required closed enum, so a value this schema
 * does not know lands in the unknown fields; it still counts as present and maps to INITIALIZING.
 */
export function decodeServiceStatus(body: Uint8Array, offset = 0): ServiceStatus {
  let message;
  try {
    message = fromBinary(GetServiceStatusResponseProtoSchema, body);
  } catch (cause) {
    throw new ProtocolError(
      offset,
      `cannot decode ${GetServiceStatusResponseProtoSchema.typeName}: ${String(cause)}`,
      undefined,
      { cause },
    );
  }
  let state: HAServiceState;
  if (isFieldSet(message, GetServiceStatusResponseProtoSchema.field.state)) {
    state = haServiceStateFromProto(message.state);
  } else if (message.$unknown?.some((field) => field.no === 1)) {
    state = 'INITIALIZING';
  } else {
    throw new ProtocolError(
      offset,
      `${GetServiceStatusResponseProtoSchema.typeName} is missing required fields: state`,
    );
  }
  return {
    state,
    ...(isFieldSet(message, GetServiceStatusResponseProtoSchema.field.readyToBecomeActive)
      ? { readyToBecomeActive: message.readyToBecomeActive }
      : {}),
    ...(isFieldSet(message, GetServiceStatusResponseProtoSchema.field.notReadyReason)
      ? { notReadyReason: message.notReadyReason }
      : {}),
  };
}

/** HAServiceProtocol on one NameNode address. */
export class RpcHAServiceClient implements HAServiceClient {
  readonly address: HostPort;
  private readonly where: string;

  constructor(private readonly connection: IpcConnection) {
    this.address = connection.address;
    this.where = `${this.address.host}:${this.address.port}`;
  }

  async monitorHealth(timeoutMs: number): Promise<void> {
    await haCall(this.where, () =>
      this.connection.call(
        HAServiceMethod.monitorHealth,
        MonitorHealthRequestProtoSchema,
        {},
        MonitorHealthResponseProtoSchema,
        timeoutMs,
      ),
    );
  }

  getServiceStatus(timeoutMs: number): Promise<ServiceStatus> {
    return haCall(this.where, async () => {
      const response = await this.connection.callRaw(
        HAServiceMethod.getServiceStatus,
        GetServiceStatusRequestProtoSchema,
        {},
        timeoutMs,
      );
      try {
        return decodeServiceStatus(response.body, response.offset);
      } catch (error) {
        if (error instanceof ProtocolError)
          throw new ProtocolError(error.offset, error.reason, this.where, { cause: error.cause });
        throw error;
      }
    });
  }

  async transitionToActive(source: HARequestSource, timeoutMs: number): Promise<void> {
    await haCall(this.where, () =>
      this.connection.call(
        HAServiceMethod.transitionToActive,
        TransitionToActiveRequestProtoSchema,
        { reqInfo: { reqSource: REQUEST_SOURCE[source] } },
        TransitionToActiveResponseProtoSchema,
        timeoutMs,
      ),
    );
  }

  async transitionToStandby(source: HARequestSource, timeoutMs: number): Promise<void> {
    await haCall(this.where, () =>
      this.connection.call(
        HAServiceMethod.transitionToStandby,
        TransitionToStandbyRequestProtoSchema,
        { reqInfo: { reqSource: REQUEST_SOURCE[source] } },
        TransitionToStandbyResponseProtoSchema,
        timeoutMs,
      ),
    );
  }

  async transitionToObserver(source: HARequestSource, timeoutMs: number): Promise<void> {
    await haCall(this.where, () =>
      this.connection.call(
        HAServiceMethod.transitionToObserver,
        TransitionToObserverRequestProtoSchema,
        { reqInfo: { reqSource: REQUEST_SOURCE[source] } },
        TransitionToObserverResponseProtoSchema,
        timeoutMs,
      ),
    );
  }

  onConnectionClosed(listener: (reason: Error) => void): () => void {
    return this.connection.onConnectionClosed(listener);
  }

  close(): void {
    this.connection.close();
  }
}

export interface RpcHAServiceClientFactoryOptions {
  /**
   * Default: HADOOP_USER_NAME, else the OS login user. Must be the HDFS superuser for health checks and transitions.
   */
  readonly effectiveUser?: string;
  /** Default for every client (ipc.client.connect.timeout, 20000 ms); create() may override it. */
  readonly connectTimeoutMs?: number;
  readonly logger?: Logger;
  readonly timers?: TimerScheduler;
  /** SASL (Kerberos) for every connection; default SIMPLE. */
  readonly sasl?: IpcSaslAuthentication;
}

/**
 * Creates one client (one connection) per call to create(); all share one client id and call-id
 * counter, like the proxies of one Java Client.
 */
export class RpcHAServiceClientFactory implements HAServiceClientFactory {
  private readonly ipc: IpcClient;

  constructor(options: RpcHAServiceClientFactoryOptions = {}) {
    this.ipc = new IpcClient({
      ...(options.effectiveUser !== undefined ? { effectiveUser: options.effectiveUser } : {}),
      ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
      ...(options.logger !== undefined ? { logger: options.logger } : {}),
      ...(options.timers !== undefined ? { timers: options.timers } : {}),
      ...(options.sasl !== undefined ? { sasl: options.sasl } : {}),
      remoteErrors: HA_REMOTE_ERRORS,
    });
  }

  create(address: HostPort, options: { readonly connectTimeoutMs?: number } = {}): RpcHAServiceClient {
    return new RpcHAServiceClient(this.ipc.createConnection(address, HA_SERVICE_PROTOCOL, options));
  }
}
