// Goal: issue 13's "Done when" on one secure nameservice: two kerberized NameNodes (QJM, whose
// JournalNodes are kerberized too) with hadoop.rpc.protection=privacy and service-level
// authorization on (hadoop.security.authorization, an administrator ACL: dfs.cluster.administrators
// and the service ACLs of HAServiceProtocol and ZKFCProtocol), ZooKeeper over TLS only (client
// certificates required) with Kerberos SASL (a JAAS Client section, as HADOOP_ZKFC_OPTS names it)
// and ha.zookeeper.acl=sasl:nn/localhost@REALM:rwcda. On it: (1) our zkfc beside both NameNodes
// fails over a crashed active, fencing it with the shell method; (2) Hadoop's own
// `hdfs haadmin -failover` (DFSHAAdmin 3.4.2) run with an administrator's ticket cache (KRB5CCNAME)
// moves the active through our ZKFCProtocol servers and back; (3) Hadoop's DFSZKFailoverController,
// kerberized (keytab login), on ZooKeeper over TLS as Hadoop 3.4 configures it
// (SecurityUtil#setSslConfiguration from hadoop.zk.ssl.*) and with the same JAAS file, replaces our
// zkfc beside nn1: crash failover both ways and graceful -failover both ways. The election's znodes
// carry the sasl: ACL (ZooKeeper's own shell authenticated as nn reads it; without SASL it may not).
// At every sample through all steps at most one NameNode is active.
// Method: tools/testing/kdc.ts (a throwaway MIT realm), tools/testing/tls-certs.ts (stores made by
// openssl and keytool), tools/testing/zk-server.ts with TLS only and SASL,
// tools/testing/hadoop/real-cluster.ts with real JVMs (no DataNode: a secure DataNode needs
// privileged ports or SASL data transfer, and no step writes blocks); the NameNodes' JMX view
// decides who is active, sampled in the background.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKdc, type Kdc } from '../../tools/testing/kdc.js';
import { RealCluster, type RunResult } from '../../tools/testing/hadoop/real-cluster.js';
import { makeTlsFixture, type TlsFixture } from '../../tools/testing/tls-certs.js';
import { sleep } from '../../tools/testing/wait.js';
import { ensureDistBuilt } from '../support/e2e-zkfc.js';
import { ClusterSteps } from '../support/cluster-steps.js';

let kdc: Kdc;
let tls: TlsFixture;
let cluster: RealCluster;
/** The administrator's ticket cache (alice is in dfs.cluster.administrators). */
let adminCache: string;
const steps = new ClusterSteps(() => cluster?.baseDir);
const step = (fn: () => Promise<void>): Promise<void> => steps.step(fn);

/** Samples of the NameNodes' own view, taken every 200 ms from start-up to the end. */
const samples: { atMs: number; active: string[] }[] = [];
let sampling = false;
let sampler: Promise<void> | undefined;

async function sampleActives(): Promise<void> {
  while (sampling) {
    samples.push({ atMs: Date.now(), active: await cluster.activeNameNodes() });
    await sleep(200);
  }
}

beforeAll(async () => {
  await ensureDistBuilt();
  kdc = await startKdc();
  tls = await makeTlsFixture(join(kdc.baseDir, 'tls'));
  const realm = kdc.realm;
  // One keytab for the NameNodes, JournalNodes and both failover controllers (nn/localhost), and
  // the SPNEGO principals of their HTTP servers (image and edit transfers between them).
  const keytab = kdc.addServicePrincipals(
    ['nn/localhost', 'HTTP/localhost', 'HTTP/127.0.0.1'],
    join(kdc.baseDir, 'keytabs/hdfs.keytab'),
  );
  kdc.addUser('alice', 'alice-password');
  adminCache = `FILE:${join(kdc.baseDir, 'alice.ccache')}`;
  kdc.kinitPassword('alice', 'alice-password', adminCache);
  // ZooKeeper's own principal, and the JAAS Client section both controllers log in to ZooKeeper with.
  const zkKeytab = kdc.addServicePrincipals(['zookeeper/localhost'], join(kdc.baseDir, 'keytabs/zookeeper.keytab'));
  const jaas = join(kdc.baseDir, 'zkfc-jaas.conf');
  writeFileSync(
    jaas,
    'Client {\n  com.sun.security.auth.module.Krb5LoginModule required\n  useKeyTab=true\n' +
      `  keyTab="${keytab}"\n  storeKey=true\n  useTicketCache=false\n` +
      `  principal="${kdc.principal('nn/localhost')}";\n};\n`,
  );
  // Every JVM gets the JAAS file (Hadoop's ZKFC and ZooKeeper's shell use it; the NameNodes and
  // JournalNodes log in through UserGroupInformation, which does not read it); our zkfc reads it
  // from HADOOP_ZKFC_OPTS, as it would on a host set up for Hadoop's ZKFC.
  const jaasFlag = `-Djava.security.auth.login.config=${jaas}`;
  cluster = await RealCluster.start({
    sessionTimeoutMs: 5000,
    checkIntervalMs: 1000,
    healthRpcTimeoutMs: 5000,
    dataNode: false,
    jvmFlags: [...kdc.javaOptions, jaasFlag],
    // No ticket cache for the daemons: each logs in from the keytab.
    env: {
      ...kdc.env,
      KRB5CCNAME: `FILE:${join(kdc.baseDir, 'nobody.ccache')}`,
      HADOOP_ZKFC_OPTS: `-Xmx256m ${jaasFlag}`,
    },
    zooKeeper: {
      tls: {
        keyAndCertPem: tls.server.keyAndCertPem,
        trustPem: tls.caPem,
        only: true,
        adminKeyAndCertPem: tls.client.keyAndCertPem,
      },
      sasl: {
        kerberos: { keytab: zkKeytab, principal: kdc.principal('zookeeper/localhost'), krb5Conf: kdc.krb5Conf },
      },
    },
    coreSite: {
      'hadoop.security.authentication': 'kerberos',
      'hadoop.security.authorization': 'true',
      'hadoop.rpc.protection': 'privacy',
      // Service ACLs ("users groups"): the controllers and NameNodes run as nn, the administrator is alice.
      'security.ha.service.protocol.acl': 'nn,alice',
      'security.zkfc.protocol.acl': 'nn,alice',
      'ipc.client.connect.max.retries': '3',
      'ipc.client.connect.retry.interval': '200',
      'ipc.client.rpc-timeout.ms': '20000',
      // ZooKeeper over TLS, Hadoop 3.4's keys (SecurityUtil#setSslConfiguration); keytool's PKCS12
      // stores, typed by their .p12 name. The switch is in hdfs-site below.
      'hadoop.zk.ssl.keystore.location': tls.client.p12,
      'hadoop.zk.ssl.keystore.password': tls.password,
      'hadoop.zk.ssl.truststore.location': tls.trust.p12,
      'hadoop.zk.ssl.truststore.password': tls.password,
      'ha.zookeeper.acl': `sasl:${kdc.principal('nn/localhost')}:rwcda`,
    },
    hdfsSite: {
      'dfs.namenode.kerberos.principal': `nn/_HOST@${realm}`,
      'dfs.namenode.keytab.file': keytab,
      'dfs.journalnode.kerberos.principal': `nn/_HOST@${realm}`,
      'dfs.journalnode.keytab.file': keytab,
      'dfs.journalnode.kerberos.internal.spnego.principal': `HTTP/_HOST@${realm}`,
      'dfs.web.authentication.kerberos.principal': `HTTP/_HOST@${realm}`,
      'dfs.web.authentication.kerberos.keytab': keytab,
      'dfs.namenode.kerberos.internal.spnego.principal': `HTTP/_HOST@${realm}`,
      'dfs.block.access.token.enable': 'true',
      'dfs.cluster.administrators': 'alice',
      // DFSZKFailoverController#isSSLEnabled. In hdfs-site: Hadoop's HdfsConfiguration loads
      // hdfs-default.xml (false) after core-site.xml, so this key in core-site would not count for it.
      'dfs.ha.zkfc.client.ssl.enabled': 'true',
    },
  });
  sampling = true;
  sampler = sampleActives();
  await cluster.startController('nn1', 'ours');
  await cluster.startController('nn2', 'ours');
}, 300_000);

afterAll(async () => {
  sampling = false;
  await sampler;
  await cluster?.stop({ keepLogs: steps.failed });
  await kdc?.stop();
}, 60_000);

/** Where Hadoop's ZKFC starts in zkfc-nn1.log: our zkfc for nn1 wrote the lines before. */
let hadoopZkfcStart = 0;
const hadoopZkfcLog = (): string => readFileSync(join(cluster.logsDir, 'zkfc-nn1.log'), 'utf8').slice(hadoopZkfcStart);

/** Hadoop's `hdfs haadmin` with the administrator's ticket cache. */
const adminHaAdmin = (args: readonly string[]): Promise<RunResult> =>
  cluster.hadoopHaAdmin(args, '', { KRB5CCNAME: adminCache });

/**
 * ZooKeeper's own shell (ZooKeeperMain from Hadoop's zookeeper jar) over TLS with the client stores,
 * reading `commands` from stdin (no JLine on the classpath); stdout and stderr together.
 */
async function zkCli(commands: readonly string[], sasl = true): Promise<string> {
  const clientConf = join(cluster.baseDir, `zk-client-${sasl ? 'sasl' : 'anonymous'}.properties`);
  writeFileSync(
    clientConf,
    [
      'zookeeper.client.secure=true',
      'zookeeper.clientCnxnSocket=org.apache.zookeeper.ClientCnxnSocketNetty',
      `zookeeper.ssl.keyStore.location=${tls.client.p12}`,
      `zookeeper.ssl.keyStore.password=${tls.password}`,
      `zookeeper.ssl.trustStore.location=${tls.trust.p12}`,
      `zookeeper.ssl.trustStore.password=${tls.password}`,
      `zookeeper.sasl.client=${sasl}`,
      '',
    ].join('\n'),
  );
  // The shell sends stdin's commands as soon as it starts; one sent while its first TLS connection
  // attempt fails comes back as ConnectionLoss: ask again (ZooKeeper's answer is what is checked).
  let output = '';
  for (let attempt = 1; attempt <= 3; attempt++) {
    const run = await cluster.runJava(
      'zkcli',
      'org.apache.zookeeper.ZooKeeperMain',
      ['-client-configuration', clientConf, '-server', cluster.zk.secureConnectString!],
      60_000,
      '96m',
      [...commands, 'quit', ''].join('\n'),
    );
    output = run.stdout + run.stderr;
    if (!output.includes('ConnectionLoss')) break;
  }
  return output;
}

/** Samples so far in which more than one NameNode said it was active. */
const overlaps = (): { atMs: number; active: string[] }[] => samples.filter((s) => s.active.length > 1);

async function crash(id: string, survivor: string): Promise<void> {
  await cluster.waitForActive(id, 60_000);
  await cluster.killNameNode(id);
  await cluster.waitForActive(survivor, 90_000);
}

/**
 * Restart a crashed NameNode and wait until it is standby and its controller (ours or Hadoop's, both
 * log to node(id).zkfcLog) has seen it healthy again: before that, a graceful failover to it is
 * refused (ZKFailoverController#checkEligibleForFailover: "not currently healthy").
 */
async function restartAsStandby(id: string): Promise<void> {
  const log = cluster.node(id).zkfcLog;
  const mark = readFileSync(log, 'utf8').length;
  await cluster.startNameNode(id);
  await cluster.waitFor(async () => (await cluster.haState(id)) === 'standby', 90_000, `${id} standby`);
  await cluster.waitFor(
    async () =>
      /"to":"SERVICE_HEALTHY"|"state":"SERVICE_HEALTHY"|entered state: SERVICE_HEALTHY/.test(
        readFileSync(log, 'utf8').slice(mark),
      ),
    90_000,
    `the controller of ${id} seeing it SERVICE_HEALTHY again`,
  );
}

describe('a secure nameservice: Kerberos with privacy, service ACLs, ZooKeeper over TLS with SASL', () => {
  it('our zkfc beside both NameNodes: the crashed active is fenced, the other becomes active', () =>
    step(async () => {
      await cluster.waitFor(async () => (await cluster.activeNameNodes()).length === 1, 90_000, 'one active NameNode');
      const [first] = await cluster.activeNameNodes();
      const other = first === 'nn1' ? 'nn2' : 'nn1';
      for (const id of ['nn1', 'nn2']) {
        const log = readFileSync(cluster.node(id).zkfcLog, 'utf8');
        expect(log).toContain('Kerberos logged in from keytab');
      }
      await crash(first!, other);
      expect(readFileSync(cluster.node(other).zkfcLog, 'utf8')).toMatch(/fencing successful/i);
      await restartAsStandby(first!);
      expect(await cluster.activeNameNodes()).toEqual([other]);
      // Kerberos everywhere: the controllers at the NameNode, the NameNodes at the JournalNodes.
      for (const log of [cluster.node(other).log, join(cluster.logsDir, 'jn1.log')])
        expect(readFileSync(log, 'utf8')).toMatch(/Auth successful for nn\/localhost@ZKFC\.TEST \(auth:KERBEROS\)/);
    }));

  it("Hadoop's hdfs haadmin -failover, as the administrator, through our ZKFCProtocol servers and back", () =>
    step(async () => {
      const [from] = await cluster.activeNameNodes();
      const to = from === 'nn1' ? 'nn2' : 'nn1';
      const there = await adminHaAdmin(['-failover', from!, to]);
      expect(there.code, there.stderr + there.stdout).toBe(0);
      expect(there.stdout).toMatch(/Failover to NameNode at localhost\/127\.0\.0\.1:\d+ successful/);
      await cluster.waitForActive(to, 60_000);
      const back = await adminHaAdmin(['-failover', to, from!]);
      expect(back.code, back.stderr + back.stdout).toBe(0);
      await cluster.waitForActive(from!, 60_000);
      expect(cluster.isNameNodeRunning('nn1') && cluster.isNameNodeRunning('nn2')).toBe(true);
      // The target's controller served gracefulFailover to alice, over privacy.
      const logs = ['nn1', 'nn2'].map((id) => readFileSync(cluster.node(id).zkfcLog, 'utf8')).join('\n');
      expect(logs).toContain(kdc.principal('alice'));
      // A user who is not an administrator has no ticket here: without one the call is refused.
      const none = await cluster.hadoopHaAdmin(['-failover', from!, to]);
      expect(none.code).not.toBe(0);
      expect(await cluster.activeNameNodes()).toEqual([from]);
    }));

  it("mixed: Hadoop's kerberized ZKFC on ZooKeeper TLS beside nn1, ours beside nn2: crash both ways", () =>
    step(async () => {
      // nn2 active under ours (the failover back above ends there when step 1 started with nn1).
      if ((await cluster.activeNameNodes())[0] !== 'nn2') {
        const move = await adminHaAdmin(['-failover', 'nn1', 'nn2']);
        expect(move.code, move.stderr + move.stdout).toBe(0);
        await cluster.waitForActive('nn2', 60_000);
      }
      await cluster.stopController('nn1');
      hadoopZkfcStart = hadoopZkfcLog().length;
      await cluster.startController('nn1', 'hadoop');
      await cluster.waitFor(
        async () => hadoopZkfcLog().includes('entered state: SERVICE_HEALTHY'),
        90_000,
        "Hadoop's ZKFC seeing nn1 SERVICE_HEALTHY",
      );
      const javaLog = hadoopZkfcLog();
      expect(javaLog).toContain('Configuring the ZooKeeper client to use SSL/TLS encryption');
      expect(javaLog).toMatch(/Login successful for user nn\/localhost@ZKFC\.TEST using keytab file/);

      await crash('nn2', 'nn1');
      // Its own line, written just after the NameNode (which the wait above watched) became active.
      await cluster.waitFor(
        async () => /Successfully transitioned NameNode at .* to active state/.test(hadoopZkfcLog()),
        10_000,
        "Hadoop's ZKFC logging the transition of nn1 to active",
      );
      await restartAsStandby('nn2');

      await crash('nn1', 'nn2');
      expect(readFileSync(cluster.node('nn2').zkfcLog, 'utf8')).toMatch(/fencing successful/i);
      await restartAsStandby('nn1');
    }));

  it('mixed: graceful -failover both ways between the two controllers', () =>
    step(async () => {
      let toJava = await adminHaAdmin(['-failover', 'nn2', 'nn1']);
      if (toJava.code !== 0 && /EOFException|Couldn't make NameNode/.test(toJava.stdout + toJava.stderr)) {
        // Hadoop 3.4.2's ZKFC: its first transitionToActive after its NameNode restarted can fail on
        // a stale IPC connection; its elector retries (test/hadoop/mixed.test.ts says more).
        await cluster.waitFor(
          async () => (await cluster.activeNameNodes()).length === 1,
          30_000,
          'one active after the Java retry',
        );
        if ((await cluster.activeNameNodes())[0] !== 'nn1') toJava = await adminHaAdmin(['-failover', 'nn2', 'nn1']);
        else toJava = { ...toJava, code: 0 };
      }
      expect(toJava.code, toJava.stderr + toJava.stdout).toBe(0);
      await cluster.waitForActive('nn1', 60_000);
      expect(readFileSync(cluster.node('nn2').zkfcLog, 'utf8')).toMatch(/cede/i);
      const toOurs = await adminHaAdmin(['-failover', 'nn1', 'nn2']);
      expect(toOurs.code, toOurs.stderr + toOurs.stdout).toBe(0);
      await cluster.waitForActive('nn2', 60_000);
      expect(hadoopZkfcLog()).toMatch(/Requested by .* to cede active role/);
      expect(cluster.isNameNodeRunning('nn1') && cluster.isNameNodeRunning('nn2')).toBe(true);
    }));

  it("the election's znodes carry the sasl: ACL; both controllers authenticated to ZooKeeper with Kerberos", () =>
    step(async () => {
      const parent = `/hadoop-ha/${cluster.nameserviceId}`;
      const anonymous = await zkCli([`getAcl ${parent}`], false);
      expect(anonymous).toMatch(/Insufficient permission|NoAuth/);
      const znodes = [parent, `${parent}/ActiveStandbyElectorLock`, `${parent}/ActiveBreadCrumb`];
      const authed = await zkCli(znodes.map((znode) => `getAcl ${znode}`));
      expect(authed.split(`'sasl,'${kdc.principal('nn/localhost')}\n: cdrwa`)).toHaveLength(4);
      expect(authed).not.toMatch(/'world,'anyone/);
      // Both kinds of controller authenticated with Kerberos (the server saw nn's principal).
      expect(readFileSync(cluster.node('nn2').zkfcLog, 'utf8')).toContain('zookeeper SASL configured');
      expect(hadoopZkfcLog()).toContain("Will attempt to SASL-authenticate using Login Context section 'Client'");
      expect(readFileSync(cluster.zk.members[0]!.logFile, 'utf8')).toContain(
        `Successfully authenticated client: authenticationID=${kdc.principal('nn/localhost')}`,
      );
    }));

  it('never more than one active NameNode at any sample', () =>
    step(async () => {
      expect(samples.length).toBeGreaterThan(50);
      expect(overlaps()).toEqual([]);
    }));
});
