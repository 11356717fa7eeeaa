// The simulated cluster: N hosts, each with a NameNode and a ZKFC process (the real
// ControllerRuntime: core + runtime) wired to simulated ports, one ZooKeeper ensemble, a
// network, a supervisor that restarts dead ZKFCs (systemd Restart=on-failure), and a seeded fault
// schedule. Invariants are checked after every simulated event; a run ends with a quiet period in
// which every fault is healed and a healthy active must appear within a stated bound.
//
// Invariants (a violation fails the seed):
//  1. at most one NameNode is active at any instant, judged by the NameNodes' own state, fenced or
//     not (a hung or partitioned NameNode that still believes it is active counts);
//  2. no ZKFC sends transitionToActive while another NameNode is active (the old active must have
//     been fenced or have stood down first);
//  3. no leaked lock: the lock znode is only ever owned by a session its ZKFC still uses (current
//     or retiring) or by a session the ZKFC closed or lost (the server ends it within the session
//     timeout); at the end of the run no ZKFC has a live server session it does not use;
//  4. liveness: within RECOVERY_BOUND_MS after the faults stop, exactly one NameNode is active, its
//     ZKFC's elector is ACTIVE and owns the lock with its current session, the breadcrumb names it,
//     and it stays so until the end.

import { encodeActiveNodeInfo, decodeActiveNodeInfo } from '../../src/hadoop/active-node-info.js';
import type { HostPort, NamenodeTarget } from '../../src/core/types.js';
import { defaultSettings } from '../../src/config/load.js';
import { applyRecord } from '../../src/observability/apply-record.js';
import { StatusBoard } from '../../src/observability/status.js';
import { ControllerRuntime } from '../../src/runtime/controller-runtime.js';
import type { RuntimeLog } from '../../src/runtime/logging.js';
import type { ZkSession, ZkSessionFactory } from '../../src/runtime/ports.js';
import {
  SimFencer,
  SimHAServiceClientFactory,
  SimulatedNameNode,
  SimZkfcClientFactory,
  type FenceFaults,
  type SimFenceMethod,
  type SimNetwork,
} from './sim-namenode.js';
import { newPrng, type Prng, SimClock, SimProcess, SimScheduler } from './sim-scheduler.js';
import { SimZkServer, SimZkSessionFactory, type LinkState } from './sim-zookeeper.js';

export const NAMESERVICE = 'ns1';
export const WORKING_DIR = `/hadoop-ha/${NAMESERVICE}`;
export const LOCK_PATH = `${WORKING_DIR}/ActiveStandbyElectorLock`;
export const BREADCRUMB_PATH = `${WORKING_DIR}/ActiveBreadCrumb`;
/** After the last fault ends, a healthy, stable active must exist within this bound. */
export const RECOVERY_BOUND_MS = 60_000;
/** systemd RestartSec for a ZKFC that exited. */
const SUPERVISOR_RESTART_DELAY_MS = 5000;
const SESSION_TIMEOUT_MS = 10_000;
const TRACE_RING = Number(process.env["SIM_TRACE_LINES"] ?? 400);

export function simTarget(index: number): NamenodeTarget {
  return { nameserviceId: NAMESERVICE, namenodeId: `nn${index + 1}`, serviceAddress: { host: `nn${index + 1}.sim`, port: 8020 }, zkfcPort: 8019 };
}

export interface SimOptions {
  readonly seed: number;
  /** Override the number of NameNodes (2 or 3 chosen by the seed otherwise). */
  readonly nodes?: number;
  /** Simulated duration of the fault phase (chosen by the seed otherwise). */
  readonly chaosMs?: number;
  /** Quiet period after the faults (default RECOVERY_BOUND_MS + 20 s). */
  readonly quietMs?: number;
  /** Inject random faults (default true). Scenario tests drive faults themselves. */
  readonly randomFaults?: boolean;
  readonly fenceMethods?: readonly SimFenceMethod[];
  /**
   * A deliberately broken component, to prove the invariant checkers catch real bugs:
   * lying-fence (fencing reports success without killing), own-breadcrumb (every breadcrumb read
   * shows the reader's own data, so nobody fences), leaky-close (closing a session does nothing),
   * no-restart (the supervisor never restarts a ZKFC), no-lease-guard (the controller's lease
   * guard is off, as in Hadoop: a ZKFC paused between its breadcrumb write and transitionToActive
   * activates after losing the lock).
   */
  readonly mutation?: 'lying-fence' | 'own-breadcrumb' | 'leaky-close' | 'no-restart' | 'no-lease-guard';
  /** zkfc.health.probe-on-disconnect of every ZKFC (default: the setting's default). */
  readonly probeOnDisconnect?: boolean;
}

export interface SimResult {
  readonly seed: number;
  readonly violations: readonly string[];
  /** Time from the end of the faults to a stable healthy active (undefined: never). */
  readonly recoveryMs: number | undefined;
  readonly failovers: number;
  readonly faults: readonly string[];
  readonly events: number;
  readonly simulatedMs: number;
  readonly messageCounts: ReadonlyMap<string, number>;
  /** Hash of the whole log: equal for two runs of the same seed (determinism). */
  readonly traceHash: number;
  /** The last log lines, for a failing seed. */
  trace(): string;
}

interface TraceEntry {
  readonly atMs: number;
  readonly host: number;
  readonly level: string;
  readonly msg: string;
  readonly fields: object | undefined;
}

interface Host {
  readonly index: number;
  readonly nn: SimulatedNameNode;
  readonly appData: Uint8Array;
  process: SimProcess | undefined;
  zkFactory: SimZkSessionFactory | undefined;
  controller: ControllerRuntime | undefined;
  /** The status model the daemon serves at /status, fed by this controller's records. */
  status: StatusBoard | undefined;
  restartPending: boolean;
  /** A stop() in progress: no admin requests, restart when done. */
  stopping: boolean;
}

export class SimWorld implements SimNetwork {
  readonly scheduler = new SimScheduler();
  readonly rng: Prng;
  readonly zk: SimZkServer;
  readonly hosts: Host[] = [];
  readonly nameNodes: SimulatedNameNode[] = [];
  readonly violations: string[] = [];
  readonly faultLog: string[] = [];
  readonly fenceFaults: FenceFaults;
  readonly fenceMethods: readonly SimFenceMethod[];
  private readonly isolated: number[] = [];
  private readonly pauseAtBreadcrumbWrite = new Map<number, number>();
  private readonly counters = new Map<string, number>();
  private readonly ring: TraceEntry[] = [];
  private ringNext = 0;
  private hash = 0x811c9dc5;
  failovers = 0;
  private stableSinceMs: number | undefined;
  private healedAtMs: number | undefined;

  constructor(readonly options: SimOptions) {
    this.rng = newPrng(options.seed);
    const nodes = options.nodes ?? (this.rng.chance(0.3) ? 3 : 2);
    this.fenceMethods = options.fenceMethods ?? this.rng.pick<readonly SimFenceMethod[]>([['sshfence', 'powerfence'], ['powerfence'], ['sshfence'], ['sshfence', 'powerfence']]);
    this.zk = new SimZkServer(this.scheduler, this.rng, nodes, ['/hadoop-ha', WORKING_DIR]);
    this.fenceFaults = { sshBroken: Array.from({ length: nodes }, () => false), powerBroken: Array.from({ length: nodes }, () => false) };
    this.zk.onClientSend = (host, _kind, path) => {
      // A targeted pause: freeze the ZKFC right after it sent its breadcrumb write (the window
      // between winning the lock and transitionToActive, where a pause is most dangerous).
      const pauseMs = this.pauseAtBreadcrumbWrite.get(host);
      if (path !== BREADCRUMB_PATH || pauseMs === undefined) return;
      this.pauseAtBreadcrumbWrite.delete(host);
      this.trace(host, `ZKFC process paused for ${pauseMs} ms right after sending its breadcrumb write`);
      this.hosts[host]?.process?.pause(pauseMs);
    };
    for (let i = 0; i < nodes; i++) {
      const target = simTarget(i);
      const nn = new SimulatedNameNode(i, target, this);
      this.nameNodes.push(nn);
      this.isolated.push(0);
      this.hosts.push({
        index: i,
        nn,
        appData: encodeActiveNodeInfo({ nameserviceId: NAMESERVICE, namenodeId: target.namenodeId, hostname: target.serviceAddress.host, port: 8020, zkfcPort: 8019 }),
        process: undefined,
        zkFactory: undefined,
        controller: undefined,
        status: undefined,
        restartPending: false,
        stopping: false,
      });
    }
  }

  // -------------------------------------------------------------------------------------------
  // SimNetwork

  hostAddress(index: number): string {
    return simTarget(index).serviceAddress.host;
  }

  reachable(from: number, to: number): boolean {
    return from === to || ((this.isolated[from] ?? 0) === 0 && (this.isolated[to] ?? 0) === 0);
  }

  transitionToActiveSent(from: number, nn: SimulatedNameNode): void {
    for (const other of this.nameNodes) {
      if (other !== nn && other.isActive) {
        this.violation(`ZKFC on host ${from} sent transitionToActive to ${nn.target.namenodeId} while ${other.target.namenodeId} is still active (not fenced, not stood down)`);
      }
    }
  }

  nameNodeChanged(nn: SimulatedNameNode, why: string): void {
    this.trace(nn.index, `NameNode ${nn.target.namenodeId} is now ${nn.haState} (${why})`);
    this.checkSplitBrain();
  }

  nameNodeKilled(nn: SimulatedNameNode): void {
    // The NameNode's own supervisor (systemd, an operator) starts it again after a while.
    const downMs = this.healedAtMs === undefined ? this.rng.int(3000, 20_000) : 2000;
    this.scheduler.schedule(downMs, () => nn.restart(this.rng.int(500, 5000)));
  }

  /** How often each log message occurred (coverage of the scenarios the seeds reach). */
  readonly messageCounts = new Map<string, number>();

  trace(host: number, msg: string, level = 'sim', fields?: object): void {
    this.messageCounts.set(msg, (this.messageCounts.get(msg) ?? 0) + 1);
    const entry: TraceEntry = { atMs: this.scheduler.now(), host, level, msg, fields };
    if (this.ring.length < TRACE_RING) this.ring.push(entry);
    else this.ring[this.ringNext] = entry;
    this.ringNext = (this.ringNext + 1) % TRACE_RING;
    let h = this.hash ^ host;
    for (let i = 0; i < msg.length; i++) h = Math.imul(h ^ msg.charCodeAt(i), 0x01000193);
    this.hash = Math.imul(h ^ (this.scheduler.now() & 0xffffffff), 0x01000193) >>> 0;
  }

  private violation(message: string): void {
    const text = `t=${this.scheduler.now()}ms: ${message}`;
    if (!this.violations.includes(text)) this.violations.push(text);
    this.trace(-1, `VIOLATION ${message}`);
  }

  // -------------------------------------------------------------------------------------------
  // ZKFC processes and their supervisor

  private hostOf(address: HostPort): number {
    return this.hosts.findIndex((host) => host.nn.target.serviceAddress.host === address.host);
  }

  private logFor(index: number): RuntimeLog {
    const write =
      (level: string) =>
      (fields: object, msg: string): void => {
        this.trace(index, msg, level, fields);
      };
    const debug = process.env['SIM_DEBUG'] === '1';
    const log: RuntimeLog = {
      debug: debug ? write('debug') : () => undefined,
      info: write('info'),
      warn: write('warn'),
      error: write('error'),
      fatal: write('fatal'),
      child: () => log,
      isLevelEnabled: (level) => debug || level !== 'debug',
    };
    return log;
  }

  startController(index: number): void {
    const host = this.hosts[index];
    if (host === undefined) return;
    host.restartPending = false;
    const process = new SimProcess(this.scheduler, `zkfc${index + 1}`);
    const zkFactory = new SimZkSessionFactory(this.zk, process, index);
    const mutation = this.options.mutation;
    const zkPort: ZkSessionFactory =
      mutation === 'own-breadcrumb' || mutation === 'leaky-close'
        ? {
            open: (options, listener) => {
              const inner = zkFactory.open(options, listener);
              const wrapper: ZkSession = {
                epoch: inner.epoch,
                sessionId: () => inner.sessionId(),
                negotiatedTimeoutMs: () => inner.negotiatedTimeoutMs(),
                create: (path, data, acl, mode) => inner.create(path, data, acl, mode),
                exists: (path, watch) => inner.exists(path, watch),
                getData: async (path) => {
                  const result = await inner.getData(path);
                  if (mutation !== 'own-breadcrumb' || path !== BREADCRUMB_PATH || result.code !== 'OK') return result;
                  return { code: 'OK', value: { data: host.appData, stat: result.value.stat } };
                },
                setData: (path, data, version) => inner.setData(path, data, version),
                delete: (path, version) => inner.delete(path, version),
                getChildren: (path) => inner.getChildren(path),
                getAcl: (path) => inner.getAcl(path),
                setAcl: (path, acl, version) => inner.setAcl(path, acl, version),
                close: () => (mutation === 'leaky-close' ? Promise.resolve() : inner.close()),
              };
              this.innerOf.set(wrapper, inner);
              return wrapper;
            },
          }
        : zkFactory;
    const settings = defaultSettings();
    const controller = new ControllerRuntime({
      local: simTarget(index),
      peers: this.hosts.filter((other) => other.index !== index).map((other) => simTarget(other.index)),
      appData: host.appData,
      decode: decodeActiveNodeInfo,
      zkSession: { connectString: 'zk1.sim:2181,zk2.sim:2181,zk3.sim:2181', sessionTimeoutMs: SESSION_TIMEOUT_MS, authInfo: [], operationTimeoutMs: SESSION_TIMEOUT_MS },
      workingDir: WORKING_DIR,
      acl: [{ scheme: 'world', id: 'anyone', perms: 31 }],
      failover: settings.failover,
      health: { ...settings.health, ...(this.options.probeOnDisconnect !== undefined ? { probeOnDisconnect: this.options.probeOnDisconnect } : {}) },
      healthConnectTimeoutMs: settings.ipc.connectTimeoutMs,
      ports: {
        clock: new SimClock(process),
        zk: zkPort,
        haService: new SimHAServiceClientFactory(this, process, index, this.nameNodes),
        fencer: new SimFencer(this, process, index, this.nameNodes, this.fenceMethods, this.fenceFaults, mutation === 'lying-fence'),
        zkfcClients: new SimZkfcClientFactory(this, process, index, (address) => this.hostOf(address), (to) => this.endpoint(to)),
      },
      logger: this.logFor(index),
      ...(mutation === 'no-lease-guard' ? { leaseGuardMs: 0 } : {}),
    });
    const status = new StatusBoard({ nameservice: NAMESERVICE, namenode: simTarget(index).namenodeId, namenodeAddress: `nn${index + 1}.sim:8020`, version: 'sim' }, new SimClock(process));
    host.process = process;
    host.zkFactory = zkFactory;
    host.controller = controller;
    host.status = status;
    host.stopping = false;
    controller.onEvent((record) => {
      applyRecord(record, { status });
      if (record.type === 'failover') this.failovers++;
    });
    controller.start().catch(() => undefined);
    void controller.exited.then((exit) => {
      if (host.controller !== controller) return;
      this.trace(index, `ZKFC exited with code ${exit.exitCode}: ${exit.message}`);
      this.killController(index, 'exited');
    });
  }

  private endpoint(index: number): { cedeActive(millis: number, requester: string): Promise<void> } | undefined {
    const host = this.hosts[index];
    const controller = host?.controller;
    if (host === undefined || controller === undefined || host.process?.alive !== true) return undefined;
    return { cedeActive: (millis, requester) => controller.cedeActive(millis, requester) };
  }

  /** SIGKILL (or exit): the process and its timers are gone; systemd restarts it after a delay. */
  killController(index: number, why: string): void {
    const host = this.hosts[index];
    if (host?.process === undefined) return;
    this.trace(index, `ZKFC process gone (${why})`);
    host.process.kill();
    host.zkFactory?.processKilled();
    host.process = undefined;
    host.zkFactory = undefined;
    host.controller = undefined;
    this.scheduleRestart(index, SUPERVISOR_RESTART_DELAY_MS);
  }

  /** SIGTERM: a clean stop (quitElection(true)), then a restart after `downMs`. */
  stopController(index: number, downMs: number): void {
    const host = this.hosts[index];
    const controller = host?.controller;
    if (host === undefined || controller === undefined || host.stopping) return;
    host.stopping = true;
    this.trace(index, 'ZKFC stopping (SIGTERM)');
    void controller.stop().then(() => {
      if (host.controller !== controller) return;
      host.process?.kill();
      host.zkFactory?.processKilled();
      host.process = undefined;
      host.zkFactory = undefined;
      host.controller = undefined;
      host.stopping = false;
      this.scheduleRestart(index, downMs);
    });
  }

  private scheduleRestart(index: number, delayMs: number): void {
    const host = this.hosts[index];
    if (host === undefined || host.restartPending || this.options.mutation === 'no-restart') return;
    host.restartPending = true;
    this.scheduler.schedule(delayMs, () => {
      if (host.controller === undefined && host.restartPending) this.startController(index);
    });
  }

  // -------------------------------------------------------------------------------------------
  // Faults

  private bump(key: string, delta: number): number {
    const value = (this.counters.get(key) ?? 0) + delta;
    this.counters.set(key, value);
    return value;
  }

  private during(key: string, durationMs: number, start: () => void, end: () => void): void {
    if (this.bump(key, 1) === 1) start();
    this.scheduler.schedule(durationMs, () => {
      if (this.bump(key, -1) === 0) end();
    });
  }

  private applyLink(host: number): void {
    const reset = (this.counters.get(`zk-reset-${host}`) ?? 0) > 0;
    const blackhole = (this.counters.get(`zk-blackhole-${host}`) ?? 0) > 0;
    const state: LinkState = reset ? 'reset' : blackhole ? 'blackhole' : 'up';
    this.zk.setLink(host, state);
  }

  private injectRandomFault(remainingMs: number): void {
    const { rng } = this;
    const host = rng.int(0, this.hosts.length - 1);
    const nn = this.nameNodes[host] as SimulatedNameNode;
    const duration = (min: number, max: number): number => Math.max(1, Math.min(rng.int(min, max), remainingMs));
    const kind = rng.pick([
      'zk-partition',
      'zk-partition',
      'zk-partition',
      'zk-outage',
      'expire-session',
      'expire-session',
      'nn-crash',
      'nn-crash',
      'nn-hang',
      'nn-slow',
      'nn-unhealthy',
      'nn-unhealthy',
      'nn-fail-active',
      'nn-fail-standby',
      'host-isolate',
      'host-isolate',
      'zkfc-kill',
      'zkfc-stop',
      'zkfc-pause',
      'zkfc-pause-at-write',
      'graceful-failover',
      'graceful-failover',
      'observer',
      'bad-state',
      'fence-broken',
    ] as const);
    const note = (text: string): void => {
      this.faultLog.push(`t=${this.scheduler.now()} ${text}`);
      this.trace(host, `FAULT ${text}`);
    };
    switch (kind) {
      case 'zk-partition': {
        const how = rng.chance(0.5) ? 'blackhole' : 'reset';
        const d = duration(200, 30_000);
        note(`zk link of host ${host} ${how} for ${d} ms`);
        this.during(`zk-${how}-${host}`, d, () => this.applyLink(host), () => this.applyLink(host));
        return;
      }
      case 'zk-outage': {
        const d = duration(1000, 20_000);
        note(`ZooKeeper quorum lost for ${d} ms`);
        this.during('zk-outage', d, () => this.zk.setQuorum(false), () => this.zk.setQuorum(true));
        return;
      }
      case 'expire-session': {
        const sessions = [...this.zk.sessions.values()].filter((s) => s.host === host && s.ended === undefined);
        if (sessions.length === 0) return;
        const victim = rng.pick(sessions);
        note(`expire session 0x${victim.id.toString(16)} of host ${host}`);
        this.zk.expireSession(victim.id);
        return;
      }
      case 'nn-crash': {
        note(`NameNode ${nn.target.namenodeId} crashes`);
        nn.kill('crash');
        return;
      }
      case 'nn-hang': {
        const d = duration(2000, 70_000);
        note(`NameNode ${nn.target.namenodeId} hangs for ${d} ms`);
        nn.hungUntilMs = Math.max(nn.hungUntilMs, this.scheduler.now() + d);
        return;
      }
      case 'nn-slow': {
        const d = duration(5000, 60_000);
        const slowMs = rng.int(500, 25_000);
        note(`NameNode ${nn.target.namenodeId} transitions take ${slowMs} ms for ${d} ms`);
        this.during(`slow-${host}`, d, () => (nn.slowTransitionMs = slowMs), () => (nn.slowTransitionMs = 0));
        return;
      }
      case 'nn-unhealthy': {
        const d = duration(2000, 40_000);
        note(`NameNode ${nn.target.namenodeId} unhealthy for ${d} ms`);
        this.during(`unhealthy-${host}`, d, () => (nn.healthy = false), () => (nn.healthy = true));
        return;
      }
      case 'nn-fail-active': {
        const d = duration(3000, 40_000);
        note(`NameNode ${nn.target.namenodeId} fails to become active for ${d} ms`);
        this.during(`fail-active-${host}`, d, () => (nn.failToBecomeActive = true), () => (nn.failToBecomeActive = false));
        return;
      }
      case 'nn-fail-standby': {
        const d = duration(3000, 40_000);
        note(`NameNode ${nn.target.namenodeId} fails to become standby for ${d} ms`);
        this.during(`fail-standby-${host}`, d, () => (nn.failToBecomeStandby = true), () => (nn.failToBecomeStandby = false));
        return;
      }
      case 'host-isolate': {
        const d = duration(1000, 30_000);
        const alsoZk = rng.chance(0.5);
        note(`host ${host} isolated from the other hosts${alsoZk ? ' and ZooKeeper' : ''} for ${d} ms`);
        this.during(`isolate-${host}`, d, () => (this.isolated[host] = 1), () => (this.isolated[host] = 0));
        if (alsoZk) this.during(`zk-blackhole-${host}`, d, () => this.applyLink(host), () => this.applyLink(host));
        return;
      }
      case 'zkfc-kill':
        note(`ZKFC on host ${host} killed (SIGKILL)`);
        this.killController(host, 'SIGKILL');
        return;
      case 'zkfc-stop':
        note(`ZKFC on host ${host} stopped (SIGTERM)`);
        this.stopController(host, rng.int(1000, 10_000));
        return;
      case 'zkfc-pause': {
        const d = duration(500, 25_000);
        note(`ZKFC on host ${host} paused (GC / SIGSTOP) for ${d} ms`);
        this.hosts[host]?.process?.pause(d);
        return;
      }
      case 'zkfc-pause-at-write': {
        const d = rng.int(4000, 20_000);
        note(`ZKFC on host ${host} will pause ${d} ms right after its next breadcrumb write`);
        this.pauseAtBreadcrumbWrite.set(host, d);
        return;
      }
      case 'graceful-failover': {
        const controller = this.hosts[host]?.controller;
        if (controller === undefined || this.hosts[host]?.stopping === true) return;
        note(`haadmin -failover to ${nn.target.namenodeId}`);
        controller.gracefulFailover().then(
          () => this.trace(host, 'graceful failover succeeded'),
          (error: unknown) => this.trace(host, `graceful failover failed: ${error instanceof Error ? error.message : String(error)}`),
        );
        return;
      }
      case 'observer': {
        if (nn.process !== 'running' || nn.haState !== 'STANDBY') return;
        const d = duration(3000, 30_000);
        note(`NameNode ${nn.target.namenodeId} made observer by an operator for ${d} ms`);
        nn.setState('OBSERVER', 'haadmin -transitionToObserver');
        this.scheduler.schedule(d, () => {
          if (nn.haState === 'OBSERVER') nn.setState('STANDBY', 'haadmin -transitionToStandby');
        });
        return;
      }
      case 'bad-state':
        if (!nn.isActive) return;
        note(`NameNode ${nn.target.namenodeId} drops to standby by itself`);
        nn.setState('STANDBY', 'spontaneous');
        return;
      case 'fence-broken': {
        const d = duration(2000, 30_000);
        const which = rng.chance(0.5) ? 'ssh' : 'power';
        note(`${which} fencing of ${nn.target.namenodeId} broken for ${d} ms`);
        const flags = which === 'ssh' ? this.fenceFaults.sshBroken : this.fenceFaults.powerBroken;
        this.during(`fence-${which}-${host}`, d, () => (flags[host] = true), () => (flags[host] = false));
        return;
      }
      default: {
        const never: never = kind;
        throw new Error(`unknown fault ${String(never)}`);
      }
    }
  }

  /** End every fault: links up, NameNodes running and healthy, ZKFCs running. */
  heal(): void {
    this.trace(-1, 'HEAL: all faults end');
    this.counters.clear();
    this.pauseAtBreadcrumbWrite.clear();
    for (let i = 0; i < this.hosts.length; i++) {
      this.isolated[i] = 0;
      this.zk.setLink(i, 'up');
      this.fenceFaults.sshBroken[i] = false;
      this.fenceFaults.powerBroken[i] = false;
      const nn = this.nameNodes[i] as SimulatedNameNode;
      nn.healthy = true;
      nn.hungUntilMs = 0;
      nn.slowTransitionMs = 0;
      nn.failToBecomeActive = false;
      nn.failToBecomeStandby = false;
      if (nn.haState === 'OBSERVER') nn.setState('STANDBY', 'haadmin -transitionToStandby');
      if (nn.process === 'dead') nn.restart(this.rng.int(500, 3000));
      const host = this.hosts[i] as Host;
      if (host.controller === undefined && !host.stopping) this.scheduleRestart(i, 0);
    }
    this.zk.setQuorum(true);
  }

  // -------------------------------------------------------------------------------------------
  // Invariants

  private checkSplitBrain(): void {
    const active = this.nameNodes.filter((nn) => nn.isActive);
    if (active.length > 1) this.violation(`split brain: ${active.map((nn) => nn.target.namenodeId).join(' and ')} are both active`);
  }

  private checkLock(): void {
    const lock = this.zk.znode(LOCK_PATH);
    if (lock === undefined) return;
    const owner = this.zk.sessions.get(lock.ephemeralOwner);
    if (owner === undefined || owner.ended !== undefined) {
      this.violation('the lock is owned by a session the server ended');
      return;
    }
    const client = owner.client;
    if (client === undefined) return; // closed or lost by its process: the server ends it within the timeout
    const host = this.hosts[owner.host];
    if (host === undefined || host.zkFactory === undefined || !host.zkFactory.opened.includes(client) || host.controller === undefined) return;
    if (!this.uses(host.controller, client)) {
      this.violation(`leaked lock: host ${owner.host} holds the lock with a session (0x${owner.id.toString(16)}) its ZKFC no longer uses`);
    }
  }

  private readonly innerOf = new WeakMap<ZkSession, ZkSession>();

  private uses(controller: ControllerRuntime, client: ZkSession): boolean {
    return controller.liveZkSessions().some((live) => live === client || this.innerOf.get(live) === client);
  }

  /** The state liveness wants: exactly one active NameNode, owned lock, matching breadcrumb. */
  private healthyActive(): boolean {
    const active = this.nameNodes.filter((nn) => nn.isActive);
    if (active.length !== 1) return false;
    const nn = active[0] as SimulatedNameNode;
    const host = this.hosts[nn.index] as Host;
    const controller = host.controller;
    if (controller === undefined || host.process?.alive !== true) return false;
    const snapshot = controller.coreSnapshot();
    if (snapshot.elector.state !== 'ACTIVE' || snapshot.healthState !== 'SERVICE_HEALTHY') return false;
    const lock = this.zk.znode(LOCK_PATH);
    if (lock === undefined || lock.ephemeralOwner !== snapshot.elector.sessionId) return false;
    const crumb = this.zk.znode(BREADCRUMB_PATH);
    if (crumb === undefined) return false;
    try {
      return decodeActiveNodeInfo(crumb.data).namenodeId === nn.target.namenodeId;
    } catch {
      return false;
    }
  }

  private afterEvent(): void {
    this.checkSplitBrain();
    this.checkLock();
    if (this.healedAtMs !== undefined) {
      if (this.healthyActive()) this.stableSinceMs ??= this.scheduler.now();
      else this.stableSinceMs = undefined;
    }
  }

  private checkEnd(): void {
    // No live server session may be unused by its ZKFC (sessions of dead processes are expired by now).
    for (const session of this.zk.sessions.values()) {
      if (session.ended !== undefined) continue;
      const host = this.hosts[session.host];
      const client = session.client;
      if (host?.controller === undefined || client === undefined) {
        this.violation(`leaked session 0x${session.id.toString(16)} of host ${session.host} still alive at the end`);
        continue;
      }
      if (!this.uses(host.controller, client)) this.violation(`leaked session 0x${session.id.toString(16)} of host ${session.host} still alive at the end (not used by its ZKFC)`);
    }
    for (const host of this.hosts) {
      const state = host.controller?.coreSnapshot().elector.state;
      if (host.nn.isActive) continue;
      if (state !== 'STANDBY') this.violation(`at the end ${host.nn.target.namenodeId}'s ZKFC is ${state ?? 'not running'}, expected STANDBY`);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Running

  /** Run the standard seeded scenario: start, faults for a while, heal, quiet period. */
  async run(): Promise<SimResult> {
    const { rng } = this;
    const chaosMs = this.options.chaosMs ?? rng.int(30_000, 90_000);
    const quietMs = this.options.quietMs ?? RECOVERY_BOUND_MS + 20_000;
    for (let i = 0; i < this.hosts.length; i++) this.scheduler.schedule(rng.int(0, 3000), () => this.startController(i));
    if (this.options.randomFaults !== false) {
      const count = rng.int(3, 18);
      for (let k = 0; k < count; k++) {
        const at = rng.int(5000, chaosMs - 500);
        this.scheduler.schedule(at, () => this.injectRandomFault(chaosMs - at));
      }
    }
    await this.runFor(chaosMs);
    this.heal();
    this.healedAtMs = this.scheduler.now();
    await this.runFor(quietMs);
    const recoveryMs = this.stableSinceMs === undefined ? undefined : this.stableSinceMs - (this.healedAtMs ?? 0);
    if (recoveryMs === undefined) this.violation(`no stable healthy active within ${quietMs} ms after the faults stopped`);
    else if (recoveryMs > RECOVERY_BOUND_MS) this.violation(`recovery took ${recoveryMs} ms, more than the bound ${RECOVERY_BOUND_MS} ms`);
    this.checkEnd();
    return this.result(recoveryMs);
  }

  async runFor(ms: number): Promise<void> {
    await this.scheduler.runUntil(this.scheduler.now() + ms, () => this.afterEvent());
  }

  /** Run (checking invariants) until `condition` holds or `limitMs` passes; returns whether it held. */
  async runUntil(condition: () => boolean, limitMs: number): Promise<boolean> {
    return this.scheduler.runUntilTrue(this.scheduler.now() + limitMs, () => this.afterEvent(), condition);
  }

  /** Indexes of the NameNodes that are active right now. */
  activeNameNodes(): number[] {
    return this.nameNodes.filter((nn) => nn.isActive).map((nn) => nn.index);
  }

  /** Index of the host whose current session owns the lock, or null. */
  lockHolder(): number | null {
    const lock = this.zk.znode(LOCK_PATH);
    if (lock === undefined) return null;
    return this.zk.sessions.get(lock.ephemeralOwner)?.host ?? null;
  }

  breadcrumbHolder(): string | null {
    const crumb = this.zk.znode(BREADCRUMB_PATH);
    if (crumb === undefined) return null;
    try {
      return decodeActiveNodeInfo(crumb.data).namenodeId;
    } catch {
      return null;
    }
  }

  /** Mark the start of the liveness window (scenario tests). */
  markHealed(): void {
    this.healedAtMs = this.scheduler.now();
    this.stableSinceMs = this.healthyActive() ? this.scheduler.now() : undefined;
  }

  result(recoveryMs: number | undefined): SimResult {
    const ring = this.ring;
    const next = this.ringNext;
    return {
      seed: this.options.seed,
      violations: [...this.violations],
      recoveryMs,
      failovers: this.failovers,
      faults: [...this.faultLog],
      events: this.scheduler.eventsRun,
      simulatedMs: this.scheduler.now(),
      messageCounts: this.messageCounts,
      traceHash: this.hash,
      trace: () => {
        const ordered = ring.length < TRACE_RING ? ring : [...ring.slice(next), ...ring.slice(0, next)];
        return ordered.map((e) => `${String(e.atMs).padStart(7)} ${e.host < 0 ? 'world' : `h${e.host}`.padEnd(5)} ${e.level.padEnd(5)} ${e.msg}${e.fields === undefined ? '' : ` ${safeJson(e.fields)}`}`).join('\n');
      },
    };
  }
}

function safeJson(value: object): string {
  try {
    const text = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v));
    return text === '{}' ? '' : text;
  } catch {
    return '';
  }
}

/** Run one seed of the standard scenario. */
export async function runSeed(seed: number, overrides: Omit<SimOptions, 'seed'> = {}): Promise<SimResult> {
  return new SimWorld({ seed, ...overrides }).run();
}
