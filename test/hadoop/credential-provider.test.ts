// Goal: credential stores written by Hadoop's own `hadoop credential create`
// (org.apache.hadoop.security.alias.CredentialShell, from the Maven jars) are read as
// Configuration#getPassword reads them: hadoop.security.credential.provider.path with
// jceks://file/… and localjceks://file/… stores, the store password from $HADOOP_CREDSTORE_PASSWORD,
// else the file of hadoop.security.credstore.java-keystore-provider.password-file (in the
// configuration directory), else "none"; an alias in a provider wins over the XML, and with
// hadoop.security.credential.clear-text-fallback=false the XML is not read at all; a jceks://hdfs@…
// provider is skipped as the ZKFC skips it. ha.zookeeper.auth and the ZooKeeper TLS passwords are
// read this way. A wrong store password and a damaged store each give a ConfigError naming the
// alias, the provider and its file, and never a password.
// Method: CredentialShell on Hadoop's jars writes the stores; loadZkfcConfig reads a real Hadoop
// XML configuration naming them.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeConfig, loadZkfcConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';
import { configurationXml } from '../../tools/testing/conf-xml.js';
import { ensureHadoop, runProcess } from '../../tools/testing/hadoop/real-cluster.js';

const VERSION = process.env['HADOOP_VERSION'] ?? '3.4.2';
let classpath: string;
let dir: string;

/** `hadoop credential <args>` with Hadoop's jars. */
async function credential(args: readonly string[], env: Record<string, string> = {}): Promise<string> {
  const run = await runProcess(
    'java',
    [
      '-XX:TieredStopAtLevel=1',
      '-XX:+UseSerialGC',
      '-cp',
      classpath,
      'org.apache.hadoop.security.alias.CredentialShell',
      ...args,
    ],
    120_000,
    env,
  );
  if (run.code !== 0)
    throw new Error(`CredentialShell ${args.join(' ')} exited ${run.code}: ${run.stderr}${run.stdout}`);
  return run.stdout;
}

beforeAll(async () => {
  classpath = join(ensureHadoop(VERSION), 'lib/*');
  dir = mkdtempSync(join(tmpdir(), 'zkfc-credentials-'));
  // The default store password ("none"), as an operator gets without setting one.
  const defaults: readonly (readonly [string, string])[] = [
    ['ha.zookeeper.auth', 'digest:hdfs:from-the-store'],
    ['hadoop.zk.ssl.truststore.password', 'trust-from-the-store'],
  ];
  for (const [alias, value] of defaults)
    await credential(['create', alias, '-value', value, '-provider', `jceks://file${dir}/default.jceks`]);
  // A store with a password of its own, read from $HADOOP_CREDSTORE_PASSWORD or a password file.
  await credential(
    [
      'create',
      'ha.zookeeper.auth',
      '-value',
      'digest:hdfs:local-store',
      '-provider',
      `localjceks://file${dir}/own.jceks`,
    ],
    { HADOOP_CREDSTORE_PASSWORD: 'store-password-1' },
  );
}, 300_000);

afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

const HDFS: Record<string, string> = {
  'ha.zookeeper.quorum': 'zk1:2181',
  'dfs.nameservices': 'ns1',
  'dfs.ha.namenodes.ns1': 'nn1,nn2',
  'dfs.namenode.rpc-address.ns1.nn1': '10.1.0.1:8020',
  'dfs.namenode.rpc-address.ns1.nn2': '10.1.0.2:8020',
  'dfs.ha.fencing.methods': 'shell(/bin/true)',
  'dfs.ha.automatic-failover.enabled': 'true',
};

async function load(core: Record<string, string>, env: Record<string, string> = {}) {
  const confDir = mkdtempSync(join(dir, 'conf-'));
  writeFileSync(join(confDir, 'core-site.xml'), configurationXml(core));
  writeFileSync(join(confDir, 'hdfs-site.xml'), configurationXml(HDFS));
  writeFileSync(join(confDir, 'credstore.password'), 'store-password-1\n');
  return loadZkfcConfig({
    hadoopConfDir: confDir,
    env,
    probe: { localAddresses: () => ['10.1.0.1'], resolve: async (host: string) => [host] },
  });
}

async function refusal(core: Record<string, string>, env: Record<string, string> = {}): Promise<ConfigError> {
  const error = await load(core, env).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe('credential providers written by hadoop credential create', () => {
  it('jceks://file, default password: the store wins over the XML (ha.zookeeper.auth, a TLS password)', async () => {
    const provider = `jceks://file${dir}/default.jceks`;
    const config = await load({
      'hadoop.security.credential.provider.path': provider,
      'ha.zookeeper.auth': 'digest:hdfs:from-the-xml',
      'hadoop.zk.ssl.keystore.password': 'key-from-the-xml',
    });
    expect(config.settings.zk.auth).toBe('digest:hdfs:from-the-store');
    expect(config.sourceOf('ha.zookeeper.auth')).toBe(`credential provider ${provider}`);
    expect(config.settings.zkSsl.truststorePassword).toBe('trust-from-the-store');
    // No alias in the store: the XML (clear-text fallback, on by default).
    expect(config.settings.zkSsl.keystorePassword).toBe('key-from-the-xml');
    const shown = JSON.stringify(describeConfig(config));
    expect(shown).not.toContain('from-the-store');
  });

  it('localjceks://file with $HADOOP_CREDSTORE_PASSWORD, or with the password file in the conf directory', async () => {
    const provider = `localjceks://file${dir}/own.jceks`;
    const byEnv = await load(
      { 'hadoop.security.credential.provider.path': provider },
      { HADOOP_CREDSTORE_PASSWORD: 'store-password-1' },
    );
    expect(byEnv.settings.zk.auth).toBe('digest:hdfs:local-store');
    const byFile = await load({
      'hadoop.security.credential.provider.path': provider,
      'hadoop.security.credstore.java-keystore-provider.password-file': 'credstore.password',
    });
    expect(byFile.settings.zk.auth).toBe('digest:hdfs:local-store');
  });

  it('providers are asked in order; a jceks://hdfs@ provider is skipped as by the ZKFC', async () => {
    const config = await load({
      'hadoop.security.credential.provider.path': [
        'jceks://hdfs@nn1.example.com:8020/creds.jceks',
        `jceks://file${dir}/missing.jceks`,
        `jceks://file${dir}/default.jceks`,
      ].join(','),
    });
    expect(config.settings.zk.auth).toBe('digest:hdfs:from-the-store');
  });

  it('clear-text fallback off: a password no provider holds is unset, whatever the XML says', async () => {
    const config = await load({
      'hadoop.security.credential.provider.path': `jceks://file${dir}/default.jceks`,
      'hadoop.security.credential.clear-text-fallback': 'false',
      'hadoop.zk.ssl.keystore.password': 'key-from-the-xml',
    });
    expect(config.settings.zkSsl.keystorePassword).toBeNull();
    expect(config.settings.zk.auth).toBe('digest:hdfs:from-the-store');
  });

  it('a wrong store password: names the alias, the provider, the file and where the password came from', async () => {
    const provider = `localjceks://file${dir}/own.jceks`;
    const error = await refusal(
      { 'hadoop.security.credential.provider.path': provider },
      { HADOOP_CREDSTORE_PASSWORD: 'not-the-password' },
    );
    expect(error.message).toContain(
      `ha.zookeeper.auth: cannot read ha.zookeeper.auth from credential provider ${provider} (${dir}/own.jceks): ` +
        'Keystore was tampered with, or password was incorrect ' +
        '(the store password comes from $HADOOP_CREDSTORE_PASSWORD)',
    );
    expect(error.message).not.toContain('not-the-password');
    // Without a password anywhere, "none" is tried: wrong for this store too.
    expect((await refusal({ 'hadoop.security.credential.provider.path': provider })).message).toContain(
      'the store password comes from the default "none"',
    );
  });

  it('a damaged store: names the alias, the provider and the file', async () => {
    const damaged = join(dir, 'damaged.jceks');
    const bytes = readFileSync(join(dir, 'default.jceks'));
    bytes[bytes.length - 40] = bytes[bytes.length - 40]! ^ 0xff;
    writeFileSync(damaged, bytes);
    const error = await refusal({ 'hadoop.security.credential.provider.path': `jceks://file${damaged}` });
    expect(error.message).toContain(
      `cannot read ha.zookeeper.auth from credential provider jceks://file${damaged} (${damaged})`,
    );
    const garbage = join(dir, 'garbage.jceks');
    writeFileSync(garbage, Buffer.from([0xce, 0xce, 0xce, 0xce, 0, 0, 0, 2, 0, 0, 0, 9]));
    const truncated = await refusal({ 'hadoop.security.credential.provider.path': `jceks://file${garbage}` });
    expect(truncated.message).toContain(`(${garbage}): not a well-formed JCEKS key store`);
  });

  it('a provider zkfc cannot read is refused naming the key', async () => {
    const error = await refusal({ 'hadoop.security.credential.provider.path': 'kms://http@kms.example.com:9600/kms' });
    expect(error.key).toBe('hadoop.security.credential.provider.path');
    expect(error.message).toContain('provider kms://http@kms.example.com:9600/kms is not supported');
  });
});
