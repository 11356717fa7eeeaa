// Goal: a ZooKeeper outage of 3 minutes costs no controller. With the shipped default
// (zkfc.zookeeper.retry-forever), a daemon that starts while ZooKeeper is down stays up, out of
// the election, and says so in /healthz, /status and zkfc_zk_connect_failures; the running one
// keeps its NameNode as it is; when ZooKeeper is back both reconnect by themselves and an
// automatic failover works with nobody touching anything. (Hadoop's ZKFC exits 6 at start-up,
// and systemd's old start limit then left it dead: zkfc-exit-codes.test.ts covers the setting
// that restores that behaviour.)
// Method: MiniCluster (one real ZooKeeper server, simulated NameNodes, the built zkfc daemons);
// ZooKeeper is stopped for 180 s and restarted on the same port with its data; the split-brain
// oracle (NameNode transition logs) is checked at the end.
import { afterEach, describe, expect, it } from 'vitest';
import type { ZkfcStatus } from '../../src/observability/status.js';
import type { MiniCluster } from '../../tools/testing/mini-cluster.js';
import { eventually, sleep } from '../../tools/testing/wait.js';
import { httpGet, metricValue, scrapeMetrics, startE2eCluster, stopE2eCluster } from '../support/e2e-zkfc.js';

const OUTAGE_MS = 180_000;

let cluster: MiniCluster | undefined;
afterEach(async () => {
  await stopE2eCluster(cluster);
  cluster = undefined;
});

async function status(c: MiniCluster, id: string): Promise<ZkfcStatus> {
  const s = await c.zkfcStatus(id, 3000);
  if (s === undefined) throw new Error(`zkfc ${id} does not serve /status`);
  return s as unknown as ZkfcStatus;
}

describe('ZooKeeper down for 3 minutes', () => {
  it(
    'the daemons stay up out of the election, reconnect by themselves, and fail over afterwards',
    async () => {
      const c = (cluster = await startE2eCluster({
        // The back-off cap bounds how long a daemon takes to notice ZooKeeper is back.
        extraConf: { 'zkfc.zookeeper.retry-max-backoff.ms': '10000' },
      }));
      await Promise.all([c.startNamenode('nn1'), c.startNamenode('nn2')]);
      const nn1 = await c.startZkfc('nn1');
      await c.waitForActive(20_000, 'nn1');

      const zkId = c.zk.members[0]!.id;
      await c.zk.stop(zkId);
      const downAt = Date.now();
      // nn2's daemon starts during the outage: Hadoop's ZKFC would exit 6 here.
      const nn2 = await c.startZkfc('nn2');
      await eventually(async () => {
        const s = await status(c, 'nn2');
        expect(s.zookeeperRetry?.failures).toBeGreaterThanOrEqual(1);
        expect(s.electorState).toBe('INIT');
      }, 30_000);
      const healthz = await httpGet(c.node('nn2').statusPort, '/healthz');
      expect(healthz.status).toBe(200);
      expect(healthz.body).toContain('ZooKeeper unreachable');
      const { samples } = await scrapeMetrics(c, 'nn2');
      expect(metricValue(samples, 'zkfc_zk_connect_failures')).toBeGreaterThanOrEqual(1);

      // Both ride out the outage: alive and answering, nn1's NameNode left as it was.
      while (Date.now() - downAt < OUTAGE_MS) {
        await sleep(15_000);
        expect(nn1.exitCode).toBeNull();
        expect(nn2.exitCode).toBeNull();
        expect((await status(c, 'nn2')).zookeeperRetry).not.toBeNull();
      }
      expect((await status(c, 'nn2')).zookeeperRetry?.failures).toBeGreaterThanOrEqual(5);
      expect(await c.activeNamenodes()).toEqual(['nn1']);

      await c.zk.restart(zkId);
      await eventually(async () => {
        for (const id of ['nn1', 'nn2']) {
          const s = await status(c, id);
          expect(s.zkConnectionState).toBe('CONNECTED');
          expect(s.zookeeperRetry).toBeNull();
        }
        expect((await status(c, 'nn2')).electorState).toBe('STANDBY');
      }, 60_000);
      const after = await scrapeMetrics(c, 'nn2');
      expect(metricValue(after.samples, 'zkfc_zk_connect_failures')).toBe(0);

      // No human action: the active NameNode dies and nn2 takes over.
      await c.killNamenode('nn1');
      await c.waitForActive(30_000, 'nn2');
      expect(nn1.exitCode).toBeNull();
      expect(nn2.exitCode).toBeNull();
      expect(c.splitBrainViolations()).toEqual([]);
    },
    OUTAGE_MS + 180_000,
  );
});
