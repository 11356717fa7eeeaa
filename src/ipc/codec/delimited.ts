// Varint-length-delimited messages inside one frame (protobuf writeDelimitedTo / parseDelimitedFrom,
// docs/hadoop-compat.md §1.1, §1.5). A reader walks a frame payload message by message and names the stream offset of
// any fault; encoders build frames from already-serialised messages.

import { FrameError } from '../errors.js';
import { FRAME_LENGTH_BYTES } from './constants.js';
import { readVarint32, varint32Size, writeVarint32 } from './varint.js';

/** Walks the delimited messages of one frame payload. */
export class DelimitedReader {
  private pos = 0;
  private lastStart = 0;
  constructor(
    private readonly bytes: Uint8Array,
    /** Stream offset of bytes[0]. */
    private readonly baseOffset = 0,
  ) {}

  /** Bytes not yet read. */
  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  /** Stream offset of the next unread byte. */
  get offset(): number {
    return this.baseOffset + this.pos;
  }

  /** Stream offset of the first byte of the message last returned by next(). */
  get lastOffset(): number {
    return this.baseOffset + this.lastStart;
  }

  /** The next message; throws FrameError when its length prefix is truncated or overruns the frame. */
  next(): Uint8Array {
    const start = this.pos;
    const { value: length, next } = readVarint32(this.bytes, start, this.baseOffset);
    if (length > this.bytes.length - next) {
      throw new FrameError(
        this.baseOffset + start,
        `delimited message length ${length} overruns the frame (${this.bytes.length - next} bytes left)`,
      );
    }
    this.pos = next + length;
    this.lastStart = next;
    return this.bytes.subarray(next, next + length);
  }
}

/** Split a whole payload into its delimited messages (all bytes must be consumed). */
export function splitDelimited(payload: Uint8Array, baseOffset = 0): Uint8Array[] {
  const reader = new DelimitedReader(payload, baseOffset);
  const out: Uint8Array[] = [];
  while (reader.remaining > 0) out.push(reader.next());
  return out;
}

/** One frame: 4-byte big-endian length, then each message varint-delimited. */
export function encodeDelimitedFrame(messages: readonly Uint8Array[]): Uint8Array {
  let payloadLength = 0;
  for (const message of messages) payloadLength += varint32Size(message.length) + message.length;
  const out = new Uint8Array(FRAME_LENGTH_BYTES + payloadLength);
  new DataView(out.buffer, out.byteOffset, out.byteLength).setUint32(0, payloadLength, false);
  let pos = FRAME_LENGTH_BYTES;
  for (const message of messages) {
    pos = writeVarint32(out, pos, message.length);
    out.set(message, pos);
    pos += message.length;
  }
  return out;
}
