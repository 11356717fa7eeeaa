// Goal: a peer whose Kerberos authentication fails is never taken for one that did what was asked.
// During a graceful failover (haadmin -failover reaching our gracefulFailover), a peer ZKFC we
// cannot authenticate to (a wrong server principal, a missing or expired ticket) fails the failover
// with PeerCedeError naming the peer, the peer is not asked anything, and our side never waits for
// the election as if the peer had ceded. During fencing, a graceful transitionToStandby that fails
// Kerberos is not "fenced": the configured methods run, and with only a failing method the old
// active counts as not fenced. Each error names the peer and the principal or ticket cache, and
// nothing shows key material.
// Method: a throwaway MIT realm (tools/testing/kdc.ts), our Kerberos ZKFCProtocol server with
// nn/localhost's keytab as the peer (its SASL exchange fails before any protocol call, whatever the
// protocol), our IPC clients with users' ticket caches, runGracefulFailover and NodeFencer as the
// daemon composes them, real bash for the shell methods.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NamenodeTarget } from '../../../src/core/types.js';
import { NodeFencer } from '../../../src/fencing/node-fencer.js';
import { RpcHAServiceClientFactory } from '../../../src/hadoop/ha-service-client.js';
import {
  KerberosIpcAuthentication,
  KerberosIpcServerAuthentication,
} from '../../../src/hadoop/kerberos-authentication.js';
import { RpcZkfcClientFactory } from '../../../src/hadoop/zkfc-client.js';
import { ZkfcRpcServer } from '../../../src/hadoop/zkfc-rpc-server.js';
import { loadGssapi, type Gssapi } from '../../../src/kerberos/gssapi.js';
import { createLogger } from '../../../src/observability/logger.js';
import { PeerCedeError } from '../../../src/runtime/errors.js';
import { runGracefulFailover } from '../../../src/runtime/graceful-failover.js';
import type { RuntimeLog } from '../../../src/runtime/logging.js';
import { realClock } from '../../../tools/testing/clock.js';
import { startKdc, type Kdc } from '../../../tools/testing/kdc.js';

let kdc: Kdc;
let gss: Gssapi;
let keytab: string;
let server: ZkfcRpcServer;
let port: number;
const calls: string[] = [];
const logLines: string[] = [];
const caches = { alice: '', expired: '', missing: '' };

beforeAll(async () => {
  kdc = await startKdc();
  process.env['KRB5_CONFIG'] = kdc.krb5Conf;
  keytab = kdc.addServicePrincipals(['nn/localhost'], join(kdc.baseDir, 'keytabs/nn.keytab'));
  kdc.addUser('alice', 'alice-password');
  caches.alice = `FILE:${join(kdc.baseDir, 'alice.ccache')}`;
  kdc.kinitPassword('alice', 'alice-password', caches.alice);
  caches.missing = `FILE:${join(kdc.baseDir, 'missing.ccache')}`;
  // A ticket that lives 2 s: expired by the time the tests use it.
  caches.expired = `FILE:${join(kdc.baseDir, 'expired.ccache')}`;
  const kinit = spawnSync('kinit', ['-l', '2s', '-c', caches.expired, kdc.principal('alice')], {
    env: { ...process.env, ...kdc.env },
    input: 'alice-password\n',
    encoding: 'utf8',
  });
  if (kinit.status !== 0) throw new Error(`kinit -l 2s failed: ${kinit.stdout}${kinit.stderr}`);
  const expiresAt = Date.now() + 2500;
  gss = await loadGssapi();
  server = new ZkfcRpcServer({
    host: '127.0.0.1',
    port: 0,
    administrators: 'alice',
    loginUser: kdc.principal('nn/localhost'),
    handler: {
      cedeActive: async (millis, caller) => void calls.push(`cede ${millis} ${caller}`),
      gracefulFailover: async (caller) => void calls.push(`failover ${caller}`),
    },
    logger: createLogger({ level: 'info', destination: { write: (line: string) => void logLines.push(line) } }),
    sasl: new KerberosIpcServerAuthentication({
      gss,
      principal: kdc.principal('nn/localhost'),
      keytab,
      qops: ['auth-conf'],
    }),
  });
  port = (await server.listen()).port;
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - Date.now())));
}, 60_000);

afterAll(async () => {
  await server?.close();
  await kdc?.stop();
});

/** Our client side as the daemon builds it: Kerberos privacy, the server principal nn/_HOST unless told. */
function kerberos(cache: string, serverPrincipal = kdc.principal('nn/_HOST')): KerberosIpcAuthentication {
  return new KerberosIpcAuthentication({
    gss,
    serverPrincipal,
    credentials: { ccache: cache },
    qops: ['auth-conf'],
    fallbackToSimpleAllowed: false,
    simpleUser: 'alice',
    ticketCache: cache,
    hostName: async () => 'localhost',
  });
}

const local: NamenodeTarget = {
  nameserviceId: 'ns1',
  namenodeId: 'nn1',
  serviceAddress: { host: '127.0.0.2', port: 8020 },
  zkfcPort: 8019,
};
const peer = (): NamenodeTarget => ({
  nameserviceId: 'ns1',
  namenodeId: 'nn2',
  serviceAddress: { host: '127.0.0.1', port },
  zkfcPort: port,
});

const silentLog = (): RuntimeLog => createLogger({ level: 'silent' });

/** Our gracefulFailover with the peer active; resolves with the error and whether we waited for the election. */
async function gracefulFailoverTo(sasl: KerberosIpcAuthentication): Promise<{ error: unknown; waited: boolean }> {
  let waited = false;
  const factory = new RpcZkfcClientFactory({ connectTimeoutMs: 5_000, sasl });
  const lock = new TextEncoder().encode('nn2');
  const error = await runGracefulFailover({
    local,
    peers: [peer()],
    cedeTimeoutMs: 10_000,
    becomeActiveWaitMs: 1_000,
    snapshot: () => ({ healthState: 'SERVICE_HEALTHY', serviceState: 'STANDBY' }) as never,
    monotonicMs: () => performance.now(),
    readActiveData: async () => ({
      data: lock,
      decoded: {
        ok: true,
        info: { nameserviceId: 'ns1', namenodeId: 'nn2', hostname: '127.0.0.1', port, zkfcPort: port },
      },
    }),
    zkfcClients: factory,
    waitForActiveAttempt: async () => {
      waited = true;
      return null;
    },
    log: silentLog(),
  }).then(
    () => undefined,
    (e: unknown) => e,
  );
  return { error, waited };
}

describe('a peer ZKFC whose Kerberos authentication fails during a graceful failover', () => {
  it.each([
    ['a wrong server principal', () => kerberos(caches.alice, kdc.principal('other/_HOST')), 'other/localhost'],
    ['no ticket (missing cache)', () => kerberos(caches.missing), 'missing.ccache'],
    ['an expired ticket', () => kerberos(caches.expired), 'expired.ccache'],
  ])('%s: PeerCedeError naming the peer; the peer is not asked, we do not wait to win', async (_n, sasl, named) => {
    const { error, waited } = await gracefulFailoverTo(sasl());
    expect(error).toBeInstanceOf(PeerCedeError);
    const message = (error as Error).message;
    expect(message).toContain(`Unable to ask ZKFC at 127.0.0.1:${port}`);
    expect(message).toContain(named);
    expect(waited).toBe(false);
    expect(calls).toEqual([]);
    expect(message).not.toContain(readFileSync(keytab).toString('latin1').slice(-24));
  });

  it('with a good ticket the same path asks the peer to cede (the control case)', async () => {
    const { error, waited } = await gracefulFailoverTo(kerberos(caches.alice));
    // The stub election never makes us active; what matters is that the peer was asked and we waited.
    expect(String(error)).toContain('Unable to become active');
    expect(waited).toBe(true);
    expect(calls[0]).toBe(`cede 10000 ${kdc.principal('alice')} at 127.0.0.1`);
    calls.length = 0;
  });
});

describe('an old active whose Kerberos authentication fails during fencing', () => {
  function fencer(methods: string, sasl: KerberosIpcAuthentication): NodeFencer {
    return new NodeFencer({
      targets: [{ target: peer(), fencingMethods: methods, conf: new Map([['dfs.ha.namenode.id', 'nn2']]) }],
      haServiceClientFactory: new RpcHAServiceClientFactory({ connectTimeoutMs: 2_000, sasl }),
      clock: realClock,
      logger: createLogger({ level: 'silent' }),
      gracefulFence: { rpcTimeoutMs: 2_000, connectionRetries: 0, retryIntervalMs: 50 },
      shell: { baseEnv: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' } },
    });
  }

  it('the graceful step fails naming the peer and the principal; the methods decide', async () => {
    const sasl = kerberos(caches.alice, kdc.principal('other/_HOST'));
    const fenced = await fencer('shell(true)', sasl).fenceOldActive(peer());
    expect(fenced.attempts.map((a) => [a.method, a.outcome])).toEqual([
      ['graceful', expect.not.stringMatching(/^success$/)],
      ['shell(true)', 'success'],
    ]);
    expect(fenced).toMatchObject({ fenced: true, graceful: false });
    expect(fenced.attempts[0]?.detail).toContain(`127.0.0.1:${port}`);
    expect(fenced.attempts[0]?.detail).toContain('other/localhost');

    const notFenced = await fencer('shell(false)', sasl).fenceOldActive(peer());
    expect(notFenced.fenced).toBe(false);
    expect(notFenced.attempts[0]?.outcome).not.toBe('success');
  });

  it('an expired ticket: the graceful step fails naming the cache, not fenced without a method', async () => {
    const outcome = await fencer('shell(false)', kerberos(caches.expired)).fenceOldActive(peer());
    expect(outcome.fenced).toBe(false);
    expect(outcome.attempts[0]?.method).toBe('graceful');
    expect(outcome.attempts[0]?.outcome).not.toBe('success');
    expect(outcome.attempts[0]?.detail).toContain('expired.ccache');
    expect(calls).toEqual([]);
  });
});
