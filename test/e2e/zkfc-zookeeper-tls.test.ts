// Goal: with ZooKeeper reachable over TLS only (a secureClientPort, client certificates required),
// configured with Hadoop 3.4's keys (dfs.ha.zkfc.client.ssl.enabled, hadoop.zk.ssl.*) and the
// PKCS12 stores keytool writes, `zkfc -formatZK`, the election, an automatic failover and
// `haadmin pause` / `resume` all work; and a daemon whose TLS cannot work (a JKS keystore, a wrong
// truststore password, a truststore that does not trust the server) keeps running out of the
// election, says why (log, /status, the metrics) naming the file or the server and the setting,
// never a password, and joins as soon as a correct store is in place (the files are read again at
// every attempt: no restart).
// Method: a MiniCluster whose ZooKeeper serves TLS only (tools/testing/zk-server.ts), stores made
// by keytool and openssl at test time (tools/testing/tls-certs.ts), the built daemons and haadmin;
// the split-brain oracle at the end.
import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ZkfcStatus } from '../../src/observability/status.js';
import type { MiniCluster } from '../../tools/testing/mini-cluster.js';
import { makeTlsFixture, type TlsFixture } from '../../tools/testing/tls-certs.js';
import { eventually } from '../../tools/testing/wait.js';
import { metricValue, runHaadmin, scrapeMetrics, startE2eCluster, stopE2eCluster } from '../support/e2e-zkfc.js';

let fixture: TlsFixture;
let cluster: MiniCluster;
/** The keystore file the configuration names; tests swap its content. */
let keystore: string;

beforeAll(async () => {
  fixture = await makeTlsFixture();
  keystore = join(fixture.dir, 'zkfc-keystore.p12');
  copyFileSync(fixture.client.p12, keystore);
  cluster = await startE2eCluster({
    zookeeper: {
      tls: {
        keyAndCertPem: fixture.server.keyAndCertPem,
        trustPem: fixture.caPem,
        only: true,
        adminKeyAndCertPem: fixture.client.keyAndCertPem,
      },
    },
    extraConf: {
      'dfs.ha.zkfc.client.ssl.enabled': 'true',
      'hadoop.zk.ssl.keystore.location': keystore,
      'hadoop.zk.ssl.keystore.password': fixture.password,
      'hadoop.zk.ssl.truststore.location': fixture.trust.p12,
      'hadoop.zk.ssl.truststore.password': fixture.password,
    },
  });
  await Promise.all([cluster.startNamenode('nn1'), cluster.startNamenode('nn2')]);
}, 240_000);

afterAll(async () => {
  await stopE2eCluster(cluster);
  if (fixture !== undefined) rmSync(fixture.dir, { recursive: true, force: true });
});

async function status(id: string): Promise<ZkfcStatus> {
  const answer = await cluster.zkfcStatus(id, 3000);
  if (answer === undefined) throw new Error(`zkfc ${id} does not serve /status`);
  return answer as unknown as ZkfcStatus;
}

function tlsProblem(s: ZkfcStatus): { detail: string; clear: string } | undefined {
  return s.zookeeperProblems.find((problem) => problem.problem === 'zookeeper-tls');
}

describe('ZooKeeper over TLS only', () => {
  it('the quorum is the secureClientPort only, and -formatZK made the working znode over it', () => {
    expect(cluster.zk.members[0]!.secureClientPort).toBeDefined();
    const core = readFileSync(join(cluster.confDir, 'core-site.xml'), 'utf8');
    expect(core).toContain(`<value>${cluster.zk.secureConnectString}</value>`);
    expect(core).not.toContain(`<value>${cluster.zk.connectString}</value>`);
  });

  it('two daemons elect an active, fail over when it dies, and haadmin pauses and resumes', async () => {
    await cluster.startZkfc('nn1');
    await cluster.startZkfc('nn2');
    const first = await cluster.waitForActive(30_000);
    const other = first === 'nn1' ? 'nn2' : 'nn1';
    await eventually(async () => expect((await status(other)).electorState).toBe('STANDBY'), 15_000);
    expect(tlsProblem(await status(first))).toBeUndefined();

    await cluster.killNamenode(first);
    await cluster.waitForActive(30_000, other);
    await cluster.startNamenode(first);
    await eventually(async () => expect((await status(first)).electorState).toBe('STANDBY'), 30_000);

    const paused = await runHaadmin(cluster, ['pause', '--ttl', '10m', '--reason', 'TLS test']);
    expect(paused.stderr).toBe('');
    expect(paused.code).toBe(0);
    await eventually(async () => expect((await status(first)).maintenancePause?.reason).toBe('TLS test'), 10_000);
    const resumed = await runHaadmin(cluster, ['resume']);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain('resumed');
    expect(cluster.splitBrainViolations()).toEqual([]);
  });

  it.each([
    [
      'a JKS keystore',
      () => ['-D', `hadoop.zk.ssl.keystore.location=${fixture.client.jks}`],
      () => [`${fixture.client.jks} (hadoop.zk.ssl.keystore.location) is a JKS key store`, 'keytool -importkeystore'],
    ],
    [
      'a wrong truststore password',
      () => ['-D', 'hadoop.zk.ssl.truststore.password=not-the-password'],
      () => [`${fixture.trust.p12} (hadoop.zk.ssl.truststore.location)`, 'check hadoop.zk.ssl.truststore.password'],
    ],
    [
      'a truststore that does not trust the server',
      () => ['-D', `hadoop.zk.ssl.truststore.location=${fixture.rogueTrustP12}`],
      () => [`TLS to ZooKeeper server ${cluster.zk.secureConnectString}: its certificate is not trusted by`],
    ],
  ])('%s: the daemon keeps running out of the election and says why', async (_name, args, expected) => {
    const standby = (await cluster.activeNamenodes())[0] === 'nn1' ? 'nn2' : 'nn1';
    await cluster.stopZkfc(standby);
    const child = await cluster.startZkfc(standby, args());
    await eventually(async () => expect(tlsProblem(await status(standby))).toBeDefined(), 20_000);
    const s = await status(standby);
    for (const text of expected()) expect(tlsProblem(s)?.detail).toContain(text);
    expect(s.electorState).not.toBe('ACTIVE');
    expect(s.electorState).not.toBe('STANDBY');
    expect(s.zkConnectionState).not.toBe('CONNECTED');
    const metrics = await scrapeMetrics(cluster, standby);
    expect(metricValue(metrics.samples, 'zkfc_zookeeper_problem', { problem: 'zookeeper-tls' })).toBe(1);
    expect(child.exitCode).toBeNull();
    const log = readFileSync(cluster.node(standby).zkfcLog, 'utf8');
    expect(log).toContain('zookeeper TLS');
    for (const secret of [fixture.password, 'not-the-password']) {
      expect(log).not.toContain(secret);
      expect(JSON.stringify(s)).not.toContain(secret);
    }
    expect((await cluster.stopZkfc(standby))?.code).toBe(0);
    await cluster.startZkfc(standby);
    await eventually(async () => expect((await status(standby)).electorState).toBe('STANDBY'), 30_000);
  });

  it('a keystore fixed in place is read at the next attempt: the daemon joins without a restart', async () => {
    const standby = (await cluster.activeNamenodes())[0] === 'nn1' ? 'nn2' : 'nn1';
    await cluster.stopZkfc(standby);
    copyFileSync(fixture.client.jks, keystore);
    await cluster.startZkfc(standby);
    await eventually(async () => expect(tlsProblem(await status(standby))?.detail).toContain('JKS'), 20_000);
    copyFileSync(fixture.client.p12, keystore);
    await eventually(async () => expect((await status(standby)).electorState).toBe('STANDBY'), 60_000);
    expect(tlsProblem(await status(standby))).toBeUndefined();
    expect(cluster.splitBrainViolations()).toEqual([]);
  });
});
