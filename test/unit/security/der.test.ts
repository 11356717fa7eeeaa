// Goal: the DER/BER reader under the PKCS#12 reader reads what key stores hold (definite and
// indefinite lengths, constructed OCTET STRINGs, object identifiers, small integers) and refuses
// a malformed or hostile structure with a DerError naming the offset instead of reading past the
// buffer or recursing without bound; and a store's format is found from its first bytes (JKS
// 0xFEEDFEED, JCEKS 0xCECECECE, PEM, PKCS#12), not from its file name.
// Method: hand-built byte strings.
import { describe, expect, it } from 'vitest';
import { DerError, parseDer, TAG } from '../../../src/security/der.js';
import { sniffStoreFormat } from '../../../src/security/key-store.js';

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');

describe('DER reader', () => {
  it('reads a sequence with an OID, an integer and an octet string', () => {
    // SEQUENCE { OID 1.2.840.113549.1.7.1, INTEGER 10000, OCTET STRING 'ab' }
    const node = parseDer(hex('30 12 06 09 2a864886f70d010701 02 02 2710 04 01 ab'));
    expect(node.tag).toBe(TAG.SEQUENCE);
    const [oid, integer, octets] = node.children();
    expect(oid!.oid()).toBe('1.2.840.113549.1.7.1');
    expect(integer!.smallInteger('n')).toBe(10000);
    expect(octets!.octets().toString('hex')).toBe('ab');
  });

  it('reads long-form lengths, BER indefinite lengths and constructed octet strings', () => {
    const long = parseDer(Buffer.concat([hex('04 81 80'), Buffer.alloc(0x80, 7)]));
    expect(long.octets().length).toBe(0x80);
    // [0] constructed, indefinite { OCTET STRING constructed, indefinite { 'aa', 'bbcc' } }
    const ber = parseDer(hex('a0 80 24 80 04 01 aa 04 02 bbcc 00 00 00 00'));
    expect(ber.contextNumber).toBe(0);
    expect(ber.child(0, 'inner').octets().toString('hex')).toBe('aabbcc');
  });

  it('refuses truncation, lengths past the end, trailing bytes and a primitive with indefinite length', () => {
    expect(() => parseDer(hex('30'))).toThrow(DerError);
    expect(() => parseDer(hex('04 05 aa'))).toThrow(/runs past the end/);
    expect(() => parseDer(hex('04 84 ff ff ff ff'))).toThrow(/runs past the end/);
    expect(() => parseDer(hex('04 01 aa 00'))).toThrow(/1 bytes after/);
    expect(() => parseDer(hex('04 80 00 00'))).toThrow(/indefinite length on a primitive/);
    expect(() => parseDer(hex('04 85 0000000001 aa'))).toThrow(/too long/);
  });

  it('refuses nesting deeper than 64 levels (a hostile file cannot exhaust the stack)', () => {
    let bytes = hex('05 00');
    for (let i = 0; i < 100; i++) bytes = Buffer.concat([Buffer.from([0x30, 0x80]), bytes, Buffer.from([0, 0])]);
    expect(() => {
      let node = parseDer(bytes);
      for (;;) node = node.child(0, 'x');
    }).toThrow(/nesting deeper than 64/);
  });

  it('refuses an integer that is negative or too large, and a truncated OID', () => {
    expect(() => parseDer(hex('02 01 ff')).smallInteger('n')).toThrow(/not a small non-negative integer/);
    expect(() => parseDer(hex('02 07 01000000000000')).smallInteger('n')).toThrow(/not a small/);
    expect(() => parseDer(hex('06 02 2a 86')).oid()).toThrow(/truncated object identifier/);
  });
});

describe('store format from content', () => {
  it('JKS, JCEKS, PEM, PKCS12 and unknown', () => {
    expect(sniffStoreFormat(hex('feedfeed 00000002'))).toBe('JKS');
    expect(sniffStoreFormat(hex('cececece 00000002'))).toBe('JCEKS');
    expect(sniffStoreFormat(Buffer.from('Bag Attributes\n-----BEGIN CERTIFICATE-----\n'))).toBe('PEM');
    expect(sniffStoreFormat(hex('3082 0a0b 0201 03'))).toBe('PKCS12');
    expect(sniffStoreFormat(Buffer.from('hello'))).toBe('unknown');
    expect(sniffStoreFormat(Buffer.alloc(0))).toBe('unknown');
  });
});
