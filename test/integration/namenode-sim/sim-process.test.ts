// Goal: `zkfc-sim namenode` works as a real process the way e2e and chaos harnesses use it: the
// documented command line with fixed ports and with port 0 (the printed line gives the real
// ports), HAServiceProtocol over TCP from our IPC client, SIGTERM as a clean stop (exit 0, exit
// line in the transition log), the crash and exit-on-activate faults as process exits with
// their codes, SIGKILL leaving the log without an exit line (the harness supplies the end), and
// `zkfc-sim check-transitions` judging merged logs.
// Method: child processes via test/support/namenode-sim-process.ts (dist/ is built on demand),
// RpcHAServiceClientFactory clients; every process is stopped in afterEach, even on failure.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RpcHAServiceClientFactory, type RpcHAServiceClient } from '../../../src/hadoop/ha-service-client.js';
import { RetriableError } from '../../../src/ipc/errors.js';
import { findSplitBrain, readTransitionLogs } from '../../../tools/namenode-sim/transition-log.js';
import { ensureBuilt, NamenodeSimProcess, REPO_ROOT, stopAllSimProcesses } from '../../support/namenode-sim-process.js';
import type { HostPort } from '../../../src/core/types.js';
import { freePort } from '../../../tools/testing/net.js';
import { sleep } from '../../../tools/testing/wait.js';

const dir = mkdtempSync(join(tmpdir(), 'sim-process-'));
const clients: RpcHAServiceClient[] = [];
const factory = new RpcHAServiceClientFactory({ effectiveUser: 'hdfs', connectTimeoutMs: 5_000 });
const T = 10_000;

beforeAll(async () => {
  await ensureBuilt();
}, 180_000);
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await stopAllSimProcesses();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function client(address: HostPort): RpcHAServiceClient {
  const c = factory.create(address);
  clients.push(c);
  return c;
}

describe('zkfc-sim namenode as a process', () => {
  it('binds the ports it is given, prints them, serves HA calls, and stops cleanly on SIGTERM', async () => {
    const [rpcPort, httpPort] = [await freePort(), await freePort()];
    const logPath = join(dir, 'fixed.log');
    const sim = await NamenodeSimProcess.start({
      nameserviceId: 'ns1',
      namenodeId: 'nn1',
      rpcPort,
      httpPort,
      superuser: 'hdfs',
      transitionLogPath: logPath,
    });
    expect(sim.rpcAddress).toEqual({ host: '127.0.0.1', port: rpcPort });
    expect(sim.httpAddress).toEqual({ host: '127.0.0.1', port: httpPort });
    const c = client(sim.rpcAddress);
    expect(await c.getServiceStatus(T)).toMatchObject({ state: 'STANDBY' });
    await c.transitionToActive('REQUEST_BY_ZKFC', T);
    expect(await sim.state()).toMatchObject({ state: 'active', pid: sim.pid, transitionCount: 1 });
    const exit = await sim.stop();
    expect(exit).toMatchObject({ code: 0, signal: null });
    const { entries, errors } = readTransitionLogs([logPath]);
    expect(errors).toEqual([]);
    expect(entries.map((e) => `${e.event}:${e.from}->${e.to}`)).toEqual([
      'start:null->standby',
      'transition:standby->active',
      'exit:active->stopped',
    ]);
    expect(entries.every((e) => e.pid === sim.pid)).toBe(true);
    expect(entries[2]!.cause).toBe('SIGTERM received');
  });

  it('port 0 gives free ports, and two NameNodes hand over without a split brain', async () => {
    const logs = [join(dir, 'pair-nn1.log'), join(dir, 'pair-nn2.log')];
    const [nn1, nn2] = await Promise.all([
      NamenodeSimProcess.start({
        nameserviceId: 'ns1',
        namenodeId: 'nn1',
        superuser: 'hdfs',
        transitionLogPath: logs[0]!,
        initialState: 'active',
      }),
      NamenodeSimProcess.start({
        nameserviceId: 'ns1',
        namenodeId: 'nn2',
        superuser: 'hdfs',
        transitionLogPath: logs[1]!,
      }),
    ]);
    expect(nn1.rpcAddress.port).toBeGreaterThan(0);
    expect(nn2.rpcAddress.port).not.toBe(nn1.rpcAddress.port);
    await client(nn1.rpcAddress).transitionToStandby('REQUEST_BY_ZKFC', T);
    await client(nn2.rpcAddress).transitionToActive('REQUEST_BY_ZKFC', T);
    await Promise.all([nn1.stop(), nn2.stop()]);
    const { entries } = readTransitionLogs(logs);
    expect(findSplitBrain(entries)).toEqual([]);
    expect(entries.filter((e) => e.to === 'active').map((e) => e.namenodeId)).toEqual(['nn1', 'nn2']);
  });

  it('the start-up delay and superuser options take effect in the process', async () => {
    const sim = await NamenodeSimProcess.start({
      nameserviceId: 'ns1',
      namenodeId: 'nn1',
      superuser: 'hdfs',
      startupDelayMs: 1_500,
    });
    await expect(client(sim.rpcAddress).getServiceStatus(T)).rejects.toMatchObject({
      cause: expect.any(RetriableError),
    });
    await sleep(1_600);
    expect(await client(sim.rpcAddress).getServiceStatus(T)).toMatchObject({ state: 'STANDBY' });
    const other = new RpcHAServiceClientFactory({ effectiveUser: 'mallory', connectTimeoutMs: 5_000 }).create(
      sim.rpcAddress,
    );
    clients.push(other);
    await expect(other.monitorHealth(T)).rejects.toThrow(
      'Access denied for user mallory. Superuser privilege is required',
    );
  });

  it('crash exits 137 at once and logs the end of its active period first', async () => {
    const logPath = join(dir, 'crash.log');
    const sim = await NamenodeSimProcess.start({
      nameserviceId: 'ns1',
      namenodeId: 'nn1',
      superuser: 'hdfs',
      transitionLogPath: logPath,
      initialState: 'active',
    });
    await sim.fault('crash');
    const exit = await sim.exited;
    expect(exit.code).toBe(137);
    const { entries } = readTransitionLogs([logPath]);
    expect(entries.at(-1)).toMatchObject({ event: 'exit', from: 'active', to: 'stopped', pid: sim.pid });
  });

  it('exit-on-activate: transitionToActive makes the process exit 1', async () => {
    const logPath = join(dir, 'exit-on-activate.log');
    const sim = await NamenodeSimProcess.start({
      nameserviceId: 'ns1',
      namenodeId: 'nn1',
      superuser: 'hdfs',
      transitionLogPath: logPath,
    });
    await sim.fault('exit-on-activate');
    await expect(client(sim.rpcAddress).transitionToActive('REQUEST_BY_ZKFC', T)).rejects.toThrow();
    expect((await sim.exited).code).toBe(1);
    expect(readTransitionLogs([logPath]).entries.some((e) => e.to === 'active')).toBe(false);
  });

  it('SIGKILL leaves no exit line; the harness-observed death ends the active period', async () => {
    const logs = [join(dir, 'kill-nn1.log'), join(dir, 'kill-nn2.log')];
    const nn1 = await NamenodeSimProcess.start({
      nameserviceId: 'ns1',
      namenodeId: 'nn1',
      superuser: 'hdfs',
      transitionLogPath: logs[0]!,
      initialState: 'active',
    });
    const nn2 = await NamenodeSimProcess.start({
      nameserviceId: 'ns1',
      namenodeId: 'nn2',
      superuser: 'hdfs',
      transitionLogPath: logs[1]!,
    });
    const death = await nn1.kill('SIGKILL');
    expect(death.signal).toBe('SIGKILL');
    await client(nn2.rpcAddress).transitionToActive('REQUEST_BY_ZKFC', T);
    const { entries } = readTransitionLogs(logs);
    expect(entries.filter((e) => e.pid === nn1.pid).map((e) => e.event)).toEqual(['start']);
    expect(findSplitBrain(entries)).toHaveLength(1); // without knowing when nn1 died, it counts as active forever
    expect(findSplitBrain(entries, new Map([[nn1.pid, death.observedMonoNs]]))).toEqual([]);
  });
});

describe('zkfc-sim check-transitions and usage', () => {
  const run = (args: string[]) =>
    spawnSync(process.execPath, [join(REPO_ROOT, 'tools/bin/zkfc-sim.js'), ...args], {
      encoding: 'utf8',
      timeout: 30_000,
    });

  it('exits 1 and names the NameNodes when two were active at once, 0 for a clean log', () => {
    const line = (pid: number, nn: string, at: number, from: string | null, to: string) =>
      JSON.stringify({
        v: 1,
        event: from === null ? 'start' : 'transition',
        nameserviceId: 'ns1',
        namenodeId: nn,
        pid,
        monoNs: String(at),
        wallMs: 0,
        from,
        to,
        cause: 't',
      });
    const bad = join(dir, 'bad.log');
    writeFileSync(bad, [line(1, 'nn1', 10, null, 'active'), line(2, 'nn2', 20, 'standby', 'active')].join('\n') + '\n');
    const good = join(dir, 'good.log');
    writeFileSync(
      good,
      [
        line(1, 'nn1', 10, null, 'active'),
        line(1, 'nn1', 15, 'active', 'standby'),
        line(2, 'nn2', 20, 'standby', 'active'),
      ].join('\n') + '\n',
    );
    const badRun = run(['check-transitions', bad]);
    expect(badRun.status).toBe(1);
    expect(badRun.stdout).toMatch(/split brain in ns1: nn1 \(pid 1\) and nn2 \(pid 2\)/);
    const goodRun = run(['check-transitions', good]);
    expect(goodRun.status).toBe(0);
    expect(goodRun.stdout).toContain('3 entries, 0 overlapping active periods');
  });

  it('a bad command line exits 2 with the usage on stderr', () => {
    const result = run(['namenode', '--nameservice', 'ns1']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--namenode-id is required');
    expect(result.stderr).toContain('Usage:');
  });
});
