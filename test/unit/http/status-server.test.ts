// Goal: the read-only status listener serves /metrics, /status, /active, /standby and /healthz
// as documented (status codes, bodies, content types, HEAD), refuses writes (405) and unknown
// paths (404), survives odd and hostile requests (garbage, oversized headers, bodies, slow
// clients, too many connections, failing sources) without crashing, and releases its port.
// Method: a real StatusServer on 127.0.0.1 port 0, real HTTP with undici's `request`, and raw
// TCP sockets for what an HTTP client library would refuse to send.
import { get as httpGet } from 'node:http';
import { connect, createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Agent, request } from 'undici';
import {
  DEFAULT_STATUS_HTTP_HOST,
  DEFAULT_STATUS_HTTP_PORT,
  HttpListenError,
  StatusServer,
  type StatusServerOptions,
} from '../../../src/http/status-server.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { ZkfcMetrics, type MetricsSource } from '../../../src/observability/metrics.js';
import type { StatusSource, ZkfcStatus } from '../../../src/observability/status.js';
import type { HostPort } from '../../../src/core/types.js';
import { sleep } from '../../../tools/testing/wait.js';

function sampleStatus(haState: ZkfcStatus['haState']): ZkfcStatus {
  return {
    service: 'namenode',
    nameservice: 'ns1',
    namenode: 'nn1',
    namenodeAddress: 'nn1.example.com:8020',
    haState,
    healthState: 'SERVICE_HEALTHY',
    electorState: haState === 'ACTIVE' ? 'ACTIVE' : 'STANDBY',
    zkConnectionState: 'CONNECTED',
    zkSessionId: '0x10000a1b2c30005',
    lockHolder: { nameserviceId: 'ns1', namenodeId: 'nn1', hostname: 'nn1.example.com', port: 8020, zkfcPort: 8019 },
    breadcrumb: { nameserviceId: 'ns1', namenodeId: 'nn1', hostname: 'nn1.example.com', port: 8020, zkfcPort: 8019 },
    fencing: [
      {
        method: 'sshfence(hdfs:22)',
        ready: true,
        detail: 'ssh to nn2.example.com:22 ok',
        checkedAt: '2024-05-01T12:00:00.000Z',
      },
    ],
    cluster: null,
    lastFailover: {
      at: '2024-05-01T11:59:00.000Z',
      from: 'nn2',
      to: 'nn1',
      reason: 'election',
      durationMs: 4200,
      phases: { detectionMs: 3000, electionMs: 40, fencingMs: 800, promotionMs: 360 },
    },
    cededUntil: null,
    zookeeperProblems: [],
    zookeeperRetry: null,
    namenodeHttp: null,
    antiFlap: null,
    uptimeSeconds: 3600,
    version: '0.1.0',
  };
}

/** A StatusSource whose answer the test changes between requests. */
class MutableSource implements StatusSource {
  current: ZkfcStatus = sampleStatus('ACTIVE');
  throwNext = false;
  status(): ZkfcStatus {
    if (this.throwNext) throw new Error('status source broke');
    return this.current;
  }
}

const servers: StatusServer[] = [];
const agents: Agent[] = [];
const tcpServers: TcpServer[] = [];

afterEach(async () => {
  await Promise.all(agents.splice(0).map((agent) => agent.destroy()));
  await Promise.all(servers.splice(0).map((server) => server.close()));
  await Promise.all(tcpServers.splice(0).map((server) => new Promise<void>((done) => server.close(() => done()))));
});

async function start(
  overrides: Partial<StatusServerOptions> = {},
): Promise<{ base: string; address: HostPort; source: MutableSource; metrics: ZkfcMetrics; agent: Agent }> {
  const source = new MutableSource();
  const metrics = new ZkfcMetrics({ version: '0.1.0', nameservice: 'ns1', namenode: 'nn1', processMetrics: false });
  const server = new StatusServer({
    host: '127.0.0.1',
    port: 0,
    metrics,
    status: source,
    logger: silentLogger(),
    ...overrides,
  });
  servers.push(server);
  const address = await server.listen();
  const agent = new Agent({ connections: 4 });
  agents.push(agent);
  return { base: `http://127.0.0.1:${address.port}`, address, source, metrics, agent };
}

async function get(
  base: string,
  agent: Agent,
  path: string,
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'OPTIONS' = 'GET',
) {
  const response = await request(base + path, {
    method,
    dispatcher: agent,
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
  const body = await response.body.text();
  return { status: response.statusCode, headers: response.headers, body };
}

interface RawResult {
  readonly data: string;
  readonly closed: boolean;
  readonly elapsedMs: number;
}

/**
 * Write `bytes` on a fresh TCP connection (optionally leaving it open) and collect the reply until close or `waitMs`.
 */
function rawExchange(port: number, bytes: string | Buffer, waitMs: number): Promise<RawResult> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (closed: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ data: Buffer.concat(chunks).toString('latin1'), closed, elapsedMs: Date.now() - started });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    socket.on('connect', () => socket.write(bytes));
  });
}

/** A raw connection that sent part of a request's headers and then nothing more. */
function openPartial(port: number, localAddress = '127.0.0.1'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, localAddress });
    socket.on('error', () => undefined);
    socket.once('connect', () => {
      socket.write('GET /status HTTP/1.1\r\nHost: x\r\n');
      // Let the server accept and account for it before the next one.
      setTimeout(() => resolve(socket), 50);
    });
    socket.once('error', reject);
  });
}

/** Resolves true once the server has closed the socket, false after `withinMs`. */
function closedWithin(socket: Socket, withinMs: number): Promise<boolean> {
  if (socket.destroyed || socket.readableEnded) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), withinMs);
    const done = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    socket.once('close', done);
    socket.once('end', done);
    socket.resume();
  });
}

interface PlainReply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** One GET on a fresh connection (as a load balancer's probe does), never reused. */
function plainGet(port: number, path: string): Promise<PlainReply> {
  return new Promise((resolve, reject) => {
    const req = httpGet({ host: '127.0.0.1', port, path, agent: false, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', reject);
  });
}

/** A MetricsSource whose metricsText() waits until release(). */
function blockingMetrics(): { source: MetricsSource; release(): void; waitForCalls(n: number): Promise<void> } {
  let calls = 0;
  const waiting: Array<() => void> = [];
  let released = false;
  return {
    source: {
      contentType: 'text/plain; version=0.0.4; charset=utf-8',
      metricsText: () => {
        calls++;
        if (released) return Promise.resolve('zkfc_up 1\n');
        return new Promise<string>((resolve) => waiting.push(() => resolve('zkfc_up 1\n')));
      },
    },
    release() {
      released = true;
      for (const wake of waiting.splice(0)) wake();
    },
    async waitForCalls(n: number) {
      for (let i = 0; i < 200 && calls < n; i++) await sleep(10);
      expect(calls).toBe(n);
    },
  };
}

/**
 * `count` sockets from 127.0.0.2 (another client than the probes) that each send one byte of a
 * never-ending header every 200 ms, reopened whenever the server closes one (as an attacker would).
 */
function trickle(port: number, count: number): { started: Promise<void>; opened(): number; stop(): void } {
  let stopped = false;
  let opened = 0;
  const sockets = new Set<Socket>();
  const open = (): Promise<void> =>
    new Promise((resolve) => {
      if (stopped) return resolve();
      const socket = connect({ host: '127.0.0.1', port, localAddress: '127.0.0.2' });
      sockets.add(socket);
      opened++;
      let timer: NodeJS.Timeout | undefined;
      socket.on('error', () => undefined);
      socket.once('connect', () => {
        socket.write('GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ');
        timer = setInterval(() => socket.write('a'), 200);
        resolve();
      });
      socket.once('close', () => {
        clearInterval(timer);
        sockets.delete(socket);
        resolve();
        if (!stopped) setTimeout(() => void open(), 20);
      });
    });
  const started = (async () => {
    for (let i = 0; i < count; i++) await open();
  })();
  return {
    started,
    opened: () => opened,
    stop() {
      stopped = true;
      for (const socket of sockets) socket.destroy();
    },
  };
}

describe('StatusServer', () => {
  it('documents its default address: loopback, port 8021 next to the ZKFC RPC port 8019', () => {
    expect(DEFAULT_STATUS_HTTP_HOST).toBe('127.0.0.1');
    expect(DEFAULT_STATUS_HTTP_PORT).toBe(8021);
    // Hadoop defaults it must not collide with: zkfc RPC, NN RPC, NN HTTP(S), JN, ZK.
    expect([8019, 8020, 9820, 9870, 9871, 8485, 8480, 2181]).not.toContain(DEFAULT_STATUS_HTTP_PORT);
  });

  it('serves /healthz while the process is alive', async () => {
    const { base, agent } = await start();
    const reply = await get(base, agent, '/healthz');
    expect(reply).toMatchObject({ status: 200, body: 'ok\n' });
    expect(reply.headers['cache-control']).toBe('no-store');
  });

  it('serves the registry on /metrics in the Prometheus text format', async () => {
    const { base, agent, metrics } = await start();
    metrics.setHaState('ACTIVE');
    metrics.recordZkSessionEvent('expired');
    const reply = await get(base, agent, '/metrics');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(reply.body).toContain('zkfc_is_active{nameservice="ns1",namenode="nn1"} 1');
    expect(reply.body).toContain('zkfc_zk_session_expirations_total{nameservice="ns1",namenode="nn1"} 1');
    // Query strings are ignored, not treated as another path.
    expect((await get(base, agent, '/metrics?name[]=zkfc_is_active')).status).toBe(200);
  });

  it('serves the status snapshot on /status as JSON, read live from the source', async () => {
    const { base, agent, source } = await start();
    const first = await get(base, agent, '/status');
    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(first.body)).toEqual(sampleStatus('ACTIVE'));
    source.current = { ...sampleStatus('STANDBY'), zkConnectionState: 'DISCONNECTED', lockHolder: null };
    const second = JSON.parse((await get(base, agent, '/status')).body) as ZkfcStatus;
    expect(second.haState).toBe('STANDBY');
    expect(second.zkConnectionState).toBe('DISCONNECTED');
    expect(second.lockHolder).toBeNull();
  });

  it('answers /active and /standby for load balancers from the last seen HA state', async () => {
    const { base, agent, source } = await start();
    const probe = async () => ({
      active: await get(base, agent, '/active'),
      standby: await get(base, agent, '/standby'),
    });

    let replies = await probe();
    expect([replies.active.status, replies.active.body]).toEqual([200, 'ACTIVE\n']);
    expect([replies.standby.status, replies.standby.body]).toEqual([503, 'ACTIVE\n']);
    expect(replies.active.headers['content-type']).toBe('text/plain; charset=utf-8');

    source.current = sampleStatus('STANDBY');
    replies = await probe();
    expect([replies.active.status, replies.standby.status]).toEqual([503, 200]);
    expect(replies.standby.body).toBe('STANDBY\n');

    source.current = sampleStatus(null); // NameNode unreachable: neither
    replies = await probe();
    expect([replies.active.status, replies.standby.status]).toEqual([503, 503]);
    expect(replies.active.body).toBe('UNKNOWN\n');

    source.current = sampleStatus('OBSERVER');
    replies = await probe();
    expect([replies.active.status, replies.standby.status]).toEqual([503, 503]);
  });

  it('answers HEAD like GET without a body', async () => {
    const { base, agent } = await start();
    const full = await get(base, agent, '/status');
    const head = await get(base, agent, '/status', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(Number(head.headers['content-length'])).toBe(Buffer.byteLength(full.body));
    expect((await get(base, agent, '/active', 'HEAD')).status).toBe(200);
    expect((await get(base, agent, '/standby', 'HEAD')).status).toBe(503);
  });

  it.each(['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const)(
    'refuses %s with 405 and Allow: GET, HEAD',
    async (method) => {
      const { base, agent } = await start();
      for (const path of ['/status', '/metrics', '/active', '/nope']) {
        const reply = await get(base, agent, path, method);
        expect(reply.status).toBe(405);
        expect(reply.headers['allow']).toBe('GET, HEAD');
      }
    },
  );

  it('answers 404 for unknown paths, trailing slashes and traversal attempts', async () => {
    const { base, agent } = await start();
    // '/' is the status page (status-page.test.ts).
    for (const path of [
      '/index.html',
      '/status/',
      '/STATUS',
      '/metrics/x',
      '/../status/x',
      '/favicon.ico',
      '/%00',
      '//evil.example/status',
    ]) {
      expect((await get(base, agent, path)).status, path).toBe(404);
    }
  });

  it('turns a failing status source or registry into a 500 and keeps serving', async () => {
    const source = new MutableSource();
    const failingMetrics: MetricsSource = {
      contentType: 'text/plain',
      metricsText: () => Promise.reject(new Error('collector broke')),
    };
    const { base, agent } = await start({ status: source, metrics: failingMetrics });
    source.throwNext = true;
    expect((await get(base, agent, '/status')).status).toBe(500);
    expect((await get(base, agent, '/active')).status).toBe(500);
    expect((await get(base, agent, '/metrics')).status).toBe(500);
    source.throwNext = false;
    expect((await get(base, agent, '/status')).status).toBe(200);
    expect((await get(base, agent, '/healthz')).status).toBe(200);
  });

  it('never reads a request body: answers 405 at once and closes the connection', async () => {
    const { address, base, agent } = await start();
    // Claims 100 MB, sends 1 KiB: the reply must not wait for the rest.
    const reply = await rawExchange(
      address.port,
      'POST /status HTTP/1.1\r\nHost: x\r\nContent-Length: 104857600\r\n\r\n' + 'x'.repeat(1024),
      5_000,
    );
    expect(reply.data).toMatch(/^HTTP\/1\.1 405 /);
    expect(reply.data).toMatch(/\r\nconnection: close\r\n/i);
    expect(reply.closed).toBe(true);
    expect((await get(base, agent, '/healthz')).status).toBe(200);
  });

  it('answers garbage with 400 and closes', async () => {
    const { address, base, agent } = await start();
    const reply = await rawExchange(
      address.port,
      '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http at all\r\n\r\n',
      5_000,
    );
    expect(reply.data).toMatch(/^HTTP\/1\.1 400 /);
    expect(reply.closed).toBe(true);
    const noHost = await rawExchange(address.port, 'GET /status HTTP/1.1\r\n\r\n', 5_000);
    expect(noHost.data).toMatch(/^HTTP\/1\.1 400 /);
    expect((await get(base, agent, '/healthz')).status).toBe(200);
  });

  it('answers oversized headers with 431 and closes', async () => {
    const { address } = await start({ maxHeaderBytes: 4096 });
    const reply = await rawExchange(
      address.port,
      `GET /status HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(16 * 1024)}\r\n\r\n`,
      5_000,
    );
    expect(reply.data).toMatch(/^HTTP\/1\.1 431 /);
    expect(reply.closed).toBe(true);
  });

  it('drops a client that never finishes its headers (slowloris) after the headers timeout', async () => {
    const { address, base, agent } = await start({ headersTimeoutMs: 400, requestTimeoutMs: 800 });
    const reply = await rawExchange(address.port, 'GET /status HTTP/1.1\r\nHost: x\r\nX-Slow: ', 8_000);
    expect(reply.closed).toBe(true);
    expect(reply.elapsedMs).toBeLessThan(6_000);
    expect(reply.data === '' || /^HTTP\/1\.1 408 /.test(reply.data)).toBe(true);
    expect((await get(base, agent, '/healthz')).status).toBe(200);
  });

  it('at the connection cap, a new connection replaces the oldest one still sending its headers', async () => {
    const { address } = await start({ maxConnections: 2 });
    const held = [await openPartial(address.port), await openPartial(address.port)];
    try {
      const third = await rawExchange(
        address.port,
        'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
        5_000,
      );
      expect(third.data).toMatch(/^HTTP\/1\.1 200 /);
      expect(await closedWithin(held[0]!, 2_000)).toBe(true);
      expect(held[1]!.destroyed || held[1]!.readableEnded).toBe(false);
    } finally {
      for (const socket of held) socket.destroy();
    }
  });

  it('refuses a new connection only when every connection under the cap is answering a request', async () => {
    const gate = blockingMetrics();
    const { address } = await start({ maxConnections: 2, metrics: gate.source });
    const scrapes = [plainGet(address.port, '/metrics'), plainGet(address.port, '/metrics')];
    await gate.waitForCalls(2);
    const third = await rawExchange(address.port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n', 5_000);
    expect(third).toMatchObject({ closed: true, data: '' });
    gate.release();
    expect((await Promise.all(scrapes)).map((reply) => reply.status)).toEqual([200, 200]);
  });

  it('caps connections per source address without touching other addresses', async () => {
    const { address } = await start({ maxConnections: 8, maxConnectionsPerAddress: 2 });
    const other = [await openPartial(address.port, '127.0.0.2'), await openPartial(address.port, '127.0.0.2')];
    const mine = [await openPartial(address.port), await openPartial(address.port), await openPartial(address.port)];
    try {
      // The third from 127.0.0.1 replaced the oldest from 127.0.0.1; 127.0.0.2 kept both.
      expect(await closedWithin(mine[0]!, 2_000)).toBe(true);
      await sleep(100);
      expect([...other, mine[1]!, mine[2]!].map((socket) => socket.destroyed || socket.readableEnded)).toEqual([
        false,
        false,
        false,
        false,
      ]);
      expect(servers.at(-1)!.connectionCount()).toBe(4);
    } finally {
      for (const socket of [...other, ...mine]) socket.destroy();
    }
  });

  it(
    'caps concurrent /metrics scrapes with 503 and Retry-After, ' + 'while /active, /standby and /healthz still answer',
    async () => {
      const gate = blockingMetrics();
      const { address } = await start({ metrics: gate.source, maxConcurrentScrapes: 2 });
      const scrapes = [plainGet(address.port, '/metrics'), plainGet(address.port, '/metrics')];
      await gate.waitForCalls(2);
      const refused = await plainGet(address.port, '/metrics');
      expect(refused.status).toBe(503);
      expect(refused.headers['retry-after']).toBe('1');
      expect((await plainGet(address.port, '/active')).status).toBe(200);
      expect((await plainGet(address.port, '/standby')).status).toBe(503);
      expect((await plainGet(address.port, '/healthz')).status).toBe(200);
      gate.release();
      expect((await Promise.all(scrapes)).map((reply) => reply.status)).toEqual([200, 200]);
    },
  );

  it('keeps answering /metrics, /active and /healthz while 70 sockets trickle their headers (slowloris)', async () => {
    const { address } = await start();
    const attack = trickle(address.port, 70);
    try {
      await attack.started;
      const outcomes: string[] = [];
      for (let round = 0; round < 33; round++) {
        const metrics = await plainGet(address.port, '/metrics');
        const active = await plainGet(address.port, '/active');
        const healthz = await plainGet(address.port, '/healthz');
        outcomes.push(`${metrics.status} ${active.status} ${healthz.status}`);
        await sleep(30);
      }
      expect(outcomes).toEqual(Array.from({ length: 33 }, () => '200 200 200'));
      expect(attack.opened()).toBeGreaterThanOrEqual(70);
    } finally {
      attack.stop();
    }
  });

  it('fails to listen on a taken port with HttpListenError naming the address', async () => {
    const taken = createTcpServer();
    tcpServers.push(taken);
    const port = await new Promise<number>((done) =>
      taken.listen(0, '127.0.0.1', () => done((taken.address() as { port: number }).port)),
    );
    const server = new StatusServer({
      host: '127.0.0.1',
      port,
      metrics: new ZkfcMetrics({ version: '0', processMetrics: false }),
      status: new MutableSource(),
      logger: silentLogger(),
    });
    servers.push(server);
    const error = await server.listen().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HttpListenError);
    expect((error as HttpListenError).code).toBe('HTTP_LISTEN_FAILED');
    expect((error as HttpListenError).address).toEqual({ host: '127.0.0.1', port });
    expect((error as Error).message).toContain(`127.0.0.1:${port}`);
  });

  it('releases its port on close, including kept-alive connections, and close is idempotent', async () => {
    const { address, base, agent } = await start();
    expect((await get(base, agent, '/healthz')).status).toBe(200); // leaves a keep-alive connection open
    const server = servers[servers.length - 1]!;
    await server.close();
    await server.close();
    const refused = await rawExchange(address.port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n', 3_000);
    expect(refused).toMatchObject({ closed: true, data: '' });
    // The port can be bound again at once.
    const again = createTcpServer();
    tcpServers.push(again);
    await new Promise<void>((done, fail) => {
      again.once('error', fail);
      again.listen(address.port, '127.0.0.1', () => done());
    });
  });
});
