// Goal: every NameNode HA rule of docs/hadoop-compat.md §2.3 holds in the simulator's pure decision function, with
// Hadoop's exact exception class names and messages, and in Hadoop's check order.
// Method: one named test per rule, calling decideHARequest with a baseline NameNode and changing
// one input at a time.
import { describe, expect, it } from 'vitest';
import type { HARequestSource, HAServiceState } from '../../../src/core/types.js';
import {
  decideHARequest,
  type HACaller,
  type HARequest,
  type SimHACondition,
  type SimHAConfig,
} from '../../../tools/namenode-sim/ha-state.js';

const config: SimHAConfig = {
  haEnabled: true,
  automaticFailoverEnabled: true,
  superuser: 'hdfs',
  supergroupMembers: ['admin'],
  permissionsEnabled: true,
  notBecomeActiveInSafemode: false,
};
const condition: SimHACondition = { state: 'STANDBY', started: true, safemode: false, hasResources: true };
const hdfs: HACaller = { user: 'hdfs', remoteAddress: '10.1.2.3' };

const AccessControl = 'org.apache.hadoop.security.AccessControlException';
const ServiceFailed = 'org.apache.hadoop.ha.ServiceFailedException';
const HealthCheckFailed = 'org.apache.hadoop.ha.HealthCheckFailedException';
const Retriable = 'org.apache.hadoop.ipc.RetriableException';

const toActive = (source: HARequestSource): HARequest => ({ method: 'transitionToActive', source });
const toStandby = (source: HARequestSource): HARequest => ({ method: 'transitionToStandby', source });
const toObserver = (source: HARequestSource): HARequest => ({ method: 'transitionToObserver', source });
const ALL: HARequest[] = [
  { method: 'monitorHealth' },
  { method: 'getServiceStatus' },
  toActive('REQUEST_BY_ZKFC'),
  toStandby('REQUEST_BY_ZKFC'),
  toObserver('REQUEST_BY_USER_FORCED'),
];

function decide(
  request: HARequest,
  over: { caller?: Partial<HACaller>; condition?: Partial<SimHACondition>; config?: Partial<SimHAConfig> } = {},
) {
  return decideHARequest(
    request,
    { ...hdfs, ...over.caller },
    { ...condition, ...over.condition },
    { ...config, ...over.config },
  );
}

describe('start-up: "NameNode still not started"', () => {
  it.each(ALL.map((r) => [r.method, r] as const))('%s during start-up is RetriableException', (_m, request) => {
    expect(decide(request, { condition: { started: false } })).toEqual({
      kind: 'exception',
      className: Retriable,
      message: 'NameNode still not started',
    });
  });

  it('start-up is checked before anything else (even a non-superuser gets RetriableException)', () => {
    expect(
      decide(toActive('REQUEST_BY_USER'), { caller: { user: 'mallory' }, condition: { started: false } }),
    ).toMatchObject({ className: Retriable });
  });
});

describe('superuser check', () => {
  const nonSuper = { caller: { user: 'alice' } };
  it.each([
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- tsc needs it
    ['monitorHealth', { method: 'monitorHealth' } as HARequest],
    ['transitionToActive', toActive('REQUEST_BY_ZKFC')],
    ['transitionToStandby', toStandby('REQUEST_BY_ZKFC')],
    ['transitionToObserver', toObserver('REQUEST_BY_USER_FORCED')],
  ])(
    '%s by a non-superuser is AccessControlException "Access denied ... Superuser privilege is required"',
    (_m, request) => {
      expect(decide(request, nonSuper)).toEqual({
        kind: 'exception',
        className: AccessControl,
        message: 'Access denied for user alice. Superuser privilege is required',
      });
    },
  );

  it('getServiceStatus needs no superuser', () => {
    expect(decide({ method: 'getServiceStatus' }, nonSuper)).toMatchObject({
      kind: 'ok',
      status: { state: 'STANDBY' },
    });
  });

  it('members of the supergroup pass', () => {
    expect(decide({ method: 'monitorHealth' }, { caller: { user: 'admin' } })).toEqual({ kind: 'ok' });
    expect(decide(toActive('REQUEST_BY_ZKFC'), { caller: { user: 'admin' } })).toEqual({
      kind: 'ok',
      nextState: 'ACTIVE',
    });
  });

  it('with dfs.permissions.enabled=false anyone passes', () => {
    expect(decide({ method: 'monitorHealth' }, { ...nonSuper, config: { permissionsEnabled: false } })).toEqual({
      kind: 'ok',
    });
  });

  it('the request-source gate is checked before the superuser check', () => {
    expect(decide(toActive('REQUEST_BY_USER'), nonSuper)).toMatchObject({
      message: 'Manual HA control for this NameNode is disallowed, because automatic HA is enabled.',
    });
  });
});

describe('request-source gate (NameNode.checkHaStateChange)', () => {
  const transitions = [
    ['transitionToActive', toActive],
    ['transitionToStandby', toStandby],
    ['transitionToObserver', toObserver],
  ] as const;

  it.each(transitions)('%s REQUEST_BY_USER with automatic failover on is refused', (_m, make) => {
    expect(decide(make('REQUEST_BY_USER'))).toEqual({
      kind: 'exception',
      className: AccessControl,
      message: 'Manual HA control for this NameNode is disallowed, because automatic HA is enabled.',
    });
  });

  it.each(transitions)('%s REQUEST_BY_USER with automatic failover off is allowed', (_m, make) => {
    expect(decide(make('REQUEST_BY_USER'), { config: { automaticFailoverEnabled: false } })).toMatchObject({
      kind: 'ok',
    });
  });

  it.each(transitions)('%s REQUEST_BY_USER_FORCED is allowed with automatic failover on and off', (_m, make) => {
    expect(decide(make('REQUEST_BY_USER_FORCED'))).toMatchObject({ kind: 'ok' });
    expect(decide(make('REQUEST_BY_USER_FORCED'), { config: { automaticFailoverEnabled: false } })).toMatchObject({
      kind: 'ok',
    });
  });

  it.each(transitions)(
    '%s REQUEST_BY_ZKFC with automatic failover off is refused, naming the caller address',
    (_m, make) => {
      expect(decide(make('REQUEST_BY_ZKFC'), { config: { automaticFailoverEnabled: false } })).toEqual({
        kind: 'exception',
        className: AccessControl,
        message: 'Request from ZK failover controller at 10.1.2.3 denied since automatic HA is not enabled',
      });
    },
  );

  it.each(transitions)('%s REQUEST_BY_ZKFC with automatic failover on is allowed', (_m, make) => {
    expect(decide(make('REQUEST_BY_ZKFC'))).toMatchObject({ kind: 'ok' });
  });
});

describe('transitions and no-ops', () => {
  it.each<[string, HARequest, HAServiceState, HAServiceState | undefined]>([
    ['standby -> active', toActive('REQUEST_BY_ZKFC'), 'STANDBY', 'ACTIVE'],
    ['initializing -> active', toActive('REQUEST_BY_ZKFC'), 'INITIALIZING', 'ACTIVE'],
    ['active -> standby', toStandby('REQUEST_BY_ZKFC'), 'ACTIVE', 'STANDBY'],
    ['observer -> standby (by user, forced)', toStandby('REQUEST_BY_USER_FORCED'), 'OBSERVER', 'STANDBY'],
    ['standby -> observer', toObserver('REQUEST_BY_USER_FORCED'), 'STANDBY', 'OBSERVER'],
    ['already active: transitionToActive is a no-op', toActive('REQUEST_BY_ZKFC'), 'ACTIVE', undefined],
    ['already standby: transitionToStandby is a no-op', toStandby('REQUEST_BY_ZKFC'), 'STANDBY', undefined],
    ['already observer: transitionToObserver is a no-op', toObserver('REQUEST_BY_USER_FORCED'), 'OBSERVER', undefined],
  ])('%s', (_name, request, from, to) => {
    const decision = decide(request, { condition: { state: from } });
    expect(decision).toEqual(to === undefined ? { kind: 'ok' } : { kind: 'ok', nextState: to });
  });
});

describe('observer rules', () => {
  it("observer -> active is refused: \"Cannot transition from 'observer' to 'active'\"", () => {
    expect(decide(toActive('REQUEST_BY_ZKFC'), { condition: { state: 'OBSERVER' } })).toEqual({
      kind: 'exception',
      className: ServiceFailed,
      message: "Cannot transition from 'observer' to 'active'",
    });
  });

  it("active -> observer is refused: \"Cannot transition from 'active' to 'observer'\"", () => {
    expect(decide(toObserver('REQUEST_BY_USER_FORCED'), { condition: { state: 'ACTIVE' } })).toEqual({
      kind: 'exception',
      className: ServiceFailed,
      message: "Cannot transition from 'active' to 'observer'",
    });
  });

  it('HDFS-14961: a ZKFC transitionToStandby on an observer is refused, even with automatic failover off', () => {
    const expected = {
      kind: 'exception',
      className: AccessControl,
      message: 'Request from ZK failover controller at 10.1.2.3 denied since the namenode is in Observer state.',
    };
    expect(decide(toStandby('REQUEST_BY_ZKFC'), { condition: { state: 'OBSERVER' } })).toEqual(expected);
    expect(
      decide(toStandby('REQUEST_BY_ZKFC'), {
        condition: { state: 'OBSERVER' },
        config: { automaticFailoverEnabled: false },
      }),
    ).toEqual(expected);
  });
});

describe('safe mode and dfs.ha.nn.not-become-active-in-safemode', () => {
  const inSafemode = { condition: { safemode: true } };
  const guarded = { condition: { safemode: true }, config: { notBecomeActiveInSafemode: true } };

  it('monitorHealth fails in safe mode when the NameNode is configured not to become active in it', () => {
    expect(decide({ method: 'monitorHealth' }, guarded)).toEqual({
      kind: 'exception',
      className: HealthCheckFailed,
      message: 'The NameNode is configured to report UNHEALTHY to ZKFC in Safemode.',
    });
  });

  it('monitorHealth passes in safe mode without that setting', () => {
    expect(decide({ method: 'monitorHealth' }, inSafemode)).toEqual({ kind: 'ok' });
  });

  it('transitionToActive in safe mode with the setting is refused: "NameNode still not leave safemode"', () => {
    expect(decide(toActive('REQUEST_BY_ZKFC'), guarded)).toEqual({
      kind: 'exception',
      className: ServiceFailed,
      message: 'NameNode still not leave safemode',
    });
  });

  it('transitionToObserver in safe mode with the setting is refused too', () => {
    expect(decide(toObserver('REQUEST_BY_USER_FORCED'), guarded)).toMatchObject({
      className: ServiceFailed,
      message: 'NameNode still not leave safemode',
    });
  });

  it('transitionToActive in safe mode without the setting succeeds', () => {
    expect(decide(toActive('REQUEST_BY_ZKFC'), inSafemode)).toEqual({ kind: 'ok', nextState: 'ACTIVE' });
  });

  it('transitionToStandby is never blocked by safe mode', () => {
    expect(
      decide(toStandby('REQUEST_BY_ZKFC'), { ...guarded, condition: { safemode: true, state: 'ACTIVE' } }),
    ).toEqual({ kind: 'ok', nextState: 'STANDBY' });
  });
});

describe('monitorHealth', () => {
  it('healthy NameNode: ok', () => {
    expect(decide({ method: 'monitorHealth' })).toEqual({ kind: 'ok' });
  });

  it('no resources: HealthCheckFailedException "The NameNode has no resources available"', () => {
    expect(decide({ method: 'monitorHealth' }, { condition: { hasResources: false } })).toEqual({
      kind: 'exception',
      className: HealthCheckFailed,
      message: 'The NameNode has no resources available',
    });
  });

  it('is a no-op when HA is disabled (after the superuser check)', () => {
    expect(
      decide({ method: 'monitorHealth' }, { condition: { hasResources: false }, config: { haEnabled: false } }),
    ).toEqual({ kind: 'ok' });
    expect(
      decide({ method: 'monitorHealth' }, { caller: { user: 'eve' }, config: { haEnabled: false } }),
    ).toMatchObject({ className: AccessControl });
  });
});

describe('getServiceStatus ready / notReadyReason', () => {
  it.each<[string, Partial<SimHACondition>, object]>([
    ['standby: ready', { state: 'STANDBY' }, { state: 'STANDBY', readyToBecomeActive: true }],
    [
      'standby in safe mode: not ready, reason names safe mode',
      { state: 'STANDBY', safemode: true },
      {
        state: 'STANDBY',
        readyToBecomeActive: false,
        notReadyReason:
          'The NameNode is in safemode. It was turned on manually. ' +
          'Use "hdfs dfsadmin -safemode leave" to turn safe mode off.',
      },
    ],
    ['active: ready', { state: 'ACTIVE' }, { state: 'ACTIVE', readyToBecomeActive: true }],
    [
      'active in safe mode: still ready',
      { state: 'ACTIVE', safemode: true },
      { state: 'ACTIVE', readyToBecomeActive: true },
    ],
    [
      'observer: not ready, "State is observer"',
      { state: 'OBSERVER' },
      { state: 'OBSERVER', readyToBecomeActive: false, notReadyReason: 'State is observer' },
    ],
    ['initializing: state only', { state: 'INITIALIZING' }, { state: 'INITIALIZING' }],
  ])('%s', (_name, over, status) => {
    expect(decide({ method: 'getServiceStatus' }, { condition: over })).toEqual({ kind: 'ok', status });
  });
});

describe('HA disabled', () => {
  it.each([
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- tsc needs it
    ['getServiceStatus', { method: 'getServiceStatus' } as HARequest],
    ['transitionToActive', toActive('REQUEST_BY_ZKFC')],
    ['transitionToStandby', toStandby('REQUEST_BY_ZKFC')],
    ['transitionToObserver', toObserver('REQUEST_BY_ZKFC')],
  ])('%s: ServiceFailedException "HA for namenode is not enabled"', (_m, request) => {
    expect(decide(request, { config: { haEnabled: false } })).toEqual({
      kind: 'exception',
      className: ServiceFailed,
      message: 'HA for namenode is not enabled',
    });
  });
});
