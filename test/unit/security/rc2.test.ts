// Goal: the RC2 decryption that reads legacy PKCS#12 stores is RFC 2268's: every test vector of the
// RFC's section 5 decrypts to its plaintext (key, effective key bits, plaintext, ciphertext), and
// CBC unpadding refuses a wrong key as node:crypto does ('bad decrypt').
// Method: the RFC's vectors, block by block; a CBC round trip is checked against Java and OpenSSL's
// legacy stores in test/integration/security/key-stores.test.ts.
import { describe, expect, it } from 'vitest';
import { rc2CbcDecrypt, rc2DecryptBlock } from '../../../src/security/rc2.js';

const hex = (text: string): Buffer => Buffer.from(text, 'hex');

/** RFC 2268 section 5. */
const VECTORS: readonly (readonly [string, number, string, string])[] = [
  ['0000000000000000', 63, '0000000000000000', 'ebb773f993278eff'],
  ['ffffffffffffffff', 64, 'ffffffffffffffff', '278b27e42e2f0d49'],
  ['3000000000000000', 64, '1000000000000001', '30649edf9be7d2c2'],
  ['88', 64, '0000000000000000', '61a8a244adacccf0'],
  ['88bca90e90875a', 64, '0000000000000000', '6ccf4308974c267f'],
  ['88bca90e90875a7f0f79c384627bafb2', 64, '0000000000000000', '1a807d272bbe5db1'],
  ['88bca90e90875a7f0f79c384627bafb2', 128, '0000000000000000', '2269552ab0f85ca6'],
  ['88bca90e90875a7f0f79c384627bafb216f80a6f85920584c42fceb0be255daf1e', 129, '0000000000000000', '5b78d3a43dfff1f1'],
];

describe('RC2 (RFC 2268)', () => {
  it.each(VECTORS)('key %s, %i effective bits: decrypts the RFC vector', (key, bits, plaintext, ciphertext) => {
    expect(rc2DecryptBlock(hex(key), bits, hex(ciphertext)).toString('hex')).toBe(plaintext);
  });

  it('CBC refuses a wrong padding with "bad decrypt", and a partial block', () => {
    // One block whose plaintext ends in 0x00 after decryption with a zero IV: never valid PKCS#5 padding.
    expect(() => rc2CbcDecrypt(hex('0000000000000000'), 63, Buffer.alloc(8), hex('ebb773f993278eff'))).toThrow(
      'bad decrypt',
    );
    expect(() => rc2CbcDecrypt(hex('00'), 40, Buffer.alloc(8), Buffer.alloc(7))).toThrow('bad decrypt');
  });
});
