// Goal: SIGTERM stops the `zkfc` daemon the way Hadoop's ZKFC stops (docs/hadoop-compat.md §5.8, §7.1 step 9): exit 0
// within a bound; the ephemeral lock is released at once by closing the session (a peer takes over
// well before the session timeout); the breadcrumb is kept (quitElection(needFence=true)), so the
// next active fences the old one; the local NameNode is not touched (no transition, state kept).
// Stopping a standby daemon leaves the active alone.
// Method: MiniCluster (real ZooKeeper, two simulated NameNode processes, the built zkfc daemons,
// Hadoop XML); the lock and breadcrumb are read with an independent ZooKeeper client, the
// NameNodes' own transition logs show whether anything touched them, and the split-brain oracle
// checks the whole run.
import { afterEach, describe, expect, it } from 'vitest';
import { decodeActiveNodeInfo } from '../../src/hadoop/active-node-info.js';
import type { MiniCluster } from '../../tools/testing/mini-cluster.js';
import {
  scrapeMetrics,
  metricValue,
  startE2eCluster,
  stopE2eCluster,
  zkfcLogRecords,
  ZkTestClient,
} from '../support/e2e-zkfc.js';
import { eventually, sleep } from '../../tools/testing/wait.js';

const LOCK = '/hadoop-ha/ns1/ActiveStandbyElectorLock';
const BREADCRUMB = '/hadoop-ha/ns1/ActiveBreadCrumb';
/** SIGTERM → exit: closing the session, the RPC and HTTP listeners; generous for a loaded 2-core machine. */
const STOP_BOUND_MS = 5000;

let cluster: MiniCluster | undefined;
let inspector: ZkTestClient | undefined;

afterEach(async () => {
  await inspector?.close();
  inspector = undefined;
  await stopE2eCluster(cluster);
  cluster = undefined;
});

function transitionsOf(c: MiniCluster, id: string): number {
  return c.transitionEntries().filter((e) => e.namenodeId === id).length;
}

describe('zkfc SIGTERM', () => {
  it('exits 0, drops the lock at once, keeps the breadcrumb and leaves the active NameNode as it is', async () => {
    const c = (cluster = await startE2eCluster());
    await Promise.all([c.startNamenode('nn1'), c.startNamenode('nn2')]);
    await c.startZkfc('nn1');
    await c.waitForActive(20_000, 'nn1');
    inspector = await ZkTestClient.connect(c.zk.connectString);
    expect(await inspector.exists(LOCK)).not.toBeNull();
    const nn1Transitions = transitionsOf(c, 'nn1');

    const signalledMs = Date.now();
    const exit = await c.stopZkfc('nn1', 'SIGTERM', STOP_BOUND_MS);
    const stopMs = Date.now() - signalledMs;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(stopMs).toBeLessThan(STOP_BOUND_MS);

    // The session was closed, not left to expire: the ephemeral lock is already gone.
    expect(await inspector.exists(LOCK)).toBeNull();
    // needFence = true: the breadcrumb still names nn1, so whoever wins next must fence it.
    const breadcrumb = await inspector.getData(BREADCRUMB);
    expect(breadcrumb).not.toBeNull();
    expect(decodeActiveNodeInfo(breadcrumb!.data, BREADCRUMB)).toMatchObject({
      nameserviceId: 'ns1',
      namenodeId: 'nn1',
      port: c.node('nn1').rpcPort,
    });
    // The NameNode was not touched: still active, no transition since.
    expect(await c.namenodeState('nn1')).toBe('active');
    expect(transitionsOf(c, 'nn1')).toBe(nn1Transitions);
    const stopped = zkfcLogRecords(c, 'nn1').find((r) => r['msg'] === 'zkfc stopped');
    expect(stopped?.['signal']).toBe('SIGTERM');

    // The next ZKFC reads the breadcrumb and fences nn1 (gracefully: nn1 is alive and answers).
    await c.startZkfc('nn2');
    await c.waitForActive(20_000, 'nn2');
    expect(await c.namenodeState('nn1')).toBe('standby');
    const { samples } = await scrapeMetrics(c, 'nn2');
    expect(metricValue(samples, 'zkfc_fencing_operations_total', { result: 'graceful' })).toBe(1);
    expect(metricValue(samples, 'zkfc_failovers_total', { reason: 'election' })).toBe(1);
    expect(c.splitBrainViolations()).toEqual([]);
  });

  it('the peer takes over long before the session timeout (the lock is released, not expired)', async () => {
    const sessionTimeoutMs = 8000;
    const c = (cluster = await startE2eCluster({ sessionTimeoutMs }));
    await Promise.all([c.startNamenode('nn1'), c.startNamenode('nn2')]);
    await c.startZkfc('nn1');
    await c.waitForActive(20_000, 'nn1');
    await c.startZkfc('nn2');
    // nn2's daemon is in the election as standby before nn1's stops.
    await eventually(async () => expect((await c.zkfcStatus('nn2'))?.['electorState']).toBe('STANDBY'), 5_000);

    const signalledMs = Date.now();
    c.signalZkfc('nn1', 'SIGTERM');
    await c.waitForActive(sessionTimeoutMs, 'nn2');
    const takeoverMs = Date.now() - signalledMs;
    expect(takeoverMs).toBeLessThan(sessionTimeoutMs / 2);
    // The one SIGTERM above, as systemd sends it (a second one could land in Node's exit teardown).
    expect(await c.zkfcExit('nn1', STOP_BOUND_MS)).toEqual({ code: 0, signal: null });
    // nn1 was fenced gracefully by nn2's daemon (breadcrumb kept), not killed.
    expect(await c.namenodeState('nn1')).toBe('standby');
    expect(c.node('nn1').sim?.exitCode).toBeNull();
    expect(c.splitBrainViolations()).toEqual([]);
  });

  it('stopping the standby daemon does not disturb the active', async () => {
    const c = (cluster = await startE2eCluster());
    await Promise.all([c.startNamenode('nn1'), c.startNamenode('nn2')]);
    await c.startZkfc('nn1');
    await c.waitForActive(20_000, 'nn1');
    await c.startZkfc('nn2');
    await eventually(async () => expect((await c.zkfcStatus('nn2'))?.['electorState']).toBe('STANDBY'), 5_000);
    inspector = await ZkTestClient.connect(c.zk.connectString);
    const lockBefore = await inspector.exists(LOCK);
    const transitionsBefore = c.transitionEntries().length;

    expect(await c.stopZkfc('nn2', 'SIGTERM', STOP_BOUND_MS)).toEqual({ code: 0, signal: null });
    // Give any wrong reaction (a lock re-creation, a transition) time to show.
    await sleep(1500);
    const lockAfter = await inspector.exists(LOCK);
    expect(lockAfter?.czxid).toEqual(lockBefore?.czxid);
    expect(c.transitionEntries().length).toBe(transitionsBefore);
    expect(await c.activeNamenodes()).toEqual(['nn1']);
    expect(await c.namenodeState('nn2')).toBe('standby');
  });
});
