// Goal: reading a zkfc's /status never crashes haadmin and never hangs it: a good answer is
// returned as is; a refused connection, an HTTP error, a body that is not JSON, a JSON that is
// not a zkfc status (naming the bad field), an oversized body and a silent server all become a
// ZkfcStatusError naming the address, within the timeout.
// Method: the daemon's real StatusServer for the good case; small node:http / node:net servers
// on free loopback ports that misbehave on purpose; parseZkfcStatus checked directly.
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { HostPort } from '../../../src/core/types.js';
import {
  fetchZkfcStatusOverHttp,
  parseZkfcStatus,
  ZkfcStatusError,
} from '../../../src/cli/haadmin/zkfc-status-client.js';
import { activeNode, startStatusListener, zkfcStatus } from '../../support/zkfc-status-fixture.js';
import { cleanupsAfterEach } from '../../support/cleanups.js';

const cleanups = cleanupsAfterEach();

async function httpServer(handler: Parameters<typeof createHttpServer>[1]): Promise<HostPort> {
  const server: HttpServer = createHttpServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no address');
  return { host: '127.0.0.1', port: address.port };
}

async function failure(promise: Promise<unknown>): Promise<ZkfcStatusError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ZkfcStatusError);
    return error as ZkfcStatusError;
  }
  throw new Error('expected a ZkfcStatusError');
}

describe('fetchZkfcStatusOverHttp', () => {
  it("reads the status the daemon's listener serves", async () => {
    const status = zkfcStatus('nn1', { lockHolder: activeNode('nn1', { host: '127.0.0.1', port: 8020 }) });
    const listener = await startStatusListener(status);
    cleanups.push(() => listener.close());
    expect(await fetchZkfcStatusOverHttp(listener.address, 2_000)).toEqual(status);
  });

  it('connection refused', async () => {
    const error = await failure(fetchZkfcStatusOverHttp({ host: '127.0.0.1', port: 1 }, 2_000));
    expect(error.address).toBe('127.0.0.1:1');
    expect(error.message).toMatch(/^GET \/status on 127\.0\.0\.1:1 failed: .*ECONNREFUSED/);
  });

  it('an HTTP error status', async () => {
    const address = await httpServer((_req, res) => {
      res.statusCode = 503;
      res.end('{"oops":true}');
    });
    expect((await failure(fetchZkfcStatusOverHttp(address, 2_000))).message).toBe(
      `GET /status on 127.0.0.1:${address.port} answered HTTP 503`,
    );
  });

  it('a body that is not JSON', async () => {
    const address = await httpServer((_req, res) => res.end('<html>hello</html>'));
    expect((await failure(fetchZkfcStatusOverHttp(address, 2_000))).message).toMatch(
      /^GET \/status on 127\.0\.0\.1:\d+ did not return JSON: /,
    );
  });

  it('JSON that is not a zkfc status names the field', async () => {
    const address = await httpServer((_req, res) =>
      res.end(JSON.stringify({ ...zkfcStatus('nn1'), healthState: 'FINE' })),
    );
    expect((await failure(fetchZkfcStatusOverHttp(address, 2_000))).message).toBe(
      `GET /status on 127.0.0.1:${address.port}: not a zkfc status: status.healthState is "FINE", not one ` +
        `of INITIALIZING, SERVICE_NOT_RESPONDING, SERVICE_HEALTHY, SERVICE_UNHEALTHY, HEALTH_MONITOR_FAILED`,
    );
  });

  it('an endless body is cut at the size bound', async () => {
    const address = await httpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      let sent = 0;
      const pump = (): void => {
        while (sent < 4 * 1024 * 1024 && res.write(chunk)) sent += chunk.length;
        if (sent < 4 * 1024 * 1024) res.once('drain', pump);
        else res.end();
      };
      pump();
    });
    const error = await failure(fetchZkfcStatusOverHttp(address, 5_000));
    expect(error.message).toMatch(/^GET \/status on 127\.0\.0\.1:\d+ failed: .*exceeded max size/);
  });

  it('a server that accepts and never answers: fails within the timeout', async () => {
    const sockets = new Set<Socket>();
    const server: TcpServer = createTcpServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          for (const socket of sockets) socket.destroy();
          server.close(() => resolve());
        }),
    );
    const address = server.address();
    if (typeof address !== 'object' || address === null) throw new Error('no address');
    const started = Date.now();
    const error = await failure(fetchZkfcStatusOverHttp({ host: '127.0.0.1', port: address.port }, 400));
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(error.message).toMatch(/^GET \/status on 127\.0\.0\.1:\d+ failed: no answer within 400 ms$/);
  });
});

describe('parseZkfcStatus', () => {
  it('accepts a full status and fills what older daemons may omit', () => {
    const full = zkfcStatus('nn1', {
      cluster: {
        intervalMs: 5000,
        checkedAt: '2024-05-01T12:00:00.000Z',
        roundDurationMs: 4,
        activeNamenodes: ['nn2'],
        secondsWithoutActive: 0,
        lastActiveSeenAt: '2024-05-01T12:00:00.000Z',
        namenodes: [
          {
            namenodeId: 'nn1',
            address: '127.0.0.1:8020',
            local: true,
            state: 'STANDBY',
            readyToBecomeActive: false,
            notReadyReason: 'safe mode',
            health: 'SERVICE_HEALTHY',
            lastAppliedOrWrittenTxId: null,
            error: null,
          },
          {
            namenodeId: 'nn2',
            address: '127.0.0.1:8021',
            local: false,
            state: 'ACTIVE',
            readyToBecomeActive: true,
            notReadyReason: null,
            health: 'SERVICE_UNHEALTHY',
            lastAppliedOrWrittenTxId: null,
            error: 'no resources',
          },
        ],
      },
    });
    expect(parseZkfcStatus(JSON.parse(JSON.stringify(full)), 'x')).toEqual(full);
    const {
      cluster: _cluster,
      fencing: _fencing,
      lastFailover: _lastFailover,
      uptimeSeconds: _uptime,
      version: _version,
      ...minimal
    } = full;
    expect(parseZkfcStatus(minimal, 'x')).toMatchObject({
      cluster: null,
      fencing: [],
      lastFailover: null,
      uptimeSeconds: 0,
      version: '',
    });
  });

  it('reads the NameNode HTTP view and refuses a malformed one with the field named', () => {
    const withView = zkfcStatus('nn1', {
      namenodeHttp: {
        url: 'http://nn1:9870',
        up: false,
        view: {
          state: 'STANDBY',
          nnRole: 'NameNode',
          hostAndPort: 'nn1:8020',
          lastHATransitionTime: null,
          securityEnabled: false,
          namesystemHAState: 'STANDBY',
          millisSinceLastLoadedEdits: 1200,
          lastWrittenTransactionId: 40,
          safemode: '',
          inSafemode: false,
          lastAppliedOrWrittenTxId: 42,
          mostRecentCheckpointTxId: 30,
          isActive: false,
        },
        readAt: '2026-01-01T00:00:00.000Z',
        ageMs: 7500,
        isActiveMismatch: false,
        lastError: { kind: 'timedOut', message: 'GET http://nn1:9870/isActive: no answer', at: null },
      },
    });
    expect(parseZkfcStatus(JSON.parse(JSON.stringify(withView)), 'x')).toEqual(withView);
    const { namenodeHttp: _absent, ...older } = withView;
    expect(parseZkfcStatus(older, 'x').namenodeHttp).toBeNull();
    const bad = { ...withView, namenodeHttp: { ...withView.namenodeHttp, lastError: { kind: 'boom', message: 'm' } } };
    expect(() => parseZkfcStatus(bad, 'h:1')).toThrow('status.namenodeHttp.lastError.kind is "boom"');
    const badView = { ...withView, namenodeHttp: { ...withView.namenodeHttp, view: { state: 'STANDBY' } } };
    expect(() => parseZkfcStatus(badView, 'h:1')).toThrow('status.namenodeHttp.view.nnRole is not a string');
  });

  it('reads anti-flap with a failover held back; absent from older daemons', () => {
    const antiFlap = {
      maxFailovers: 3,
      windowMs: 600_000,
      failoversInWindow: 3,
      lastLockHolderChange: 't0',
      heldBackTotal: 2,
      holdingBack: { since: 't1', reason: 'r', healthReason: 'h', failoversInWindow: 3, releaseAt: 't2' },
      lastHoldBackEnded: { at: 't3', reason: 'healthy', heldBackMs: 5 },
    };
    const full = zkfcStatus('nn1', { antiFlap });
    expect(parseZkfcStatus(JSON.parse(JSON.stringify(full)), 'x').antiFlap).toEqual(antiFlap);
    const { antiFlap: _antiFlap, ...older } = full;
    expect(parseZkfcStatus(older, 'x').antiFlap).toBeNull();
  });

  it.each<[string, unknown, string]>([
    ['not an object', [1, 2], 'status is not an object'],
    ['a missing namenode', { ...zkfcStatus('nn1'), namenode: 3 }, 'status.namenode is not a string'],
    ['a bad haState', { ...zkfcStatus('nn1'), haState: 'LEADER' }, 'status.haState is "LEADER"'],
    [
      'a lock holder without port',
      { ...zkfcStatus('nn1'), lockHolder: { nameserviceId: 'ns1', namenodeId: 'nn1', hostname: 'h', zkfcPort: 1 } },
      'status.lockHolder.port is not a number',
    ],
    ['fencing that is not a list', { ...zkfcStatus('nn1'), fencing: 'yes' }, 'status.fencing is not an array'],
    [
      'a fencing entry without ready',
      { ...zkfcStatus('nn1'), fencing: [{ method: 'm', detail: 'd', checkedAt: null }] },
      'status.fencing[0].ready is not a boolean',
    ],
    [
      'an anti-flap hold-back without reason',
      {
        ...zkfcStatus('nn1'),
        antiFlap: {
          maxFailovers: 3,
          windowMs: 1,
          failoversInWindow: 3,
          lastLockHolderChange: null,
          heldBackTotal: 1,
          holdingBack: { since: null, healthReason: 'h', failoversInWindow: 3, releaseAt: null },
          lastHoldBackEnded: null,
        },
      },
      'status.antiFlap.holdingBack.reason is not a string',
    ],
    [
      'a failover with an unknown reason',
      { ...zkfcStatus('nn1'), lastFailover: { at: 't', from: null, to: 'nn1', reason: 'magic', durationMs: 1 } },
      'status.lastFailover.reason is "magic"',
    ],
    [
      'a cluster view with a bad state',
      {
        ...zkfcStatus('nn1'),
        cluster: {
          intervalMs: 5000,
          checkedAt: null,
          roundDurationMs: null,
          activeNamenodes: [],
          secondsWithoutActive: 0,
          lastActiveSeenAt: null,
          namenodes: [{ namenodeId: 'nn1', address: 'h:1', local: true, state: 'LEADER', health: 'SERVICE_HEALTHY' }],
        },
      },
      'status.cluster.namenodes[0].state is "LEADER"',
    ],
    [
      'a cluster view whose actives are not ids',
      { ...zkfcStatus('nn1'), cluster: { activeNamenodes: [1], namenodes: [] } },
      'status.cluster.activeNamenodes is not an array of strings',
    ],
  ])('%s is refused with the field named', (_name, json, message) => {
    expect(() => parseZkfcStatus(json, 'h:1')).toThrow(message);
    expect(() => parseZkfcStatus(json, 'h:1')).toThrow(ZkfcStatusError);
  });
});
