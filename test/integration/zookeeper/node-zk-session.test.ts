// Goal: NodeZkSession implements the ZkSession port faithfully against a REAL ZooKeeper 3.8:
// CRUD and its error codes (NODEEXISTS, NONODE, BADVERSION, NOTEMPTY, NOCHILDRENFOREPHEMERALS),
// ephemerals owned by our session id (bigint, equal to stat.ephemeralOwner), one-shot watches,
// digest ACLs with auth (NOAUTH without it), auth failure, session-timeout negotiation, epochs,
// and the never-throw contract (bad paths, closed sessions, close() before connecting).
// Method: one standalone server from the harness (tick 250 ms); several sessions per test; every
// assertion is about what the server did, observed through a second independent session where
// it matters.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ZkSessionOptions, ZkWatchEvent } from '../../../src/runtime/ports.js';
import { ConfigError } from '../../../src/errors.js';
import { CREATOR_ALL_ACL, digestAclId, OPEN_ACL_UNSAFE, ZK_PERMS } from '../../../src/zookeeper/acl.js';
import { NodeZkSessionFactory, type NodeZkSession } from '../../../src/zookeeper/node-zk-session.js';
import { startZooKeeper, type ZooKeeperEnsemble } from '../../../tools/testing/zk-server.js';
import { bytes, EventRecorder, ok, text } from './helpers.js';
import { realClock } from '../../../tools/testing/clock.js';
import { sleep, waitUntil } from '../../../tools/testing/wait.js';

let zk: ZooKeeperEnsemble;
const factory = new NodeZkSessionFactory({ clock: realClock, spinDelayMs: 50 });
const open: NodeZkSession[] = [];

function options(overrides: Partial<ZkSessionOptions> = {}): ZkSessionOptions {
  return {
    connectString: zk.connectString,
    sessionTimeoutMs: 3000,
    authInfo: [],
    operationTimeoutMs: 10_000,
    ...overrides,
  };
}

async function connected(
  overrides: Partial<ZkSessionOptions> = {},
): Promise<{ session: NodeZkSession; recorder: EventRecorder }> {
  const recorder = new EventRecorder();
  const session = factory.open(options(overrides), recorder.listener);
  open.push(session);
  await recorder.waitFor('connected', 15_000);
  return { session, recorder };
}

beforeAll(async () => {
  zk = await startZooKeeper({ tickMs: 250, minSessionMs: 500, maxSessionMs: 5000 });
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((session) => session.close()));
});

afterAll(async () => {
  await zk?.stopAll();
});

describe('NodeZkSession against a real ZooKeeper', () => {
  it('connects, reports a bigint session id and the negotiated (clamped) timeout, epochs increase', async () => {
    const a = await connected({ sessionTimeoutMs: 100 });
    const b = await connected({ sessionTimeoutMs: 60_000 });
    expect(a.recorder.events[0]).toMatchObject({ epoch: a.session.epoch, state: 'connected' });
    expect(b.session.epoch).toBeGreaterThan(a.session.epoch);
    expect(typeof a.session.sessionId()).toBe('bigint');
    expect(a.session.sessionId()).not.toBe(0n);
    expect(a.session.sessionId()).not.toBe(b.session.sessionId());
    expect(a.session.negotiatedTimeoutMs()).toBe(500); // minSessionTimeout
    expect(b.session.negotiatedTimeoutMs()).toBe(5000); // maxSessionTimeout
    // The server knows our session id: `cons` lists sid=0x<our id>.
    const cons = await zk.fourLetterWord(1, 'cons');
    expect(cons).toContain(`sid=0x${a.session.sessionId()!.toString(16)}`);
  });

  it('CRUD with ZooKeeper result codes', async () => {
    const { session } = await connected();
    const root = `/crud-${Date.now()}`;
    expect(ok(await session.create(root, bytes('v0'), OPEN_ACL_UNSAFE, 'PERSISTENT'))).toBe(root);
    expect(await session.create(root, bytes('again'), OPEN_ACL_UNSAFE, 'PERSISTENT')).toMatchObject({
      code: 'NODEEXISTS',
    });

    const read = ok(await session.getData(root));
    expect(text(read.data)).toBe('v0');
    expect(read.stat.version).toBe(0);
    expect(read.stat.ephemeralOwner).toBe(0n);
    expect(read.stat.dataLength).toBe(2);
    expect(typeof read.stat.czxid).toBe('bigint');

    const written = ok(await session.setData(root, bytes('v1'), 0));
    expect(written.version).toBe(1);
    expect(written.mzxid).toBeGreaterThan(read.stat.mzxid);
    expect(await session.setData(root, bytes('stale'), 0)).toMatchObject({ code: 'BADVERSION' });
    expect(text(ok(await session.getData(root)).data)).toBe('v1');

    ok(await session.create(`${root}/child`, new Uint8Array(0), OPEN_ACL_UNSAFE, 'PERSISTENT'));
    expect(ok(await session.getChildren(root))).toEqual(['child']);
    expect(ok(await session.exists(root)).numChildren).toBe(1);
    expect(await session.delete(root, -1)).toMatchObject({ code: 'NOTEMPTY' });
    expect(await session.delete(`${root}/child`, 5)).toMatchObject({ code: 'BADVERSION' });
    ok(await session.delete(`${root}/child`, 0));
    ok(await session.delete(root, -1));

    expect(await session.getData(root)).toMatchObject({ code: 'NONODE' });
    expect(await session.exists(root)).toMatchObject({ code: 'NONODE' });
    expect(await session.setData(root, bytes('x'), -1)).toMatchObject({ code: 'NONODE' });
    expect(await session.delete(root, -1)).toMatchObject({ code: 'NONODE' });
    expect(await session.create(`${root}/a/b`, bytes(''), OPEN_ACL_UNSAFE, 'PERSISTENT')).toMatchObject({
      code: 'NONODE',
    });
  });

  it('ephemeral znodes belong to our session and vanish when it closes', async () => {
    const owner = await connected();
    const observer = await connected();
    const path = `/eph-${Date.now()}`;
    ok(await owner.session.create(path, bytes('mine'), OPEN_ACL_UNSAFE, 'EPHEMERAL'));
    const stat = ok(await observer.session.exists(path));
    expect(stat.ephemeralOwner).toBe(owner.session.sessionId());
    expect(stat.ephemeralOwner).not.toBe(observer.session.sessionId());
    expect(await owner.session.create(`${path}/child`, bytes(''), OPEN_ACL_UNSAFE, 'PERSISTENT')).toMatchObject({
      code: 'NOCHILDRENFOREPHEMERALS',
    });

    const deleted: ZkWatchEvent[] = [];
    ok(await observer.session.exists(path, (event) => deleted.push(event)));
    await owner.session.close();
    await waitUntil(() => deleted.length > 0 || undefined, 5000, 'NodeDeleted watch after the owner closed');
    expect(deleted).toEqual([{ type: 'NodeDeleted', path }]);
    expect(await observer.session.exists(path)).toMatchObject({ code: 'NONODE' });
  });

  it('watches fire once: NodeCreated, NodeDataChanged, NodeChildrenChanged-free getData', async () => {
    const { session } = await connected();
    const other = await connected();
    const path = `/watch-${Date.now()}`;
    const events: ZkWatchEvent[] = [];
    expect(await session.exists(path, (event) => events.push(event))).toMatchObject({ code: 'NONODE' });
    ok(await other.session.create(path, bytes('a'), OPEN_ACL_UNSAFE, 'PERSISTENT'));
    await waitUntil(() => events.length === 1 || undefined, 5000, 'NodeCreated');
    expect(events[0]).toEqual({ type: 'NodeCreated', path });

    ok(await session.getData(path, (event) => events.push(event)));
    ok(await other.session.setData(path, bytes('b'), -1));
    ok(await other.session.setData(path, bytes('c'), -1)); // the one-shot watch must not fire again
    await waitUntil(() => events.length === 2 || undefined, 5000, 'NodeDataChanged');
    ok(await session.getData(path)); // a round trip after the second setData
    expect(events).toEqual([
      { type: 'NodeCreated', path },
      { type: 'NodeDataChanged', path },
    ]);
    // A failed getData sets no watch.
    expect(await session.getData(`${path}-missing`, (event) => events.push(event))).toMatchObject({ code: 'NONODE' });
    ok(await other.session.create(`${path}-missing`, bytes(''), OPEN_ACL_UNSAFE, 'PERSISTENT'));
    ok(await session.getData(path));
    expect(events).toHaveLength(2);
  });

  it('one watch per path and function, as Java: registering it again adds none and it fires once', async () => {
    const { session } = await connected();
    const other = await connected();
    const path = `/watch-again-${Date.now()}`;
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => void warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const events: ZkWatchEvent[] = [];
      const watch = (event: ZkWatchEvent): void => void events.push(event);
      // A standby re-reading a znode nobody changes (the pause monitor every 30 s, for days).
      for (let i = 0; i < 25; i += 1) expect(await session.exists(path, watch)).toMatchObject({ code: 'NONODE' });
      ok(await other.session.create(path, bytes('a'), OPEN_ACL_UNSAFE, 'PERSISTENT'));
      await waitUntil(() => events.length > 0 || undefined, 5000, 'NodeCreated');
      for (let i = 0; i < 25; i += 1) ok(await session.getData(path, watch));
      for (let i = 0; i < 25; i += 1) ok(await session.exists(path, watch));
      ok(await other.session.setData(path, bytes('b'), -1));
      await waitUntil(() => events.length > 1 || undefined, 5000, 'NodeDataChanged');
      ok(await session.getData(path)); // a round trip after the change: any further delivery came before it
      expect(events).toEqual([
        { type: 'NodeCreated', path },
        { type: 'NodeDataChanged', path },
      ]);
      // A second function on the same path is a watch of its own.
      const second: ZkWatchEvent[] = [];
      ok(await session.exists(path, watch));
      ok(await session.exists(path, (event) => void second.push(event)));
      ok(await other.session.delete(path, -1));
      await waitUntil(() => (events.length > 2 && second.length > 0) || undefined, 5000, 'NodeDeleted');
      expect(second).toEqual([{ type: 'NodeDeleted', path }]);
      expect(events.slice(2)).toEqual([{ type: 'NodeDeleted', path }]);
      // The library warns past 10 listeners on one znode's emitter: none were added.
      expect(warnings.map((warning) => warning.name)).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('digest ACL: NOAUTH without credentials, OK with them, getAcl/setAcl round trip', async () => {
    const id = digestAclId('hdfs-zkfcs', 'secret');
    const acl = [{ scheme: 'digest', id, perms: ZK_PERMS.ALL }];
    const admin = await connected({ authInfo: [{ scheme: 'digest', auth: bytes('hdfs-zkfcs:secret') }] });
    const anonymous = await connected();
    const wrong = await connected({ authInfo: [{ scheme: 'digest', auth: bytes('hdfs-zkfcs:wrong') }] });
    const path = `/acl-${Date.now()}`;
    ok(await admin.session.create(path, bytes('protected'), acl, 'PERSISTENT'));

    expect(await anonymous.session.getData(path)).toMatchObject({ code: 'NOAUTH' });
    expect(await wrong.session.getData(path)).toMatchObject({ code: 'NOAUTH' });
    expect(await anonymous.session.setData(path, bytes('x'), -1)).toMatchObject({ code: 'NOAUTH' });
    expect(text(ok(await admin.session.getData(path)).data)).toBe('protected');

    // ZooKeeper >= 3.6 wants READ or ADMIN
    expect(await anonymous.session.getAcl(path)).toMatchObject({ code: 'NOAUTH' });
    const read = ok(await admin.session.getAcl(path));
    expect(read.acl).toEqual(acl);
    ok(
      await admin.session.setAcl(
        path,
        [...acl, { scheme: 'world', id: 'anyone', perms: ZK_PERMS.READ }],
        read.stat.aversion,
      ),
    );
    expect(text(ok(await anonymous.session.getData(path)).data)).toBe('protected');
    expect(await admin.session.setAcl(path, acl, read.stat.aversion)).toMatchObject({ code: 'BADVERSION' });

    // CREATOR_ALL_ACL needs an authenticated creator.
    expect(await anonymous.session.create(`${path}-creator`, bytes(''), CREATOR_ALL_ACL, 'PERSISTENT')).toMatchObject({
      code: 'INVALIDACL',
    });
    ok(await admin.session.create(`${path}-creator`, bytes(''), CREATOR_ALL_ACL, 'PERSISTENT'));
    expect(ok(await admin.session.getAcl(`${path}-creator`)).acl).toEqual(acl);
  });

  it('an unknown auth scheme ends the session with authFailed; operations then resolve AUTHFAILED', async () => {
    const recorder = new EventRecorder();
    const session = factory.open(
      options({ authInfo: [{ scheme: 'nosuchscheme', auth: bytes('x') }] }),
      recorder.listener,
    );
    open.push(session);
    await recorder.waitFor('authFailed', 10_000);
    expect(await session.exists('/')).toMatchObject({ code: 'AUTHFAILED' });
    await sleep(300);
    expect(recorder.states().filter((state) => state !== 'connected')).toEqual(['authFailed']);
  });

  it('never throws for bad operation input; refuses a bad connect string with ConfigError', async () => {
    const { session } = await connected();
    expect(await session.getData('no-leading-slash')).toMatchObject({ code: 'OTHER' });
    expect(await session.create('/trailing/', bytes(''), OPEN_ACL_UNSAFE, 'PERSISTENT')).toMatchObject({
      code: 'OTHER',
    });
    expect(await session.create('/big', new Uint8Array(2 * 1024 * 1024), OPEN_ACL_UNSAFE, 'PERSISTENT')).toMatchObject({
      code: 'OTHER',
    });
    expect(await session.create('/noacl', bytes(''), [], 'PERSISTENT')).toMatchObject({ code: 'OTHER' });
    expect(ok(await session.exists('/')).version).toBe(0); // still usable
    expect(() => factory.open(options({ connectString: 'host:notaport' }), () => undefined)).toThrow(ConfigError);
    expect(() => factory.open(options({ connectString: '' }), () => undefined)).toThrow(/ha.zookeeper.quorum/);
  });

  it('close(): ephemerals go at once, ops resolve CONNECTIONLOSS, idempotent, no events', async () => {
    const { session, recorder } = await connected();
    const observer = await connected();
    const path = `/close-${Date.now()}`;
    ok(await session.create(path, bytes(''), OPEN_ACL_UNSAFE, 'EPHEMERAL'));
    const started = performance.now();
    await Promise.all([session.close(), session.close()]);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(await observer.session.exists(path)).toMatchObject({ code: 'NONODE' });
    expect(await session.getData('/')).toMatchObject({ code: 'CONNECTIONLOSS' });
    await session.close();
    expect(recorder.states()).toEqual(['connected']);
  });

  it('close() before the first connect does not throw and leaves nothing running', async () => {
    const recorder = new EventRecorder();
    const session = factory.open(options(), recorder.listener);
    await session.close(); // synchronously after open: library bug 6 would throw here
    const dead = factory.open(options({ connectString: '127.0.0.1:1' }), recorder.listener);
    await sleep(100);
    await dead.close();
    expect(recorder.events).toEqual([]);
    expect(await session.exists('/')).toMatchObject({ code: 'CONNECTIONLOSS' });
  });
});
