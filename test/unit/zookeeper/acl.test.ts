// Goal: ha.zookeeper.acl / ha.zookeeper.auth parse exactly as Hadoop's ZKUtil (docs/hadoop-compat.md §4.3):
// splitting, trimming, ids containing ':', perms letters, errors that name the entry, the
// CREATOR_ALL_ACL fallback for an empty list, auth split at the FIRST ':', and '@' file
// indirection with errors naming the file. Method: table tests on the pure parsers; real temp
// files for indirection; the digest id is checked against ZooKeeper's own
// DigestAuthenticationProvider output (java -cp zookeeper.jar ... hdfs-zkfcs:secret).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import {
  BadAclFormatError,
  BadAuthFormatError,
  CREATOR_ALL_ACL,
  digestAclId,
  formatZkAcl,
  parseZkAcl,
  parseZkAuth,
  sameAcl,
  zkAclFromConfig,
  zkAuthFromConfig,
} from '../../../src/zookeeper/acl.js';
import { resolveConfIndirection } from '../../../src/config/conf-indirection.js';

const dir = mkdtempSync(join(tmpdir(), 'zk-acl-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const utf8 = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe('parseZkAcl (ZKUtil.parseACLs)', () => {
  it.each([
    ['world:anyone:rwcda', [{ scheme: 'world', id: 'anyone', perms: 31 }]],
    ['world:anyone:r', [{ scheme: 'world', id: 'anyone', perms: 1 }]],
    ['world:anyone:adcwr', [{ scheme: 'world', id: 'anyone', perms: 31 }]],
    ['world:anyone:', [{ scheme: 'world', id: 'anyone', perms: 0 }]],
    [
      'digest:hdfs-zkfcs:kFfPMjLJ5RvvOeCngHSVekkZRY4=:rwcda',
      [{ scheme: 'digest', id: 'hdfs-zkfcs:kFfPMjLJ5RvvOeCngHSVekkZRY4=', perms: 31 }],
    ],
    ['ip:10.0.0.1:rw', [{ scheme: 'ip', id: '10.0.0.1', perms: 3 }]],
    ['sasl:hdfs/host@REALM:cdrwa', [{ scheme: 'sasl', id: 'hdfs/host@REALM', perms: 31 }]],
    ['auth::rwcda', [{ scheme: 'auth', id: '', perms: 31 }]],
    [
      ' world:anyone:r , ,digest:a:b:c:w ,',
      [
        { scheme: 'world', id: 'anyone', perms: 1 },
        { scheme: 'digest', id: 'a:b:c', perms: 2 },
      ],
    ],
    ['', []],
    [' , , ', []],
  ])('%j', (value, expected) => {
    expect(parseZkAcl(value)).toEqual(expected);
  });

  it.each([
    ['world', /ACL 'world' not of expected form scheme:id:perm/],
    ['world:anyone', /ACL 'world:anyone' not of expected form/],
    ['world:anyone:rwx', /invalid permission 'x' in permission string 'rwx' of ACL 'world:anyone:rwx'/],
    ['world:anyone:R', /invalid permission 'R'/],
    [':anyone:r', /ACL ':anyone:r' has an empty scheme/],
    ['world:anyone:r,bad', /ACL 'bad'/],
  ])('refuses %j naming the entry', (value, message) => {
    expect(() => parseZkAcl(value)).toThrow(BadAclFormatError);
    expect(() => parseZkAcl(value)).toThrow(message);
    try {
      parseZkAcl(value);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).key).toBe('ha.zookeeper.acl');
      expect((error as ConfigError).code).toBe('CONFIG_INVALID');
    }
  });
});

describe('zkAclFromConfig (ZKFailoverController.initZK)', () => {
  it('defaults to world:anyone:rwcda', () => {
    expect(zkAclFromConfig(undefined)).toEqual([{ scheme: 'world', id: 'anyone', perms: 31 }]);
  });

  it('an empty list becomes CREATOR_ALL_ACL', () => {
    expect(zkAclFromConfig('')).toBe(CREATOR_ALL_ACL);
    expect(zkAclFromConfig(' , ')).toEqual([{ scheme: 'auth', id: '', perms: 31 }]);
  });

  it('reads @file (path and content trimmed)', () => {
    const file = join(dir, 'acl.txt');
    writeFileSync(file, '\n  digest:u:h=:rwcda , world:anyone:r \n');
    expect(zkAclFromConfig(`@ ${file} `)).toEqual([
      { scheme: 'digest', id: 'u:h=', perms: 31 },
      { scheme: 'world', id: 'anyone', perms: 1 },
    ]);
  });
});

describe('parseZkAuth (ZKUtil.parseAuth)', () => {
  it.each([
    ['digest:hdfs-zkfcs:secret', [['digest', 'hdfs-zkfcs:secret']]],
    ['digest:user:pa:ss:word', [['digest', 'user:pa:ss:word']]],
    [
      ' digest:a:b ,, sasl:x ',
      [
        ['digest', 'a:b'],
        ['sasl', 'x'],
      ],
    ],
    ['digest:', [['digest', '']]],
    ['digest:pässwörd', [['digest', 'pässwörd']]],
    ['', []],
  ])('%j', (value, expected) => {
    expect(parseZkAuth(value).map((info) => [info.scheme, utf8(info.auth)])).toEqual(expected);
  });

  it('auth bytes are UTF-8', () => {
    expect(Array.from(parseZkAuth('digest:é')[0]!.auth)).toEqual([0xc3, 0xa9]);
  });

  it.each([
    ['digest', /auth 'digest' not of expected form scheme:auth/],
    ['digest:a:b,nocolon', /auth 'nocolon'/],
    [':secret', /empty scheme/],
  ])('refuses %j naming the entry', (value, message) => {
    expect(() => parseZkAuth(value)).toThrow(BadAuthFormatError);
    expect(() => parseZkAuth(value)).toThrow(message);
  });

  it('does not leak the secret of a bad entry into the message of another', () => {
    expect(() => parseZkAuth('digest:user:topsecret,bad')).toThrow(/^ha.zookeeper.auth: auth 'bad'/);
  });
});

describe('zkAuthFromConfig and @ indirection', () => {
  it('none by default', () => {
    expect(zkAuthFromConfig(undefined)).toEqual([]);
  });

  it('reads the credentials from a file', () => {
    const file = join(dir, 'auth.txt');
    writeFileSync(file, 'digest:hdfs-zkfcs:secret\n');
    expect(zkAuthFromConfig(`@${file}`).map((info) => [info.scheme, utf8(info.auth)])).toEqual([
      ['digest', 'hdfs-zkfcs:secret'],
    ]);
  });

  it('a missing file is a ConfigError naming key and file', () => {
    const missing = join(dir, 'missing.txt');
    let caught: unknown;
    try {
      zkAuthFromConfig(`@${missing}`);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect(caught).toMatchObject({ key: 'ha.zookeeper.auth', file: missing });
    expect((caught as Error).message).toContain(missing);
  });

  it('leaves values without a leading @ alone, and refuses a bare @', () => {
    expect(resolveConfIndirection(' @not-indirect', 'k')).toBe(' @not-indirect');
    expect(() => resolveConfIndirection('@  ', 'k')).toThrow(/'@' must be followed by a file path/);
  });
});

describe('helpers', () => {
  it('digestAclId matches ZooKeeper DigestAuthenticationProvider', () => {
    expect(digestAclId('hdfs-zkfcs', 'secret')).toBe('hdfs-zkfcs:kFfPMjLJ5RvvOeCngHSVekkZRY4=');
  });

  it('formatZkAcl writes scheme:id:perms', () => {
    expect(formatZkAcl({ scheme: 'digest', id: 'a:b', perms: 1 | 4 | 16 })).toBe('digest:a:b:rca');
    expect(parseZkAcl(formatZkAcl({ scheme: 'x', id: 'y:z', perms: 31 }))).toEqual([
      { scheme: 'x', id: 'y:z', perms: 31 },
    ]);
  });

  it('sameAcl ignores order and duplicates, not content', () => {
    const a = { scheme: 'world', id: 'anyone', perms: 1 };
    const b = { scheme: 'digest', id: 'u:h', perms: 31 };
    expect(sameAcl([a, b], [b, a])).toBe(true);
    expect(sameAcl([a, a, b], [b, a])).toBe(true);
    expect(sameAcl([a], [a, b])).toBe(false);
    expect(sameAcl([a], [{ ...a, perms: 3 }])).toBe(false);
  });
});
