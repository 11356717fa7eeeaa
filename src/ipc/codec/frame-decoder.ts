// Sans-IO splitter of a Hadoop IPC byte stream into frames: `uint32 length (big-endian)` followed
// by `length` bytes (docs/hadoop-compat.md §1.1). Accepts arbitrary chunks. The length is checked against the
// maximum BEFORE anything of the frame is buffered, and bytes are only ever held as they arrive
// (no allocation sized from an untrusted length), so memory is bounded by maxFrameBytes + one chunk.
// Parity: Server.Connection.checkDataLength (length < 0 or > ipc.maximum.data.length is refused);
// Client.Connection.receiveRpcResponse (length <= 0 or > ipc.maximum.response.length is refused).

import { FrameError } from '../errors.js';
import { DEFAULT_MAX_FRAME_BYTES, FRAME_LENGTH_BYTES } from './constants.js';

/** One complete frame. */
export interface Frame {
  /** The bytes after the length prefix. */
  readonly payload: Uint8Array;
  /** Stream offset of payload[0] (the length prefix sits 4 bytes earlier). */
  readonly offset: number;
}

export interface FrameDecoderOptions {
  /** Largest accepted payload length. Default 128 MiB (ipc.maximum.data.length). */
  readonly maxFrameBytes?: number;
  /** Whether a zero-length frame is acceptable (servers: yes; Java clients refuse it). Default true. */
  readonly allowEmptyFrames?: boolean;
  /** Stream offset of the first byte pushed (e.g. 7 when the preamble was consumed elsewhere). */
  readonly startOffset?: number;
}

export class FrameDecoder {
  private maxFrameBytesValue: number;
  private readonly allowEmptyFrames: boolean;
  private chunks: Uint8Array[] = [];
  /** Read position inside chunks[0]. */
  private head = 0;
  private buffered = 0;
  /** Stream offset of the next unconsumed byte. */
  private consumedOffset: number;
  /** Payload length of the frame being assembled, once its prefix was read. */
  private expected: number | undefined;
  private failure: FrameError | undefined;

  constructor(options: FrameDecoderOptions = {}) {
    this.maxFrameBytesValue = checkedMax(options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES);
    this.allowEmptyFrames = options.allowEmptyFrames ?? true;
    this.consumedOffset = options.startOffset ?? 0;
  }

  /** Largest accepted payload length. */
  get maxFrameBytes(): number {
    return this.maxFrameBytesValue;
  }

  /**
   * Change the largest accepted payload length for every frame whose length prefix is read from
   * now on (a server allows larger frames once a connection has set itself up). A frame whose
   * prefix was already accepted is not checked again.
   */
  setMaxFrameBytes(max: number): void {
    this.maxFrameBytesValue = checkedMax(max);
  }

  /** Bytes received but not yet returned as part of a frame. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** Stream offset of the next byte not yet consumed into a frame. */
  get offset(): number {
    return this.consumedOffset;
  }

  /** The error that stopped this decoder, if any. */
  get error(): FrameError | undefined {
    return this.failure;
  }

  /**
   * Feed a chunk; `onFrame` is called for every frame it completes, in order. Throws FrameError
   * (after delivering the frames before the fault) when the stream is not valid framing; the
   * decoder then stays failed and throws the same error on every later push.
   */
  push(chunk: Uint8Array, onFrame: (frame: Frame) => void): void {
    if (this.failure) throw this.failure;
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    for (;;) {
      if (this.expected === undefined) {
        if (this.buffered < FRAME_LENGTH_BYTES) return;
        const prefix = this.take(FRAME_LENGTH_BYTES);
        const length = ((prefix[0] ?? 0) << 24) | ((prefix[1] ?? 0) << 16) | ((prefix[2] ?? 0) << 8) | (prefix[3] ?? 0);
        const prefixOffset = this.consumedOffset - FRAME_LENGTH_BYTES;
        if (length < 0) this.fail(prefixOffset, `negative frame length ${length}`);
        if (length > this.maxFrameBytesValue)
          this.fail(prefixOffset, `frame length ${length} exceeds maximum ${this.maxFrameBytesValue}`);
        if (length === 0 && !this.allowEmptyFrames) this.fail(prefixOffset, 'empty frame');
        this.expected = length;
      }
      if (this.buffered < this.expected) return;
      const offset = this.consumedOffset;
      const payload = this.take(this.expected);
      this.expected = undefined;
      onFrame({ payload, offset });
    }
  }

  /** Convenience for tests and one-shot decoding: push and collect the frames. */
  frames(chunk: Uint8Array): Frame[] {
    const out: Frame[] = [];
    this.push(chunk, (frame) => out.push(frame));
    return out;
  }

  private fail(offset: number, reason: string): never {
    this.failure = new FrameError(offset, reason);
    this.chunks = [];
    this.buffered = 0;
    this.head = 0;
    throw this.failure;
  }

  /** Remove `count` (<= buffered) bytes from the front; zero-copy when they lie in one chunk. */
  private take(count: number): Uint8Array {
    this.buffered -= count;
    this.consumedOffset += count;
    const first = this.chunks[0];
    if (count === 0) return new Uint8Array(0);
    if (first !== undefined && first.length - this.head >= count) {
      const out = first.subarray(this.head, this.head + count);
      this.head += count;
      if (this.head === first.length) {
        this.chunks.shift();
        this.head = 0;
      }
      return out;
    }
    const out = new Uint8Array(count);
    let filled = 0;
    while (filled < count) {
      const chunk = this.chunks[0];
      if (chunk === undefined) throw new Error('FrameDecoder invariant: buffered count out of sync');
      const n = Math.min(chunk.length - this.head, count - filled);
      out.set(chunk.subarray(this.head, this.head + n), filled);
      filled += n;
      this.head += n;
      if (this.head === chunk.length) {
        this.chunks.shift();
        this.head = 0;
      }
    }
    return out;
  }
}

function checkedMax(max: number): number {
  if (!Number.isInteger(max) || max < 0 || max > 0x7fffffff) throw new RangeError(`maxFrameBytes out of range: ${max}`);
  return max;
}
