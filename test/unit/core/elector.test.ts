// Goal: the pure ActiveStandbyElector behaves as Hadoop's, scenario by scenario.
// Method: each `it` ports one test of Hadoop's TestActiveStandbyElector (same name) to events fed
// into the real state machine; where Java verifies calls on a mock ZooKeeper / callback, we count
// the commands the elector returned. ZooKeeper's answers are events stamped with the session epoch.
// Not ported (not the elector core's business here): testJoinElectionException (null data is a
// type error in TypeScript), testGetActiveData (runtime helper readActiveData, tested with the
// runtime), testEnsureBaseNode / testParentZNodeACLs / testEnsureBaseNodeFails (-formatZK, ZooKeeper
// adapter), testWithoutTruststoreKeystore / testWithTruststoreKeystore (ZooKeeper TLS config).
// After the ports come our own scenarios: stale sessions, deferral while becoming active, the
// breadcrumb compare-and-set, graceful quit, reEstablishSession limits.

import { describe, expect, it } from 'vitest';
import { BREADCRUMB, ElectorHarness, LOCK } from './elector-harness.js';

const data = new Uint8Array(8);

describe('ActiveStandbyElector (ported from TestActiveStandbyElector)', () => {
  it('testJoinElection: joinElection creates the ephemeral lock znode once', () => {
    const h = new ElectorHarness();
    h.startConnected();
    h.step({ type: 'JoinElectionRequested', appData: data });
    expect(h.count('CreateLockZnode')).toBe(1);
    const create = h.last('CreateLockZnode');
    expect(create.path).toBe(LOCK);
    expect(create.data).toEqual(data);
    expect(create.epoch).toBe(h.epoch);
  });

  it('testCreateNodeResultBecomeActive: a successful create becomes active and starts monitoring', () => {
    const h = new ElectorHarness();
    h.startConnected(1n);
    h.step({ type: 'JoinElectionRequested', appData: data });
    h.create('OK');
    h.completeActivationWithoutPriorActive();
    expect(h.count('BecomeActive')).toBe(1);
    expect(h.count('MonitorLockZnode')).toBe(1);
    expect(h.state).toBe('ACTIVE');

    // The monitor verifies we own the lock but does not call becomeActive again.
    h.stat('OK', 1n);
    expect(h.count('EnterNeutralMode')).toBe(0);
    expect(h.count('BecomeStandby')).toBe(0);
    expect(h.count('BecomeActive')).toBe(1);
    expect(h.count('CreateLockZnode')).toBe(1);
    expect(h.count('MonitorLockZnode')).toBe(1);
  });

  it('testFailToBecomeActive: a failed becomeActive rejoins with a fresh session after sleeping', () => {
    const h = new ElectorHarness();
    h.startConnected();
    h.step({ type: 'JoinElectionRequested', appData: data });
    h.create('OK');
    h.breadcrumb('none');
    h.breadcrumbWritten('OK');
    h.becameActive(false);
    expect(h.count('BecomeActive')).toBe(1);
    // The session is closed at once (our lock goes), then a 1 s sleep.
    expect(h.count('CloseZkSession')).toBe(1);
    const sleep = h.last('ScheduleElectorTimer');
    expect(sleep).toMatchObject({ timer: 'rejoinElection', delayMs: 1000 });
    expect(h.count('CreateLockZnode')).toBe(1);
    h.fireLatestTimer();
    h.connectLatest(2n);
    expect(h.count('OpenZkSession')).toBe(2);
    expect(h.count('CreateLockZnode')).toBe(2);
    expect(h.state).not.toBe('ACTIVE');
  });

  it('testFailToBecomeActiveAfterZKDisconnect: failing from the stat callback also rejoins after sleeping', () => {
    const h = new ElectorHarness();
    h.startConnected(1n);
    h.step({ type: 'JoinElectionRequested', appData: data });
    h.create('CONNECTIONLOSS');
    expect(h.count('CreateLockZnode')).toBe(2);
    h.create('NODEEXISTS');
    expect(h.count('MonitorLockZnode')).toBe(1);
    // The lock is ours (our lost first create succeeded): become active, and fail.
    h.stat('OK', 1n);
    h.breadcrumb('none');
    h.breadcrumbWritten('OK');
    h.becameActive(false);
    expect(h.count('BecomeActive')).toBe(1);
    h.fireLatestTimer();
    h.connectLatest(2n);
    expect(h.count('CreateLockZnode')).toBe(3);
    expect(h.count('OpenZkSession')).toBe(2);
    expect(h.nowMs).toBeGreaterThan(0);
  });

  it('testFencesOldActive: a breadcrumb of another node is fenced before writing ours with its version', () => {
    const h = new ElectorHarness();
    const oldActive = new Uint8Array([1, 2, 3]);
    h.startConnected();
    h.step({ type: 'JoinElectionRequested', appData: data });
    h.create('OK');
    h.breadcrumb({ data: oldActive, version: 0 });
    const fence = h.last('FenceOldActive');
    expect(fence.data).toEqual(oldActive);
    // Nothing is written and no transition is asked before the fence result.
    expect(h.count('SetBreadcrumb') + h.count('CreateBreadcrumb') + h.count('BecomeActive')).toBe(0);
    h.step({ type: 'FenceFinished', activationId: fence.activationId, ok: true, reason: 'fenced' });
    expect(h.last('SetBreadcrumb')).toMatchObject({ path: BREADCRUMB, data, version: 0 });
    h.breadcrumbWritten('OK');
    expect(h.count('BecomeActive')).toBe(1);
  });

  it('testQuitElectionRemovesBreadcrumbNode: quitElection(false) while active deletes our own breadcrumb', () => {
    const h = new ElectorHarness();
    h.startConnected();
    h.step({ type: 'JoinElectionRequested', appData: data });
    h.create('OK');
    h.breadcrumb('none');
    expect(h.last('CreateBreadcrumb')).toMatchObject({ path: BREADCRUMB, data });
    h.breadcrumbWritten('OK');
    h.becameActive(true);
    const activeEpoch = h.epoch;

    h.step({ type: 'QuitElectionRequested', needFence: false });
    // The retiring session reads the breadcrumb, checks it is ours, deletes it with its version,
    // and only then closes (so the lock is not free while the breadcrumb still names us).
    expect(h.last('ReadBreadcrumb').epoch).toBe(activeEpoch);
    expect(h.count('CloseZkSession')).toBe(0);
    h.breadcrumb({ data, version: 0 }, activeEpoch);
    expect(h.last('DeleteBreadcrumb')).toMatchObject({ epoch: activeEpoch, path: BREADCRUMB, version: 0 });
    h.step({ type: 'BreadcrumbDeleteFinished', epoch: activeEpoch, code: 'OK' });
    expect(h.last('CloseZkSession').epoch).toBe(activeEpoch);
    expect(h.state).toBe('INIT');
  });

  it('testCreateNodeResultBecomeStandby: NODEEXISTS without retry becomes standby and monitors', () => {
    const h = new ElectorHarness();
    h.startConnected();
    h.step({ type: 'JoinElectionRequested', appData: data });
    h.create('NODEEXISTS');
    expect(h.count('BecomeStandby')).toBe(1);
    expect(h.count('MonitorLockZnode')).toBe(1);
    expect(h.state).toBe('STANDBY');
  });

  it('testCreateNodeResultError: an unexpected create error is fatal', () => {
    const h = new ElectorHarness();
    h.startConnected();
    h.step({ type: 'JoinElectionRequested', appData: data });
    h.create('OTHER');
    expect(h.fatalMessages()).toEqual([`Received create error from Zookeeper. code:OTHER for path ${LOCK}`]);
    expect(h.last('NotifyFatalError').exitCode).toBe(1);
  });

  it(
    'testCreateNodeResultRetryBecomeActive: retries create, is ' +
      'fatal after the budget, then verifies ownership by session id',
    () => {
      const h = new ElectorHarness();
      h.startConnected(1n);
      h.step({ type: 'JoinElectionRequested', appData: data });
      h.create('CONNECTIONLOSS');
      h.create('CONNECTIONLOSS');
      h.create('CONNECTIONLOSS');
      expect(h.fatalMessages()).toEqual([]);
      h.create('CONNECTIONLOSS');
      // 4 errors: the first try and 3 retries (zk.op.retries = 3).
      expect(h.fatalMessages()).toEqual([
        `Received create error from Zookeeper. code:CONNECTIONLOSS for ` +
          `path ${LOCK}. Not retrying further znode create connection errors.`,
      ]);

      h.step({ type: 'JoinElectionRequested', appData: data });
      h.connectLatest(1n);
      expect(h.count('OpenZkSession')).toBe(2);
      h.create('CONNECTIONLOSS');
      h.create('NODEEXISTS');
      expect(h.count('MonitorLockZnode')).toBe(1);
      expect(h.count('BecomeStandby')).toBe(0);
      h.stat('OK', 1n);
      h.completeActivationWithoutPriorActive();
      expect(h.count('BecomeActive')).toBe(1);
      expect(h.count('MonitorLockZnode')).toBe(1);
      expect(h.count('CreateLockZnode')).toBe(6);
    },
  );

  it('testCreateNodeResultRetryBecomeStandby: after a retried create, another owner means standby', () => {
    const h = new ElectorHarness();
    h.startConnected(1n);
    h.step({ type: 'JoinElectionRequested', appData: data });
    h.create('CONNECTIONLOSS');
    h.create('NODEEXISTS');
    expect(h.count('MonitorLockZnode')).toBe(1);
    h.stat('OK', 0n);
    expect(h.count('BecomeStandby')).toBe(1);
    expect(h.count('MonitorLockZnode')).toBe(1);
  });

  it('testCreateNodeResultRetryNoNode: a lock gone before exists() is raced for again', () => {
    const h = new ElectorHarness();
    h.startConnected();
    h.step({ type: 'JoinElectionRequested', appData: data });
    h.create('CONNECTIONLOSS');
    h.create('CONNECTIONLOSS');
    h.create('NODEEXISTS');
    expect(h.count('MonitorLockZnode')).toBe(1);
    h.stat('NONODE');
    expect(h.count('EnterNeutralMode')).toBe(1);
    expect(h.count('CreateLockZnode')).toBe(4);
  });

  it('testStatNodeRetry: more than 3 retried exists() errors are fatal', () => {
    const h = new ElectorHarness();
    h.startConnected();
    h.step({ type: 'JoinElectionRequested', appData: data });
    h.stat('CONNECTIONLOSS');
    h.stat('CONNECTIONLOSS');
    h.stat('CONNECTIONLOSS');
    expect(h.fatalMessages()).toEqual([]);
    h.stat('CONNECTIONLOSS');
    expect(h.fatalMessages()).toEqual([
      'Received stat error from Zookeeper. code:CONNECTIONLOSS. ' +
        'Not retrying further znode monitoring connection errors.',
    ]);
  });

  it('testStatNodeError: an unexpected exists() error is fatal without neutral mode', () => {
    const h = new ElectorHarness();
    h.startConnected();
    h.step({ type: 'JoinElectionRequested', appData: data });
    h.stat('OTHER');
    expect(h.count('EnterNeutralMode')).toBe(0);
    expect(h.fatalMessages()).toEqual(['Received stat error from Zookeeper. code:OTHER']);
  });

  it('testProcessCallbackEventNone: connection events drive neutral mode, re-monitoring and rejoin', () => {
    const h = new ElectorHarness();
    h.startConnected(1n);
    h.step({ type: 'JoinElectionRequested', appData: data });

    // A SyncConnected while connected does nothing.
    h.session('connected', 1n);
    expect(h.count('MonitorLockZnode')).toBe(0);

    // Disconnection enters neutral mode.
    h.session('disconnected');
    expect(h.count('EnterNeutralMode')).toBe(1);

    // Re-connection re-verifies the lock.
    h.session('connected', 1n);
    expect(h.count('MonitorLockZnode')).toBe(1);
    expect(h.elector.snapshot().monitorPending).toBe(true);
    h.stat('SESSIONEXPIRED');
    expect(h.elector.snapshot().monitorPending).toBe(false);

    // Expiry: already neutral, so no second neutral callback; a new session and a new create.
    h.session('expired');
    expect(h.count('EnterNeutralMode')).toBe(1);
    h.connectLatest(2n);
    expect(h.count('OpenZkSession')).toBe(2);
    expect(h.count('CreateLockZnode')).toBe(2);

    h.create('OK');
    h.completeActivationWithoutPriorActive();
    expect(h.count('BecomeActive')).toBe(1);
    expect(h.count('MonitorLockZnode')).toBe(2);

    // An unexpected connection state is fatal; no extra state callbacks.
    h.session('authFailed');
    expect(h.fatalMessages()).toEqual(['Unexpected Zookeeper watch event state: AuthFailed']);
    expect(h.count('EnterNeutralMode')).toBe(1);
  });

  it('testProcessCallbackEventNode: lock watch events re-monitor, and deletion re-runs the election', () => {
    const h = new ElectorHarness();
    h.startConnected(1n);
    h.step({ type: 'JoinElectionRequested', appData: data });
    h.create('NODEEXISTS');
    expect(h.count('BecomeStandby')).toBe(1);
    expect(h.count('MonitorLockZnode')).toBe(1);
    expect(h.elector.snapshot().monitorPending).toBe(true);
    h.stat('OK', 0n);
    expect(h.elector.snapshot().monitorPending).toBe(false);

    h.watch('NodeDataChanged');
    expect(h.count('MonitorLockZnode')).toBe(2);
    expect(h.elector.snapshot().monitorPending).toBe(true);
    h.stat('OK', 0n);
    expect(h.elector.snapshot().monitorPending).toBe(false);

    h.watch('NodeChildrenChanged');
    expect(h.count('MonitorLockZnode')).toBe(3);
    h.stat('OK', 0n);

    // Deletion while standby: no neutral mode, race for the lock.
    h.watch('NodeDeleted');
    expect(h.count('EnterNeutralMode')).toBe(0);
    expect(h.count('CreateLockZnode')).toBe(2);
    h.create('OK');
    h.completeActivationWithoutPriorActive();
    expect(h.count('BecomeActive')).toBe(1);
    expect(h.count('MonitorLockZnode')).toBe(4);
    h.stat('OK', 1n);

    // Deletion while active: neutral mode, race again, active again.
    h.watch('NodeDeleted');
    expect(h.count('EnterNeutralMode')).toBe(1);
    expect(h.count('CreateLockZnode')).toBe(3);
    h.create('OK');
    h.completeActivationWithoutPriorActive();
    expect(h.count('BecomeActive')).toBe(2);
    expect(h.count('MonitorLockZnode')).toBe(5);
    h.stat('OK', 1n);

    // A watch without a path is fatal; no new session, no new watch.
    h.watch('NodeDeleted', '');
    expect(h.fatalMessages()).toEqual(['Unexpected watch error from Zookeeper']);
    expect(h.count('OpenZkSession')).toBe(1);
    expect(h.count('MonitorLockZnode')).toBe(5);
  });

  it('testSuccessiveStandbyCalls: becomeStandby is not repeated while already standby', () => {
    const h = new ElectorHarness();
    h.startConnected(1n);
    h.step({ type: 'JoinElectionRequested', appData: data });
    h.create('NODEEXISTS');
    expect(h.count('BecomeStandby')).toBe(1);
    h.stat('OK', 0n);
    h.watch('NodeDeleted');
    expect(h.count('EnterNeutralMode')).toBe(0);
    expect(h.count('CreateLockZnode')).toBe(2);
    h.create('NODEEXISTS');
    expect(h.count('BecomeStandby')).toBe(1);
    expect(h.count('MonitorLockZnode')).toBe(2);
  });

  it('testQuitElection: quitElection closes the session; a new join opens a new one', () => {
    const h = new ElectorHarness();
    h.startConnected(1n);
    h.step({ type: 'JoinElectionRequested', appData: data });
    expect(h.count('CloseZkSession')).toBe(0);
    h.step({ type: 'QuitElectionRequested', needFence: true });
    expect(h.count('CloseZkSession')).toBe(1);
    expect(h.count('MonitorLockZnode')).toBe(0);

    h.step({ type: 'JoinElectionRequested', appData: data });
    h.connectLatest(2n);
    expect(h.count('OpenZkSession')).toBe(2);
    h.create('NODEEXISTS');
    expect(h.count('BecomeStandby')).toBe(1);
    expect(h.count('MonitorLockZnode')).toBe(1);
  });

  it('testWithoutZKServer: no ZooKeeper at start is fatal with exit code 6', () => {
    const h = new ElectorHarness();
    h.step({ type: 'ElectorStarted' });
    h.session('connectTimedOut');
    const fatal = h.last('NotifyFatalError');
    expect(fatal.exitCode).toBe(6);
    expect(fatal.message).toContain('Unable to connect to ZooKeeper');
  });

  it(
    'testBecomeActiveBeforeServiceHealthy: an expired ' + 'session before the first join does not join (HADOOP-9459)',
    () => {
      const h = new ElectorHarness();
      h.startConnected(1n);
      h.session('expired');
      expect(h.count('CreateLockZnode')).toBe(0);
      expect(h.count('OpenZkSession')).toBe(1);
      expect(
        h.notes.some((n) => n.msg === 'Not joining election since service has not yet been reported as healthy.'),
      ).toBe(true);
    },
  );
});

describe('ActiveStandbyElector (our scenarios)', () => {
  function activeElector(): ElectorHarness {
    const h = new ElectorHarness();
    h.startConnected(1n);
    h.step({ type: 'JoinElectionRequested', appData: data });
    h.create('OK');
    h.completeActivationWithoutPriorActive();
    return h;
  }

  it('drops results of an old session (stale-client guard by epoch)', () => {
    const h = new ElectorHarness();
    h.startConnected(1n);
    h.step({ type: 'JoinElectionRequested', appData: data });
    const oldEpoch = h.epoch;
    h.session('expired');
    h.connectLatest(2n);
    expect(h.epoch).not.toBe(oldEpoch);
    const before = h.commands.length;
    h.step({ type: 'LockCreateFinished', epoch: oldEpoch, code: 'OK' });
    h.step({ type: 'LockWatchFired', epoch: oldEpoch, watchType: 'NodeDeleted', path: LOCK });
    expect(h.commands.length).toBe(before);
    expect(h.state).not.toBe('ACTIVE');
  });

  it('suppresses a duplicate exists() while one is pending on the same session (HADOOP-12186)', () => {
    const h = new ElectorHarness();
    h.startConnected(1n);
    h.step({ type: 'JoinElectionRequested', appData: data });
    h.create('NODEEXISTS');
    expect(h.count('MonitorLockZnode')).toBe(1);
    h.watch('NodeDataChanged');
    expect(h.count('MonitorLockZnode')).toBe(1);
    expect(h.notes.some((n) => n.msg === 'Ignore duplicate monitor lock-node request.')).toBe(true);
  });

  it('does not write its breadcrumb when fencing fails, and rejoins after 1 s', () => {
    const h = new ElectorHarness();
    h.startConnected(1n);
    h.step({ type: 'JoinElectionRequested', appData: data });
    h.create('OK');
    h.breadcrumb({ data: new Uint8Array([9]), version: 4 });
    const fence = h.last('FenceOldActive');
    h.step({ type: 'FenceFinished', activationId: fence.activationId, ok: false, reason: 'Unable to fence' });
    expect(h.count('SetBreadcrumb') + h.count('CreateBreadcrumb') + h.count('BecomeActive')).toBe(0);
    expect(h.count('CloseZkSession')).toBe(1);
    expect(h.last('ScheduleElectorTimer')).toMatchObject({ timer: 'rejoinElection', delayMs: 1000 });
  });

  it('does not fence a breadcrumb holding its own data, and writes with the version read', () => {
    const h = new ElectorHarness();
    h.startConnected(1n);
    h.step({ type: 'JoinElectionRequested', appData: data });
    h.create('OK');
    h.breadcrumb({ data: data.slice(), version: 7 });
    expect(h.count('FenceOldActive')).toBe(0);
    expect(h.last('SetBreadcrumb').version).toBe(7);
  });

  it('gives up becoming active when the breadcrumb compare-and-set fails (BADVERSION)', () => {
    const h = new ElectorHarness();
    h.startConnected(1n);
    h.step({ type: 'JoinElectionRequested', appData: data });
    h.create('OK');
    h.breadcrumb({ data: data.slice(), version: 2 });
    h.breadcrumbWritten('BADVERSION');
    expect(h.count('BecomeActive')).toBe(0);
    expect(h.count('CloseZkSession')).toBe(1);
    expect(h.state).not.toBe('ACTIVE');
  });

  it('retries breadcrumb reads zkOpRetries (Java: maxRetryNum) times in total, then fails the activation', () => {
    const h = new ElectorHarness();
    h.startConnected(1n);
    h.step({ type: 'JoinElectionRequested', appData: data });
    h.create('OK');
    h.step({ type: 'BreadcrumbReadFinished', epoch: h.epoch, code: 'CONNECTIONLOSS' });
    h.step({ type: 'BreadcrumbReadFinished', epoch: h.epoch, code: 'OPERATIONTIMEOUT' });
    expect(h.count('ReadBreadcrumb')).toBe(3);
    h.step({ type: 'BreadcrumbReadFinished', epoch: h.epoch, code: 'CONNECTIONLOSS' });
    expect(h.count('ReadBreadcrumb')).toBe(3);
    expect(h.count('FenceOldActive') + h.count('BecomeActive')).toBe(0);
    expect(h.last('ScheduleElectorTimer').timer).toBe('rejoinElection');
  });

  it('defers unrelated events while becoming active and replays them in order afterwards', () => {
    const h = new ElectorHarness();
    h.startConnected(1n);
    h.step({ type: 'JoinElectionRequested', appData: data });
    h.create('OK');
    h.breadcrumb({ data: new Uint8Array([5]), version: 1 });
    const fence = h.last('FenceOldActive');
    // While fencing: a disconnect, a reconnect and a normal quit all wait.
    h.session('disconnected');
    h.session('connected', 1n);
    h.step({ type: 'QuitElectionRequested', needFence: true });
    expect(h.count('EnterNeutralMode')).toBe(0);
    expect(h.count('CloseZkSession')).toBe(0);
    expect(h.elector.snapshot().deferredEvents).toBe(3);
    h.step({ type: 'FenceFinished', activationId: fence.activationId, ok: true, reason: 'fenced' });
    h.breadcrumbWritten('OK');
    h.becameActive(true);
    // Replayed: neutral on disconnect, re-monitor on reconnect, then the quit closes the session.
    expect(h.count('EnterNeutralMode')).toBe(1);
    expect(h.count('CloseZkSession')).toBe(1);
    expect(h.state).toBe('INIT');
    // In order after BecomeActive: monitor (create path), neutral (replayed disconnect), the
    // replayed reconnect's exists() is a duplicate of the pending one, then the replayed quit.
    const types = h.commands.map((c) => c.type);
    expect(types.slice(types.lastIndexOf('BecomeActive') + 1)).toEqual([
      'MonitorLockZnode',
      'EnterNeutralMode',
      'CloseZkSession',
    ]);
    expect(h.elector.snapshot().deferredEvents).toBe(0);
  });

  it('lets a shutdown quit preempt a becoming-active sequence; the late answer is ignored', () => {
    const h = new ElectorHarness();
    h.startConnected(1n);
    h.step({ type: 'JoinElectionRequested', appData: data });
    h.create('OK');
    h.breadcrumb({ data: new Uint8Array([5]), version: 1 });
    const fence = h.last('FenceOldActive');
    h.step({ type: 'QuitElectionRequested', needFence: true, preempt: true });
    expect(h.count('CloseZkSession')).toBe(1);
    h.step({ type: 'FenceFinished', activationId: fence.activationId, ok: true, reason: 'late' });
    expect(h.count('SetBreadcrumb') + h.count('BecomeActive')).toBe(0);
    expect(h.state).toBe('INIT');
  });

  it('keeps the breadcrumb on quitElection(true) while active (the next active must fence us)', () => {
    const h = activeElector();
    h.step({ type: 'QuitElectionRequested', needFence: true });
    expect(h.count('DeleteBreadcrumb')).toBe(0);
    expect(h.count('CloseZkSession')).toBe(1);
  });

  it('refuses to delete a breadcrumb that is not ours on a graceful quit', () => {
    const h = activeElector();
    const epoch = h.epoch;
    h.step({ type: 'QuitElectionRequested', needFence: false });
    h.breadcrumb({ data: new Uint8Array([4, 4]), version: 3 }, epoch);
    expect(h.count('DeleteBreadcrumb')).toBe(0);
    expect(h.last('CloseZkSession').epoch).toBe(epoch);
  });

  it('quits without touching the breadcrumb when not active', () => {
    const h = new ElectorHarness();
    h.startConnected(1n);
    h.step({ type: 'JoinElectionRequested', appData: data });
    h.create('NODEEXISTS');
    h.step({ type: 'QuitElectionRequested', needFence: false });
    expect(h.count('ReadBreadcrumb')).toBe(0);
    expect(h.count('CloseZkSession')).toBe(1);
  });

  it('reEstablishSession: three failed connects 5 s apart, then fatal', () => {
    const h = new ElectorHarness();
    h.startConnected(1n);
    h.step({ type: 'JoinElectionRequested', appData: data });
    h.session('expired');
    for (let attempt = 1; attempt <= 3; attempt++) {
      h.step({ type: 'ZkSessionStateChanged', epoch: h.last('OpenZkSession').epoch, state: 'connectTimedOut' });
      expect(h.last('ScheduleElectorTimer')).toMatchObject({ timer: 'reEstablishSession', delayMs: 5000 });
      h.fireLatestTimer();
    }
    expect(h.count('OpenZkSession')).toBe(4);
    expect(h.fatalMessages()).toEqual(['Failed to reEstablish connection with ZooKeeper']);
  });

  describe('retryForever (never give up on ZooKeeper)', () => {
    const forever = { retryForever: true, reEstablishMaxDelayMs: 30_000 };

    it('keeps reconnecting after a lost session, the wait doubling from 5 s to the cap, then rejoins', () => {
      const h = new ElectorHarness(forever);
      h.startConnected(1n);
      h.step({ type: 'JoinElectionRequested', appData: data });
      h.session('expired');
      const delays: number[] = [];
      for (let attempt = 1; attempt <= 7; attempt++) {
        h.step({ type: 'ZkSessionStateChanged', epoch: h.last('OpenZkSession').epoch, state: 'connectTimedOut' });
        const timer = h.last('ScheduleElectorTimer');
        expect(timer.timer).toBe('reEstablishSession');
        delays.push(timer.delayMs);
        expect(h.elector.snapshot().zkRetry).toMatchObject({ failures: attempt, delayMs: timer.delayMs });
        h.fireLatestTimer();
      }
      expect(delays).toEqual([5000, 10_000, 20_000, 30_000, 30_000, 30_000, 30_000]);
      expect(h.fatalMessages()).toEqual([]);
      expect(h.elector.snapshot().zkRetry).toBeUndefined();
      const creates = h.count('CreateLockZnode');
      h.connectLatest(2n);
      expect(h.count('CreateLockZnode')).toBe(creates + 1);
      expect(h.state).not.toBe('ACTIVE');
    });

    it('drops the session and retries when create keeps failing with connection loss (Hadoop exits 1)', () => {
      const h = new ElectorHarness(forever);
      h.startConnected(1n);
      h.step({ type: 'JoinElectionRequested', appData: data });
      for (let i = 0; i <= 3; i++) h.create('CONNECTIONLOSS');
      expect(h.fatalMessages()).toEqual([]);
      expect(h.count('CloseZkSession')).toBe(1);
      expect(h.state).toBe('NEUTRAL');
      expect(h.elector.snapshot().zkRetry?.reason).toContain('Not retrying further znode create connection errors');
      h.fireLatestTimer();
      h.connectLatest(2n);
      expect(h.count('OpenZkSession')).toBe(2);
      expect(h.last('CreateLockZnode').epoch).toBe(h.epoch);
    });

    it('an active elector whose monitor keeps failing goes neutral, drops its session and rejoins later', () => {
      const h = new ElectorHarness(forever);
      h.startConnected(1n);
      h.step({ type: 'JoinElectionRequested', appData: data });
      h.create('OK');
      h.completeActivationWithoutPriorActive();
      expect(h.state).toBe('ACTIVE');
      for (let i = 0; i <= 3; i++) h.stat('CONNECTIONLOSS');
      expect(h.fatalMessages()).toEqual([]);
      expect(h.state).toBe('NEUTRAL');
      expect(h.count('EnterNeutralMode')).toBe(1);
      // The breadcrumb is not deleted: whoever takes the lock fences us first.
      expect(h.count('DeleteBreadcrumb')).toBe(0);
      expect(h.count('CloseZkSession')).toBe(1);
    });

    it('no ZooKeeper at start: not fatal; reconnects without joining until the service is healthy', () => {
      const h = new ElectorHarness(forever);
      h.step({ type: 'ElectorStarted' });
      h.session('connectTimedOut');
      expect(h.fatalMessages()).toEqual([]);
      expect(h.last('ScheduleElectorTimer')).toMatchObject({ timer: 'reEstablishSession', delayMs: 5000 });
      h.fireLatestTimer();
      h.connectLatest(1n);
      expect(h.count('CreateLockZnode')).toBe(0);
      h.step({ type: 'JoinElectionRequested', appData: data });
      expect(h.count('CreateLockZnode')).toBe(1);
    });

    it('a join while a reconnect is scheduled waits for it (no second session)', () => {
      const h = new ElectorHarness(forever);
      h.step({ type: 'ElectorStarted' });
      h.session('connectTimedOut');
      h.step({ type: 'JoinElectionRequested', appData: data });
      expect(h.count('OpenZkSession')).toBe(1);
      h.fireLatestTimer();
      expect(h.count('OpenZkSession')).toBe(2);
      h.connectLatest(1n);
      expect(h.count('CreateLockZnode')).toBe(1);
    });

    it('without it, the same failures are fatal as in Hadoop', () => {
      const h = new ElectorHarness();
      h.startConnected(1n);
      h.step({ type: 'JoinElectionRequested', appData: data });
      for (let i = 0; i <= 3; i++) h.create('CONNECTIONLOSS');
      expect(h.fatalMessages()[0]).toContain('Not retrying further znode create connection errors');
    });
  });

  it('re-verifies after a reconnect: from neutral an owned lock re-runs becomeActive', () => {
    const h = activeElector();
    h.session('disconnected');
    expect(h.state).toBe('NEUTRAL');
    h.session('connected', 1n);
    h.stat('OK', 1n);
    // Breadcrumb re-check (ours: no fence), re-write, transitionToActive again.
    h.breadcrumb({ data: data.slice(), version: 0 });
    expect(h.count('FenceOldActive')).toBe(0);
    h.breadcrumbWritten('OK');
    expect(h.count('BecomeActive')).toBe(2);
  });

  it(
    'lease guard: a breadcrumb write answered too late (a paused ' +
      'process may have lost the lock) abandons the activation',
    () => {
      const h = new ElectorHarness({ leaseGuardMs: 3000 });
      h.startConnected(1n);
      h.step({ type: 'JoinElectionRequested', appData: data });
      h.create('OK');
      h.breadcrumb('none');
      expect(h.count('CreateBreadcrumb')).toBe(1);
      h.nowMs += 3001;
      h.breadcrumbWritten('OK');
      expect(h.count('BecomeActive')).toBe(0);
      expect(h.count('CloseZkSession')).toBe(1);
      expect(h.last('ScheduleElectorTimer').timer).toBe('rejoinElection');
      expect(
        h.notes.some(
          (n) =>
            n.msg === 'Exception handling the winning of election' &&
            String(n.fields['reason']).includes('lease guard'),
        ),
      ).toBe(true);
    },
  );

  it('lease guard: a prompt breadcrumb write proceeds to becomeActive', () => {
    const h = new ElectorHarness({ leaseGuardMs: 3000 });
    h.startConnected(1n);
    h.step({ type: 'JoinElectionRequested', appData: data });
    h.create('OK');
    h.breadcrumb('none');
    h.nowMs += 2999;
    h.breadcrumbWritten('OK');
    expect(h.count('BecomeActive')).toBe(1);
  });

  it('joins only once during the sleep after a failure', () => {
    const h = new ElectorHarness();
    h.startConnected(1n);
    h.step({ type: 'JoinElectionRequested', appData: data });
    h.create('OK');
    h.breadcrumb('none');
    h.breadcrumbWritten('OK');
    h.becameActive(false);
    h.step({ type: 'JoinElectionRequested', appData: data });
    expect(h.count('OpenZkSession')).toBe(1);
    h.fireLatestTimer();
    expect(h.count('OpenZkSession')).toBe(2);
  });

  it('a quit during the sleep after a failure cancels the rejoin', () => {
    const h = new ElectorHarness();
    h.startConnected(1n);
    h.step({ type: 'JoinElectionRequested', appData: data });
    h.create('OK');
    h.breadcrumb('none');
    h.breadcrumbWritten('OK');
    h.becameActive(false);
    h.step({ type: 'QuitElectionRequested', needFence: true });
    h.fireLatestTimer();
    expect(h.count('OpenZkSession')).toBe(1);
    expect(h.elector.snapshot().wantToBeInElection).toBe(false);
  });
});
