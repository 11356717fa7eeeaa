// Goal: a hung NameNode is declared SERVICE_NOT_RESPONDING exactly when the health RPC timeout
// (ha.health-monitor.rpc-timeout.ms) expires, not before, and the timed-out connection is replaced.
// A second check, independent of the simulation's hung-NameNode scenario: here the real Hadoop IPC
// client's deadline, the real HealthPoller and the real HealthMonitor classification run against a
// NameNode process model that stops answering (the simulator's `hang` fault), in real time.
// Method: an in-process NameNodeSimulator on loopback; RpcHAServiceClientFactory; real time (realClock).
import { describe, expect, it } from 'vitest';
import { HealthMonitor, type HealthProbe } from '../../../src/core/health/health-monitor.js';
import { RpcHAServiceClientFactory } from '../../../src/hadoop/ha-service-client.js';
import { HealthPoller } from '../../../src/runtime/health-poller.js';
import type { HAServiceClient } from '../../../src/runtime/ports.js';
import { NameNodeSimulator } from '../../../tools/namenode-sim/sim-namenode.js';
import { realClock } from '../../../tools/testing/clock.js';
import { waitUntil } from '../../../tools/testing/wait.js';
import { cleanupsAfterEach } from '../../support/cleanups.js';

const cleanups = cleanupsAfterEach();

interface Probe {
  readonly probe: HealthProbe;
  readonly atMs: number;
  readonly durationMs: number;
}

describe('health-check timeout against a hung NameNode', () => {
  it(
    'declares SERVICE_NOT_RESPONDING when ha.health-monitor.rpc-timeout.ms ' +
      'expires, not before, and replaces the connection',
    async () => {
      const rpcTimeoutMs = 400;
      const nn = await NameNodeSimulator.start({ nameserviceId: 'ns1', namenodeId: 'nn1' });
      cleanups.push(() => nn.stop());
      const factory = new RpcHAServiceClientFactory({ connectTimeoutMs: 2000 });
      const clock = realClock;
      const probes: Probe[] = [];
      const clients: HAServiceClient[] = [];
      const poller = new HealthPoller({
        clock,
        createClient: () => {
          const client = factory.create(nn.rpcAddress);
          clients.push(client);
          return client;
        },
        health: {
          checkIntervalMs: 50,
          connectRetryIntervalMs: 50,
          rpcTimeoutMs,
          sleepAfterDisconnectMs: 50,
          probeOnDisconnect: true,
        },
        onProbe: (probe, durationMs) => probes.push({ probe, atMs: clock.monotonicMs(), durationMs }),
        onFailed: () => undefined,
      });
      cleanups.push(() => {
        poller.stop();
        for (const client of clients) client.close();
      });
      poller.start();
      await waitUntil(() => probes.length >= 1, 5000, 'a first probe');
      const monitor = new HealthMonitor();
      for (const { probe } of probes) monitor.step({ type: 'HealthProbeFinished', probe });
      expect(monitor.healthState()).toBe('SERVICE_HEALTHY');

      const before = probes.length;
      const hungAt = clock.monotonicMs();
      nn.model.applyFault({ fault: 'hang' });
      await waitUntil(
        () => probes.slice(before).some((p) => p.probe.kind === 'unreachable'),
        5000,
        'a timed-out round',
      );
      const timedOut = probes.slice(before).find((p) => p.probe.kind === 'unreachable')!;
      // The failing round lasted its RPC deadline: no early give-up, and not much more.
      expect(timedOut.durationMs).toBeGreaterThanOrEqual(rpcTimeoutMs - 5);
      expect(timedOut.durationMs).toBeLessThan(rpcTimeoutMs + 500);
      expect(timedOut.atMs - hungAt).toBeLessThan(rpcTimeoutMs + 1500);
      for (const { probe } of probes.slice(before)) monitor.step({ type: 'HealthProbeFinished', probe });
      expect(monitor.healthState()).toBe('SERVICE_NOT_RESPONDING');
      // A timed-out connection is not reused: the next round opens a new one.
      await waitUntil(() => clients.length >= 2, 3000, 'a new connection');
    },
  );
});
