// Goal: the sans-IO codec splits a byte stream into frames and frames into delimited messages
// identically however the stream is chunked, and turns every malformed input into a FrameError or
// ProtocolError that names the stream offset at fault, checking lengths before buffering.
// Method: feed Hadoop-shaped frames (docs/hadoop-compat.md §1.1, §1.5) split at every offset (one message, two
// messages, three-way
// splits), compare with the unsplit result; hand-build bad inputs and assert the error and offset.
import { describe, expect, it } from 'vitest';
import { FrameDecoder, type Frame } from '../../../src/ipc/codec/frame-decoder.js';
import { DelimitedReader, encodeDelimitedFrame, splitDelimited } from '../../../src/ipc/codec/delimited.js';
import { decodeRequestHeader, decodeResponseFrame, encodeResponseFrame } from '../../../src/ipc/codec/messages.js';
import { checkPreamble } from '../../../src/ipc/codec/preamble.js';
import { encodeVarint32, readVarint32, varint32Size } from '../../../src/ipc/codec/varint.js';
import { FrameError, ProtocolError } from '../../../src/ipc/errors.js';
import {
  SPEC_CLIENT_ID,
  concatBytes,
  delimited,
  frameOf,
  hexBytes,
  specConnectionContextFrame,
  specMonitorHealthFrame,
  specSuccessHeader,
  toHex,
} from '../../support/ipc-bytes.js';

const describeFrames = (frames: Frame[]) => frames.map((f) => ({ offset: f.offset, hex: toHex(f.payload) }));

function decodeInChunks(stream: Uint8Array, cuts: number[], options = {}): Frame[] {
  const decoder = new FrameDecoder(options);
  const out: Frame[] = [];
  let from = 0;
  for (const cut of [...cuts, stream.length]) {
    decoder.push(stream.subarray(from, cut), (frame) =>
      out.push({ offset: frame.offset, payload: Uint8Array.from(frame.payload) }),
    );
    from = cut;
  }
  expect(decoder.bufferedBytes).toBe(0);
  return out;
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('varint32', () => {
  it.each([
    [0, '00'],
    [1, '01'],
    [127, '7f'],
    [128, '8001'],
    [300, 'ac02'],
    [0xffffffff, 'ffffffff0f'],
  ])('%i encodes as %s and reads back', (value, hex) => {
    expect(toHex(encodeVarint32(value))).toBe(hex);
    expect(varint32Size(value)).toBe(hex.length / 2);
    expect(readVarint32(hexBytes(hex), 0)).toEqual({ value, next: hex.length / 2 });
  });

  it('refuses truncated, over-long and overflowing varints with the offset of the varint', () => {
    const truncated = thrown(() => readVarint32(hexBytes('00 80 80'), 1, 100));
    expect(truncated).toBeInstanceOf(FrameError);
    expect((truncated as FrameError).offset).toBe(101);
    expect(thrown(() => readVarint32(hexBytes('80 80 80 80 80 01'), 0))).toBeInstanceOf(FrameError);
    expect((thrown(() => readVarint32(hexBytes('ff ff ff ff 1f'), 0)) as FrameError).reason).toMatch(/overflows/);
  });
});

describe('FrameDecoder', () => {
  const one = specMonitorHealthFrame();
  const two = concatBytes(specConnectionContextFrame(), specMonitorHealthFrame(SPEC_CLIENT_ID, 1));
  const whole = (stream: Uint8Array) => describeFrames(decodeInChunks(stream, []));

  it('decodes one frame identically when split at every offset', () => {
    const expected = whole(one);
    expect(expected).toEqual([{ offset: 4, hex: toHex(one.subarray(4)) }]);
    for (let cut = 0; cut <= one.length; cut++) {
      expect(describeFrames(decodeInChunks(one, [cut]))).toEqual(expected);
    }
  });

  it('decodes two frames identically when split at every pair of offsets', () => {
    const expected = whole(two);
    expect(expected.map((f) => f.offset)).toEqual([4, 4 + 0x4c + 4]);
    for (let a = 0; a <= two.length; a++) {
      for (let b = a; b <= two.length; b += 7) {
        expect(describeFrames(decodeInChunks(two, [a, b]))).toEqual(expected);
      }
    }
  });

  it('decodes byte by byte', () => {
    const cuts = Array.from({ length: two.length }, (_, i) => i);
    expect(describeFrames(decodeInChunks(two, cuts))).toEqual(whole(two));
  });

  it('reports stream offsets from startOffset', () => {
    const frames = decodeInChunks(one, [], { startOffset: 7 });
    expect(frames[0]?.offset).toBe(11);
  });

  it('refuses a frame longer than the maximum as soon as the length is known, before buffering it', () => {
    const decoder = new FrameDecoder({ maxFrameBytes: 100 });
    const error = thrown(() => decoder.push(hexBytes('00 00 00 65'), () => {}));
    expect(error).toBeInstanceOf(FrameError);
    expect((error as FrameError).offset).toBe(0);
    expect((error as FrameError).reason).toMatch(/101 exceeds maximum 100/);
    expect(decoder.bufferedBytes).toBe(0);
    // the decoder stays failed
    expect(thrown(() => decoder.push(hexBytes('00'), () => {}))).toBe(error);
  });

  it('refuses a negative length (high bit set) and names the offset of the prefix', () => {
    const decoder = new FrameDecoder();
    const delivered: Frame[] = [];
    const stream = concatBytes(one, hexBytes('ff ff ff ff'));
    const error = thrown(() => decoder.push(stream, (f) => delivered.push(f)));
    expect(delivered).toHaveLength(1); // the good frame before the fault is delivered first
    expect((error as FrameError).offset).toBe(one.length);
    expect((error as FrameError).reason).toMatch(/negative frame length -1/);
  });

  it('accepts empty frames by default and refuses them when asked (client side)', () => {
    expect(decodeInChunks(hexBytes('00 00 00 00'), [])).toEqual([{ offset: 4, payload: new Uint8Array(0) }]);
    const error = thrown(() => new FrameDecoder({ allowEmptyFrames: false }).frames(hexBytes('00 00 00 00')));
    expect((error as FrameError).reason).toBe('empty frame');
  });

  it('holds a partial frame without emitting anything', () => {
    const decoder = new FrameDecoder();
    expect(decoder.frames(one.subarray(0, 50))).toEqual([]);
    expect(decoder.bufferedBytes).toBe(46);
    expect(decoder.frames(one.subarray(50))).toHaveLength(1);
  });
});

describe('delimited messages', () => {
  it('split a frame payload and name the offset of an overrunning length', () => {
    const payload = concatBytes(delimited(hexBytes('01 02')), delimited(new Uint8Array(0)), delimited(hexBytes('03')));
    expect(splitDelimited(payload).map(toHex)).toEqual(['0102', '', '03']);
    const bad = concatBytes(delimited(hexBytes('01 02')), hexBytes('05 01 02'));
    const error = thrown(() => splitDelimited(bad, 1000));
    expect(error).toBeInstanceOf(FrameError);
    expect((error as FrameError).offset).toBe(1003);
    expect((error as FrameError).reason).toMatch(/overruns the frame/);
  });

  it('encodeDelimitedFrame writes the length prefix and varint lengths', () => {
    expect(toHex(encodeDelimitedFrame([hexBytes('aa'), new Uint8Array(0)]))).toBe('0000000301aa00');
    const big = new Uint8Array(300);
    const frame = encodeDelimitedFrame([big]);
    expect(toHex(frame.subarray(0, 6))).toBe('0000012eac02');
  });

  it('the reader tracks stream offsets', () => {
    const reader = new DelimitedReader(concatBytes(delimited(hexBytes('aa bb')), delimited(hexBytes('cc'))), 40);
    expect(reader.offset).toBe(40);
    reader.next();
    expect(reader.offset).toBe(43);
    expect(reader.remaining).toBe(2);
  });
});

describe('response frames', () => {
  const frameFrom = (payload: Uint8Array): Frame => ({ payload, offset: 4 });

  it('refuse trailing bytes: "RPC response length mismatch"', () => {
    const payload = concatBytes(delimited(specSuccessHeader()), hexBytes('00'), hexBytes('00'));
    const error = thrown(() => decodeResponseFrame(frameFrom(payload)));
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).reason).toMatch(/RPC response length mismatch/);
    expect((error as ProtocolError).offset).toBe(4 + payload.length - 1);
  });

  it('refuse a SUCCESS frame without its response message', () => {
    const error = thrown(() => decodeResponseFrame(frameFrom(delimited(specSuccessHeader()))));
    expect((error as ProtocolError).reason).toMatch(/no response message/);
  });

  it('refuse an ERROR frame with bytes after the header', () => {
    const frame = encodeResponseFrame({ callId: 3, status: 1, exceptionClassName: 'x', errorMsg: 'y', errorDetail: 1 });
    const payload = concatBytes(frame.subarray(4), hexBytes('00'));
    expect((thrown(() => decodeResponseFrame(frameFrom(payload))) as ProtocolError).reason).toMatch(/length mismatch/);
  });

  it('refuse a header missing required fields, or with an unknown status', () => {
    // callId only: status missing
    expect(
      (thrown(() => decodeResponseFrame(frameFrom(delimited(hexBytes('08 01'))))) as ProtocolError).reason,
    ).toMatch(/missing required fields: status/);
    // status 7 is not an RpcStatusProto value: proto2 treats it as unknown, so status is missing
    expect(thrown(() => decodeResponseFrame(frameFrom(delimited(hexBytes('08 01 10 07')))))).toBeInstanceOf(
      ProtocolError,
    );
  });

  it('refuse garbage protobuf with the offset of the header', () => {
    const error = thrown(() => decodeResponseFrame({ payload: delimited(hexBytes('ff ff ff')), offset: 20 }));
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).offset).toBe(21);
  });
});

describe('request header', () => {
  it('refuses a header missing callId/clientId', () => {
    const error = thrown(() => decodeRequestHeader({ payload: frameOf(new Uint8Array(0)).subarray(3), offset: 0 }));
    expect((error as ProtocolError).reason).toMatch(/missing required fields: callId, clientId/);
  });
});

describe('preamble classification', () => {
  it.each([
    ['68 72 70 63 09 00 00', { kind: 'ok', serviceClass: 0, authProtocol: 0 }],
    ['68 72 70 63 09 05 df', { kind: 'ok', serviceClass: 5, authProtocol: -33 }],
    ['68 72 70 63 09 00 51', { kind: 'ok', serviceClass: 0, authProtocol: 0x51 }],
    ['47 45 54 20 2f 20 48', { kind: 'http' }],
    ['68 72 70 63 0a 00 00', { kind: 'badVersion', version: 10, magicOk: true }],
    ['68 72 70 63 07 00 00', { kind: 'badVersion', version: 7, magicOk: true }],
    ['68 72 70 63 f0 00 00', { kind: 'badVersion', version: -16, magicOk: true }],
    ['00 00 00 00 09 00 00', { kind: 'badVersion', version: 9, magicOk: false }],
  ])('%s', (hex, expected) => {
    expect(checkPreamble(hexBytes(hex))).toEqual(expected);
  });
});
