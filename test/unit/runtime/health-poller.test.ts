// Goal: the health poller follows Hadoop's HealthMonitor cadence and classification against a real
// NameNode endpoint, and notices a crashed NameNode through its closed connection at once.
// Method: an in-process NameNode simulator (real Hadoop IPC on loopback, fault switches) probed by
// the real RPC HAServiceClient through HealthPoller on the SystemClock, with short intervals so
// the test takes about a second; we record every probe outcome and every client the poller makes.

import { afterEach, describe, expect, it } from 'vitest';
import type { HealthProbe } from '../../../src/core/health/health-monitor.js';
import { RpcHAServiceClientFactory } from '../../../src/hadoop/ha-service-client.js';
import { SimNamenode } from '../../../tools/namenode-sim/sim-namenode.js';
import { HealthPoller, type HealthPollerSettings } from '../../../src/runtime/health-poller.js';
import type { HAServiceClient } from '../../../src/runtime/ports.js';
import { SystemClock } from '../../../src/runtime/system-clock.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Probe {
  readonly probe: HealthProbe;
  readonly atMs: number;
}

async function setup(health: Partial<HealthPollerSettings> = {}) {
  const nn = await SimNamenode.start({ nameserviceId: 'ns1', namenodeId: 'nn1' });
  cleanups.push(() => nn.stop());
  const factory = new RpcHAServiceClientFactory({ connectTimeoutMs: 2000 });
  const clock = new SystemClock();
  const probes: Probe[] = [];
  const clients: HAServiceClient[] = [];
  let failed: string | undefined;
  const poller = new HealthPoller({
    clock,
    createClient: () => {
      const client = factory.create(nn.rpcAddress);
      clients.push(client);
      return client;
    },
    health: { checkIntervalMs: 100, connectRetryIntervalMs: 100, rpcTimeoutMs: 2000, sleepAfterDisconnectMs: 100, probeOnDisconnect: true, ...health },
    onProbe: (probe) => probes.push({ probe, atMs: clock.monotonicMs() }),
    onFailed: (reason) => (failed = reason),
  });
  cleanups.push(() => {
    poller.stop();
    for (const client of clients) client.close();
  });
  return { nn, poller, probes, clients, clock, failed: () => failed };
}

async function waitFor(condition: () => boolean, limitMs = 5000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('HealthPoller against a real NameNode endpoint', () => {
  it('reports healthy rounds with the service status, one check interval apart, on one connection', async () => {
    const { poller, probes, clients } = await setup();
    poller.start();
    await waitFor(() => probes.length >= 4);
    expect(probes[0]?.probe).toEqual({ kind: 'healthy', status: { state: 'STANDBY', readyToBecomeActive: true } });
    const gaps = probes.slice(1, 4).map((p, i) => p.atMs - (probes[i]?.atMs ?? 0));
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(90);
    expect(clients).toHaveLength(1);
  });

  it('classifies HealthCheckFailedException as unhealthy (status kept, connection kept)', async () => {
    const { nn, poller, probes, clients } = await setup();
    poller.start();
    await waitFor(() => probes.length >= 1);
    nn.model.applyFault({ fault: 'unhealthy' });
    await waitFor(() => probes.some((p) => p.probe.kind === 'unhealthy'));
    const unhealthy = probes.find((p) => p.probe.kind === 'unhealthy')?.probe;
    expect(unhealthy).toMatchObject({ kind: 'unhealthy', reason: 'The NameNode has no resources available', status: { state: 'STANDBY' } });
    await waitFor(() => probes.filter((p) => p.probe.kind === 'unhealthy').length >= 2);
    expect(clients).toHaveLength(1);
  });

  it('notices a crashed NameNode at once through the closed connection, far before the next round', async () => {
    const { nn, poller, probes, clock } = await setup({ checkIntervalMs: 10_000 });
    poller.start();
    await waitFor(() => probes.length >= 1);
    const crashedAt = clock.monotonicMs();
    nn.model.applyFault({ fault: 'crash' });
    await waitFor(() => probes.some((p) => p.probe.kind === 'unreachable'), 3000);
    const detected = probes.find((p) => p.probe.kind === 'unreachable');
    expect((detected?.atMs ?? Infinity) - crashedAt).toBeLessThan(2000);
  });

  it('with probeOnDisconnect off, a crashed NameNode is noticed only by the next round (Hadoop\'s cadence)', async () => {
    const { nn, poller, probes } = await setup({ checkIntervalMs: 1500, probeOnDisconnect: false });
    poller.start();
    await waitFor(() => probes.length >= 1);
    const lastRoundAt = probes[0]?.atMs ?? 0;
    nn.model.applyFault({ fault: 'crash' });
    await waitFor(() => probes.some((p) => p.probe.kind === 'unreachable'), 4000);
    const detected = probes.find((p) => p.probe.kind === 'unreachable');
    expect(probes.filter((p) => p.probe.kind === 'healthy')).toHaveLength(1);
    // The closed connection was not acted on: the next round came one check interval after the last.
    expect((detected?.atMs ?? 0) - lastRoundAt).toBeGreaterThanOrEqual(1400);
  });

  it('a client that cannot be created counts as not responding and is retried after the connect-retry interval', async () => {
    const clock = new SystemClock();
    const probes: Probe[] = [];
    let attempts = 0;
    const poller = new HealthPoller({
      clock,
      createClient: () => {
        attempts++;
        throw new Error('bad address nn9.invalid');
      },
      health: { checkIntervalMs: 1000, connectRetryIntervalMs: 50, rpcTimeoutMs: 1000, sleepAfterDisconnectMs: 1000, probeOnDisconnect: true },
      onProbe: (probe) => probes.push({ probe, atMs: clock.monotonicMs() }),
      onFailed: () => undefined,
    });
    cleanups.push(() => poller.stop());
    poller.start();
    await waitFor(() => attempts >= 3, 2000);
    expect(probes[0]?.probe).toEqual({ kind: 'unreachable', reason: 'Could not connect to local service: bad address nn9.invalid' });
  });

  it('a refused connection is unreachable; the client is dropped and a new one made after sleep-after-disconnect', async () => {
    const { nn, poller, probes, clients } = await setup();
    await nn.stop();
    poller.start();
    await waitFor(() => probes.filter((p) => p.probe.kind === 'unreachable').length >= 2);
    expect(clients.length).toBeGreaterThanOrEqual(2);
  });

  it('stops probing when stopped', async () => {
    const { poller, probes } = await setup();
    poller.start();
    await waitFor(() => probes.length >= 1);
    poller.stop();
    const count = probes.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(probes.length).toBe(count);
    expect(poller.isRunning).toBe(false);
  });
});
