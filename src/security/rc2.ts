// RC2-CBC decryption (RFC 2268), for one purpose: PKCS#12 stores written with the legacy
// algorithms pbeWithSHAAnd40BitRC2-CBC / pbeWithSHAAnd128BitRC2-CBC, which Java's keytool used for
// certificates until JDK 8u301 / 11.0.12 (JDK-8153005) and `openssl pkcs12 -legacy` still writes.
// Node's OpenSSL 3 leaves RC2 in its legacy provider, which Node does not load, so truststores that
// many Hadoop operators still have would otherwise be unreadable. It decrypts only: what it
// protects in a truststore is public certificates, whose integrity the store's HMAC (checked with
// node:crypto before anything is decrypted) vouches for.

/** RFC 2268 section 2: PITABLE, a permutation of 0..255 from the digits of pi. */
const PITABLE = Buffer.from(
  'd978f9c419ddb5ed28e9fd794aa0d89dc67e37832b76538e624c6488448bfba2' +
    '179a59f587b34f1361456d8d09817d32bd8f40eb86b77b0bf09521225c6b4e82' +
    '54d66593ce60b21c7356c014a78cf1dc1275ca1f3bbee4d1423dd430a33cb626' +
    '6fbf0eda4669075727f21d9bbc944303f811c7f690ef3ee706c3d52fc8661ed7' +
    '08e8eade8052eef784aa72ac354d6a2a961ad2715a1549744b9fd05e0418a4ec' +
    'c2e0416e0f51cbcc2491af50a1f47039997c3a8523b8b47afc02365b25559731' +
    '2d5dfa98e38a92ae05df2910676cbac9d300e6cfe19ea82c6316013f58e289a9' +
    '0d38341bab33ffb0bb480c5fb9b1cd2ec5f3db47e5a59c770aa62068fe7fc1ad',
  'hex',
);

/** RFC 2268 section 2: the 64 16-bit subkeys for `key` limited to `effectiveBits`. */
function expandKey(key: Buffer, effectiveBits: number): Uint16Array {
  const t = key.length;
  if (t < 1 || t > 128) throw new RangeError(`RC2 key of ${t} bytes (1..128)`);
  if (effectiveBits < 1 || effectiveBits > 1024) throw new RangeError(`RC2 effective key bits ${effectiveBits}`);
  const l = new Uint8Array(128);
  l.set(key);
  for (let i = t; i < 128; i++) l[i] = PITABLE[(l[i - 1]! + l[i - t]!) & 0xff]!;
  const t8 = Math.ceil(effectiveBits / 8);
  const tm = 0xff % 2 ** (8 + effectiveBits - 8 * t8);
  l[128 - t8] = PITABLE[l[128 - t8]! & tm]!;
  for (let i = 127 - t8; i >= 0; i--) l[i] = PITABLE[l[i + 1]! ^ l[i + t8]!]!;
  const k = new Uint16Array(64);
  for (let i = 0; i < 64; i++) k[i] = l[2 * i]! | (l[2 * i + 1]! << 8);
  return k;
}

const SHIFTS = [1, 2, 3, 5] as const;

/** RFC 2268 section 4.1: one 8-byte block, in place. */
function decryptBlock(k: Uint16Array, block: Buffer, at: number): void {
  const r = [
    block.readUInt16LE(at),
    block.readUInt16LE(at + 2),
    block.readUInt16LE(at + 4),
    block.readUInt16LE(at + 6),
  ];
  let j = 63;
  const mixRound = (): void => {
    for (let i = 3; i >= 0; i--) {
      const s = SHIFTS[i]!;
      const x = r[i]!;
      const rotated = ((x >>> s) | (x << (16 - s))) & 0xffff;
      const a = r[(i + 3) % 4]!;
      const b = r[(i + 2) % 4]!;
      const c = r[(i + 1) % 4]!;
      r[i] = (rotated - k[j]! - (a & b) - (~a & c)) & 0xffff;
      j--;
    }
  };
  const mashRound = (): void => {
    for (let i = 3; i >= 0; i--) r[i] = (r[i]! - k[r[(i + 3) % 4]! & 63]!) & 0xffff;
  };
  for (let n = 0; n < 5; n++) mixRound();
  mashRound();
  for (let n = 0; n < 6; n++) mixRound();
  mashRound();
  for (let n = 0; n < 5; n++) mixRound();
  for (let n = 0; n < 4; n++) block.writeUInt16LE(r[n]!, at + 2 * n);
}

/** Decrypt one block with no chaining (the RFC's test vectors). */
export function rc2DecryptBlock(key: Buffer, effectiveBits: number, ciphertext: Buffer): Buffer {
  if (ciphertext.length !== 8) throw new RangeError('RC2 block must be 8 bytes');
  const out = Buffer.from(ciphertext);
  decryptBlock(expandKey(key, effectiveBits), out, 0);
  return out;
}

/**
 * RC2-CBC with PKCS#5 padding, as PKCS#12's PBE uses it. Throws RangeError('bad decrypt') when the
 * padding is wrong (a wrong key), like node:crypto's decipher.final().
 */
export function rc2CbcDecrypt(key: Buffer, effectiveBits: number, iv: Buffer, ciphertext: Buffer): Buffer {
  if (iv.length !== 8) throw new RangeError('RC2 IV must be 8 bytes');
  if (ciphertext.length === 0 || ciphertext.length % 8 !== 0) throw new RangeError('bad decrypt');
  const k = expandKey(key, effectiveBits);
  const out = Buffer.from(ciphertext);
  for (let at = 0; at < out.length; at += 8) {
    decryptBlock(k, out, at);
    const previous = at === 0 ? iv : ciphertext.subarray(at - 8, at);
    for (let i = 0; i < 8; i++) out[at + i] = out[at + i]! ^ previous[i]!;
  }
  const pad = out[out.length - 1]!;
  if (pad < 1 || pad > 8) throw new RangeError('bad decrypt');
  for (let i = out.length - pad; i < out.length; i++) if (out[i] !== pad) throw new RangeError('bad decrypt');
  return out.subarray(0, out.length - pad);
}
