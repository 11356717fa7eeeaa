// Goal: RpcHAServiceClient implements the HAServiceClient port over real Hadoop IPC: each method
// sends the right request (request source, user), maps HAServiceStateProto to our state names
// (unknown → INITIALIZING), surfaces the NameNode's exceptions as typed errors, times out per call,
// and reports connection loss at once. Method: a small NameNode stand-in built on IpcServer with
// real defineMethod handlers on a free loopback port; the client comes from RpcHAServiceClientFactory.
import { describe, expect, it } from 'vitest';
import {
  GetServiceStatusRequestProtoSchema,
  GetServiceStatusResponseProtoSchema,
  HARequestSource,
  HAServiceStateProto,
  MonitorHealthRequestProtoSchema,
  MonitorHealthResponseProtoSchema,
  TransitionToActiveRequestProtoSchema,
  TransitionToActiveResponseProtoSchema,
  TransitionToObserverRequestProtoSchema,
  TransitionToObserverResponseProtoSchema,
  TransitionToStandbyRequestProtoSchema,
  TransitionToStandbyResponseProtoSchema,
} from '../../../src/gen/HAServiceProtocol_pb.js';
import {
  RpcHAServiceClientFactory,
  decodeServiceStatus,
  haServiceStateFromProto,
  haServiceStateToProto,
} from '../../../src/hadoop/ha-service-client.js';
import { ExceptionClassName, HA_SERVICE_PROTOCOL_NAME } from '../../../src/hadoop/protocol-names.js';
import { HealthCheckFailedError, ServiceFailedError } from '../../../src/hadoop/ha-errors.js';
import {
  AccessControlError,
  ConnectionClosedError,
  ProtocolError,
  RemoteException,
  RetriableError,
  RpcConnectError,
  RpcTimeoutError,
} from '../../../src/ipc/errors.js';
import { IpcServer, defineMethod } from '../../../src/ipc/server.js';
import type { RpcCallContext } from '../../../src/ipc/server-connection.js';
import { HaCallError, type HAServiceClient } from '../../../src/runtime/ports.js';
import { hexBytes } from '../../support/ipc-bytes.js';
import { sleep } from '../../../tools/testing/wait.js';
import { cleanupsAfterEach } from '../../support/cleanups.js';

const cleanups = cleanupsAfterEach();

interface Seen {
  method: string;
  user: string;
  reqSource?: HARequestSource;
}

/** A NameNode stand-in: state, a call log, and an optional scripted failure per method. */
async function fakeNameNode() {
  const nn = {
    state: HAServiceStateProto.STANDBY as number,
    ready: undefined as boolean | undefined,
    reason: undefined as string | undefined,
    seen: [] as Seen[],
    failWith: new Map<string, RemoteException>(),
    hang: new Set<string>(),
  };
  const gate = async (ctx: RpcCallContext, reqSource?: HARequestSource) => {
    nn.seen.push({ method: ctx.method, user: ctx.user, ...(reqSource !== undefined ? { reqSource } : {}) });
    if (nn.hang.has(ctx.method)) await new Promise(() => {});
    const failure = nn.failWith.get(ctx.method);
    if (failure) throw failure;
  };
  const server = new IpcServer({ host: '127.0.0.1', port: 0 });
  server.registerProtocol(HA_SERVICE_PROTOCOL_NAME, 1, {
    monitorHealth: defineMethod(MonitorHealthRequestProtoSchema, MonitorHealthResponseProtoSchema, async (_r, ctx) => {
      await gate(ctx);
      return {};
    }),
    getServiceStatus: defineMethod(
      GetServiceStatusRequestProtoSchema,
      GetServiceStatusResponseProtoSchema,
      async (_r, ctx) => {
        await gate(ctx);
        return {
          state: nn.state as HAServiceStateProto,
          ...(nn.ready !== undefined ? { readyToBecomeActive: nn.ready } : {}),
          ...(nn.reason !== undefined ? { notReadyReason: nn.reason } : {}),
        };
      },
    ),
    transitionToActive: defineMethod(
      TransitionToActiveRequestProtoSchema,
      TransitionToActiveResponseProtoSchema,
      async (r, ctx) => {
        await gate(ctx, r.reqInfo?.reqSource);
        nn.state = HAServiceStateProto.ACTIVE;
        return {};
      },
    ),
    transitionToStandby: defineMethod(
      TransitionToStandbyRequestProtoSchema,
      TransitionToStandbyResponseProtoSchema,
      async (r, ctx) => {
        await gate(ctx, r.reqInfo?.reqSource);
        nn.state = HAServiceStateProto.STANDBY;
        return {};
      },
    ),
    transitionToObserver: defineMethod(
      TransitionToObserverRequestProtoSchema,
      TransitionToObserverResponseProtoSchema,
      async (r, ctx) => {
        await gate(ctx, r.reqInfo?.reqSource);
        nn.state = HAServiceStateProto.OBSERVER;
        return {};
      },
    ),
  });
  const { port } = await server.listen();
  cleanups.push(() => server.close());
  return { nn, server, address: { host: '127.0.0.1', port } };
}

function clientFor(address: { host: string; port: number }, user = 'hdfs'): HAServiceClient {
  const client = new RpcHAServiceClientFactory({ effectiveUser: user }).create(address);
  cleanups.push(() => client.close());
  return client;
}

describe('RpcHAServiceClient', () => {
  it('getServiceStatus maps every state and keeps optional fields only when sent', async () => {
    const { nn, address } = await fakeNameNode();
    const client = clientFor(address);
    expect(await client.getServiceStatus(5_000)).toEqual({ state: 'STANDBY' });
    nn.ready = false;
    nn.reason = 'The NameNode is in safemode. ';
    expect(await client.getServiceStatus(5_000)).toEqual({
      state: 'STANDBY',
      readyToBecomeActive: false,
      notReadyReason: 'The NameNode is in safemode. ',
    });
    nn.ready = true;
    nn.reason = undefined;
    for (const [proto, name] of [
      [HAServiceStateProto.ACTIVE, 'ACTIVE'],
      [HAServiceStateProto.OBSERVER, 'OBSERVER'],
      [HAServiceStateProto.INITIALIZING, 'INITIALIZING'],
      [9, 'INITIALIZING'],
    ] as const) {
      nn.state = proto;
      expect(await client.getServiceStatus(5_000)).toEqual({ state: name, readyToBecomeActive: true });
    }
  });

  it('transitions send the request source and the effective user; monitorHealth succeeds', async () => {
    const { nn, address } = await fakeNameNode();
    const client = clientFor(address, 'hdfs');
    await client.monitorHealth(5_000);
    await client.transitionToActive('REQUEST_BY_ZKFC', 5_000);
    expect((await client.getServiceStatus(5_000)).state).toBe('ACTIVE');
    await client.transitionToStandby('REQUEST_BY_USER', 5_000);
    await client.transitionToObserver('REQUEST_BY_USER_FORCED', 5_000);
    expect(nn.seen).toEqual([
      { method: 'monitorHealth', user: 'hdfs' },
      { method: 'transitionToActive', user: 'hdfs', reqSource: HARequestSource.REQUEST_BY_ZKFC },
      { method: 'getServiceStatus', user: 'hdfs' },
      { method: 'transitionToStandby', user: 'hdfs', reqSource: HARequestSource.REQUEST_BY_USER },
      { method: 'transitionToObserver', user: 'hdfs', reqSource: HARequestSource.REQUEST_BY_USER_FORCED },
    ]);
  });

  it.each([
    [
      'monitorHealth',
      ExceptionClassName.HealthCheckFailed,
      'unhealthy',
      HealthCheckFailedError,
      'The NameNode has no resources available',
    ],
    [
      'transitionToActive',
      ExceptionClassName.ServiceFailed,
      'refused',
      ServiceFailedError,
      "Cannot transition from 'observer' to 'active'",
    ],
    [
      'transitionToStandby',
      ExceptionClassName.AccessControl,
      'failed',
      AccessControlError,
      'Manual HA control for this NameNode is disallowed, because automatic HA is enabled.',
    ],
    ['getServiceStatus', ExceptionClassName.Retriable, 'failed', RetriableError, 'NameNode still not started'],
  ] as const)(
    '%s failing with %s rejects with the port kind %s, the typed error in cause',
    async (method, className, kind, ErrorClass, message) => {
      const { nn, address } = await fakeNameNode();
      nn.failWith.set(method, new RemoteException(className, message));
      const client = clientFor(address);
      const run: Record<string, () => Promise<unknown>> = {
        monitorHealth: () => client.monitorHealth(5_000),
        transitionToActive: () => client.transitionToActive('REQUEST_BY_ZKFC', 5_000),
        transitionToStandby: () => client.transitionToStandby('REQUEST_BY_USER', 5_000),
        getServiceStatus: () => client.getServiceStatus(5_000),
      };
      const error = await run[method]!().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HaCallError);
      expect(error).toMatchObject({ kind, message, notSent: false, address: `${address.host}:${address.port}` });
      expect((error as HaCallError).cause).toBeInstanceOf(ErrorClass);
      expect((error as HaCallError).cause).toMatchObject({ className, message });
    },
  );

  it('a hung NameNode times the call out; the connection stays usable for the next call', async () => {
    const { nn, address } = await fakeNameNode();
    nn.hang.add('monitorHealth');
    const client = clientFor(address);
    const timedOut = await client.monitorHealth(150).catch((e: unknown) => e);
    expect(timedOut).toMatchObject({ kind: 'timedOut', notSent: false });
    expect((timedOut as HaCallError).cause).toBeInstanceOf(RpcTimeoutError);
    expect(await client.getServiceStatus(5_000)).toEqual({ state: 'STANDBY' });
  });

  it(
    'reports a dead NameNode at once via onConnectionClosed, ' + 'fails in-flight calls, and reconnects later',
    async () => {
      const first = await fakeNameNode();
      first.nn.hang.add('monitorHealth');
      const client = clientFor(first.address);
      const closed: Error[] = [];
      const unsubscribe = client.onConnectionClosed((reason) => closed.push(reason));
      const inFlight = client.monitorHealth(30_000).catch((e: unknown) => e);
      await client.getServiceStatus(5_000);
      const killedAt = performance.now();
      await first.server.close();
      expect(await inFlight).toMatchObject({
        kind: 'unreachable',
        notSent: false,
        cause: expect.any(ConnectionClosedError),
      });
      expect(performance.now() - killedAt).toBeLessThan(1_000);
      expect(closed).toHaveLength(1);
      await expect(client.getServiceStatus(5_000)).rejects.toMatchObject({
        kind: 'unreachable',
        notSent: true,
        cause: expect.any(RpcConnectError),
      });

      const second = new IpcServer({ host: '127.0.0.1', port: first.address.port });
      second.registerProtocol(HA_SERVICE_PROTOCOL_NAME, 1, {
        monitorHealth: defineMethod(MonitorHealthRequestProtoSchema, MonitorHealthResponseProtoSchema, () => ({})),
      });
      await second.listen();
      cleanups.push(() => second.close());
      await client.monitorHealth(5_000);
      unsubscribe();
      await second.close();
      await sleep(50);
      expect(closed).toHaveLength(1); // unsubscribed listeners hear nothing
    },
  );

  it('the factory applies the default user from HADOOP_USER_NAME', async () => {
    const { nn, address } = await fakeNameNode();
    const saved = process.env['HADOOP_USER_NAME'];
    process.env['HADOOP_USER_NAME'] = 'nnadmin';
    try {
      const client = new RpcHAServiceClientFactory().create(address, { connectTimeoutMs: 2_000 });
      cleanups.push(() => client.close());
      await client.monitorHealth(5_000);
    } finally {
      if (saved === undefined) delete process.env['HADOOP_USER_NAME'];
      else process.env['HADOOP_USER_NAME'] = saved;
    }
    expect(nn.seen[0]?.user).toBe('nnadmin');
  });
});

describe('HAServiceStateProto mapping', () => {
  it('maps both ways and treats unknown values as INITIALIZING', () => {
    expect(haServiceStateFromProto(HAServiceStateProto.ACTIVE)).toBe('ACTIVE');
    expect(haServiceStateFromProto(HAServiceStateProto.STANDBY)).toBe('STANDBY');
    expect(haServiceStateFromProto(HAServiceStateProto.OBSERVER)).toBe('OBSERVER');
    expect(haServiceStateFromProto(HAServiceStateProto.INITIALIZING)).toBe('INITIALIZING');
    expect(haServiceStateFromProto(42)).toBe('INITIALIZING');
    for (const state of ['INITIALIZING', 'ACTIVE', 'STANDBY', 'OBSERVER'] as const) {
      expect(haServiceStateFromProto(haServiceStateToProto(state))).toBe(state);
    }
  });

  it('decodeServiceStatus: unknown enum value → INITIALIZING; missing state or garbage → ProtocolError', () => {
    expect(decodeServiceStatus(hexBytes('08 07 10 01'))).toEqual({ state: 'INITIALIZING', readyToBecomeActive: true });
    expect(() => decodeServiceStatus(hexBytes('10 01'), 12)).toThrow(ProtocolError);
    expect(() => decodeServiceStatus(hexBytes('10 01'), 12)).toThrow(/missing required fields: state/);
    expect(() => decodeServiceStatus(hexBytes('ff ff ff'))).toThrow(ProtocolError);
  });
});
