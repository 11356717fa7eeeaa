// A reader of the Java Object Serialization Stream Protocol (java.io.ObjectOutputStream, protocol
// version 2), for exactly what a JCEKS key store holds: a javax.crypto.SealedObject (its subclass
// com.sun.crypto.provider.SealedObjectForKeyProtector) and, once unsealed, the key it carries
// (javax.crypto.spec.SecretKeySpec, or a java.security.KeyRep). It builds plain values (objects
// as class name + field map, byte[] as Buffer, strings, numbers) and never loads or runs anything:
// no class is resolved, no readObject of any class runs. Enums, proxies and externalizable
// objects, which no such key carries, are refused. Bounded by the input like der.ts.

/** A stream that is not what it should be. */
export class JavaSerializationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JavaSerializationError';
  }
}

/** A deserialized object: its class, and the fields of it and of its serializable superclasses. */
export interface JavaObject {
  readonly className: string;
  readonly fields: ReadonlyMap<string, JavaValue>;
}

export type JavaValue = JavaObject | Buffer | string | number | bigint | boolean | null | readonly JavaValue[];

const TC = {
  NULL: 0x70,
  REFERENCE: 0x71,
  CLASSDESC: 0x72,
  OBJECT: 0x73,
  STRING: 0x74,
  ARRAY: 0x75,
  BLOCKDATA: 0x77,
  ENDBLOCKDATA: 0x78,
  BLOCKDATALONG: 0x7a,
  LONGSTRING: 0x7c,
} as const;
const BASE_HANDLE = 0x7e0000;
const SC_WRITE_METHOD = 0x01;
const SC_SERIALIZABLE = 0x02;
const SC_EXTERNALIZABLE = 0x04;
const DEPTH_MAX = 32;
/** Far beyond a key: a hostile length must not allocate gigabytes. */
const ARRAY_LENGTH_MAX = 16 * 1024 * 1024;

interface FieldDesc {
  readonly type: string;
  readonly name: string;
}

interface ClassDesc {
  readonly name: string;
  readonly flags: number;
  readonly fields: readonly FieldDesc[];
  readonly superClass: ClassDesc | null;
}

/** Reads one object from `bytes` at `offset` (a stream header first); `end` is where it stopped. */
export function readJavaObject(bytes: Buffer, offset = 0): { readonly value: JavaValue; readonly end: number } {
  const reader = new Reader(bytes, offset);
  if (reader.u16() !== 0xaced || reader.u16() !== 5)
    throw new JavaSerializationError(`no Java serialization stream header at ${offset}`);
  const value = reader.content(0);
  return { value, end: reader.at };
}

class Reader {
  private readonly handles: unknown[] = [];

  constructor(
    private readonly bytes: Buffer,
    public at: number,
  ) {}

  private need(count: number): void {
    if (count < 0 || this.at + count > this.bytes.length)
      throw new JavaSerializationError(`truncated at ${this.at} (${count} more bytes expected)`);
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.at++]!;
  }

  u16(): number {
    this.need(2);
    const value = this.bytes.readUInt16BE(this.at);
    this.at += 2;
    return value;
  }

  i32(): number {
    this.need(4);
    const value = this.bytes.readInt32BE(this.at);
    this.at += 4;
    return value;
  }

  i64(): bigint {
    this.need(8);
    const value = this.bytes.readBigInt64BE(this.at);
    this.at += 8;
    return value;
  }

  take(count: number): Buffer {
    this.need(count);
    const slice = this.bytes.subarray(this.at, this.at + count);
    this.at += count;
    return Buffer.from(slice);
  }

  /** DataInput#readUTF (modified UTF-8; the names and strings here are ASCII). */
  utf(length = this.u16()): string {
    return this.take(length).toString('utf8');
  }

  private newHandle(value: unknown): number {
    this.handles.push(value);
    return this.handles.length - 1;
  }

  private reference(): unknown {
    const handle = this.i32() - BASE_HANDLE;
    if (handle < 0 || handle >= this.handles.length) throw new JavaSerializationError(`bad handle at ${this.at - 4}`);
    return this.handles[handle];
  }

  content(depth: number): JavaValue {
    if (depth > DEPTH_MAX) throw new JavaSerializationError(`objects nested deeper than ${DEPTH_MAX}`);
    const tc = this.u8();
    switch (tc) {
      case TC.NULL:
        return null;
      case TC.REFERENCE: {
        const value = this.reference();
        if (value instanceof ClassDescHolder)
          throw new JavaSerializationError('a class descriptor where a value belongs');
        return value as JavaValue;
      }
      case TC.STRING: {
        const text = this.utf();
        this.newHandle(text);
        return text;
      }
      case TC.LONGSTRING: {
        const length = this.i64();
        if (length > BigInt(ARRAY_LENGTH_MAX)) throw new JavaSerializationError(`string of ${length} bytes`);
        const text = this.utf(Number(length));
        this.newHandle(text);
        return text;
      }
      case TC.ARRAY:
        return this.array(depth);
      case TC.OBJECT:
        return this.object(depth);
      default:
        throw new JavaSerializationError(`unsupported element 0x${tc.toString(16)} at ${this.at - 1}`);
    }
  }

  private classDesc(): ClassDesc | null {
    const tc = this.u8();
    if (tc === TC.NULL) return null;
    if (tc === TC.REFERENCE) {
      const value = this.reference();
      if (!(value instanceof ClassDescHolder) || value.desc === undefined)
        throw new JavaSerializationError('a value where a class descriptor belongs');
      return value.desc;
    }
    if (tc !== TC.CLASSDESC)
      throw new JavaSerializationError(`unsupported class descriptor 0x${tc.toString(16)} at ${this.at - 1}`);
    const name = this.utf();
    this.i64(); // serialVersionUID: nothing is checked against a class here
    const holder = new ClassDescHolder();
    this.newHandle(holder);
    const flags = this.u8();
    if ((flags & SC_EXTERNALIZABLE) !== 0) throw new JavaSerializationError(`externalizable class ${name}`);
    const count = this.u16();
    const fields: FieldDesc[] = [];
    for (let i = 0; i < count; i++) {
      const code = String.fromCharCode(this.u8());
      const fieldName = this.utf();
      let type = code;
      if (code === 'L' || code === '[') {
        const signature = this.content(0);
        if (typeof signature !== 'string') throw new JavaSerializationError(`field ${fieldName} without a type`);
        type = signature;
      }
      fields.push({ type, name: fieldName });
    }
    this.skipAnnotation();
    holder.desc = { name, flags, fields, superClass: null };
    const superClass = this.classDesc();
    holder.desc = { name, flags, fields, superClass };
    return holder.desc;
  }

  /** classAnnotation / objectAnnotation: block data and objects up to TC_ENDBLOCKDATA. */
  private skipAnnotation(): void {
    for (;;) {
      const tc = this.bytes[this.at];
      if (tc === TC.ENDBLOCKDATA) {
        this.at++;
        return;
      }
      if (tc === TC.BLOCKDATA) {
        this.at++;
        this.take(this.u8());
      } else if (tc === TC.BLOCKDATALONG) {
        this.at++;
        const length = this.i32();
        if (length < 0) throw new JavaSerializationError('negative block length');
        this.take(length);
      } else this.content(1);
    }
  }

  private array(depth: number): JavaValue {
    const desc = this.classDesc();
    if (desc === null) throw new JavaSerializationError('array without a class');
    const length = this.i32();
    if (length < 0 || length > ARRAY_LENGTH_MAX) throw new JavaSerializationError(`array of ${length} elements`);
    const element = desc.name.slice(1);
    if (element === 'B') {
      const value = this.take(length);
      this.newHandle(value);
      return value;
    }
    const values: JavaValue[] = [];
    this.newHandle(values);
    for (let i = 0; i < length; i++) values.push(this.fieldValue(element, depth + 1));
    return values;
  }

  private object(depth: number): JavaObject {
    const desc = this.classDesc();
    if (desc === null) throw new JavaSerializationError('object without a class');
    const fields = new Map<string, JavaValue>();
    const object: JavaObject = { className: desc.name, fields };
    this.newHandle(object);
    // Class data from the topmost serializable superclass down to the object's own class.
    const chain: ClassDesc[] = [];
    for (let c: ClassDesc | null = desc; c !== null; c = c.superClass) chain.unshift(c);
    for (const c of chain) {
      if ((c.flags & SC_SERIALIZABLE) === 0) continue;
      for (const field of c.fields) fields.set(field.name, this.fieldValue(field.type, depth + 1));
      if ((c.flags & SC_WRITE_METHOD) !== 0) this.skipAnnotation();
    }
    return object;
  }

  private fieldValue(type: string, depth: number): JavaValue {
    switch (type[0]) {
      case 'B':
        return (this.u8() << 24) >> 24;
      case 'C':
      case 'S':
        return this.u16();
      case 'I':
        return this.i32();
      case 'J':
        return this.i64();
      case 'Z':
        return this.u8() !== 0;
      case 'F':
        this.need(4);
        this.at += 4;
        return this.bytes.readFloatBE(this.at - 4);
      case 'D':
        this.need(8);
        this.at += 8;
        return this.bytes.readDoubleBE(this.at - 8);
      default:
        return this.content(depth);
    }
  }
}

/** A class descriptor's handle, filled once the descriptor is read (its fields may refer back to it). */
class ClassDescHolder {
  desc: ClassDesc | undefined;
}
