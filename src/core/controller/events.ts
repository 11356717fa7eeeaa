// Events of the ZKFailoverController state machine: facts, in the past tense. They cover what
// Java's ZKFC reacts to: its start and stop, health rounds of the local NameNode, every ZooKeeper
// outcome of the elector (passed through to it), the results of the NameNode work it ordered
// (transitions, fencing), admin requests (cedeActive, graceful failover) and its own timers.

import type { ElectorEvent } from '../elector/events.js';
import type { HealthEvent } from '../health/health-monitor.js';
import type { Readiness } from './readiness.js';

/** Elector events that come from ZooKeeper or the elector's timers (the runtime produces them). */
export type ElectorZkEvent = Extract<
  ElectorEvent,
  {
    readonly type:
      | 'ZkSessionStateChanged'
      | 'LockCreateFinished'
      | 'LockMonitorFinished'
      | 'LockWatchFired'
      | 'BreadcrumbReadFinished'
      | 'BreadcrumbWriteFinished'
      | 'BreadcrumbDeleteFinished'
      | 'ElectorTimerFired';
  }
>;

export type ControllerTimer = 'recheckElectability';

export type ControllerEvent =
  /** start(): connect to ZooKeeper (fail fast), then start the health monitor. */
  | { readonly type: 'ControllerStarted' }
  /** stop(): quit the election with needFence=true (as Java's doRun finally does); never touch the NameNode. */
  | { readonly type: 'StopRequested' }
  | HealthEvent
  | ElectorZkEvent
  /** A transitionToActive / transitionToStandby the controller ordered (by `seq`) has finished. */
  | { readonly type: 'LocalTransitionFinished'; readonly seq: number; readonly ok: boolean; readonly error?: string }
  /** The Fencer finished with the old active of activation `activationId`. */
  | {
      readonly type: 'FenceTargetFinished';
      readonly activationId: number;
      readonly fenced: boolean;
      /** True when the old active stood down by itself (graceful transitionToStandby). */
      readonly graceful: boolean;
      readonly detail: string;
    }
  /** ZKFCProtocol cedeActive(millisToCede) from a peer ZKFC or haadmin; answer with CompleteCedeActive. */
  | {
      readonly type: 'CedeActiveRequested';
      readonly requestId: number;
      readonly millisToCede: number;
      readonly requester?: string;
    }
  /** A graceful failover to this node started / ended (runtime/graceful-failover.ts runs it). */
  | { readonly type: 'GracefulFailoverStarted'; readonly requestId: number }
  | { readonly type: 'GracefulFailoverEnded'; readonly requestId: number }
  | { readonly type: 'ControllerTimerFired'; readonly timer: ControllerTimer; readonly token: number }
  /**
   * An operator's maintenance pause began or ended (README "Maintenance pause"; the runtime reads
   * the pause znode and applies its time limit). While paused the controller makes no transition
   * and fences nothing: an active keeps its lock whatever its health, the others stay out of the
   * election, cedes and graceful failovers are refused.
   */
  | { readonly type: 'MaintenancePauseChanged'; readonly paused: boolean; readonly reason: string }
  /**
   * The readiness gate's verdict changed (readiness.ts; the runtime assesses it after every health
   * round and every read of the HTTP view or the cluster view). Not ready: a controller that is
   * not active stays out of the election and refuses graceful failovers to it.
   */
  | { readonly type: 'ReadinessAssessed'; readonly readiness: Readiness };
