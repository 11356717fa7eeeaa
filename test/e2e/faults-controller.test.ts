// Goal: the fault catalogue's controller faults, each with its expected outcome: kill -9 of the
// active daemon, a pause (SIGSTOP) of the active daemon past the ZooKeeper session timeout
// followed by a resume (the paused side must not cause two actives), kill -9 of daemon and
// NameNode together (host loss), and a rolling restart of every daemon in turn. After every
// scenario: no two NameNodes were ever active at the same moment, and the cluster is steady
// (one active, lock and breadcrumb naming it, one controller believing it is active) within the
// stated bound.
// Method: FaultCluster (3-member ZooKeeper ensemble, simulated NameNodes and zkfc daemons as real
// processes, shell then sshfence fencing); real signals; times from the NameNodes' transition
// logs. Timings: session 3 s (ZooKeeper tick 250 ms), health checks every 500 ms.

import { describe, expect, it } from 'vitest';
import { msSince, runs, transitionsAfter, withFaultCluster } from '../support/chaos-scenario.js';
import { sleep } from '../../tools/testing/wait.js';

const STEADY_BOUND_MS = 15_000;
/** Losing a session takes the session timeout plus up to one tick (expiry is checked per tick). */
const sessionLossBoundMs = (sessionTimeoutMs: number) => sessionTimeoutMs + 250 + 2000;

describe('fault catalogue: controller faults', () => {
  for (const title of runs(
    'kill -9 of the active daemon: the other takes over after ' +
      'the session timeout and fences the live NameNode gracefully',
  )) {
    it(title, async () => {
      await withFaultCluster({}, async (cluster) => {
        const old = await cluster.startAll();
        await cluster.awaitSteady(STEADY_BOUND_MS, { context: 'before the fault' });
        const faultAt = cluster.note('fault: kill -9 the active daemon');
        await cluster.killController(old);
        const next = await cluster.waitForActivation(faultAt, { not: old, timeoutMs: 20_000 });
        const ms = msSince(faultAt, next);
        // Nobody may take over before the dead daemon's session could have expired.
        expect(ms).toBeGreaterThan((cluster.sessionTimeoutMs * 2) / 3);
        expect(ms).toBeLessThan(sessionLossBoundMs(cluster.sessionTimeoutMs));
        // Its NameNode is alive and was told to stand down before the new one became active.
        const stoodDown = transitionsAfter(cluster, faultAt, { namenodeId: old, to: 'standby' });
        expect(stoodDown).toHaveLength(1);
        expect(BigInt(stoodDown[0]!.monoNs)).toBeLessThan(BigInt(next.monoNs));
        expect(cluster.namenodeRunning(old)).toBe(true);
        await cluster.healAll();
        const steady = await cluster.awaitSteady(STEADY_BOUND_MS, { context: 'after restarting the daemon' });
        expect(steady.active).toBe(next.namenodeId);
      });
    });
  }

  for (const title of runs(
    'active daemon paused (SIGSTOP) past the session timeout, then resumed: ' +
      'one failover, and the resumed daemon never makes its NameNode active again',
  )) {
    it(title, async () => {
      await withFaultCluster({}, async (cluster) => {
        const old = await cluster.startAll();
        await cluster.awaitSteady(STEADY_BOUND_MS, { context: 'before the fault' });
        const faultAt = cluster.note('fault: SIGSTOP the active daemon');
        cluster.signalController(old, 'SIGSTOP');
        const next = await cluster.waitForActivation(faultAt, { not: old, timeoutMs: 20_000 });
        expect(msSince(faultAt, next)).toBeLessThan(sessionLossBoundMs(cluster.sessionTimeoutMs));
        // Keep it paused well past the takeover, as a long GC pause would.
        await sleep(cluster.sessionTimeoutMs);
        const resumedAt = cluster.note('heal: SIGCONT the daemon');
        cluster.signalController(old, 'SIGCONT');
        const steady = await cluster.awaitSteady(STEADY_BOUND_MS, { context: 'after the resume' });
        expect(steady.active).toBe(next.namenodeId);
        // Give the resumed daemon time to act on stale beliefs, then check it did not.
        await sleep(3 * cluster.checkIntervalMs + 1000);
        expect(transitionsAfter(cluster, resumedAt, { to: 'active' })).toHaveLength(0);
        expect((await cluster.awaitSteady(STEADY_BOUND_MS)).active).toBe(next.namenodeId);
      });
    });
  }

  for (const title of runs(
    'host loss (kill -9 of the active daemon and its NameNode ' +
      'together): the standby is active within session timeout + tick + 2 s',
  )) {
    it(title, async () => {
      await withFaultCluster({}, async (cluster) => {
        const old = await cluster.startAll();
        await cluster.awaitSteady(STEADY_BOUND_MS, { context: 'before the fault' });
        const faultAt = cluster.note('fault: host loss (daemon and NameNode killed)');
        await Promise.all([cluster.killController(old), cluster.killNamenode(old)]);
        const next = await cluster.waitForActivation(faultAt, { not: old, timeoutMs: 20_000 });
        const ms = msSince(faultAt, next);
        expect(ms).toBeGreaterThan((cluster.sessionTimeoutMs * 2) / 3);
        expect(ms).toBeLessThan(sessionLossBoundMs(cluster.sessionTimeoutMs));
        await cluster.awaitSteady(STEADY_BOUND_MS, { everyone: false, context: 'host down' });
        await cluster.healAll();
        const steady = await cluster.awaitSteady(STEADY_BOUND_MS, { context: 'after the host came back' });
        expect(steady.active).toBe(next.namenodeId);
      });
    });
  }

  for (const title of runs(
    'rolling restart of every daemon in turn (SIGTERM, start again): steady ' +
      'after each step, at most one failover per step, never two actives',
  )) {
    it(title, async () => {
      await withFaultCluster({ namenodeIds: ['nn1', 'nn2', 'nn3'] }, async (cluster) => {
        await cluster.startAll();
        await cluster.awaitSteady(STEADY_BOUND_MS, { context: 'before the upgrade' });
        for (const id of cluster.ids) {
          const stepAt = cluster.note(`upgrade step: restart daemon ${id}`);
          const exit = await cluster.stopController(id, 'SIGTERM');
          expect(exit?.code).toBe(0);
          await cluster.startController(id);
          await cluster.awaitSteady(STEADY_BOUND_MS, { context: `after restarting ${id}` });
          expect(transitionsAfter(cluster, stepAt, { to: 'active' }).length).toBeLessThanOrEqual(1);
        }
      });
    });
  }
});
