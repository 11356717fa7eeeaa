// Goal: the key stores a Java operator has are read as Java reads them: PKCS12 keystores and
// truststores written by the JDK's keytool (today's PBES2/AES and the legacy 3DES/RC2/SHA-1 of
// older JDKs) and by OpenSSL, and PEM (plain and encrypted keys), give the key, its chain and the
// trusted certificates; a JKS store is refused with the keytool command that converts it; a wrong
// password, an unreadable file, a truststore given as keystore each give a clear error naming the
// file and the setting, never the password.
// Method: stores made at test time by keytool and openssl (tools/testing/tls-certs.ts).
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { KeyStoreError, readKeyStore, readTrustStore, type StoreRef } from '../../../src/security/key-store.js';
import { makeTlsFixture, type TlsFixture } from '../../../tools/testing/tls-certs.js';

let fixture: TlsFixture;
beforeAll(async () => {
  fixture = await makeTlsFixture();
}, 180_000);
afterAll(() => {
  if (fixture !== undefined) rmSync(fixture.dir, { recursive: true, force: true });
});

function keyRef(path: string, password = fixture.password): StoreRef {
  return {
    path,
    password,
    role: 'the ZooKeeper client keystore',
    locationKey: 'hadoop.zk.ssl.keystore.location',
    passwordKey: 'hadoop.zk.ssl.keystore.password',
  };
}
function trustRef(path: string, password = fixture.password): StoreRef {
  return {
    path,
    password,
    role: 'the ZooKeeper truststore',
    locationKey: 'hadoop.zk.ssl.truststore.location',
    passwordKey: 'hadoop.zk.ssl.truststore.password',
  };
}

function failure(read: () => unknown): KeyStoreError {
  try {
    read();
  } catch (error) {
    if (error instanceof KeyStoreError) return error;
    throw error;
  }
  throw new Error('no error');
}

describe('keystores', () => {
  it.each([
    ['PKCS12 by keytool', () => fixture.client.p12, 'PKCS12'],
    ['legacy PKCS12 by keytool (3DES key, RC2-40 certificates, SHA-1 MAC)', () => fixture.client.legacyP12, 'PKCS12'],
    ['PKCS12 by openssl', () => fixture.client.opensslP12, 'PKCS12'],
    ['PEM', () => fixture.client.keyAndCertPem, 'PEM'],
    ['PEM with an encrypted key', () => fixture.client.encryptedKeyAndCertPem, 'PEM'],
  ])('%s: the key, its certificate first, then the CA', (_name, path, format) => {
    const material = readKeyStore(keyRef(path()));
    expect(material.format).toBe(format);
    expect(material.subject).toBe(fixture.client.subject);
    expect(material.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(material.certificateChainPem).toHaveLength(2);
  });

  it('a JKS keystore: refused with the keytool command that converts it', () => {
    const error = failure(() => readKeyStore(keyRef(fixture.client.jks)));
    expect(error.failure).toBe('java-format');
    expect(error.message).toContain(
      `the ZooKeeper client keystore ${fixture.client.jks} (hadoop.zk.ssl.keystore.location)`,
    );
    expect(error.message).toContain(
      `keytool -importkeystore -srckeystore ${fixture.client.jks} -srcstoretype JKS ` +
        `-destkeystore ${join(fixture.dir, 'client.p12')} -deststoretype PKCS12`,
    );
  });

  it.each([
    ['PKCS12 by keytool', () => fixture.client.p12],
    ['legacy PKCS12', () => fixture.client.legacyP12],
    ['encrypted PEM key', () => fixture.client.encryptedKeyAndCertPem],
  ])('%s with a wrong password: names the file and the password setting, not the password', (_name, path) => {
    const error = failure(() => readKeyStore(keyRef(path(), 'wrong-password-42')));
    expect(error.failure).toBe('wrong-password');
    expect(error.message).toContain(path());
    expect(error.message).toContain('hadoop.zk.ssl.keystore.password');
    expect(error.message).not.toContain('wrong-password-42');
    expect(error.message).not.toContain(fixture.password);
  });

  it('an unreadable file, a missing file, garbage and a truststore given as keystore', () => {
    const locked = join(fixture.dir, 'locked.p12');
    writeFileSync(locked, 'x');
    chmodSync(locked, 0o000);
    if (process.getuid?.() !== 0) expect(failure(() => readKeyStore(keyRef(locked))).failure).toBe('unreadable');
    const missing = failure(() => readKeyStore(keyRef(join(fixture.dir, 'nope.p12'))));
    expect(missing.failure).toBe('unreadable');
    expect(missing.message).toContain('ENOENT');
    const garbage = join(fixture.dir, 'garbage.p12');
    writeFileSync(garbage, Buffer.from([0x30, 0x82, 0xff, 0xff, 1, 2, 3]));
    expect(failure(() => readKeyStore(keyRef(garbage))).failure).toBe('malformed');
    expect(failure(() => readKeyStore(keyRef(fixture.trust.p12))).failure).toBe('no-key');
  });
});

describe('truststores', () => {
  it.each([
    ['PKCS12 by keytool', () => fixture.trust.p12, 'PKCS12'],
    ['legacy PKCS12 by keytool (RC2-40)', () => fixture.trust.legacyP12, 'PKCS12'],
    ['PEM', () => fixture.trust.pem, 'PEM'],
  ])('%s: the CA certificate', (_name, path, format) => {
    const material = readTrustStore(trustRef(path()));
    expect(material.format).toBe(format);
    expect(material.subjects).toEqual(['CN=zkfc test ca']);
  });

  it('a JKS truststore is refused naming keytool; a wrong password names the setting', () => {
    const jks = failure(() => readTrustStore(trustRef(fixture.trust.jks)));
    expect(jks.message).toContain('is a JKS key store');
    expect(jks.message).toContain('-srcstoretype JKS');
    const wrong = failure(() => readTrustStore(trustRef(fixture.trust.p12, 'nope-nope')));
    expect(wrong.failure).toBe('wrong-password');
    expect(wrong.message).toBe(
      `the ZooKeeper truststore ${fixture.trust.p12} (hadoop.zk.ssl.truststore.location): PKCS12: the password ` +
        'is wrong, or the file is damaged (its integrity check failed); check hadoop.zk.ssl.truststore.password',
    );
  });
});
