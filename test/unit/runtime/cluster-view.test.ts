// Goal: the cluster view asks every NameNode for its state and health once per interval, on its
// own timer; a round is bounded in time even when a NameNode hangs; "seconds without an active"
// counts from the end of the last round that saw one (from the view's start if none has) and is
// 0 while one is seen; two actives are counted as two; NameNode texts are bounded; a failed or
// late call gets a fresh connection next round; the status board and the metrics show what the
// rounds found; stop() ends the timer and closes the connections.
// Method: ClusterView on a ManualClock with scripted NameNodes behind a fake HAServiceClient
// factory; its rounds feed a real StatusBoard and a real ZkfcMetrics registry, read back as the
// daemon's /status and /metrics would show them.

import { afterEach, describe, expect, it } from 'vitest';
import type { HAServiceState, HostPort, NamenodeTarget, ServiceStatus } from '../../../src/core/types.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { ZkfcMetrics } from '../../../src/observability/metrics.js';
import { StatusBoard } from '../../../src/observability/status.js';
import { ClusterView, clusterViewRpcTimeoutMs } from '../../../src/runtime/cluster-view.js';
import {
  HaCallError,
  type HAServiceClient,
  type HAServiceClientFactory,
  type HaCallErrorKind,
  type NameNodeTxidReader,
} from '../../../src/runtime/ports.js';
import type { ClusterViewRecord } from '../../../src/runtime/records.js';
import { ManualClock } from '../../../tools/testing/clock.js';

type Behaviour =
  | { readonly kind: 'answer'; readonly state: HAServiceState; readonly notReadyReason?: string }
  | { readonly kind: 'unhealthy'; readonly state: HAServiceState; readonly message: string }
  | { readonly kind: 'fail'; readonly error: HaCallErrorKind; readonly message: string }
  | { readonly kind: 'hang' };

class ScriptedNameNode {
  behaviour: Behaviour = { kind: 'answer', state: 'STANDBY' };
  readonly clients: FakeClient[] = [];
  constructor(readonly target: NamenodeTarget) {}
}

class FakeClient implements HAServiceClient {
  readonly calls: { method: string; timeoutMs: number }[] = [];
  closed = false;
  constructor(
    readonly address: HostPort,
    private readonly nn: ScriptedNameNode,
  ) {}

  getServiceStatus(timeoutMs: number): Promise<ServiceStatus> {
    this.calls.push({ method: 'getServiceStatus', timeoutMs });
    const b = this.nn.behaviour;
    if (b.kind === 'hang') return new Promise(() => undefined);
    if (b.kind === 'fail') return Promise.reject(this.error(b.error, b.message));
    return Promise.resolve({
      state: b.state,
      readyToBecomeActive: b.kind === 'answer' && b.notReadyReason === undefined,
      ...(b.kind === 'answer' && b.notReadyReason !== undefined ? { notReadyReason: b.notReadyReason } : {}),
    });
  }

  monitorHealth(timeoutMs: number): Promise<void> {
    this.calls.push({ method: 'monitorHealth', timeoutMs });
    const b = this.nn.behaviour;
    if (b.kind === 'hang') return new Promise(() => undefined);
    if (b.kind === 'fail') return Promise.reject(this.error(b.error, b.message));
    if (b.kind === 'unhealthy') return Promise.reject(this.error('unhealthy', b.message));
    return Promise.resolve();
  }

  transitionToActive(): Promise<void> {
    return Promise.reject(new Error('the cluster view never transitions'));
  }

  transitionToStandby(): Promise<void> {
    return Promise.reject(new Error('the cluster view never transitions'));
  }

  transitionToObserver(): Promise<void> {
    return Promise.reject(new Error('the cluster view never transitions'));
  }

  onConnectionClosed(): () => void {
    return () => undefined;
  }

  close(): void {
    this.closed = true;
  }

  private error(kind: HaCallErrorKind, message: string): HaCallError {
    return new HaCallError(kind, message, `${this.address.host}:${this.address.port}`, kind === 'unreachable');
  }
}

function target(namenodeId: string, port: number): NamenodeTarget {
  return { nameserviceId: 'ns1', namenodeId, serviceAddress: { host: '127.0.0.1', port }, zkfcPort: 8019 };
}

interface World {
  readonly clock: ManualClock;
  readonly nns: Map<string, ScriptedNameNode>;
  readonly view: ClusterView;
  readonly records: ClusterViewRecord[];
  readonly status: StatusBoard;
  readonly metrics: ZkfcMetrics;
}

let world: World | undefined;

afterEach(async () => {
  await world?.view.stop();
  world = undefined;
});

function makeWorld(intervalMs = 5000, txids?: NameNodeTxidReader): World {
  const clock = new ManualClock({ startMs: 1_000 });
  const targets = [target('nn1', 8020), target('nn2', 8021), target('nn3', 8022)];
  const nns = new Map(targets.map((t) => [t.namenodeId, new ScriptedNameNode(t)]));
  const clients: HAServiceClientFactory = {
    create(address) {
      const nn = [...nns.values()].find((n) => n.target.serviceAddress.port === address.port)!;
      const client = new FakeClient(address, nn);
      nn.clients.push(client);
      return client;
    },
  };
  const view = new ClusterView({
    namenodes: targets,
    localNamenodeId: 'nn2',
    clients,
    ...(txids !== undefined ? { txids } : {}),
    intervalMs,
    clock,
    logger: silentLogger(),
  });
  const status = new StatusBoard(
    { nameservice: 'ns1', namenode: 'nn2', namenodeAddress: '127.0.0.1:8021', version: '0.1.0' },
    clock,
  );
  status.startClusterView(
    intervalMs,
    targets.map((t) => ({ namenodeId: t.namenodeId, address: `127.0.0.1:${t.serviceAddress.port}`, local: false })),
  );
  const metrics = new ZkfcMetrics({
    version: '0.1.0',
    nameservice: 'ns1',
    namenode: 'nn2',
    processMetrics: false,
    clusterView: { namenodes: targets.map((t) => t.namenodeId), monotonicMs: () => clock.monotonicMs() },
  });
  const records: ClusterViewRecord[] = [];
  view.onRound((record) => {
    records.push(record);
    status.setClusterView(record);
    metrics.setClusterView(record);
  });
  world = { clock, nns, view, records, status, metrics };
  return world;
}

/** Let the promise callbacks of the fake calls run (they settle on the microtask queue). */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

/** Move time in 100 ms steps, letting each round's calls settle (rounds end on promise callbacks). */
async function advance(w: World, ms: number): Promise<void> {
  for (let left = ms; left > 0; left -= 100) {
    w.clock.advance(Math.min(100, left));
    await settle();
  }
}

async function metric(metrics: ZkfcMetrics, name: string, labels: Record<string, string> = {}): Promise<number> {
  const family = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
  const found = family?.values.find((v) =>
    Object.entries(labels).every(([key, value]) => String(v.labels[key]) === value),
  );
  if (found === undefined) throw new Error(`no sample ${name} ${JSON.stringify(labels)}`);
  return found.value;
}

describe('ClusterView', () => {
  it('asks every NameNode once per interval and counts the actives', async () => {
    const w = makeWorld();
    w.nns.get('nn1')!.behaviour = { kind: 'answer', state: 'ACTIVE' };
    w.view.start();
    await settle();
    expect(w.records).toHaveLength(1);
    expect(w.records[0]!.activeNamenodes).toEqual(['nn1']);
    expect(w.records[0]!.noActiveSinceMonotonicMs).toBeNull();
    expect(w.records[0]!.namenodes.map((nn) => [nn.namenodeId, nn.state, nn.health, nn.local])).toEqual([
      ['nn1', 'ACTIVE', 'SERVICE_HEALTHY', false],
      ['nn2', 'STANDBY', 'SERVICE_HEALTHY', true],
      ['nn3', 'STANDBY', 'SERVICE_HEALTHY', false],
    ]);
    // Both calls, each with the view's bound: min(interval, 5000 ms).
    const calls = w.nns.get('nn3')!.clients[0]!.calls;
    expect(calls).toEqual([
      { method: 'getServiceStatus', timeoutMs: 5000 },
      { method: 'monitorHealth', timeoutMs: 5000 },
    ]);

    // Nothing more until the interval has passed; then the next round, on the same connections.
    w.clock.advance(4_999);
    await settle();
    expect(w.records).toHaveLength(1);
    w.clock.advance(1);
    await settle();
    expect(w.records).toHaveLength(2);
    expect(w.nns.get('nn3')!.clients).toHaveLength(1);
    expect(w.nns.get('nn3')!.clients[0]!.calls).toHaveLength(4);

    expect(await metric(w.metrics, 'zkfc_cluster_active_namenodes')).toBe(1);
    expect(await metric(w.metrics, 'zkfc_cluster_seconds_without_active')).toBe(0);
    expect(await metric(w.metrics, 'zkfc_cluster_namenode_state', { observed_namenode: 'nn1', state: 'ACTIVE' })).toBe(
      1,
    );
    expect(await metric(w.metrics, 'zkfc_cluster_namenode_state', { observed_namenode: 'nn3', state: 'ACTIVE' })).toBe(
      0,
    );
    expect(
      await metric(w.metrics, 'zkfc_cluster_namenode_health', { observed_namenode: 'nn3', state: 'SERVICE_HEALTHY' }),
    ).toBe(1);
    expect(await metric(w.metrics, 'zkfc_cluster_view_timestamp_seconds')).toBe(
      Math.round(w.records[1]!.finishedAtWallMs) / 1000,
    );
    // The series carry the daemon's own namenode label besides the observed one.
    const text = await w.metrics.metricsText();
    expect(text).toContain(
      'zkfc_cluster_namenode_state{observed_namenode="nn1",state="ACTIVE",nameservice="ns1",namenode="nn2"} 1',
    );
  });

  it('counts seconds without an active from the last round that saw one, and 0 again once one is back', async () => {
    const w = makeWorld(1000);
    w.nns.get('nn1')!.behaviour = { kind: 'answer', state: 'ACTIVE' };
    w.view.start();
    await settle();
    const sawActiveAt = w.clock.monotonicMs();
    // The active goes away (crashed: connection refused).
    w.nns.get('nn1')!.behaviour = { kind: 'fail', error: 'unreachable', message: 'Connection refused' };
    w.clock.advance(1000);
    await settle();
    expect(w.records.at(-1)!.activeNamenodes).toEqual([]);
    expect(w.records.at(-1)!.noActiveSinceMonotonicMs).toBe(sawActiveAt);
    await advance(w, 9_500);
    expect(await metric(w.metrics, 'zkfc_cluster_seconds_without_active')).toBeCloseTo(10.5, 6);
    expect(await metric(w.metrics, 'zkfc_cluster_active_namenodes')).toBe(0);
    const cluster = w.status.status().cluster!;
    expect(cluster.secondsWithoutActive).toBe(10);
    expect(cluster.activeNamenodes).toEqual([]);
    expect(cluster.lastActiveSeenAt).toBe(new Date(w.records[0]!.lastActiveSeenWallMs!).toISOString());
    const nn1 = cluster.namenodes.find((nn) => nn.namenodeId === 'nn1')!;
    expect(nn1).toMatchObject({ state: null, health: 'SERVICE_NOT_RESPONDING', error: 'Connection refused' });
    expect(
      await metric(w.metrics, 'zkfc_cluster_namenode_health', {
        observed_namenode: 'nn1',
        state: 'SERVICE_NOT_RESPONDING',
      }),
    ).toBe(1);
    // Every state series of nn1 is 0: it did not answer.
    for (const state of ['INITIALIZING', 'ACTIVE', 'STANDBY', 'OBSERVER'])
      expect(await metric(w.metrics, 'zkfc_cluster_namenode_state', { observed_namenode: 'nn1', state })).toBe(0);

    // A standby becomes active: back to 0.
    w.nns.get('nn3')!.behaviour = { kind: 'answer', state: 'ACTIVE' };
    w.clock.advance(1000);
    await settle();
    expect(await metric(w.metrics, 'zkfc_cluster_seconds_without_active')).toBe(0);
    expect(w.status.status().cluster!.secondsWithoutActive).toBe(0);
    expect(w.status.status().cluster!.activeNamenodes).toEqual(['nn3']);
  });

  it('counts from the start of the view when no round has seen an active', async () => {
    const w = makeWorld(1000);
    const startedAt = w.clock.monotonicMs();
    w.view.start();
    await settle();
    expect(w.records[0]!.noActiveSinceMonotonicMs).toBe(startedAt);
    expect(w.records[0]!.lastActiveSeenWallMs).toBeNull();
    w.clock.advance(3_000);
    await settle();
    expect(await metric(w.metrics, 'zkfc_cluster_seconds_without_active')).toBe(3);
    expect(w.status.status().cluster).toMatchObject({ secondsWithoutActive: 3, lastActiveSeenAt: null });
  });

  it('counts two actives as two (split brain as this daemon sees it)', async () => {
    const w = makeWorld();
    w.nns.get('nn1')!.behaviour = { kind: 'answer', state: 'ACTIVE' };
    w.nns.get('nn3')!.behaviour = { kind: 'answer', state: 'ACTIVE' };
    w.view.start();
    await settle();
    expect(w.records[0]!.activeNamenodes).toEqual(['nn1', 'nn3']);
    expect(await metric(w.metrics, 'zkfc_cluster_active_namenodes')).toBe(2);
    expect(await metric(w.metrics, 'zkfc_cluster_seconds_without_active')).toBe(0);
    expect(w.status.status().cluster!.activeNamenodes).toEqual(['nn1', 'nn3']);
  });

  it('ends a round by its deadline when a NameNode hangs, and reconnects to it next round', async () => {
    const w = makeWorld(1000);
    w.nns.get('nn1')!.behaviour = { kind: 'hang' };
    w.nns.get('nn2')!.behaviour = { kind: 'answer', state: 'ACTIVE' };
    w.view.start();
    await settle();
    expect(w.records).toHaveLength(0);
    // Calls are bounded by min(interval, 5 s) = 1 s; the round ends 500 ms after that at the latest.
    w.clock.advance(1_499);
    await settle();
    expect(w.records).toHaveLength(0);
    w.clock.advance(1);
    await settle();
    expect(w.records).toHaveLength(1);
    expect(w.records[0]!.durationMs).toBe(1_500);
    expect(w.records[0]!.namenodes[0]).toMatchObject({
      namenodeId: 'nn1',
      state: null,
      health: 'SERVICE_NOT_RESPONDING',
      error: 'no answer within 1500 ms',
    });
    expect(w.records[0]!.activeNamenodes).toEqual(['nn2']);
    const hung = w.nns.get('nn1')!;
    expect(hung.clients[0]!.closed).toBe(true);
    // The next round starts one interval after this one ended, on a new connection to nn1 only.
    hung.behaviour = { kind: 'answer', state: 'STANDBY' };
    w.clock.advance(1_000);
    await settle();
    expect(w.records).toHaveLength(2);
    expect(hung.clients).toHaveLength(2);
    expect(w.nns.get('nn2')!.clients).toHaveLength(1);
    expect(w.records[1]!.namenodes[0]).toMatchObject({ state: 'STANDBY', health: 'SERVICE_HEALTHY', error: null });
    expect(clusterViewRpcTimeoutMs(1000)).toBe(1000);
    expect(clusterViewRpcTimeoutMs(60_000)).toBe(5000);
  });

  it("reads each NameNode's transaction id in the same round, bounded by the round's deadline", async () => {
    const txids: NameNodeTxidReader = {
      read: (nn) =>
        nn.namenodeId === 'nn3'
          ? new Promise(() => undefined) // hangs
          : Promise.resolve(
              nn.namenodeId === 'nn1' ? { ok: true, txid: 42 } : { ok: false, message: 'GET …: ECONNREFUSED' },
            ),
    };
    const w = makeWorld(1000, txids);
    for (const id of ['nn1', 'nn2', 'nn3']) w.nns.get(id)!.behaviour = { kind: 'answer', state: 'STANDBY' };
    w.view.start();
    await advance(w, 1_500);
    expect(w.records).toHaveLength(1);
    // The hanging read is cut at its own bound (call timeout + 250 ms), before the round's deadline.
    expect(w.records[0]!.durationMs).toBeGreaterThanOrEqual(1_250);
    expect(w.records[0]!.durationMs).toBeLessThan(1_500);
    expect(w.records[0]!.namenodes.map((nn) => nn.lastAppliedOrWrittenTxId)).toEqual([42, null, null]);
    // A transaction id that was not read changes nothing else the round says.
    expect(w.records[0]!.namenodes.map((nn) => nn.health)).toEqual([
      'SERVICE_HEALTHY',
      'SERVICE_HEALTHY',
      'SERVICE_HEALTHY',
    ]);
    expect(w.status.status().cluster?.namenodes[0]?.lastAppliedOrWrittenTxId).toBe(42);
  });

  it("keeps an unhealthy NameNode's state and its own reason, bounded", async () => {
    const w = makeWorld();
    const long = 'x'.repeat(10_000);
    w.nns.get('nn1')!.behaviour = { kind: 'unhealthy', state: 'ACTIVE', message: `no resources ${long}` };
    w.nns.get('nn3')!.behaviour = { kind: 'answer', state: 'STANDBY', notReadyReason: `in safe mode ${long}` };
    w.view.start();
    await settle();
    const [nn1, , nn3] = w.records[0]!.namenodes;
    expect(nn1).toMatchObject({ state: 'ACTIVE', health: 'SERVICE_UNHEALTHY' });
    expect(nn1!.error!.startsWith('no resources xxx')).toBe(true);
    expect(nn1!.error!.length).toBeLessThan(600);
    expect(nn3).toMatchObject({ state: 'STANDBY', readyToBecomeActive: false, health: 'SERVICE_HEALTHY' });
    expect(nn3!.notReadyReason!.length).toBeLessThan(600);
    // An unhealthy answer is still an answer: the connection is dropped only after a failed call.
    expect(w.nns.get('nn3')!.clients[0]!.closed).toBe(false);
    expect(w.records[0]!.activeNamenodes).toEqual(['nn1']);
  });

  it('shows the NameNodes before the first round, and stop() ends the timer and the connections', async () => {
    const w = makeWorld();
    const before = w.status.status().cluster!;
    expect(before.checkedAt).toBeNull();
    expect(before.namenodes.map((nn) => [nn.namenodeId, nn.state, nn.health])).toEqual([
      ['nn1', null, 'INITIALIZING'],
      ['nn2', null, 'INITIALIZING'],
      ['nn3', null, 'INITIALIZING'],
    ]);
    w.view.start();
    await settle();
    expect(w.status.status().cluster!.checkedAt).toBe(new Date(w.records[0]!.finishedAtWallMs).toISOString());
    await w.view.stop();
    expect([...w.nns.values()].every((nn) => nn.clients.every((c) => c.closed))).toBe(true);
    expect(w.clock.pendingTimers).toBe(0);
    w.clock.advance(60_000);
    await settle();
    expect(w.records).toHaveLength(1);
  });

  it('is absent from the status and the metrics when off', async () => {
    const clock = new ManualClock();
    const status = new StatusBoard(
      { nameservice: 'ns1', namenode: 'nn1', namenodeAddress: '127.0.0.1:8020', version: '0.1.0' },
      clock,
    );
    expect(status.status().cluster).toBeNull();
    const metrics = new ZkfcMetrics({ version: '0.1.0', processMetrics: false });
    expect(await metrics.metricsText()).not.toContain('zkfc_cluster_');
  });
});
