// Goal: anti-flap (zkfc.anti-flap.*, README "Anti-flap") in the real ControllerRuntime against the
// simulated cluster, with the settings as shipped (3 failovers in 10 minutes): an active NameNode
// that turns unhealthy and healthy again and again fails over 3 times, then the 4th failover is
// held back (the NameNode stays active, the log, the record and /status say so) until it is healthy
// again or the window passes; a NameNode that dies, or a ZooKeeper session that expires, while a
// failover is held back still fails over; administrators' graceful failovers neither count nor are
// held back.
// Method: a SimWorld without random faults (invariants checked after every event); faults injected
// by hand; assertions on the NameNodes' own states, the failover records and the status board.

import { describe, expect, it } from 'vitest';
import { defaultSettings } from '../../src/config/load.js';
import type { ControllerRecord } from '../../src/runtime/records.js';
import { HELD_BACK_MESSAGE } from './seeds.js';
import type { SimWorld } from './sim-world.js';
import { startedWorld } from './started-world.js';

const SHIPPED = defaultSettings().antiFlap;

function controller(world: SimWorld, index: number) {
  const c = world.hosts[index]?.controller;
  if (c === undefined) throw new Error(`no controller on host ${index}`);
  return c;
}

function statusOf(world: SimWorld, index: number) {
  const board = world.hosts[index]?.status;
  if (board === undefined) throw new Error(`no status board on host ${index}`);
  return board.status();
}

function antiFlapRecords(records: ControllerRecord[]) {
  return records.flatMap((r) => (r.type === 'antiFlap' ? [r.report] : []));
}

/** Failovers completed, the first election (reason initial) left out. */
function failovers(records: ControllerRecord[][]): number {
  return records.flat().filter((r) => r.type === 'failover' && r.record.reason !== 'initial').length;
}

function nn(world: SimWorld, index: number) {
  const node = world.nameNodes[index];
  if (node === undefined) throw new Error(`no NameNode ${index}`);
  return node;
}

/**
 * The active NameNode `from` turns unhealthy: wait until `to` is the only active; then `from` is
 * healthy again and back in the election as standby.
 */
async function flap(world: SimWorld, from: number, to: number): Promise<void> {
  nn(world, from).healthy = false;
  expect(await world.runUntil(() => world.activeNameNodes().join() === String(to), 10_000)).toBe(true);
  await world.runFor(3000);
  nn(world, from).healthy = true;
  expect(await world.runUntil(() => controller(world, from).coreSnapshot().elector.state === 'STANDBY', 10_000)).toBe(
    true,
  );
  await world.runFor(3000);
}

/** Flap node 0 → 1 → 0 → 1 (3 failovers, the limit as shipped); node 1 ends active. */
async function flapToTheLimit(world: SimWorld): Promise<void> {
  await flap(world, 0, 1);
  await flap(world, 1, 0);
  await flap(world, 0, 1);
  expect(world.activeNameNodes()).toEqual([1]);
}

describe('anti-flap in the simulated cluster (as shipped: 3 failovers in 10 minutes)', () => {
  it('holds the 4th failover of a flapping active back until healthy again; both sides count the same', async () => {
    const { world, records } = await startedWorld({ antiFlap: SHIPPED });
    await flapToTheLimit(world);
    expect(failovers(records)).toBe(3);
    // Both ZKFCs saw the same 3 lock-holder changes.
    expect(controller(world, 0).coreSnapshot().antiFlap.failoversInWindow).toBe(3);
    expect(controller(world, 1).coreSnapshot().antiFlap.failoversInWindow).toBe(3);

    nn(world, 1).healthy = false;
    expect(
      await world.runUntil(() => controller(world, 1).coreSnapshot().antiFlap.holdingBack !== undefined, 5000),
    ).toBe(true);
    await world.runFor(30_000);
    // Held back: nn2 stays the only active although unhealthy, its ZKFC keeps the lock.
    expect(world.activeNameNodes()).toEqual([1]);
    expect(world.lockHolder()).toBe(1);
    expect(failovers(records)).toBe(3);
    expect(world.messageCounts.get(HELD_BACK_MESSAGE)).toBe(1);
    const held = antiFlapRecords(records[1] ?? []).find((r) => r.kind === 'failoverHeldBack');
    expect(held).toMatchObject({ namenode: 'nn2', failoversInWindow: 3, maxFailovers: 3, windowMs: 600_000 });
    const status = statusOf(world, 1).antiFlap;
    expect(status?.holdingBack?.reason).toBe(
      '3 automatic failovers in the last 600000 ms (limit 3); the local NameNode answers but is unhealthy',
    );
    expect(status?.heldBackTotal).toBe(1);

    // Healthy again: the hold ends, nothing moved.
    nn(world, 1).healthy = true;
    expect(
      await world.runUntil(() => controller(world, 1).coreSnapshot().antiFlap.holdingBack === undefined, 5000),
    ).toBe(true);
    expect(antiFlapRecords(records[1] ?? []).at(-1)).toMatchObject({ kind: 'holdBackEnded', reason: 'healthy' });
    expect(statusOf(world, 1).antiFlap?.holdingBack).toBeNull();
    await world.runFor(10_000);
    expect(world.activeNameNodes()).toEqual([1]);
    expect(failovers(records)).toBe(3);

    // Unhealthy again, for good: held back until the oldest failover leaves the window, then it fails over.
    nn(world, 1).healthy = false;
    expect(
      await world.runUntil(() => controller(world, 1).coreSnapshot().antiFlap.holdingBack !== undefined, 5000),
    ).toBe(true);
    expect(await world.runUntil(() => world.activeNameNodes().join() === '0', SHIPPED.windowMs)).toBe(true);
    expect(antiFlapRecords(records[1] ?? []).at(-1)).toMatchObject({ kind: 'holdBackEnded', reason: 'window-passed' });
    await world.runFor(1000); // the transition's answer reaches the controller
    expect(failovers(records)).toBe(4);
    expect(world.violations).toEqual([]);
  });

  it('still fails over at once when the held-back active NameNode dies', async () => {
    const { world, records } = await startedWorld({ antiFlap: SHIPPED });
    await flapToTheLimit(world);
    nn(world, 1).healthy = false;
    expect(
      await world.runUntil(() => controller(world, 1).coreSnapshot().antiFlap.holdingBack !== undefined, 5000),
    ).toBe(true);
    await world.runFor(20_000);
    expect(world.activeNameNodes()).toEqual([1]);
    const crashedAt = world.scheduler.now();
    nn(world, 1).kill('crash while a failover is held back');
    expect(await world.runUntil(() => world.activeNameNodes().join() === '0', 10_000)).toBe(true);
    expect(world.scheduler.now() - crashedAt).toBeLessThan(3000);
    expect(antiFlapRecords(records[1] ?? []).at(-1)).toMatchObject({ kind: 'holdBackEnded', reason: 'not-responding' });
    await world.runFor(1000); // the transition's answer reaches the controller
    expect(failovers(records)).toBe(4);
    expect(world.violations).toEqual([]);
  });

  it('still fails over when the held-back active loses its ZooKeeper session', async () => {
    const { world, records } = await startedWorld({ antiFlap: SHIPPED });
    await flapToTheLimit(world);
    nn(world, 1).healthy = false;
    expect(
      await world.runUntil(() => controller(world, 1).coreSnapshot().antiFlap.holdingBack !== undefined, 5000),
    ).toBe(true);
    world.zk.setLink(1, 'blackhole');
    // The server expires the session (10 s); nn1's ZKFC takes the lock and fences nn2 first.
    expect(await world.runUntil(() => world.activeNameNodes().join() === '0', 20_000)).toBe(true);
    world.zk.setLink(1, 'up');
    await world.runFor(20_000);
    expect(world.activeNameNodes()).toEqual([0]);
    expect(controller(world, 1).coreSnapshot().antiFlap.holdingBack).toBeUndefined();
    expect(antiFlapRecords(records[1] ?? []).at(-1)).toMatchObject({ kind: 'holdBackEnded', reason: 'lock-released' });
    // The unhealthy NameNode did not come back into the election.
    expect(controller(world, 1).coreSnapshot().elector.state).toBe('INIT');
    expect(world.violations).toEqual([]);
  });

  it('neither counts nor holds back graceful failovers', async () => {
    const { world, records } = await startedWorld({ antiFlap: { maxFailovers: 1, windowMs: SHIPPED.windowMs } });
    for (const to of [1, 0, 1, 0]) {
      const graceful = controller(world, to).gracefulFailover();
      let settled = false;
      graceful.then(
        () => (settled = true),
        () => (settled = true),
      );
      expect(await world.runUntil(() => settled, 30_000)).toBe(true);
      await expect(graceful).resolves.toBeUndefined();
      expect(world.activeNameNodes()).toEqual([to]);
      // The ceded side rejoins after its cede and sees the new holder.
      await world.runFor(15_000);
    }
    for (const index of [0, 1]) expect(controller(world, index).coreSnapshot().antiFlap.failoversInWindow).toBe(0);
    const seen = records.flat().flatMap((r) => (r.type === 'antiFlap' ? [r.report] : []));
    expect(seen.filter((r) => r.kind === 'lockHolderChanged' && !r.counted).length).toBeGreaterThanOrEqual(4);
    // With a limit of 1 and nothing counted, an unhealthy active still fails over once...
    nn(world, 0).healthy = false;
    expect(await world.runUntil(() => world.activeNameNodes().join() === '1', 10_000)).toBe(true);
    nn(world, 0).healthy = true;
    await world.runFor(10_000);
    // ...and the next one is held back.
    nn(world, 1).healthy = false;
    expect(
      await world.runUntil(() => controller(world, 1).coreSnapshot().antiFlap.holdingBack !== undefined, 5000),
    ).toBe(true);
    await world.runFor(10_000);
    expect(world.activeNameNodes()).toEqual([1]);
    expect(world.violations).toEqual([]);
  });
});
