// Goal: the IPC server's SASL path does what Hadoop's Server does on the wire (processSaslMessage,
// processSaslToken, saslReadAndProcess, wrapWithSasl): NEGOTIATE answered with the offer, INITIATE
// echoing it starts the mechanism, CHALLENGE / RESPONSE rounds, SUCCESS, then a context and calls
// wrapped in RpcSaslProto WRAP and answers wrapped the same way; and that hostile or broken clients
// get Hadoop's FATAL answer and a closed connection, never a crash: a SIMPLE client, garbage tokens,
// messages out of order, an unadvertised mechanism, a plain frame under a security layer, another
// effective user than the authenticated one, an oversize SASL frame. The server keeps serving.
// Method: our ZkfcRpcServer on loopback with a fake mechanism (its "wrap" is a XOR); scripted raw
// clients built from our codec.

import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RpcSaslProto_SaslState, RpcSaslProtoSchema, type RpcSaslProto } from '../../../src/gen/RpcHeader_pb.js';
import { GracefulFailoverRequestProtoSchema } from '../../../src/gen/ZKFCProtocol_pb.js';
import { AuthProtocol, CallId } from '../../../src/ipc/codec/constants.js';
import { FrameDecoder } from '../../../src/ipc/codec/frame-decoder.js';
import {
  decodeResponseFrame,
  encodeCallFrame,
  encodeConnectionContextFrame,
  type DecodedResponseFrame,
} from '../../../src/ipc/codec/messages.js';
import { encodePreamble } from '../../../src/ipc/codec/preamble.js';
import { encodeSaslMessage, type SaslAuthOffer } from '../../../src/ipc/sasl.js';
import type { IpcSaslServerAuthentication, SaslServerMechanism } from '../../../src/ipc/sasl-server.js';
import { ZKFC_PROTOCOL } from '../../../src/hadoop/protocol-names.js';
import { ZkfcRpcServer } from '../../../src/hadoop/zkfc-rpc-server.js';
import { silentLogger } from '../../../src/observability/logger.js';

const xor = (bytes: Uint8Array): Uint8Array => bytes.map((b) => b ^ 0x5a);
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array | undefined): string => Buffer.from(b ?? []).toString();
const OFFER: SaslAuthOffer = { method: 'KERBEROS', mechanism: 'GSSAPI', protocol: 'nn', serverId: 'localhost' };
const CLIENT_ID = new Uint8Array(16).fill(3);

class FakeServerMechanism implements SaslServerMechanism {
  complete = false;
  authorizationId: string | undefined;
  wrapsTraffic = true;
  protection = 'privacy';
  async evaluateResponse(token: Uint8Array): Promise<Uint8Array | undefined> {
    await Promise.resolve();
    if (text(token) === 'hello') return bytes('c1');
    if (text(token) === 'r1') {
      this.complete = true;
      this.authorizationId = 'alice@REALM';
      return undefined;
    }
    throw new Error('Defective token detected');
  }
  wrap = xor;
  unwrap = xor;
  dispose(): void {}
}

const auth: IpcSaslServerAuthentication = {
  methods: ['KERBEROS'],
  offers: () => [OFFER],
  start: () => new FakeServerMechanism(),
  shortName: (principal) => principal.split('@')[0]!,
};

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function server(calls: string[] = []): Promise<number> {
  const zkfc = new ZkfcRpcServer({
    host: '127.0.0.1',
    port: 0,
    administrators: 'alice',
    loginUser: 'nn/localhost@REALM',
    handler: { cedeActive: async () => undefined, gracefulFailover: async (caller) => void calls.push(caller) },
    logger: silentLogger(),
    sasl: auth,
  });
  const { port } = await zkfc.listen();
  closers.push(() => zkfc.close());
  return port;
}

/** A scripted client: write frames, read answers (unwrapping WRAP ones), see the close. */
class Script {
  private readonly socket: net.Socket;
  private readonly frames: DecodedResponseFrame[] = [];
  private readonly decoder = new FrameDecoder();
  private waiters: (() => void)[] = [];
  closed = false;

  constructor(port: number) {
    this.socket = net.connect({ host: '127.0.0.1', port });
    this.socket.on('data', (chunk: Buffer) => {
      this.decoder.push(chunk, (frame) => this.frames.push(decodeResponseFrame(frame)));
      this.wake();
    });
    this.socket.on('error', () => undefined);
    this.socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  write(...chunks: Uint8Array[]): void {
    for (const chunk of chunks) this.socket.write(chunk);
  }

  async next(): Promise<DecodedResponseFrame> {
    const deadline = Date.now() + 5_000;
    while (this.frames.length === 0) {
      if (this.closed) throw new Error('closed without an answer');
      if (Date.now() > deadline) throw new Error('no answer');
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
    return this.frames.shift()!;
  }

  async sasl(): Promise<RpcSaslProto> {
    const frame = await this.next();
    expect(frame.status).toBe('SUCCESS');
    expect(frame.callId).toBe(CallId.SASL);
    return fromBinary(RpcSaslProtoSchema, frame.body!);
  }

  async fatal(): Promise<{ className: string; message: string }> {
    const frame = await this.next();
    expect(frame.status).toBe('FATAL');
    await this.waitClosed();
    return { className: frame.header.exceptionClassName ?? '', message: frame.header.errorMsg ?? '' };
  }

  async waitClosed(): Promise<void> {
    const deadline = Date.now() + 5_000;
    while (!this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(this.closed).toBe(true);
  }

  end(): void {
    this.socket.destroy();
  }
}

const negotiate = () => encodeSaslMessage({ state: RpcSaslProto_SaslState.NEGOTIATE });
const initiate = (token: string, offer: SaslAuthOffer = OFFER) =>
  encodeSaslMessage({ state: RpcSaslProto_SaslState.INITIATE, token: bytes(token), auths: [offer] });
const response = (token: string) => encodeSaslMessage({ state: RpcSaslProto_SaslState.RESPONSE, token: bytes(token) });
const wrapFrame = (frame: Uint8Array) => encodeSaslMessage({ state: RpcSaslProto_SaslState.WRAP, token: xor(frame) });
const context = (user: string) =>
  encodeConnectionContextFrame({ clientId: CLIENT_ID, effectiveUser: user, protocol: ZKFC_PROTOCOL.name });
const failoverCall = () =>
  encodeCallFrame({
    callId: 1,
    clientId: CLIENT_ID,
    methodName: 'gracefulFailover',
    protocol: ZKFC_PROTOCOL,
    request: toBinary(GracefulFailoverRequestProtoSchema, create(GracefulFailoverRequestProtoSchema)),
  });

async function authenticate(script: Script): Promise<void> {
  script.write(encodePreamble({ authProtocol: AuthProtocol.SASL }), negotiate());
  const offers = await script.sasl();
  expect(offers.state).toBe(RpcSaslProto_SaslState.NEGOTIATE);
  expect(offers.auths.map((a) => [a.method, a.mechanism, a.protocol, a.serverId])).toEqual([
    ['KERBEROS', 'GSSAPI', 'nn', 'localhost'],
  ]);
  script.write(initiate('hello'));
  const challenge = await script.sasl();
  expect(challenge.state).toBe(RpcSaslProto_SaslState.CHALLENGE);
  expect(text(challenge.token)).toBe('c1');
  script.write(response('r1'));
  expect((await script.sasl()).state).toBe(RpcSaslProto_SaslState.SUCCESS);
}

describe('the IPC server with SASL', () => {
  it('authenticates, then reads wrapped calls and wraps its answers', async () => {
    const calls: string[] = [];
    const port = await server(calls);
    const script = new Script(port);
    await authenticate(script);
    script.write(wrapFrame(context('alice@REALM')), wrapFrame(failoverCall()));
    const wrapped = await script.sasl();
    expect(wrapped.state).toBe(RpcSaslProto_SaslState.WRAP);
    const inner: DecodedResponseFrame[] = [];
    new FrameDecoder().push(xor(wrapped.token), (frame) => inner.push(decodeResponseFrame(frame)));
    expect(inner.map((f) => [f.callId, f.status])).toEqual([[1, 'SUCCESS']]);
    expect(calls).toEqual(['alice@REALM at 127.0.0.1']);
    script.end();
  });

  it('refuses a SIMPLE client with Hadoop’s message', async () => {
    const script = new Script(await server());
    script.write(encodePreamble({ authProtocol: AuthProtocol.NONE }), context('alice'));
    expect(await script.fatal()).toEqual({
      className: 'org.apache.hadoop.security.AccessControlException',
      message: 'SIMPLE authentication is not enabled.  Available:[KERBEROS]',
    });
  });

  it.each([
    ['a garbage token', [initiate('garbage')], 'javax.security.sasl.SaslException', 'GSS initiate failed'],
    [
      'RESPONSE before INITIATE',
      [response('r1')],
      'javax.security.sasl.SaslException',
      'Client sent RESPONSE before INITIATE',
    ],
    [
      'a second NEGOTIATE',
      [negotiate()],
      'org.apache.hadoop.security.AccessControlException',
      'Client already attempted negotiation',
    ],
    [
      'an unadvertised mechanism',
      [initiate('hello', { method: 'TOKEN', mechanism: 'DIGEST-MD5', protocol: '', serverId: 'default' })],
      'org.apache.hadoop.security.AccessControlException',
      'TOKEN authentication is not enabled.  Available:[KERBEROS]',
    ],
    [
      'another server principal',
      [initiate('hello', { ...OFFER, serverId: 'otherhost' })],
      'org.apache.hadoop.security.AccessControlException',
      'KERBEROS authentication is not enabled.  Available:[KERBEROS]',
    ],
    [
      'WRAP before SUCCESS',
      [wrapFrame(context('alice@REALM'))],
      'javax.security.sasl.SaslException',
      'Server is not wrapping data',
    ],
    [
      'a context during the exchange',
      [context('alice@REALM')],
      'org.apache.hadoop.ipc.RpcServerException',
      'Connection header sent during SASL negotiation',
    ],
    [
      'an unknown state',
      [encodeSaslMessage({ state: RpcSaslProto_SaslState.SUCCESS })],
      'javax.security.sasl.SaslException',
      'Client sent unsupported state SUCCESS',
    ],
  ])('answers %s with FATAL and closes; the server keeps serving', async (_name, frames, className, message) => {
    const port = await server();
    const script = new Script(port);
    script.write(encodePreamble({ authProtocol: AuthProtocol.SASL }), negotiate());
    await script.sasl();
    script.write(...frames);
    const fatal = await script.fatal();
    expect(fatal.className).toBe(className);
    expect(fatal.message).toBe(message);
    const next = new Script(port);
    await authenticate(next);
    next.end();
  });

  it('refuses a plain frame under a security layer and another effective user, answering wrapped', async () => {
    const port = await server();
    const wrappedFatal = async (script: Script): Promise<DecodedResponseFrame | undefined> => {
      // Under the security layer the FATAL answer is wrapped too (Server.wrapWithSasl).
      const wrapped = await script.sasl();
      const inner: DecodedResponseFrame[] = [];
      new FrameDecoder().push(xor(wrapped.token), (frame) => inner.push(decodeResponseFrame(frame)));
      await script.waitClosed();
      expect(inner[0]?.status).toBe('FATAL');
      return inner[0];
    };
    const plain = new Script(port);
    await authenticate(plain);
    plain.write(context('alice@REALM'));
    expect((await wrappedFatal(plain))?.header.errorMsg).toBe(
      'Client sent a non-wrapped request under a security layer',
    );

    const proxy = new Script(port);
    await authenticate(proxy);
    proxy.write(wrapFrame(context('hdfs@REALM')));
    const refused = await wrappedFatal(proxy);
    expect(refused?.header.exceptionClassName).toBe('org.apache.hadoop.security.authorize.AuthorizationException');
    expect(refused?.header.errorMsg).toBe('User: alice@REALM is not allowed to impersonate hdfs@REALM');
  });

  it('closes a connection whose SASL frame is larger than the setup limit, without an answer', async () => {
    const port = await server();
    const script = new Script(port);
    script.write(encodePreamble({ authProtocol: AuthProtocol.SASL }));
    script.write(
      encodeSaslMessage({ state: RpcSaslProto_SaslState.INITIATE, token: new Uint8Array(70 * 1024), auths: [OFFER] }),
    );
    await script.waitClosed();
    const next = new Script(port);
    await authenticate(next);
    next.end();
  });
});
