// Goal: with ZooKeeper SASL configured as a Java ZKFC has it (a JAAS `Client` section), `zkfc
// -formatZK`, the election and an automatic failover work over a SASL ZooKeeper, Kerberos (a keytab
// login, the JAAS file named by -Djava.security.auth.login.config in HADOOP_ZKFC_OPTS) and
// DIGEST-MD5 (a DigestLoginModule user, the JAAS file named by zkfc.zookeeper.jaas.file), with
// ha.zookeeper.acl=sasl:<principal or user>:rwcda on every znode; a client without SASL gets NoAuth
// on them and says so; and a daemon whose SASL cannot work (a wrong password, a keytab without the
// principal) keeps running out of the election and says why, naming the user or principal, the
// JAAS file and the server, never the password; a missing JAAS file or section is exit 78 naming it.
// Method: a throwaway MIT KDC, two mini clusters (a ZooKeeper offers the one mechanism of its Server
// section: one Kerberos, one DIGEST-MD5), the built daemons and haadmin; the split-brain oracle.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ZkfcStatus } from '../../src/observability/status.js';
import type { ZkAcl } from '../../src/runtime/ports.js';
import { parseJaas, zkSaslLogin } from '../../src/zookeeper/jaas.js';
import { NodeZkSessionFactory } from '../../src/zookeeper/node-zk-session.js';
import { ZkSaslAuthenticator } from '../../src/zookeeper/sasl.js';
import { realClock } from '../../tools/testing/clock.js';
import { startKdc, type Kdc } from '../../tools/testing/kdc.js';
import type { MiniCluster } from '../../tools/testing/mini-cluster.js';
import { eventually } from '../../tools/testing/wait.js';
import {
  runHaadmin,
  runZkfc,
  startE2eCluster,
  stopE2eCluster,
  zkErrorCode,
  ZK_PERMISSION,
  ZkTestClient,
} from '../support/e2e-zkfc.js';

const PASSWORD = 'sasl-e2e-password-31337';
const WRONG_PASSWORD = 'not-the-sasl-password-42';
let dir: string;
let kdc: Kdc;
let krb: MiniCluster;
let digest: MiniCluster;
let principal: string;
const jaas = { krb: '', digest: '', wrongPassword: '', wrongKeytab: '' };

const krbJaas = (keytab: string, who: string): string =>
  `/* as hadoop-env.sh's HADOOP_ZKFC_OPTS names it */\nClient {\n` +
  `  com.sun.security.auth.module.Krb5LoginModule required\n  useKeyTab=true\n  keyTab="${keytab}"\n` +
  `  storeKey=true\n  useTicketCache=false\n  principal="${who}";\n};\n`;
const digestJaas = (password: string): string =>
  `Client {\n  org.apache.zookeeper.server.auth.DigestLoginModule required\n` +
  `  username="hdfs"\n  password="${password}";\n};\n`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'zkfc-sasl-e2e-'));
  kdc = await startKdc();
  principal = kdc.principal('zkfc/localhost');
  kdc.addServicePrincipals(['zookeeper/localhost'], join(dir, 'zookeeper.keytab'));
  kdc.addServicePrincipals(['zkfc/localhost'], join(dir, 'zkfc.keytab'));
  kdc.addServicePrincipals(['other/localhost'], join(dir, 'other.keytab'));
  const write = (name: string, text: string): string => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };
  jaas.krb = write('krb-jaas.conf', krbJaas(join(dir, 'zkfc.keytab'), principal));
  jaas.wrongKeytab = write('wrong-keytab-jaas.conf', krbJaas(join(dir, 'other.keytab'), principal));
  jaas.digest = write('digest-jaas.conf', digestJaas(PASSWORD));
  jaas.wrongPassword = write('wrong-password-jaas.conf', digestJaas(WRONG_PASSWORD));
  Object.assign(process.env, kdc.env);
  [krb, digest] = await Promise.all([
    startE2eCluster({
      zookeeper: {
        sasl: {
          kerberos: {
            keytab: join(dir, 'zookeeper.keytab'),
            principal: kdc.principal('zookeeper/localhost'),
            krb5Conf: kdc.krb5Conf,
          },
        },
      },
      extraConf: { 'ha.zookeeper.acl': `sasl:${principal}:rwcda` },
      zkfcEnv: { ...kdc.env, HADOOP_ZKFC_OPTS: `-Xmx256m -Djava.security.auth.login.config=${jaas.krb}` },
    }),
    startE2eCluster({
      zookeeper: { sasl: { digestUsers: { hdfs: PASSWORD } } },
      extraConf: { 'ha.zookeeper.acl': 'sasl:hdfs:rwcda', 'zkfc.zookeeper.jaas.file': jaas.digest },
    }),
  ]);
  await Promise.all([...[krb, digest].flatMap((c) => [c.startNamenode('nn1'), c.startNamenode('nn2')])]);
}, 240_000);

afterAll(async () => {
  await Promise.all([stopE2eCluster(krb), stopE2eCluster(digest)]);
  await kdc?.stop();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

async function status(cluster: MiniCluster, id: string): Promise<ZkfcStatus> {
  const answer = await cluster.zkfcStatus(id, 3000);
  if (answer === undefined) throw new Error(`zkfc ${id} does not serve /status`);
  return answer as unknown as ZkfcStatus;
}

const saslProblem = (s: ZkfcStatus): { detail: string } | undefined =>
  s.zookeeperProblems.find((problem) => problem.problem === 'zookeeper-sasl');

/** The ACLs of the election's znodes, read by a session authenticated as the daemons are. */
async function electionAcls(cluster: MiniCluster, jaasFile: string): Promise<ZkAcl[][]> {
  const text = readFileSync(jaasFile, 'utf8');
  const sasl = await ZkSaslAuthenticator.create(
    {
      jaasFile,
      section: 'Client',
      login: zkSaslLogin(parseJaas(text, jaasFile), 'Client', jaasFile),
      serverPrincipal: undefined,
      serviceName: 'zookeeper',
      canonicalizeHostName: true,
    },
    { clock: realClock },
  );
  const factory = new NodeZkSessionFactory({ clock: realClock, sasl });
  let connected!: () => void;
  const ready = new Promise<void>((resolve) => (connected = resolve));
  const session = factory.open(
    { connectString: cluster.zk.connectString, sessionTimeoutMs: 4000, authInfo: [], operationTimeoutMs: 4000 },
    (event) => {
      if (event.state === 'connected') connected();
    },
  );
  try {
    await ready;
    const base = `/hadoop-ha/${cluster.nameserviceId}`;
    const out: ZkAcl[][] = [];
    for (const path of [base, `${base}/ActiveStandbyElectorLock`, `${base}/ActiveBreadCrumb`]) {
      const result = await session.getAcl(path);
      if (result.code !== 'OK') throw new Error(`getAcl ${path}: ${result.code}`);
      out.push([...result.value.acl]);
    }
    return out;
  } finally {
    await session.close();
    sasl.stop();
  }
}

async function electAndFailOver(cluster: MiniCluster, jaasFile: string, id: string): Promise<void> {
  await Promise.all([cluster.startZkfc('nn1'), cluster.startZkfc('nn2')]);
  const first = await cluster.waitForActive(30_000);
  const other = first === 'nn1' ? 'nn2' : 'nn1';
  await eventually(async () => expect((await status(cluster, other)).electorState).toBe('STANDBY'), 15_000);
  for (const acl of await electionAcls(cluster, jaasFile))
    expect(acl).toEqual([{ scheme: 'sasl', id, perms: ZK_PERMISSION.ALL }]);

  // A client without SASL: NoAuth on the election's znodes.
  const stranger = await ZkTestClient.connect(cluster.zk.connectString);
  try {
    const base = `/hadoop-ha/${cluster.nameserviceId}`;
    for (const attempt of [
      stranger.getData(`${base}/ActiveStandbyElectorLock`),
      stranger.remove(`${base}/ActiveBreadCrumb`),
    ])
      expect(await attempt.then(() => 0, zkErrorCode)).toBe(-102); // NOAUTH
  } finally {
    await stranger.close();
  }

  await cluster.killNamenode(first);
  await cluster.waitForActive(30_000, other);
  await cluster.startNamenode(first);
  await eventually(async () => expect((await status(cluster, first)).electorState).toBe('STANDBY'), 30_000);
  expect(cluster.splitBrainViolations()).toEqual([]);
}

/** Restart the standby with `args`/`env`; it must stay up, out of the election, saying why. */
async function refusedStandby(
  cluster: MiniCluster,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  expected: readonly string[],
  secrets: readonly string[],
): Promise<void> {
  const standby = (await cluster.activeNamenodes())[0] === 'nn1' ? 'nn2' : 'nn1';
  await cluster.stopZkfc(standby);
  const child = await cluster.startZkfc(standby, args, env);
  await eventually(async () => expect(saslProblem(await status(cluster, standby))).toBeDefined(), 20_000);
  const s = await status(cluster, standby);
  for (const text of expected) expect(saslProblem(s)?.detail).toContain(text);
  expect(s.electorState).not.toBe('ACTIVE');
  expect(s.electorState).not.toBe('STANDBY');
  expect(s.zkConnectionState).not.toBe('CONNECTED');
  expect(child.exitCode).toBeNull();
  const log = readFileSync(cluster.node(standby).zkfcLog, 'utf8');
  expect(log).toContain('zookeeper SASL authentication failed');
  for (const secret of secrets) {
    expect(log).not.toContain(secret);
    expect(JSON.stringify(s)).not.toContain(secret);
  }
  expect((await cluster.stopZkfc(standby))?.code).toBe(0);
  await cluster.startZkfc(standby);
  await eventually(async () => expect((await status(cluster, standby)).electorState).toBe('STANDBY'), 30_000);
}

describe('ZooKeeper SASL with Kerberos (JAAS file from HADOOP_ZKFC_OPTS)', () => {
  it('two daemons elect over SASL; the znodes are sasl:<principal>; failover when the active dies', async () => {
    await electAndFailOver(krb, jaas.krb, principal);
  });

  it('a keytab without the principal: the daemon stays up, out of the election, naming both', async () => {
    await refusedStandby(
      krb,
      [],
      { HADOOP_ZKFC_OPTS: `-Djava.security.auth.login.config=${jaas.wrongKeytab}` },
      [principal, join(dir, 'other.keytab'), jaas.wrongKeytab, krb.zk.connectString],
      [],
    );
  });
});

describe('ZooKeeper SASL with DIGEST-MD5 (zkfc.zookeeper.jaas.file)', () => {
  it('two daemons elect over SASL; the znodes are sasl:hdfs; failover when the active dies', async () => {
    await electAndFailOver(digest, jaas.digest, 'hdfs');
  });

  it('a wrong password: the daemon stays up out of the election, naming user, JAAS file and server', async () => {
    await refusedStandby(
      digest,
      ['-D', `zkfc.zookeeper.jaas.file=${jaas.wrongPassword}`],
      {},
      ["DIGEST-MD5 as user 'hdfs'", jaas.wrongPassword, digest.zk.connectString, 'AUTHFAILED'],
      [PASSWORD, WRONG_PASSWORD],
    );
  });

  it('a missing JAAS file or section is exit 78 naming it', async () => {
    const missing = await runZkfc(digest, 'nn1', ['-D', `zkfc.zookeeper.jaas.file=${join(dir, 'nope.conf')}`]);
    expect(missing.code).toBe(78);
    expect(missing.stderr).toContain(`cannot read the JAAS file ${join(dir, 'nope.conf')} (ENOENT)`);
    const bad = join(dir, 'bad-jaas.conf');
    writeFileSync(
      bad,
      'Client {\n  org.apache.zookeeper.server.auth.DigestLoginModule mandatory username="hdfs";\n};\n',
    );
    const checked = await runZkfc(digest, 'nn1', ['-D', `zkfc.zookeeper.jaas.file=${bad}`, 'check-config']);
    expect(checked.code).toBe(78);
    expect(checked.stdout + checked.stderr).toContain(
      `JAAS configuration ${bad} line 2: invalid control flag 'mandatory'`,
    );
    const section = await runZkfc(digest, 'nn1', ['-D', 'zkfc.zookeeper.jaas.section=ZkClient']);
    expect(section.code).toBe(78);
    expect(section.stderr).toContain(`JAAS configuration ${jaas.digest}: no section 'ZkClient' (sections: Client)`);
  });

  it('haadmin without SASL gets NoAuth on the sasl znodes and says so; with it, -history works', async () => {
    // The failover journal the DIGEST-MD5 failover above wrote, with ACL sasl:hdfs.
    const stranger = await ZkTestClient.connect(digest.zk.connectString);
    const journal = await stranger.exists(`/hadoop-ha/${digest.nameserviceId}/ZkfcFailoverJournal`);
    await stranger.close();
    expect(journal).not.toBeNull();
    const refused = await runHaadmin(digest, ['-D', 'zkfc.zookeeper.jaas.file=', '-history']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('NOAUTH getChildren /hadoop-ha/ns1/ZkfcFailoverJournal');
    const history = await runHaadmin(digest, ['-history']);
    expect(history.stderr).toBe('');
    expect(history.code).toBe(0);
  });
});
