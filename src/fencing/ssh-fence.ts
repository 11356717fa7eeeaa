// sshfence([[user][:port]]): SSH to the old active's host and kill whatever holds its service TCP
// port with fuser; if fuser found nothing to kill, check with nc that nothing listens any more.
//
// Parity: SshFenceByTcpPort (same remote commands, same exit-code meaning for fuser, no host-key
// check, default user = this process's user, default port 22). Deliberate differences, both
// toward "never report fenced unless we know":
// - the remote commands have a deadline (Hadoop has none: a hung fuser blocks failover forever);
// - a `nc -z` that could not run (not installed: 127, not executable: 126, killed by a signal,
//   any code other than 0 or 1) is a failure. Hadoop counts any non-zero nc status as "service
//   is down" (HDFS-3618), so a host without nc always "fenced" successfully.

import type { HostPort } from '../core/types.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { Clock } from '../runtime/ports.js';
import { FenceTargetRejectedError } from './errors.js';
import { connectSsh, logRemoteLine, type SshExecResult, type SshSession } from './ssh-session.js';
import { assertSafeFenceAddress } from './target-address.js';

/** Default deadline of each remote command (not a Hadoop key: Hadoop has no such bound). */
export const SSH_COMMAND_TIMEOUT_DEFAULT_MS = 20_000;
/** dfs.ha.fencing.ssh.connect-timeout default. */
export const SSH_CONNECT_TIMEOUT_DEFAULT_MS = 30_000;

export interface SshFenceOptions {
  /** The fenced NameNode's service address: the host to SSH to and the TCP port to kill. */
  readonly address: HostPort;
  readonly user: string;
  readonly sshPort: number;
  readonly privateKeyFiles: readonly string[];
  readonly connectTimeoutMs: number;
  /** Deadline of each remote command (fuser, then nc). */
  readonly commandTimeoutMs: number;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** What one fencing method concluded. */
export interface FenceMethodResult {
  readonly outcome: 'success' | 'failure' | 'timeout' | 'error';
  readonly detail: string;
  /** The last lines the method printed (redacted, bounded), for the failover journal. */
  readonly outputTail?: readonly string[];
}

/**
 * The remote command lines. There is no argument vector over SSH: the server hands one string
 * to the user's shell. So they are built only from values proven inert first (an integer port,
 * and a host that is a plain host name or IP literal, see assertSafeFenceAddress); nothing from
 * ZooKeeper or configuration is ever pasted in unchecked.
 */
export function sshFenceCommands(address: HostPort): { readonly fuser: string; readonly nc: string } {
  assertSafeFenceAddress(address, 'sshfence target');
  const port = String(Math.trunc(address.port));
  return {
    fuser: `PATH=$PATH:/sbin:/usr/sbin fuser -v -k -n tcp ${port}`,
    nc: `nc -z ${address.host} ${port}`,
  };
}

export async function sshFence(options: SshFenceOptions): Promise<FenceMethodResult> {
  const log = options.logger;
  let commands: { readonly fuser: string; readonly nc: string };
  try {
    commands = sshFenceCommands(options.address);
  } catch (cause) {
    if (cause instanceof FenceTargetRejectedError) return { outcome: 'error', detail: cause.message };
    throw cause;
  }
  const { host, port } = options.address;
  log.info({ host, sshPort: options.sshPort, user: options.user }, 'connecting for sshfence');
  const connected = await connectSsh({
    host,
    sshPort: options.sshPort,
    user: options.user,
    privateKeyFiles: options.privateKeyFiles,
    connectTimeoutMs: options.connectTimeoutMs,
    clock: options.clock,
  });
  if (!connected.ok) {
    log.warn(
      { host, user: options.user, outcome: connected.outcome, detail: connected.detail },
      'unable to connect for sshfence',
    );
    return { outcome: connected.outcome, detail: connected.detail };
  }
  const session = connected.session;
  log.info({ host }, 'connected for sshfence');
  try {
    return await fenceOverSession(session, commands, port, options);
  } catch (cause) {
    // Defensive: the session API resolves values, but a fencing method must never throw.
    return { outcome: 'error', detail: `unexpected error during sshfence: ${errorMessage(cause)}` };
  } finally {
    session.close();
  }
}

async function fenceOverSession(
  session: SshSession,
  commands: { readonly fuser: string; readonly nc: string },
  port: number,
  options: SshFenceOptions,
): Promise<FenceMethodResult> {
  const log = options.logger;
  const run = (command: string): Promise<SshExecResult> => {
    log.debug({ command }, 'running remote fencing command');
    return session.exec(command, {
      timeoutMs: options.commandTimeoutMs,
      onLine: (stream, line) => logRemoteLine(log, command, stream, line),
    });
  };

  log.info({ port }, 'looking for process running on port');
  const fuser = await run(commands.fuser);
  if (fuser.kind === 'exited' && fuser.code === 0) {
    log.info({ port }, 'successfully killed process that was listening on port');
    return { outcome: 'success', detail: `fuser killed the process on port ${port} (${session.target})` };
  }
  if (!(fuser.kind === 'exited' && fuser.code === 1)) {
    const detail = `fuser on ${session.target} ${describe(fuser, options.commandTimeoutMs)}`;
    log.warn({ port, detail }, 'fuser did not fence');
    return { outcome: fuser.kind === 'timeout' ? 'timeout' : 'failure', detail };
  }

  // fuser exit 1: nothing found, or no permission to see or kill it. Ask whether it still listens.
  log.info({ port }, 'indeterminate response from trying to kill service; verifying whether it is running using nc');
  const nc = await run(commands.nc);
  if (nc.kind === 'exited' && nc.code === 1) {
    log.info({ port }, 'verified that the service is down');
    return { outcome: 'success', detail: `nothing to kill and nothing listening on port ${port} (${session.target})` };
  }
  if (nc.kind === 'exited' && nc.code === 0) {
    log.warn({ port }, 'unable to fence: it is running but we cannot kill it');
    return {
      outcome: 'failure',
      detail: `port ${port} is still listening on ${options.address.host} but fuser could not kill it`,
    };
  }
  // Unlike Hadoop: a check that could not run proves nothing.
  const detail =
    `could not verify that port ${port} is down: nc on ` +
    `${session.target} ${describe(nc, options.commandTimeoutMs)}`;
  log.warn({ port, detail }, 'nc check could not run; not fenced');
  return { outcome: nc.kind === 'timeout' ? 'timeout' : 'failure', detail };
}

function describe(result: SshExecResult, timeoutMs: number): string {
  switch (result.kind) {
    case 'exited':
      if (result.code === 127) return 'exited 127 (command not found)';
      if (result.code === 126) return 'exited 126 (command not executable)';
      return `exited ${result.code}`;
    case 'signaled':
      return `was killed by signal ${result.signal}`;
    case 'no-status':
      return 'ended without an exit status';
    case 'timeout':
      return `did not finish within ${timeoutMs} ms (channel closed)`;
    case 'error':
      return `could not run: ${result.message}`;
  }
}
