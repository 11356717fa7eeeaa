// The working znode helpers behind `zkfc -formatZK` (docs/hadoop-compat.md §4.4, §5.10). Parity:
// ActiveStandbyElector.ensureParentZNode / clearParentZNode / parentZNodeExists and zkDoWithRetries:
// - ensure: create every path component PERSISTENT with the configured ACL; a component that
//   already exists gets its ACL reset when it differs (setAclsWithRetries, versioned by aversion);
// - clear: recursive delete of the working dir, deepest first (ZKUtil.deleteRecursive);
// - each ZooKeeper step is retried on CONNECTIONLOSS / OPERATIONTIMEOUT (and BADVERSION for the
//   ACL reset, NOTEMPTY for the recursive delete when a child appears meanwhile), at most
//   `retryCountMax` attempts in all (ha.failover-controller.active-standby-elector.zk.op.retries).
// Each step is bounded in time by the session's operation deadline, so the helpers are too.
// Failures throw ZkOperationError naming the znode and the ZooKeeper code. Refusing to run while
// in the election is the caller's job (the CLI runs these before joining).
//
// Deliberate difference: clearing a working dir that does not exist succeeds (Java throws
// NONODE); -formatZK only clears after seeing it exist, so this only matters in a race.

import type { ZkAcl, ZkErrorCode, ZkOpResult, ZkSession } from '../runtime/ports.js';
import { silentLogger, type Logger } from '../observability/logger.js';
import { formatZkAcl, sameAcl } from './acl.js';
import { validateZnodePath } from './paths.js';
import { isRetryableZkCode, ZkOperationError, type ZkFailure } from './zk-errors.js';

export interface ParentZNodeOptions {
  /** Attempts per ZooKeeper step in all (Hadoop's maxRetryNum, default 3). */
  readonly retryCountMax?: number;
  readonly logger?: Logger;
  /** Refuse to delete a subtree larger than this many znodes (a bound, not a Hadoop rule). Default 10000. */
  readonly clearZnodeCountMax?: number;
}

const EMPTY = new Uint8Array(0);

function attemptsOf(options: ParentZNodeOptions | undefined): number {
  const attempts = options?.retryCountMax ?? 3;
  return Number.isInteger(attempts) && attempts >= 1 ? attempts : 1;
}

function loggerOf(options: ParentZNodeOptions | undefined): Logger {
  return (options?.logger ?? silentLogger()).child({ component: 'zk' });
}

/** zkDoWithRetries: run `action` until it succeeds or fails with a non-retryable code. */
async function withRetries<T>(
  attempts: number,
  action: () => Promise<ZkOpResult<T>>,
  extraRetryable?: ZkErrorCode,
): Promise<ZkOpResult<T>> {
  let result = await action();
  for (let attempt = 1; attempt < attempts; attempt++) {
    if (result.code === 'OK' || !(isRetryableZkCode(result.code) || result.code === extraRetryable)) return result;
    result = await action();
  }
  return result;
}

function fail(what: string, path: string, result: ZkFailure): never {
  throw new ZkOperationError(`${what} ${path}: ${result.code} (${result.message})`, result.code, path);
}

/** parentZNodeExists: exists(workingDir). */
export async function parentZNodeExists(
  session: ZkSession,
  workingDir: string,
  options?: ParentZNodeOptions,
): Promise<boolean> {
  validateZnodePath(workingDir);
  const result = await withRetries(attemptsOf(options), () => session.exists(workingDir));
  if (result.code === 'OK') return true;
  if (result.code === 'NONODE') return false;
  fail("Couldn't determine existence of znode", workingDir, result);
}

/** ensureParentZNode: create every component of workingDir with `acl`; reset differing ACLs. */
export async function ensureParentZNode(
  session: ZkSession,
  workingDir: string,
  acl: readonly ZkAcl[],
  options?: ParentZNodeOptions,
): Promise<void> {
  validateZnodePath(workingDir);
  if (acl.length === 0)
    throw new ZkOperationError(`Couldn't create ${workingDir}: empty ACL`, 'INVALIDACL', workingDir);
  const attempts = attemptsOf(options);
  const log = loggerOf(options);
  let prefix = '';
  for (const component of workingDir.split('/').slice(1)) {
    prefix += `/${component}`;
    const path = prefix;
    log.debug({ path }, 'ensuring znode exists');
    const created = await withRetries(attempts, () => session.create(path, EMPTY, acl, 'PERSISTENT'));
    if (created.code === 'OK') {
      log.info({ path, acl: acl.map(formatZkAcl) }, 'znode created');
      continue;
    }
    if (created.code !== 'NODEEXISTS') fail("Couldn't create", path, created);
    // Set ACLs for the existing node if they differ (Hadoop's setAclsWithRetries).
    const reset = await withRetries(
      attempts,
      async (): Promise<ZkOpResult<boolean>> => {
        const current = await session.getAcl(path);
        if (current.code !== 'OK') return current;
        if (sameAcl(current.value.acl, acl)) return { code: 'OK', value: false };
        const set = await session.setAcl(path, acl, current.value.stat.aversion);
        return set.code === 'OK' ? { code: 'OK', value: true } : set;
      },
      'BADVERSION',
    );
    if (reset.code !== 'OK') fail("Couldn't set ACLs on parent ZNode", path, reset);
    if (reset.value) log.info({ path, acl: acl.map(formatZkAcl) }, 'znode ACL reset');
  }
  log.info({ workingDir }, 'parent znode ensured');
}

/** ZKUtil.listSubTreeBFS: workingDir and all descendants, parents before children. */
async function listSubtree(session: ZkSession, root: string, znodeCountMax: number): Promise<ZkOpResult<string[]>> {
  const tree = [root];
  for (let index = 0; index < tree.length; index++) {
    const node = tree[index] as string;
    const children = await session.getChildren(node);
    if (children.code === 'NONODE' && index > 0) continue; // deleted meanwhile
    if (children.code !== 'OK') return children;
    for (const child of children.value) tree.push(node === '/' ? `/${child}` : `${node}/${child}`);
    if (tree.length > znodeCountMax)
      return { code: 'OTHER', message: `more than ${znodeCountMax} znodes under ${root}` };
  }
  return { code: 'OK', value: tree };
}

/** clearParentZNode: delete workingDir and everything below it. */
export async function clearParentZNode(
  session: ZkSession,
  workingDir: string,
  options?: ParentZNodeOptions,
): Promise<void> {
  validateZnodePath(workingDir);
  if (workingDir === '/') throw new ZkOperationError('refusing to delete the ZooKeeper root', 'OTHER', workingDir);
  const log = loggerOf(options);
  const znodeCountMax = options?.clearZnodeCountMax ?? 10_000;
  log.info({ workingDir }, 'recursively deleting znode');
  const result = await withRetries(
    attemptsOf(options),
    async (): Promise<ZkOpResult<number>> => {
      const tree = await listSubtree(session, workingDir, znodeCountMax);
      if (tree.code === 'NONODE') return { code: 'OK', value: 0 };
      if (tree.code !== 'OK') return tree;
      for (const path of tree.value.reverse()) {
        const deleted = await session.delete(path, -1);
        if (deleted.code !== 'OK' && deleted.code !== 'NONODE') return { code: deleted.code, message: deleted.message };
      }
      return { code: 'OK', value: tree.value.length };
    },
    'NOTEMPTY',
  );
  if (result.code !== 'OK') fail("Couldn't clear parent znode", workingDir, result);
  log.info({ workingDir, znodes: result.value }, 'znode deleted');
}
