// Real YARN ResourceManagers in HA on this machine, from Maven's Hadoop jars (scripts/ensure-hadoop.sh):
// ZooKeeper (tools/testing/zk-server.ts, one server or an ensemble, or one shared with another
// harness), two or more ResourceManager JVMs with ZKRMStateStore on that ZooKeeper and small
// heaps on free loopback ports, each with its own conf dir, because whether a ResourceManager
// runs Hadoop's embedded elector (yarn.resourcemanager.ha.automatic-failover.embedded) is per
// ResourceManager: the migration from the embedded elector to zkfc runs one of each.
// Controllers: our `zkfc` daemon per ResourceManager (zkfc.service=resourcemanager). Tools:
// Hadoop's `yarn rmadmin` (RMAdminCLI), our `haadmin -rm`, the ResourceManager's REST
// /ws/v1/cluster/info (haState, served by a standby too: RMWebAppFilter does not redirect it).
// Every process runs in its own process group and is killed by group on stop() and when this
// process exits. Used by
// test/hadoop/resourcemanager.test.ts, test/hadoop/rm-harness.test.ts and the benchmark
// (tools/bench/rm-bench.ts); what running them showed is in docs/real-hadoop.md ("ResourceManagers").

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pickFreePorts } from '../net.js';
import { startZooKeeper, type ZooKeeperEnsemble } from '../zk-server.js';
import { REPO_ROOT, tail } from '../mini-cluster.js';
import { sleep } from '../wait.js';
import {
  ensureHadoop,
  killGroup,
  LOG4J_PROPERTIES,
  portOpen,
  runProcess,
  SMALL_JVM_FLAGS,
  trackChild,
  xml,
  type RunResult,
} from './real-cluster.js';

export const RM_MAIN = {
  resourceManager: 'org.apache.hadoop.yarn.server.resourcemanager.ResourceManager',
  rmAdmin: 'org.apache.hadoop.yarn.client.cli.RMAdminCLI',
} as const;

/** ResourceManager#transitionToActive's log line once its active services run. */
export const RM_ACTIVE_LINE = 'Transitioned to active state';
export const ZK_RM_STATE_STORE = 'org.apache.hadoop.yarn.server.resourcemanager.recovery.ZKRMStateStore';

export type RmHaState = 'active' | 'standby' | 'initializing' | 'stopped';

export interface RealRmClusterOptions {
  /** Default $HADOOP_VERSION or 3.4.2. */
  readonly hadoopVersion?: string;
  /** Default rm1, rm2. */
  readonly rmIds?: readonly string[];
  /** yarn.resourcemanager.cluster-id; default yc1. */
  readonly clusterId?: string;
  /** ResourceManagers that run Hadoop's embedded elector; the others wait for an external controller. */
  readonly embedded?: ReadonlySet<string>;
  /** hadoop.zk.timeout-ms (the ZooKeeper session timeout of the elector and of the state store); default 5000. */
  readonly sessionTimeoutMs?: number;
  /** ZooKeeper members; default 1. */
  readonly zkNodes?: number;
  /** An ensemble to share (e.g. with a RealCluster); stop() leaves it running. Default: start our own. */
  readonly zk?: ZooKeeperEnsemble;
  /** Extra yarn-site properties for every ResourceManager and the client conf dir. */
  readonly yarnSite?: Readonly<Record<string, string>>;
  /** Extra core-site properties, likewise. */
  readonly coreSite?: Readonly<Record<string, string>>;
  readonly baseDir?: string;
  /** Keep baseDir (logs) after stop(); also ZKFC_HADOOP_KEEP=1. */
  readonly keepLogs?: boolean;
}

export interface RmHandle {
  readonly id: string;
  readonly rpcPort: number;
  readonly schedulerPort: number;
  readonly trackerPort: number;
  readonly adminPort: number;
  readonly webPort: number;
  /** Our daemon's ZKFCProtocol port (zkfc.rm.zkfc-port.<id>) and status listener (zkfc.http-address.<id>). */
  readonly zkfcPort: number;
  readonly statusPort: number;
  /** This ResourceManager's conf dir (yarn-site.xml with its ha.id and embedded flag); our daemon reads it too. */
  readonly confDir: string;
  readonly log: string;
  readonly zkfcLog: string;
  process: ChildProcess | undefined;
  controller: ChildProcess | undefined;
}

export class RealRmCluster {
  readonly clusterId: string;
  /** Conf dir without ha.id: what an operator's client host has (rmadmin, haadmin -rm). */
  readonly clientConfDir: string;
  readonly logsDir: string;
  readonly classpath: string;
  private stopped = false;

  private constructor(
    readonly baseDir: string,
    readonly hadoopVersion: string,
    readonly zk: ZooKeeperEnsemble,
    readonly rms: ReadonlyMap<string, RmHandle>,
    private readonly options: RealRmClusterOptions,
    cacheDir: string,
  ) {
    this.clusterId = options.clusterId ?? 'yc1';
    this.clientConfDir = join(baseDir, 'conf', 'client');
    this.logsDir = join(baseDir, 'logs');
    this.classpath = [this.clientConfDir, join(cacheDir, 'lib/*')].join(':');
  }

  /** Resolve Hadoop, start ZooKeeper and every ResourceManager; resolves when each serves admin RPC and REST. */
  static async start(options: RealRmClusterOptions = {}): Promise<RealRmCluster> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await RealRmCluster.startOnce(options);
      } catch (error) {
        const text = error instanceof Error ? `${error.message} ${String(error.cause)}` : String(error);
        if (attempt >= 3 || !/BindException|Address already in use/.test(text) || options.baseDir !== undefined)
          throw error;
      }
    }
  }

  private static async startOnce(options: RealRmClusterOptions): Promise<RealRmCluster> {
    const version = options.hadoopVersion ?? process.env['HADOOP_VERSION'] ?? '3.4.2';
    const cacheDir = ensureHadoop(version);
    const baseDir = options.baseDir ?? mkdtempSync(join(tmpdir(), 'zkfc-yarn-'));
    for (const d of ['conf/client', 'logs', 'data']) mkdirSync(join(baseDir, d), { recursive: true });
    const zk =
      options.zk ??
      (await startZooKeeper({
        nodes: options.zkNodes ?? 1,
        tickMs: 500,
        minSessionMs: 1000,
        maxSessionMs: 60_000,
        baseDir: join(baseDir, 'zk'),
      }));
    const ids = options.rmIds ?? ['rm1', 'rm2'];
    const ports = await pickFreePorts(ids.length * 7);
    let p = 0;
    const take = (): number => ports[p++]!;
    const rms = new Map<string, RmHandle>();
    for (const id of ids) {
      rms.set(id, {
        id,
        rpcPort: take(),
        schedulerPort: take(),
        trackerPort: take(),
        adminPort: take(),
        webPort: take(),
        zkfcPort: take(),
        statusPort: take(),
        confDir: join(baseDir, 'conf', id),
        log: join(baseDir, 'logs', `${id}.log`),
        zkfcLog: join(baseDir, 'logs', `zkfc-${id}.log`),
        process: undefined,
        controller: undefined,
      });
    }
    const cluster = new RealRmCluster(baseDir, version, zk, rms, options, cacheDir);
    try {
      cluster.writeConfiguration();
      await Promise.all(ids.map((id) => cluster.startRm(id)));
    } catch (error) {
      await cluster.stop({ keepLogs: true });
      throw new Error(
        `ResourceManagers did not start (logs kept in ${baseDir}): ` +
          `${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
    return cluster;
  }

  rm(id: string): RmHandle {
    const rm = this.rms.get(id);
    if (rm === undefined) throw new Error(`unknown ResourceManager ${id}`);
    return rm;
  }

  /** The ResourceManager's own conf dir (its ha.id and embedded flag), for a controller beside it. */
  rmConfDir(id: string): string {
    return this.rm(id).confDir;
  }

  // -------------------------------------------------------------------------------------------
  // Configuration

  /** The yarn-site.xml every host shares (no ha.id), with our daemons' per-rm keys. */
  sharedYarnSite(): Record<string, string> {
    const ids = [...this.rms.keys()];
    const yarn: Record<string, string> = {
      'yarn.resourcemanager.ha.enabled': 'true',
      'yarn.resourcemanager.ha.rm-ids': ids.join(','),
      'yarn.resourcemanager.cluster-id': this.clusterId,
      // The state store reads hadoop.zk.*; the embedded elector of Hadoop 3.5 reads only the
      // yarn.resourcemanager.zk-* names (3.4 maps them to hadoop.zk.*): an operator sets both.
      'hadoop.zk.address': this.zk.connectString,
      'hadoop.zk.timeout-ms': String(this.options.sessionTimeoutMs ?? 5000),
      'yarn.resourcemanager.zk-address': this.zk.connectString,
      'yarn.resourcemanager.zk-timeout-ms': String(this.options.sessionTimeoutMs ?? 5000),
      'yarn.resourcemanager.recovery.enabled': 'true',
      'yarn.resourcemanager.store.class': ZK_RM_STATE_STORE,
      // No capacity-scheduler.xml ships with the Maven jars; FIFO needs none.
      'yarn.resourcemanager.scheduler.class':
        'org.apache.hadoop.yarn.server.resourcemanager.scheduler.fifo.FifoScheduler',
      'yarn.resourcemanager.nodes.exclude-path': '',
      'hadoop.tmp.dir': join(this.baseDir, 'data', 'tmp'),
      'yarn.admin.acl': '*',
      'ipc.client.connect.max.retries': '3',
      'ipc.client.connect.retry.interval': '200',
      // What our daemons allow a transition and a graceful fence (a fresh RM activates in ~1 s).
      'ha.failover-controller.new-active.rpc-timeout.ms': '60000',
    };
    for (const rm of this.rms.values()) {
      yarn[`yarn.resourcemanager.address.${rm.id}`] = `127.0.0.1:${rm.rpcPort}`;
      yarn[`yarn.resourcemanager.scheduler.address.${rm.id}`] = `127.0.0.1:${rm.schedulerPort}`;
      yarn[`yarn.resourcemanager.resource-tracker.address.${rm.id}`] = `127.0.0.1:${rm.trackerPort}`;
      yarn[`yarn.resourcemanager.admin.address.${rm.id}`] = `127.0.0.1:${rm.adminPort}`;
      yarn[`yarn.resourcemanager.webapp.address.${rm.id}`] = `127.0.0.1:${rm.webPort}`;
      yarn[`zkfc.rm.zkfc-port.${rm.id}`] = String(rm.zkfcPort);
      yarn[`zkfc.http-address.${rm.id}`] = `127.0.0.1:${rm.statusPort}`;
    }
    return { ...yarn, ...(this.options.yarnSite ?? {}) };
  }

  private coreSite(): Record<string, string> {
    return { 'hadoop.tmp.dir': join(this.baseDir, 'data', 'tmp'), ...(this.options.coreSite ?? {}) };
  }

  private writeConfiguration(): void {
    const dir = this.clientConfDir;
    writeFileSync(join(dir, 'core-site.xml'), xml(this.coreSite()));
    writeFileSync(join(dir, 'yarn-site.xml'), xml(this.sharedYarnSite()));
    writeFileSync(join(dir, 'log4j.properties'), LOG4J_PROPERTIES);
    for (const rm of this.rms.values()) this.writeRmConf(rm.id, this.options.embedded?.has(rm.id) === true);
  }

  /** (Re)write one ResourceManager's conf dir: the shared keys, its ha.id, and whether it runs the embedded elector. */
  writeRmConf(id: string, embedded: boolean): void {
    const rm = this.rm(id);
    mkdirSync(rm.confDir, { recursive: true });
    writeFileSync(join(rm.confDir, 'core-site.xml'), xml(this.coreSite()));
    writeFileSync(
      join(rm.confDir, 'yarn-site.xml'),
      xml({
        ...this.sharedYarnSite(),
        'yarn.resourcemanager.ha.id': id,
        // zkfc drives a ResourceManager with automatic failover off (Hadoop 3.4 starts none with it
        // on and no elector of its own); the embedded elector needs it on.
        'yarn.resourcemanager.ha.automatic-failover.enabled': String(embedded),
        'yarn.resourcemanager.ha.automatic-failover.embedded': String(embedded),
      }),
    );
    writeFileSync(join(rm.confDir, 'log4j.properties'), LOG4J_PROPERTIES);
  }

  // -------------------------------------------------------------------------------------------
  // Processes

  private javaArgs(main: string, confDir: string, heap: string): string[] {
    return [
      `-Xmx${heap}`,
      ...SMALL_JVM_FLAGS,
      `-Dhadoop.log.dir=${this.logsDir}`,
      `-Dyarn.log.dir=${this.logsDir}`,
      `-Djava.io.tmpdir=${join(this.baseDir, 'data')}`,
      '-cp',
      [confDir, this.classpath.split(':').slice(1).join(':')].join(':'),
      main,
    ];
  }

  /** Start one ResourceManager JVM; resolves when its admin RPC port accepts and its REST answers. */
  async startRm(id: string): Promise<void> {
    const rm = this.rm(id);
    const fd = openSync(rm.log, 'a');
    const child = spawn('java', this.javaArgs(RM_MAIN.resourceManager, rm.confDir, '256m'), {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: { ...process.env, MALLOC_ARENA_MAX: '2' },
    });
    trackChild(child);
    rm.process = child;
    await this.waitFor(
      async () => {
        if (child.exitCode !== null || child.signalCode !== null)
          throw new Error(`ResourceManager ${id} exited ${child.exitCode ?? child.signalCode}:\n${tail(rm.log)}`);
        return (await portOpen(rm.adminPort)) && (await this.haState(id)) !== undefined;
      },
      120_000,
      `ResourceManager ${id} serving admin RPC and REST`,
    );
  }

  /** Signal the ResourceManager's process group; SIGKILL waits until it is gone. */
  async signalRm(id: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.rm(id).process;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    if (signal !== 'SIGKILL' && signal !== 'SIGTERM') {
      killGroup(child, signal);
      return;
    }
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    killGroup(child, signal);
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  }

  /** Stop one ResourceManager gracefully (SIGTERM to its group, SIGKILL after 30 s); resolves when it is gone. */
  stopRm(id: string): Promise<void> {
    return this.signalRm(id, 'SIGTERM');
  }

  /** Our daemon for `id`, reading the ResourceManager's own conf dir; resolves when its ZKFCProtocol port accepts. */
  async startController(id: string): Promise<ChildProcess> {
    const rm = this.rm(id);
    const fd = openSync(rm.zkfcLog, 'a');
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/zkfc.js'), '--hadoop-conf-dir', rm.confDir], {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: { ...process.env, ZKFC_LOG_LEVEL: 'info', HADOOP_CONF_DIR: rm.confDir },
    });
    trackChild(child);
    rm.controller = child;
    await this.waitFor(
      async () => {
        if (child.exitCode !== null || child.signalCode !== null)
          throw new Error(`zkfc for ${id} exited ${child.exitCode ?? child.signalCode}:\n${tail(rm.zkfcLog)}`);
        return portOpen(rm.zkfcPort);
      },
      60_000,
      `zkfc of ${id} listening on ${rm.zkfcPort}`,
    );
    return child;
  }

  /** Run our daemon for `id` to completion (e.g. to see it refuse a configuration); bounded at 60 s. */
  runOurZkfcFor(id: string, args: readonly string[] = []): Promise<RunResult> {
    const rm = this.rm(id);
    return runProcess(
      process.execPath,
      [join(REPO_ROOT, 'bin/zkfc.js'), '--hadoop-conf-dir', rm.confDir, ...args],
      60_000,
    );
  }

  async stopController(id: string, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const rm = this.rm(id);
    const child = rm.controller;
    rm.controller = undefined;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    killGroup(child, signal);
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }

  // -------------------------------------------------------------------------------------------
  // Views and tools

  /** The ResourceManager's own view: REST /ws/v1/cluster/info haState (lower case); undefined without an answer. */
  async haState(id: string, timeoutMs = 2000): Promise<RmHaState | undefined> {
    try {
      const url = `http://127.0.0.1:${this.rm(id).webPort}/ws/v1/cluster/info`;
      const response = await fetch(url, {
        signal: AbortSignal.timeout(timeoutMs),
        headers: { accept: 'application/json' },
        redirect: 'manual',
      });
      if (!response.ok) return undefined;
      const body = (await response.json()) as { clusterInfo?: { haState?: string } };
      const state = body.clusterInfo?.haState?.toLowerCase();
      return state === 'active' || state === 'standby' || state === 'initializing' || state === 'stopped'
        ? state
        : undefined;
    } catch {
      return undefined;
    }
  }

  async activeRms(): Promise<string[]> {
    const ids = [...this.rms.keys()];
    const states = await Promise.all(ids.map((id) => this.haState(id)));
    return ids.filter((_, i) => states[i] === 'active');
  }

  /** Until the ResourceManager's own REST view reports `state`. */
  async waitForHaState(id: string, state: RmHaState, timeoutMs = 60_000): Promise<void> {
    await this.waitFor(async () => (await this.haState(id)) === state, timeoutMs, `${id} ${state}`);
  }

  async waitForActive(expected: string, timeoutMs = 60_000): Promise<void> {
    await this.waitFor(
      async () => {
        const active = await this.activeRms();
        return active.length === 1 && active[0] === expected;
      },
      timeoutMs,
      `${expected} the only active ResourceManager`,
    );
  }

  /** Times (ms since the epoch) of the ResourceManager's "Transitioned to active state" lines. */
  activeTimes(id: string): number[] {
    const file = this.rm(id).log;
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line.includes(RM_ACTIVE_LINE))
      .map((line) => {
        const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}),(\d{3})/.exec(line);
        return m === null ? NaN : new Date(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, +m[7]!).getTime();
      })
      .filter((t) => Number.isFinite(t));
  }

  /**
   * Hadoop's `yarn rmadmin` (RMAdminCLI), by default with the client conf dir. RMAdminCLI refuses
   * manual transitions unless its own conf turns automatic failover off (the client conf leaves
   * YARN's default, on); with a ResourceManager's conf dir it follows that one's setting.
   */
  async rmadmin(
    args: readonly string[],
    options: { readonly input?: string; readonly confDir?: string } = {},
  ): Promise<RunResult> {
    const result = await runProcess(
      'java',
      [...this.javaArgs(RM_MAIN.rmAdmin, options.confDir ?? this.clientConfDir, '128m'), ...args],
      120_000,
      {},
      options.input ?? '',
    );
    return {
      ...result,
      stderr: result.stderr
        .split('\n')
        .filter((l) => !l.includes('NativeCodeLoader'))
        .join('\n'),
    };
  }

  /** Our `haadmin` with the client conf dir (only YARN HA there: it addresses the ResourceManagers). */
  ourHaAdmin(args: readonly string[], input = ''): Promise<RunResult> {
    return runProcess(
      process.execPath,
      [join(REPO_ROOT, 'bin/haadmin.js'), ...args],
      120_000,
      { HADOOP_CONF_DIR: this.clientConfDir },
      input,
    );
  }

  async waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await check()) return;
      await sleep(100);
    }
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${this.describe()}`);
  }

  describe(): string {
    const parts: string[] = [];
    for (const rm of this.rms.values()) {
      parts.push(`--- ${rm.id} (${rm.log})\n${tail(rm.log, 15)}`);
      if (rm.controller !== undefined) parts.push(`--- zkfc ${rm.id}\n${tail(rm.zkfcLog, 15)}`);
    }
    return parts.join('\n');
  }

  /** Stop everything by process group; remove baseDir unless logs are kept. Idempotent. */
  async stop(options: { keepLogs?: boolean } = {}): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const children = [...this.rms.values()].flatMap((rm) => [rm.controller, rm.process]);
    await Promise.all(
      children
        .filter((c): c is ChildProcess => c !== undefined && c.exitCode === null && c.signalCode === null)
        .map(async (c) => {
          const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
          killGroup(c, 'SIGCONT');
          killGroup(c, 'SIGKILL');
          await exited;
        }),
    );
    if (this.options.zk === undefined) await this.zk.stopAll();
    const keep = options.keepLogs === true || this.options.keepLogs === true || process.env['ZKFC_HADOOP_KEEP'] === '1';
    if (!keep) rmSync(this.baseDir, { recursive: true, force: true });
  }
}
