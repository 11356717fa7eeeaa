// Goal: no byte sequence from the network can crash IpcServer or wedge it: after many connections
// sending random and mutated bytes, the server still has no leaked connections and still answers
// a valid client. Method: a seeded PRNG (deterministic) builds 1,000 connection scripts: mutated
// preambles, valid handshakes followed by mutated calls/contexts/SASL frames, random frames and
// pure noise, each sent over real loopback TCP in random chunks, 25 connections at a time. An
// uncaught exception in the server would fail the run.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import {
  MonitorHealthRequestProtoSchema,
  MonitorHealthResponseProtoSchema,
} from '../../../src/gen/HAServiceProtocol_pb.js';
import { IpcConnection } from '../../../src/ipc/client.js';
import { encodePreamble } from '../../../src/ipc/codec/preamble.js';
import { IpcServer, defineMethod } from '../../../src/ipc/server.js';
import { HA_SERVICE_PROTOCOL } from '../../../src/hadoop/protocol-names.js';
import {
  SPEC_PREAMBLE,
  SPEC_SASL_NEGOTIATE_FRAME,
  concatBytes,
  frameOf,
  mutate,
  specConnectionContextFrame,
  specMonitorHealthFrame,
} from '../../support/ipc-bytes.js';
import { rawExchange } from './net-helpers.js';
import { waitUntil } from '../../../tools/testing/wait.js';
import { SeededRandom } from '../../../tools/testing/prng.js';
import { cleanupsAfterEach } from '../../support/cleanups.js';

const SEED = 0xfeed_0001;
const CONNECTIONS = 1_000;
const PARALLEL = 25;
const LINGER_MS = 40;

const cleanups = cleanupsAfterEach();

function script(random: SeededRandom): Uint8Array {
  const handshake = concatBytes(SPEC_PREAMBLE, specConnectionContextFrame());
  switch (random.below(6)) {
    case 0:
      return random.bytes(random.below(40));
    case 1:
      return mutate(concatBytes(SPEC_PREAMBLE, specConnectionContextFrame(), specMonitorHealthFrame()), random);
    case 2:
      return concatBytes(handshake, mutate(specMonitorHealthFrame(), random), specMonitorHealthFrame(undefined, 1));
    case 3:
      return concatBytes(SPEC_PREAMBLE, mutate(specConnectionContextFrame(), random));
    case 4:
      return concatBytes(encodePreamble({ authProtocol: 0xdf }), mutate(SPEC_SASL_NEGOTIATE_FRAME, random));
    default:
      return concatBytes(handshake, frameOf(random.bytes(random.below(60))));
  }
}

/** Send `bytes` in three random chunks; resolve with what came back once the server closes or LINGER_MS pass. */
async function play(
  port: number,
  bytes: Uint8Array,
  random: SeededRandom,
): Promise<{ replied: boolean; closedByServer: boolean }> {
  const cuts = [random.below(bytes.length + 1), random.below(bytes.length + 1)].sort((a, b) => a - b);
  const chunks = [bytes.subarray(0, cuts[0]), bytes.subarray(cuts[0], cuts[1]), bytes.subarray(cuts[1])];
  const { data, closedByServer } = await rawExchange(port, chunks, LINGER_MS);
  return { replied: data.length > 0, closedByServer };
}

describe('IpcServer fuzz', () => {
  it(`survives ${CONNECTIONS} connections of random and mutated bytes and still serves a valid client`, async () => {
    // Errors logged by the server would mean its defensive catch-all fired: a bug, even if survived.
    const errorLines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        errorLines.push(chunk.toString());
        callback();
      },
    });
    const logger = pino({ level: 'error' }, sink);
    const server = new IpcServer({
      host: '127.0.0.1',
      port: 0,
      maxFrameBytes: 64 * 1024,
      maxConnections: 4 * PARALLEL,
      logger,
    });
    let served = 0;
    server.registerProtocol(HA_SERVICE_PROTOCOL.name, 1, {
      monitorHealth: defineMethod(MonitorHealthRequestProtoSchema, MonitorHealthResponseProtoSchema, () => {
        served++;
        return {};
      }),
    });
    const { port } = await server.listen();
    cleanups.push(() => server.close());

    const random = SeededRandom.fromState(SEED);
    const scripts = Array.from({ length: CONNECTIONS }, () => script(random));
    let replied = 0;
    let closedByServer = 0;
    for (let i = 0; i < scripts.length; i += PARALLEL) {
      const batch = scripts.slice(i, i + PARALLEL).map((bytes) => play(port, bytes, random));
      for (const outcome of await Promise.all(batch)) {
        if (outcome.replied) replied++;
        if (outcome.closedByServer) closedByServer++;
      }
    }
    // The corpus reached both the answering and the refusing paths.
    expect(replied).toBeGreaterThan(CONNECTIONS / 10);
    expect(closedByServer).toBeGreaterThan(CONNECTIONS / 10);
    expect(served).toBeGreaterThan(0);

    await waitUntil(() => server.connectionCount() === 0, 5_000, 'all fuzz connections released');
    const connection = new IpcConnection({
      address: { host: '127.0.0.1', port },
      protocol: HA_SERVICE_PROTOCOL,
      effectiveUser: 'hdfs',
    });
    cleanups.push(() => connection.close());
    const before = served;
    await connection.call(
      'monitorHealth',
      MonitorHealthRequestProtoSchema,
      {},
      MonitorHealthResponseProtoSchema,
      5_000,
    );
    expect(served).toBe(before + 1);
    expect(errorLines).toEqual([]);
  });
});
