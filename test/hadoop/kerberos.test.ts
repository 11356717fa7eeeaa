// Goal: Kerberos on Hadoop IPC against a real kerberized NameNode (Hadoop 3.4.2 from Maven):
// with hadoop.rpc.protection=privacy our daemon logs in from the NameNode's keytab, its health
// checks (getServiceStatus, monitorHealth) and the transition succeed over SASL GSSAPI with every
// message encrypted, and our haadmin -getServiceState works from a user's ticket cache; a client
// limited to another QOP, a missing ticket and a wrong server principal each fail with a clear
// error naming the principal, cache or peer, and a daemon with a stale keytab stays up, out of the
// election, saying which principal and keytab failed; no key material in any output.
// Method: tools/testing/kdc.ts (a throwaway MIT realm) and tools/testing/hadoop/real-cluster.ts with
// one NameNode (shared edits in a local directory, no DataNode), its JVMs pointed at the realm.

import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKdc, type Kdc } from '../../tools/testing/kdc.js';
import { RealCluster } from '../../tools/testing/hadoop/real-cluster.js';
import { eventually } from '../../tools/testing/wait.js';
import { ensureDistBuilt } from '../support/e2e-zkfc.js';
import { ClusterSteps } from '../support/cluster-steps.js';
import type { ZkfcStatus } from '../../src/observability/status.js';

let kdc: Kdc;
let cluster: RealCluster;
let keytab: string;
let aliceCache: string;
const steps = new ClusterSteps(() => cluster?.baseDir);
const step = (fn: () => Promise<void>): Promise<void> => steps.step(fn);

beforeAll(async () => {
  await ensureDistBuilt();
  kdc = await startKdc();
  keytab = kdc.addServicePrincipals(
    ['nn/localhost', 'HTTP/localhost', 'HTTP/127.0.0.1'],
    join(kdc.baseDir, 'keytabs/nn.keytab'),
  );
  kdc.addUser('alice', 'alice-password');
  aliceCache = `FILE:${join(kdc.baseDir, 'alice.ccache')}`;
  kdc.kinitPassword('alice', 'alice-password', aliceCache);
  const realm = kdc.realm;
  cluster = await RealCluster.start({
    sharedEdits: 'local',
    dataNode: false,
    standbys: false,
    jvmFlags: kdc.javaOptions,
    env: { ...kdc.env, KRB5CCNAME: `FILE:${join(kdc.baseDir, 'nobody.ccache')}` },
    coreSite: {
      'hadoop.security.authentication': 'kerberos',
      'hadoop.rpc.protection': 'privacy',
      'ipc.client.connect.max.retries': '3',
      'ipc.client.connect.retry.interval': '200',
      'ipc.client.rpc-timeout.ms': '20000',
    },
    hdfsSite: {
      'dfs.namenode.kerberos.principal': `nn/_HOST@${realm}`,
      'dfs.namenode.keytab.file': keytab,
      'dfs.web.authentication.kerberos.principal': `HTTP/_HOST@${realm}`,
      'dfs.web.authentication.kerberos.keytab': keytab,
      'dfs.namenode.kerberos.internal.spnego.principal': `HTTP/_HOST@${realm}`,
      'dfs.block.access.token.enable': 'true',
    },
  });
}, 300_000);

afterAll(async () => {
  await cluster?.stop({ keepLogs: steps.failed });
  await kdc?.stop();
}, 60_000);

const keyBytes = (): string => readFileSync(keytab).toString('latin1');

describe('Kerberos against a real kerberized NameNode', () => {
  it('our daemon logs in from the keytab and makes the NameNode active over privacy', () =>
    step(async () => {
      await cluster.startController('nn1', 'ours');
      await cluster.waitForActive('nn1', 90_000);
      const log = readFileSync(cluster.node('nn1').zkfcLog, 'utf8');
      expect(log).toContain('Kerberos logged in from keytab');
      expect(log).toContain(`nn/localhost@${kdc.realm}`);
      const nnLog = readFileSync(cluster.node('nn1').log, 'utf8');
      expect(nnLog).toMatch(/Auth successful for nn\/localhost@ZKFC\.TEST \(auth:KERBEROS\)/);
    }));

  it('haadmin -getServiceState works from a user ticket cache and fails clearly without one', () =>
    step(async () => {
      const ok = await cluster.ourHaAdmin(['-getServiceState', 'nn1'], '', { KRB5CCNAME: aliceCache });
      expect(ok.stderr).toBe('');
      expect(ok.stdout.trim()).toBe('active');
      expect(ok.code).toBe(0);

      const none = await cluster.ourHaAdmin(['-getServiceState', 'nn1'], '', {
        KRB5CCNAME: `FILE:${join(kdc.baseDir, 'missing.ccache')}`,
      });
      expect(none.code).toBe(255);
      expect(none.stdout + none.stderr).toMatch(
        /as the Kerberos ticket cache FILE:\S*missing\.ccache \(kinit first\) failed: .*credential/,
      );
      expect(none.stdout + none.stderr).toContain('missing.ccache');
    }));

  it('a QOP the server does not offer and a wrong server principal are refused naming the peer', () =>
    step(async () => {
      const qop = await cluster.ourHaAdmin(
        ['-D', 'hadoop.rpc.protection=authentication', '-getServiceState', 'nn1'],
        '',
        {
          KRB5CCNAME: aliceCache,
        },
      );
      expect(qop.code).toBe(255);
      expect(qop.stdout + qop.stderr).toMatch(
        /No common protection layer.*server offers \[privacy\], hadoop\.rpc\.protection allows \[authentication\]/,
      );

      const principal = await cluster.ourHaAdmin(
        ['-D', `dfs.namenode.kerberos.principal=other/_HOST@${kdc.realm}`, '-getServiceState', 'nn1'],
        '',
        { KRB5CCNAME: aliceCache },
      );
      expect(principal.code).toBe(255);
      expect(principal.stdout + principal.stderr).toContain(
        `Server has invalid Kerberos principal: nn/localhost@${kdc.realm}, expecting: other/localhost@${kdc.realm}`,
      );
      for (const out of [qop, principal]) expect(out.stdout + out.stderr).not.toContain(keyBytes().slice(-24));
    }));

  it('a daemon with a stale keytab stays up out of the election and names the principal and keytab', () =>
    step(async () => {
      await cluster.stopController('nn1');
      // Re-key nn/localhost: the cluster's keytab goes stale for a new login (the running
      // NameNode keeps its keys in memory); a copy of the old one is what the daemon gets.
      const stale = join(kdc.baseDir, 'keytabs/stale.keytab');
      copyFileSync(keytab, stale);
      kdc.kadmin(`ktadd -k ${join(kdc.baseDir, 'keytabs/rekeyed.keytab')} nn/localhost`);
      const site = readFileSync(join(cluster.confDir, 'hdfs-site.xml'), 'utf8');
      expect(site).toContain(keytab);
      writeFileSync(join(cluster.confDir, 'hdfs-site.xml'), site.split(keytab).join(stale));
      await cluster.startController('nn1', 'ours');
      await eventually(() => {
        const log = readFileSync(cluster.node('nn1').zkfcLog, 'utf8');
        expect(log).toContain('Kerberos login failed');
        expect(log).toContain(`Kerberos login of nn/localhost@${kdc.realm} from keytab ${stale} failed`);
      }, 30_000);
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const controller = cluster.node('nn1').controller!.process;
      expect(controller.exitCode).toBeNull();
      // Out of the election: its /status says it never joined, its health checks never passed.
      const answer = await fetch(`http://127.0.0.1:${cluster.node('nn1').statusPort}/status`, {
        signal: AbortSignal.timeout(3000),
      });
      const status = (await answer.json()) as ZkfcStatus;
      expect(status.electorState).toBe('INIT');
      expect(status.healthState).not.toBe('SERVICE_HEALTHY');
      const log = readFileSync(cluster.node('nn1').zkfcLog, 'utf8');
      expect(log).not.toContain(keyBytes().slice(-24));
    }));
});
