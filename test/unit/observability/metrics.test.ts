// Goal: the daemon's metrics have the documented names, types and labels; the intention-named
// methods set exactly the series they promise (one-hot state gauges, counters, histograms);
// label values stay bounded (fencing methods lose their arguments); every series exists from the
// first scrape; registries of two daemons never share state.
// Method: drive a real prom-client Registry through ZkfcMetrics and read it back with
// getMetricsAsJSON() and the text exposition. (promtool's lint of the text is in
// test/integration/packaging/prometheus.test.ts.)
import { describe, expect, it } from 'vitest';
import { register as globalRegister } from 'prom-client';
import { fenceMethodLabel, ZkfcMetrics } from '../../../src/observability/metrics.js';
import type { FailoverRecord } from '../../../src/observability/status.js';

type Sample = { value: number; labels: Record<string, string | number>; metricName?: string };
type MetricJson = { name: string; type: string; values: Sample[] };

async function metricsJson(metrics: ZkfcMetrics): Promise<Map<string, MetricJson>> {
  const all = (await metrics.registry.getMetricsAsJSON()) as unknown as MetricJson[];
  return new Map(all.map((m) => [m.name, m]));
}

async function sample(
  metrics: ZkfcMetrics,
  name: string,
  labels: Record<string, string> = {},
  metricName = name,
): Promise<number | undefined> {
  const metric = (await metricsJson(metrics)).get(name);
  const found = metric?.values.find(
    (v) =>
      (v.metricName ?? name) === metricName &&
      Object.entries(labels).every(([k, value]) => String(v.labels[k]) === value),
  );
  return found?.value;
}

async function oneHot(metrics: ZkfcMetrics, name: string): Promise<Record<string, number>> {
  const metric = (await metricsJson(metrics)).get(name);
  return Object.fromEntries((metric?.values ?? []).map((v) => [String(v.labels['state']), v.value]));
}

const failover: FailoverRecord = {
  atWallMs: Date.UTC(2024, 4, 1, 12, 0, 0),
  from: 'nn2',
  to: 'nn1',
  reason: 'election',
  durationMs: 4_700,
  phases: { detectionMs: 3_000, electionMs: 50, fencingMs: 1_250, promotionMs: 400 },
};

describe('ZkfcMetrics', () => {
  it('defines every documented metric with its type, in its own registry', async () => {
    const metrics = new ZkfcMetrics({ version: '1.2.3', processMetrics: false });
    const byName = await metricsJson(metrics);
    const expected: Record<string, string> = {
      zkfc_build_info: 'gauge',
      zkfc_ha_state: 'gauge',
      zkfc_is_active: 'gauge',
      zkfc_health_state: 'gauge',
      zkfc_elector_state: 'gauge',
      zkfc_zk_connection_state: 'gauge',
      zkfc_zk_session_expirations_total: 'counter',
      zkfc_zk_connect_failures: 'gauge',
      zkfc_maintenance_paused: 'gauge',
      zkfc_readiness_ready: 'gauge',
      zkfc_readiness_lag_transactions: 'gauge',
      zkfc_maintenance_pause_end_timestamp_seconds: 'gauge',
      zkfc_zk_session_events_total: 'counter',
      zkfc_lock_holder_changes_total: 'counter',
      zkfc_failovers_held_back_total: 'counter',
      zkfc_failover_held_back: 'gauge',
      zkfc_health_check_duration_seconds: 'histogram',
      zkfc_failovers_total: 'counter',
      zkfc_failover_phase_duration_seconds: 'histogram',
      zkfc_last_failover_timestamp_seconds: 'gauge',
      zkfc_fencing_attempts_total: 'counter',
      zkfc_fencing_operations_total: 'counter',
      zkfc_fencing_ready: 'gauge',
      zkfc_transitions_total: 'counter',
      zkfc_zookeeper_problem: 'gauge',
    };
    expect(Object.fromEntries([...byName].map(([name, m]) => [name, m.type]))).toEqual(expected);
    // Never the process-global registry: a second daemon in the same process must not collide.
    expect(globalRegister.getSingleMetric('zkfc_ha_state')).toBeUndefined();
    expect(() => new ZkfcMetrics({ version: '1.2.3', processMetrics: false })).not.toThrow();
  });

  it('reports each ZooKeeper problem as its own 0/1 series, all at 0 from the start', async () => {
    const metrics = new ZkfcMetrics({ version: '1.2.3', processMetrics: false });
    for (const problem of ['acl-world-writable', 'lock-not-ephemeral', 'lock-holder-unknown', 'breadcrumb-refused']) {
      expect(await sample(metrics, 'zkfc_zookeeper_problem', { problem })).toBe(0);
    }
    metrics.setZooKeeperProblem('lock-not-ephemeral', true);
    expect(await sample(metrics, 'zkfc_zookeeper_problem', { problem: 'lock-not-ephemeral' })).toBe(1);
    metrics.setZooKeeperProblem('lock-not-ephemeral', false);
    expect(await sample(metrics, 'zkfc_zookeeper_problem', { problem: 'lock-not-ephemeral' })).toBe(0);
  });

  it('counts anti-flap lock-holder changes by kind, and hold-backs, with a gauge while holding back', async () => {
    const metrics = new ZkfcMetrics({ version: '1.2.3', processMetrics: false });
    expect(await sample(metrics, 'zkfc_lock_holder_changes_total', { kind: 'automatic' })).toBe(0);
    expect(await sample(metrics, 'zkfc_failovers_held_back_total')).toBe(0);
    expect(await sample(metrics, 'zkfc_failover_held_back')).toBe(0);
    metrics.recordAntiFlap({ kind: 'lockHolderChanged', counted: true, failoversInWindow: 1 });
    metrics.recordAntiFlap({ kind: 'lockHolderChanged', counted: false, failoversInWindow: 1 });
    metrics.recordAntiFlap({
      kind: 'failoverHeldBack',
      namenode: 'nn1',
      healthReason: 'low disk',
      failoversInWindow: 3,
      maxFailovers: 3,
      windowMs: 600_000,
      releaseInMs: 1000,
    });
    expect(await sample(metrics, 'zkfc_lock_holder_changes_total', { kind: 'automatic' })).toBe(1);
    expect(await sample(metrics, 'zkfc_lock_holder_changes_total', { kind: 'graceful' })).toBe(1);
    expect(await sample(metrics, 'zkfc_failovers_held_back_total')).toBe(1);
    expect(await sample(metrics, 'zkfc_failover_held_back')).toBe(1);
    metrics.recordAntiFlap({ kind: 'holdBackEnded', namenode: 'nn1', reason: 'healthy', heldBackMs: 5000 });
    expect(await sample(metrics, 'zkfc_failover_held_back')).toBe(0);
    expect(await sample(metrics, 'zkfc_failovers_held_back_total')).toBe(1);
  });

  it('exports build info with the daemon and Node.js versions', async () => {
    const metrics = new ZkfcMetrics({ version: '1.2.3', nodeVersion: 'v20.0.0', processMetrics: false });
    expect(await sample(metrics, 'zkfc_build_info', { version: '1.2.3', node_version: 'v20.0.0' })).toBe(1);
  });

  it('starts every state gauge at its initial state and every counter and histogram at zero', async () => {
    const metrics = new ZkfcMetrics({
      version: '1',
      fencingMethods: ['sshfence(hdfs:22)', 'shell(/bin/true)'],
      processMetrics: false,
    });
    expect(await oneHot(metrics, 'zkfc_ha_state')).toEqual({ INITIALIZING: 0, ACTIVE: 0, STANDBY: 0, OBSERVER: 0 });
    expect(await oneHot(metrics, 'zkfc_health_state')).toMatchObject({ INITIALIZING: 1, SERVICE_HEALTHY: 0 });
    expect(await oneHot(metrics, 'zkfc_elector_state')).toEqual({ INIT: 1, ACTIVE: 0, STANDBY: 0, NEUTRAL: 0 });
    expect(await oneHot(metrics, 'zkfc_zk_connection_state')).toEqual({ CONNECTED: 0, DISCONNECTED: 1, TERMINATED: 0 });
    const text = await metrics.metricsText();
    for (const line of [
      'zkfc_is_active 0',
      'zkfc_zk_session_expirations_total 0',
      'zkfc_zk_session_events_total{event="expired"} 0',
      'zkfc_failovers_total{reason="initial"} 0',
      'zkfc_failovers_total{reason="graceful"} 0',
      'zkfc_health_check_duration_seconds_count{outcome="unreachable"} 0',
      'zkfc_failover_phase_duration_seconds_count{phase="fencing"} 0',
      'zkfc_fencing_attempts_total{method="sshfence",result="failure"} 0',
      'zkfc_fencing_attempts_total{method="shell",result="timeout"} 0',
      'zkfc_fencing_attempts_total{method="graceful",result="success"} 0',
      'zkfc_fencing_operations_total{result="failed"} 0',
      'zkfc_transitions_total{to="active",result="failure"} 0',
      'zkfc_last_failover_timestamp_seconds 0',
    ]) {
      expect(text.split('\n')).toContain(line);
    }
  });

  it('keeps state gauges one-hot and zkfc_is_active in step with the HA state', async () => {
    const metrics = new ZkfcMetrics({ version: '1', processMetrics: false });
    metrics.setHaState('ACTIVE');
    expect(await oneHot(metrics, 'zkfc_ha_state')).toEqual({ INITIALIZING: 0, ACTIVE: 1, STANDBY: 0, OBSERVER: 0 });
    expect(await sample(metrics, 'zkfc_is_active')).toBe(1);
    metrics.setHaState('STANDBY');
    expect(await oneHot(metrics, 'zkfc_ha_state')).toEqual({ INITIALIZING: 0, ACTIVE: 0, STANDBY: 1, OBSERVER: 0 });
    expect(await sample(metrics, 'zkfc_is_active')).toBe(0);
    metrics.setHaState('ACTIVE');
    metrics.setHaState(null); // NameNode unreachable: nothing is claimed
    expect(Object.values(await oneHot(metrics, 'zkfc_ha_state'))).toEqual([0, 0, 0, 0]);
    expect(await sample(metrics, 'zkfc_is_active')).toBe(0);

    metrics.setHealthState('SERVICE_UNHEALTHY');
    const health = await oneHot(metrics, 'zkfc_health_state');
    expect(health).toEqual({
      INITIALIZING: 0,
      SERVICE_NOT_RESPONDING: 0,
      SERVICE_HEALTHY: 0,
      SERVICE_UNHEALTHY: 1,
      HEALTH_MONITOR_FAILED: 0,
    });
    metrics.setElectorState('NEUTRAL');
    expect(await oneHot(metrics, 'zkfc_elector_state')).toEqual({ INIT: 0, ACTIVE: 0, STANDBY: 0, NEUTRAL: 1 });
    metrics.setZkConnectionState('TERMINATED');
    expect(await oneHot(metrics, 'zkfc_zk_connection_state')).toEqual({ CONNECTED: 0, DISCONNECTED: 0, TERMINATED: 1 });
  });

  it('counts session events by kind and expirations separately', async () => {
    const metrics = new ZkfcMetrics({ version: '1', processMetrics: false });
    metrics.recordZkSessionEvent('connected');
    metrics.recordZkSessionEvent('disconnected');
    metrics.recordZkSessionEvent('expired');
    metrics.recordZkSessionEvent('connected');
    expect(await sample(metrics, 'zkfc_zk_session_events_total', { event: 'connected' })).toBe(2);
    expect(await sample(metrics, 'zkfc_zk_session_events_total', { event: 'expired' })).toBe(1);
    expect(await sample(metrics, 'zkfc_zk_session_events_total', { event: 'authFailed' })).toBe(0);
    expect(await sample(metrics, 'zkfc_zk_session_expirations_total')).toBe(1);
  });

  it('observes health checks by outcome in seconds, clamping nonsense durations to zero', async () => {
    const metrics = new ZkfcMetrics({ version: '1', processMetrics: false });
    metrics.recordHealthCheck('healthy', 0.004);
    metrics.recordHealthCheck('healthy', 0.02);
    metrics.recordHealthCheck('unreachable', 45);
    metrics.recordHealthCheck('unhealthy', Number.NaN);
    metrics.recordHealthCheck('unhealthy', -3);
    const name = 'zkfc_health_check_duration_seconds';
    expect(await sample(metrics, name, { outcome: 'healthy' }, `${name}_count`)).toBe(2);
    expect(await sample(metrics, name, { outcome: 'healthy' }, `${name}_sum`)).toBeCloseTo(0.024, 9);
    expect(await sample(metrics, name, { outcome: 'healthy', le: '0.005' }, `${name}_bucket`)).toBe(1);
    expect(await sample(metrics, name, { outcome: 'unreachable', le: '20' }, `${name}_bucket`)).toBe(0);
    expect(await sample(metrics, name, { outcome: 'unreachable', le: '45' }, `${name}_bucket`)).toBe(1);
    expect(await sample(metrics, name, { outcome: 'unhealthy' }, `${name}_count`)).toBe(2);
    expect(await sample(metrics, name, { outcome: 'unhealthy' }, `${name}_sum`)).toBe(0);
  });

  it('records a failover: counter by reason, every phase and the total in seconds, the timestamp', async () => {
    const metrics = new ZkfcMetrics({ version: '1', processMetrics: false });
    metrics.recordFailover(failover);
    const name = 'zkfc_failover_phase_duration_seconds';
    expect(await sample(metrics, 'zkfc_failovers_total', { reason: 'election' })).toBe(1);
    expect(await sample(metrics, 'zkfc_failovers_total', { reason: 'graceful' })).toBe(0);
    expect(await sample(metrics, name, { phase: 'detection' }, `${name}_sum`)).toBe(3);
    expect(await sample(metrics, name, { phase: 'election' }, `${name}_sum`)).toBeCloseTo(0.05, 9);
    expect(await sample(metrics, name, { phase: 'fencing' }, `${name}_sum`)).toBe(1.25);
    expect(await sample(metrics, name, { phase: 'promotion' }, `${name}_sum`)).toBeCloseTo(0.4, 9);
    expect(await sample(metrics, name, { phase: 'total' }, `${name}_sum`)).toBeCloseTo(4.7, 9);
    expect(await sample(metrics, name, { phase: 'total' }, `${name}_count`)).toBe(1);
    expect(await sample(metrics, 'zkfc_last_failover_timestamp_seconds')).toBe(failover.atWallMs / 1000);
  });

  it.each([
    ['sshfence', 'sshfence'],
    ['sshfence(hdfs:2222)', 'sshfence'],
    ['  shell(/usr/local/bin/fence.sh --host $target_host)', 'shell'],
    ['shell (/bin/true)', 'shell'],
    ['graceful', 'graceful'],
    ['org.example.CustomFencer(arg)', 'org.example.CustomFencer'],
    ['(no name)', 'other'],
    ['', 'other'],
    ['rm -rf /', 'other'],
    ['a'.repeat(200), 'other'],
  ])('labels fencing method %j as %j', (method, label) => {
    expect(fenceMethodLabel(method)).toBe(label);
  });

  it("counts fencing attempts and operations without the methods' arguments", async () => {
    const metrics = new ZkfcMetrics({ version: '1', processMetrics: false });
    metrics.recordFenceOutcome({
      fenced: true,
      graceful: false,
      attempts: [
        { method: 'graceful', outcome: 'timeout', durationMs: 5000, detail: 'transitionToStandby timed out' },
        { method: 'sshfence(hdfs:22)', outcome: 'failure', durationMs: 300, detail: 'auth failed' },
        { method: 'shell(/bin/true)', outcome: 'success', durationMs: 5, detail: 'exit 0' },
      ],
    });
    metrics.recordFencingAttempt('sshfence(root:2222)', 'error');
    metrics.recordFencingOperation('failed');
    expect(await sample(metrics, 'zkfc_fencing_attempts_total', { method: 'graceful', result: 'timeout' })).toBe(1);
    expect(await sample(metrics, 'zkfc_fencing_attempts_total', { method: 'sshfence', result: 'failure' })).toBe(1);
    expect(await sample(metrics, 'zkfc_fencing_attempts_total', { method: 'sshfence', result: 'error' })).toBe(1);
    expect(await sample(metrics, 'zkfc_fencing_attempts_total', { method: 'shell', result: 'success' })).toBe(1);
    expect(await sample(metrics, 'zkfc_fencing_operations_total', { result: 'fenced' })).toBe(1);
    expect(await sample(metrics, 'zkfc_fencing_operations_total', { result: 'failed' })).toBe(1);
    expect(await sample(metrics, 'zkfc_fencing_operations_total', { result: 'graceful' })).toBe(0);
    const labels = (await metricsJson(metrics))
      .get('zkfc_fencing_attempts_total')!
      .values.map((v) => String(v.labels['method']));
    expect(new Set(labels)).toEqual(new Set(['graceful', 'sshfence', 'shell']));

    metrics.recordFenceOutcome({
      fenced: true,
      graceful: true,
      attempts: [{ method: 'graceful', outcome: 'success', durationMs: 20, detail: '' }],
    });
    expect(await sample(metrics, 'zkfc_fencing_operations_total', { result: 'graceful' })).toBe(1);
  });

  it('reports fencing readiness per method name; methods sharing a name are ready only together', async () => {
    const metrics = new ZkfcMetrics({ version: '1', processMetrics: false });
    metrics.setFencingReady('sshfence(hdfs:22)', true);
    expect(await sample(metrics, 'zkfc_fencing_ready', { method: 'sshfence' })).toBe(1);
    metrics.setFencingReady('sshfence(hdfs:22)', false);
    expect(await sample(metrics, 'zkfc_fencing_ready', { method: 'sshfence' })).toBe(0);

    metrics.setFencingReadiness([
      { method: 'shell(/opt/fence-a.sh)', ready: true },
      { method: 'shell(/opt/fence-b.sh)', ready: false },
      { method: 'sshfence', ready: true },
    ]);
    expect(await sample(metrics, 'zkfc_fencing_ready', { method: 'shell' })).toBe(0);
    expect(await sample(metrics, 'zkfc_fencing_ready', { method: 'sshfence' })).toBe(1);
    // Replacing the set drops methods no longer configured.
    metrics.setFencingReadiness([{ method: 'shell(/opt/fence-a.sh)', ready: true }]);
    expect(await sample(metrics, 'zkfc_fencing_ready', { method: 'shell' })).toBe(1);
    expect(await sample(metrics, 'zkfc_fencing_ready', { method: 'sshfence' })).toBeUndefined();
  });

  it('counts transitions of the local NameNode by target and result', async () => {
    const metrics = new ZkfcMetrics({ version: '1', processMetrics: false });
    metrics.recordTransition('active', 'success');
    metrics.recordTransition('standby', 'failure');
    metrics.recordTransition('standby', 'failure');
    expect(await sample(metrics, 'zkfc_transitions_total', { to: 'active', result: 'success' })).toBe(1);
    expect(await sample(metrics, 'zkfc_transitions_total', { to: 'standby', result: 'failure' })).toBe(2);
  });

  it('puts the nameservice and namenode on every series when given', async () => {
    const metrics = new ZkfcMetrics({ version: '1', nameservice: 'ns1', namenode: 'nn1', processMetrics: true });
    const lines = (await metrics.metricsText()).split('\n').filter((line) => line.length > 0 && !line.startsWith('#'));
    expect(lines.length).toBeGreaterThan(50);
    for (const line of lines) {
      expect(line).toContain('nameservice="ns1"');
      expect(line).toContain('namenode="nn1"');
    }
    // Process metrics are on by default (CPU, memory, event loop lag), without the two that cost an
    // idle daemon (src/observability/process-metrics.ts): the event-loop-delay histogram and the GC observer.
    for (const name of ['process_resident_memory_bytes', 'process_cpu_seconds_total', 'nodejs_heap_size_used_bytes']) {
      expect(lines.some((line) => line.startsWith(`${name}{`))).toBe(true);
    }
    expect(lines.some((line) => line.startsWith('nodejs_eventloop_lag_seconds{'))).toBe(true);
    expect(lines.filter((line) => /^nodejs_(eventloop_lag_(min|max|mean|stddev|p\d+)|gc_)/.test(line))).toEqual([]);
    expect(metrics.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('exports the NameNode HTTP view only when it is read, and its values only once known', async () => {
    const off = new ZkfcMetrics({ version: '1', processMetrics: false });
    expect([...(await metricsJson(off)).keys()].filter((name) => name.startsWith('zkfc_namenode_'))).toEqual([]);

    const metrics = new ZkfcMetrics({ version: '1', processMetrics: false, namenodeHttpView: true });
    const names = async (): Promise<string[]> =>
      [...(await metricsJson(metrics)).keys()].filter((name) => name.startsWith('zkfc_namenode_')).sort();
    expect(await names()).toEqual([
      'zkfc_namenode_http_reads_total',
      'zkfc_namenode_http_view_up',
      'zkfc_namenode_isactive_mismatch',
    ]);
    expect(await sample(metrics, 'zkfc_namenode_http_view_up')).toBe(0);
    expect(await sample(metrics, 'zkfc_namenode_http_reads_total', { result: 'timedOut' })).toBe(0);
    const snapshot = {
      baseUrl: 'http://nn1:9870',
      up: false,
      view: null,
      viewAtMonotonicMs: null,
      viewAtWallMs: null,
      lastFailure: null,
      isActiveMismatch: false,
    };
    metrics.recordNameNodeHttpRead('unreachable', snapshot);
    expect(await names()).toHaveLength(3);
    metrics.recordNameNodeHttpRead('ok', {
      ...snapshot,
      up: true,
      viewAtMonotonicMs: 10,
      viewAtWallMs: Date.UTC(2026, 0, 1),
      isActiveMismatch: true,
      view: {
        state: 'STANDBY',
        nnRole: 'NameNode',
        hostAndPort: 'nn1:8020',
        lastHATransitionTimeMs: 0,
        securityEnabled: false,
        namesystemHAState: 'STANDBY',
        millisSinceLastLoadedEdits: 11_941,
        lastWrittenTransactionId: 0,
        safemode: 'Safe mode is ON.',
        inSafemode: true,
        lastAppliedOrWrittenTxId: 71_349_818_863,
        mostRecentCheckpointTxId: 71_337_509_096,
        isActive: true,
      },
    });
    expect(await names()).toEqual([
      'zkfc_namenode_http_reads_total',
      'zkfc_namenode_http_view_timestamp_seconds',
      'zkfc_namenode_http_view_up',
      'zkfc_namenode_isactive_mismatch',
      'zkfc_namenode_last_applied_or_written_txid',
      'zkfc_namenode_most_recent_checkpoint_txid',
      'zkfc_namenode_safemode',
      'zkfc_namenode_since_last_loaded_edits_seconds',
    ]);
    expect(await sample(metrics, 'zkfc_namenode_http_view_up')).toBe(1);
    expect(await sample(metrics, 'zkfc_namenode_http_reads_total', { result: 'ok' })).toBe(1);
    expect(await sample(metrics, 'zkfc_namenode_http_reads_total', { result: 'unreachable' })).toBe(1);
    expect(await sample(metrics, 'zkfc_namenode_isactive_mismatch')).toBe(1);
    expect(await sample(metrics, 'zkfc_namenode_safemode')).toBe(1);
    expect(await sample(metrics, 'zkfc_namenode_since_last_loaded_edits_seconds')).toBe(11.941);
    expect(await sample(metrics, 'zkfc_namenode_last_applied_or_written_txid')).toBe(71_349_818_863);
    expect(await sample(metrics, 'zkfc_namenode_most_recent_checkpoint_txid')).toBe(71_337_509_096);
    expect(await sample(metrics, 'zkfc_namenode_http_view_timestamp_seconds')).toBe(Date.UTC(2026, 0, 1) / 1000);
  });

  it("keeps two daemons' registries apart", async () => {
    const a = new ZkfcMetrics({ version: '1', processMetrics: false });
    const b = new ZkfcMetrics({ version: '1', processMetrics: false });
    a.recordZkSessionEvent('expired');
    a.setHaState('ACTIVE');
    expect(await sample(a, 'zkfc_zk_session_expirations_total')).toBe(1);
    expect(await sample(b, 'zkfc_zk_session_expirations_total')).toBe(0);
    expect(await sample(b, 'zkfc_is_active')).toBe(0);
  });
});
