// The simulated cluster: N hosts, each with a NameNode and a ZKFC process (the real
// ControllerRuntime: core + runtime) wired to simulated ports, one ZooKeeper ensemble, a
// network, a supervisor that restarts dead ZKFCs (systemd Restart=on-failure), and a seeded fault
// schedule. Invariants are checked after every simulated event; a run ends with a quiet period in
// which every fault is healed and a healthy active must appear within a stated bound. This file
// only wires and runs: the faults are sim-faults.ts, the invariant checkers sim-checkers.ts.
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
//     and it stays so until the end;
//  5. readiness: no ZKFC promotes its NameNode (transitionToActive to a NameNode that is not
//     active, from a controller that does not expect it active) on a verdict of "not ready"
//     (sim-readiness.ts models what the gate reads; the escape hatch's verdict is "ready").

import { encodeActiveNodeInfo, decodeActiveNodeInfo } from '../../src/hadoop/active-node-info.js';
import type { HostPort, NamenodeTarget } from '../../src/core/types.js';
import { defaultSettings } from '../../src/config/load.js';
import { applyRecord } from '../../src/observability/apply-record.js';
import { StatusBoard } from '../../src/observability/status.js';
import { ControllerRuntime } from '../../src/runtime/controller-runtime.js';
import type { RuntimeLog } from '../../src/runtime/logging.js';
import type { ZkAcl, ZkAuthInfo, ZkSession, ZkSessionFactory } from '../../src/runtime/ports.js';
import {
  SimFencer,
  SimHAServiceClientFactory,
  SimulatedNameNode,
  SimZkfcClientFactory,
  type SimFenceMethod,
  type SimNetwork,
} from './sim-namenode.js';
import { SimCheckers } from './sim-checkers.js';
import { SimFaults } from './sim-faults.js';
import { SIM_READINESS_POLICY, SimReadiness } from './sim-readiness.js';
import { newPrng, type Prng, SimClock, SimProcess, SimScheduler } from './sim-scheduler.js';
import { encodePause, pausePath } from '../../src/runtime/maintenance-pause.js';
import { OPEN_ACL, SimZkServer, SimZkSessionFactory } from './sim-zookeeper.js';

export const NAMESERVICE = 'ns1';
export const WORKING_DIR = `/hadoop-ha/${NAMESERVICE}`;
const PAUSE_PATH = pausePath(WORKING_DIR);
export const LOCK_PATH = `${WORKING_DIR}/ActiveStandbyElectorLock`;
export const BREADCRUMB_PATH = `${WORKING_DIR}/ActiveBreadCrumb`;
/** After the last fault ends, a healthy, stable active must exist within this bound. */
export const RECOVERY_BOUND_MS = 60_000;
/** systemd RestartSec for a ZKFC that exited. */
const SUPERVISOR_RESTART_DELAY_MS = 5000;
const SESSION_TIMEOUT_MS = 10_000;
const TRACE_RING = Number(process.env['SIM_TRACE_LINES'] ?? 400);

export function simTarget(index: number): NamenodeTarget {
  return {
    nameserviceId: NAMESERVICE,
    namenodeId: `nn${index + 1}`,
    serviceAddress: { host: `nn${index + 1}.sim`, port: 8020 },
    zkfcPort: 8019,
  };
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
  /**
   * Operators' maintenance pauses during the faults (haadmin pause; every ZKFC runs its pause
   * monitor). Default: on for about half the seeds, drawn from a PRNG of their own so the fault
   * schedule stays what it was; never with a mutation (those tests count on their seeds' timing).
   */
  readonly maintenancePauses?: boolean;
  /**
   * The readiness gate in every ZKFC, and the NameNode side of it (sim-readiness.ts: transaction
   * ids, stalled tailers, safe mode after a restart). Default: on for three seeds in four (by
   * seed), never with a mutation (those tests count on their seeds' timing).
   */
  readonly readinessGate?: boolean;
  /** zkfc.zookeeper.retry-forever of every ZKFC (default: on for three hosts in four, by seed and host). */
  readonly zkRetryForever?: boolean;
  /** zkfc.anti-flap.* of every ZKFC (default: as shipped, the settings' defaults). */
  readonly antiFlap?: { readonly maxFailovers: number; readonly windowMs: number };
  /** zkfc.health.probe-on-disconnect of every ZKFC (default: the setting's default). */
  readonly probeOnDisconnect?: boolean;
  /**
   * ha.zookeeper.acl and ha.zookeeper.auth of every ZKFC (default: world:anyone:rwcda, no auth).
   * The working znode is created with the same ACL, as zkfc -formatZK does.
   */
  readonly zkSecurity?: { readonly acl: readonly ZkAcl[]; readonly authInfo: readonly ZkAuthInfo[] };
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

export interface Host {
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
  readonly faultLog: string[] = [];
  readonly faults: SimFaults;
  readonly checkers: SimCheckers;
  readonly fenceMethods: readonly SimFenceMethod[];
  /** The sessions the mutation wrappers stand for (a ZKFC uses the wrapper, the server knows the inner one). */
  readonly innerOf = new WeakMap<ZkSession, ZkSession>();
  private readonly ring: TraceEntry[] = [];
  private ringNext = 0;
  private hash = 0x811c9dc5;
  failovers = 0;
  /** When the faults stopped (the liveness window opened), if they have. */
  private healedAtMs: number | undefined;
  /** Draws the maintenance pauses, apart from `rng` (SimOptions.maintenancePauses). */
  private readonly pauseRng: Prng;
  readonly pausesOn: boolean;
  /** The readiness model (SimOptions.readinessGate), with a PRNG of its own. */
  readonly readiness: SimReadiness | undefined;

  constructor(readonly options: SimOptions) {
    this.rng = newPrng(options.seed);
    this.pauseRng = newPrng((options.seed * 2_654_435_761 + 0x5eed) >>> 0);
    this.pausesOn = options.maintenancePauses ?? (options.mutation === undefined && this.pauseRng.chance(0.5));
    const nodes = options.nodes ?? (this.rng.chance(0.3) ? 3 : 2);
    this.fenceMethods =
      options.fenceMethods ??
      this.rng.pick<readonly SimFenceMethod[]>([
        ['sshfence', 'powerfence'],
        ['powerfence'],
        ['sshfence'],
        ['sshfence', 'powerfence'],
      ]);
    this.zk = new SimZkServer(
      this.scheduler,
      this.rng,
      nodes,
      ['/hadoop-ha', WORKING_DIR],
      options.zkSecurity?.acl ?? OPEN_ACL,
    );
    this.faults = new SimFaults(this, nodes);
    this.checkers = new SimCheckers(this, { lock: LOCK_PATH, breadcrumb: BREADCRUMB_PATH });
    this.zk.onClientSend = (host, _kind, path) => {
      if (path === BREADCRUMB_PATH) this.faults.breadcrumbWriteSent(host);
    };
    for (let i = 0; i < nodes; i++) {
      const target = simTarget(i);
      const nn = new SimulatedNameNode(i, target, this);
      this.nameNodes.push(nn);
      this.hosts.push({
        index: i,
        nn,
        appData: encodeActiveNodeInfo({
          nameserviceId: NAMESERVICE,
          namenodeId: target.namenodeId,
          hostname: target.serviceAddress.host,
          port: 8020,
          zkfcPort: 8019,
        }),
        process: undefined,
        zkFactory: undefined,
        controller: undefined,
        status: undefined,
        restartPending: false,
        stopping: false,
      });
    }
    const readinessOn = options.readinessGate ?? (options.mutation === undefined && options.seed % 4 !== 3);
    this.readiness = readinessOn
      ? new SimReadiness(this, newPrng((options.seed * 2_246_822_519 + 0x7ead) >>> 0))
      : undefined;
  }

  // -------------------------------------------------------------------------------------------
  // SimNetwork

  hostAddress(index: number): string {
    return simTarget(index).serviceAddress.host;
  }

  reachable(from: number, to: number): boolean {
    return this.faults.reachable(from, to);
  }

  transitionToActiveSent(from: number, nn: SimulatedNameNode): void {
    this.checkers.transitionToActiveSent(from, nn);
  }

  inSafemode(nn: SimulatedNameNode): boolean {
    return this.readiness?.inSafemode(nn) ?? false;
  }

  nameNodeChanged(nn: SimulatedNameNode, why: string): void {
    this.trace(nn.index, `NameNode ${nn.target.namenodeId} is now ${nn.haState} (${why})`);
    this.readiness?.stateChanged(nn);
    this.checkers.checkSplitBrain();
  }

  nameNodeKilled(nn: SimulatedNameNode): void {
    // The NameNode's own supervisor (systemd, an operator) starts it again after a while.
    const downMs = this.healedAtMs === undefined ? this.rng.int(3000, 20_000) : 2000;
    this.scheduler.schedule(downMs, () => {
      const startupMs = this.rng.int(500, 5000);
      nn.restart(startupMs);
      this.readiness?.restarted(nn, startupMs);
    });
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

  /** The invariant violations found so far. */
  get violations(): readonly string[] {
    return this.checkers.violations;
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
      zkSession: {
        connectString: 'zk1.sim:2181,zk2.sim:2181,zk3.sim:2181',
        sessionTimeoutMs: SESSION_TIMEOUT_MS,
        authInfo: this.options.zkSecurity?.authInfo ?? [],
        operationTimeoutMs: SESSION_TIMEOUT_MS,
      },
      workingDir: WORKING_DIR,
      acl: this.options.zkSecurity?.acl ?? OPEN_ACL,
      failover: settings.failover,
      health: {
        ...settings.health,
        ...(this.options.probeOnDisconnect !== undefined ? { probeOnDisconnect: this.options.probeOnDisconnect } : {}),
      },
      healthConnectTimeoutMs: settings.ipc.connectTimeoutMs,
      // As shipped: never give up on ZooKeeper (zkfc.zookeeper.retry-forever), unless a seed says
      // otherwise (Hadoop's exit-and-restart path stays covered).
      ...(this.pausesOn ? { pause: { checkIntervalMs: 2000, maxTtlMs: settings.pause.maxTtlMs } } : {}),
      zkRetry: {
        // (From the seed and host, not the PRNG: the fault schedule of a seed stays what it was.)
        retryForever: this.options.zkRetryForever ?? (this.options.seed + index) % 4 !== 0,
        maxBackoffMs: settings.zk.retryMaxBackoffMs,
      },
      // Anti-flap on: as shipped (zkfc.anti-flap.*: 3 in 10 min) for three seeds in four, and at
      // its tightest (1 in 10 min) for the others, so that the seeds hold failovers back often.
      antiFlap: this.antiFlapConfig(settings.antiFlap),
      ...(this.readiness !== undefined ? { readiness: { policy: SIM_READINESS_POLICY, httpView: true } } : {}),
      ports: {
        clock: new SimClock(process),
        zk: zkPort,
        haService: new SimHAServiceClientFactory(this, process, index, this.nameNodes),
        fencer: new SimFencer(
          this,
          process,
          index,
          this.nameNodes,
          this.fenceMethods,
          this.faults.fence,
          mutation === 'lying-fence',
        ),
        zkfcClients: new SimZkfcClientFactory(
          this,
          process,
          index,
          (address) => this.hostOf(address),
          (to) => this.endpoint(to),
        ),
      },
      logger: this.logFor(index),
      ...(mutation === 'no-lease-guard' ? { leaseGuardMs: 0 } : {}),
    });
    const status = new StatusBoard(
      {
        nameservice: NAMESERVICE,
        namenode: simTarget(index).namenodeId,
        namenodeAddress: `nn${index + 1}.sim:8020`,
        version: 'sim',
      },
      new SimClock(process),
    );
    status.configureAntiFlap(this.antiFlapConfig(settings.antiFlap));
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
    this.readiness?.startViews(index, process, controller);
    void controller.exited.then((exit) => {
      if (host.controller !== controller) return;
      this.trace(index, `ZKFC exited with code ${exit.exitCode}: ${exit.message}`);
      this.killController(index, 'exited');
    });
  }

  /** zkfc.anti-flap.* of every ZKFC: the option, else by seed (from the seed, not the PRNG). */
  private antiFlapConfig(shipped: { readonly maxFailovers: number; readonly windowMs: number }): {
    readonly maxFailovers: number;
    readonly windowMs: number;
  } {
    if (this.options.antiFlap !== undefined) return this.options.antiFlap;
    return Math.floor(this.options.seed / 2) % 4 === 0 ? { maxFailovers: 1, windowMs: shipped.windowMs } : shipped;
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
    this.processGone(host);
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
      this.processGone(host);
      host.stopping = false;
      this.scheduleRestart(index, downMs);
    });
  }

  /** The ZKFC process of `host` is gone: its timers and ZooKeeper sessions with it. */
  private processGone(host: Host): void {
    host.process?.kill();
    host.zkFactory?.processKilled();
    host.process = undefined;
    host.zkFactory = undefined;
    host.controller = undefined;
  }

  /** systemd's Restart=: start the ZKFC of host `index` again after `delayMs` (not twice). */
  scheduleRestart(index: number, delayMs: number): void {
    const host = this.hosts[index];
    if (host === undefined || host.restartPending || this.options.mutation === 'no-restart') return;
    host.restartPending = true;
    this.scheduler.schedule(delayMs, () => {
      if (host.controller === undefined && host.restartPending) this.startController(index);
    });
  }

  // -------------------------------------------------------------------------------------------
  // Running

  /** Run the standard seeded scenario: start, faults for a while, heal, quiet period. */
  async run(): Promise<SimResult> {
    const { rng } = this;
    const chaosMs = this.options.chaosMs ?? rng.int(30_000, 90_000);
    const quietMs = this.options.quietMs ?? RECOVERY_BOUND_MS + 20_000;
    for (let i = 0; i < this.hosts.length; i++)
      this.scheduler.schedule(rng.int(0, 3000), () => this.startController(i));
    if (this.options.randomFaults !== false) {
      const count = rng.int(3, 18);
      for (let k = 0; k < count; k++) {
        const at = rng.int(5000, chaosMs - 500);
        this.scheduler.schedule(at, () => this.faults.injectRandom(chaosMs - at));
      }
    }
    if (this.options.randomFaults !== false && this.pausesOn) this.schedulePauses(chaosMs);
    this.readiness?.start();
    if (this.options.randomFaults !== false && this.readiness !== undefined) this.scheduleReadinessFaults(chaosMs);
    await this.runFor(chaosMs);
    this.faults.heal();
    this.readiness?.heal();
    this.zk.operatorWrite(PAUSE_PATH, null);
    this.healedAtMs = this.scheduler.now();
    this.checkers.openLivenessWindow(false);
    await this.runFor(quietMs);
    const stableSinceMs = this.checkers.stableSinceMs;
    const recoveryMs = stableSinceMs === undefined ? undefined : stableSinceMs - this.healedAtMs;
    if (recoveryMs === undefined)
      this.checkers.violation(`no stable healthy active within ${quietMs} ms after the faults stopped`);
    else if (recoveryMs > RECOVERY_BOUND_MS)
      this.checkers.violation(`recovery took ${recoveryMs} ms, more than the bound ${RECOVERY_BOUND_MS} ms`);
    this.checkers.checkEnd();
    return this.result(recoveryMs);
  }

  /**
   * One to three maintenance pauses during the faults, each ended by `haadmin resume` (the znode
   * deleted) or by its TTL, all before the faults stop.
   */
  private schedulePauses(chaosMs: number): void {
    const rng = this.pauseRng;
    const count = rng.int(1, 3);
    for (let k = 0; k < count; k++) {
      const at = rng.int(5000, chaosMs - 3000);
      const durationMs = Math.min(rng.int(2000, 30_000), chaosMs - at - 1000);
      const byTtl = rng.chance(0.5);
      this.scheduler.schedule(at, () => {
        const wallMs = 1_700_000_000_000 + this.scheduler.now();
        const untilWallMs = wallMs + (byTtl ? durationMs : 600_000);
        this.faultLog.push(
          `t=${this.scheduler.now()} maintenance pause for ${durationMs} ms (${byTtl ? 'TTL' : 'resume'})`,
        );
        this.trace(-1, `FAULT maintenance pause for ${durationMs} ms, ended by ${byTtl ? 'its TTL' : 'resume'}`);
        this.zk.operatorWrite(
          PAUSE_PATH,
          encodePause({ atWallMs: wallMs, untilWallMs, reason: 'sim maintenance', by: 'sim@operator' }),
        );
        if (!byTtl)
          this.scheduler.schedule(durationMs, () => {
            this.trace(-1, 'FAULT haadmin resume');
            this.zk.operatorWrite(PAUSE_PATH, null);
          });
      });
    }
  }

  /** Zero to three readiness faults (stalled tailers, safe mode), drawn apart from the other faults. */
  private scheduleReadinessFaults(chaosMs: number): void {
    const readiness = this.readiness;
    if (readiness === undefined) return;
    const rng = newPrng((this.options.seed * 1_597_334_677 + 0xfa17) >>> 0);
    const count = rng.int(0, 3);
    for (let k = 0; k < count; k++) {
      const at = rng.int(3000, chaosMs - 1000);
      this.scheduler.schedule(at, () => readiness.injectRandom(chaosMs - at));
    }
  }

  async runFor(ms: number): Promise<void> {
    await this.scheduler.runUntil(this.scheduler.now() + ms, () => this.checkers.afterEvent());
  }

  /** Run (checking invariants) until `condition` holds or `limitMs` passes; returns whether it held. */
  async runUntil(condition: () => boolean, limitMs: number): Promise<boolean> {
    return this.scheduler.runUntilTrue(this.scheduler.now() + limitMs, () => this.checkers.afterEvent(), condition);
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
    this.checkers.openLivenessWindow(true);
  }

  result(recoveryMs: number | undefined): SimResult {
    const ring = this.ring;
    const next = this.ringNext;
    return {
      seed: this.options.seed,
      violations: [...this.checkers.violations],
      recoveryMs,
      failovers: this.failovers,
      faults: [...this.faultLog],
      events: this.scheduler.eventsRun,
      simulatedMs: this.scheduler.now(),
      messageCounts: this.messageCounts,
      traceHash: this.hash,
      trace: () => {
        const ordered = ring.length < TRACE_RING ? ring : [...ring.slice(next), ...ring.slice(0, next)];
        return ordered
          .map(
            (e) =>
              `${String(e.atMs).padStart(7)} ${e.host < 0 ? 'world' : `h${e.host}`.padEnd(5)} ` +
              `${e.level.padEnd(5)} ${e.msg}${e.fields === undefined ? '' : ` ${safeJson(e.fields)}`}`,
          )
          .join('\n');
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
