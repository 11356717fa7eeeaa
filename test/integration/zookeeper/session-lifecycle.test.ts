// Goal: the adapter's terminal paths and deadlines against a REAL ZooKeeper, closing the gaps of
// node-zookeeper-client measured in docs/hadoop-compat.md §12:
// (c) the ensemble stops past the session timeout and comes back: `disconnected`, then `expired`;
//     the operation in flight and the ones queued while disconnected all resolve (the library
//     alone never calls the queued ones back), the dead session stays dead, and a fresh session
//     from the same factory (higher epoch) works;
// (d) the initial connect is bounded: nothing listening, or servers that accept TCP but never
//     answer, give `connectTimedOut` after the session timeout, and the process is left with no
//     timer or socket (a child Node process running the adapter exits by itself);
// (e) an operation on a hung server resolves OPERATIONTIMEOUT at its deadline, exactly once, and
//     a watch it asked for is never delivered.
// Method: one standalone server (tick 250 ms). For (c) the server is SIGSTOPped; while the
// client is held off with an iptables DROP (restarting or resuming ZooKeeper alone does not
// expire sessions: it re-arms them), the server is resumed and expires the session, which its
// own log confirms ("Expiring session 0x..."); then the client is let through.

import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ZkOpResult, ZkSessionOptions, ZkWatchEvent } from '../../../src/runtime/ports.js';
import { OPEN_ACL_UNSAFE } from '../../../src/zookeeper/acl.js';
import { NodeZkSessionFactory, type NodeZkSession } from '../../../src/zookeeper/node-zk-session.js';
import { blockLoopbackPort, type PortBlock } from '../../support/iptables.js';
import { pickFreePorts } from '../../../tools/testing/net.js';
import { startZooKeeper, type ZooKeeperEnsemble } from '../../../tools/testing/zk-server.js';
import { bytes, EventRecorder, ok, transpileForChildProcess } from './helpers.js';
import { realClock } from '../../../tools/testing/clock.js';
import { sleep, waitUntil } from '../../../tools/testing/wait.js';

const SLACK_MS = 1500;

let zk: ZooKeeperEnsemble;
const factory = new NodeZkSessionFactory({ clock: realClock, spinDelayMs: 50 });
const sessions: NodeZkSession[] = [];
let block: PortBlock | undefined;

beforeAll(async () => {
  zk = await startZooKeeper({ tickMs: 250, minSessionMs: 500, maxSessionMs: 5000 });
});

afterEach(async () => {
  await block?.remove();
  block = undefined;
  if (zk.member(1).state === 'paused') zk.resume(1);
  await Promise.all(sessions.splice(0).map((session) => session.close()));
});

afterAll(async () => {
  await block?.remove();
  await zk?.stopAll();
});

function open(overrides: Partial<ZkSessionOptions>): { session: NodeZkSession; recorder: EventRecorder } {
  const recorder = new EventRecorder();
  const session = factory.open(
    { connectString: zk.connectString, sessionTimeoutMs: 2000, authInfo: [], operationTimeoutMs: 30_000, ...overrides },
    recorder.listener,
  );
  sessions.push(session);
  return { session, recorder };
}

/** Resolves to the result, or to 'pending' if the promise has not settled within `ms`. */
function within<T>(promise: Promise<T>, ms: number): Promise<T | 'pending'> {
  return Promise.race([promise, new Promise<'pending'>((resolve) => setTimeout(() => resolve('pending'), ms))]);
}

describe('session lifecycle against a real ZooKeeper', () => {
  it(
    '(c) ensemble gone past the session timeout: disconnected, ' + 'expired, every op resolved, fresh session works',
    async () => {
      const sessionTimeoutMs = 2000;
      const { session, recorder } = open({ sessionTimeoutMs });
      await recorder.waitFor('connected', 15_000);
      const sessionId = session.sessionId()!;
      const path = `/expiry-${Date.now()}`;
      ok(await session.create(path, bytes('x'), OPEN_ACL_UNSAFE, 'EPHEMERAL'));

      zk.pause(1);
      const pausedAt = performance.now();
      const inFlight = session.getData(path); // written to the socket; the hung server never answers
      const disconnected = await recorder.waitFor('disconnected', sessionTimeoutMs + 10_000);
      expect(disconnected.atMs - pausedAt).toBeLessThan((sessionTimeoutMs * 2) / 3 + SLACK_MS);
      expect(await within(inFlight, 200)).toMatchObject({ code: 'CONNECTIONLOSS' });

      // Queued while disconnected: node-zookeeper-client would never call these back on expiry.
      const queued: Array<Promise<ZkOpResult<unknown>>> = [
        session.exists(path),
        session.create(`${path}-2`, bytes(''), OPEN_ACL_UNSAFE, 'PERSISTENT'),
        session.setData(path, bytes('y'), -1),
      ];
      await sleep(sessionTimeoutMs + 500);

      // Bring the server back while the client cannot reach it, and let the server expire us.
      block = await blockLoopbackPort(zk.member(1).clientPort);
      zk.resume(1);
      const expiring = `Expiring session 0x${sessionId.toString(16)}`;
      await waitUntil(
        () => readFileSync(zk.member(1).logFile, 'utf8').includes(expiring) || undefined,
        3 * sessionTimeoutMs + 10_000,
        `server log "${expiring}"`,
      );
      await block.remove();
      block = undefined;

      const expired = await recorder.waitFor('expired', 15_000);
      expect(recorder.states()).toEqual(['connected', 'disconnected', 'expired']);
      for (const result of await Promise.all(queued.map((operation) => within(operation, 100)))) {
        expect(result).toMatchObject({ code: 'SESSIONEXPIRED' });
      }
      console.info(
        `[measured] expiry: disconnected ${Math.round(disconnected.atMs - pausedAt)} ms after SIGSTOP; ` +
          `expired ${Math.round(expired.atMs - pausedAt)} ms after SIGSTOP (held off by iptables meanwhile)`,
      );

      // Dead for good: immediate SESSIONEXPIRED, no more events, no reconnect.
      expect(await within(session.exists('/'), 100)).toMatchObject({ code: 'SESSIONEXPIRED' });
      const fresh = open({ sessionTimeoutMs });
      await fresh.recorder.waitFor('connected', 15_000);
      expect(fresh.session.epoch).toBeGreaterThan(session.epoch);
      expect(fresh.session.sessionId()).not.toBe(sessionId);
      expect(await fresh.session.exists(path)).toMatchObject({ code: 'NONODE' });
      ok(await fresh.session.create(path, bytes('mine now'), OPEN_ACL_UNSAFE, 'EPHEMERAL'));
      expect(ok(await fresh.session.exists(path)).ephemeralOwner).toBe(fresh.session.sessionId());
      expect(recorder.states()).toEqual(['connected', 'disconnected', 'expired']);
      await expect(zk.fourLetterWord(1, 'cons')).resolves.not.toContain(`sid=0x${sessionId.toString(16)}`);
    },
  );

  it('(e) an operation on a hung server resolves OPERATIONTIMEOUT at its deadline; its watch never fires', async () => {
    // A long session so the read timeout (2/3 × 5000 ms) does not end the connection first.
    const { session, recorder } = open({ sessionTimeoutMs: 5000, operationTimeoutMs: 700 });
    await recorder.waitFor('connected', 15_000);
    const path = `/deadline-${Date.now()}`;
    ok(await session.create(path, bytes('a'), OPEN_ACL_UNSAFE, 'PERSISTENT'));

    const watched: ZkWatchEvent[] = [];
    zk.pause(1);
    const started = performance.now();
    const result = await session.getData(path, (event) => watched.push(event));
    const elapsedMs = performance.now() - started;
    zk.resume(1);
    expect(result.code).toBe('OPERATIONTIMEOUT');
    expect(elapsedMs).toBeGreaterThanOrEqual(690);
    expect(elapsedMs).toBeLessThan(700 + SLACK_MS);
    console.info(`[measured] operation deadline 700 ms: OPERATIONTIMEOUT after ${Math.round(elapsedMs)} ms`);

    // The server answers the late getData after resume (and arms its watch); we must not deliver it.
    const other = open({});
    await other.recorder.waitFor('connected', 15_000);
    ok(await session.exists('/')); // our connection works again, the late reply has been consumed
    ok(await other.session.setData(path, bytes('b'), -1));
    ok(await session.getData(path)); // a round trip after the change
    await sleep(200);
    expect(watched).toEqual([]);
    expect(recorder.states()).toEqual(['connected']); // the connection itself survived
  });
});

describe('initial connect is bounded', () => {
  /** Run the adapter in a child Node process; returns its JSON lines and when it exited. */
  async function runChild(
    connectString: string,
    sessionTimeoutMs: number,
  ): Promise<{ lines: Array<Record<string, unknown>>; exitMs: number | undefined }> {
    const dir = await transpileForChildProcess('src/zookeeper/node-zk-session.ts', 'src/runtime/system-clock.ts');
    try {
      const script = `
        import { NodeZkSessionFactory } from './src/zookeeper/node-zk-session.js';
        import { SystemClock } from './src/runtime/system-clock.js';
        const start = performance.now();
        const out = (o) =>
          process.stdout.write(JSON.stringify({ ...o, atMs: Math.round(performance.now() - start) }) + '\\n');
        const factory = new NodeZkSessionFactory({ clock: new SystemClock(), spinDelayMs: 50 });
        const session = factory.open({ connectString: ${JSON.stringify(connectString)},
          sessionTimeoutMs: ${sessionTimeoutMs},
          authInfo: [], operationTimeoutMs: 60000 }, (event) => out({ event: event.state, epoch: event.epoch }));
        session.exists('/').then((r) => out({ op: r.code }));
        process.on('exit', () => out({ exit: true }));`;
      const { writeFileSync } = await import('node:fs');
      writeFileSync(join(dir, 'child.mjs'), script);
      const child = spawn(process.execPath, [join(dir, 'child.mjs')], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), sessionTimeoutMs + 10_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve(true);
        });
      });
      if (!exited) child.kill('SIGKILL');
      const lines = stdout
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      if (lines.length === 0) throw new Error(`child printed nothing; stderr:\n${stderr}`);
      const exitLine = lines.find((line) => line['exit'] === true);
      return { lines, exitMs: exited && exitLine !== undefined ? (exitLine['atMs'] as number) : undefined };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it(
    '(d) nothing listening: connectTimedOut after the ' + 'session timeout, op resolved, process exits by itself',
    async () => {
      const [port] = await pickFreePorts(1);
      const { lines, exitMs } = await runChild(`127.0.0.1:${port}`, 1500);
      const timedOut = lines.find((line) => line['event'] === 'connectTimedOut');
      expect(lines.filter((line) => line['event'] !== undefined).map((line) => line['event'])).toEqual([
        'connectTimedOut',
      ]);
      expect(timedOut?.['epoch']).toBe(1);
      expect(timedOut?.['atMs']).toBeGreaterThanOrEqual(1450);
      expect(timedOut?.['atMs']).toBeLessThan(1500 + SLACK_MS);
      expect(lines.find((line) => line['op'] !== undefined)).toMatchObject({ op: 'CONNECTIONLOSS' });
      // Nothing left holding the event loop (the op's 60 s deadline timer included).
      expect(exitMs).toBeDefined();
      expect(exitMs! - (timedOut!['atMs'] as number)).toBeLessThan(500);
      console.info(
        `[measured] connect bound 1500 ms, nothing listening: connectTimedOut ` +
          `at ${String(timedOut?.['atMs'])} ms, process exit at ${exitMs} ms`,
      );
    },
  );

  it('(d) servers that accept TCP but never answer: connectTimedOut, each server tried', async () => {
    const held: Socket[] = [];
    const accepted = new Map<number, number>();
    const servers: Server[] = [];
    for (let i = 0; i < 2; i++) {
      const server = createServer((socket) => {
        held.push(socket);
        const port = (server.address() as { port: number }).port;
        accepted.set(port, (accepted.get(port) ?? 0) + 1);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
      servers.push(server);
    }
    try {
      const connectString = servers
        .map((server) => `127.0.0.1:${(server.address() as { port: number }).port}`)
        .join(',');
      const { lines, exitMs } = await runChild(connectString, 2000);
      const timedOut = lines.find((line) => line['event'] === 'connectTimedOut');
      expect(timedOut?.['atMs']).toBeGreaterThanOrEqual(1950);
      expect(timedOut?.['atMs']).toBeLessThan(2000 + SLACK_MS);
      expect(lines.filter((line) => line['event'] !== undefined)).toHaveLength(1);
      expect(exitMs).toBeDefined();
      // The handshake timeout (session timeout / servers) moved the client on: both were tried.
      expect(accepted.size).toBe(2);
    } finally {
      for (const socket of held) socket.destroy();
      await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    }
  });
});
