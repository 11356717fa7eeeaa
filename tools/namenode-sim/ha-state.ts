// The NameNode simulator's HA rules as a pure function: given one HAServiceProtocol request, the
// caller, the NameNode's condition and its configuration, decide the answer (a result, maybe a
// new state) or the Java exception a real NameNode would throw, with Hadoop's exact class name
// and message (docs/hadoop-compat.md §2.3). No I/O, no clock, no Node types: the simulator (sim-namenode.ts) applies
// the decision, writes the transition log and adds fault injection around it.
//
// Parity: NameNodeRpcServer.{monitorHealth, transitionToActive, transitionToStandby,
// transitionToObserver, getServiceStatus}, NameNode.{checkHaStateChange, monitorHealth,
// transitionTo*, getServiceStatus}, FSPermissionChecker.checkSuperuserPrivilege, HAState.setState.
// The order of the checks is Hadoop's: started? → (observer guard) → request-source gate →
// superuser → HA enabled → state rules.

import type { HARequestSource, HAServiceState, ServiceStatus } from '../../src/core/types.js';
import { ExceptionClassName } from '../../src/hadoop/protocol-names.js';

export type HAMethodName =
  'monitorHealth' | 'getServiceStatus' | 'transitionToActive' | 'transitionToStandby' | 'transitionToObserver';

export type HARequest =
  | { readonly method: 'monitorHealth' }
  | { readonly method: 'getServiceStatus' }
  | {
      readonly method: 'transitionToActive' | 'transitionToStandby' | 'transitionToObserver';
      readonly source: HARequestSource;
    };

/** Who calls: the effective user of the IPC connection and the peer's IP (Server.getRemoteAddress). */
export interface HACaller {
  readonly user: string;
  readonly remoteAddress: string;
}

/** The NameNode's configuration as far as the HA rules read it. */
export interface SimHAConfig {
  /** HA configured at all (false gives "HA for namenode is not enabled"). */
  readonly haEnabled: boolean;
  /** dfs.ha.automatic-failover.enabled for this NameNode's nameservice. */
  readonly automaticFailoverEnabled: boolean;
  /** The superuser: the user the NameNode runs as. */
  readonly superuser: string;
  /** Users in dfs.permissions.superusergroup (the simulator has no group mapping, so it lists members). */
  readonly supergroupMembers: readonly string[];
  /** dfs.permissions.enabled: when false the superuser check is skipped (FSNamesystem.checkSuperuserPrivilege). */
  readonly permissionsEnabled: boolean;
  /** dfs.ha.nn.not-become-active-in-safemode (HDFS-14201). */
  readonly notBecomeActiveInSafemode: boolean;
}

/** What the NameNode is like right now. */
export interface SimHACondition {
  readonly state: HAServiceState;
  /** False during start-up: every HA call gets RetriableException. */
  readonly started: boolean;
  readonly safemode: boolean;
  /** False models "name dirs below dfs.namenode.resource.du.reserved": monitorHealth fails. */
  readonly hasResources: boolean;
}

export type HADecision =
  | {
      readonly kind: 'ok';
      /** Set when the call changes the state (never for no-op transitions). */
      readonly nextState?: HAServiceState;
      /** Set for getServiceStatus. */
      readonly status?: ServiceStatus;
    }
  | { readonly kind: 'exception'; readonly className: ExceptionClassName; readonly message: string };

/** NamenodeRole.NAMENODE.toString(): the role name in "still not started" / "still not leave safemode". */
export const NAMENODE_ROLE = 'NameNode';

/** FSNamesystem.getSafeModeTip for manually entered safe mode (the simulator's only kind). */
export const SAFEMODE_TIP = 'It was turned on manually. Use "hdfs dfsadmin -safemode leave" to turn safe mode off.';

/** HAServiceState.toString(): lower-case names as Java tools print them. */
export function haStateName(state: HAServiceState): string {
  return state.toLowerCase();
}

function exception(className: ExceptionClassName, message: string): HADecision {
  return { kind: 'exception', className, message };
}

const OK: HADecision = { kind: 'ok' };

/** Decide one HAServiceProtocol call. Pure: the same inputs always give the same decision. */
export function decideHARequest(
  request: HARequest,
  caller: HACaller,
  condition: SimHACondition,
  config: SimHAConfig,
): HADecision {
  // Parity: NameNodeRpcServer.checkNNStartup, first in every HA method.
  if (!condition.started) return exception(ExceptionClassName.Retriable, `${NAMENODE_ROLE} still not started`);

  switch (request.method) {
    case 'getServiceStatus':
      return getServiceStatus(condition, config);
    case 'monitorHealth':
      return monitorHealth(caller, condition, config);
    case 'transitionToActive':
    case 'transitionToStandby':
    case 'transitionToObserver':
      return transition(request.method, request.source, caller, condition, config);
  }
}

function getServiceStatus(condition: SimHACondition, config: SimHAConfig): HADecision {
  if (!config.haEnabled) return exception(ExceptionClassName.ServiceFailed, 'HA for namenode is not enabled');
  const state = condition.state;
  if (state === 'INITIALIZING') return { kind: 'ok', status: { state } };
  if (state === 'STANDBY') {
    if (condition.safemode) {
      return {
        kind: 'ok',
        status: { state, readyToBecomeActive: false, notReadyReason: `The NameNode is in safemode. ${SAFEMODE_TIP}` },
      };
    }
    return { kind: 'ok', status: { state, readyToBecomeActive: true } };
  }
  if (state === 'ACTIVE') return { kind: 'ok', status: { state, readyToBecomeActive: true } };
  return {
    kind: 'ok',
    status: { state, readyToBecomeActive: false, notReadyReason: `State is ${haStateName(state)}` },
  };
}

function monitorHealth(caller: HACaller, condition: SimHACondition, config: SimHAConfig): HADecision {
  const denied = checkSuperuser(caller, config);
  if (denied) return denied;
  if (!config.haEnabled) return OK; // Parity: no-op when HA is disabled
  if (!condition.hasResources)
    return exception(ExceptionClassName.HealthCheckFailed, 'The NameNode has no resources available');
  if (config.notBecomeActiveInSafemode && condition.safemode) {
    return exception(
      ExceptionClassName.HealthCheckFailed,
      'The NameNode is configured to report UNHEALTHY to ZKFC in Safemode.',
    );
  }
  return OK;
}

function transition(
  method: 'transitionToActive' | 'transitionToStandby' | 'transitionToObserver',
  source: HARequestSource,
  caller: HACaller,
  condition: SimHACondition,
  config: SimHAConfig,
): HADecision {
  const state = condition.state;
  // HDFS-14961: a ZKFC must not pull an observer back into the pool (checked before the gate).
  if (method === 'transitionToStandby' && state === 'OBSERVER' && source === 'REQUEST_BY_ZKFC') {
    return exception(
      ExceptionClassName.AccessControl,
      `Request from ZK failover controller at ${caller.remoteAddress} denied since the namenode is in Observer state.`,
    );
  }
  const gated = checkHaStateChange(source, caller, config);
  if (gated) return gated;
  const denied = checkSuperuser(caller, config);
  if (denied) return denied;

  const safemodeGuard = config.notBecomeActiveInSafemode && condition.safemode;
  switch (method) {
    case 'transitionToActive':
      if (!config.haEnabled) return exception(ExceptionClassName.ServiceFailed, 'HA for namenode is not enabled');
      if (state === 'OBSERVER')
        return exception(ExceptionClassName.ServiceFailed, "Cannot transition from 'observer' to 'active'");
      if (safemodeGuard)
        return exception(ExceptionClassName.ServiceFailed, `${NAMENODE_ROLE} still not leave safemode`);
      return state === 'ACTIVE' ? OK : { kind: 'ok', nextState: 'ACTIVE' };
    case 'transitionToStandby':
      if (!config.haEnabled) return exception(ExceptionClassName.ServiceFailed, 'HA for namenode is not enabled');
      return state === 'STANDBY' ? OK : { kind: 'ok', nextState: 'STANDBY' };
    case 'transitionToObserver':
      // Parity: NameNode.transitionToObserver checks safe mode before "HA enabled".
      if (safemodeGuard)
        return exception(ExceptionClassName.ServiceFailed, `${NAMENODE_ROLE} still not leave safemode`);
      if (!config.haEnabled) return exception(ExceptionClassName.ServiceFailed, 'HA for namenode is not enabled');
      if (state === 'ACTIVE')
        return exception(ExceptionClassName.ServiceFailed, "Cannot transition from 'active' to 'observer'");
      return state === 'OBSERVER' ? OK : { kind: 'ok', nextState: 'OBSERVER' };
  }
}

/** Parity: NameNode.checkHaStateChange (manual vs automatic gate), with Hadoop's messages. */
function checkHaStateChange(source: HARequestSource, caller: HACaller, config: SimHAConfig): HADecision | undefined {
  switch (source) {
    case 'REQUEST_BY_USER':
      if (config.automaticFailoverEnabled) {
        return exception(
          ExceptionClassName.AccessControl,
          'Manual HA control for this NameNode is disallowed, because automatic HA is enabled.',
        );
      }
      return undefined;
    case 'REQUEST_BY_USER_FORCED':
      return undefined; // allowed either way (Hadoop logs a warning when automatic HA is on)
    case 'REQUEST_BY_ZKFC':
      if (!config.automaticFailoverEnabled) {
        return exception(
          ExceptionClassName.AccessControl,
          `Request from ZK failover controller at ${caller.remoteAddress} denied since automatic HA is not enabled`,
        );
      }
      return undefined;
  }
}

/** Parity: FSPermissionChecker.checkSuperuserPrivilege (skipped when permissions are disabled). */
function checkSuperuser(caller: HACaller, config: SimHAConfig): HADecision | undefined {
  if (!config.permissionsEnabled) return undefined;
  if (caller.user === config.superuser || config.supergroupMembers.includes(caller.user)) return undefined;
  return exception(
    ExceptionClassName.AccessControl,
    `Access denied for user ${caller.user}. Superuser privilege is required`,
  );
}
