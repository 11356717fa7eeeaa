// ControllerRuntime: one ZKFC for one local NameNode, built from typed settings and ports. It
// wires the pure core (ZKFailoverController: elector + health classification + controller logic)
// to the world: one mailbox feeds it events one at a time, the executor runs its commands through
// the ports, the health poller probes the NameNode with Hadoop's cadence, and graceful-failover.ts
// runs haadmin -failover's phases. Admin entry points (cedeActive, gracefulFailover) are what the
// ZKFCProtocol server calls; onEvent() feeds records to the status board and metrics
// (src/observability), which hold the only status model.
//
// Lifecycle (ZKFailoverController#doRun): start() connects to ZooKeeper first (failing fast: exit
// code 6), then starts the health monitor; from then on health decides whether we run for the
// lock. stop() quits the election with needFence=true, as Java does on shutdown: the lock goes at
// once, the breadcrumb stays, and the next active fences this NameNode (gracefully first). stop()
// never touches the NameNode. A fatal error ends the controller: `exited` resolves with the exit
// code and message; the composition root then exits the process.
//
// Not here: configuration loading, defaults and validation (src/config), the RPC server, process
// signals, metrics registries.

import { ZKFailoverController, type ActiveAttempt, type ControllerSnapshot } from '../core/controller/controller.js';
import type { AntiFlapConfig } from '../core/controller/anti-flap.js';
import {
  assessReadiness,
  readinessChanged,
  READY_WITHOUT_GATE,
  type LocalHttpReadiness,
  type Readiness,
  type ReadinessPolicy,
} from '../core/controller/readiness.js';
import type { ControllerEvent } from '../core/controller/events.js';
import type { ActiveNodeInfo, NamenodeTarget } from '../core/types.js';
import { ControllerExitedError, ControllerNotRunningError, FailoverServiceError } from './errors.js';
import { CommandExecutor } from './executor.js';
import { runGracefulFailover } from './graceful-failover.js';
import { HealthPoller, type HealthPollerSettings } from './health-poller.js';
import { logNote, type RuntimeLog } from './logging.js';
import { PauseMonitor, type PauseView } from './maintenance-pause.js';
import { Mailbox } from './mailbox.js';
import { BREADCRUMB_RECHECK_MS, ZooKeeperProblems } from './zookeeper-problems.js';
import type {
  Cancel,
  Clock,
  Fencer,
  HAServiceClient,
  HAServiceClientFactory,
  ZkAcl,
  ZkSession,
  ZkSessionFactory,
  ZkSessionOptions,
  ZkfcClientFactory,
} from './ports.js';
import type { NameNodeHttpSnapshot } from './namenode-http-poller.js';
import type { ClusterViewRecord, ControllerRecord, ControllerRecordListener } from './records.js';
import { errorMessage } from '../errors.js';
import { isoTimestamp } from '../observability/wall-time.js';

/** ZKFailoverController#doGracefulFailover waits the cede time plus this fixed 60 s for its attempt. */
const GRACEFUL_BECOME_ACTIVE_WAIT_MS = 60_000;

/** The elector's and controller's settings (ha.failover-controller.*). */
export interface FailoverSettings {
  /** ha.failover-controller.active-standby-elector.zk.op.retries */
  readonly zkOpRetries: number;
  /** ha.failover-controller.new-active.rpc-timeout.ms */
  readonly newActiveRpcTimeoutMs: number;
  /** ha.failover-controller.graceful-fence.rpc-timeout.ms; cede time = 2x. */
  readonly gracefulFenceRpcTimeoutMs: number;
}

export interface ControllerRuntimePorts {
  readonly clock: Clock;
  readonly zk: ZkSessionFactory;
  readonly haService: HAServiceClientFactory;
  readonly fencer: Fencer;
  readonly zkfcClients: ZkfcClientFactory;
}

export interface ControllerRuntimeOptions {
  readonly local: NamenodeTarget;
  /** Every other NameNode of the nameservice. */
  readonly peers: readonly NamenodeTarget[];
  /** ActiveNodeInfo bytes for the lock and breadcrumb. */
  readonly appData: Uint8Array;
  /** Decodes lock and breadcrumb data (ActiveNodeInfo bytes); throws on bad data. */
  readonly decode: (data: Uint8Array, path: string) => ActiveNodeInfo;
  /** Every ZooKeeper session of this controller is opened with these. */
  readonly zkSession: ZkSessionOptions;
  /** <ha.zookeeper.parent-znode>/<nameservice>. */
  readonly workingDir: string;
  /** ha.zookeeper.acl, parsed: the ACL of every znode the elector creates. */
  readonly acl: readonly ZkAcl[];
  readonly failover: FailoverSettings;
  readonly health: HealthPollerSettings;
  /** Connect timeout of the health monitor's connection (ipc.client.connect.timeout). */
  readonly healthConnectTimeoutMs: number;
  /**
   * Lease guard (not in Hadoop; see ElectorConfig.leaseGuardMs): abandon an activation whose
   * breadcrumb write took longer than this, because a pause that long may have cost us the lock.
   * Default: a third of the session timeout. 0 turns it off (Hadoop's behaviour).
   */
  readonly leaseGuardMs?: number;
  /**
   * zkfc.zookeeper.retry-forever / retry-max-backoff.ms (ElectorConfig.retryForever): after a lost
   * session, keep retrying ZooKeeper out of the election instead of exiting. Default off (Hadoop).
   */
  readonly zkRetry?: { readonly retryForever: boolean; readonly maxBackoffMs: number };
  /**
   * The maintenance pause (zkfc.pause.*; maintenance-pause.ts): read every checkIntervalMs on a
   * session of its own once the controller runs. Absent: no pause is ever seen.
   */
  readonly pause?: { readonly checkIntervalMs: number; readonly maxTtlMs: number };
  /**
   * zkfc.anti-flap.* (not in Hadoop; README "Anti-flap"): at most maxFailovers automatic failovers
   * in windowMs. Default off (Hadoop's behaviour); the daemon passes the settings (on by default).
   */
  readonly antiFlap?: AntiFlapConfig;
  /**
   * The readiness gate (zkfc.readiness.*; core/controller/readiness.ts). Absent or disabled:
   * always ready (Hadoop's behaviour). Its inputs besides the health rounds come from
   * observeNameNodeHttp and observeClusterView; `httpView` says whether the former will come.
   */
  readonly readiness?: { readonly policy: ReadinessPolicy; readonly httpView: boolean };
  readonly ports: ControllerRuntimePorts;
  readonly logger: RuntimeLog;
  /**
   * Called when the local NameNode's health changes or a failover completes, before that event's
   * records are logged: the log's repeat limiter (observability/logger.ts) is for loops in which
   * nothing changes, and must not hold back the records of failovers in quick succession.
   */
  readonly resetLogRepeats?: () => void;
  /** Bound on queued events (default 10000). */
  readonly maxQueuedEvents?: number;
  /** Bound on concurrent cedeActive requests (default 16; Java serves ZKFCProtocol with 3 handlers). */
  readonly maxPendingCedeRequests?: number;
}

export interface ExitInfo {
  readonly exitCode: number;
  readonly message: string;
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

export class ControllerRuntime {
  /** Resolves once, when the controller has exited after a fatal error (never after a clean stop()). */
  readonly exited: Promise<ExitInfo>;

  private readonly options: ControllerRuntimeOptions;
  private readonly clock: Clock;
  private readonly log: RuntimeLog;
  private readonly core: ZKFailoverController;
  private readonly mailbox: Mailbox<ControllerEvent>;
  private readonly executor: CommandExecutor;
  private readonly poller: HealthPoller;
  private readonly localClient: HAServiceClient;
  private readonly maxPendingCedes: number;
  private readonly listeners = new Set<ControllerRecordListener>();
  private readonly pendingCedes = new Map<number, PendingCede>();
  private readonly attemptWaiters = new Set<AttemptWaiter>();
  private nextRequestId = 1;
  private gracefulInProgress = false;
  private readonly problems: ZooKeeperProblems;
  private breadcrumbRecheck: Cancel | undefined;
  private pauseMonitor: PauseMonitor | undefined;

  /** The readiness gate's inputs, its latest verdict, and the last one the core was told. */
  private serviceReady: { ready: boolean; reason: string } | undefined;
  private httpReadiness: LocalHttpReadiness;
  private clusterRound: ClusterViewRecord | undefined;
  private readiness: Readiness = READY_WITHOUT_GATE;
  private postedReadiness: Readiness | undefined;

  private resolveExited!: (info: ExitInfo) => void;
  private exitInfo: ExitInfo | undefined;
  private started = false;
  private stopping: Promise<void> | undefined;
  private startWaiters: { resolve: () => void; reject: (error: Error) => void }[] = [];
  private healthStarted = false;

  /** What the records last reported: state changes are emitted as snapshot differences. */
  private lastCededUntilMs: number | undefined;
  private previous: ControllerSnapshot;

  constructor(options: ControllerRuntimeOptions) {
    this.options = options;
    this.clock = options.ports.clock;
    this.log = options.logger;
    this.maxPendingCedes = options.maxPendingCedeRequests ?? 16;
    const { local, failover, health } = options;

    this.core = new ZKFailoverController({
      local,
      peers: options.peers,
      appData: options.appData,
      workingDir: options.workingDir,
      zkOpRetries: failover.zkOpRetries,
      gracefulFenceRpcTimeoutMs: failover.gracefulFenceRpcTimeoutMs,
      newActiveRpcTimeoutMs: failover.newActiveRpcTimeoutMs,
      leaseGuardMs: options.leaseGuardMs ?? Math.floor(options.zkSession.sessionTimeoutMs / 3),
      ...(options.zkRetry !== undefined
        ? { retryForever: options.zkRetry.retryForever, reEstablishMaxDelayMs: options.zkRetry.maxBackoffMs }
        : {}),
      ...(options.antiFlap !== undefined ? { antiFlap: options.antiFlap } : {}),
      readinessGate: options.readiness?.policy.enabled === true,
    });
    this.httpReadiness = options.readiness?.httpView === true ? { kind: 'pending' } : { kind: 'off' };
    this.previous = this.core.snapshot();
    this.exited = new Promise<ExitInfo>((resolve) => {
      this.resolveExited = resolve;
    });

    this.problems = new ZooKeeperProblems({
      lockPath: this.core.lockPath,
      breadcrumbPath: this.core.breadcrumbPath,
      quorum: options.zkSession.connectString,
      targets: [local, ...options.peers],
      log: this.log,
      emit: (record) => this.emit(record),
    });

    this.localClient = options.ports.haService.create(local.serviceAddress);
    const healthAddress = local.lifelineAddress ?? local.serviceAddress;
    this.poller = new HealthPoller({
      clock: this.clock,
      createClient: () =>
        options.ports.haService.create(healthAddress, { connectTimeoutMs: options.healthConnectTimeoutMs }),
      health,
      onProbe: (probe, durationMs) => {
        this.emit(
          probe.kind === 'healthy'
            ? { type: 'healthCheck', outcome: probe.kind, durationMs }
            : { type: 'healthCheck', outcome: probe.kind, durationMs, reason: probe.reason },
        );
        this.emit({
          type: 'serviceStateReported',
          state: probe.kind === 'unreachable' ? null : (probe.status?.state ?? null),
        });
        const status = probe.kind === 'unreachable' ? undefined : probe.status;
        if (status !== undefined)
          this.serviceReady = {
            ready: status.readyToBecomeActive !== false,
            reason: status.notReadyReason ?? '',
          };
        // The verdict first: the round's health event then acts on a current one.
        this.reassessReadiness();
        this.mailbox.post({ type: 'HealthProbeFinished', probe });
      },
      onFailed: (reason) => this.mailbox.post({ type: 'HealthMonitorFailed', reason }),
    });

    this.mailbox = new Mailbox<ControllerEvent>(
      (event) => this.handle(event),
      options.maxQueuedEvents ?? 10_000,
      (reason, cause) => {
        this.log.fatal({ err: cause instanceof Error ? cause.stack : String(cause) }, 'Failover controller failed');
        this.finishExit(1, `ZK Failover Controller failed: ${reason}`);
      },
    );

    this.executor = new CommandExecutor({
      clock: this.clock,
      zkFactory: options.ports.zk,
      zkOptions: options.zkSession,
      acl: options.acl,
      localClient: this.localClient,
      fencer: options.ports.fencer,
      decode: options.decode,
      log: this.log,
      host: {
        post: (event) => this.mailbox.post(event),
        emit: (record) => this.emit(record),
        startHealthMonitor: () => this.onHealthMonitorStarted(),
        stopHealthMonitor: () => this.poller.stop(),
        completeCedeActive: (requestId, ok, error) => this.completeCede(requestId, ok, error),
        activeAttempt: (succeeded, status) => this.onActiveAttempt(succeeded, status),
        exit: (exitCode, message) => this.finishExit(exitCode, message),
        lockObserved: (stat) => this.problems.lockObserved(stat),
        lockDataRead: (data, decoded) => this.problems.lockDataRead(data, decoded),
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
    if (this.exitInfo !== undefined)
      return Promise.reject(new ControllerExitedError(this.exitInfo.message, this.exitInfo.exitCode));
    if (this.stopping !== undefined)
      return Promise.reject(new ControllerNotRunningError('ZK Failover Controller is stopped'));
    if (this.healthStarted) return Promise.resolve();
    const promise = new Promise<void>((resolve, reject) => this.startWaiters.push({ resolve, reject }));
    if (!this.started) {
      this.started = true;
      this.log.info(
        {
          nameservice: this.options.local.nameserviceId,
          namenode: this.options.local.namenodeId,
          lock: this.core.lockPath,
        },
        'Starting failover controller',
      );
      this.mailbox.post({ type: 'ControllerStarted' });
    }
    return promise;
  }

  /** Quit the election (needFence=true), stop health checks, close sessions. Never touches the NameNode. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.log.info({}, 'Stopping failover controller');
      this.breadcrumbRecheck?.();
      if (this.exitInfo === undefined) this.mailbox.post({ type: 'StopRequested' });
      this.poller.stop();
      await this.pauseMonitor?.stop();
      await this.executor.halt();
      this.localClient.close();
      this.failAdminWaiters(new ControllerNotRunningError('ZK Failover Controller is stopped'));
      for (const waiter of this.startWaiters)
        waiter.reject(new ControllerNotRunningError('ZK Failover Controller was stopped before it started'));
      this.startWaiters = [];
    })();
    return this.stopping;
  }

  // -------------------------------------------------------------------------------------------
  // Admin requests (ZKFCProtocol)

  /** ZKFCProtocol cedeActive: millisToCede <= 0 means "stop ceding, rejoin now if healthy". */
  cedeActive(millisToCede: number, requester?: string): Promise<void> {
    if (this.exitInfo !== undefined || this.stopping !== undefined)
      return Promise.reject(new ControllerNotRunningError('ZK Failover Controller is not running'));
    if (!this.healthStarted)
      return Promise.reject(new ControllerNotRunningError('ZK Failover Controller is not started yet'));
    if (this.pendingCedes.size >= this.maxPendingCedes)
      return Promise.reject(new FailoverServiceError('Too many concurrent cedeActive requests'));
    const requestId = this.nextRequestId++;
    const promise = new Promise<void>((resolve, reject) => this.pendingCedes.set(requestId, { resolve, reject }));
    this.mailbox.post(
      requester === undefined
        ? { type: 'CedeActiveRequested', requestId, millisToCede }
        : { type: 'CedeActiveRequested', requestId, millisToCede, requester },
    );
    return promise;
  }

  /** ZKFCProtocol gracefulFailover: make this node active by asking the others to cede (docs/hadoop-compat.md §7.5). */
  async gracefulFailover(): Promise<void> {
    if (this.exitInfo !== undefined || this.stopping !== undefined)
      throw new ControllerNotRunningError('ZK Failover Controller is not running');
    if (!this.healthStarted) throw new ControllerNotRunningError('ZK Failover Controller is not started yet');
    if (this.gracefulInProgress)
      throw new FailoverServiceError('A graceful failover to this node is already in progress');
    const pausedReason = this.core.snapshot().pausedReason;
    if (pausedReason !== undefined)
      throw new FailoverServiceError(`Automatic failover is paused for maintenance (${pausedReason})`);
    if (!this.readiness.ready)
      throw new FailoverServiceError(
        `${this.options.local.namenodeId} is not ready to become active (${this.readiness.summary})`,
      );
    this.gracefulInProgress = true;
    const requestId = this.nextRequestId++;
    this.mailbox.post({ type: 'GracefulFailoverStarted', requestId });
    try {
      await runGracefulFailover({
        local: this.options.local,
        peers: this.options.peers,
        cedeTimeoutMs: 2 * this.options.failover.gracefulFenceRpcTimeoutMs,
        becomeActiveWaitMs: GRACEFUL_BECOME_ACTIVE_WAIT_MS,
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
  // Readiness inputs (the daemon's HTTP view and cluster view; the simulation's models of them)

  /** A read of the local NameNode's HTTP view ended (namenode-http-poller.ts). */
  observeNameNodeHttp(snapshot: NameNodeHttpSnapshot): void {
    if (this.options.readiness === undefined) return;
    this.httpReadiness =
      snapshot.up && snapshot.view !== null
        ? {
            kind: 'read',
            state: snapshot.view.state,
            safemode: snapshot.view.safemode,
            millisSinceLastLoadedEdits: snapshot.view.millisSinceLastLoadedEdits,
            lastAppliedOrWrittenTxId: snapshot.view.lastAppliedOrWrittenTxId,
          }
        : snapshot.lastFailure !== null
          ? { kind: 'failed', reason: snapshot.lastFailure.message }
          : { kind: 'pending' };
    this.reassessReadiness();
  }

  /** A round of the cluster view ended (cluster-view.ts). */
  observeClusterView(record: ClusterViewRecord): void {
    if (this.options.readiness === undefined) return;
    this.clusterRound = record;
    this.reassessReadiness();
  }

  /** The readiness gate's latest verdict (READY_WITHOUT_GATE when it is off). */
  readinessNow(): Readiness {
    return this.readiness;
  }

  /** Assess again; tell the core when what it acts on changed, the observers when anything did. */
  private reassessReadiness(): void {
    const gate = this.options.readiness;
    if (gate === undefined || this.stopping !== undefined || this.exitInfo !== undefined) return;
    const round = this.clusterRound;
    const localId = this.options.local.namenodeId;
    const next = assessReadiness(gate.policy, {
      nowMs: this.clock.monotonicMs(),
      localNamenodeId: localId,
      serviceReady: this.serviceReady,
      http: this.httpReadiness,
      peers: (round?.namenodes ?? [])
        .filter((nn) => nn.namenodeId !== localId)
        .map((nn) => ({
          namenodeId: nn.namenodeId,
          state: nn.state,
          health: nn.health,
          readyToBecomeActive: nn.readyToBecomeActive,
          lastAppliedOrWrittenTxId: nn.lastAppliedOrWrittenTxId,
        })),
      noActiveSinceMs: round?.noActiveSinceMonotonicMs ?? null,
    });
    const before = this.readiness;
    this.readiness = next;
    if (this.postedReadiness === undefined || readinessChanged(this.postedReadiness, next)) {
      this.postedReadiness = next;
      this.mailbox.post({ type: 'ReadinessAssessed', readiness: next });
    }
    if (next.summary !== before.summary) this.emit({ type: 'readiness', readiness: next });
  }

  // -------------------------------------------------------------------------------------------
  // Observation

  onEvent(listener: ControllerRecordListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The core's snapshot (tests and the simulation's invariant checks). */
  coreSnapshot(): ControllerSnapshot {
    return this.core.snapshot();
  }

  /** The ZooKeeper sessions still in use: the core's current and retiring ones, the pause monitor's (leak checks). */
  liveZkSessions(): readonly ZkSession[] {
    const elector = this.core.liveEpochs().flatMap((epoch) => {
      const session = this.executor.session(epoch);
      return session === undefined ? [] : [session];
    });
    const pauseSession = this.pauseMonitor?.liveSession();
    return pauseSession === undefined ? elector : [...elector, pauseSession];
  }

  // -------------------------------------------------------------------------------------------
  // The mailbox handler

  private handle(event: ControllerEvent): void {
    const result = this.core.step(event, this.clock.monotonicMs());
    if (
      this.core.snapshot().healthState !== this.previous.healthState ||
      result.commands.some((command) => command.type === 'ReportFailover')
    ) {
      // Failovers in quick succession repeat the same records; each is a new situation, not a
      // loop, and its records must all be written (the repeat limiter is for loops).
      this.options.resetLogRepeats?.();
    }
    for (const note of result.notes) logNote(this.log, note);
    this.emitStateChanges();
    for (const command of result.commands) this.executor.execute(command);
  }

  private emitStateChanges(): void {
    const now = this.core.snapshot();
    const before = this.previous;
    this.previous = now;
    if (now.elector.state !== before.elector.state)
      this.emit({ type: 'electorStateChanged', from: before.elector.state, to: now.elector.state });
    if (now.elector.connectionState !== before.elector.connectionState) {
      this.emit({
        type: 'zkConnectionStateChanged',
        from: before.elector.connectionState,
        to: now.elector.connectionState,
      });
    }
    if (now.elector.zkRetry !== before.elector.zkRetry) {
      const retry = now.elector.zkRetry;
      this.emit(
        retry === undefined
          ? { type: 'zkRetry', retry: null }
          : {
              type: 'zkRetry',
              retry: {
                ...retry,
                failedAtWallMs: this.clock.wallMs(),
                nextAttemptWallMs: this.clock.wallMs() + retry.delayMs,
              },
            },
      );
    }
    if (now.healthState !== before.healthState) {
      this.emit({ type: 'healthStateChanged', from: before.healthState, to: now.healthState });
      if (now.healthState !== 'SERVICE_HEALTHY') this.releaseAttemptWaiters();
    }
    if (now.breadcrumbRefusals.count > before.breadcrumbRefusals.count) {
      this.problems.breadcrumbRefused(now.breadcrumbRefusals.lastError ?? 'unknown breadcrumb');
      this.scheduleBreadcrumbRecheck();
    }
    if (now.cededUntilMs !== this.lastCededUntilMs) {
      this.lastCededUntilMs = now.cededUntilMs;
      const untilWallMs =
        now.cededUntilMs === undefined ? null : this.clock.wallMs() + (now.cededUntilMs - this.clock.monotonicMs());
      this.emit({ type: 'cede', untilWallMs });
    }
  }

  private emit(record: ControllerRecord): void {
    for (const listener of this.listeners) {
      try {
        listener(record);
      } catch (error) {
        this.log.warn({ err: errorMessage(error), record: record.type }, 'Event listener threw');
      }
    }
  }

  private onHealthMonitorStarted(): void {
    this.healthStarted = true;
    this.poller.start();
    this.startPauseMonitor();
    this.log.info({}, 'Connected to ZooKeeper; health monitor started');
    for (const waiter of this.startWaiters) waiter.resolve();
    this.startWaiters = [];
  }

  private startPauseMonitor(): void {
    const settings = this.options.pause;
    if (settings === undefined || this.pauseMonitor !== undefined) return;
    this.pauseMonitor = new PauseMonitor({
      workingDir: this.options.workingDir,
      zkSession: this.options.zkSession,
      zk: this.options.ports.zk,
      clock: this.clock,
      checkIntervalMs: settings.checkIntervalMs,
      maxTtlMs: settings.maxTtlMs,
      log: this.log,
      onChange: (view) => this.onPauseView(view),
    });
    this.pauseMonitor.start();
  }

  private onPauseView(view: PauseView): void {
    if (this.stopping !== undefined) return;
    const paused = view.state === 'paused';
    const reason =
      view.state === 'paused'
        ? `${view.pause.reason} (by ${view.pause.by}, until ${isoTimestamp(view.endWallMs)})`
        : view.state === 'expired'
          ? 'maintenance pause expired'
          : view.state === 'unreadable'
            ? 'maintenance pause unreadable'
            : 'maintenance pause ended';
    this.mailbox.post({ type: 'MaintenancePauseChanged', paused, reason });
    this.emit({
      type: 'maintenancePause',
      pause:
        view.state === 'paused'
          ? {
              reason: view.pause.reason,
              by: view.pause.by,
              atWallMs: view.pause.atWallMs,
              untilWallMs: view.endWallMs,
            }
          : null,
    });
    this.problems.pauseUnreadable(view.state === 'unreadable' ? view.detail : undefined);
  }

  private finishExit(exitCode: number, message: string): void {
    if (this.exitInfo !== undefined) return;
    this.exitInfo = { exitCode, message };
    this.log.fatal({ exitCode }, message);
    this.breadcrumbRecheck?.();
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
    if (succeeded) this.problems.activated();
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
    if (snapshot.lastActiveAttempt !== undefined && snapshot.lastActiveAttempt.atMs >= sinceMs)
      return Promise.resolve(snapshot.lastActiveAttempt);
    if (snapshot.healthState !== 'SERVICE_HEALTHY' || this.exitInfo !== undefined || this.stopping !== undefined)
      return Promise.resolve(null);
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
   * While a refused breadcrumb is reported, read it again now and then: the ZKFC that refused it
   * may never win the lock again, and an operator's fix must clear the report all the same.
   */
  private scheduleBreadcrumbRecheck(): void {
    if (this.breadcrumbRecheck !== undefined) return;
    this.breadcrumbRecheck = this.clock.schedule(BREADCRUMB_RECHECK_MS, () => {
      this.breadcrumbRecheck = undefined;
      if (!this.problems.has('breadcrumb-refused') || this.exitInfo !== undefined || this.stopping !== undefined)
        return;
      const { elector } = this.core.snapshot();
      const epoch = elector.connectionState === 'CONNECTED' ? elector.epoch : undefined;
      if (epoch === undefined) {
        this.scheduleBreadcrumbRecheck();
        return;
      }
      this.executor.readActiveData(this.core.breadcrumbPath, epoch, 1).then(
        (read) => {
          this.problems.breadcrumbChecked(read);
          if (this.problems.has('breadcrumb-refused')) this.scheduleBreadcrumbRecheck();
        },
        () => this.scheduleBreadcrumbRecheck(),
      );
    });
  }

  /** The lock znode's data for graceful failover, through the elector's session when it is connected. */
  private readActiveData(): ReturnType<CommandExecutor['readActiveData']> {
    const { elector } = this.core.snapshot();
    const epoch = elector.connectionState === 'CONNECTED' ? elector.epoch : undefined;
    return this.executor.readActiveData(this.core.lockPath, epoch, this.options.failover.zkOpRetries);
  }
}
