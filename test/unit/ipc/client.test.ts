// Goal: IpcConnection/IpcClient behave as docs/hadoop-compat.md §1 and the failure model promise over real loopback
// TCP: exact bytes on the wire (docs/hadoop-compat.md §1.11), out-of-order answers, remote exceptions as typed
// errors, per-call timeouts that leave the connection usable, every outstanding call failing at
// once when the connection dies (and onConnectionClosed firing), FATAL replies, connect refused /
// connect refused, client-id checks, reconnect on demand (the connect timeout needs iptables and
// root: test/integration/ipc/connect-timeout.test.ts).
// Method: the client talks either to our IpcServer or to a raw node:net server whose replies the
// test writes byte by byte.
import { describe, expect, it } from 'vitest';
import {
  GetServiceStatusRequestProtoSchema,
  GetServiceStatusResponseProtoSchema,
  HAServiceStateProto,
  MonitorHealthRequestProtoSchema,
  MonitorHealthResponseProtoSchema,
} from '../../../src/gen/HAServiceProtocol_pb.js';
import { CedeActiveRequestProtoSchema, CedeActiveResponseProtoSchema } from '../../../src/gen/ZKFCProtocol_pb.js';
import { IpcClient, IpcConnection, newClientId } from '../../../src/ipc/client.js';
import { encodeResponseFrame } from '../../../src/ipc/codec/messages.js';
import {
  AccessControlError,
  ConnectionClosedError,
  FatalRpcError,
  ProtocolError,
  RemoteError,
  RemoteException,
  RetriableError,
  RpcConnectError,
  RpcNoSuchMethodError,
  RpcNoSuchProtocolError,
  RpcTimeoutError,
  StandbyError,
  VersionMismatchError,
} from '../../../src/ipc/errors.js';
import { IpcServer, defineMethod } from '../../../src/ipc/server.js';
import { HA_REMOTE_ERRORS, HealthCheckFailedError, ServiceFailedError } from '../../../src/hadoop/ha-errors.js';
import { ExceptionClassName, HA_SERVICE_PROTOCOL, ZKFC_PROTOCOL } from '../../../src/hadoop/protocol-names.js';
import {
  SPEC_CLIENT_ID,
  SPEC_PREAMBLE,
  concatBytes,
  delimited,
  frameOf,
  hexBytes,
  specConnectionContextFrame,
  specMonitorHealthFrame,
  specSuccessHeader,
  toHex,
} from '../../support/ipc-bytes.js';
import { settle, startRawServer, type RawServer } from './net-helpers.js';
import { freePort } from '../../../tools/testing/net.js';
import { waitUntil, sleep } from '../../../tools/testing/wait.js';
import { cleanupsAfterEach } from '../../support/cleanups.js';

const cleanups = cleanupsAfterEach();

async function rawServer(): Promise<RawServer> {
  const server = await startRawServer();
  cleanups.push(() => server.close());
  return server;
}

function connectionTo(
  port: number,
  protocol = HA_SERVICE_PROTOCOL,
  extra: Partial<ConstructorParameters<typeof IpcConnection>[0]> = {},
) {
  const connection = new IpcConnection({
    address: { host: '127.0.0.1', port },
    protocol,
    effectiveUser: 'hdfs',
    ...extra,
  });
  cleanups.push(() => connection.close());
  return connection;
}

const monitorHealth = (connection: IpcConnection, timeoutMs = 5_000) =>
  connection.call('monitorHealth', MonitorHealthRequestProtoSchema, {}, MonitorHealthResponseProtoSchema, timeoutMs);

/** A success reply for `callId` (< 64) echoing the test client id (00 01 .. 0f). */
function successReply(callId: number, clientId = SPEC_CLIENT_ID): Uint8Array {
  return encodeResponseFrame({ callId, status: 0, clientId, retryCount: 0 }, new Uint8Array(0));
}

interface TestServerOptions {
  readonly haVersion?: number;
}

/** An IpcServer serving HAServiceProtocol and ZKFCProtocol with scriptable handlers. */
async function testServer(
  handlers: {
    monitorHealth?: () => Promise<void> | void;
    cedeActive?: (millis: number) => Promise<void> | void;
  } = {},
  options: TestServerOptions = {},
) {
  const server = new IpcServer({ host: '127.0.0.1', port: 0 });
  server.registerProtocol(HA_SERVICE_PROTOCOL.name, options.haVersion ?? 1, {
    monitorHealth: defineMethod(MonitorHealthRequestProtoSchema, MonitorHealthResponseProtoSchema, async () => {
      await handlers.monitorHealth?.();
      return {};
    }),
    getServiceStatus: defineMethod(GetServiceStatusRequestProtoSchema, GetServiceStatusResponseProtoSchema, () => ({
      state: HAServiceStateProto.STANDBY,
      readyToBecomeActive: true,
    })),
  });
  server.registerProtocol(ZKFC_PROTOCOL.name, 1, {
    cedeActive: defineMethod(CedeActiveRequestProtoSchema, CedeActiveResponseProtoSchema, async (request) => {
      await handlers.cedeActive?.(request.millisToCede);
      return {};
    }),
  });
  const { port } = await server.listen();
  cleanups.push(() => server.close());
  return { server, port };
}

describe('IpcConnection wire bytes', () => {
  it(
    'writes preamble, connection context and call #0 back-to-back ' +
      'in one segment, exactly as docs/hadoop-compat.md §1.11',
    async () => {
      const raw = await rawServer();
      const connection = connectionTo(raw.port, HA_SERVICE_PROTOCOL, { clientId: SPEC_CLIENT_ID });
      const call = monitorHealth(connection);
      const expected = concatBytes(SPEC_PREAMBLE, specConnectionContextFrame(), specMonitorHealthFrame());
      const received = await raw.waitForBytes(0, expected.length);
      expect(toHex(received)).toBe(toHex(expected));
      expect(raw.received[0]![0]!.length).toBe(expected.length); // one write, one segment on loopback

      raw.sockets[0]!.write(frameOf(concatBytes(delimited(specSuccessHeader()), hexBytes('00'))));
      await expect(call).resolves.toEqual(
        expect.objectContaining({ $typeName: 'hadoop.common.MonitorHealthResponseProto' }),
      );
    },
  );

  it('numbers calls 0, 1, 2... and sends later calls on the same connection without a new preamble', async () => {
    const raw = await rawServer();
    const connection = connectionTo(raw.port, HA_SERVICE_PROTOCOL, { clientId: SPEC_CLIENT_ID });
    const first = monitorHealth(connection);
    const head = concatBytes(SPEC_PREAMBLE, specConnectionContextFrame(), specMonitorHealthFrame());
    await raw.waitForBytes(0, head.length);
    const second = monitorHealth(connection);
    const all = await raw.waitForBytes(0, head.length + specMonitorHealthFrame().length);
    expect(toHex(all.subarray(head.length))).toBe(toHex(specMonitorHealthFrame(SPEC_CLIENT_ID, 1)));
    raw.sockets[0]!.write(concatBytes(successReply(1), successReply(0)));
    await Promise.all([first, second]);
    expect(raw.sockets).toHaveLength(1);
  });

  it('uses a 16-byte random client id and HADOOP_USER_NAME by default', async () => {
    const a = newClientId();
    const b = newClientId();
    expect(a).toHaveLength(16);
    expect(toHex(a)).not.toBe(toHex(b));
    expect((a[6]! >> 4) & 0xf).toBe(4); // UUID version 4
    const saved = process.env['HADOOP_USER_NAME'];
    process.env['HADOOP_USER_NAME'] = 'alice';
    try {
      expect(new IpcClient().effectiveUser).toBe('alice');
    } finally {
      if (saved === undefined) delete process.env['HADOOP_USER_NAME'];
      else process.env['HADOOP_USER_NAME'] = saved;
    }
  });
});

describe('IpcConnection against IpcServer', () => {
  it('matches out-of-order responses by call id', async () => {
    const { port } = await testServer({ cedeActive: async (millis) => void (await sleep(millis)) });
    const connection = connectionTo(port, ZKFC_PROTOCOL);
    const order: number[] = [];
    const call = (millis: number) =>
      connection
        .call(
          'cedeActive',
          CedeActiveRequestProtoSchema,
          { millisToCede: millis },
          CedeActiveResponseProtoSchema,
          5_000,
        )
        .then(() => order.push(millis));
    await Promise.all([call(300), call(150), call(0)]);
    expect(order).toEqual([0, 150, 300]);
  });

  it('a call the server never answers times out alone; the connection stays usable', async () => {
    const { server, port } = await testServer({ monitorHealth: () => new Promise<void>(() => {}) });
    const connection = connectionTo(port);
    const started = performance.now();
    const error = await monitorHealth(connection, 200).catch((e: unknown) => e);
    const elapsed = performance.now() - started;
    expect(error).toBeInstanceOf(RpcTimeoutError);
    expect(error).toMatchObject({ code: 'RPC_TIMEOUT', method: 'monitorHealth', timeoutMs: 200, callId: 0 });
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(2_000);
    expect(connection.connected).toBe(true);
    expect(connection.pendingCalls).toBe(0);
    const status = await connection.call(
      'getServiceStatus',
      GetServiceStatusRequestProtoSchema,
      {},
      GetServiceStatusResponseProtoSchema,
      5_000,
    );
    expect(status.state).toBe(HAServiceStateProto.STANDBY);
    expect(server.connectionCount()).toBe(1);
  });

  it.each([
    [ExceptionClassName.HealthCheckFailed, HealthCheckFailedError, 'RPC_HEALTH_CHECK_FAILED'],
    [ExceptionClassName.ServiceFailed, ServiceFailedError, 'RPC_SERVICE_FAILED'],
    [ExceptionClassName.AccessControl, AccessControlError, 'RPC_ACCESS_DENIED'],
    [ExceptionClassName.Retriable, RetriableError, 'RPC_RETRIABLE'],
    [ExceptionClassName.Standby, StandbyError, 'RPC_STANDBY'],
    [ExceptionClassName.NoSuchMethod, RpcNoSuchMethodError, 'RPC_NO_SUCH_METHOD'],
    [ExceptionClassName.NoSuchProtocol, RpcNoSuchProtocolError, 'RPC_NO_SUCH_PROTOCOL'],
    [ExceptionClassName.VersionMismatch, VersionMismatchError, 'RPC_VERSION_MISMATCH'],
    ['java.io.FileNotFoundException', RemoteError, 'RPC_REMOTE_ERROR'],
  ] as const)(
    'remote exception %s becomes its typed error (the protocol adds its own: HA_REMOTE_ERRORS)',
    async (className, ErrorClass, code) => {
      const { port } = await testServer({
        monitorHealth: () => {
          throw new RemoteException(className, 'first line\n\tat org.example.Foo.bar(Foo.java:1)');
        },
      });
      const connection = connectionTo(port, HA_SERVICE_PROTOCOL, { remoteErrors: HA_REMOTE_ERRORS });
      const error = await monitorHealth(connection).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ErrorClass);
      expect(error).toBeInstanceOf(RemoteError);
      if (ErrorClass === RemoteError) expect((error as Error).constructor).toBe(RemoteError);
      expect(error).toMatchObject({
        code,
        className,
        message: 'first line',
        errorMsg: 'first line\n\tat org.example.Foo.bar(Foo.java:1)',
        status: 'ERROR',
        errorDetail: 'ERROR_APPLICATION',
        method: 'monitorHealth',
        address: `127.0.0.1:${port}`,
      });
      // an ERROR leaves the connection open
      expect(connection.connected).toBe(true);
    },
  );

  it(
    "without the protocol's own classes an HA exception is " +
      'a plain RemoteError: the transport knows no HA protocol',
    async () => {
      const { port } = await testServer({
        monitorHealth: () => {
          throw new RemoteException(ExceptionClassName.HealthCheckFailed, 'The NameNode has no resources available');
        },
      });
      const error = await monitorHealth(connectionTo(port)).catch((e: unknown) => e);
      expect((error as Error).constructor).toBe(RemoteError);
      expect(error).toMatchObject({ code: 'RPC_REMOTE_ERROR', className: ExceptionClassName.HealthCheckFailed });
    },
  );

  it('unknown method, unknown protocol and version mismatch come back as their typed errors', async () => {
    const { port } = await testServer({}, { haVersion: 2 });
    const ha = connectionTo(port);
    const versionError = await monitorHealth(ha).catch((e: unknown) => e);
    expect(versionError).toBeInstanceOf(VersionMismatchError);
    expect(versionError).toMatchObject({
      errorDetail: 'ERROR_RPC_VERSION_MISMATCH',
      message: 'Protocol org.apache.hadoop.ha.HAServiceProtocol version mismatch. (client = 1, server = 2)',
    });

    const zkfc = connectionTo(port, ZKFC_PROTOCOL);
    const methodError = await zkfc
      .call('gracefulFailover', MonitorHealthRequestProtoSchema, {}, MonitorHealthResponseProtoSchema, 5_000)
      .catch((e: unknown) => e);
    expect(methodError).toBeInstanceOf(RpcNoSuchMethodError);
    expect(methodError).toMatchObject({
      errorDetail: 'ERROR_NO_SUCH_METHOD',
      message: 'Unknown method gracefulFailover called on org.apache.hadoop.ha.ZKFCProtocol protocol.',
    });

    const other = connectionTo(port, { name: 'org.example.NoSuchProtocol', version: 1 });
    const protocolError = await monitorHealth(other).catch((e: unknown) => e);
    expect(protocolError).toBeInstanceOf(RpcNoSuchProtocolError);
    expect(protocolError).toMatchObject({
      errorDetail: 'ERROR_NO_SUCH_PROTOCOL',
      message: 'Unknown protocol: org.example.NoSuchProtocol',
    });
  });

  it('reconnects on demand after the server went away, and reports the closure at once', async () => {
    const first = await testServer();
    const connection = connectionTo(first.port);
    await monitorHealth(connection);
    const closures: Error[] = [];
    connection.onConnectionClosed((reason) => closures.push(reason));

    await first.server.close();
    await waitUntil(() => closures.length === 1, 2_000, 'onConnectionClosed');
    expect(closures[0]).toBeInstanceOf(ConnectionClosedError);
    expect(connection.connected).toBe(false);
    await expect(monitorHealth(connection)).rejects.toBeInstanceOf(RpcConnectError);

    const second = new IpcServer({ host: '127.0.0.1', port: first.port });
    second.registerProtocol(HA_SERVICE_PROTOCOL.name, 1, {
      monitorHealth: defineMethod(MonitorHealthRequestProtoSchema, MonitorHealthResponseProtoSchema, () => ({})),
    });
    await second.listen();
    cleanups.push(() => second.close());
    await monitorHealth(connection);
    expect(connection.connected).toBe(true);
    expect(second.connectionCount()).toBe(1);
    expect(closures).toHaveLength(1); // a failed connect is not a closed connection
  });

  it('close() by the owner fails outstanding calls without notifying listeners; the next call reconnects', async () => {
    const { server, port } = await testServer({ monitorHealth: () => new Promise<void>(() => {}) });
    const connection = connectionTo(port);
    const listener: Error[] = [];
    connection.onConnectionClosed((e) => listener.push(e));
    const pending = monitorHealth(connection, 10_000);
    await waitUntil(() => server.connectionCount() === 1, 2_000, 'server connection');
    connection.close();
    await expect(pending).rejects.toBeInstanceOf(ConnectionClosedError);
    expect(listener).toEqual([]);
    await waitUntil(() => server.connectionCount() === 0, 2_000, 'server side close');
    const status = await connection.call(
      'getServiceStatus',
      GetServiceStatusRequestProtoSchema,
      {},
      GetServiceStatusResponseProtoSchema,
      5_000,
    );
    expect(status.readyToBecomeActive).toBe(true);
  });
});

describe('IpcConnection failure handling', () => {
  it(
    'a connection closed mid-response fails all outstanding ' + 'calls at once and fires onConnectionClosed once',
    async () => {
      const raw = await rawServer();
      const connection = connectionTo(raw.port, HA_SERVICE_PROTOCOL, { clientId: SPEC_CLIENT_ID });
      const closures: Error[] = [];
      connection.onConnectionClosed((reason) => closures.push(reason));
      const calls = [
        monitorHealth(connection, 10_000),
        monitorHealth(connection, 10_000),
        monitorHealth(connection, 10_000),
      ].map(settle);
      const head = concatBytes(SPEC_PREAMBLE, specConnectionContextFrame());
      await raw.waitForBytes(0, head.length + 3 * specMonitorHealthFrame().length);
      const socket = raw.sockets[0]!;
      const reply = successReply(1);
      socket.write(reply.subarray(0, reply.length - 3)); // half a response
      await sleep(50);
      expect(connection.pendingCalls).toBe(3);
      socket.destroy();
      const outcomes = await Promise.all(calls);
      for (const outcome of outcomes) {
        expect(outcome.ok).toBe(false);
        if (!outcome.ok) expect(outcome.error).toBeInstanceOf(ConnectionClosedError);
      }
      const times = outcomes.map((o) => (o.ok ? 0 : o.atMs));
      expect(Math.max(...times) - Math.min(...times)).toBeLessThan(50);
      expect(closures).toHaveLength(1);
      expect(closures[0]).toBe(outcomes[0]!.ok ? undefined : (outcomes[0] as { error: unknown }).error);
      expect(connection.pendingCalls).toBe(0);
    },
  );

  it('a FATAL reply fails every outstanding call with FatalRpcError and closes the connection', async () => {
    const raw = await rawServer();
    const connection = connectionTo(raw.port, HA_SERVICE_PROTOCOL, { clientId: SPEC_CLIENT_ID });
    const closures: Error[] = [];
    connection.onConnectionClosed((reason) => closures.push(reason));
    const calls = [settle(monitorHealth(connection)), settle(monitorHealth(connection))];
    await raw.waitForBytes(
      0,
      SPEC_PREAMBLE.length + specConnectionContextFrame().length + 2 * specMonitorHealthFrame().length,
    );
    raw.sockets[0]!.write(
      encodeResponseFrame({
        callId: -1,
        status: 2,
        exceptionClassName: ExceptionClassName.AccessControl,
        errorMsg: 'SIMPLE authentication is not enabled.  Available:[TOKEN, KERBEROS]',
        errorDetail: 15,
      }),
    );
    for (const outcome of await Promise.all(calls)) {
      expect(outcome.ok).toBe(false);
      if (outcome.ok) continue;
      expect(outcome.error).toBeInstanceOf(FatalRpcError);
      expect(outcome.error).toMatchObject({
        status: 'FATAL',
        errorDetail: 'FATAL_UNAUTHORIZED',
        className: 'org.apache.hadoop.security.AccessControlException',
        message: 'SIMPLE authentication is not enabled.  Available:[TOKEN, KERBEROS]',
      });
    }
    expect(closures).toHaveLength(1);
    expect(closures[0]).toBeInstanceOf(FatalRpcError);
    expect(connection.connected).toBe(false);
  });

  it('refuses a response carrying another client id ("Client IDs not matched") by closing the connection', async () => {
    const raw = await rawServer();
    const connection = connectionTo(raw.port, HA_SERVICE_PROTOCOL, { clientId: SPEC_CLIENT_ID });
    const call = settle(monitorHealth(connection));
    await raw.waitForBytes(
      0,
      SPEC_PREAMBLE.length + specConnectionContextFrame().length + specMonitorHealthFrame().length,
    );
    raw.sockets[0]!.write(successReply(0, new Uint8Array(16).fill(9)));
    const outcome = await call;
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) {
      expect(outcome.error).toBeInstanceOf(ConnectionClosedError);
      expect((outcome.error as Error).cause).toBeInstanceOf(ProtocolError);
      expect(String((outcome.error as Error).cause)).toMatch(/Client IDs not matched/);
    }
  });

  it('accepts an empty echoed client id, drops answers to unknown call ids, and closes on garbage', async () => {
    const raw = await rawServer();
    const connection = connectionTo(raw.port, HA_SERVICE_PROTOCOL, { clientId: SPEC_CLIENT_ID });
    const closures: Error[] = [];
    connection.onConnectionClosed((reason) => closures.push(reason));
    const call = monitorHealth(connection);
    await raw.waitForBytes(
      0,
      SPEC_PREAMBLE.length + specConnectionContextFrame().length + specMonitorHealthFrame().length,
    );
    raw.sockets[0]!.write(concatBytes(successReply(42), successReply(0, new Uint8Array(0))));
    await call;
    expect(closures).toEqual([]);
    const next = settle(monitorHealth(connection));
    await sleep(20);
    raw.sockets[0]!.write(hexBytes('00 00 00 03 02 ff ff')); // a 2-byte header that is not protobuf
    const outcome = await next;
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect((outcome.error as Error).cause).toBeInstanceOf(ProtocolError);
    expect(closures).toHaveLength(1);
  });

  it('refuses a response frame above maxResponseBytes before reading it', async () => {
    const raw = await rawServer();
    const connection = connectionTo(raw.port, HA_SERVICE_PROTOCOL, {
      clientId: SPEC_CLIENT_ID,
      maxResponseBytes: 1024,
    });
    const call = settle(monitorHealth(connection));
    await raw.waitForBytes(0, SPEC_PREAMBLE.length);
    raw.sockets[0]!.write(hexBytes('00 00 04 01'));
    const outcome = await call;
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(String((outcome.error as Error).cause)).toMatch(/1025 exceeds maximum 1024/);
  });

  it('a bad response message fails that call only', async () => {
    const raw = await rawServer();
    const connection = connectionTo(raw.port, HA_SERVICE_PROTOCOL, { clientId: SPEC_CLIENT_ID });
    const status = connection.call(
      'getServiceStatus',
      GetServiceStatusRequestProtoSchema,
      {},
      GetServiceStatusResponseProtoSchema,
      5_000,
    );
    await raw.waitForBytes(0, SPEC_PREAMBLE.length + specConnectionContextFrame().length + 10);
    // SUCCESS with an empty GetServiceStatusResponseProto: required `state` missing
    raw.sockets[0]!.write(successReply(0));
    const error = await status.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).reason).toMatch(/missing required fields: state/);
    expect(connection.connected).toBe(true);
  });

  it('refuses an address it could never connect to at construction', () => {
    expect(
      () =>
        new IpcConnection({
          address: { host: '127.0.0.1', port: 70_000 },
          protocol: HA_SERVICE_PROTOCOL,
          effectiveUser: 'hdfs',
        }),
    ).toThrow(RangeError);
    expect(
      () =>
        new IpcConnection({ address: { host: '', port: 8020 }, protocol: HA_SERVICE_PROTOCOL, effectiveUser: 'hdfs' }),
    ).toThrow(RangeError);
  });

  it('connect refused: RpcConnectError with ECONNREFUSED', async () => {
    const port = await freePort();
    const connection = connectionTo(port);
    const error = await monitorHealth(connection).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcConnectError);
    expect(error).toMatchObject({
      code: 'RPC_CONNECT_FAILED',
      errno: 'ECONNREFUSED',
      timedOut: false,
      address: `127.0.0.1:${port}`,
    });
    expect((error as Error).cause).toMatchObject({ code: 'ECONNREFUSED' });
  });
});
