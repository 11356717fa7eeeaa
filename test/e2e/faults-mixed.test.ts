// Goal: the fault catalogue's mixed cluster: our zkfc daemon controls nn1 while nn2 is controlled
// by a Java-compatible ZKFC peer (tools/testing/java-peer.ts: its own ZooKeeper client, EPHEMERAL
// lock and PERSISTENT breadcrumb holding ActiveNodeInfo bytes exactly as Java writes them, its
// own NameNode transitions and shell fencing). Expected: the lock and breadcrumb our daemon
// writes are byte-identical to what the Java side writes for the same NameNode; the active role
// moves both ways - Java peer takes over from our daemon (our NameNode crashed, or unhealthy and
// fenced gracefully), our daemon takes over from the Java peer (its controller killed: session
// expiry, graceful fence of its live NameNode, versioned breadcrumb write over Java's bytes) -
// and no two NameNodes are ever active at once.
// Method: FaultCluster with javaPeers: ['nn2'] (3-member ZooKeeper ensemble, real processes).

import { describe, expect, it } from 'vitest';
import { encodeActiveNodeInfo } from '../../src/hadoop/active-node-info.js';
import { javaHostName } from '../../src/hadoop/java-hostname.js';
import type { FaultCluster } from '../../tools/testing/fault-cluster.js';
import { msSince, runs, transitionsAfter, withFaultCluster } from '../support/chaos-scenario.js';

const STEADY_BOUND_MS = 15_000;

/** The ActiveNodeInfo bytes Java would write for this NameNode. */
async function javaBytes(cluster: FaultCluster, id: string): Promise<Uint8Array> {
  const node = cluster.mini.node(id);
  // InetSocketAddress.getHostName() of the configured 127.0.0.1 is its reverse-resolved name.
  const hostname = await javaHostName('127.0.0.1');
  return encodeActiveNodeInfo({
    nameserviceId: cluster.mini.nameserviceId,
    namenodeId: id,
    hostname,
    port: node.rpcPort,
    zkfcPort: node.zkfcPort,
  });
}

async function expectZnodesName(cluster: FaultCluster, id: string): Promise<void> {
  const znodes = await cluster.readElectionZnodes();
  const expected = Buffer.from(await javaBytes(cluster, id)).toString('hex');
  expect(Buffer.from(znodes.lock!.data).toString('hex')).toBe(expected);
  expect(Buffer.from(znodes.breadcrumbData!).toString('hex')).toBe(expected);
}

describe('fault catalogue: mixed cluster with a Java-compatible ZKFC peer', () => {
  for (const title of runs(
    'our daemon (nn1) and a Java-compatible peer (nn2) hand the active ' +
      'role back and forth through crash, unhealthy and controller loss',
  )) {
    it(title, async () => {
      await withFaultCluster({ javaPeers: ['nn2'] }, async (cluster) => {
        await cluster.mini.startNamenode('nn1');
        await cluster.mini.startNamenode('nn2');
        await cluster.startController('nn1');
        await cluster.mini.waitForActive(15_000, 'nn1');
        await cluster.startController('nn2');
        await cluster.awaitSteady(STEADY_BOUND_MS, { context: 'our daemon active, Java peer standby' });
        await expectZnodesName(cluster, 'nn1');

        // 1. Our NameNode crashes: the Java peer fences (shell: already dead), writes its breadcrumb over ours,
        // activates nn2.
        let faultAt = cluster.note('fault: kill -9 nn1 (ours active)');
        await cluster.killNamenode('nn1');
        let next = await cluster.waitForActivation(faultAt, { not: 'nn1', timeoutMs: 15_000 });
        expect(next.namenodeId).toBe('nn2');
        expect(msSince(faultAt, next)).toBeLessThan(cluster.checkIntervalMs + 3000);
        await cluster.healAll();
        await cluster.awaitSteady(STEADY_BOUND_MS, { context: 'Java peer active, our daemon standby' });
        await expectZnodesName(cluster, 'nn2');

        // 2. The Java controller dies: its session expires, our daemon reads Java's breadcrumb, fences nn2 gracefully,
        // activates nn1.
        faultAt = cluster.note('fault: kill -9 the Java peer (active)');
        await cluster.killController('nn2');
        next = await cluster.waitForActivation(faultAt, { not: 'nn2', timeoutMs: 20_000 });
        expect(next.namenodeId).toBe('nn1');
        expect(msSince(faultAt, next)).toBeLessThan(cluster.sessionTimeoutMs + 250 + 2000);
        const stoodDown = transitionsAfter(cluster, faultAt, { namenodeId: 'nn2', to: 'standby' });
        expect(stoodDown).toHaveLength(1);
        expect(BigInt(stoodDown[0]!.monoNs)).toBeLessThan(BigInt(next.monoNs));
        await cluster.healAll();
        await cluster.awaitSteady(STEADY_BOUND_MS, { context: 'our daemon active again, Java peer restarted' });
        await expectZnodesName(cluster, 'nn1');

        // 3. Our NameNode turns unhealthy: the Java peer fences it gracefully (it stays alive, standby).
        faultAt = cluster.note('fault: nn1 unhealthy');
        await cluster.namenodeFault('nn1', 'unhealthy');
        next = await cluster.waitForActivation(faultAt, { not: 'nn1', timeoutMs: 15_000 });
        expect(next.namenodeId).toBe('nn2');
        expect(cluster.namenodeRunning('nn1')).toBe(true);
        expect(await cluster.mini.namenodeState('nn1')).toBe('standby');
        await cluster.namenodeFault('nn1', 'none');
        expect((await cluster.awaitSteady(STEADY_BOUND_MS, { context: 'nn1 healthy again' })).active).toBe('nn2');
        await expectZnodesName(cluster, 'nn2');
      });
    });
  }
});
