// Goal: the fault catalogue's ZooKeeper faults, each with its expected outcome: kill -9 of the
// ZooKeeper leader (no failover: sessions survive a leader change), loss of quorum and its return
// (the active stays active throughout: without quorum nobody can expire a session or take the
// lock), and one daemon partitioned from ZooKeeper (the active's: the other takes over after the
// session timeout and fences the live NameNode gracefully, and after the heal the partitioned
// daemon rejoins as standby; the standby's: nothing changes). After every scenario: no two
// NameNodes were ever active at the same moment, and the cluster is steady within the bound.
// Method: FaultCluster with a 3-member ZooKeeper ensemble (tick 250 ms) and zkfc daemons as real
// processes; members are SIGKILLed and restarted; the partition is an iptables DROP of the
// daemon's packets to the ZooKeeper client ports, matched by the daemon's own cgroup
// (tools/testing/partition.ts: root, iptables and cgroup2 are required, and a missing piece fails
// the test with what to install - it is never skipped).

import { describe, expect, it } from 'vitest';
import { msSince, runs, transitionsAfter, withFaultCluster } from '../support/chaos-scenario.js';
import { sleep } from '../../tools/testing/wait.js';

const STEADY_BOUND_MS = 15_000;

describe('fault catalogue: ZooKeeper faults', () => {
  for (const title of runs('kill -9 of the ZooKeeper leader: no failover, every daemon reconnects')) {
    it(title, async () => {
      await withFaultCluster({ fencing: 'shell' }, async (cluster) => {
        const active = await cluster.startAll();
        await cluster.awaitSteady(STEADY_BOUND_MS, { context: 'before the fault' });
        const leader = await cluster.mini.zk.leader();
        const faultAt = cluster.note(`fault: kill -9 the ZooKeeper leader (member ${leader})`);
        await cluster.killZkMember(leader);
        const newLeader = await cluster.mini.zk.leader(20_000);
        expect(newLeader).not.toBe(leader);
        // Two of three members serve: the cluster must be steady without the dead one.
        const during = await cluster.awaitSteady(STEADY_BOUND_MS, { context: 'with a new ZooKeeper leader' });
        expect(during.active).toBe(active);
        await sleep(cluster.sessionTimeoutMs);
        await cluster.restartZkMember(leader);
        expect((await cluster.awaitSteady(STEADY_BOUND_MS, { context: 'after the member rejoined' })).active).toBe(
          active,
        );
        expect(transitionsAfter(cluster, faultAt)).toHaveLength(0);
      });
    });
  }

  for (const title of runs(
    'ZooKeeper quorum lost for twice the session timeout, then regained: the active stays active, no transition at all',
  )) {
    it(title, async () => {
      await withFaultCluster({ fencing: 'shell' }, async (cluster) => {
        const active = await cluster.startAll();
        await cluster.awaitSteady(STEADY_BOUND_MS, { context: 'before the fault' });
        const leader = await cluster.mini.zk.leader();
        const follower = cluster.mini.zk.members.map((m) => m.id).find((id) => id !== leader)!;
        const faultAt = cluster.note('fault: quorum lost (leader and one follower killed)');
        await Promise.all([cluster.killZkMember(leader), cluster.killZkMember(follower)]);
        await sleep(2 * cluster.sessionTimeoutMs);
        expect(await cluster.mini.activeNamenodes()).toEqual([active]);
        cluster.note('heal: quorum back');
        await Promise.all([cluster.restartZkMember(leader), cluster.restartZkMember(follower)]);
        const steady = await cluster.awaitSteady(STEADY_BOUND_MS, { context: 'after quorum came back' });
        expect(steady.active).toBe(active);
        expect(transitionsAfter(cluster, faultAt)).toHaveLength(0);
      });
    });
  }

  for (const title of runs(
    'active daemon partitioned from ZooKeeper: failover after the session ' +
      'timeout, old NameNode fenced gracefully; after the heal it rejoins as standby',
  )) {
    it(title, async () => {
      await withFaultCluster({ fencing: 'shell', partitionable: true }, async (cluster) => {
        const old = await cluster.startAll();
        await cluster.awaitSteady(STEADY_BOUND_MS, { context: 'before the fault' });
        const faultAt = cluster.note('fault: partition the active daemon from ZooKeeper');
        await cluster.partition(old);
        const next = await cluster.waitForActivation(faultAt, { not: old, timeoutMs: 20_000 });
        const ms = msSince(faultAt, next);
        expect(ms).toBeGreaterThan((cluster.sessionTimeoutMs * 2) / 3);
        expect(ms).toBeLessThan(cluster.sessionTimeoutMs + 250 + 3000);
        const stoodDown = transitionsAfter(cluster, faultAt, { namenodeId: old, to: 'standby' });
        expect(stoodDown).toHaveLength(1);
        expect(BigInt(stoodDown[0]!.monoNs)).toBeLessThan(BigInt(next.monoNs));
        // The cut-off daemon still believes it is active for a while; it must not act on it.
        await sleep(cluster.sessionTimeoutMs);
        const healedAt = cluster.note('heal: partition removed');
        await cluster.healPartition(old);
        const steady = await cluster.awaitSteady(STEADY_BOUND_MS, { context: 'after the heal' });
        expect(steady.active).toBe(next.namenodeId);
        expect(transitionsAfter(cluster, healedAt, { to: 'active' })).toHaveLength(0);
      });
    });
  }

  for (const title of runs(
    'standby daemon partitioned from ZooKeeper for twice the session timeout: no failover; it rejoins after the heal',
  )) {
    it(title, async () => {
      await withFaultCluster({ fencing: 'shell', partitionable: true }, async (cluster) => {
        const active = await cluster.startAll();
        await cluster.awaitSteady(STEADY_BOUND_MS, { context: 'before the fault' });
        const standby = cluster.ids.find((id) => id !== active)!;
        const faultAt = cluster.note('fault: partition the standby daemon from ZooKeeper');
        await cluster.partition(standby);
        await sleep(2 * cluster.sessionTimeoutMs);
        expect(await cluster.mini.activeNamenodes()).toEqual([active]);
        await cluster.healPartition(standby);
        expect((await cluster.awaitSteady(STEADY_BOUND_MS, { context: 'after the heal' })).active).toBe(active);
        expect(transitionsAfter(cluster, faultAt, { to: 'active' })).toHaveLength(0);
      });
    });
  }
});
