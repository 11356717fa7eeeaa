// Kerberos on Hadoop IPC connections, client side, as SaslRpcClient does it for a protocol whose
// @KerberosInfo names hadoop.security.service.user.name.key (HAServiceProtocol, ZKFCProtocol), which
// DFSHAAdmin.addSecurityConfiguration sets to dfs.namenode.kerberos.principal: the server's
// KERBEROS/GSSAPI offer is taken when its advertised principal (protocol/serverId) is the
// configured one with _HOST replaced by the peer's canonical host name
// (SaslRpcClient.getServerPrincipal, SecurityUtil.getServerPrincipal); then SASL GSSAPI with the
// QOPs of hadoop.rpc.protection (SaslPropertiesResolver). Whose credentials: the daemon's keytab
// login (src/kerberos/login.ts), or for haadmin the user's ticket cache.
// Server side (KerberosIpcServerAuthentication) for our ZKFCProtocol server: below.

import { promises as dns } from 'node:dns';
import { isIP } from 'node:net';
import type { HostPort } from '../core/types.js';
import type { IpcSaslAuthentication, SaslAuthOffer, SaslClientMechanism } from '../ipc/sasl.js';
import {
  SaslExceptionClassName,
  SaslServerFault,
  type IpcSaslServerAuthentication,
  type SaslServerMechanism,
} from '../ipc/sasl-server.js';
import type { GssCredentialStore, Gssapi } from '../kerberos/gssapi.js';
import { AuthToLocal, DEFAULT_RULES, KerberosNameError } from '../kerberos/kerberos-name.js';
import { GssapiSaslClient, GssapiSaslServer, SASL_GSSAPI_FLAGS, type SaslQop } from '../kerberos/sasl-gssapi.js';

/** SecurityUtil.HOSTNAME_PATTERN. */
export const HOSTNAME_PATTERN = '_HOST';
export const CANONICAL_HOST_TIMEOUT_MS = 2000;

/** hadoop.rpc.protection values (SaslRpcServer.QualityOfProtection) → SASL QOPs. */
export const RPC_PROTECTION_QOP: Readonly<Record<string, SaslQop>> = {
  authentication: 'auth',
  integrity: 'auth-int',
  privacy: 'auth-conf',
};

/**
 * SecurityUtil.getServerPrincipal: `service/_HOST@REALM` with _HOST replaced by `host` lower-cased;
 * any other form is returned as it is.
 */
export function substituteHost(principal: string, host: string): string {
  const components = principal.split(/[/@]/);
  if (components.length !== 3 || components[1] !== HOSTNAME_PATTERN) return principal;
  return `${components[0]}/${host.toLowerCase()}@${components[2]}`;
}

/** InetAddress.getCanonicalHostName of the peer's address: the reverse lookup of its IP, else the IP. */
export async function canonicalHostName(host: string, timeoutMs = CANONICAL_HOST_TIMEOUT_MS): Promise<string> {
  const lookup = async (): Promise<string> => {
    const ip = isIP(host) !== 0 ? host : (await dns.lookup(host)).address;
    try {
      return (await dns.lookupService(ip, 0)).hostname;
    } catch {
      return ip;
    }
  };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(host), timeoutMs);
    timer.unref();
  });
  return Promise.race([lookup().catch(() => host), timeout]).finally(() => clearTimeout(timer));
}

export interface KerberosIpcOptions {
  readonly gss: Gssapi;
  /** dfs.namenode.kerberos.principal as configured (with _HOST). */
  readonly serverPrincipal: string;
  /** Our principal (the daemon's login); default: the ticket cache's default principal. */
  readonly clientPrincipal?: string;
  /** The daemon's login cache and keytab; default: the process's default cache (haadmin). */
  readonly credentials?: GssCredentialStore;
  /** hadoop.rpc.protection as QOPs, most preferred first. */
  readonly qops: readonly SaslQop[];
  /** ipc.client.fallback-to-simple-auth-allowed. */
  readonly fallbackToSimpleAllowed: boolean;
  /** The user a fallback to SIMPLE connects as. */
  readonly simpleUser: string;
  /** The ticket cache used without a login (haadmin), named in messages. */
  readonly ticketCache?: string;
  /** That cache's default principal, when it could be read; named in messages. */
  readonly ticketCachePrincipal?: string;
  /** Default: canonicalHostName. */
  readonly hostName?: (host: string) => Promise<string>;
}

export class KerberosIpcAuthentication implements IpcSaslAuthentication {
  readonly fallbackToSimpleAllowed: boolean;
  readonly simpleUser: string;

  constructor(private readonly options: KerberosIpcOptions) {
    this.fallbackToSimpleAllowed = options.fallbackToSimpleAllowed;
    this.simpleUser = options.simpleUser;
  }

  describe(): string {
    if (this.options.clientPrincipal !== undefined) return `Kerberos principal ${this.options.clientPrincipal}`;
    const cache = `the Kerberos ticket cache ${this.options.ticketCache ?? '(default)'} (kinit first)`;
    const principal = this.options.ticketCachePrincipal;
    return principal !== undefined ? `${principal} from ${cache}` : cache;
  }

  /** The server principal expected at `peer`, as SaslRpcClient.getServerPrincipal computes it. */
  async expectedServerPrincipal(peer: HostPort): Promise<string> {
    const configured = this.options.serverPrincipal;
    if (configured.trim() === '') throw new Error("Failed to specify server's Kerberos principal name");
    const host = configured.includes(HOSTNAME_PATTERN)
      ? await (this.options.hostName ?? canonicalHostName)(peer.host)
      : peer.host;
    const expected = substituteHost(configured, host);
    if (expected.split(/[/@]/).length < 2 || !expected.includes('/'))
      throw new Error(`Kerberos principal name does NOT have the expected hostname part: ${expected}`);
    return expected;
  }

  async start(
    offers: readonly SaslAuthOffer[],
    peer: HostPort,
  ): Promise<{ offer: SaslAuthOffer; client: SaslClientMechanism } | undefined> {
    const offer = offers.find((o) => o.method === 'KERBEROS' && o.mechanism === 'GSSAPI');
    if (offer === undefined) return undefined;
    const protocol = offer.protocol ?? '';
    const serverId = offer.serverId ?? '';
    const expected = await this.expectedServerPrincipal(peer);
    const [expectedService, expectedHost, realm] = expected.split(/[/@]/);
    // The realm of the advertised name is the one Kerberos maps its host to, checked by the KDC
    // when it issues the ticket; the service and host parts must be the configured ones.
    if (protocol !== expectedService || serverId !== expectedHost) {
      const advertised = `${protocol}/${serverId}${realm !== undefined ? `@${realm}` : ''}`;
      throw new Error(`Server has invalid Kerberos principal: ${advertised}, expecting: ${expected}`);
    }
    const context = this.options.gss.initiator({
      service: protocol,
      host: serverId,
      flags: SASL_GSSAPI_FLAGS,
      ...(this.options.clientPrincipal !== undefined ? { principal: this.options.clientPrincipal } : {}),
      ...(this.options.credentials !== undefined ? { credentials: this.options.credentials } : {}),
    });
    return { offer, client: new GssapiSaslClient(context, this.options.qops) };
  }

  effectiveUser(client: SaslClientMechanism): string {
    // ProtoUtil.makeIpcConnectionContext, KERBEROS: the login user's full principal name; the
    // server takes any other name as a proxy user to authorise.
    const principal = client instanceof GssapiSaslClient ? client.principal : undefined;
    return principal ?? this.options.clientPrincipal ?? this.simpleUser;
  }
}

export interface KerberosIpcServerOptions {
  readonly gss: Gssapi;
  /** The daemon's login principal, _HOST substituted (service/host@REALM). */
  readonly principal: string;
  /** The daemon's keytab: the acceptor's keys. */
  readonly keytab: string;
  /** hadoop.rpc.protection as QOPs: every one is offered. */
  readonly qops: readonly SaslQop[];
  /** hadoop.security.auth_to_local; default: the DEFAULT rule with the login principal's realm. */
  readonly authToLocal?: AuthToLocal;
}

/**
 * Kerberos on our IPC server, as Server does it with hadoop.security.authentication=kerberos and no
 * secret manager (enabledAuthMethods = [KERBEROS]): the offer KERBEROS/GSSAPI with protocol/serverId
 * split from the login principal (SaslRpcServer's constructor, KERBEROS: splitKerberosName of
 * UserGroupInformation.getCurrentUser().getUserName()), an acceptor context from the daemon's keytab,
 * and short names by hadoop.security.auth_to_local (KerberosName.getShortName, src/kerberos/kerberos-name.ts);
 * a principal no rule applies to is refused.
 */
export class KerberosIpcServerAuthentication implements IpcSaslServerAuthentication {
  readonly methods = ['KERBEROS'] as const;
  private readonly offer: SaslAuthOffer;
  readonly realm: string;
  readonly authToLocal: AuthToLocal;

  constructor(private readonly options: KerberosIpcServerOptions) {
    const parts = options.principal.split(/[/@]/);
    if (parts.length !== 3 || parts.some((p) => p === ''))
      throw new Error(`Kerberos principal name does NOT have the expected hostname part: ${options.principal}`);
    this.offer = { method: 'KERBEROS', mechanism: 'GSSAPI', protocol: parts[0]!, serverId: parts[1]! };
    this.realm = parts[2]!;
    this.authToLocal = options.authToLocal ?? new AuthToLocal(DEFAULT_RULES, this.realm);
  }

  offers(): readonly SaslAuthOffer[] {
    return [this.offer];
  }

  start(): SaslServerMechanism {
    const context = this.options.gss.acceptor({
      principal: this.options.principal,
      credentials: { keytab: this.options.keytab },
    });
    return new GssapiSaslServer(context, this.options.qops);
  }

  shortName(principal: string): string {
    return shortNameOrFault(principal, this.authToLocal);
  }
}

/**
 * The short name of an authenticated principal, as Server sees it through
 * UserGroupInformation.createRemoteUser (User's constructor: HadoopKerberosName.getShortName), whose
 * failure is "Illegal principal name ...: <the KerberosName exception>" and refuses the connection.
 */
export function shortNameOrFault(principal: string, names: AuthToLocal): string {
  try {
    return names.shortName(principal);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const cause =
      error instanceof KerberosNameError ? error.javaText() : `java.lang.IllegalArgumentException: ${message}`;
    throw new SaslServerFault(SaslExceptionClassName.IllegalArgument, `Illegal principal name ${principal}: ${cause}`);
  }
}
