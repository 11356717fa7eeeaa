// The observer hook's records: typed facts a metrics exporter or status board consumes
// (ControllerRuntime#onEvent). They describe what happened; nothing in the failover logic reads
// them back. Shapes line up with src/observability (metrics.ts, status.ts): the failover record is
// that module's FailoverRecord, session events use the ZkSession port's names.

import type { FailoverReport } from '../core/controller/commands.js';
import type { ZkConnectionState } from '../core/elector/elector.js';
import type { ActiveNodeInfo, ElectorState, HAServiceState, HealthState, NamenodeTarget } from '../core/types.js';
import type { FenceOutcome, ZkSessionEvent } from './ports.js';

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
 *   (failover stays automatic) until an operator resumes or pauses again.
 */
export const ZOOKEEPER_PROBLEMS = [
  'acl-world-writable',
  'lock-not-ephemeral',
  'lock-holder-unknown',
  'breadcrumb-refused',
  'pause-unreadable',
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
  /** An attempt to become active ended (Java's ActiveAttemptRecord). */
  | { readonly type: 'activeAttempt'; readonly succeeded: boolean; readonly status: string }
  | { readonly type: 'exit'; readonly exitCode: number; readonly message: string };

export type ControllerRecordListener = (record: ControllerRecord) => void;
