// Service-level authorization of the ZKFC RPC server (hadoop.security.authorization), as
// ServiceAuthorizationManager.authorize does it for ZKFCProtocol (HDFSPolicyProvider /
// ZKFCPolicyProvider: security.zkfc.protocol.acl): once a connection's context has arrived, its
// user must be in the protocol's ACL and not in its blocked ACL (key + ".blocked"); unset ACLs fall
// back to security.service.authorization.default.acl ("*") and ...default.acl.blocked (nobody).
// ACLs are Hadoop's AccessControlList ("user1,user2 group1,group2", "*"), matched on the short user
// name. A refusal is Hadoop's AuthorizationException text. Host lists (security.zkfc.protocol.hosts)
// are not implemented; zkfc.rpc.allowed-addresses covers source addresses.

import { ConnectionAuthorizationError, type ConnectionIdentity } from '../ipc/server-connection.js';
import { SaslExceptionClassName } from '../ipc/sasl-server.js';
import { printable } from '../ipc/sasl-server.js';
import { AdminAcl, etcGroupLookup, shortUserName, type GroupLookup } from './admin-acl.js';
import { ZKFC_PROTOCOL_NAME } from './protocol-names.js';

export const HADOOP_SECURITY_AUTHORIZATION_KEY = 'hadoop.security.authorization';
export const SECURITY_ZKFC_PROTOCOL_ACL_KEY = 'security.zkfc.protocol.acl';
/** ServiceAuthorizationManager.BLOCKED. */
export const BLOCKED_SUFFIX = '.blocked';

export interface ServiceAclSettings {
  /** security.zkfc.protocol.acl; null: the default ACL. */
  readonly acl: string | null;
  readonly blocked: string | null;
  /** security.service.authorization.default.acl. */
  readonly defaultAcl: string;
  /** security.service.authorization.default.acl.blocked. */
  readonly defaultBlockedAcl: string;
}

/** UserGroupInformation.toString: "name (auth:METHOD)". */
export function describeUgi(identity: Pick<ConnectionIdentity, 'user' | 'authMethod'>): string {
  return `${printable(identity.user) || '(no user)'} (auth:${identity.authMethod})`;
}

export class ZkfcServiceAuthorization {
  private readonly acl: AdminAcl;
  private readonly blocked: AdminAcl;

  constructor(settings: ServiceAclSettings, groups: GroupLookup = etcGroupLookup) {
    this.acl = new AdminAcl(settings.acl ?? settings.defaultAcl, groups);
    // An empty blocked ACL blocks nobody (AccessControlList("")).
    this.blocked = new AdminAcl(settings.blocked ?? settings.defaultBlockedAcl, groups);
  }

  /** Throws ConnectionAuthorizationError with Hadoop's AuthorizationException message. */
  authorize(identity: ConnectionIdentity): void {
    // Parity: Server.authorize: the connection context's protocol names the interface.
    if (identity.protocol === undefined)
      throw new ConnectionAuthorizationError(SaslExceptionClassName.Authorization, 'Null protocol not authorized');
    if (identity.protocol !== ZKFC_PROTOCOL_NAME)
      throw new ConnectionAuthorizationError(
        SaslExceptionClassName.Authorization,
        `Unknown protocol: ${printable(identity.protocol)}`,
      );
    const short = identity.shortUser ?? shortUserName(identity.user);
    if (short !== '' && this.acl.isUserAllowed(short) && !this.blocked.isUserAllowed(short)) return;
    throw new ConnectionAuthorizationError(
      SaslExceptionClassName.Authorization,
      `User ${describeUgi(identity)} is not authorized for protocol interface ${ZKFC_PROTOCOL_NAME}: ` +
        'denied by configured ACL',
    );
  }
}
