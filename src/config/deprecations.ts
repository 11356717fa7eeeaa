// Hadoop's key deprecations for the keys zkfc and haadmin read: an old name in a site file, our own
// file, the environment or -D sets the new key, and a warning with Hadoop's text tells the operator
// to rename it. The pairs are Hadoop's own (HdfsConfiguration#addDeprecatedKeys,
// YarnConfiguration#addDeprecatedKeys and Configuration#defaultDeprecations); the deprecated names
// of keys we never read are left out.

export interface DeprecatedKey {
  readonly key: string;
  readonly newKeys: readonly string[];
}

const DEPRECATIONS: readonly DeprecatedKey[] = [
  // HdfsConfiguration#addDeprecatedKeys: the topology keys, and the NameNode keys that
  // confForNamenode promotes (NameNode#NAMENODE_SPECIFIC_KEYS) for shell fencing's environment.
  { key: 'dfs.federation.nameservices', newKeys: ['dfs.nameservices'] },
  { key: 'dfs.federation.nameservice.id', newKeys: ['dfs.nameservice.id'] },
  { key: 'dfs.http.address', newKeys: ['dfs.namenode.http-address'] },
  { key: 'dfs.https.address', newKeys: ['dfs.namenode.https-address'] },
  { key: 'dfs.backup.address', newKeys: ['dfs.namenode.backup.address'] },
  { key: 'dfs.backup.http.address', newKeys: ['dfs.namenode.backup.http-address'] },
  { key: 'dfs.secondary.http.address', newKeys: ['dfs.namenode.secondary.http-address'] },
  { key: 'dfs.name.dir', newKeys: ['dfs.namenode.name.dir'] },
  { key: 'dfs.name.edits.dir', newKeys: ['dfs.namenode.edits.dir'] },
  { key: 'fs.checkpoint.dir', newKeys: ['dfs.namenode.checkpoint.dir'] },
  { key: 'fs.checkpoint.edits.dir', newKeys: ['dfs.namenode.checkpoint.edits.dir'] },
  // YarnConfiguration#addDeprecatedKeys (3.4): the ResourceManagers' ZooKeeper ACL and auth. Its
  // zk-address and zk-timeout-ms pairs are not here: Hadoop 3.5's embedded elector reads those old
  // names only, so they are read as names of their own (yarn-topology.ts, confForResourceManager).
  { key: 'yarn.resourcemanager.zk-acl', newKeys: ['hadoop.zk.acl'] },
  { key: 'yarn.resourcemanager.zk-auth', newKeys: ['hadoop.zk.auth'] },
  // Configuration#defaultDeprecations
  { key: 'fs.default.name', newKeys: ['fs.defaultFS'] },
];

const BY_KEY: ReadonlyMap<string, DeprecatedKey> = new Map(DEPRECATIONS.map((d) => [d.key, d]));

/** The deprecation of `key`, if it is a deprecated name (exact match, as Hadoop: suffixed names are not deprecated). */
export function deprecationOf(key: string): DeprecatedKey | undefined {
  return BY_KEY.get(key);
}

/**
 * Parity: Configuration.DeprecatedKeyInfo#getWarningMessage(key, source):
 * "<key> in <source> is deprecated. Instead, use <new key>[, <new key>...]".
 */
export function deprecationWarning(deprecated: DeprecatedKey, source?: string): string {
  return (
    `${deprecated.key}${source !== undefined ? ` in ${source}` : ''} ` +
    `is deprecated. Instead, use ${deprecated.newKeys.join(', ')}`
  );
}
