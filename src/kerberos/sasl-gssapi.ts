// The SASL GSSAPI mechanism, client side (RFC 4752), as Java's GssKrb5Client does it for Hadoop
// IPC (and, later, for ZooKeeper's SASL): Kerberos context establishment, then the security-layer
// handshake (the server's wrapped [offered QOP bits, max buffer], our wrapped [chosen QOP bit, our
// max buffer]), then wrap / unwrap of the traffic when the chosen QOP is integrity or privacy.
// The QOPs we accept come from hadoop.rpc.protection in order (SaslPropertiesResolver), and the
// first one the server offers is chosen (GssKrb5Client.findPreferredMask).

import { ZkfcError } from '../errors.js';
import { GssFlag, type GssInitiator } from './gssapi.js';

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

export class GssapiSaslClient {
  readonly mechanism = 'GSSAPI';
  /** GSSAPI sends the first token unasked (SaslClient.hasInitialResponse). */
  readonly hasInitialResponse = true;
  complete = false;
  /** The negotiated QOP, once complete. */
  qop: SaslQop | undefined;
  /** Largest plaintext one wrap may carry (Sasl.RAW_SEND_SIZE), once complete with a security layer. */
  rawSendSize = 0;

  constructor(
    private readonly context: GssInitiator,
    /** Acceptable QOPs, most preferred first (hadoop.rpc.protection). */
    private readonly qops: readonly SaslQop[],
    private readonly maxReceiveBytes = DEFAULT_MAX_RECEIVE_BYTES,
  ) {
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
