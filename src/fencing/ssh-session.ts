// A bounded SSH session for fencing (ssh2 library): connect with private keys and a connect
// timeout, run a command with a deadline, stream its output line by line. Used by sshfence and
// by the fencing preflight. Every step resolves to a value; nothing here throws or rejects.
//
// Host keys are not checked (Hadoop sets StrictHostKeyChecking=no for sshfence), so this
// authenticates us to the server but not the server to us: acceptable for a kill-by-port
// fence, and exactly Hadoop's trade-off.

import type { Client as SshClient, ClientChannel, ParsedKey, PublicKeyAuthMethod } from 'ssh2';
import { errorMessage } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { Clock } from '../runtime/ports.js';
import { DEFAULT_OUTPUT_LIMITS, OutputLineSplitter, type OutputLineLimits } from './output-lines.js';

// ssh2 is loaded on first use: a daemon without sshfence never pays for it (about 13 MB of
// resident memory and 25 ms of start-up). It is CommonJS without static named exports, so its
// values come from the default export (works in Node and vitest).
let ssh2Module: Promise<typeof import('ssh2')> | undefined;
function loadSsh2(): Promise<typeof import('ssh2')> {
  ssh2Module ??= import('ssh2').then((m) => (m as unknown as { default: typeof import('ssh2') }).default ?? m);
  return ssh2Module;
}

/** Private keys are small; anything larger is the wrong file. */
const MAX_KEY_FILE_BYTES = 64 * 1024;

export interface SshConnectOptions {
  readonly host: string;
  readonly sshPort: number;
  readonly user: string;
  /** dfs.ha.fencing.ssh.private-key-files, already split and trimmed; keys must be passphrase-less. */
  readonly privateKeyFiles: readonly string[];
  /** dfs.ha.fencing.ssh.connect-timeout: TCP connect + SSH handshake + authentication. */
  readonly connectTimeoutMs: number;
  readonly clock: Clock;
}

export type SshConnectResult =
  | { readonly ok: true; readonly session: SshSession }
  | {
      readonly ok: false;
      /** 'timeout': no session within connectTimeoutMs; 'error': refused, auth failed, bad key... */
      readonly outcome: 'timeout' | 'error';
      readonly detail: string;
    };

/** How a remote command ended. */
export type SshExecResult =
  | { readonly kind: 'exited'; readonly code: number }
  | { readonly kind: 'signaled'; readonly signal: string }
  /** The channel closed without an exit status (the server need not send one). */
  | { readonly kind: 'no-status' }
  | { readonly kind: 'timeout'; readonly timeoutMs: number }
  | { readonly kind: 'error'; readonly message: string };

export interface SshExecOptions {
  readonly timeoutMs: number;
  readonly onLine: (stream: 'stdout' | 'stderr', line: string) => void;
  readonly limits?: OutputLineLimits;
}

/** Load and parse the private keys; the first unusable file makes the whole list unusable. */
export async function loadPrivateKeys(
  files: readonly string[],
): Promise<
  { readonly ok: true; readonly keys: readonly ParsedKey[] } | { readonly ok: false; readonly detail: string }
> {
  if (files.length === 0) {
    return { ok: false, detail: 'no private key configured (dfs.ha.fencing.ssh.private-key-files is empty)' };
  }
  const { utils } = await loadSsh2();
  // Loaded with ssh2, on first use (see namenode-stacks.ts for why not at start-up).
  const { readFile, stat } = await import('node:fs/promises');
  const keys: ParsedKey[] = [];
  for (const file of files) {
    let data: Buffer;
    try {
      const info = await stat(file);
      if (info.size > MAX_KEY_FILE_BYTES)
        return { ok: false, detail: `private key file ${file} is ${info.size} bytes; not a private key` };
      data = await readFile(file);
    } catch (cause) {
      return { ok: false, detail: `cannot read private key file ${file}: ${errorMessage(cause)}` };
    }
    const parsed = utils.parseKey(data);
    if (parsed instanceof Error) {
      return { ok: false, detail: `cannot use private key file ${file}: ${parsed.message} (keys must be unencrypted)` };
    }
    const list: ParsedKey[] = Array.isArray(parsed) ? (parsed as ParsedKey[]) : [parsed];
    for (const key of list) {
      if (!key.isPrivateKey()) return { ok: false, detail: `private key file ${file} holds no private key` };
      keys.push(key);
    }
  }
  return { ok: true, keys };
}

/** Open an authenticated session, bounded by connectTimeoutMs. */
export async function connectSsh(options: SshConnectOptions): Promise<SshConnectResult> {
  const loaded = await loadPrivateKeys(options.privateKeyFiles);
  if (!loaded.ok) return { ok: false, outcome: 'error', detail: loaded.detail };

  const { Client } = await loadSsh2();
  const client = new Client();
  const target = `${options.user}@${options.host}:${options.sshPort}`;
  return new Promise<SshConnectResult>((resolve) => {
    let settled = false;
    const finish = (result: SshConnectResult): void => {
      if (settled) return;
      settled = true;
      cancelTimer();
      if (!result.ok) {
        client.removeAllListeners('ready');
        client.destroy();
      }
      resolve(result);
    };
    // ssh2's readyTimeout covers the same span; our own timer is the guarantee.
    const cancelTimer = options.clock.schedule(options.connectTimeoutMs, () =>
      finish({
        ok: false,
        outcome: 'timeout',
        detail: `no SSH session with ${target} within ${options.connectTimeoutMs} ms`,
      }),
    );
    client.on('ready', () => finish({ ok: true, session: new SshSession(client, options.clock, target) }));
    client.on('error', (err: Error & { level?: string }) => {
      const timedOut = err.level === 'client-timeout';
      finish({
        ok: false,
        outcome: timedOut ? 'timeout' : 'error',
        detail: `unable to connect to ${target}: ${err.message}${err.level ? ` (${err.level})` : ''}`,
      });
    });
    client.on('close', () =>
      finish({ ok: false, outcome: 'error', detail: `connection to ${target} closed during the SSH handshake` }),
    );
    const authHandler: PublicKeyAuthMethod[] = loaded.keys.map((key) => ({
      type: 'publickey',
      username: options.user,
      key,
    }));
    try {
      client.connect({
        host: options.host,
        port: options.sshPort,
        username: options.user,
        authHandler,
        readyTimeout: options.connectTimeoutMs + 1000,
        // No hostVerifier: every host key is accepted (StrictHostKeyChecking=no, as Hadoop).
        keepaliveInterval: 0,
      });
    } catch (cause) {
      finish({ ok: false, outcome: 'error', detail: `unable to connect to ${target}: ${errorMessage(cause)}` });
    }
  });
}

export class SshSession {
  private closed = false;

  constructor(
    private readonly client: SshClient,
    private readonly clock: Clock,
    /** user@host:port, for details. */
    readonly target: string,
  ) {
    // Errors after 'ready' surface through the channel callbacks; keep the emitter from throwing.
    client.on('error', () => undefined);
    client.on('close', () => {
      this.closed = true;
    });
  }

  /**
   * Run `command` (nothing is written to its stdin) and wait for it to end, at most `timeoutMs`.
   * On expiry the channel is sent a KILL signal request and closed, so the caller is never held by
   * a remote process that hangs, e.g. fuser on a wedged file system. The remote process itself may
   * outlive that: OpenSSH honours signal requests only for sessions with post-auth privilege
   * separation, which root logins do not have; it then ends when it next writes to its closed pipe.
   */
  exec(command: string, options: SshExecOptions): Promise<SshExecResult> {
    if (this.closed) return Promise.resolve({ kind: 'error', message: `connection to ${this.target} is closed` });
    const limits = options.limits ?? DEFAULT_OUTPUT_LIMITS;
    return new Promise<SshExecResult>((resolve) => {
      let settled = false;
      let channel: ClientChannel | undefined;
      let exit: SshExecResult | undefined;
      const stdout = new OutputLineSplitter(limits, (line) => options.onLine('stdout', line));
      const stderr = new OutputLineSplitter(limits, (line) => options.onLine('stderr', line));
      const finish = (result: SshExecResult): void => {
        if (settled) return;
        settled = true;
        cancelTimer();
        this.client.removeListener('close', onClientClose);
        stdout.end();
        stderr.end();
        for (const [name, splitter] of [
          ['stdout', stdout],
          ['stderr', stderr],
        ] as const) {
          if (splitter.droppedLines > 0) options.onLine(name, `[${splitter.droppedLines} more lines not logged]`);
        }
        resolve(result);
      };
      const cancelTimer = this.clock.schedule(options.timeoutMs, () => {
        if (channel) {
          try {
            channel.signal('KILL');
          } catch {
            // Not every server accepts signal requests; closing the channel is what bounds us.
          }
          channel.close();
        }
        finish({ kind: 'timeout', timeoutMs: options.timeoutMs });
      });
      const onClientClose = (): void =>
        finish(exit ?? { kind: 'error', message: `connection to ${this.target} closed while running the command` });
      this.client.once('close', onClientClose);
      try {
        this.client.exec(command, (err, stream) => {
          if (err) {
            finish({ kind: 'error', message: `cannot run the command on ${this.target}: ${err.message}` });
            return;
          }
          channel = stream;
          if (settled) {
            stream.close();
            return;
          }
          // stdin stays open but unused, as with Hadoop's exec.setInputStream(null) (JSch sends
          // no EOF). Sending EOF here would also make ssh2 drop the KILL signal request on expiry.
          stream.on('data', (chunk: Buffer) => stdout.push(chunk));
          stream.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
          stream.on('exit', (code: number | null, signal?: string) => {
            exit =
              code !== null && code !== undefined
                ? { kind: 'exited', code }
                : signal
                  ? { kind: 'signaled', signal }
                  : { kind: 'no-status' };
          });
          stream.on('close', () => finish(exit ?? { kind: 'no-status' }));
        });
      } catch (cause) {
        finish({ kind: 'error', message: `cannot run the command on ${this.target}: ${errorMessage(cause)}` });
      }
    });
  }

  /** Close the connection. Idempotent. */
  close(): void {
    this.closed = true;
    this.client.end();
    // end() waits for the server; destroy after a moment so a dead peer cannot keep the socket.
    this.clock.schedule(1000, () => this.client.destroy());
  }
}

/** Log a remote command's output line by line, as Hadoop's StreamPumper does ("<cmd> via ssh"). */
export function logRemoteLine(logger: Logger, command: string, stream: 'stdout' | 'stderr', line: string): void {
  logger.info({ command: `${command} via ssh`, stream, line }, 'remote fencing command output');
}
