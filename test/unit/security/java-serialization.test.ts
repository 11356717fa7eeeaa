// Goal: the Java serialization reader under the JCEKS reader reads what ObjectOutputStream writes
// for a key (an object with primitive, string and byte[] fields, a superclass, back references)
// and refuses what no key holds or a hostile stream sends (no stream header, an enum or an
// externalizable class, an array claiming gigabytes, nesting without end, a truncation) with a
// JavaSerializationError, never reading past the buffer. The stores Hadoop's CredentialShell writes
// are read in test/hadoop/credential-provider.test.ts.
// Method: streams assembled byte by byte as the Object Serialization Stream Protocol lays them out.
import { describe, expect, it } from 'vitest';
import { JavaSerializationError, readJavaObject, type JavaObject } from '../../../src/security/java-serialization.js';

const u16 = (n: number): number[] => [(n >> 8) & 0xff, n & 0xff];
const i32 = (n: number): number[] => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
const utf = (text: string): number[] => [...u16(Buffer.byteLength(text)), ...Buffer.from(text)];
const HEADER = [0xac, 0xed, 0x00, 0x05];
const UID = [1, 2, 3, 4, 5, 6, 7, 8];

/** new SecretKeySpec(bytes, "AES") as ObjectOutputStream writes it (fields sorted: algorithm, key). */
function secretKeySpec(key: readonly number[]): Buffer {
  return Buffer.from([
    ...HEADER,
    0x73, // TC_OBJECT
    0x72, // TC_CLASSDESC
    ...utf('javax.crypto.spec.SecretKeySpec'),
    ...UID,
    0x02, // SC_SERIALIZABLE
    ...u16(2),
    0x4c, // 'L'
    ...utf('algorithm'),
    0x74, // TC_STRING
    ...utf('Ljava/lang/String;'),
    0x5b, // '['
    ...utf('key'),
    0x74,
    ...utf('[B'),
    0x78, // TC_ENDBLOCKDATA
    0x70, // no superclass
    0x74,
    ...utf('AES'),
    0x75, // TC_ARRAY
    0x72,
    ...utf('[B'),
    ...UID,
    0x02,
    ...u16(0),
    0x78,
    0x70,
    ...i32(key.length),
    ...key,
  ]);
}

function refused(bytes: readonly number[] | Buffer): string {
  try {
    readJavaObject(Buffer.from(bytes));
  } catch (error) {
    expect(error).toBeInstanceOf(JavaSerializationError);
    return (error as Error).message;
  }
  throw new Error('accepted');
}

describe('Java serialization reader', () => {
  it('reads a SecretKeySpec: class, string field, byte[] field, and where the object ends', () => {
    const bytes = Buffer.concat([secretKeySpec([0x73, 0x33, 0x63]), Buffer.from([0xee])]);
    const { value, end } = readJavaObject(bytes);
    const object = value as JavaObject;
    expect(object.className).toBe('javax.crypto.spec.SecretKeySpec');
    expect(object.fields.get('algorithm')).toBe('AES');
    expect(object.fields.get('key')).toEqual(Buffer.from('s3c'));
    expect(end).toBe(bytes.length - 1);
  });

  it('refuses a stream without header, enums, externalizable classes and unknown elements', () => {
    expect(refused([0x73, 0x72, 0, 0])).toMatch(/no Java serialization stream header/);
    expect(refused([0x73])).toMatch(/truncated at 0/);
    expect(refused([...HEADER, 0x7e])).toMatch(/unsupported element 0x7e/); // TC_ENUM
    expect(refused([...HEADER, 0x73, 0x72, ...utf('x.Ext'), ...UID, 0x04, ...u16(0), 0x78, 0x70])).toMatch(
      /externalizable class x.Ext/,
    );
  });

  it('refuses an array of gigabytes and a truncated stream without reading past the buffer', () => {
    const huge = [...HEADER, 0x75, 0x72, ...utf('[B'), ...UID, 0x02, ...u16(0), 0x78, 0x70, ...i32(0x7fffffff)];
    expect(refused(huge)).toMatch(/array of 2147483647 elements/);
    const whole = secretKeySpec([1, 2, 3, 4]);
    expect(refused(whole.subarray(0, whole.length - 2))).toMatch(/truncated/);
  });

  it('refuses nesting without end (an array of arrays of arrays...)', () => {
    const nested: number[] = [...HEADER];
    for (let i = 0; i < 100; i++)
      nested.push(0x75, 0x72, ...utf('[[Ljava.lang.Object;'), ...UID, 0x02, ...u16(0), 0x78, 0x70, ...i32(1));
    expect(refused(nested)).toMatch(/nested deeper than 32/);
  });

  it('refuses a back reference to a handle that does not exist', () => {
    expect(refused([...HEADER, 0x71, ...i32(0x7e0005)])).toMatch(/bad handle/);
  });
});
