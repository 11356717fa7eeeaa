// Events of the ActiveStandbyElector state machine: facts, in the past tense. Every ZooKeeper
// outcome carries the `epoch` of the session that produced it; the elector drops outcomes of any
// session other than its current one (Hadoop's isStaleClient guard), so a late answer from a
// closed or expired session can never move the election.

import type { ActiveNodeInfo } from '../types.js';

/**
 * ZooKeeper result codes as the ZkSession port reports them (KeeperException.Code names). Hadoop
 * classifies on these: CONNECTIONLOSS and OPERATIONTIMEOUT are retried, SESSIONEXPIRED is left to
 * the session watcher, NODEEXISTS / NONODE / BADVERSION steer the algorithm, the rest are fatal.
 */
export type ZkResultCode =
  | 'OK'
  | 'NODEEXISTS'
  | 'NONODE'
  | 'BADVERSION'
  | 'NOTEMPTY'
  | 'CONNECTIONLOSS'
  | 'OPERATIONTIMEOUT'
  | 'SESSIONEXPIRED'
  | 'NOAUTH'
  | 'INVALIDACL'
  | 'AUTHFAILED'
  | 'NOCHILDRENFOREPHEMERALS'
  | 'OTHER';

/** Connection-level facts of one session (the ZkSession port's ZkSessionEvent states). */
export type ZkSessionState = 'connected' | 'disconnected' | 'expired' | 'authFailed' | 'connectTimedOut';

/**
 * The runtime's decoding of breadcrumb bytes (src/hadoop/active-node-info.ts). The elector never
 * looks inside; it hands the result to whoever fences (the controller validates it).
 */
export type DecodedBreadcrumb =
  { readonly ok: true; readonly info: ActiveNodeInfo } | { readonly ok: false; readonly error: string };

export type ElectorEvent =
  /** The controller started: open the first session at once ("fail fast", as Java's constructor). */
  | { readonly type: 'ElectorStarted' }
  /** joinElection(appData): the local service is healthy and wants to run for the lock. */
  | { readonly type: 'JoinElectionRequested'; readonly appData: Uint8Array }
  /**
   * quitElection(needFence). `preempt` (used only by shutdown) may interrupt a becoming-active
   * sequence; every other quit waits for it to end, as Java's synchronized methods do.
   */
  | { readonly type: 'QuitElectionRequested'; readonly needFence: boolean; readonly preempt?: boolean }
  /**
   * Not in Hadoop: how long to wait before each race for a free lock (a join, the lock's deletion,
   * a reconnect), so that a better-placed NameNode's controller creates it first (the readiness
   * gate's handicap, src/core/controller/readiness.ts). 0: race at once, as Java does.
   */
  | { readonly type: 'CandidacyDelayChanged'; readonly delayMs: number }
  | {
      readonly type: 'ZkSessionStateChanged';
      readonly epoch: number;
      readonly state: ZkSessionState;
      /** The server-assigned session id, on `connected`. */
      readonly sessionId?: bigint;
    }
  | { readonly type: 'LockCreateFinished'; readonly epoch: number; readonly code: ZkResultCode }
  | {
      readonly type: 'LockMonitorFinished';
      readonly epoch: number;
      readonly code: ZkResultCode;
      /** stat.ephemeralOwner of the lock znode, on OK. */
      readonly ephemeralOwner?: bigint;
    }
  | {
      readonly type: 'LockWatchFired';
      readonly epoch: number;
      readonly watchType: 'NodeCreated' | 'NodeDeleted' | 'NodeDataChanged' | 'NodeChildrenChanged';
      /** The znode path; empty when ZooKeeper gave none (Hadoop treats that as fatal). */
      readonly path: string;
    }
  | {
      readonly type: 'BreadcrumbReadFinished';
      readonly epoch: number;
      readonly code: ZkResultCode;
      readonly data?: Uint8Array;
      readonly version?: number;
      readonly decoded?: DecodedBreadcrumb;
    }
  | { readonly type: 'BreadcrumbWriteFinished'; readonly epoch: number; readonly code: ZkResultCode }
  | { readonly type: 'BreadcrumbDeleteFinished'; readonly epoch: number; readonly code: ZkResultCode }
  /** The application finished fenceOldActive for activation `activationId`. */
  | { readonly type: 'FenceFinished'; readonly activationId: number; readonly ok: boolean; readonly reason: string }
  /** The application finished becomeActive (transitionToActive) for activation `activationId`. */
  | {
      readonly type: 'BecomeActiveFinished';
      readonly activationId: number;
      readonly ok: boolean;
      readonly reason: string;
    }
  | { readonly type: 'ElectorTimerFired'; readonly timer: ElectorTimer; readonly token: number };

/** Timers the elector asks for (it never sleeps; Hadoop's sleepFor becomes a timer). */
export type ElectorTimer = 'rejoinElection' | 'reEstablishSession' | 'candidacyDelay';
