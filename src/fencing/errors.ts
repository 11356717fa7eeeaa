// Typed errors of the fencing adapters. Fencing itself never throws into the runtime (the Fencer
// port resolves to a FenceOutcome); these errors are thrown at configuration time (main exits 4,
// ExitCode.NO_FENCER) or used internally and recorded as an attempt's detail.

import { ConfigError, ExitCode, ZkfcError } from '../errors.js';
import type { FenceSpecError } from '../core/fencing/fence-spec.js';

/**
 * `dfs.ha.fencing.methods` (or another fencing key) is missing or unusable. Parity:
 * BadFencingConfigurationException; the ZKFC exits with ERR_CODE_NO_FENCER (4) when the local
 * NameNode's fencing configuration is bad.
 */
export class BadFencingConfigurationError extends ConfigError {
  /** The exit code main uses for this error (Hadoop's ERR_CODE_NO_FENCER). */
  override readonly exitCode = ExitCode.NO_FENCER;
  constructor(
    message: string,
    key: string,
    /** The parser's structured error, when the value was present but unparsable. */
    readonly specError?: FenceSpecError,
    file?: string,
    options?: ErrorOptions,
  ) {
    super(message, key, file, options);
  }
}

/**
 * A fencing target whose host or port cannot safely be used (e.g. shell metacharacters in a host
 * name that came from ZooKeeper). Names the value and where it came from.
 */
export class FenceTargetRejectedError extends ZkfcError {
  readonly code = 'FENCE_TARGET_REJECTED';
  constructor(
    message: string,
    /** The rejected value, JSON-quoted in the message. */
    readonly value: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
