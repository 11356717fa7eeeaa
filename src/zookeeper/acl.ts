// ha.zookeeper.acl and ha.zookeeper.auth, parsed exactly as Hadoop does (docs/hadoop-compat.md §4.3):
// Parity: org.apache.hadoop.util.ZKUtil.parseACLs / parseAuth / resolveConfIndirection and
// ZKFailoverController.initZK (empty ACL list -> ZooDefs.Ids.CREATOR_ALL_ACL).
//
// - ACLs: split on ',', trim, drop empties; scheme = text before the first ':', perms = text after
//   the last ':', id = the middle (ids may contain ':'); perms letters r w c d a (an empty perms
//   part is 0, as in Java). Entries without two distinct colons are refused.
// - Auth: split on ',', trim, drop empties; each entry split at the FIRST ':' into scheme and the
//   auth bytes (UTF-8); "digest:user:secret" -> scheme "digest", auth "user:secret".
// - '@' indirection (src/config/conf-indirection.ts): a value starting with '@' names a local
//   file (path trimmed) whose UTF-8 content, trimmed, is the value.
//
// Stricter than Hadoop on purpose: an empty scheme is refused here with the entry named, where
// Java would only fail later inside ZooKeeper (and node-zookeeper-client would throw).

import { createHash } from 'node:crypto';
import { resolveConfIndirection } from '../config/conf-indirection.js';
import type { ZkAcl, ZkAuthInfo } from '../runtime/ports.js';
import { ConfigError } from '../errors.js';

export const ZK_ACL_KEY = 'ha.zookeeper.acl';
export const ZK_AUTH_KEY = 'ha.zookeeper.auth';
/** core-default.xml value of ha.zookeeper.acl. */
export const ZK_ACL_DEFAULT = 'world:anyone:rwcda';

/** ZooDefs.Perms. */
export const ZK_PERMS = { READ: 1, WRITE: 2, CREATE: 4, DELETE: 8, ADMIN: 16, ALL: 31 } as const;

/**
 * Whether an ACL lets any ZooKeeper client change what it protects (world:anyone with any
 * permission beyond READ), as Hadoop's default ha.zookeeper.acl world:anyone:rwcda does.
 */
export function isWorldWritable(acl: readonly ZkAcl[]): boolean {
  return acl.some((entry) => entry.scheme === 'world' && entry.id === 'anyone' && (entry.perms & ~ZK_PERMS.READ) !== 0);
}

/** ZooDefs.Ids.CREATOR_ALL_ACL: all permissions for whoever authenticated the creating session. */
export const CREATOR_ALL_ACL: readonly ZkAcl[] = Object.freeze([
  Object.freeze({ scheme: 'auth', id: '', perms: ZK_PERMS.ALL }),
]);
/** ZooDefs.Ids.OPEN_ACL_UNSAFE. */
export const OPEN_ACL_UNSAFE: readonly ZkAcl[] = Object.freeze([
  Object.freeze({ scheme: 'world', id: 'anyone', perms: ZK_PERMS.ALL }),
]);

const PERM_BY_LETTER: ReadonlyMap<string, number> = new Map([
  ['r', ZK_PERMS.READ],
  ['w', ZK_PERMS.WRITE],
  ['c', ZK_PERMS.CREATE],
  ['d', ZK_PERMS.DELETE],
  ['a', ZK_PERMS.ADMIN],
]);

/** An ha.zookeeper.acl entry that is not scheme:id:perms (Hadoop's BadAclFormatException). */
export class BadAclFormatError extends ConfigError {}
/** An ha.zookeeper.auth entry that is not scheme:auth (Hadoop's BadAuthFormatException). */
export class BadAuthFormatError extends ConfigError {}

/** Guava Splitter.on(',').omitEmptyStrings().trimResults(). */
function splitList(value: string): string[] {
  return value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

function permsFromString(perms: string, entry: string, key: string): number {
  let mask = 0;
  for (const letter of perms) {
    const bit = PERM_BY_LETTER.get(letter);
    if (bit === undefined)
      throw new BadAclFormatError(
        `${key}: invalid permission '${letter}' in permission string '${perms}' of ACL '${entry}'`,
        key,
      );
    mask |= bit;
  }
  return mask;
}

/** ZKUtil.parseACLs: the ACL list as written; may be empty. */
export function parseZkAcl(value: string, key = ZK_ACL_KEY): ZkAcl[] {
  return splitList(value).map((entry) => {
    const firstColon = entry.indexOf(':');
    const lastColon = entry.lastIndexOf(':');
    if (firstColon === -1 || firstColon === lastColon) {
      throw new BadAclFormatError(`${key}: ACL '${entry}' not of expected form scheme:id:perm`, key);
    }
    const scheme = entry.slice(0, firstColon);
    if (scheme === '') throw new BadAclFormatError(`${key}: ACL '${entry}' has an empty scheme`, key);
    return {
      scheme,
      id: entry.slice(firstColon + 1, lastColon),
      perms: permsFromString(entry.slice(lastColon + 1), entry, key),
    };
  });
}

/** ZKUtil.parseAuth. */
export function parseZkAuth(value: string, key = ZK_AUTH_KEY): ZkAuthInfo[] {
  return splitList(value).map((entry) => {
    const colon = entry.indexOf(':');
    if (colon === -1) throw new BadAuthFormatError(`${key}: auth '${entry}' not of expected form scheme:auth`, key);
    const scheme = entry.slice(0, colon);
    if (scheme === '') throw new BadAuthFormatError(`${key}: auth entry has an empty scheme`, key);
    return { scheme, auth: new TextEncoder().encode(entry.slice(colon + 1)) };
  });
}

/**
 * The ACL the ZKFC applies to every znode it creates: ha.zookeeper.acl (default world:anyone:rwcda)
 * after '@' indirection; an empty list becomes CREATOR_ALL_ACL (ZKFailoverController.initZK).
 */
export function zkAclFromConfig(value: string | undefined, key = ZK_ACL_KEY): readonly ZkAcl[] {
  const acl = parseZkAcl(resolveConfIndirection(value ?? ZK_ACL_DEFAULT, key), key);
  return acl.length === 0 ? CREATOR_ALL_ACL : acl;
}

/** The auth infos to add after connecting: ha.zookeeper.auth (default none) after '@' indirection. */
export function zkAuthFromConfig(value: string | undefined, key = ZK_AUTH_KEY): ZkAuthInfo[] {
  if (value === undefined) return [];
  return parseZkAuth(resolveConfIndirection(value, key), key);
}

/** An ACL entry as Hadoop's config writes it (scheme:id:perms), for logs and messages. */
export function formatZkAcl(entry: ZkAcl): string {
  let perms = '';
  for (const [letter, bit] of PERM_BY_LETTER) if ((entry.perms & bit) !== 0) perms += letter;
  return `${entry.scheme}:${entry.id}:${perms}`;
}

/**
 * Same set of entries (order and duplicates ignored), as Hadoop's
 * `acl.containsAll(zkAcl) && zkAcl.containsAll(acl)` in setAclsWithRetries.
 */
export function sameAcl(left: readonly ZkAcl[], right: readonly ZkAcl[]): boolean {
  const key = (entry: ZkAcl): string => `${entry.perms}\u0000${entry.scheme}\u0000${entry.id}`;
  const leftKeys = new Set(left.map(key));
  const rightKeys = new Set(right.map(key));
  return leftKeys.size === rightKeys.size && [...leftKeys].every((entry) => rightKeys.has(entry));
}

/**
 * The id of a digest ACL for user:password, as ZooKeeper's DigestAuthenticationProvider computes it:
 * "user:" + base64(sha1("user:password")). For ha.zookeeper.acl values like
 * "digest:hdfs-zkfcs:<this part after the colon>:rwcda".
 */
export function digestAclId(user: string, password: string): string {
  return `${user}:${createHash('sha1').update(`${user}:${password}`, 'utf8').digest('base64')}`;
}
