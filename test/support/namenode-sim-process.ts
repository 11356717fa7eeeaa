// Start and stop simulated NameNode processes (`node bin/zkfc-sim.js namenode ...`) from tests and
// from e2e/chaos harnesses: free ports, the printed listen line parsed for the real ports, the
// /sim/ control interface wrapped in typed calls, and cleanup that never leaves orphans (every
// process is tracked; stopAllSimProcesses() in afterEach/afterAll, and SIGKILL on worker exit).
// Also `ensureBuilt()`, which compiles dist/ when a source file is newer than the last build.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { HostPort } from '../../src/core/types.js';
import type { SimEditsChange, SimNamenodeSnapshot } from '../../tools/namenode-sim/model.js';
import { sleep } from '../../tools/testing/wait.js';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
const SIM_BIN = join(REPO_ROOT, 'tools/bin/zkfc-sim.js');
const LISTEN_LINE = new RegExp(
  String.raw`^zkfc-sim namenode (\S+)\.(\S+) rpc=(\S+):(\d+) http=(\S+):(\d+)` +
    String.raw`(?: servicerpc=(\S+):(\d+))?(?: lifeline=(\S+):(\d+))?$`,
);

export interface SimProcessOptions {
  readonly nameserviceId: string;
  readonly namenodeId: string;
  readonly host?: string;
  /** Default 0 (a free port, read back from the listen line). */
  readonly rpcPort?: number;
  readonly httpPort?: number;
  readonly serviceRpcPort?: number;
  readonly lifelinePort?: number;
  readonly superuser?: string;
  readonly supergroupMembers?: readonly string[];
  readonly automaticFailover?: boolean;
  readonly startupDelayMs?: number;
  readonly transitionLogPath?: string;
  readonly initialState?: 'standby' | 'active' | 'observer' | 'initializing';
  readonly safemode?: boolean;
  readonly notBecomeActiveInSafemode?: boolean;
  /** How long to wait for the listen line. Default 20 s (a loaded CI machine). */
  readonly startTimeoutMs?: number;
  readonly env?: Readonly<Record<string, string>>;
}

export interface SimExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** CLOCK_MONOTONIC ns when the exit was observed (the end of an active period for a SIGKILL). */
  readonly observedMonoNs: bigint;
}

const running = new Set<NamenodeSimProcess>();

process.on('exit', () => {
  for (const sim of running) sim.killNow();
});

export class NamenodeSimProcess {
  readonly pid: number;
  readonly rpcAddress: HostPort;
  readonly httpAddress: HostPort;
  readonly serviceRpcAddress: HostPort | undefined;
  readonly lifelineAddress: HostPort | undefined;
  /** The process's log output (pino JSON on stderr), kept for failure messages. */
  readonly stderrLines: string[] = [];
  readonly exited: Promise<SimExit>;

  private constructor(
    private readonly child: ChildProcess,
    listen: RegExpExecArray,
    exited: Promise<SimExit>,
  ) {
    if (child.pid === undefined) throw new Error('simulator process has no pid');
    this.pid = child.pid;
    this.rpcAddress = { host: listen[3] ?? '', port: Number(listen[4]) };
    this.httpAddress = { host: listen[5] ?? '', port: Number(listen[6]) };
    this.serviceRpcAddress = listen[7] ? { host: listen[7], port: Number(listen[8]) } : undefined;
    this.lifelineAddress = listen[9] ? { host: listen[9], port: Number(listen[10]) } : undefined;
    this.exited = exited;
  }

  /** Spawn `zkfc-sim namenode` and wait until it prints where it listens. */
  static async start(options: SimProcessOptions): Promise<NamenodeSimProcess> {
    await ensureBuilt();
    const args = [SIM_BIN, 'namenode', ...simArgs(options)];
    const child = spawn(process.execPath, args, {
      cwd: REPO_ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stderrLines: string[] = [];
    const exited = new Promise<SimExit>((resolvePromise) => {
      child.once('exit', (code, signal) => resolvePromise({ code, signal, observedMonoNs: process.hrtime.bigint() }));
    });
    child.stderr?.setEncoding('utf8');
    createInterface({ input: child.stderr }).on('line', (line) => {
      if (stderrLines.length < 2000) stderrLines.push(line);
    });
    const timeoutMs = options.startTimeoutMs ?? 20_000;
    const listen = await new Promise<RegExpExecArray>((resolvePromise, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(
          new Error(
            `zkfc-sim did not print its listen line within ${timeoutMs} ms; stderr:\n${stderrLines.join('\n')}`,
          ),
        );
      }, timeoutMs);
      const lines = createInterface({ input: child.stdout });
      lines.on('line', (line) => {
        const match = LISTEN_LINE.exec(line.trim());
        if (match) {
          clearTimeout(timer);
          resolvePromise(match);
        }
      });
      void exited.then((exit) => {
        clearTimeout(timer);
        reject(
          new Error(
            `zkfc-sim exited (code ${exit.code}, signal ${exit.signal}) ` +
              `before listening; stderr:\n${stderrLines.join('\n')}`,
          ),
        );
      });
    });
    const sim = new NamenodeSimProcess(child, listen, exited);
    sim.stderrLines.push(...stderrLines);
    running.add(sim);
    void exited.then(() => running.delete(sim));
    return sim;
  }

  /** GET /sim/state. */
  async state(): Promise<SimNamenodeSnapshot & { rpc: HostPort; http: HostPort }> {
    return (await this.request('GET', '/sim/state')) as SimNamenodeSnapshot & { rpc: HostPort; http: HostPort };
  }

  /** POST /sim/fault, e.g. fault('unhealthy'), fault('slow', 500), fault('none'). */
  async fault(name: string, ms?: number): Promise<void> {
    await this.request('POST', '/sim/fault', ms === undefined ? { fault: name } : { fault: name, ms });
  }

  /** POST /sim/state: set the HA state without the rules (test set-up). */
  async forceState(state: 'active' | 'standby' | 'observer' | 'initializing', cause = 'test set-up'): Promise<void> {
    await this.request('POST', '/sim/state', { state, cause });
  }

  async setSafemode(on: boolean): Promise<void> {
    await this.request('POST', '/sim/safemode', { on });
  }

  /** Transaction ids and the standby's staleness, as its HTTP view reports them (POST /sim/edits). */
  async setEdits(change: SimEditsChange): Promise<void> {
    await this.request('POST', '/sim/edits', change);
  }

  /** Clean stop with SIGTERM; SIGKILL after `timeoutMs`. Resolves with how it ended. */
  async stop(timeoutMs = 10_000): Promise<SimExit> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGKILL (or another signal) and wait for the exit; the observed time ends an active period. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<SimExit> {
    this.child.kill(signal);
    return this.exited;
  }

  /** Send a signal without waiting (SIGSTOP / SIGCONT for pause tests). */
  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** Synchronous last-resort kill (process exit hooks). */
  killNow(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      try {
        this.child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  }

  private async request(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`http://${this.httpAddress.host}:${this.httpAddress.port}${path}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } }),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} -> ${response.status}: ${text}`);
    return JSON.parse(text) as unknown;
  }
}

/** Stop every simulator process this worker started (SIGTERM, then SIGKILL). */
export async function stopAllSimProcesses(): Promise<void> {
  await Promise.all([...running].map((sim) => sim.stop(5_000)));
}

function simArgs(o: SimProcessOptions): string[] {
  const args = ['--nameservice', o.nameserviceId, '--namenode-id', o.namenodeId];
  args.push('--host', o.host ?? '127.0.0.1');
  args.push('--rpc-port', String(o.rpcPort ?? 0), '--http-port', String(o.httpPort ?? 0));
  if (o.serviceRpcPort !== undefined) args.push('--servicerpc-port', String(o.serviceRpcPort));
  if (o.lifelinePort !== undefined) args.push('--lifeline-port', String(o.lifelinePort));
  if (o.superuser !== undefined) args.push('--superuser', o.superuser);
  if (o.supergroupMembers !== undefined) args.push('--supergroup-members', o.supergroupMembers.join(','));
  if (o.automaticFailover !== undefined) args.push('--automatic-failover', String(o.automaticFailover));
  if (o.startupDelayMs !== undefined) args.push('--startup-delay-ms', String(o.startupDelayMs));
  if (o.transitionLogPath !== undefined) args.push('--transition-log', o.transitionLogPath);
  if (o.initialState !== undefined) args.push('--initial-state', o.initialState);
  if (o.safemode) args.push('--safemode');
  if (o.notBecomeActiveInSafemode) args.push('--not-become-active-in-safemode');
  return args;
}

// ---------------------------------------------------------------------------------------------
// Build on demand

let built: Promise<void> | undefined;

/**
 * Make sure dist/ and build/ hold builds at least as new as every src/**.ts and tools/**.ts (what
 * bin/*.js and tools/bin/*.js load). Builds with tsc and the daemon's bundler
 * (scripts/bundle-daemon.mjs) when stale; concurrent test workers serialise on a lock directory.
 * tsc may report errors in files that are still being written and still emit JS, so success is
 * judged by the entry points being present and fresh.
 */
export function ensureBuilt(): Promise<void> {
  built ??= buildIfStale();
  return built;
}

const STAMP = join(REPO_ROOT, 'dist/.build-stamp');
const ENTRY_POINTS = [
  'build/tools/cli/sim-main.js',
  'dist/cli/haadmin-main.js',
  'dist/zkfc.cjs',
  'dist/zkfc.cjs.cache',
].map((p) => join(REPO_ROOT, p));

function newestSourceMs(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMs(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function isFresh(): boolean {
  if (!existsSync(STAMP) || ENTRY_POINTS.some((p) => !existsSync(p))) return false;
  const newest = Math.max(newestSourceMs(join(REPO_ROOT, 'src')), newestSourceMs(join(REPO_ROOT, 'tools')));
  return statSync(STAMP).mtimeMs >= newest;
}

async function buildIfStale(): Promise<void> {
  if (isFresh()) return;
  const lock = join(tmpdir(), `zkfc-build-${Buffer.from(REPO_ROOT).toString('hex').slice(-32)}.lock`);
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another worker is building. A lock older than 2 minutes is left over from a dead worker.
      try {
        if (Date.now() - statSync(lock).mtimeMs > 120_000) rmdirSync(lock);
      } catch {
        // it went away meanwhile
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for the build lock ${lock}`);
      await sleep(200);
    }
  }
  try {
    if (isFresh()) return;
    const startedMs = Date.now();
    // The daemon's build (dist/) and the tools' build (build/: simulator, harnesses, fence-sim).
    let output = '';
    for (const project of ['tsconfig.build.json', 'tsconfig.tools.json']) {
      const run = spawnSync(process.execPath, [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', project], {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        timeout: 120_000,
      });
      output += `${run.stdout}\n${run.stderr}\n`;
    }
    // The daemon's bundle (bin/zkfc.js runs it), as `npm run build` makes it.
    const bundle = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts/bundle-daemon.mjs')], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      timeout: 120_000,
    });
    output += `${bundle.stdout}\n${bundle.stderr}\n`;
    const missing = ENTRY_POINTS.filter((p) => !existsSync(p) || statSync(p).mtimeMs < startedMs - 1000);
    if (missing.length > 0) {
      throw new Error(`build did not produce ${missing.join(', ')}:\n${output}`);
    }
    writeFileSync(STAMP, '');
  } finally {
    rmdirSync(lock);
  }
}
