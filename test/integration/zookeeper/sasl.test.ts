// Goal: the ZooKeeper adapter authenticates with SASL to a real ZooKeeper 3.8 (Debian's) as
// ZooKeeperSaslClient does: DIGEST-MD5 with a DigestLoginModule user, GSSAPI with a keytab login
// (MIT KDC) as zookeeper/localhost's client; a znode with ACL sasl:<id>:rwcda is usable by that
// session and refused (NOAUTH) to an unauthenticated one; a wrong password or a keytab without the
// principal gives connectTimedOut whose detail names the user or principal, the JAAS file and the
// server, never the password; operations issued before the exchange finished wait for it; a
// reconnect (same session) authenticates again; SASL over TLS (secureClientPort) works; a hostile
// server's SASL reply length beyond jute.maxbuffer fails the exchange naming the length.
// Method: two ZooKeeper servers (one per mechanism: a ZooKeeper server offers the one its Server
// section has), a throwaway KDC, the adapter with the authenticator built from a parsed JAAS file.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ZkAcl, ZkSessionOptions } from '../../../src/runtime/ports.js';
import { parseJaas, zkSaslLogin } from '../../../src/zookeeper/jaas.js';
import { NodeZkSessionFactory, type NodeZkSession } from '../../../src/zookeeper/node-zk-session.js';
import { ZkSaslAuthenticator } from '../../../src/zookeeper/sasl.js';
import { ZkTlsConnector } from '../../../src/zookeeper/tls.js';
import { makeTlsFixture, type TlsFixture } from '../../../tools/testing/tls-certs.js';
import { realClock } from '../../../tools/testing/clock.js';
import { startKdc, type Kdc } from '../../../tools/testing/kdc.js';
import { startZooKeeper, type ZooKeeperEnsemble } from '../../../tools/testing/zk-server.js';
import { bytes, EventRecorder, ok } from './helpers.js';

const PASSWORD = 'digest-secret-4711';
let dir: string;
let fixture: TlsFixture;
let kdc: Kdc;
let digestZk: ZooKeeperEnsemble;
let krbZk: ZooKeeperEnsemble;
const open: NodeZkSession[] = [];
const authenticators: ZkSaslAuthenticator[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'zk-sasl-'));
  kdc = await startKdc();
  fixture = await makeTlsFixture(join(dir, 'tls'));
  Object.assign(process.env, kdc.env);
  kdc.addServicePrincipals(['zookeeper/localhost'], join(dir, 'zk.keytab'));
  kdc.addServicePrincipals(['zkfc/localhost'], join(dir, 'zkfc.keytab'));
  kdc.addServicePrincipals(['other/localhost'], join(dir, 'other.keytab'));
  [digestZk, krbZk] = await Promise.all([
    startZooKeeper({
      tickMs: 250,
      minSessionMs: 500,
      maxSessionMs: 8000,
      sasl: { digestUsers: { bob: PASSWORD } },
      tls: {
        keyAndCertPem: fixture.server.keyAndCertPem,
        trustPem: fixture.caPem,
        adminKeyAndCertPem: fixture.client.keyAndCertPem,
      },
    }),
    startZooKeeper({
      tickMs: 250,
      minSessionMs: 500,
      maxSessionMs: 8000,
      sasl: {
        kerberos: {
          keytab: join(dir, 'zk.keytab'),
          principal: kdc.principal('zookeeper/localhost'),
          krb5Conf: kdc.krb5Conf,
        },
      },
    }),
  ]);
}, 180_000);

afterEach(async () => {
  for (const session of open.splice(0)) await session.close();
  for (const authenticator of authenticators.splice(0)) authenticator.stop();
});

afterAll(async () => {
  await Promise.all([digestZk?.stopAll(), krbZk?.stopAll()]);
  await kdc?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function authenticator(jaas: string, serverPrincipal?: string): Promise<ZkSaslAuthenticator> {
  const file = join(dir, `jaas-${authenticators.length}-${Date.now()}.conf`);
  writeFileSync(file, jaas);
  const a = await ZkSaslAuthenticator.create(
    {
      jaasFile: file,
      section: 'Client',
      login: zkSaslLogin(parseJaas(jaas, file), 'Client', file),
      serverPrincipal,
      serviceName: 'zookeeper',
      canonicalizeHostName: true,
    },
    { clock: realClock },
  );
  authenticators.push(a);
  return a;
}

function openSession(
  connectString: string,
  sasl: ZkSaslAuthenticator | undefined,
  recorder: EventRecorder,
  tls?: ZkTlsConnector,
): NodeZkSession {
  const options: ZkSessionOptions = {
    connectString,
    sessionTimeoutMs: 4000,
    authInfo: [],
    operationTimeoutMs: 4000,
  };
  const factory = new NodeZkSessionFactory({
    clock: realClock,
    ...(sasl !== undefined ? { sasl } : {}),
    ...(tls !== undefined ? { tls } : {}),
  });
  const session = factory.open(options, recorder.listener);
  open.push(session);
  return session;
}

const digestJaas = (password: string): string =>
  `// ZooKeeper client\nClient {\n  org.apache.zookeeper.server.auth.DigestLoginModule required\n` +
  `  username="bob"\n  password="${password}";\n};\n`;

/** Krb5LoginModule from a ticket cache (kinit), as an operator's JAAS file without a keytab has it. */
const cacheJaas = (cache: string): string =>
  `Client {\n  com.sun.security.auth.module.Krb5LoginModule required\n` +
  `  useTicketCache=true\n  ticketCache="${cache}"\n  useKeyTab=false;\n};\n`;

const krbJaas = (keytab: string, principal: string): string =>
  `Client {\n  com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true\n` +
  `  keyTab="${keytab}" storeKey=true useTicketCache=false\n  principal="${principal}";\n};\n`;

async function saslAclRoundTrip(zk: ZooKeeperEnsemble, sasl: ZkSaslAuthenticator, id: string): Promise<void> {
  const recorder = new EventRecorder();
  const session = openSession(zk.connectString, sasl, recorder);
  // Issued before the session is even connected: it must wait for the SASL exchange.
  const path = `/sasl-${Date.now()}`;
  const acl: ZkAcl[] = [{ scheme: 'sasl', id, perms: 31 }];
  const created = session.create(path, bytes('x'), acl, 'PERSISTENT');
  await recorder.waitFor('connected', 10_000);
  ok(await created);
  expect(ok(await session.getAcl(path)).acl).toEqual(acl);
  ok(await session.setData(path, bytes('y'), -1));

  const strangerEvents = new EventRecorder();
  const stranger = openSession(zk.connectString, undefined, strangerEvents);
  await strangerEvents.waitFor('connected', 10_000);
  expect((await stranger.getData(path)).code).toBe('NOAUTH');
  expect((await stranger.setData(path, bytes('z'), -1)).code).toBe('NOAUTH');
  ok(await session.delete(path, -1));
}

describe('ZooKeeper SASL DIGEST-MD5', () => {
  it('authenticates as the DigestLoginModule user; sasl:bob znodes are its own', async () => {
    await saslAclRoundTrip(digestZk, await authenticator(digestJaas(PASSWORD)), 'bob');
  });

  it('a reconnect of the same session authenticates again before any request goes out', async () => {
    const sasl = await authenticator(digestJaas(PASSWORD));
    const recorder = new EventRecorder();
    const session = openSession(digestZk.connectString, sasl, recorder);
    await recorder.waitFor('connected', 10_000);
    const path = `/sasl-reconnect-${Date.now()}`;
    ok(await session.create(path, bytes('x'), [{ scheme: 'sasl', id: 'bob', perms: 31 }], 'PERSISTENT'));
    const id = session.sessionId();
    // Drop the connection under the library (as a network failure would); it reconnects, same session.
    (session as unknown as { internals: { cm: { socket: { destroy(): void } } } }).internals.cm.socket.destroy();
    await recorder.waitFor('disconnected', 5000);
    const write = session.setData(path, bytes('y'), -1);
    await recorder.waitFor('connected', 10_000, 2);
    expect(session.sessionId()).toBe(id);
    ok(await write);
    ok(await session.delete(path, -1));
  });

  it('works over TLS (secureClientPort)', async () => {
    const tls = new ZkTlsConnector({
      keyStore: {
        path: fixture.client.keyAndCertPem,
        password: '',
        role: 'the ZooKeeper client keystore',
        locationKey: 'hadoop.zk.ssl.keystore.location',
        passwordKey: 'hadoop.zk.ssl.keystore.password',
      },
      trustStore: {
        path: fixture.caPem,
        password: '',
        role: 'the ZooKeeper truststore',
        locationKey: 'hadoop.zk.ssl.truststore.location',
        passwordKey: 'hadoop.zk.ssl.truststore.password',
      },
      hostnameVerification: false,
      hostnameVerificationKey: 'zkfc.zookeeper.ssl.hostname-verification',
    });
    const recorder = new EventRecorder();
    const session = openSession(
      digestZk.secureConnectString!,
      await authenticator(digestJaas(PASSWORD)),
      recorder,
      tls,
    );
    await recorder.waitFor('connected', 10_000);
    const path = `/sasl-tls-${Date.now()}`;
    ok(await session.create(path, bytes('x'), [{ scheme: 'sasl', id: 'bob', perms: 31 }], 'PERSISTENT'));
    ok(await session.delete(path, -1));
  });

  it('a wrong password: connectTimedOut naming user, JAAS file and server, no password', async () => {
    const sasl = await authenticator(digestJaas('wrong-password-123'));
    const recorder = new EventRecorder();
    const session = openSession(digestZk.connectString, sasl, recorder);
    const pending = session.exists('/', undefined);
    const event = await recorder.waitFor('connectTimedOut', 10_000);
    expect(recorder.count('connected')).toBe(0);
    expect(event.detail).toContain("DIGEST-MD5 as user 'bob'");
    expect(event.detail).toContain(sasl.config.jaasFile);
    expect(event.detail).toContain(digestZk.connectString);
    expect(event.detail).toContain('AUTHFAILED');
    expect(event.detail).not.toContain('wrong-password-123');
    expect((await pending).code).toBe('CONNECTIONLOSS');
  });
});

describe('a hostile server during the SASL exchange', () => {
  it('a SASL reply announcing 2 GiB is refused naming the length, not buffered while the server sends', async () => {
    // Answers each ConnectRequest with a ConnectResponse (jute: protocolVersion, timeOut, sessionId,
    // passwd), then every later packet (the client's GetSASLRequest) with a frame header announcing
    // 0x7ffffff0 bytes followed by 64 KiB of filler, as a broken or hostile server might.
    const received: number[] = [];
    const server = createServer((socket) => {
      let answered = false;
      socket.on('error', () => undefined);
      socket.on('data', (data) => {
        received.push(data.length);
        if (!answered) {
          answered = true;
          const response = Buffer.alloc(4 + 4 + 4 + 8 + 4 + 16);
          response.writeInt32BE(response.length - 4, 0);
          response.writeInt32BE(4000, 8);
          response.writeBigInt64BE(0x1234n, 12);
          response.writeInt32BE(16, 20);
          socket.write(response);
          return;
        }
        const header = Buffer.alloc(4);
        header.writeInt32BE(0x7ffffff0, 0);
        socket.write(Buffer.concat([header, Buffer.alloc(65536, 0x41)]));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const sasl = await authenticator(digestJaas(PASSWORD));
      const recorder = new EventRecorder();
      const session = openSession(`127.0.0.1:${port}`, sasl, recorder);
      const event = await recorder.waitFor('connectTimedOut', 10_000);
      expect(recorder.count('connected')).toBe(0);
      expect(event.detail).toContain('SASL reply length 2147483632 from the server is out of range');
      expect(event.detail).toContain(`127.0.0.1:${port}`);
      expect((await session.exists('/')).code).not.toBe('OK');
      expect(received.length).toBeGreaterThanOrEqual(2);
    } finally {
      server.close();
    }
  });
});

describe('a ZooKeeper that requires SASL (sessionRequireClientSASLAuth)', () => {
  it('serves the authenticated session and refuses an unauthenticated one', async () => {
    const required = await startZooKeeper({
      tickMs: 250,
      minSessionMs: 500,
      maxSessionMs: 8000,
      sasl: { digestUsers: { bob: PASSWORD }, required: true },
    });
    try {
      const recorder = new EventRecorder();
      const session = openSession(required.connectString, await authenticator(digestJaas(PASSWORD)), recorder);
      await recorder.waitFor('connected', 10_000);
      ok(await session.exists('/'));
      const strangerEvents = new EventRecorder();
      const stranger = openSession(required.connectString, undefined, strangerEvents);
      expect((await stranger.getChildren('/')).code).not.toBe('OK');
    } finally {
      for (const session of open.splice(0)) await session.close();
      await required.stopAll();
    }
  });
});

describe('ZooKeeper SASL GSSAPI', () => {
  it('authenticates from a keytab; sasl:<principal> znodes are its own', async () => {
    const principal = kdc.principal('zkfc/localhost');
    await saslAclRoundTrip(krbZk, await authenticator(krbJaas(join(dir, 'zkfc.keytab'), principal)), principal);
  });

  it('a keytab without the principal: connectTimedOut naming principal, keytab, JAAS file and server', async () => {
    const principal = kdc.principal('zkfc/localhost');
    const keytab = join(dir, 'other.keytab');
    const sasl = await authenticator(krbJaas(keytab, principal));
    const recorder = new EventRecorder();
    openSession(krbZk.connectString, sasl, recorder);
    const event = await recorder.waitFor('connectTimedOut', 10_000);
    expect(event.detail).toContain(principal);
    expect(event.detail).toContain(keytab);
    expect(event.detail).toContain(sasl.config.jaasFile);
    expect(event.detail).toContain(krbZk.connectString);
  });

  it('useTicketCache=true: authenticates from the kinit cache the JAAS file names', async () => {
    const principal = kdc.principal('zkfc/localhost');
    const cache = join(dir, 'zkfc.ccache');
    kdc.kinitKeytab('zkfc/localhost', join(dir, 'zkfc.keytab'), `FILE:${cache}`);
    await saslAclRoundTrip(krbZk, await authenticator(cacheJaas(cache)), principal);
  });

  it('useTicketCache=true without a ticket: connectTimedOut naming the cache, the JAAS file and server', async () => {
    const cache = join(dir, 'no-such.ccache');
    const sasl = await authenticator(cacheJaas(cache));
    const recorder = new EventRecorder();
    openSession(krbZk.connectString, sasl, recorder);
    const event = await recorder.waitFor('connectTimedOut', 10_000);
    expect(recorder.count('connected')).toBe(0);
    expect(event.detail).toContain(cache);
    expect(event.detail).toContain(sasl.config.jaasFile);
    expect(event.detail).toContain(krbZk.connectString);
  });

  it('-Dzookeeper.server.principal: the named principal is used; a wrong one is refused naming it', async () => {
    const principal = kdc.principal('zkfc/localhost');
    const jaas = krbJaas(join(dir, 'zkfc.keytab'), principal);
    // _HOST: the quorum's host (127.0.0.1) canonicalised, as the default server principal's host is.
    for (const server of [kdc.principal('zookeeper/localhost'), kdc.principal('zookeeper/_HOST')])
      await saslAclRoundTrip(krbZk, await authenticator(jaas, server), principal);
    const refused = async (serverPrincipal: string, named: string): Promise<void> => {
      const sasl = await authenticator(jaas, serverPrincipal);
      const recorder = new EventRecorder();
      openSession(krbZk.connectString, sasl, recorder);
      const event = await recorder.waitFor('connectTimedOut', 10_000);
      expect(recorder.count('connected')).toBe(0);
      expect(event.detail).toContain(`to ${named}:`);
      expect(event.detail).toContain(principal);
      expect(event.detail).toContain(krbZk.connectString);
    };
    // other/localhost is in the realm, but the server holds no key for it.
    await refused(kdc.principal('other/localhost'), 'other/localhost');
  });
});
