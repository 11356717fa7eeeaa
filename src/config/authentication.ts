// hadoop.security.authentication and hadoop.rpc.protection, read as Hadoop reads them
// (SecurityUtil.getAuthenticationMethod, SaslPropertiesResolver.setConf): simple or kerberos, and
// a comma-separated list of authentication / integrity / privacy, any case. Anything else is a
// configuration error naming the key, for the daemon and haadmin alike.

export const HADOOP_SECURITY_AUTHENTICATION_KEY = 'hadoop.security.authentication';
export const HADOOP_RPC_PROTECTION_KEY = 'hadoop.rpc.protection';
export const DFS_NAMENODE_KERBEROS_PRINCIPAL_KEY = 'dfs.namenode.kerberos.principal';
export const DFS_NAMENODE_KEYTAB_FILE_KEY = 'dfs.namenode.keytab.file';
export const IPC_CLIENT_FALLBACK_TO_SIMPLE_AUTH_ALLOWED_KEY = 'ipc.client.fallback-to-simple-auth-allowed';

export type AuthenticationMethod = 'simple' | 'kerberos';
/** SaslRpcServer.QualityOfProtection, in Hadoop's lower-case spelling. */
export type RpcProtection = 'authentication' | 'integrity' | 'privacy';
const PROTECTIONS: readonly RpcProtection[] = ['authentication', 'integrity', 'privacy'];

/** The method, or why `value` cannot be used. Unset means simple (Hadoop's default). */
export function parseAuthentication(value: string | undefined): AuthenticationMethod | { problem: string } {
  const method = (value ?? 'simple').trim().toLowerCase();
  if (method === 'simple' || method === 'kerberos') return method;
  return {
    problem:
      `${HADOOP_SECURITY_AUTHENTICATION_KEY}: "${value}" is not supported ` +
      '(simple or kerberos; token and other methods are not implemented)',
  };
}

/** The QOPs in preference order, or why `value` cannot be used. Unset means authentication. */
export function parseRpcProtection(value: string | undefined): RpcProtection[] | { problem: string } {
  const items = (value ?? 'authentication')
    .split(',')
    .map((item) => item.trim().toLowerCase())
    .filter((item) => item !== '');
  const unknown = items.filter((item) => !(PROTECTIONS as readonly string[]).includes(item));
  if (items.length === 0 || unknown.length > 0)
    return {
      problem: `${HADOOP_RPC_PROTECTION_KEY}: "${value}" is not a list of authentication, integrity, privacy`,
    };
  return [...new Set(items as RpcProtection[])];
}
