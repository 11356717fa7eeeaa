// Byte builders for Hadoop IPC tests: hex helpers, a fuzz mutator and hand-assembled frames
// written from Hadoop's worked bytes (docs/hadoop-compat.md §1.11) independently of the production encoders, so
// golden tests compare two separate constructions.

import { SeededRandom } from '../../tools/testing/prng.js';

/** "00 01 0a" / "00010a" → bytes. Whitespace is ignored. */
export function hexBytes(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || /[^0-9a-fA-F]/.test(clean)) throw new Error(`bad hex: ${text}`);
  return Uint8Array.from(Buffer.from(clean, 'hex'));
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export function ascii(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text, 'latin1'));
}

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const part of parts) {
    out.set(part, pos);
    pos += part.length;
  }
  return out;
}

/** uint32 big-endian length prefix + payload. */
export function frameOf(payload: Uint8Array): Uint8Array {
  const prefix = new Uint8Array(4);
  new DataView(prefix.buffer).setUint32(0, payload.length, false);
  return concatBytes(prefix, payload);
}

/** A varint length + bytes (single-byte length only: test messages are short). */
export function delimited(message: Uint8Array): Uint8Array {
  if (message.length > 127) throw new Error('test helper supports messages up to 127 bytes');
  return concatBytes(Uint8Array.of(message.length), message);
}

/** The docs/hadoop-compat.md §1.11 client id 00 01 .. 0f. */
export const SPEC_CLIENT_ID = Uint8Array.from({ length: 16 }, (_, i) => i);

export const HA_PROTOCOL_ASCII = ascii('org.apache.hadoop.ha.HAServiceProtocol');

/** docs/hadoop-compat.md §1.11: the preamble for SIMPLE auth. */
export const SPEC_PREAMBLE = hexBytes('68 72 70 63 09 00 00');

/** docs/hadoop-compat.md §1.11: connection context frame for user hdfs, clientId 00..0f, protocol HAServiceProtocol. */
export function specConnectionContextFrame(clientId: Uint8Array = SPEC_CLIENT_ID): Uint8Array {
  return concatBytes(
    hexBytes('00 00 00 4c 1a 08 02 10 00 18 05 22 10'),
    clientId,
    hexBytes('28 01 30 12 06 0a 04 68 64 66 73 1a 26'),
    HA_PROTOCOL_ASCII,
  );
}

/** docs/hadoop-compat.md §1.11: monitorHealth call with the given call id (< 64: one-byte zigzag varint). */
export function specMonitorHealthFrame(clientId: Uint8Array = SPEC_CLIENT_ID, callId = 0): Uint8Array {
  if (callId < 0 || callId > 63) throw new Error('helper supports call ids 0..63');
  return concatBytes(
    hexBytes('00 00 00 56 1a 08 02 10 00 18'),
    Uint8Array.of(callId * 2),
    hexBytes('22 10'),
    clientId,
    hexBytes('28 00 39 0a 0d'),
    ascii('monitorHealth'),
    hexBytes('12 26'),
    HA_PROTOCOL_ASCII,
    hexBytes('18 01 00'),
  );
}

/** docs/hadoop-compat.md §1.11: the typical success reply header for call 0 (without the length prefix). */
export function specSuccessHeader(clientId: Uint8Array = SPEC_CLIENT_ID): Uint8Array {
  return concatBytes(hexBytes('08 00 10 00 18 09 3a 10'), clientId, hexBytes('40 00'));
}

/** docs/hadoop-compat.md §1.11: the SASL NEGOTIATE frame a SASL-first client sends. */
export const SPEC_SASL_NEGOTIATE_FRAME = hexBytes('00 00 00 0e 0a 08 02 10 00 18 41 22 00 28 01 02 10 01');

export function mutate(input: Uint8Array, random: SeededRandom): Uint8Array {
  let bytes: Uint8Array = Uint8Array.from(input);
  const rounds = 1 + random.below(4);
  for (let r = 0; r < rounds; r++) {
    switch (random.below(6)) {
      case 0: // flip a byte
        if (bytes.length > 0) bytes[random.below(bytes.length)] = random.nextUint32() & 0xff;
        break;
      case 1: // flip a bit
        if (bytes.length > 0) {
          const i = random.below(bytes.length);
          bytes[i] = (bytes[i] ?? 0) ^ (1 << random.below(8));
        }
        break;
      case 2: // truncate
        bytes = bytes.subarray(0, random.below(bytes.length + 1));
        break;
      case 3: {
        // insert random bytes
        const at = random.below(bytes.length + 1);
        bytes = concatBytes(bytes.subarray(0, at), random.bytes(1 + random.below(8)), bytes.subarray(at));
        break;
      }
      case 4: {
        // duplicate a slice
        const from = random.below(bytes.length + 1);
        const to = from + random.below(bytes.length - from + 1);
        bytes = concatBytes(bytes, bytes.subarray(from, to));
        break;
      }
      default: {
        // set an interesting value (length-like) somewhere
        if (bytes.length >= 4) {
          const at = random.below(bytes.length - 3);
          const value = random.pick([0, 1, 0x7f, 0x80, 0xff, 0xffffffff, 0x7fffffff, 0x80000000, 0x08000001]);
          new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).setUint32(at, value >>> 0, false);
        }
      }
    }
  }
  return bytes;
}
