// Commands of the ActiveStandbyElector state machine: imperatives, run by the runtime in order.
// Two kinds: ZooKeeper operations on the session of `epoch` (their outcome comes back as an event
// of that epoch), and the Hadoop callbacks (becomeActive, becomeStandby, enterNeutralMode,
// fenceOldActive, notifyFatalError) that the controller turns into NameNode work.

import type { DecodedBreadcrumb, ElectorTimer } from './events.js';

export type ElectorZkCommand =
  /** Open a new session numbered `epoch`; its events come back stamped with it. */
  | { readonly type: 'OpenZkSession'; readonly epoch: number }
  /** Close the session (the server drops its ephemerals, our lock included). */
  | { readonly type: 'CloseZkSession'; readonly epoch: number }
  /** create(lock, appData, acl, EPHEMERAL) */
  | { readonly type: 'CreateLockZnode'; readonly epoch: number; readonly path: string; readonly data: Uint8Array }
  /** exists(lock, watch): the result and, later, the one-shot watch come back as events. */
  | { readonly type: 'MonitorLockZnode'; readonly epoch: number; readonly path: string }
  /** getData(breadcrumb) without a watch. */
  | { readonly type: 'ReadBreadcrumb'; readonly epoch: number; readonly path: string }
  /** create(breadcrumb, appData, acl, PERSISTENT): there was no breadcrumb. */
  | { readonly type: 'CreateBreadcrumb'; readonly epoch: number; readonly path: string; readonly data: Uint8Array }
  /** setData(breadcrumb, appData, version): compare-and-set against the version we read. */
  | {
      readonly type: 'SetBreadcrumb';
      readonly epoch: number;
      readonly path: string;
      readonly data: Uint8Array;
      readonly version: number;
    }
  /** delete(breadcrumb, version) */
  | { readonly type: 'DeleteBreadcrumb'; readonly epoch: number; readonly path: string; readonly version: number }
  /** Fire ElectorTimerFired(timer, token) after delayMs. Stale tokens are ignored, so no cancel. */
  | {
      readonly type: 'ScheduleElectorTimer';
      readonly timer: ElectorTimer;
      readonly token: number;
      readonly delayMs: number;
    };

export type ElectorCallback =
  /** Make the local service active; answer with BecomeActiveFinished(activationId). */
  | { readonly type: 'BecomeActive'; readonly activationId: number }
  | { readonly type: 'BecomeStandby' }
  | { readonly type: 'EnterNeutralMode' }
  /** Fence the old active named by `data`; answer with FenceFinished(activationId). */
  | {
      readonly type: 'FenceOldActive';
      readonly activationId: number;
      readonly data: Uint8Array;
      readonly decoded: DecodedBreadcrumb | undefined;
    }
  /** Unrecoverable: the process must exit with `exitCode` (Hadoop: 1; 6 when ZooKeeper is unreachable at start). */
  | { readonly type: 'NotifyFatalError'; readonly message: string; readonly exitCode: number };

export type ElectorCommand = ElectorZkCommand | ElectorCallback;

const CALLBACK_TYPES: ReadonlySet<string> = new Set([
  'BecomeActive',
  'BecomeStandby',
  'EnterNeutralMode',
  'FenceOldActive',
  'NotifyFatalError',
]);

export function isElectorCallback(command: ElectorCommand): command is ElectorCallback {
  return CALLBACK_TYPES.has(command.type);
}
