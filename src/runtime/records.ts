// The observer hook's records: typed facts a metrics exporter or status board consumes
// (ControllerRuntime#onEvent). They describe what happened; nothing in the failover logic reads
// them back. Shapes line up with src/observability (metrics.ts, status.ts): the failover record is
// that module's FailoverRecord, session events use the ZkSession port's names.

import type { AntiFlapReport, FailoverReport, HoldBackEnd } from '../core/controller/commands.js';
import type { Readiness } from '../core/controller/readiness.js';
import type { ZkConnectionState } from '../core/elector/elector.js';
import type { ActiveNodeInfo, ElectorState, HAServiceState, HealthState, NamenodeTarget } from '../core/types.js';
import type { FenceAttempt, FenceOutcome, ZkSessionEvent } from './ports.js';

/**
 * States of the ZooKeeper data that keep automatic failover from working until an operator acts
 * (README, "Security model"):
 * - acl-world-writable: the configured ha.zookeeper.acl lets any ZooKeeper client change the
 *   election's znodes (Hadoop's default, world:anyone:rwcda);
 * - lock-not-ephemeral: the lock znode is persistent, so no session owns it and none will ever
 *   release it: no NameNode can become active through the election;
 * - lock-holder-unknown: the lock's data names no NameNode of this nameservice (not a zkfc's lock);
 * - breadcrumb-refused: the breadcrumb names a NameNode we refuse to fence, so no zkfc that wins
 *   the lock becomes active;
 * - pause-unreadable: the maintenance pause znode holds no pause record, so it is ignored
 *   (failover stays automatic) until an operator resumes or pauses again;
 * - zookeeper-tls: TLS to ZooKeeper fails (a key store that cannot be used, a server certificate
 *   not trusted, our certificate refused): the zkfc stays out of the election until it works;
 * - zookeeper-sasl: SASL authentication to ZooKeeper fails (a wrong password, a keytab without the
 *   principal, a server that refuses us): the zkfc stays out of the election until it works.
 */
export const ZOOKEEPER_PROBLEMS = [
  'acl-world-writable',
  'lock-not-ephemeral',
  'lock-holder-unknown',
  'breadcrumb-refused',
  'pause-unreadable',
  'zookeeper-tls',
  'zookeeper-sasl',
] as const;
export type ZooKeeperProblem = (typeof ZOOKEEPER_PROBLEMS)[number];

/** A scheduled ZooKeeper reconnect (the elector's ZkRetry, with the next attempt's wall-clock time). */
export interface ZkRetryRecord {
  readonly failures: number;
  readonly delayMs: number;
  readonly reason: string;
  readonly failedAtWallMs: number;
  readonly nextAttemptWallMs: number;
}

/** A completed failover with its wall-clock time (observability/status.ts FailoverRecord). */
export interface FailoverRecord extends FailoverReport {
  readonly atWallMs: number;
}

export type ControllerRecord =
  /** One health round of the local NameNode (getServiceStatus + monitorHealth). */
  | {
      readonly type: 'healthCheck';
      readonly outcome: 'healthy' | 'unhealthy' | 'unreachable';
      readonly durationMs: number;
      /** Why it is not healthy (the NameNode's message, or what failed), for the failover journal. */
      readonly reason?: string;
    }
  /** The state the NameNode reported, or null when the round could not reach it. */
  | { readonly type: 'serviceStateReported'; readonly state: HAServiceState | null }
  | { readonly type: 'healthStateChanged'; readonly from: HealthState; readonly to: HealthState }
  | { readonly type: 'electorStateChanged'; readonly from: ElectorState; readonly to: ElectorState }
  | { readonly type: 'zkConnectionStateChanged'; readonly from: ZkConnectionState; readonly to: ZkConnectionState }
  | { readonly type: 'zkSessionEvent'; readonly event: ZkSessionEvent['state']; readonly sessionId: bigint | undefined }
  /**
   * ZooKeeper out of reach and a reconnect scheduled (zkfc.zookeeper.retry-forever), with the
   * failed attempts so far, what failed and when the next attempt starts; null once a session is
   * being opened again. Emitted by the elector after a lost session and by the daemon at start-up.
   */
  | { readonly type: 'zkRetry'; readonly retry: ZkRetryRecord | null }
  /** A maintenance pause holds (with its real end, wall-clock ms), or null when none does. */
  | {
      readonly type: 'maintenancePause';
      readonly pause: {
        readonly reason: string;
        readonly by: string;
        readonly atWallMs: number;
        readonly untilWallMs: number;
      } | null;
    }
  /** A transition this ZKFC asked of its local NameNode. */
  | {
      readonly type: 'transition';
      readonly to: 'active' | 'standby';
      readonly result: 'success' | 'failure';
      readonly durationMs: number;
      readonly error?: string;
    }
  /** One fenceOldActive run against the old active. */
  | { readonly type: 'fencing'; readonly target: NamenodeTarget; readonly outcome: FenceOutcome }
  | { readonly type: 'failover'; readonly record: FailoverRecord }
  /** Data of the lock znode as last read (null: nobody holds it). */
  | { readonly type: 'lockHolder'; readonly info: ActiveNodeInfo | null }
  /** Data of the breadcrumb znode as last read (null: absent or not decodable). */
  | { readonly type: 'breadcrumb'; readonly info: ActiveNodeInfo | null }
  /** Wall-clock ms until which this ZKFC stays out of the election, or null. */
  | { readonly type: 'cede'; readonly untilWallMs: number | null }
  /**
   * A ZooKeeper problem appeared (present, with what is wrong and the command that clears it) or
   * went away. Emitted once per change, never per retry.
   */
  | {
      readonly type: 'zooKeeperProblem';
      readonly problem: ZooKeeperProblem;
      readonly present: boolean;
      readonly detail: string;
      readonly clear: string;
    }
  /**
   * Anti-flap (README "Anti-flap"): a lock-holder change seen, a failover held back, a hold-back
   * ended, with the wall-clock time. The failover journal (issue 14, item 4) is meant to keep the
   * failoverHeldBack and holdBackEnded ones as they are.
   */
  | { readonly type: 'antiFlap'; readonly report: AntiFlapReport; readonly atWallMs: number }
  /** The readiness gate's verdict changed (core/controller/readiness.ts), numbers included. */
  | { readonly type: 'readiness'; readonly readiness: Readiness }
  /** An attempt to become active ended (Java's ActiveAttemptRecord). */
  | { readonly type: 'activeAttempt'; readonly succeeded: boolean; readonly status: string }
  | { readonly type: 'exit'; readonly exitCode: number; readonly message: string };

export type ControllerRecordListener = (record: ControllerRecord) => void;

/**
 * What one NameNode answered in one round of the cluster view (runtime/cluster-view.ts): its
 * getServiceStatus and monitorHealth, asked by this daemon over HAServiceProtocol.
 */
export interface ClusterNamenodeObservation {
  readonly namenodeId: string;
  /** "host:port" asked (the NameNode's service RPC address). */
  readonly address: string;
  /** True for this daemon's own NameNode. */
  readonly local: boolean;
  /** getServiceStatus's state; null when it did not answer in time. */
  readonly state: HAServiceState | null;
  readonly readyToBecomeActive: boolean | null;
  /** The NameNode's own words (bounded), or null. */
  readonly notReadyReason: string | null;
  /**
   * monitorHealth's verdict in HealthMonitor's words: SERVICE_HEALTHY, SERVICE_UNHEALTHY (it
   * answered HealthCheckFailedException) or SERVICE_NOT_RESPONDING (no answer in time, or an error).
   */
  readonly health: HealthState;
  /**
   * NameNodeInfo.JournalTransactionInfo.LastAppliedOrWrittenTxId read over HTTP in this round;
   * null when not read (no reader, no answer, or a bad one).
   */
  readonly lastAppliedOrWrittenTxId: number | null;
  /** Why the state or health is not known or not healthy (bounded), else null. */
  readonly error: string | null;
}

/** One completed round of the cluster view. */
export interface ClusterViewRecord {
  /** Wall-clock epoch ms when the round ended. */
  readonly finishedAtWallMs: number;
  readonly durationMs: number;
  /** Every NameNode of the nameservice, in configuration order. */
  readonly namenodes: readonly ClusterNamenodeObservation[];
  /** Ids of the NameNodes that answered ACTIVE in this round. */
  readonly activeNamenodes: readonly string[];
  /**
   * Monotonic ms from which "without an active" is counted: null when this round saw a NameNode
   * answer ACTIVE; else the end of the last round that saw one, or the view's start if none has.
   */
  readonly noActiveSinceMonotonicMs: number | null;
  /** Wall-clock epoch ms of the end of the last round that saw an active NameNode; null if none has. */
  readonly lastActiveSeenWallMs: number | null;
}

// ---------------------------------------------------------------------------------------------
// The failover journal (runtime/failover-journal.ts, README "Failover journal"): the bounded record
// each failover leaves in ZooKeeper and in a local file. One shape everywhere: the znode's JSON,
// the file's lines, /status `history` and `haadmin history --json`. Times are ISO-8601 strings.

/**
 * Why the old active's zkfc left the election, in its own words (a stand-down entry):
 * - unhealthy: its NameNode answered the health check with an error (the message is the NameNode's);
 * - not-responding: its NameNode did not answer (refused, unreachable, timed out);
 * - cede: cedeActive asked it to step aside (a graceful failover; `requestedBy` says who asked);
 * - session-expired: its ZooKeeper session expired, so the lock went with it;
 * - stop: the daemon was stopped (SIGTERM);
 * - service-state: its NameNode reported a state other than active (or became an observer);
 * - fatal: the daemon hit a fatal error and exits;
 * - other: none of the above (the detail says what the elector did).
 */
export const STAND_DOWN_CAUSES = [
  'unhealthy',
  'not-responding',
  'cede',
  'session-expired',
  'stop',
  'service-state',
  'fatal',
  'other',
] as const;
export type StandDownCause = (typeof STAND_DOWN_CAUSES)[number];

/** One fencing method tried (a FenceAttempt, bounded). */
export interface JournalFenceAttempt {
  readonly method: string;
  readonly outcome: FenceAttempt['outcome'];
  readonly durationMs: number;
  readonly detail: string;
  /** The last lines the method printed (shell output, redacted), oldest first; empty when none. */
  readonly outputTail: readonly string[];
}

/** One fencing run against the old active (graceful transitionToStandby, then the methods). */
export interface JournalFencing {
  /** NameNode id fenced. */
  readonly target: string;
  readonly fenced: boolean;
  /** True when the old active stood down by itself (graceful transitionToStandby). */
  readonly graceful: boolean;
  readonly attempts: readonly JournalFenceAttempt[];
}

interface JournalEntryBase {
  /** Format version (1). */
  readonly v: 1;
  /** ISO-8601 time of the event, by the writer's clock. */
  readonly at: string;
  readonly nameservice: string;
  /** The zkfc that wrote the entry: its NameNode id and host name. */
  readonly writer: { readonly namenode: string; readonly host: string };
}

/** A failover, written by the zkfc whose NameNode became active. */
export interface FailoverJournalEntry extends JournalEntryBase {
  readonly kind: 'failover';
  /**
   * The previous active: the NameNode the breadcrumb named, else the lock's last holder this zkfc
   * saw (a graceful failover's old active deletes its breadcrumb as it cedes), else null.
   */
  readonly from: string | null;
  readonly to: string;
  readonly reason: FailoverReport['reason'];
  readonly durationMs: number;
  readonly phases: FailoverReport['phases'];
  /** What the new active's zkfc saw, in words: the lock going, the breadcrumb, the fencing. */
  readonly trigger: string;
  /** The facts behind `trigger`. */
  readonly seen: {
    /**
     * The lock's holder this zkfc saw last before it won (not itself), or null: that holder's lock
     * went away (its zkfc quit the election, or its ZooKeeper session expired) before this one won.
     */
    readonly lockHolder: string | null;
    /** This zkfc's own ZooKeeper session expired during the failover. */
    readonly ownSessionExpired: boolean;
  };
  readonly fencing: readonly JournalFencing[];
  /** Graceful failover: who asked (user at address, as the ZKFC RPC server saw the caller); else null. */
  readonly requestedBy: string | null;
}

/** The old active's zkfc leaving the election, with its own reason (written as it quits). */
export interface StandDownJournalEntry extends JournalEntryBase {
  readonly kind: 'standDown';
  /** The NameNode that was active (the writer's). */
  readonly namenode: string;
  readonly cause: StandDownCause;
  /** The reason in words: the NameNode's health message, the cede's duration, the session... */
  readonly detail: string;
  /** A cede: who asked (user at address); else null. */
  readonly requestedBy: string | null;
  /** ISO-8601 time the trouble began when known before `at` (a lost ZooKeeper connection), else null. */
  readonly since: string | null;
}

/** Anti-flap held a failover back (README "Anti-flap"). */
export interface HeldBackJournalEntry extends JournalEntryBase {
  readonly kind: 'failoverHeldBack';
  readonly namenode: string;
  readonly healthReason: string;
  readonly failoversInWindow: number;
  readonly maxFailovers: number;
  readonly windowMs: number;
  /** ISO-8601 time the oldest counted failover leaves the window. */
  readonly releaseAt: string;
}

/** Anti-flap stopped holding a failover back. */
export interface HoldBackEndedJournalEntry extends JournalEntryBase {
  readonly kind: 'holdBackEnded';
  readonly namenode: string;
  readonly reason: HoldBackEnd;
  readonly heldBackMs: number;
}

export type JournalEntry =
  FailoverJournalEntry | StandDownJournalEntry | HeldBackJournalEntry | HoldBackEndedJournalEntry;

/**
 * An entry as read back from ZooKeeper, with its znode; a failover also carries the old active's
 * own stand-down when the journal holds one for it (`loser`, see journal-codec.ts attachLosers).
 */
export type JournalEntryRead = JournalEntry & {
  readonly znode: string;
  readonly loser?: StandDownJournalEntry & { readonly znode: string };
};
