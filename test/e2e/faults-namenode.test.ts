// Goal: the fault catalogue's NameNode faults, each with its expected outcome: kill -9 of the
// active NameNode, the active NameNode turning unhealthy, and the active NameNode hanging
// (SIGSTOP) longer than the health RPC timeout and then resuming - plus a hang shorter than that
// timeout, which must not cause a failover. After every scenario the oracle holds: no two
// NameNodes were active at the same moment, and the cluster is steady again (one active, lock and
// breadcrumb naming it, one controller believing it is active) within the stated bound.
// Method: FaultCluster (tools/testing/fault-cluster.ts): a 3-member ZooKeeper ensemble, two
// simulated NameNodes and two zkfc daemons as real processes, fencing shell(fence.sh) then
// sshfence(root:<port>) against a real local sshd; faults are real signals and the simulator's
// fault switch; times come from the NameNodes' own transition logs (CLOCK_MONOTONIC).
// Timings: session 3 s, health checks every 500 ms, health RPC timeout 2 s, graceful fence 1 s.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { logOnceItShows, msSince, runs, transitionsAfter, withFaultCluster } from '../support/chaos-scenario.js';
import { sleep } from '../../tools/testing/wait.js';

/** Steady again after the fault ended: a generous bound for a loaded 2-core CI machine. */
const STEADY_BOUND_MS = 15_000;

describe('fault catalogue: NameNode faults', () => {
  for (const title of runs(
    'kill -9 of the active NameNode: the standby is active within 1.5 s; the dead one is fenced by the shell method',
  )) {
    it(title, async () => {
      await withFaultCluster({}, async (cluster) => {
        const old = await cluster.startAll();
        await cluster.awaitSteady(STEADY_BOUND_MS, { context: 'before the fault' });
        const faultAt = cluster.note('fault: kill -9 the active NameNode');
        await cluster.killNamenode(old);
        const next = await cluster.waitForActivation(faultAt, { not: old, timeoutMs: 15_000 });
        expect(msSince(faultAt, next)).toBeLessThan(1500);
        // The fault does not end (the process is gone): the survivor must be steady without it.
        await cluster.awaitSteady(STEADY_BOUND_MS, { everyone: false, context: 'NameNode dead' });
        const winnerLog = await logOnceItShows(
          cluster.mini.node(next.namenodeId).zkfcLog,
          /"msg":"fencing successful"/,
        );
        expect(winnerLog).toMatch(/"method":"shell\([^"]*fence\.sh[^"]*\)"[^\n]*"msg":"fencing successful"/);
        await cluster.healAll();
        const steady = await cluster.awaitSteady(STEADY_BOUND_MS, { context: 'after restarting the killed NameNode' });
        expect(steady.active).toBe(next.namenodeId);
        expect(await cluster.mini.namenodeState(old)).toBe('standby');
      });
    });
  }

  for (const title of runs(
    'unhealthy active NameNode: failover within check interval + ' +
      '1.5 s; the old one is moved to standby gracefully, not killed',
  )) {
    it(title, async () => {
      await withFaultCluster({}, async (cluster) => {
        const old = await cluster.startAll();
        await cluster.awaitSteady(STEADY_BOUND_MS, { context: 'before the fault' });
        const oldPid = cluster.mini.node(old).sim!.pid!;
        const faultAt = cluster.note('fault: active NameNode unhealthy');
        await cluster.namenodeFault(old, 'unhealthy');
        const next = await cluster.waitForActivation(faultAt, { not: old, timeoutMs: 15_000 });
        expect(msSince(faultAt, next)).toBeLessThan(cluster.checkIntervalMs + 1500);
        // Graceful fence: the unhealthy NameNode answered transitionToStandby and lives on.
        const stoodDown = transitionsAfter(cluster, faultAt, { namenodeId: old, to: 'standby' });
        expect(stoodDown).toHaveLength(1);
        expect(BigInt(stoodDown[0]!.monoNs)).toBeLessThan(BigInt(next.monoNs));
        expect(cluster.namenodeRunning(old)).toBe(true);
        expect(cluster.mini.ends().has(oldPid)).toBe(false);
        const healedAt = cluster.note('heal: NameNode healthy again');
        await cluster.namenodeFault(old, 'none');
        const steady = await cluster.awaitSteady(STEADY_BOUND_MS, { context: 'after the NameNode became healthy' });
        expect(steady.active).toBe(next.namenodeId);
        // Healthy again, it rejoins as a standby: no further transition to active anywhere.
        expect(transitionsAfter(cluster, healedAt, { to: 'active' })).toHaveLength(0);
      });
    });
  }

  for (const title of runs(
    'active NameNode hung (SIGSTOP) past the health RPC timeout, then ' +
      'resumed: failover; sshfence kills the hung process; it never acts again',
  )) {
    it(title, async () => {
      await withFaultCluster({}, async (cluster) => {
        const old = await cluster.startAll();
        await cluster.awaitSteady(STEADY_BOUND_MS, { context: 'before the fault' });
        const oldPid = cluster.mini.node(old).sim!.pid!;
        // The shell method declines, so the operator's second method, sshfence, has to do it.
        cluster.setFenceMode({ kind: 'ssh-only' });
        const faultAt = cluster.note('fault: SIGSTOP the active NameNode');
        cluster.signalNamenode(old, 'SIGSTOP');
        const bound = cluster.healthRpcTimeoutMs + cluster.checkIntervalMs + cluster.gracefulFenceTimeoutMs + 4000;
        const next = await cluster.waitForActivation(faultAt, { not: old, timeoutMs: bound + 10_000 });
        expect(msSince(faultAt, next)).toBeLessThan(bound);
        // Detection cannot be quicker than the health RPC timeout: the hang was not mistaken for a crash.
        expect(msSince(faultAt, next)).toBeGreaterThan(cluster.healthRpcTimeoutMs);
        cluster.signalNamenode(old, 'SIGCONT');
        const ends = readFileSync(`${cluster.baseDir}/ends.jsonl`, 'utf8');
        expect(ends).toContain(`{"pid":${oldPid},`);
        expect(ends).toMatch(new RegExp(`"pid":${oldPid},"monoNs":"\\d+","by":"sshfence"`));
        const winnerLog = await logOnceItShows(
          cluster.mini.node(next.namenodeId).zkfcLog,
          /"msg":"fencing successful"/,
        );
        expect(winnerLog).toMatch(/"method":"sshfence\([^)]*\)"[^\n]*"msg":"fencing successful"/);
        await cluster.healAll();
        const steady = await cluster.awaitSteady(STEADY_BOUND_MS, { context: 'after restarting the fenced NameNode' });
        expect(steady.active).toBe(next.namenodeId);
      });
    });
  }

  for (const title of runs('active NameNode hung for a quarter of the health RPC timeout: no failover')) {
    it(title, async () => {
      await withFaultCluster({ fencing: 'shell' }, async (cluster) => {
        const active = await cluster.startAll();
        await cluster.awaitSteady(STEADY_BOUND_MS, { context: 'before the fault' });
        const faultAt = cluster.note('fault: short SIGSTOP of the active NameNode');
        cluster.signalNamenode(active, 'SIGSTOP');
        await sleep(cluster.healthRpcTimeoutMs / 4);
        cluster.signalNamenode(active, 'SIGCONT');
        await sleep(cluster.healthRpcTimeoutMs + 2 * cluster.checkIntervalMs);
        expect(transitionsAfter(cluster, faultAt)).toHaveLength(0);
        const steady = await cluster.awaitSteady(STEADY_BOUND_MS, { context: 'after the short hang' });
        expect(steady.active).toBe(active);
      });
    });
  }
});
