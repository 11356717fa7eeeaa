// Goal: haadmin can name whose tickets a FILE credential cache holds: the default principal of
// MIT's ccache format 0x0504 (and 0x0503), nothing for other cache types or unreadable bytes.
// Method: cache headers built byte by byte as MIT writes them (the integration renewal test reads a
// real kinit cache).

import { describe, expect, it } from 'vitest';
import { ccacheFile, parseCcachePrincipal } from '../../../src/kerberos/ccache.js';

function counted(text: string): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(Buffer.byteLength(text));
  return Buffer.concat([length, Buffer.from(text)]);
}

function cacheBytes(version: number, realm: string, components: string[]): Buffer {
  const head = Buffer.alloc(2);
  head.writeUInt16BE(version);
  const header = version === 0x0504 ? Buffer.from([0, 12, 0, 1, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0]) : Buffer.alloc(0);
  const nameType = Buffer.from([0, 0, 0, 1]);
  const count = Buffer.alloc(4);
  count.writeUInt32BE(components.length);
  return Buffer.concat([head, header, nameType, count, counted(realm), ...components.map(counted), Buffer.alloc(40)]);
}

describe('ccache default principal', () => {
  it('reads the principal of versions 0x0504 and 0x0503', () => {
    expect(parseCcachePrincipal(cacheBytes(0x0504, 'ZKFC.TEST', ['alice']))).toBe('alice@ZKFC.TEST');
    expect(parseCcachePrincipal(cacheBytes(0x0503, 'EXAMPLE.COM', ['nn', 'host1']))).toBe('nn/host1@EXAMPLE.COM');
  });

  it('gives nothing for another version, truncated bytes or another cache type', () => {
    expect(parseCcachePrincipal(cacheBytes(0x0501, 'R', ['a']))).toBeUndefined();
    expect(parseCcachePrincipal(cacheBytes(0x0504, 'ZKFC.TEST', ['alice']).subarray(0, 20))).toBeUndefined();
    expect(ccacheFile('FILE:/tmp/krb5cc_1000')).toBe('/tmp/krb5cc_1000');
    expect(ccacheFile('/tmp/krb5cc_1000')).toBe('/tmp/krb5cc_1000');
    expect(ccacheFile('KEYRING:persistent:1000')).toBeUndefined();
  });
});
