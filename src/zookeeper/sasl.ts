// ZooKeeper SASL authentication of each connection (ZooKeeperSaslClient), from the JAAS `Client`
// section a Java ZKFC is configured with (jaas.ts):
//
// - Krb5LoginModule → GSSAPI (RFC 4752, sasl-gssapi.ts) as the section's principal: from its keyTab
//   through a login of our own (src/kerberos/login.ts: a private credential cache, renewed), or from
//   a ticket cache with useTicketCache=true. The server is the host-based service
//   `<zookeeper.sasl.client.username>@<host>` (default "zookeeper"), the host canonicalised as Java's
//   client does (zookeeper.sasl.client.canonicalize.hostname, default true), or the service and host
//   of -Dzookeeper.server.principal. Quality of protection "auth": ZooKeeper wraps nothing.
// - DigestLoginModule → DIGEST-MD5 (RFC 2831, sasl-digest-md5.ts) with its username and password.
//
// The exchange follows ZooKeeperSaslClient: the first token (GSSAPI's initial response, or empty for
// DIGEST-MD5), then one token per server answer until the mechanism is complete; GSSAPI waits for the
// server's last (empty) answer. Errors name the mechanism, the principal or user, the JAAS file and
// section, and the server; never the password or key material.
//
// Loaded only when SASL is configured (node:crypto for DIGEST-MD5, the GSSAPI binding for Kerberos).

import { lookup, lookupService } from 'node:dns/promises';
import { errorMessage } from '../errors.js';
import { loadGssapi, type Gssapi } from '../kerberos/gssapi.js';
import { KerberosLogin } from '../kerberos/login.js';
import { GssapiSaslClient, SASL_GSSAPI_FLAGS, SaslError } from '../kerberos/sasl-gssapi.js';
import { silentLogger, type Logger } from '../observability/logger.js';
import type { Clock } from '../runtime/ports.js';
import type { SaslTransport } from './client-internals.js';
import type { ZkSaslLogin } from './jaas.js';
import { DigestMd5SaslClient } from './sasl-digest-md5.js';
import { saslErrName } from './sasl-packets.js';

/** Where the SASL login comes from and whom the client expects to talk to. */
export interface ZkSaslConfig {
  /** The JAAS file (zkfc.zookeeper.jaas.file or java.security.auth.login.config in HADOOP_ZKFC_OPTS). */
  readonly jaasFile: string;
  /** zkfc.zookeeper.jaas.section (zookeeper.sasl.clientconfig). */
  readonly section: string;
  readonly login: ZkSaslLogin;
  /** -Dzookeeper.server.principal: service/host[@REALM] (_HOST: the server's host, canonicalised unless off). */
  readonly serverPrincipal: string | undefined;
  /** -Dzookeeper.sasl.client.username, default "zookeeper". */
  readonly serviceName: string;
  /** -Dzookeeper.sasl.client.canonicalize.hostname, default true. */
  readonly canonicalizeHostName: boolean;
}

/** One mechanism instance per connection. */
interface Mechanism {
  readonly hasInitialResponse: boolean;
  readonly complete: boolean;
  evaluateChallenge(challenge: Uint8Array): Promise<Uint8Array | undefined>;
  dispose(): void;
}

/** ZooKeeperSaslClient's exchange on one connection. Rejects on any failure. */
export async function runSaslExchange(mechanism: Mechanism, transport: SaslTransport): Promise<void> {
  const empty = new Uint8Array(0);
  let token = mechanism.hasInitialResponse ? ((await mechanism.evaluateChallenge(empty)) ?? empty) : empty;
  for (let round = 0; round < 20; round++) {
    const reply = await transport.send(token);
    if (reply.err !== 0) throw new SaslError(`the server refused the authentication (${saslErrName(reply.err)})`);
    // GSSAPI: the server's answer to our last token ends the exchange.
    if (mechanism.complete) return;
    const next = await mechanism.evaluateChallenge(reply.token ?? empty);
    // DIGEST-MD5: the server's rspauth checked, nothing more to send.
    if (mechanism.complete && next === undefined) return;
    token = next ?? empty;
  }
  throw new SaslError('the SASL exchange did not complete within 20 rounds');
}

/** Java's InetAddress.getCanonicalHostName: the reverse name of the host's address, or the host. */
async function canonicalHostName(host: string): Promise<string> {
  try {
    const { address } = await lookup(host);
    const { hostname } = await lookupService(address, 0);
    return hostname === '' ? host : hostname;
  } catch {
    return host;
  }
}

export class ZkSaslAuthenticator {
  private readonly log: Logger;

  private constructor(
    readonly config: ZkSaslConfig,
    private readonly gss: Gssapi | undefined,
    private readonly kerberosLogin: KerberosLogin | undefined,
    logger: Logger,
  ) {
    this.log = logger;
  }

  /** Load what the mechanism needs and, for a keytab, log in (a failed login is retried, not thrown). */
  static async create(
    config: ZkSaslConfig,
    deps: { readonly clock: Pick<Clock, 'schedule'>; readonly logger?: Logger },
  ): Promise<ZkSaslAuthenticator> {
    const logger = (deps.logger ?? silentLogger()).child({ component: 'zk-sasl' });
    const login = config.login;
    if (login.mechanism === 'DIGEST-MD5') return new ZkSaslAuthenticator(config, undefined, undefined, logger);
    const gss = await loadGssapi();
    let kerberosLogin: KerberosLogin | undefined;
    if (login.keytab !== undefined && login.principal !== undefined) {
      kerberosLogin = new KerberosLogin({
        gss,
        principal: login.principal,
        keytab: login.keytab,
        clock: deps.clock,
        logger: deps.logger ?? silentLogger(),
      });
      await kerberosLogin.start();
    }
    return new ZkSaslAuthenticator(config, gss, kerberosLogin, logger);
  }

  /** Who we authenticate as, for logs and messages: never a secret. */
  describe(): string {
    const { login, jaasFile, section } = this.config;
    const who =
      login.mechanism === 'DIGEST-MD5'
        ? `DIGEST-MD5 as user '${login.username}'`
        : `GSSAPI as ${login.principal ?? '(the ticket cache principal)'}` +
          (login.keytab !== undefined
            ? ` from keytab ${login.keytab}`
            : ` from the ticket cache ${this.ticketCache()}`);
    return `${who} (JAAS ${jaasFile} section ${section})`;
  }

  /** The cache of a useTicketCache login: ticketCache=, else KRB5CCNAME, else MIT's default. */
  private ticketCache(): string {
    const login = this.config.login;
    const named = login.mechanism === 'GSSAPI' ? login.ticketCache : undefined;
    return named ?? process.env['KRB5CCNAME'] ?? `FILE:/tmp/krb5cc_${process.getuid?.() ?? ''}`;
  }

  /** The mechanism's name and our identity, for log fields. */
  identity(): { mechanism: string; user: string | undefined } {
    const login = this.config.login;
    return { mechanism: login.mechanism, user: login.mechanism === 'DIGEST-MD5' ? login.username : login.principal };
  }

  /** Authenticate one connection; rejects with an Error whose message names what is at fault. */
  async authenticate(
    server: { readonly host: string; readonly port: number },
    transport: SaslTransport,
  ): Promise<void> {
    const at = `${server.host}:${server.port}`;
    let target = '';
    let mechanism: Mechanism | undefined;
    try {
      const login = this.config.login;
      if (login.mechanism === 'DIGEST-MD5') {
        mechanism = new DigestMd5SaslClient(login.username, login.password);
      } else {
        const state = this.kerberosLogin?.state;
        if (state !== undefined && !state.ok) throw state.error;
        const { service, host } = await this.serverService(server.host);
        target = ` to ${service}/${host}`;
        const context = this.gss!.initiator({
          service,
          host,
          flags: SASL_GSSAPI_FLAGS,
          ...(login.principal !== undefined ? { principal: login.principal } : {}),
          credentials: this.kerberosLogin?.credentials ?? ({ ccache: this.ticketCache() } as const),
        });
        mechanism = new GssapiSaslClient(context, ['auth']);
      }
      await runSaslExchange(mechanism, transport);
      this.log.debug({ server: at, ...this.identity() }, 'zookeeper SASL authentication succeeded');
    } catch (error) {
      throw new SaslError(
        `ZooKeeper SASL authentication to server ${at} failed: ${this.describe()}${target}: ${errorMessage(error)}`,
        { cause: error },
      );
    } finally {
      mechanism?.dispose();
    }
  }

  /** The service and host of the server's principal (ZooKeeperSaslClient / SaslServerPrincipal). */
  private async serverService(host: string): Promise<{ service: string; host: string }> {
    let service = this.config.serviceName;
    let named = '_HOST';
    const explicit = this.config.serverPrincipal;
    if (explicit !== undefined && explicit !== '') {
      const withoutRealm = explicit.split('@')[0]!;
      const slash = withoutRealm.indexOf('/');
      service = slash === -1 ? withoutRealm : withoutRealm.slice(0, slash);
      named = slash === -1 ? host : withoutRealm.slice(slash + 1);
    }
    // Without -Dzookeeper.server.principal, and for its _HOST (our extension: Java's client takes the
    // name as written), the server's host, canonicalised as zookeeper.sasl.client.canonicalize.hostname
    // says (Hadoop's _HOST is a canonical name too).
    if (named !== '_HOST') return { service, host: named };
    return { service, host: this.config.canonicalizeHostName ? await canonicalHostName(host) : host };
  }

  /** Stop the keytab login's renewal and remove its private cache. */
  stop(): void {
    this.kerberosLogin?.stop();
  }
}
