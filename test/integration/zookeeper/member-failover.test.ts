// Goal: the adapter notices a dead connection the way Java's ZooKeeper client does, which
// node-zookeeper-client alone never does (docs/hadoop-compat.md §12 item 1): when the ensemble
// member it is connected to hangs (SIGSTOP) or is cut off (iptables DROP both ways), the client
// declares the connection dead after 2/3 of the negotiated session timeout of silence, moves to
// another member, and keeps its session: same session id, ephemeral znode kept, auth info re-sent
// (a digest-protected read works after the move), operations queued meanwhile complete.
// Method: a real 3-member ensemble (tick 250 ms) and a 4 s session; we find the member serving
// our session from its own `cons` output, break it, and time the `disconnected` event against the
// moment of the fault (with a read just before it, so the silence starts at the fault).

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ZkSessionOptions } from '../../../src/runtime/ports.js';
import { digestAclId, ZK_PERMS } from '../../../src/zookeeper/acl.js';
import { NodeZkSessionFactory, type NodeZkSession } from '../../../src/zookeeper/node-zk-session.js';
import { blockLoopbackPort, type PortBlock } from '../../support/iptables.js';
import { startZooKeeper, type ZooKeeperEnsemble } from '../../../tools/testing/zk-server.js';
import { bytes, EventRecorder, ok, text } from './helpers.js';
import { realClock } from '../../../tools/testing/clock.js';

const SESSION_TIMEOUT_MS = 4000;
const READ_TIMEOUT_MS = Math.floor((SESSION_TIMEOUT_MS * 2) / 3);
/** Scheduling slack on a loaded 2-core machine (other test files run alongside). */
const SLACK_MS = 1500;

let zk: ZooKeeperEnsemble;
const factory = new NodeZkSessionFactory({ clock: realClock, spinDelayMs: 50 });
const sessions: NodeZkSession[] = [];
let block: PortBlock | undefined;
const auth = [{ scheme: 'digest', auth: bytes('hdfs-zkfcs:secret') }];
const protectedAcl = [{ scheme: 'digest', id: digestAclId('hdfs-zkfcs', 'secret'), perms: ZK_PERMS.ALL }];

beforeAll(async () => {
  zk = await startZooKeeper({ nodes: 3, tickMs: 250, minSessionMs: 500, maxSessionMs: 5000, syncLimitTicks: 4 });
});

afterEach(async () => {
  await block?.remove();
  block = undefined;
  for (const member of zk.members) if (member.state === 'paused') zk.resume(member.id);
  await Promise.all(sessions.splice(0).map((session) => session.close()));
  await Promise.all(zk.members.map((member) => zk.waitServing(member.id, 30_000)));
});

afterAll(async () => {
  await block?.remove();
  await zk?.stopAll();
});

async function openSession(): Promise<{ session: NodeZkSession; recorder: EventRecorder }> {
  const recorder = new EventRecorder();
  const options: ZkSessionOptions = {
    connectString: zk.connectString,
    sessionTimeoutMs: SESSION_TIMEOUT_MS,
    authInfo: auth,
    operationTimeoutMs: 30_000,
  };
  const session = factory.open(options, recorder.listener);
  sessions.push(session);
  await recorder.waitFor('connected', 15_000);
  expect(session.negotiatedTimeoutMs()).toBe(SESSION_TIMEOUT_MS);
  return { session, recorder };
}

/** The member whose `cons` lists our session: independent of the adapter's own bookkeeping. */
async function memberServing(session: NodeZkSession, unreachable?: number): Promise<number> {
  const sid = `sid=0x${session.sessionId()!.toString(16)}`;
  for (const member of zk.members) {
    if (member.id === unreachable) continue;
    if ((await zk.fourLetterWord(member.id, 'cons')).includes(sid)) {
      expect(session.currentServer()).toBe(member.address);
      return member.id;
    }
  }
  throw new Error(`no member lists ${sid}`);
}

/** A session served by the leader (sessions land on a random member; retry until one does). */
async function openSessionOnLeader(): Promise<{ session: NodeZkSession; recorder: EventRecorder }> {
  const leader = await zk.leader();
  for (let attempt = 0; attempt < 30; attempt++) {
    const opened = await openSession();
    if ((await memberServing(opened.session)) === leader) return opened;
    await opened.session.close();
  }
  throw new Error('no session landed on the leader in 30 attempts');
}

async function scenario(name: string, breakMember: (id: number) => Promise<void>, onLeader = false): Promise<void> {
  const { session, recorder } = onLeader ? await openSessionOnLeader() : await openSession();
  const sessionId = session.sessionId();
  const path = `/failover-${name}-${Date.now()}`;
  ok(await session.create(path, bytes('held'), protectedAcl, 'EPHEMERAL'));
  const victim = await memberServing(session);

  ok(await session.exists('/')); // fresh inbound traffic: the silence starts at the fault
  const faultAt = performance.now();
  await breakMember(victim);
  const queued = session.getData(path); // sent into the dead connection, or queued

  const disconnected = await recorder.waitFor('disconnected', READ_TIMEOUT_MS + 10_000);
  const detectionMs = disconnected.atMs - faultAt;
  const reconnected = await recorder.waitFor('connected', 20_000, 2);
  const moveMs = reconnected.atMs - disconnected.atMs;
  console.info(
    `[measured] ${name}: disconnected ${Math.round(detectionMs)} ms after the fault ` +
      `(read timeout ${READ_TIMEOUT_MS} ms), reconnected ${Math.round(moveMs)} ms later`,
  );

  expect(detectionMs).toBeGreaterThanOrEqual(READ_TIMEOUT_MS - 50);
  expect(detectionMs).toBeLessThan(READ_TIMEOUT_MS + SLACK_MS);
  expect(session.sessionId()).toBe(sessionId);
  expect(session.currentServer()).not.toBe(zk.member(victim).address);
  expect(await memberServing(session, victim)).not.toBe(victim);

  // In flight at the fault: CONNECTIONLOSS when the connection was dropped (Java's behaviour),
  // or OK if it was still queued and went out on the new connection. Never hung.
  const queuedResult = await queued;
  expect(['OK', 'CONNECTIONLOSS']).toContain(queuedResult.code);
  // The digest auth was re-sent on the new connection: the protected read works.
  const read = ok(await session.getData(path));
  expect(text(read.data)).toBe('held');
  expect(read.stat.ephemeralOwner).toBe(sessionId);
  expect(recorder.count('expired')).toBe(0);
  expect(recorder.states()).toEqual(['connected', 'disconnected', 'connected']);
}

describe('read timeout: leaving a dead ensemble member', () => {
  it(
    '(a) SIGSTOP of the member serving the session: ' + 'detected at 2/3 session timeout, same session elsewhere',
    async () => {
      await scenario('sigstop', async (id) => zk.pause(id));
    },
  );

  it('(a) SIGSTOP of the LEADER serving the session: same, once the survivors elected a new leader', async () => {
    await scenario('sigstop-leader', async (id) => zk.pause(id), true);
  });

  it(
    '(b) iptables DROP of the member serving the session: ' + 'detected at 2/3 session timeout, same session elsewhere',
    async () => {
      await scenario('iptables', async (id) => {
        block = await blockLoopbackPort(zk.member(id).clientPort);
      });
    },
  );
});
