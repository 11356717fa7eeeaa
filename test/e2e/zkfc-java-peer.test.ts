// Goal: our daemon shares a nameservice with a Java ZKFC through ZooKeeper alone (docs/hadoop-compat.md §4.1, §4.2,
// 5.3-5.5, 7.3): while a Java ZKFC holds the lock our daemon waits as standby (its NameNode
// standby, the lock and breadcrumb untouched); when that ZKFC's session closes, our daemon wins,
// fences the NameNode the breadcrumb names (gracefully when it answers; with the configured shell
// method when it refuses), overwrites the breadcrumb with its own ActiveNodeInfo and makes its
// NameNode active.
// Method: MiniCluster with host names, then IP literals, in hdfs-site.xml; the test plays
// the Java ZKFC of nn1: its own ZooKeeper session (node-zookeeper-client, not our adapter) creates
// the EPHEMERAL lock and the PERSISTENT breadcrumb with ActiveNodeInfo bytes as Java's
// DFSZKFailoverController.targetToData writes them (InetSocketAddress.getHostName() of a configured
// host name is that name), and nn1's simulated NameNode starts active. Our built zkfc runs for nn2.
// Ownership is checked through the lock's ephemeralOwner; the split-brain oracle checks the run.
import { afterEach, describe, expect, it } from 'vitest';
import { decodeActiveNodeInfo, encodeActiveNodeInfo } from '../../src/hadoop/active-node-info.js';
import type { MiniCluster } from '../../tools/testing/mini-cluster.js';
import type { ZkfcStatus } from '../../src/observability/status.js';
import { metricValue, scrapeMetrics, startE2eCluster, stopE2eCluster, ZkTestClient } from '../support/e2e-zkfc.js';
import { eventually, sleep } from '../../tools/testing/wait.js';

const WORKING_DIR = '/hadoop-ha/ns1';
const LOCK = `${WORKING_DIR}/ActiveStandbyElectorLock`;
const BREADCRUMB = `${WORKING_DIR}/ActiveBreadCrumb`;

let cluster: MiniCluster | undefined;
const clients: ZkTestClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await stopE2eCluster(cluster);
  cluster = undefined;
});

async function zkClient(c: MiniCluster): Promise<ZkTestClient> {
  const client = await ZkTestClient.connect(c.zk.connectString, { sessionTimeoutMs: c.sessionTimeoutMs });
  clients.push(client);
  return client;
}

async function zkfcStatus(c: MiniCluster, id: string): Promise<ZkfcStatus> {
  const status = await c.zkfcStatus(id, 3000);
  if (status === undefined) throw new Error(`zkfc ${id} does not serve /status`);
  return status as unknown as ZkfcStatus;
}

/**
 * nn1 active under a "Java ZKFC" (the returned session holds the lock, the breadcrumb names nn1);
 * nn2's NameNode and our daemon for it started and settled as standby.
 */
async function javaPeerHoldsTheLock(
  namenodeHost: string,
): Promise<{ c: MiniCluster; javaZkfc: ZkTestClient; inspector: ZkTestClient }> {
  const c = (cluster = await startE2eCluster({ namenodeHost }));
  await Promise.all([c.startNamenode('nn1', ['--initial-state', 'active']), c.startNamenode('nn2')]);
  const javaZkfc = await zkClient(c);
  const nn1 = c.node('nn1');
  const activeNodeInfo = encodeActiveNodeInfo({
    nameserviceId: 'ns1',
    namenodeId: 'nn1',
    hostname: 'localhost',
    port: nn1.rpcPort,
    zkfcPort: nn1.zkfcPort,
  });
  // ActiveStandbyElector order: win the lock, then (after fencing nobody) write the breadcrumb.
  await javaZkfc.create(LOCK, activeNodeInfo, 'EPHEMERAL');
  await javaZkfc.create(BREADCRUMB, activeNodeInfo, 'PERSISTENT');
  const inspector = await zkClient(c);

  await c.startZkfc('nn2');
  await eventually(async () => {
    const status = await zkfcStatus(c, 'nn2');
    expect(status).toMatchObject({ electorState: 'STANDBY', haState: 'STANDBY', healthState: 'SERVICE_HEALTHY' });
    expect(status.lockHolder).toEqual({
      nameserviceId: 'ns1',
      namenodeId: 'nn1',
      hostname: 'localhost',
      port: nn1.rpcPort,
      zkfcPort: nn1.zkfcPort,
    });
  }, 10_000);

  // It keeps waiting: several health rounds later nothing moved.
  const breadcrumbBefore = await inspector.getData(BREADCRUMB);
  await sleep(4 * c.checkIntervalMs);
  const lock = await inspector.exists(LOCK);
  expect(lock?.ephemeralOwner).toEqual(javaZkfc.sessionId);
  expect((await inspector.getData(BREADCRUMB))?.stat.mzxid).toEqual(breadcrumbBefore?.stat.mzxid);
  expect(await c.activeNamenodes()).toEqual(['nn1']);
  expect((await zkfcStatus(c, 'nn2')).electorState).toBe('STANDBY');
  return { c, javaZkfc, inspector };
}

/** After the takeover: the lock is our daemon's, the breadcrumb names nn2 in Java's encoding. */
async function expectOurDaemonOwnsTheElection(
  c: MiniCluster,
  javaZkfc: ZkTestClient,
  inspector: ZkTestClient,
): Promise<void> {
  const lock = await inspector.getData(LOCK);
  expect(lock).not.toBeNull();
  expect(lock!.stat.ephemeralOwner).not.toEqual(javaZkfc.sessionId);
  const nn2 = c.node('nn2');
  const expected = {
    nameserviceId: 'ns1',
    namenodeId: 'nn2',
    hostname: 'localhost',
    port: nn2.rpcPort,
    zkfcPort: nn2.zkfcPort,
  };
  expect(decodeActiveNodeInfo(lock!.data, LOCK)).toEqual(expected);
  const breadcrumb = await inspector.getData(BREADCRUMB);
  // Byte-identical to what a Java ZKFC would write for nn2 (it compares these bytes to its own).
  expect(breadcrumb?.data).toEqual(Buffer.from(encodeActiveNodeInfo(expected)));
  expect(breadcrumb?.stat.ephemeralOwner.equals(Buffer.alloc(8))).toBe(true);
}

// Java writes InetSocketAddress.getHostName(): the configured name, or for a configured IP literal
// its reverse-resolved name ("localhost" for 127.0.0.1). Both configurations must interoperate,
// and our own breadcrumb must carry the same host string Java would write.
describe.each(['localhost', '127.0.0.1'])(
  'our zkfc next to a Java ZKFC (NameNodes configured as %s)',
  (namenodeHost) => {
    it(
      'waits as standby while the Java ZKFC holds the lock; when ' +
        'its session closes, fences nn1 gracefully and takes over',
      async () => {
        const { c, javaZkfc, inspector } = await javaPeerHoldsTheLock(namenodeHost);

        await javaZkfc.close();
        await c.waitForActive(10_000, 'nn2');
        // nn1 answered: the graceful transitionToStandby fenced it; no fencing method ran.
        expect(await c.namenodeState('nn1')).toBe('standby');
        expect(c.node('nn1').sim?.exitCode).toBeNull();
        const samples = (await scrapeMetrics(c, 'nn2')).samples;
        expect(metricValue(samples, 'zkfc_fencing_attempts_total', { method: 'graceful', result: 'success' })).toBe(1);
        expect(metricValue(samples, 'zkfc_fencing_attempts_total', { method: 'shell' })).toBe(0);
        await expectOurDaemonOwnsTheElection(c, javaZkfc, inspector);
        await eventually(
          async () =>
            expect((await zkfcStatus(c, 'nn2')).lastFailover).toMatchObject({
              from: 'nn1',
              to: 'nn2',
              reason: 'election',
            }),
          5_000,
        );
        expect(c.splitBrainViolations()).toEqual([]);
      },
    );

    it('when the old active refuses to stand down, the shell method kills it before nn2 becomes active', async () => {
      const { c, javaZkfc, inspector } = await javaPeerHoldsTheLock(namenodeHost);
      const nn1Pid = c.node('nn1').sim?.pid;
      await c.namenodeFault('nn1', 'refuse-transitions');

      await javaZkfc.close();
      await c.waitForActive(10_000, 'nn2');
      const nn1Exit = await c.exitOf(c.node('nn1').sim!);
      expect(nn1Exit.signal).toBe('SIGKILL');
      const samples = (await scrapeMetrics(c, 'nn2')).samples;
      expect(metricValue(samples, 'zkfc_fencing_attempts_total', { method: 'graceful', result: 'success' })).toBe(0);
      expect(metricValue(samples, 'zkfc_fencing_attempts_total', { method: 'graceful' })).toBe(1);
      expect(metricValue(samples, 'zkfc_fencing_attempts_total', { method: 'shell', result: 'success' })).toBe(1);
      // The kill was recorded by the fencing script before nn2 was made active (the oracle uses it).
      expect(c.ends().has(nn1Pid!)).toBe(true);
      await expectOurDaemonOwnsTheElection(c, javaZkfc, inspector);
      expect(c.splitBrainViolations()).toEqual([]);
    });
  },
);
