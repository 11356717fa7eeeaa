// A real HDFS HA nameservice on this machine, from Maven's Hadoop jars (scripts/ensure-hadoop.sh):
// ZooKeeper (tools/testing/zk-server.ts), three JournalNodes (or a local shared-edits directory,
// the NFS-style setup), two or three NameNodes and one DataNode, each its own JVM with a small
// heap on free loopback ports; failover controllers per NameNode: our `zkfc` daemon or Hadoop's
// DFSZKFailoverController. Used by test/hadoop, `npm start -- --hadoop` and the benchmark.
//
// Start-up follows Hadoop's documented order (HDFSHighAvailabilityWithQJM): JournalNodes, then
// `-format` of the first NameNode, start it, `-bootstrapStandby` of the others, start them, then
// the DataNode; `-formatZK` before any controller. Every step is bounded in time and a failure
// throws with the tail of the daemon's log. Every process runs in its own process group and is
// killed by group on stop() and on exit of this process; logs stay on disk when keepLogs is set
// (tests keep them when they fail). Facts this relies on are in docs/real-hadoop.md.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { pickFreePorts } from '../net.js';
import { startZooKeeper, type StartZooKeeperOptions, type ZooKeeperEnsemble } from '../zk-server.js';
import { REPO_ROOT, tail } from '../mini-cluster.js';
import { sleep } from '../wait.js';

export const HADOOP_INSTALL_HINT =
  'run `bash scripts/ensure-hadoop.sh` (as root it installs a JDK and Maven, then resolves Hadoop from Maven Central)';

/** What Hadoop 3.4 needs on Java 17 (the JPMS opens of HADOOP-19310), with or without a small footprint. */
const JPMS_FLAGS = [
  '-XX:+IgnoreUnrecognizedVMOptions',
  '--add-opens=java.base/java.lang=ALL-UNNAMED',
  '--add-opens=java.base/java.lang.reflect=ALL-UNNAMED',
  '--add-opens=java.base/java.io=ALL-UNNAMED',
  '--add-opens=java.base/java.net=ALL-UNNAMED',
  '--add-opens=java.base/java.nio=ALL-UNNAMED',
  '--add-opens=java.base/java.util=ALL-UNNAMED',
  '--add-opens=java.base/java.util.concurrent=ALL-UNNAMED',
  '--add-opens=java.base/java.util.zip=ALL-UNNAMED',
  '--add-opens=java.base/sun.nio.ch=ALL-UNNAMED',
  '--add-opens=java.base/sun.security.util=ALL-UNNAMED',
  '--add-opens=java.base/sun.security.x509=ALL-UNNAMED',
  '--add-exports=java.base/sun.net.dns=ALL-UNNAMED',
  '--add-exports=java.base/sun.net.util=ALL-UNNAMED',
  '-Dio.netty.tryReflectionSetAccessible=true',
  '-Djava.net.preferIPv4Stack=true',
];

/** The harness's small footprint: serial GC, the client compiler only, small stacks, no perf data. */
export const SMALL_JVM_FLAGS = [
  '-XX:+UseSerialGC',
  '-XX:TieredStopAtLevel=1',
  '-Xss512k',
  '-XX:-UsePerfData',
  ...JPMS_FLAGS,
];

/**
 * How a JVM is sized: the harness's small heap and flags, or 'shipped' - what `hdfs zkfc` runs by
 * default (hadoop-functions.sh sets no heap unless HADOOP_HEAPSIZE_MAX is given, so the JVM's own
 * defaults apply: G1 and a quarter of RAM as the maximum heap), used by the benchmark to compare
 * with Hadoop's ZKFC as operators run it.
 */
export type JvmSizing = { readonly heap: string } | 'shipped';

export const MAIN = {
  nameNode: 'org.apache.hadoop.hdfs.server.namenode.NameNode',
  journalNode: 'org.apache.hadoop.hdfs.qjournal.server.JournalNode',
  dataNode: 'org.apache.hadoop.hdfs.server.datanode.DataNode',
  zkfc: 'org.apache.hadoop.hdfs.tools.DFSZKFailoverController',
  haAdmin: 'org.apache.hadoop.hdfs.tools.DFSHAAdmin',
  fsShell: 'org.apache.hadoop.fs.FsShell',
  writer: 'zkfc.test.Writer',
} as const;

/** The NameNode's own log line when it starts its active services (FSNamesystem#startActiveServices). */
export const ACTIVE_SERVICES_LINE = 'Starting services required for active state';

export type ControllerKind = 'ours' | 'hadoop';
export type HaState = 'active' | 'standby' | 'observer' | 'initializing';

export interface RealClusterOptions {
  /** Default $HADOOP_VERSION or 3.4.2. */
  readonly hadoopVersion?: string;
  /** NameNode ids; default nn1, nn2. */
  readonly namenodeIds?: readonly string[];
  /** Ids started as observers (transitioned by hand after start-up); default none. */
  readonly observers?: readonly string[];
  /** 'qjm' (three JournalNodes, default) or 'local' (a shared edits directory, the NFS-style setup). */
  readonly sharedEdits?: 'qjm' | 'local';
  readonly sessionTimeoutMs?: number;
  readonly checkIntervalMs?: number;
  readonly healthRpcTimeoutMs?: number;
  /** dfs.ha.fencing.methods; default the harness's kill script (kills the old NameNode JVM by pid). */
  readonly fencingMethods?: string;
  /** Extra core-site properties; they replace the harness's own (e.g. its short IPC retry interval). */
  readonly coreSite?: Readonly<Record<string, string>>;
  /** Extra hdfs-site properties. */
  readonly hdfsSite?: Readonly<Record<string, string>>;
  /**
   * Properties of one NameNode's JVM only (-D on its command line, after the shared files), e.g.
   * a stalled edit tailer on one standby: { nn3: { 'dfs.ha.tail-edits.period': '3600s' } }.
   */
  readonly nameNodeProperties?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Name directories by NameNode id (default a folder under baseDir), e.g. on a small tmpfs. */
  readonly nameDirs?: Readonly<Record<string, string>>;
  /** Start a DataNode (default true). */
  readonly dataNode?: boolean;
  /** Start the NameNodes after the first (bootstrapped from it); default true. */
  readonly standbys?: boolean;
  /** Extra flags of every JVM (e.g. -Djava.security.krb5.conf for a test realm). */
  readonly jvmFlags?: readonly string[];
  /** Extra environment of every process the harness starts (JVMs, our zkfc and haadmin). */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Options of the ZooKeeper server over the harness's own (short ticks, its folder), e.g. `tls`:
   * then ha.zookeeper.quorum names the members' secureClientPorts (the clients must be configured
   * for TLS through coreSite).
   */
  readonly zooKeeper?: Omit<StartZooKeeperOptions, 'baseDir'>;
  readonly baseDir?: string;
  /** Keep baseDir (logs) after stop(); also ZKFC_HADOOP_KEEP=1. */
  readonly keepLogs?: boolean;
}

export interface NameNodeHandle {
  readonly id: string;
  readonly rpcPort: number;
  readonly httpPort: number;
  readonly zkfcPort: number;
  readonly statusPort: number;
  readonly nameDir: string;
  readonly log: string;
  readonly zkfcLog: string;
  readonly pidFile: string;
  process: ChildProcess | undefined;
  /** Date.now() when the last NameNode JVM of this id exited (seen by this process). */
  exitedAtMs: number | undefined;
  controller: { kind: ControllerKind; process: ChildProcess } | undefined;
}

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const live = new Set<ChildProcess>();

/** Kill this child's process group at exit of this process (harness children never outlive a test run). */
export function trackChild(child: ChildProcess): void {
  live.add(child);
  child.on('exit', () => live.delete(child));
}

export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}
process.on('exit', () => {
  for (const child of live) killGroup(child, 'SIGKILL');
});

/** The daemons' log4j configuration: INFO to stderr (the harness's log file), ISO8601 times. */
export const LOG4J_PROPERTIES = [
  'log4j.rootLogger=INFO,console',
  'log4j.appender.console=org.apache.log4j.ConsoleAppender',
  'log4j.appender.console.target=System.err',
  'log4j.appender.console.layout=org.apache.log4j.PatternLayout',
  'log4j.appender.console.layout.ConversionPattern=%d{ISO8601} %p %c{2}: %m%n',
  'log4j.logger.org.apache.hadoop.util.NativeCodeLoader=ERROR',
  'log4j.logger.org.eclipse.jetty=WARN',
  '',
].join('\n');

export function hadoopCacheDir(version: string): string {
  return join(process.env['ZKFC_HADOOP_CACHE'] ?? '/var/cache/zkfc-hadoop', version);
}

/** Runs scripts/ensure-hadoop.sh (quick when the cache is complete); throws with its output on failure. */
export function ensureHadoop(version: string): string {
  const run = spawnSync('bash', [join(REPO_ROOT, 'scripts/ensure-hadoop.sh')], {
    env: { ...process.env, HADOOP_VERSION: version },
    encoding: 'utf8',
    timeout: 600_000,
  });
  if (run.status !== 0) {
    throw new Error(`Hadoop ${version} is not available (${HADOOP_INSTALL_HINT}):\n${run.stderr}`);
  }
  return run.stdout.trim().split('\n').pop() ?? hadoopCacheDir(version);
}

export function xml(props: Readonly<Record<string, string>>): string {
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const body = Object.entries(props)
    .map(([k, v]) => `  <property><name>${esc(k)}</name><value>${esc(v)}</value></property>`)
    .join('\n');
  return `<?xml version="1.0"?>\n<configuration>\n${body}\n</configuration>\n`;
}

/** Times (ms since the epoch) of the NameNode's log lines saying it started its active services. */
export function activeServicesTimes(logFile: string): number[] {
  if (!existsSync(logFile)) return [];
  return readFileSync(logFile, 'utf8')
    .split('\n')
    .filter((line) => line.includes(ACTIVE_SERVICES_LINE))
    .map((line) => {
      // log4j ISO8601 in this machine's zone: "2026-12-03 09:45:55,473".
      const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}),(\d{3})/.exec(line);
      return m === null ? NaN : new Date(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, +m[7]!).getTime();
    })
    .filter((t) => Number.isFinite(t));
}

export class RealCluster {
  readonly nameserviceId = 'ns1';
  readonly confDir: string;
  readonly logsDir: string;
  readonly classpath: string;
  readonly nodes: ReadonlyMap<string, NameNodeHandle>;
  private readonly journalNodes: { port: number; httpPort: number; dir: string; process?: ChildProcess }[] = [];
  private dataNode: ChildProcess | undefined;
  private stopped = false;

  private constructor(
    readonly baseDir: string,
    readonly hadoopVersion: string,
    readonly cacheDir: string,
    readonly zk: ZooKeeperEnsemble,
    nodes: Map<string, NameNodeHandle>,
    private readonly options: RealClusterOptions,
  ) {
    this.confDir = join(baseDir, 'conf');
    this.logsDir = join(baseDir, 'logs');
    this.classpath = [this.confDir, join(cacheDir, 'lib/*'), join(cacheDir, 'target/zkfc-hadoop-test-1.jar')].join(':');
    this.nodes = nodes;
  }

  /**
   * Resolve Hadoop, start ZooKeeper, JournalNodes, NameNodes (first active-capable, others bootstrapped) and the
   * DataNode.
   */
  static async start(options: RealClusterOptions = {}): Promise<RealCluster> {
    // Ports are picked free and bound later by the JVMs; on a busy machine another process can
    // take one meanwhile. Such a start is retried on fresh ports; any other failure is not.
    for (let attempt = 1; ; attempt++) {
      try {
        return await RealCluster.startOnce(options);
      } catch (error) {
        const text = error instanceof Error ? `${error.message} ${String(error.cause)}` : String(error);
        if (
          attempt >= 3 ||
          !/BindException|Port in use|Address already in use/.test(text) ||
          options.baseDir !== undefined
        )
          throw error;
      }
    }
  }

  private static async startOnce(options: RealClusterOptions): Promise<RealCluster> {
    const version = options.hadoopVersion ?? process.env['HADOOP_VERSION'] ?? '3.4.2';
    const cacheDir = ensureHadoop(version);
    const baseDir = options.baseDir ?? mkdtempSync(join(tmpdir(), 'zkfc-hadoop-'));
    for (const d of ['conf', 'logs', 'data', 'pids']) mkdirSync(join(baseDir, d), { recursive: true });
    const zk = await startZooKeeper({
      tickMs: 500,
      minSessionMs: 1000,
      maxSessionMs: 60_000,
      ...options.zooKeeper,
      baseDir: join(baseDir, 'zk'),
    });
    const ids = options.namenodeIds ?? ['nn1', 'nn2'];
    const ports = await pickFreePorts(ids.length * 4 + 3 * 2 + 3);
    let p = 0;
    const take = (): number => ports[p++]!;
    const nodes = new Map<string, NameNodeHandle>();
    for (const id of ids) {
      nodes.set(id, {
        id,
        rpcPort: take(),
        httpPort: take(),
        zkfcPort: take(),
        statusPort: take(),
        nameDir: options.nameDirs?.[id] ?? join(baseDir, 'data', id),
        log: join(baseDir, 'logs', `${id}.log`),
        zkfcLog: join(baseDir, 'logs', `zkfc-${id}.log`),
        pidFile: join(baseDir, 'pids', `${id}.pid`),
        process: undefined,
        exitedAtMs: undefined,
        controller: undefined,
      });
    }
    const cluster = new RealCluster(baseDir, version, cacheDir, zk, nodes, options);
    if ((options.sharedEdits ?? 'qjm') === 'qjm') {
      for (let i = 0; i < 3; i++)
        cluster.journalNodes.push({ port: take(), httpPort: take(), dir: join(baseDir, 'data', `jn${i + 1}`) });
    }
    const dnPorts = [take(), take(), take()] as const;
    try {
      cluster.writeConfiguration();
      await cluster.startJournalNodes();
      const [first, ...others] = ids;
      await cluster.runJava(
        'format',
        MAIN.nameNode,
        [...cluster.nameNodeDefines(first!), '-format', '-nonInteractive'],
        60_000,
      );
      await cluster.startNameNode(first!);
      for (const id of options.standbys === false ? [] : others) {
        await cluster.runJava(
          `bootstrap-${id}`,
          MAIN.nameNode,
          [...cluster.nameNodeDefines(id), '-bootstrapStandby', '-nonInteractive'],
          60_000,
        );
      }
      if (options.standbys !== false) await Promise.all(others.map((id) => cluster.startNameNode(id)));
      if (options.dataNode ?? true) await cluster.startDataNode(dnPorts);
      const format = await cluster.runOurZkfc(first!, ['-formatZK', '-nonInteractive']);
      if (format.code !== 0)
        throw new Error(`zkfc -formatZK failed (exit ${format.code}): ${format.stderr}${format.stdout}`);
    } catch (error) {
      await cluster.stop({ keepLogs: true });
      throw new Error(
        `real cluster did not start (logs kept in ${baseDir}): ` +
          `${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
    return cluster;
  }

  node(id: string): NameNodeHandle {
    const node = this.nodes.get(id);
    if (node === undefined) throw new Error(`unknown NameNode ${id}`);
    return node;
  }

  get fenceScript(): string {
    return join(this.baseDir, 'fence.sh');
  }

  // -------------------------------------------------------------------------------------------
  // Configuration

  private writeConfiguration(): void {
    const ns = this.nameserviceId;
    const ids = [...this.nodes.keys()];
    const sharedEdits =
      this.journalNodes.length > 0
        ? `qjournal://${this.journalNodes.map((j) => `127.0.0.1:${j.port}`).join(';')}/${ns}`
        : `file://${join(this.baseDir, 'data', 'shared-edits')}`;
    if (this.journalNodes.length === 0) mkdirSync(join(this.baseDir, 'data', 'shared-edits'), { recursive: true });
    const core: Record<string, string> = {
      'fs.defaultFS': `hdfs://${ns}`,
      'ha.zookeeper.quorum': this.zk.secureConnectString ?? this.zk.connectString,
      'ha.zookeeper.session-timeout.ms': String(this.options.sessionTimeoutMs ?? 5000),
      'ha.health-monitor.check-interval.ms': String(this.options.checkIntervalMs ?? 1000),
      'ha.health-monitor.rpc-timeout.ms': String(this.options.healthRpcTimeoutMs ?? 45_000),
      'hadoop.tmp.dir': join(this.baseDir, 'data', 'tmp'),
      'ipc.client.connect.max.retries': '3',
      'ipc.client.connect.retry.interval': '200',
      // A client call to a hung (SIGSTOPped) NameNode waits for this; Hadoop's 120 s default would
      // outlast the tests' tool timeouts.
      'ipc.client.rpc-timeout.ms': '20000',
      ...this.options.coreSite,
    };
    const hdfs: Record<string, string> = {
      'dfs.nameservices': ns,
      [`dfs.ha.namenodes.${ns}`]: ids.join(','),
      'dfs.namenode.shared.edits.dir': sharedEdits,
      'dfs.ha.automatic-failover.enabled': 'true',
      'dfs.ha.fencing.methods': this.options.fencingMethods ?? `shell(${this.fenceScript})`,
      [`dfs.client.failover.proxy.provider.${ns}`]:
        'org.apache.hadoop.hdfs.server.namenode.ha.ConfiguredFailoverProxyProvider',
      'dfs.replication': '1',
      'dfs.permissions.superusergroup': userInfo().username,
      'dfs.namenode.safemode.extension': '0',
      'dfs.namenode.safemode.min.datanodes': '0',
      'dfs.ha.tail-edits.period': '1s',
      'dfs.client.failover.sleep.base.millis': '100',
      'dfs.client.failover.sleep.max.millis': '1000',
      'dfs.client.failover.max.attempts': '30',
      // Clients try the NameNodes in configured order (Hadoop 3.4 may shuffle them), so a test
      // that hangs one NameNode does not depend on a coin toss.
      'dfs.client.failover.random.order': 'false',
      'dfs.namenode.checkpoint.period': '3600',
      'dfs.heartbeat.interval': '1',
      ...(this.options.hdfsSite ?? {}),
    };
    for (const node of this.nodes.values()) {
      hdfs[`dfs.namenode.rpc-address.${ns}.${node.id}`] = `127.0.0.1:${node.rpcPort}`;
      hdfs[`dfs.namenode.http-address.${ns}.${node.id}`] = `127.0.0.1:${node.httpPort}`;
      hdfs[`dfs.ha.zkfc.port.${ns}.${node.id}`] = String(node.zkfcPort);
      hdfs[`zkfc.http-address.${ns}.${node.id}`] = `127.0.0.1:${node.statusPort}`;
    }
    writeFileSync(join(this.confDir, 'core-site.xml'), xml(core));
    writeFileSync(join(this.confDir, 'hdfs-site.xml'), xml(hdfs));
    writeFileSync(join(this.confDir, 'log4j.properties'), LOG4J_PROPERTIES);
    // The fencing method: kill the old NameNode's JVM by the pid the harness recorded and wait
    // until it is gone. Succeeds when it is already gone (a crashed NameNode is fenced).
    writeFileSync(
      this.fenceScript,
      [
        '#!/bin/bash',
        `pidfile=${join(this.baseDir, 'pids')}/"$target_namenodeid".pid`,
        'echo "fencing $target_namenodeid ($target_host:$target_port)"',
        `[ "$(cat ${join(this.baseDir, 'fence-mode')} 2>/dev/null)" ` +
          `= noop ] && { echo "fence-mode noop: not killing"; exit 0; }`,
        '[ -f "$pidfile" ] || exit 0',
        'pid=$(cat "$pidfile")',
        'kill -9 "$pid" 2>/dev/null || true',
        'for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || exit 0; sleep 0.05; done',
        'echo "still alive: $pid"; exit 1',
        '',
      ].join('\n'),
    );
    chmodSync(this.fenceScript, 0o755);
  }

  /**
   * 'kill' (default): the fencing method kills the old NameNode's JVM. 'noop': it succeeds without
   * touching it, leaving QJM's epochs as the only protection (Hadoop's advice of shell(/bin/true)).
   */
  setFenceMode(mode: 'kill' | 'noop'): void {
    writeFileSync(join(this.baseDir, 'fence-mode'), mode);
  }

  nameNodeDefines(id: string): string[] {
    const own = Object.entries(this.options.nameNodeProperties?.[id] ?? {}).map(([key, value]) => `-D${key}=${value}`);
    return [`-Ddfs.ha.namenode.id=${id}`, `-Ddfs.namenode.name.dir=${this.node(id).nameDir}`, ...own];
  }

  // -------------------------------------------------------------------------------------------
  // Processes

  private javaArgs(main: string, args: readonly string[], sizing: JvmSizing): string[] {
    return [
      ...(sizing === 'shipped' ? JPMS_FLAGS : [`-Xmx${sizing.heap}`, ...SMALL_JVM_FLAGS]),
      ...(this.options.jvmFlags ?? []),
      `-Dhadoop.log.dir=${this.logsDir}`,
      `-Djava.io.tmpdir=${join(this.baseDir, 'data')}`,
      '-cp',
      this.classpath,
      main,
      ...args,
    ];
  }

  private spawnJava(name: string, main: string, args: readonly string[], heap: `${number}m` | JvmSizing): ChildProcess {
    const fd = openSync(join(this.logsDir, `${name}.log`), 'a');
    const sizing: JvmSizing = heap === 'shipped' || typeof heap !== 'string' ? heap : { heap };
    const child = spawn('java', this.javaArgs(main, args, sizing), {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: { ...process.env, ...this.options.env, MALLOC_ARENA_MAX: '2' },
    });
    live.add(child);
    child.on('exit', () => live.delete(child));
    return child;
  }

  /** Run a short-lived Java tool to completion, bounded in time. */
  async runJava(
    name: string,
    main: string,
    args: readonly string[],
    timeoutMs = 60_000,
    heap = '128m',
    input = '',
    env: Readonly<Record<string, string>> = {},
  ): Promise<RunResult> {
    const child = spawn('java', this.javaArgs(main, args, { heap }), {
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...this.options.env, ...env },
    });
    child.stdin?.end(input);
    live.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), timeoutMs);
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    clearTimeout(timer);
    live.delete(child);
    writeFileSync(join(this.logsDir, `${name}.log`), `${stdout}\n${stderr}`, { flag: 'a' });
    if (name === 'format' || name.startsWith('bootstrap')) {
      if (code !== 0) throw new Error(`${name} exited ${code}:\n${tailText(stderr)}`);
    }
    return {
      code,
      stdout,
      stderr: stderr
        .split('\n')
        .filter((l) => !l.includes('NativeCodeLoader'))
        .join('\n'),
    };
  }

  private async startJournalNodes(): Promise<void> {
    await Promise.all(
      this.journalNodes.map(async (jn, i) => {
        mkdirSync(jn.dir, { recursive: true });
        jn.process = this.spawnJava(
          `jn${i + 1}`,
          MAIN.journalNode,
          [
            `-Ddfs.journalnode.edits.dir=${jn.dir}`,
            `-Ddfs.journalnode.rpc-address=127.0.0.1:${jn.port}`,
            `-Ddfs.journalnode.http-address=127.0.0.1:${jn.httpPort}`,
            '-Ddfs.journalnode.https-address=127.0.0.1:0',
          ],
          '96m',
        );
        await waitForLog(
          join(this.logsDir, `jn${i + 1}.log`),
          `IPC Server listener on ${jn.port}: starting`,
          60_000,
          jn.process,
        );
      }),
    );
  }

  async startNameNode(id: string): Promise<void> {
    const node = this.node(id);
    const child = this.spawnJava(id, MAIN.nameNode, this.nameNodeDefines(id), '256m');
    node.process = child;
    child.once('exit', () => (node.exitedAtMs = Date.now()));
    writeFileSync(node.pidFile, String(child.pid));
    await waitForLog(node.log, `IPC Server listener on ${node.rpcPort}: starting`, 90_000, child);
    await this.waitFor(async () => (await this.haState(id)) !== undefined, 60_000, `${id} serving JMX`);
  }

  private async startDataNode(ports: readonly [number, number, number]): Promise<void> {
    mkdirSync(join(this.baseDir, 'data', 'dn'), { recursive: true });
    this.dataNode = this.spawnJava(
      'dn',
      MAIN.dataNode,
      [
        `-Ddfs.datanode.data.dir=${join(this.baseDir, 'data', 'dn')}`,
        `-Ddfs.datanode.address=127.0.0.1:${ports[0]}`,
        `-Ddfs.datanode.http.address=127.0.0.1:${ports[1]}`,
        `-Ddfs.datanode.ipc.address=127.0.0.1:${ports[2]}`,
      ],
      '128m',
    );
    await waitForLog(join(this.logsDir, 'dn.log'), 'IPC Server listener on', 90_000, this.dataNode);
  }

  /** SIGKILL the NameNode JVM and wait until it is gone. */
  async killNameNode(id: string): Promise<void> {
    const child = this.node(id).process;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    killGroup(child, 'SIGKILL');
    await exited;
  }

  /** SIGSTOP / SIGCONT the NameNode JVM; false when it is gone (e.g. fenced meanwhile). */
  signalNameNode(id: string, signal: 'SIGSTOP' | 'SIGCONT'): boolean {
    const pid = this.node(id).process?.pid;
    if (pid === undefined || !this.isNameNodeRunning(id)) return false;
    try {
      process.kill(pid, signal);
      return true;
    } catch {
      return false;
    }
  }

  isNameNodeRunning(id: string): boolean {
    const child = this.node(id).process;
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  }

  // -------------------------------------------------------------------------------------------
  // Controllers

  ourZkfcArgs(id: string): string[] {
    return [
      join(REPO_ROOT, 'bin/zkfc.js'),
      '--hadoop-conf-dir',
      this.confDir,
      '-D',
      `dfs.nameservice.id=${this.nameserviceId}`,
      '-D',
      `dfs.ha.namenode.id=${id}`,
    ];
  }

  async runOurZkfc(id: string, args: readonly string[]): Promise<RunResult> {
    return runProcess(process.execPath, [...this.ourZkfcArgs(id), ...args], 60_000, this.options.env ?? {});
  }

  /**
   * Start a failover controller for `id`: our daemon, or Hadoop's DFSZKFailoverController (with
   * the harness's 96 MiB heap unless `jvm` says otherwise).
   */
  async startController(id: string, kind: ControllerKind, jvm: JvmSizing = { heap: '96m' }): Promise<void> {
    const node = this.node(id);
    if (
      node.controller !== undefined &&
      node.controller.process.exitCode === null &&
      node.controller.process.signalCode === null
    ) {
      throw new Error(`a controller for ${id} is already running`);
    }
    let child: ChildProcess;
    if (kind === 'ours') {
      const fd = openSync(node.zkfcLog, 'a');
      child = spawn(process.execPath, this.ourZkfcArgs(id), {
        detached: true,
        stdio: ['ignore', fd, fd],
        env: { ...process.env, ...this.options.env, ZKFC_LOG_LEVEL: 'info' },
      });
      live.add(child);
      child.on('exit', () => live.delete(child));
    } else {
      child = this.spawnJava(`zkfc-${id}`, MAIN.zkfc, [`-Ddfs.ha.namenode.id=${id}`], jvm);
    }
    node.controller = { kind, process: child };
    // Both serve ZKFCProtocol on dfs.ha.zkfc.port once they run: wait for the port.
    await this.waitFor(
      async () => {
        if (child.exitCode !== null || child.signalCode !== null)
          throw new Error(
            `${kind} controller for ${id} exited ` +
              `${child.exitCode ?? child.signalCode}:\n` +
              tail(kind === 'ours' ? node.zkfcLog : join(this.logsDir, `zkfc-${id}.log`)),
          );
        return portOpen(node.zkfcPort);
      },
      60_000,
      `${kind} controller of ${id} listening on ${node.zkfcPort}`,
    );
  }

  async stopController(id: string, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const controller = this.node(id).controller;
    if (controller === undefined) return;
    const child = controller.process;
    this.node(id).controller = undefined;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    killGroup(child, signal);
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }

  // -------------------------------------------------------------------------------------------
  // Views and tools

  /** The NameNode's own view over HTTP (JMX NameNodeStatus.State), undefined when it does not answer. */
  async haState(id: string, timeoutMs = 2000): Promise<HaState | undefined> {
    try {
      const url = `http://127.0.0.1:${this.node(id).httpPort}/jmx?qry=Hadoop:service=NameNode,name=NameNodeStatus`;
      const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      if (!response.ok) return undefined;
      const body = (await response.json()) as { beans?: { State?: string }[] };
      const state = body.beans?.[0]?.State;
      return state === 'active' || state === 'standby' || state === 'observer' || state === 'initializing'
        ? state
        : undefined;
    } catch {
      return undefined;
    }
  }

  async activeNameNodes(): Promise<string[]> {
    const ids = [...this.nodes.keys()];
    const states = await Promise.all(ids.map((id) => this.haState(id)));
    return ids.filter((_, i) => states[i] === 'active');
  }

  async waitForActive(expected: string, timeoutMs = 60_000): Promise<void> {
    await this.waitFor(
      async () => {
        const active = await this.activeNameNodes();
        return active.length === 1 && active[0] === expected;
      },
      timeoutMs,
      `${expected} the only active NameNode`,
    );
  }

  /** Hadoop's `hdfs haadmin` (DFSHAAdmin); `env` over the cluster's (e.g. a user's KRB5CCNAME). */
  hadoopHaAdmin(args: readonly string[], input = '', env: Readonly<Record<string, string>> = {}): Promise<RunResult> {
    return this.runJava('haadmin', MAIN.haAdmin, args, 120_000, '96m', input, env);
  }

  /** Our `haadmin`, with the same configuration directory. */
  ourHaAdmin(args: readonly string[], input = '', env: Readonly<Record<string, string>> = {}): Promise<RunResult> {
    return runProcess(
      process.execPath,
      [join(REPO_ROOT, 'bin/haadmin.js'), ...args],
      120_000,
      { ...this.options.env, HADOOP_CONF_DIR: this.confDir, ...env },
      input,
    );
  }

  /** Hadoop's `hdfs dfs` (FsShell) through the nameservice. */
  fsShell(args: readonly string[]): Promise<RunResult> {
    return this.runJava('fsshell', MAIN.fsShell, args, 120_000, '96m');
  }

  /** Start the writer client (tools/hadoop Writer): writes numbered files until stopped; returns its process. */
  startWriter(dir: string, ackFile: string, maxSeconds: number): ChildProcess {
    return this.spawnJava('writer', MAIN.writer, ['write', dir, ackFile, String(maxSeconds)], '128m');
  }

  verifyWrites(dir: string, ackFile: string): Promise<RunResult> {
    return this.runJava('verify', MAIN.writer, ['verify', dir, ackFile], 300_000, '128m');
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
    for (const node of this.nodes.values()) {
      parts.push(`--- ${node.id} (${node.log})\n${tail(node.log, 15)}`);
      if (node.controller?.kind === 'ours') parts.push(`--- zkfc ${node.id}\n${tail(node.zkfcLog, 15)}`);
      if (node.controller?.kind === 'hadoop')
        parts.push(`--- hadoop zkfc ${node.id}\n${tail(join(this.logsDir, `zkfc-${node.id}.log`), 15)}`);
    }
    return parts.join('\n');
  }

  /** Stop everything by process group; remove baseDir unless logs are kept. Idempotent. */
  async stop(options: { keepLogs?: boolean } = {}): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const children = [...this.nodes.values()].flatMap((n) => [n.controller?.process, n.process]);
    children.push(this.dataNode, ...this.journalNodes.map((j) => j.process));
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
    await this.zk.stopAll();
    const keep = options.keepLogs === true || this.options.keepLogs === true || process.env['ZKFC_HADOOP_KEEP'] === '1';
    if (!keep) rmSync(this.baseDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers

function tailText(text: string, lines = 30): string {
  return text.split('\n').slice(-lines).join('\n');
}

export async function waitForLog(file: string, needle: string, timeoutMs: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`process exited (${child.exitCode ?? child.signalCode}) before "${needle}":\n${tail(file)}`);
    if (existsSync(file) && readFileSync(file, 'utf8').includes(needle)) return;
    await sleep(100);
  }
  throw new Error(`no "${needle}" in ${file} within ${timeoutMs} ms:\n${tail(file)}`);
}

export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    import('node:net')
      .then(({ connect }) => {
        const socket = connect({ host: '127.0.0.1', port });
        socket.once('connect', () => {
          socket.destroy();
          resolve(true);
        });
        socket.once('error', () => resolve(false));
      })
      .catch(() => resolve(false));
  });
}

export async function runProcess(
  command: string,
  args: readonly string[],
  timeoutMs: number,
  env: Readonly<Record<string, string>> = {},
  input = '',
): Promise<RunResult> {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  child.stdin.end(input);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, stdout, stderr };
}
