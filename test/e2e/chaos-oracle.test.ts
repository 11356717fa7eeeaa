// Goal: the split-brain oracle that judges the fault catalogue and the chaos runner can fail: two
// NameNode processes made active at the same time (no controller involved) are reported as a
// violation with the interleaved timeline; a hand-over where the old active is killed (and the
// kill recorded) before the new one activates is not; the gap and failover statistics add up on
// real transition logs.
// Method: a FaultCluster whose controllers are never started (3-member ZooKeeper ensemble, two
// simulated NameNodes as real processes); transitions requested over real Hadoop IPC with
// REQUEST_BY_ZKFC, as a controller would; kills through the harness, which records them.

import { userInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { RpcHAServiceClientFactory } from '../../src/hadoop/ha-service-client.js';
import { activityStats, OracleViolationError, monoNowNs } from '../../tools/testing/oracle.js';
import { FaultCluster } from '../../tools/testing/fault-cluster.js';
import { ensureHarnessBuilt, withFaultCluster } from '../support/chaos-scenario.js';
import { sleep } from '../../tools/testing/wait.js';

async function makeActive(cluster: FaultCluster, id: string): Promise<void> {
  const client = new RpcHAServiceClientFactory({ effectiveUser: userInfo().username }).create({
    host: '127.0.0.1',
    port: cluster.mini.node(id).rpcPort,
  });
  try {
    await client.transitionToActive('REQUEST_BY_ZKFC', 5000);
  } finally {
    client.close();
  }
}

describe('chaos oracle', () => {
  it('reports two simultaneously active NameNodes as split brain, with the timeline', async () => {
    await ensureHarnessBuilt();
    const cluster = await FaultCluster.start({ fencing: 'shell' });
    try {
      await Promise.all(cluster.ids.map((id) => cluster.mini.startNamenode(id)));
      cluster.note('make nn1 active');
      await makeActive(cluster, 'nn1');
      cluster.note('make nn2 active while nn1 still is');
      await makeActive(cluster, 'nn2');
      let caught: unknown;
      try {
        cluster.assertSafe('deliberate split brain');
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(OracleViolationError);
      const message = (caught as Error).message;
      expect(message).toMatch(
        /two actives in ns1: nn1 \(pid \d+\) active \d+\.\.never seen ending and nn2 \(pid \d+\) active from \d+/,
      );
      expect(message).toContain('harness: make nn2 active while nn1 still is');
      expect(message).toMatch(/nn2 +pid=\d+ transition standby -> active/);
    } finally {
      await cluster.stop();
      cluster.cleanUp();
    }
  });

  it(
    'accepts a hand-over where the old active was killed (and the ' +
      'kill recorded) before the new one activated; counts the gap',
    async () => {
      await withFaultCluster({ fencing: 'shell' }, async (cluster) => {
        await Promise.all(cluster.ids.map((id) => cluster.mini.startNamenode(id)));
        const windowStart = monoNowNs();
        await makeActive(cluster, 'nn1');
        await sleep(100);
        await cluster.killNamenode('nn1');
        await sleep(300);
        await makeActive(cluster, 'nn2');
        await sleep(100);
        const windowEnd = monoNowNs();
        expect(() => cluster.assertSafe()).not.toThrow();
        const stats = activityStats(cluster.oracleInput(), windowStart, windowEnd);
        expect(stats.failovers).toBe(1);
        expect(stats.periods).toHaveLength(2);
        // The gap is the 300 ms sleep plus the RPC, measured between the recorded kill and nn2's line.
        const gapMs = Number(stats.maxGapNs) / 1e6;
        expect(gapMs).toBeGreaterThanOrEqual(300);
        expect(gapMs).toBeLessThan(2000);
      });
    },
  );
});
