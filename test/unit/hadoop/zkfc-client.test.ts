// Goal: RpcZkfcClient implements the ZkfcClient port over real Hadoop IPC and carries millisToCede
// as Java does (int in a uint32: -1 travels as 0xFFFFFFFF, docs/hadoop-compat.md §3); the server-side helper reads it
// back signed. Method: an IpcServer serving ZKFCProtocol on a free loopback port records what
// arrives; errors are real RemoteExceptions thrown by its handlers.
import { describe, expect, it } from 'vitest';
import {
  CedeActiveRequestProtoSchema,
  CedeActiveResponseProtoSchema,
  GracefulFailoverRequestProtoSchema,
  GracefulFailoverResponseProtoSchema,
} from '../../../src/gen/ZKFCProtocol_pb.js';
import { ExceptionClassName, ZKFC_PROTOCOL_NAME } from '../../../src/hadoop/protocol-names.js';
import { RpcZkfcClientFactory, decodeMillisToCede, encodeMillisToCede } from '../../../src/hadoop/zkfc-client.js';
import { ServiceFailedError } from '../../../src/hadoop/ha-errors.js';
import { AccessControlError, RemoteException, RpcTimeoutError } from '../../../src/ipc/errors.js';
import { IpcServer, defineMethod } from '../../../src/ipc/server.js';
import { cleanupsAfterEach } from '../../support/cleanups.js';

const cleanups = cleanupsAfterEach();

async function peerZkfc(options: { failover?: () => void | Promise<void>; allowedUser?: string } = {}) {
  const wire: number[] = [];
  const server = new IpcServer({ host: '127.0.0.1', port: 0 });
  server.registerProtocol(ZKFC_PROTOCOL_NAME, 1, {
    cedeActive: defineMethod(CedeActiveRequestProtoSchema, CedeActiveResponseProtoSchema, (request, ctx) => {
      if (options.allowedUser !== undefined && ctx.user !== options.allowedUser) {
        throw new RemoteException(
          ExceptionClassName.AccessControl,
          `Disallowed RPC access from ${ctx.user} (auth:SIMPLE) at ` +
            `${ctx.remoteAddress}. Not listed in dfs.cluster.administrators`,
        );
      }
      wire.push(request.millisToCede);
      return {};
    }),
    gracefulFailover: defineMethod(
      GracefulFailoverRequestProtoSchema,
      GracefulFailoverResponseProtoSchema,
      async () => {
        await options.failover?.();
        return {};
      },
    ),
  });
  const { port } = await server.listen();
  cleanups.push(() => server.close());
  return { wire, address: { host: '127.0.0.1', port } };
}

function clientFor(address: { host: string; port: number }, user = 'hdfs') {
  const client = new RpcZkfcClientFactory({ effectiveUser: user }).create(address);
  cleanups.push(() => client.close());
  return client;
}

describe('millisToCede conversion', () => {
  it.each([
    [-1, 0xffffffff],
    [0, 0],
    [10_000, 10_000],
    [0x7fffffff, 0x7fffffff],
    [-0x80000000, 0x80000000],
  ])('%i ↔ wire %i', (millis, wire) => {
    expect(encodeMillisToCede(millis)).toBe(wire);
    expect(decodeMillisToCede(wire)).toBe(millis);
  });

  it.each([1.5, 2 ** 31, -(2 ** 31) - 1, Number.NaN])('refuses %d', (value) => {
    expect(() => encodeMillisToCede(value)).toThrow(RangeError);
  });
});

describe('RpcZkfcClient', () => {
  it('cedeActive(-1) arrives as 0xFFFFFFFF and decodes back to -1 on the server side', async () => {
    const { wire, address } = await peerZkfc();
    const client = clientFor(address);
    await client.cedeActive(-1, 5_000);
    await client.cedeActive(10_000, 5_000);
    expect(wire).toEqual([0xffffffff, 10_000]);
    expect(wire.map(decodeMillisToCede)).toEqual([-1, 10_000]);
  });

  it('gracefulFailover succeeds, or rejects with the typed error the peer raised', async () => {
    let fail = false;
    const { address } = await peerZkfc({
      failover: () => {
        if (fail)
          throw new RemoteException(
            ExceptionClassName.ServiceFailed,
            'Unable to become active. Local node is not healthy',
          );
      },
    });
    const client = clientFor(address);
    await client.gracefulFailover(5_000);
    fail = true;
    const error = await client.gracefulFailover(5_000).catch((e: unknown) => e);
    expect(error).toMatchObject({
      kind: 'refused',
      message: 'Unable to become active. Local node is not healthy',
      cause: expect.any(ServiceFailedError),
    });
  });

  it('a caller the peer does not allow gets a failed call (AccessControlException)', async () => {
    const { address } = await peerZkfc({ allowedUser: 'hdfs' });
    await expect(clientFor(address, 'mallory').cedeActive(1_000, 5_000)).rejects.toMatchObject({
      kind: 'failed',
      cause: expect.any(AccessControlError),
    });
    await expect(clientFor(address, 'hdfs').cedeActive(1_000, 5_000)).resolves.toBeUndefined();
  });

  it('a peer that never finishes the failover times the call out', async () => {
    const { address } = await peerZkfc({ failover: () => new Promise<void>(() => {}) });
    await expect(clientFor(address).gracefulFailover(150)).rejects.toMatchObject({
      kind: 'timedOut',
      cause: expect.any(RpcTimeoutError),
    });
  });
});
