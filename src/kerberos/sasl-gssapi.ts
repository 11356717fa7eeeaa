// The SASL GSSAPI mechanism (RFC 4752), client side as Java's GssKrb5Client does it for Hadoop
// IPC (and, later, for ZooKeeper's SASL) and server side as GssKrb5Server does it for our
// ZKFCProtocol server: Kerberos context establishment, then the security-layer handshake (the
// server's wrapped [offered QOP bits, max buffer], the client's wrapped [chosen QOP bit, its max
// buffer, optional authorization id]), then wrap / unwrap of the traffic when the chosen QOP is
// integrity or privacy. The QOPs come from hadoop.rpc.protection (SaslPropertiesResolver): the
// client takes the first of its list the server offers (GssKrb5Client.findPreferredMask), the
// server offers all of its list.

import { ZkfcError } from '../errors.js';
import { GssFlag, type GssAcceptor, type GssInitiator } from './gssapi.js';

/** SASL quality of protection (javax.security.sasl.qop values). */
export type SaslQop = 'auth' | 'auth-int' | 'auth-conf';

/** RFC 4752 security-layer bits. */
const QOP_BIT: Readonly<Record<SaslQop, number>> = { auth: 1, 'auth-int': 2, 'auth-conf': 4 };

/** Hadoop's names for the QOPs (SaslRpcServer.QualityOfProtection), for messages. */
export const QOP_NAME: Readonly<Record<SaslQop, string>> = {
  auth: 'authentication',
  'auth-int': 'integrity',
  'auth-conf': 'privacy',
};

/**
 * GSS flags Java's GssKrb5Client asks for with javax.security.sasl.server.authentication=true:
 * mutual authentication, confidentiality and integrity available for the security layer (JGSS
 * adds replay and sequence detection by default).
 */
export const SASL_GSSAPI_FLAGS = GssFlag.MUTUAL | GssFlag.CONF | GssFlag.INTEG | GssFlag.REPLAY | GssFlag.SEQUENCE;

/** javax.security.sasl.maxbuffer's default: the largest wrapped message we accept. */
export const DEFAULT_MAX_RECEIVE_BYTES = 65536;

export type SaslErrorCode = 'SASL_FAILED';

/** The SASL exchange failed on our side (the server's own failures arrive as RPC errors). */
export class SaslError extends ZkfcError<SaslErrorCode> {
  readonly code = 'SASL_FAILED';
}

function qopNames(bits: number): string[] {
  return (Object.keys(QOP_BIT) as SaslQop[]).filter((qop) => (bits & QOP_BIT[qop]) !== 0).map((qop) => QOP_NAME[qop]);
}

/**
 * What both ends of a GSSAPI exchange do once it is complete: the negotiated QOP and, with a security
 * layer (integrity or privacy), wrap and unwrap of every message through the context.
 */
abstract class GssapiSecurityLayer {
  complete = false;
  /** The negotiated QOP, once complete. */
  qop: SaslQop | undefined;
  /** Largest plaintext one wrap may carry (Sasl.RAW_SEND_SIZE), once complete with a security layer. */
  rawSendSize = 0;

  protected constructor(protected readonly context: GssInitiator | GssAcceptor) {}

  /** True when the traffic after the exchange is wrapped (SaslRpcClient.useWrap). */
  get wrapsTraffic(): boolean {
    return this.qop === 'auth-int' || this.qop === 'auth-conf';
  }

  wrap(data: Uint8Array): Uint8Array {
    if (!this.wrapsTraffic) throw new SaslError('GSSAPI: no security layer was negotiated');
    return this.context.wrap(data, this.qop === 'auth-conf');
  }

  unwrap(token: Uint8Array): Uint8Array {
    if (!this.wrapsTraffic) throw new SaslError('GSSAPI: no security layer was negotiated');
    const { data, confidential } = this.context.unwrap(token);
    if (this.qop === 'auth-conf' && !confidential)
      throw new SaslError('GSSAPI: an unencrypted message arrived on a privacy-protected connection');
    return data;
  }

  dispose(): void {
    this.context.dispose();
  }
}

export class GssapiSaslClient extends GssapiSecurityLayer {
  readonly mechanism = 'GSSAPI';
  /** GSSAPI sends the first token unasked (SaslClient.hasInitialResponse). */
  readonly hasInitialResponse = true;

  constructor(
    protected override readonly context: GssInitiator,
    /** Acceptable QOPs, most preferred first (hadoop.rpc.protection). */
    private readonly qops: readonly SaslQop[],
    private readonly maxReceiveBytes = DEFAULT_MAX_RECEIVE_BYTES,
  ) {
    super(context);
    if (qops.length === 0) throw new RangeError('at least one QOP is required');
  }

  /** Our principal (the SASL authorization id the server sees), once the context is established. */
  get principal(): string | undefined {
    return this.context.sourceName;
  }

  /** SaslClient.evaluateChallenge: the server's token in, ours out (empty when there is nothing to send). */
  async evaluateChallenge(challenge: Uint8Array): Promise<Uint8Array> {
    if (this.complete) throw new SaslError('GSSAPI: the exchange is already complete');
    if (!this.context.complete) return this.context.step(challenge);
    return this.securityLayer(challenge);
  }

  /** RFC 4752, section 3.1: the server's offer, our choice. */
  private securityLayer(challenge: Uint8Array): Uint8Array {
    const offer = this.context.unwrap(challenge).data;
    if (offer.length !== 4)
      throw new SaslError(`GSSAPI: the server's security-layer offer has ${offer.length} bytes, not 4`);
    const offered = offer[0]!;
    const serverMaxBytes = (offer[1]! << 16) | (offer[2]! << 8) | offer[3]!;
    const chosen = this.qops.find((qop) => (offered & QOP_BIT[qop]) !== 0);
    if (chosen === undefined) {
      throw new SaslError(
        `No common protection layer between client and server: the server offers ` +
          `[${qopNames(offered).join(', ')}], hadoop.rpc.protection allows ` +
          `[${this.qops.map((q) => QOP_NAME[q]).join(', ')}]`,
      );
    }
    this.qop = chosen;
    const layer = chosen !== 'auth';
    if (layer) {
      if (serverMaxBytes === 0) throw new SaslError('GSSAPI: the server offers a security layer with a 0-byte buffer');
      this.rawSendSize = this.context.wrapSizeLimit(chosen === 'auth-conf', serverMaxBytes);
    }
    const max = layer ? this.maxReceiveBytes : 0;
    const reply = new Uint8Array([QOP_BIT[chosen], (max >>> 16) & 0xff, (max >>> 8) & 0xff, max & 0xff]);
    this.complete = true;
    // GssKrb5Client wraps the reply without confidentiality (MessageProp(0, false)).
    return this.context.wrap(reply, false);
  }
}

/**
 * The server side (GssKrb5Server): the acceptor context from the daemon's keytab, then the
 * security-layer offer of every QOP in `qops`, then the client's choice. The authorization id the
 * client may send must be its own principal (Hadoop's SaslRpcServer.SaslGssCallbackHandler
 * authorizes only authid == authzid).
 */
export class GssapiSaslServer extends GssapiSecurityLayer {
  private stage: 'context' | 'offer' | 'choice' = 'context';
  private principal: string | undefined;

  constructor(
    protected override readonly context: GssAcceptor,
    /** QOPs offered (hadoop.rpc.protection). */
    private readonly qops: readonly SaslQop[],
    private readonly maxReceiveBytes = DEFAULT_MAX_RECEIVE_BYTES,
  ) {
    super(context);
    if (qops.length === 0) throw new RangeError('at least one QOP is required');
  }

  /** The client's principal, once complete. */
  get authorizationId(): string | undefined {
    return this.complete ? this.principal : undefined;
  }

  get protection(): string | undefined {
    return this.qop !== undefined ? QOP_NAME[this.qop] : undefined;
  }

  /** SaslServer.evaluateResponse; undefined when there is no token to send (the exchange is complete). */
  async evaluateResponse(response: Uint8Array): Promise<Uint8Array | undefined> {
    if (this.complete) throw new SaslError('GSSAPI: the exchange is already complete');
    switch (this.stage) {
      case 'context': {
        const out = await this.context.step(response);
        if (!this.context.complete) return out;
        this.principal = this.context.sourceName;
        this.stage = 'offer';
        // GssKrb5Server: the acceptor's last token first when there is one, the offer after the client's empty reply.
        return out.length > 0 ? out : this.offer();
      }
      case 'offer':
        if (response.length > 0) throw new SaslError('Handshake expecting no response data from client');
        return this.offer();
      case 'choice':
        return this.choice(response);
    }
  }

  /** RFC 4752, section 3.1: [offered QOP bits, our max buffer], wrapped without confidentiality. */
  private offer(): Uint8Array {
    this.stage = 'choice';
    const bits = this.qops.reduce((sum, qop) => sum | QOP_BIT[qop], 0);
    const max = this.maxReceiveBytes;
    return this.context.wrap(new Uint8Array([bits, (max >>> 16) & 0xff, (max >>> 8) & 0xff, max & 0xff]), false);
  }

  private choice(response: Uint8Array): undefined {
    const { data } = this.context.unwrap(response);
    if (data.length < 4) throw new SaslError('Final handshake response from client is too short');
    const chosenBit = data[0]!;
    const chosen = this.qops.find((qop) => QOP_BIT[qop] === chosenBit);
    if (chosen === undefined) {
      throw new SaslError(
        `Client selected unsupported protection: ${chosenBit} (hadoop.rpc.protection offers ` +
          `[${this.qops.map((q) => QOP_NAME[q]).join(', ')}])`,
      );
    }
    const clientMaxBytes = (data[1]! << 16) | (data[2]! << 8) | data[3]!;
    if (data.length > 4) {
      const authzid = new TextDecoder('utf-8', { fatal: false }).decode(data.subarray(4));
      if (authzid !== this.principal)
        throw new SaslError(
          `Peer ${this.principal ?? '(unknown)'} is not authorized to act as ${authzid.slice(0, 128)}`,
        );
    }
    this.qop = chosen;
    if (chosen !== 'auth') {
      if (clientMaxBytes === 0) throw new SaslError('GSSAPI: the client accepts a security layer with a 0-byte buffer');
      this.rawSendSize = this.context.wrapSizeLimit(chosen === 'auth-conf', clientMaxBytes);
    }
    this.complete = true;
    return undefined;
  }
}
