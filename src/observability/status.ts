// The daemon's status snapshot: a plain, JSON-able value that GET /status serves as is, and the
// narrow `StatusSource` interface the HTTP listener reads it through. `StatusBoard` is a small
// mutable holder implementing StatusSource that the composition root can update from the
// controller's events; it does no I/O and holds no timers.
//
// Conventions: wall-clock times are ISO-8601 strings (the snapshot is read by people with curl as
// much as by tools), durations carry their unit in the name, ZooKeeper session ids are hex with a
// 0x prefix as ZooKeeper's own logs print them, and "unknown" is null rather than a made-up value.
//
// Not promised: the snapshot is what this ZKFC last saw. In particular haState is the local
// NameNode's answer to the last successful getServiceStatus, not a fresh query.

import { heldBackReason, type AntiFlapConfig } from '../core/controller/anti-flap.js';
import type { AntiFlapReport } from '../core/controller/commands.js';
import type { ActiveNodeInfo, ElectorState, HAServiceState, HealthState } from '../core/types.js';
import type { Clock, NameNodeHttpFailureKind, NameNodeHttpFailure, NameNodeHttpView } from '../runtime/ports.js';
import type { ClusterViewRecord, JournalEntryRead } from '../runtime/records.js';
import { isoTimestamp } from './wall-time.js';

/** Hadoop's ActiveStandbyElector.ConnectionState: the elector's view of its ZooKeeper connection. */
export const ZK_CONNECTION_STATES = ['CONNECTED', 'DISCONNECTED', 'TERMINATED'] as const;
export type ZkConnectionState = (typeof ZK_CONNECTION_STATES)[number];

/**
 * Why this ZKFC made its NameNode active (a closed list, so the metric label stays bounded):
 * - initial: there was no breadcrumb, i.e. no previous active on record (first election of the
 *   nameservice, or the previous active quit cleanly);
 * - election: the breadcrumb named another NameNode that lost the lock (crash, unhealthy, lost
 *   ZooKeeper session); it was fenced and this one took over;
 * - graceful: an administrator asked for it (haadmin -failover → gracefulFailover on this ZKFC);
 * - reelected: the breadcrumb named this NameNode itself (e.g. it won again after its own session
 *   expired), so nothing was fenced.
 */
export const FAILOVER_REASONS = ['initial', 'election', 'graceful', 'reelected'] as const;
export type FailoverReason = (typeof FAILOVER_REASONS)[number];

/** Phases of a failover, in order, plus the total (the `phase` label of the phase histogram). */
export const FAILOVER_PHASES = ['detection', 'election', 'fencing', 'promotion', 'total'] as const;
export type FailoverPhase = (typeof FAILOVER_PHASES)[number];

/**
 * How long each phase of a failover took, in milliseconds:
 * - detectionMs: from the old active's loss (lock deletion seen, or the admin request) to this ZKFC
 *   deciding to run for the lock;
 * - electionMs: creating the lock znode and reading the breadcrumb;
 * - fencingMs: fencing the old active (graceful transitionToStandby and/or methods); 0 if none;
 * - promotionMs: writing the breadcrumb and transitionToActive on the local NameNode.
 */
export interface FailoverPhasesMs {
  readonly detectionMs: number;
  readonly electionMs: number;
  readonly fencingMs: number;
  readonly promotionMs: number;
}

/** One completed failover, as the controller reports it (input of metrics and of the snapshot). */
export interface FailoverRecord {
  /** Wall-clock epoch milliseconds when the local NameNode became active. */
  readonly atWallMs: number;
  /** NameNode id of the previous active (from the breadcrumb), or null if none was on record. */
  readonly from: string | null;
  /** NameNode id that became active (this ZKFC's NameNode). */
  readonly to: string;
  readonly reason: FailoverReason;
  /** End to end; not necessarily the sum of the phases (phases may be measured on different clocks). */
  readonly durationMs: number;
  readonly phases: FailoverPhasesMs;
}

/** The last failover as /status shows it. */
export interface LastFailoverStatus {
  /** ISO-8601 wall-clock time the local NameNode became active. */
  readonly at: string;
  readonly from: string | null;
  readonly to: string;
  readonly reason: FailoverReason;
  readonly durationMs: number;
  readonly phases: FailoverPhasesMs;
}

/** Readiness of one configured fencing method, from the fencing preflight. */
export interface FencingReadiness {
  /** The method as configured, e.g. `sshfence(hdfs:22)` or `shell(/usr/local/bin/fence.sh)`. */
  readonly method: string;
  readonly ready: boolean;
  /** Why it is (not) ready, for people: "ssh to nn2:22 ok, fuser found", "key file unreadable", ... */
  readonly detail: string;
  /** ISO-8601 time of the check, or null before the first check. */
  readonly checkedAt: string | null;
}

/** A ZooKeeper problem that keeps automatic failover from working until an operator acts. */
export interface ZooKeeperProblemStatus {
  /** One of ZOOKEEPER_PROBLEMS (src/runtime/records.ts). */
  readonly problem: string;
  /** What is wrong, naming the znode. */
  readonly detail: string;
  /** The command (or configuration change) that clears it. */
  readonly clear: string;
}

/** ZooKeeper out of reach: what failed, how often in a row, since when, and when the next attempt starts. */
export interface ZooKeeperRetryStatus {
  /** Failed connection attempts in a row. */
  readonly failures: number;
  readonly reason: string;
  /** ISO-8601 time of the first failure of this outage. */
  readonly since: string | null;
  /** ISO-8601 time of the next connection attempt. */
  readonly nextAttemptAt: string | null;
}

/** A maintenance pause as /status shows it. */
export interface MaintenancePauseStatus {
  readonly reason: string;
  /** user@host that set it. */
  readonly by: string;
  /** ISO-8601 time it was set. */
  readonly since: string | null;
  /** ISO-8601 time it ends by itself (its TTL, capped at zkfc.pause.max-ttl.ms). */
  readonly until: string | null;
}

/** A scheduled reconnect as the runtime reports it (wall-clock epoch ms). */
export interface ZooKeeperRetryInput {
  readonly failures: number;
  readonly reason: string;
  readonly failedAtWallMs: number;
  readonly nextAttemptWallMs: number;
}

/**
 * The local NameNode's HTTP view as /status shows it: the port's view (runtime/ports.ts
 * NameNodeHttpView, Hadoop's bean attributes), its last HA transition as ISO-8601 (null when 0).
 */
export type NameNodeHttpViewStatus = Omit<NameNodeHttpView, 'lastHATransitionTimeMs'> & {
  readonly lastHATransitionTime: string | null;
};

/** The NameNode HTTP view: the last good read, its age, and the last failure. */
export interface NameNodeHttpStatus {
  /** The NameNode's HTTP base URL. */
  readonly url: string;
  /** The last read succeeded. */
  readonly up: boolean;
  /** The last good view (kept while reads fail), or null before the first good read. */
  readonly view: NameNodeHttpViewStatus | null;
  /** ISO-8601 time the view was read, and its age now; null without a view. */
  readonly readAt: string | null;
  readonly ageMs: number | null;
  /** /isActive disagrees with NameNodeStatus.State in the last good view. */
  readonly isActiveMismatch: boolean;
  /** The last failed read (kept after the view is back up), or null. */
  readonly lastError: {
    readonly kind: NameNodeHttpFailureKind;
    readonly message: string;
    readonly at: string | null;
  } | null;
}

/** What the NameNode HTTP poller reports (src/runtime/namenode-http-poller.ts), input of the status. */
export interface NameNodeHttpInput {
  readonly baseUrl: string;
  readonly up: boolean;
  readonly view: NameNodeHttpView | null;
  readonly viewAtMonotonicMs: number | null;
  readonly viewAtWallMs: number | null;
  readonly lastFailure: (NameNodeHttpFailure & { readonly atWallMs: number }) | null;
  readonly isActiveMismatch: boolean;
}

/** One NameNode as this daemon's cluster view last saw it (zkfc.cluster-view.interval.ms). */
export interface ClusterNamenodeStatus {
  readonly namenodeId: string;
  /** "host:port" asked (its service RPC address). */
  readonly address: string;
  /** True for this daemon's own NameNode. */
  readonly local: boolean;
  /** getServiceStatus's state in the last round; null when it did not answer (or before the first round). */
  readonly state: HAServiceState | null;
  readonly readyToBecomeActive: boolean | null;
  readonly notReadyReason: string | null;
  /**
   * monitorHealth in the last round: SERVICE_HEALTHY, SERVICE_UNHEALTHY or SERVICE_NOT_RESPONDING;
   * INITIALIZING before the first round.
   */
  readonly health: HealthState;
  /** NameNodeInfo JournalTransactionInfo LastAppliedOrWrittenTxId in the last round; null when not read. */
  readonly lastAppliedOrWrittenTxId: number | null;
  /** Why state or health is unknown or not healthy (the NameNode's or the transport's words, bounded), else null. */
  readonly error: string | null;
}

/** Every NameNode of the nameservice as this daemon sees them (runtime/cluster-view.ts). */
export interface ClusterViewStatus {
  readonly intervalMs: number;
  /** ISO-8601 end of the last round; null before the first. */
  readonly checkedAt: string | null;
  readonly roundDurationMs: number | null;
  /** NameNodes that answered ACTIVE in the last round (two or more: split brain as seen from here). */
  readonly activeNamenodes: readonly string[];
  /**
   * 0 while the last round saw a NameNode answer ACTIVE; else whole seconds since the end of the
   * last round that saw one (since the view started if none has). zkfc_cluster_seconds_without_active.
   */
  readonly secondsWithoutActive: number;
  /** ISO-8601 end of the last round that saw an active NameNode; null if none has. */
  readonly lastActiveSeenAt: string | null;
  readonly namenodes: readonly ClusterNamenodeStatus[];
}

/** A failover anti-flap holds back (README "Anti-flap"). */
export interface HoldBackStatus {
  /** ISO-8601 time the hold-back started. */
  readonly since: string | null;
  /** Stable text: why the failover is held back. */
  readonly reason: string;
  /** The failed health check of the local NameNode. */
  readonly healthReason: string;
  readonly failoversInWindow: number;
  /** ISO-8601 time the oldest counted failover leaves the window (the failover proceeds then if still unhealthy). */
  readonly releaseAt: string | null;
}

/** Anti-flap: the limit, the count, and any failover held back now or last. */
export interface AntiFlapStatus {
  /** zkfc.anti-flap.max-failovers; 0 = off. */
  readonly maxFailovers: number;
  readonly windowMs: number;
  /** Counted lock-holder changes this ZKFC saw in the window ending now. */
  readonly failoversInWindow: number;
  /** ISO-8601 time of the last counted lock-holder change, or null. */
  readonly lastLockHolderChange: string | null;
  /** Hold-backs since the daemon started. */
  readonly heldBackTotal: number;
  /** Set while a failover is held back. */
  readonly holdingBack: HoldBackStatus | null;
  /** The last hold-back that ended: when, why it ended, and how long it lasted. */
  readonly lastHoldBackEnded: {
    readonly at: string | null;
    readonly reason: string;
    readonly heldBackMs: number;
  } | null;
}

/** The readiness gate's verdict as /status shows it (core/controller/readiness.ts Readiness). */
export interface ReadinessStatus {
  readonly ready: boolean;
  /** Ready only by the escape hatch (no active NameNode for zkfc.readiness.escape-after.ms). */
  readonly escape: boolean;
  readonly summary: string;
  readonly blockers: readonly string[];
  /** Handicap in the race for a free lock: zkfc.readiness.race-handicap.ms per standby ahead. */
  readonly candidacyDelayMs: number;
  readonly standbysAhead: readonly string[];
  /** Transactions behind the best other NameNode, null when not known. */
  readonly lagTxns: number | null;
}

/** The snapshot GET /status serves. Every field is plain JSON (no bigint, no Date, no undefined). */
export interface ZkfcStatus {
  /** Which HA master the daemon drives; for ResourceManagers, nameservice is the cluster id and namenode the rm-id. */
  readonly service: 'namenode' | 'resourcemanager';
  readonly nameservice: string;
  readonly namenode: string;
  /** host:port of the local NameNode as this ZKFC reaches it (its service RPC address). */
  readonly namenodeAddress: string;
  /** The local NameNode's state from the last successful getServiceStatus; null when unreachable or not yet asked. */
  readonly haState: HAServiceState | null;
  readonly healthState: HealthState;
  readonly electorState: ElectorState;
  readonly zkConnectionState: ZkConnectionState;
  /** Current ZooKeeper session id as 0x-prefixed hex, or null without a session. */
  readonly zkSessionId: string | null;
  /** Data of the lock znode (ActiveStandbyElectorLock) as last read, or null when nobody holds it / unknown. */
  readonly lockHolder: ActiveNodeInfo | null;
  /** Data of the breadcrumb znode (ActiveBreadCrumb) as last read, or null when absent / unknown. */
  readonly breadcrumb: ActiveNodeInfo | null;
  readonly fencing: readonly FencingReadiness[];
  /** Every NameNode as this daemon's cluster view sees it; null when the view is off (interval 0). */
  readonly cluster: ClusterViewStatus | null;
  readonly lastFailover: LastFailoverStatus | null;
  /** ISO-8601 time until which this ZKFC stays out of the election after cedeActive, or null. */
  readonly cededUntil: string | null;
  /** ZooKeeper problems an operator must clear, in the order they appeared (empty when none). */
  readonly zookeeperProblems: readonly ZooKeeperProblemStatus[];
  /**
   * Set while ZooKeeper is out of reach and the daemon waits to try again, out of the election
   * (zkfc.zookeeper.retry-forever); null while it holds a session or is opening one.
   */
  readonly zookeeperRetry: ZooKeeperRetryStatus | null;
  /** The local NameNode's HTTP view (zkfc.namenode-http.*), or null when it is not read. */
  readonly namenodeHttp: NameNodeHttpStatus | null;
  /**
   * The operator's maintenance pause while it holds (no transition, no fencing), else null. Absent
   * only from a controller that does not know pauses (an older zkfc): haadmin pause refuses then.
   */
  readonly maintenancePause?: MaintenancePauseStatus | null;
  /** Anti-flap (zkfc.anti-flap.*), or null when the daemon did not say how it is configured. */
  readonly antiFlap: AntiFlapStatus | null;
  /**
   * The readiness gate's last verdict (zkfc.readiness.*), or null when the gate is off or has not
   * assessed yet. Absent only from an older zkfc.
   */
  readonly readiness?: ReadinessStatus | null;
  /**
   * The failover journal's newest entries (README "Failover journal"), newest first, each failover
   * with the old active's own stand-down when the journal holds it; null when the journal is off.
   * Absent only from a daemon without a journal (an older zkfc).
   */
  readonly history?: readonly JournalEntryRead[] | null;
  readonly uptimeSeconds: number;
  /** The daemon's version. */
  readonly version: string;
}

/** What the HTTP listener reads. Must be cheap and must not throw (a throw becomes a 500). */
export interface StatusSource {
  status(): ZkfcStatus;
}

/** ZooKeeper session ids are printed as hex (e.g. 0x1000a2b3c4d0005), as ZooKeeper's logs do. */
export function formatZkSessionId(sessionId: bigint | undefined | null): string | null {
  if (sessionId === undefined || sessionId === null) return null;
  return `0x${BigInt.asUintN(64, sessionId).toString(16)}`;
}

/** ISO-8601 for a wall-clock epoch-ms value; null for null/undefined or a value that is not a valid time. */
export function isoTime(wallMs: number | null | undefined): string | null {
  if (wallMs === null || wallMs === undefined || !Number.isFinite(wallMs)) return null;
  return Number.isNaN(new Date(wallMs).getTime()) ? null : isoTimestamp(wallMs);
}

export function lastFailoverStatus(record: FailoverRecord): LastFailoverStatus {
  return {
    at: isoTime(record.atWallMs) ?? isoTimestamp(0),
    from: record.from,
    to: record.to,
    reason: record.reason,
    durationMs: record.durationMs,
    phases: { ...record.phases },
  };
}

/** Fields of the snapshot that change while the daemon runs (StatusBoard.update takes any subset). */
export interface StatusPatch {
  readonly haState?: HAServiceState | null;
  readonly healthState?: HealthState;
  readonly electorState?: ElectorState;
  readonly zkConnectionState?: ZkConnectionState;
  readonly zkSessionId?: bigint | null;
  readonly lockHolder?: ActiveNodeInfo | null;
  readonly breadcrumb?: ActiveNodeInfo | null;
  /** Wall-clock epoch ms until which we cede, or null. */
  readonly cededUntilWallMs?: number | null;
  /** A scheduled ZooKeeper reconnect, or null once a session is being opened again. */
  readonly zookeeperRetry?: ZooKeeperRetryInput | null;
  readonly maintenancePause?: {
    readonly reason: string;
    readonly by: string;
    readonly atWallMs: number;
    readonly untilWallMs: number;
  } | null;
  readonly readiness?: ReadinessStatus | null;
}

/** Fencing preflight result as src/fencing reports it (epoch ms rather than ISO). */
export interface FencingReadinessInput {
  readonly method: string;
  readonly ready: boolean;
  readonly detail: string;
  readonly checkedAtMs: number | null;
}

export interface StatusIdentity {
  /** Default 'namenode'. */
  readonly service?: 'namenode' | 'resourcemanager';
  readonly nameservice: string;
  readonly namenode: string;
  readonly namenodeAddress: string;
  readonly version: string;
}

/**
 * A StatusSource the composition root keeps current. The identity is fixed at construction; every
 * other field starts at its "nothing known yet" value (INITIALIZING, INIT, DISCONNECTED, null).
 */
export class StatusBoard implements StatusSource {
  private readonly startedMonotonicMs: number;
  private current: Omit<
    ZkfcStatus,
    'uptimeSeconds' | 'namenodeHttp' | 'maintenancePause' | 'antiFlap' | 'readiness' | 'history'
  > & {
    maintenancePause: MaintenancePauseStatus | null;
    readiness: ReadinessStatus | null;
    history: readonly JournalEntryRead[] | null;
  };
  private namenodeHttp: NameNodeHttpInput | null = null;
  /** Monotonic ms "without an active" counts from; null while the last round saw one. */
  private clusterNoActiveSinceMs: number | null = null;
  private antiFlap:
    | {
        readonly config: AntiFlapConfig;
        /** Monotonic ms of the counted changes still possibly in the window. */
        changesMs: number[];
        lastChangeWallMs: number | null;
        heldBackTotal: number;
        holdingBack: HoldBackStatus | null;
        lastHoldBackEnded: AntiFlapStatus['lastHoldBackEnded'];
      }
    | undefined;

  constructor(
    identity: StatusIdentity,
    private readonly clock: Pick<Clock, 'monotonicMs'>,
  ) {
    this.startedMonotonicMs = clock.monotonicMs();
    this.current = {
      service: identity.service ?? 'namenode',
      nameservice: identity.nameservice,
      namenode: identity.namenode,
      namenodeAddress: identity.namenodeAddress,
      haState: null,
      healthState: 'INITIALIZING',
      electorState: 'INIT',
      zkConnectionState: 'DISCONNECTED',
      zkSessionId: null,
      lockHolder: null,
      breadcrumb: null,
      fencing: [],
      cluster: null,
      lastFailover: null,
      cededUntil: null,
      zookeeperProblems: [],
      zookeeperRetry: null,
      maintenancePause: null,
      readiness: null,
      history: null,
      version: identity.version,
    };
  }

  /** The failover journal's newest entries (null: the journal is off). */
  setHistory(entries: readonly JournalEntryRead[] | null): void {
    this.current = { ...this.current, history: entries === null ? null : [...entries] };
  }

  /** Show (present) or drop a ZooKeeper problem; one entry per problem, the latest detail. */
  setZooKeeperProblem(problem: ZooKeeperProblemStatus, present: boolean): void {
    const others = this.current.zookeeperProblems.filter((entry) => entry.problem !== problem.problem);
    const kept = this.current.zookeeperProblems.find((entry) => entry.problem === problem.problem);
    const entry = { problem: problem.problem, detail: problem.detail, clear: problem.clear };
    const next = !present
      ? others
      : kept === undefined
        ? [...others, entry]
        : this.current.zookeeperProblems.map((e) => (e === kept ? entry : e));
    this.current = { ...this.current, zookeeperProblems: next };
  }

  update(patch: StatusPatch): void {
    const next = { ...this.current };
    if (patch.haState !== undefined) next.haState = patch.haState;
    if (patch.healthState !== undefined) next.healthState = patch.healthState;
    if (patch.electorState !== undefined) next.electorState = patch.electorState;
    if (patch.zkConnectionState !== undefined) next.zkConnectionState = patch.zkConnectionState;
    if (patch.zkSessionId !== undefined) next.zkSessionId = formatZkSessionId(patch.zkSessionId);
    if (patch.lockHolder !== undefined) next.lockHolder = patch.lockHolder === null ? null : { ...patch.lockHolder };
    if (patch.breadcrumb !== undefined) next.breadcrumb = patch.breadcrumb === null ? null : { ...patch.breadcrumb };
    if (patch.cededUntilWallMs !== undefined) next.cededUntil = isoTime(patch.cededUntilWallMs);
    if (patch.zookeeperRetry !== undefined) next.zookeeperRetry = this.retryStatus(patch.zookeeperRetry);
    if (patch.zkConnectionState === 'CONNECTED') next.zookeeperRetry = null;
    if (patch.maintenancePause !== undefined) {
      const pause = patch.maintenancePause;
      next.maintenancePause =
        pause === null
          ? null
          : { reason: pause.reason, by: pause.by, since: isoTime(pause.atWallMs), until: isoTime(pause.untilWallMs) };
    }
    if (patch.readiness !== undefined)
      next.readiness =
        patch.readiness === null
          ? null
          : {
              ...patch.readiness,
              blockers: [...patch.readiness.blockers],
              standbysAhead: [...patch.readiness.standbysAhead],
            };
    this.current = next;
  }

  /**
   * An outage lasts from its first failed attempt until a session connects (zkConnectionState
   * CONNECTED clears it); while an attempt is under way (null) the last failure stays shown.
   */
  private retryStatus(input: ZooKeeperRetryInput | null): ZooKeeperRetryStatus | null {
    const previous = this.current.zookeeperRetry;
    if (input === null) return previous;
    return {
      failures: input.failures,
      reason: input.reason,
      since: previous?.since ?? isoTime(input.failedAtWallMs),
      nextAttemptAt: isoTime(input.nextAttemptWallMs),
    };
  }

  setFencingReadiness(entries: readonly FencingReadinessInput[]): void {
    this.current = {
      ...this.current,
      fencing: entries.map((entry) => ({
        method: entry.method,
        ready: entry.ready,
        detail: entry.detail,
        checkedAt: isoTime(entry.checkedAtMs),
      })),
    };
  }

  /** The cluster view is on: list its NameNodes, nothing known yet (/status shows them before the first round). */
  startClusterView(
    intervalMs: number,
    namenodes: readonly { namenodeId: string; address: string; local: boolean }[],
  ): void {
    this.clusterNoActiveSinceMs = this.clock.monotonicMs();
    this.current = {
      ...this.current,
      cluster: {
        intervalMs,
        checkedAt: null,
        roundDurationMs: null,
        activeNamenodes: [],
        secondsWithoutActive: 0,
        lastActiveSeenAt: null,
        namenodes: namenodes.map((nn) => ({
          ...nn,
          state: null,
          readyToBecomeActive: null,
          notReadyReason: null,
          health: 'INITIALIZING',
          lastAppliedOrWrittenTxId: null,
          error: null,
        })),
      },
    };
  }

  /** A round of the cluster view ended (ignored unless startClusterView was called). */
  setClusterView(record: ClusterViewRecord): void {
    const cluster = this.current.cluster;
    if (cluster === null) return;
    this.clusterNoActiveSinceMs = record.noActiveSinceMonotonicMs;
    this.current = {
      ...this.current,
      cluster: {
        ...cluster,
        checkedAt: isoTime(record.finishedAtWallMs),
        roundDurationMs: Math.round(record.durationMs),
        activeNamenodes: [...record.activeNamenodes],
        lastActiveSeenAt: isoTime(record.lastActiveSeenWallMs),
        namenodes: record.namenodes.map((nn) => ({ ...nn })),
      },
    };
  }

  recordFailover(record: FailoverRecord): void {
    this.current = { ...this.current, lastFailover: lastFailoverStatus(record) };
  }

  /** How anti-flap is configured (zkfc.anti-flap.*); until called, /status shows antiFlap null. */
  configureAntiFlap(config: AntiFlapConfig): void {
    this.antiFlap = {
      config: { maxFailovers: config.maxFailovers, windowMs: config.windowMs },
      changesMs: [],
      lastChangeWallMs: null,
      heldBackTotal: 0,
      holdingBack: null,
      lastHoldBackEnded: null,
    };
  }

  /** An anti-flap record of the controller (src/runtime/records.ts), at `atWallMs`. */
  recordAntiFlap(report: AntiFlapReport, atWallMs: number): void {
    const state = this.antiFlap;
    if (state === undefined) return;
    switch (report.kind) {
      case 'lockHolderChanged':
        if (!report.counted) return;
        state.changesMs = [...state.changesMs, this.clock.monotonicMs()].slice(-64);
        state.lastChangeWallMs = atWallMs;
        return;
      case 'failoverHeldBack':
        state.heldBackTotal++;
        state.holdingBack = {
          since: isoTime(atWallMs),
          reason: heldBackReason(report.failoversInWindow, report.windowMs, report.maxFailovers),
          healthReason: report.healthReason,
          failoversInWindow: report.failoversInWindow,
          releaseAt: isoTime(atWallMs + report.releaseInMs),
        };
        return;
      case 'holdBackEnded':
        state.holdingBack = null;
        state.lastHoldBackEnded = { at: isoTime(atWallMs), reason: report.reason, heldBackMs: report.heldBackMs };
        return;
    }
  }

  private antiFlapStatus(nowMs: number): AntiFlapStatus | null {
    const state = this.antiFlap;
    if (state === undefined) return null;
    const { maxFailovers, windowMs } = state.config;
    state.changesMs = state.changesMs.filter((atMs) => atMs > nowMs - windowMs);
    return {
      maxFailovers,
      windowMs,
      failoversInWindow: state.changesMs.length,
      lastLockHolderChange: isoTime(state.lastChangeWallMs),
      heldBackTotal: state.heldBackTotal,
      holdingBack: state.holdingBack,
      lastHoldBackEnded: state.lastHoldBackEnded,
    };
  }

  /** The NameNode HTTP poller's latest (null: the view is not read). */
  setNameNodeHttp(input: NameNodeHttpInput | null): void {
    this.namenodeHttp = input;
  }

  status(): ZkfcStatus {
    const nowMs = this.clock.monotonicMs();
    const uptimeMs = Math.max(0, nowMs - this.startedMonotonicMs);
    const { cluster } = this.current;
    const noActiveSince = this.clusterNoActiveSinceMs;
    return {
      ...this.current,
      cluster:
        cluster === null
          ? null
          : {
              ...cluster,
              secondsWithoutActive: noActiveSince === null ? 0 : Math.floor(Math.max(0, nowMs - noActiveSince) / 1000),
            },
      namenodeHttp: this.namenodeHttp === null ? null : namenodeHttpStatus(this.namenodeHttp, nowMs),
      antiFlap: this.antiFlapStatus(nowMs),
      uptimeSeconds: Math.floor(uptimeMs / 1000),
    };
  }
}

/** The poller's snapshot as /status shows it; the view's age is taken at `nowMonotonicMs`. */
export function namenodeHttpStatus(input: NameNodeHttpInput, nowMonotonicMs: number): NameNodeHttpStatus {
  const { view } = input;
  return {
    url: input.baseUrl,
    up: input.up,
    view:
      view === null
        ? null
        : {
            state: view.state,
            nnRole: view.nnRole,
            hostAndPort: view.hostAndPort,
            lastHATransitionTime: view.lastHATransitionTimeMs > 0 ? isoTime(view.lastHATransitionTimeMs) : null,
            securityEnabled: view.securityEnabled,
            namesystemHAState: view.namesystemHAState,
            millisSinceLastLoadedEdits: view.millisSinceLastLoadedEdits,
            lastWrittenTransactionId: view.lastWrittenTransactionId,
            safemode: view.safemode,
            inSafemode: view.inSafemode,
            lastAppliedOrWrittenTxId: view.lastAppliedOrWrittenTxId,
            mostRecentCheckpointTxId: view.mostRecentCheckpointTxId,
            isActive: view.isActive,
          },
    readAt: isoTime(input.viewAtWallMs),
    ageMs: input.viewAtMonotonicMs === null ? null : Math.max(0, Math.round(nowMonotonicMs - input.viewAtMonotonicMs)),
    isActiveMismatch: input.isActiveMismatch,
    lastError:
      input.lastFailure === null
        ? null
        : { kind: input.lastFailure.kind, message: input.lastFailure.message, at: isoTime(input.lastFailure.atWallMs) },
  };
}
