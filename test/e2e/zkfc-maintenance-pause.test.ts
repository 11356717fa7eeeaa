// Goal: `haadmin pause` holds automatic failover still across real daemons and `haadmin resume`
// or the TTL lets it go: while paused, an unhealthy active keeps the lock and stays active, the
// standby stays out, -failover is refused, /status and the metrics show the pause; after resume
// the failover happens at once; a short TTL ends by itself; a pause is refused while a NameNode's
// controller does not answer /status (it could be Hadoop's ZKFC, which ignores pauses).
// Method: MiniCluster (real ZooKeeper, simulated NameNodes, the built zkfc daemons) and the built
// haadmin; the split-brain oracle at the end. The daemons keep the default fallback re-read (30 s),
// longer than the waits for the pause and the resume to show: those arrive by the znode's watch.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { ZkfcStatus } from '../../src/observability/status.js';
import type { MiniCluster } from '../../tools/testing/mini-cluster.js';
import { eventually, sleep } from '../../tools/testing/wait.js';
import {
  metricValue,
  runHaadmin,
  scrapeMetrics,
  startE2eCluster,
  stopE2eCluster,
  zkfcLogRecords,
} from '../support/e2e-zkfc.js';

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

describe('maintenance pause', () => {
  it('holds an unhealthy active in place until resume, then fails over; a TTL ends by itself', async () => {
    const c = (cluster = await startE2eCluster());
    await Promise.all([c.startNamenode('nn1'), c.startNamenode('nn2')]);
    await c.startZkfc('nn1');
    await c.waitForActive(20_000, 'nn1');
    await c.startZkfc('nn2');
    await eventually(async () => expect((await status(c, 'nn2')).electorState).toBe('STANDBY'), 10_000);

    const paused = await runHaadmin(c, ['pause', '--ttl', '10m', '--reason', 'disk swap on nn1']);
    expect(paused.stderr).toBe('');
    expect(paused.code).toBe(0);
    expect(paused.stdout).toMatch(/Automatic failover of ns1 paused until \S+ by \S+@\S+: disk swap on nn1/);
    await eventually(async () => {
      for (const id of ['nn1', 'nn2']) expect((await status(c, id)).maintenancePause?.reason).toBe('disk swap on nn1');
      expect((await status(c, 'nn2')).electorState).toBe('INIT');
    }, 10_000);
    const { samples } = await scrapeMetrics(c, 'nn1');
    expect(metricValue(samples, 'zkfc_maintenance_paused')).toBe(1);

    // The active turns unhealthy: nothing moves while paused.
    await c.namenodeFault('nn1', 'unhealthy');
    await sleep(4 * c.sessionTimeoutMs);
    expect(await c.activeNamenodes()).toEqual(['nn1']);
    expect((await status(c, 'nn1')).electorState).toBe('ACTIVE');
    const refused = await runHaadmin(c, ['-failover', 'nn1', 'nn2'], { timeoutMs: 60_000 });
    expect(refused.code).toBe(255);
    expect(refused.stderr).toContain('paused for maintenance');

    const resumed = await runHaadmin(c, ['resume']);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain('Automatic failover of ns1 resumed');
    await c.waitForActive(20_000, 'nn2');
    await eventually(async () => expect((await status(c, 'nn1')).maintenancePause).toBeNull(), 10_000);

    // A short TTL: nn2 turns unhealthy during it, the failover waits for the end of the TTL.
    await c.namenodeFault('nn1', 'none');
    await eventually(async () => expect((await status(c, 'nn1')).electorState).toBe('STANDBY'), 20_000);
    const short = await runHaadmin(c, ['pause', '--ttl', '8s', '--reason', 'short']);
    expect(short.code).toBe(0);
    await eventually(async () => expect((await status(c, 'nn1')).maintenancePause).not.toBeNull(), 5000);
    const pausedAt = Date.now();
    await c.namenodeFault('nn2', 'unhealthy');
    await c.waitForActive(30_000, 'nn1');
    expect(Date.now() - pausedAt).toBeGreaterThanOrEqual(5000);
    expect(c.splitBrainViolations()).toEqual([]);
  });

  it('re-reading the absent pause znode watches it once: no listener piles up in a long-lived session', async () => {
    // Each re-read watches the znode for its creation. Until 2026-12-04 every read added a listener
    // to the ZooKeeper client (about 530 bytes, never freed: 1.5 MiB a day at the default 30 s);
    // the library warns past 10 listeners on one znode.
    const c = (cluster = await startE2eCluster());
    await c.startNamenode('nn1');
    await c.startZkfc('nn1', ['-D', 'zkfc.pause.check-interval.ms=100'], { ZKFC_LOG_LEVEL: 'debug' });
    await c.waitForActive(20_000, 'nn1');
    const pauseReads = (): number =>
      zkfcLogRecords(c, 'nn1').filter(
        (record) =>
          record['msg'] === 'zookeeper operation finished' &&
          record['op'] === 'exists' &&
          String(record['path']).endsWith('/ZkfcMaintenancePause'),
      ).length;
    await eventually(() => expect(pauseReads()).toBeGreaterThanOrEqual(30), 30_000);
    const { samples } = await scrapeMetrics(c, 'nn1');
    expect(metricValue(samples, 'zkfc_maintenance_paused')).toBe(0);
    expect(readFileSync(c.node('nn1').zkfcLog, 'utf8')).not.toContain('MaxListenersExceededWarning');
  });

  it('is refused while a controller does not answer /status, naming it; resume without a pause says so', async () => {
    const c = (cluster = await startE2eCluster());
    await Promise.all([c.startNamenode('nn1'), c.startNamenode('nn2')]);
    await c.startZkfc('nn1');
    await c.waitForActive(20_000, 'nn1');
    const refused = await runHaadmin(c, ['pause', '--ttl', '30m', '--reason', 'x']);
    expect(refused.code).toBe(255);
    expect(refused.stderr).toContain('Refusing to pause automatic failover of ns1');
    expect(refused.stderr).toMatch(/the controller of nn2 did not answer at \S+/);
    const bad = await runHaadmin(c, ['pause', '--ttl', '3d', '--reason', 'x']);
    expect(bad.code).toBe(255);
    expect(bad.stderr).toContain('zkfc.pause.max-ttl.ms');
    const noPause = await runHaadmin(c, ['resume']);
    expect(noPause.code).toBe(0);
    expect(noPause.stdout).toContain('was not paused');
  });
});
