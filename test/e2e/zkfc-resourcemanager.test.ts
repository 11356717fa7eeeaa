// Goal: the daemon drives ResourceManagers from yarn-site.xml end to end, on the fast stand-in:
// it creates the election znode itself (as the embedded elector does), holds the lock under
// /yarn-leader-election/<cluster-id> with the embedded elector's ActiveRMInfoProto bytes, fails
// over when the active ResourceManager dies with the state store as the fencer (no method
// configured), serves `haadmin -rm` (-getAllServiceState, -failover through the daemons, status),
// and reports a lock held for another cluster id by name without fencing anything. The real
// ResourceManagers (and Hadoop's yarn rmadmin) are in test/hadoop/resourcemanager.test.ts.
// Method: MiniCluster's real ZooKeeper and simulated HAServiceProtocol servers standing in for
// the ResourceManagers' admin ports (the protocol is the same), a yarn-site.xml beside the
// cluster's hdfs-site.xml, the built zkfc daemons with zkfc.service=resourcemanager, the built
// haadmin, and a ZooKeeper client reading the znodes.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeActiveRmInfo } from '../../src/hadoop/active-rm-info.js';
import type { MiniCluster } from '../../tools/testing/mini-cluster.js';
import { configurationXml } from '../../tools/testing/conf-xml.js';
import { eventually } from '../../tools/testing/wait.js';
import { runHaadmin, startE2eCluster, stopE2eCluster, zkfcLogRecords, ZkTestClient } from '../support/e2e-zkfc.js';

let cluster: MiniCluster | undefined;
let zk: ZkTestClient | undefined;
afterEach(async () => {
  await zk?.close();
  zk = undefined;
  await stopE2eCluster(cluster);
  cluster = undefined;
});

const ELECTION = '/yarn-leader-election/yc1';
const RM_ARGS = (id: string): string[] => [
  '-D',
  'zkfc.service=resourcemanager',
  '-D',
  `yarn.resourcemanager.ha.id=${id}`,
];

function writeYarnSite(c: MiniCluster, extra: Record<string, string> = {}): void {
  const yarn: Record<string, string> = {
    'yarn.resourcemanager.ha.enabled': 'true',
    'yarn.resourcemanager.ha.rm-ids': 'rm1,rm2',
    'yarn.resourcemanager.cluster-id': 'yc1',
    'yarn.resourcemanager.ha.automatic-failover.enabled': 'false',
    'yarn.resourcemanager.recovery.enabled': 'true',
    'yarn.resourcemanager.store.class': 'org.apache.hadoop.yarn.server.resourcemanager.recovery.ZKRMStateStore',
    'hadoop.zk.address': c.zk.connectString,
    'hadoop.zk.timeout-ms': String(c.sessionTimeoutMs),
    ...extra,
  };
  for (const id of ['rm1', 'rm2']) {
    const node = c.node(id);
    yarn[`yarn.resourcemanager.admin.address.${id}`] = `127.0.0.1:${node.rpcPort}`;
    yarn[`yarn.resourcemanager.webapp.address.${id}`] = `127.0.0.1:${node.httpPort}`;
    yarn[`zkfc.rm.zkfc-port.${id}`] = String(node.zkfcPort);
    yarn[`zkfc.http-address.${id}`] = `127.0.0.1:${node.statusPort}`;
  }
  writeFileSync(join(c.confDir, 'yarn-site.xml'), configurationXml(yarn));
}

async function rmPair(): Promise<MiniCluster> {
  const c = (cluster = await startE2eCluster({ namenodeIds: ['rm1', 'rm2'] }));
  writeYarnSite(c);
  await Promise.all([c.startNamenode('rm1'), c.startNamenode('rm2')]);
  await c.startZkfc('rm1', RM_ARGS('rm1'));
  await c.waitForActive(20_000, 'rm1');
  await c.startZkfc('rm2', RM_ARGS('rm2'));
  await eventually(async () => expect((await c.zkfcStatus('rm2'))?.['electorState']).toBe('STANDBY'), 10_000);
  zk = await ZkTestClient.connect(c.zk.connectString);
  return c;
}

describe('zkfc drives ResourceManagers (simulated admin endpoints)', () => {
  it('takes the lock with ActiveRMInfoProto bytes, fails over on a crash with the state store as fencer', async () => {
    const c = await rmPair();
    const lock = await zk!.getData(`${ELECTION}/ActiveStandbyElectorLock`);
    expect(Buffer.from(lock!.data).toString('hex')).toBe(
      Buffer.from(encodeActiveRmInfo({ clusterId: 'yc1', rmId: 'rm1' })).toString('hex'),
    );
    const status = await c.zkfcStatus('rm1');
    expect(status).toMatchObject({ service: 'resourcemanager', nameservice: 'yc1', namenode: 'rm1' });

    await c.killNamenode('rm1');
    await c.waitForActive(20_000, 'rm2');
    const breadcrumb = await zk!.getData(`${ELECTION}/ActiveBreadCrumb`);
    expect(Buffer.from(breadcrumb!.data)).toEqual(Buffer.from(encodeActiveRmInfo({ clusterId: 'yc1', rmId: 'rm2' })));
    const fencing = zkfcLogRecords(c, 'rm2').filter((r) => r['msg'] === 'fencing delegated to the state store');
    expect(fencing).toHaveLength(1);
    expect(String(fencing[0]?.['store'])).toContain('ZKRMStateStore');
    expect(c.splitBrainViolations()).toEqual([]);
  });

  it('answers haadmin -rm, fails over gracefully through the daemons, and reports a foreign lock by name', async () => {
    const c = await rmPair();
    const all = await runHaadmin(c, ['-rm', '-getAllServiceState']);
    expect(all.code).toBe(0);
    expect(all.stdout.split('\n').filter((l) => l !== '')).toEqual([
      `${`localhost:${c.node('rm1').rpcPort}`.padEnd(50)} active    `,
      `${`localhost:${c.node('rm2').rpcPort}`.padEnd(50)} standby   `,
    ]);
    const bad = await runHaadmin(c, ['-rm', '-getServiceState', 'rm9']);
    expect(bad.code).toBe(255);
    expect(bad.stderr).toContain('Illegal argument: rm9 is not a valid serviceId. It should be one of rm1 rm2');

    const failover = await runHaadmin(c, ['-rm', '-failover', 'rm1', 'rm2']);
    expect(failover.stdout).toContain(
      `Failover to ResourceManager rm2 at /127.0.0.1:${c.node('rm2').rpcPort} successful`,
    );
    expect(failover.code).toBe(0);
    await c.waitForActive(20_000, 'rm2');
    expect(await c.namenodeState('rm1')).toBe('standby');

    const status = await runHaadmin(c, ['-rm', 'status', '--json']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ nameserviceId: 'yc1', verdict: 'ok' });

    // A lock of another cluster: the daemons name it and fence nothing.
    await c.stopZkfc('rm1');
    await c.stopZkfc('rm2');
    await zk!.create(
      `${ELECTION}/ActiveStandbyElectorLock`,
      encodeActiveRmInfo({ clusterId: 'other', rmId: 'rm1' }),
      'EPHEMERAL',
    );
    await c.startZkfc('rm1', RM_ARGS('rm1'));
    await eventually(async () => {
      const problems = ((await c.zkfcStatus('rm1'))?.['zookeeperProblems'] ?? []) as Array<Record<string, string>>;
      const problem = problems.find((p) => p['problem'] === 'lock-holder-unknown');
      expect(problem?.['detail']).toContain(`${ELECTION}/ActiveStandbyElectorLock`);
      expect(problem?.['detail']).toContain('other');
    }, 15_000);
    expect(await c.namenodeState('rm2')).toBe('active');
  });
});
