// Goal: hostile ZooKeeper data (any client may write under the default, world-writable ACL) can
// stall the election as it stalls Hadoop's, but never silently and never by flooding the log:
// - a squatted persistent lock: every daemon reports it (log once, /metrics, haadmin status with
//   the command that clears it) and running that command lets the election complete;
// - a forged breadcrumb with a 60 KiB host name, then the active NameNode's death: the survivor
//   refuses to fence it about once a second, yet its log grows by less than LOG_BYTES_PER_DAY_BOUND
//   (64 MiB a day; measured over 65 s and extrapolated), and the refusal is reported once.
// Method: a real nameservice per test; the attacker is its own ZooKeeper session without
// credentials; the daemons' log files are measured from outside.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeActiveNodeInfo } from '../../src/hadoop/active-node-info.js';
import { runHaadmin, scrapeMetrics, metricValue, ZkTestClient } from '../support/e2e-zkfc.js';
import { fileBytes, startAbuseCluster, stopAbuseCluster, type AbuseCluster } from './harness.js';
import { sleep, waitUntil } from '../../tools/testing/wait.js';

/** Stated bound (README, "Security model"): log growth under a forged breadcrumb. */
const LOG_BYTES_PER_DAY_BOUND = 64 * 1024 * 1024;

let setup: AbuseCluster | undefined;
const clients: ZkTestClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
  await stopAbuseCluster(setup?.cluster);
  setup = undefined;
});

async function attacker(cluster: AbuseCluster['cluster']): Promise<ZkTestClient> {
  const client = await ZkTestClient.connect(cluster.zk.connectString);
  clients.push(client);
  return client;
}

function countLines(path: string, msg: string): number {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.includes(`"msg":"${msg}"`)).length;
}

describe('abuse: hostile ZooKeeper data', () => {
  it(
    'a squatted persistent lock is reported by every daemon (log once, ' +
      'metrics, haadmin status with the command); the command clears it',
    async () => {
      setup = await startAbuseCluster();
      const { cluster } = setup;
      const lock = `/hadoop-ha/${cluster.nameserviceId}/ActiveStandbyElectorLock`;
      // Both daemons leave the election (the lock goes with the active's session); the attacker squats.
      for (const id of cluster.nodes.keys()) await cluster.stopZkfc(id);
      const squatter = await attacker(cluster);
      await squatter.create(
        lock,
        encodeActiveNodeInfo({ nameserviceId: 'ns1', namenodeId: 'evil', hostname: 'squatter', port: 1, zkfcPort: 1 }),
        'PERSISTENT',
      );
      for (const id of cluster.nodes.keys()) await cluster.startZkfc(id);

      for (const id of cluster.nodes.keys()) {
        await waitUntil(
          async () =>
            metricValue((await scrapeMetrics(cluster, id)).samples, 'zkfc_zookeeper_problem', {
              problem: 'lock-not-ephemeral',
            }) === 1
              ? true
              : undefined,
          15_000,
          `${id} reports the squatted lock`,
        );
      }
      // Several seconds of being stuck: still one report per daemon.
      await sleep(3000);
      for (const id of cluster.nodes.keys()) {
        const log = cluster.node(id).zkfcLog;
        const reports = readFileSync(log, 'utf8')
          .split('\n')
          .filter(
            (line) => line.includes('"problem":"lock-not-ephemeral"') && line.includes('an operator must clear it'),
          );
        expect(reports).toHaveLength(1);
      }
      const status = await runHaadmin(cluster, ['-ns', cluster.nameserviceId, '-status']);
      expect(status.code).toBe(2); // no active NameNode
      const command = `zkCli.sh -server ${cluster.zk.connectString} delete ${lock}`;
      expect(status.stdout).toContain(`is persistent: no ZooKeeper session owns it`);
      expect(status.stdout).toContain(command);

      // The operator runs the command (here: the same delete through a client).
      await squatter.remove(lock);
      await cluster.waitForActive(20_000);
      for (const id of cluster.nodes.keys()) {
        await waitUntil(
          async () =>
            metricValue((await scrapeMetrics(cluster, id)).samples, 'zkfc_zookeeper_problem', {
              problem: 'lock-not-ephemeral',
            }) === 0
              ? true
              : undefined,
          10_000,
          `${id} clears the report`,
        );
      }
    },
  );

  it(
    'a forged breadcrumb with a 60 KiB host name and a dead active: ' +
      'the log grows below the stated rate, the refusal is reported once',
    async () => {
      setup = await startAbuseCluster();
      const { cluster, active, standby } = setup;
      const crumb = `/hadoop-ha/${cluster.nameserviceId}/ActiveBreadCrumb`;
      const forger = await attacker(cluster);
      const port = cluster.node(active).rpcPort;
      await forger.setData(
        crumb,
        encodeActiveNodeInfo({
          nameserviceId: cluster.nameserviceId,
          namenodeId: active,
          hostname: 'f'.repeat(60 * 1024),
          port,
          zkfcPort: 8019,
        }),
      );
      // The active's zkfc dies with its NameNode: the survivor wins the lock and finds the forgery.
      await cluster.stopZkfc(active, 'SIGKILL');
      await cluster.killNamenode(active);
      const log = cluster.node(standby).zkfcLog;
      await waitUntil(
        () =>
          countLines(log, 'Refusing to fence: the breadcrumb does not name a NameNode of our configuration') > 0
            ? true
            : undefined,
        30_000,
        'the survivor refuses the forged breadcrumb',
      );
      // Each retry releases the lock by closing its session and opens a new one: count sessions.
      const sessions = async (): Promise<number> =>
        metricValue((await scrapeMetrics(cluster, standby)).samples, 'zkfc_zk_session_events_total', {
          event: 'connected',
        });
      const startBytes = fileBytes(log);
      const startSessions = await sessions();
      const startRefusals = countLines(
        log,
        'Refusing to fence: the breadcrumb does not name a NameNode of our configuration',
      );
      // Longer than the log's repeat window (60 s), so the lines written when a window rolls over count.
      const measureMs = 65_000;
      await sleep(measureMs);
      const grownBytes = fileBytes(log) - startBytes;
      const retries = (await sessions()) - startSessions;
      const perDay = (grownBytes / measureMs) * 86_400_000;
      // The daemon really kept retrying during the measurement (about once a second) ...
      expect(retries).toBeGreaterThan(30);
      // ... yet the log grew below the bound, and no line carries the 60 KiB name.
      expect(perDay, `${grownBytes} bytes in ${measureMs} ms, ${retries} retries`).toBeLessThan(
        LOG_BYTES_PER_DAY_BOUND,
      );
      expect(
        Math.max(
          ...readFileSync(log, 'utf8')
            .split('\n')
            .map((line) => line.length),
        ),
      ).toBeLessThan(16 * 1024);
      expect(startRefusals).toBeGreaterThan(0);
      expect(countLines(log, 'ZooKeeper data blocks automatic failover; an operator must clear it')).toBe(1);
      const metrics = await scrapeMetrics(cluster, standby);
      expect(metricValue(metrics.samples, 'zkfc_zookeeper_problem', { problem: 'breadcrumb-refused' })).toBe(1);
    },
  );
});
