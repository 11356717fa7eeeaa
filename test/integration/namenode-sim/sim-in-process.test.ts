// Goal: a simulated NameNode, driven over real loopback TCP with our Hadoop IPC client and over
// HTTP, behaves like a NameNode: HA transitions and their remote exceptions arrive as the typed
// errors the ZKFC branches on, the HTTP endpoints report the state, every fault switch does what
// it promises (slow, hang, unhealthy, refuse/delay transitions, exit-on-activate, crash), and the
// transition log records every change before it is answered.
// Method: NameNodeSimulator instances in this process on port 0, RpcHAServiceClientFactory clients,
// fetch() on the HTTP port; every instance is stopped in afterEach.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { RpcHAServiceClientFactory, type RpcHAServiceClient } from '../../../src/hadoop/ha-service-client.js';
import { HealthCheckFailedError, ServiceFailedError } from '../../../src/hadoop/ha-errors.js';
import {
  AccessControlError,
  ConnectionClosedError,
  RemoteError,
  RetriableError,
  RpcTimeoutError,
} from '../../../src/ipc/errors.js';
import { NameNodeSimulator, type NameNodeSimulatorOptions } from '../../../tools/namenode-sim/sim-namenode.js';
import { findSplitBrain, readTransitionLogs } from '../../../tools/namenode-sim/transition-log.js';
import { sleep } from '../../../tools/testing/wait.js';

const dir = mkdtempSync(join(tmpdir(), 'sim-in-process-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sims: NameNodeSimulator[] = [];
const clients: RpcHAServiceClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(sims.splice(0).map((sim) => sim.stop('test done')));
});

let logCounter = 0;
async function startSim(options: Partial<NameNodeSimulatorOptions> = {}): Promise<NameNodeSimulator> {
  const sim = await NameNodeSimulator.start({
    nameserviceId: 'ns1',
    namenodeId: 'nn1',
    superuser: 'hdfs',
    transitionLogPath: join(dir, `t${logCounter++}.log`),
    ...options,
  });
  sims.push(sim);
  return sim;
}

function clientFor(sim: NameNodeSimulator, user = 'hdfs', address = sim.rpcAddress): RpcHAServiceClient {
  const client = new RpcHAServiceClientFactory({ effectiveUser: user, connectTimeoutMs: 5_000 }).create(address);
  clients.push(client);
  return client;
}

async function http(sim: NameNodeSimulator, path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`http://${sim.httpAddress.host}:${sim.httpAddress.port}${path}`, {
    signal: AbortSignal.timeout(5_000),
    ...init,
  });
}

async function postFault(sim: NameNodeSimulator, body: string): Promise<Response> {
  return http(sim, '/sim/fault', { method: 'POST', body });
}

const T = 5_000; // generous per-call timeout under load

async function expectRemote(
  call: Promise<unknown>,
  type: new (...args: never[]) => RemoteError,
  className: string,
  message: string,
): Promise<void> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  // The port's HaCallError carries the NameNode's message; the typed remote error is its cause.
  expect((error as Error).message).toBe(message);
  const cause = (error as Error).cause;
  expect(cause).toBeInstanceOf(type);
  expect((cause as RemoteError).className).toBe(className);
  expect((cause as RemoteError).message).toBe(message);
}

describe('HAServiceProtocol over IPC', () => {
  it('answers status, takes ZKFC transitions and logs each change before answering', async () => {
    const logPath = join(dir, 'basic.log');
    const sim = await startSim({ transitionLogPath: logPath });
    const client = clientFor(sim);
    expect(await client.getServiceStatus(T)).toEqual({ state: 'STANDBY', readyToBecomeActive: true });
    await client.monitorHealth(T);
    await client.transitionToActive('REQUEST_BY_ZKFC', T);
    expect(readTransitionLogs([logPath]).entries.at(-1)).toMatchObject({
      event: 'transition',
      from: 'standby',
      to: 'active',
    });
    expect(await client.getServiceStatus(T)).toEqual({ state: 'ACTIVE', readyToBecomeActive: true });
    await client.transitionToActive('REQUEST_BY_ZKFC', T); // no-op
    await client.transitionToStandby('REQUEST_BY_ZKFC', T);
    await client.transitionToObserver('REQUEST_BY_USER_FORCED', T);
    expect(await client.getServiceStatus(T)).toEqual({
      state: 'OBSERVER',
      readyToBecomeActive: false,
      notReadyReason: 'State is observer',
    });
    await sim.stop('SIGTERM received');
    const { entries, errors } = readTransitionLogs([logPath]);
    expect(errors).toEqual([]);
    expect(entries.map((e) => `${e.event}:${e.from}->${e.to}`)).toEqual([
      'start:null->standby',
      'transition:standby->active',
      'transition:active->standby',
      'transition:standby->observer',
      'exit:observer->stopped',
    ]);
    expect(entries[1]!.cause).toBe('transitionToActive by hdfs from 127.0.0.1 (REQUEST_BY_ZKFC)');
    expect(entries.every((e) => e.pid === process.pid)).toBe(true);
  });

  it('remote exceptions arrive as the typed errors with Hadoop messages', async () => {
    const sim = await startSim({ automaticFailoverEnabled: true });
    const hdfs = clientFor(sim);
    await expectRemote(
      hdfs.transitionToActive('REQUEST_BY_USER', T),
      AccessControlError,
      'org.apache.hadoop.security.AccessControlException',
      'Manual HA control for this NameNode is disallowed, because automatic HA is enabled.',
    );
    const alice = clientFor(sim, 'alice');
    const denied = await alice.monitorHealth(T).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((denied as Error).cause).toBeInstanceOf(AccessControlError);
    expect(((denied as Error).cause as AccessControlError).className).toBe(
      'org.apache.hadoop.security.AccessControlException',
    );
    expect((denied as Error).message).toBe('Access denied for user alice. Superuser privilege is required');
    expect(await alice.getServiceStatus(T)).toMatchObject({ state: 'STANDBY' }); // no superuser needed

    await hdfs.transitionToObserver('REQUEST_BY_USER_FORCED', T);
    await expect(hdfs.transitionToActive('REQUEST_BY_ZKFC', T)).rejects.toMatchObject({
      cause: expect.any(ServiceFailedError),
    });
    await expect(hdfs.transitionToStandby('REQUEST_BY_ZKFC', T)).rejects.toThrow(
      /Request from ZK failover controller at 127\.0\.0\.1 denied since the namenode is in Observer state\./,
    );

    const manual = await startSim({ namenodeId: 'nn2', automaticFailoverEnabled: false });
    await expect(clientFor(manual).transitionToActive('REQUEST_BY_ZKFC', T)).rejects.toThrow(
      /^Request from ZK failover controller at 127\.0\.0\.1 denied since automatic HA is not enabled$/,
    );
    await clientFor(manual).transitionToActive('REQUEST_BY_USER', T);
    expect(manual.model.currentState()).toBe('ACTIVE');
  });

  it('during the start-up delay every call is RetriableException "NameNode still not started"', async () => {
    const sim = await startSim({ startupDelayMs: 1_000 });
    const client = clientFor(sim);
    const error = await client.getServiceStatus(T).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as Error).cause).toBeInstanceOf(RetriableError);
    expect((error as Error).message).toBe('NameNode still not started');
    await expect(client.monitorHealth(T)).rejects.toMatchObject({ cause: expect.any(RetriableError) });
    await sleep(1_100);
    expect(await client.getServiceStatus(T)).toMatchObject({ state: 'STANDBY' });
  });

  it('safe mode with not-become-active-in-safemode: unhealthy, not ready, refuses to become active', async () => {
    const sim = await startSim({ safemode: true, notBecomeActiveInSafemode: true });
    const client = clientFor(sim);
    await expect(client.monitorHealth(T)).rejects.toThrow(/configured to report UNHEALTHY to ZKFC in Safemode/);
    await expect(client.monitorHealth(T)).rejects.toMatchObject({ cause: expect.any(HealthCheckFailedError) });
    expect(await client.getServiceStatus(T)).toMatchObject({
      readyToBecomeActive: false,
      notReadyReason: expect.stringMatching(/^The NameNode is in safemode\./),
    });
    await expect(client.transitionToActive('REQUEST_BY_ZKFC', T)).rejects.toThrow(
      /^NameNode still not leave safemode$/,
    );
    expect((await http(sim, '/sim/safemode', { method: 'POST', body: '{"on":false}' })).status).toBe(200);
    await client.monitorHealth(T);
    await client.transitionToActive('REQUEST_BY_ZKFC', T);
  });

  it('serves the protocol on the service RPC and lifeline ports too', async () => {
    const sim = await startSim({ serviceRpcPort: 0, lifelinePort: 0 });
    expect(sim.serviceRpcAddress?.port).toBeGreaterThan(0);
    expect(sim.lifelineAddress?.port).toBeGreaterThan(0);
    await clientFor(sim, 'hdfs', sim.lifelineAddress).monitorHealth(T);
    await clientFor(sim, 'hdfs', sim.serviceRpcAddress).transitionToActive('REQUEST_BY_ZKFC', T);
    expect(await clientFor(sim).getServiceStatus(T)).toMatchObject({ state: 'ACTIVE' });
    expect(sim.describe()).toMatch(
      new RegExp(
        String.raw`^zkfc-sim namenode ns1\.nn1 rpc=127\.0\.0\.1:\d+ http=127\.0\.` +
          String.raw`0\.1:\d+ servicerpc=127\.0\.0\.1:\d+ lifeline=127\.0\.0\.1:\d+$`,
      ),
    );
  });
});

describe('HTTP endpoints', () => {
  it('/isActive answers 405 then 200 with Connection: close; /jmx reports State and tag.HAState', async () => {
    const sim = await startSim();
    let response = await http(sim, '/isActive');
    expect(response.status).toBe(405);
    expect(response.headers.get('connection')).toBe('close');
    expect(await response.text()).toContain('I am not Active!');

    const jmx = (await (await http(sim, '/jmx?qry=Hadoop:service=NameNode,name=NameNodeStatus')).json()) as {
      beans: Array<Record<string, unknown>>;
    };
    expect(jmx.beans).toHaveLength(1);
    expect(jmx.beans[0]).toMatchObject({
      name: 'Hadoop:service=NameNode,name=NameNodeStatus',
      NNRole: 'NameNode',
      State: 'standby',
      HostAndPort: `127.0.0.1:${sim.rpcAddress.port}`,
      SecurityEnabled: false,
      LastHATransitionTime: 0,
    });

    await clientFor(sim).transitionToActive('REQUEST_BY_ZKFC', T);
    response = await http(sim, '/isActive');
    expect(response.status).toBe(200);
    expect(response.headers.get('connection')).toBe('close');
    expect(await response.text()).toBe('I am Active!');
    const fs = (await (await http(sim, '/jmx?qry=Hadoop:service=NameNode,name=FSNamesystem')).json()) as {
      beans: Array<Record<string, unknown>>;
    };
    expect(fs.beans).toEqual([
      expect.objectContaining({ name: 'Hadoop:service=NameNode,name=FSNamesystem', 'tag.HAState': 'active' }),
    ]);
    const all = (await (await http(sim, '/jmx')).json()) as { beans: unknown[] };
    expect(all.beans).toHaveLength(4);
    const wildcard = (await (await http(sim, '/jmx?qry=Hadoop:service=NameNode,name=*')).json()) as {
      beans: unknown[];
    };
    expect(wildcard.beans).toHaveLength(4);
    const none = (await (await http(sim, '/jmx?qry=Hadoop:service=DataNode,*')).json()) as { beans: unknown[] };
    expect(none.beans).toEqual([]);
    const status = (await (await http(sim, '/jmx?qry=Hadoop:service=NameNode,name=NameNodeStatus')).json()) as {
      beans: Array<Record<string, unknown>>;
    };
    expect(status.beans[0]!['LastHATransitionTime']).toBeGreaterThan(0);
  });

  it("/jmx?get= and POST /sim/edits: safe mode, transaction ids, a standby's staleness, as a NameNode", async () => {
    const sim = await startSim();
    const get = async (attribute: string): Promise<unknown> => {
      const body = (await (
        await http(sim, `/jmx?get=Hadoop:service=NameNode,name=NameNodeInfo::${attribute}`)
      ).json()) as {
        beans: Array<Record<string, unknown>>;
      };
      expect(body.beans).toHaveLength(1);
      return body.beans[0]![attribute];
    };
    expect(await get('Safemode')).toBe('');
    expect(JSON.parse(String(await get('JournalTransactionInfo')))).toEqual({
      MostRecentCheckpointTxId: '0',
      LastAppliedOrWrittenTxId: '1',
    });
    expect((await http(sim, '/sim/safemode', { method: 'POST', body: '{"on":true}' })).status).toBe(200);
    expect(await get('Safemode')).toBe(
      'Safe mode is ON. It was turned on manually. Use "hdfs dfsadmin -safemode leave" to turn safe mode off.',
    );
    const edits = await http(sim, '/sim/edits', {
      method: 'POST',
      body: '{"lastAppliedOrWrittenTxId":900,"mostRecentCheckpointTxId":800,"millisSinceLastLoadedEdits":600000}',
    });
    expect(edits.status).toBe(200);
    expect(JSON.parse(String(await get('JournalTransactionInfo')))).toEqual({
      MostRecentCheckpointTxId: '800',
      LastAppliedOrWrittenTxId: '900',
    });
    const fsn = (await (await http(sim, '/jmx?qry=Hadoop:service=NameNode,name=FSNamesystem')).json()) as {
      beans: Array<Record<string, unknown>>;
    };
    expect(fsn.beans[0]!['MillisSinceLastLoadedEdits']).toBeGreaterThanOrEqual(600_000);
    expect(fsn.beans[0]!['LastWrittenTransactionId']).toBe(900);
    // The servlet's error shapes.
    const noAttribute = (await (
      await http(sim, '/jmx?get=Hadoop:service=NameNode,name=NameNodeInfo::NoSuch')
    ).json()) as {
      beans: Array<Record<string, unknown>>;
    };
    expect(noAttribute.beans[0]).toMatchObject({
      result: 'ERROR',
      message: 'No attribute with name NoSuch was found.',
    });
    expect(await (await http(sim, '/jmx?get=bad')).json()).toEqual({
      result: 'ERROR',
      message: 'query format is not as expected.',
    });
    for (const bad of ['{"lastAppliedOrWrittenTxId":-1}', '{"tailing":"no"}', '{"txid":5}'])
      expect((await http(sim, '/sim/edits', { method: 'POST', body: bad })).status).toBe(400);
  });

  it('the control interface reports state and refuses bad input with 400/404/413', async () => {
    const sim = await startSim({ namenodeId: 'nn7' });
    const state = (await (await http(sim, '/sim/state')).json()) as Record<string, unknown>;
    expect(state).toMatchObject({
      nameserviceId: 'ns1',
      namenodeId: 'nn7',
      pid: process.pid,
      state: 'standby',
      started: true,
      safemode: false,
      rpc: sim.rpcAddress,
      http: sim.httpAddress,
      automaticFailoverEnabled: true,
    });
    expect((await postFault(sim, '{"fault":"explode"}')).status).toBe(400);
    expect((await http(sim, '/sim/state', { method: 'POST', body: '{"state":"leader"}' })).status).toBe(400);
    expect((await http(sim, '/sim/safemode', { method: 'POST', body: '{"on":"yes"}' })).status).toBe(400);
    expect((await http(sim, '/sim/nothing', { method: 'POST', body: '{}' })).status).toBe(404);
    expect((await http(sim, '/nothing')).status).toBe(404);
    expect((await postFault(sim, 'x'.repeat(100_000))).status).toBe(413);
    expect(
      (await http(sim, '/sim/state', { method: 'POST', body: '{"state":"active","cause":"set-up"}' })).status,
    ).toBe(200);
    expect(sim.model.currentState()).toBe('ACTIVE');
  });
});

describe('faults', () => {
  it('unhealthy: monitorHealth fails with "The NameNode has no resources available" until cleared', async () => {
    const sim = await startSim();
    const client = clientFor(sim);
    expect((await postFault(sim, 'unhealthy')).status).toBe(200);
    await expectRemote(
      client.monitorHealth(T),
      HealthCheckFailedError,
      'org.apache.hadoop.ha.HealthCheckFailedException',
      'The NameNode has no resources available',
    );
    await postFault(sim, '{"fault":"none"}');
    await client.monitorHealth(T);
  });

  it('slow: calls answer late (a short timeout fails, the connection stays usable)', async () => {
    const sim = await startSim();
    const client = clientFor(sim);
    await postFault(sim, '{"fault":"slow","ms":600}');
    await expect(client.monitorHealth(150)).rejects.toMatchObject({ cause: expect.any(RpcTimeoutError) });
    const started = performance.now();
    await client.monitorHealth(T);
    expect(performance.now() - started).toBeGreaterThanOrEqual(550);
    await postFault(sim, 'none');
    await client.monitorHealth(T);
  });

  it('hang: calls and the NameNode HTTP endpoints stall until cleared, then queued calls are processed', async () => {
    const sim = await startSim();
    const client = clientFor(sim);
    await postFault(sim, 'hang');
    await expect(client.monitorHealth(200)).rejects.toMatchObject({ cause: expect.any(RpcTimeoutError) });
    await expect(
      fetch(`http://${sim.httpAddress.host}:${sim.httpAddress.port}/isActive`, { signal: AbortSignal.timeout(300) }),
    ).rejects.toThrow();
    const pending = client.transitionToActive('REQUEST_BY_ZKFC', T);
    await sleep(200);
    expect(sim.model.currentState()).toBe('STANDBY');
    // control still answers
    expect((await (await http(sim, '/sim/state')).json()) as object).toMatchObject({ faults: { hang: true } });
    await postFault(sim, 'none');
    await pending;
    expect(sim.model.currentState()).toBe('ACTIVE');
    expect((await http(sim, '/isActive')).status).toBe(200);
  });

  it('refuse-transitions: ServiceFailedException, the state stays', async () => {
    const sim = await startSim();
    const client = clientFor(sim);
    await postFault(sim, 'refuse-transitions');
    await expect(client.transitionToActive('REQUEST_BY_ZKFC', T)).rejects.toMatchObject({
      cause: expect.any(ServiceFailedError),
    });
    expect(sim.model.currentState()).toBe('STANDBY');
    await client.monitorHealth(T); // health is unaffected
  });

  it('delay-transitions: the change happens and is answered only after the delay', async () => {
    const sim = await startSim();
    const client = clientFor(sim);
    await postFault(sim, 'delay-transitions:700');
    const started = performance.now();
    const pending = client.transitionToActive('REQUEST_BY_ZKFC', T);
    await sleep(300);
    expect(sim.model.currentState()).toBe('STANDBY');
    await pending;
    expect(performance.now() - started).toBeGreaterThanOrEqual(650);
    expect(sim.model.currentState()).toBe('ACTIVE');
  });

  it('exit-on-activate: transitionToActive makes the NameNode exit(1) without ever being active', async () => {
    const logPath = join(dir, 'exit-on-activate.log');
    const sim = await startSim({ transitionLogPath: logPath });
    const client = clientFor(sim);
    await postFault(sim, 'exit-on-activate');
    await expect(client.transitionToActive('REQUEST_BY_ZKFC', T)).rejects.toMatchObject({
      cause: expect.any(ConnectionClosedError),
    });
    expect((await sim.exited).code).toBe(1);
    const { entries } = readTransitionLogs([logPath]);
    expect(entries.map((e) => `${e.event}:${e.from}->${e.to}`)).toEqual([
      'start:null->standby',
      'exit:standby->stopped',
    ]);
    expect(entries[1]!.cause).toMatch(/failed to start active services/);
  });

  it(
    'crash: answered 202, then connections drop at once ' + '(onConnectionClosed fires) and the exit line is logged',
    async () => {
      const logPath = join(dir, 'crash.log');
      const sim = await startSim({ transitionLogPath: logPath });
      const client = clientFor(sim);
      await client.transitionToActive('REQUEST_BY_ZKFC', T);
      const closed = new Promise<Error>((resolve) => client.onConnectionClosed(resolve));
      const response = await postFault(sim, '{"fault":"crash"}');
      expect(response.status).toBe(202);
      expect(await closed).toBeInstanceOf(Error);
      expect((await sim.exited).code).toBe(137);
      const { entries } = readTransitionLogs([logPath]);
      expect(entries.at(-1)).toMatchObject({
        event: 'exit',
        from: 'active',
        to: 'stopped',
        cause: 'crash fault injected',
      });
      expect(findSplitBrain(entries)).toEqual([]);
    },
  );
});
