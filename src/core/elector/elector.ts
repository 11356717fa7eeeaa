// Hadoop's ActiveStandbyElector as a pure state machine: step(event, nowMs) → { commands, notes }.
// It runs leader election on one EPHEMERAL lock znode, watches it, and before the local service
// becomes active it reads the PERSISTENT breadcrumb znode, has the application fence whatever old
// active the breadcrumb names, then writes its own data there with a compare-and-set.
//
// What it does NOT promise (as Hadoop's class comment says): fencing itself. After it asks the
// application to fence (FenceOldActive) and to become active (BecomeActive), the application must
// make that true and report back. It also cannot know whether the local service really changed
// state; the controller watches that through the health monitor.
//
// Java runs every elector method under one lock, and its becomeActive() runs the whole
// fence → write breadcrumb → transitionToActive sequence inside a ZooKeeper callback, so nothing
// else is processed meanwhile. Here that sequence is an explicit "activation" whose steps are
// visible in the state; every unrelated event that arrives during it is deferred and replayed,
// in order, when it ends. Only a shutdown quit (preempt) may interrupt it.
//
// Parity: org.apache.hadoop.ha.ActiveStandbyElector (docs/hadoop-compat.md §5). Deliberate differences are
// marked "Deviation:".

import { assert, assertNever } from '../assert.js';
import { StepOutput, bytesEqual, toHex, type StepResult } from '../note.js';
import type { ElectorState } from '../types.js';
import type { ElectorCommand } from './commands.js';
import type { ElectorEvent, ElectorTimer, ZkResultCode, ZkSessionState } from './events.js';

export const LOCK_FILENAME = 'ActiveStandbyElectorLock';
export const BREADCRUMB_FILENAME = 'ActiveBreadCrumb';
/** Hadoop's SLEEP_AFTER_FAILURE_TO_BECOME_ACTIVE. */
export const SLEEP_AFTER_FAILURE_TO_BECOME_ACTIVE_MS = 1000;
/** Sleep between failed attempts of reEstablishSession(). */
export const RE_ESTABLISH_SESSION_RETRY_DELAY_MS = 5000;

/**
 * The wait before reconnect attempt `failures + 1` while ZooKeeper is out of reach
 * (ElectorConfig.retryForever): `baseMs` (Hadoop's reEstablishSession sleep), doubling per failure
 * up to `maxMs`. The daemon's start-up wait uses the same schedule.
 */
export function reconnectDelayMs(failures: number, baseMs: number, maxMs: number): number {
  return Math.min(Math.max(baseMs, maxMs), baseMs * 2 ** Math.min(Math.max(failures - 1, 0), 20));
}

/** Exit codes the elector asks for (ZKFailoverController: 1 any fatal error, 6 ERR_CODE_NO_ZK). */
const EXIT_FATAL = 1;
const EXIT_NO_ZK = 6;

/**
 * The per-nameservice working znode: `<parent>` + `/` (added if missing) + `<nameserviceId>`
 * (ZKFailoverController.getParentZnode).
 */
export function znodeWorkingDir(parentZnode: string, nameserviceId: string): string {
  return (parentZnode.endsWith('/') ? parentZnode : `${parentZnode}/`) + nameserviceId;
}

/** Hadoop's ActiveStandbyElector.ConnectionState. */
export type ZkConnectionState = 'DISCONNECTED' | 'CONNECTED' | 'TERMINATED';

export interface ElectorConfig {
  /** e.g. /hadoop-ha/mycluster (see znodeWorkingDir). */
  readonly workingDir: string;
  /**
   * ha.failover-controller.active-standby-elector.zk.op.retries (Java's maxRetryNum): attempts of
   * breadcrumb operations, and extra attempts of create/exists. At least 1.
   */
  readonly zkOpRetries: number;
  readonly sleepAfterFailureToBecomeActiveMs?: number;
  readonly reEstablishSessionRetryDelayMs?: number;
  /** Bound on events held back while becoming active; exceeding it is a fatal error. */
  readonly maxDeferredEvents?: number;
  /**
   * Lease guard (not in Hadoop): the longest time between sending the breadcrumb write and asking
   * for transitionToActive. ZooKeeper cannot expire our session earlier than a session timeout
   * after it received that write, so while less than this has passed (keep it well under the
   * session timeout) the lock is still ours and no peer can have fenced us yet. Longer means our
   * process may have been paused (GC, SIGSTOP, overload) long enough to lose the lock, and
   * activating could make a second active: the attempt is abandoned instead. 0 or absent: off.
   */
  readonly leaseGuardMs?: number;
  /**
   * Never give up on ZooKeeper (not in Hadoop; README "ZooKeeper outages"). Hadoop's elector makes
   * the controller exit when the first session cannot connect (exit 6), when reEstablishSession
   * fails zkOpRetries times, or when create/exists keep failing with connection errors (exit 1);
   * under systemd a ZooKeeper outage then ends in a start limit and no controller at all. With
   * this on, each of those drops the session, stays out of the election and retries: the wait
   * starts at reEstablishSessionRetryDelayMs and doubles up to reEstablishMaxDelayMs.
   */
  readonly retryForever?: boolean;
  /** Longest wait between two connection attempts when retryForever is on. */
  readonly reEstablishMaxDelayMs?: number;
}

/** ZooKeeper is out of reach and the elector waits to try again (ElectorConfig.retryForever). */
export interface ZkRetry {
  /** Failed attempts in a row, from 1. */
  readonly failures: number;
  /** Wait before the next attempt. */
  readonly delayMs: number;
  /** What failed last (the message Hadoop would exit with). */
  readonly reason: string;
}

/** The steps of becoming active, in order (docs/hadoop-compat.md §5.4). */
export type ActivationStep = 'readingBreadcrumb' | 'fencing' | 'writingBreadcrumb' | 'becomingActive';

interface Activation {
  readonly id: number;
  /** Which result won the lock: our create, or an exists() showing we own it. */
  readonly from: 'create' | 'monitor';
  step: ActivationStep;
  /** Attempt number of the current ZooKeeper operation (bounded by zkOpRetries). */
  attempt: number;
  /** Version of the breadcrumb we read; undefined when there was none (write = create). */
  breadcrumbVersion: number | undefined;
  /** When the current breadcrumb write was sent (lease guard). */
  writeSentAtMs: number;
}

/** A session kept open after quitElection(false) only to delete our own breadcrumb. */
interface Retiring {
  step: 'reading' | 'deleting';
  attempt: number;
  version: number;
}

export interface ElectorSnapshot {
  readonly state: ElectorState;
  readonly connectionState: ZkConnectionState;
  readonly wantToBeInElection: boolean;
  /** Epoch of the current session, if any. */
  readonly epoch: number | undefined;
  readonly sessionId: bigint | undefined;
  readonly activationStep: ActivationStep | undefined;
  readonly monitorPending: boolean;
  readonly rejoinPending: boolean;
  /** True once a fatal error was reported (the elector is reset; the controller exits). */
  readonly fatal: boolean;
  readonly deferredEvents: number;
  /** Set while ZooKeeper is out of reach and a reconnect is scheduled (retryForever), else undefined. */
  readonly zkRetry: ZkRetry | undefined;
  /** The handicap before each race for a free lock (CandidacyDelayChanged), 0 when none. */
  readonly candidacyDelayMs: number;
  /** True while a lock create waits out that handicap. */
  readonly candidacyWaiting: boolean;
}

export class ActiveStandbyElector {
  readonly lockPath: string;
  readonly breadcrumbPath: string;
  private readonly zkOpRetries: number;
  private readonly sleepAfterFailureMs: number;
  private readonly reEstablishDelayMs: number;
  private readonly maxDeferred: number;
  private readonly leaseGuardMs: number;
  private readonly retryForever: boolean;
  private readonly reEstablishMaxDelayMs: number;
  private nowMs = 0;

  private state: ElectorState = 'INIT';
  private connectionState: ZkConnectionState = 'TERMINATED';
  private wantToBeInElection = false;
  private appData: Uint8Array | undefined;
  private createRetryCount = 0;
  private statRetryCount = 0;

  // The current session ("zkClient"). undefined = none.
  private epoch: number | undefined;
  private nextEpoch = 1;
  private sessionOpen = false;
  private sessionId: bigint | undefined;
  /** Set while the current session waits for its first event. */
  private connecting: { readonly failFast: boolean; readonly attempt: number } | undefined;
  /** Issue the lock create as soon as the connecting session is up. */
  private createAfterConnect = false;
  /** Failed connection attempts of reEstablishSession so far, while its retry timer runs. */
  private reEstablish: { readonly failures: number; readonly token: number; readonly retry?: ZkRetry } | undefined;

  private monitorPending = false;
  private monitorEpoch: number | undefined;
  /** Epoch on which a lock create is outstanding (never two at once: a second would see NODEEXISTS). */
  private createPendingEpoch: number | undefined;

  private activation: Activation | undefined;
  private nextActivationId = 1;
  private deferred: ElectorEvent[] = [];

  private rejoinToken: number | undefined;
  /** The readiness gate's handicap (CandidacyDelayChanged), and the create that waits it out. */
  private candidacyDelayMs = 0;
  private candidacyWait: { readonly token: number; readonly epoch: number } | undefined;
  private nextTimerToken = 1;
  private readonly retiring = new Map<number, Retiring>();
  private fatal = false;
  private started = false;

  constructor(config: ElectorConfig) {
    this.lockPath = `${config.workingDir}/${LOCK_FILENAME}`;
    this.breadcrumbPath = `${config.workingDir}/${BREADCRUMB_FILENAME}`;
    this.zkOpRetries = config.zkOpRetries;
    this.sleepAfterFailureMs = config.sleepAfterFailureToBecomeActiveMs ?? SLEEP_AFTER_FAILURE_TO_BECOME_ACTIVE_MS;
    this.reEstablishDelayMs = config.reEstablishSessionRetryDelayMs ?? RE_ESTABLISH_SESSION_RETRY_DELAY_MS;
    this.maxDeferred = config.maxDeferredEvents ?? 1024;
    this.leaseGuardMs = config.leaseGuardMs ?? 0;
    this.retryForever = config.retryForever ?? false;
    this.reEstablishMaxDelayMs = Math.max(
      this.reEstablishDelayMs,
      config.reEstablishMaxDelayMs ?? this.reEstablishDelayMs,
    );
    assert(this.zkOpRetries >= 1, 'zkOpRetries must be at least 1');
  }

  snapshot(): ElectorSnapshot {
    return {
      state: this.state,
      connectionState: this.connectionState,
      wantToBeInElection: this.wantToBeInElection,
      epoch: this.epoch,
      sessionId: this.sessionId,
      activationStep: this.activation?.step,
      monitorPending: this.monitorPending && this.monitorEpoch === this.epoch,
      rejoinPending: this.rejoinToken !== undefined,
      fatal: this.fatal,
      deferredEvents: this.deferred.length,
      zkRetry: this.reEstablish?.retry,
      candidacyDelayMs: this.candidacyDelayMs,
      candidacyWaiting: this.candidacyWait !== undefined,
    };
  }

  isActivating(): boolean {
    return this.activation !== undefined;
  }

  /** Epochs of sessions still open only to delete our breadcrumb after a graceful quit. */
  retiringEpochs(): readonly number[] {
    return [...this.retiring.keys()];
  }

  step(event: ElectorEvent, nowMs: number): StepResult<ElectorCommand> {
    const out = new StepOutput<ElectorCommand>();
    if (nowMs > this.nowMs) this.nowMs = nowMs;
    this.dispatch(event, out);
    this.replayDeferred(out);
    return out.result();
  }

  // -------------------------------------------------------------------------------------------
  // Dispatch

  private dispatch(event: ElectorEvent, out: StepOutput<ElectorCommand>): void {
    // Results of a session we are closing (retiring) finish that session's clean-up only.
    if ('epoch' in event && this.retiring.has(event.epoch)) {
      this.onRetiringEvent(event, out);
      return;
    }
    if ('epoch' in event && event.epoch !== this.epoch) {
      // Parity: isStaleClient. Results and watches of a session we no longer use never count. This
      // also covers everything after a fatal error: the elector is reset then (no session, out of
      // the election), as Java's is, and the controller is expected to exit.
      out.note('debug', 'Ignoring stale result from old client', {
        event: event.type,
        epoch: event.epoch,
        currentEpoch: this.epoch ?? null,
      });
      return;
    }
    if (this.activation !== undefined && this.mustWaitForActivation(event)) {
      if (this.deferred.length >= this.maxDeferred) {
        this.fatalError('Too many ZooKeeper events deferred while becoming active', EXIT_FATAL, out);
        return;
      }
      this.deferred.push(event);
      out.note('debug', 'Event deferred until becoming active finishes', {
        event: event.type,
        step: this.activation.step,
      });
      return;
    }
    switch (event.type) {
      case 'ElectorStarted':
        return this.onStarted(out);
      case 'JoinElectionRequested':
        return this.joinElection(event.appData, out);
      case 'QuitElectionRequested':
        return this.quitElection(event.needFence, event.preempt === true, out);
      case 'CandidacyDelayChanged':
        return this.setCandidacyDelay(event.delayMs, out);
      case 'ZkSessionStateChanged':
        return this.onSessionState(event.state, event.sessionId, out);
      case 'LockCreateFinished':
        return this.onCreateResult(event.code, out);
      case 'LockMonitorFinished':
        return this.onMonitorResult(event.code, event.ephemeralOwner, out);
      case 'LockWatchFired':
        return this.onWatch(event.watchType, event.path, out);
      case 'BreadcrumbReadFinished':
        return this.onBreadcrumbRead(event, out);
      case 'BreadcrumbWriteFinished':
        return this.onBreadcrumbWrite(event.code, out);
      case 'BreadcrumbDeleteFinished':
        out.note('debug', 'Unexpected breadcrumb delete result ignored', { code: event.code });
        return;
      case 'FenceFinished':
        return this.onFenceFinished(event.activationId, event.ok, event.reason, out);
      case 'BecomeActiveFinished':
        return this.onBecomeActiveFinished(event.activationId, event.ok, event.reason, out);
      case 'ElectorTimerFired':
        return this.onTimer(event.timer, event.token, out);
      default:
        assertNever(event, 'elector event');
    }
  }

  /** While becoming active only that sequence's own answers (and a shutdown) are processed. */
  private mustWaitForActivation(event: ElectorEvent): boolean {
    switch (event.type) {
      case 'FenceFinished':
      case 'BecomeActiveFinished':
      case 'BreadcrumbReadFinished':
      case 'BreadcrumbWriteFinished':
      case 'CandidacyDelayChanged':
        return false;
      case 'QuitElectionRequested':
        return event.preempt !== true;
      default:
        return true;
    }
  }

  private replayDeferred(out: StepOutput<ElectorCommand>): void {
    // Bounded: each pass consumes the queue; a replayed event can only re-defer the ones after it.
    while (this.activation === undefined && this.deferred.length > 0) {
      const event = this.deferred.shift();
      if (event === undefined) break;
      this.dispatch(event, out);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Public operations: start, joinElection, quitElection

  private onStarted(out: StepOutput<ElectorCommand>): void {
    if (this.started) {
      out.note('debug', 'Elector already started');
      return;
    }
    this.started = true;
    // Parity: the constructor's createConnection() (failFast). Failure here exits with code 6.
    this.openSession({ failFast: true, attempt: 0 }, out);
  }

  private joinElection(data: Uint8Array, out: StepOutput<ElectorCommand>): void {
    if (this.wantToBeInElection) {
      out.note('info', 'Already in election. Not re-connecting.');
      return;
    }
    this.appData = data.slice();
    if (this.reEstablish !== undefined) {
      // ZooKeeper is out of reach (retryForever) and a reconnect is scheduled: join on connect.
      this.wantToBeInElection = true;
      out.note('info', 'ZooKeeper reconnect scheduled; joining then');
      return;
    }
    if (this.rejoinToken !== undefined) {
      // Java would block on the elector lock until its rejoin sleep ends and then find itself in
      // the election already; the pending rejoin will join with this data.
      out.note('info', 'Rejoin already scheduled; joining then');
      return;
    }
    out.note('debug', 'Attempting active election', { appData: toHex(this.appData) });
    this.joinElectionInternal(out);
  }

  private quitElection(needFence: boolean, preempt: boolean, out: StepOutput<ElectorCommand>): void {
    if (this.activation !== undefined) {
      assert(preempt, 'a quit during activation must have been deferred');
      out.note('warn', 'Abandoning the becoming-active sequence to quit the election', { step: this.activation.step });
      this.activation = undefined;
    }
    out.note('info', 'Yielding from election', { needFence });
    if (!needFence && this.state === 'ACTIVE') {
      // Parity: quitElection(false) while ACTIVE removes our breadcrumb so nobody fences us.
      this.tryDeleteOwnBreadcrumb(out);
    }
    this.reset('quit election', out);
    this.wantToBeInElection = false;
    this.createAfterConnect = false;
    this.rejoinToken = undefined;
    this.reEstablish = undefined;
    this.candidacyWait = undefined;
  }

  // -------------------------------------------------------------------------------------------
  // Sessions

  private openSession(
    connecting: { readonly failFast: boolean; readonly attempt: number },
    out: StepOutput<ElectorCommand>,
  ): void {
    assert(this.epoch === undefined, 'opening a session while one is current');
    const epoch = this.nextEpoch++;
    this.epoch = epoch;
    this.sessionOpen = false;
    this.sessionId = undefined;
    this.connecting = connecting;
    out.note('info', 'Establishing ZooKeeper session', { epoch, attempt: connecting.attempt + 1 });
    out.command({ type: 'OpenZkSession', epoch });
  }

  /** Parity: terminateConnection(). Closes the current session; our ephemeral lock goes with it. */
  private terminateConnection(out: StepOutput<ElectorCommand>): void {
    if (this.epoch === undefined) return;
    out.command({ type: 'CloseZkSession', epoch: this.epoch });
    this.epoch = undefined;
    this.sessionOpen = false;
    this.sessionId = undefined;
    this.connecting = undefined;
    this.setConnectionState('TERMINATED', 'session closed', out);
    this.wantToBeInElection = false;
  }

  private reset(reason: string, out: StepOutput<ElectorCommand>): void {
    this.setState('INIT', reason, out);
    this.terminateConnection(out);
  }

  private onSessionState(state: ZkSessionState, sessionId: bigint | undefined, out: StepOutput<ElectorCommand>): void {
    if (this.connecting !== undefined) {
      this.onConnectingSessionState(state, sessionId, out);
      return;
    }
    switch (state) {
      case 'connected': {
        out.note('info', 'Session connected.', { sessionId: sessionId ?? this.sessionId });
        if (sessionId !== undefined) this.sessionId = sessionId;
        const previous = this.connectionState;
        this.setConnectionState('CONNECTED', 'session connected', out);
        // Parity: after a disconnect we do not know what happened to the lock; re-verify
        // ownership through ephemeralOwner. From NEUTRAL this re-runs becomeActive or becomeStandby.
        if (previous === 'DISCONNECTED' && this.wantToBeInElection) this.monitorActiveStatus(out);
        return;
      }
      case 'disconnected':
        out.note('info', 'Session disconnected. Entering neutral mode...');
        this.setConnectionState('DISCONNECTED', 'session disconnected', out);
        this.enterNeutralMode('session disconnected', out);
        return;
      case 'expired':
        out.note('info', 'Session expired. Entering neutral mode and rejoining...');
        this.enterNeutralMode('session expired', out);
        this.reJoinElection(0, out);
        return;
      case 'authFailed':
        this.fatalError('Unexpected Zookeeper watch event state: AuthFailed', EXIT_FATAL, out);
        return;
      case 'connectTimedOut':
        this.fatalError('Unexpected Zookeeper watch event state: ConnectTimedOut', EXIT_FATAL, out);
        return;
      default:
        assertNever(state, 'session state');
    }
  }

  /** The first event of a new session (Java waits for it in connectToZooKeeper). */
  private onConnectingSessionState(
    state: ZkSessionState,
    sessionId: bigint | undefined,
    out: StepOutput<ElectorCommand>,
  ): void {
    const connecting = this.connecting;
    assert(connecting !== undefined, 'not connecting');
    switch (state) {
      case 'connected': {
        this.connecting = undefined;
        this.sessionOpen = true;
        this.sessionId = sessionId;
        this.reEstablish = undefined;
        out.note('info', 'Session connected.', { sessionId });
        this.setConnectionState('CONNECTED', 'session established', out);
        if (this.createAfterConnect) {
          this.createAfterConnect = false;
          this.contendForLock(out);
        }
        return;
      }
      case 'disconnected':
        // Not a first event our port produces; keep waiting for connected or the connect bound.
        out.note('debug', 'Disconnected while connecting; still waiting');
        return;
      case 'authFailed':
        this.fatalError('Unexpected Zookeeper watch event state: AuthFailed', EXIT_FATAL, out);
        return;
      case 'connectTimedOut':
      case 'expired': {
        out.note('error', "Connection timed out: couldn't connect to ZooKeeper", { attempt: connecting.attempt + 1 });
        const wanted = this.wantToBeInElection;
        this.terminateConnection(out);
        if (connecting.failFast && !this.retryForever) {
          this.fatalError(
            'Unable to connect to ZooKeeper quorum: no server answered within the session timeout',
            EXIT_NO_ZK,
            out,
          );
          return;
        }
        // Parity: reEstablishSession() sleeps 5 s after each failed attempt, maxRetryNum (zkOpRetries)
        // attempts. The first session (failFast) only gets here with retryForever; it joins the
        // election on reconnect only if the controller asked to join meanwhile.
        const failures = connecting.attempt + 1;
        this.wantToBeInElection = wanted;
        this.scheduleReEstablish(failures, 'no ZooKeeper server answered within the session timeout', out);
        return;
      }
      default:
        assertNever(state, 'session state');
    }
  }

  private onTimer(timer: ElectorTimer, token: number, out: StepOutput<ElectorCommand>): void {
    switch (timer) {
      case 'rejoinElection':
        if (token !== this.rejoinToken) {
          out.note('debug', 'Stale timer ignored', { timer, token });
          return;
        }
        this.rejoinToken = undefined;
        this.joinAfterRejoinSleep(out);
        return;
      case 'candidacyDelay':
        this.onCandidacyDelayOver(token, out);
        return;
      case 'reEstablishSession': {
        const reEstablish = this.reEstablish;
        if (reEstablish === undefined || token !== reEstablish.token) {
          out.note('debug', 'Stale timer ignored', { timer, token });
          return;
        }
        this.reEstablish = undefined;
        if (reEstablish.failures >= this.zkOpRetries && !this.retryForever) {
          this.fatalError('Failed to reEstablish connection with ZooKeeper', EXIT_FATAL, out);
          return;
        }
        // Joins on connect when in the election (always, unless the first session failed before
        // the service was ever healthy: then the controller's join request comes later).
        this.createAfterConnect = this.wantToBeInElection && this.appData !== undefined;
        this.openSession({ failFast: false, attempt: reEstablish.failures }, out);
        return;
      }
      default:
        assertNever(timer, 'elector timer');
    }
  }

  // -------------------------------------------------------------------------------------------
  // Election

  private joinElectionInternal(out: StepOutput<ElectorCommand>): void {
    assert(this.appData !== undefined, 'trying to join election without any app data');
    this.wantToBeInElection = true;
    if (this.epoch === undefined) {
      // Parity: reEstablishSession() when there is no client.
      this.createAfterConnect = true;
      this.openSession({ failFast: false, attempt: 0 }, out);
      return;
    }
    if (!this.sessionOpen) {
      this.createAfterConnect = true;
      return;
    }
    if (this.createPendingEpoch === this.epoch) {
      // Deviation: Java's client delivers a watch once per Watcher object, so it never races two
      // creates; we guard explicitly (a duplicate NodeDeleted must not produce a NODEEXISTS that
      // would make us standby while our first create wins).
      out.note('info', 'Lock create already in flight; not issuing another');
      return;
    }
    this.contendForLock(out);
  }

  /**
   * Race for the free lock: create it now, or, with a candidacy delay (not in Hadoop; the
   * readiness gate's handicap), after that delay, so that a better-placed NameNode's controller
   * creates it first. A delayed create that finds the lock taken becomes standby (NODEEXISTS) as
   * any lost race does. Retries of a failed create are never delayed.
   */
  private contendForLock(out: StepOutput<ElectorCommand>): void {
    assert(this.epoch !== undefined, 'contending without a session');
    if (this.candidacyDelayMs > 0) {
      if (this.candidacyWait?.epoch === this.epoch) {
        out.note('debug', 'Lock create already waiting out the candidacy delay');
        return;
      }
      const token = this.nextTimerToken++;
      this.candidacyWait = { token, epoch: this.epoch };
      out.note('info', 'Waiting out the candidacy delay before racing for the lock', {
        delayMs: this.candidacyDelayMs,
      });
      out.command({ type: 'ScheduleElectorTimer', timer: 'candidacyDelay', token, delayMs: this.candidacyDelayMs });
      return;
    }
    this.createRetryCount = 0;
    this.createLockNode(out);
  }

  private setCandidacyDelay(delayMs: number, out: StepOutput<ElectorCommand>): void {
    const to = Math.max(0, Math.floor(delayMs));
    if (to === this.candidacyDelayMs) return;
    out.stateChange('candidacy delay', `${this.candidacyDelayMs} ms`, `${to} ms`, 'readiness assessed');
    this.candidacyDelayMs = to;
  }

  private onCandidacyDelayOver(token: number, out: StepOutput<ElectorCommand>): void {
    const wait = this.candidacyWait;
    if (wait === undefined || wait.token !== token) {
      out.note('debug', 'Stale timer ignored', { timer: 'candidacyDelay', token });
      return;
    }
    this.candidacyWait = undefined;
    if (!this.wantToBeInElection || !this.sessionOpen || this.epoch !== wait.epoch || this.fatal) {
      out.note('debug', 'Candidacy delay over, but no longer racing on that session');
      return;
    }
    if (this.createPendingEpoch === this.epoch || this.activation !== undefined) return;
    this.createRetryCount = 0;
    this.createLockNode(out);
  }

  private createLockNode(out: StepOutput<ElectorCommand>): void {
    assert(this.epoch !== undefined && this.appData !== undefined, 'create without session or data');
    this.createPendingEpoch = this.epoch;
    out.command({ type: 'CreateLockZnode', epoch: this.epoch, path: this.lockPath, data: this.appData });
  }

  private monitorActiveStatus(out: StepOutput<ElectorCommand>): void {
    this.statRetryCount = 0;
    this.monitorLockNodeAsync(out);
  }

  private monitorLockNodeAsync(out: StepOutput<ElectorCommand>): void {
    assert(this.epoch !== undefined, 'monitor without session');
    // Parity: HADOOP-12186, at most one exists() outstanding per session.
    if (this.monitorPending && this.monitorEpoch === this.epoch) {
      out.note('info', 'Ignore duplicate monitor lock-node request.');
      return;
    }
    this.monitorPending = true;
    this.monitorEpoch = this.epoch;
    out.command({ type: 'MonitorLockZnode', epoch: this.epoch, path: this.lockPath });
  }

  private onCreateResult(code: ZkResultCode, out: StepOutput<ElectorCommand>): void {
    this.createPendingEpoch = undefined;
    out.note('debug', 'CreateNode result', { code, path: this.lockPath, connectionState: this.connectionState });
    if (code === 'OK') {
      this.becomeActive('create', out);
      return;
    }
    if (code === 'NODEEXISTS') {
      // Without a retry someone else holds the lock. After a retry the node may be the one our
      // lost first attempt created: the exists() result settles it through ephemeralOwner.
      if (this.createRetryCount === 0) this.becomeStandby('lock held by another node', out);
      this.monitorActiveStatus(out);
      return;
    }
    const message = `Received create error from Zookeeper. code:${code} for path ${this.lockPath}`;
    if (isRetryable(code)) {
      if (this.createRetryCount < this.zkOpRetries) {
        this.createRetryCount++;
        out.note('debug', 'Retrying createNode', { createRetryCount: this.createRetryCount, code });
        this.createLockNode(out);
        return;
      }
      this.zkUnavailable(`${message}. Not retrying further znode create connection errors.`, out);
      return;
    }
    if (code === 'SESSIONEXPIRED') {
      out.note('warn', 'Lock acquisition failed because session was lost');
      return;
    }
    this.fatalError(message, EXIT_FATAL, out);
  }

  private onMonitorResult(
    code: ZkResultCode,
    ephemeralOwner: bigint | undefined,
    out: StepOutput<ElectorCommand>,
  ): void {
    if (this.monitorEpoch === this.epoch) this.monitorPending = false;
    if (!this.wantToBeInElection) {
      out.note('warn', 'Got a StatNode result after quitting election', { code });
      return;
    }
    out.note('debug', 'StatNode result', { code, path: this.lockPath, connectionState: this.connectionState });
    if (code === 'OK') {
      if (ephemeralOwner !== undefined && this.sessionId !== undefined && ephemeralOwner === this.sessionId) {
        // The owner check completes the verification of a retried create.
        this.becomeActive('monitor', out);
      } else {
        this.becomeStandby('lock held by another session', out);
      }
      return;
    }
    if (code === 'NONODE') {
      // The lock vanished before we looked: race for it again.
      this.enterNeutralMode('lock znode gone', out);
      this.joinElectionInternal(out);
      return;
    }
    const message = `Received stat error from Zookeeper. code:${code}`;
    if (isRetryable(code)) {
      if (this.statRetryCount < this.zkOpRetries) {
        this.statRetryCount++;
        this.monitorLockNodeAsync(out);
        return;
      }
      this.zkUnavailable(`${message}. Not retrying further znode monitoring connection errors.`, out);
      return;
    }
    if (code === 'SESSIONEXPIRED') {
      out.note('warn', 'Lock monitoring failed because session was lost');
      return;
    }
    this.fatalError(message, EXIT_FATAL, out);
  }

  private onWatch(watchType: string, path: string, out: StepOutput<ElectorCommand>): void {
    out.note('debug', 'Watcher event', { watchType, path, connectionState: this.connectionState });
    if (path === '') {
      this.fatalError('Unexpected watch error from Zookeeper', EXIT_FATAL, out);
      return;
    }
    if (!this.wantToBeInElection) {
      out.note('debug', 'Watch ignored outside the election', { watchType });
      return;
    }
    switch (watchType) {
      case 'NodeDeleted':
        if (this.state === 'ACTIVE') this.enterNeutralMode('lock znode deleted', out);
        this.joinElectionInternal(out);
        return;
      case 'NodeDataChanged':
        this.monitorActiveStatus(out);
        return;
      default:
        out.note('debug', 'Unexpected node event', { watchType, path });
        this.monitorActiveStatus(out);
    }
  }

  private reJoinElection(sleepMs: number, out: StepOutput<ElectorCommand>): void {
    out.note('info', 'Trying to re-establish ZK session', { sleepMs });
    this.terminateConnection(out);
    if (sleepMs > 0) {
      const token = this.nextTimerToken++;
      this.rejoinToken = token;
      out.command({ type: 'ScheduleElectorTimer', timer: 'rejoinElection', token, delayMs: sleepMs });
      return;
    }
    this.joinAfterRejoinSleep(out);
  }

  private joinAfterRejoinSleep(out: StepOutput<ElectorCommand>): void {
    // Parity: HADOOP-9459. Never join before the service was reported healthy (appData set).
    if (this.appData === undefined) {
      out.note('info', 'Not joining election since service has not yet been reported as healthy.');
      return;
    }
    this.joinElectionInternal(out);
  }

  // -------------------------------------------------------------------------------------------
  // Becoming active (docs/hadoop-compat.md §5.4): read breadcrumb → fence → write breadcrumb → becomeActive

  private becomeActive(from: 'create' | 'monitor', out: StepOutput<ElectorCommand>): void {
    assert(this.wantToBeInElection, 'becomeActive outside the election');
    if (this.state === 'ACTIVE') {
      // Already active (e.g. the exists() after our create): nothing to do.
      if (from === 'create') this.monitorActiveStatus(out);
      return;
    }
    assert(this.activation === undefined, 'becomeActive while already becoming active');
    const id = this.nextActivationId++;
    this.activation = {
      id,
      from,
      step: 'readingBreadcrumb',
      attempt: 1,
      breadcrumbVersion: undefined,
      writeSentAtMs: 0,
    };
    out.note('info', 'Checking for any old active which needs to be fenced...', { activationId: id, won: from });
    this.readBreadcrumbForActivation(out);
  }

  private readBreadcrumbForActivation(out: StepOutput<ElectorCommand>): void {
    assert(this.epoch !== undefined, 'activation without session');
    out.command({ type: 'ReadBreadcrumb', epoch: this.epoch, path: this.breadcrumbPath });
  }

  private onBreadcrumbRead(
    event: Extract<ElectorEvent, { type: 'BreadcrumbReadFinished' }>,
    out: StepOutput<ElectorCommand>,
  ): void {
    const activation = this.activation;
    if (activation === undefined || activation.step !== 'readingBreadcrumb') {
      out.note('debug', 'Unexpected breadcrumb read result ignored', { code: event.code });
      return;
    }
    const { code } = event;
    if (code === 'OK' && event.data !== undefined && event.version !== undefined) {
      assert(this.appData !== undefined, 'no appData');
      activation.breadcrumbVersion = event.version;
      out.note('info', 'Old node exists', { data: toHex(event.data), version: event.version });
      if (bytesEqual(event.data, this.appData)) {
        out.note('info', "But old node has our own data, so don't need to fence it.");
        this.writeBreadcrumb(out);
        return;
      }
      activation.step = 'fencing';
      out.command({ type: 'FenceOldActive', activationId: activation.id, data: event.data, decoded: event.decoded });
      return;
    }
    if (code === 'NONODE') {
      out.note('info', 'No old node to fence');
      activation.breadcrumbVersion = undefined;
      this.writeBreadcrumb(out);
      return;
    }
    if (isRetryable(code) && activation.attempt < this.zkOpRetries) {
      activation.attempt++;
      this.readBreadcrumbForActivation(out);
      return;
    }
    // Lost session, no permission...: we probably should not become active.
    this.endActivation(false, `could not read the breadcrumb: ${code}`, out);
  }

  private onFenceFinished(activationId: number, ok: boolean, reason: string, out: StepOutput<ElectorCommand>): void {
    const activation = this.activation;
    if (activation === undefined || activation.id !== activationId || activation.step !== 'fencing') {
      out.note('debug', 'Stale fencing result ignored', { activationId });
      return;
    }
    if (!ok) {
      this.endActivation(false, `unable to fence old active: ${reason}`, out);
      return;
    }
    this.writeBreadcrumb(out);
  }

  private writeBreadcrumb(out: StepOutput<ElectorCommand>): void {
    const activation = this.activation;
    assert(
      activation !== undefined && this.epoch !== undefined && this.appData !== undefined,
      'write without activation',
    );
    if (activation.step !== 'writingBreadcrumb') {
      activation.step = 'writingBreadcrumb';
      activation.attempt = 1;
      out.note('info', 'Writing znode to indicate that the local node is the most recent active...', {
        path: this.breadcrumbPath,
      });
    }
    activation.writeSentAtMs = this.nowMs;
    if (activation.breadcrumbVersion === undefined) {
      out.command({ type: 'CreateBreadcrumb', epoch: this.epoch, path: this.breadcrumbPath, data: this.appData });
    } else {
      // The versioned write is the compare-and-set: BADVERSION if anyone touched it since we read.
      out.command({
        type: 'SetBreadcrumb',
        epoch: this.epoch,
        path: this.breadcrumbPath,
        data: this.appData,
        version: activation.breadcrumbVersion,
      });
    }
  }

  private onBreadcrumbWrite(code: ZkResultCode, out: StepOutput<ElectorCommand>): void {
    const activation = this.activation;
    if (activation === undefined || activation.step !== 'writingBreadcrumb') {
      out.note('debug', 'Unexpected breadcrumb write result ignored', { code });
      return;
    }
    if (code === 'OK') {
      const tookMs = this.nowMs - activation.writeSentAtMs;
      if (this.leaseGuardMs > 0 && tookMs > this.leaseGuardMs) {
        this.endActivation(
          false,
          `the breadcrumb write was answered ${tookMs} ms after it was sent (lease guard ` +
            `${this.leaseGuardMs} ms): the lock may have been lost while this process was paused`,
          out,
        );
        return;
      }
      activation.step = 'becomingActive';
      out.note('debug', 'Becoming active');
      out.command({ type: 'BecomeActive', activationId: activation.id });
      return;
    }
    if (isRetryable(code) && activation.attempt < this.zkOpRetries) {
      activation.attempt++;
      this.writeBreadcrumb(out);
      return;
    }
    this.endActivation(false, `could not write the breadcrumb: ${code}`, out);
  }

  private onBecomeActiveFinished(
    activationId: number,
    ok: boolean,
    reason: string,
    out: StepOutput<ElectorCommand>,
  ): void {
    const activation = this.activation;
    if (activation === undefined || activation.id !== activationId || activation.step !== 'becomingActive') {
      out.note('debug', 'Stale becomeActive result ignored', { activationId });
      return;
    }
    this.endActivation(ok, reason, out);
  }

  private endActivation(ok: boolean, reason: string, out: StepOutput<ElectorCommand>): void {
    const activation = this.activation;
    assert(activation !== undefined, 'no activation to end');
    this.activation = undefined;
    if (ok) {
      this.setState('ACTIVE', 'won the election', out);
      if (activation.from === 'create') this.monitorActiveStatus(out);
      return;
    }
    out.note('warn', 'Exception handling the winning of election', { reason, step: activation.step });
    // Parity: reJoinElectionAfterFailureToBecomeActive. Closing the session drops our lock at once
    // so another node gets its turn during our sleep.
    this.reJoinElection(this.sleepAfterFailureMs, out);
  }

  private becomeStandby(reason: string, out: StepOutput<ElectorCommand>): void {
    if (this.state !== 'STANDBY') {
      this.setState('STANDBY', reason, out);
      out.command({ type: 'BecomeStandby' });
    }
  }

  private enterNeutralMode(reason: string, out: StepOutput<ElectorCommand>): void {
    if (this.state !== 'NEUTRAL') {
      this.setState('NEUTRAL', reason, out);
      out.command({ type: 'EnterNeutralMode' });
    }
  }

  // -------------------------------------------------------------------------------------------
  // Graceful quit: delete our own breadcrumb, then close (docs/hadoop-compat.md §5.8)

  private tryDeleteOwnBreadcrumb(out: StepOutput<ElectorCommand>): void {
    out.note('info', 'Deleting bread-crumb of active node...');
    if (this.epoch === undefined || !this.sessionOpen) {
      out.note(
        'warn',
        'Unable to delete our own bread-crumb of being active. Expecting to be fenced by the next active.',
        { reason: 'no session' },
      );
      return;
    }
    // The session stays open (it still holds the lock) until the delete is done, then closes: the
    // next active therefore never sees the lock free while our breadcrumb still names us.
    const epoch = this.epoch;
    this.retiring.set(epoch, { step: 'reading', attempt: 1, version: -1 });
    out.command({ type: 'ReadBreadcrumb', epoch, path: this.breadcrumbPath });
    this.epoch = undefined;
    this.sessionOpen = false;
    this.sessionId = undefined;
    this.setConnectionState('TERMINATED', 'session retired', out);
  }

  private onRetiringEvent(event: ElectorEvent, out: StepOutput<ElectorCommand>): void {
    assert('epoch' in event, 'retiring event without epoch');
    const epoch = event.epoch;
    const retiring = this.retiring.get(epoch);
    assert(retiring !== undefined, 'not retiring');
    if (event.type === 'BreadcrumbReadFinished' && retiring.step === 'reading') {
      if (event.code === 'OK' && event.data !== undefined && event.version !== undefined) {
        if (this.appData === undefined || !bytesEqual(event.data, this.appData)) {
          out.note(
            'warn',
            'Unable to delete our own bread-crumb of being active. Expecting to be fenced by the next active.',
            {
              reason: 'We thought we were active, but in fact the active znode had the wrong data',
              data: toHex(event.data),
            },
          );
          this.finishRetiring(epoch, out);
          return;
        }
        retiring.step = 'deleting';
        retiring.attempt = 1;
        retiring.version = event.version;
        out.command({ type: 'DeleteBreadcrumb', epoch, path: this.breadcrumbPath, version: event.version });
        return;
      }
      out.note(
        'warn',
        'Unable to delete our own bread-crumb of being active. Expecting to be fenced by the next active.',
        { code: event.code },
      );
      this.finishRetiring(epoch, out);
      return;
    }
    if (event.type === 'BreadcrumbDeleteFinished' && retiring.step === 'deleting') {
      if (event.code === 'OK') {
        out.note('info', 'Deleted our own bread-crumb; the next active will not fence us');
        this.finishRetiring(epoch, out);
        return;
      }
      if (isRetryable(event.code) && retiring.attempt < this.zkOpRetries) {
        retiring.attempt++;
        out.command({ type: 'DeleteBreadcrumb', epoch, path: this.breadcrumbPath, version: retiring.version });
        return;
      }
      out.note(
        'warn',
        'Unable to delete our own bread-crumb of being active. Expecting to be fenced by the next active.',
        { code: event.code },
      );
      this.finishRetiring(epoch, out);
      return;
    }
    out.note('debug', 'Event of a retiring session ignored', { event: event.type, epoch });
  }

  private finishRetiring(epoch: number, out: StepOutput<ElectorCommand>): void {
    this.retiring.delete(epoch);
    out.command({ type: 'CloseZkSession', epoch });
  }

  // -------------------------------------------------------------------------------------------
  // Fatal errors and state bookkeeping

  /**
   * ZooKeeper stayed out of reach through Hadoop's retries. Hadoop exits (fatalError); with
   * retryForever the elector drops the session, so a peer can take the lock once ZooKeeper
   * expires it (our breadcrumb stays: the next active fences us, as after any expiry), stays out
   * of the election in NEUTRAL and tries again later.
   */
  private zkUnavailable(message: string, out: StepOutput<ElectorCommand>): void {
    if (!this.retryForever) {
      this.fatalError(message, EXIT_FATAL, out);
      return;
    }
    out.note('error', message);
    if (this.activation !== undefined) {
      // Our NameNode may still become active; whoever takes the lock next fences it (breadcrumb).
      out.note('warn', 'Abandoning the becoming-active sequence: ZooKeeper unavailable', {
        step: this.activation.step,
      });
      this.activation = undefined;
    }
    const wanted = this.wantToBeInElection;
    this.enterNeutralMode('ZooKeeper unavailable', out);
    this.terminateConnection(out);
    this.wantToBeInElection = wanted;
    this.scheduleReEstablish(1, message, out);
  }

  /** The wait before reconnect attempt `failures + 1`: Hadoop's fixed 5 s, doubling with retryForever. */
  private scheduleReEstablish(failures: number, reason: string, out: StepOutput<ElectorCommand>): void {
    const token = this.nextTimerToken++;
    const delayMs = this.retryForever
      ? reconnectDelayMs(failures, this.reEstablishDelayMs, this.reEstablishMaxDelayMs)
      : this.reEstablishDelayMs;
    const retry = this.retryForever ? { failures, delayMs, reason } : undefined;
    this.reEstablish = retry === undefined ? { failures, token } : { failures, token, retry };
    if (retry !== undefined)
      out.note('warn', 'ZooKeeper unavailable; out of the election, retrying', { failures, delayMs, reason });
    out.command({ type: 'ScheduleElectorTimer', timer: 'reEstablishSession', token, delayMs });
  }

  private fatalError(message: string, exitCode: number, out: StepOutput<ElectorCommand>): void {
    out.note('error', message);
    this.activation = undefined;
    this.deferred = [];
    this.reset('fatal error', out);
    this.wantToBeInElection = false;
    this.rejoinToken = undefined;
    this.reEstablish = undefined;
    for (const epoch of this.retiring.keys()) out.command({ type: 'CloseZkSession', epoch });
    this.retiring.clear();
    this.fatal = true;
    out.command({ type: 'NotifyFatalError', message, exitCode });
  }

  private setState(to: ElectorState, reason: string, out: StepOutput<ElectorCommand>): void {
    if (this.state === to) return;
    out.stateChange('elector', this.state, to, reason);
    this.state = to;
  }

  private setConnectionState(to: ZkConnectionState, reason: string, out: StepOutput<ElectorCommand>): void {
    if (this.connectionState === to) return;
    out.stateChange('zk connection', this.connectionState, to, reason);
    this.connectionState = to;
  }
}

function isRetryable(code: ZkResultCode): boolean {
  return code === 'CONNECTIONLOSS' || code === 'OPERATIONTIMEOUT';
}
