// Service-level authorization of the ZKFC RPC server (hadoop.security.authorization), as
// ServiceAuthorizationManager.authorize does it for ZKFCProtocol (HDFSPolicyProvider /
// ZKFCPolicyProvider: security.zkfc.protocol.acl): once a connection's context has arrived, its
// user must be in the protocol's ACL and not in its blocked ACL (key + ".blocked"); unset ACLs fall
// back to security.service.authorization.default.acl ("*") and ...default.acl.blocked (nobody).
// ACLs are Hadoop's AccessControlList ("user1,user2 group1,group2", "*"), matched on the short user
// name. Then the peer's address must be in the protocol's host list and not in its blocked one
// (security.zkfc.protocol.hosts / .hosts.blocked, falling back to
// security.service.authorization.default.hosts ("*") / .hosts.blocked (none): Hadoop's MachineList,
// src/hadoop/machine-list.ts). A refusal is Hadoop's AuthorizationException text.

import { ConnectionAuthorizationError, type ConnectionIdentity } from '../ipc/server-connection.js';
import { SaslExceptionClassName } from '../ipc/sasl-server.js';
import { printable } from '../ipc/sasl-server.js';
import { AdminAcl, etcGroupLookup, shortUserName, type GroupLookup } from './admin-acl.js';
import { MachineList, MachineListError, peerAddress, WILDCARD, type AddressLookup } from './machine-list.js';
import { ZKFC_PROTOCOL_NAME } from './protocol-names.js';

export const HADOOP_SECURITY_AUTHORIZATION_KEY = 'hadoop.security.authorization';
export const SECURITY_ZKFC_PROTOCOL_ACL_KEY = 'security.zkfc.protocol.acl';
/** ServiceAuthorizationManager.getHostKey(security.zkfc.protocol.acl). */
export const SECURITY_ZKFC_PROTOCOL_HOSTS_KEY = 'security.zkfc.protocol.hosts';
export const DEFAULT_HOSTS_KEY = 'security.service.authorization.default.hosts';
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
  /** security.zkfc.protocol.hosts; null or absent: the default host list. */
  readonly hosts?: string | null;
  readonly blockedHosts?: string | null;
  /** security.service.authorization.default.hosts; absent: "*". */
  readonly defaultHosts?: string;
  /** security.service.authorization.default.hosts.blocked; absent: "" (none). */
  readonly defaultBlockedHosts?: string;
}

/** A host list that does not parse, with the key it came from. */
export class HostListError extends Error {
  constructor(
    readonly key: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${key}: ${message}`, options);
    this.name = 'HostListError';
  }
}

/** UserGroupInformation.toString: "name (auth:METHOD)". */
export function describeUgi(identity: Pick<ConnectionIdentity, 'user' | 'authMethod'>): string {
  return `${printable(identity.user) || '(no user)'} (auth:${identity.authMethod})`;
}

export class ZkfcServiceAuthorization {
  private readonly acl: AdminAcl;
  private readonly blocked: AdminAcl;
  readonly hosts: MachineList;
  readonly blockedHosts: MachineList;

  /** Throws HostListError for a host list MachineList refuses (a bad CIDR block). */
  constructor(settings: ServiceAclSettings, groups: GroupLookup = etcGroupLookup, lookup?: AddressLookup) {
    this.acl = new AdminAcl(settings.acl ?? settings.defaultAcl, groups);
    // An empty blocked ACL blocks nobody (AccessControlList("")).
    this.blocked = new AdminAcl(settings.blocked ?? settings.defaultBlockedAcl, groups);
    const list = (key: string, value: string): MachineList => {
      try {
        return new MachineList(value, lookup);
      } catch (error) {
        if (!(error instanceof MachineListError)) throw error;
        throw new HostListError(key, error.message, { cause: error });
      }
    };
    this.hosts =
      settings.hosts != null
        ? list(SECURITY_ZKFC_PROTOCOL_HOSTS_KEY, settings.hosts)
        : list(DEFAULT_HOSTS_KEY, settings.defaultHosts ?? WILDCARD);
    this.blockedHosts =
      settings.blockedHosts != null
        ? list(SECURITY_ZKFC_PROTOCOL_HOSTS_KEY + BLOCKED_SUFFIX, settings.blockedHosts)
        : list(DEFAULT_HOSTS_KEY + BLOCKED_SUFFIX, settings.defaultBlockedHosts ?? '');
  }

  /** Resolve the host names of both host lists (before the server takes connections). */
  async resolveHostNames(): Promise<void> {
    await Promise.all([this.hosts.resolveHostNames(), this.blockedHosts.resolveHostNames()]);
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
    if (short !== '' && this.acl.isUserAllowed(short) && !this.blocked.isUserAllowed(short)) {
      this.authorizeHost(identity);
      return;
    }
    throw new ConnectionAuthorizationError(
      SaslExceptionClassName.Authorization,
      `User ${describeUgi(identity)} is not authorized for protocol interface ${ZKFC_PROTOCOL_NAME}: ` +
        'denied by configured ACL',
    );
  }

  /** The user passed; now the host lists (ServiceAuthorizationManager.authorize checks them after the ACLs). */
  private authorizeHost(identity: ConnectionIdentity): void {
    const host = peerAddress(identity.remoteAddress);
    if (this.hosts.includes(host) && !this.blockedHosts.includes(host)) return;
    throw new ConnectionAuthorizationError(
      SaslExceptionClassName.Authorization,
      `Host ${host} is not authorized for protocol interface ${ZKFC_PROTOCOL_NAME}`,
    );
  }
}
