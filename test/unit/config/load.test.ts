// Goal: the daemon's configuration follows Hadoop's contract and our precedence: defaults <
// Hadoop XML < our file < ZKFC_* env < -D; per-nameservice / per-namenode suffixes resolve for
// the local NameNode; bad values are refused naming the key and where the value came from.
// Method: real XML files in a temp conf dir, an injected local-address probe.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeConfig, loadZkfcConfig } from '../../../src/config/load.js';
import { SETTINGS } from '../../../src/config/schema.js';
import { ConfigError } from '../../../src/errors.js';
import { configurationXml } from '../../../tools/testing/conf-xml.js';

const xml = configurationXml;

const topology = {
  'dfs.nameservices': 'ns1',
  'dfs.ha.namenodes.ns1': 'nn1,nn2',
  'dfs.namenode.rpc-address.ns1.nn1': '10.1.0.1:8020',
  'dfs.namenode.rpc-address.ns1.nn2': '10.1.0.2:8020',
  'dfs.ha.automatic-failover.enabled': 'true',
  'dfs.ha.fencing.methods': 'shell(/bin/true)',
};
const probe = (ip: string) => ({ localAddresses: () => [ip], resolve: async (h: string) => [h] });

function confDir(core: Record<string, string>, hdfs: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'zkfc-conf-'));
  writeFileSync(join(dir, 'core-site.xml'), xml(core));
  writeFileSync(join(dir, 'hdfs-site.xml'), xml(hdfs));
  return dir;
}

describe('loadZkfcConfig', () => {
  it('reads Hadoop XML, finds the local NameNode by address, applies Hadoop defaults', async () => {
    const dir = confDir({ 'ha.zookeeper.quorum': 'zk1:2181,zk2:2181' }, topology);
    const config = await loadZkfcConfig({ hadoopConfDir: dir, env: {}, probe: probe('10.1.0.2') });
    expect(config.local.namenodeId).toBe('nn2');
    expect(config.localHow).toBe('address');
    expect(config.peers.map((p) => p.namenodeId)).toEqual(['nn1']);
    expect(config.settings.zk.quorum).toBe('zk1:2181,zk2:2181');
    expect(config.sourceOf('ha.zookeeper.quorum')).toContain('core-site.xml');
    expect(config.settings.zk.sessionTimeoutMs).toBe(10000);
    expect(config.sourceOf('ha.zookeeper.session-timeout.ms')).toBe('default');
    expect(config.settings.nameservice.automaticFailoverEnabled).toBe(true);
    // 0 (the default) means the session timeout, resolved once here.
    expect(config.settings.zk.operationTimeoutMs).toBe(10000);
    expect(Object.isFrozen(config.settings) && Object.isFrozen(config.settings.zk)).toBe(true);
  });

  it('applies precedence: XML < own file < env < -D', async () => {
    const dir = confDir({ 'ha.zookeeper.quorum': 'xml:1', 'ha.health-monitor.check-interval.ms': '1000' }, topology);
    const file = join(dir, 'zkfc.json');
    writeFileSync(
      file,
      '// our own file\n{ "ha.zookeeper.quorum": "file:1", "ha.health-monitor.rpc-timeout.ms": 30000 }\n',
    );
    const config = await loadZkfcConfig({
      hadoopConfDir: dir,
      configFile: file,
      env: { ZKFC_HA_ZOOKEEPER_QUORUM: 'env:1', ZKFC_HA_HEALTH_MONITOR_CHECK_INTERVAL_MS: '500' },
      defines: [['ha.zookeeper.quorum', 'cli:1']],
      probe: probe('10.1.0.1'),
    });
    expect(config.settings.zk.quorum).toBe('cli:1');
    expect(config.sourceOf('ha.zookeeper.quorum')).toBe('-D');
    expect(config.settings.health.checkIntervalMs).toBe(500);
    expect(config.sourceOf('ha.health-monitor.check-interval.ms')).toBe('env ZKFC_HA_HEALTH_MONITOR_CHECK_INTERVAL_MS');
    expect(config.settings.health.rpcTimeoutMs).toBe(30000);
    expect(config.sourceOf('ha.health-monitor.rpc-timeout.ms')).toContain('zkfc.json');
  });

  it('resolves per-namenode and per-nameservice suffixes for the local NameNode and for peers', async () => {
    const dir = confDir(
      { 'ha.zookeeper.quorum': 'zk:2181', 'ha.zookeeper.session-timeout.ms.ns1': '4000' },
      {
        ...topology,
        'dfs.ha.zkfc.port.ns1.nn1': '18019',
        'dfs.ha.fencing.methods.ns1.nn2': 'sshfence(hdfs:2222)',
        'dfs.ha.automatic-failover.enabled': 'false',
        'dfs.ha.automatic-failover.enabled.ns1': 'true',
      },
    );
    const config = await loadZkfcConfig({ hadoopConfDir: dir, env: {}, probe: probe('10.1.0.1') });
    expect(config.settings.server.zkfcPort).toBe(18019);
    expect(config.settings.zk.sessionTimeoutMs).toBe(4000);
    expect(config.settings.nameservice.automaticFailoverEnabled).toBe(true);
    expect(config.settings.fencing.methods).toBe('shell(/bin/true)');
    expect(config.fencingMethodsFor('nn2')).toBe('sshfence(hdfs:2222)');
    expect(config.confForNamenode('nn2').get('dfs.namenode.rpc-address')).toBe('10.1.0.2:8020');
  });

  it('refuses a bad value naming the key and its source', async () => {
    const dir = confDir({ 'ha.zookeeper.quorum': 'zk:2181', 'ha.health-monitor.check-interval.ms': 'soon' }, topology);
    const error = await loadZkfcConfig({ hadoopConfDir: dir, env: {}, probe: probe('10.1.0.1') }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(
      /ha\.health-monitor\.check-interval\.ms: "soon" is not a number of milliseconds.*core-site\.xml/,
    );
    expect((error as ConfigError).key).toBe('ha.health-monitor.check-interval.ms');
  });

  it.each(SETTINGS.filter((s) => s.format === 'int-ms' || s.format === 'long-ms').map((s) => [s.key]))(
    "%s refuses a unit suffix (10s) as Hadoop's getInt / getLong do, naming the key, the value and the file",
    async (key) => {
      const dir = confDir({ 'ha.zookeeper.quorum': 'zk:2181' }, { ...topology, [key]: '10s' });
      const error = await loadZkfcConfig({ hadoopConfDir: dir, env: {}, probe: probe('10.1.0.1') }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toContain(`${key}: "10s" is not a number of milliseconds`);
      expect((error as ConfigError).message).toContain(join(dir, 'hdfs-site.xml'));
    },
  );

  it(
    'reads the deprecated dfs.federation.nameservices as ' + 'dfs.nameservices and keeps the warning for the log',
    async () => {
      const { 'dfs.nameservices': ns, ...rest } = topology;
      const dir = confDir({ 'ha.zookeeper.quorum': 'zk:2181' }, { 'dfs.federation.nameservices': ns, ...rest });
      const config = await loadZkfcConfig({ hadoopConfDir: dir, env: {}, probe: probe('10.1.0.2') });
      expect(config.local.nameserviceId).toBe('ns1');
      expect(config.local.namenodeId).toBe('nn2');
      expect(config.hadoopConf.warnings().map((w) => w.message)).toEqual([
        `dfs.federation.nameservices in ${join(dir, 'hdfs-site.xml')} is deprecated. Instead, use dfs.nameservices`,
      ]);
    },
  );

  it('reads hadoop.security.auth_to_local, refuses a rule or mechanism that does not parse', async () => {
    const rules = 'RULE:[2:$1@$0](.*@EXAMPLE\\.COM)s/@.*// DEFAULT';
    const good = confDir({ 'hadoop.security.auth_to_local': rules }, topology);
    const config = await loadZkfcConfig({ hadoopConfDir: good, env: {}, probe: probe('10.1.0.1') });
    expect(config.settings.security).toMatchObject({ authToLocal: rules, authToLocalMechanism: 'hadoop' });
    const bad = confDir(
      {
        'hadoop.security.auth_to_local': 'RULE:[1:$1] RULE:[2:$1](nn.*)s/nn/x DEFAULT',
        'hadoop.security.auth_to_local.mechanism': 'kerberos5',
      },
      topology,
    );
    const refused = await loadZkfcConfig({ hadoopConfDir: bad, env: {}, probe: probe('10.1.0.1') }).catch(
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(ConfigError);
    expect((refused as ConfigError).exitCode).toBe(78);
    expect((refused as ConfigError).message).toContain(
      'hadoop.security.auth_to_local.mechanism: Invalid rule mechanism: kerberos5',
    );
    expect((refused as ConfigError).message).toContain(
      // Hadoop's text: RULE:[2:$1](nn.*) parses, the rest does not.
      'hadoop.security.auth_to_local: Invalid rule: s/nn/x DEFAULT',
    );
  });

  it('refuses a bad session timeout, token auth, Kerberos without keytab or principal, a bad QOP', async () => {
    const dir = confDir(
      { 'ha.zookeeper.session-timeout.ms': '0', 'hadoop.security.authentication': 'token' },
      topology,
    );
    await expect(loadZkfcConfig({ hadoopConfDir: dir, env: {}, probe: probe('10.1.0.1') })).rejects.toThrow(
      /session-timeout\.ms: must be greater than 0[\s\S]*"token" is not supported/,
    );
    const kerberos = confDir(
      { 'hadoop.security.authentication': 'Kerberos', 'hadoop.rpc.protection': 'privacy, secret' },
      topology,
    );
    await expect(loadZkfcConfig({ hadoopConfDir: kerberos, env: {}, probe: probe('10.1.0.1') })).rejects.toThrow(
      new RegExp(
        'hadoop\\.rpc\\.protection: "privacy, secret" is not a list[\\s\\S]*' +
          'dfs\\.namenode\\.keytab\\.file: required[\\s\\S]*dfs\\.namenode\\.kerberos\\.principal: required',
      ),
    );
    const good = confDir(
      {
        'hadoop.security.authentication': 'kerberos',
        'hadoop.rpc.protection': 'privacy',
        'dfs.namenode.kerberos.principal': 'nn/_HOST@EXAMPLE.COM',
        'dfs.namenode.keytab.file.ns1.nn1': '/etc/security/keytabs/nn1.keytab',
      },
      topology,
    );
    const config = await loadZkfcConfig({ hadoopConfDir: good, env: {}, probe: probe('10.1.0.1') });
    expect(config.settings.security).toMatchObject({
      authentication: 'kerberos',
      rpcProtection: 'privacy',
      namenodePrincipal: 'nn/_HOST@EXAMPLE.COM',
      namenodeKeytab: '/etc/security/keytabs/nn1.keytab',
      fallbackToSimpleAuthAllowed: false,
    });
    await expect(loadZkfcConfig({ hadoopConfDir: '/nonexistent/conf', env: {} })).rejects.toThrow(
      /\/nonexistent\/conf.*--hadoop-conf-dir/,
    );
  });

  it('reads anti-flap (3 in 10 minutes by default, 0 = off) and refuses a window of 0 or beyond a day', async () => {
    const defaults = await loadZkfcConfig({ hadoopConfDir: confDir({}, topology), env: {}, probe: probe('10.1.0.1') });
    expect(defaults.settings.antiFlap).toEqual({ maxFailovers: 3, windowMs: 600_000 });
    const off = confDir({ 'zkfc.anti-flap.max-failovers': '0', 'zkfc.anti-flap.window.ms': '0' }, topology);
    const config = await loadZkfcConfig({ hadoopConfDir: off, env: {}, probe: probe('10.1.0.1') });
    expect(config.settings.antiFlap).toEqual({ maxFailovers: 0, windowMs: 0 });
    const zero = confDir({ 'zkfc.anti-flap.window.ms': '0' }, topology);
    await expect(loadZkfcConfig({ hadoopConfDir: zero, env: {}, probe: probe('10.1.0.1') })).rejects.toThrow(
      'zkfc.anti-flap.window.ms: must be greater than 0 while zkfc.anti-flap.max-failovers is not 0',
    );
    const long = confDir({ 'zkfc.anti-flap.window.ms': '86400001' }, topology);
    await expect(loadZkfcConfig({ hadoopConfDir: long, env: {}, probe: probe('10.1.0.1') })).rejects.toThrow(
      'zkfc.anti-flap.window.ms: 86400001 is more than a day (86400000)',
    );
    const garbage = confDir({ 'zkfc.anti-flap.max-failovers': '-1' }, topology);
    await expect(loadZkfcConfig({ hadoopConfDir: garbage, env: {}, probe: probe('10.1.0.1') })).rejects.toThrow(
      /zkfc\.anti-flap\.max-failovers/,
    );
  });

  it('reads the readiness gate (on by default) and refuses it without the cluster view or an escape time', async () => {
    const defaults = await loadZkfcConfig({ hadoopConfDir: confDir({}, topology), env: {}, probe: probe('10.1.0.1') });
    expect(defaults.settings.readiness).toEqual({
      enabled: true,
      maxEditsAgeMs: 600_000,
      maxLagTxns: 1_000_000,
      escapeAfterMs: 30_000,
      raceHandicapMs: 2000,
    });
    const noView = confDir({ 'zkfc.cluster-view.interval.ms': '0' }, topology);
    await expect(loadZkfcConfig({ hadoopConfDir: noView, env: {}, probe: probe('10.1.0.1') })).rejects.toThrow(
      /zkfc\.readiness\.enabled: the readiness gate needs zkfc\.cluster-view\.interval\.ms > 0/,
    );
    const off = confDir({ 'zkfc.cluster-view.interval.ms': '0', 'zkfc.readiness.enabled': 'false' }, topology);
    const config = await loadZkfcConfig({ hadoopConfDir: off, env: {}, probe: probe('10.1.0.1') });
    expect(config.settings.readiness.enabled).toBe(false);
    const noEscape = confDir({ 'zkfc.readiness.escape-after.ms': '0' }, topology);
    await expect(loadZkfcConfig({ hadoopConfDir: noEscape, env: {}, probe: probe('10.1.0.1') })).rejects.toThrow(
      'zkfc.readiness.escape-after.ms: must be greater than 0',
    );
  });

  it('reads the failover journal (100 entries, a file in the state directory) and refuses more than 1000', async () => {
    const defaults = await loadZkfcConfig({ hadoopConfDir: confDir({}, topology), env: {}, probe: probe('10.1.0.1') });
    expect(defaults.settings.journal).toEqual({ maxRecords: 100, file: null });
    const set = confDir({ 'zkfc.journal.max-records': '0', 'zkfc.journal.file': '/srv/journal.jsonl' }, topology);
    const config = await loadZkfcConfig({ hadoopConfDir: set, env: {}, probe: probe('10.1.0.1') });
    expect(config.settings.journal).toEqual({ maxRecords: 0, file: '/srv/journal.jsonl' });
    const many = confDir({ 'zkfc.journal.max-records': '1001' }, topology);
    await expect(loadZkfcConfig({ hadoopConfDir: many, env: {}, probe: probe('10.1.0.1') })).rejects.toThrow(
      'zkfc.journal.max-records: 1001 is more than 1000',
    );
  });

  it('says HA is not enabled with one NameNode, and names the own-file at fault', async () => {
    const single = confDir(
      {},
      { 'dfs.nameservices': 'ns1', 'dfs.ha.namenodes.ns1': 'nn1', 'dfs.namenode.rpc-address.ns1.nn1': '10.1.0.1:8020' },
    );
    await expect(loadZkfcConfig({ hadoopConfDir: single, env: {}, probe: probe('10.1.0.1') })).rejects.toThrow(
      /HA is not enabled for this namenode/,
    );
    const dir = confDir({}, topology);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ "a": [1] }');
    await expect(
      loadZkfcConfig({ hadoopConfDir: dir, configFile: bad, env: {}, probe: probe('10.1.0.1') }),
    ).rejects.toThrow(/bad\.json: value of "a"/);
  });

  it('never prints ha.zookeeper.auth', async () => {
    const dir = confDir({ 'ha.zookeeper.quorum': 'zk:2181', 'ha.zookeeper.auth': 'digest:hdfs:s3cret' }, topology);
    const config = await loadZkfcConfig({ hadoopConfDir: dir, env: {}, probe: probe('10.1.0.1') });
    const text = JSON.stringify(describeConfig(config));
    expect(text).not.toContain('s3cret');
    expect(describeConfig(config).find((r) => r.key === 'ha.zookeeper.auth')?.value).toBe('[redacted]');
  });
});
