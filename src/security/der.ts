// A small reader of ASN.1 DER (and the BER that key stores carry: indefinite lengths and
// constructed OCTET STRINGs, which older PKCS#12 writers produce), enough to walk PKCS#12 (RFC 7292)
// and the PBES2 / PKCS#8 structures inside it. Read-only, bounded by the input: every length is
// checked against the bytes that are there, nesting is capped, and a malformed structure throws
// DerError with the offset, never reads past the buffer.

/** A structure that is not the DER/BER it should be. */
export class DerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DerError';
  }
}

/** Universal tags used here. */
export const TAG = {
  INTEGER: 0x02,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  SEQUENCE: 0x30,
  SET: 0x31,
  BMP_STRING: 0x1e,
} as const;

/** Deeper than any key store nests; stops a hostile file from exhausting the stack. */
const DEPTH_MAX = 64;

/** One TLV. `content` excludes the end-of-contents octets of an indefinite length. */
export class DerNode {
  constructor(
    /** The identifier octet (low-tag-number form only: every tag here is below 31). */
    readonly tag: number,
    readonly content: Buffer,
    /** Offset of the identifier octet in the outermost buffer, for messages. */
    readonly offset: number,
    /** Offset of the first content octet in the outermost buffer. */
    private readonly contentOffset: number,
    private readonly depth: number,
  ) {}

  get constructed(): boolean {
    return (this.tag & 0x20) !== 0;
  }

  /** The context-specific tag number when the tag is [n] (class bits 10), else undefined. */
  get contextNumber(): number | undefined {
    return (this.tag & 0xc0) === 0x80 ? this.tag & 0x1f : undefined;
  }

  /** The TLVs inside a constructed node. */
  children(): DerNode[] {
    if (!this.constructed)
      throw new DerError(`primitive tag 0x${this.tag.toString(16)} at ${this.offset} has no children`);
    if (this.depth >= DEPTH_MAX) throw new DerError(`nesting deeper than ${DEPTH_MAX} at ${this.offset}`);
    const nodes: DerNode[] = [];
    let at = 0;
    while (at < this.content.length) {
      const { node, next } = readTlv(this.content, at, this.contentOffset, this.depth + 1);
      nodes.push(node);
      at = next;
    }
    return nodes;
  }

  /** The n-th child, or a DerError naming what was expected there. */
  child(index: number, what: string): DerNode {
    const node = this.children()[index];
    if (node === undefined) throw new DerError(`${what} missing (element ${index} at ${this.offset})`);
    return node;
  }

  /** This node, checked to have `tag`. */
  expect(tag: number, what: string): this {
    if (this.tag !== tag)
      throw new DerError(
        `${what}: expected tag 0x${tag.toString(16)}, found 0x${this.tag.toString(16)} at ${this.offset}`,
      );
    return this;
  }

  /** The bytes of an OCTET STRING (or of an IMPLICIT one): primitive, or BER-constructed from pieces. */
  octets(): Buffer {
    if (!this.constructed) return this.content;
    return Buffer.concat(this.children().map((piece) => piece.octets()));
  }

  /** The dotted form of an OBJECT IDENTIFIER. */
  oid(): string {
    this.expect(TAG.OID, 'object identifier');
    const bytes = this.content;
    if (bytes.length === 0) throw new DerError(`empty object identifier at ${this.offset}`);
    const arcs: string[] = [];
    let value = 0n;
    for (let i = 0; i < bytes.length; i++) {
      const byte = bytes[i]!;
      value = (value << 7n) | BigInt(byte & 0x7f);
      if ((byte & 0x80) !== 0) {
        if (i === bytes.length - 1) throw new DerError(`truncated object identifier at ${this.offset}`);
        continue;
      }
      if (arcs.length === 0) {
        const first = value < 40n ? 0n : value < 80n ? 1n : 2n;
        arcs.push(String(first), String(value - first * 40n));
      } else arcs.push(String(value));
      value = 0n;
    }
    return arcs.join('.');
  }

  /** A non-negative INTEGER that fits a JavaScript number (iteration counts, lengths, versions). */
  smallInteger(what: string): number {
    this.expect(TAG.INTEGER, what);
    const bytes = this.content;
    if (bytes.length === 0 || bytes.length > 6 || (bytes[0]! & 0x80) !== 0)
      throw new DerError(`${what}: not a small non-negative integer at ${this.offset}`);
    let value = 0;
    for (const byte of bytes) value = value * 256 + byte;
    return value;
  }
}

/** Read exactly one TLV covering the whole buffer (trailing bytes are an error). */
export function parseDer(bytes: Buffer): DerNode {
  const { node, next } = readTlv(bytes, 0, 0, 0);
  if (next !== bytes.length) throw new DerError(`${bytes.length - next} bytes after the structure ending at ${next}`);
  return node;
}

function readTlv(buffer: Buffer, start: number, base: number, depth: number): { node: DerNode; next: number } {
  if (depth > DEPTH_MAX) throw new DerError(`nesting deeper than ${DEPTH_MAX} at ${base + start}`);
  const at = (offset: number): number => {
    const byte = buffer[offset];
    if (byte === undefined) throw new DerError(`truncated at ${base + offset}`);
    return byte;
  };
  const tag = at(start);
  if ((tag & 0x1f) === 0x1f) throw new DerError(`high tag number at ${base + start} is not supported`);
  const first = at(start + 1);
  let contentStart = start + 2;
  if (first === 0x80) {
    // Indefinite length (BER): constructed only; content runs to the matching end-of-contents.
    if ((tag & 0x20) === 0) throw new DerError(`indefinite length on a primitive tag at ${base + start}`);
    let cursor = contentStart;
    for (;;) {
      if (at(cursor) === 0 && at(cursor + 1) === 0) break;
      cursor = readTlv(buffer, cursor, base, depth + 1).next;
    }
    const content = buffer.subarray(contentStart, cursor);
    return { node: new DerNode(tag, content, base + start, base + contentStart, depth), next: cursor + 2 };
  }
  let length = first;
  if ((first & 0x80) !== 0) {
    const count = first & 0x7f;
    if (count > 4) throw new DerError(`length of ${count} octets at ${base + start} is too long`);
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + at(contentStart + i);
    contentStart += count;
  }
  const end = contentStart + length;
  if (end > buffer.length)
    throw new DerError(`length ${length} at ${base + start} runs past the end (${buffer.length - contentStart} left)`);
  return {
    node: new DerNode(tag, buffer.subarray(contentStart, end), base + start, base + contentStart, depth),
    next: end,
  };
}
