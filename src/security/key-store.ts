// Key stores and trust stores as a Java operator has them, read into what node:tls takes: a
// private key with its certificate chain (a keystore), or trusted certificates (a truststore).
// The format is found from the content, not the file name: PKCS#12 (keytool's default since JDK 9,
// `openssl pkcs12`), PEM (a PRIVATE KEY block and CERTIFICATE blocks, as ZooKeeper's PEM store type
// reads them). JKS (magic 0xFEEDFEED) and JCEKS (0xCECECECE) are Java's own formats, which no
// standard library outside the JDK reads: they are refused with the keytool command that converts
// them. Every error names the store, its file and the setting that names it, never the password.

import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { errorMessage, ZkfcError } from '../errors.js';
import { Pkcs12Error, readPkcs12 } from './pkcs12.js';

export type StoreFormat = 'PKCS12' | 'PEM' | 'JKS' | 'JCEKS' | 'unknown';

/** The first bytes of a JKS and a JCEKS key store (sun.security.provider.JavaKeyStore, JceKeyStore). */
const JKS_MAGIC = 0xfeedfeed;
const JCEKS_MAGIC = 0xcececece;

/** What a store file holds, from its first bytes. */
export function sniffStoreFormat(bytes: Buffer): StoreFormat {
  if (bytes.length >= 4 && bytes.readUInt32BE(0) === JKS_MAGIC) return 'JKS';
  if (bytes.length >= 4 && bytes.readUInt32BE(0) === JCEKS_MAGIC) return 'JCEKS';
  if (bytes.subarray(0, 64 * 1024).includes('-----BEGIN ')) return 'PEM';
  if (bytes[0] === 0x30) return 'PKCS12';
  return 'unknown';
}

/** A store as configured: its file, its password, and the names an operator knows it by. */
export interface StoreRef {
  readonly path: string;
  /** The store password (PKCS#12), or the key's passphrase (an encrypted PEM key); '' for none. */
  readonly password: string;
  /** What it is, for messages: "the ZooKeeper client keystore". */
  readonly role: string;
  /** The settings that name the file and the password, for messages. */
  readonly locationKey: string;
  readonly passwordKey: string;
}

export type KeyStoreFailure =
  | 'unreadable'
  | 'java-format'
  | 'wrong-password'
  | 'unsupported'
  | 'malformed'
  | 'no-key'
  | 'no-certificate'
  | 'key-mismatch';

/** A store that cannot be used; the message names the store, the file and the setting to fix. */
export class KeyStoreError extends ZkfcError {
  readonly code = 'KEYSTORE_INVALID';
  constructor(
    readonly failure: KeyStoreFailure,
    readonly path: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A keystore's content, as node:tls takes it (`key`, `cert`). */
export interface KeyStoreMaterial {
  readonly format: 'PKCS12' | 'PEM';
  /** The private key, unencrypted PKCS#8 PEM (held in memory only). */
  readonly privateKeyPem: string;
  /** The key's certificate first, then the chain that issued it as far as the store has it. */
  readonly certificateChainPem: readonly string[];
  /** Subject of the key's certificate, for logs. */
  readonly subject: string;
}

/** A truststore's content, as node:tls takes it (`ca`). */
export interface TrustStoreMaterial {
  readonly format: 'PKCS12' | 'PEM';
  readonly certificatesPem: readonly string[];
  readonly subjects: readonly string[];
}

function where(ref: StoreRef): string {
  return `${ref.role} ${ref.path} (${ref.locationKey})`;
}

function readStoreFile(ref: StoreRef): Buffer {
  let bytes: Buffer;
  try {
    bytes = readFileSync(ref.path);
  } catch (cause) {
    throw new KeyStoreError('unreadable', ref.path, `${where(ref)} cannot be read: ${errorMessage(cause)}`, { cause });
  }
  const format = sniffStoreFormat(bytes);
  if (format === 'JKS' || format === 'JCEKS') {
    const target = ref.path.replace(/\.(jks|jceks|keystore|truststore)$/i, '') + '.p12';
    throw new KeyStoreError(
      'java-format',
      ref.path,
      `${where(ref)} is a ${format} key store, which only Java reads: convert it to PKCS12 with ` +
        `\`keytool -importkeystore -srckeystore ${ref.path} -srcstoretype ${format} ` +
        `-destkeystore ${target} -deststoretype PKCS12\` and set ${ref.locationKey} to ${target}`,
    );
  }
  if (format === 'unknown')
    throw new KeyStoreError(
      'malformed',
      ref.path,
      `${where(ref)} is neither a PKCS12 nor a PEM file (nor JKS or JCEKS, which would be named)`,
    );
  return bytes;
}

function pkcs12Failure(ref: StoreRef, error: Pkcs12Error): KeyStoreError {
  const hint =
    error.kind === 'wrong-password'
      ? `; check ${ref.passwordKey}${ref.password === '' ? ' (it is empty)' : ''}`
      : error.kind === 'unsupported'
        ? '; re-create it with keytool or openssl pkcs12 of today (PBES2 with AES)'
        : '';
  return new KeyStoreError(error.kind, ref.path, `${where(ref)}: PKCS12: ${error.message}${hint}`, { cause: error });
}

function certificateOf(ref: StoreRef, der: Buffer | string): X509Certificate {
  try {
    return new X509Certificate(der);
  } catch (cause) {
    throw new KeyStoreError(
      'malformed',
      ref.path,
      `${where(ref)} holds a certificate that does not parse: ${errorMessage(cause)}`,
      {
        cause,
      },
    );
  }
}

/** Read a keystore: one private key and its certificate chain. Throws KeyStoreError. */
export function readKeyStore(ref: StoreRef): KeyStoreMaterial {
  const bytes = readStoreFile(ref);
  const pem = sniffStoreFormat(bytes) === 'PEM';
  let key: KeyObject;
  let certificates: X509Certificate[];
  if (pem) {
    const blocks = pemBlocks(bytes.toString('utf8'));
    const keyBlock = blocks.find((block) => /PRIVATE KEY$/.test(block.label));
    if (keyBlock === undefined)
      throw new KeyStoreError('no-key', ref.path, `${where(ref)} holds no PRIVATE KEY block (PEM)`);
    try {
      key = createPrivateKey({
        key: keyBlock.text,
        format: 'pem',
        ...(ref.password !== '' ? { passphrase: ref.password } : {}),
      });
    } catch (cause) {
      const code = (cause as { code?: string }).code ?? '';
      const passwordProblem =
        code === 'ERR_MISSING_PASSPHRASE' || /decrypt|passphrase|password/i.test(errorMessage(cause));
      throw new KeyStoreError(
        passwordProblem ? 'wrong-password' : 'malformed',
        ref.path,
        passwordProblem
          ? `${where(ref)}: the private key is encrypted and ${ref.passwordKey} ` +
              `${ref.password === '' ? 'is empty' : 'does not decrypt it'}`
          : `${where(ref)}: the private key does not parse: ${errorMessage(cause)}`,
        { cause },
      );
    }
    certificates = blocks
      .filter((block) => block.label === 'CERTIFICATE')
      .map((block) => certificateOf(ref, block.text));
  } else {
    let contents;
    try {
      contents = readPkcs12(bytes, ref.password);
    } catch (error) {
      if (error instanceof Pkcs12Error) throw pkcs12Failure(ref, error);
      throw error;
    }
    const entry = contents.privateKeys[0];
    if (entry === undefined)
      throw new KeyStoreError(
        'no-key',
        ref.path,
        `${where(ref)} holds no private key (a truststore given as keystore?)`,
      );
    try {
      key = createPrivateKey({ key: entry.pkcs8Der, format: 'der', type: 'pkcs8' });
    } catch (cause) {
      throw new KeyStoreError(
        'malformed',
        ref.path,
        `${where(ref)}: the private key does not parse: ${errorMessage(cause)}`,
        {
          cause,
        },
      );
    }
    // The key's own certificate first (same localKeyId), then the rest.
    const sorted = [...contents.certificates].sort(
      (a, b) => Number(b.localKeyId === entry.localKeyId) - Number(a.localKeyId === entry.localKeyId),
    );
    certificates = sorted.map((certificate) => certificateOf(ref, certificate.der));
  }
  const leaf = certificates.find((certificate) => certificate.checkPrivateKey(key));
  if (leaf === undefined)
    throw new KeyStoreError(
      certificates.length === 0 ? 'no-certificate' : 'key-mismatch',
      ref.path,
      certificates.length === 0
        ? `${where(ref)} holds a private key but no certificate for it`
        : `${where(ref)}: no certificate in it belongs to its private key`,
    );
  return {
    format: pem ? 'PEM' : 'PKCS12',
    privateKeyPem: key.export({ type: 'pkcs8', format: 'pem' }).toString(),
    certificateChainPem: chainFrom(leaf, certificates).map((certificate) => certificate.toString()),
    subject: leaf.subject,
  };
}

/** The leaf, then each certificate's issuer found among the others, as far as they go. */
function chainFrom(leaf: X509Certificate, all: readonly X509Certificate[]): X509Certificate[] {
  const chain = [leaf];
  for (;;) {
    const last = chain[chain.length - 1]!;
    if (last.checkIssued(last)) return chain; // self-signed: the root
    const issuer = all.find((candidate) => !chain.includes(candidate) && last.checkIssued(candidate));
    if (issuer === undefined) return chain;
    chain.push(issuer);
  }
}

/** Read a truststore: every certificate in it is trusted. Throws KeyStoreError. */
export function readTrustStore(ref: StoreRef): TrustStoreMaterial {
  const bytes = readStoreFile(ref);
  const pem = sniffStoreFormat(bytes) === 'PEM';
  let certificates: X509Certificate[];
  if (pem) {
    certificates = pemBlocks(bytes.toString('utf8'))
      .filter((block) => block.label === 'CERTIFICATE')
      .map((block) => certificateOf(ref, block.text));
  } else {
    try {
      certificates = readPkcs12(bytes, ref.password, { certificatesOnly: true }).certificates.map((certificate) =>
        certificateOf(ref, certificate.der),
      );
    } catch (error) {
      if (error instanceof Pkcs12Error) throw pkcs12Failure(ref, error);
      throw error;
    }
  }
  if (certificates.length === 0)
    throw new KeyStoreError('no-certificate', ref.path, `${where(ref)} holds no certificate to trust`);
  return {
    format: pem ? 'PEM' : 'PKCS12',
    certificatesPem: certificates.map((certificate) => certificate.toString()),
    subjects: certificates.map((certificate) => certificate.subject),
  };
}

/** The -----BEGIN X----- ... -----END X----- blocks of a PEM text, each with its label. */
function pemBlocks(text: string): { readonly label: string; readonly text: string }[] {
  const blocks: { label: string; text: string }[] = [];
  const pattern = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text))
    blocks.push({ label: match[1]!, text: match[0] });
  return blocks;
}
