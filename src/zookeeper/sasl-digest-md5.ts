// The client side of SASL DIGEST-MD5 (RFC 2831, section 2.1), as Java's DigestMD5Client runs it for
// ZooKeeper's SASL with the JAAS DigestLoginModule's username and password: no initial response;
// the server's digest-challenge in, our digest-response out (qop=auth only: ZooKeeper negotiates
// no security layer); the server's response-auth (rspauth) checked, which completes the exchange.
// ZooKeeper's client names the service "zookeeper" on host "zk-sasl-md5" (ZooKeeperSaslClient),
// so the digest-uri is "zookeeper/zk-sasl-md5".
//
// Loaded only when SASL is configured (it needs node:crypto: README "A lean daemon").

import { createHash, randomBytes } from 'node:crypto';
import { SaslError } from '../kerberos/sasl-gssapi.js';

/** ZooKeeperSaslClient's protocol and server name for DIGEST-MD5. */
export const ZK_DIGEST_URI = 'zookeeper/zk-sasl-md5';

/** Parse a digest-challenge / response-auth: `key=value` or `key="quoted"`, comma-separated. */
export function parseDigestDirectives(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /[\s,]/.test(text[i]!)) i++;
    if (i >= text.length) break;
    const eq = text.indexOf('=', i);
    if (eq === -1) throw new SaslError(`DIGEST-MD5: malformed challenge directive at offset ${i}`);
    const name = text.slice(i, eq).trim().toLowerCase();
    i = eq + 1;
    let value = '';
    if (text[i] === '"') {
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        value += text[i];
        i++;
      }
      if (i >= text.length) throw new SaslError('DIGEST-MD5: unterminated quoted value in challenge');
      i++;
    } else {
      const end = text.indexOf(',', i);
      value = (end === -1 ? text.slice(i) : text.slice(i, end)).trim();
      i = end === -1 ? text.length : end;
    }
    // RFC 2831: realm may repeat (several choices); the first one is kept, as Java's client offers it first.
    if (!out.has(name)) out.set(name, value);
  }
  return out;
}

const md5 = (...parts: (string | Buffer)[]): Buffer => {
  const hash = createHash('md5');
  for (const part of parts) hash.update(part);
  return hash.digest();
};
const hex = (data: Buffer): string => data.toString('hex');

export interface DigestInputs {
  readonly username: string;
  readonly realm: string;
  readonly password: string;
  readonly nonce: string;
  readonly cnonce: string;
  readonly nc: string;
  readonly qop: string;
  readonly digestUri: string;
  /** charset=utf-8 in the challenge: names and password in UTF-8, else ISO 8859-1. */
  readonly utf8: boolean;
}

/** RFC 2831 section 2.1.2.1: response-value; `a2Prefix` "AUTHENTICATE" for the response, "" for rspauth. */
export function digestResponseValue(inputs: DigestInputs, a2Prefix: 'AUTHENTICATE' | ''): string {
  const enc = (s: string): Buffer => Buffer.from(s, inputs.utf8 ? 'utf8' : 'latin1');
  const a1 = Buffer.concat([
    md5(enc(inputs.username), ':', enc(inputs.realm), ':', enc(inputs.password)),
    Buffer.from(`:${inputs.nonce}:${inputs.cnonce}`, 'utf8'),
  ]);
  const a2 = `${a2Prefix}:${inputs.digestUri}`;
  return hex(
    md5(hex(md5(a1)), ':', inputs.nonce, ':', inputs.nc, ':', inputs.cnonce, ':', inputs.qop, ':', hex(md5(a2))),
  );
}

const quote = (value: string): string => `"${value.replace(/(["\\])/g, '\\$1')}"`;

export class DigestMd5SaslClient {
  readonly mechanism = 'DIGEST-MD5';
  readonly hasInitialResponse = false;
  complete = false;
  private expectedRspauth: string | undefined;

  constructor(
    private readonly username: string,
    private readonly password: string,
    private readonly digestUri = ZK_DIGEST_URI,
    /** For tests (RFC 2831's example); default 16 random bytes, base64. */
    private readonly makeCnonce: () => string = () => randomBytes(16).toString('base64'),
  ) {}

  /** The server's challenge in; our response out, or undefined once rspauth is verified (nothing to send). */
  evaluateChallenge(challenge: Uint8Array): Promise<Uint8Array | undefined> {
    try {
      return Promise.resolve(this.step(Buffer.from(challenge).toString('utf8')));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new SaslError(String(error)));
    }
  }

  private step(text: string): Uint8Array | undefined {
    if (this.complete) throw new SaslError('DIGEST-MD5: the exchange is already complete');
    if (this.expectedRspauth !== undefined) {
      const rspauth = parseDigestDirectives(text).get('rspauth');
      if (rspauth !== this.expectedRspauth)
        throw new SaslError('DIGEST-MD5: the server did not prove it knows the password (rspauth mismatch)');
      this.complete = true;
      return undefined;
    }
    if (text === '') throw new SaslError('DIGEST-MD5: empty challenge from the server');
    const directives = parseDigestDirectives(text);
    const nonce = directives.get('nonce');
    if (nonce === undefined) throw new SaslError('DIGEST-MD5: the challenge has no nonce');
    const algorithm = directives.get('algorithm');
    if (algorithm !== 'md5-sess') throw new SaslError(`DIGEST-MD5: unsupported algorithm ${algorithm ?? '(none)'}`);
    const qops = (directives.get('qop') ?? 'auth').split(',').map((q) => q.trim());
    if (!qops.includes('auth'))
      throw new SaslError(`DIGEST-MD5: the server offers qop ${qops.join(',')}, not auth (no security layer)`);
    const inputs: DigestInputs = {
      username: this.username,
      realm: directives.get('realm') ?? '',
      password: this.password,
      nonce,
      cnonce: this.makeCnonce(),
      nc: '00000001',
      qop: 'auth',
      digestUri: this.digestUri,
      utf8: directives.get('charset')?.toLowerCase() === 'utf-8',
    };
    const response = digestResponseValue(inputs, 'AUTHENTICATE');
    this.expectedRspauth = digestResponseValue(inputs, '');
    const parts = [
      ...(inputs.utf8 ? ['charset=utf-8'] : []),
      `username=${quote(inputs.username)}`,
      ...(directives.has('realm') ? [`realm=${quote(inputs.realm)}`] : []),
      `nonce=${quote(nonce)}`,
      `nc=${inputs.nc}`,
      `cnonce=${quote(inputs.cnonce)}`,
      `digest-uri=${quote(inputs.digestUri)}`,
      'maxbuf=65536',
      `response=${response}`,
      'qop=auth',
    ];
    return Buffer.from(parts.join(','), inputs.utf8 ? 'utf8' : 'latin1');
  }

  dispose(): void {}
}
