// Goal: the daemon reads its NameNode's HTTP view (JMX NameNodeStatus, FSNamesystem, NameNodeInfo
// Safemode / JournalTransactionInfo, /isActive) and shows it in GET /status, in /metrics and in
// `haadmin status`, following the NameNode: safe mode entered, transaction ids and a stale standby
// (set through the simulator's control interface) appear within a few reads, with a log line for
// the safe-mode change. And the view is off the election path: a NameNode whose HTTP port accepts
// connections and never answers leaves the view down (timedOut, naming the URL) while health
// checks stay healthy and a crash failover to that NameNode is as quick as ever.
// Method: MiniCluster (real ZooKeeper, simulated NameNode processes, the built zkfc daemons) with
// zkfc.namenode-http.interval.ms=300; for the second case nn2's dfs.namenode.http-address points at
// a TCP listener of the test that accepts and stays silent.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { MiniCluster } from '../../tools/testing/mini-cluster.js';
import type { ZkfcStatus } from '../../src/observability/status.js';
import {
  httpGet,
  metricValue,
  runHaadmin,
  scrapeMetrics,
  startE2eCluster,
  stopE2eCluster,
  zkfcLogRecords,
} from '../support/e2e-zkfc.js';
import { eventually } from '../../tools/testing/wait.js';

let cluster: MiniCluster | undefined;
let silent: net.Server | undefined;
const silentSockets = new Set<net.Socket>();

afterEach(async () => {
  await stopE2eCluster(cluster);
  cluster = undefined;
  for (const socket of silentSockets) socket.destroy();
  silentSockets.clear();
  await new Promise((resolve) => (silent === undefined ? resolve(undefined) : silent.close(resolve)));
  silent = undefined;
});

const VIEW_CONF = { 'zkfc.namenode-http.interval.ms': '300', 'zkfc.namenode-http.timeout.ms': '1000' };

async function status(c: MiniCluster, id: string): Promise<ZkfcStatus> {
  const { status: code, body } = await httpGet(c.node(id).statusPort, '/status');
  expect(code).toBe(200);
  return JSON.parse(body) as ZkfcStatus;
}

async function simControl(c: MiniCluster, id: string, path: string, body: unknown): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${c.node(id).httpPort}${path}`, {
    method: 'POST',
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  });
  expect(response.status, await response.text()).toBe(200);
}

describe('the NameNode HTTP view in /status, /metrics and haadmin status', () => {
  it('shows each NameNode as it says it is, and follows safe mode, transaction ids and a stale standby', async () => {
    const c = (cluster = await startE2eCluster({ extraConf: VIEW_CONF }));
    await Promise.all([c.startNamenode('nn1'), c.startNamenode('nn2')]);
    await c.startZkfc('nn1');
    await c.waitForActive(20_000, 'nn1');
    await c.startZkfc('nn2');

    await eventually(async () => {
      const [s1, s2] = await Promise.all([status(c, 'nn1'), status(c, 'nn2')]);
      expect(s1.namenodeHttp).toMatchObject({
        url: `http://127.0.0.1:${c.node('nn1').httpPort}`,
        up: true,
        isActiveMismatch: false,
        lastError: null,
        view: {
          state: 'ACTIVE',
          namesystemHAState: 'ACTIVE',
          isActive: true,
          inSafemode: false,
          safemode: '',
          millisSinceLastLoadedEdits: 0,
          lastAppliedOrWrittenTxId: 1,
          hostAndPort: `127.0.0.1:${c.node('nn1').rpcPort}`,
        },
      });
      expect(s1.namenodeHttp?.view?.lastHATransitionTime).not.toBeNull();
      expect(s1.namenodeHttp?.ageMs).toBeLessThan(3000);
      expect(s2.namenodeHttp).toMatchObject({
        up: true,
        view: { state: 'STANDBY', namesystemHAState: 'STANDBY', isActive: false, inSafemode: false },
      });
      expect(s2.namenodeHttp?.view?.millisSinceLastLoadedEdits).toBeLessThan(2000);
    }, 20_000);

    const before = await scrapeMetrics(c, 'nn2');
    expect(metricValue(before.samples, 'zkfc_namenode_http_view_up')).toBe(1);
    expect(metricValue(before.samples, 'zkfc_namenode_safemode')).toBe(0);
    expect(metricValue(before.samples, 'zkfc_namenode_isactive_mismatch')).toBe(0);
    expect(metricValue(before.samples, 'zkfc_namenode_http_reads_total', { result: 'ok' })).toBeGreaterThan(0);

    // The standby enters safe mode, falls 10 minutes behind, and reports later transaction ids.
    await simControl(c, 'nn2', '/sim/safemode', { on: true });
    await simControl(c, 'nn2', '/sim/edits', {
      lastAppliedOrWrittenTxId: 900,
      mostRecentCheckpointTxId: 800,
      millisSinceLastLoadedEdits: 600_000,
    });
    await eventually(async () => {
      const view = (await status(c, 'nn2')).namenodeHttp?.view;
      expect(view).toMatchObject({
        inSafemode: true,
        safemode:
          'Safe mode is ON. It was turned on manually. Use "hdfs dfsadmin -safemode leave" to turn safe mode off.',
        lastAppliedOrWrittenTxId: 900,
        mostRecentCheckpointTxId: 800,
      });
      expect(view?.millisSinceLastLoadedEdits).toBeGreaterThanOrEqual(600_000);
      const { samples } = await scrapeMetrics(c, 'nn2');
      expect(metricValue(samples, 'zkfc_namenode_safemode')).toBe(1);
      expect(metricValue(samples, 'zkfc_namenode_last_applied_or_written_txid')).toBe(900);
      expect(metricValue(samples, 'zkfc_namenode_most_recent_checkpoint_txid')).toBe(800);
      expect(metricValue(samples, 'zkfc_namenode_since_last_loaded_edits_seconds')).toBeGreaterThanOrEqual(600);
    }, 10_000);
    const safemodeLines = zkfcLogRecords(c, 'nn2').filter((r) => r['msg'] === 'NameNode safe mode changed');
    expect(safemodeLines).toEqual([
      expect.objectContaining({
        component: 'nn-http',
        level: 30,
        from: 'off',
        to: 'on',
        reason:
          'Safe mode is ON. It was turned on manually. Use "hdfs dfsadmin -safemode leave" to turn safe mode off.',
      }),
    ]);

    const table = await runHaadmin(c, ['status'], { timeoutMs: 30_000 });
    expect(table.stdout).toContain('NameNode HTTP view (as each zkfc reads its NameNode: JMX and /isActive):');
    expect(table.stdout).toMatch(/ nn2 +standby +SAFE MODE +edits loaded \d+ s ago +txid 900 +\/isActive agrees +up/);
    expect(table.stdout).toMatch(/ nn1 +active +safe mode off +edits loaded 0 s ago +txid 1 +\/isActive agrees +up/);
  });

  it('a NameNode whose HTTP side hangs: the view is down, health and failover are not delayed', async () => {
    silent = net.createServer((socket) => {
      silentSockets.add(socket);
      socket.on('close', () => silentSockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent!.listen(0, '127.0.0.1', resolve));
    const silentPort = (silent.address() as net.AddressInfo).port;
    const c = (cluster = await startE2eCluster({
      extraConf: { ...VIEW_CONF, 'dfs.namenode.http-address.ns1.nn2': `127.0.0.1:${silentPort}` },
    }));
    await Promise.all([c.startNamenode('nn1'), c.startNamenode('nn2')]);
    await c.startZkfc('nn1');
    await c.waitForActive(20_000, 'nn1');
    await c.startZkfc('nn2');

    await eventually(async () => {
      const s2 = await status(c, 'nn2');
      expect(s2.healthState).toBe('SERVICE_HEALTHY');
      expect(s2.electorState).toBe('STANDBY');
      expect(s2.namenodeHttp).toMatchObject({
        url: `http://127.0.0.1:${silentPort}`,
        up: false,
        view: null,
        lastError: { kind: 'timedOut' },
      });
      expect(s2.namenodeHttp?.lastError?.message).toMatch(
        new RegExp(`^GET http://127\\.0\\.0\\.1:${silentPort}/\\S+: no complete answer within 1000 ms`),
      );
    }, 20_000);
    const { samples } = await scrapeMetrics(c, 'nn2');
    expect(metricValue(samples, 'zkfc_namenode_http_view_up')).toBe(0);
    expect(metricValue(samples, 'zkfc_namenode_http_reads_total', { result: 'timedOut' })).toBeGreaterThan(0);
    // Values of a view never read are absent, not a made-up 0.
    expect(samples.some((s) => s.name === 'zkfc_namenode_safemode')).toBe(false);

    // The crash failover to the NameNode whose HTTP side hangs is not held up by it.
    const killedAt = Date.now();
    await c.killNamenode('nn1');
    await c.waitForActive(20_000, 'nn2');
    const failoverMs = Date.now() - killedAt;
    // The session timeout is 3 s here; a read held up by the silent port would add its 1 s per read.
    expect(failoverMs).toBeLessThan(8000);
    expect((await status(c, 'nn2')).healthState).toBe('SERVICE_HEALTHY');
    const viewLines = zkfcLogRecords(c, 'nn2').filter((r) => r['msg'] === 'NameNode HTTP view changed');
    // One line for the change to down; the repeated timeouts are not logged again.
    expect(viewLines).toHaveLength(1);
    expect(viewLines[0]).toMatchObject({ level: 40, from: 'unknown', to: 'down: timedOut', component: 'nn-http' });
  });
});
