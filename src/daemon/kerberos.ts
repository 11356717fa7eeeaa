// Wires Kerberos for the daemon and for haadmin from the settings: the GSSAPI binding, the
// daemon's keytab login (DFSZKFailoverController.loginAsFCUser: dfs.namenode.kerberos.principal with
// _HOST = the local NameNode's host name, from dfs.namenode.keytab.file) and the SASL authentication
// every Hadoop IPC client of the process uses, and the server side of our ZKFCProtocol server (the
// same principal and keytab, as ZKFCRpcServer runs as the login user). haadmin uses the user's
// ticket cache instead of a login, as `hdfs haadmin` does.

import type { HadoopConfiguration } from '../config/hadoop-conf.js';
import {
  DFS_NAMENODE_KERBEROS_PRINCIPAL_KEY,
  HADOOP_RPC_PROTECTION_KEY,
  IPC_CLIENT_FALLBACK_TO_SIMPLE_AUTH_ALLOWED_KEY,
  parseRpcProtection,
  type RpcProtection,
} from '../config/authentication.js';
import { ConfigError, errorMessage } from '../errors.js';
import { javaHostName } from '../hadoop/java-hostname.js';
import {
  KerberosIpcAuthentication,
  KerberosIpcServerAuthentication,
  RPC_PROTECTION_QOP,
  substituteHost,
} from '../hadoop/kerberos-authentication.js';
import { loadGssapi } from '../kerberos/gssapi.js';
import { AUTH_TO_LOCAL_KEY, AuthToLocal, DEFAULT_RULES, parseRuleMechanism } from '../kerberos/kerberos-name.js';
import { ccachePrincipal } from '../kerberos/ccache.js';
import { defaultRealm } from '../kerberos/krb5-conf.js';
import { KerberosLogin } from '../kerberos/login.js';
import type { SaslQop } from '../kerberos/sasl-gssapi.js';
import type { Logger } from '../observability/logger.js';
import type { Clock } from '../runtime/ports.js';

export interface DaemonKerberos {
  readonly sasl: KerberosIpcAuthentication;
  readonly login: KerberosLogin;
  /** Our ZKFCProtocol server's side: the login principal's offer, the keytab's keys (ZKFCRpcServer under Kerberos). */
  readonly server: KerberosIpcServerAuthentication;
  /** The login principal's short name by hadoop.security.auth_to_local (UserGroupInformation.getShortUserName). */
  readonly loginShortName: string;
}

function qops(value: string): SaslQop[] {
  const parsed = parseRpcProtection(value);
  if (!Array.isArray(parsed)) throw new ConfigError(parsed.problem, HADOOP_RPC_PROTECTION_KEY);
  return parsed.map((p: RpcProtection) => RPC_PROTECTION_QOP[p]!);
}

export interface DaemonKerberosOptions {
  readonly principal: string;
  readonly keytab: string;
  readonly rpcProtection: string;
  readonly fallbackToSimpleAuthAllowed: boolean;
  /** Host of the local NameNode's RPC address (DFSUtilClient.getNNAddress). */
  readonly localHost: string;
  readonly simpleUser: string;
  /** hadoop.security.auth_to_local; null: DEFAULT. */
  readonly authToLocal: string | null;
  /** hadoop.security.auth_to_local.mechanism. */
  readonly authToLocalMechanism: string;
  readonly clock: Pick<Clock, 'schedule'>;
  readonly logger: Logger;
}

/**
 * hadoop.security.auth_to_local with the default realm of krb5.conf (KerberosName.getDefaultRealm),
 * else the login principal's. Throws ConfigError when the daemon's own principal maps to no short
 * name: Hadoop's login fails the same way (User's "Illegal principal name").
 */
function authToLocalFor(options: DaemonKerberosOptions, principal: string): { names: AuthToLocal; short: string } {
  const realm = defaultRealm() ?? principal.split('@')[1] ?? '';
  let names: AuthToLocal;
  try {
    names = new AuthToLocal(
      options.authToLocal ?? DEFAULT_RULES,
      realm,
      parseRuleMechanism(options.authToLocalMechanism),
    );
  } catch (error) {
    throw new ConfigError(`${AUTH_TO_LOCAL_KEY}: ${errorMessage(error)}`, AUTH_TO_LOCAL_KEY, undefined, {
      cause: error,
    });
  }
  try {
    return { names, short: names.shortName(principal) };
  } catch (error) {
    throw new ConfigError(
      `${AUTH_TO_LOCAL_KEY}: the daemon's principal ${principal} has no short name (default realm ${realm}): ` +
        errorMessage(error),
      AUTH_TO_LOCAL_KEY,
      undefined,
      { cause: error },
    );
  }
}

/** Load the binding, log in (a failure is logged and retried, not thrown) and build the IPC authentication. */
export async function startDaemonKerberos(options: DaemonKerberosOptions): Promise<DaemonKerberos> {
  const gss = await loadGssapi();
  const principal = substituteHost(options.principal, await javaHostName(options.localHost));
  const { names, short } = authToLocalFor(options, principal);
  const login = new KerberosLogin({
    gss,
    principal,
    keytab: options.keytab,
    clock: options.clock,
    logger: options.logger,
  });
  await login.start();
  const sasl = new KerberosIpcAuthentication({
    gss,
    serverPrincipal: options.principal,
    clientPrincipal: principal,
    credentials: login.credentials,
    qops: qops(options.rpcProtection),
    fallbackToSimpleAllowed: options.fallbackToSimpleAuthAllowed,
    simpleUser: options.simpleUser,
  });
  const server = new KerberosIpcServerAuthentication({
    gss,
    principal,
    keytab: options.keytab,
    qops: qops(options.rpcProtection),
    authToLocal: names,
  });
  return { sasl, login, server, loginShortName: short };
}

/**
 * haadmin: the user's ticket cache, the NameNodes' principal from the plain key
 * (DFSHAAdmin.addSecurityConfiguration).
 */
export async function cliKerberos(conf: HadoopConfiguration, simpleUser: string): Promise<KerberosIpcAuthentication> {
  const gss = await loadGssapi();
  // MIT's default cache name when KRB5CCNAME is unset.
  const ticketCache = process.env['KRB5CCNAME'] ?? `FILE:/tmp/krb5cc_${process.getuid?.() ?? ''}`;
  const principal = ccachePrincipal(ticketCache);
  return new KerberosIpcAuthentication({
    gss,
    serverPrincipal: conf.get(DFS_NAMENODE_KERBEROS_PRINCIPAL_KEY) ?? '',
    qops: qops(conf.get(HADOOP_RPC_PROTECTION_KEY) ?? 'authentication'),
    fallbackToSimpleAllowed: conf.getBoolean(IPC_CLIENT_FALLBACK_TO_SIMPLE_AUTH_ALLOWED_KEY, false),
    simpleUser,
    ticketCache,
    ...(principal !== undefined ? { ticketCachePrincipal: principal } : {}),
  });
}
