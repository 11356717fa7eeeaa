// Goal: no byte sequence makes the codec throw anything but FrameError/ProtocolError, allocate
// beyond the frame limit, or hang. Method: a seeded PRNG (deterministic, reproducible by seed)
// produces 100,000 inputs: pure random bytes, random frames with plausible lengths, and mutations
// (byte/bit flips, truncation, insertion, duplication, length-like values) of valid request and
// response frames. Each input is fed to a FrameDecoder in random chunks and every frame is decoded
// both as a response and as a request, the way the client and the server do.
import { describe, expect, it } from 'vitest';
import { GetServiceStatusResponseProtoSchema, HAServiceStateProto } from '../../../src/gen/HAServiceProtocol_pb.js';
import { RequestHeaderProtoSchema } from '../../../src/gen/ProtobufRpcEngine2_pb.js';
import { FrameDecoder } from '../../../src/ipc/codec/frame-decoder.js';
import {
  decodeMessage,
  decodeRequestHeader,
  decodeResponseFrame,
  encodeMessage,
  encodeResponseFrame,
} from '../../../src/ipc/codec/messages.js';
import { FrameError, ProtocolError } from '../../../src/ipc/errors.js';
import { decodeServiceStatus } from '../../../src/hadoop/ha-service-client.js';
import {
  SPEC_SASL_NEGOTIATE_FRAME,
  concatBytes,
  frameOf,
  mutate,
  specConnectionContextFrame,
  specMonitorHealthFrame,
} from '../../support/ipc-bytes.js';
import { SeededRandom } from '../../../tools/testing/prng.js';

const SEED = 0x5eed_1234;
const ITERATIONS = 100_000;
const MAX_FRAME_BYTES = 64 * 1024;

const statusBody = encodeMessage(GetServiceStatusResponseProtoSchema, {
  state: HAServiceStateProto.STANDBY,
  readyToBecomeActive: true,
});
const SEEDS: readonly Uint8Array[] = [
  specConnectionContextFrame(),
  specMonitorHealthFrame(),
  SPEC_SASL_NEGOTIATE_FRAME,
  encodeResponseFrame({ callId: 0, status: 0, clientId: new Uint8Array(16), retryCount: 0 }, statusBody),
  encodeResponseFrame({
    callId: 7,
    status: 1,
    exceptionClassName: 'org.apache.hadoop.ha.ServiceFailedException',
    errorMsg: 'no\n\tat x',
    errorDetail: 1,
  }),
  encodeResponseFrame({
    callId: -1,
    status: 2,
    exceptionClassName: 'org.apache.hadoop.ipc.RPC$VersionMismatch',
    errorMsg: 'v',
    errorDetail: 14,
  }),
  concatBytes(specConnectionContextFrame(), specMonitorHealthFrame()),
];

function isTyped(error: unknown): boolean {
  return error instanceof FrameError || error instanceof ProtocolError;
}

describe('codec fuzz', () => {
  it(`${ITERATIONS} random and mutated inputs give frames or typed errors only, with bounded buffering`, () => {
    const random = SeededRandom.fromState(SEED);
    let frames = 0;
    let typedErrors = 0;
    let decodedResponses = 0;
    let decodedRequests = 0;
    const untyped: string[] = [];
    for (let i = 0; i < ITERATIONS; i++) {
      let input: Uint8Array;
      const kind = random.below(10);
      if (kind === 0) input = random.bytes(random.below(64));
      else if (kind === 1) input = frameOf(random.bytes(random.below(96)));
      else input = mutate(random.pick(SEEDS), random);

      const decoder = new FrameDecoder({ maxFrameBytes: MAX_FRAME_BYTES, startOffset: 7 });
      try {
        let pos = 0;
        while (pos < input.length) {
          const size = 1 + random.below(input.length - pos);
          decoder.push(input.subarray(pos, pos + size), (frame) => {
            frames++;
            try {
              const response = decodeResponseFrame(frame);
              decodedResponses++;
              if (response.body !== undefined) decodeServiceStatus(response.body, response.bodyOffset);
            } catch (error) {
              if (!isTyped(error)) untyped.push(`iteration ${i} response: ${String(error)}`);
              else typedErrors++;
            }
            try {
              const { reader } = decodeRequestHeader(frame);
              if (reader.remaining > 0) decodeMessage(RequestHeaderProtoSchema, reader.next(), reader.lastOffset);
              decodedRequests++;
            } catch (error) {
              if (!isTyped(error)) untyped.push(`iteration ${i} request: ${String(error)}`);
              else typedErrors++;
            }
          });
          pos += size;
          // Bounded memory: never more than one maximal frame plus its prefix is held.
          if (decoder.bufferedBytes > MAX_FRAME_BYTES + 4 + input.length)
            untyped.push(`iteration ${i}: ${decoder.bufferedBytes} bytes buffered`);
        }
      } catch (error) {
        if (!isTyped(error)) untyped.push(`iteration ${i} framing: ${String(error)}`);
        else typedErrors++;
      }
    }
    expect(untyped).toEqual([]);
    // The corpus really exercised both paths (not a test that cannot fail).
    expect(frames).toBeGreaterThan(ITERATIONS / 2);
    expect(typedErrors).toBeGreaterThan(ITERATIONS / 2);
    expect(decodedResponses).toBeGreaterThan(1000);
    expect(decodedRequests).toBeGreaterThan(1000);
  });
});
