// A PKCS#12 (RFC 7292) reader for the key stores Java operators have: keytool's PKCS12 (the JDK
// default store type since 9), OpenSSL's `pkcs12 -export`, and legacy stores of both. It checks
// the password-based integrity MAC first (a wrong password is told apart from a damaged file only
// by that), then decrypts the safe contents and returns the private keys (as unencrypted PKCS#8
// DER, for node:crypto) and certificates (DER), with the bag attributes that say which belong
// together.
//
// Algorithms: MAC HMAC-SHA1/224/256/384/512 with the PKCS#12 key derivation (RFC 7292 appendix B);
// encryption PBES2 (PBKDF2 with HMAC-SHA1/224/256/384/512, AES-128/192/256-CBC or DES-EDE3-CBC:
// JDK 12+ and OpenSSL 3), pbeWithSHAAnd3-KeyTripleDES-CBC (older JDKs' keys, OpenSSL -legacy), and
// pbeWithSHAAnd40BitRC2-CBC / 128BitRC2 (older JDKs' certificates; rc2.ts). Anything else is refused
// naming its object identifier. Passwords: BMPString with two zero bytes for the PKCS#12 derivation,
// UTF-8 for PBKDF2, as Java's PKCS12KeyStore and OpenSSL do.

import { createDecipheriv, createHash, createHmac, pbkdf2Sync, timingSafeEqual } from 'node:crypto';
import { DerError, parseDer, TAG, type DerNode } from './der.js';
import { rc2CbcDecrypt } from './rc2.js';

const OID = {
  data: '1.2.840.113549.1.7.1',
  encryptedData: '1.2.840.113549.1.7.6',
  keyBag: '1.2.840.113549.1.12.10.1.1',
  pkcs8ShroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  safeContentsBag: '1.2.840.113549.1.12.10.1.6',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  localKeyId: '1.2.840.113549.1.9.21',
  friendlyName: '1.2.840.113549.1.9.20',
  /** Oracle's trusted key usage: keytool's mark of a trusted-certificate entry. */
  javaTrustedKeyUsage: '2.16.840.1.113894.746875.1.1',
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  pbeSha3Des: '1.2.840.113549.1.12.1.3',
  pbeSha128Rc2: '1.2.840.113549.1.12.1.5',
  pbeSha40Rc2: '1.2.840.113549.1.12.1.6',
} as const;

/** Digest algorithms of the MAC and the PKCS#12 derivation: node name, output and block bytes. */
const DIGESTS: ReadonlyMap<string, { readonly name: string; readonly u: number; readonly v: number }> = new Map([
  ['1.3.14.3.2.26', { name: 'sha1', u: 20, v: 64 }],
  ['2.16.840.1.101.3.4.2.4', { name: 'sha224', u: 28, v: 64 }],
  ['2.16.840.1.101.3.4.2.1', { name: 'sha256', u: 32, v: 64 }],
  ['2.16.840.1.101.3.4.2.2', { name: 'sha384', u: 48, v: 128 }],
  ['2.16.840.1.101.3.4.2.3', { name: 'sha512', u: 64, v: 128 }],
]);

/** PBKDF2 pseudo-random functions (PKCS#5). */
const PRFS: ReadonlyMap<string, string> = new Map([
  ['1.2.840.113549.2.7', 'sha1'],
  ['1.2.840.113549.2.8', 'sha224'],
  ['1.2.840.113549.2.9', 'sha256'],
  ['1.2.840.113549.2.10', 'sha384'],
  ['1.2.840.113549.2.11', 'sha512'],
]);

/** PBES2 encryption schemes: node cipher name and key bytes. */
const CIPHERS: ReadonlyMap<string, { readonly name: string; readonly keyBytes: number }> = new Map([
  ['2.16.840.1.101.3.4.1.2', { name: 'aes-128-cbc', keyBytes: 16 }],
  ['2.16.840.1.101.3.4.1.22', { name: 'aes-192-cbc', keyBytes: 24 }],
  ['2.16.840.1.101.3.4.1.42', { name: 'aes-256-cbc', keyBytes: 32 }],
  ['1.2.840.113549.3.7', { name: 'des-ede3-cbc', keyBytes: 24 }],
]);

/** Why a PKCS#12 file could not be read. `wrong-password` only when the MAC says so (or decryption fails). */
export type Pkcs12FailureKind = 'wrong-password' | 'unsupported' | 'malformed';

export class Pkcs12Error extends Error {
  constructor(
    readonly kind: Pkcs12FailureKind,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'Pkcs12Error';
  }
}

/** Attributes of a bag that tie a certificate to its key and name the entry. */
export interface BagAttributes {
  /** localKeyId, hex; the same on a private key and its certificate. */
  readonly localKeyId: string | undefined;
  readonly friendlyName: string | undefined;
  /** keytool marked it a trusted-certificate entry. */
  readonly javaTrusted: boolean;
}

export interface Pkcs12PrivateKey extends BagAttributes {
  /** Unencrypted PKCS#8 PrivateKeyInfo, DER. */
  readonly pkcs8Der: Buffer;
}

export interface Pkcs12Certificate extends BagAttributes {
  readonly der: Buffer;
}

export interface Pkcs12Contents {
  readonly privateKeys: readonly Pkcs12PrivateKey[];
  readonly certificates: readonly Pkcs12Certificate[];
  /** False when the file has no MAC (then nothing vouched for the password or the content). */
  readonly macVerified: boolean;
}

export interface Pkcs12ReadOptions {
  /** Skip the private keys (a truststore): their bags are not decrypted. */
  readonly certificatesOnly?: boolean;
}

/** Read a PKCS#12 file's keys and certificates. Throws Pkcs12Error. */
export function readPkcs12(bytes: Buffer, password: string, options: Pkcs12ReadOptions = {}): Pkcs12Contents {
  try {
    return readPfx(bytes, password, options);
  } catch (error) {
    if (error instanceof Pkcs12Error) throw error;
    if (error instanceof DerError)
      throw new Pkcs12Error('malformed', `not a well-formed PKCS#12 file: ${error.message}`, { cause: error });
    throw error;
  }
}

function readPfx(bytes: Buffer, password: string, options: Pkcs12ReadOptions): Pkcs12Contents {
  const pfx = parseDer(bytes).expect(TAG.SEQUENCE, 'PFX');
  const version = pfx.child(0, 'PFX version').smallInteger('PFX version');
  if (version !== 3) throw new Pkcs12Error('malformed', `PFX version ${version}, expected 3`);
  const authSafe = pfx.child(1, 'authSafe').expect(TAG.SEQUENCE, 'authSafe');
  const contentType = authSafe.child(0, 'authSafe content type').oid();
  if (contentType !== OID.data)
    throw new Pkcs12Error('unsupported', `public-key integrity mode (content type ${contentType}) is not supported`);
  const authSafeBytes = explicit(authSafe.child(1, 'authSafe content'), 0).octets();
  const macData = pfx.children()[2];
  if (macData !== undefined) verifyMac(macData, authSafeBytes, password);

  const privateKeys: Pkcs12PrivateKey[] = [];
  const certificates: Pkcs12Certificate[] = [];
  const contentInfos = parseDer(authSafeBytes).expect(TAG.SEQUENCE, 'AuthenticatedSafe').children();
  for (const info of contentInfos) {
    const type = info.child(0, 'ContentInfo type').oid();
    const content = explicit(info.child(1, 'ContentInfo content'), 0);
    let safeContents: Buffer;
    if (type === OID.data) safeContents = content.octets();
    else if (type === OID.encryptedData) {
      const encryptedContentInfo = content
        .expect(TAG.SEQUENCE, 'EncryptedData')
        .child(1, 'EncryptedContentInfo')
        .expect(TAG.SEQUENCE, 'EncryptedContentInfo');
      const encrypted = encryptedContentInfo.children()[2];
      if (encrypted === undefined || encrypted.contextNumber !== 0) continue; // no content: nothing inside
      // A truststore's certificates are encrypted too (JDK 12+); they are what it holds.
      safeContents = decrypt(
        encryptedContentInfo.child(1, 'content encryption algorithm'),
        encrypted.octets(),
        password,
      );
    } else throw new Pkcs12Error('unsupported', `content of type ${type} (only data and encryptedData are supported)`);
    readSafeContents(safeContents, password, options, privateKeys, certificates, 0);
  }
  return { privateKeys, certificates, macVerified: macData !== undefined };
}

function readSafeContents(
  bytes: Buffer,
  password: string,
  options: Pkcs12ReadOptions,
  privateKeys: Pkcs12PrivateKey[],
  certificates: Pkcs12Certificate[],
  depth: number,
): void {
  if (depth > 4) throw new Pkcs12Error('malformed', 'safe contents nested too deep');
  for (const bag of parseDer(bytes).expect(TAG.SEQUENCE, 'SafeContents').children()) {
    const bagId = bag.child(0, 'bag id').oid();
    const value = explicit(bag.child(1, 'bag value'), 0);
    const attributes = readAttributes(bag.children()[2]);
    switch (bagId) {
      case OID.keyBag:
        if (!options.certificatesOnly) privateKeys.push({ ...attributes, pkcs8Der: rawTlv(value) });
        break;
      case OID.pkcs8ShroudedKeyBag:
        if (!options.certificatesOnly) {
          const encryptedInfo = value.expect(TAG.SEQUENCE, 'EncryptedPrivateKeyInfo');
          const pkcs8Der = decrypt(
            encryptedInfo.child(0, 'key encryption algorithm'),
            encryptedInfo.child(1, 'encrypted key').octets(),
            password,
          );
          privateKeys.push({ ...attributes, pkcs8Der });
        }
        break;
      case OID.certBag: {
        const certBag = value.expect(TAG.SEQUENCE, 'CertBag');
        const certType = certBag.child(0, 'certificate type').oid();
        if (certType !== OID.x509Certificate) break; // SDSI certificates: nothing to use
        certificates.push({ ...attributes, der: explicit(certBag.child(1, 'certificate'), 0).octets() });
        break;
      }
      case OID.safeContentsBag:
        readSafeContents(rawTlv(value), password, options, privateKeys, certificates, depth + 1);
        break;
      default:
        break; // CRLs and secret bags: not used for TLS
    }
  }
}

/** The whole TLV of a node (tag, length and content) as DER again. */
function rawTlv(node: DerNode): Buffer {
  const length = node.content.length;
  let header: Buffer;
  if (length < 0x80) header = Buffer.from([node.tag, length]);
  else {
    const octets: number[] = [];
    for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) octets.unshift(rest % 256);
    header = Buffer.from([node.tag, 0x80 | octets.length, ...octets]);
  }
  return Buffer.concat([header, node.content]);
}

/** The single child of an [n] EXPLICIT wrapper. */
function explicit(node: DerNode, number: number): DerNode {
  if (node.contextNumber !== number || !node.constructed)
    throw new Pkcs12Error('malformed', `expected [${number}] at ${node.offset}, found tag 0x${node.tag.toString(16)}`);
  return node.child(0, `[${number}] content`);
}

function readAttributes(set: DerNode | undefined): BagAttributes {
  let localKeyId: string | undefined;
  let friendlyName: string | undefined;
  let javaTrusted = false;
  for (const attribute of set?.children() ?? []) {
    const type = attribute.child(0, 'attribute type').oid();
    const first = attribute.child(1, 'attribute values').children()[0];
    if (type === OID.localKeyId && first !== undefined) localKeyId = first.octets().toString('hex');
    else if (type === OID.friendlyName && first?.tag === TAG.BMP_STRING)
      friendlyName = Buffer.from(first.content).swap16().toString('utf16le');
    else if (type === OID.javaTrustedKeyUsage) javaTrusted = true;
  }
  return { localKeyId, friendlyName, javaTrusted };
}

// ---------------------------------------------------------------------------------------------
// Integrity

function verifyMac(macData: DerNode, authSafeBytes: Buffer, password: string): void {
  const [digestInfo, saltNode, iterationsNode] = macData.expect(TAG.SEQUENCE, 'MacData').children();
  if (digestInfo === undefined || saltNode === undefined) throw new Pkcs12Error('malformed', 'MacData incomplete');
  const algorithm = digestInfo.child(0, 'MAC algorithm').child(0, 'MAC digest').oid();
  const digest = DIGESTS.get(algorithm);
  if (digest === undefined) throw new Pkcs12Error('unsupported', `MAC algorithm ${algorithm} is not supported`);
  const expected = digestInfo.child(1, 'MAC value').expect(TAG.OCTET_STRING, 'MAC value').content;
  const salt = saltNode.expect(TAG.OCTET_STRING, 'MAC salt').content;
  const iterations = iterationsNode === undefined ? 1 : iterationsNode.smallInteger('MAC iterations');
  checkIterations(iterations);
  const key = pkcs12Kdf(digest, bmpPassword(password), salt, 3, iterations, digest.u);
  const actual = createHmac(digest.name, key).update(authSafeBytes).digest();
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected))
    throw new Pkcs12Error(
      'wrong-password',
      'the password is wrong, or the file is damaged (its integrity check failed)',
    );
}

/** A hostile file must not make us spin: Java and OpenSSL write 2,048 to 10,000 (JDK 12+: 10,000). */
function checkIterations(iterations: number): void {
  if (iterations < 1 || iterations > 10_000_000)
    throw new Pkcs12Error('malformed', `iteration count ${iterations} out of range`);
}

/** RFC 7292 appendix B.1: the password as a BMPString with two trailing zero bytes. */
export function bmpPassword(password: string): Buffer {
  const bytes = Buffer.alloc(password.length * 2 + 2);
  for (let i = 0; i < password.length; i++) bytes.writeUInt16BE(password.charCodeAt(i), i * 2);
  return bytes;
}

/** RFC 7292 appendix B.2: PKCS#12 key derivation (id 1 key, 2 IV, 3 MAC key). */
export function pkcs12Kdf(
  digest: { readonly name: string; readonly u: number; readonly v: number },
  password: Buffer,
  salt: Buffer,
  id: 1 | 2 | 3,
  iterations: number,
  n: number,
): Buffer {
  const { u, v } = digest;
  const fill = (source: Buffer): Buffer => {
    if (source.length === 0) return Buffer.alloc(0);
    const out = Buffer.alloc(v * Math.ceil(source.length / v));
    for (let i = 0; i < out.length; i++) out[i] = source[i % source.length]!;
    return out;
  };
  const d = Buffer.alloc(v, id);
  const i = Buffer.concat([fill(salt), fill(password)]);
  const blocks: Buffer[] = [];
  for (let produced = 0; produced < n; produced += u) {
    let a = createHash(digest.name).update(d).update(i).digest();
    for (let r = 1; r < iterations; r++) a = createHash(digest.name).update(a).digest();
    blocks.push(a);
    if (produced + u >= n) break;
    const b = Buffer.alloc(v);
    for (let k = 0; k < v; k++) b[k] = a[k % u]!;
    // I_j = (I_j + B + 1) mod 2^(8v), each v-byte block as a big-endian integer.
    for (let j = 0; j < i.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = i[j + k]! + b[k]! + carry;
        i[j + k] = sum & 0xff;
        carry = sum >>> 8;
      }
    }
  }
  return Buffer.concat(blocks).subarray(0, n);
}

// ---------------------------------------------------------------------------------------------
// Decryption

function decrypt(algorithm: DerNode, data: Buffer, password: string): Buffer {
  const oid = algorithm.child(0, 'encryption algorithm').oid();
  const params = algorithm.children()[1];
  if (params === undefined) throw new Pkcs12Error('malformed', `encryption algorithm ${oid} without parameters`);
  try {
    switch (oid) {
      case OID.pbes2:
        return decryptPbes2(params, data, password);
      case OID.pbeSha3Des:
      case OID.pbeSha40Rc2:
      case OID.pbeSha128Rc2:
        return decryptPkcs12Pbe(oid, params, data, password);
      default:
        throw new Pkcs12Error('unsupported', `encryption algorithm ${oid} is not supported`);
    }
  } catch (error) {
    if (error instanceof Pkcs12Error || error instanceof DerError) throw error;
    // A wrong key shows as bad padding; the MAC, when there is one, was already right.
    throw new Pkcs12Error('wrong-password', `decryption failed (wrong password?): ${(error as Error).message}`, {
      cause: error,
    });
  }
}

function decryptPkcs12Pbe(oid: string, params: DerNode, data: Buffer, password: string): Buffer {
  const salt = params.child(0, 'PBE salt').expect(TAG.OCTET_STRING, 'PBE salt').content;
  const iterations = params.child(1, 'PBE iterations').smallInteger('PBE iterations');
  checkIterations(iterations);
  const sha1 = DIGESTS.get('1.3.14.3.2.26')!;
  const pass = bmpPassword(password);
  const iv = pkcs12Kdf(sha1, pass, salt, 2, iterations, 8);
  if (oid === OID.pbeSha3Des) {
    const key = pkcs12Kdf(sha1, pass, salt, 1, iterations, 24);
    const decipher = createDecipheriv('des-ede3-cbc', key, iv);
    return Buffer.concat([decipher.update(data), decipher.final()]);
  }
  const bits = oid === OID.pbeSha40Rc2 ? 40 : 128;
  return rc2CbcDecrypt(pkcs12Kdf(sha1, pass, salt, 1, iterations, bits / 8), bits, iv, data);
}

function decryptPbes2(params: DerNode, data: Buffer, password: string): Buffer {
  const kdf = params.child(0, 'PBES2 key derivation');
  const kdfOid = kdf.child(0, 'PBES2 key derivation algorithm').oid();
  if (kdfOid !== OID.pbkdf2) throw new Pkcs12Error('unsupported', `PBES2 key derivation ${kdfOid} is not supported`);
  const kdfParams = kdf.child(1, 'PBKDF2 parameters').children();
  const salt = kdfParams[0]?.expect(TAG.OCTET_STRING, 'PBKDF2 salt').content;
  const iterations = kdfParams[1]?.smallInteger('PBKDF2 iterations');
  if (salt === undefined || iterations === undefined)
    throw new Pkcs12Error('malformed', 'PBKDF2 parameters incomplete');
  checkIterations(iterations);
  let prf = 'sha1';
  for (const extra of kdfParams.slice(2)) {
    if (extra.tag !== TAG.SEQUENCE) continue; // keyLength: the cipher fixes it
    const prfOid = extra.child(0, 'PBKDF2 PRF').oid();
    const name = PRFS.get(prfOid);
    if (name === undefined) throw new Pkcs12Error('unsupported', `PBKDF2 function ${prfOid} is not supported`);
    prf = name;
  }
  const scheme = params.child(1, 'PBES2 encryption scheme');
  const cipherOid = scheme.child(0, 'PBES2 cipher').oid();
  const cipher = CIPHERS.get(cipherOid);
  if (cipher === undefined) throw new Pkcs12Error('unsupported', `PBES2 cipher ${cipherOid} is not supported`);
  const iv = scheme.child(1, 'PBES2 IV').expect(TAG.OCTET_STRING, 'PBES2 IV').content;
  const key = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, cipher.keyBytes, prf);
  const decipher = createDecipheriv(cipher.name, key, iv);
  return Buffer.concat([decipher.update(data), decipher.final()]);
}
