// Public surface of the ZooKeeper adapter: the ZkSessionFactory implementation, the
// ha.zookeeper.acl/auth parsers, the nameservice's znode paths and the -formatZK helpers.
// Nothing imports this barrel today: the daemon and tests import the modules directly. It lists
// what the adapter offers; client-internals.ts (the library's private API) is not part of it.

export {
  NodeZkSession,
  NodeZkSessionFactory,
  parseConnectString,
  type NodeZkSessionFactoryOptions,
  type ZkServerAddress,
} from './node-zk-session.js';
export {
  BadAclFormatError,
  BadAuthFormatError,
  CREATOR_ALL_ACL,
  digestAclId,
  formatZkAcl,
  OPEN_ACL_UNSAFE,
  parseZkAcl,
  parseZkAuth,
  sameAcl,
  ZK_ACL_DEFAULT,
  ZK_ACL_KEY,
  ZK_AUTH_KEY,
  ZK_PERMS,
  zkAclFromConfig,
  zkAuthFromConfig,
} from './acl.js';
export {
  BREADCRUMB_FILENAME,
  electorPaths,
  LOCK_FILENAME,
  validateZnodePath,
  workingDirFor,
  ZK_PARENT_ZNODE_DEFAULT,
  ZK_PARENT_ZNODE_KEY,
  znodePathProblem,
  type ElectorZnodePaths,
} from './paths.js';
export { clearParentZNode, ensureParentZNode, parentZNodeExists, type ParentZNodeOptions } from './parent-znode.js';
export { formatSessionId, ZkResponseError } from './zk-convert.js';
export { isRetryableZkCode, ZkOperationError, zkErrorCodeOf, type ZkFailure } from './zk-errors.js';
