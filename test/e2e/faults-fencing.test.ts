// Goal: the fault catalogue's fencer faults, each with its expected outcome: a fencing method that
// hangs (bounded by zkfc.fencing.shell.timeout.ms, its process group killed, then the next method
// fences), and fencing that fails for some rounds and then succeeds (no new active before the old
// one is fenced; the winner retries about once a second, as Hadoop's elector does, and the
// failover completes once a method works). After every scenario: no two NameNodes were ever
// active at the same moment, and the cluster is steady within the bound.
// Method: FaultCluster with fencing shell(fence.sh) then sshfence(root:<port>) against a real
// local sshd; fence.sh and the sshd sessions' fuser shim read the harness's fence-mode switch
// (hang / fail N rounds); the old active is kept alive but unable to stand down (SIGSTOP, or
// unhealthy + refusing transitions) so the graceful step fails and the methods must run.

import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { logOnceItShows, msSince, runs, withFaultCluster } from '../support/chaos-scenario.js';

const STEADY_BOUND_MS = 15_000;
const SHELL_FENCE_TIMEOUT_MS = 1500;

/** Pids of live processes whose command line mentions `needle`. */
function processesMentioning(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(needle)) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

describe('fault catalogue: fencer faults', () => {
  for (const title of runs(
    'a hanging shell fencer is killed at zkfc.fencing.shell.timeout.ms and sshfence fences the hung NameNode',
  )) {
    it(title, async () => {
      await withFaultCluster({ shellFenceTimeoutMs: SHELL_FENCE_TIMEOUT_MS }, async (cluster) => {
        const old = await cluster.startAll();
        await cluster.awaitSteady(STEADY_BOUND_MS, { context: 'before the fault' });
        const oldPid = cluster.mini.node(old).sim!.pid!;
        cluster.setFenceMode({ kind: 'hang' });
        const faultAt = cluster.note('fault: hanging fencer, then SIGSTOP the active NameNode');
        cluster.signalNamenode(old, 'SIGSTOP');
        const bound =
          cluster.healthRpcTimeoutMs +
          cluster.checkIntervalMs +
          cluster.gracefulFenceTimeoutMs +
          SHELL_FENCE_TIMEOUT_MS +
          4000;
        const next = await cluster.waitForActivation(faultAt, { not: old, timeoutMs: bound + 10_000 });
        const ms = msSince(faultAt, next);
        expect(ms).toBeLessThan(bound);
        expect(ms).toBeGreaterThan(cluster.healthRpcTimeoutMs + SHELL_FENCE_TIMEOUT_MS);
        const log = await logOnceItShows(cluster.mini.node(next.namenodeId).zkfcLog, /"msg":"fencing successful"/);
        expect(log).toMatch(
          /"method":"shell\([^"]*fence\.sh[^"]*\)","outcome":"timeout"[^\n]*"msg":"fencing method was unsuccessful"/,
        );
        expect(log).toMatch(/"method":"sshfence\([^)]*\)"[^\n]*"msg":"fencing successful"/);
        expect(readFileSync(`${cluster.baseDir}/ends.jsonl`, 'utf8')).toMatch(
          new RegExp(`"pid":${oldPid},"monoNs":"\\d+","by":"sshfence"`),
        );
        // The hung command and everything it started are gone (its process group was killed).
        expect(processesMentioning(cluster.fenceScript)).toEqual([]);
        cluster.signalNamenode(old, 'SIGCONT');
        await cluster.healAll();
        expect((await cluster.awaitSteady(STEADY_BOUND_MS, { context: 'after the heal' })).active).toBe(
          next.namenodeId,
        );
      });
    });
  }

  for (const title of runs(
    'fencing that fails for 2 rounds, then succeeds: the old active stays ' +
      'the only active until it is fenced; failover completes in the third round',
  )) {
    it(title, async () => {
      await withFaultCluster({}, async (cluster) => {
        const old = await cluster.startAll();
        await cluster.awaitSteady(STEADY_BOUND_MS, { context: 'before the fault' });
        const oldPid = cluster.mini.node(old).sim!.pid!;
        // fail 3: fence.sh fails rounds 1-3 and the fuser shim rounds 1-2, so round 3 succeeds by sshfence.
        cluster.setFenceMode({ kind: 'fail', rounds: 3 });
        const faultAt = cluster.note('fault: active NameNode unhealthy and refusing transitions; fencing fails twice');
        await cluster.namenodeFault(old, 'refuse-transitions');
        await cluster.namenodeFault(old, 'unhealthy');
        const next = await cluster.waitForActivation(faultAt, { not: old, timeoutMs: 40_000 });
        const log = await logOnceItShows(cluster.mini.node(next.namenodeId).zkfcLog, /"msg":"fencing successful"/);
        expect(log.match(/"msg":"unable to fence service by any configured method"/g)).toHaveLength(2);
        expect(log).toMatch(/"method":"sshfence\([^)]*\)"[^\n]*"msg":"fencing successful"/);
        // Each failed round ends with Hadoop's 1 s sleep before the election is tried again.
        expect(msSince(faultAt, next)).toBeGreaterThan(2 * 1000);
        expect(msSince(faultAt, next)).toBeLessThan(
          cluster.checkIntervalMs + 3 * (cluster.gracefulFenceTimeoutMs + 4000) + 2 * 1000,
        );
        const ends = cluster.mini.ends();
        expect(ends.get(oldPid)).toBeDefined();
        expect(ends.get(oldPid)!).toBeLessThan(BigInt(next.monoNs));
        await cluster.healAll();
        expect((await cluster.awaitSteady(STEADY_BOUND_MS, { context: 'after the heal' })).active).toBe(
          next.namenodeId,
        );
      });
    });
  }
});
