// Goal: named end-to-end scenarios of the real ControllerRuntime (mailbox, executor,
// health poller, graceful failover) in the deterministic simulated cluster: fast crash detection
// through the closed connection, a ZooKeeper partition with server-side expiry, graceful failover
// and its refusals, cedeActive, stop(), fail-fast start without ZooKeeper, a hung NameNode (Hadoop's
// 45 s detection), crash detection with probe-on-disconnect off (Hadoop's cadence), and the status
// board (/status) fed by the event records.
// Method: a SimWorld without random faults; each test starts the controllers, injects its faults
// by hand, runs simulated time until a condition holds (invariants are checked after every event),
// and asserts on NameNode states, ZooKeeper contents, the status board and records.

import { describe, expect, it } from 'vitest';
import { ControllerExitedError, FailoverServiceError, PeerCedeError } from '../../src/runtime/errors.js';
import type { ControllerRecord } from '../../src/runtime/records.js';
import { encodePause } from '../../src/runtime/maintenance-pause.js';
import { runSeed, SimWorld } from './sim-world.js';
import { startedWorld } from './started-world.js';

function statusOf(world: SimWorld, index: number) {
  const board = world.hosts[index]?.status;
  if (board === undefined) throw new Error(`no status board on host ${index}`);
  return board.status();
}

function controller(world: SimWorld, index: number) {
  const c = world.hosts[index]?.controller;
  if (c === undefined) throw new Error(`no controller on host ${index}`);
  return c;
}

describe('ControllerRuntime in the simulated cluster', () => {
  it('notices a crashed NameNode through the closed connection in milliseconds and fails over', async () => {
    const { world, records } = await startedWorld();
    await world.runFor(300); // mid-way between two health rounds
    const crashedAt = world.scheduler.now();
    world.nameNodes[0]?.kill('crash');
    expect(
      await world.runUntil(() => controller(world, 0).coreSnapshot().healthState === 'SERVICE_NOT_RESPONDING', 5000),
    ).toBe(true);
    const detectedMs = world.scheduler.now() - crashedAt;
    // Hadoop would wait for the next round (up to 1 s check interval); we probe at once.
    expect(detectedMs).toBeLessThan(100);
    expect(await world.runUntil(() => controller(world, 1).coreSnapshot().elector.state === 'ACTIVE', 10_000)).toBe(
      true,
    );
    expect(world.activeNameNodes()).toEqual([1]);
    expect(world.scheduler.now() - crashedAt).toBeLessThan(2000);
    expect(world.breadcrumbHolder()).toBe('nn2');
    const failover = records[1]?.find(
      (r): r is Extract<ControllerRecord, { type: 'failover' }> => r.type === 'failover',
    );
    expect(failover?.record).toMatchObject({ from: 'nn1', to: 'nn2', reason: 'election' });
    expect(world.violations).toEqual([]);
  });

  it(
    'keeps a ZooKeeper-partitioned active until the server expires its ' +
      'session; the peer fences it first; "expired" is learnt after the heal',
    async () => {
      const { world, records } = await startedWorld();
      const cutAt = world.scheduler.now();
      world.zk.setLink(0, 'blackhole');
      // Disconnect noticed after 2/3 of the session timeout: neutral mode, NameNode untouched.
      expect(await world.runUntil(() => controller(world, 0).coreSnapshot().elector.state === 'NEUTRAL', 8000)).toBe(
        true,
      );
      expect(world.scheduler.now() - cutAt).toBeGreaterThanOrEqual(6000);
      expect(world.nameNodes[0]?.isActive).toBe(true);
      // The server expires the session after 10 s; the peer wins, fences nn1, then activates nn2.
      expect(await world.runUntil(() => world.nameNodes[1]?.isActive === true, 15_000)).toBe(true);
      expect(world.scheduler.now() - cutAt).toBeGreaterThanOrEqual(10_000);
      expect(world.nameNodes[0]?.isActive).toBe(false);
      const fencing = records[1]?.find(
        (r): r is Extract<ControllerRecord, { type: 'fencing' }> => r.type === 'fencing',
      );
      expect(fencing?.outcome).toMatchObject({ fenced: true, graceful: true });
      expect(records[0]?.some((r) => r.type === 'zkSessionEvent' && r.event === 'expired')).toBe(false);
      // Heal at once: the old session's client reconnects and only now hears "expired".
      world.zk.setLink(0, 'up');
      expect(
        await world.runUntil(
          () => records[0]?.some((r) => r.type === 'zkSessionEvent' && r.event === 'expired') === true,
          2000,
        ),
      ).toBe(true);
      expect(await world.runUntil(() => controller(world, 0).coreSnapshot().elector.state === 'STANDBY', 5000)).toBe(
        true,
      );
      expect(world.activeNameNodes()).toEqual([1]);
      expect(world.violations).toEqual([]);
    },
  );

  it('gracefulFailover moves the active without fencing, there and back (testGracefulFailover)', async () => {
    const { world, records } = await startedWorld();
    const there = controller(world, 1).gracefulFailover();
    let settled = false;
    there.then(
      () => (settled = true),
      () => (settled = true),
    );
    expect(await world.runUntil(() => settled, 20_000)).toBe(true);
    await expect(there).resolves.toBeUndefined();
    expect(world.lockHolder()).toBe(1);
    expect(world.activeNameNodes()).toEqual([1]);
    const back = controller(world, 0).gracefulFailover();
    settled = false;
    back.then(
      () => (settled = true),
      () => (settled = true),
    );
    expect(await world.runUntil(() => settled, 20_000)).toBe(true);
    await expect(back).resolves.toBeUndefined();
    expect(world.activeNameNodes()).toEqual([0]);
    await world.runFor(15_000);
    expect(world.nameNodes.map((nn) => nn.kills)).toEqual([0, 0]);
    expect(records.flat().filter((r) => r.type === 'fencing')).toEqual([]);
    expect(world.nameNodes.map((nn) => nn.activeTransitions)).toEqual([2, 1]);
    const reasons = records.flat().flatMap((r) => (r.type === 'failover' ? [r.record.reason] : []));
    expect(reasons).toEqual(['initial', 'graceful', 'graceful']);
    expect(world.violations).toEqual([]);
  });

  it('gracefulFailover refuses an unhealthy target (testGracefulFailoverToUnhealthy)', async () => {
    const { world } = await startedWorld();
    const nn2 = world.nameNodes[1];
    if (nn2 === undefined) throw new Error('no nn2');
    nn2.healthy = false;
    expect(
      await world.runUntil(() => controller(world, 1).coreSnapshot().healthState === 'SERVICE_UNHEALTHY', 3000),
    ).toBe(true);
    const attempt = controller(world, 1).gracefulFailover();
    await expect(attempt).rejects.toBeInstanceOf(FailoverServiceError);
    await expect(attempt).rejects.toThrow('is not currently healthy. Cannot be failover target');
  });

  it('gracefulFailover fails when another ZKFC cannot be asked to cede (its daemon is down)', async () => {
    const { world } = await startedWorld({ nodes: 3 });
    world.killController(2, 'test');
    const attempt = controller(world, 1).gracefulFailover();
    let settled = false;
    attempt.then(
      () => (settled = true),
      () => (settled = true),
    );
    expect(await world.runUntil(() => settled, 30_000)).toBe(true);
    await expect(attempt).rejects.toBeInstanceOf(PeerCedeError);
    expect(world.activeNameNodes()).toEqual([0]);
  });

  it(
    'cedeActive answers at once, lets the peer take over without ' +
      'fencing, and rejoins after the delay (testCedeActive)',
    async () => {
      const { world, records } = await startedWorld();
      const startedAt = world.scheduler.now();
      const cede = controller(world, 0).cedeActive(3000, 'test');
      let done = false;
      void cede.then(() => (done = true));
      expect(await world.runUntil(() => done, 1000)).toBe(true);
      expect(world.scheduler.now() - startedAt).toBeLessThan(100);
      expect(controller(world, 0).coreSnapshot().elector.state).toBe('INIT');
      expect(statusOf(world, 0).cededUntil).not.toBeNull();
      expect(await world.runUntil(() => world.nameNodes[1]?.isActive === true, 2000)).toBe(true);
      expect(await world.runUntil(() => controller(world, 0).coreSnapshot().elector.state === 'STANDBY', 10_000)).toBe(
        true,
      );
      expect(world.scheduler.now() - startedAt).toBeGreaterThan(2800);
      expect(records[1]?.filter((r) => r.type === 'fencing')).toEqual([]);
      expect(world.violations).toEqual([]);
    },
  );

  it(
    'stop() quits with needFence: the lock goes, the breadcrumb stays, the ' +
      'peer fences gracefully; the NameNode is not touched by the stopping ZKFC',
    async () => {
      const { world, records } = await startedWorld();
      const before = records[0]?.filter((r) => r.type === 'transition').length ?? 0;
      const stopping = controller(world, 0).stop();
      let stopped = false;
      void stopping.then(() => (stopped = true));
      expect(await world.runUntil(() => stopped, 1000)).toBe(true);
      expect(records[0]?.filter((r) => r.type === 'transition').length).toBe(before);
      expect(await world.runUntil(() => world.nameNodes[1]?.isActive === true, 5000)).toBe(true);
      const fencing = records[1]?.find(
        (r): r is Extract<ControllerRecord, { type: 'fencing' }> => r.type === 'fencing',
      );
      expect(fencing?.target.namenodeId).toBe('nn1');
      expect(fencing?.outcome.graceful).toBe(true);
      expect(world.nameNodes[0]?.haState).toBe('STANDBY');
      expect(controller(world, 0).coreSnapshot().stopped).toBe(true);
      await expect(controller(world, 0).cedeActive(1000)).rejects.toThrow('not running');
    },
  );

  it('start() fails fast with exit code 6 when ZooKeeper is unreachable (retry-forever off, as Hadoop)', async () => {
    const world = new SimWorld({ seed: 5, nodes: 2, randomFaults: false, zkRetryForever: false });
    world.zk.setQuorum(false);
    world.startController(0);
    const c = controller(world, 0);
    const start = c.start();
    let exitCode: number | undefined;
    void c.exited.then((info) => (exitCode = info.exitCode));
    expect(await world.runUntil(() => exitCode !== undefined, 15_000)).toBe(true);
    expect(exitCode).toBe(6);
    await expect(start).rejects.toBeInstanceOf(ControllerExitedError);
    expect(world.scheduler.now()).toBeGreaterThanOrEqual(10_000);
  });

  it('with retry-forever, 3 minutes without quorum cost no controller: both rejoin, then fail over', async () => {
    const world = new SimWorld({ seed: 7, nodes: 2, randomFaults: false, zkRetryForever: true });
    world.startController(0);
    expect(await world.runUntil(() => world.nameNodes[0]?.isActive === true, 5000)).toBe(true);
    world.startController(1);
    expect(await world.runUntil(() => controller(world, 1).coreSnapshot().elector.state === 'STANDBY', 5000)).toBe(
      true,
    );
    let exits = 0;
    for (const index of [0, 1]) void controller(world, index).exited.then(() => exits++);
    world.zk.setQuorum(false);
    await world.runUntil(() => false, 180_000);
    expect(exits).toBe(0);
    expect(world.nameNodes.filter((nn) => nn.isActive).length).toBeLessThanOrEqual(1);
    world.zk.setQuorum(true);
    expect(
      await world.runUntil(
        () =>
          [0, 1].every((i) => controller(world, i).coreSnapshot().elector.connectionState === 'CONNECTED') &&
          world.nameNodes.filter((nn) => nn.isActive).length === 1,
        90_000,
      ),
    ).toBe(true);
    expect(
      await world.runUntil(
        () => controller(world, 1).coreSnapshot().elector.state === 'STANDBY' || world.nameNodes[1]?.isActive === true,
        30_000,
      ),
    ).toBe(true);
    // The failover still works with no one touching anything: the active NameNode dies.
    const active = world.nameNodes[0]?.isActive === true ? 0 : 1;
    world.nameNodes[active]?.kill('crash');
    expect(await world.runUntil(() => world.nameNodes[1 - active]?.isActive === true, 30_000)).toBe(true);
    expect(exits).toBe(0);
  });

  it('maintenance pauses are part of the seeded runs: controllers hold still during them', async () => {
    const counts = new Map<string, number>();
    let paused = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const result = await runSeed(seed);
      expect(result.violations).toEqual([]);
      if (result.faults.some((f) => f.includes('maintenance pause'))) paused++;
      for (const [msg, n] of result.messageCounts) counts.set(msg, (counts.get(msg) ?? 0) + n);
    }
    expect(paused).toBeGreaterThanOrEqual(10);
    expect(counts.get('Maintenance pause: keeping the lock, no transition') ?? 0).toBeGreaterThan(0);
    expect(counts.get('Maintenance pause: leaving the election') ?? 0).toBeGreaterThan(0);
  });

  it('while paused, a dead active NameNode is not replaced; after resume it is', async () => {
    const world = new SimWorld({ seed: 11, nodes: 2, randomFaults: false, maintenancePauses: true });
    world.startController(0);
    expect(await world.runUntil(() => world.nameNodes[0]?.isActive === true, 5000)).toBe(true);
    world.startController(1);
    expect(await world.runUntil(() => controller(world, 1).coreSnapshot().elector.state === 'STANDBY', 5000)).toBe(
      true,
    );
    const path = '/hadoop-ha/ns1/ZkfcMaintenancePause';
    const wallMs = 1_700_000_000_000 + world.scheduler.now();
    world.zk.operatorWrite(
      path,
      encodePause({ atWallMs: wallMs, untilWallMs: wallMs + 600_000, reason: 'test', by: 'sim@operator' }),
    );
    expect(await world.runUntil(() => controller(world, 1).coreSnapshot().pausedReason !== undefined, 5000)).toBe(true);
    world.nameNodes[0]?.kill('crash');
    await world.runUntil(() => false, 60_000);
    expect(world.nameNodes[1]?.isActive).toBe(false);
    world.zk.operatorWrite(path, null);
    expect(await world.runUntil(() => world.nameNodes[1]?.isActive === true, 30_000)).toBe(true);
  });

  it('with probe-on-disconnect off, a crashed NameNode is noticed at the next health round, as in Hadoop', async () => {
    const world = new SimWorld({ seed: 1, nodes: 2, randomFaults: false, probeOnDisconnect: false });
    world.startController(0);
    expect(await world.runUntil(() => world.nameNodes[0]?.isActive === true, 5000)).toBe(true);
    world.startController(1);
    expect(await world.runUntil(() => controller(world, 1).coreSnapshot().elector.state === 'STANDBY', 5000)).toBe(
      true,
    );
    // Right after a health round of nn1's ZKFC: the next one is a check interval (1 s) away.
    let rounds = 0;
    controller(world, 0).onEvent((record) => {
      if (record.type === 'healthCheck') rounds++;
    });
    expect(await world.runUntil(() => rounds > 0, 2000)).toBe(true);
    const crashedAt = world.scheduler.now();
    world.nameNodes[0]?.kill('crash');
    expect(
      await world.runUntil(() => controller(world, 0).coreSnapshot().healthState === 'SERVICE_NOT_RESPONDING', 5000),
    ).toBe(true);
    const detectedMs = world.scheduler.now() - crashedAt;
    expect(detectedMs).toBeGreaterThanOrEqual(900);
    expect(detectedMs).toBeLessThanOrEqual(1100);
    expect(await world.runUntil(() => controller(world, 1).coreSnapshot().elector.state === 'ACTIVE', 10_000)).toBe(
      true,
    );
    expect(world.activeNameNodes()).toEqual([1]);
    expect(world.violations).toEqual([]);
  });

  it(
    'a hung NameNode is noticed after the 45 s health ' + 'RPC timeout (Hadoop parity), then fenced by a method',
    async () => {
      const { world, records } = await startedWorld();
      const hungAt = world.scheduler.now();
      const nn1 = world.nameNodes[0];
      if (nn1 === undefined) throw new Error('no nn1');
      nn1.hungUntilMs = hungAt + 120_000;
      expect(
        await world.runUntil(
          () => controller(world, 0).coreSnapshot().healthState === 'SERVICE_NOT_RESPONDING',
          60_000,
        ),
      ).toBe(true);
      const detectedMs = world.scheduler.now() - hungAt;
      expect(detectedMs).toBeGreaterThanOrEqual(44_000);
      expect(detectedMs).toBeLessThanOrEqual(47_000);
      expect(await world.runUntil(() => world.nameNodes[1]?.isActive === true, 20_000)).toBe(true);
      // The graceful transitionToStandby timed out (5 s) and sshfence killed the hung process.
      expect(nn1.process).not.toBe('running');
      const fencing = records[1]?.find(
        (r): r is Extract<ControllerRecord, { type: 'fencing' }> => r.type === 'fencing',
      );
      expect(fencing?.outcome.attempts.map((a) => `${a.method}:${a.outcome}`)).toEqual([
        'graceful:timeout',
        'sshfence:success',
      ]);
      expect(world.violations).toEqual([]);
    },
  );

  it(
    'the records keep the status board (/status) true: states, ' +
      'lock holder, breadcrumb, last failover with its phases',
    async () => {
      const { world, records } = await startedWorld();
      await world.runFor(1500); // one more health round after becoming active
      const status0 = statusOf(world, 0);
      expect(status0).toMatchObject({
        nameservice: 'ns1',
        namenode: 'nn1',
        electorState: 'ACTIVE',
        zkConnectionState: 'CONNECTED',
        healthState: 'SERVICE_HEALTHY',
        haState: 'ACTIVE',
        breadcrumb: { namenodeId: 'nn1', hostname: 'nn1.sim', port: 8020 },
        lastFailover: { from: null, to: 'nn1', reason: 'initial' },
        cededUntil: null,
      });
      expect(status0.zkSessionId).toMatch(/^0x[0-9a-f]+$/);
      expect(statusOf(world, 1).lockHolder?.namenodeId).toBe('nn1');

      world.nameNodes[0]?.kill('crash');
      expect(await world.runUntil(() => controller(world, 1).coreSnapshot().elector.state === 'ACTIVE', 10_000)).toBe(
        true,
      );
      const status1 = statusOf(world, 1);
      expect(status1.lastFailover).toMatchObject({ from: 'nn1', to: 'nn2', reason: 'election' });
      const phases = status1.lastFailover?.phases;
      expect(phases?.fencingMs).toBeGreaterThan(0);
      expect(phases?.promotionMs).toBeGreaterThan(0);
      expect(status1.lastFailover?.durationMs).toBeGreaterThanOrEqual(
        (phases?.electionMs ?? 0) + (phases?.fencingMs ?? 0),
      );
      const types = new Set(records[1]?.map((r) => r.type));
      for (const type of [
        'healthCheck',
        'serviceStateReported',
        'healthStateChanged',
        'electorStateChanged',
        'zkConnectionStateChanged',
        'zkSessionEvent',
        'transition',
        'fencing',
        'failover',
        'lockHolder',
        'breadcrumb',
        'activeAttempt',
      ]) {
        expect(types.has(type as ControllerRecord['type'])).toBe(true);
      }
    },
  );
});
