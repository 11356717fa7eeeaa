// Turns fencing configuration values into checked, typed settings: the methods list for a
// NameNode (main exits 4 when the local one is unusable) and the sshfence key-file list.
// Configuration arrives as plain values; this module reads no files.

import { FENCING_METHODS_KEY, parseFenceMethods, type FenceMethodSpec } from '../core/fencing/fence-spec.js';
import type { NamenodeTarget } from '../core/types.js';
import { BadFencingConfigurationError } from './errors.js';

export const SSH_PRIVATE_KEY_FILES_KEY = 'dfs.ha.fencing.ssh.private-key-files';
export const SSH_CONNECT_TIMEOUT_KEY = 'dfs.ha.fencing.ssh.connect-timeout';

/** "NameNode at host:port", as Hadoop's NNHAServiceTarget.toString() names a target. */
export function describeTarget(target: NamenodeTarget): string {
  const address = target.lifelineAddress ?? target.serviceAddress;
  return `NameNode at ${address.host}:${address.port}`;
}

/**
 * The parsed fencing methods of `target`, or BadFencingConfigurationError (exit code 4).
 * Parity: ZKFailoverController startup ("Fencing is not configured for <target>. You must
 * configure a fencing method before using automatic failover.") and
 * NNHAServiceTarget.checkFencingConfigured ("No fencer configured for <target>").
 */
export function checkFencingConfigured(
  value: string | undefined,
  target: NamenodeTarget,
  key: string = FENCING_METHODS_KEY,
): readonly FenceMethodSpec[] {
  const hint = 'You must configure a fencing method before using automatic failover.';
  if (value === undefined) {
    throw new BadFencingConfigurationError(
      `Fencing is not configured for ${describeTarget(target)}: No fencer configured (${key} is not set). ${hint}`,
      key,
    );
  }
  const parsed = parseFenceMethods(value);
  if (!parsed.ok) {
    throw new BadFencingConfigurationError(
      `Fencing is not configured for ${describeTarget(target)}: ${parsed.error.message} (${key}). ${hint}`,
      key,
      parsed.error,
    );
  }
  return parsed.methods;
}

/**
 * dfs.ha.fencing.ssh.private-key-files: comma-separated, trimmed, empty entries dropped (getTrimmedStringCollection).
 */
export function parsePrivateKeyFiles(value: string | undefined): readonly string[] {
  if (value === undefined) return [];
  return value
    .split(',')
    .map((file) => file.trim())
    .filter((file) => file.length > 0);
}
