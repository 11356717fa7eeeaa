// Goal: the simulated ZooKeeper enforces ACLs as ZooKeeper does, so a simulation in which the
// daemon created its znodes with the wrong ACL behaves differently from one where it used the
// configured ACL (an ACL the simulator ignored could never make a test fail).
// Method: a SimZkServer with two sessions on the simulated scheduler: one authenticated with the
// digest credentials of the configured ACL, one not; every operation checked for its permission.
import { describe, expect, it } from 'vitest';
import type { ZkAcl, ZkOpResult, ZkSessionOptions } from '../../src/runtime/ports.js';
import { digestAclId, parseZkAcl } from '../../src/zookeeper/acl.js';
import { newPrng, SimProcess, SimScheduler } from './sim-scheduler.js';
import { OPEN_ACL, PERMS, SimZkServer, SimZkSession } from './sim-zookeeper.js';

const PARENT = '/hadoop-ha/ns1';
const HDFS_ACL: readonly ZkAcl[] = parseZkAcl(`digest:${digestAclId('hdfs', 'pw')}:rwcda`);

function world(parentAcl: readonly ZkAcl[] = OPEN_ACL) {
  const scheduler = new SimScheduler();
  const zk = new SimZkServer(scheduler, newPrng(7), 2, ['/hadoop-ha', PARENT], parentAcl);
  const open = (host: number, auth: string | undefined): SimZkSession => {
    const options: ZkSessionOptions = {
      connectString: 'zk.sim:2181',
      sessionTimeoutMs: 10_000,
      operationTimeoutMs: 10_000,
      authInfo: auth === undefined ? [] : [{ scheme: 'digest', auth: new TextEncoder().encode(auth) }],
    };
    return new SimZkSession(1, host, zk, new SimProcess(scheduler, `client${host}`), options, () => undefined);
  };
  /** Run the simulation until `operation` settles. */
  const settle = async <T>(operation: Promise<ZkOpResult<T>>): Promise<ZkOpResult<T>> => {
    let result: ZkOpResult<T> | undefined;
    void operation.then((value) => (result = value));
    await scheduler.runUntilTrue(
      scheduler.now() + 30_000,
      () => undefined,
      () => result !== undefined,
    );
    if (result === undefined) throw new Error('operation did not settle');
    return result;
  };
  return { zk, open, settle };
}

const data = new TextEncoder().encode('x');

describe('simulated ZooKeeper ACLs', () => {
  it(
    'a znode created with a digest ACL can be read, ' + 'written and deleted only by a session with that digest',
    async () => {
      const { zk, open, settle } = world();
      const owner = open(0, 'hdfs:pw');
      const stranger = open(1, undefined);
      const wrongPassword = open(1, 'hdfs:guess');
      const lock = `${PARENT}/ActiveStandbyElectorLock`;
      expect((await settle(owner.create(lock, data, HDFS_ACL, 'PERSISTENT'))).code).toBe('OK');
      expect(zk.znode(lock)?.acl).toEqual(HDFS_ACL);
      for (const session of [stranger, wrongPassword]) {
        expect((await settle(session.getData(lock))).code).toBe('NOAUTH');
        expect((await settle(session.setData(lock, data, -1))).code).toBe('NOAUTH');
        expect((await settle(session.setAcl(lock, OPEN_ACL, -1))).code).toBe('NOAUTH');
        // exists needs no permission; getAcl needs READ or ADMIN (ZooKeeper 3.5+).
        expect((await settle(session.exists(lock))).code).toBe('OK');
        expect((await settle(session.getAcl(lock))).code).toBe('NOAUTH');
      }
      expect((await settle(owner.getData(lock))).code).toBe('OK');
      expect(await settle(owner.getAcl(lock))).toMatchObject({ code: 'OK', value: { acl: HDFS_ACL } });
      expect((await settle(owner.setData(lock, data, -1))).code).toBe('OK');
    },
  );

  it('create and delete are checked against the parent: CREATE and DELETE', async () => {
    const { open, settle } = world(HDFS_ACL);
    const owner = open(0, 'hdfs:pw');
    const stranger = open(1, undefined);
    const crumb = `${PARENT}/ActiveBreadCrumb`;
    expect((await settle(stranger.create(crumb, data, OPEN_ACL, 'PERSISTENT'))).code).toBe('NOAUTH');
    expect((await settle(owner.create(crumb, data, OPEN_ACL, 'PERSISTENT'))).code).toBe('OK');
    // The node itself is open, but deleting it needs DELETE on the parent.
    expect((await settle(stranger.delete(crumb, -1))).code).toBe('NOAUTH');
    expect((await settle(stranger.setData(crumb, data, -1))).code).toBe('OK');
    expect((await settle(owner.delete(crumb, -1))).code).toBe('OK');
  });

  it('an open (world-writable) znode can be squatted and deleted by anyone', async () => {
    const { open, settle } = world();
    const owner = open(0, 'hdfs:pw');
    const stranger = open(1, undefined);
    const lock = `${PARENT}/ActiveStandbyElectorLock`;
    expect((await settle(owner.create(lock, data, OPEN_ACL, 'EPHEMERAL'))).code).toBe('OK');
    expect((await settle(stranger.setData(lock, data, -1))).code).toBe('OK');
    expect((await settle(stranger.delete(lock, -1))).code).toBe('OK');
  });

  it("the auth scheme stands for the session's own identities, and is invalid without any", async () => {
    const { zk, open, settle } = world();
    const owner = open(0, 'hdfs:pw');
    const stranger = open(1, undefined);
    const creatorOnly: ZkAcl[] = [{ scheme: 'auth', id: '', perms: PERMS.ALL }];
    expect((await settle(owner.create(`${PARENT}/a`, data, creatorOnly, 'PERSISTENT'))).code).toBe('OK');
    expect(zk.znode(`${PARENT}/a`)?.acl).toEqual(HDFS_ACL);
    expect((await settle(stranger.create(`${PARENT}/b`, data, creatorOnly, 'PERSISTENT'))).code).toBe('INVALIDACL');
    expect((await settle(owner.create(`${PARENT}/c`, data, [], 'PERSISTENT'))).code).toBe('INVALIDACL');
  });
});
