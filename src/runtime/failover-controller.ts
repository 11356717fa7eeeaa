// FailoverController: one ZKFC for one local NameNode, built from plain config values and ports.
// It wires the pure core (ZKFailoverController: elector + health classification + controller
// logic) to the world: one mailbox feeds it events one at a time, the executor runs its commands
// through the ports, the health poller probes the NameNode with Hadoop's cadence, and
// graceful-failover.ts runs haadmin -failover's phases. Admin entry points (cedeActive,
// gracefulFailover) are what the ZKFCProtocol server calls; status() and onEvent() feed the
// status page and metrics.
//
// Lifecycle (docs/hadoop-compat.md §7.1 step 9): start() connects to ZooKeeper first (failing fast: exit code 6),
// then starts the health monitor; from then on health decides whether we run for the lock.
// stop() quits the election with needFence=true, as Java does on shutdown: the lock goes at once,
// the breadcrumb stays, and the next active fences this NameNode (gracefully first). stop() never
// touches the NameNode. A fatal error ends the controller: `exited` resolves with the exit code
// and message; the composition root then exits the process.
//
// Not here: configuration parsing, the RPC server, process signals, metrics registries.

import { ZKFailoverController, type ActiveAttempt, type ControllerSnapshot } from '../core/controller/controller.js';
import type { ControllerEvent } from '../core/controller/events.js';
import { znodeWorkingDir, type ZkConnectionState } from '../core/elector/elector.js';
import type { DecodedBreadcrumb } from '../core/elector/events.js';
import type { ActiveNodeInfo, ElectorState, HAServiceState, HealthState, NamenodeTarget } from '../core/types.js';
import { decodeActiveNodeInfo, encodeActiveNodeInfo } from '../hadoop/active-node-info.js';
import { ControllerExitedError, ControllerNotRunningError, FailoverServiceError } from './errors.js';
import { CommandExecutor } from './executor.js';
import { runGracefulFailover } from './graceful-failover.js';
import { HEALTH_POLLER_DEFAULTS, HealthPoller } from './health-poller.js';
import { logNote, type RuntimeLog } from './logging.js';
import { Mailbox } from './mailbox.js';
import type {
  Cancel,
  Clock,
  Fencer,
  HAServiceClient,
  HAServiceClientFactory,
  ZkAcl,
  ZkAuthInfo,
  ZkOpResult,
  ZkSession,
  ZkSessionFactory,
  ZkfcClientFactory,
} from './ports.js';
import type { ControllerRecord, ControllerRecordListener, FailoverRecord } from './records.js';

/** world:anyone:rwcda, Hadoop's ha.zookeeper.acl default. */
export const DEFAULT_ZK_ACL: readonly ZkAcl[] = [{ scheme: 'world', id: 'anyone', perms: 31 }];

export interface FailoverControllerZkOptions {
  /** ha.zookeeper.quorum */
  readonly connectString: string;
  /** ha.zookeeper.session-timeout.ms (10000). */
  readonly sessionTimeoutMs?: number;
  /** ha.zookeeper.parent-znode (/hadoop-ha); the working dir is <parent>/<nameservice>. */
  readonly parentZnode?: string;
  /** Overrides the working dir computed from parentZnode and the nameservice. */
  readonly workingDir?: string;
  /** ha.zookeeper.acl, parsed (default world:anyone:rwcda). */
  readonly acl?: readonly ZkAcl[];
  /** ha.zookeeper.auth, parsed. */
  readonly authInfo?: readonly ZkAuthInfo[];
  /** ha.failover-controller.active-standby-elector.zk.op.retries (3). */
  readonly opRetries?: number;
  /** Deadline of each ZooKeeper operation (default: the session timeout). */
  readonly operationTimeoutMs?: number;
}

export interface FailoverControllerTiming {
  /** ha.health-monitor.check-interval.ms (1000) */
  readonly healthCheckIntervalMs?: number;
  /** ha.health-monitor.connect-retry-interval.ms (1000) */
  readonly healthConnectRetryIntervalMs?: number;
  /** ha.health-monitor.rpc-timeout.ms (45000) */
  readonly healthRpcTimeoutMs?: number;
  /** ha.health-monitor.sleep-after-disconnect.ms (1000) */
  readonly healthSleepAfterDisconnectMs?: number;
  /** Connect timeout of the health monitor's connection (ipc.client.connect.timeout, 20000). */
  readonly healthConnectTimeoutMs?: number;
  /** ha.failover-controller.graceful-fence.rpc-timeout.ms (5000); cede time = 2x. */
  readonly gracefulFenceTimeoutMs?: number;
  /** ha.failover-controller.new-active.rpc-timeout.ms (60000) */
  readonly newActiveRpcTimeoutMs?: number;
  /** SLEEP_AFTER_FAILURE_TO_BECOME_ACTIVE (1000) */
  readonly sleepAfterFailureToBecomeActiveMs?: number;
  /** Sleep between reEstablishSession attempts (5000) */
  readonly reEstablishSessionRetryDelayMs?: number;
  /**
   * Lease guard (not in Hadoop; see ElectorConfig.leaseGuardMs): abandon an activation whose
   * breadcrumb write took longer than this, because a pause that long may have cost us the lock.
   * Default: a third of the session timeout. 0 turns it off (Hadoop's behaviour).
   */
  readonly leaseGuardMs?: number;
}

export interface FailoverControllerPorts {
  readonly clock: Clock;
  readonly zk: ZkSessionFactory;
  readonly haService: HAServiceClientFactory;
  readonly fencer: Fencer;
  readonly zkfcClients: ZkfcClientFactory;
}

export interface FailoverControllerOptions {
  readonly local: NamenodeTarget;
  /** Every other NameNode of the nameservice. */
  readonly peers: readonly NamenodeTarget[];
  /** ActiveNodeInfo bytes for the lock and breadcrumb; default: encoded from `local`. */
  readonly appData?: Uint8Array;
  readonly zk: FailoverControllerZkOptions;
  readonly timing?: FailoverControllerTiming;
  readonly ports: FailoverControllerPorts;
  readonly logger: RuntimeLog;
  /** Bound on queued events (default 10000). */
  readonly maxQueuedEvents?: number;
  /** Bound on concurrent cedeActive requests (default 16; Java serves ZKFCProtocol with 3 handlers). */
  readonly maxPendingCedeRequests?: number;
}

export interface ExitInfo {
  readonly exitCode: number;
  readonly message: string;
}

export interface FailoverControllerStatus {
  readonly nameservice: string;
  readonly namenode: string;
  readonly electorState: ElectorState;
  readonly zkConnectionState: ZkConnectionState;
  readonly zkSessionId: bigint | undefined;
  readonly inElection: boolean;
  /** Which step of becoming active is under way, if any. */
  readonly activationStep: string | undefined;
  readonly healthState: HealthState;
  /** The HA state this ZKFC expects of its NameNode (Java's serviceState). */
  readonly expectedServiceState: HAServiceState;
  /** The HA state the NameNode reported in the last round that reached it; null if it did not. */
  readonly reportedServiceState: HAServiceState | null;
  readonly lockHolder: ActiveNodeInfo | null;
  readonly breadcrumb: ActiveNodeInfo | null;
  readonly lastFailover: FailoverRecord | null;
  readonly lastActiveAttempt: ActiveAttempt | null;
  readonly cededUntilWallMs: number | null;
  readonly stopped: boolean;
  readonly exit: ExitInfo | null;
}

interface PendingCede {
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

interface AttemptWaiter {
  readonly sinceMs: number;
  readonly resolve: (attempt: ActiveAttempt | null) => void;
  readonly cancel: Cancel;
}

export class FailoverController {
  /** Resolves once, when the controller has exited after a fatal error (never after a clean stop()). */
  readonly exited: Promise<ExitInfo>;

  private readonly options: FailoverControllerOptions;
  private readonly clock: Clock;
  private readonly log: RuntimeLog;
  private readonly core: ZKFailoverController;
  private readonly mailbox: Mailbox<ControllerEvent>;
  private readonly executor: CommandExecutor;
  private readonly poller: HealthPoller;
  private readonly localClient: HAServiceClient;
  private readonly sessionTimeoutMs: number;
  private readonly opRetries: number;
  private readonly gracefulFenceTimeoutMs: number;
  private readonly maxPendingCedes: number;
  private readonly listeners = new Set<ControllerRecordListener>();
  private readonly pendingCedes = new Map<number, PendingCede>();
  private readonly attemptWaiters = new Set<AttemptWaiter>();
  private nextRequestId = 1;
  private gracefulInProgress = false;

  private resolveExited!: (info: ExitInfo) => void;
  private exitInfo: ExitInfo | undefined;
  private started = false;
  private stopping: Promise<void> | undefined;
  private startWaiters: { resolve: () => void; reject: (error: Error) => void }[] = [];
  private healthStarted = false;

  // Status-only observations.
  private reportedServiceState: HAServiceState | null = null;
  private lockHolder: ActiveNodeInfo | null = null;
  private breadcrumb: ActiveNodeInfo | null = null;
  private lastFailover: FailoverRecord | null = null;
  private lastCededUntilMs: number | undefined;
  private previous: ControllerSnapshot;

  constructor(options: FailoverControllerOptions) {
    this.options = options;
    this.clock = options.ports.clock;
    this.log = options.logger;
    const timing = options.timing ?? {};
    this.sessionTimeoutMs = options.zk.sessionTimeoutMs ?? 10_000;
    this.opRetries = options.zk.opRetries ?? 3;
    this.gracefulFenceTimeoutMs = timing.gracefulFenceTimeoutMs ?? 5000;
    this.maxPendingCedes = options.maxPendingCedeRequests ?? 16;
    const workingDir = options.zk.workingDir ?? znodeWorkingDir(options.zk.parentZnode ?? '/hadoop-ha', options.local.nameserviceId);
    const local = options.local;
    const appData =
      options.appData ??
      encodeActiveNodeInfo({ nameserviceId: local.nameserviceId, namenodeId: local.namenodeId, hostname: local.serviceAddress.host, port: local.serviceAddress.port, zkfcPort: local.zkfcPort });

    this.core = new ZKFailoverController({
      local,
      peers: options.peers,
      appData,
      workingDir,
      maxRetryNum: this.opRetries,
      gracefulFenceTimeoutMs: this.gracefulFenceTimeoutMs,
      newActiveRpcTimeoutMs: timing.newActiveRpcTimeoutMs ?? 60_000,
      sleepAfterFailureToBecomeActiveMs: timing.sleepAfterFailureToBecomeActiveMs ?? 1000,
      reEstablishSessionRetryDelayMs: timing.reEstablishSessionRetryDelayMs ?? 5000,
      leaseGuardMs: timing.leaseGuardMs ?? Math.floor(this.sessionTimeoutMs / 3),
    });
    this.previous = this.core.snapshot();
    this.exited = new Promise<ExitInfo>((resolve) => {
      this.resolveExited = resolve;
    });

    this.localClient = options.ports.haService.create(local.serviceAddress);
    const healthAddress = local.lifelineAddress ?? local.serviceAddress;
    const healthConnectTimeoutMs = timing.healthConnectTimeoutMs ?? 20_000;
    this.poller = new HealthPoller({
      clock: this.clock,
      createClient: () => options.ports.haService.create(healthAddress, { connectTimeoutMs: healthConnectTimeoutMs }),
      timing: {
        checkIntervalMs: timing.healthCheckIntervalMs ?? HEALTH_POLLER_DEFAULTS.checkIntervalMs,
        connectRetryIntervalMs: timing.healthConnectRetryIntervalMs ?? HEALTH_POLLER_DEFAULTS.connectRetryIntervalMs,
        rpcTimeoutMs: timing.healthRpcTimeoutMs ?? HEALTH_POLLER_DEFAULTS.rpcTimeoutMs,
        sleepAfterDisconnectMs: timing.healthSleepAfterDisconnectMs ?? HEALTH_POLLER_DEFAULTS.sleepAfterDisconnectMs,
      },
      onProbe: (probe, durationMs) => {
        this.emit({ type: 'healthCheck', outcome: probe.kind, durationMs });
        this.emit({ type: 'serviceStateReported', state: probe.kind === 'unreachable' ? null : (probe.status?.state ?? null) });
        this.reportedServiceState = probe.kind === 'unreachable' ? null : (probe.status?.state ?? this.reportedServiceState);
        this.mailbox.post({ type: 'HealthProbeFinished', probe });
      },
      onFailed: (reason) => this.mailbox.post({ type: 'HealthMonitorFailed', reason }),
    });

    this.mailbox = new Mailbox<ControllerEvent>((event) => this.handle(event), options.maxQueuedEvents ?? 10_000, (reason, cause) => {
      this.log.fatal({ err: cause instanceof Error ? cause.stack : String(cause) }, 'Failover controller failed');
      this.finishExit(1, `ZK Failover Controller failed: ${reason}`);
    });

    this.executor = new CommandExecutor({
      clock: this.clock,
      zkFactory: options.ports.zk,
      zkOptions: {
        connectString: options.zk.connectString,
        sessionTimeoutMs: this.sessionTimeoutMs,
        authInfo: options.zk.authInfo ?? [],
        operationTimeoutMs: options.zk.operationTimeoutMs ?? this.sessionTimeoutMs,
      },
      acl: options.zk.acl ?? DEFAULT_ZK_ACL,
      localClient: this.localClient,
      fencer: options.ports.fencer,
      decode: (data, path) => decodeActiveNodeInfo(data, path),
      log: this.log,
      host: {
        post: (event) => this.mailbox.post(event),
        emit: (record) => this.emit(record),
        startHealthMonitor: () => this.onHealthMonitorStarted(),
        stopHealthMonitor: () => this.poller.stop(),
        completeCedeActive: (requestId, ok, error) => this.completeCede(requestId, ok, error),
        activeAttempt: (succeeded, status) => this.onActiveAttempt(succeeded, status),
        exit: (exitCode, message) => this.finishExit(exitCode, message),
      },
    });
  }

  // -------------------------------------------------------------------------------------------
  // Lifecycle

  /**
   * Connect to ZooKeeper (fail fast) and start the health monitor. Resolves when both are done;
   * rejects with ControllerExitedError (exitCode 6 when ZooKeeper is unreachable).
   */
  start(): Promise<void> {
    if (this.exitInfo !== undefined) return Promise.reject(new ControllerExitedError(this.exitInfo.message, this.exitInfo.exitCode));
    if (this.stopping !== undefined) return Promise.reject(new ControllerNotRunningError('ZK Failover Controller is stopped'));
    if (this.healthStarted) return Promise.resolve();
    const promise = new Promise<void>((resolve, reject) => this.startWaiters.push({ resolve, reject }));
    if (!this.started) {
      this.started = true;
      this.log.info({ nameservice: this.options.local.nameserviceId, namenode: this.options.local.namenodeId, lock: this.core.lockPath }, 'Starting failover controller');
      this.mailbox.post({ type: 'ControllerStarted' });
    }
    return promise;
  }

  /** Quit the election (needFence=true), stop health checks, close sessions. Never touches the NameNode. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.log.info({}, 'Stopping failover controller');
      if (this.exitInfo === undefined) this.mailbox.post({ type: 'StopRequested' });
      this.poller.stop();
      await this.executor.halt();
      this.localClient.close();
      this.failAdminWaiters(new ControllerNotRunningError('ZK Failover Controller is stopped'));
      for (const waiter of this.startWaiters) waiter.reject(new ControllerNotRunningError('ZK Failover Controller was stopped before it started'));
      this.startWaiters = [];
    })();
    return this.stopping;
  }

  // -------------------------------------------------------------------------------------------
  // Admin requests (ZKFCProtocol)

  /** ZKFCProtocol cedeActive: millisToCede <= 0 means "stop ceding, rejoin now if healthy". */
  cedeActive(millisToCede: number, requester?: string): Promise<void> {
    if (this.exitInfo !== undefined || this.stopping !== undefined) return Promise.reject(new ControllerNotRunningError('ZK Failover Controller is not running'));
    if (!this.healthStarted) return Promise.reject(new ControllerNotRunningError('ZK Failover Controller is not started yet'));
    if (this.pendingCedes.size >= this.maxPendingCedes) return Promise.reject(new FailoverServiceError('Too many concurrent cedeActive requests'));
    const requestId = this.nextRequestId++;
    const promise = new Promise<void>((resolve, reject) => this.pendingCedes.set(requestId, { resolve, reject }));
    this.mailbox.post(requester === undefined ? { type: 'CedeActiveRequested', requestId, millisToCede } : { type: 'CedeActiveRequested', requestId, millisToCede, requester });
    return promise;
  }

  /** ZKFCProtocol gracefulFailover: make this node active by asking the others to cede (docs/hadoop-compat.md §7.5). */
  async gracefulFailover(): Promise<void> {
    if (this.exitInfo !== undefined || this.stopping !== undefined) throw new ControllerNotRunningError('ZK Failover Controller is not running');
    if (!this.healthStarted) throw new ControllerNotRunningError('ZK Failover Controller is not started yet');
    if (this.gracefulInProgress) throw new FailoverServiceError('A graceful failover to this node is already in progress');
    this.gracefulInProgress = true;
    const requestId = this.nextRequestId++;
    this.mailbox.post({ type: 'GracefulFailoverStarted', requestId });
    try {
      await runGracefulFailover({
        local: this.options.local,
        peers: this.options.peers,
        cedeTimeoutMs: 2 * this.gracefulFenceTimeoutMs,
        becomeActiveWaitMs: 60_000,
        snapshot: () => this.core.snapshot(),
        monotonicMs: () => this.clock.monotonicMs(),
        readActiveData: () => this.readActiveData(),
        zkfcClients: this.options.ports.zkfcClients,
        waitForActiveAttempt: (sinceMs, timeoutMs) => this.waitForActiveAttempt(sinceMs, timeoutMs),
        log: this.log,
      });
    } finally {
      this.gracefulInProgress = false;
      this.mailbox.post({ type: 'GracefulFailoverEnded', requestId });
    }
  }

  // -------------------------------------------------------------------------------------------
  // Observation

  onEvent(listener: ControllerRecordListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  status(): FailoverControllerStatus {
    const snapshot = this.core.snapshot();
    const now = this.clock.monotonicMs();
    return {
      nameservice: this.options.local.nameserviceId,
      namenode: this.options.local.namenodeId,
      electorState: snapshot.elector.state,
      zkConnectionState: snapshot.elector.connectionState,
      zkSessionId: snapshot.elector.sessionId,
      inElection: snapshot.elector.wantToBeInElection,
      activationStep: snapshot.elector.activationStep,
      healthState: snapshot.healthState,
      expectedServiceState: snapshot.serviceState,
      reportedServiceState: this.reportedServiceState,
      lockHolder: this.lockHolder,
      breadcrumb: this.breadcrumb,
      lastFailover: this.lastFailover,
      lastActiveAttempt: snapshot.lastActiveAttempt ?? null,
      cededUntilWallMs: snapshot.cededUntilMs === undefined ? null : this.clock.wallMs() + (snapshot.cededUntilMs - now),
      stopped: this.stopping !== undefined,
      exit: this.exitInfo ?? null,
    };
  }

  /** The core's snapshot (tests and the simulation's invariant checks). */
  coreSnapshot(): ControllerSnapshot {
    return this.core.snapshot();
  }

  /** The ZooKeeper sessions the core still uses: current and retiring (leak checks). */
  liveZkSessions(): readonly ZkSession[] {
    return this.core.liveEpochs().flatMap((epoch) => {
      const session = this.executor.session(epoch);
      return session === undefined ? [] : [session];
    });
  }

  // -------------------------------------------------------------------------------------------
  // The mailbox handler

  private handle(event: ControllerEvent): void {
    const result = this.core.step(event, this.clock.monotonicMs());
    for (const note of result.notes) logNote(this.log, note);
    this.emitStateChanges();
    for (const command of result.commands) this.executor.execute(command);
  }

  private emitStateChanges(): void {
    const now = this.core.snapshot();
    const before = this.previous;
    this.previous = now;
    if (now.elector.state !== before.elector.state) this.emit({ type: 'electorStateChanged', from: before.elector.state, to: now.elector.state });
    if (now.elector.connectionState !== before.elector.connectionState) {
      this.emit({ type: 'zkConnectionStateChanged', from: before.elector.connectionState, to: now.elector.connectionState });
    }
    if (now.healthState !== before.healthState) {
      this.emit({ type: 'healthStateChanged', from: before.healthState, to: now.healthState });
      if (now.healthState !== 'SERVICE_HEALTHY') this.releaseAttemptWaiters();
    }
    if (now.cededUntilMs !== this.lastCededUntilMs) {
      this.lastCededUntilMs = now.cededUntilMs;
      const untilWallMs = now.cededUntilMs === undefined ? null : this.clock.wallMs() + (now.cededUntilMs - this.clock.monotonicMs());
      this.emit({ type: 'cede', untilWallMs });
    }
  }

  private emit(record: ControllerRecord): void {
    if (record.type === 'lockHolder') this.lockHolder = record.info;
    if (record.type === 'breadcrumb') this.breadcrumb = record.info;
    if (record.type === 'failover') this.lastFailover = record.record;
    for (const listener of this.listeners) {
      try {
        listener(record);
      } catch (error) {
        this.log.warn({ err: error instanceof Error ? error.message : String(error), record: record.type }, 'Event listener threw');
      }
    }
  }

  private onHealthMonitorStarted(): void {
    this.healthStarted = true;
    this.poller.start();
    this.log.info({}, 'Connected to ZooKeeper; health monitor started');
    for (const waiter of this.startWaiters) waiter.resolve();
    this.startWaiters = [];
  }

  private finishExit(exitCode: number, message: string): void {
    if (this.exitInfo !== undefined) return;
    this.exitInfo = { exitCode, message };
    this.log.fatal({ exitCode }, message);
    this.poller.stop();
    void this.executor.halt();
    this.localClient.close();
    const error = new ControllerExitedError(message, exitCode);
    for (const waiter of this.startWaiters) waiter.reject(error);
    this.startWaiters = [];
    this.failAdminWaiters(new ControllerNotRunningError(message));
    this.emit({ type: 'exit', exitCode, message });
    this.resolveExited(this.exitInfo);
  }

  // -------------------------------------------------------------------------------------------
  // Admin request plumbing

  private completeCede(requestId: number, ok: boolean, error: string | undefined): void {
    const pending = this.pendingCedes.get(requestId);
    if (pending === undefined) return;
    this.pendingCedes.delete(requestId);
    if (ok) pending.resolve();
    else pending.reject(new ControllerNotRunningError(error ?? 'cedeActive failed'));
  }

  private failAdminWaiters(error: Error): void {
    for (const pending of this.pendingCedes.values()) pending.reject(error);
    this.pendingCedes.clear();
    this.releaseAttemptWaiters();
  }

  private onActiveAttempt(succeeded: boolean, status: string): void {
    this.emit({ type: 'activeAttempt', succeeded, status });
    const attempt = this.core.snapshot().lastActiveAttempt;
    if (attempt === undefined) return;
    for (const waiter of [...this.attemptWaiters]) {
      if (attempt.atMs >= waiter.sinceMs) {
        this.attemptWaiters.delete(waiter);
        waiter.cancel();
        waiter.resolve(attempt);
      }
    }
  }

  private releaseAttemptWaiters(): void {
    for (const waiter of [...this.attemptWaiters]) {
      this.attemptWaiters.delete(waiter);
      waiter.cancel();
      waiter.resolve(null);
    }
  }

  private waitForActiveAttempt(sinceMs: number, timeoutMs: number): Promise<ActiveAttempt | null> {
    const snapshot = this.core.snapshot();
    if (snapshot.lastActiveAttempt !== undefined && snapshot.lastActiveAttempt.atMs >= sinceMs) return Promise.resolve(snapshot.lastActiveAttempt);
    if (snapshot.healthState !== 'SERVICE_HEALTHY' || this.exitInfo !== undefined || this.stopping !== undefined) return Promise.resolve(null);
    return new Promise<ActiveAttempt | null>((resolve) => {
      const waiter: AttemptWaiter = {
        sinceMs,
        resolve,
        cancel: this.clock.schedule(timeoutMs, () => {
          if (!this.attemptWaiters.delete(waiter)) return;
          this.log.warn({ timeoutMs }, 'Timeout elapsed waiting for an attempt to become active');
          resolve(null);
        }),
      };
      this.attemptWaiters.add(waiter);
    });
  }

  /**
   * The lock znode's data (Java's getActiveData), through the elector's session when connected,
   * else through a short-lived session. Retryable errors are retried opRetries times in total.
   */
  private async readActiveData(): Promise<{ readonly data: Uint8Array; readonly decoded: DecodedBreadcrumb } | null> {
    const path = this.core.lockPath;
    const snapshot = this.core.snapshot();
    const current = snapshot.elector.connectionState === 'CONNECTED' ? this.executor.session(snapshot.elector.epoch) : undefined;
    let temporary: ZkSession | undefined;
    try {
      const session = current ?? (temporary = await this.openTemporarySession());
      let result: ZkOpResult<{ readonly data: Uint8Array }> | undefined;
      for (let attempt = 1; attempt <= this.opRetries; attempt++) {
        result = await session.getData(path);
        if (result.code !== 'CONNECTIONLOSS' && result.code !== 'OPERATIONTIMEOUT') break;
      }
      if (result === undefined || result.code === 'NONODE') return null;
      if (result.code !== 'OK') throw new FailoverServiceError(`Unexpected ZooKeeper issue fetching active node info: ${result.code} ${result.message}`);
      return { data: result.value.data, decoded: this.executor.decodeForCore(result.value.data, path) };
    } finally {
      if (temporary !== undefined) void temporary.close();
    }
  }

  private openTemporarySession(): Promise<ZkSession> {
    return new Promise<ZkSession>((resolve, reject) => {
      let settled = false;
      const session = this.options.ports.zk.open(
        {
          connectString: this.options.zk.connectString,
          sessionTimeoutMs: this.sessionTimeoutMs,
          authInfo: this.options.zk.authInfo ?? [],
          operationTimeoutMs: this.options.zk.operationTimeoutMs ?? this.sessionTimeoutMs,
        },
        (event) => {
          if (settled) return;
          if (event.state === 'connected') {
            settled = true;
            resolve(session);
          } else if (event.state !== 'disconnected') {
            settled = true;
            void session.close();
            reject(new FailoverServiceError(`Unable to connect to ZooKeeper to find the active node: ${event.state}`));
          }
        },
      );
    });
  }
}
