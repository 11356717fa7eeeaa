// A whole nameservice on this machine, as real processes on loopback: a ZooKeeper (1 node or an
// ensemble), N simulated NameNodes (`zkfc-sim namenode`) and their `zkfc` daemons, configured
// only through generated Hadoop XML, with operator-style shell fencing that kills the simulated
// NameNode process. Used by the sandbox (`npm start`), the end-to-end tests, the chaos runner and
// the benchmark. Every process it starts is killed when it stops or when this process exits.

import { spawn, type ChildProcess } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pickFreePorts } from './net.js';
import { startZooKeeper, type StartZooKeeperOptions, type ZooKeeperEnsemble } from './zk-server.js';
import { killAndWait, recordEnd } from './fence-sim.js';
import {
  findSplitBrain,
  readTransitionLogs,
  type SplitBrainViolation,
  type TransitionLogEntry,
} from '../namenode-sim/transition-log.js';
import { sleep } from './wait.js';
import { configurationXml } from './conf-xml.js';

/** The checkout's root: the nearest folder above this file with our package.json (works from tools/ and build/). */
export const REPO_ROOT = findRepoRoot(dirname(fileURLToPath(import.meta.url)));

function findRepoRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'zkfc') return dir;
    if (dirname(dir) === dir) throw new Error(`no zkfc package.json above ${from}`);
  }
}
const NODE = process.execPath;
/** The `zkfc` command as installed (package.json "bin"): a shell script that runs `node bin/zkfc.js`. */
const ZKFC_COMMAND = join(REPO_ROOT, 'bin/zkfc');

export interface MiniClusterOptions {
  readonly nameserviceId?: string;
  readonly namenodeIds?: readonly string[];
  readonly zookeeper?: StartZooKeeperOptions;
  readonly baseDir?: string;
  /** ha.zookeeper.session-timeout.ms (default 4000 here: tests and sandbox want quick expiry). */
  readonly sessionTimeoutMs?: number;
  readonly checkIntervalMs?: number;
  readonly healthRpcTimeoutMs?: number;
  /** dfs.ha.fencing.methods; default: shell fencing that kills the simulated NameNode. */
  readonly fencingMethods?: string;
  /** Extra properties for hdfs-site.xml. */
  readonly extraConf?: Readonly<Record<string, string>>;
  /** Environment for the zkfc daemons. */
  readonly zkfcEnv?: Readonly<Record<string, string>>;
  readonly logLevel?: string;
  /**
   * Called synchronously right after a NameNode or daemon process is spawned, long before it can
   * open a connection (Node needs tens of milliseconds to start): e.g. to move it into a cgroup
   * that a firewall rule matches (tools/testing/partition.ts).
   */
  readonly onSpawn?: (kind: 'namenode' | 'zkfc', namenodeId: string, child: ChildProcess) => void;
  /**
   * Host of the NameNode addresses written to hdfs-site.xml (default 127.0.0.1). A name such as
   * `localhost` makes the configuration look like an operator's (host names, not IPs); the
   * processes still bind 127.0.0.1, so the name must resolve to it.
   */
  readonly namenodeHost?: string;
}

export interface NodeHandle {
  readonly namenodeId: string;
  readonly rpcPort: number;
  readonly httpPort: number;
  readonly zkfcPort: number;
  readonly statusPort: number;
  readonly transitionLog: string;
  readonly pidFile: string;
  readonly zkfcLog: string;
  readonly simLog: string;
  sim: ChildProcess | undefined;
  zkfc: ChildProcess | undefined;
}

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
});

export class MiniCluster {
  readonly nameserviceId: string;
  readonly confDir: string;
  readonly endsFile: string;
  readonly nodes: ReadonlyMap<string, NodeHandle>;
  private readonly exits = new Map<ChildProcess, Promise<ExitInfo>>();

  private constructor(
    readonly baseDir: string,
    readonly zk: ZooKeeperEnsemble,
    nodes: Map<string, NodeHandle>,
    private readonly options: MiniClusterOptions,
  ) {
    this.nameserviceId = options.nameserviceId ?? 'ns1';
    this.confDir = join(baseDir, 'conf');
    this.endsFile = join(baseDir, 'ends.jsonl');
    this.nodes = nodes;
  }

  /** Start ZooKeeper, write the configuration and run -formatZK. NameNodes and daemons start on demand. */
  static async start(options: MiniClusterOptions = {}): Promise<MiniCluster> {
    const baseDir = options.baseDir ?? mkdtempSync(join(tmpdir(), 'zkfc-cluster-'));
    mkdirSync(baseDir, { recursive: true });
    const zk = await startZooKeeper({
      tickMs: 500,
      minSessionMs: 1000,
      maxSessionMs: 60000,
      ...options.zookeeper,
      baseDir: join(baseDir, 'zk'),
    });
    const ids = options.namenodeIds ?? ['nn1', 'nn2'];
    const ports = await pickFreePorts(ids.length * 4);
    const nodes = new Map<string, NodeHandle>();
    ids.forEach((id, i) => {
      nodes.set(id, {
        namenodeId: id,
        rpcPort: ports[i * 4]!,
        httpPort: ports[i * 4 + 1]!,
        zkfcPort: ports[i * 4 + 2]!,
        statusPort: ports[i * 4 + 3]!,
        transitionLog: join(baseDir, `transitions-${id}.jsonl`),
        pidFile: join(baseDir, `nn-${id}.pid`),
        zkfcLog: join(baseDir, `zkfc-${id}.log`),
        simLog: join(baseDir, `nn-${id}.log`),
        sim: undefined,
        zkfc: undefined,
      });
    });
    const cluster = new MiniCluster(baseDir, zk, nodes, options);
    cluster.writeConfiguration();
    const format = await cluster.runZkfcOnce(['-formatZK', '-nonInteractive'], [...nodes.keys()][0]!);
    if (format.code !== 0) {
      await cluster.stop();
      throw new Error(`zkfc -formatZK failed (exit ${format.code}): ${format.output}`);
    }
    return cluster;
  }

  get sessionTimeoutMs(): number {
    return this.options.sessionTimeoutMs ?? 4000;
  }

  /** The host of the NameNode addresses in the configuration (see MiniClusterOptions.namenodeHost). */
  get namenodeHost(): string {
    return this.options.namenodeHost ?? '127.0.0.1';
  }

  get checkIntervalMs(): number {
    return this.options.checkIntervalMs ?? 1000;
  }

  node(id: string): NodeHandle {
    const node = this.nodes.get(id);
    if (node === undefined) throw new Error(`no NameNode ${id} in the mini cluster`);
    return node;
  }

  /** core-site.xml and hdfs-site.xml as an operator would write them. */
  writeConfiguration(): void {
    mkdirSync(this.confDir, { recursive: true });
    const ns = this.nameserviceId;
    const ids = [...this.nodes.keys()];
    const fenceScript = join(this.baseDir, 'fence-nn.sh');
    writeFileSync(fenceScript, fenceScriptText(this.endsFile), { mode: 0o755 });
    const fenceCommand = `shell(${fenceScript} ${this.baseDir}/nn-$target_namenodeid.pid)`;
    const core: Record<string, string> = {
      // A ZooKeeper with a secureClientPort (zookeeper.tls) is reached over TLS: hadoop.zk.ssl.* in extraConf.
      'ha.zookeeper.quorum': this.zk.secureConnectString ?? this.zk.connectString,
      'ha.zookeeper.session-timeout.ms': String(this.sessionTimeoutMs),
      'ha.health-monitor.check-interval.ms': String(this.checkIntervalMs),
      'ha.health-monitor.rpc-timeout.ms': String(this.options.healthRpcTimeoutMs ?? 5000),
    };
    const hdfs: Record<string, string> = {
      'dfs.nameservices': ns,
      [`dfs.ha.namenodes.${ns}`]: ids.join(','),
      'dfs.ha.automatic-failover.enabled': 'true',
      'dfs.ha.fencing.methods': this.options.fencingMethods ?? fenceCommand,
    };
    for (const node of this.nodes.values()) {
      hdfs[`dfs.namenode.rpc-address.${ns}.${node.namenodeId}`] = `${this.namenodeHost}:${node.rpcPort}`;
      hdfs[`dfs.namenode.http-address.${ns}.${node.namenodeId}`] = `${this.namenodeHost}:${node.httpPort}`;
      hdfs[`dfs.ha.zkfc.port.${ns}.${node.namenodeId}`] = String(node.zkfcPort);
      hdfs[`zkfc.http-address.${ns}.${node.namenodeId}`] = `127.0.0.1:${node.statusPort}`;
    }
    Object.assign(hdfs, this.options.extraConf ?? {});
    writeFileSync(join(this.confDir, 'core-site.xml'), configurationXml(core));
    writeFileSync(join(this.confDir, 'hdfs-site.xml'), configurationXml(hdfs));
  }

  // -------------------------------------------------------------------------------------------
  // NameNodes

  async startNamenode(id: string, extraArgs: readonly string[] = []): Promise<void> {
    const node = this.node(id);
    if (node.sim !== undefined && node.sim.exitCode === null && node.sim.signalCode === null)
      throw new Error(`NameNode ${id} is already running`);
    const args = [
      join(REPO_ROOT, 'tools/bin/zkfc-sim.js'),
      'namenode',
      '--nameservice',
      this.nameserviceId,
      '--namenode-id',
      id,
      '--host',
      '127.0.0.1',
      '--rpc-port',
      String(node.rpcPort),
      '--http-port',
      String(node.httpPort),
      '--transition-log',
      node.transitionLog,
      '--superuser',
      userInfo().username,
      ...extraArgs,
    ];
    // The ports were picked free when the cluster was made (they are in its XML), and another
    // test process probing for free ports may hold one for a moment (pickFreePorts, tools/testing/
    // net.ts): a NameNode that finds its port taken is started again, for up to 3 s (CI,
    // 2026-12-04: EADDRINUSE once in a full run).
    for (let attempt = 1; ; attempt++) {
      const child = this.spawnLogged(args, node.simLog, {});
      node.sim = child;
      this.options.onSpawn?.('namenode', id, child);
      writeFileSync(node.pidFile, String(child.pid));
      try {
        await waitForLine(child, node.simLog, /rpc=\S+ http=\S+/, 20_000, `NameNode ${id}`);
        return;
      } catch (error) {
        if (attempt >= 10 || !String(error).includes('EADDRINUSE')) throw error;
        await sleep(300);
      }
    }
  }

  /** SIGKILL a NameNode and record the end of its active period for the oracle. */
  async killNamenode(id: string): Promise<void> {
    const node = this.node(id);
    const pid = node.sim?.pid;
    if (pid === undefined || node.sim?.exitCode !== null || node.sim.signalCode !== null) return;
    const endedAt = await killAndWait(pid);
    if (endedAt !== undefined) recordEnd(this.endsFile, pid, endedAt);
    await this.exitOf(node.sim);
  }

  signalNamenode(id: string, signal: NodeJS.Signals): void {
    this.node(id).sim?.kill(signal);
  }

  /** Inject a simulator fault (POST /sim/fault). */
  async namenodeFault(id: string, fault: string, extra: Record<string, unknown> = {}): Promise<void> {
    const node = this.node(id);
    const response = await fetch(`http://127.0.0.1:${node.httpPort}/sim/fault`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ fault, ...extra }),
      signal: AbortSignal.timeout(5000),
    });
    if (!response.ok) throw new Error(`fault ${fault} on ${id}: HTTP ${response.status} ${await response.text()}`);
  }

  /** The NameNode's own HA state from its control endpoint, or undefined when it does not answer. */
  async namenodeState(id: string, timeoutMs = 1000): Promise<string | undefined> {
    const node = this.node(id);
    try {
      const response = await fetch(`http://127.0.0.1:${node.httpPort}/sim/state`, {
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (!response.ok) return undefined;
      const body = (await response.json()) as { state?: string };
      return body.state;
    } catch {
      return undefined;
    }
  }

  async activeNamenodes(): Promise<string[]> {
    const states = await Promise.all(
      [...this.nodes.keys()].map(async (id) => [id, await this.namenodeState(id)] as const),
    );
    return states.filter(([, state]) => state === 'active').map(([id]) => id);
  }

  /** Wait until exactly one NameNode is active (and, if given, it is `expected`); returns it. */
  async waitForActive(timeoutMs: number, expected?: string): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let last: string[] = [];
    while (Date.now() < deadline) {
      last = await this.activeNamenodes();
      if (last.length === 1 && (expected === undefined || last[0] === expected)) return last[0]!;
      await sleep(20);
    }
    throw new Error(
      `no single active NameNode${expected ? ` (${expected})` : ''} within ` +
        `${timeoutMs} ms; active: [${last.join(', ')}]\n${this.describeLogs()}`,
    );
  }

  // -------------------------------------------------------------------------------------------
  // zkfc daemons

  /**
   * The daemon's arguments after its command, ZKFC_COMMAND: `bin/zkfc`, what package.json's "bin" and
   * the systemd unit run (it tunes glibc's malloc, then runs `node --v8-pool-size=1 bin/zkfc.js`).
   */
  zkfcArgs(id: string): string[] {
    return [
      '--hadoop-conf-dir',
      this.confDir,
      '-D',
      `dfs.nameservice.id=${this.nameserviceId}`,
      '-D',
      `dfs.ha.namenode.id=${id}`,
    ];
  }

  zkfcEnv(): Record<string, string> {
    return {
      HADOOP_USER_NAME: userInfo().username,
      // The daemons' log directory, as Hadoop's scripts set it: the failover journal's local files
      // (failover-journal-<ns>.<nn>.jsonl) go there.
      HADOOP_LOG_DIR: this.baseDir,
      ZKFC_LOG_LEVEL: this.options.logLevel ?? 'info',
      ...(this.options.zkfcEnv ?? {}),
    };
  }

  /** Start the daemon of `id`; `extraEnv` adds to zkfcEnv() for this process only (e.g. NODE_OPTIONS). */
  async startZkfc(
    id: string,
    extraArgs: readonly string[] = [],
    extraEnv: Readonly<Record<string, string>> = {},
  ): Promise<ChildProcess> {
    const node = this.node(id);
    const child = this.spawnLogged(
      [...this.zkfcArgs(id), ...extraArgs],
      node.zkfcLog,
      {
        ...this.zkfcEnv(),
        ...extraEnv,
      },
      ZKFC_COMMAND,
    );
    node.zkfc = child;
    this.options.onSpawn?.('zkfc', id, child);
    await this.waitForZkfcStatus(id, 20_000);
    return child;
  }

  /** Run zkfc to completion (e.g. -formatZK); returns its exit code and output. */
  async runZkfcOnce(
    extraArgs: readonly string[],
    id: string,
    input?: string,
  ): Promise<{ code: number | null; output: string }> {
    const child = spawn(ZKFC_COMMAND, [...this.zkfcArgs(id), ...extraArgs], {
      env: { ...process.env, ...this.zkfcEnv() },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.stdin.end(input ?? '');
    const code = await new Promise<number | null>((resolveExit) => child.on('exit', (c) => resolveExit(c)));
    return { code, output };
  }

  async stopZkfc(id: string, signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15_000): Promise<ExitInfo | undefined> {
    const child = this.node(id).zkfc;
    if (child === undefined) return undefined;
    if (child.exitCode !== null || child.signalCode !== null) return this.exitOf(child);
    child.kill(signal);
    const exit = await Promise.race([this.exitOf(child), sleep(timeoutMs).then(() => undefined)]);
    if (exit === undefined) {
      child.kill('SIGKILL');
      return this.exitOf(child);
    }
    return exit;
  }

  /**
   * The daemon's exit without signalling it again (after signalZkfc): systemd sends one SIGTERM,
   * and a second one can land in Node's exit teardown, after the signal handlers are gone, and end
   * the process by the signal. SIGKILL and undefined when it has not exited within timeoutMs.
   */
  async zkfcExit(id: string, timeoutMs = 15_000): Promise<ExitInfo | undefined> {
    const child = this.node(id).zkfc;
    if (child === undefined) return undefined;
    if (child.exitCode !== null || child.signalCode !== null) return this.exitOf(child);
    const exit = await Promise.race([this.exitOf(child), sleep(timeoutMs).then(() => undefined)]);
    if (exit === undefined) {
      child.kill('SIGKILL');
      await this.exitOf(child);
    }
    return exit;
  }

  signalZkfc(id: string, signal: NodeJS.Signals): void {
    this.node(id).zkfc?.kill(signal);
  }

  /** GET /status of a daemon (its ZkfcStatus JSON), or undefined when it does not answer. */
  async zkfcStatus(id: string, timeoutMs = 1000): Promise<Record<string, unknown> | undefined> {
    try {
      const response = await fetch(`http://127.0.0.1:${this.node(id).statusPort}/status`, {
        signal: AbortSignal.timeout(timeoutMs),
      });
      return response.ok ? ((await response.json()) as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  }

  async waitForZkfcStatus(id: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const child = this.node(id).zkfc;
    while (Date.now() < deadline) {
      if (child !== undefined && (child.exitCode !== null || child.signalCode !== null)) {
        throw new Error(
          `zkfc ${id} exited (${child.exitCode ?? child.signalCode}) ` +
            `before serving /status:\n${tail(this.node(id).zkfcLog)}`,
        );
      }
      if ((await this.zkfcStatus(id, 500)) !== undefined) return;
      await sleep(25);
    }
    throw new Error(`zkfc ${id} did not serve /status within ${timeoutMs} ms:\n${tail(this.node(id).zkfcLog)}`);
  }

  exitOf(child: ChildProcess): Promise<ExitInfo> {
    let exit = this.exits.get(child);
    if (exit === undefined) {
      exit = new Promise<ExitInfo>((resolveExit) => {
        if (child.exitCode !== null || child.signalCode !== null)
          resolveExit({ code: child.exitCode, signal: child.signalCode });
        else child.once('exit', (code, signal) => resolveExit({ code, signal }));
      });
      this.exits.set(child, exit);
    }
    return exit;
  }

  // -------------------------------------------------------------------------------------------
  // The oracle

  transitionEntries(): TransitionLogEntry[] {
    const paths = [...this.nodes.values()].map((n) => n.transitionLog).filter((p) => existsSync(p));
    return readTransitionLogs(paths).entries;
  }

  /** When each SIGKILLed NameNode (by the harness or the fencer) stopped being able to act. */
  ends(): Map<number, bigint> {
    const ends = new Map<number, bigint>();
    if (!existsSync(this.endsFile)) return ends;
    for (const line of readFileSync(this.endsFile, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      try {
        const { pid, monoNs } = JSON.parse(line) as { pid: number; monoNs: string };
        const at = BigInt(monoNs);
        const known = ends.get(pid);
        if (known === undefined || at < known) ends.set(pid, at);
      } catch {
        // a torn line from a killed writer: ignore
      }
    }
    return ends;
  }

  splitBrainViolations(): SplitBrainViolation[] {
    return findSplitBrain(this.transitionEntries(), this.ends());
  }

  describeLogs(): string {
    const lines = this.transitionEntries()
      .sort((a, b) => (BigInt(a.monoNs) < BigInt(b.monoNs) ? -1 : 1))
      .map((e) => `${e.monoNs} ${e.namenodeId} pid=${e.pid} ${e.event} ${e.from ?? '-'} -> ${e.to} (${e.cause})`);
    return `transition timeline:\n  ${lines.join('\n  ')}`;
  }

  async stop(): Promise<void> {
    for (const node of this.nodes.values()) {
      for (const child of [node.zkfc, node.sim]) {
        if (child !== undefined && child.exitCode === null && child.signalCode === null) {
          child.kill('SIGKILL');
          await this.exitOf(child);
        }
      }
    }
    await this.zk.stopAll();
  }

  /** Remove the working directory (after stop). */
  cleanUp(): void {
    rmSync(this.baseDir, { recursive: true, force: true });
  }

  private spawnLogged(
    args: readonly string[],
    logFile: string,
    env: Readonly<Record<string, string>>,
    command = NODE,
  ): ChildProcess {
    const fd = openSync(logFile, 'a');
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', fd, fd] });
    live.add(child);
    child.once('exit', () => live.delete(child));
    void this.exitOf(child);
    appendFileSync(logFile, '');
    return child;
  }
}

/**
 * The operator-style fencer of the mini cluster: kill the simulated NameNode named by the
 * breadcrumb. A process that is already dead needs nothing (fast path in bash: this is the
 * NameNode-crash case); a live one is killed by fence-sim, which records the moment for the oracle.
 */
function fenceScriptText(endsFile: string): string {
  return `#!/bin/bash
# Fence a simulated NameNode: $1 = its pid file. Generated by tools/testing/mini-cluster.ts.
pid=$(cat "$1" 2>/dev/null) || { echo "no pid file $1: not running"; exit 0; }
stat=$(cat "/proc/$pid/stat" 2>/dev/null) || { echo "pid $pid is gone"; exit 0; }
rest=\${stat##*) }
case "\${rest%% *}" in Z|X) echo "pid $pid is dead"; exit 0 ;; esac
exec ${NODE} ${join(REPO_ROOT, 'build/tools/cli/fence-sim-main.js')} "$1" ${endsFile}
`;
}

async function waitForLine(
  child: ChildProcess,
  logFile: string,
  pattern: RegExp,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (pattern.test(readFileSync(logFile, 'utf8'))) return;
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`${what} exited (${child.exitCode ?? child.signalCode}):\n${tail(logFile)}`);
    await sleep(20);
  }
  throw new Error(`${what} did not start within ${timeoutMs} ms:\n${tail(logFile)}`);
}

export function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
