// Hadoop names that travel on the wire: the two HA protocol names and versions, their method
// names, and the fully-qualified Java exception class names that a Hadoop IPC peer puts in
// RpcResponseHeaderProto.exceptionClassName (docs/hadoop-compat.md §1.4, §1.8, §2.1, §2.3, §3). Clients map these strings
// to typed errors (src/ipc/errors.ts); servers (NameNode simulator, ZKFC RPC server) throw
// RemoteException with them so Java tools see the exceptions they know.

/** HAServiceProtocol as named in @ProtocolInfo of HAServiceProtocolPB (docs/hadoop-compat.md §2.1). */
export const HA_SERVICE_PROTOCOL_NAME = 'org.apache.hadoop.ha.HAServiceProtocol';
/** ZKFCProtocol as named in @ProtocolInfo of ZKFCProtocolPB (docs/hadoop-compat.md §3). */
export const ZKFC_PROTOCOL_NAME = 'org.apache.hadoop.ha.ZKFCProtocol';
/** clientProtocolVersion of both HA protocols. */
export const HA_PROTOCOL_VERSION = 1;

/** A protocol as it appears in the connection context and the RequestHeaderProto. */
export interface ProtocolId {
  readonly name: string;
  readonly version: number;
}

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

/** Java exception class names (Class.getName(), so nested classes use '$'). */
export const ExceptionClassName = {
  /** monitorHealth: the service is unhealthy (HealthMonitor → SERVICE_UNHEALTHY). */
  HealthCheckFailed: 'org.apache.hadoop.ha.HealthCheckFailedException',
  /** A refused or failed state change, or a failover that could not be done. */
  ServiceFailed: 'org.apache.hadoop.ha.ServiceFailedException',
  /** Not a superuser, manual-vs-automatic gate, observer guard, ZKFC admin ACL, auth failures. */
  AccessControl: 'org.apache.hadoop.security.AccessControlException',
  /** NameNode still starting ("NameNode still not started"). */
  Retriable: 'org.apache.hadoop.ipc.RetriableException',
  /** Namespace operations on a non-active NameNode (not thrown by HA methods). */
  Standby: 'org.apache.hadoop.ipc.StandbyException',
  /** Known protocol, other version; also the FATAL reply to a bad connection preamble. */
  VersionMismatch: 'org.apache.hadoop.ipc.RPC$VersionMismatch',
  NoSuchMethod: 'org.apache.hadoop.ipc.RpcNoSuchMethodException',
  NoSuchProtocol: 'org.apache.hadoop.ipc.RpcNoSuchProtocolException',
  /** Unknown auth protocol byte in the preamble. */
  Ipc: 'org.apache.hadoop.ipc.IpcException',
  /** What Server.FatalRpcServerException(code, message) carries as its cause: header errors. */
  RpcServer: 'org.apache.hadoop.ipc.RpcServerException',
  /** A request body the server could not parse (ProtobufRpcEngine2 getValue). */
  InvalidProtocolBuffer: 'org.apache.hadoop.thirdparty.protobuf.InvalidProtocolBufferException',
  IO: 'java.io.IOException',
} as const;
export type ExceptionClassName = (typeof ExceptionClassName)[keyof typeof ExceptionClassName];
