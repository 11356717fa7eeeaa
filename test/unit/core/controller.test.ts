// Goal: the pure ZKFailoverController core reproduces Hadoop's ZKFC behaviour end to end across
// several nodes: failover on bad health, bad state and lost sessions, no failover to unhealthy
// nodes, recovery from failed activations, ZooKeeper outages, cedeActive and graceful failover.
// Method: each `it` ports one test of Hadoop's TestZKFailoverController (same name) onto
// CoreCluster (./core-cluster.ts): real controller cores wired to an in-memory ZooKeeper and
// DummyHAService-like NameNodes on a virtual clock, asserting on NameNode state, lock holder,
// fence and transition counts as the Java test does. Graceful failovers run the runtime's own
// procedure (runtime/graceful-failover.ts) against the cluster (CoreCluster#gracefulFailover).
// Not ported (daemon/CLI start-up, other parts): testFormatZK, testFormatOneClusterLeavesOther-
// ClustersAlone, testWontRunWhenAutoFailoverDisabled, testFormatSetsAcls, testFencingMustBeConfigured.
// Our own scenarios (observer, mismatch details, bad breadcrumbs, fatal paths) follow the ports.

import { describe, expect, it } from 'vitest';
import { ZKFailoverController } from '../../../src/core/controller/controller.js';
import { BREADCRUMB, LOCK, CoreCluster, WORKING_DIR, encodeInfo, infoOf, target } from './core-cluster.js';
import { defaultSettings } from '../../../src/config/load.js';

function expireAndVerifyFailover(cluster: CoreCluster, from: number, to: number): void {
  cluster.preventSessionReestablishment(from);
  try {
    cluster.expireSession(from);
    cluster.waitFor(() => cluster.controllers[to]?.snapshot().serviceState === 'ACTIVE', `svc${to} active`);
  } finally {
    cluster.allowSessionReestablishment(from);
  }
  cluster.waitFor(() => cluster.controllers[from]?.snapshot().serviceState === 'STANDBY', `svc${from} standby`);
  expect(cluster.countActive()).toBe(1);
}

function serviceState(cluster: CoreCluster, node: number): string | undefined {
  return cluster.controllers[node]?.snapshot().serviceState;
}

describe('ZKFailoverController (ported from TestZKFailoverController)', () => {
  it('testNoZK: ZooKeeper unreachable at start exits with code 6', () => {
    const controller = new ZKFailoverController({
      local: target(0),
      peers: [target(1)],
      appData: encodeInfo(infoOf(target(0))),
      workingDir: WORKING_DIR,
      ...defaultSettings().failover,
    });
    const open = controller.step({ type: 'ControllerStarted' }, 0).commands.find((c) => c.type === 'OpenZkSession');
    if (open?.type !== 'OpenZkSession') throw new Error('no session opened');
    const result = controller.step(
      { type: 'ZkSessionStateChanged', epoch: open.epoch, state: 'connectTimedOut' },
      10_000,
    );
    const exit = result.commands.find((c) => c.type === 'ExitProcess');
    expect(exit).toMatchObject({ type: 'ExitProcess', exitCode: 6 });
    // The health monitor never started: ZooKeeper first, as doRun does.
    expect(result.commands.some((c) => c.type === 'StartHealthMonitor')).toBe(false);
  });

  it('testAutoFailoverOnBadHealth: bad health fails over, graceful first, fencing when graceful fails', () => {
    const cluster = new CoreCluster();
    cluster.start();
    cluster.setHealthy(0, false);
    cluster.waitFor(() => serviceState(cluster, 0) === 'INITIALIZING', 'svc0 INITIALIZING');
    cluster.waitFor(() => serviceState(cluster, 1) === 'ACTIVE', 'svc1 ACTIVE');
    // svc0 was only unhealthy: the graceful transitionToStandby was enough.
    expect(cluster.svc(0).fenceCount).toBe(0);
    expect(cluster.svc(0).state).toBe('STANDBY');

    cluster.svc(1).unreachable = true;
    cluster.setHealthy(0, true);
    cluster.waitFor(() => serviceState(cluster, 0) === 'ACTIVE', 'svc0 ACTIVE again');
    // svc1 could not be reached for the graceful transition: the fencer ran.
    expect(cluster.svc(1).fenceCount).toBe(1);
    expect(cluster.breadcrumbHolder()).toBe('nn1');
  });

  it('testAutoFailoverOnBadState: a NameNode that leaves ACTIVE by itself makes its ZKFC quit', () => {
    const cluster = new CoreCluster();
    cluster.start();
    cluster.svc(0).state = 'STANDBY';
    cluster.waitFor(() => serviceState(cluster, 1) === 'ACTIVE', 'svc1 ACTIVE');
    expect(cluster.activeLockHolder()).toBe(1);
    expect(
      cluster.notes[0]?.some(
        (n) => n.msg === 'Local service has changed the serviceState. Quitting election marking fencing necessary.',
      ),
    ).toBe(true);
  });

  it('testAutoFailoverOnLostZKSession: session expiry fails over, back and forth, twice', () => {
    const cluster = new CoreCluster();
    cluster.start();
    expireAndVerifyFailover(cluster, 0, 1);
    expireAndVerifyFailover(cluster, 1, 0);
    expireAndVerifyFailover(cluster, 0, 1);
    expireAndVerifyFailover(cluster, 1, 0);
    expect(cluster.activeLockHolder()).toBe(0);
  });

  it('testDontFailoverToUnhealthyNode: an unhealthy standby never takes the lock', () => {
    const cluster = new CoreCluster();
    cluster.start();
    cluster.setHealthy(1, false);
    cluster.waitFor(() => cluster.healthState(1) === 'SERVICE_UNHEALTHY', 'svc1 unhealthy');
    const createsBefore = cluster.commandsOf(1, 'CreateLockZnode').length;
    cluster.expireSession(0);
    cluster.advance(1000);
    expect(cluster.commandsOf(1, 'CreateLockZnode').length).toBe(createsBefore);
    cluster.waitFor(() => cluster.activeLockHolder() === 0, 'svc0 holds the lock again');
    expect(cluster.svc(1).state).toBe('STANDBY');
  });

  it(
    'testBecomingActiveFails: a node that fails to become ' + 'active releases the lock so the old one can fail back',
    () => {
      const cluster = new CoreCluster();
      cluster.start();
      cluster.svc(1).failToBecomeActive = true;
      cluster.setHealthy(0, false);
      cluster.waitFor(() => cluster.healthState(0) === 'SERVICE_UNHEALTHY', 'svc0 unhealthy');
      cluster.waitFor(() => cluster.activeLockHolder() === null, 'nobody holds the lock');
      cluster.waitFor(
        () => cluster.commandsOf(1, 'TransitionLocalToActive').length >= 1,
        'svc1 tried transitionToActive',
      );
      cluster.waitFor(() => serviceState(cluster, 0) === 'INITIALIZING', 'svc0 INITIALIZING');
      expect(serviceState(cluster, 1)).toBe('STANDBY');
      expect(cluster.countActive()).toBe(0);

      cluster.setHealthy(0, true);
      cluster.waitFor(() => serviceState(cluster, 0) === 'ACTIVE', 'svc0 ACTIVE');
      expect(serviceState(cluster, 1)).toBe('STANDBY');
      cluster.waitFor(() => cluster.activeLockHolder() === 0, 'svc0 holds the lock');

      cluster.svc(1).failToBecomeActive = false;
      expireAndVerifyFailover(cluster, 0, 1);
    },
  );

  it('testZooKeeperFailure: a ZooKeeper outage changes no HA state and keeps the sessions', () => {
    const cluster = new CoreCluster();
    cluster.start();
    const session0 = cluster.sessionIdOf(0);
    const session1 = cluster.sessionIdOf(1);
    cluster.stopZooKeeper();
    expect(cluster.electorState(0)).toBe('NEUTRAL');
    expect(cluster.electorState(1)).toBe('NEUTRAL');
    cluster.advance(5000);
    expect(cluster.svc(0).state).toBe('ACTIVE');
    expect(cluster.svc(1).state).toBe('STANDBY');

    cluster.startZooKeeper();
    cluster.waitFor(
      () => cluster.electorState(0) === 'ACTIVE' && cluster.electorState(1) === 'STANDBY',
      'electors back',
    );
    expect(serviceState(cluster, 0)).toBe('ACTIVE');
    expect(serviceState(cluster, 1)).toBe('STANDBY');
    expect(cluster.sessionIdOf(0)).toBe(session0);
    expect(cluster.sessionIdOf(1)).toBe(session1);
  });

  it('testCedeActive: cedeActive answers at once, leaves the election, rejoins after the delay', () => {
    const cluster = new CoreCluster();
    cluster.start();
    expect(cluster.electorState(0)).toBe('ACTIVE');
    const cededAt = cluster.nowMs;
    const answer = cluster.cedeActive(0, 3000);
    expect(answer).toEqual({ ok: true });
    expect(cluster.nowMs).toBe(cededAt);
    expect(cluster.electorState(0)).toBe('INIT');
    cluster.waitFor(() => cluster.electorState(0) === 'STANDBY', 'svc0 rejoined as standby');
    expect(cluster.nowMs - cededAt).toBeGreaterThan(2800);
    expect(cluster.activeLockHolder()).toBe(1);
    // svc0 stood down cleanly and deleted its breadcrumb: svc1 did not fence it.
    expect(cluster.svc(0).fenceCount).toBe(0);
  });

  it('testGracefulFailover: graceful failover there and back, no fencing', async () => {
    const cluster = new CoreCluster();
    cluster.start();
    expect(cluster.activeLockHolder()).toBe(0);
    expect(await cluster.gracefulFailover(1)).toEqual({ ok: true });
    cluster.waitFor(() => cluster.activeLockHolder() === 1, 'svc1 holds the lock');
    expect(await cluster.gracefulFailover(0)).toEqual({ ok: true });
    cluster.waitFor(() => cluster.activeLockHolder() === 0, 'svc0 holds the lock');
    cluster.advance(10_000);
    expect(cluster.svc(0).fenceCount).toBe(0);
    expect(cluster.svc(1).fenceCount).toBe(0);
    expect(cluster.svc(0).activeTransitionCount).toBe(2);
    expect(cluster.svc(1).activeTransitionCount).toBe(1);
  });

  it('testGracefulFailoverToUnhealthy: an unhealthy node refuses to be the failover target', async () => {
    const cluster = new CoreCluster();
    cluster.start();
    cluster.setHealthy(1, false);
    cluster.waitFor(() => cluster.electorState(1) === 'INIT', 'svc1 out of the election');
    const result = await cluster.gracefulFailover(1);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain('is not currently healthy.');
  });

  it(
    'testGracefulFailoverFailBecomingActive: the failure is ' +
      'reported and the old active comes back without fencing',
    async () => {
      const cluster = new CoreCluster();
      cluster.start();
      cluster.svc(1).failToBecomeActive = true;
      const result = await cluster.gracefulFailover(1);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.error).toContain("Couldn't make NameNode at host2:8020 (ns1.nn2) active");
        expect(result.error).toContain('injected failure');
      }
      expect(cluster.svc(0).fenceCount).toBe(0);
      expect(cluster.svc(1).fenceCount).toBe(0);
      cluster.waitFor(() => cluster.activeLockHolder() === 0, 'svc0 holds the lock again');
    },
  );

  it('testGracefulFailoverFailBecomingStandby: an old active that cannot stand down is fenced', async () => {
    const cluster = new CoreCluster();
    cluster.start();
    cluster.svc(0).failToBecomeStandby = true;
    expect(await cluster.gracefulFailover(1)).toEqual({ ok: true });
    expect(cluster.svc(0).fenceCount).toBe(1);
    expect(cluster.countActive()).toBe(1);
  });

  it(
    'testGracefulFailoverFailBecomingStandbyAndFailFence: ' + 'failover fails when the old active cannot be fenced',
    async () => {
      const cluster = new CoreCluster();
      cluster.start();
      cluster.svc(0).failToBecomeStandby = true;
      cluster.svc(0).failToFence = true;
      const result = await cluster.gracefulFailover(1);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error).toContain('Unable to fence NameNode at host1:8020 (ns1.nn1)');
      // Never two actives: svc1 was not made active.
      expect(cluster.svc(1).state).not.toBe('ACTIVE');
    },
  );

  it('testOneOfEverything: expiry, ZooKeeper restart, bad health and graceful failovers in one run', async () => {
    const cluster = new CoreCluster();
    cluster.start();
    expireAndVerifyFailover(cluster, 0, 1);
    expireAndVerifyFailover(cluster, 1, 0);
    cluster.stopZooKeeper();
    cluster.advance(2000);
    cluster.startZooKeeper();
    cluster.advance(2000);
    cluster.setHealthy(0, false);
    cluster.waitFor(() => serviceState(cluster, 0) === 'INITIALIZING', 'svc0 INITIALIZING');
    cluster.waitFor(() => serviceState(cluster, 1) === 'ACTIVE', 'svc1 ACTIVE');
    cluster.setHealthy(1, true);
    cluster.setHealthy(0, false);
    cluster.advance(2000);
    expect(serviceState(cluster, 1)).toBe('ACTIVE');
    expect(serviceState(cluster, 0)).toBe('INITIALIZING');
    cluster.setHealthy(0, true);
    cluster.waitFor(() => cluster.healthState(0) === 'SERVICE_HEALTHY', 'svc0 healthy');
    expect(await cluster.gracefulFailover(0)).toEqual({ ok: true });
    expect(await cluster.gracefulFailover(1)).toEqual({ ok: true });
    expect(cluster.countActive()).toBe(1);
  });

  it('testGracefulFailoverMultipleZKfcs: graceful failover around three ZKFCs, no fencing', async () => {
    const cluster = new CoreCluster(3);
    cluster.start();
    expect(cluster.activeLockHolder()).toBe(0);
    expect(await cluster.gracefulFailover(1)).toEqual({ ok: true });
    cluster.waitFor(() => cluster.activeLockHolder() === 1, 'svc1 holds the lock');
    expect(await cluster.gracefulFailover(2)).toEqual({ ok: true });
    cluster.waitFor(() => cluster.activeLockHolder() === 2, 'svc2 holds the lock');
    expect(await cluster.gracefulFailover(0)).toEqual({ ok: true });
    cluster.waitFor(() => cluster.activeLockHolder() === 0, 'svc0 holds the lock');
    cluster.advance(10_000);
    expect(cluster.services.map((s) => s.fenceCount)).toEqual([0, 0, 0]);
    expect(cluster.services.map((s) => s.activeTransitionCount)).toEqual([2, 1, 1]);
  });
});

describe('ZKFailoverController (our scenarios)', () => {
  it('a ZKFC next to an observer stays out of the election, and rejoins when it is a standby again', () => {
    const cluster = new CoreCluster();
    cluster.svc(1).state = 'OBSERVER';
    cluster.start();
    cluster.advance(3000);
    expect(serviceState(cluster, 1)).toBe('OBSERVER');
    expect(cluster.commandsOf(1, 'CreateLockZnode')).toHaveLength(0);
    cluster.svc(1).state = 'STANDBY';
    cluster.waitFor(() => cluster.electorState(1) === 'STANDBY', 'svc1 back in the election');
    expect(cluster.commandsOf(1, 'CreateLockZnode').length).toBeGreaterThan(0);
  });

  it('an active NameNode that turns observer makes its ZKFC quit with fencing', () => {
    const cluster = new CoreCluster();
    cluster.start();
    cluster.svc(0).state = 'OBSERVER';
    cluster.waitFor(() => cluster.activeLockHolder() === 1, 'svc1 holds the lock');
    expect(serviceState(cluster, 0)).toBe('OBSERVER');
  });

  it('refuses to fence breadcrumb data naming a NameNode with another address, and keeps retrying every second', () => {
    const cluster = new CoreCluster();
    // A breadcrumb for nn1 at an address our configuration does not have (stale config elsewhere).
    cluster.writeZnode(BREADCRUMB, encodeInfo({ ...infoOf(target(0)), hostname: 'elsewhere' }));
    for (let i = 0; i < 2; i++) cluster.send(i, { type: 'ControllerStarted' });
    cluster.advance(5000);
    expect(cluster.countActive()).toBe(0);
    for (const node of [0, 1]) {
      expect(cluster.commandsOf(node, 'FenceTarget')).toHaveLength(0);
      expect(cluster.commandsOf(node, 'TransitionLocalToActive')).toHaveLength(0);
      expect(cluster.exits[node]).toBeUndefined();
    }
    const refusals = [0, 1].flatMap(
      (node) => cluster.notes[node]?.filter((n) => n.msg.startsWith('Refusing to fence')) ?? [],
    );
    expect(refusals.length).toBeGreaterThanOrEqual(3);
    expect(String(refusals[0]?.fields['error'])).toContain(
      'Mismatched address stored in ZK for NameNode at host1:8020 (ns1.nn1)',
    );
  });

  it('refuses undecodable breadcrumb data and unknown namenode ids', () => {
    for (const bad of [
      new Uint8Array([0xff, 0x00]),
      encodeInfo({ ...infoOf(target(0)), namenodeId: 'nn9' }),
      encodeInfo({ ...infoOf(target(0)), nameserviceId: 'other' }),
    ]) {
      const cluster = new CoreCluster();
      cluster.writeZnode(BREADCRUMB, bad);
      for (let i = 0; i < 2; i++) cluster.send(i, { type: 'ControllerStarted' });
      cluster.advance(3000);
      expect(cluster.countActive()).toBe(0);
      expect(cluster.commandsOf(0, 'FenceTarget')).toHaveLength(0);
      expect(cluster.commandsOf(1, 'FenceTarget')).toHaveLength(0);
      expect(cluster.notes[0]?.some((n) => n.msg.startsWith('Refusing to fence'))).toBe(true);
    }
  });

  it('health monitor failure is fatal with exit code 1 and quits the election', () => {
    const cluster = new CoreCluster();
    cluster.start();
    cluster.send(0, { type: 'HealthMonitorFailed', reason: 'thread died' });
    expect(cluster.exits[0]).toEqual({ exitCode: 1, message: 'ZK Failover Controller failed: Health monitor failed!' });
    cluster.waitFor(() => cluster.activeLockHolder() === 1, 'svc1 holds the lock');
  });

  it('stop quits the election with needFence (breadcrumb kept) and does not touch the NameNode', () => {
    const cluster = new CoreCluster();
    cluster.start();
    const transitionsBefore = cluster.commandsOf(0, 'TransitionLocalToStandby').length;
    cluster.send(0, { type: 'StopRequested' });
    expect(cluster.commandsOf(0, 'TransitionLocalToStandby').length).toBe(transitionsBefore);
    cluster.waitFor(() => cluster.activeLockHolder() === 1, 'svc1 holds the lock');
    // svc1 found nn1 in the breadcrumb and fenced it (gracefully: the stop left nn1 ACTIVE)
    // before becoming active.
    expect(cluster.commandsOf(1, 'FenceTarget').map((f) => f.target.namenodeId)).toEqual(['nn1']);
    expect(cluster.svc(0).state).toBe('STANDBY');
    expect(cluster.countActive()).toBe(1);
  });

  it(
    'two consecutive mismatching status reports are needed ' + 'before quitting (one may be a transition in flight)',
    () => {
      const cluster = new CoreCluster();
      cluster.start();
      expect(cluster.electorState(0)).toBe('ACTIVE');
      expect(cluster.activeLockHolder()).toBe(0);
      cluster.svc(0).state = 'STANDBY';
      cluster.healthRound(0);
      expect(cluster.electorState(0)).toBe('ACTIVE');
      cluster.healthRound(0);
      expect(cluster.electorState(0)).toBe('INIT');
      // Out for 1000 ms (bad state), then back in as a normal candidate.
      expect(cluster.controllers[0]?.snapshot().cededUntilMs).toBe(cluster.nowMs + 1000);
      expect(cluster.controllers[0]?.lockPath).toBe(LOCK);
    },
  );
});
