// Goal: the ZooKeeper adapter speaks TLS to a real ZooKeeper 3.8's secureClientPort (Netty, client
// certificates required) with the stores a Java operator has: keytool's PKCS12 (today's and the
// legacy kind), OpenSSL's PKCS12 and PEM; and each way TLS can fail gives connectTimedOut with a
// detail that names the server or the file and the setting to fix, reported to the factory's
// TLS-problem listener (cleared once a session connects): an untrusted server certificate, a
// client certificate the server refuses, a JKS store (with the keytool command), a wrong password,
// and a TLS client on a plaintext port. No password appears in any detail.
// Method: certificates and stores made by openssl and keytool at test time; one ZooKeeper serving
// both its plaintext clientPort and a secureClientPort; the adapter with each store.

import { rmSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ZkSessionOptions } from '../../../src/runtime/ports.js';
import { OPEN_ACL_UNSAFE } from '../../../src/zookeeper/acl.js';
import { NodeZkSessionFactory, type NodeZkSession } from '../../../src/zookeeper/node-zk-session.js';
import { ZkTlsConnector, type ZkTlsConfig, type ZkTlsProblem } from '../../../src/zookeeper/tls.js';
import { realClock } from '../../../tools/testing/clock.js';
import { makeTlsFixture, type TlsFixture } from '../../../tools/testing/tls-certs.js';
import { startZooKeeper, type ZooKeeperEnsemble } from '../../../tools/testing/zk-server.js';
import { bytes, EventRecorder, ok, text } from './helpers.js';

let fixture: TlsFixture;
let zk: ZooKeeperEnsemble;
const open: NodeZkSession[] = [];

beforeAll(async () => {
  fixture = await makeTlsFixture();
  zk = await startZooKeeper({
    tickMs: 250,
    minSessionMs: 500,
    maxSessionMs: 5000,
    tls: {
      keyAndCertPem: fixture.server.keyAndCertPem,
      trustPem: fixture.caPem,
      adminKeyAndCertPem: fixture.client.keyAndCertPem,
    },
  });
}, 180_000);

afterEach(async () => {
  await Promise.all(open.splice(0).map((session) => session.close()));
});

afterAll(async () => {
  await zk?.stopAll();
  if (fixture !== undefined) rmSync(fixture.dir, { recursive: true, force: true });
});

function tlsConfig(keyStore: string, trustStore: string, password = fixture.password): ZkTlsConfig {
  return {
    keyStore: {
      path: keyStore,
      password,
      role: 'the ZooKeeper client keystore',
      locationKey: 'hadoop.zk.ssl.keystore.location',
      passwordKey: 'hadoop.zk.ssl.keystore.password',
    },
    trustStore: {
      path: trustStore,
      password,
      role: 'the ZooKeeper truststore',
      locationKey: 'hadoop.zk.ssl.truststore.location',
      passwordKey: 'hadoop.zk.ssl.truststore.password',
    },
    hostnameVerification: true,
    hostnameVerificationKey: 'zkfc.zookeeper.ssl.hostname-verification',
  };
}

function sessionOptions(connectString = zk.secureConnectString!): ZkSessionOptions {
  return { connectString, sessionTimeoutMs: 3000, authInfo: [], operationTimeoutMs: 10_000 };
}

function openSession(
  tls: ZkTlsConfig,
  connectString?: string,
): { session: NodeZkSession; recorder: EventRecorder; problems: (ZkTlsProblem | undefined)[] } {
  const factory = new NodeZkSessionFactory({ clock: realClock, spinDelayMs: 50, tls: new ZkTlsConnector(tls) });
  const problems: (ZkTlsProblem | undefined)[] = [];
  factory.onTlsProblem((problem) => problems.push(problem));
  const recorder = new EventRecorder();
  const session = factory.open(sessionOptions(connectString), recorder.listener);
  open.push(session);
  return { session, recorder, problems };
}

describe('ZooKeeper over TLS', () => {
  it.each([
    ['PKCS12 keystore and truststore by keytool', () => tlsConfig(fixture.client.p12, fixture.trust.p12)],
    ['legacy PKCS12 by keytool', () => tlsConfig(fixture.client.legacyP12, fixture.trust.legacyP12)],
    ['PKCS12 by openssl, PEM truststore', () => tlsConfig(fixture.client.opensslP12, fixture.trust.pem)],
    [
      'PEM with an encrypted key, PEM truststore',
      () => tlsConfig(fixture.client.encryptedKeyAndCertPem, fixture.trust.pem),
    ],
  ])('%s: connects to the secureClientPort, writes and reads', async (_name, config) => {
    const { session, recorder } = openSession(config());
    await recorder.waitFor('connected', 15_000);
    expect(session.sessionId()).toBeTypeOf('bigint');
    const path = `/tls-${Math.random().toString(36).slice(2)}`;
    ok(await session.create(path, bytes('over tls'), OPEN_ACL_UNSAFE, 'EPHEMERAL'));
    expect(text(ok(await session.getData(path)).data)).toBe('over tls');
  });

  it('an untrusted server certificate: connectTimedOut naming the server and the truststore', async () => {
    const { recorder, problems } = openSession(tlsConfig(fixture.client.p12, fixture.rogueTrustP12));
    await recorder.waitFor('connectTimedOut', 15_000);
    const detail = recorder.events.at(-1)?.detail ?? '';
    expect(detail).toContain(`TLS to ZooKeeper server ${zk.secureConnectString}: its certificate is not trusted by`);
    expect(detail).toContain(`${fixture.rogueTrustP12} (hadoop.zk.ssl.truststore.location)`);
    expect(problems[0]?.detail).toBe(detail);
    expect(problems[0]?.clear).toContain('keytool -importcert');
  });

  it('a client certificate the server does not trust: the server refusing it is named', async () => {
    const config = tlsConfig(fixture.rogueClientKeyAndCertPem, fixture.trust.pem);
    const { recorder } = openSession(config);
    await recorder.waitFor('connectTimedOut', 15_000);
    expect(recorder.events.at(-1)?.detail).toContain(
      `the server refused our client certificate from ${fixture.rogueClientKeyAndCertPem} ` +
        '(hadoop.zk.ssl.keystore.location)',
    );
  });

  it('a JKS keystore: fails at once with the keytool command, without connecting', async () => {
    const started = performance.now();
    const { recorder, problems } = openSession(tlsConfig(fixture.client.jks, fixture.trust.p12));
    await recorder.waitFor('connectTimedOut', 5_000);
    expect(performance.now() - started).toBeLessThan(2_000);
    const detail = recorder.events.at(-1)?.detail ?? '';
    expect(detail).toContain(`${fixture.client.jks} (hadoop.zk.ssl.keystore.location) is a JKS key store`);
    expect(detail).toContain('keytool -importkeystore');
    expect(problems.at(-1)?.detail).toBe(detail);
  });

  it('a wrong truststore password: names the file and the password setting, not a password', async () => {
    const config = tlsConfig(fixture.client.p12, fixture.trust.p12);
    const { recorder } = openSession({ ...config, trustStore: { ...config.trustStore, password: 'not-the-one' } });
    await recorder.waitFor('connectTimedOut', 5_000);
    const detail = recorder.events.at(-1)?.detail ?? '';
    expect(detail).toContain(`${fixture.trust.p12} (hadoop.zk.ssl.truststore.location)`);
    expect(detail).toContain('check hadoop.zk.ssl.truststore.password');
    expect(detail).not.toContain('not-the-one');
    expect(detail).not.toContain(fixture.password);
  });

  it('TLS to a plaintext clientPort: the handshake breaks, and the detail asks for the secureClientPort', async () => {
    const { recorder } = openSession(tlsConfig(fixture.client.p12, fixture.trust.p12), zk.connectString);
    await recorder.waitFor('connectTimedOut', 15_000);
    expect(recorder.events.at(-1)?.detail).toContain("is this ZooKeeper's secureClientPort?");
  });

  it('the TLS problem clears when a session of the same factory connects', async () => {
    const config = tlsConfig(fixture.client.p12, fixture.trust.p12);
    const factory = new NodeZkSessionFactory({ clock: realClock, spinDelayMs: 50, tls: new ZkTlsConnector(config) });
    const problems: (ZkTlsProblem | undefined)[] = [];
    factory.onTlsProblem((problem) => problems.push(problem));
    const failing = new EventRecorder();
    open.push(factory.open(sessionOptions(zk.connectString), failing.listener));
    await failing.waitFor('connectTimedOut', 15_000);
    expect(problems.at(-1)).toBeDefined();
    const working = new EventRecorder();
    open.push(factory.open(sessionOptions(), working.listener));
    await working.waitFor('connected', 15_000);
    expect(problems.at(-1)).toBeUndefined();
  });
});
