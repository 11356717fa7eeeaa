// The simulated NameNode's HA service without any transport: its state, safe mode, start-up
// delay, fault switches and transition log, and `handle()`, which answers one HAServiceProtocol
// call the way a real NameNode would. The rules themselves are the pure decideHARequest
// (ha-state.ts); this class adds what a NameNode process adds around them: one lock for all HA
// calls (NameNodeRpcServer's methods are synchronized), injected slowness and hangs, and exiting
// instead of answering when becoming active fails. rpc-endpoint.ts and http-endpoint.ts expose it.

import type { HAServiceState } from '../../src/core/types.js';
import type { Clock } from '../../src/runtime/ports.js';
import { ExceptionClassName } from '../../src/hadoop/protocol-names.js';
import type { Logger } from '../../src/observability/logger.js';
import {
  decideHARequest,
  haStateName,
  type HACaller,
  type HADecision,
  type HAMethodName,
  type HARequest,
  type SimHAConfig,
} from './ha-state.js';
import { applyFault, NO_FAULTS, type FaultState, type SimFault } from './faults.js';
import { TransitionLogWriter, type LoggedState } from './transition-log.js';

/** Exit code of the `crash` fault: what a shell reports for a SIGKILLed process. */
export const CRASH_EXIT_CODE = 137;
/** Exit code when becoming active fails: NameNode.doImmediateShutdown → terminate(1). */
export const FAILED_TRANSITION_EXIT_CODE = 1;
/** How often the simulated standby's edit-log tailer loads edits (a short dfs.ha.tail-edits.period). */
export const SIM_TAIL_EDITS_PERIOD_MS = 2000;
/**
 * NameNodeInfo.Safemode of a NameNode put in safe mode by hand, as a real one says it
 * (FSNamesystem#getSafemode: "Safe mode is ON. " + the turn-off tip).
 */
export const MANUAL_SAFEMODE_TEXT =
  'Safe mode is ON. It was turned on manually. Use "hdfs dfsadmin -safemode leave" to turn safe mode off.';

/**
 * The namespace as the HTTP view reports it: transaction ids and how stale a standby is. Set through
 * the control interface (POST /sim/edits) for readiness tests.
 */
export interface SimEditsState {
  /** JournalTransactionInfo.LastAppliedOrWrittenTxId (and LastWrittenTransactionId). */
  readonly lastAppliedOrWrittenTxId: number;
  /** JournalTransactionInfo.MostRecentCheckpointTxId. */
  readonly mostRecentCheckpointTxId: number;
  /**
   * The standby's tailer loads edits every SIM_TAIL_EDITS_PERIOD_MS; false: it has stopped (a
   * stale standby: MillisSinceLastLoadedEdits grows without bound).
   */
  readonly tailing: boolean;
}

/** A change of the edits state (POST /sim/edits); absent fields stay as they are. */
export interface SimEditsChange {
  readonly lastAppliedOrWrittenTxId?: number;
  readonly mostRecentCheckpointTxId?: number;
  /** The last load was this long ago; the tailer stops (unless `tailing` says otherwise). */
  readonly millisSinceLastLoadedEdits?: number;
  readonly tailing?: boolean;
}

export interface NameNodeSimulatorModelOptions {
  readonly nameserviceId: string;
  readonly namenodeId: string;
  readonly ha: SimHAConfig;
  readonly initialState: HAServiceState;
  readonly safemode: boolean;
  /** During this long after construction every HA call gets "NameNode still not started". */
  readonly startupDelayMs: number;
  readonly transitionLogPath?: string;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Process id written to the transition log. */
  readonly pid: number;
  /**
   * Leave the process (crash, exit-on-activate). The transition log line is already written when
   * this runs. A real process calls process.exit; in-process tests close the servers instead.
   */
  readonly exit: (code: number, reason: string) => void;
}

export interface SimNamenodeSnapshot {
  readonly nameserviceId: string;
  readonly namenodeId: string;
  readonly pid: number;
  /** Lower-case Hadoop state name. */
  readonly state: string;
  readonly started: boolean;
  readonly safemode: boolean;
  readonly faults: FaultState;
  readonly automaticFailoverEnabled: boolean;
  /** Epoch ms of the last state change, 0 before the first (NameNodeStatusMXBean.getLastHATransitionTime). */
  readonly lastHATransitionTime: number;
  readonly transitionCount: number;
  /** HA calls received per method (including refused ones). */
  readonly calls: Readonly<Record<HAMethodName, number>>;
  /** Transaction ids and the tailer, as the HTTP view reports them. */
  readonly edits: SimEditsState & { readonly millisSinceLastLoadedEdits: number };
}

export class NameNodeSimulatorModel {
  private state: HAServiceState;
  private safemode: boolean;
  private faults: FaultState = NO_FAULTS;
  private readonly startedAtMs: number;
  private lastTransitionWallMs = 0;
  private transitionCount = 0;
  private edits: SimEditsState = { lastAppliedOrWrittenTxId: 1, mostRecentCheckpointTxId: 0, tailing: true };
  /** Monotonic ms from which the tailer's period is counted, or (not tailing) of the last load. */
  private editsLoadedAtMs: number;
  private readonly calls: Record<HAMethodName, number> = {
    monitorHealth: 0,
    getServiceStatus: 0,
    transitionToActive: 0,
    transitionToStandby: 0,
    transitionToObserver: 0,
  };
  /** The NameNode lock: every HA call runs inside it, one at a time. */
  private lock: Promise<void> = Promise.resolve();
  private readonly hangWaiters = new Set<() => void>();
  /** Injected delays in progress, cut short when the NameNode stops. */
  private readonly sleepers = new Set<() => void>();
  private readonly log: Logger;
  private readonly transitionLog: TransitionLogWriter | undefined;
  private exited = false;
  private closed = false;

  constructor(private readonly options: NameNodeSimulatorModelOptions) {
    this.state = options.initialState;
    this.safemode = options.safemode;
    this.startedAtMs = options.clock.monotonicMs() + Math.max(0, options.startupDelayMs);
    this.editsLoadedAtMs = options.clock.monotonicMs();
    this.log = options.logger.child({
      component: 'namenode-sim',
      nameservice: options.nameserviceId,
      namenode: options.namenodeId,
    });
    this.transitionLog =
      options.transitionLogPath === undefined
        ? undefined
        : new TransitionLogWriter(options.transitionLogPath, {
            nameserviceId: options.nameserviceId,
            namenodeId: options.namenodeId,
            pid: options.pid,
          });
    this.transitionLog?.append('start', null, loggedState(this.state), 'process started');
  }

  get nameserviceId(): string {
    return this.options.nameserviceId;
  }

  get namenodeId(): string {
    return this.options.namenodeId;
  }

  currentState(): HAServiceState {
    return this.state;
  }

  isStarted(): boolean {
    return this.options.clock.monotonicMs() >= this.startedAtMs;
  }

  /** Whether the NN-facing HTTP endpoints should stall (they live in the same paused JVM). */
  isHung(): boolean {
    return this.faults.hang;
  }

  snapshot(): SimNamenodeSnapshot {
    return {
      nameserviceId: this.options.nameserviceId,
      namenodeId: this.options.namenodeId,
      pid: this.options.pid,
      state: haStateName(this.state),
      started: this.isStarted(),
      safemode: this.safemode,
      faults: this.faults,
      automaticFailoverEnabled: this.options.ha.automaticFailoverEnabled,
      lastHATransitionTime: this.lastTransitionWallMs,
      transitionCount: this.transitionCount,
      calls: { ...this.calls },
      edits: { ...this.edits, millisSinceLastLoadedEdits: this.millisSinceLastLoadedEdits() },
    };
  }

  /**
   * FSNamesystem#getMillisSinceLastLoadedEdits: on a standby the time since its tailer last
   * loaded edits (a tailing one loads every SIM_TAIL_EDITS_PERIOD_MS); 0 in any other state.
   */
  millisSinceLastLoadedEdits(): number {
    if (this.state !== 'STANDBY') return 0;
    const elapsed = Math.max(0, Math.floor(this.options.clock.monotonicMs() - this.editsLoadedAtMs));
    return this.edits.tailing ? elapsed % SIM_TAIL_EDITS_PERIOD_MS : elapsed;
  }

  /** NameNodeInfo.Safemode: "" when off. */
  safemodeText(): string {
    return this.safemode ? MANUAL_SAFEMODE_TEXT : '';
  }

  /** Change transaction ids and the tailer (POST /sim/edits). */
  setEdits(change: SimEditsChange): void {
    const now = this.options.clock.monotonicMs();
    const before = this.edits;
    const tailing = change.tailing ?? (change.millisSinceLastLoadedEdits !== undefined ? false : before.tailing);
    if (change.millisSinceLastLoadedEdits !== undefined) this.editsLoadedAtMs = now - change.millisSinceLastLoadedEdits;
    // The tailer stops: its last load stays where it was. It resumes: it loads now.
    else if (before.tailing && !tailing)
      this.editsLoadedAtMs = now - ((now - this.editsLoadedAtMs) % SIM_TAIL_EDITS_PERIOD_MS);
    else if (!before.tailing && tailing) this.editsLoadedAtMs = now;
    this.edits = {
      lastAppliedOrWrittenTxId: change.lastAppliedOrWrittenTxId ?? before.lastAppliedOrWrittenTxId,
      mostRecentCheckpointTxId: change.mostRecentCheckpointTxId ?? before.mostRecentCheckpointTxId,
      tailing,
    };
    this.log.info({ from: before, to: this.edits, reason: 'control request' }, 'edits state changed');
  }

  /** Answer one HA call (serialised with every other HA call, as the NameNode's lock does). */
  handle(request: HARequest, caller: HACaller): Promise<HADecision> {
    this.calls[request.method]++;
    const result = this.lock.then(() => this.handleLocked(request, caller));
    this.lock = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /** Switch a fault on (or all off with `none`); `crash` exits at once. */
  applyFault(fault: SimFault): void {
    if (fault.fault === 'crash') {
      this.exitProcess(CRASH_EXIT_CODE, 'crash fault injected');
      return;
    }
    if (fault.fault === 'safemode') {
      this.setSafemode(true);
      return;
    }
    const before = this.faults;
    this.faults = applyFault(this.faults, fault);
    if (fault.fault === 'none') this.setSafemode(false);
    this.log.info({ fault: fault.fault, faults: this.faults }, 'fault switches changed');
    if (before.hang && !this.faults.hang) this.releaseHungCalls();
  }

  setSafemode(on: boolean): void {
    if (this.safemode === on) return;
    this.log.info({ from: this.safemode, to: on, reason: 'control request' }, 'safe mode changed');
    this.safemode = on;
  }

  /**
   * Set the state without the HA rules (test set-up, or modelling a change made behind the
   * NameNode's back). Logged like any transition.
   */
  forceState(state: HAServiceState, cause: string): void {
    this.changeState(state, `forced: ${cause}`);
  }

  /** Record that the process is going away (clean stop): an exit line if it was running. */
  recordExit(cause: string): void {
    if (this.exited) return;
    this.exited = true;
    this.transitionLog?.append('exit', loggedState(this.state), 'stopped', cause);
    this.log.info({ from: haStateName(this.state), to: 'stopped', reason: cause }, 'NameNode stopping');
  }

  /** Stop serving: hung calls are released with an error (their connections are closing anyway). */
  close(): void {
    this.closed = true;
    this.releaseHungCalls();
    for (const wake of [...this.sleepers]) wake();
  }

  private async handleLocked(request: HARequest, caller: HACaller): Promise<HADecision> {
    if (this.faults.hang) await this.waitWhileHung();
    if (this.closed) return stoppedDecision();
    if (this.faults.slowMs > 0) await this.sleep(this.faults.slowMs);
    if (this.closed) return stoppedDecision();

    const decision = decideHARequest(
      request,
      caller,
      { state: this.state, started: this.isStarted(), safemode: this.safemode, hasResources: !this.faults.unhealthy },
      this.options.ha,
    );
    this.log.debug({ method: request.method, user: caller.user, peer: caller.remoteAddress, decision }, 'HA call');
    if (
      decision.kind !== 'ok' ||
      decision.nextState === undefined ||
      request.method === 'getServiceStatus' ||
      request.method === 'monitorHealth'
    ) {
      return decision;
    }

    if (this.faults.refuseTransitions) {
      return {
        kind: 'exception',
        className: ExceptionClassName.ServiceFailed,
        message: `Simulated failure: ${request.method} refused (fault refuse-transitions)`,
      };
    }
    if (this.faults.delayTransitionsMs > 0) await this.sleep(this.faults.delayTransitionsMs);
    if (this.closed) return stoppedDecision();
    const cause = `${request.method} by ${caller.user} from ${caller.remoteAddress} (${request.source})`;
    if (decision.nextState === 'ACTIVE' && this.faults.exitOnActivate) {
      // Parity: NameNode.doImmediateShutdown when starting active services fails: the process
      // exits instead of answering; it never served as active.
      this.exitProcess(
        FAILED_TRANSITION_EXIT_CODE,
        `${cause}: failed to start active services (fault exit-on-activate)`,
      );
      return stoppedDecision();
    }
    this.changeState(decision.nextState, cause);
    return decision;
  }

  private changeState(next: HAServiceState, cause: string): void {
    const from = this.state;
    if (from === next) return;
    // The line goes to the log before the state (and thus any answer) changes.
    this.transitionLog?.append('transition', loggedState(from), loggedState(next), cause);
    this.state = next;
    this.lastTransitionWallMs = this.options.clock.wallMs();
    this.transitionCount++;
    this.log.info({ from: haStateName(from), to: haStateName(next), reason: cause }, 'HA state changed');
  }

  private exitProcess(code: number, reason: string): void {
    if (!this.exited) {
      this.exited = true;
      this.transitionLog?.append('exit', loggedState(this.state), 'stopped', reason);
      this.log.fatal({ from: haStateName(this.state), to: 'stopped', reason, exitCode: code }, 'NameNode exiting');
    }
    this.close();
    this.options.exit(code, reason);
  }

  /** Resolves once the hang fault is off (or the NameNode stops): the NN-facing HTTP endpoints wait on it too. */
  waitWhileHung(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.faults.hang || this.closed) {
        resolve();
        return;
      }
      this.hangWaiters.add(resolve);
    });
  }

  private releaseHungCalls(): void {
    const waiters = [...this.hangWaiters];
    this.hangWaiters.clear();
    for (const resolve of waiters) resolve();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.closed) {
        resolve();
        return;
      }
      const wake = (): void => {
        this.sleepers.delete(wake);
        cancel();
        resolve();
      };
      const cancel = this.options.clock.schedule(ms, wake);
      this.sleepers.add(wake);
    });
  }
}

function stoppedDecision(): HADecision {
  return { kind: 'exception', className: ExceptionClassName.IO, message: 'NameNode is stopping' };
}

export function loggedState(state: HAServiceState): LoggedState {
  return haStateName(state) as LoggedState;
}
