// SASL on the Hadoop IPC server (docs/hadoop-compat.md §1.3), as Server.Connection.processSaslMessage
// and processSaslToken do it: the client's NEGOTIATE is answered with the server's offers
// (buildNegotiateResponse: method, mechanism, protocol, serverId), its INITIATE must echo one of
// them exactly and carries the first token, RESPONSE carries the next ones; each token goes to the
// mechanism and its answer goes back as CHALLENGE, or SUCCESS once the mechanism is complete. Any
// fault is a SaslServerFault with the Java exception class and message Hadoop answers with
// (FATAL_UNAUTHORIZED, the connection is closed). Sans-IO: server-connection.ts feeds it the
// client's messages one at a time and writes what it returns. The mechanism (Kerberos:
// src/hadoop/kerberos-authentication.ts over src/kerberos) comes from outside; this module knows
// no Kerberos.

import { isFieldSet, type MessageInitShape } from '@bufbuild/protobuf';
import {
  RpcSaslProto_SaslAuthSchema,
  RpcSaslProto_SaslState,
  RpcSaslProtoSchema,
  type RpcSaslProto,
} from '../gen/RpcHeader_pb.js';
import type { SaslAuthOffer } from './sasl.js';

/** A SASL server mechanism (javax.security.sasl.SaslServer, the part Hadoop IPC uses). */
export interface SaslServerMechanism {
  readonly complete: boolean;
  /** The authenticated principal (SaslServer.getAuthorizationID), once complete. */
  readonly authorizationId: string | undefined;
  /** True when a security layer (integrity or privacy) was negotiated: traffic is wrapped. */
  readonly wrapsTraffic: boolean;
  /** The negotiated QOP in Hadoop's words (authentication, integrity, privacy), once complete. */
  readonly protection: string | undefined;
  /** SaslServer.evaluateResponse: the client's token in, ours out (undefined: nothing to send). */
  evaluateResponse(token: Uint8Array): Promise<Uint8Array | undefined>;
  wrap(data: Uint8Array): Uint8Array;
  unwrap(token: Uint8Array): Uint8Array;
  dispose(): void;
}

/** How a server authenticates its clients with SASL. */
export interface IpcSaslServerAuthentication {
  /** Server.enabledAuthMethods as Hadoop prints them, e.g. ["KERBEROS"]. */
  readonly methods: readonly string[];
  /** The auths of the NEGOTIATE answer (Server.Connection.buildNegotiateResponse). */
  offers(): readonly SaslAuthOffer[];
  /** A fresh mechanism for the offer the client chose (Server.Connection.createSaslServer). */
  start(offer: SaslAuthOffer): SaslServerMechanism;
  /** UserGroupInformation.getShortUserName of an authenticated principal; throws SaslServerFault to refuse it. */
  shortName(principal: string): string;
}

/** Java exception class names of SASL refusals. */
export const SaslExceptionClassName = {
  Sasl: 'javax.security.sasl.SaslException',
  AccessControl: 'org.apache.hadoop.security.AccessControlException',
  Authorization: 'org.apache.hadoop.security.authorize.AuthorizationException',
  IllegalArgument: 'java.lang.IllegalArgumentException',
} as const;

/** A refusal to answer with (FATAL, FATAL_UNAUTHORIZED unless said otherwise); `detail` is for our log only. */
export class SaslServerFault extends Error {
  constructor(
    readonly className: string,
    message: string,
    readonly detail?: string,
    options?: ErrorOptions & { readonly invalidHeader?: boolean },
  ) {
    super(message, options);
    this.name = 'SaslServerFault';
    this.invalidHeader = options?.invalidHeader ?? false;
  }
  /** FATAL_INVALID_RPC_HEADER instead of FATAL_UNAUTHORIZED (a message out of sequence). */
  readonly invalidHeader: boolean;
}

export type SaslServerStep =
  | { readonly kind: 'reply'; readonly message: MessageInitShape<typeof RpcSaslProtoSchema> }
  /** The last reply (SUCCESS) and the complete mechanism. */
  | {
      readonly kind: 'done';
      readonly message: MessageInitShape<typeof RpcSaslProtoSchema>;
      readonly mechanism: SaslServerMechanism;
    };

function sameAuth(a: SaslAuthOffer, b: SaslAuthOffer): boolean {
  return (
    a.method === b.method &&
    a.mechanism === b.mechanism &&
    (a.protocol ?? '') === (b.protocol ?? '') &&
    (a.serverId ?? '') === (b.serverId ?? '') &&
    (a.challenge?.length ?? 0) === 0 &&
    (b.challenge?.length ?? 0) === 0
  );
}

/** One connection's SASL exchange, server side (Server.Connection.saslProcess). */
export class SaslServerNegotiation {
  private sentNegotiate = false;
  private mechanism: SaslServerMechanism | undefined;
  private finished = false;

  constructor(private readonly auth: IpcSaslServerAuthentication) {}

  /** Who the client tried to be, for logs: the mechanism's principal once known. */
  get attemptingUser(): string | undefined {
    return this.mechanism?.authorizationId;
  }

  private available(): string {
    return `[${this.auth.methods.join(', ')}]`;
  }

  async onMessage(message: RpcSaslProto): Promise<SaslServerStep> {
    if (this.finished)
      throw new SaslServerFault(SaslExceptionClassName.Sasl, 'Negotiation is already complete', undefined, {
        invalidHeader: true,
      });
    switch (message.state) {
      case RpcSaslProto_SaslState.NEGOTIATE: {
        if (this.sentNegotiate)
          throw new SaslServerFault(SaslExceptionClassName.AccessControl, 'Client already attempted negotiation');
        this.sentNegotiate = true;
        return { kind: 'reply', message: this.negotiateResponse() };
      }
      case RpcSaslProto_SaslState.INITIATE: {
        if (this.mechanism !== undefined)
          throw new SaslServerFault(SaslExceptionClassName.Sasl, 'Client sent a second INITIATE');
        if (message.auths.length !== 1)
          throw new SaslServerFault(SaslExceptionClassName.Sasl, 'Client mechanism is malformed');
        const chosen = message.auths[0]!;
        const wanted: SaslAuthOffer = {
          method: chosen.method,
          mechanism: chosen.mechanism,
          ...(isFieldSet(chosen, RpcSaslProto_SaslAuthSchema.field.protocol) ? { protocol: chosen.protocol } : {}),
          ...(isFieldSet(chosen, RpcSaslProto_SaslAuthSchema.field.serverId) ? { serverId: chosen.serverId } : {}),
          ...(isFieldSet(chosen, RpcSaslProto_SaslAuthSchema.field.challenge) ? { challenge: chosen.challenge } : {}),
        };
        const offer = this.auth.offers().find((o) => sameAuth(o, wanted));
        if (offer === undefined) {
          if (this.sentNegotiate)
            throw new SaslServerFault(
              SaslExceptionClassName.AccessControl,
              `${printable(chosen.method)} authentication is not enabled.  Available:${this.available()}`,
              `client asked for ${printable(chosen.method)}/${printable(chosen.mechanism)} ` +
                `${printable(chosen.protocol)}/${printable(chosen.serverId)}`,
            );
          // Parity: an INITIATE without a NEGOTIATE first gets the offers.
          this.sentNegotiate = true;
          return { kind: 'reply', message: this.negotiateResponse() };
        }
        this.mechanism = this.auth.start(offer);
        return this.token(message);
      }
      case RpcSaslProto_SaslState.RESPONSE:
        if (this.mechanism === undefined)
          throw new SaslServerFault(SaslExceptionClassName.Sasl, 'Client sent RESPONSE before INITIATE');
        return this.token(message);
      default:
        throw new SaslServerFault(
          SaslExceptionClassName.Sasl,
          `Client sent unsupported state ${RpcSaslProto_SaslState[message.state] ?? message.state}`,
        );
    }
  }

  private negotiateResponse(): MessageInitShape<typeof RpcSaslProtoSchema> {
    return {
      state: RpcSaslProto_SaslState.NEGOTIATE,
      auths: this.auth.offers().map((o) => ({
        method: o.method,
        mechanism: o.mechanism,
        ...(o.protocol !== undefined ? { protocol: o.protocol } : {}),
        ...(o.serverId !== undefined ? { serverId: o.serverId } : {}),
      })),
    };
  }

  /** Parity: Server.Connection.processSaslToken. */
  private async token(message: RpcSaslProto): Promise<SaslServerStep> {
    if (!isFieldSet(message, RpcSaslProtoSchema.field.token))
      throw new SaslServerFault(SaslExceptionClassName.Sasl, 'Client did not send a token');
    const mechanism = this.mechanism!;
    let out: Uint8Array | undefined;
    try {
      out = await mechanism.evaluateResponse(message.token);
    } catch (error) {
      if (error instanceof SaslServerFault) throw error;
      // Parity: GssKrb5Server's "GSS initiate failed"; MIT's reason goes to our log only.
      throw new SaslServerFault(
        SaslExceptionClassName.Sasl,
        'GSS initiate failed',
        error instanceof Error ? error.message : String(error),
        { cause: error },
      );
    }
    const reply = {
      state: mechanism.complete ? RpcSaslProto_SaslState.SUCCESS : RpcSaslProto_SaslState.CHALLENGE,
      ...(out !== undefined ? { token: out } : {}),
    };
    if (!mechanism.complete) return { kind: 'reply', message: reply };
    this.finished = true;
    return { kind: 'done', message: reply, mechanism };
  }

  /** Release the mechanism when the connection ends before it is handed over. */
  dispose(): void {
    if (!this.finished) this.mechanism?.dispose();
  }
}

/** A client-supplied string for a message: printable ASCII only, bounded. */
export function printable(value: string): string {
  const cleaned = value.replace(/[^\x20-\x7e]/g, '?');
  return cleaned.length > 128 ? `${cleaned.slice(0, 128)}...` : cleaned;
}
