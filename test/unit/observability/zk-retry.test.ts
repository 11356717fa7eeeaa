// Goal: a ZooKeeper outage the daemon waits out (zkfc.zookeeper.retry-forever) shows in /status
// (since when, how many failed attempts, the next attempt), in zkfc_zk_connect_failures and in
// haadmin's view, and goes away when a session connects.
// Method: feed the controller's zkRetry and connection records through applyRecord into a real
// StatusBoard and ZkfcMetrics, and read /status through haadmin's parser.
import { describe, expect, it } from 'vitest';
import { parseZkfcStatus } from '../../../src/cli/haadmin/zkfc-status-client.js';
import { applyRecord } from '../../../src/observability/apply-record.js';
import { ZkfcMetrics } from '../../../src/observability/metrics.js';
import { StatusBoard } from '../../../src/observability/status.js';
import { ManualClock } from '../../../tools/testing/clock.js';

const identity = { nameservice: 'ns1', namenode: 'nn1', namenodeAddress: 'nn1.example.com:8020', version: '0.1.0' };
const T0 = Date.parse('2026-12-04T05:00:00.000Z');

async function connectFailures(metrics: ZkfcMetrics): Promise<number> {
  const line = (await metrics.metricsText()).split('\n').find((l) => l.startsWith('zkfc_zk_connect_failures '));
  return Number(line?.split(' ')[1]);
}

describe('ZooKeeper outage in the status model', () => {
  it('keeps the start of the outage across retries, and clears it on connect', async () => {
    const status = new StatusBoard(identity, new ManualClock());
    const metrics = new ZkfcMetrics({ version: '1', processMetrics: false });
    const sinks = { status, metrics };
    const retry = (failures: number, atMs: number, delayMs: number) =>
      applyRecord(
        {
          type: 'zkRetry',
          retry: {
            failures,
            delayMs,
            reason: 'no ZooKeeper server answered',
            failedAtWallMs: atMs,
            nextAttemptWallMs: atMs + delayMs,
          },
        },
        sinks,
      );
    expect(status.status().zookeeperRetry).toBeNull();
    retry(1, T0, 5000);
    applyRecord({ type: 'zkRetry', retry: null }, sinks); // an attempt under way
    retry(2, T0 + 15_000, 10_000);
    expect(status.status().zookeeperRetry).toEqual({
      failures: 2,
      reason: 'no ZooKeeper server answered',
      since: '2026-12-04T05:00:00.000Z',
      nextAttemptAt: '2026-12-04T05:00:25.000Z',
    });
    expect(await connectFailures(metrics)).toBe(2);
    // haadmin reads it back from /status, and its cluster view names it.
    const parsed = parseZkfcStatus(JSON.parse(JSON.stringify(status.status())), 'nn1:8021');
    expect(parsed.zookeeperRetry?.failures).toBe(2);

    applyRecord({ type: 'zkConnectionStateChanged', from: 'TERMINATED', to: 'CONNECTED' }, sinks);
    expect(status.status().zookeeperRetry).toBeNull();
    expect(await connectFailures(metrics)).toBe(0);
    // The next outage starts afresh.
    retry(1, T0 + 60_000, 5000);
    expect(status.status().zookeeperRetry?.since).toBe('2026-12-04T05:01:00.000Z');
  });

  it('haadmin rejects a zookeeperRetry that is not an object, naming the field', () => {
    const board = new StatusBoard(identity, new ManualClock());
    const json = { ...JSON.parse(JSON.stringify(board.status())), zookeeperRetry: 'down' };
    expect(() => parseZkfcStatus(json, 'nn1:8021')).toThrow(/status\.zookeeperRetry/);
  });
});
