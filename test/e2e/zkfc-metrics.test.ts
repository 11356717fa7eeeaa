// Goal: the daemons' operator surfaces follow a real failover (docs/hadoop-compat.md §10; our additions to Hadoop):
// GET /metrics is valid Prometheus text (`promtool check metrics` accepts it) before and after;
// zkfc_is_active flips, zkfc_failovers_total counts the failover by reason, the fencing counters
// count the graceful attempt and the shell method, the phase histogram gets a sample; /active and
// /standby answer 200/503 on both daemons and flip; GET /status matches what happened (states,
// lock holder, breadcrumb, last failover); `haadmin -status --json`, which reads those /status
// pages, reports the same (exit 0 healthy, 1 degraded once a NameNode is gone).
// Method: MiniCluster (real ZooKeeper, two simulated NameNode processes, the built zkfc daemons,
// shell fencing that kills the simulated NameNode); the active NameNode process is SIGKILLed; the
// listeners are scraped over HTTP and the text piped to /usr/bin/promtool.
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

async function roleCodes(c: MiniCluster, id: string): Promise<{ active: number; standby: number }> {
  const port = c.node(id).statusPort;
  return { active: (await httpGet(port, '/active')).status, standby: (await httpGet(port, '/standby')).status };
}

interface ClusterStatusJson {
  readonly activeNamenodes: readonly string[];
  readonly verdict: string;
  readonly namenodes: ReadonlyArray<{
    readonly namenodeId: string;
    readonly zkfc: { readonly ok: boolean };
    readonly holdsLock: boolean;
  }>;
}

async function haadminStatus(c: MiniCluster): Promise<{ code: number | null; status: ClusterStatusJson }> {
  const result = await runHaadmin(c, ['-status', '--json'], { timeoutMs: 30_000 });
  return { code: result.code, status: JSON.parse(result.stdout) as ClusterStatusJson };
}

async function expectPromtoolAccepts(c: MiniCluster, id: string): Promise<void> {
  const { text, contentType } = await scrapeMetrics(c, id);
  expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  const check = await promtoolCheckMetrics(text);
  expect({ code: check.code, problems: check.stdout + check.stderr }).toEqual({ code: 0, problems: '' });
}

describe('zkfc metrics, /active, /standby and /status across a failover', () => {
  it('follow the kill of the active NameNode', async () => {
    const c = (cluster = await startE2eCluster());
    await Promise.all([c.startNamenode('nn1'), c.startNamenode('nn2')]);
    await c.startZkfc('nn1');
    await c.waitForActive(20_000, 'nn1');
    await c.startZkfc('nn2');

    // Before: nn1 active, nn2 standby, on every surface.
    await eventually(async () => {
      const [m1, m2] = await Promise.all([scrapeMetrics(c, 'nn1'), scrapeMetrics(c, 'nn2')]);
      expect(metricValue(m1.samples, 'zkfc_is_active')).toBe(1);
      expect(metricValue(m2.samples, 'zkfc_is_active')).toBe(0);
      expect(metricValue(m1.samples, 'zkfc_elector_state', { state: 'ACTIVE' })).toBe(1);
      expect(metricValue(m2.samples, 'zkfc_elector_state', { state: 'STANDBY' })).toBe(1);
      expect(metricValue(m2.samples, 'zkfc_ha_state', { state: 'STANDBY' })).toBe(1);
      expect(await roleCodes(c, 'nn1')).toEqual({ active: 200, standby: 503 });
      expect(await roleCodes(c, 'nn2')).toEqual({ active: 503, standby: 200 });
    }, 10_000);
    await expectPromtoolAccepts(c, 'nn1');
    await expectPromtoolAccepts(c, 'nn2');
    const s1 = await status(c, 'nn1');
    expect(s1).toMatchObject({
      nameservice: 'ns1',
      namenode: 'nn1',
      haState: 'ACTIVE',
      healthState: 'SERVICE_HEALTHY',
      electorState: 'ACTIVE',
      zkConnectionState: 'CONNECTED',
    });
    expect(s1.zkSessionId).toMatch(/^0x[0-9a-f]+$/);
    expect(s1.lockHolder?.namenodeId).toBe('nn1');
    expect(s1.breadcrumb?.namenodeId).toBe('nn1');
    const s2 = await status(c, 'nn2');
    expect(s2).toMatchObject({ namenode: 'nn2', haState: 'STANDBY', electorState: 'STANDBY', lastFailover: null });
    expect(s2.lockHolder?.namenodeId).toBe('nn1');
    const statusBefore = await haadminStatus(c);
    expect(statusBefore.code).toBe(0);
    expect(statusBefore.status).toMatchObject({ activeNamenodes: ['nn1'], verdict: 'ok' });
    expect(statusBefore.status.namenodes.map((n) => [n.namenodeId, n.zkfc.ok, n.holdsLock])).toEqual([
      ['nn1', true, true],
      ['nn2', true, false],
    ]);
    const before = (await scrapeMetrics(c, 'nn2')).samples;
    expect(metricValue(before, 'zkfc_failovers_total')).toBe(0);
    expect(metricValue(before, 'zkfc_fencing_attempts_total', { method: 'shell' })).toBe(0);
    expect(metricValue(before, 'zkfc_failover_phase_duration_seconds_count', { phase: 'total' })).toBe(0);
    const killedAtSeconds = Date.now() / 1000;

    await c.killNamenode('nn1');
    await c.waitForActive(15_000, 'nn2');

    // After: nn2 active; nn1's daemon sees its NameNode gone.
    await eventually(async () => {
      const [m1, m2] = await Promise.all([scrapeMetrics(c, 'nn1'), scrapeMetrics(c, 'nn2')]);
      expect(metricValue(m2.samples, 'zkfc_is_active')).toBe(1);
      expect(metricValue(m1.samples, 'zkfc_is_active')).toBe(0);
      expect(metricValue(m1.samples, 'zkfc_health_state', { state: 'SERVICE_NOT_RESPONDING' })).toBe(1);
      expect(metricValue(m2.samples, 'zkfc_elector_state', { state: 'ACTIVE' })).toBe(1);
      expect(await roleCodes(c, 'nn2')).toEqual({ active: 200, standby: 503 });
      // nn1's NameNode does not answer: neither active nor standby as far as its daemon knows.
      expect(await roleCodes(c, 'nn1')).toEqual({ active: 503, standby: 503 });
    }, 10_000);
    const after = (await scrapeMetrics(c, 'nn2')).samples;
    expect(metricValue(after, 'zkfc_failovers_total', { reason: 'election' })).toBe(1);
    expect(metricValue(after, 'zkfc_failovers_total')).toBe(1);
    // Fencing: the graceful transitionToStandby could not reach the dead NameNode, then shell(...) succeeded.
    expect(metricValue(after, 'zkfc_fencing_attempts_total', { method: 'graceful', result: 'success' })).toBe(0);
    expect(metricValue(after, 'zkfc_fencing_attempts_total', { method: 'graceful' })).toBe(1);
    expect(metricValue(after, 'zkfc_fencing_attempts_total', { method: 'shell', result: 'success' })).toBe(1);
    expect(metricValue(after, 'zkfc_fencing_operations_total', { result: 'fenced' })).toBe(1);
    expect(metricValue(after, 'zkfc_transitions_total', { to: 'active', result: 'success' })).toBe(1);
    for (const phase of ['detection', 'election', 'fencing', 'promotion', 'total']) {
      expect(metricValue(after, 'zkfc_failover_phase_duration_seconds_count', { phase }), phase).toBe(1);
    }
    expect(metricValue(after, 'zkfc_failover_phase_duration_seconds_sum', { phase: 'total' })).toBeGreaterThan(0);
    expect(metricValue(after, 'zkfc_last_failover_timestamp_seconds')).toBeGreaterThanOrEqual(
      Math.floor(killedAtSeconds),
    );
    await expectPromtoolAccepts(c, 'nn1');
    await expectPromtoolAccepts(c, 'nn2');

    await eventually(async () => {
      const s = await status(c, 'nn2');
      expect(s).toMatchObject({ haState: 'ACTIVE', electorState: 'ACTIVE', healthState: 'SERVICE_HEALTHY' });
      expect(s.lastFailover).toMatchObject({ from: 'nn1', to: 'nn2', reason: 'election' });
      expect(s.lockHolder?.namenodeId).toBe('nn2');
      expect(s.breadcrumb?.namenodeId).toBe('nn2');
    }, 5_000);
    expect(await status(c, 'nn1')).toMatchObject({ haState: null, healthState: 'SERVICE_NOT_RESPONDING' });
    // Degraded (nn1's NameNode does not answer) but one active: exit 1.
    const statusAfter = await haadminStatus(c);
    expect(statusAfter.code).toBe(1);
    expect(statusAfter.status.activeNamenodes).toEqual(['nn2']);
    expect(statusAfter.status.namenodes.find((n) => n.namenodeId === 'nn2')?.holdsLock).toBe(true);
    expect(c.splitBrainViolations()).toEqual([]);
  });

  it('/healthz answers and unknown paths and methods are refused', async () => {
    const c = (cluster = await startE2eCluster());
    await c.startNamenode('nn1');
    await c.startZkfc('nn1');
    const port = c.node('nn1').statusPort;
    expect((await httpGet(port, '/healthz')).status).toBe(200);
    expect((await httpGet(port, '/no-such-page')).status).toBe(404);
    const post = await fetch(`http://127.0.0.1:${port}/metrics`, {
      method: 'POST',
      body: 'x',
      signal: AbortSignal.timeout(3000),
    });
    expect(post.status).toBe(405);
  });
});
