// Goal: IpcServer answers well-formed and malformed input exactly as a Java Hadoop IPC server with
// only SIMPLE auth does (docs/hadoop-compat.md §1.3, §1.5, §1.6, §1.8, §1.10): the bad-preamble replies, FATAL codes
// for
// bad headers, ERROR codes for dispatch failures, echoes of clientId/retryCount, SASL fallback to
// SIMPLE, concurrent handlers that may never answer, and no crash on any of it.
// Method: a raw TCP client writes hand-built bytes to a real IpcServer on a free loopback port and
// decodes whatever comes back; handlers are real defineMethod handlers.
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
} from '../../../src/gen/HAServiceProtocol_pb.js';
import {
  RpcKindProto,
  RpcRequestHeaderProto_OperationProto,
  RpcRequestHeaderProtoSchema,
  RpcSaslProto_SaslState,
  RpcSaslProtoSchema,
} from '../../../src/gen/RpcHeader_pb.js';
import { encodeDelimitedFrame } from '../../../src/ipc/codec/delimited.js';
import {
  decodeMessage,
  decodeResponseFrame,
  encodeCallFrame,
  encodeConnectionContextFrame,
  encodeMessage,
  encodePingFrame,
  encodeRpcRequestHeader,
  encodeSaslRequestFrame,
  type DecodedResponseFrame,
} from '../../../src/ipc/codec/messages.js';
import { encodePreamble } from '../../../src/ipc/codec/preamble.js';
import { IpcServer, defineMethod } from '../../../src/ipc/server.js';
import type { RpcCallContext } from '../../../src/ipc/server-connection.js';
import { RemoteException } from '../../../src/ipc/errors.js';
import { ExceptionClassName, HA_SERVICE_PROTOCOL } from '../../../src/hadoop/protocol-names.js';
import {
  SPEC_CLIENT_ID,
  SPEC_PREAMBLE,
  SPEC_SASL_NEGOTIATE_FRAME,
  ascii,
  concatBytes,
  hexBytes,
  toHex,
} from '../../support/ipc-bytes.js';
import { openRawClient, rawExchange, type RawClient } from './net-helpers.js';
import { sleep, waitUntil } from '../../../tools/testing/wait.js';
import { cleanupsAfterEach } from '../../support/cleanups.js';

const cleanups = cleanupsAfterEach();

interface Hooks {
  monitorHealth?: (ctx: RpcCallContext) => Promise<void> | void;
  status?: () => object;
}

async function startServer(hooks: Hooks = {}, options: { maxFrameBytes?: number; maxConnections?: number } = {}) {
  const server = new IpcServer({ host: '127.0.0.1', port: 0, ...options });
  server.registerProtocol(HA_SERVICE_PROTOCOL.name, 1, {
    monitorHealth: defineMethod(
      MonitorHealthRequestProtoSchema,
      MonitorHealthResponseProtoSchema,
      async (_request, ctx) => {
        await hooks.monitorHealth?.(ctx);
        return {};
      },
    ),
    getServiceStatus: defineMethod(
      GetServiceStatusRequestProtoSchema,
      GetServiceStatusResponseProtoSchema,
      () =>
        (hooks.status?.() ?? { state: HAServiceStateProto.ACTIVE, readyToBecomeActive: true }) as {
          state: HAServiceStateProto;
        },
    ),
    transitionToActive: defineMethod(
      TransitionToActiveRequestProtoSchema,
      TransitionToActiveResponseProtoSchema,
      () => ({}),
    ),
  });
  const { port } = await server.listen();
  cleanups.push(() => server.close());
  return { server, port };
}

async function client(port: number): Promise<RawClient> {
  const raw = await openRawClient(port);
  cleanups.push(() => raw.close());
  return raw;
}

const context = (user = 'hdfs', realUser?: string) =>
  encodeConnectionContextFrame({
    clientId: SPEC_CLIENT_ID,
    effectiveUser: user,
    protocol: HA_SERVICE_PROTOCOL.name,
    ...(realUser ? { realUser } : {}),
  });

const call = (
  callId: number,
  methodName = 'monitorHealth',
  request: Uint8Array = new Uint8Array(0),
  retryCount = 0,
  protocolVersion = 1,
) =>
  encodeCallFrame({
    callId,
    clientId: SPEC_CLIENT_ID,
    retryCount,
    methodName,
    protocol: { name: HA_SERVICE_PROTOCOL.name, version: protocolVersion },
    request,
  });

const handshake = () => concatBytes(SPEC_PREAMBLE, context());

async function replies(raw: RawClient, count: number): Promise<DecodedResponseFrame[]> {
  return (await raw.frames(count)).map((frame) => decodeResponseFrame(frame));
}

function expectFatal(
  reply: DecodedResponseFrame | undefined,
  fields: { callId: number; errorDetail: number; className: string; errorMsg: string | RegExp },
) {
  expect(reply).toBeDefined();
  expect(reply!.status).toBe('FATAL');
  expect(reply!.callId).toBe(fields.callId);
  expect(reply!.header.errorDetail).toBe(fields.errorDetail);
  expect(reply!.header.exceptionClassName).toBe(fields.className);
  if (typeof fields.errorMsg === 'string') expect(reply!.header.errorMsg).toBe(fields.errorMsg);
  else expect(reply!.header.errorMsg).toMatch(fields.errorMsg);
  expect(reply!.header.serverIpcVersionNum).toBe(9);
}

/** A FATAL reply followed by the server closing the connection. */
async function fatalAndClose(port: number, bytes: Uint8Array): Promise<DecodedResponseFrame> {
  const raw = await client(port);
  raw.send(bytes);
  const [reply] = await replies(raw, 1);
  await raw.closed;
  return reply!;
}

describe('IpcServer: bad preambles (docs/hadoop-compat.md §1.10)', () => {
  it('answers "GET " with Hadoop\'s HTTP 404 text and closes', async () => {
    const { port } = await startServer();
    const result = await rawExchange(port, ascii('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    expect(result.closedByServer).toBe(true);
    expect(result.data.toString('utf8')).toBe(
      'HTTP/1.1 404 Not Found\r\nContent-type: text/plain\r\n\r\n' +
        'It looks like you are making an HTTP request to a Hadoop IPC port. ' +
        'This is not the correct port for the web interface on this daemon.\r\n',
    );
  });

  it.each([
    ['version 10', encodePreamble({ version: 10 }), 10],
    ['bad magic with version byte 9', hexBytes('68 72 70 64 09 00 00'), 9],
    ['version 0x7f', encodePreamble({ version: 0x7f }), 127],
  ])('%s: FATAL RPC$VersionMismatch with callId -1, then close', async (_name, preamble, version) => {
    const { port } = await startServer();
    const reply = await fatalAndClose(port, preamble);
    expectFatal(reply, {
      callId: -1,
      errorDetail: 14,
      className: 'org.apache.hadoop.ipc.RPC$VersionMismatch',
      errorMsg: `Server IPC version 9 cannot communicate with client version ${version}`,
    });
    expect(reply.header.clientId).toHaveLength(0);
    expect(reply.header.retryCount).toBe(-1);
  });

  it.each([
    ['version 7 (legacy Writable clients)', encodePreamble({ version: 7 })],
    ['version 0xf0 (negative as a Java byte)', encodePreamble({ version: 0xf0 })],
    ['random bytes', hexBytes('de ad be ef 01 02 03')],
  ])('%s: closed without a reply', async (_name, preamble) => {
    const { port } = await startServer();
    const result = await rawExchange(port, preamble);
    expect(result.closedByServer).toBe(true);
    expect(result.data).toHaveLength(0);
  });

  it('unknown auth protocol byte: FATAL FATAL_UNAUTHORIZED IpcException', async () => {
    const { port } = await startServer();
    const reply = await fatalAndClose(port, encodePreamble({ authProtocol: 0x51 }));
    expectFatal(reply, {
      callId: -1,
      errorDetail: 15,
      className: 'org.apache.hadoop.ipc.IpcException',
      errorMsg: 'Unknown auth protocol:81',
    });
  });

  it('frame length above maxFrameBytes or negative: closed without a reply', async () => {
    const { port } = await startServer({}, { maxFrameBytes: 1024 });
    const tooLong = await rawExchange(port, concatBytes(SPEC_PREAMBLE, hexBytes('00 00 04 01')));
    expect(tooLong).toEqual({ data: Buffer.alloc(0), closedByServer: true });
    const negative = await rawExchange(port, concatBytes(handshake(), hexBytes('80 00 00 00')));
    expect(negative).toEqual({ data: Buffer.alloc(0), closedByServer: true });
  });
});

describe('IpcServer: SASL from a client (docs/hadoop-compat.md §1.3, SIMPLE-only server)', () => {
  it('answers NEGOTIATE with SUCCESS (callId -33) and then serves the SIMPLE connection', async () => {
    const { port } = await startServer();
    const raw = await client(port);
    raw.send(concatBytes(encodePreamble({ authProtocol: 0xdf }), SPEC_SASL_NEGOTIATE_FRAME));
    const [sasl] = await replies(raw, 1);
    expect(sasl!.callId).toBe(-33);
    expect(sasl!.status).toBe('SUCCESS');
    expect(sasl!.header.retryCount).toBe(-1);
    expect(decodeMessage(RpcSaslProtoSchema, sasl!.body!, 0).state).toBe(RpcSaslProto_SaslState.SUCCESS);
    raw.send(concatBytes(context(), call(0)));
    const [, answer] = await replies(raw, 2);
    expect(answer!.status).toBe('SUCCESS');
    expect(answer!.callId).toBe(0);
  });

  it('refuses a connection context before SASL finished, and SASL mechanisms it does not offer', async () => {
    const { port } = await startServer();
    expectFatal(await fatalAndClose(port, concatBytes(encodePreamble({ authProtocol: 0xdf }), context())), {
      callId: -3,
      errorDetail: 12,
      className: ExceptionClassName.RpcServer,
      errorMsg: 'Connection header sent during SASL negotiation',
    });
    const initiate = encodeSaslRequestFrame(
      encodeMessage(RpcSaslProtoSchema, {
        state: RpcSaslProto_SaslState.INITIATE,
        auths: [{ method: 'KERBEROS', mechanism: 'GSSAPI' }],
      }),
    );
    const refused = await fatalAndClose(port, concatBytes(encodePreamble({ authProtocol: 0xdf }), initiate));
    expect(refused.header.errorDetail).toBe(15);
    expect(refused.header.exceptionClassName).toBe(ExceptionClassName.AccessControl);
  });

  it('refuses SASL messages on a connection that asked for no SASL', async () => {
    const { port } = await startServer();
    expectFatal(await fatalAndClose(port, concatBytes(SPEC_PREAMBLE, SPEC_SASL_NEGOTIATE_FRAME)), {
      callId: -33,
      errorDetail: 12,
      className: ExceptionClassName.RpcServer,
      errorMsg: 'SASL protocol not requested by client',
    });
  });
});

describe('IpcServer: request headers (docs/hadoop-compat.md §1.5, §1.6)', () => {
  const header = (fields: Record<string, unknown>) =>
    encodeDelimitedFrame([
      encodeMessage(RpcRequestHeaderProtoSchema, { callId: 5, clientId: SPEC_CLIENT_ID, retryCount: 0, ...fields }),
    ]);

  it.each([
    ['no rpcOp', { rpcKind: RpcKindProto.RPC_PROTOCOL_BUFFER }, ' IPC Server: No rpc op in rpcRequestHeader'],
    [
      'rpcOp RPC_CLOSE_CONNECTION',
      { rpcKind: RpcKindProto.RPC_PROTOCOL_BUFFER, rpcOp: RpcRequestHeaderProto_OperationProto.RPC_CLOSE_CONNECTION },
      'IPC Server does not implement rpc header operationRPC_CLOSE_CONNECTION',
    ],
    [
      'no rpcKind',
      { rpcOp: RpcRequestHeaderProto_OperationProto.RPC_FINAL_PACKET },
      ' IPC Server: No rpc kind in rpcRequestHeader',
    ],
    [
      'rpcKind RPC_WRITABLE',
      { rpcKind: RpcKindProto.RPC_WRITABLE, rpcOp: RpcRequestHeaderProto_OperationProto.RPC_FINAL_PACKET },
      'Unknown rpc kind in rpc headerRPC_WRITABLE',
    ],
  ])('%s: FATAL_INVALID_RPC_HEADER echoing the call id', async (_name, fields, message) => {
    const { port } = await startServer();
    expectFatal(await fatalAndClose(port, concatBytes(handshake(), header(fields))), {
      callId: 5,
      errorDetail: 12,
      className: ExceptionClassName.RpcServer,
      errorMsg: message,
    });
  });

  it.each([
    ['an empty frame', hexBytes('00 00 00 00')],
    ['a header that is not protobuf', hexBytes('00 00 00 04 03 ff ff ff')],
    ['a header without clientId', encodeDelimitedFrame([hexBytes('08 02 10 00 18 02')])],
  ])('%s: FATAL_DESERIALIZING_REQUEST with callId -1', async (_name, frame) => {
    const { port } = await startServer();
    expectFatal(await fatalAndClose(port, concatBytes(handshake(), frame)), {
      callId: -1,
      errorDetail: 13,
      className: ExceptionClassName.RpcServer,
      errorMsg: /^Error decoding RpcRequestHeaderProto: /,
    });
  });

  it('a call before the connection context: FATAL "Connection context not established"', async () => {
    const { port } = await startServer();
    expectFatal(await fatalAndClose(port, concatBytes(SPEC_PREAMBLE, call(7))), {
      callId: 7,
      errorDetail: 12,
      className: ExceptionClassName.RpcServer,
      errorMsg: 'Connection context not established',
    });
  });

  it('a second connection context: FATAL "Connection context already processed"', async () => {
    const { port } = await startServer();
    expectFatal(await fatalAndClose(port, concatBytes(handshake(), context())), {
      callId: -3,
      errorDetail: 12,
      className: ExceptionClassName.RpcServer,
      errorMsg: 'Connection context already processed',
    });
  });

  it('an unknown out-of-band call id: FATAL "Unknown out of band call #-7"', async () => {
    const { port } = await startServer();
    const frame = encodeDelimitedFrame([
      encodeRpcRequestHeader({ callId: -7, clientId: SPEC_CLIENT_ID, retryCount: -1 }),
    ]);
    expectFatal(await fatalAndClose(port, concatBytes(handshake(), frame)), {
      callId: -7,
      errorDetail: 12,
      className: ExceptionClassName.RpcServer,
      errorMsg: 'Unknown out of band call #-7',
    });
  });

  it('an undecodable RequestHeaderProto: FATAL_DESERIALIZING_REQUEST', async () => {
    const { port } = await startServer();
    const frame = encodeDelimitedFrame([
      encodeRpcRequestHeader({ callId: 2, clientId: SPEC_CLIENT_ID, retryCount: 0 }),
      hexBytes('0a 05 61'),
    ]);
    expectFatal(await fatalAndClose(port, concatBytes(handshake(), frame)), {
      callId: 2,
      errorDetail: 13,
      className: ExceptionClassName.RpcServer,
      errorMsg: /^IPC server unable to read call parameters: /,
    });
  });
});

describe('IpcServer: calls (docs/hadoop-compat.md §1.5, §1.7, §1.8)', () => {
  it('ignores pings, echoes clientId and retryCount, and reports serverIpcVersionNum 9', async () => {
    const { port } = await startServer();
    const raw = await client(port);
    raw.send(concatBytes(handshake(), encodePingFrame(SPEC_CLIENT_ID), call(3, 'monitorHealth', new Uint8Array(0), 2)));
    const [reply] = await replies(raw, 1);
    expect(reply!.callId).toBe(3);
    expect(reply!.status).toBe('SUCCESS');
    expect(toHex(reply!.header.clientId)).toBe(toHex(SPEC_CLIENT_ID));
    expect(reply!.header.retryCount).toBe(2);
    expect(reply!.header.serverIpcVersionNum).toBe(9);
    expect(toHex(reply!.body!)).toBe('');
    await sleep(30);
    expect(await raw.frames(1)).toHaveLength(1); // the ping got no reply
    expect(raw.isClosed()).toBe(false);
  });

  it('hands the connection identity to the handler', async () => {
    let seen: RpcCallContext | undefined;
    const { port } = await startServer({ monitorHealth: (ctx) => void (seen = ctx) });
    const raw = await client(port);
    raw.send(concatBytes(SPEC_PREAMBLE, context('alice', 'hdfs'), call(0)));
    await replies(raw, 1);
    expect(seen).toMatchObject({
      user: 'alice',
      realUser: 'hdfs',
      protocol: HA_SERVICE_PROTOCOL.name,
      method: 'monitorHealth',
      remoteAddress: '127.0.0.1',
    });
    expect(seen!.remotePort).toBeGreaterThan(0);
  });

  it(
    'unknown method names the connection protocol; unknown ' + 'protocol and version mismatch are ERRORs, not FATAL',
    async () => {
      const { port } = await startServer();
      const raw = await client(port);
      const otherProtocol = encodeCallFrame({
        callId: 2,
        clientId: SPEC_CLIENT_ID,
        methodName: 'x',
        protocol: { name: 'org.example.P', version: 1 },
        request: new Uint8Array(0),
      });
      raw.send(
        concatBytes(
          handshake(),
          call(1, 'fooBar'),
          otherProtocol,
          call(3, 'monitorHealth', new Uint8Array(0), 0, 2),
          call(4),
        ),
      );
      const [noMethod, noProtocol, mismatch, ok] = await replies(raw, 4);
      expect(noMethod).toMatchObject({ callId: 1, status: 'ERROR' });
      expect(noMethod!.header).toMatchObject({
        errorDetail: 2,
        exceptionClassName: 'org.apache.hadoop.ipc.RpcNoSuchMethodException',
        errorMsg: 'Unknown method fooBar called on org.apache.hadoop.ha.HAServiceProtocol protocol.',
      });
      expect(noProtocol!.header).toMatchObject({
        errorDetail: 3,
        exceptionClassName: 'org.apache.hadoop.ipc.RpcNoSuchProtocolException',
        errorMsg: 'Unknown protocol: org.example.P',
      });
      expect(mismatch!.header).toMatchObject({
        errorDetail: 6,
        exceptionClassName: 'org.apache.hadoop.ipc.RPC$VersionMismatch',
        errorMsg: 'Protocol org.apache.hadoop.ha.HAServiceProtocol version mismatch. (client = 2, server = 1)',
      });
      expect(ok).toMatchObject({ callId: 4, status: 'SUCCESS' });
    },
  );

  it('a request body that does not parse (or lacks required fields) is an ERROR; the connection stays', async () => {
    const { port } = await startServer();
    const raw = await client(port);
    raw.send(
      concatBytes(
        handshake(),
        call(1, 'transitionToActive', hexBytes('ff ff')),
        call(2, 'transitionToActive', new Uint8Array(0)),
        call(3),
      ),
    );
    const [garbage, missing, ok] = await replies(raw, 3);
    expect(garbage).toMatchObject({ callId: 1, status: 'ERROR' });
    expect(garbage!.header.exceptionClassName).toBe(ExceptionClassName.InvalidProtocolBuffer);
    expect(missing!.header.errorMsg).toMatch(/missing required fields: reqInfo/);
    expect(ok).toMatchObject({ callId: 3, status: 'SUCCESS' });
  });

  it('a valid transitionToActive body reaches the handler', async () => {
    const { port } = await startServer();
    const raw = await client(port);
    raw.send(
      concatBytes(
        handshake(),
        call(
          1,
          'transitionToActive',
          encodeMessage(TransitionToActiveRequestProtoSchema, {
            reqInfo: { reqSource: HARequestSource.REQUEST_BY_ZKFC },
          }),
        ),
      ),
    );
    const [reply] = await replies(raw, 1);
    expect(reply!.status).toBe('SUCCESS');
  });

  it(
    'handler errors: RemoteException → ERROR_APPLICATION with its class; other ' +
      'errors → java.io.IOException; bad results → ERROR_SERIALIZING_RESPONSE',
    async () => {
      let mode = 0;
      const { port } = await startServer({
        monitorHealth: () => {
          mode++;
          if (mode === 1)
            throw new RemoteException(ExceptionClassName.HealthCheckFailed, 'The NameNode has no resources available');
          throw new TypeError('boom');
        },
        status: () => ({}),
      });
      const raw = await client(port);
      raw.send(concatBytes(handshake(), call(1), call(2)));
      const [first, second] = await replies(raw, 2);
      expect(first!.header).toMatchObject({
        errorDetail: 1,
        exceptionClassName: 'org.apache.hadoop.ha.HealthCheckFailedException',
        errorMsg: 'The NameNode has no resources available',
      });
      expect(second!.header).toMatchObject({
        errorDetail: 1,
        exceptionClassName: 'java.io.IOException',
        errorMsg: 'boom',
      });
      raw.send(call(3, 'getServiceStatus'));
      const [, , third] = await replies(raw, 3);
      expect(third).toMatchObject({ callId: 3, status: 'ERROR' });
      expect(third!.header.errorDetail).toBe(5);
    },
  );

  it('a handler that never answers blocks neither other calls nor connection cleanup', async () => {
    let release: () => void = () => {};
    let calls = 0;
    const { server, port } = await startServer({
      monitorHealth: () => {
        calls++;
        if (calls === 1) return new Promise<void>((resolve) => (release = resolve));
        return undefined;
      },
    });
    const raw = await client(port);
    raw.send(concatBytes(handshake(), call(1), call(2), call(3, 'getServiceStatus')));
    const answered = await replies(raw, 2);
    expect(answered.map((r) => r.callId).sort()).toEqual([2, 3]);
    expect(server.connectionCount()).toBe(1);
    raw.close();
    await waitUntil(() => server.connectionCount() === 0, 2_000, 'connection cleanup');
    release(); // the abandoned handler finishing later must not write or throw
    await sleep(20);
  });

  it('close() closes every connection and the listener; listen() reports the bound port', async () => {
    const { server, port } = await startServer();
    expect(port).toBeGreaterThan(0);
    const a = await client(port);
    const b = await client(port);
    a.send(handshake());
    await waitUntil(() => server.connectionCount() === 2, 2_000, 'two connections');
    await server.close();
    await Promise.all([a.closed, b.closed]);
    expect(server.connectionCount()).toBe(0);
    await expect(openRawClient(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it(
    'maxConnections: at the cap a new connection replaces the oldest ' +
      'idle one; busy ones are kept, and when all are busy it is dropped',
    async () => {
      let release: () => void = () => undefined;
      const held = new Promise<void>((resolve) => (release = resolve));
      const { server, port } = await startServer({ monitorHealth: () => held }, { maxConnections: 2 });
      const idle = await client(port);
      const busy = await client(port);
      busy.send(concatBytes(handshake(), call(1)));
      await waitUntil(() => server.connectionCount() === 2, 2_000, 'two connections');
      await sleep(100); // the call reaches its handler
      const third = await client(port);
      await idle.closed;
      expect(busy.isClosed()).toBe(false);
      third.send(concatBytes(handshake(), call(2)));
      await sleep(100);
      // Both held connections now have a call in flight: a fourth finds no room.
      const fourth = await client(port);
      await fourth.closed;
      expect(server.connectionCount()).toBe(2);
      release();
      expect((await replies(busy, 1))[0]?.status).toBe('SUCCESS');
    },
  );
});
