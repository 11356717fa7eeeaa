// A reader of JCEKS key stores (com.sun.crypto.provider.JceKeyStore, magic 0xCECECECE), the format
// of Hadoop's credential stores: JavaKeyStoreProvider and LocalJavaKeyStoreProvider ("jceks",
// "localjceks") keep each credential as a secret-key entry, a SecretKeySpec holding the
// credential's UTF-8 bytes, sealed with PBEWithMD5AndTripleDES under the store password.
//
// JceKeyStore#engineLoad: magic, version 2, entry count; each entry a tag (1 private key, 2 trusted
// certificate, 3 secret key), its alias (lower case) and date, then its data; last, a SHA-1 over the
// password (two bytes a char), the text "Mighty Aphrodite" and everything before: a wrong password
// or a damaged file fails that check. KeyProtector#unseal: the sealed key's PBE parameters (salt,
// iteration count), its 3DES key and IV derived as com.sun.crypto.provider.PBES1Core does for
// DESede (two MD5 chains over the halves of the salt), the plaintext a serialized key object.

import { createDecipheriv, createHash, timingSafeEqual } from 'node:crypto';
import { DerError, parseDer, TAG } from './der.js';
import { JavaSerializationError, readJavaObject, type JavaObject, type JavaValue } from './java-serialization.js';

const MAGIC = 0xcececece;
const TAG_PRIVATE_KEY = 1;
const TAG_TRUSTED_CERT = 2;
const TAG_SECRET_KEY = 3;
const MIGHTY_APHRODITE = Buffer.from('Mighty Aphrodite', 'utf8');
const SEAL_ALGORITHM = 'PBEWithMD5AndTripleDES';
const ITERATIONS_MAX = 10_000_000;

export type JceksFailureKind = 'wrong-password' | 'malformed' | 'unsupported';

export class JceksError extends Error {
  constructor(
    readonly kind: JceksFailureKind,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'JceksError';
  }
}

/** A secret-key entry, still sealed (unsealSecretKey opens it). */
export interface JceksSecretKey {
  readonly alias: string;
  readonly sealed: JavaObject;
}

/**
 * The secret-key entries of a JCEKS store, by alias (lower case, as JceKeyStore keeps them), after
 * checking the store's integrity with `password`. Throws JceksError.
 */
export function readJceks(bytes: Buffer, password: string): ReadonlyMap<string, JceksSecretKey> {
  try {
    return readStore(bytes, password);
  } catch (error) {
    if (error instanceof JceksError) throw error;
    if (error instanceof JavaSerializationError || error instanceof RangeError)
      throw new JceksError('malformed', `not a well-formed JCEKS key store: ${error.message}`, { cause: error });
    throw error;
  }
}

function readStore(bytes: Buffer, password: string): ReadonlyMap<string, JceksSecretKey> {
  let at = 0;
  const malformed = (what: string): JceksError =>
    new JceksError('malformed', `not a well-formed JCEKS key store: ${what}`);
  const need = (count: number): void => {
    if (at + count > bytes.length) throw malformed(`truncated at ${at}`);
  };
  const i32 = (): number => {
    need(4);
    const value = bytes.readInt32BE(at);
    at += 4;
    return value;
  };
  const utf = (): string => {
    need(2);
    const length = bytes.readUInt16BE(at);
    at += 2;
    need(length);
    const text = bytes.subarray(at, at + length).toString('utf8');
    at += length;
    return text;
  };
  const skipBlob = (): void => {
    const length = i32();
    if (length < 0) throw malformed(`negative length at ${at - 4}`);
    need(length);
    at += length;
  };
  if (i32() >>> 0 !== MAGIC) throw new JceksError('malformed', 'not a JCEKS key store (no 0xCECECECE magic)');
  const version = i32();
  if (version !== 1 && version !== 2) throw new JceksError('unsupported', `JCEKS version ${version}`);
  const count = i32();
  if (count < 0) throw malformed('negative entry count');
  const entries = new Map<string, JceksSecretKey>();
  for (let i = 0; i < count; i++) {
    const tag = i32();
    const alias = utf();
    need(8);
    at += 8; // the entry's date
    if (tag === TAG_PRIVATE_KEY) {
      skipBlob(); // the protected key
      const certificates = i32();
      if (certificates < 0) throw malformed('negative certificate count');
      for (let c = 0; c < certificates; c++) {
        if (version === 2) utf(); // certificate type
        skipBlob();
      }
    } else if (tag === TAG_TRUSTED_CERT) {
      if (version === 2) utf();
      skipBlob();
    } else if (tag === TAG_SECRET_KEY) {
      const { value, end } = readJavaObject(bytes, at);
      at = end;
      if (value === null || typeof value !== 'object' || !('className' in value))
        throw malformed(`secret key ${alias} is not a sealed object`);
      entries.set(alias, { alias, sealed: value });
    } else throw malformed(`unknown entry tag ${tag} at ${at}`);
  }
  // The integrity check over everything read so far (JceKeyStore#getPreKeyedHash).
  need(20);
  const digest = createHash('sha1');
  const passwordBytes = Buffer.alloc(password.length * 2);
  for (let i = 0; i < password.length; i++) passwordBytes.writeUInt16BE(password.charCodeAt(i), i * 2);
  digest.update(passwordBytes).update(MIGHTY_APHRODITE).update(bytes.subarray(0, at));
  const expected = bytes.subarray(at, at + 20);
  if (!timingSafeEqual(digest.digest(), expected))
    throw new JceksError('wrong-password', 'Keystore was tampered with, or password was incorrect');
  return entries;
}

/** The key bytes of a sealed secret key (a Hadoop credential's UTF-8 bytes). Throws JceksError. */
export function unsealSecretKey(entry: JceksSecretKey, password: string): Buffer {
  const { sealed } = entry;
  const sealAlg = sealed.fields.get('sealAlg');
  if (sealAlg !== SEAL_ALGORITHM)
    throw new JceksError(
      'unsupported',
      `secret key ${entry.alias} is sealed with ${typeof sealAlg === 'string' ? sealAlg : 'no algorithm'}, ` +
        `not ${SEAL_ALGORITHM}`,
    );
  const params = sealed.fields.get('encodedParams');
  const content = sealed.fields.get('encryptedContent');
  if (!Buffer.isBuffer(params) || !Buffer.isBuffer(content))
    throw new JceksError('malformed', `secret key ${entry.alias}: sealed object without parameters or content`);
  let salt: Buffer;
  let iterations: number;
  try {
    const spec = parseDer(params).expect(TAG.SEQUENCE, 'PBEParameterSpec');
    salt = spec.child(0, 'salt').expect(TAG.OCTET_STRING, 'salt').content;
    iterations = spec.child(1, 'iteration count').smallInteger('iteration count');
  } catch (error) {
    if (!(error instanceof DerError)) throw error;
    throw new JceksError('malformed', `secret key ${entry.alias}: ${error.message}`, { cause: error });
  }
  if (salt.length !== 8 || iterations < 1 || iterations > ITERATIONS_MAX)
    throw new JceksError(
      'malformed',
      `secret key ${entry.alias}: PBE salt of ${salt.length} bytes, ${iterations} iterations`,
    );
  const { key, iv } = pbes1DesEdeKey(password, salt, iterations);
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('des-ede3-cbc', key, iv);
    plain = Buffer.concat([decipher.update(content), decipher.final()]);
  } catch (cause) {
    throw new JceksError('wrong-password', `secret key ${entry.alias} does not open with the store password`, {
      cause,
    });
  }
  let keyObject: JavaValue;
  try {
    keyObject = readJavaObject(plain).value;
  } catch (error) {
    throw new JceksError('wrong-password', `secret key ${entry.alias} does not open with the store password`, {
      cause: error,
    });
  }
  if (keyObject !== null && typeof keyObject === 'object' && 'className' in keyObject) {
    // javax.crypto.spec.SecretKeySpec { key, algorithm }, or java.security.KeyRep { encoded, ... }.
    const bytes = keyObject.fields.get('key') ?? keyObject.fields.get('encoded');
    if (Buffer.isBuffer(bytes)) return bytes;
  }
  throw new JceksError('unsupported', `secret key ${entry.alias} holds no key bytes`);
}

/** com.sun.crypto.provider.PBES1Core#deriveCipherKey for DESede: 24 key bytes and an 8-byte IV. */
function pbes1DesEdeKey(password: string, saltIn: Buffer, iterations: number): { key: Buffer; iv: Buffer } {
  const salt = Buffer.from(saltIn);
  // Identical halves: the first half is reversed (as the JDK does).
  if (salt.subarray(0, 4).equals(salt.subarray(4, 8))) salt.subarray(0, 4).reverse();
  // PBEKey: each char's low 7 bits (the JDK accepts printable ASCII only).
  const passwordBytes = Buffer.from([...password].map((c) => c.charCodeAt(0) & 0x7f));
  const result = Buffer.alloc(32);
  for (let half = 0; half < 2; half++) {
    let block = salt.subarray(half * 4, half * 4 + 4);
    for (let i = 0; i < iterations; i++) block = createHash('md5').update(block).update(passwordBytes).digest();
    block.copy(result, half * 16);
  }
  return { key: result.subarray(0, 24), iv: result.subarray(24, 32) };
}
