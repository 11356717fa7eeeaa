// Goal: the -formatZK helpers behave like Hadoop's ActiveStandbyElector against a REAL ZooKeeper:
// ensureParentZNode creates every component with the configured ACL and resets differing ACLs
// on components that already exist; clearParentZNode deletes the whole working dir (children,
// grandchildren, a held ephemeral lock); failures are ZkOperationError naming znode and code;
// retryable failures are retried exactly retryCountMax times in all.
// Method: a standalone server from the harness, sessions through the real adapter, and checks
// through getAcl/exists from an independent session.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ZkAcl, ZkSessionOptions } from '../../../src/runtime/ports.js';
import { CREATOR_ALL_ACL, digestAclId, OPEN_ACL_UNSAFE, ZK_PERMS } from '../../../src/zookeeper/acl.js';
import { NodeZkSessionFactory, type NodeZkSession } from '../../../src/zookeeper/node-zk-session.js';
import { clearParentZNode, ensureParentZNode, parentZNodeExists } from '../../../src/zookeeper/parent-znode.js';
import { electorPaths } from '../../../src/zookeeper/paths.js';
import { ZkOperationError } from '../../../src/zookeeper/zk-errors.js';
import { startZooKeeper, type ZooKeeperEnsemble } from '../../../tools/testing/zk-server.js';
import { bytes, EventRecorder, ok } from './helpers.js';
import { realClock } from '../../../tools/testing/clock.js';

let zk: ZooKeeperEnsemble;
const factory = new NodeZkSessionFactory({ clock: realClock, spinDelayMs: 50 });
const sessions: NodeZkSession[] = [];
const zkfcAuth = [{ scheme: 'digest', auth: bytes('hdfs-zkfcs:secret') }];
const zkfcAcl: ZkAcl[] = [{ scheme: 'digest', id: digestAclId('hdfs-zkfcs', 'secret'), perms: ZK_PERMS.ALL }];

beforeAll(async () => {
  zk = await startZooKeeper({ tickMs: 250, minSessionMs: 500, maxSessionMs: 5000 });
});

afterEach(async () => {
  if (zk.member(1).state === 'paused') zk.resume(1);
  await Promise.all(sessions.splice(0).map((session) => session.close()));
});

afterAll(async () => {
  await zk?.stopAll();
});

async function session(overrides: Partial<ZkSessionOptions> = {}): Promise<NodeZkSession> {
  const recorder = new EventRecorder();
  const opened = factory.open(
    { connectString: zk.connectString, sessionTimeoutMs: 4000, authInfo: [], operationTimeoutMs: 10_000, ...overrides },
    recorder.listener,
  );
  sessions.push(opened);
  await recorder.waitFor('connected', 15_000);
  return opened;
}

describe('parent znode helpers (-formatZK)', () => {
  it('creates every component with the ACL, idempotently', async () => {
    const zkfc = await session({ authInfo: zkfcAuth });
    const { workingDir } = electorPaths(`/format-${Date.now()}/hadoop-ha`, 'ns1');
    expect(await parentZNodeExists(zkfc, workingDir)).toBe(false);
    await ensureParentZNode(zkfc, workingDir, zkfcAcl);
    expect(await parentZNodeExists(zkfc, workingDir)).toBe(true);
    const parts = workingDir.split('/').slice(1);
    for (let depth = 1; depth <= parts.length; depth++) {
      const path = '/' + parts.slice(0, depth).join('/');
      expect(ok(await zkfc.getAcl(path)).acl).toEqual(zkfcAcl);
    }
    await ensureParentZNode(zkfc, workingDir, zkfcAcl); // again: no error, nothing changes
    expect(ok(await zkfc.getAcl(workingDir)).stat.aversion).toBe(0);
  });

  it('resets the ACL of components that already exist with a different one', async () => {
    const zkfc = await session({ authInfo: zkfcAuth });
    const root = `/preexisting-${Date.now()}`;
    ok(await zkfc.create(root, bytes(''), OPEN_ACL_UNSAFE, 'PERSISTENT'));
    await ensureParentZNode(zkfc, `${root}/ns1`, zkfcAcl);
    const read = ok(await zkfc.getAcl(root));
    expect(read.acl).toEqual(zkfcAcl);
    expect(read.stat.aversion).toBe(1);
    const anonymous = await session();
    expect(await anonymous.getData(root)).toMatchObject({ code: 'NOAUTH' });
  });

  it('CREATOR_ALL_ACL (empty ha.zookeeper.acl) gives the creating identity all rights', async () => {
    const zkfc = await session({ authInfo: zkfcAuth });
    const workingDir = `/creator-${Date.now()}/ns1`;
    await ensureParentZNode(zkfc, workingDir, CREATOR_ALL_ACL);
    expect(ok(await zkfc.getAcl(workingDir)).acl).toEqual(zkfcAcl); // the server expands 'auth'
    const anonymous = await session();
    expect(await anonymous.getData(workingDir)).toMatchObject({ code: 'NOAUTH' });
  });

  it('fails with ZkOperationError naming the znode when it may not reset an ACL', async () => {
    const owner = await session({ authInfo: zkfcAuth });
    const root = `/foreign-${Date.now()}`;
    ok(
      await owner.create(
        root,
        bytes(''),
        [
          { ...zkfcAcl[0]!, perms: ZK_PERMS.ALL },
          { scheme: 'world', id: 'anyone', perms: ZK_PERMS.READ | ZK_PERMS.CREATE },
        ],
        'PERSISTENT',
      ),
    );
    const stranger = await session();
    const error = await ensureParentZNode(stranger, `${root}/ns1`, OPEN_ACL_UNSAFE).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ZkOperationError);
    expect(error).toMatchObject({ code: 'ZK_OPERATION_FAILED', zkCode: 'NOAUTH', path: root });
    expect((error as Error).message).toContain(`Couldn't set ACLs on parent ZNode ${root}`);
  });

  it('clears the working dir recursively, including a held ephemeral lock', async () => {
    const zkfc = await session({ authInfo: zkfcAuth });
    const paths = electorPaths(`/clear-${Date.now()}`, 'ns1');
    await ensureParentZNode(zkfc, paths.workingDir, zkfcAcl);
    ok(await zkfc.create(paths.breadcrumbPath, bytes('crumb'), zkfcAcl, 'PERSISTENT'));
    ok(await zkfc.create(`${paths.workingDir}/a`, bytes(''), zkfcAcl, 'PERSISTENT'));
    ok(await zkfc.create(`${paths.workingDir}/a/b`, bytes(''), zkfcAcl, 'PERSISTENT'));
    const holder = await session({ authInfo: zkfcAuth });
    ok(await holder.create(paths.lockPath, bytes('lock'), zkfcAcl, 'EPHEMERAL'));

    await clearParentZNode(zkfc, paths.workingDir);
    expect(await parentZNodeExists(zkfc, paths.workingDir)).toBe(false);
    expect(await holder.exists(paths.lockPath)).toMatchObject({ code: 'NONODE' });
    const parent = paths.workingDir.slice(0, paths.workingDir.lastIndexOf('/'));
    expect(ok(await zkfc.exists(parent)).numChildren).toBe(0); // only the working dir went
    await clearParentZNode(zkfc, paths.workingDir); // nothing there: fine
    await ensureParentZNode(zkfc, paths.workingDir, zkfcAcl); // -formatZK -force recreates
    expect(await parentZNodeExists(zkfc, paths.workingDir)).toBe(true);
  });

  it('retries OPERATIONTIMEOUT exactly retryCountMax times, then throws naming the code', async () => {
    const zkfc = await session({ operationTimeoutMs: 300, sessionTimeoutMs: 5000 });
    zk.pause(1);
    const started = performance.now();
    const error = await parentZNodeExists(zkfc, '/hadoop-ha/ns1', { retryCountMax: 3 }).catch(
      (caught: unknown) => caught,
    );
    const elapsedMs = performance.now() - started;
    zk.resume(1);
    expect(error).toMatchObject({ zkCode: 'OPERATIONTIMEOUT', path: '/hadoop-ha/ns1' });
    expect(elapsedMs).toBeGreaterThanOrEqual(3 * 300 - 10);
    expect(elapsedMs).toBeLessThan(4 * 300 + 1000);
  });

  it('refuses invalid working dirs before touching ZooKeeper', async () => {
    const zkfc = await session();
    await expect(ensureParentZNode(zkfc, 'hadoop-ha/ns1', zkfcAcl)).rejects.toThrow(/must start with \//);
    await expect(clearParentZNode(zkfc, '/')).rejects.toThrow(/root/);
    await expect(parentZNodeExists(zkfc, '/a//b')).rejects.toThrow(/empty node name/);
  });
});
