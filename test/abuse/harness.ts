// Shared pieces of the abuse tests (test/abuse/*.test.ts): a real nameservice (ZooKeeper, two
// simulated NameNodes, two zkfc daemons as processes, built binaries), and the attacker's tools:
// header-trickling HTTP sockets, raw TCP sockets, a ZooKeeper client of its own (no credentials),
// and measurements of a daemon from outside (resident memory from /proc, log growth).
// Not a test file itself.

import { readFileSync, statSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { request } from 'node:http';
import type { MiniCluster, MiniClusterOptions } from '../../tools/testing/mini-cluster.js';
import { startE2eCluster, stopE2eCluster } from '../support/e2e-zkfc.js';

/** A started nameservice whose NameNode `active` is active and whose daemons both serve /status. */
export interface AbuseCluster {
  readonly cluster: MiniCluster;
  readonly active: string;
  readonly standby: string;
}

/** Start ZooKeeper, both NameNodes and both daemons; resolves once one NameNode is active. */
export async function startAbuseCluster(options: MiniClusterOptions = {}): Promise<AbuseCluster> {
  const cluster = await startE2eCluster(options);
  try {
    for (const id of cluster.nodes.keys()) await cluster.startNamenode(id);
    for (const id of cluster.nodes.keys()) await cluster.startZkfc(id);
    const active = await cluster.waitForActive(30_000);
    const standby = [...cluster.nodes.keys()].find((id) => id !== active)!;
    return { cluster, active, standby };
  } catch (error) {
    await stopE2eCluster(cluster);
    throw error;
  }
}

export { stopE2eCluster as stopAbuseCluster };

/** Resident memory of a process in MiB (VmRSS), from /proc. */
export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (match === null) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) / 1024;
}

/** Size of a file in bytes (0 when missing). */
export function fileBytes(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

export interface PlainReply {
  readonly status: number;
  readonly body: string;
}

/** One GET on a fresh connection (a load balancer's probe, a Prometheus scrape), with a deadline. */
export function plainGet(port: number, path: string, timeoutMs = 5_000): Promise<PlainReply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** Attack sockets that are reopened whenever the daemon closes one, until stop(). */
export interface SocketFlood {
  /** Resolves once `count` sockets have connected. */
  readonly started: Promise<void>;
  /** Connections made so far (reopened ones included). */
  opened(): number;
  /** Sockets open right now. */
  open(): number;
  stop(): void;
}

export interface SocketFloodOptions {
  /** Source address (any 127.x.y.z works on Linux loopback); default 127.0.0.1. */
  readonly from?: string;
  /** Reopen a socket the daemon closed, after this many ms; default 50; undefined = never. */
  readonly reopenAfterMs?: number | null;
  /** Call `every(socket)` this often; 0 = never. */
  readonly everyMs?: number;
  readonly every?: (socket: Socket) => void;
}

/**
 * `count` TCP connections to `port` that each write `first` once connected and then call
 * `every(socket)` every `everyMs`; a closed one is reopened (unless reopenAfterMs is null).
 */
export function socketFlood(
  port: number,
  count: number,
  first: string | Buffer,
  options: SocketFloodOptions = {},
): SocketFlood {
  const { from = '127.0.0.1', everyMs = 0, every } = options;
  const reopenAfterMs = options.reopenAfterMs === undefined ? 50 : options.reopenAfterMs;
  let stopped = false;
  let opened = 0;
  const sockets = new Set<Socket>();
  const openOne = (): Promise<void> =>
    new Promise((resolve) => {
      if (stopped) return resolve();
      const socket = connect({ host: '127.0.0.1', port, localAddress: from });
      sockets.add(socket);
      opened++;
      let timer: NodeJS.Timeout | undefined;
      socket.on('error', () => undefined);
      socket.on('data', () => undefined);
      socket.once('connect', () => {
        socket.write(first);
        if (everyMs > 0 && every !== undefined) timer = setInterval(() => every(socket), everyMs);
        resolve();
      });
      socket.once('close', () => {
        clearInterval(timer);
        sockets.delete(socket);
        resolve();
        if (!stopped && reopenAfterMs !== null) setTimeout(() => void openOne(), reopenAfterMs);
      });
    });
  const started = (async () => {
    for (let i = 0; i < count; i++) await openOne();
  })();
  return {
    started,
    opened: () => opened,
    open: () => sockets.size,
    stop() {
      stopped = true;
      for (const socket of sockets) socket.destroy();
    },
  };
}

/** Every C0 control but \n, \r and \t, DEL and the C1 controls: what must never reach a terminal raw. */
// eslint-disable-next-line no-control-regex
export const RAW_ESCAPES = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u0080-\u009f]/;
