// shell(command): run an operator's fencing command with `bash -e -c`, the fenced NameNode
// described in environment variables, and a hard deadline.
//
// Parity: ShellCommandFencer (Hadoop 3.3+): `bash -e -c <cmd>` with stdin at EOF; environment =
// this process's environment, then every entry of the target's configuration with '.' replaced
// by '_' in the key, then target_host, target_port, target_address, target_nameserviceid and
// target_namenodeid (the prefix is always `target_` on the ZKFC path); exit 0 = fenced; output
// logged line by line with the prefix `[PID n] <command abbreviated to 20 chars>`.
// Deliberate differences: Hadoop waits forever; we kill everything the command started (its
// process group, and what left it through setsid or a double fork: containment.ts) at the
// deadline and report a timeout, and kill what is still running when it ends. Known secrets
// (secrets.ts) are replaced by [redacted] in its output before it is logged; the command itself
// still receives them, as in Hadoop. The environment also carries ZKFC_FENCE_TOKEN (used to find
// its processes).
//
// Values that may come from ZooKeeper (host, port) reach the script only as environment
// variables, never as part of the command string, so shell metacharacters in them are inert.

import type { NamenodeTarget } from '../core/types.js';
import type { Logger } from '../observability/logger.js';
import { boundText } from '../observability/untrusted.js';
import type { Clock } from '../runtime/ports.js';
import type { ContainmentKind } from './containment.js';
import { knownSecrets, SecretRedactor } from './secrets.js';
import { runShellProcess } from './shell-process.js';
import type { FenceMethodResult } from './ssh-fence.js';
import { formatJavaSocketAddress, resolveHostBestEffort } from './target-address.js';

/** Default hard deadline of a shell fencing command (zkfc.fencing.shell.timeout.ms). */
export const SHELL_FENCE_TIMEOUT_DEFAULT_MS = 30_000;
/** Between SIGTERM and SIGKILL to the process group at the deadline. */
export const SHELL_FENCE_KILL_GRACE_DEFAULT_MS = 2_000;
/** Bound on the DNS lookup for target_address. */
export const TARGET_RESOLVE_TIMEOUT_DEFAULT_MS = 2_000;
/** ShellCommandFencer.ABBREV_LENGTH. */
const ABBREV_LENGTH = 20;
/** The output tail kept for the failover journal: the last lines, each cut to a bound. */
export const OUTPUT_TAIL_LINES = 10;
export const OUTPUT_TAIL_LINE_MAX_CHARS = 200;

export interface ShellFenceOptions {
  /** The command to run (already chosen by the comma rule, see resolveShellCommandForZkfc). */
  readonly command: string;
  readonly target: NamenodeTarget;
  /** The configuration as the fenced NameNode sees it (per-nn keys promoted). */
  readonly targetConf: ReadonlyMap<string, string>;
  readonly timeoutMs: number;
  readonly killGraceMs?: number;
  readonly resolveTimeoutMs?: number;
  /** Base environment. Default: this process's environment. */
  readonly baseEnv?: NodeJS.ProcessEnv;
  readonly clock: Clock;
  readonly logger: Logger;
  /** How the command's processes are found and killed; default 'auto' (see containment.ts). */
  readonly containment?: 'auto' | ContainmentKind;
}

/** ShellCommandFencer.abbreviate: put "..." in the middle of strings longer than `length`. */
export function abbreviate(command: string, length = ABBREV_LENGTH): string {
  if (command.length > length && length >= 5) {
    const firstHalf = Math.floor((length - 3) / 2);
    const rest = length - firstHalf - 3;
    return `${command.slice(0, firstHalf)}...${command.slice(command.length - rest)}`;
  }
  return command;
}

/** The target_* variables (HAServiceTarget + NNHAServiceTarget.addFencingParameters, prefix target_). */
export function targetEnvironment(target: NamenodeTarget, resolvedIp: string | undefined): Record<string, string> {
  const { host, port } = target.serviceAddress;
  return {
    target_address: formatJavaSocketAddress(host, resolvedIp, port),
    target_host: host,
    target_port: String(port),
    target_nameserviceid: target.nameserviceId,
    target_namenodeid: target.namenodeId,
  };
}

/**
 * The complete environment of a shell fencing command. Entries a process environment cannot
 * hold (a NUL anywhere, '=' or nothing in the key) are left out and reported in `skippedKeys`.
 */
export function buildShellFenceEnvironment(
  baseEnv: NodeJS.ProcessEnv,
  targetConf: ReadonlyMap<string, string>,
  target: NamenodeTarget,
  resolvedIp: string | undefined,
): { readonly env: Record<string, string>; readonly skippedKeys: readonly string[] } {
  const env: Record<string, string> = {};
  const skippedKeys: string[] = [];
  const put = (key: string, value: string): void => {
    if (key.length === 0 || key.includes('=') || key.includes('\0') || value.includes('\0')) {
      skippedKeys.push(key);
      return;
    }
    env[key] = value;
  };
  for (const [key, value] of Object.entries(baseEnv)) if (value !== undefined) put(key, value);
  for (const [key, value] of targetConf) put(key.replaceAll('.', '_'), value);
  for (const [key, value] of Object.entries(targetEnvironment(target, resolvedIp)))
    put(key.replaceAll('.', '_'), value);
  return { env, skippedKeys };
}

export async function shellFence(options: ShellFenceOptions): Promise<FenceMethodResult> {
  const log = options.logger;
  const { command, target } = options;
  const resolvedIp = await resolveHostBestEffort(
    target.serviceAddress.host,
    options.resolveTimeoutMs ?? TARGET_RESOLVE_TIMEOUT_DEFAULT_MS,
    options.clock,
  );
  const { env, skippedKeys } = buildShellFenceEnvironment(
    options.baseEnv ?? process.env,
    options.targetConf,
    target,
    resolvedIp,
  );
  if (skippedKeys.length > 0)
    log.warn({ keys: skippedKeys.slice(0, 20) }, 'configuration entries not exported to the fencing command');

  const redactor = new SecretRedactor(knownSecrets(options.targetConf, options.baseEnv ?? process.env));
  const tail: string[] = [];
  const prefixFor = (pid: number | undefined): string =>
    `${pid !== undefined ? `[PID ${pid}] ` : ''}${abbreviate(command)}`;
  const result = await runShellProcess({
    command,
    env,
    timeoutMs: options.timeoutMs,
    killGraceMs: options.killGraceMs ?? SHELL_FENCE_KILL_GRACE_DEFAULT_MS,
    clock: options.clock,
    ...(options.containment !== undefined ? { containment: options.containment } : {}),
    onLaunched: (pid, containment) => log.info({ command, pid, containment }, 'launched fencing command'),
    onLine: (stream, line, pid) => {
      const redacted = redactor.redact(line);
      const fields = { pid, command: abbreviate(command), prefix: prefixFor(pid), stream, line: redacted };
      tail.push(`${stream}: ${boundText(redacted, OUTPUT_TAIL_LINE_MAX_CHARS)}`);
      if (tail.length > OUTPUT_TAIL_LINES) tail.shift();
      // Parity: StreamPumper logs stdout at INFO and stderr at WARN.
      if (stream === 'stdout') log.info(fields, 'fencing command output');
      else log.warn(fields, 'fencing command output');
    },
    onTimeout: (pid) =>
      log.error(
        { pid, command: abbreviate(command), timeoutMs: options.timeoutMs },
        'fencing command timed out; killing every process it started',
      ),
    onLeftovers: (pid, count) =>
      log.warn(
        { pid, command: abbreviate(command), processes: count },
        'fencing command left processes running; killed them',
      ),
  });
  if (result.outcome === 'error') log.warn({ command, detail: result.detail }, 'unable to execute fencing command');
  return tail.length === 0 ? result : { ...result, outputTail: tail };
}
