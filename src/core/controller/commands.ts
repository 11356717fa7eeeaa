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

/** Why a hold-back of a failover ended (anti-flap; README "Anti-flap"). */
export type HoldBackEnd =
  /** The local NameNode is healthy again: nothing to fail over. */
  | 'healthy'
  /** The local NameNode stopped answering (refused, unreachable, timed out): the failover proceeds. */
  | 'not-responding'
  /** The oldest counted failover left the window: the failover proceeds. */
  | 'window-passed'
  /** This ZKFC no longer holds the lock as active (session lost, cede, service state changed, stop). */
  | 'lock-released';

/**
 * Anti-flap facts, for the log, the status model, the metrics and (later) the failover journal:
 * a lock-holder change seen (counted or not), a failover held back, a hold-back ended. Times are the
 * core's monotonic ms; the runtime adds the wall-clock time.
 */
export type AntiFlapReport =
  | {
      readonly kind: 'lockHolderChanged';
      /** False for a graceful (administrator's) failover. */
      readonly counted: boolean;
      /** Counted changes in the window now, this one included. */
      readonly failoversInWindow: number;
    }
  | {
      readonly kind: 'failoverHeldBack';
      /** The NameNode that stays active (this ZKFC's). */
      readonly namenode: string;
      /** Why the local NameNode would have lost the active role (the failed health check). */
      readonly healthReason: string;
      readonly failoversInWindow: number;
      readonly maxFailovers: number;
      readonly windowMs: number;
      /** When the oldest counted failover leaves the window (the failover proceeds then, if still unhealthy). */
      readonly releaseInMs: number;
    }
  | {
      readonly kind: 'holdBackEnded';
      readonly namenode: string;
      readonly reason: HoldBackEnd;
      readonly heldBackMs: number;
    };

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
  | { readonly type: 'ReportAntiFlap'; readonly report: AntiFlapReport }
  /** The process must exit (Hadoop: 1 after any fatal error, 6 when ZooKeeper is unreachable at start). */
  | { readonly type: 'ExitProcess'; readonly exitCode: number; readonly message: string };
