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

/** Bad configuration: names the key (and file) at fault. */
export class ConfigError extends ZkfcError {
  readonly code = 'CONFIG_INVALID';
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
 * Exit codes of `hdfs zkfc` (ZKFailoverController constants, spec 7.1). Kept identical so init
 * scripts and cluster managers that check them keep working.
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
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Message of an unknown thrown value (catch blocks receive `unknown`). */
export function errorMessage(value: unknown): string {
  if (value instanceof Error) return value.message;
  return String(value);
}
