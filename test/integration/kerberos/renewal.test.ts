// Goal: with tickets of 20 s (the realm's max_life, clock skew 1 s so an expired ticket is refused
// at once), the daemon's keytab login (src/kerberos/login.ts) renews at 80 % of each lifetime and
// logs it, and new Kerberos connections from that login to a ZKFCProtocol server keep
// authenticating past two lifetimes (each needs a service ticket from a live TGT: the KDC's log
// shows the fresh logins); haadmin with an expired ticket cache fails with an error naming the
// principal and the cache.
// Method: tools/testing/kdc.ts (maxLife 20s, clockSkewSec 1); our ZkfcRpcServer on 127.0.0.1 as
// nn/localhost from its keytab; a KerberosLogin of nn/localhost on the system clock; a new
// connection every 3 s for 46 s (gracefulFailover as the login user); then our built haadmin
// -failover from alice's cache, kinit'ed at the start and expired since.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  KerberosIpcAuthentication,
  KerberosIpcServerAuthentication,
} from '../../../src/hadoop/kerberos-authentication.js';
import { RpcZkfcClientFactory } from '../../../src/hadoop/zkfc-client.js';
import { ZkfcRpcServer } from '../../../src/hadoop/zkfc-rpc-server.js';
import { loadGssapi, type Gssapi } from '../../../src/kerberos/gssapi.js';
import { KerberosLogin } from '../../../src/kerberos/login.js';
import { createLogger, silentLogger } from '../../../src/observability/logger.js';
import { SystemClock } from '../../../src/runtime/system-clock.js';
import { startKdc, type Kdc } from '../../../tools/testing/kdc.js';
import { runProcess, xml } from '../../../tools/testing/hadoop/real-cluster.js';
import { REPO_ROOT } from '../../../tools/testing/mini-cluster.js';
import { ensureDistBuilt } from '../../support/e2e-zkfc.js';

const LIFETIME_S = 20;

let kdc: Kdc;
let gss: Gssapi;
let keytab: string;
let server: ZkfcRpcServer;
let port: number;
let aliceCache: string;
const calls: string[] = [];

beforeAll(async () => {
  await ensureDistBuilt();
  kdc = await startKdc({ maxLife: `${LIFETIME_S}s`, clockSkewSec: 1 });
  process.env['KRB5_CONFIG'] = kdc.krb5Conf;
  keytab = kdc.addServicePrincipals(['nn/localhost'], join(kdc.baseDir, 'keytabs/nn.keytab'));
  kdc.addUser('alice', 'alice-password');
  aliceCache = `FILE:${join(kdc.baseDir, 'alice.ccache')}`;
  kdc.kinitPassword('alice', 'alice-password', aliceCache);
  gss = await loadGssapi();
  server = new ZkfcRpcServer({
    host: '127.0.0.1',
    port: 0,
    administrators: 'alice',
    loginUser: kdc.principal('nn/localhost'),
    handler: {
      cedeActive: async () => {},
      gracefulFailover: async (caller) => void calls.push(caller),
    },
    logger: silentLogger(),
    sasl: new KerberosIpcServerAuthentication({
      gss,
      principal: kdc.principal('nn/localhost'),
      keytab,
      qops: ['auth-conf'],
    }),
  });
  ({ port } = await server.listen());
}, 120_000);

afterAll(async () => {
  await server?.close();
  await kdc?.stop();
});

describe('Kerberos tickets of 20 s', () => {
  it('the keytab login renews at 80 % of the lifetime and new connections keep authenticating', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(line) } });
    const login = new KerberosLogin({
      gss,
      principal: kdc.principal('nn/localhost'),
      keytab,
      clock: new SystemClock(),
      logger,
    });
    const started = Date.now();
    try {
      const state = await login.start();
      expect(state).toMatchObject({ ok: true });
      const factory = new RpcZkfcClientFactory({
        connectTimeoutMs: 5_000,
        sasl: new KerberosIpcAuthentication({
          gss,
          serverPrincipal: kdc.principal('nn/_HOST'),
          clientPrincipal: login.principal,
          credentials: login.credentials,
          qops: ['auth-conf'],
          fallbackToSimpleAllowed: false,
          simpleUser: 'nn',
          hostName: async () => 'localhost',
        }),
      });
      const failures: string[] = [];
      let attempts = 0;
      while (Date.now() - started < (2 * LIFETIME_S + 6) * 1000) {
        attempts++;
        // A new connection each time: a new service ticket from the login's current TGT.
        const zkfc = factory.create({ host: '127.0.0.1', port });
        try {
          await zkfc.gracefulFailover(10_000);
        } catch (error) {
          failures.push(`${Math.round((Date.now() - started) / 1000)} s: ${(error as Error).message}`);
        } finally {
          zkfc.close();
        }
        await new Promise((resolve) => setTimeout(resolve, 3_000));
      }
      expect(failures).toEqual([]);
      expect(calls).toHaveLength(attempts);
      expect(attempts).toBeGreaterThanOrEqual(14);
    } finally {
      login.stop();
    }
    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const renewals = entries.filter((e) => e['msg'] === 'Kerberos renewed from keytab');
    expect(renewals.length).toBeGreaterThanOrEqual(2);
    for (const entry of entries.filter((e) => String(e['msg']).startsWith('Kerberos ')))
      expect(Number(entry['lifetimeSec'])).toBeLessThanOrEqual(LIFETIME_S);
    // The KDC issued a fresh TGT for each login: the first and at least two renewals.
    const asReqs = readFileSync(join(kdc.baseDir, 'krb5kdc.log'), 'utf8')
      .split('\n')
      .filter((l) => l.includes('AS_REQ') && l.includes(`${kdc.principal('nn/localhost')} for krbtgt`));
    expect(asReqs.length).toBeGreaterThanOrEqual(3);
  }, 90_000);

  it('haadmin with an expired ticket cache names the principal and the cache', async () => {
    const confDir = join(kdc.baseDir, 'conf');
    mkdirSync(confDir, { recursive: true });
    writeFileSync(join(confDir, 'core-site.xml'), xml({ 'hadoop.security.authentication': 'kerberos' }));
    writeFileSync(
      join(confDir, 'hdfs-site.xml'),
      xml({
        'dfs.nameservices': 'ns1',
        'dfs.ha.namenodes.ns1': 'nn1,nn2',
        'dfs.namenode.rpc-address.ns1.nn1': 'localhost:1',
        'dfs.namenode.rpc-address.ns1.nn2': 'localhost:2',
        'dfs.ha.automatic-failover.enabled': 'true',
        'dfs.ha.zkfc.port': String(port),
        'dfs.namenode.kerberos.principal': `nn/_HOST@${kdc.realm}`,
        'hadoop.rpc.protection': 'privacy',
      }),
    );
    const result = await runProcess(
      process.execPath,
      [join(REPO_ROOT, 'bin/haadmin.js'), '-failover', 'nn1', 'nn2'],
      60_000,
      {
        ...kdc.env,
        KRB5CCNAME: aliceCache,
        HADOOP_CONF_DIR: confDir,
      },
    );
    const output = `${result.stdout}${result.stderr}`;
    expect(result.code).toBe(255);
    expect(output).toContain(aliceCache);
    expect(output).toContain(kdc.principal('alice'));
    expect(output).toMatch(/expired/i);
  }, 60_000);
});
