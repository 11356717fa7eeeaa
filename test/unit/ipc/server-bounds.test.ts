// Goal: the IPC server's bounds against hostile clients hold: frames larger than the setup limit
// close a connection that has not sent its connection context (at the length prefix, before any of
// the frame is buffered), the larger call limit applies once it has; a connection that does not
// set itself up in time is closed, so is one idle for longer than maxIdleMs (never one with a call
// in flight); the per-address cap makes room by closing that address's oldest idle connection and
// leaves other addresses alone; an address outside the allow-list is refused at accept. And the
// ZKFC's server (ZkfcRpcServer) refuses a cedeActive longer than its maximum, naming it.
// Method: a real IpcServer / ZkfcRpcServer on loopback; raw TCP clients (also from 127.0.0.2) write
// hand-built bytes; handlers are real defineMethod handlers.
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  MonitorHealthRequestProtoSchema,
  MonitorHealthResponseProtoSchema,
} from '../../../src/gen/HAServiceProtocol_pb.js';
import { AddressAllowList } from '../../../src/ipc/admission.js';
import { decodeResponseFrame, encodeCallFrame, encodeConnectionContextFrame } from '../../../src/ipc/codec/messages.js';
import { IpcServer, defineMethod, type IpcServerOptions } from '../../../src/ipc/server.js';
import { HA_SERVICE_PROTOCOL } from '../../../src/hadoop/protocol-names.js';
import { RpcZkfcClientFactory } from '../../../src/hadoop/zkfc-client.js';
import { ZkfcRpcServer } from '../../../src/hadoop/zkfc-rpc-server.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { SPEC_CLIENT_ID, SPEC_PREAMBLE, concatBytes } from '../../support/ipc-bytes.js';
import { sleep, waitUntil } from '../../../tools/testing/wait.js';
import { openRawClient, type RawClient } from './net-helpers.js';
import { cleanupsAfterEach } from '../../support/cleanups.js';

const cleanups = cleanupsAfterEach();

async function startServer(options: Partial<IpcServerOptions>, handler: () => Promise<void> | void = () => undefined) {
  const server = new IpcServer({ host: '127.0.0.1', port: 0, ...options });
  server.registerProtocol(HA_SERVICE_PROTOCOL.name, 1, {
    monitorHealth: defineMethod(MonitorHealthRequestProtoSchema, MonitorHealthResponseProtoSchema, async () => {
      await handler();
      return {};
    }),
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

/** A raw socket from `localAddress`; resolves with whether the server closed it within `withinMs`. */
function closedFrom(port: number, localAddress: string, withinMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port, localAddress });
    socket.on('error', () => undefined);
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(false);
    }, withinMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

const context = () =>
  encodeConnectionContextFrame({ clientId: SPEC_CLIENT_ID, effectiveUser: 'hdfs', protocol: HA_SERVICE_PROTOCOL.name });
const call = (callId: number, padding = 0) =>
  encodeCallFrame({
    callId,
    clientId: SPEC_CLIENT_ID,
    retryCount: 0,
    methodName: 'monitorHealth',
    protocol: { name: HA_SERVICE_PROTOCOL.name, version: 1 },
    request: new Uint8Array(padding),
  });

/** The 4-byte length prefix of a frame of `length` bytes. */
function lengthPrefix(length: number): Uint8Array {
  return Uint8Array.from([(length >>> 24) & 0xff, (length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff]);
}

describe('IpcServer bounds', () => {
  it(
    'before the connection context, a frame above ' + 'maxSetupFrameBytes closes the connection at its length prefix',
    async () => {
      const { port } = await startServer({ maxSetupFrameBytes: 4096, maxFrameBytes: 65536 });
      const raw = await client(port);
      // The announced 128 MiB frame is never buffered: the prefix alone ends the connection.
      raw.send(concatBytes(SPEC_PREAMBLE, lengthPrefix(128 * 1024 * 1024), new Uint8Array(1000)));
      await raw.closed;
      expect(raw.data().length).toBe(0);
    },
  );

  it(
    'after the connection context, calls up to maxFrameBytes ' + 'are answered and larger frames close the connection',
    async () => {
      const { port } = await startServer({ maxSetupFrameBytes: 4096, maxFrameBytes: 65536 });
      const raw = await client(port);
      // A call larger than the setup limit but under the call limit (the request is padded).
      raw.send(concatBytes(SPEC_PREAMBLE, context(), call(1, 20_000)));
      const [reply] = await raw.frames(1);
      expect(decodeResponseFrame(reply!).callId).toBe(1);
      raw.send(lengthPrefix(70_000));
      await raw.closed;
    },
  );

  it(
    'closes a connection that has not sent its preamble ' + 'and context within setupTimeoutMs; a set-up one stays',
    async () => {
      const { port, server } = await startServer({ setupTimeoutMs: 300 });
      const silent = await client(port);
      const preambleOnly = await client(port);
      preambleOnly.send(SPEC_PREAMBLE);
      const ready = await client(port);
      ready.send(concatBytes(SPEC_PREAMBLE, context()));
      const started = performance.now();
      await Promise.all([silent.closed, preambleOnly.closed]);
      expect(performance.now() - started).toBeLessThan(2000);
      await sleep(200);
      expect(ready.isClosed()).toBe(false);
      expect(server.connectionCount()).toBe(1);
    },
  );

  it('closes connections idle for maxIdleMs, but never one whose call is still being handled', async () => {
    let release: () => void = () => undefined;
    let calls = 0;
    const { port } = await startServer({ maxIdleMs: 300 }, () => {
      calls++;
      if (calls === 1) return new Promise<void>((resolve) => (release = resolve));
      return undefined;
    });
    const waiting = await client(port);
    waiting.send(concatBytes(SPEC_PREAMBLE, context(), call(1)));
    const idle = await client(port);
    idle.send(concatBytes(SPEC_PREAMBLE, context()));
    await idle.closed;
    await sleep(700);
    expect(waiting.isClosed()).toBe(false);
    release();
    const [reply] = await waiting.frames(1);
    expect(decodeResponseFrame(reply!).status).toBe('SUCCESS');
    // Once answered it is idle, and goes too.
    await waiting.closed;
  });

  it(
    "per-address cap: a new connection replaces that address's " +
      'oldest idle one; another address keeps its connections',
    async () => {
      const { port, server } = await startServer({ maxConnections: 10, maxConnectionsPerAddress: 2 });
      const other = net.connect({ host: '127.0.0.1', port, localAddress: '127.0.0.2' });
      other.on('error', () => undefined);
      cleanups.push(() => void other.destroy());
      const first = await client(port);
      await client(port);
      await waitUntil(() => server.connectionCount() === 3, 2000, 'three connections');
      await client(port);
      await first.closed;
      await sleep(100);
      expect(other.destroyed || other.readableEnded).toBe(false);
      expect(server.connectionCount()).toBe(3);
    },
  );

  it('refuses addresses outside the allow-list at accept, and serves those inside', async () => {
    const { port } = await startServer({ allowList: AddressAllowList.parse('127.0.0.1') });
    expect(await closedFrom(port, '127.0.0.2', 2000)).toBe(true);
    const allowed = await client(port);
    allowed.send(concatBytes(SPEC_PREAMBLE, context(), call(7)));
    const [reply] = await allowed.frames(1);
    expect(decodeResponseFrame(reply!).callId).toBe(7);
  });
});

describe('ZkfcRpcServer: capped cede', () => {
  it(
    'refuses cedeActive above the maximum with ServiceFailedException ' +
      'naming it, and passes shorter ones on with the caller',
    async () => {
      const cedes: Array<{ millis: number; caller: string }> = [];
      const server = new ZkfcRpcServer({
        host: '127.0.0.1',
        port: 0,
        administrators: ' ',
        loginUser: 'hdfs',
        logger: silentLogger(),
        limits: { maxCedeMs: 60_000 },
        handler: {
          cedeActive: async (millis, caller) => void cedes.push({ millis, caller }),
          gracefulFailover: async () => undefined,
        },
      });
      const { port } = await server.listen();
      cleanups.push(() => server.close());
      const client = new RpcZkfcClientFactory({ effectiveUser: 'hdfs' }).create({ host: '127.0.0.1', port });
      cleanups.push(() => client.close());
      const refused = await client.cedeActive(0x7fffffff, 5000).then(
        () => undefined,
        (error: unknown) => error,
      );
      // The peer answered and refused (a ServiceFailedException on the wire).
      expect(refused).toMatchObject({ kind: 'refused', cause: { name: 'ServiceFailedError' } });
      expect((refused as Error).message).toContain(
        'cedeActive for 2147483647 ms refused: longer than the 60000 ms this ZKFC allows (zkfc.rpc.cede.max.ms)',
      );
      await client.cedeActive(60_000, 5000);
      await client.cedeActive(-1, 5000);
      expect(cedes).toEqual([
        { millis: 60_000, caller: 'hdfs at 127.0.0.1' },
        { millis: -1, caller: 'hdfs at 127.0.0.1' },
      ]);
    },
  );
});
