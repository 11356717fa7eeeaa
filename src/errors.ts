// Base class of every operating error the daemon, CLI and simulator raise, plus the process exit
// codes. Subsystems define their own subclasses next to their code (src/ipc/errors.ts, ...);
// each carries a stable `code` and keeps the underlying failure in `cause`.

export abstract class ZkfcError extends Error {
  abstract readonly code: string;
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
