// A throw-away OpenSSH server for sshfence tests, the fault catalogue and the chaos runner: Debian's
// /usr/sbin/sshd on a free loopback port, with a fresh host key and one authorized ed25519 client
// key, key-only auth, no PAM, no systemd (docs/hadoop-compat.md §13). Plain Node: no vitest
// import, so the compiled chaos runner (build/tools/bench) and the tests import the same code.
//
// It does not promise isolation from the host: sessions run as the current user (root in CI)
// with that user's shell and environment, plus `sessionEnv` (sshd_config SetEnv), which tests
// use to put a fake `fuser` or a PATH without `nc` in front of the real tools.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, writeFileSync, chmodSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { ZkfcError } from '../../src/errors.js';
import { freePort } from './net.js';
import { sleep } from './wait.js';

export const SSHD_PATH = '/usr/sbin/sshd';

/** sshd (or ssh-keygen) is not installed: tests fail with this, they never skip. */
export class SshdMissingError extends ZkfcError<'SSHD_MISSING'> {
  readonly code = 'SSHD_MISSING';
  constructor(what: string) {
    super(
      `${what} not found: the sshfence tests need a real OpenSSH server. ` +
        'Install it as root with `apt-get install -y openssh-server` (or run scripts/ensure-deps.sh as root).',
    );
  }
}

export interface SshdOptions {
  /** Extra environment for every session (sshd_config SetEnv). Values must not contain spaces or quotes. */
  readonly sessionEnv?: Readonly<Record<string, string>>;
  /** Loopback address to listen on. Default 127.0.0.1. */
  readonly listenAddress?: string;
  /** Extra sshd_config lines. */
  readonly extraConfig?: readonly string[];
  /** Parent of the temporary directory. Default os.tmpdir(). */
  readonly baseDir?: string;
  /** The sshd binary. Default /usr/sbin/sshd (Debian's openssh-server). */
  readonly sshdPath?: string;
  /** How long to wait for the server to answer with its banner. Default 10 s. */
  readonly startTimeoutMs?: number;
}

export interface SshdHarness {
  readonly host: string;
  readonly port: number;
  /** The user sessions run as (the current user); the authorized key logs in as this user. */
  readonly user: string;
  /** Temporary directory with the keys, config and log; removed by stop(). */
  readonly dir: string;
  /** Private key (OpenSSH format, no passphrase) that the server accepts. */
  readonly clientKeyPath: string;
  readonly pid: number;
  /** Generate a key pair the server does NOT accept; returns the private key path. */
  createUnauthorizedKey(name?: string): string;
  /** sshd's own log so far (stderr with -e). */
  log(): string;
  /** Stop the server (SIGTERM, then SIGKILL after 3 s) and remove its directory. Idempotent. */
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort when a test process ends without calling stop(): never leave sshd behind.
  process.once('exit', () => {
    for (const child of running) {
      try {
        if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

function keygen(path: string): void {
  const result = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'zkfc-test', '-f', path], {
    stdio: 'pipe',
  });
  if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT')
    throw new SshdMissingError('ssh-keygen');
  if (result.status !== 0) throw new Error(`ssh-keygen failed for ${path}: ${result.stderr.toString()}`);
}

/** Resolves true once something on host:port sends an SSH banner. */
function bannerSeen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    let data = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1');
      if (data.includes('SSH-2.0-')) done(true);
    });
    socket.on('error', () => done(false));
    socket.on('close', () => done(data.includes('SSH-2.0-')));
  });
}

export async function startSshd(options: SshdOptions = {}): Promise<SshdHarness> {
  const sshdPath = options.sshdPath ?? SSHD_PATH;
  if (!existsSync(sshdPath)) throw new SshdMissingError(sshdPath);
  const host = options.listenAddress ?? '127.0.0.1';
  const user = userInfo().username;
  if (process.getuid?.() === 0) {
    // Privilege separation directory; without systemd nobody creates it.
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  }
  const dir = await mkdtemp(join(options.baseDir ?? tmpdir(), 'zkfc-sshd-'));
  try {
    keygen(join(dir, 'hostkey'));
    keygen(join(dir, 'clientkey'));
    writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'clientkey.pub')));
    chmodSync(join(dir, 'authorized_keys'), 0o600);

    let lastError = '';
    // A free port can be taken between our probe and sshd's bind; try a few.
    for (let attempt = 0; attempt < 5; attempt++) {
      const port = await freePort(host);
      const harness = await tryStart(dir, host, port, user, options);
      if (typeof harness !== 'string') return harness;
      lastError = harness;
    }
    throw new Error(`sshd did not start: ${lastError}`);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

async function tryStart(
  dir: string,
  host: string,
  port: number,
  user: string,
  options: SshdOptions,
): Promise<SshdHarness | string> {
  const configPath = join(dir, `sshd_config.${port}`);
  const logPath = join(dir, `sshd.${port}.log`);
  const setEnv = Object.entries(options.sessionEnv ?? {}).map(([key, value]) => `SetEnv ${key}=${value}`);
  writeFileSync(
    configPath,
    [
      `Port ${port}`,
      `ListenAddress ${host}`,
      `HostKey ${join(dir, 'hostkey')}`,
      'PidFile none',
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'PermitRootLogin prohibit-password',
      'UsePAM no',
      'StrictModes no',
      `AllowUsers ${user}`,
      'MaxStartups 100',
      'LogLevel VERBOSE',
      ...setEnv,
      ...(options.extraConfig ?? []),
      '',
    ].join('\n'),
  );
  const sshdPath = options.sshdPath ?? SSHD_PATH;
  const check = spawnSync(sshdPath, ['-t', '-f', configPath], { stdio: 'pipe' });
  if (check.status !== 0) throw new Error(`sshd -t rejected ${configPath}: ${check.stderr.toString()}`);

  const logFd = openSync(logPath, 'a');
  // -D: stay in the foreground so the pid is sshd's; -e: log to stderr (our log file).
  const child = spawn(sshdPath, ['-D', '-e', '-f', configPath], { stdio: ['ignore', 'ignore', logFd] });
  closeSync(logFd);
  installExitHook();
  running.add(child);
  let exited = false;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      running.delete(child);
      resolve();
    });
    child.once('error', () => {
      exited = true;
      running.delete(child);
      resolve();
    });
  });
  const readLog = () => (existsSync(logPath) ? readFileSync(logPath, 'utf8') : '');

  const deadline = Date.now() + (options.startTimeoutMs ?? 10_000);
  // Our own log line proves that *this* sshd bound the port (a banner alone could come from
  // another process that took the port between our probe and sshd's bind).
  const listening = `Server listening on ${host} port ${port}.`;
  while (Date.now() < deadline && !exited) {
    if (readLog().includes(listening) && (await bannerSeen(host, port))) break;
    await sleep(25);
  }
  if (exited || child.pid === undefined) return `sshd exited at start on port ${port}: ${readLog().trim()}`;
  if (Date.now() >= deadline) {
    child.kill('SIGKILL');
    await exitPromise;
    return `sshd did not answer on ${host}:${port}: ${readLog().trim()}`;
  }

  const pid = child.pid;
  let stopped: Promise<void> | undefined;
  return {
    host,
    port,
    user,
    dir,
    clientKeyPath: join(dir, 'clientkey'),
    pid,
    createUnauthorizedKey(name = 'otherkey') {
      const path = join(dir, name);
      keygen(path);
      return path;
    },
    log: readLog,
    stop() {
      stopped ??= (async () => {
        if (!exited) {
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
          await exitPromise;
          clearTimeout(timer);
        }
        rmSync(dir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}
