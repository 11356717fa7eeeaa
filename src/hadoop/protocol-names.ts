// Hadoop names of the HA protocols that travel on the wire: the two protocol names and versions,
// their method names, and the Java exception class names a Hadoop IPC peer puts in
// RpcResponseHeaderProto.exceptionClassName (docs/hadoop-compat.md §1.4, §1.8, §2.1, §2.3, §3):
// the HA ones (HealthCheckFailedException, ServiceFailedException) beside those of the IPC layer
// (src/ipc/names.ts). Clients map these strings to typed errors (src/hadoop/ha-errors.ts,
// src/ipc/errors.ts); servers (NameNode simulator, ZKFC RPC server) throw RemoteException with them
// so Java tools see the exceptions they know.

import { IpcExceptionClassName, type ProtocolId } from '../ipc/names.js';

/** HAServiceProtocol as named in @ProtocolInfo of HAServiceProtocolPB (docs/hadoop-compat.md §2.1). */
export const HA_SERVICE_PROTOCOL_NAME = 'org.apache.hadoop.ha.HAServiceProtocol';
/** ZKFCProtocol as named in @ProtocolInfo of ZKFCProtocolPB (docs/hadoop-compat.md §3). */
export const ZKFC_PROTOCOL_NAME = 'org.apache.hadoop.ha.ZKFCProtocol';
/** clientProtocolVersion of both HA protocols. */
export const HA_PROTOCOL_VERSION = 1;

export const HA_SERVICE_PROTOCOL: ProtocolId = { name: HA_SERVICE_PROTOCOL_NAME, version: HA_PROTOCOL_VERSION };
export const ZKFC_PROTOCOL: ProtocolId = { name: ZKFC_PROTOCOL_NAME, version: HA_PROTOCOL_VERSION };

/** HAServiceProtocolService rpc names (RequestHeaderProto.methodName). */
export const HAServiceMethod = {
  monitorHealth: 'monitorHealth',
  transitionToActive: 'transitionToActive',
  transitionToStandby: 'transitionToStandby',
  transitionToObserver: 'transitionToObserver',
  getServiceStatus: 'getServiceStatus',
} as const;

/** ZKFCProtocolService rpc names. */
export const ZkfcMethod = {
  cedeActive: 'cedeActive',
  gracefulFailover: 'gracefulFailover',
} as const;

/** Java exception class names (Class.getName()): the HA protocols' own and the IPC layer's. */
export const ExceptionClassName = {
  /** monitorHealth: the service is unhealthy (HealthMonitor → SERVICE_UNHEALTHY). */
  HealthCheckFailed: 'org.apache.hadoop.ha.HealthCheckFailedException',
  /** A refused or failed state change, or a failover that could not be done. */
  ServiceFailed: 'org.apache.hadoop.ha.ServiceFailedException',
  ...IpcExceptionClassName,
} as const;
export type ExceptionClassName = (typeof ExceptionClassName)[keyof typeof ExceptionClassName];
