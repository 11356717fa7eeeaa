// Goal: the znodes the daemons create in a real ZooKeeper carry the configured ha.zookeeper.acl:
// the working znode (-formatZK), the lock and the breadcrumb, read back with getACL after an
// election and after a failover, and the failover journal's znode and entries; a client without
// the credentials can neither delete nor rewrite them, while the open default is reported by
// check-config, at start-up and on /status.
// The executor creating the lock with OPEN_ACL_UNSAFE instead of the configured ACL fails this
// test (tried by hand).
// Method: a mini cluster (real ZooKeeper, two zkfc processes) with a digest ACL and
// ha.zookeeper.auth; an independent ZooKeeper client reads the ACLs and tries to tamper.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MiniCluster } from '../../tools/testing/mini-cluster.js';
import { eventually } from '../../tools/testing/wait.js';
import { digestAclId } from '../../src/zookeeper/acl.js';
import {
  runZkfc,
  startE2eCluster,
  stopE2eCluster,
  zkErrorCode,
  ZK_PERMISSION,
  ZkTestClient,
} from '../support/e2e-zkfc.js';

const PASSWORD = 'acl-test-secret';
const DIGEST_ID = digestAclId('hdfs', PASSWORD);

let cluster: MiniCluster;
const clients: ZkTestClient[] = [];
beforeAll(async () => {
  cluster = await startE2eCluster({
    extraConf: { 'ha.zookeeper.acl': `digest:${DIGEST_ID}:rwcda`, 'ha.zookeeper.auth': `digest:hdfs:${PASSWORD}` },
  });
  for (const id of cluster.nodes.keys()) await cluster.startNamenode(id);
  for (const id of cluster.nodes.keys()) await cluster.startZkfc(id);
});
afterAll(async () => {
  for (const client of clients) await client.close();
  await stopE2eCluster(cluster);
});

async function client(auth?: readonly [string, string]): Promise<ZkTestClient> {
  const c = await ZkTestClient.connect(cluster.zk.connectString, auth === undefined ? {} : { auth });
  clients.push(c);
  return c;
}

const EXPECTED = [{ scheme: 'digest', id: DIGEST_ID, perms: ZK_PERMISSION.ALL }];

async function rejected(operation: Promise<unknown>): Promise<number | undefined> {
  try {
    await operation;
    return undefined;
  } catch (error) {
    return zkErrorCode(error);
  }
}

describe('ha.zookeeper.acl in a real ZooKeeper', () => {
  it(
    'the working znode, the lock and the breadcrumb carry the configured ' +
      'ACL, before and after a failover; a stranger cannot tamper',
    async () => {
      const workingDir = `/hadoop-ha/${cluster.nameserviceId}`;
      const first = await cluster.waitForActive(30_000);
      const stranger = await client();
      // Reading an ACL needs READ or ADMIN on the znode (ZooKeeper 3.5+): the operator's credentials.
      const admin = await client(['digest', `hdfs:${PASSWORD}`]);
      for (const path of [workingDir, `${workingDir}/ActiveStandbyElectorLock`, `${workingDir}/ActiveBreadCrumb`]) {
        expect({ path, acl: await admin.getAcl(path) }).toEqual({ path, acl: EXPECTED });
      }
      const NO_AUTH = -102;
      expect(await rejected(stranger.getAcl(`${workingDir}/ActiveStandbyElectorLock`))).toBe(NO_AUTH);
      expect(await rejected(stranger.remove(`${workingDir}/ActiveStandbyElectorLock`))).toBe(NO_AUTH);
      expect(await rejected(stranger.setData(`${workingDir}/ActiveBreadCrumb`, new Uint8Array([1])))).toBe(NO_AUTH);
      expect(await rejected(stranger.remove(`${workingDir}/ActiveBreadCrumb`))).toBe(NO_AUTH);

      // A failover: the new active's lock and rewritten breadcrumb still carry it.
      await cluster.killNamenode(first);
      const second = await cluster.waitForActive(30_000);
      expect(second).not.toBe(first);
      for (const path of [`${workingDir}/ActiveStandbyElectorLock`, `${workingDir}/ActiveBreadCrumb`]) {
        expect({ path, acl: await admin.getAcl(path) }).toEqual({ path, acl: EXPECTED });
      }
      // The failover journal: its znode and every entry (both zkfcs wrote one) carry it too.
      const journal = `${workingDir}/ZkfcFailoverJournal`;
      let entries: string[] = [];
      await eventually(async () => {
        entries = await admin.getChildren(journal);
        expect(entries.filter((name) => name.includes('-failover-')).length).toBeGreaterThanOrEqual(2);
      }, 15_000);
      for (const path of [journal, ...entries.map((name) => `${journal}/${name}`)]) {
        expect({ path, acl: await admin.getAcl(path) }).toEqual({ path, acl: EXPECTED });
      }
      expect(await rejected(stranger.getChildren(journal))).toBe(NO_AUTH);
      expect(
        await rejected(stranger.create(`${journal}/000000000000001-failover-x-1`, new Uint8Array(), 'PERSISTENT')),
      ).toBe(NO_AUTH);
      // No world-writable warning with a digest ACL.
      const status = await cluster.zkfcStatus(second);
      expect(status?.['zookeeperProblems']).toEqual([]);
    },
  );

  it('check-config warns about a world-writable ha.zookeeper.acl; with a digest ACL it does not', async () => {
    const id = [...cluster.nodes.keys()][0]!;
    const open = await runZkfc(cluster, id, ['check-config', '-D', 'ha.zookeeper.acl=world:anyone:rwcda']);
    expect(open.stderr).toContain('zkfc check-config: warning: ha.zookeeper.acl is world-writable');
    expect(open.stderr).toContain('run zkfc -formatZK');
    const closed = await runZkfc(cluster, id, ['check-config']);
    expect(closed.stderr).not.toContain('world-writable');
  });
});
