// Goal: the readiness gate end to end in the simulated cluster (the real ControllerRuntime with
// the gate on, fed by sim-readiness.ts's model of the NameNodes' HTTP view and the cluster view):
// a cold start with every NameNode in safe mode promotes nobody until the escape hatch opens, then
// exactly one; a stale standby (stalled tailer) is passed over when the active dies; and of two
// ready standbys the more caught-up one wins the race for the lock, whichever it is.
// Method: SimWorld without random faults; safe mode and stalled tailers are set by hand; simulated
// time runs until a condition holds, with every invariant (readiness included) checked after each
// event.

import { describe, expect, it } from 'vitest';
import { SIM_READINESS_POLICY } from './sim-readiness.js';
import { SimWorld } from './sim-world.js';
import { startedWorld } from './started-world.js';

function readinessOf(world: SimWorld) {
  const readiness = world.readiness;
  if (readiness === undefined) throw new Error('the readiness model is off');
  return readiness;
}

describe('readiness gate in the simulated cluster', () => {
  it('cold start in safe mode: nobody is promoted until the escape hatch, then exactly one', async () => {
    const world = new SimWorld({ seed: 7, nodes: 2, randomFaults: false, readinessGate: true });
    const readiness = readinessOf(world);
    for (let i = 0; i < 2; i++) readiness.setSafemodeUntil(i, 3_600_000);
    readiness.start();
    for (let i = 0; i < 2; i++) world.startController(i);
    await world.runFor(SIM_READINESS_POLICY.escapeAfterMs - 5000);
    expect(world.activeNameNodes()).toEqual([]);
    expect(world.lockHolder()).toBeNull();
    expect(await world.runUntil(() => world.activeNameNodes().length === 1, 15_000)).toBe(true);
    const winner = world.activeNameNodes()[0] ?? -1;
    expect(world.hosts[winner]?.controller?.coreSnapshot().readiness).toMatchObject({ ready: true, escape: true });
    await world.runFor(20_000);
    expect(world.activeNameNodes()).toEqual([winner]);
    expect(world.violations).toEqual([]);
  });

  it('passes over a stale standby (stalled tailer) when the active dies', async () => {
    const { world } = await startedWorld({ nodes: 3, readinessGate: true });
    const readiness = readinessOf(world);
    readiness.start();
    readiness.stallTailerUntil(1, 3_600_000);
    await world.runFor(30_000);
    const stale = world.hosts[1]?.controller?.coreSnapshot();
    expect(stale?.readiness.ready).toBe(false);
    expect(stale?.elector.wantToBeInElection).toBe(false);
    world.nameNodes[0]?.kill('crash');
    expect(await world.runUntil(() => world.activeNameNodes().length === 1, 20_000)).toBe(true);
    expect(world.activeNameNodes()).toEqual([2]);
    expect(world.violations).toEqual([]);
  });

  for (const behind of [1, 2]) {
    const ahead = behind === 1 ? 2 : 1;
    it(`the more caught-up standby wins the race: nn${behind + 1} behind, nn${ahead + 1} wins`, async () => {
      const { world } = await startedWorld({ nodes: 3, readinessGate: true });
      const readiness = readinessOf(world);
      readiness.start();
      await world.runFor(6000);
      // A short stall: behind, but well within the lag and age bounds (still ready).
      readiness.stallTailerUntil(behind, world.scheduler.now() + 9000);
      await world.runFor(7000);
      expect(readiness.appliedTxid(behind)).toBeLessThan(readiness.appliedTxid(ahead));
      const slow = world.hosts[behind]?.controller?.coreSnapshot().readiness;
      expect(slow).toMatchObject({ ready: true, candidacyDelayMs: SIM_READINESS_POLICY.raceHandicapMs });
      world.nameNodes[0]?.kill('crash');
      expect(await world.runUntil(() => world.activeNameNodes().length === 1, 20_000)).toBe(true);
      expect(world.activeNameNodes()).toEqual([ahead]);
      expect(world.violations).toEqual([]);
    });
  }
});
