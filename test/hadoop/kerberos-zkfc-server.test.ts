// Goal: Hadoop's own `hdfs haadmin -failover` (DFSHAAdmin 3.4.2 from Maven, automatic failover on,
// so it calls gracefulFailover on the target's ZKFC) drives our ZKFCProtocol server over Kerberos
// with hadoop.rpc.protection=privacy, from a user's ticket cache (KRB5CCNAME): an administrator's
// failover succeeds as her principal; a user who is not an administrator, a user the service ACL
// (security.zkfc.protocol.acl) denies, a host security.zkfc.protocol.hosts does not list and a
// client without a ticket are refused with errors naming the principal or host, and the server
// keeps serving. Our own haadmin does the same failover from a ticket cache
// on the same client configuration, which names no keytab (dfs.namenode.keytab.file is the daemon's).
// Method: tools/testing/kdc.ts (a throwaway MIT realm); our ZkfcRpcServer in this process with
// nn/localhost's keytab on 127.0.0.1; a configuration directory for DFSHAAdmin naming it as nn2's
// ZKFC (dfs.ha.zkfc.port); no NameNode is needed for a graceful failover through the ZKFCs.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KerberosIpcServerAuthentication } from '../../src/hadoop/kerberos-authentication.js';
import { ZkfcServiceAuthorization } from '../../src/hadoop/service-authorization.js';
import { ZkfcRpcServer } from '../../src/hadoop/zkfc-rpc-server.js';
import { loadGssapi } from '../../src/kerberos/gssapi.js';
import { silentLogger } from '../../src/observability/logger.js';
import { startKdc, type Kdc } from '../../tools/testing/kdc.js';
import { ensureHadoop, runProcess, SMALL_JVM_FLAGS, xml } from '../../tools/testing/hadoop/real-cluster.js';
import { REPO_ROOT } from '../../tools/testing/mini-cluster.js';
import { ensureDistBuilt } from '../support/e2e-zkfc.js';

let kdc: Kdc;
let classpath: string;
let server: ZkfcRpcServer;
let confDir: string;
const calls: string[] = [];

beforeAll(async () => {
  await ensureDistBuilt();
  const hadoopDir = ensureHadoop(process.env['HADOOP_VERSION'] ?? '3.4.2');
  kdc = await startKdc();
  process.env['KRB5_CONFIG'] = kdc.krb5Conf;
  const keytab = kdc.addServicePrincipals(['nn/localhost'], join(kdc.baseDir, 'keytabs/nn.keytab'));
  for (const user of ['alice', 'bob', 'carol']) {
    kdc.addUser(user, `${user}-password`);
    kdc.kinitPassword(user, `${user}-password`, `FILE:${join(kdc.baseDir, `${user}.ccache`)}`);
  }
  const gss = await loadGssapi();
  server = new ZkfcRpcServer({
    host: '127.0.0.1',
    port: 0,
    administrators: 'alice,carol',
    loginUser: kdc.principal('nn/localhost'),
    handler: {
      cedeActive: async (millis, caller) => void calls.push(`cede ${millis} ${caller}`),
      gracefulFailover: async (caller) => void calls.push(`failover ${caller}`),
    },
    logger: silentLogger(),
    sasl: new KerberosIpcServerAuthentication({
      gss,
      principal: kdc.principal('nn/localhost'),
      keytab,
      qops: ['auth-conf'],
    }),
    serviceAuthorization: new ZkfcServiceAuthorization(
      { acl: 'alice,bob', blocked: null, defaultAcl: '*', defaultBlockedAcl: '' },
      { groupsOf: () => [] },
    ),
  });
  const { port } = await server.listen();
  confDir = join(kdc.baseDir, 'conf');
  mkdirSync(confDir, { recursive: true });
  writeFileSync(
    join(confDir, 'core-site.xml'),
    xml({
      'hadoop.security.authentication': 'kerberos',
      'hadoop.rpc.protection': 'privacy',
      'ipc.client.connect.max.retries': '1',
      'ipc.client.connect.retry.interval': '200',
    }),
  );
  writeFileSync(
    join(confDir, 'hdfs-site.xml'),
    xml({
      'dfs.nameservices': 'ns1',
      'dfs.ha.namenodes.ns1': 'nn1,nn2',
      'dfs.namenode.rpc-address.ns1.nn1': 'localhost:1',
      'dfs.namenode.rpc-address.ns1.nn2': 'localhost:2',
      'dfs.ha.automatic-failover.enabled': 'true',
      'dfs.ha.zkfc.port': String(port),
      // No dfs.namenode.keytab.file: a user's client configuration; haadmin needs only her ticket cache.
      'dfs.namenode.kerberos.principal': `nn/_HOST@${kdc.realm}`,
    }),
  );
  writeFileSync(
    join(confDir, 'log4j.properties'),
    [
      'log4j.rootLogger=WARN,console',
      'log4j.appender.console=org.apache.log4j.ConsoleAppender',
      'log4j.appender.console.target=System.err',
      'log4j.appender.console.layout=org.apache.log4j.PatternLayout',
      'log4j.appender.console.layout.ConversionPattern=%p %c{2}: %m%n',
      '',
    ].join('\n'),
  );
  classpath = [confDir, join(hadoopDir, 'lib/*')].join(':');
}, 600_000);

afterAll(async () => {
  await server?.close();
  await kdc?.stop();
});

async function hdfsHaAdmin(user: string, args: string[]): Promise<{ code: number | null; output: string }> {
  const result = await runProcess(
    'java',
    [
      '-Xmx96m',
      ...SMALL_JVM_FLAGS,
      ...kdc.javaOptions,
      '-cp',
      classpath,
      'org.apache.hadoop.hdfs.tools.DFSHAAdmin',
      ...args,
    ],
    120_000,
    { ...kdc.env, KRB5CCNAME: `FILE:${join(kdc.baseDir, `${user}.ccache`)}`, HADOOP_CONF_DIR: confDir },
  );
  return { code: result.code, output: `${result.stdout}${result.stderr}` };
}

describe("Hadoop's hdfs haadmin against our ZKFCProtocol server with Kerberos", () => {
  it('fails over for an administrator over privacy, as her principal', async () => {
    const { code, output } = await hdfsHaAdmin('alice', ['-failover', 'nn1', 'nn2']);
    expect(output).toContain('Failover to NameNode at localhost');
    expect(output).toContain('successful');
    expect(code).toBe(0);
    expect(calls).toEqual([`failover ${kdc.principal('alice')} at 127.0.0.1`]);
  }, 150_000);

  it('refuses a user in the service ACL but not an administrator, naming the principal', async () => {
    const { code, output } = await hdfsHaAdmin('bob', ['-failover', 'nn1', 'nn2']);
    expect(output).toContain(
      `Disallowed RPC access from ${kdc.principal('bob')} (auth:KERBEROS) at 127.0.0.1. ` +
        'Not listed in dfs.cluster.administrators',
    );
    expect(code).toBe(255);
  }, 150_000);

  it('refuses an administrator the service ACL does not list, with AuthorizationException', async () => {
    const { code, output } = await hdfsHaAdmin('carol', ['-failover', 'nn1', 'nn2']);
    expect(output).toContain(
      `User ${kdc.principal('carol')} (auth:KERBEROS) is not authorized for protocol ` +
        'interface org.apache.hadoop.ha.ZKFCProtocol',
    );
    expect(code).toBe(255);
  }, 150_000);

  it('refuses a host security.zkfc.protocol.hosts does not list, naming it', async () => {
    const gss = await loadGssapi();
    const elsewhere = new ZkfcRpcServer({
      host: '127.0.0.1',
      port: 0,
      administrators: 'alice',
      loginUser: kdc.principal('nn/localhost'),
      handler: {
        cedeActive: async () => {},
        gracefulFailover: async (caller) => void calls.push(`elsewhere ${caller}`),
      },
      logger: silentLogger(),
      sasl: new KerberosIpcServerAuthentication({
        gss,
        principal: kdc.principal('nn/localhost'),
        keytab: join(kdc.baseDir, 'keytabs/nn.keytab'),
        qops: ['auth-conf'],
      }),
      serviceAuthorization: new ZkfcServiceAuthorization(
        { acl: '*', blocked: null, defaultAcl: '*', defaultBlockedAcl: '', hosts: '10.0.0.0/8' },
        { groupsOf: () => [] },
      ),
    });
    const { port } = await elsewhere.listen();
    try {
      const { code, output } = await hdfsHaAdmin('alice', [
        '-D',
        `dfs.ha.zkfc.port=${port}`,
        '-failover',
        'nn1',
        'nn2',
      ]);
      expect(output).toContain(
        'Operation failed: Host 127.0.0.1 is not authorized for protocol ' +
          'interface org.apache.hadoop.ha.ZKFCProtocol',
      );
      expect(code).toBe(255);
      expect(calls.filter((c) => c.startsWith('elsewhere'))).toEqual([]);
    } finally {
      await elsewhere.close();
    }
  }, 150_000);

  it('refuses a client without a ticket, and still serves afterwards', async () => {
    const { code, output } = await hdfsHaAdmin('nobody', ['-failover', 'nn1', 'nn2']);
    expect(code).toBe(255);
    expect(output).toMatch(/GSS initiate failed|Client cannot authenticate|Failed to find any Kerberos tgt/);
    expect(calls).toHaveLength(1);
    const again = await hdfsHaAdmin('alice', ['-failover', 'nn1', 'nn2']);
    expect(again.code).toBe(0);
    expect(calls).toHaveLength(2);
  }, 300_000);

  it('our haadmin fails over through the same server from a ticket cache', async () => {
    const before = calls.length;
    const result = await runProcess(
      process.execPath,
      [join(REPO_ROOT, 'bin/haadmin.js'), '-failover', 'nn1', 'nn2'],
      60_000,
      {
        ...kdc.env,
        KRB5CCNAME: `FILE:${join(kdc.baseDir, 'alice.ccache')}`,
        HADOOP_CONF_DIR: confDir,
      },
    );
    expect(`${result.stdout}${result.stderr}`).toContain('successful');
    expect(result.code).toBe(0);
    expect(calls.slice(before)).toEqual([`failover ${kdc.principal('alice')} at 127.0.0.1`]);
  }, 90_000);
});
