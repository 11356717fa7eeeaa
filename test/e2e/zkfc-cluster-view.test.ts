// Goal: each daemon's cluster view (zkfc.cluster-view.interval.ms) follows what the NameNodes
// really say, through every surface: zkfc_cluster_active_namenodes, the per-NameNode state and
// health gauges and zkfc_cluster_seconds_without_active on /metrics (still valid for promtool),
// the `cluster` part of /status, and `haadmin status` (its "Cluster view" lines, and a problem when
// a zkfc sees two actives). Scenario: nn1 active; then nn1 killed while nn2 refuses to become
// active (no active: the seconds count up on both daemons); then nn2 allowed (back to 0, nn2 the
// one active); then nn1 restarted and forced ACTIVE behind the controllers' backs (two actives).
// Method: MiniCluster (real ZooKeeper, two simulated NameNode processes, the built zkfc daemons
// with a 500 ms view), scraped over HTTP; faults through the simulator's control interface.
import { afterEach, describe, expect, it } from 'vitest';
import type { MiniCluster } from '../../tools/testing/mini-cluster.js';
import type { ZkfcStatus } from '../../src/observability/status.js';
import {
  httpGet,
  metricValue,
  promtoolCheckMetrics,
  runHaadmin,
  scrapeMetrics,
  startE2eCluster,
  stopE2eCluster,
} from '../support/e2e-zkfc.js';
import { eventually } from '../../tools/testing/wait.js';

let cluster: MiniCluster | undefined;

afterEach(async () => {
  await stopE2eCluster(cluster);
  cluster = undefined;
});

async function status(c: MiniCluster, id: string): Promise<ZkfcStatus> {
  const { status: code, body } = await httpGet(c.node(id).statusPort, '/status');
  expect(code).toBe(200);
  return JSON.parse(body) as ZkfcStatus;
}

/** What the daemon of `id` exports about every NameNode: observed id → state (or 'none'). */
async function seenStates(c: MiniCluster, id: string): Promise<Record<string, string>> {
  const { samples } = await scrapeMetrics(c, id);
  const seen: Record<string, string> = {};
  for (const nn of ['nn1', 'nn2']) {
    const one = samples.find(
      (s) => s.name === 'zkfc_cluster_namenode_state' && s.labels['observed_namenode'] === nn && s.value === 1,
    );
    seen[nn] = one?.labels['state'] ?? 'none';
  }
  return seen;
}

async function forceState(c: MiniCluster, id: string, state: 'active' | 'standby'): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${c.node(id).httpPort}/sim/state`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ state }),
    signal: AbortSignal.timeout(5000),
  });
  expect(response.status).toBe(200);
}

describe('the cluster view of every daemon', () => {
  it('counts the actives and the time without one, before and after a failover and with two actives', async () => {
    const c = (cluster = await startE2eCluster({ extraConf: { 'zkfc.cluster-view.interval.ms': '500' } }));
    await Promise.all([c.startNamenode('nn1'), c.startNamenode('nn2')]);
    await c.startZkfc('nn1');
    await c.waitForActive(20_000, 'nn1');
    await c.startZkfc('nn2');

    // One active, seen by both daemons, in the metrics and in /status.
    for (const id of ['nn1', 'nn2']) {
      await eventually(async () => {
        const { samples } = await scrapeMetrics(c, id);
        expect(metricValue(samples, 'zkfc_cluster_active_namenodes')).toBe(1);
        expect(metricValue(samples, 'zkfc_cluster_seconds_without_active')).toBe(0);
        expect(await seenStates(c, id)).toEqual({ nn1: 'ACTIVE', nn2: 'STANDBY' });
        expect(
          metricValue(samples, 'zkfc_cluster_namenode_health', {
            observed_namenode: 'nn2',
            state: 'SERVICE_HEALTHY',
          }),
        ).toBe(1);
      }, 10_000);
      const check = await promtoolCheckMetrics((await scrapeMetrics(c, id)).text);
      expect({ code: check.code, problems: check.stdout + check.stderr }).toEqual({ code: 0, problems: '' });
    }
    const s2 = await status(c, 'nn2');
    expect(s2.cluster).toMatchObject({ intervalMs: 500, activeNamenodes: ['nn1'], secondsWithoutActive: 0 });
    expect(s2.cluster!.namenodes.map((nn) => [nn.namenodeId, nn.local, nn.state, nn.health])).toEqual([
      ['nn1', false, 'ACTIVE', 'SERVICE_HEALTHY'],
      ['nn2', true, 'STANDBY', 'SERVICE_HEALTHY'],
    ]);
    const text = await runHaadmin(c, ['status'], { timeoutMs: 30_000 });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('Cluster view (every NameNode as each zkfc last saw it):');
    expect(text.stdout).toMatch(/^ {2}nn1 {2}nn1 active, nn2 standby {2}\(checked \S+\)$/m);
    expect(text.stdout).toMatch(/^ {2}nn2 {2}nn1 active, nn2 standby {2}\(checked \S+\)$/m);

    // nn1 dies while nn2 refuses to become active: nobody is active, and both views say for how long.
    await c.namenodeFault('nn2', 'refuse-transitions');
    await c.killNamenode('nn1');
    await eventually(async () => {
      for (const id of ['nn1', 'nn2']) {
        const { samples } = await scrapeMetrics(c, id);
        expect(metricValue(samples, 'zkfc_cluster_active_namenodes')).toBe(0);
        expect(metricValue(samples, 'zkfc_cluster_seconds_without_active')).toBeGreaterThan(2);
        expect(await seenStates(c, id)).toEqual({ nn1: 'none', nn2: 'STANDBY' });
        expect(
          metricValue(samples, 'zkfc_cluster_namenode_health', {
            observed_namenode: 'nn1',
            state: 'SERVICE_NOT_RESPONDING',
          }),
        ).toBe(1);
      }
    }, 15_000);
    const dark = (await status(c, 'nn2')).cluster!;
    expect(dark.activeNamenodes).toEqual([]);
    expect(dark.secondsWithoutActive).toBeGreaterThanOrEqual(2);
    expect(dark.lastActiveSeenAt).not.toBeNull();
    expect(dark.namenodes[0]).toMatchObject({ namenodeId: 'nn1', state: null, health: 'SERVICE_NOT_RESPONDING' });
    expect(dark.namenodes[0]!.error).toMatch(/refused|ECONNREFUSED|closed/i);

    // nn2 may become active again: its daemon's next attempt succeeds, and the count is back to 0.
    await c.namenodeFault('nn2', 'none');
    await c.waitForActive(20_000, 'nn2');
    await eventually(async () => {
      for (const id of ['nn1', 'nn2']) {
        const { samples } = await scrapeMetrics(c, id);
        expect(metricValue(samples, 'zkfc_cluster_active_namenodes')).toBe(1);
        expect(metricValue(samples, 'zkfc_cluster_seconds_without_active')).toBe(0);
        expect(await seenStates(c, id)).toEqual({ nn1: 'none', nn2: 'ACTIVE' });
      }
    }, 10_000);

    // nn1 comes back and is forced ACTIVE behind the controllers' backs: two actives, seen by both.
    await c.startNamenode('nn1');
    // (startNamenode can return on the first process's line in the same log: wait for the new one.)
    // Its daemon rejoins the election and stands it down (transitionToStandby) first; force it after.
    await eventually(async () => {
      expect(await c.namenodeState('nn1')).toBe('standby');
      expect((await status(c, 'nn1')).electorState).toBe('STANDBY');
    }, 20_000);
    // A maintenance pause keeps nn1's daemon from reacting (it would quit on the changed state,
    // rejoin, lose and stand nn1 down within seconds): the two actives last until we end them.
    const paused = await runHaadmin(c, ['pause', '--ttl', '10m', '--reason', 'two actives on purpose']);
    expect(paused.code, paused.stderr).toBe(0);
    await eventually(async () => expect((await status(c, 'nn1')).maintenancePause).not.toBeNull(), 10_000);
    await forceState(c, 'nn1', 'active');
    await eventually(async () => {
      for (const id of ['nn1', 'nn2']) {
        const { samples } = await scrapeMetrics(c, id);
        expect(metricValue(samples, 'zkfc_cluster_active_namenodes')).toBe(2);
      }
      expect((await status(c, 'nn2')).cluster!.activeNamenodes).toEqual(['nn1', 'nn2']);
    }, 10_000);
    const split = await runHaadmin(c, ['status'], { timeoutMs: 30_000 });
    expect(split.code).toBe(3);
    expect(split.stdout).toContain('zkfc of nn2 sees several active NameNodes: nn1, nn2');
    // Put it back so the cluster stops cleanly.
    await forceState(c, 'nn1', 'standby');
    expect((await runHaadmin(c, ['resume'])).code).toBe(0);
  });

  it('is off with an interval of 0: no zkfc_cluster_* series and no cluster part in /status', async () => {
    // The readiness gate needs the cluster view (its escape hatch): off with it.
    const c = (cluster = await startE2eCluster({
      extraConf: { 'zkfc.cluster-view.interval.ms': '0', 'zkfc.readiness.enabled': 'false' },
    }));
    await c.startNamenode('nn1');
    await c.startZkfc('nn1');
    await c.waitForActive(20_000, 'nn1');
    const { text } = await scrapeMetrics(c, 'nn1');
    expect(text).toContain('zkfc_is_active');
    expect(text).not.toContain('zkfc_cluster_');
    expect((await status(c, 'nn1')).cluster).toBeNull();
  });
});
