// Hadoop's ZKFailoverController decision logic as a pure state machine:
// step(event, nowMs) → { commands, notes }. It owns an ActiveStandbyElector and a HealthMonitor
// classifier and glues them as Java does: health decides whether we run for the lock
// (recheckElectability), the election decides which HA transition the local NameNode gets, the
// breadcrumb decides whom to fence, cedeActive takes us out of the election for a while, and the
// service state the NameNode reports is checked against what we expect (HADOOP-10251).
//
// What it does NOT promise: anything about the NameNode's real state. It orders transitions and
// fencing; the runtime carries them out and reports back; the health monitor shows the result.
//
// Java serialises all of this with two locks (elector, then ZKFC). Here the runtime feeds one
// event at a time; in addition, while the elector is becoming active or a cedeActive waits for
// its local transitionToStandby, the events Java would block on are deferred and replayed in
// order afterwards (health rounds coalesce to the latest one, as Java's blocked monitor thread
// would only have one in hand). Only stop() preempts.
//
// Parity: org.apache.hadoop.ha.ZKFailoverController (docs/hadoop-compat.md §6.4, §6.5, §7.3, §7.4).
// Deviations are marked "Deviation:".

import { assertNever } from '../assert.js';
import { isElectorCallback, type ElectorCallback, type ElectorCommand } from '../elector/commands.js';
import { ActiveStandbyElector, type ElectorConfig, type ElectorSnapshot } from '../elector/elector.js';
import type { ElectorEvent } from '../elector/events.js';
import { HealthMonitor, type HealthEvent } from '../health/health-monitor.js';
import { StepOutput, type StepResult } from '../note.js';
import type { HAServiceState, HealthState, NamenodeTarget, ServiceStatus } from '../types.js';
import { AntiFlapWindow, heldBackReason, type AntiFlapConfig } from './anti-flap.js';
import { breadcrumbTarget, formatTarget } from './breadcrumb-target.js';
import type { ControllerCommand, HoldBackEnd } from './commands.js';
import type { ControllerEvent } from './events.js';
import { FailoverEpisodes } from './failover-episode.js';
import { READY_WITHOUT_GATE, type Readiness } from './readiness.js';
/** How long a ZKFC stays out after two service-state mismatches (verifyChangedServiceState). */
export const BAD_STATE_REJOIN_DELAY_MS = 1000;

const EXIT_FATAL = 1;

export interface ControllerConfig extends Omit<ElectorConfig, 'maxDeferredEvents'> {
  readonly local: NamenodeTarget;
  /** Every other NameNode of the nameservice (standbys and observers alike). */
  readonly peers: readonly NamenodeTarget[];
  /** Our ActiveNodeInfo bytes (encoded by the runtime; the core only compares them). */
  readonly appData: Uint8Array;
  /** ha.failover-controller.graceful-fence.rpc-timeout.ms: local transitionToStandby (election lost, cede). */
  readonly gracefulFenceRpcTimeoutMs: number;
  /** ha.failover-controller.new-active.rpc-timeout.ms: local transitionToActive. */
  readonly newActiveRpcTimeoutMs: number;
  /** Bound on events held back while busy; exceeding it is a fatal error. */
  readonly maxDeferredEvents?: number;
  /** Anti-flap (not in Hadoop; see holdBackFailover). Absent or maxFailovers 0: off. */
  readonly antiFlap?: AntiFlapConfig;
  /**
   * The readiness gate (not in Hadoop; readiness.ts): when on, the controller joins the election
   * only after a ReadinessAssessed event says ready. Absent or false: always ready (Hadoop).
   */
  readonly readinessGate?: boolean;
}

const NOT_ASSESSED: Readiness = {
  ready: false,
  blockers: ['readiness not assessed yet'],
  escape: false,
  candidacyDelayMs: 0,
  standbysAhead: [],
  lagTxns: null,
  summary: 'not ready: readiness not assessed yet',
};

/** Anti-flap as the snapshot shows it. */
export interface AntiFlapSnapshot {
  readonly maxFailovers: number;
  readonly windowMs: number;
  /** Counted lock-holder changes in the window now. */
  readonly failoversInWindow: number;
  /** Set while this ZKFC holds a failover back: since when (monotonic ms) and the health reason. */
  readonly holdingBack: { readonly sinceMs: number; readonly healthReason: string } | undefined;
}

/** Java's ActiveAttemptRecord: the outcome of the last attempt to become active. */
export interface ActiveAttempt {
  readonly succeeded: boolean;
  readonly status: string;
  readonly atMs: number;
}

export interface ControllerSnapshot {
  readonly elector: ElectorSnapshot;
  readonly healthState: HealthState;
  /** The ZKFC's own expectation of the NameNode's HA state (Java's serviceState). */
  readonly serviceState: HAServiceState;
  /** The state the NameNode reported in the last round that obtained one. */
  readonly lastServiceStatus: ServiceStatus | undefined;
  /** Monotonic ms until which we stay out of the election (cedeActive / bad state), if in the future. */
  readonly cededUntilMs: number | undefined;
  /** The operator's reason while a maintenance pause holds the controller still, else undefined. */
  readonly pausedReason: string | undefined;
  readonly lastActiveAttempt: ActiveAttempt | undefined;
  /**
   * The last breadcrumb this ZKFC refused to fence (it names no NameNode of our configuration), as
   * the number of refusals so far and the last reason. Refusals only count up: whether ZooKeeper
   * still holds that breadcrumb is for the runtime to find out (it is not the core's to read).
   */
  readonly breadcrumbRefusals: { readonly count: number; readonly lastError: string | undefined };
  readonly stopped: boolean;
  readonly exited: { readonly exitCode: number; readonly message: string } | undefined;
  readonly busy: 'activating' | 'ceding' | 'standingBy' | undefined;
  readonly antiFlap: AntiFlapSnapshot;
  /** The readiness gate's last verdict (READY_WITHOUT_GATE when the gate is off). */
  readonly readiness: Readiness;
}

export class ZKFailoverController {
  private readonly elector: ActiveStandbyElector;
  private readonly health = new HealthMonitor();
  private readonly local: NamenodeTarget;
  private readonly targets: readonly NamenodeTarget[];
  private readonly appData: Uint8Array;
  private readonly gracefulFenceRpcTimeoutMs: number;
  private readonly newActiveRpcTimeoutMs: number;
  private readonly maxDeferred: number;

  private now = 0;
  private lastHealthState: HealthState = 'INITIALIZING';
  private serviceState: HAServiceState = 'INITIALIZING';
  private delayJoiningUntilMs = 0;
  /** Set while an operator's maintenance pause holds this controller still (onMaintenancePause). */
  private pausedReason: string | undefined;
  private readiness: Readiness;
  private recheckToken: number | undefined;
  private nextTimerToken = 1;
  private serviceStateMismatchCount = 0;
  private quitElectionOnBadState = false;
  private breadcrumbRefusalCount = 0;
  private lastBreadcrumbRefusal: string | undefined;

  private transitionSeq = 0;
  private pendingActive:
    { readonly seq: number; readonly activationId: number; readonly serviceStateVersion: number } | undefined;
  /** Standby transitions in flight: seq → serviceStateVersion when ordered. */
  private readonly pendingStandby = new Map<number, number>();
  /** Bumped by every change of serviceState, so a late transition result cannot undo a newer decision. */
  private serviceStateVersion = 0;
  private cedeInFlight: { readonly requestId: number; readonly millisToCede: number; readonly seq: number } | undefined;
  private deferred: ControllerEvent[] = [];

  private lastActiveAttempt: ActiveAttempt | undefined;
  private graceful: { readonly requestId: number; readonly sinceMs: number } | undefined;
  private readonly episodes: FailoverEpisodes;
  private fencingTargets = new Map<number, string>();

  private readonly antiFlap: AntiFlapWindow;
  /** Set while a failover is held back; `epoch` is the session that holds the lock for us. */
  private holdingBack:
    { readonly sinceMs: number; readonly healthReason: string; readonly epoch: number | undefined } | undefined;
  private lastHealthReason = '';

  private healthMonitorStarted = false;
  private stopped = false;
  private exited: { readonly exitCode: number; readonly message: string } | undefined;

  constructor(config: ControllerConfig) {
    this.elector = new ActiveStandbyElector({ ...config, maxDeferredEvents: config.maxDeferredEvents ?? 1024 });
    this.local = config.local;
    this.targets = [config.local, ...config.peers];
    this.appData = config.appData.slice();
    this.gracefulFenceRpcTimeoutMs = config.gracefulFenceRpcTimeoutMs;
    this.newActiveRpcTimeoutMs = config.newActiveRpcTimeoutMs;
    this.episodes = new FailoverEpisodes(config.local.namenodeId, this.appData);
    this.maxDeferred = config.maxDeferredEvents ?? 1024;
    this.antiFlap = new AntiFlapWindow(config.antiFlap ?? { maxFailovers: 0, windowMs: 0 });
    this.readiness = config.readinessGate === true ? NOT_ASSESSED : READY_WITHOUT_GATE;
  }

  get lockPath(): string {
    return this.elector.lockPath;
  }

  get breadcrumbPath(): string {
    return this.elector.breadcrumbPath;
  }

  private snapshotBusy(): ControllerSnapshot['busy'] {
    if (this.elector.isActivating()) return 'activating';
    if (this.cedeInFlight !== undefined) return 'ceding';
    return this.pendingStandby.size > 0 ? 'standingBy' : undefined;
  }

  snapshot(): ControllerSnapshot {
    return {
      elector: this.elector.snapshot(),
      healthState: this.lastHealthState,
      serviceState: this.serviceState,
      lastServiceStatus: this.health.serviceStatus(),
      cededUntilMs: this.delayJoiningUntilMs > this.now ? this.delayJoiningUntilMs : undefined,
      pausedReason: this.pausedReason,
      lastActiveAttempt: this.lastActiveAttempt,
      breadcrumbRefusals: { count: this.breadcrumbRefusalCount, lastError: this.lastBreadcrumbRefusal },
      stopped: this.stopped,
      exited: this.exited,
      busy: this.snapshotBusy(),
      antiFlap: {
        maxFailovers: this.antiFlap.config.maxFailovers,
        windowMs: this.antiFlap.config.windowMs,
        failoversInWindow: this.antiFlap.countInWindow(this.now),
        holdingBack:
          this.holdingBack === undefined
            ? undefined
            : { sinceMs: this.holdingBack.sinceMs, healthReason: this.holdingBack.healthReason },
      },
      readiness: this.readiness,
    };
  }

  /** Sessions the elector still uses: the current one and those retiring after a graceful quit. */
  liveEpochs(): readonly number[] {
    const current = this.elector.snapshot().epoch;
    return current === undefined ? this.elector.retiringEpochs() : [current, ...this.elector.retiringEpochs()];
  }

  step(event: ControllerEvent, nowMs: number): StepResult<ControllerCommand> {
    const out = new StepOutput<ControllerCommand>();
    if (nowMs > this.now) this.now = nowMs;
    this.handle(event, out);
    this.replayDeferred(out);
    this.afterStep(out);
    return out.result();
  }

  // -------------------------------------------------------------------------------------------
  // Dispatch and deferral

  private handle(event: ControllerEvent, out: StepOutput<ControllerCommand>): void {
    if (this.exited !== undefined) {
      out.note('debug', 'Event ignored after exit', { event: event.type });
      this.refuseCede(event, 'ZK Failover Controller has exited', out);
      return;
    }
    if (this.stopped) {
      out.note('debug', 'Event ignored after stop', { event: event.type });
      this.refuseCede(event, 'ZK Failover Controller is stopping', out);
      return;
    }
    if (this.mustWait(event)) {
      this.defer(event, out);
      return;
    }
    switch (event.type) {
      case 'ControllerStarted':
        this.feedElector({ type: 'ElectorStarted' }, out);
        return;
      case 'StopRequested':
        this.onStop(out);
        return;
      case 'HealthProbeFinished':
      case 'HealthMonitorFailed':
        this.onHealthEvent(event, out);
        return;
      case 'ZkSessionStateChanged':
      case 'LockCreateFinished':
      case 'LockMonitorFinished':
      case 'LockWatchFired':
      case 'BreadcrumbReadFinished':
      case 'BreadcrumbWriteFinished':
      case 'BreadcrumbDeleteFinished':
      case 'ElectorTimerFired':
        this.episodes.observe(event, this.elector.snapshot(), this.now, this.graceful?.sinceMs);
        this.observeLockHolder(event, out);
        this.feedElector(event, out);
        return;
      case 'LocalTransitionFinished':
        this.onLocalTransitionFinished(event.seq, event.ok, event.error, out);
        return;
      case 'FenceTargetFinished':
        this.onFenceTargetFinished(event.activationId, event.fenced, event.graceful, event.detail, out);
        return;
      case 'CedeActiveRequested':
        this.expectGracefulHolderChange(event.millisToCede);
        this.onCedeActive(event.requestId, event.millisToCede, event.requester, out);
        return;
      case 'GracefulFailoverStarted':
        this.graceful = { requestId: event.requestId, sinceMs: this.now };
        out.note('info', 'Graceful failover to this node started', { requestId: event.requestId });
        return;
      case 'GracefulFailoverEnded':
        if (this.graceful?.requestId === event.requestId) this.graceful = undefined;
        return;
      case 'MaintenancePauseChanged':
        this.onMaintenancePause(event.paused, event.reason, out);
        return;
      case 'ReadinessAssessed':
        this.onReadiness(event.readiness, out);
        return;
      case 'ControllerTimerFired':
        if (event.token !== this.recheckToken) {
          out.note('debug', 'Stale timer ignored', { timer: event.timer, token: event.token });
          return;
        }
        this.recheckToken = undefined;
        this.recheckElectability(out);
        return;
      default:
        assertNever(event, 'controller event');
    }
  }

  /** Events Java would block on (elector and ZKFC locks held) while we are busy. */
  private mustWait(event: ControllerEvent): boolean {
    switch (event.type) {
      case 'StopRequested':
      case 'LocalTransitionFinished':
      case 'FenceTargetFinished':
      case 'GracefulFailoverStarted':
      case 'GracefulFailoverEnded':
        return false;
      case 'HealthProbeFinished':
      case 'HealthMonitorFailed':
      case 'CedeActiveRequested':
      case 'ControllerTimerFired':
      case 'ControllerStarted':
      case 'MaintenancePauseChanged':
      case 'ReadinessAssessed':
        // Java runs becomeStandby's transitionToStandby (≤ graceful-fence timeout) under the
        // elector lock too; the service-state check must not count that transition as a mismatch.
        return this.cedeInFlight !== undefined || this.elector.isActivating() || this.pendingStandby.size > 0;
      default:
        // ZooKeeper events: during an activation the elector defers them itself; during a cede
        // the whole elector is held (Java: doCedeActive holds the elector lock across its RPC).
        return this.cedeInFlight !== undefined;
    }
  }

  private defer(event: ControllerEvent, out: StepOutput<ControllerCommand>): void {
    if (event.type === 'HealthProbeFinished') {
      // A blocked Java health thread holds one round at most: keep only the latest.
      this.deferred = this.deferred.filter((held) => held.type !== 'HealthProbeFinished');
    }
    if (this.deferred.length >= this.maxDeferred) {
      this.fatal('Too many events deferred while busy', EXIT_FATAL, out);
      return;
    }
    this.deferred.push(event);
    out.note('debug', 'Event deferred until the current operation finishes', {
      event: event.type,
      busy: this.snapshotBusy() ?? null,
    });
  }

  private replayDeferred(out: StepOutput<ControllerCommand>): void {
    while (this.deferred.length > 0 && this.exited === undefined) {
      const next = this.deferred[0];
      if (next === undefined || this.mustWait(next)) return;
      this.deferred.shift();
      this.handle(next, out);
    }
  }

  private afterStep(out: StepOutput<ControllerCommand>): void {
    // Parity: doRun connects to ZooKeeper first (fail fast), then starts the health monitor.
    if (
      !this.healthMonitorStarted &&
      !this.stopped &&
      this.exited === undefined &&
      this.elector.snapshot().connectionState === 'CONNECTED'
    ) {
      this.healthMonitorStarted = true;
      out.command({ type: 'StartHealthMonitor' });
    }
    this.checkHoldBack(out);
    this.checkStayOut(out);
  }

  /**
   * After every step: a controller that must stay out of the election (not ready, or paused) and
   * is not the active may still be in it, without any recheck having run: an active whose session
   * expired rejoins by itself and loses the race, a failed activation schedules its own rejoin.
   * Take it out now, before it can win the lock.
   */
  private checkStayOut(out: StepOutput<ControllerCommand>): void {
    if (this.readiness.ready && this.pausedReason === undefined) return;
    if (this.stopped || this.exited !== undefined || this.cedeInFlight !== undefined) return;
    if (this.elector.isActivating() || this.pendingStandby.size > 0) return;
    const elector = this.elector.snapshot();
    if (elector.state === 'ACTIVE' || this.serviceState === 'ACTIVE') return;
    if (!elector.wantToBeInElection && !elector.rejoinPending) return;
    if (this.holdForPause(out)) return;
    if (this.lastHealthState === 'SERVICE_HEALTHY') this.holdForReadiness(out);
  }

  private refuseCede(event: ControllerEvent, error: string, out: StepOutput<ControllerCommand>): void {
    if (event.type === 'CedeActiveRequested')
      out.command({ type: 'CompleteCedeActive', requestId: event.requestId, ok: false, error });
  }

  // -------------------------------------------------------------------------------------------
  // The elector and its callbacks

  private feedElector(event: ElectorEvent, out: StepOutput<ControllerCommand>): void {
    const before = this.elector.snapshot().state;
    const result = this.elector.step(event, this.now);
    out.notes.push(...result.notes);
    for (const command of result.commands) {
      if (isElectorCallback(command)) this.onElectorCallback(command, out);
      else this.passThrough(command, out);
    }
    const after = this.elector.snapshot().state;
    if (after !== before) this.episodes.electorStateChanged(after);
  }

  private passThrough(command: Exclude<ElectorCommand, ElectorCallback>, out: StepOutput<ControllerCommand>): void {
    if (command.type === 'CreateLockZnode') this.episodes.contending(this.now, this.graceful?.sinceMs);
    out.command(command);
  }

  private onElectorCallback(callback: ElectorCallback, out: StepOutput<ControllerCommand>): void {
    switch (callback.type) {
      case 'BecomeActive': {
        out.note('info', 'Trying to make local NameNode active...', { target: formatTarget(this.local) });
        const seq = ++this.transitionSeq;
        this.pendingActive = {
          seq,
          activationId: callback.activationId,
          serviceStateVersion: this.serviceStateVersion,
        };
        out.command({ type: 'TransitionLocalToActive', seq, timeoutMs: this.newActiveRpcTimeoutMs });
        return;
      }
      case 'BecomeStandby': {
        out.note('info', 'ZK Election indicated that local NameNode should become standby', {
          target: formatTarget(this.local),
        });
        const seq = ++this.transitionSeq;
        this.pendingStandby.set(seq, this.serviceStateVersion);
        out.command({
          type: 'TransitionLocalToStandby',
          seq,
          timeoutMs: this.gracefulFenceRpcTimeoutMs,
          purpose: 'electionLost',
        });
        return;
      }
      case 'EnterNeutralMode':
        // Parity: the Java ZKFC's enterNeutralMode is a no-op; the NameNode keeps its state.
        out.note('debug', 'Neutral mode: no action, the NameNode keeps its HA state');
        return;
      case 'FenceOldActive':
        this.onFenceOldActive(callback.activationId, callback.data, callback.decoded, out);
        return;
      case 'NotifyFatalError':
        this.fatal(callback.message, callback.exitCode, out);
        return;
      default:
        assertNever(callback, 'elector callback');
    }
  }

  private onFenceOldActive(
    activationId: number,
    data: Uint8Array,
    decoded: Extract<ElectorCallback, { type: 'FenceOldActive' }>['decoded'],
    out: StepOutput<ControllerCommand>,
  ): void {
    const resolved = breadcrumbTarget(data, decoded, this.targets);
    this.episodes.fenceStarted(this.now, resolved.ok ? resolved.target.namenodeId : null, this.graceful?.sinceMs);
    if (!resolved.ok) {
      // Never fence blindly: treat as a failure to become active (the elector releases the lock
      // and retries after its sleep); an operator must repair ZooKeeper. The runtime reports it
      // once, with the command that clears it (breadcrumbRefusals in the snapshot).
      this.breadcrumbRefusalCount++;
      this.lastBreadcrumbRefusal = resolved.error;
      out.note('error', 'Refusing to fence: the breadcrumb does not name a NameNode of our configuration', {
        error: resolved.error,
      });
      this.recordActiveAttempt(false, `Unable to fence old active: ${resolved.error}`, out);
      this.episodes.fenceEnded(this.now);
      this.feedElector({ type: 'FenceFinished', activationId, ok: false, reason: resolved.error }, out);
      return;
    }
    this.fencingTargets.set(activationId, formatTarget(resolved.target));
    out.note('info', 'Should fence', { target: formatTarget(resolved.target) });
    out.command({ type: 'FenceTarget', activationId, target: resolved.target });
  }

  private onFenceTargetFinished(
    activationId: number,
    fenced: boolean,
    graceful: boolean,
    detail: string,
    out: StepOutput<ControllerCommand>,
  ): void {
    const target = this.fencingTargets.get(activationId) ?? 'old active';
    this.fencingTargets.delete(activationId);
    this.episodes.fenceEnded(this.now);
    if (fenced) {
      out.note(
        'info',
        graceful ? 'Successfully transitioned old active to standby state without fencing' : 'Fenced the old active',
        { target, detail },
      );
    } else {
      out.note('error', 'Unable to fence old active', { target, detail });
      this.recordActiveAttempt(false, `Unable to fence old active: Unable to fence ${target}: ${detail}`, out);
    }
    this.feedElector(
      {
        type: 'FenceFinished',
        activationId,
        ok: fenced,
        reason: fenced ? detail : `Unable to fence ${target}: ${detail}`,
      },
      out,
    );
  }

  private onLocalTransitionFinished(
    seq: number,
    ok: boolean,
    error: string | undefined,
    out: StepOutput<ControllerCommand>,
  ): void {
    const pendingActive = this.pendingActive;
    if (pendingActive !== undefined && pendingActive.seq === seq) {
      this.pendingActive = undefined;
      const target = formatTarget(this.local);
      if (ok) {
        const status = `Successfully transitioned ${target} to active state`;
        out.note('info', 'Successfully transitioned local NameNode to active state', { target });
        if (pendingActive.serviceStateVersion === this.serviceStateVersion)
          this.setServiceState('ACTIVE', 'transitionToActive succeeded', out);
        this.recordActiveAttempt(true, status, out);
      } else {
        out.note('error', "Couldn't make local NameNode active", { target, error: error ?? null });
        this.recordActiveAttempt(false, `Couldn't make ${target} active\n${error ?? 'unknown error'}`, out);
      }
      this.feedElector(
        {
          type: 'BecomeActiveFinished',
          activationId: pendingActive.activationId,
          ok,
          reason: ok ? 'transitionToActive succeeded' : `Couldn't transition to active: ${error ?? 'unknown error'}`,
        },
        out,
      );
      if (ok && this.elector.snapshot().state === 'ACTIVE') {
        const report = this.episodes.finish(this.now, this.graceful !== undefined);
        if (report !== undefined) out.command({ type: 'ReportFailover', report });
      }
      return;
    }
    const cede = this.cedeInFlight;
    if (cede !== undefined && cede.seq === seq) {
      this.finishCede(ok, error, out);
      return;
    }
    const standbyVersion = this.pendingStandby.get(seq);
    if (standbyVersion !== undefined) {
      this.pendingStandby.delete(seq);
      if (ok) out.note('info', 'Successfully transitioned local NameNode to standby state');
      else out.note('error', "Couldn't transition local NameNode to standby state", { error: error ?? null });
      // Parity: serviceState = STANDBY whatever the outcome (Java sets it right after its blocking
      // RPC), unless something decided otherwise meanwhile: a later transition, a quit, OBSERVER.
      if (seq === this.transitionSeq && standbyVersion === this.serviceStateVersion)
        this.setServiceState('STANDBY', 'election lost', out);
      return;
    }
    out.note('debug', 'Stale transition result ignored', { seq });
  }

  private recordActiveAttempt(succeeded: boolean, status: string, out: StepOutput<ControllerCommand>): void {
    this.lastActiveAttempt = { succeeded, status, atMs: this.now };
    out.command({ type: 'ReportActiveAttempt', succeeded, status });
  }

  // -------------------------------------------------------------------------------------------
  // Health and electability (docs/hadoop-compat.md §6.4, §6.5)

  private onHealthEvent(event: HealthEvent, out: StepOutput<ControllerCommand>): void {
    const result = this.health.step(event);
    out.notes.push(...result.notes);
    for (const output of result.commands) {
      if (output.type === 'ReportServiceStatus') {
        this.verifyChangedServiceState(output.status.state, out);
      } else {
        this.lastHealthState = output.to;
        this.lastHealthReason = output.reason;
        out.note('info', 'Local service entered state', { target: formatTarget(this.local), state: output.to });
        this.recheckElectability(out);
      }
      if (this.exited !== undefined) return;
    }
  }

  /** Not in Hadoop: an operator's maintenance pause (events.ts MaintenancePauseChanged). */
  private onMaintenancePause(paused: boolean, reason: string, out: StepOutput<ControllerCommand>): void {
    const from = this.pausedReason === undefined ? 'running' : 'paused';
    const to = paused ? 'paused' : 'running';
    if (paused) this.pausedReason = reason;
    else this.pausedReason = undefined;
    if (from === to) return;
    out.stateChange('maintenance pause', from, to, reason);
    this.recheckElectability(out);
  }

  /** Not in Hadoop: the readiness gate's verdict (readiness.ts; events.ts ReadinessAssessed). */
  private onReadiness(readiness: Readiness, out: StepOutput<ControllerCommand>): void {
    const before = this.readiness;
    this.readiness = readiness;
    if (readiness.candidacyDelayMs !== before.candidacyDelayMs)
      this.feedElector({ type: 'CandidacyDelayChanged', delayMs: readiness.candidacyDelayMs }, out);
    if (readiness.ready === before.ready && readiness.escape === before.escape) return;
    const name = (r: Readiness): string => (r.ready ? (r.escape ? 'ready (escape)' : 'ready') : 'not ready');
    out.stateChange('readiness', name(before), name(readiness), readiness.summary);
    this.recheckElectability(out);
  }

  /**
   * The readiness gate, for a controller whose NameNode is healthy: true when it must stay out of
   * the election (it leaves if it is in). Never applies to the active (elector ACTIVE or NameNode
   * expected active): the gate decides who may become active, it never demotes.
   */
  private holdForReadiness(out: StepOutput<ControllerCommand>): boolean {
    if (this.readiness.ready) return false;
    const elector = this.elector.snapshot();
    if (elector.state === 'ACTIVE' || this.serviceState === 'ACTIVE') return false;
    // A rejoin after a failed activation is scheduled with wantToBeInElection already false: cancel it too.
    if (elector.wantToBeInElection || elector.rejoinPending) {
      out.note('info', 'Leaving the election: local NameNode not ready to become active', {
        reason: this.readiness.summary,
      });
      this.feedElector({ type: 'QuitElectionRequested', needFence: true }, out);
    } else {
      out.note('info', 'Not joining the election: local NameNode not ready to become active', {
        reason: this.readiness.summary,
      });
    }
    return true;
  }

  /**
   * While paused: the active (its NameNode active as far as we know, or our elector holding the
   * lock) stays in the election whatever its health, so it keeps the lock and nobody fences it;
   * any other controller leaves the election, so it cannot win the lock and fence or activate.
   * Returns true when the pause decided.
   */
  private holdForPause(out: StepOutput<ControllerCommand>): boolean {
    if (this.pausedReason === undefined) return false;
    const elector = this.elector.snapshot();
    if (elector.state === 'ACTIVE' || this.serviceState === 'ACTIVE') {
      out.note('info', 'Maintenance pause: keeping the lock, no transition', {
        healthState: this.lastHealthState,
        reason: this.pausedReason,
      });
      return true;
    }
    if (elector.wantToBeInElection || elector.rejoinPending) {
      out.note('info', 'Maintenance pause: leaving the election', { reason: this.pausedReason });
      this.feedElector({ type: 'QuitElectionRequested', needFence: true }, out);
    }
    return true;
  }

  private recheckElectability(out: StepOutput<ControllerCommand>): void {
    if (this.holdForPause(out)) return;
    const healthy = this.lastHealthState === 'SERVICE_HEALTHY';
    const remainingDelayMs = this.delayJoiningUntilMs - this.now;
    if (remainingDelayMs > 0) {
      if (healthy) {
        out.note('info', 'Would have joined master election, but this node is prohibited from doing so for a while', {
          remainingMs: remainingDelayMs,
        });
      }
      this.scheduleRecheck(remainingDelayMs, out);
      return;
    }
    if (this.holdBackFailover(out)) return;
    switch (this.lastHealthState) {
      case 'SERVICE_HEALTHY':
        if (this.serviceState !== 'OBSERVER' && this.holdForReadiness(out)) {
          this.quitElectionOnBadState = false;
          return;
        }
        if (this.serviceState !== 'OBSERVER') {
          this.feedElector({ type: 'JoinElectionRequested', appData: this.appData }, out);
        } else {
          out.note('debug', 'Not joining the election: the NameNode is an observer');
        }
        this.quitElectionOnBadState = false;
        return;
      case 'INITIALIZING':
        out.note('info', 'Ensuring that local NameNode does not participate in active master election');
        this.feedElector({ type: 'QuitElectionRequested', needFence: false }, out);
        this.setServiceState('INITIALIZING', 'health INITIALIZING', out);
        return;
      case 'SERVICE_UNHEALTHY':
      case 'SERVICE_NOT_RESPONDING':
        out.note('info', 'Quitting master election for local NameNode and marking that fencing is necessary', {
          healthState: this.lastHealthState,
        });
        this.feedElector({ type: 'QuitElectionRequested', needFence: true }, out);
        this.setServiceState('INITIALIZING', `health ${this.lastHealthState}`, out);
        return;
      case 'HEALTH_MONITOR_FAILED':
        this.fatal('Health monitor failed!', EXIT_FATAL, out);
        return;
      default:
        assertNever(this.lastHealthState, 'health state');
    }
  }

  private scheduleRecheck(delayMs: number, out: StepOutput<ControllerCommand>): void {
    const token = this.nextTimerToken++;
    this.recheckToken = token;
    out.command({ type: 'ScheduleControllerTimer', timer: 'recheckElectability', token, delayMs });
  }

  /** Parity: verifyChangedServiceState (HADOOP-10251), plus the observer gap closed (see below). */
  private verifyChangedServiceState(reported: HAServiceState, out: StepOutput<ControllerCommand>): void {
    if (this.serviceState === 'INITIALIZING') {
      if (reported === 'OBSERVER') {
        // Deviation: Java ignores reports while its own view is INITIALIZING, so a ZKFC started
        // next to an observer joins the election and, if it wins, loops failing transitionToActive
        // (docs/hadoop-compat.md §7.6, last point). Staying out is what Java does once its view is not INITIALIZING.
        this.feedElector({ type: 'QuitElectionRequested', needFence: true }, out);
        this.setServiceState('OBSERVER', 'NameNode reports OBSERVER', out);
        return;
      }
      if (this.quitElectionOnBadState) {
        out.note('debug', 'rechecking for electability from bad state');
        this.recheckElectability(out);
      }
      return;
    }
    if (reported === 'OBSERVER') {
      this.feedElector({ type: 'QuitElectionRequested', needFence: true }, out);
      this.setServiceState('OBSERVER', 'NameNode reports OBSERVER', out);
      return;
    }
    if (reported === this.serviceState) {
      this.serviceStateMismatchCount = 0;
      return;
    }
    if (this.serviceStateMismatchCount === 0) {
      // Recheck once more: a transition may be in flight.
      this.serviceStateMismatchCount++;
      return;
    }
    if (this.pausedReason !== undefined) {
      // An operator may transition NameNodes by hand during maintenance; the election waits.
      out.note('info', 'Maintenance pause: service state changed, staying as we are', {
        reported,
        expected: this.serviceState,
      });
      return;
    }
    out.note('error', 'Local service has changed the serviceState. Quitting election marking fencing necessary.', {
      target: formatTarget(this.local),
      reported,
      expected: this.serviceState,
    });
    this.delayJoiningUntilMs = this.now + BAD_STATE_REJOIN_DELAY_MS;
    this.feedElector({ type: 'QuitElectionRequested', needFence: true }, out);
    this.quitElectionOnBadState = true;
    this.serviceStateMismatchCount = 0;
    this.setServiceState('INITIALIZING', 'service state mismatch', out);
  }

  private setServiceState(to: HAServiceState, reason: string, out: StepOutput<ControllerCommand>): void {
    this.serviceStateVersion++;
    if (to === this.serviceState) return;
    out.stateChange('expected service', this.serviceState, to, reason);
    this.serviceState = to;
  }

  // -------------------------------------------------------------------------------------------
  // Anti-flap (not in Hadoop; README "Anti-flap"). Deviation: with the limit reached, an active
  // whose NameNode turns SERVICE_UNHEALTHY stays in the election (it keeps the lock, its NameNode
  // stays active) instead of quitting, until its NameNode is healthy again, stops answering, or the
  // oldest counted failover leaves the window.
  //
  // Why the losing side decides: only it can tell "my NameNode answers but says it is unhealthy"
  // (a HealthCheckFailedException: the process is alive and still active) from "my NameNode is
  // gone" (refused, unreachable, timed out: SERVICE_NOT_RESPONDING). A standby sees both as the
  // lock vanishing, exactly as it sees a ZooKeeper session expiry, so it never holds anything
  // back: a failover after a session expiry, a controller crash or stop, or a dead NameNode is
  // never delayed. Holding back transitions nothing, so it cannot make a second active; and it
  // only ever keeps a NameNode that answers and reports itself active, so the cluster is never
  // left without one.

  /** Count a lock-holder change seen in ZooKeeper (anti-flap.ts). */
  private observeLockHolder(event: ControllerEvent, out: StepOutput<ControllerCommand>): void {
    if (!this.antiFlap.enabled) return;
    const elector = this.elector.snapshot();
    if (!('epoch' in event) || event.epoch !== elector.epoch) return;
    let holder: bigint | undefined;
    if (event.type === 'LockCreateFinished' && event.code === 'OK') holder = elector.sessionId;
    else if (event.type === 'LockMonitorFinished' && event.code === 'OK') holder = event.ephemeralOwner;
    // 0: a persistent lock znode, held by no session (reported by the runtime as a problem).
    if (holder === undefined || holder === 0n) return;
    const seen = this.antiFlap.observeHolder(holder, this.now, this.graceful !== undefined);
    if (seen !== 'counted' && seen !== 'graceful') return;
    const failoversInWindow = this.antiFlap.countInWindow(this.now);
    out.note(
      'info',
      seen === 'counted' ? 'Anti-flap: lock holder changed' : 'Anti-flap: lock holder changed by a graceful failover',
      {
        counted: seen === 'counted',
        own: holder === elector.sessionId,
        failoversInWindow,
        maxFailovers: this.antiFlap.config.maxFailovers,
        windowMs: this.antiFlap.config.windowMs,
      },
    );
    out.command({
      type: 'ReportAntiFlap',
      report: { kind: 'lockHolderChanged', counted: seen === 'counted', failoversInWindow },
    });
  }

  /** cedeActive: an administrator's graceful failover is under way; its holder change does not count. */
  private expectGracefulHolderChange(millisToCede: number): void {
    if (millisToCede > 0) this.antiFlap.expectGraceful(this.now + 2 * millisToCede);
  }

  /**
   * Called by recheckElectability before it acts on the health state: true when the failover that
   * quitting the election would cause is held back (the caller then does nothing).
   */
  private holdBackFailover(out: StepOutput<ControllerCommand>): boolean {
    const elector = this.elector.snapshot();
    const hold = this.holdingBack;
    const holdsLock =
      elector.state === 'ACTIVE' ||
      // A disconnection (not an expiry: the session, and the lock, may still be ours) while holding.
      (hold !== undefined && elector.state === 'NEUTRAL' && elector.epoch === hold.epoch);
    const wouldFailOver =
      this.lastHealthState === 'SERVICE_UNHEALTHY' &&
      holdsLock &&
      this.serviceState === 'ACTIVE' &&
      this.graceful === undefined &&
      this.cedeInFlight === undefined &&
      !this.stopped;
    if (!wouldFailOver || !this.antiFlap.limitReached(this.now)) {
      if (hold !== undefined) this.endHoldBack(this.holdBackEnd(holdsLock), out);
      return false;
    }
    const releaseInMs = this.antiFlap.releaseInMs(this.now);
    if (hold === undefined) {
      this.holdingBack = { sinceMs: this.now, healthReason: this.lastHealthReason, epoch: elector.epoch };
      const failoversInWindow = this.antiFlap.countInWindow(this.now);
      const { maxFailovers, windowMs } = this.antiFlap.config;
      out.note('warn', 'Anti-flap: failover held back; the local NameNode stays active', {
        target: formatTarget(this.local),
        reason: heldBackReason(failoversInWindow, windowMs, maxFailovers),
        healthReason: this.lastHealthReason,
        failoversInWindow,
        maxFailovers,
        windowMs,
        releaseInMs,
      });
      out.command({
        type: 'ReportAntiFlap',
        report: {
          kind: 'failoverHeldBack',
          namenode: this.local.namenodeId,
          healthReason: this.lastHealthReason,
          failoversInWindow,
          maxFailovers,
          windowMs,
          releaseInMs,
        },
      });
    }
    // Look again when the oldest counted failover leaves the window.
    this.scheduleRecheck(releaseInMs, out);
    return true;
  }

  private holdBackEnd(holdsLock: boolean): HoldBackEnd {
    if (this.lastHealthState === 'SERVICE_HEALTHY') return 'healthy';
    if (this.lastHealthState === 'SERVICE_NOT_RESPONDING') return 'not-responding';
    if (!holdsLock || this.serviceState !== 'ACTIVE' || this.lastHealthState !== 'SERVICE_UNHEALTHY')
      return 'lock-released';
    return this.graceful !== undefined || this.cedeInFlight !== undefined || this.stopped
      ? 'lock-released'
      : 'window-passed';
  }

  private endHoldBack(reason: HoldBackEnd, out: StepOutput<ControllerCommand>): void {
    const hold = this.holdingBack;
    if (hold === undefined) return;
    this.holdingBack = undefined;
    const heldBackMs = this.now - hold.sinceMs;
    out.note('info', 'Anti-flap: no longer holding back the failover', {
      target: formatTarget(this.local),
      reason,
      heldBackMs,
    });
    out.command({
      type: 'ReportAntiFlap',
      report: { kind: 'holdBackEnded', namenode: this.local.namenodeId, reason, heldBackMs },
    });
  }

  /**
   * After every step: a hold-back lasts only while this ZKFC keeps the session that holds the lock
   * and its NameNode is expected active. When that ends (session expired, cede, service state
   * changed, stop), the hold ends and electability is rechecked, so an unhealthy NameNode that
   * rejoined the election with a new session quits it again.
   */
  private checkHoldBack(out: StepOutput<ControllerCommand>): void {
    const hold = this.holdingBack;
    if (hold === undefined) return;
    const elector = this.elector.snapshot();
    const keeps =
      (elector.state === 'ACTIVE' || elector.state === 'NEUTRAL') &&
      elector.epoch === hold.epoch &&
      this.serviceState === 'ACTIVE' &&
      !this.stopped &&
      this.exited === undefined;
    if (keeps) return;
    this.endHoldBack('lock-released', out);
    if (!this.stopped && this.exited === undefined) this.scheduleRecheck(0, out);
  }

  // -------------------------------------------------------------------------------------------
  // cedeActive (docs/hadoop-compat.md §7.4)

  private onCedeActive(
    requestId: number,
    millisToCede: number,
    requester: string | undefined,
    out: StepOutput<ControllerCommand>,
  ): void {
    if (!this.healthMonitorStarted) {
      // Java serves ZKFCProtocol only after ZooKeeper is connected and the health monitor runs.
      out.command({
        type: 'CompleteCedeActive',
        requestId,
        ok: false,
        error: 'ZK Failover Controller is not started yet',
      });
      return;
    }
    if (this.pausedReason !== undefined) {
      out.note('warn', 'Cede request refused: maintenance pause', { requester: requester ?? null });
      out.command({
        type: 'CompleteCedeActive',
        requestId,
        ok: false,
        error: `automatic failover is paused for maintenance (${this.pausedReason})`,
      });
      return;
    }
    if (millisToCede <= 0) {
      out.note('info', 'Cede request withdrawn; rejoining the election if healthy', { requester: requester ?? null });
      this.delayJoiningUntilMs = 0;
      this.recheckElectability(out);
      out.command({ type: 'CompleteCedeActive', requestId, ok: true });
      return;
    }
    out.note('info', 'Requested to cede active role', { requester: requester ?? null, millisToCede });
    const seq = ++this.transitionSeq;
    this.cedeInFlight = { requestId, millisToCede, seq };
    out.command({ type: 'TransitionLocalToStandby', seq, timeoutMs: this.gracefulFenceRpcTimeoutMs, purpose: 'cede' });
  }

  private finishCede(ok: boolean, error: string | undefined, out: StepOutput<ControllerCommand>): void {
    const cede = this.cedeInFlight;
    if (cede === undefined) return;
    this.cedeInFlight = undefined;
    if (ok) {
      out.note('info', 'Successfully ensured local node is in standby mode');
    } else {
      out.note('warn', 'Unable to transition local node to standby', { error: error ?? null });
      out.note('warn', 'Quitting election but indicating that fencing is necessary');
    }
    this.delayJoiningUntilMs = this.now + cede.millisToCede;
    this.feedElector({ type: 'QuitElectionRequested', needFence: !ok }, out);
    this.setServiceState('INITIALIZING', 'ceded active', out);
    this.recheckElectability(out);
    out.command({ type: 'CompleteCedeActive', requestId: cede.requestId, ok: true });
  }

  // -------------------------------------------------------------------------------------------
  // Stop and fatal errors

  private onStop(out: StepOutput<ControllerCommand>): void {
    out.note('info', 'Stopping: quitting the election (fencing of this NameNode will be necessary)');
    // Parity: doRun's finally calls quitElection(true): the lock goes, the breadcrumb stays, so the
    // next active fences (gracefully first) this NameNode. The NameNode itself is not touched.
    this.feedElector({ type: 'QuitElectionRequested', needFence: true, preempt: true }, out);
    this.stopped = true;
    out.command({ type: 'StopHealthMonitor' });
    this.failPendingCedes('ZK Failover Controller is stopping', out);
  }

  private fatal(message: string, exitCode: number, out: StepOutput<ControllerCommand>): void {
    if (this.exited !== undefined) return;
    out.note('fatal', 'Fatal error occurred', { message, exitCode });
    const full = exitCode === EXIT_FATAL ? `ZK Failover Controller failed: ${message}` : message;
    this.exited = { exitCode, message: full };
    // Parity: after a fatal error doRun's finally quits the election with needFence=true.
    this.feedElector({ type: 'QuitElectionRequested', needFence: true, preempt: true }, out);
    out.command({ type: 'StopHealthMonitor' });
    this.failPendingCedes(full, out);
    out.command({ type: 'ExitProcess', exitCode, message: full });
  }

  private failPendingCedes(error: string, out: StepOutput<ControllerCommand>): void {
    if (this.cedeInFlight !== undefined) {
      out.command({ type: 'CompleteCedeActive', requestId: this.cedeInFlight.requestId, ok: false, error });
      this.cedeInFlight = undefined;
    }
    for (const event of this.deferred) this.refuseCede(event, error, out);
    this.deferred = [];
  }
}
