// Goal: the IPC client's SASL path does what SaslRpcClient does on the wire: preamble with auth
// byte -33 and NEGOTIATE, INITIATE echoing the chosen offer (protocol, serverId) with the first
// token, RESPONSE to a CHALLENGE, then the connection context with the authenticated user and the
// waiting call, every frame wrapped in RpcSaslProto WRAP (and the reply unwrapped) when a security
// layer is negotiated; a server asking to fall back to SIMPLE is refused unless allowed.
// Method: a loopback server scripted with our codec; a fake mechanism whose "wrap" is a XOR.

import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { IpcConnectionContextProtoSchema } from '../../../src/gen/IpcConnectionContext_pb.js';
import { RequestHeaderProtoSchema } from '../../../src/gen/ProtobufRpcEngine2_pb.js';
import {
  RpcResponseHeaderProto_RpcStatusProto,
  RpcSaslProto_SaslState,
  RpcSaslProtoSchema,
  type RpcSaslProto,
} from '../../../src/gen/RpcHeader_pb.js';
import {
  MonitorHealthRequestProtoSchema,
  MonitorHealthResponseProtoSchema,
} from '../../../src/gen/HAServiceProtocol_pb.js';
import { IpcConnection } from '../../../src/ipc/client.js';
import { FrameDecoder } from '../../../src/ipc/codec/frame-decoder.js';
import { decodeRequestHeader, encodeResponseFrame } from '../../../src/ipc/codec/messages.js';
import {
  SaslAuthenticationError,
  type IpcSaslAuthentication,
  type SaslClientMechanism,
} from '../../../src/ipc/sasl.js';

const xor = (bytes: Uint8Array): Uint8Array => bytes.map((b) => b ^ 0x5a);
const text = (bytes: Uint8Array | undefined): string => Buffer.from(bytes ?? []).toString();

class FakeMechanism implements SaslClientMechanism {
  readonly mechanism = 'GSSAPI';
  readonly hasInitialResponse = true;
  complete = false;
  wrapsTraffic = true;
  rawSendSize = 40;
  async evaluateChallenge(challenge: Uint8Array): Promise<Uint8Array> {
    await Promise.resolve();
    if (challenge.length === 0) return new TextEncoder().encode('hello');
    expect(text(challenge)).toBe('c1');
    this.complete = true;
    return new TextEncoder().encode('r1');
  }
  wrap = xor;
  unwrap = xor;
  dispose(): void {}
}

function auth(fallback = false): IpcSaslAuthentication {
  return {
    start: async (offers) => ({ offer: offers[0]!, client: new FakeMechanism() }),
    effectiveUser: () => 'nn/localhost@REALM',
    fallbackToSimpleAllowed: fallback,
    simpleUser: 'simple-user',
    describe: () => 'Kerberos principal nn/localhost@REALM',
  };
}

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

function saslFrame(message: Parameters<typeof create<typeof RpcSaslProtoSchema>>[1]): Uint8Array {
  return encodeResponseFrame(
    { callId: -33, status: RpcResponseHeaderProto_RpcStatusProto.SUCCESS },
    toBinary(RpcSaslProtoSchema, create(RpcSaslProtoSchema, message)),
  );
}

/** A scripted SASL server; `seen` records what it received. */
async function server(mode: 'kerberos' | 'simple'): Promise<{ port: number; seen: string[] }> {
  const seen: string[] = [];
  const srv = createServer((socket: Socket) => {
    let preamble = true;
    const outer = new FrameDecoder({});
    const inner = new FrameDecoder({});
    const onInner = (frame: Parameters<Parameters<FrameDecoder['push']>[1]>[0]): void => {
      const { header, reader } = decodeRequestHeader(frame);
      if (header.callId === -3) {
        const context = fromBinary(IpcConnectionContextProtoSchema, reader.next());
        seen.push(`context ${context.userInfo?.effectiveUser} ${context.protocol}`);
        return;
      }
      const request = fromBinary(RequestHeaderProtoSchema, reader.next());
      seen.push(`call ${header.callId} ${request.methodName}`);
      const reply = encodeResponseFrame(
        { callId: header.callId, status: RpcResponseHeaderProto_RpcStatusProto.SUCCESS, clientId: header.clientId },
        new Uint8Array(0),
      );
      socket.write(saslFrame({ state: RpcSaslProto_SaslState.WRAP, token: xor(reply) }));
    };
    socket.on('data', (chunk: Buffer) => {
      let data: Uint8Array = chunk;
      if (preamble) {
        seen.push(`preamble auth ${(data[6]! << 24) >> 24}`);
        data = data.subarray(7);
        preamble = false;
      }
      outer.push(data, (frame) => {
        const { header, reader } = decodeRequestHeader(frame);
        expect(header.callId).toBe(-33);
        const sasl: RpcSaslProto = fromBinary(RpcSaslProtoSchema, reader.next());
        const auths = sasl.auths.map((a) => `${a.method}/${a.mechanism}/${a.protocol}/${a.serverId}`).join(',');
        seen.push(`${RpcSaslProto_SaslState[sasl.state]} ${text(sasl.token)} ${auths}`.trim());
        if (sasl.state === RpcSaslProto_SaslState.NEGOTIATE) {
          if (mode === 'simple') socket.write(saslFrame({ state: RpcSaslProto_SaslState.SUCCESS }));
          else
            socket.write(
              saslFrame({
                state: RpcSaslProto_SaslState.NEGOTIATE,
                auths: [{ method: 'KERBEROS', mechanism: 'GSSAPI', protocol: 'nn', serverId: 'localhost' }],
              }),
            );
        } else if (sasl.state === RpcSaslProto_SaslState.INITIATE) {
          socket.write(saslFrame({ state: RpcSaslProto_SaslState.CHALLENGE, token: new TextEncoder().encode('c1') }));
        } else if (sasl.state === RpcSaslProto_SaslState.RESPONSE) {
          socket.write(saslFrame({ state: RpcSaslProto_SaslState.SUCCESS }));
        } else if (sasl.state === RpcSaslProto_SaslState.WRAP) {
          inner.push(xor(sasl.token), onInner);
        }
      });
    });
  });
  servers.push(srv);
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', () => resolve()));
  return { port: (srv.address() as { port: number }).port, seen };
}

describe('the IPC client with SASL', () => {
  it('negotiates, sends the context as the authenticated user, and wraps the call and its answer', async () => {
    const { port, seen } = await server('kerberos');
    const connection = new IpcConnection({
      address: { host: '127.0.0.1', port },
      protocol: { name: 'org.apache.hadoop.ha.HAServiceProtocol', version: 1 },
      effectiveUser: 'ignored',
      sasl: auth(),
    });
    await connection.call('monitorHealth', MonitorHealthRequestProtoSchema, {}, MonitorHealthResponseProtoSchema, 5000);
    connection.close();
    expect(seen.slice(0, 4)).toEqual([
      'preamble auth -33',
      'NEGOTIATE',
      'INITIATE hello KERBEROS/GSSAPI/nn/localhost',
      'RESPONSE r1',
    ]);
    // The context and the call arrive in WRAP chunks of at most rawSendSize (40) bytes.
    expect(seen.filter((line) => line.startsWith('WRAP')).length).toBeGreaterThan(2);
    expect(seen.filter((line) => !line.startsWith('WRAP')).slice(4)).toEqual([
      'context nn/localhost@REALM org.apache.hadoop.ha.HAServiceProtocol',
      'call 0 monitorHealth',
    ]);
  });

  it('refuses a server that falls back to SIMPLE unless allowed', async () => {
    const { port } = await server('simple');
    const connection = new IpcConnection({
      address: { host: '127.0.0.1', port },
      protocol: { name: 'org.apache.hadoop.ha.HAServiceProtocol', version: 1 },
      effectiveUser: 'ignored',
      sasl: auth(false),
    });
    const error = await connection
      .call('monitorHealth', MonitorHealthRequestProtoSchema, {}, MonitorHealthResponseProtoSchema, 5000)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SaslAuthenticationError);
    expect((error as Error).message).toMatch(
      /SASL authentication with 127\.0\.0\.1:\d+ as Kerberos principal nn\/localhost@REALM failed: Server asks/,
    );
  });
});
