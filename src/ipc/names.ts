// Names the Hadoop IPC layer itself puts on the wire: which protocol a connection and a call are
// for, and the fully-qualified Java exception class names Hadoop's IPC Server answers with (in
// RpcResponseHeaderProto.exceptionClassName) for faults of the transport, the connection or the
// dispatch (docs/hadoop-compat.md §1.4, §1.8). The HA protocols' own names (protocols, methods,
// HealthCheckFailedException, ServiceFailedException) are in src/hadoop/protocol-names.ts: the
// transport carries them without knowing them.

/** A protocol as it appears in the connection context and the RequestHeaderProto. */
export interface ProtocolId {
  readonly name: string;
  readonly version: number;
}

/** Java exception class names of the IPC layer (Class.getName(), so nested classes use '$'). */
export const IpcExceptionClassName = {
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
export type IpcExceptionClassName = (typeof IpcExceptionClassName)[keyof typeof IpcExceptionClassName];
