// Goal: a ResourceManager's daemon reads the YARN keys an operator already has (yarn-site.xml):
// rm-ids, cluster id, admin and web addresses (or hostnames), hadoop.zk.* and their deprecated
// yarn.resourcemanager.zk-* names, the zk-base-path, yarn.admin.acl; it picks the NameNode or the
// ResourceManager by zkfc.service or by what names this host; and a half-configured yarn-site.xml,
// an unknown rm-id or an embedded elector is refused with the key at fault. NameNode keys on the
// same host do not leak into the ResourceManager's settings.
// Method: real conf directories (core-site / hdfs-site / yarn-site XML) through loadZkfcConfig and
// validate(), with an injected local-address probe.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadZkfcConfig } from '../../../src/config/load.js';
import { validate } from '../../../src/daemon/validate.js';
import { ConfigError } from '../../../src/errors.js';
import { configurationXml } from '../../../tools/testing/conf-xml.js';

const YARN: Record<string, string> = {
  'yarn.resourcemanager.ha.enabled': 'true',
  'yarn.resourcemanager.ha.rm-ids': 'rm1,rm2',
  'yarn.resourcemanager.cluster-id': 'yc1',
  'yarn.resourcemanager.hostname.rm1': '10.2.0.1',
  'yarn.resourcemanager.hostname.rm2': '10.2.0.2',
  'yarn.resourcemanager.admin.address.rm2': '10.2.0.2:18033',
  'yarn.resourcemanager.ha.automatic-failover.enabled': 'false',
  'yarn.resourcemanager.recovery.enabled': 'true',
  'yarn.resourcemanager.store.class': 'org.apache.hadoop.yarn.server.resourcemanager.recovery.ZKRMStateStore',
  'hadoop.zk.address': 'zkr1:2181,zkr2:2181',
};
const HDFS: Record<string, string> = {
  'dfs.nameservices': 'ns1',
  'dfs.ha.namenodes.ns1': 'nn1,nn2',
  'dfs.namenode.rpc-address.ns1.nn1': '10.1.0.1:8020',
  'dfs.namenode.rpc-address.ns1.nn2': '10.1.0.2:8020',
  'dfs.ha.automatic-failover.enabled': 'true',
  'dfs.ha.fencing.methods': 'shell(/bin/true)',
};

function confDir(files: {
  core?: Record<string, string>;
  hdfs?: Record<string, string>;
  yarn?: Record<string, string>;
}): string {
  const dir = mkdtempSync(join(tmpdir(), 'zkfc-rm-conf-'));
  if (files.core) writeFileSync(join(dir, 'core-site.xml'), configurationXml(files.core));
  if (files.hdfs) writeFileSync(join(dir, 'hdfs-site.xml'), configurationXml(files.hdfs));
  if (files.yarn) writeFileSync(join(dir, 'yarn-site.xml'), configurationXml(files.yarn));
  return dir;
}
const probeFor = (...addresses: string[]) => ({ localAddresses: () => addresses, resolve: async (h: string) => [h] });

async function load(
  files: Parameters<typeof confDir>[0],
  local: string[],
  defines: [string, string][] = [],
): ReturnType<typeof loadZkfcConfig> {
  return loadZkfcConfig({ hadoopConfDir: confDir(files), env: {}, probe: probeFor(...local), defines });
}

async function refusal(promise: Promise<unknown>): Promise<ConfigError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe('a ResourceManager daemon reads yarn-site.xml', () => {
  it('finds the local ResourceManager by address and reads the targets, ZooKeeper and ACL keys', async () => {
    const config = await load({ core: { 'ha.zookeeper.quorum': 'hdfs-zk:2181' }, yarn: YARN }, ['10.2.0.2']);
    expect(config.service).toBe('resourcemanager');
    expect(config.localHow).toBe('address');
    expect(config.local).toMatchObject({
      nameserviceId: 'yc1',
      namenodeId: 'rm2',
      serviceAddress: { host: '10.2.0.2', port: 18033 },
      httpAddress: { host: '10.2.0.2', port: 8088 },
      zkfcPort: 8034,
    });
    expect(config.peers.map((p) => [p.namenodeId, p.serviceAddress])).toEqual([
      ['rm1', { host: '10.2.0.1', port: 8033 }],
    ]);
    // hadoop.zk.address, not the NameNodes' ha.zookeeper.quorum of core-site.xml.
    expect(config.settings.zk.quorum).toBe('zkr1:2181,zkr2:2181');
    expect(config.sourceOf('ha.zookeeper.quorum')).toMatch(/yarn-site\.xml as hadoop\.zk\.address$/);
    expect(config.settings.zk.parentZnode).toBe('/yarn-leader-election');
    expect(config.settings.zk.sessionTimeoutMs).toBe(10_000);
    expect(config.settings.nameservice.automaticFailoverEnabled).toBe(true);
    expect(config.settings.server.clusterAdministrators).toBe('*');
    expect(config.settings.server.zkfcPort).toBe(8034);
    expect(config.settings.failover.newActiveRpcTimeoutMs).toBe(180_000);
    expect(config.settings.health.rpcTimeoutMs).toBe(10_000); // the session timeout, not Hadoop's 45 s
    expect(config.resourceManager?.stateStore.fences).toBe(true);
    expect(config.resourceManager?.ownElector).toBeUndefined();
    const validated = validate(config);
    expect(validated.problems).toEqual([]);
    expect(validated.zk?.paths.workingDir).toBe('/yarn-leader-election/yc1');
  });

  it('takes the deprecated yarn.resourcemanager.zk-* names, the base path and per-rm ports', async () => {
    const yarn = { ...YARN, 'yarn.resourcemanager.ha.id': 'rm1' } as Record<string, string>;
    delete yarn['hadoop.zk.address'];
    Object.assign(yarn, {
      'yarn.resourcemanager.zk-address': 'old-zk:2181',
      'yarn.resourcemanager.zk-timeout-ms': '7000',
      'yarn.resourcemanager.zk-acl': 'sasl:yarn:rwcda',
      'yarn.resourcemanager.ha.automatic-failover.zk-base-path': '/rm-election',
      'zkfc.rm.zkfc-port.rm1': '18034',
      'zkfc.http-address.rm1': '127.0.0.1:18021',
      'yarn.admin.acl': 'yarn admins',
    });
    const config = await load({ yarn }, []);
    expect(config.localHow).toBe('configured');
    expect(config.local.namenodeId).toBe('rm1');
    expect(config.settings.zk).toMatchObject({
      quorum: 'old-zk:2181',
      sessionTimeoutMs: 7000,
      acl: 'sasl:yarn:rwcda',
      parentZnode: '/rm-election',
    });
    expect(config.settings.server.zkfcPort).toBe(18034);
    expect(config.settings.health.rpcTimeoutMs).toBe(7000);
    expect(config.local.zkfcPort).toBe(18034);
    expect(config.settings.server.httpAddress).toEqual({ host: '127.0.0.1', port: 18021 });
    expect(config.settings.server.clusterAdministrators).toBe('yarn admins');
    expect(config.sourceOf('ha.zookeeper.quorum')).toMatch(/as yarn\.resourcemanager\.zk-address$/);
    expect(config.hadoopConf.warnings().map((w) => w.key)).toContain('yarn.resourcemanager.zk-acl');
    // Both names set (a Hadoop 3.5 operator's file): the embedded elector's own name wins.
    const both = await load({ yarn: { ...yarn, 'hadoop.zk.address': 'store-zk:2181' } }, []);
    expect(both.settings.zk.quorum).toBe('old-zk:2181');
  });

  it('ignores the NameNode keys of a host that has both files, and picks by zkfc.service', async () => {
    const files = { hdfs: HDFS, yarn: { ...YARN, 'yarn.resourcemanager.ha.id': 'rm1' } };
    // This host runs nn1 and rm1: auto cannot choose.
    const both = await refusal(load(files, ['10.1.0.1', '10.2.0.1']));
    expect(both.key).toBe('zkfc.service');
    expect(both.message).toMatch(/both a NameNode and a ResourceManager/);
    const rm = await load(files, ['10.1.0.1', '10.2.0.1'], [['zkfc.service', 'resourcemanager']]);
    expect(rm.service).toBe('resourcemanager');
    expect(rm.fencingMethodsFor('rm2')).toBeUndefined(); // dfs.ha.fencing.methods is the NameNodes'
    const nn = await load(files, ['10.1.0.1', '10.2.0.1'], [['zkfc.service', 'namenode']]);
    expect(nn.service).toBe('namenode');
    expect(nn.local.namenodeId).toBe('nn1');
    // Only a NameNode here (rm-ids name other hosts, no ha.id): auto takes the NameNode.
    const yarnElsewhere = { hdfs: HDFS, yarn: YARN };
    expect((await load(yarnElsewhere, ['10.1.0.1'])).service).toBe('namenode');
    expect((await load(yarnElsewhere, ['10.2.0.1'])).service).toBe('resourcemanager');
  });

  it('refuses a half-configured yarn-site.xml with the key at fault', async () => {
    const withoutCluster = { ...YARN };
    delete withoutCluster['yarn.resourcemanager.cluster-id'];
    expect((await refusal(load({ yarn: withoutCluster }, ['10.2.0.1']))).key).toBe('yarn.resourcemanager.cluster-id');

    const oneRm = { ...YARN, 'yarn.resourcemanager.ha.rm-ids': 'rm1' };
    expect((await refusal(load({ yarn: oneRm }, ['10.2.0.1']))).key).toBe('yarn.resourcemanager.ha.rm-ids');

    const noAddress = { ...YARN, 'yarn.resourcemanager.ha.rm-ids': 'rm1,rm2,rm3' };
    const missing = await refusal(load({ yarn: noAddress }, ['10.2.0.1']));
    expect(missing.message).toContain('yarn.resourcemanager.hostname.rm3 or yarn.resourcemanager.admin.address.rm3');

    const unknownId = { ...YARN, 'yarn.resourcemanager.ha.id': 'rm9' };
    const unknown = await refusal(load({ yarn: unknownId }, []));
    expect(unknown.key).toBe('yarn.resourcemanager.ha.id');
    expect(unknown.message).toContain('rm9 is not one of yarn.resourcemanager.ha.rm-ids (rm1,rm2)');

    const noZk = { ...YARN };
    delete noZk['hadoop.zk.address'];
    const zk = await refusal(load({ yarn: noZk }, ['10.2.0.1']));
    expect(zk.message).toContain('hadoop.zk.address: not set');

    // The systemd unit's instance (zkfc@yc1.rm2) on a host that has both files.
    const unit = await load(
      { hdfs: HDFS, yarn: YARN },
      ['10.1.0.1'],
      [
        ['dfs.nameservice.id', 'yc1'],
        ['dfs.ha.namenode.id', 'rm2'],
      ],
    );
    expect([unit.service, unit.local.namenodeId, unit.localHow]).toEqual(['resourcemanager', 'rm2', 'configured']);

    const notHere = await refusal(load({ yarn: YARN }, ['10.9.9.9'], [['zkfc.service', 'resourcemanager']]));
    expect(notHere.key).toBe('yarn.resourcemanager.ha.id');
  });

  it('refuses an embedded elector, and a store that does not fence without a method', async () => {
    const own = { ...YARN };
    delete own['yarn.resourcemanager.ha.automatic-failover.enabled'];
    const ownProblems = validate(await load({ yarn: own }, ['10.2.0.1'])).problems;
    expect(ownProblems.map((p) => p.key)).toEqual(['yarn.resourcemanager.ha.automatic-failover.enabled']);
    expect(ownProblems[0]?.message).toMatch(
      /runs automatic failover itself .*unset, default true; its elector: the embedded one/,
    );
    const curator = {
      ...YARN,
      'yarn.resourcemanager.ha.automatic-failover.enabled': 'true',
      'yarn.resourcemanager.ha.curator-leader-elector.enabled': 'true',
    };
    expect(validate(await load({ yarn: curator }, ['10.2.0.1'])).problems[0]?.message).toContain("Curator's");

    const fsStore = { ...YARN, 'yarn.resourcemanager.store.class': 'org.example.FileSystemRMStateStore' };
    const noFence = validate(await load({ yarn: fsStore }, ['10.2.0.1'])).problems;
    expect(noFence).toHaveLength(2); // rm1 and rm2 each need a method
    expect(noFence[0]?.message).toContain('zkfc.rm.fencing.methods');
    expect(noFence[0]?.message).toContain('org.example.FileSystemRMStateStore does not fence');
    const fenced = validate(
      await load({ yarn: { ...fsStore, 'zkfc.rm.fencing.methods': 'shell(/bin/true)' } }, ['10.2.0.1']),
    );
    expect(fenced.problems).toEqual([]);
  });
});
