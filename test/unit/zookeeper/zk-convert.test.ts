// Goal: what the ZooKeeper adapter turns library values into: KeeperException codes to the
// port's ZkErrorCode names, 8-byte big-endian longs (session ids, ephemeralOwner, zxids) to
// bigint with Java's signed semantics, stats/ACLs/watch events checked so malformed server data
// becomes a ZkResponseError naming the field (never a crash), and connect-string validation.
// Method: table tests with the library's own Exception and ACL objects; no network.

import zookeeper from 'node-zookeeper-client';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { parseConnectString } from '../../../src/zookeeper/node-zk-session.js';
import {
  aclFromLibrary,
  aclToLibrary,
  formatSessionId,
  int64FromBuffer,
  statFromLibrary,
  watchEventFromLibrary,
  ZkResponseError,
} from '../../../src/zookeeper/zk-convert.js';
import {
  failureFromLibraryError,
  isRetryableZkCode,
  KEEPER_CODES,
  zkErrorCodeOf,
} from '../../../src/zookeeper/zk-errors.js';

const long = (value: bigint) => {
  const buffer = Buffer.alloc(8);
  buffer.writeBigInt64BE(value);
  return buffer;
};

describe('error codes', () => {
  it.each([
    [KEEPER_CODES.NODE_EXISTS, 'NODEEXISTS'],
    [KEEPER_CODES.NO_NODE, 'NONODE'],
    [KEEPER_CODES.BAD_VERSION, 'BADVERSION'],
    [KEEPER_CODES.NOT_EMPTY, 'NOTEMPTY'],
    [KEEPER_CODES.CONNECTION_LOSS, 'CONNECTIONLOSS'],
    [KEEPER_CODES.OPERATION_TIMEOUT, 'OPERATIONTIMEOUT'],
    [KEEPER_CODES.SESSION_EXPIRED, 'SESSIONEXPIRED'],
    [KEEPER_CODES.NO_AUTH, 'NOAUTH'],
    [KEEPER_CODES.INVALID_ACL, 'INVALIDACL'],
    [KEEPER_CODES.AUTH_FAILED, 'AUTHFAILED'],
    [KEEPER_CODES.NO_CHILDREN_FOR_EPHEMERALS, 'NOCHILDRENFOREPHEMERALS'],
    [KEEPER_CODES.SYSTEM_ERROR, 'OTHER'],
    [-127, 'OTHER'],
  ])('%i -> %s', (code, expected) => {
    expect(zkErrorCodeOf(code)).toBe(expected);
  });

  it("the numbers are the library's own", () => {
    for (const [name, code] of Object.entries(KEEPER_CODES)) {
      expect((zookeeper.Exception as unknown as Record<string, number>)[name]).toBe(code);
    }
  });

  it('maps a library Exception with operation and path in the message', () => {
    const error = (zookeeper.Exception as unknown as { create(code: number): Error }).create(KEEPER_CODES.NODE_EXISTS);
    expect(failureFromLibraryError(error, 'create', '/x')).toEqual({
      code: 'NODEEXISTS',
      message: 'create /x: Exception: NODE_EXISTS[-110]',
    });
    expect(failureFromLibraryError(new TypeError('boom'), 'getData', '/y')).toEqual({
      code: 'OTHER',
      message: 'getData /y: boom',
    });
    expect(failureFromLibraryError('weird', 'delete', '/z')).toMatchObject({ code: 'OTHER' });
  });

  it("retryable codes are Hadoop's shouldRetry set", () => {
    expect(isRetryableZkCode('CONNECTIONLOSS')).toBe(true);
    expect(isRetryableZkCode('OPERATIONTIMEOUT')).toBe(true);
    expect(isRetryableZkCode('SESSIONEXPIRED')).toBe(false);
    expect(isRetryableZkCode('NODEEXISTS')).toBe(false);
  });
});

describe('longs and stats', () => {
  it.each([0n, 1n, 0x0100017f2a3b0000n, 0x7fffffffffffffffn, -1n, -0x7000000000000000n])(
    'int64FromBuffer round-trips %s',
    (value) => {
      expect(int64FromBuffer(long(value), 'x')).toBe(value);
    },
  );

  it('refuses anything but 8 bytes, naming the field', () => {
    expect(() => int64FromBuffer(Buffer.alloc(7), 'stat.ephemeralOwner')).toThrow(ZkResponseError);
    expect(() => int64FromBuffer(Buffer.alloc(7), 'stat.ephemeralOwner')).toThrow(
      /stat.ephemeralOwner: expected 8 bytes, got 7 bytes/,
    );
    expect(() => int64FromBuffer(undefined, 'sessionId')).toThrow(/sessionId/);
  });

  it('statFromLibrary', () => {
    const stat = {
      czxid: long(5n),
      mzxid: long(9n),
      ctime: long(0n),
      mtime: long(0n),
      version: 3,
      cversion: 0,
      aversion: 1,
      ephemeralOwner: long(0x100017f2a3b0001n),
      dataLength: 42,
      numChildren: 2,
      pzxid: long(0n),
    };
    expect(statFromLibrary(stat)).toEqual({
      version: 3,
      aversion: 1,
      ephemeralOwner: 0x100017f2a3b0001n,
      czxid: 5n,
      mzxid: 9n,
      dataLength: 42,
      numChildren: 2,
    });
    expect(() => statFromLibrary({ ...stat, version: 'x' })).toThrow(/stat.version/);
    expect(() => statFromLibrary(null)).toThrow(ZkResponseError);
  });

  it('formatSessionId prints like ZooKeeper (unsigned hex)', () => {
    expect(formatSessionId(0x100017f2a3b0001n)).toBe('0x100017f2a3b0001');
    expect(formatSessionId(-1n)).toBe('0xffffffffffffffff');
  });
});

describe('ACLs and watch events', () => {
  it('round-trips through the library ACL objects, including perms 0', () => {
    const acl = [
      { scheme: 'digest', id: 'u:h=', perms: 31 },
      { scheme: 'world', id: 'anyone', perms: 0 },
    ];
    const library = aclToLibrary(acl);
    expect(library[0]).toBeInstanceOf(zookeeper.ACL);
    expect(library[1]).toBeInstanceOf(zookeeper.ACL);
    expect(aclFromLibrary(library)).toEqual(acl);
    // What goes on the wire (jute record): perms preserved.
    expect((library[1] as unknown as { toRecord(): { perms: number } }).toRecord().perms).toBe(0);
  });

  it('refuses malformed ACL replies', () => {
    expect(() => aclFromLibrary('nope')).toThrow(ZkResponseError);
    expect(() => aclFromLibrary([{ permission: 1 }])).toThrow(/ACL entry 0/);
  });

  it.each([
    [1, 'NodeCreated'],
    [2, 'NodeDeleted'],
    [3, 'NodeDataChanged'],
    [4, 'NodeChildrenChanged'],
  ])('watch event type %i -> %s', (type, name) => {
    expect(watchEventFromLibrary({ type, name: 'X', path: '/p' })).toEqual({ type: name, path: '/p' });
  });

  it('unknown watch events are undefined', () => {
    expect(watchEventFromLibrary({ type: 5, path: '/p' })).toBeUndefined();
    expect(watchEventFromLibrary({ type: 1 })).toBeUndefined();
    expect(watchEventFromLibrary(null)).toBeUndefined();
  });
});

describe('parseConnectString', () => {
  it.each([
    ['127.0.0.1:2181', [{ host: '127.0.0.1', port: 2181 }], undefined],
    [
      'zk1,zk2:2182,zk3:2183/hbase',
      [
        { host: 'zk1', port: 2181 },
        { host: 'zk2', port: 2182 },
        { host: 'zk3', port: 2183 },
      ],
      '/hbase',
    ],
    [
      ' zk1:1 , zk2:65535 ,',
      [
        { host: 'zk1', port: 1 },
        { host: 'zk2', port: 65535 },
      ],
      undefined,
    ],
    ['zk1:2181/', [{ host: 'zk1', port: 2181 }], undefined],
  ])('%j', (value, servers, chroot) => {
    expect(parseConnectString(value)).toEqual({ servers, chroot });
  });

  it.each([
    ['', /no ZooKeeper server/],
    [',,', /no ZooKeeper server/],
    ['zk1:abc', /bad port in "zk1:abc"/],
    ['zk1:0', /bad port/],
    ['zk1:70000', /bad port/],
    [':2181', /not host\[:port\]/],
    ['[::1]:2181', /IPv6/],
    ['zk1:2181/a/', /invalid chroot/],
  ])('refuses %j', (value, message) => {
    expect(() => parseConnectString(value)).toThrow(ConfigError);
    expect(() => parseConnectString(value)).toThrow(message);
  });
});
