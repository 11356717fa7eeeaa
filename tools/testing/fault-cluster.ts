// The harness of the fault catalogue, the chaos runner and the benchmark: a MiniCluster (3-member
// ZooKeeper ensemble, simulated NameNodes, zkfc daemons as real processes, configured only through
// generated Hadoop XML) plus everything needed to hurt it and to judge the outcome.
//
// Fencing, as an operator would configure it (shell, then sshfence against a real sshd), and its
// fault switch: fault-fencing.ts.
//
// Faults: SIGKILL/SIGSTOP/SIGCONT of NameNodes and daemons, simulator faults (POST /sim/fault),
// ZooKeeper member kill/restart (leader, quorum), one daemon partitioned from ZooKeeper
// (tools/testing/partition.ts), fencer faults. Every injection and heal is journaled with a
// monotonic timestamp so failure messages interleave it with the NameNodes' transitions.
//
// Oracles: no two NameNodes active at the same moment (oracle.ts: transition logs + ends), and
// awaitSteady(), which waits for steady.ts's check to pass: exactly one active NameNode, the lock
// znode and the breadcrumb name it, exactly one controller believes it is active and its session
// owns the lock, within a bound.
//
// A controller may be a Java-compatible peer instead of our daemon (tools/testing/java-peer.ts).

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { decodeActiveNodeInfo } from '../../src/hadoop/active-node-info.js';
import type { TransitionLogEntry } from '../namenode-sim/transition-log.js';
import type { ZkSession } from '../../src/runtime/ports.js';
import { NodeZkSessionFactory } from '../../src/zookeeper/node-zk-session.js';
import { MiniCluster, REPO_ROOT, tail, type ExitInfo } from './mini-cluster.js';
import {
  assertNoSplitBrain,
  formatTimeline,
  monoNowNs,
  OracleViolationError,
  type JournalEntry,
  type OracleInput,
} from './oracle.js';
import { setUpFaultFencing, fenceModeText, type FenceMode, type FencingSetup } from './fault-fencing.js';
import { ZkPartitioner } from './partition.js';
import type { SshdHarness } from './sshd.js';
import { checkSteady, type ControllerView, type ElectionZnodes, type SteadyProbe } from './steady.js';
import { ZkfcError } from '../../src/errors.js';
import { realClock } from './clock.js';
import { sleep } from './wait.js';

export interface FaultClusterOptions {
  readonly namenodeIds?: readonly string[];
  /** ZooKeeper members (default 3: an ensemble). */
  readonly zookeeperNodes?: number;
  /** ZooKeeper tickTime (default 250 ms; session expiry is checked at tick granularity). */
  readonly zookeeperTickMs?: number;
  readonly zookeeperSyncLimitTicks?: number;
  readonly zookeeperInitLimitTicks?: number;
  /** ha.zookeeper.session-timeout.ms (default 3000). */
  readonly sessionTimeoutMs?: number;
  /** ha.health-monitor.check-interval.ms (default 500). */
  readonly checkIntervalMs?: number;
  /** ha.health-monitor.rpc-timeout.ms (default 2000). */
  readonly healthRpcTimeoutMs?: number;
  /** ha.failover-controller.graceful-fence.rpc-timeout.ms (default 1000). */
  readonly gracefulFenceTimeoutMs?: number;
  /** zkfc.fencing.shell.timeout.ms (default 5000). */
  readonly shellFenceTimeoutMs?: number;
  readonly fencing?: FencingSetup;
  /** Put every daemon into its own cgroup so it can be partitioned from ZooKeeper (root only). */
  readonly partitionable?: boolean;
  /** NameNode ids whose controller is the Java-compatible peer instead of our daemon. */
  readonly javaPeers?: readonly string[];
  readonly extraConf?: Readonly<Record<string, string>>;
  readonly logLevel?: string;
  readonly baseDir?: string;
}

export class FaultClusterError extends ZkfcError<'FAULT_CLUSTER'> {
  readonly code = 'FAULT_CLUSTER';
}

export interface SteadyState {
  readonly active: string;
  /** ms from the call until the state held. */
  readonly elapsedMs: number;
}

const NODE = process.execPath;

export class FaultCluster {
  readonly journal: JournalEntry[] = [];
  private readonly peers = new Map<string, ChildProcess>();
  private readonly peerExits = new Map<ChildProcess, Promise<ExitInfo>>();
  private partitioner: ZkPartitioner | undefined;
  private readonly zkFactory = new NodeZkSessionFactory({ clock: realClock });
  private stopped = false;

  private constructor(
    readonly mini: MiniCluster,
    readonly options: FaultClusterOptions,
    readonly sshd: SshdHarness | undefined,
    readonly fenceModeFile: string,
    readonly fenceScript: string,
  ) {}

  static async start(options: FaultClusterOptions = {}): Promise<FaultCluster> {
    const baseDir = options.baseDir ?? mkdtempSync(join(tmpdir(), 'zkfc-faults-'));
    mkdirSync(baseDir, { recursive: true });
    const fencing = options.fencing ?? 'shell-then-ssh';
    const {
      methods,
      conf: fencingConf,
      sshd,
      fenceModeFile,
      fenceScript,
    } = await setUpFaultFencing(baseDir, fencing, join(baseDir, 'ends.jsonl'));
    const conf: Record<string, string> = {
      'ha.failover-controller.graceful-fence.rpc-timeout.ms': String(options.gracefulFenceTimeoutMs ?? 1000),
      'zkfc.fencing.shell.timeout.ms': String(options.shellFenceTimeoutMs ?? 5000),
      ...fencingConf,
    };
    // eslint-disable-next-line prefer-const -- the spawn hook above the assignment reads it
    let cluster: FaultCluster | undefined;
    let mini: MiniCluster;
    try {
      mini = await MiniCluster.start({
        baseDir,
        ...(options.namenodeIds !== undefined ? { namenodeIds: options.namenodeIds } : {}),
        zookeeper: {
          nodes: options.zookeeperNodes ?? 3,
          tickMs: options.zookeeperTickMs ?? 250,
          minSessionMs: 2 * (options.zookeeperTickMs ?? 250),
          maxSessionMs: 60_000,
          ...(options.zookeeperSyncLimitTicks !== undefined
            ? { syncLimitTicks: options.zookeeperSyncLimitTicks }
            : { syncLimitTicks: 10 }),
          ...(options.zookeeperInitLimitTicks !== undefined
            ? { initLimitTicks: options.zookeeperInitLimitTicks }
            : { initLimitTicks: 40 }),
        },
        sessionTimeoutMs: options.sessionTimeoutMs ?? 3000,
        checkIntervalMs: options.checkIntervalMs ?? 500,
        healthRpcTimeoutMs: options.healthRpcTimeoutMs ?? 2000,
        fencingMethods: methods,
        extraConf: { ...conf, ...(options.extraConf ?? {}) },
        ...(options.logLevel !== undefined ? { logLevel: options.logLevel } : {}),
        onSpawn: (kind, id, child) => {
          if (kind === 'zkfc' && cluster?.partitioner !== undefined && child.pid !== undefined)
            cluster.partitioner.adopt(id, child.pid);
        },
      });
    } catch (error) {
      await sshd?.stop();
      throw error;
    }
    cluster = new FaultCluster(mini, options, sshd, fenceModeFile, fenceScript);
    if (options.partitionable === true) {
      try {
        cluster.partitioner = await ZkPartitioner.create(mini.zk.members.map((m) => m.clientPort));
      } catch (error) {
        await cluster.stop();
        throw error;
      }
    }
    return cluster;
  }

  get ids(): string[] {
    return [...this.mini.nodes.keys()];
  }

  get baseDir(): string {
    return this.mini.baseDir;
  }

  get sessionTimeoutMs(): number {
    return this.mini.sessionTimeoutMs;
  }

  get checkIntervalMs(): number {
    return this.mini.checkIntervalMs;
  }

  get healthRpcTimeoutMs(): number {
    return this.options.healthRpcTimeoutMs ?? 2000;
  }

  get gracefulFenceTimeoutMs(): number {
    return this.options.gracefulFenceTimeoutMs ?? 1000;
  }

  isJavaPeer(id: string): boolean {
    return (this.options.javaPeers ?? []).includes(id);
  }

  note(what: string): bigint {
    const monoNs = monoNowNs();
    this.journal.push({ monoNs, what });
    return monoNs;
  }

  // -------------------------------------------------------------------------------------------
  // Start and stop

  /** Start every NameNode, then every controller; wait for one active. */
  async startAll(activeTimeoutMs = 30_000): Promise<string> {
    await Promise.all(this.ids.map((id) => this.mini.startNamenode(id)));
    for (const id of this.ids) await this.startController(id);
    return this.mini.waitForActive(activeTimeoutMs);
  }

  /**
   * Added to the environment of every daemon this cluster starts from now on, restarts included
   * (e.g. NODE_OPTIONS for the benchmark); `env` of startController adds to it.
   */
  controllerEnv: Readonly<Record<string, string>> = {};

  /** Start the controller of `id`; `env` adds to our daemon's environment (e.g. NODE_OPTIONS). */
  async startController(id: string, env: Readonly<Record<string, string>> = {}): Promise<void> {
    this.note(`start controller ${id}`);
    if (!this.isJavaPeer(id)) {
      await this.mini.startZkfc(id, [], { ...this.controllerEnv, ...env });
      return;
    }
    const node = this.mini.node(id);
    const args = [
      join(REPO_ROOT, 'build/tools/testing/java-peer-main.js'),
      '--quorum',
      this.mini.zk.connectString,
      '--session-timeout-ms',
      String(this.sessionTimeoutMs),
      '--nameservice',
      this.mini.nameserviceId,
      '--self',
      id,
      ...this.ids.flatMap((other) => {
        const n = this.mini.node(other);
        return ['--namenode', `${other}=127.0.0.1:${n.rpcPort}:${n.zkfcPort}`];
      }),
      '--check-interval-ms',
      String(this.checkIntervalMs),
      '--health-rpc-timeout-ms',
      String(this.healthRpcTimeoutMs),
      '--graceful-fence-timeout-ms',
      String(this.gracefulFenceTimeoutMs),
      '--fence-command',
      `${this.fenceScript} $target_namenodeid`,
      '--fence-timeout-ms',
      String(this.options.shellFenceTimeoutMs ?? 5000),
      '--status-file',
      this.peerStatusFile(id),
      '--log-level',
      this.options.logLevel ?? 'info',
    ];
    const fd = openSync(node.zkfcLog, 'a');
    const child = spawn(NODE, args, {
      env: { ...process.env, HADOOP_USER_NAME: userInfo().username },
      stdio: ['ignore', fd, fd],
    });
    if (this.partitioner !== undefined && child.pid !== undefined) this.partitioner.adopt(id, child.pid);
    this.peers.set(id, child);
    this.peerExits.set(
      child,
      new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))),
    );
    const deadline = Date.now() + 10_000;
    while (!existsSync(this.peerStatusFile(id)) || this.readPeerStatus(id)?.pid !== child.pid) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new FaultClusterError(`java peer ${id} exited at start:\n${tail(node.zkfcLog)}`);
      if (Date.now() > deadline)
        throw new FaultClusterError(`java peer ${id} did not start within 10 s:\n${tail(node.zkfcLog)}`);
      await sleep(20);
    }
  }

  controllerProcess(id: string): ChildProcess | undefined {
    return this.isJavaPeer(id) ? this.peers.get(id) : this.mini.node(id).zkfc;
  }

  controllerRunning(id: string): boolean {
    const child = this.controllerProcess(id);
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  }

  namenodeRunning(id: string): boolean {
    const child = this.mini.node(id).sim;
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  }

  async stopController(id: string, signal: NodeJS.Signals = 'SIGTERM'): Promise<ExitInfo | undefined> {
    this.note(`${signal} controller ${id}`);
    const child = this.controllerProcess(id);
    if (child === undefined) return undefined;
    if (this.isJavaPeer(id)) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGCONT');
        child.kill(signal);
      }
      const exit = await Promise.race([this.peerExits.get(child)!, sleep(15_000).then(() => undefined)]);
      if (exit !== undefined) return exit;
      child.kill('SIGKILL');
      return this.peerExits.get(child)!;
    }
    // A paused daemon cannot handle SIGTERM: let it run first.
    child.kill('SIGCONT');
    return this.mini.stopZkfc(id, signal);
  }

  async killController(id: string): Promise<void> {
    await this.stopController(id, 'SIGKILL');
  }

  signalController(id: string, signal: 'SIGSTOP' | 'SIGCONT'): void {
    this.note(`${signal} controller ${id}`);
    this.controllerProcess(id)?.kill(signal);
  }

  async killNamenode(id: string): Promise<void> {
    this.note(`SIGKILL NameNode ${id}`);
    await this.mini.killNamenode(id);
  }

  signalNamenode(id: string, signal: 'SIGSTOP' | 'SIGCONT'): void {
    this.note(`${signal} NameNode ${id}`);
    this.mini.signalNamenode(id, signal);
  }

  async namenodeFault(id: string, fault: string, extra: Record<string, unknown> = {}): Promise<void> {
    this.note(`NameNode ${id} fault ${fault}${Object.keys(extra).length > 0 ? ` ${JSON.stringify(extra)}` : ''}`);
    await this.mini.namenodeFault(id, fault, extra);
  }

  setFenceMode(mode: FenceMode): void {
    const text = fenceModeText(mode);
    this.note(`fence mode ${text}`);
    writeFileSync(this.fenceModeFile, `${text}\n`);
  }

  async partition(id: string): Promise<void> {
    if (this.partitioner === undefined)
      throw new FaultClusterError('this cluster was started without partitionable: true');
    this.note(`partition controller ${id} from ZooKeeper`);
    await this.partitioner.partition(id);
  }

  async healPartition(id: string): Promise<void> {
    if (this.partitioner === undefined) return;
    this.note(`heal partition of ${id}`);
    await this.partitioner.heal(id);
  }

  async killZkMember(memberId: number): Promise<void> {
    this.note(`SIGKILL ZooKeeper member ${memberId}`);
    await this.mini.zk.kill(memberId);
  }

  async restartZkMember(memberId: number, timeoutMs = 60_000): Promise<void> {
    this.note(`restart ZooKeeper member ${memberId}`);
    await this.mini.zk.restart(memberId, timeoutMs);
    this.note(`ZooKeeper member ${memberId} serving`);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.partitioner?.healAll();
    for (const child of this.peers.values()) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await this.peerExits.get(child);
      }
    }
    // Paused processes die from SIGKILL as well; stop() of the mini cluster waits for every exit.
    await this.mini.stop();
    await this.partitioner?.dispose();
    await this.sshd?.stop();
  }

  cleanUp(): void {
    this.mini.cleanUp();
  }

  /**
   * For programs (chaos runner, benchmark): on SIGINT, SIGTERM or SIGHUP stop every process of
   * the cluster (ZooKeeper, NameNodes, daemons, sshd, partition rules) before exiting - Node's
   * default would exit without running the exit hooks, leaving sshd and detached fencing
   * commands behind. Returns a function that removes the handlers.
   */
  stopOnSignals(): () => void {
    const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
    const handler = (signal: NodeJS.Signals): void => {
      process.stderr.write(`${signal}: stopping the cluster in ${this.baseDir}\n`);
      void this.stop().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    };
    for (const signal of signals) process.once(signal, handler);
    return () => {
      for (const signal of signals) process.off(signal, handler);
    };
  }

  // -------------------------------------------------------------------------------------------
  // Bring everything back

  /**
   * Undo every fault: heal partitions, resume paused processes, restart stopped ZooKeeper
   * members, dead NameNodes and dead controllers, clear simulator faults and the fence mode.
   */
  async healAll(): Promise<void> {
    await this.partitioner?.healAll();
    for (const member of this.mini.zk.members) {
      if (member.state === 'paused') this.mini.zk.resume(member.id);
    }
    for (const member of this.mini.zk.members) {
      if (member.state === 'stopped') await this.restartZkMember(member.id);
    }
    if (readFileSync(this.fenceModeFile, 'utf8').trim() !== 'normal') this.setFenceMode({ kind: 'normal' });
    for (const id of this.ids) {
      this.mini.node(id).sim?.kill('SIGCONT');
      this.controllerProcess(id)?.kill('SIGCONT');
    }
    for (const id of this.ids) {
      if (!this.namenodeRunning(id)) {
        this.note(`restart NameNode ${id}`);
        await this.mini.startNamenode(id);
      } else {
        await this.mini.namenodeFault(id, 'none').catch(() => undefined);
      }
    }
    for (const id of this.ids) {
      if (!this.controllerRunning(id)) await this.startController(id);
    }
  }

  /**
   * Start again every NameNode and controller that is not running (what systemd's Restart= does).
   * A fault's consequences can land after its heal - e.g. a NameNode resumed from SIGSTOP is
   * fenced (killed) a few milliseconds later by the new active's controller - so a waiting
   * caller restarts whatever died meanwhile.
   */
  async restartDead(): Promise<void> {
    for (const id of this.ids) {
      if (!this.namenodeRunning(id)) {
        this.note(`restart NameNode ${id} (died after the heal)`);
        await this.mini.startNamenode(id);
      }
    }
    for (const id of this.ids) {
      if (!this.controllerRunning(id)) await this.startController(id);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Oracle

  oracleInput(): OracleInput {
    return { entries: this.mini.transitionEntries(), ends: this.mini.ends(), journal: this.journal };
  }

  timeline(sinceNs?: bigint): string {
    return formatTimeline(this.oracleInput(), sinceNs !== undefined ? { sinceNs } : {});
  }

  /** No two NameNodes were ever active at the same moment; throws with the timeline otherwise. */
  assertSafe(context = ''): void {
    assertNoSplitBrain(this.oracleInput(), context);
  }

  /** The first transition to active after `sinceNs` (optionally of another NameNode than `not`). */
  async waitForActivation(
    sinceNs: bigint,
    options: { readonly not?: string; readonly timeoutMs: number; readonly pollMs?: number },
  ): Promise<TransitionLogEntry> {
    const deadline = Date.now() + options.timeoutMs;
    for (;;) {
      const hit = this.mini
        .transitionEntries()
        .filter((e) => e.to === 'active' && BigInt(e.monoNs) > sinceNs && e.namenodeId !== options.not)
        .sort((a, b) => (BigInt(a.monoNs) < BigInt(b.monoNs) ? -1 : 1))[0];
      if (hit !== undefined) return hit;
      if (Date.now() > deadline) {
        throw new OracleViolationError(
          `no NameNode${options.not !== undefined ? ` other than ${options.not}` : ''} became ` +
            `active within ${options.timeoutMs} ms\n${this.timeline()}\n${this.logTails()}`,
        );
      }
      await sleep(options.pollMs ?? 5);
    }
  }

  /** Read the lock and breadcrumb znodes with a fresh ZooKeeper session. */
  async readElectionZnodes(timeoutMs = 5000): Promise<ElectionZnodes> {
    const workingDir = `/hadoop-ha/${this.mini.nameserviceId}`;
    const session = await this.openSession(timeoutMs);
    try {
      const lock = await session.getData(`${workingDir}/ActiveStandbyElectorLock`);
      const breadcrumb = await session.getData(`${workingDir}/ActiveBreadCrumb`);
      if (lock.code !== 'OK' && lock.code !== 'NONODE')
        throw new FaultClusterError(`reading the lock znode: ${lock.code}`);
      if (breadcrumb.code !== 'OK' && breadcrumb.code !== 'NONODE')
        throw new FaultClusterError(`reading the breadcrumb znode: ${breadcrumb.code}`);
      return {
        lock:
          lock.code === 'OK'
            ? {
                info: decodeActiveNodeInfo(lock.value.data, 'lock'),
                owner: `0x${BigInt.asUintN(64, lock.value.stat.ephemeralOwner).toString(16)}`,
                data: lock.value.data,
              }
            : null,
        breadcrumb: breadcrumb.code === 'OK' ? decodeActiveNodeInfo(breadcrumb.value.data, 'breadcrumb') : null,
        breadcrumbData: breadcrumb.code === 'OK' ? breadcrumb.value.data : null,
      };
    } finally {
      await session.close();
    }
  }

  async controllerView(id: string): Promise<ControllerView> {
    const running = this.controllerRunning(id);
    if (this.isJavaPeer(id)) {
      const status = running ? this.readPeerStatus(id) : undefined;
      return {
        namenodeId: id,
        kind: 'java-peer',
        running,
        electorState: status?.state,
        zkSessionId: status?.sessionId,
        zkConnectionState: status?.sessionId ? 'CONNECTED' : undefined,
        healthState: undefined,
      };
    }
    const status = running ? await this.mini.zkfcStatus(id, 1000) : undefined;
    return {
      namenodeId: id,
      kind: 'zkfc',
      running,
      electorState: status?.['electorState'] as string | undefined,
      zkSessionId: status?.['zkSessionId'] as string | null | undefined,
      zkConnectionState: status?.['zkConnectionState'] as string | undefined,
      healthState: status?.['healthState'] as string | undefined,
    };
  }

  /**
   * Wait until the cluster is steady: exactly one NameNode is active; the lock znode exists, names
   * it and is owned by the session of its controller, which is the only controller in elector
   * state ACTIVE; the breadcrumb names it. With `everyone` (default true) also: every NameNode
   * runs and answers, every controller runs, is connected to ZooKeeper and (ours) sees its
   * NameNode healthy and is ACTIVE or STANDBY - i.e. the cluster can fail over again. With
   * `restartDead`, processes that die while waiting are started again (see restartDead()).
   * Throws OracleViolationError with the last observation and the timeline after `boundMs`.
   */
  async awaitSteady(
    boundMs: number,
    options: { readonly everyone?: boolean; readonly context?: string; readonly restartDead?: boolean } = {},
  ): Promise<SteadyState> {
    const started = Date.now();
    const everyone = options.everyone ?? true;
    let problem = 'not checked yet';
    while (Date.now() - started <= boundMs) {
      if (options.restartDead === true) await this.restartDead();
      const check = await checkSteady(this.steadyProbe(), everyone);
      if (check.active !== undefined) return { active: check.active, elapsedMs: Date.now() - started };
      problem = check.problem;
      await sleep(50);
    }
    throw new OracleViolationError(
      `not steady within ${boundMs} ms${options.context ? ` (${options.context})` : ''}: ` +
        `${problem}\n${this.timeline()}\n${this.logTails()}`,
    );
  }

  /** '' when steady, else what is not. */
  async steadyProblem(everyone: boolean): Promise<string> {
    const check = await checkSteady(this.steadyProbe(), everyone);
    return check.active !== undefined ? '' : check.problem;
  }

  /** What steady.ts's check observes: the NameNodes, the election znodes, the controllers. */
  private steadyProbe(): SteadyProbe {
    return {
      namenodeStates: () =>
        Promise.all(this.ids.map(async (id) => [id, await this.mini.namenodeState(id, 1000)] as const)),
      electionZnodes: () => this.readElectionZnodes(3000),
      controllerViews: () => Promise.all(this.ids.map((id) => this.controllerView(id))),
    };
  }

  /** Last lines of every daemon and NameNode log, for failure messages. */
  logTails(lines = 15): string {
    return this.ids
      .flatMap((id) => {
        const node = this.mini.node(id);
        return [
          `--- controller ${id} (${node.zkfcLog}):\n${tail(node.zkfcLog, lines)}`,
          `--- NameNode ${id}:\n${tail(node.simLog, 5)}`,
        ];
      })
      .join('\n');
  }

  private peerStatusFile(id: string): string {
    return join(this.baseDir, `java-peer-${id}.json`);
  }

  private readPeerStatus(id: string): { pid: number; state: string; sessionId: string | null } | undefined {
    try {
      return JSON.parse(readFileSync(this.peerStatusFile(id), 'utf8')) as {
        pid: number;
        state: string;
        sessionId: string | null;
      };
    } catch {
      return undefined;
    }
  }

  private async openSession(timeoutMs: number): Promise<ZkSession> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        if (settled) return;
        settled = true;
        void session.close();
        reject(new FaultClusterError(`no ZooKeeper session within ${timeoutMs} ms`));
      }, timeoutMs);
      const session = this.zkFactory.open(
        {
          connectString: this.mini.zk.connectString,
          sessionTimeoutMs: Math.max(this.sessionTimeoutMs, 4000),
          authInfo: [],
          operationTimeoutMs: timeoutMs,
        },
        (event) => {
          if (settled) return;
          if (event.state === 'connected') {
            settled = true;
            clearTimeout(timer);
            resolve(session);
          } else if (event.state !== 'disconnected') {
            settled = true;
            clearTimeout(timer);
            void session.close();
            reject(new FaultClusterError(`ZooKeeper session for the oracle: ${event.state}`));
          }
        },
      );
    });
  }
}
