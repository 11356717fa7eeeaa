// Base class of every operating error the daemon and the CLI raise, the list of their stable
// codes, and the process exit codes. Subsystems define their own subclasses next to their code
// (src/ipc/errors.ts, ...); each carries one of the codes below and keeps the underlying failure
// in `cause`. A caller may branch on the code; the message is for people.

/** Codes of the Hadoop IPC layer (src/ipc/errors.ts) and the HA protocols' exceptions (src/hadoop/ha-errors.ts). */
export type RpcErrorCode =
  | 'RPC_CONNECT_FAILED'
  | 'RPC_TIMEOUT'
  | 'RPC_CONNECTION_CLOSED'
  | 'RPC_TOO_MANY_PENDING_CALLS'
  | 'RPC_FRAME_INVALID'
  | 'RPC_PROTOCOL_ERROR'
  | 'RPC_REMOTE_ERROR'
  | 'RPC_HEALTH_CHECK_FAILED'
  | 'RPC_SERVICE_FAILED'
  | 'RPC_ACCESS_DENIED'
  | 'RPC_RETRIABLE'
  | 'RPC_STANDBY'
  | 'RPC_NO_SUCH_METHOD'
  | 'RPC_NO_SUCH_PROTOCOL'
  | 'RPC_VERSION_MISMATCH'
  | 'RPC_FATAL'
  | 'RPC_REMOTE_EXCEPTION'
  | 'RPC_AUTH_FAILED';

/** Codes of the HA ports' call failures (HaCallError, src/runtime/ports.ts), one per kind. */
export type HaCallErrorCode = 'HA_UNHEALTHY' | 'HA_REFUSED' | 'HA_FAILED' | 'HA_UNREACHABLE' | 'HA_TIMED_OUT';

/** Every code a ZkfcError of src/ carries. */
export type ZkfcErrorCode =
  | RpcErrorCode
  | HaCallErrorCode
  // configuration (ConfigError and its subclasses)
  | 'CONFIG_INVALID'
  // runtime: the failover controller as the ZKFCProtocol server and the daemon see it
  | 'SERVICE_FAILED'
  | 'PEER_CEDE_FAILED'
  | 'ZKFC_NOT_RUNNING'
  | 'ZKFC_EXITED'
  // ZooKeeper
  | 'ZK_OPERATION_FAILED'
  | 'ZK_RESPONSE_INVALID'
  | 'ZK_UNAVAILABLE'
  | 'ZNODE_DATA_INVALID'
  // key stores and trust stores (src/security)
  | 'KEYSTORE_INVALID'
  | 'CREDENTIAL_PROVIDER_INVALID'
  // fencing, HTTP listener
  | 'FENCE_TARGET_REJECTED'
  | 'HTTP_LISTEN_FAILED'
  // haadmin
  | 'HAADMIN_FAILOVER_FAILED'
  | 'HAADMIN_ILLEGAL_ARGUMENT'
  | 'ZKFC_STATUS_UNAVAILABLE';

/**
 * `Code` is ZkfcErrorCode for everything in src/; the tools built on this base (simulator,
 * harnesses: not shipped) name their own codes through it.
 */
export abstract class ZkfcError<Code extends string = ZkfcErrorCode> extends Error {
  abstract readonly code: Code;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * Bad configuration: names the key (and file) at fault. `exitCode` is what `zkfc` exits with when
 * this error stops it at start-up; subclasses with one of Hadoop's own codes override it
 * (BadFencingConfigurationError: 4).
 */
export class ConfigError extends ZkfcError {
  readonly code = 'CONFIG_INVALID';
  readonly exitCode: ExitCode = ExitCode.CONFIG;
  constructor(
    message: string,
    readonly key?: string,
    readonly file?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * Exit codes of `hdfs zkfc` (ZKFailoverController's ERR_CODE_* constants), kept identical so init
 * scripts and cluster managers that check them keep working, plus CONFIG for the configuration
 * errors Hadoop reports as 1. A restart cannot fix those, and 1 is also what a crash exits with,
 * so a service manager could not tell them apart (systemd/zkfc@.service restarts on 1 and 6 only).
 */
export const ExitCode = {
  OK: 0,
  /** Any exception or fatal error. */
  FATAL: 1,
  /** ERR_CODE_FORMAT_DENIED: -formatZK refused to clear an existing znode. */
  FORMAT_DENIED: 2,
  /** ERR_CODE_NO_PARENT_ZNODE: the working znode is missing; run -formatZK. */
  NO_PARENT_ZNODE: 3,
  /** ERR_CODE_NO_FENCER: dfs.ha.fencing.methods missing or unusable. */
  NO_FENCER: 4,
  /** ERR_CODE_AUTO_FAILOVER_NOT_ENABLED. */
  AUTO_FAILOVER_NOT_ENABLED: 5,
  /** ERR_CODE_NO_ZK: cannot reach ZooKeeper. */
  NO_ZK: 6,
  /**
   * Any other configuration error (a malformed value or file, HA not enabled, no local NameNode,
   * no ha.zookeeper.quorum, a bad ACL): Hadoop exits 1. EX_CONFIG of sysexits.h, which systemd
   * shows as "status=78/CONFIG".
   */
  CONFIG: 78,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Message of an unknown thrown value (catch blocks receive `unknown`). */
export function errorMessage(value: unknown): string {
  if (value instanceof Error) return value.message;
  return String(value);
}
