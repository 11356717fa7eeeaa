// Loopback TCP helpers for the IPC tests: a raw server that records what a client writes and lets
// the test script the reply byte by byte, a raw client that sends arbitrary bytes and collects the
// reply until the peer closes, free-port and polling helpers. Real sockets only; nothing mocked.
import net from 'node:net';
import { FrameDecoder, type Frame } from '../../../src/ipc/codec/frame-decoder.js';
import { sleep, waitUntil } from '../../../tools/testing/wait.js';

export interface RawServer {
  readonly port: number;
  /** Sockets accepted so far, in order. */
  readonly sockets: net.Socket[];
  /** Everything received per socket, and the individual chunks as they arrived. */
  readonly received: Buffer[][];
  /** Resolves when `count` connections were accepted. */
  waitForConnection(count?: number): Promise<net.Socket>;
  /** Resolves once at least `bytes` bytes arrived on connection `index`. */
  waitForBytes(index: number, bytes: number): Promise<Buffer>;
  close(): Promise<void>;
}

/** A TCP server on 127.0.0.1 that accepts and records, answering nothing unless the test writes. */
export async function startRawServer(): Promise<RawServer> {
  const sockets: net.Socket[] = [];
  const received: Buffer[][] = [];
  const server = net.createServer((socket) => {
    const index = sockets.length;
    sockets.push(socket);
    received.push([]);
    socket.on('data', (chunk) => {
      received[index]!.push(chunk);
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const until = async (condition: () => boolean, what: string): Promise<void> => {
    await waitUntil(condition, 10_000, what, 5);
  };
  return {
    port,
    sockets,
    received,
    async waitForConnection(count = 1) {
      await until(() => sockets.length >= count, `${count} connection(s)`);
      return sockets[count - 1]!;
    },
    async waitForBytes(index, bytes) {
      await until(() => Buffer.concat(received[index] ?? []).length >= bytes, `${bytes} bytes on connection ${index}`);
      return Buffer.concat(received[index]!);
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface RawExchange {
  /** All bytes the server sent. */
  readonly data: Buffer;
  /** Whether the server closed the connection before the wait ended. */
  readonly closedByServer: boolean;
}

/**
 * Connect, send `bytes` (a list: each part written on its own, to cut a message anywhere), and
 * collect the reply until the server closes the connection or `waitMs` passes (then we close).
 */
export function rawExchange(
  port: number,
  bytes: Uint8Array | readonly Uint8Array[],
  waitMs = 3_000,
): Promise<RawExchange> {
  const parts = bytes instanceof Uint8Array ? [bytes] : bytes;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = net.connect({ host: '127.0.0.1', port });
    let done = false;
    const finish = (closedByServer: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ data: Buffer.concat(chunks), closedByServer });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    socket.on('connect', () => {
      for (const part of parts) socket.write(part);
    });
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
  });
}

/** Frames of a reply (the server side sends no preamble). */
export function framesOf(data: Uint8Array): Frame[] {
  return new FrameDecoder().frames(data);
}

/** The settled outcome of a promise, for asserting on rejections together. */
export async function settle<T>(
  promise: Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; error: unknown; atMs: number }> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error, atMs: performance.now() };
  }
}

export interface RawClient {
  send(bytes: Uint8Array): void;
  /** Resolves with the first `count` frames the server sent (waits for them). */
  frames(count: number, timeoutMs?: number): Promise<Frame[]>;
  /** Every byte received so far. */
  data(): Buffer;
  /** Resolves when the server closed the connection. */
  readonly closed: Promise<void>;
  isClosed(): boolean;
  close(): void;
}

/** A raw TCP client for speaking (or mis-speaking) Hadoop IPC to a server byte by byte. */
export async function openRawClient(port: number): Promise<RawClient> {
  const socket = net.connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const chunks: Buffer[] = [];
  let isClosed = false;
  socket.on('data', (chunk) => chunks.push(chunk));
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) =>
    socket.on('close', () => {
      isClosed = true;
      resolve();
    }),
  );
  const client: RawClient = {
    send: (bytes) => void socket.write(bytes),
    async frames(count, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        let frames: Frame[] = [];
        try {
          frames = new FrameDecoder().frames(Buffer.concat(chunks));
        } catch {
          // incomplete or bad framing: keep waiting, the caller asserts on what arrives
        }
        if (frames.length >= count) return frames.slice(0, count);
        if (Date.now() > deadline || isClosed) {
          throw new Error(
            `expected ${count} frame(s), got ${frames.length} ` +
              `(${Buffer.concat(chunks).length} bytes, closed=${isClosed})`,
          );
        }
        await sleep(5);
      }
    },
    data: () => Buffer.concat(chunks),
    closed,
    isClosed: () => isClosed,
    close: () => void socket.destroy(),
  };
  return client;
}
