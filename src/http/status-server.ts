// The daemon's read-only HTTP listener, for Prometheus, load balancers and operators:
//   GET /          the status page: the status snapshot as HTML for people (status-page.ts)
//   GET /metrics   Prometheus text exposition of the daemon's registry
//   GET /status    the ZkfcStatus snapshot as JSON
//   GET /active    200 when the local NameNode last reported ACTIVE, else 503 (for load balancers)
//   GET /standby   200 when the local NameNode last reported STANDBY, else 503
//   GET /healthz   200 while the process (and its event loop) is alive; the body says when ZooKeeper
//                  is out of reach and the daemon waits out of the election
// HEAD is answered like GET without a body. Any other method is 405, any other path 404.
//
// Default address 127.0.0.1:8021. Why 8021: it sits next to the ZKFC's own RPC port (8019,
// dfs.ha.zkfc.port) and the NameNode RPC port (8020), so firewall rules for "the ZKFC ports" stay
// one small range, and no Hadoop 2/3 daemon defaults to it (9870 NameNode HTTP, 8485/8480
// JournalNode, 2181 ZooKeeper, 8030-8033 ResourceManager; 8022 is avoided because clusters
// commonly put the NameNode service RPC there). 8021 was the JobTracker's port in Hadoop 1
// (MapReduce v1), which cannot run alongside NameNode HA. Loopback by default because the listener
// reveals cluster topology; bind it to a management interface (zkfc.http-address) for a remote
// Prometheus or a load balancer.
//
// Bounded and crash-proof by construction: request bodies are never read (a request that carries
// one gets `Connection: close`), headers are capped by size and time, a whole request by time,
// idle and slow sockets are dropped, and every handler error becomes a 500 rather than an
// exception. Nothing here writes state: Hadoop's ZKFCProtocol (cedeActive, gracefulFailover) is
// served elsewhere over Hadoop RPC.
//
// Slow clients cannot starve it (the probes of a load balancer least of all): connections are
// capped in all (maxConnections) and per source address (maxConnectionsPerAddress), and when a
// cap is reached a new connection does not wait or fail: it replaces the oldest connection that
// is not in the middle of a request (still sending its headers, or idle between keep-alive
// requests). Header-trickling sockets are therefore the first to go, while a client that sends a
// whole request at once is answered. Only when every connection under the cap is busy answering
// is a new one refused. /metrics (the one route that costs something) has its own cap on
// concurrent scrapes (503 beyond it); /active, /standby and /healthz are never held back by it.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { HostPort } from '../core/types.js';
import { ZkfcError, errorMessage } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { MetricsSource } from '../observability/metrics.js';
import type { StatusSource } from '../observability/status.js';
import { RepeatLimiter } from '../observability/untrusted.js';
import { renderStatusPage, STATUS_PAGE_HEADERS } from './status-page.js';
import { httpDate, isoTimestamp } from '../observability/wall-time.js';
import { monotonicNowMs } from '../runtime/system-clock.js';

export const DEFAULT_STATUS_HTTP_HOST = '127.0.0.1';
export const DEFAULT_STATUS_HTTP_PORT = 8021;

/** The listener could not bind its address (in use, not local, no permission). */
export class HttpListenError extends ZkfcError {
  readonly code = 'HTTP_LISTEN_FAILED';
  constructor(
    message: string,
    readonly address: HostPort,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export interface StatusServerOptions {
  /** Bind host; default 127.0.0.1. */
  readonly host?: string;
  /** Bind port; default 8021; 0 picks a free port (tests). */
  readonly port?: number;
  readonly metrics: MetricsSource;
  readonly status: StatusSource;
  /** The daemon's logger; the server takes a child with component 'http'. */
  readonly logger: Logger;
  /** Deadline to receive a whole request (headers included); default 10 s. */
  readonly requestTimeoutMs?: number;
  /** Deadline to receive the request headers; default 5 s (capped at requestTimeoutMs). */
  readonly headersTimeoutMs?: number;
  /** Idle keep-alive connections are closed after this; default 5 s. */
  readonly keepAliveTimeoutMs?: number;
  /** A socket with no traffic in either direction for this long is destroyed (slow readers); default 30 s. */
  readonly socketIdleTimeoutMs?: number;
  /** Simultaneous connections; at the cap a new one replaces the oldest idle one (see above); default 64. */
  readonly maxConnections?: number;
  /** Simultaneous connections from one source address, same rule; default 16. */
  readonly maxConnectionsPerAddress?: number;
  /** /metrics requests answered at once; more get 503 with Retry-After; default 4. */
  readonly maxConcurrentScrapes?: number;
  /** Total size of the request line and headers; default 8 KiB. */
  readonly maxHeaderBytes?: number;
}

const ROUTES = ['/', '/metrics', '/status', '/active', '/standby', '/healthz'] as const;
type Route = (typeof ROUTES)[number];
const ALLOWED_METHODS = 'GET, HEAD';

interface Reply {
  readonly statusCode: number;
  readonly contentType: string;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

const TEXT = 'text/plain; charset=utf-8';

export const STATUS_HTTP_MAX_CONNECTIONS_DEFAULT = 64;
export const STATUS_HTTP_MAX_CONNECTIONS_PER_ADDRESS_DEFAULT = 16;
export const STATUS_HTTP_MAX_CONCURRENT_SCRAPES_DEFAULT = 4;

/** One accepted connection, as the caps see it. */
interface Tracked {
  readonly socket: Socket;
  readonly address: string;
  /** A request has arrived whose reply is not finished yet. */
  busy: boolean;
}
const JSON_TYPE = 'application/json; charset=utf-8';
const HTML_TYPE = 'text/html; charset=utf-8';

export class StatusServer {
  private readonly log: Logger;
  private readonly server: Server;
  private readonly host: string;
  private readonly port: number;
  private bound: HostPort | undefined;
  private readonly maxConnections: number;
  private readonly maxConnectionsPerAddress: number;
  private readonly maxConcurrentScrapes: number;
  /** Open connections, oldest first (Map keeps insertion order). */
  private readonly connections = new Map<Socket, Tracked>();
  private readonly perAddress = new Map<string, number>();
  private scrapesInFlight = 0;
  private readonly warnings = new RepeatLimiter({ burst: 1, windowMs: 60_000 });

  constructor(private readonly options: StatusServerOptions) {
    this.log = options.logger.child({ component: 'http' });
    this.host = options.host ?? DEFAULT_STATUS_HTTP_HOST;
    this.port = options.port ?? DEFAULT_STATUS_HTTP_PORT;
    const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    const headersTimeoutMs = Math.min(options.headersTimeoutMs ?? 5_000, requestTimeoutMs);
    this.server = createServer(
      {
        requestTimeout: requestTimeoutMs,
        headersTimeout: headersTimeoutMs,
        keepAliveTimeout: options.keepAliveTimeoutMs ?? 5_000,
        // Node checks the two deadlines above only this often (30 s by default).
        connectionsCheckingInterval: Math.max(100, Math.min(1_000, Math.floor(headersTimeoutMs / 2))),
        maxHeaderSize: options.maxHeaderBytes ?? 8 * 1024,
      },
      (request, response) => this.handle(request, response),
    );
    this.maxConnections = Math.max(1, options.maxConnections ?? STATUS_HTTP_MAX_CONNECTIONS_DEFAULT);
    this.maxConnectionsPerAddress = Math.max(
      1,
      Math.min(
        options.maxConnectionsPerAddress ?? STATUS_HTTP_MAX_CONNECTIONS_PER_ADDRESS_DEFAULT,
        this.maxConnections,
      ),
    );
    this.maxConcurrentScrapes = Math.max(1, options.maxConcurrentScrapes ?? STATUS_HTTP_MAX_CONCURRENT_SCRAPES_DEFAULT);
    // Not server.maxConnections: Node would drop new connections at the cap, and a few
    // header-trickling clients would lock everyone out. admit() makes room instead.
    this.server.on('connection', (socket: Socket) => this.admit(socket));
    this.server.on('request', (request: IncomingMessage, response: ServerResponse) => this.markBusy(request, response));
    this.server.maxRequestsPerSocket = 100;
    this.server.setTimeout(options.socketIdleTimeoutMs ?? 30_000, (socket: Socket) => socket.destroy());
    this.server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => this.onClientError(error, socket));
  }

  /** Bind and start serving; resolves with the bound address (the real port when port 0 was asked). */
  listen(): Promise<HostPort> {
    const wanted: HostPort = { host: this.host, port: this.port };
    return new Promise<HostPort>((resolve, reject) => {
      const onError = (error: Error): void => {
        this.server.off('listening', onListening);
        reject(
          new HttpListenError(
            `status HTTP listener cannot bind ${this.host}:${this.port}: ${errorMessage(error)}`,
            wanted,
            { cause: error },
          ),
        );
      };
      const onListening = (): void => {
        this.server.off('error', onError);
        // Later server-level errors (rare: e.g. EMFILE on accept) are logged, never thrown.
        this.server.on('error', (error) => this.log.error({ err: error }, 'status HTTP listener error'));
        const address = this.server.address();
        this.bound =
          typeof address === 'object' && address !== null ? { host: address.address, port: address.port } : wanted;
        this.log.info({ host: this.bound.host, port: this.bound.port }, 'status HTTP listener started');
        resolve(this.bound);
      };
      this.server.once('error', onError);
      this.server.once('listening', onListening);
      this.server.listen({ host: this.host, port: this.port, exclusive: true });
    });
  }

  /** The bound address once listening. */
  address(): HostPort | undefined {
    return this.bound;
  }

  /** Stop accepting and drop every open connection. Idempotent. */
  close(): Promise<void> {
    return new Promise<void>((resolve) => {
      if (!this.server.listening) {
        this.server.closeAllConnections();
        resolve();
        return;
      }
      this.server.close(() => resolve());
      this.server.closeAllConnections();
      this.log.info('status HTTP listener stopped');
    });
  }

  /** Number of open connections (tests, metrics). */
  connectionCount(): number {
    return this.connections.size;
  }

  /** A new connection: make room under both caps, or refuse it when every connection is busy. */
  private admit(socket: Socket): void {
    const address = socket.remoteAddress ?? 'unknown';
    if ((this.perAddress.get(address) ?? 0) >= this.maxConnectionsPerAddress && !this.evictOldestIdle(address)) {
      this.refuse(socket, address, 'per-address');
      return;
    }
    if (this.connections.size >= this.maxConnections && !this.evictOldestIdle(undefined)) {
      this.refuse(socket, address, 'total');
      return;
    }
    const tracked: Tracked = { socket, address, busy: false };
    this.connections.set(socket, tracked);
    this.perAddress.set(address, (this.perAddress.get(address) ?? 0) + 1);
    socket.once('close', () => this.forget(tracked));
  }

  /** Destroy the oldest connection (from `address`, or any) that is not answering a request. */
  private evictOldestIdle(address: string | undefined): boolean {
    for (const tracked of this.connections.values()) {
      if (tracked.busy || (address !== undefined && tracked.address !== address)) continue;
      this.forget(tracked);
      tracked.socket.destroy();
      this.warnOnce(
        `evicted ${address === undefined ? 'total' : 'per-address'}`,
        { address: tracked.address },
        'status HTTP connection cap reached; closed the oldest idle connection',
      );
      return true;
    }
    return false;
  }

  private forget(tracked: Tracked): void {
    if (!this.connections.delete(tracked.socket)) return;
    const left = (this.perAddress.get(tracked.address) ?? 1) - 1;
    if (left <= 0) this.perAddress.delete(tracked.address);
    else this.perAddress.set(tracked.address, left);
  }

  private refuse(socket: Socket, address: string, cap: 'per-address' | 'total'): void {
    socket.destroy();
    this.warnOnce(
      `refused ${cap}`,
      { address, cap },
      'status HTTP connection refused: every connection under the cap is busy',
    );
  }

  /** Log at warn at most once a minute per kind, with how many were not logged. */
  private warnOnce(key: string, fields: Record<string, unknown>, msg: string): void {
    const decision = this.warnings.check(key, monotonicNowMs());
    if (decision.write)
      this.log.warn({ ...fields, ...(decision.suppressed > 0 ? { repeated: decision.suppressed } : {}) }, msg);
  }

  private markBusy(request: IncomingMessage, response: ServerResponse): void {
    const tracked = this.connections.get(request.socket);
    if (tracked === undefined) return;
    tracked.busy = true;
    const done = (): void => {
      tracked.busy = false;
    };
    response.once('finish', done);
    response.once('close', done);
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const startedMs = monotonicNowMs();
    const method = request.method ?? '';
    const path = requestPath(request.url);
    // Bodies are never read: close the connection after the reply rather than parse or drain one.
    const hasBody =
      request.headers['transfer-encoding'] !== undefined || (request.headers['content-length'] ?? '0') !== '0';
    const finish = (reply: Reply): void => {
      if (response.headersSent || response.destroyed) return;
      const body = Buffer.from(reply.body, 'utf8');
      response.statusCode = reply.statusCode;
      // Our own Date header: Node's comes from Date#toUTCString (see observability/wall-time.ts).
      response.sendDate = false;
      response.setHeader('Date', httpDate(Date.now()));
      response.setHeader('Content-Type', reply.contentType);
      response.setHeader('Content-Length', body.length);
      response.setHeader('Cache-Control', 'no-store');
      response.setHeader('X-Content-Type-Options', 'nosniff');
      for (const [name, value] of Object.entries(reply.headers ?? {})) response.setHeader(name, value);
      if (hasBody) response.setHeader('Connection', 'close');
      response.end(method === 'HEAD' ? undefined : body);
      this.log.debug(
        {
          method: method.slice(0, 16),
          path: (path ?? '').slice(0, 128),
          statusCode: reply.statusCode,
          durationMs: Math.round(monotonicNowMs() - startedMs),
        },
        'status HTTP request',
      );
    };
    try {
      if (method !== 'GET' && method !== 'HEAD') {
        finish({
          statusCode: 405,
          contentType: TEXT,
          body: 'method not allowed: this listener is read-only\n',
          headers: { Allow: ALLOWED_METHODS },
        });
        return;
      }
      if (path === undefined) {
        finish({ statusCode: 400, contentType: TEXT, body: 'bad request target\n' });
        return;
      }
      if (!isRoute(path)) {
        finish({ statusCode: 404, contentType: TEXT, body: `not found; try ${ROUTES.join(' ')}\n` });
        return;
      }
      this.route(path).then(finish, (error: unknown) => {
        this.log.error({ err: error, path }, 'status HTTP handler failed');
        finish({ statusCode: 500, contentType: TEXT, body: 'internal error\n' });
      });
    } catch (error) {
      this.log.error({ err: error, path }, 'status HTTP handler failed');
      finish({ statusCode: 500, contentType: TEXT, body: 'internal error\n' });
    }
  }

  private async route(path: Route): Promise<Reply> {
    switch (path) {
      case '/healthz': {
        // Liveness: 200 whenever the process serves requests. While ZooKeeper is out of reach the
        // daemon is alive and waiting as designed (a restart would not help), so the body says so.
        const retry = this.options.status.status().zookeeperRetry;
        const body =
          retry === null
            ? 'ok\n'
            : `ok: out of the election, ZooKeeper unreachable since ${retry.since ?? '?'} ` +
              `(${retry.failures} failed attempts, next at ${retry.nextAttemptAt ?? '?'})\n`;
        return { statusCode: 200, contentType: TEXT, body };
      }
      case '/metrics': {
        if (this.scrapesInFlight >= this.maxConcurrentScrapes) {
          return {
            statusCode: 503,
            contentType: TEXT,
            body: 'too many concurrent scrapes\n',
            headers: { 'Retry-After': '1' },
          };
        }
        this.scrapesInFlight++;
        try {
          return {
            statusCode: 200,
            contentType: this.options.metrics.contentType,
            body: await this.options.metrics.metricsText(),
          };
        } finally {
          this.scrapesInFlight--;
        }
      }
      case '/':
        // As cheap as /status (one snapshot, one string), so it needs no cap of its own.
        return {
          statusCode: 200,
          contentType: HTML_TYPE,
          body: renderStatusPage(this.options.status.status(), isoTimestamp(Date.now())),
          headers: STATUS_PAGE_HEADERS,
        };
      case '/status':
        return {
          statusCode: 200,
          contentType: JSON_TYPE,
          body: JSON.stringify(this.options.status.status(), null, 2) + '\n',
        };
      case '/active':
        return this.haStateProbe('ACTIVE');
      case '/standby':
        return this.haStateProbe('STANDBY');
    }
  }

  /**
   * Load-balancer probe: 200 when the local NameNode was last seen in `wanted`, 503 otherwise; the body is the state.
   */
  private haStateProbe(wanted: 'ACTIVE' | 'STANDBY'): Reply {
    const haState = this.options.status.status().haState;
    return { statusCode: haState === wanted ? 200 : 503, contentType: TEXT, body: `${haState ?? 'UNKNOWN'}\n` };
  }

  private onClientError(error: NodeJS.ErrnoException, socket: Socket): void {
    this.log.debug({ err: error, code: error.code }, 'status HTTP client error');
    if (!socket.writable || error.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    const status =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? '431 Request Header Fields Too Large'
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? '408 Request Timeout'
          : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, () => socket.destroy());
  }
}

function isRoute(path: string): path is Route {
  return (ROUTES as readonly string[]).includes(path);
}

/** The path of a request target (origin-form or absolute-form), without query; undefined when unusable. */
function requestPath(url: string | undefined): string | undefined {
  if (url === undefined || url.length === 0) return undefined;
  // '//host/path' would parse as a URL with a host; keep it as a (non-matching) path instead.
  if (url.startsWith('//')) return url.split('?')[0];
  try {
    return new URL(url, 'http://localhost').pathname;
  } catch {
    return undefined;
  }
}
