// The NameNode side of the readiness gate in the simulation (core/controller/readiness.ts), and the
// two views a daemon reads it through:
// - a shared journal whose last transaction id grows while some NameNode is active; an active
//   NameNode is at the journal's end, a standby's tailer loads the journal every TAIL_PERIOD_MS
//   unless a fault stalls it (a stale standby), a NameNode made active catches up first (as
//   transitionToActive reads the journal to its end), and a restarted NameNode comes up in safe
//   mode for a while (getServiceStatus then says it is not ready);
// - every VIEW_INTERVAL_MS, on each daemon's own clock (its timers die with it), its NameNode's HTTP
//   view (ControllerRuntime#observeNameNodeHttp) and a cluster-view round over the simulated network
//   (#observeClusterView: a NameNode the host cannot reach answers nothing).
// Its faults (stalled tailers, safe mode) are drawn from a PRNG of their own, so a seed's other
// faults stay what they were.

import type { ReadinessPolicy } from '../../src/core/controller/readiness.js';
import type { HealthState } from '../../src/core/types.js';
import type { ControllerRuntime } from '../../src/runtime/controller-runtime.js';
import type { NameNodeHttpSnapshot } from '../../src/runtime/namenode-http-poller.js';
import type { ClusterNamenodeObservation, ClusterViewRecord } from '../../src/runtime/records.js';
import type { SimulatedNameNode } from './sim-namenode.js';
import { SimClock, type Prng, type SimProcess } from './sim-scheduler.js';
import type { SimWorld } from './sim-world.js';

/** The gate as the simulation runs it: the shipped escape and handicap, bounds that trip within a run. */
export const SIM_READINESS_POLICY: ReadinessPolicy = {
  enabled: true,
  maxEditsAgeMs: 20_000,
  maxLagTxns: 200,
  escapeAfterMs: 30_000,
  raceHandicapMs: 2000,
};

const TAIL_PERIOD_MS = 2000;
const VIEW_INTERVAL_MS = 5000;
/** Transactions the active writes per second. */
const TXNS_PER_SECOND = 20;

interface NameNodeEdits {
  appliedTxid: number;
  lastLoadedAtMs: number;
  stalledUntilMs: number;
  safemodeUntilMs: number;
}

export class SimReadiness {
  journalTxid = 0;
  private readonly edits: NameNodeEdits[];

  constructor(
    private readonly world: SimWorld,
    private readonly rng: Prng,
  ) {
    this.edits = world.nameNodes.map(() => ({
      appliedTxid: 0,
      lastLoadedAtMs: 0,
      stalledUntilMs: 0,
      safemodeUntilMs: 0,
    }));
    this.start();
  }

  private started = false;

  /** The journal and the tailers run from construction on (later calls do nothing). */
  start(): void {
    if (this.started) return;
    this.started = true;
    const tick = (): void => {
      const now = this.world.scheduler.now();
      if (this.world.nameNodes.some((nn) => nn.isActive)) this.journalTxid += TXNS_PER_SECOND;
      for (const nn of this.world.nameNodes) {
        const edits = this.editsOf(nn);
        if (nn.process !== 'running') continue;
        if (nn.isActive) edits.appliedTxid = this.journalTxid;
        else if (now >= edits.stalledUntilMs && now - edits.lastLoadedAtMs >= TAIL_PERIOD_MS) {
          // EditLogTailer#doTailEdits: the last load time moves only when edits were loaded.
          if (edits.appliedTxid < this.journalTxid) edits.lastLoadedAtMs = now;
          edits.appliedTxid = this.journalTxid;
        }
      }
      this.world.scheduler.schedule(1000, tick);
    };
    this.world.scheduler.schedule(1000, tick);
  }

  private editsOf(nn: SimulatedNameNode): NameNodeEdits {
    const edits = this.edits[nn.index];
    if (edits === undefined) throw new Error(`no edits state for ${nn.target.namenodeId}`);
    return edits;
  }

  inSafemode(nn: SimulatedNameNode): boolean {
    return this.world.scheduler.now() < this.editsOf(nn).safemodeUntilMs;
  }

  /** A NameNode changed state: one made active has read the journal to its end. */
  stateChanged(nn: SimulatedNameNode): void {
    if (!nn.isActive) return;
    const edits = this.editsOf(nn);
    edits.appliedTxid = this.journalTxid;
    edits.lastLoadedAtMs = this.world.scheduler.now();
  }

  /** A NameNode restarts: most come up in safe mode until their block reports are in. */
  restarted(nn: SimulatedNameNode, startupMs: number): void {
    if (!this.rng.chance(0.7)) return;
    const until = this.world.scheduler.now() + startupMs + this.rng.int(1000, 15_000);
    this.editsOf(nn).safemodeUntilMs = until;
    this.world.trace(nn.index, `NameNode in safe mode until ${until}`);
  }

  /** Scenario control: the NameNode of host `index` is in safe mode until `untilMs` (simulated time). */
  setSafemodeUntil(index: number, untilMs: number): void {
    const edits = this.edits[index];
    if (edits !== undefined) edits.safemodeUntilMs = untilMs;
  }

  /** Scenario control: the tailer of host `index`'s NameNode loads nothing until `untilMs`. */
  stallTailerUntil(index: number, untilMs: number): void {
    const edits = this.edits[index];
    if (edits !== undefined) edits.stalledUntilMs = untilMs;
  }

  /** The last transaction id the NameNode of host `index` has applied. */
  appliedTxid(index: number): number {
    return this.edits[index]?.appliedTxid ?? -1;
  }

  /** A readiness fault on a random NameNode: its tailer stalls, or it enters safe mode, for a while. */
  injectRandom(remainingMs: number): void {
    const nn = this.world.nameNodes[this.rng.int(0, this.world.nameNodes.length - 1)];
    if (nn === undefined) return;
    const edits = this.editsOf(nn);
    const now = this.world.scheduler.now();
    const ms = Math.max(1, Math.min(this.rng.int(5000, 40_000), remainingMs));
    const stall = this.rng.chance(0.6);
    if (stall) edits.stalledUntilMs = Math.max(edits.stalledUntilMs, now + ms);
    else edits.safemodeUntilMs = Math.max(edits.safemodeUntilMs, now + ms);
    const text = `${nn.target.namenodeId} ${stall ? 'edit tailer stalled' : 'in safe mode'} for ${ms} ms`;
    this.world.faultLog.push(`t=${now} ${text}`);
    this.world.trace(nn.index, `FAULT ${text}`);
  }

  /** The faults stop: tailers resume and manual safe modes end (a restart's safe mode ends by itself). */
  heal(): void {
    const now = this.world.scheduler.now();
    for (const edits of this.edits) {
      edits.stalledUntilMs = Math.min(edits.stalledUntilMs, now);
      edits.safemodeUntilMs = Math.min(edits.safemodeUntilMs, now + 15_000);
    }
  }

  /** Feed the daemon of host `index` its views, every VIEW_INTERVAL_MS on its own clock. */
  startViews(index: number, process: SimProcess, controller: ControllerRuntime): void {
    const clock = new SimClock(process);
    const startedMs = clock.monotonicMs();
    let lastActiveSeenMs: number | null = null;
    let reads = 0;
    const round = (): void => {
      const now = clock.monotonicMs();
      controller.observeNameNodeHttp(this.httpSnapshot(index, ++reads));
      const namenodes = this.world.nameNodes.map((nn) => this.observe(index, nn));
      const activeNamenodes = namenodes.filter((nn) => nn.state === 'ACTIVE').map((nn) => nn.namenodeId);
      if (activeNamenodes.length > 0) lastActiveSeenMs = now;
      const record: ClusterViewRecord = {
        finishedAtWallMs: clock.wallMs(),
        durationMs: 0,
        namenodes,
        activeNamenodes,
        noActiveSinceMonotonicMs: activeNamenodes.length > 0 ? null : (lastActiveSeenMs ?? startedMs),
        lastActiveSeenWallMs: null,
      };
      controller.observeClusterView(record);
      clock.schedule(VIEW_INTERVAL_MS, round);
    };
    clock.schedule(this.rng.int(10, 500), round);
  }

  private answers(from: number, nn: SimulatedNameNode): boolean {
    return (
      nn.process === 'running' && this.world.reachable(from, nn.index) && nn.hungUntilMs <= this.world.scheduler.now()
    );
  }

  private httpSnapshot(index: number, reads: number): NameNodeHttpSnapshot {
    const nn = this.world.nameNodes[index];
    const baseUrl = `http://nn${index + 1}.sim:9870`;
    if (nn === undefined || !this.answers(index, nn))
      return {
        baseUrl,
        up: false,
        view: null,
        viewAtMonotonicMs: null,
        viewAtWallMs: null,
        lastFailure: { kind: 'unreachable', url: baseUrl, message: `GET ${baseUrl}/jmx: ECONNREFUSED`, atWallMs: 0 },
        isActiveMismatch: false,
        reads,
        failures: 1,
      };
    const edits = this.editsOf(nn);
    const now = this.world.scheduler.now();
    return {
      baseUrl,
      up: true,
      view: {
        state: nn.haState,
        nnRole: 'NameNode',
        hostAndPort: `nn${index + 1}.sim:8020`,
        lastHATransitionTimeMs: 0,
        securityEnabled: false,
        namesystemHAState: nn.haState,
        millisSinceLastLoadedEdits: nn.haState === 'STANDBY' ? now - edits.lastLoadedAtMs : 0,
        lastWrittenTransactionId: edits.appliedTxid,
        safemode: this.inSafemode(nn) ? 'Safe mode is ON.' : '',
        inSafemode: this.inSafemode(nn),
        lastAppliedOrWrittenTxId: edits.appliedTxid,
        mostRecentCheckpointTxId: 0,
        isActive: nn.haState === 'ACTIVE',
      },
      viewAtMonotonicMs: now,
      viewAtWallMs: now,
      lastFailure: null,
      isActiveMismatch: false,
      reads,
      failures: 0,
    };
  }

  private observe(from: number, nn: SimulatedNameNode): ClusterNamenodeObservation {
    const base = {
      namenodeId: nn.target.namenodeId,
      address: `${nn.target.serviceAddress.host}:8020`,
      local: from === nn.index,
    };
    if (!this.answers(from, nn))
      return {
        ...base,
        state: null,
        readyToBecomeActive: null,
        notReadyReason: null,
        health: 'SERVICE_NOT_RESPONDING',
        lastAppliedOrWrittenTxId: null,
        error: 'no answer',
      };
    const notReady = nn.haState === 'STANDBY' && this.inSafemode(nn);
    const health: HealthState = nn.healthy ? 'SERVICE_HEALTHY' : 'SERVICE_UNHEALTHY';
    return {
      ...base,
      state: nn.haState,
      readyToBecomeActive: nn.haState === 'ACTIVE' || (nn.haState === 'STANDBY' && !notReady),
      notReadyReason: notReady ? 'The NameNode is in safemode.' : null,
      health,
      lastAppliedOrWrittenTxId: this.editsOf(nn).appliedTxid,
      error: null,
    };
  }
}
