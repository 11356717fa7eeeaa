// Goal: `zkfc -formatZK [-force] [-nonInteractive]` of the built binary in every mode of docs/hadoop-compat.md §4.4:
// fresh (creates every path component with the configured ACL, exit 0, no question asked);
// existing + -force (the lock, the breadcrumb and any other child are cleared and the working
// znode recreated, exit 0); existing + -nonInteractive (exit 2, nothing changed); existing and
// interactive: "Y" on stdin clears (0), "N" or end of input refuses (2), with Hadoop's warning.
// Method: a real ZooKeeper; each test uses its own ha.zookeeper.parent-znode (-D) so they do not
// interfere; the znodes are inspected and populated with an independent ZooKeeper client
// (node-zookeeper-client directly) that writes the lock (EPHEMERAL, its own session) and the
// breadcrumb (PERSISTENT) as a running ZKFC would.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { encodeActiveNodeInfo } from '../../src/hadoop/active-node-info.js';
import { digestAclId } from '../../src/zookeeper/acl.js';
import type { MiniCluster } from '../../tools/testing/mini-cluster.js';
import {
  runZkfc,
  startE2eCluster,
  stopE2eCluster,
  ZK_PERMISSION,
  ZkTestClient,
  zkErrorCode,
  type RunResult,
} from '../support/e2e-zkfc.js';

const NO_AUTH = -102;
let cluster: MiniCluster;
const clients: ZkTestClient[] = [];

beforeAll(async () => {
  cluster = await startE2eCluster();
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  await stopE2eCluster(cluster);
});

async function zkClient(auth?: readonly [string, string]): Promise<ZkTestClient> {
  const client = await ZkTestClient.connect(cluster.zk.connectString, auth === undefined ? {} : { auth });
  clients.push(client);
  return client;
}

function format(
  parent: string,
  flags: readonly string[],
  options: { input?: string; extra?: readonly string[] } = {},
): Promise<RunResult> {
  return runZkfc(
    cluster,
    'nn1',
    ['-D', `ha.zookeeper.parent-znode=${parent}`, ...(options.extra ?? []), '-formatZK', ...flags],
    options.input === undefined ? {} : { input: options.input },
  );
}

/** Format `parent` fresh, then put a lock (EPHEMERAL, from its own session) and a breadcrumb in it. */
async function formattedWithElectionZnodes(parent: string): Promise<{ workingDir: string; holder: ZkTestClient }> {
  const fresh = await format(parent, ['-nonInteractive']);
  expect(fresh.code, fresh.stderr).toBe(0);
  const workingDir = `${parent}/ns1`;
  const holder = await zkClient();
  const info = encodeActiveNodeInfo({
    nameserviceId: 'ns1',
    namenodeId: 'nn2',
    hostname: '127.0.0.1',
    port: cluster.node('nn2').rpcPort,
    zkfcPort: cluster.node('nn2').zkfcPort,
  });
  await holder.create(`${workingDir}/ActiveStandbyElectorLock`, info, 'EPHEMERAL');
  await holder.create(`${workingDir}/ActiveBreadCrumb`, info, 'PERSISTENT');
  return { workingDir, holder };
}

describe('zkfc -formatZK on a fresh ZooKeeper', () => {
  it('creates every path component with the configured ACL, without asking', async () => {
    const secret = 'hdfs-zkfc-secret';
    const aclId = digestAclId('zkfcs', secret);
    const result = await format('/fmt/fresh', [], {
      extra: ['-D', `ha.zookeeper.acl=digest:${aclId}:rwcda`, '-D', `ha.zookeeper.auth=digest:zkfcs:${secret}`],
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain('Proceed formatting');

    const admin = await zkClient(['digest', `zkfcs:${secret}`]);
    for (const path of ['/fmt', '/fmt/fresh', '/fmt/fresh/ns1']) {
      const acl = await admin.getAcl(path);
      expect(acl, path).toEqual([{ scheme: 'digest', id: aclId, perms: ZK_PERMISSION.ALL }]);
    }
    expect(await admin.getChildren('/fmt/fresh/ns1')).toEqual([]);
    // The ACL is real: a session without the credentials may not even list the working znode.
    const stranger = await zkClient();
    const denied = await stranger.getChildren('/fmt/fresh/ns1').then(
      () => undefined,
      (error: unknown) => zkErrorCode(error),
    );
    expect(denied).toBe(NO_AUTH);
  });

  it('with the default ACL (world:anyone:rwcda) creates open znodes', async () => {
    const result = await format('/fmt-default', ['-nonInteractive']);
    expect(result.code, result.stderr).toBe(0);
    const client = await zkClient();
    const acl = await client.getAcl('/fmt-default/ns1');
    expect(acl).toEqual([{ scheme: 'world', id: 'anyone', perms: ZK_PERMISSION.ALL }]);
  });
});

describe('zkfc -formatZK on an existing working znode', () => {
  it('-force clears the lock, the breadcrumb and other children, then recreates the znode (exit 0)', async () => {
    const { workingDir } = await formattedWithElectionZnodes('/fmt-force');
    const inspector = await zkClient();
    await inspector.create(`${workingDir}/left-over`, new Uint8Array([1]), 'PERSISTENT');
    await inspector.create(`${workingDir}/left-over/deeper`, new Uint8Array([2]), 'PERSISTENT');
    const before = await inspector.exists(workingDir);

    const result = await format('/fmt-force', ['-force']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain('Proceed formatting');
    expect(await inspector.getChildren(workingDir)).toEqual([]);
    const after = await inspector.exists(workingDir);
    expect(after).not.toBeNull();
    // Recreated, not merely emptied.
    expect(Buffer.compare(after!.czxid, before!.czxid)).toBe(1);
  });

  it('-force wins over -nonInteractive', async () => {
    const { workingDir } = await formattedWithElectionZnodes('/fmt-force-ni');
    const result = await format('/fmt-force-ni', ['-force', '-nonInteractive']);
    expect(result.code, result.stderr).toBe(0);
    const inspector = await zkClient();
    expect(await inspector.getChildren(workingDir)).toEqual([]);
  });

  it('-nonInteractive refuses with exit 2 and changes nothing', async () => {
    const { workingDir } = await formattedWithElectionZnodes('/fmt-ni');
    const inspector = await zkClient();
    const breadcrumbBefore = await inspector.getData(`${workingDir}/ActiveBreadCrumb`);

    const result = await format('/fmt-ni', ['-nonInteractive']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(workingDir);
    expect(result.stderr).not.toContain('Proceed formatting');
    expect((await inspector.getChildren(workingDir)).sort()).toEqual(['ActiveBreadCrumb', 'ActiveStandbyElectorLock']);
    const breadcrumbAfter = await inspector.getData(`${workingDir}/ActiveBreadCrumb`);
    expect(breadcrumbAfter?.stat.mzxid).toEqual(breadcrumbBefore?.stat.mzxid);
  });

  it('interactive: the operator answers "Y" on stdin: warning, question, cleared (exit 0)', async () => {
    const { workingDir } = await formattedWithElectionZnodes('/fmt-yes');
    const result = await format('/fmt-yes', [], { input: 'Y\n' });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`The configured parent znode ${workingDir} already exists.`);
    expect(result.stderr).toContain('ensure that all HDFS services and\nfailover controllers are stopped!');
    expect(result.stderr).toContain(`Proceed formatting ${workingDir}? (Y or N)`);
    const inspector = await zkClient();
    expect(await inspector.getChildren(workingDir)).toEqual([]);
  });

  it('interactive: an invalid answer is asked again; then "y" clears', async () => {
    const { workingDir } = await formattedWithElectionZnodes('/fmt-retry');
    const result = await format('/fmt-retry', [], { input: 'maybe\ny\n' });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr.split('Proceed formatting').length - 1).toBe(2);
    const inspector = await zkClient();
    expect(await inspector.getChildren(workingDir)).toEqual([]);
  });

  it.each([
    ['"N"', 'N\n'],
    ['end of input', ''],
  ])('interactive: %s refuses with exit 2 and changes nothing', async (_label, input) => {
    const parent = `/fmt-no-${input === '' ? 'eof' : 'n'}`;
    const { workingDir } = await formattedWithElectionZnodes(parent);
    const result = await format(parent, [], { input });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`Proceed formatting ${workingDir}? (Y or N)`);
    const inspector = await zkClient();
    expect((await inspector.getChildren(workingDir)).sort()).toEqual(['ActiveBreadCrumb', 'ActiveStandbyElectorLock']);
  });
});
