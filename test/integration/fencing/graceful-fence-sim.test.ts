// Goal: the graceful step of fencing works with the real Hadoop IPC client against a NameNode that
// speaks HAServiceProtocol: an active NameNode that agrees is left standby and no method runs; one
// that refuses (ServiceFailedException), hangs (no answer within the RPC timeout) or is gone
// (connection refused, retried once) falls through to the configured methods, within the bounds;
// a timed-out graceful step never counts as fenced.
// Method: `zkfc-sim namenode` processes (test/support/namenode-sim-process.ts) driven through
// their /sim/ control interface; RpcHAServiceClientFactory; a shell(...) method whose marker file
// shows whether a method ran.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { NamenodeTarget } from '../../../src/core/types.js';
import { RpcHAServiceClientFactory } from '../../../src/hadoop/ha-service-client.js';
import { NodeFencer } from '../../../src/fencing/node-fencer.js';
import { NamenodeSimProcess, stopAllSimProcesses } from '../../support/namenode-sim-process.js';
import { freePort } from '../../../tools/testing/net.js';
import { captureLogger } from './helpers.js';
import { realClock } from '../../../tools/testing/clock.js';

const dir = mkdtempSync(join(tmpdir(), 'zkfc-graceful-sim-'));
afterEach(async () => {
  await stopAllSimProcesses();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fencerFor(target: NamenodeTarget, markerName: string, rpcTimeoutMs = 2000, methods?: string) {
  const marker = join(dir, markerName);
  const fencer = new NodeFencer({
    targets: [{ target, fencingMethods: methods ?? `shell(touch ${marker})`, conf: new Map() }],
    haServiceClientFactory: new RpcHAServiceClientFactory({ logger: captureLogger().logger }),
    clock: realClock,
    logger: captureLogger().logger,
    gracefulFence: { rpcTimeoutMs, connectionRetries: 1, retryIntervalMs: 200 },
    shell: { baseEnv: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' } },
  });
  return { fencer, marker };
}

async function activeSim(namenodeId: string): Promise<{ sim: NamenodeSimProcess; target: NamenodeTarget }> {
  const sim = await NamenodeSimProcess.start({ nameserviceId: 'ns1', namenodeId, initialState: 'active' });
  const target: NamenodeTarget = { nameserviceId: 'ns1', namenodeId, serviceAddress: sim.rpcAddress, zkfcPort: 8019 };
  return { sim, target };
}

describe('graceful fence with the real IPC client against a simulated NameNode', () => {
  it('makes an active NameNode standby; no fencing method runs', async () => {
    const { sim, target } = await activeSim('nn1');
    const { fencer, marker } = fencerFor(target, 'agreed');
    const outcome = await fencer.fenceOldActive(target);
    expect(outcome).toMatchObject({ fenced: true, graceful: true });
    expect(outcome.attempts.map((a) => [a.method, a.outcome])).toEqual([['graceful', 'success']]);
    const state = await sim.state();
    expect(state.state).toBe('standby');
    expect(state.calls.transitionToStandby).toBe(1);
    expect(existsSync(marker)).toBe(false);
  });

  it('falls through to the methods when the NameNode refuses (ServiceFailedException)', async () => {
    const { sim, target } = await activeSim('nn2');
    await sim.fault('refuse-transitions');
    const { fencer, marker } = fencerFor(target, 'refused');
    const outcome = await fencer.fenceOldActive(target);
    expect(outcome.attempts[0]).toMatchObject({
      method: 'graceful',
      outcome: 'failure',
      detail: expect.stringMatching(/refused transitionToStandby: Simulated failure/),
    });
    expect(outcome).toMatchObject({ fenced: true, graceful: false });
    expect(existsSync(marker)).toBe(true);
    expect((await sim.state()).state).toBe('active');
  });

  it('gives up on a hung NameNode after the RPC timeout and runs the methods', async () => {
    const { sim, target } = await activeSim('nn3');
    await sim.fault('hang');
    const { fencer, marker } = fencerFor(target, 'hung', 1000);
    const started = performance.now();
    const outcome = await fencer.fenceOldActive(target);
    const gracefulMs = outcome.attempts[0]?.durationMs ?? -1;
    expect(outcome.attempts[0]).toMatchObject({ method: 'graceful', outcome: 'timeout' });
    expect(gracefulMs).toBeGreaterThanOrEqual(900);
    expect(gracefulMs).toBeLessThan(3000);
    expect(performance.now() - started).toBeLessThan(6000);
    expect(outcome.fenced).toBe(true);
    expect(existsSync(marker)).toBe(true);
  });

  it(
    'never counts a timed-out graceful step as fenced: ' + 'with every method failing, a hung active stays unfenced',
    async () => {
      // A second, independent check of "a timed-out graceful fence is not a success" (the simulation
      // has the other): the real IPC client's deadline against a NameNode process that stops answering.
      const { sim, target } = await activeSim('nn5');
      await sim.fault('hang');
      const { fencer, marker } = fencerFor(target, 'never', 800, `shell(touch ${join(dir, 'never')}; exit 1)`);
      const outcome = await fencer.fenceOldActive(target);
      expect(outcome.attempts.map((attempt) => `${attempt.method}:${attempt.outcome}`)).toEqual([
        'graceful:timeout',
        `shell(touch ${marker}; exit 1):failure`,
      ]);
      expect(outcome).toMatchObject({ fenced: false, graceful: false });
      // The method really ran (after the graceful step gave up), and failed.
      expect(existsSync(marker)).toBe(true);
    },
  );

  it('retries a refused connection once, then runs the methods', async () => {
    const target: NamenodeTarget = {
      nameserviceId: 'ns1',
      namenodeId: 'nn4',
      serviceAddress: { host: '127.0.0.1', port: await freePort() },
      zkfcPort: 8019,
    };
    const { fencer, marker } = fencerFor(target, 'gone');
    const outcome = await fencer.fenceOldActive(target);
    expect(outcome.attempts[0]).toMatchObject({ method: 'graceful', outcome: 'error' });
    // One retry after the 200 ms retry interval.
    expect(outcome.attempts[0]?.durationMs).toBeGreaterThanOrEqual(190);
    expect(outcome.attempts[0]?.durationMs).toBeLessThan(3000);
    expect(outcome.fenced).toBe(true);
    expect(existsSync(marker)).toBe(true);
  });
});
