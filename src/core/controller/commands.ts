// Commands of the ZKFailoverController state machine: imperatives the runtime carries out in the
// order given, each through a port; every outcome comes back as an event. The elector's ZooKeeper
// commands pass through unchanged; its callbacks become NameNode work here.

import type { ElectorZkCommand } from '../elector/commands.js';
import type { NamenodeTarget } from '../types.js';
import type { ControllerTimer } from './events.js';

/** Why this ZKFC made its NameNode active (the closed list of src/observability/status.ts). */
export type FailoverReason = 'initial' | 'election' | 'graceful' | 'reelected';

/** Phase durations of one completed failover (same shape as observability's FailoverPhasesMs). */
export interface FailoverPhases {
  readonly detectionMs: number;
  readonly electionMs: number;
  readonly fencingMs: number;
  readonly promotionMs: number;
}

/** A completed failover, without the wall-clock time (the core has none; the runtime adds it). */
export interface FailoverReport {
  /** NameNode id of the previous active named by the breadcrumb, null if none was on record. */
  readonly from: string | null;
  readonly to: string;
  readonly reason: FailoverReason;
  readonly durationMs: number;
  readonly phases: FailoverPhases;
}

export type ControllerCommand =
  | ElectorZkCommand
  | { readonly type: 'StartHealthMonitor' }
  | { readonly type: 'StopHealthMonitor' }
  /** transitionToActive(REQUEST_BY_ZKFC) on the local NameNode; answer LocalTransitionFinished(seq). */
  | { readonly type: 'TransitionLocalToActive'; readonly seq: number; readonly timeoutMs: number }
  /** transitionToStandby(REQUEST_BY_ZKFC) on the local NameNode; answer LocalTransitionFinished(seq). */
  | {
      readonly type: 'TransitionLocalToStandby';
      readonly seq: number;
      readonly timeoutMs: number;
      readonly purpose: 'electionLost' | 'cede';
    }
  /** Fence the old active (graceful transitionToStandby, then the methods); answer FenceTargetFinished. */
  | { readonly type: 'FenceTarget'; readonly activationId: number; readonly target: NamenodeTarget }
  | {
      readonly type: 'ScheduleControllerTimer';
      readonly timer: ControllerTimer;
      readonly token: number;
      readonly delayMs: number;
    }
  /** Answer the cedeActive request `requestId`. */
  | { readonly type: 'CompleteCedeActive'; readonly requestId: number; readonly ok: boolean; readonly error?: string }
  /** An attempt to become active ended (what graceful failover waits for; Java's ActiveAttemptRecord). */
  | { readonly type: 'ReportActiveAttempt'; readonly succeeded: boolean; readonly status: string }
  | { readonly type: 'ReportFailover'; readonly report: FailoverReport }
  /** The process must exit (Hadoop: 1 after any fatal error, 6 when ZooKeeper is unreachable at start). */
  | { readonly type: 'ExitProcess'; readonly exitCode: number; readonly message: string };
