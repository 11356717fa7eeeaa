// Goal: ZooKeeper TLS is switched and configured with Hadoop 3.4's keys exactly as
// DFSZKFailoverController#isSSLEnabled and SecurityUtil.TruststoreKeystore read them:
// hadoop.zk.ssl.enabled decides when set (true or false), else dfs.ha.zkfc.client.ssl.enabled
// (default false); with TLS on, an empty keystore or truststore location is refused with
// Hadoop's message and the key (exit 78); the passwords are never printed by check-config; a
// ResourceManager's daemon reads yarn.resourcemanager.zk-client-ssl.enabled in
// dfs.ha.zkfc.client.ssl.enabled's place (ActiveStandbyElectorBasedElectorService).
// Method: real Hadoop XML through loadZkfcConfig, then validate() and zkTlsConfig().
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeConfig, loadZkfcConfig } from '../../../src/config/load.js';
import { validate } from '../../../src/daemon/validate.js';
import { zkTlsConfig, zkTlsEnabled } from '../../../src/daemon/zk-tls.js';
import { ConfigError, ExitCode } from '../../../src/errors.js';
import { configurationXml } from '../../../tools/testing/conf-xml.js';

const HDFS: Record<string, string> = {
  'ha.zookeeper.quorum': 'zk1:2281',
  'dfs.nameservices': 'ns1',
  'dfs.ha.namenodes.ns1': 'nn1,nn2',
  'dfs.namenode.rpc-address.ns1.nn1': '10.1.0.1:8020',
  'dfs.namenode.rpc-address.ns1.nn2': '10.1.0.2:8020',
  'dfs.ha.fencing.methods': 'shell(/bin/true)',
  'dfs.ha.automatic-failover.enabled': 'true',
};
const STORES: Record<string, string> = {
  'hadoop.zk.ssl.keystore.location': '/etc/hadoop/zk-keystore.p12',
  'hadoop.zk.ssl.keystore.password': 'key-secret-1',
  'hadoop.zk.ssl.truststore.location': '/etc/hadoop/zk-truststore.p12',
  'hadoop.zk.ssl.truststore.password': 'trust-secret-1',
};

function confDir(files: {
  core?: Record<string, string>;
  hdfs?: Record<string, string>;
  yarn?: Record<string, string>;
}) {
  const dir = mkdtempSync(join(tmpdir(), 'zkfc-zk-tls-'));
  if (files.core) writeFileSync(join(dir, 'core-site.xml'), configurationXml(files.core));
  if (files.hdfs) writeFileSync(join(dir, 'hdfs-site.xml'), configurationXml(files.hdfs));
  if (files.yarn) writeFileSync(join(dir, 'yarn-site.xml'), configurationXml(files.yarn));
  return dir;
}

async function load(hdfs: Record<string, string>, local = '10.1.0.1') {
  return loadZkfcConfig({
    hadoopConfDir: confDir({ hdfs: { ...HDFS, ...hdfs } }),
    env: {},
    probe: { localAddresses: () => [local], resolve: async (host: string) => [host] },
  });
}

describe('ZooKeeper TLS switch (DFSZKFailoverController#isSSLEnabled)', () => {
  it.each([
    [{}, false],
    [{ 'dfs.ha.zkfc.client.ssl.enabled': 'true' }, true],
    [{ 'hadoop.zk.ssl.enabled': 'true' }, true],
    [{ 'hadoop.zk.ssl.enabled': 'false', 'dfs.ha.zkfc.client.ssl.enabled': 'true' }, false],
    [{ 'hadoop.zk.ssl.enabled': 'true', 'dfs.ha.zkfc.client.ssl.enabled': 'false' }, true],
    [{ 'hadoop.zk.ssl.enabled': '', 'dfs.ha.zkfc.client.ssl.enabled': 'true' }, true],
  ])('%o: TLS %s', async (keys, enabled) => {
    const config = await load({ ...STORES, ...keys });
    expect(zkTlsEnabled(config.settings)).toBe(enabled);
    expect(validate(config).zk?.tls !== undefined).toBe(enabled);
  });

  it('a value other than true or false is refused naming the key', async () => {
    await expect(load({ 'hadoop.zk.ssl.enabled': 'yes' })).rejects.toThrow(
      /hadoop\.zk\.ssl\.enabled: "yes" is not true or false/,
    );
  });
});

describe('ZooKeeper TLS stores (SecurityUtil.TruststoreKeystore)', () => {
  it('TLS on: the stores, their passwords and the settings that name them reach the adapter', async () => {
    const config = await load({ ...STORES, 'dfs.ha.zkfc.client.ssl.enabled': 'true' });
    const tls = zkTlsConfig(config.settings);
    expect(tls).toEqual({
      keyStore: {
        path: '/etc/hadoop/zk-keystore.p12',
        password: 'key-secret-1',
        role: 'the ZooKeeper client keystore',
        locationKey: 'hadoop.zk.ssl.keystore.location',
        passwordKey: 'hadoop.zk.ssl.keystore.password',
      },
      trustStore: {
        path: '/etc/hadoop/zk-truststore.p12',
        password: 'trust-secret-1',
        role: 'the ZooKeeper truststore',
        locationKey: 'hadoop.zk.ssl.truststore.location',
        passwordKey: 'hadoop.zk.ssl.truststore.password',
      },
      hostnameVerification: true,
      hostnameVerificationKey: 'zkfc.zookeeper.ssl.hostname-verification',
    });
    const shown = describeConfig(config).filter((row) => row.key.startsWith('hadoop.zk.ssl.'));
    expect(shown.find((row) => row.key === 'hadoop.zk.ssl.keystore.password')?.value).toBe('[redacted]');
    expect(shown.find((row) => row.key === 'hadoop.zk.ssl.truststore.password')?.value).toBe('[redacted]');
    expect(JSON.stringify(shown)).not.toContain('secret-1');
  });

  it.each([
    ['hadoop.zk.ssl.keystore.location', 'The keystore location parameter is empty for the ZooKeeper client connection'],
    [
      'hadoop.zk.ssl.truststore.location',
      'The truststore location parameter is empty for the ZooKeeper client connection',
    ],
  ])("TLS on without %s: refused with Hadoop's message, the key, exit 78", async (key, message) => {
    const config = await load({ ...STORES, [key]: '', 'hadoop.zk.ssl.enabled': 'true' });
    expect(() => zkTlsConfig(config.settings)).toThrow(ConfigError);
    const problem = validate(config).problems.find((p) => p.key === key);
    expect(problem?.message).toContain(`${key}: ${message} (ZooKeeper TLS is on: hadoop.zk.ssl.enabled)`);
    expect(problem?.code).toBe(ExitCode.CONFIG);
  });

  it('TLS off: missing stores are no problem', async () => {
    const config = await load({});
    expect(zkTlsConfig(config.settings)).toBeUndefined();
    expect(validate(config).problems).toEqual([]);
  });

  it('hostname verification can be turned off', async () => {
    const config = await load({
      ...STORES,
      'hadoop.zk.ssl.enabled': 'true',
      'zkfc.zookeeper.ssl.hostname-verification': 'false',
    });
    expect(zkTlsConfig(config.settings)?.hostnameVerification).toBe(false);
  });
});

describe('a ResourceManager daemon', () => {
  const yarn = {
    'yarn.resourcemanager.ha.enabled': 'true',
    'yarn.resourcemanager.ha.automatic-failover.enabled': 'false',
    'yarn.resourcemanager.cluster-id': 'yc1',
    'yarn.resourcemanager.ha.rm-ids': 'rm1,rm2',
    'yarn.resourcemanager.hostname.rm1': '10.2.0.1',
    'yarn.resourcemanager.hostname.rm2': '10.2.0.2',
    'hadoop.zk.address': 'zk1:2281',
    'zkfc.rm.fencing.methods': 'shell(/bin/true)',
  };
  it.each([
    [{ 'yarn.resourcemanager.zk-client-ssl.enabled': 'true' }, true],
    [{ 'dfs.ha.zkfc.client.ssl.enabled': 'true' }, false],
    [{ 'yarn.resourcemanager.zk-client-ssl.enabled': 'true', 'hadoop.zk.ssl.enabled': 'false' }, false],
  ])('%o: TLS %s', async (keys, enabled) => {
    const config = await loadZkfcConfig({
      hadoopConfDir: confDir({ yarn: { ...yarn, ...STORES, ...keys } }),
      env: {},
      probe: { localAddresses: () => ['10.2.0.1'], resolve: async (host: string) => [host] },
    });
    expect(config.service).toBe('resourcemanager');
    expect(zkTlsEnabled(config.settings)).toBe(enabled);
  });
});
