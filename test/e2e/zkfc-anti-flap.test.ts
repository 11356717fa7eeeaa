// Goal: anti-flap with real processes (README "Anti-flap"): with zkfc.anti-flap.max-failovers=2,
// an active NameNode that turns unhealthy and healthy again fails over twice, then the next
// failover is held back (the unhealthy NameNode stays the only active; the daemon's log line,
// /status, the metrics and `haadmin status` say so); when that NameNode's process is then killed,
// the standby still becomes active within the session timeout.
// Method: MiniCluster (real ZooKeeper, simulated NameNode processes, the built zkfc daemons
// configured through Hadoop XML, shell fencing), faults through the simulator's control interface,
// the built `haadmin`; the split-brain oracle over the NameNodes' transition logs at the end.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { ZkfcStatus } from '../../src/observability/status.js';
import type { MiniCluster } from '../../tools/testing/mini-cluster.js';
import { eventually, sleep } from '../../tools/testing/wait.js';
import { metricValue, runHaadmin, scrapeMetrics, startE2eCluster, stopE2eCluster } from '../support/e2e-zkfc.js';

let cluster: MiniCluster | undefined;

afterEach(async () => {
  await stopE2eCluster(cluster);
  cluster = undefined;
});

async function zkfcStatus(c: MiniCluster, id: string): Promise<ZkfcStatus> {
  const status = await c.zkfcStatus(id, 3000);
  if (status === undefined) throw new Error(`zkfc ${id} does not serve /status`);
  return status as unknown as ZkfcStatus;
}

/** The active `from` turns unhealthy until `to` is active, then is healthy and standby again. */
async function flap(c: MiniCluster, from: string, to: string): Promise<void> {
  await c.namenodeFault(from, 'unhealthy');
  await c.waitForActive(15_000, to);
  await c.namenodeFault(from, 'none');
  await eventually(
    async () =>
      expect(await zkfcStatus(c, from)).toMatchObject({ healthState: 'SERVICE_HEALTHY', electorState: 'STANDBY' }),
    15_000,
  );
}

describe('zkfc anti-flap', () => {
  it('holds the 3rd failover of a flapping active back (limit 2), then fails over when its NameNode dies', async () => {
    const c = (cluster = await startE2eCluster({ extraConf: { 'zkfc.anti-flap.max-failovers': '2' } }));
    await Promise.all([c.startNamenode('nn1'), c.startNamenode('nn2')]);
    await c.startZkfc('nn1');
    await c.waitForActive(20_000, 'nn1');
    await c.startZkfc('nn2');
    await eventually(async () => expect((await zkfcStatus(c, 'nn2')).electorState).toBe('STANDBY'), 10_000);

    await flap(c, 'nn1', 'nn2');
    await flap(c, 'nn2', 'nn1');
    // Both daemons counted the same two lock-holder changes.
    for (const id of ['nn1', 'nn2'])
      expect((await zkfcStatus(c, id)).antiFlap).toMatchObject({ maxFailovers: 2, failoversInWindow: 2 });

    await c.namenodeFault('nn1', 'unhealthy');
    await eventually(async () => expect((await zkfcStatus(c, 'nn1')).antiFlap?.holdingBack).not.toBeNull(), 10_000);
    // Held back: nn1 stays the only active although unhealthy; nothing moves for a while.
    await sleep(3 * c.sessionTimeoutMs);
    expect(await c.activeNamenodes()).toEqual(['nn1']);
    const status = await zkfcStatus(c, 'nn1');
    expect(status).toMatchObject({ healthState: 'SERVICE_UNHEALTHY', electorState: 'ACTIVE' });
    expect(status.antiFlap?.holdingBack?.reason).toBe(
      '2 automatic failovers in the last 600000 ms (limit 2); the local NameNode answers but is unhealthy',
    );
    const log = readFileSync(c.node('nn1').zkfcLog, 'utf8');
    expect(log).toContain('"msg":"Anti-flap: failover held back; the local NameNode stays active"');
    const metrics = (await scrapeMetrics(c, 'nn1')).samples;
    expect(metricValue(metrics, 'zkfc_failovers_held_back_total', {})).toBe(1);
    expect(metricValue(metrics, 'zkfc_failover_held_back', {})).toBe(1);
    expect(metricValue(metrics, 'zkfc_lock_holder_changes_total', { kind: 'automatic' })).toBe(2);
    const table = await runHaadmin(c, ['status'], { timeoutMs: 30_000 });
    expect(table.stdout).toContain('zkfc of nn1: anti-flap holds a failover back since');

    // The held-back NameNode dies: the failover is not held back.
    const killedMs = Date.now();
    await c.killNamenode('nn1');
    await c.waitForActive(c.sessionTimeoutMs, 'nn2');
    expect(Date.now() - killedMs).toBeLessThan(c.sessionTimeoutMs);
    await eventually(
      async () =>
        expect((await zkfcStatus(c, 'nn1')).antiFlap).toMatchObject({
          holdingBack: null,
          lastHoldBackEnded: { reason: 'not-responding' },
        }),
      10_000,
    );
    expect(await c.activeNamenodes()).toEqual(['nn2']);
    expect(c.splitBrainViolations()).toEqual([]);
  });
});
