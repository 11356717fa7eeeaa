// Protobuf base-128 varints as Hadoop uses them outside protobuf messages: the length prefix of
// every delimited message (CodedOutputStream.writeRawVarint32 / CodedInputStream.readRawVarint32).
// Sans-IO and allocation-free on the read side; malformed input yields a typed FrameError.

import { FrameError } from '../errors.js';

/** A length prefix is at most 5 bytes (32 bits); Java accepts 10 but only for negative int32 values. */
export const MAX_VARINT32_BYTES = 5;

/** Number of bytes `value` (0..2^32-1) takes as a varint. */
export function varint32Size(value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new RangeError(`varint32 value out of range: ${value}`);
  }
  let size = 1;
  let rest = value;
  while (rest >= 0x80) {
    rest = Math.floor(rest / 128);
    size++;
  }
  return size;
}

/** Write `value` (0..2^32-1) at `pos`; returns the position after it. The caller sizes `target`. */
export function writeVarint32(target: Uint8Array, pos: number, value: number): number {
  varint32Size(value); // range check
  let rest = value;
  let at = pos;
  while (rest >= 0x80) {
    target[at++] = (rest & 0x7f) | 0x80;
    rest = Math.floor(rest / 128);
  }
  target[at++] = rest;
  return at;
}

export function encodeVarint32(value: number): Uint8Array {
  const out = new Uint8Array(varint32Size(value));
  writeVarint32(out, 0, value);
  return out;
}

export interface VarintRead {
  readonly value: number;
  /** Position just after the varint. */
  readonly next: number;
}

/**
 * Read an unsigned varint32 at `pos` of `bytes`. `baseOffset` is the stream offset of bytes[0],
 * used only to name the byte at fault. Throws FrameError for a truncated varint or one longer than
 * 5 bytes / above 2^32-1.
 */
export function readVarint32(bytes: Uint8Array, pos: number, baseOffset = 0): VarintRead {
  let value = 0;
  let multiplier = 1;
  for (let i = 0; i < MAX_VARINT32_BYTES; i++) {
    const at = pos + i;
    const byte = bytes[at];
    if (byte === undefined) {
      throw new FrameError(baseOffset + pos, `truncated varint (${i} of at most ${MAX_VARINT32_BYTES} bytes present)`);
    }
    value += (byte & 0x7f) * multiplier;
    multiplier *= 128;
    if ((byte & 0x80) === 0) {
      if (value > 0xffffffff) throw new FrameError(baseOffset + pos, `varint32 overflows 32 bits`);
      return { value, next: at + 1 };
    }
  }
  throw new FrameError(baseOffset + pos, `varint32 longer than ${MAX_VARINT32_BYTES} bytes`);
}
