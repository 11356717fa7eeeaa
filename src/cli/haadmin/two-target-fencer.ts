// The fencer of manual `haadmin -failover` (automatic failover off): Hadoop's NodeFencer in its
// two-target form, fence(fromSvc, toSvc). For each configured method, in order: fence the node
// that is to become active first; only if that succeeds, fence the old active; the first method
// that fences the old active wins. Each node carries the state it is being moved to (Hadoop 3.3+
// HAServiceTarget.transitionTargetHAStatus), which picks the shell command part and the
// environment prefix.
//
// Parity: NodeFencer.fence(fromSvc, toSvc), ShellCommandFencer.tryFence/parseArgs/
// addTargetInfoAsEnvVars (Hadoop 3.3+), SshFenceByTcpPort for the old active. The environment of
// shell commands is this process's environment, then every entry of the fencer owner's
// configuration with '.' replaced by '_', then the node's parameters prefixed `target_` (moving to
// ACTIVE) or `source_` (moving to STANDBY). With `shell(a,b)`, `a` runs for the ACTIVE-bound node
// and `b` for the STANDBY-bound one; a single command runs for both.
//
// Deliberate differences (toward not killing the wrong NameNode, not hanging):
// - sshfence against the node that is to become ACTIVE is not run: Hadoop would ssh there and
//   `fuser -k` its service port, i.e. kill the NameNode the operator is failing over *to*. We
//   report that step as passed (logged) and fence only the old active with sshfence;
// - shell commands have a hard deadline (zkfc.fencing.shell.timeout.ms), like the daemon's;
// - methods Hadoop could load as Java classes are refused when the configuration is read (see
//   fence-spec.ts), so the failover reports "failover requires a fencer" for them.

import { userInfo } from 'node:os';
import type { FenceMethodSpec, ShellFenceMethodSpec, SshFenceMethodSpec } from '../../core/fencing/fence-spec.js';
import type { HostPort, NamenodeTarget } from '../../core/types.js';
import { errorMessage } from '../../errors.js';
import { abbreviate, targetEnvironment } from '../../fencing/shell-fence.js';
import { sshFence } from '../../fencing/ssh-fence.js';
import { resolveHostBestEffort } from '../../fencing/target-address.js';
import type { Logger } from '../../observability/logger.js';
import type { Clock } from '../../runtime/ports.js';
import type { ConsoleLog } from './console-log.js';
import { knownSecrets, SecretRedactor } from '../../fencing/secrets.js';

/** The state a node is being moved to by the failover (HAServiceTarget.transitionTargetHAStatus). */
export type TransitionTargetState = 'ACTIVE' | 'STANDBY';

/** One side of a manual failover, as the fencer needs it. */
export interface FencingSubject {
  readonly nameserviceId: string;
  readonly namenodeId: string;
  /** The NameNode's service RPC address: the host to ssh to, the port to kill. */
  readonly address: HostPort;
  /** "NameNode at /127.0.0.1:8020" (NNHAServiceTarget.toString). */
  readonly description: string;
  readonly transitionTargetState: TransitionTargetState;
}

export interface TwoTargetFencerOptions {
  /** The owner's parsed dfs.ha.fencing.methods (the fencer belongs to the failover's from-node). */
  readonly methods: readonly FenceMethodSpec[];
  /** The owner's configuration as the NameNode sees it (per-nn keys promoted); exported to shell commands. */
  readonly conf: ReadonlyArray<readonly [string, string]>;
  /** Base environment of shell commands (default: this process's environment). */
  readonly baseEnv?: NodeJS.ProcessEnv;
  /** Deadline of each shell command (zkfc.fencing.shell.timeout.ms). */
  readonly shellTimeoutMs: number;
  readonly shellKillGraceMs?: number;
  readonly ssh: {
    readonly privateKeyFiles: readonly string[];
    readonly connectTimeoutMs: number;
    readonly commandTimeoutMs: number;
    /** When sshfence names no user; default: the user running haadmin (Hadoop: user.name). */
    readonly defaultUser?: string;
  };
  readonly log: ConsoleLog;
  /** pino logger for src/fencing/ssh-fence.ts (rendered as console lines by the caller). */
  readonly sshLogger: Logger;
  readonly clock: Clock;
  /** Runs one shell command (src/cli/haadmin/shell-command.ts; injectable for tests). */
  readonly runShell: typeof import('./shell-command.js').runShellCommand;
}

const NODE_FENCER = 'ha.NodeFencer';
const SHELL_FENCER = 'ha.ShellCommandFencer';
const SSH_FENCER = 'ha.SshFenceByTcpPort';
const DEFAULT_KILL_GRACE_MS = 2_000;
const RESOLVE_TIMEOUT_MS = 2_000;

/** An error a fencing method throws (IllegalArgumentException in Hadoop): logged, next method. */
class FenceMethodError extends Error {}

export class TwoTargetFencer {
  constructor(private readonly options: TwoTargetFencerOptions) {}

  /** NodeFencer.fence(fromSvc, toSvc); true when the old active was fenced by some method. */
  async fence(fromNode: FencingSubject, toNode: FencingSubject | undefined): Promise<boolean> {
    const { log, methods } = this.options;
    log.log(NODE_FENCER, 'INFO', '====== Beginning Service Fencing Process... ======');
    for (const [index, method] of methods.entries()) {
      const name = javaMethodName(method);
      log.log(NODE_FENCER, 'INFO', `Trying method ${index + 1}/${methods.length}: ${name}`);
      try {
        // Only true when a target node is given and fencing it failed.
        const toNodeFencingFailed = toNode !== undefined && !(await this.tryFence(method, toNode));
        if (toNodeFencingFailed) {
          log.log(NODE_FENCER, 'ERROR', '====== Fencing on target failed, skipping fencing on source ======');
        } else if (await this.tryFence(method, fromNode)) {
          log.log(NODE_FENCER, 'INFO', `====== Fencing successful by method ${name} ======`);
          return true;
        }
      } catch (cause) {
        log.log(
          NODE_FENCER,
          'ERROR',
          `Fencing method ${name} failed with an unexpected error.\n${errorMessage(cause)}`,
        );
        continue;
      }
      log.log(NODE_FENCER, 'WARN', `Fencing method ${name} was unsuccessful.`);
    }
    log.log(NODE_FENCER, 'ERROR', 'Unable to fence service by any configured method.');
    return false;
  }

  private tryFence(method: FenceMethodSpec, node: FencingSubject): Promise<boolean> {
    switch (method.kind) {
      case 'shell':
        return this.shell(method, node);
      case 'sshfence':
        return this.ssh(method, node);
    }
  }

  /** Parity: ShellCommandFencer.tryFence. */
  private async shell(method: ShellFenceMethodSpec, node: FencingSubject): Promise<boolean> {
    const { log } = this.options;
    const command = shellCommandFor(method, node.transitionTargetState);
    const ip = await resolveHostBestEffort(node.address.host, RESOLVE_TIMEOUT_MS, this.options.clock);
    const env = shellFenceEnvironment(this.options.baseEnv ?? process.env, this.options.conf, node, ip);
    const redactor = new SecretRedactor(knownSecrets(new Map(this.options.conf), this.options.baseEnv ?? process.env));
    let prefix = abbreviate(command);
    const result = await this.options.runShell({
      command,
      env,
      timeoutMs: this.options.shellTimeoutMs,
      killGraceMs: this.options.shellKillGraceMs ?? DEFAULT_KILL_GRACE_MS,
      onLaunched: (pid) => {
        prefix = `[PID ${pid}] ${prefix}`;
        log.log(SHELL_FENCER, 'INFO', `Launched fencing command '${command}' with pid ${pid}`);
      },
      // Parity: StreamPumper logs stdout at INFO and stderr at WARN, "<prefix>: <line>".
      onLine: (stream, line) =>
        log.log(SHELL_FENCER, stream === 'stdout' ? 'INFO' : 'WARN', `${prefix}: ${redactor.redact(line)}`),
    });
    if (result.outcome === 'error') log.log(SHELL_FENCER, 'WARN', `Unable to execute ${command}: ${result.detail}`);
    else if (result.outcome === 'timeout') log.log(SHELL_FENCER, 'ERROR', result.detail);
    return result.outcome === 'success';
  }

  /** Parity: SshFenceByTcpPort.tryFence, except against the node that is to become active (see the file comment). */
  private async ssh(method: SshFenceMethodSpec, node: FencingSubject): Promise<boolean> {
    const { log, ssh } = this.options;
    if (node.transitionTargetState === 'ACTIVE') {
      log.log(
        SSH_FENCER,
        'WARN',
        `Not running sshfence against ${node.description}, the node ` +
          `to become active; only the old active is fenced by sshfence`,
      );
      return true;
    }
    const result = await sshFence({
      address: node.address,
      user: method.user ?? ssh.defaultUser ?? processUser(),
      sshPort: method.sshPort,
      privateKeyFiles: ssh.privateKeyFiles,
      connectTimeoutMs: ssh.connectTimeoutMs,
      commandTimeoutMs: ssh.commandTimeoutMs,
      clock: this.options.clock,
      logger: this.options.sshLogger,
    });
    if (result.outcome !== 'success')
      log.log(SSH_FENCER, 'WARN', `sshfence did not fence ${node.description}: ${result.detail}`);
    return result.outcome === 'success';
  }
}

/**
 * Parity: ShellCommandFencer.parseArgs: one part runs for every node; two parts pick by the
 * node's transition state (ACTIVE → first, STANDBY → second); anything else is an error.
 */
export function shellCommandFor(method: ShellFenceMethodSpec, state: TransitionTargetState | undefined): string {
  const parts = method.commandParts;
  if (parts.length === 1) return parts[0] ?? '';
  if (parts.length > 2)
    throw new FenceMethodError(`Expecting arguments size of at most two, getting [${parts.join(', ')}]`);
  const part = state === 'ACTIVE' ? parts[0] : state === 'STANDBY' ? parts[1] : undefined;
  if (part === undefined)
    throw new FenceMethodError(`Unexpected HA service state:${state === undefined ? 'null' : state.toLowerCase()}`);
  return part;
}

/**
 * The environment of a shell fencing command: `baseEnv`, then the configuration with '.' → '_'
 * in keys, then the node's parameters (address, host, port, nameserviceid, namenodeid) prefixed
 * `target_` for an ACTIVE-bound node or `source_` for a STANDBY-bound one. Entries a process
 * environment cannot hold (NUL, '=' in the key, empty key) are left out.
 */
export function shellFenceEnvironment(
  baseEnv: NodeJS.ProcessEnv,
  conf: ReadonlyArray<readonly [string, string]>,
  node: FencingSubject,
  resolvedIp: string | undefined,
): Record<string, string> {
  const env: Record<string, string> = {};
  const put = (key: string, value: string): void => {
    if (key.length === 0 || key.includes('=') || key.includes('\0') || value.includes('\0')) return;
    env[key] = value;
  };
  for (const [key, value] of Object.entries(baseEnv)) if (value !== undefined) put(key, value);
  for (const [key, value] of conf) put(key.replaceAll('.', '_'), value);
  const prefix = node.transitionTargetState === 'STANDBY' ? 'source_' : 'target_';
  for (const [key, value] of Object.entries(targetEnvironment(asNamenodeTarget(node), resolvedIp))) {
    put(`${prefix}${key.slice('target_'.length)}`, value);
  }
  return env;
}

/** How Hadoop names a method in its logs: FenceMethodWithArg.toString(). */
export function javaMethodName(method: FenceMethodSpec): string {
  if (method.kind === 'shell') return `org.apache.hadoop.ha.ShellCommandFencer(${method.command})`;
  const open = method.text.indexOf('(');
  const arg = open >= 0 && method.text.endsWith(')') ? method.text.slice(open + 1, -1) : 'null';
  return `org.apache.hadoop.ha.SshFenceByTcpPort(${arg})`;
}

function asNamenodeTarget(node: FencingSubject): NamenodeTarget {
  return { nameserviceId: node.nameserviceId, namenodeId: node.namenodeId, serviceAddress: node.address, zkfcPort: 0 };
}

function processUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env['USER'] ?? process.env['LOGNAME'] ?? 'root';
  }
}
