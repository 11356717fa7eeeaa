// hadoop.security.authentication: zkfc and haadmin speak Hadoop IPC with SIMPLE authentication
// only (Kerberos/SASL is not implemented yet). A cluster configured for anything else is refused
// the same way by both, with the key and where its value came from, rather than ignored.

export const HADOOP_SECURITY_AUTHENTICATION_KEY = 'hadoop.security.authentication';

/**
 * Why `value` cannot be used, or undefined for "simple" (any case, as SecurityUtil reads it) and
 * for an unset key (Hadoop's default is simple).
 */
export function unsupportedAuthentication(value: string | undefined): string | undefined {
  if (value === undefined || value.trim().toLowerCase() === 'simple') return undefined;
  return (
    `${HADOOP_SECURITY_AUTHENTICATION_KEY}: "${value}" is not ` +
    `supported (only simple; Kerberos/SASL is not implemented)`
  );
}
