// Certificates and key stores for the TLS tests, made at test time (nothing is committed): a test
// CA, a ZooKeeper server certificate and a client certificate signed by it (both for 127.0.0.1 and
// localhost, as ZooKeeper checks the client's address too), a second CA nobody trusts, and the
// stores a Java operator has: PKCS12 keystores and truststores written by the JDK's own keytool
// (today's algorithms, and the legacy ones older JDKs wrote), JKS stores, PEM files, and PKCS12
// from OpenSSL. Keys and certificates come from openssl (quick); every Java-format store from
// keytool (one JVM each, run two at a time).

import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** What to install when a tool is missing (scripts/ensure-deps.sh installs both). */
export const TLS_TOOLS_HINT = 'apt-get install -y --no-install-recommends openssl default-jre-headless';

export interface TlsFixture {
  readonly dir: string;
  /** The password of every store here (keytool wants 6 characters or more). */
  readonly password: string;
  /** The test CA's certificate (PEM): a PEM truststore. */
  readonly caPem: string;
  readonly server: {
    /** Private key (PKCS#8) then certificate: ZooKeeper's PEM keystore. */
    readonly keyAndCertPem: string;
  };
  readonly client: {
    /** PKCS12 written by keytool (the JDK's current algorithms). */
    readonly p12: string;
    /** PKCS12 written by keytool with -Dkeystore.pkcs12.legacy (3DES keys, RC2-40 certificates, SHA-1 MAC). */
    readonly legacyP12: string;
    /** PKCS12 written by `openssl pkcs12 -export` (OpenSSL 3 defaults). */
    readonly opensslP12: string;
    /** JKS written by keytool. */
    readonly jks: string;
    /** Private key (PKCS#8, unencrypted), then the certificate and the CA's. */
    readonly keyAndCertPem: string;
    /** The same key encrypted with `password`, then the certificates. */
    readonly encryptedKeyAndCertPem: string;
    readonly subject: string;
  };
  /** Truststores holding the test CA. */
  readonly trust: {
    readonly p12: string;
    readonly legacyP12: string;
    readonly jks: string;
    readonly pem: string;
  };
  /** A PKCS12 truststore (keytool) holding only a CA that signed neither the server nor the client. */
  readonly rogueTrustP12: string;
  /** A client key and certificate (PEM) signed by that other CA: the server does not trust it. */
  readonly rogueClientKeyAndCertPem: string;
}

async function openssl(args: readonly string[], cwd: string): Promise<void> {
  try {
    await run('openssl', args, { cwd });
  } catch (error) {
    throw new Error(`openssl ${args.join(' ')} failed (${TLS_TOOLS_HINT}): ${(error as Error).message}`, {
      cause: error,
    });
  }
}

async function keytool(args: readonly string[], cwd: string): Promise<void> {
  try {
    await run('keytool', ['-J-Xshare:auto', '-J-XX:TieredStopAtLevel=1', ...args], { cwd, timeout: 120_000 });
  } catch (error) {
    throw new Error(`keytool ${args.join(' ')} failed (${TLS_TOOLS_HINT}): ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** Run thunks at most `width` at a time (keytool JVMs on a 2-core machine). */
async function limited(width: number, jobs: readonly (() => Promise<void>)[]): Promise<void> {
  const queue = [...jobs];
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let job = queue.shift(); job !== undefined; job = queue.shift()) await job();
    }),
  );
}

const LEAF_EXTENSIONS =
  'basicConstraints=critical,CA:FALSE\n' +
  'keyUsage=critical,digitalSignature,keyEncipherment\n' +
  'extendedKeyUsage=serverAuth,clientAuth\n' +
  'subjectAltName=IP:127.0.0.1,DNS:localhost\n';

/** Make every certificate and store in `dir` (a new temp dir by default), each store under `password`. */
export async function makeTlsFixture(
  dir = mkdtempSync(join(tmpdir(), 'zkfc-tls-')),
  password = 'store-secret-1',
): Promise<TlsFixture> {
  mkdirSync(dir, { recursive: true });
  const pass = `pass:${password}`;
  const days = '3';
  writeFileSync(join(dir, 'leaf.ext'), LEAF_EXTENSIONS);
  const ca = async (name: string): Promise<void> => {
    await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`], dir);
    await openssl(
      [
        'req',
        '-x509',
        '-new',
        '-key',
        `${name}.key`,
        '-subj',
        `/CN=zkfc test ${name}`,
        '-days',
        days,
        '-out',
        `${name}.pem`,
      ],
      dir,
    );
  };
  const leaf = async (name: string, caName = 'ca'): Promise<void> => {
    await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`], dir);
    await openssl(['req', '-new', '-key', `${name}.key`, '-subj', `/CN=zkfc test ${name}`, '-out', `${name}.csr`], dir);
    await openssl(
      [
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        `${caName}.pem`,
        '-CAkey',
        `${caName}.key`,
        '-CAcreateserial',
        '-days',
        days,
        '-extfile',
        'leaf.ext',
        '-out',
        `${name}.crt`,
      ],
      dir,
    );
    const key = readFileSync(join(dir, `${name}.key`), 'utf8');
    const cert = readFileSync(join(dir, `${name}.crt`), 'utf8');
    const caCert = readFileSync(join(dir, `${caName}.pem`), 'utf8');
    writeFileSync(join(dir, `${name}-key-cert.pem`), key + cert + caCert);
  };
  await ca('ca');
  await ca('rogue-ca');
  await leaf('server');
  await leaf('client');
  await leaf('rogue-client', 'rogue-ca');
  await openssl(
    ['pkcs8', '-topk8', '-in', 'client.key', '-v2', 'aes-256-cbc', '-passout', pass, '-out', 'client-encrypted.key'],
    dir,
  );
  writeFileSync(
    join(dir, 'client-encrypted-key-cert.pem'),
    readFileSync(join(dir, 'client-encrypted.key'), 'utf8') +
      readFileSync(join(dir, 'client.crt'), 'utf8') +
      readFileSync(join(dir, 'ca.pem'), 'utf8'),
  );
  await openssl(
    [
      'pkcs12',
      '-export',
      '-in',
      'client-key-cert.pem',
      '-name',
      'client',
      '-passout',
      pass,
      '-out',
      'client-openssl.p12',
    ],
    dir,
  );

  const importKeyStore =
    (to: string, type: string, legacy = false) =>
    () =>
      keytool(
        [
          ...(legacy ? ['-J-Dkeystore.pkcs12.legacy'] : []),
          '-importkeystore',
          '-noprompt',
          '-srckeystore',
          'client-openssl.p12',
          '-srcstoretype',
          'PKCS12',
          '-srcstorepass',
          password,
          '-destkeystore',
          to,
          '-deststoretype',
          type,
          '-deststorepass',
          password,
        ],
        dir,
      );
  const importTrust =
    (to: string, type: string, caFile = 'ca.pem', legacy = false) =>
    () =>
      keytool(
        [
          ...(legacy ? ['-J-Dkeystore.pkcs12.legacy'] : []),
          '-importcert',
          '-noprompt',
          '-alias',
          'ca',
          '-file',
          caFile,
          '-keystore',
          to,
          '-storetype',
          type,
          '-storepass',
          password,
        ],
        dir,
      );
  await limited(2, [
    importKeyStore('client.p12', 'PKCS12'),
    importKeyStore('client-legacy.p12', 'PKCS12', true),
    importKeyStore('client.jks', 'JKS'),
    importTrust('truststore.p12', 'PKCS12'),
    importTrust('truststore-legacy.p12', 'PKCS12', 'ca.pem', true),
    importTrust('truststore.jks', 'JKS'),
    importTrust('rogue-truststore.p12', 'PKCS12', 'rogue-ca.pem'),
  ]);
  const subject = new X509Certificate(readFileSync(join(dir, 'client.crt'))).subject;
  return {
    dir,
    password,
    caPem: join(dir, 'ca.pem'),
    server: { keyAndCertPem: join(dir, 'server-key-cert.pem') },
    client: {
      p12: join(dir, 'client.p12'),
      legacyP12: join(dir, 'client-legacy.p12'),
      opensslP12: join(dir, 'client-openssl.p12'),
      jks: join(dir, 'client.jks'),
      keyAndCertPem: join(dir, 'client-key-cert.pem'),
      encryptedKeyAndCertPem: join(dir, 'client-encrypted-key-cert.pem'),
      subject,
    },
    trust: {
      p12: join(dir, 'truststore.p12'),
      legacyP12: join(dir, 'truststore-legacy.p12'),
      jks: join(dir, 'truststore.jks'),
      pem: join(dir, 'ca.pem'),
    },
    rogueTrustP12: join(dir, 'rogue-truststore.p12'),
    rogueClientKeyAndCertPem: join(dir, 'rogue-client-key-cert.pem'),
  };
}
