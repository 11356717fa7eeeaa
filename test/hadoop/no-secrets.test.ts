// Goal: issue 13's "no password or key material appears in any log, status page, metric or error",
// checked with one daemon configuration holding every secret it can have, each distinctive: the
// ZooKeeper TLS keystore password (from a credential store written by Hadoop's `hadoop credential
// create`), the truststore password (in the XML), ha.zookeeper.auth's digest password (from the
// store), the credential store's own password ($HADOOP_CREDSTORE_PASSWORD) and the DIGEST-MD5
// password of the JAAS Client section (ZooKeeper SASL). The daemons elect and fail over over TLS
// with SASL; then a daemon with an unreadable keystore or a wrong truststore password stays out of
// the election (and check-config exits 78 naming the setting), and a wrong store password refuses
// to start. No secret (nor a line of the client's private key) is in the daemons' logs, /status
// JSON, the status page's HTML, /metrics, haadmin's output or the errors.
// Method: CredentialShell on Hadoop's jars writes the store (why this is a hadoop-layer test); a
// MiniCluster whose ZooKeeper serves TLS only with a DIGEST-MD5 Server section; keytool/openssl stores.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ZkfcStatus } from '../../src/observability/status.js';
import { ensureHadoop, runProcess } from '../../tools/testing/hadoop/real-cluster.js';
import type { MiniCluster } from '../../tools/testing/mini-cluster.js';
import { makeTlsFixture, type TlsFixture } from '../../tools/testing/tls-certs.js';
import { eventually } from '../../tools/testing/wait.js';
import { httpGet, runHaadmin, runZkfc, startE2eCluster, stopE2eCluster } from '../support/e2e-zkfc.js';

const KEYSTORE_PASSWORD = 'Keystore-Pw-9q1zK';
const TRUSTSTORE_PASSWORD = 'Truststore-Pw-4k8mT';
const DIGEST_PASSWORD = 'Digest-Pw-2v6xD';
const CREDSTORE_PASSWORD = 'Credstore-Pw-5n3cC';
const JAAS_PASSWORD = 'Jaas-Pw-8b7wJ';
const WRONG_PASSWORD = 'Wrong-Pw-0h5tW';
const SECRETS = [KEYSTORE_PASSWORD, TRUSTSTORE_PASSWORD, DIGEST_PASSWORD, CREDSTORE_PASSWORD, JAAS_PASSWORD];

let dir: string;
let fixture: TlsFixture;
let cluster: MiniCluster;
let provider: string;
/** Lines of base64 from the client's private key block. */
let keyLines: string[];

async function run(command: string, args: readonly string[], env: Record<string, string> = {}): Promise<void> {
  const result = await runProcess(command, args, 120_000, env);
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
}

beforeAll(async () => {
  const classpath = join(ensureHadoop(process.env['HADOOP_VERSION'] ?? '3.4.2'), 'lib/*');
  dir = mkdtempSync(join(tmpdir(), 'zkfc-no-secrets-'));
  provider = `localjceks://file${dir}/zkfc.jceks`;
  const credential = (alias: string, value: string): Promise<void> =>
    run(
      'java',
      ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-cp', classpath]
        .concat(['org.apache.hadoop.security.alias.CredentialShell', 'create', alias, '-value', value])
        .concat(['-provider', provider]),
      { HADOOP_CREDSTORE_PASSWORD: CREDSTORE_PASSWORD },
    );
  fixture = await makeTlsFixture(join(dir, 'tls'), KEYSTORE_PASSWORD);
  await credential('hadoop.zk.ssl.keystore.password', KEYSTORE_PASSWORD);
  await credential('ha.zookeeper.auth', `digest:hdfs:${DIGEST_PASSWORD}`);
  const truststore = join(dir, 'truststore.p12');
  await run('keytool', [
    ...['-importcert', '-noprompt', '-storetype', 'PKCS12', '-alias', 'ca', '-file', fixture.caPem],
    ...['-keystore', truststore, '-storepass', TRUSTSTORE_PASSWORD],
  ]);
  const pem = readFileSync(fixture.client.keyAndCertPem, 'utf8');
  const key = /-----BEGIN PRIVATE KEY-----\n([\s\S]*?)-----END PRIVATE KEY-----/.exec(pem)?.[1] ?? '';
  keyLines = key.split('\n').filter((line) => line.length >= 16);
  expect(keyLines.length).toBeGreaterThan(0);
  const jaas = join(dir, 'jaas.conf');
  writeFileSync(
    jaas,
    `Client {\n  org.apache.zookeeper.server.auth.DigestLoginModule required\n` +
      `  username="hdfs"\n  password="${JAAS_PASSWORD}";\n};\n`,
  );
  cluster = await startE2eCluster({
    zookeeper: {
      tls: {
        keyAndCertPem: fixture.server.keyAndCertPem,
        trustPem: fixture.caPem,
        only: true,
        adminKeyAndCertPem: fixture.client.keyAndCertPem,
      },
      sasl: { digestUsers: { hdfs: JAAS_PASSWORD } },
    },
    extraConf: {
      'dfs.ha.zkfc.client.ssl.enabled': 'true',
      'hadoop.zk.ssl.keystore.location': fixture.client.p12,
      'hadoop.zk.ssl.truststore.location': truststore,
      'hadoop.zk.ssl.truststore.password': TRUSTSTORE_PASSWORD,
      'hadoop.security.credential.provider.path': provider,
      'zkfc.zookeeper.jaas.file': jaas,
      'ha.zookeeper.acl': 'sasl:hdfs:rwcda',
    },
    zkfcEnv: { HADOOP_CREDSTORE_PASSWORD: CREDSTORE_PASSWORD },
  });
  await Promise.all([cluster.startNamenode('nn1'), cluster.startNamenode('nn2')]);
}, 300_000);

afterAll(async () => {
  await stopE2eCluster(cluster);
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

async function status(id: string): Promise<ZkfcStatus> {
  const answer = await cluster.zkfcStatus(id, 3000);
  if (answer === undefined) throw new Error(`zkfc ${id} does not serve /status`);
  return answer as unknown as ZkfcStatus;
}

/** Everything a daemon shows: its log, /status, the status page, /metrics. */
async function everythingShownBy(id: string): Promise<Record<string, string>> {
  const shown: Record<string, string> = { log: readFileSync(cluster.node(id).zkfcLog, 'utf8') };
  for (const path of ['/status', '/', '/metrics']) {
    const answer = await httpGet(cluster.node(id).statusPort, path);
    expect(answer.status).toBe(200);
    shown[path] = answer.body;
  }
  return shown;
}

function expectNoSecret(where: Record<string, string>, extra: readonly string[] = []): void {
  for (const [name, text] of Object.entries(where)) {
    expect(text.length, name).toBeGreaterThan(0);
    for (const secret of [...SECRETS, ...extra, ...keyLines]) {
      expect(text.includes(secret), `${name} shows ${secret}`).toBe(false);
    }
  }
}

describe('no password or key material anywhere (TLS, SASL, digest, credential store)', () => {
  it('two daemons elect and fail over; logs, /status, status page, /metrics, haadmin: no secret', async () => {
    await Promise.all([cluster.startZkfc('nn1'), cluster.startZkfc('nn2')]);
    const first = await cluster.waitForActive(30_000);
    const other = first === 'nn1' ? 'nn2' : 'nn1';
    await eventually(async () => expect((await status(other)).electorState).toBe('STANDBY'), 15_000);
    await cluster.killNamenode(first);
    await cluster.waitForActive(30_000, other);

    const haadmin: Record<string, string> = {};
    for (const args of [['-getServiceState', other], ['history'], ['status']]) {
      const out = await runHaadmin(cluster, args, { env: { HADOOP_CREDSTORE_PASSWORD: CREDSTORE_PASSWORD } });
      haadmin[`haadmin ${args.join(' ')}`] = `${out.stdout}${out.stderr} (exit ${out.code})`;
    }
    expect(haadmin['haadmin -getServiceState ' + other]).toContain('active');
    const check = await runZkfc(cluster, first, ['check-config']);
    expect(check.code).toBe(0);
    // The settings read from the store show where they came from, not their values.
    expect(check.stdout).toContain(`credential provider ${provider}`);
    expectNoSecret({
      ...(await everythingShownBy('nn1')),
      ...Object.fromEntries(Object.entries(await everythingShownBy('nn2')).map(([k, v]) => [`nn2 ${k}`, v])),
      ...haadmin,
      'zkfc check-config': `${check.stdout}${check.stderr} (exit ${check.code})`,
    });
    expect(cluster.splitBrainViolations()).toEqual([]);
  });

  it.each([
    ['an unreadable keystore (a directory)', (): [string, string] => ['hadoop.zk.ssl.keystore.location', dir]],
    ['a wrong truststore password', (): [string, string] => ['hadoop.zk.ssl.truststore.password', WRONG_PASSWORD]],
  ])('%s: out of the election, naming the setting, and still no secret shown', async (_name, setting) => {
    const [key, value] = setting();
    const standby = (await cluster.activeNamenodes())[0] === 'nn1' ? 'nn2' : 'nn1';
    await cluster.stopZkfc(standby);
    const child = await cluster.startZkfc(standby, ['-D', `${key}=${value}`]);
    await eventually(async () => {
      const problem = (await status(standby)).zookeeperProblems.find((p) => p.problem === 'zookeeper-tls');
      expect(problem?.detail).toContain(key.replace(/password$/, 'location'));
    }, 20_000);
    const s = await status(standby);
    expect(s.electorState).not.toMatch(/^(ACTIVE|STANDBY)$/);
    if (key.endsWith('.location')) expect(JSON.stringify(s.zookeeperProblems)).toContain(dir);
    expect(child.exitCode).toBeNull();
    // zkfc check-config reads both stores too: exit 78 naming the setting.
    const check = await runZkfc(cluster, standby, ['-D', `${key}=${value}`, 'check-config']);
    expect(check.code).toBe(78);
    expect(check.stdout + check.stderr).toContain(key.replace(/password$/, 'location'));
    expectNoSecret({ ...(await everythingShownBy(standby)), 'zkfc check-config': check.stdout + check.stderr }, [
      WRONG_PASSWORD,
    ]);
    expect((await cluster.stopZkfc(standby))?.code).toBe(0);
  });

  it('a wrong credential store password: exit 78 naming alias, provider and file, no password', async () => {
    const out = await runZkfc(cluster, 'nn1', ['check-config'], {
      env: { HADOOP_CREDSTORE_PASSWORD: WRONG_PASSWORD },
    });
    expect(out.code).toBe(78);
    const text = out.stdout + out.stderr;
    expect(text).toContain(provider);
    expect(text).toContain(`${dir}/zkfc.jceks`);
    expect(text).toMatch(/hadoop\.zk\.ssl\.keystore\.password|ha\.zookeeper\.auth/);
    expectNoSecret({ 'zkfc check-config': text }, [WRONG_PASSWORD]);
  });
});
