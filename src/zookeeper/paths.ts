// The znodes of one nameservice (docs/hadoop-compat.md §4.1). Parity: ZKFailoverController.getParentZnode and
// ActiveStandbyElector's LOCK_FILENAME / BREADCRUMB_FILENAME:
//   working dir = ha.zookeeper.parent-znode + '/' (only if missing) + nameservice id
//   lock        = <working dir>/ActiveStandbyElectorLock   (EPHEMERAL, holder's ActiveNodeInfo)
//   breadcrumb  = <working dir>/ActiveBreadCrumb           (PERSISTENT, last active's ActiveNodeInfo)
// Paths are checked with ZooKeeper's own rules (PathUtils.validatePath) so a bad parent-znode is a
// ConfigError at startup, not a failure deep inside the election.

import { ConfigError } from '../errors.js';

export const ZK_PARENT_ZNODE_KEY = 'ha.zookeeper.parent-znode';
export const ZK_PARENT_ZNODE_DEFAULT = '/hadoop-ha';
export const LOCK_FILENAME = 'ActiveStandbyElectorLock';
export const BREADCRUMB_FILENAME = 'ActiveBreadCrumb';

export interface ElectorZnodePaths {
  /** <parent>/<nameservice>: what -formatZK creates and the elector requires. */
  readonly workingDir: string;
  readonly lockPath: string;
  readonly breadcrumbPath: string;
}

/** Why `path` is not a valid ZooKeeper path (PathUtils.validatePath), or undefined if it is. */
export function znodePathProblem(path: string): string | undefined {
  if (path.length === 0) return 'path length must be > 0';
  if (!path.startsWith('/')) return 'path must start with / character';
  if (path.length === 1) return undefined;
  if (path.endsWith('/')) return 'path must not end with / character';
  const components = path.slice(1).split('/');
  for (const component of components) {
    if (component === '') return 'empty node name specified';
    if (component === '.' || component === '..') return 'relative paths not allowed';
  }
  for (let index = 0; index < path.length; index++) {
    const c = path.charCodeAt(index);
    if (c === 0) return `null character not allowed @${index}`;
    if (
      (c > 0x00 && c <= 0x1f) ||
      (c >= 0x7f && c <= 0x9f) ||
      (c >= 0xd800 && c <= 0xf8ff) ||
      (c >= 0xfff0 && c <= 0xffff)
    ) {
      return `invalid character @${index}`;
    }
  }
  return undefined;
}

/** Throw ConfigError naming `key` unless `path` is a valid ZooKeeper path. */
export function validateZnodePath(path: string, key: string = ZK_PARENT_ZNODE_KEY): void {
  const problem = znodePathProblem(path);
  if (problem !== undefined) throw new ConfigError(`${key}: invalid znode path "${path}": ${problem}`, key);
}

/** ZKFailoverController.getParentZnode: parent + '/' (if missing) + nameservice id. */
export function workingDirFor(parentZnode: string, nameserviceId: string): string {
  if (nameserviceId === '')
    throw new ConfigError('nameservice id must not be empty (it names the working znode)', 'dfs.nameservices');
  const workingDir = (parentZnode.endsWith('/') ? parentZnode : `${parentZnode}/`) + nameserviceId;
  validateZnodePath(workingDir);
  return workingDir;
}

export function electorPaths(parentZnode: string, nameserviceId: string): ElectorZnodePaths {
  const workingDir = workingDirFor(parentZnode, nameserviceId);
  return {
    workingDir,
    lockPath: `${workingDir}/${LOCK_FILENAME}`,
    breadcrumbPath: `${workingDir}/${BREADCRUMB_FILENAME}`,
  };
}
