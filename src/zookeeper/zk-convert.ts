// Conversions between node-zookeeper-client's public objects (Stat with 8-byte Buffers, ACL/Id
// instances, Event) and the plain data of the ports (bigint ids and zxids, ZkAcl, ZkWatchEvent).
// Everything coming from the server is checked: a malformed value raises ZkResponseError naming
// the field, which the session turns into an OTHER result instead of crashing.

import zookeeper from 'node-zookeeper-client';
import type { ZkAcl, ZkStat, ZkWatchEvent, ZkWatchEventType } from '../runtime/ports.js';
import { ZkfcError } from '../errors.js';

/** A server response the adapter cannot interpret (wrong field type or size). */
export class ZkResponseError extends ZkfcError {
  readonly code = 'ZK_RESPONSE_INVALID';
}

/** The runtime shape of the library's Stat (its @types declaration matches). */
export interface LibraryStat {
  readonly czxid: Buffer;
  readonly mzxid: Buffer;
  readonly version: number;
  readonly aversion: number;
  readonly ephemeralOwner: Buffer;
  readonly dataLength: number;
  readonly numChildren: number;
}

/**
 * The runtime shape of the library's ACL objects. Note: the field is `permission`, although
 * @types/node-zookeeper-client 1.1.0 declares `perms`.
 */
export interface LibraryAcl {
  readonly permission: number;
  readonly id: { readonly scheme: string; readonly id: string };
}

/**
 * A Java `long` sent as 8 big-endian bytes (session ids, zxids) as a signed bigint, the value Java
 * code compares: stat.ephemeralOwner and the session id go through this same conversion.
 */
export function int64FromBuffer(value: unknown, field: string): bigint {
  if (!Buffer.isBuffer(value) || value.length !== 8) {
    throw new ZkResponseError(
      `ZooKeeper response field ${field}: expected 8 bytes, got ` +
        `${Buffer.isBuffer(value) ? `${value.length} bytes` : typeof value}`,
    );
  }
  return value.readBigInt64BE(0);
}

function int32(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new ZkResponseError(`ZooKeeper response field ${field}: expected an integer, got ${typeof value}`);
  }
  return value;
}

export function statFromLibrary(stat: unknown): ZkStat {
  if (typeof stat !== 'object' || stat === null) throw new ZkResponseError('ZooKeeper response: missing stat');
  const raw = stat as Partial<Record<keyof LibraryStat, unknown>>;
  return {
    version: int32(raw.version, 'stat.version'),
    aversion: int32(raw.aversion, 'stat.aversion'),
    ephemeralOwner: int64FromBuffer(raw.ephemeralOwner, 'stat.ephemeralOwner'),
    czxid: int64FromBuffer(raw.czxid, 'stat.czxid'),
    mzxid: int64FromBuffer(raw.mzxid, 'stat.mzxid'),
    dataLength: int32(raw.dataLength, 'stat.dataLength'),
    numChildren: int32(raw.numChildren, 'stat.numChildren'),
  };
}

/**
 * Our ACL entries as library ACL objects. The library's ACL constructor refuses perms 0, which
 * Hadoop's parser accepts (an entry with an empty perms part); such entries are built without the
 * constructor so they reach the server unchanged, as Java would send them.
 */
export function aclToLibrary(acl: readonly ZkAcl[]): zookeeper.ACL[] {
  return acl.map((entry) => {
    const id = new zookeeper.Id(entry.scheme, entry.id);
    if (entry.perms >= 1 && entry.perms <= 31) return new zookeeper.ACL(entry.perms, id);
    const raw = Object.create(zookeeper.ACL.prototype) as { permission: number; id: zookeeper.Id };
    raw.permission = entry.perms;
    raw.id = id;
    return raw as unknown as zookeeper.ACL;
  });
}

export function aclFromLibrary(list: unknown): ZkAcl[] {
  if (!Array.isArray(list)) throw new ZkResponseError('ZooKeeper response: ACL list missing');
  return list.map((item: unknown, index) => {
    const entry = item as Partial<LibraryAcl> | null;
    const scheme = entry?.id?.scheme;
    const id = entry?.id?.id;
    if (typeof scheme !== 'string' || typeof id !== 'string')
      throw new ZkResponseError(`ZooKeeper response: ACL entry ${index} has no id`);
    return { scheme, id, perms: int32(entry?.permission, `acl[${index}].perms`) };
  });
}

const WATCH_EVENT_TYPES: ReadonlyMap<number, ZkWatchEventType> = new Map<number, ZkWatchEventType>([
  [1, 'NodeCreated'],
  [2, 'NodeDeleted'],
  [3, 'NodeDataChanged'],
  [4, 'NodeChildrenChanged'],
]);

/** A library watch Event as a ZkWatchEvent; undefined for a type the ports do not know. */
export function watchEventFromLibrary(event: unknown): ZkWatchEvent | undefined {
  if (typeof event !== 'object' || event === null) return undefined;
  const raw = event as { type?: unknown; path?: unknown };
  const type = typeof raw.type === 'number' ? WATCH_EVENT_TYPES.get(raw.type) : undefined;
  if (type === undefined || typeof raw.path !== 'string') return undefined;
  return { type, path: raw.path };
}

/** Session ids as ZooKeeper's own logs print them: 0x + unsigned hex. */
export function formatSessionId(sessionId: bigint): string {
  return `0x${BigInt.asUintN(64, sessionId).toString(16)}`;
}
