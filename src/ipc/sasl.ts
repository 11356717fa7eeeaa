// SASL on the Hadoop IPC client (docs/hadoop-compat.md §1.3), as SaslRpcClient.saslConnect does it:
// after a preamble asking for SASL, NEGOTIATE → the server's offers → INITIATE with the chosen
// offer (its method, mechanism, protocol and serverId echoed) and the first token → CHALLENGE /
// RESPONSE rounds → SUCCESS; then the connection context, wrapped like everything after it when
// the mechanism negotiated a security layer (RpcSaslProto WRAP in both directions, as
// SaslRpcClient's WrappedOutputStream / WrappedInputStream). Sans-IO: the client (client.ts) feeds
// it the server's SASL messages and writes what it returns.
// The mechanism and the choice of offer come from outside (IpcSaslAuthentication: Kerberos is
// src/hadoop/kerberos-authentication.ts over src/kerberos); this module knows no Kerberos.

import { create, toBinary, type MessageInitShape } from '@bufbuild/protobuf';
import type { HostPort } from '../core/types.js';
import { RpcSaslProto_SaslState, RpcSaslProtoSchema, type RpcSaslProto } from '../gen/RpcHeader_pb.js';
import { encodeSaslRequestFrame } from './codec/messages.js';
import { RpcTransportError } from './errors.js';

/** A SASL client mechanism (javax.security.sasl.SaslClient, the part Hadoop IPC uses). */
export interface SaslClientMechanism {
  readonly mechanism: string;
  readonly hasInitialResponse: boolean;
  readonly complete: boolean;
  /** True when a security layer (integrity or privacy) was negotiated: traffic is wrapped. */
  readonly wrapsTraffic: boolean;
  /** Largest plaintext one wrap may carry, when wrapsTraffic. */
  readonly rawSendSize: number;
  evaluateChallenge(challenge: Uint8Array): Promise<Uint8Array>;
  wrap(data: Uint8Array): Uint8Array;
  unwrap(token: Uint8Array): Uint8Array;
  dispose(): void;
}

/** One SaslAuth of the server's NEGOTIATE. */
export interface SaslAuthOffer {
  readonly method: string;
  readonly mechanism: string;
  readonly protocol?: string;
  readonly serverId?: string;
  readonly challenge?: Uint8Array;
}

/** How a client authenticates with SASL: which offer it takes, with which mechanism, as whom. */
export interface IpcSaslAuthentication {
  /**
   * Choose one of the server's offers and start its mechanism (SaslRpcClient.selectSaslClient);
   * undefined when none is usable. Throws (any Error) to refuse the server, e.g. for a server
   * principal other than the configured one.
   */
  start(
    offers: readonly SaslAuthOffer[],
    peer: HostPort,
  ): Promise<{ readonly offer: SaslAuthOffer; readonly client: SaslClientMechanism } | undefined>;
  /** The connection context's effectiveUser once the mechanism is complete. */
  effectiveUser(client: SaslClientMechanism): string;
  /** ipc.client.fallback-to-simple-auth-allowed: accept a server that answers NEGOTIATE with SUCCESS. */
  readonly fallbackToSimpleAllowed: boolean;
  /** effectiveUser after such a fallback. */
  readonly simpleUser: string;
  /** Name for messages, e.g. "Kerberos principal nn/host@REALM". */
  describe(): string;
}

/** Authentication with the server failed or was refused on our side; the request was not sent. */
export class SaslAuthenticationError extends RpcTransportError {
  readonly code = 'RPC_AUTH_FAILED';
}

/** One client SASL message as a frame (callId -33). */
export function encodeSaslMessage(message: MessageInitShape<typeof RpcSaslProtoSchema>): Uint8Array {
  return encodeSaslRequestFrame(toBinary(RpcSaslProtoSchema, create(RpcSaslProtoSchema, message)));
}

/** What the negotiation wants done after one server message. */
export type SaslStep =
  | { readonly kind: 'send'; readonly frame: Uint8Array }
  | { readonly kind: 'done'; readonly client: SaslClientMechanism | undefined };

/**
 * One connection's SASL negotiation (SaslRpcClient.saslConnect after the NEGOTIATE it sends).
 * `onMessage` takes each RpcSaslProto the server sends; it rejects with SaslAuthenticationError
 * (the cause kept) when the exchange cannot go on.
 */
export class SaslNegotiation {
  private client: SaslClientMechanism | undefined;
  private finished = false;

  constructor(
    private readonly auth: IpcSaslAuthentication,
    private readonly peer: HostPort,
    private readonly where: string,
  ) {}

  /** The first frame: {state: NEGOTIATE}. */
  static negotiateFrame(): Uint8Array {
    return encodeSaslMessage({ state: RpcSaslProto_SaslState.NEGOTIATE });
  }

  async onMessage(message: RpcSaslProto): Promise<SaslStep> {
    if (this.finished) throw this.fail('SASL message after the negotiation ended');
    switch (message.state) {
      case RpcSaslProto_SaslState.NEGOTIATE:
        return this.negotiate(message);
      case RpcSaslProto_SaslState.CHALLENGE: {
        if (this.client === undefined) throw this.fail('Server sent unsolicited challenge');
        if (message.token === undefined) throw this.fail('Server challenge contains no token');
        const token = await this.evaluate(message.token);
        return { kind: 'send', frame: encodeSaslMessage({ state: RpcSaslProto_SaslState.RESPONSE, token }) };
      }
      case RpcSaslProto_SaslState.SUCCESS: {
        this.finished = true;
        if (this.client === undefined) {
          // A SIMPLE-only server answers NEGOTIATE with SUCCESS (Client.setupIOstreams).
          if (!this.auth.fallbackToSimpleAllowed)
            throw this.fail(
              'Server asks us to fall back to SIMPLE auth, but this client is configured to only allow secure ' +
                'connections (ipc.client.fallback-to-simple-auth-allowed=false)',
            );
          return { kind: 'done', client: undefined };
        }
        if (message.token !== undefined && message.token.length > 0) {
          const spurious = await this.evaluate(message.token);
          if (spurious.length > 0) throw this.fail('Client generated spurious response');
        }
        if (!this.client.complete) throw this.fail('Client is out of sync with server');
        return { kind: 'done', client: this.client };
      }
      default:
        throw this.fail(`RPC client doesn't support SASL ${RpcSaslProto_SaslState[message.state] ?? message.state}`);
    }
  }

  private async negotiate(message: RpcSaslProto): Promise<SaslStep> {
    if (this.client !== undefined) throw this.fail('second SASL NEGOTIATE from the server');
    const offers: SaslAuthOffer[] = message.auths.map((auth) => ({
      method: auth.method,
      mechanism: auth.mechanism,
      ...(auth.protocol !== undefined ? { protocol: auth.protocol } : {}),
      ...(auth.serverId !== undefined ? { serverId: auth.serverId } : {}),
      ...(auth.challenge !== undefined ? { challenge: auth.challenge } : {}),
    }));
    let started;
    try {
      started = await this.auth.start(offers, this.peer);
    } catch (error) {
      throw this.fail(error instanceof Error ? error.message : String(error), error);
    }
    if (started === undefined) {
      throw this.fail(
        `Client cannot authenticate via:[${offers.map((o) => o.method).join(', ')}] ` +
          `(this client authenticates with ${this.auth.describe()})`,
      );
    }
    this.client = started.client;
    const { offer } = started;
    const challenge = offer.challenge ?? (this.client.hasInitialResponse ? new Uint8Array(0) : undefined);
    const token = challenge !== undefined ? await this.evaluate(challenge) : new Uint8Array(0);
    // INITIATE echoes the chosen offer without its challenge.
    const chosen = {
      method: offer.method,
      mechanism: offer.mechanism,
      ...(offer.protocol !== undefined ? { protocol: offer.protocol } : {}),
      ...(offer.serverId !== undefined ? { serverId: offer.serverId } : {}),
    };
    return {
      kind: 'send',
      frame: encodeSaslMessage({ state: RpcSaslProto_SaslState.INITIATE, token, auths: [chosen] }),
    };
  }

  private async evaluate(challenge: Uint8Array): Promise<Uint8Array> {
    try {
      return await this.client!.evaluateChallenge(challenge);
    } catch (error) {
      throw this.fail(error instanceof Error ? error.message : String(error), error);
    }
  }

  private fail(reason: string, cause?: unknown): SaslAuthenticationError {
    return new SaslAuthenticationError(
      `SASL authentication with ${this.where} as ${this.auth.describe()} failed: ${reason}`,
      this.where,
      cause !== undefined ? { cause } : undefined,
    );
  }

  /** Release the mechanism when the connection ends before it is handed over. */
  dispose(): void {
    if (!this.finished) this.client?.dispose();
  }
}
