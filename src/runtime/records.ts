// The observer hook's records: typed facts a metrics exporter or status board consumes
// (ControllerRuntime#onEvent). They describe what happened; nothing in the failover logic reads
// them back. Shapes line up with src/observability (metrics.ts, status.ts): the failover record is
// that module's FailoverRecord, session events use the ZkSession port's names.

import type { FailoverReport } from '../core/controller/commands.js';
import type { ZkConnectionState } from '../core/elector/elector.js';
import type { ActiveNodeInfo, ElectorState, HAServiceState, HealthState, NamenodeTarget } from '../core/types.js';
import type { FenceOutcome, ZkSessionEvent } from './ports.js';

/** A completed failover with its wall-clock time (observability/status.ts FailoverRecord). */
export interface FailoverRecord extends FailoverReport {
  readonly atWallMs: number;
}

export type ControllerRecord =
  /** One health round of the local NameNode (getServiceStatus + monitorHealth). */
  | { readonly type: 'healthCheck'; readonly outcome: 'healthy' | 'unhealthy' | 'unreachable'; readonly durationMs: number }
  /** The state the NameNode reported, or null when the round could not reach it. */
  | { readonly type: 'serviceStateReported'; readonly state: HAServiceState | null }
  | { readonly type: 'healthStateChanged'; readonly from: HealthState; readonly to: HealthState }
  | { readonly type: 'electorStateChanged'; readonly from: ElectorState; readonly to: ElectorState }
  | { readonly type: 'zkConnectionStateChanged'; readonly from: ZkConnectionState; readonly to: ZkConnectionState }
  | { readonly type: 'zkSessionEvent'; readonly event: ZkSessionEvent['state']; readonly sessionId: bigint | undefined }
  /** A transition this ZKFC asked of its local NameNode. */
  | { readonly type: 'transition'; readonly to: 'active' | 'standby'; readonly result: 'success' | 'failure'; readonly durationMs: number; readonly error?: string }
  /** One fenceOldActive run against the old active. */
  | { readonly type: 'fencing'; readonly target: NamenodeTarget; readonly outcome: FenceOutcome }
  | { readonly type: 'failover'; readonly record: FailoverRecord }
  /** Data of the lock znode as last read (null: nobody holds it). */
  | { readonly type: 'lockHolder'; readonly info: ActiveNodeInfo | null }
  /** Data of the breadcrumb znode as last read (null: absent or not decodable). */
  | { readonly type: 'breadcrumb'; readonly info: ActiveNodeInfo | null }
  /** Wall-clock ms until which this ZKFC stays out of the election, or null. */
  | { readonly type: 'cede'; readonly untilWallMs: number | null }
  /** An attempt to become active ended (Java's ActiveAttemptRecord). */
  | { readonly type: 'activeAttempt'; readonly succeeded: boolean; readonly status: string }
  | { readonly type: 'exit'; readonly exitCode: number; readonly message: string };

export type ControllerRecordListener = (record: ControllerRecord) => void;
