// The default principal of a FILE credential cache (MIT's ccache file format, versions 0x0502 to
// 0x0504: version, v4 header, then the principal as name type, component count, realm and
// components, each a 32-bit big-endian length and bytes), so that a failure of haadmin can say
// whose tickets it used even when GSSAPI only says "Ticket expired". Other cache types (KEYRING:,
// KCM:, MEMORY:) are not read: undefined.

import { readFileSync } from 'node:fs';

/** FILE:/path or a bare path → the path; another cache type → undefined. */
export function ccacheFile(ccache: string): string | undefined {
  if (ccache.startsWith('FILE:')) return ccache.slice('FILE:'.length);
  if (/^[A-Z]+:/.test(ccache)) return undefined;
  return ccache;
}

/** `name/instance@REALM` from a ccache file's bytes; undefined for anything it cannot read. */
export function parseCcachePrincipal(bytes: Buffer): string | undefined {
  let offset = 0;
  const u16 = (): number => {
    const v = bytes.readUInt16BE(offset);
    offset += 2;
    return v;
  };
  const u32 = (): number => {
    const v = bytes.readUInt32BE(offset);
    offset += 4;
    return v;
  };
  const text = (): string => {
    const length = u32();
    if (offset + length > bytes.length) throw new RangeError('truncated');
    const value = bytes.toString('utf8', offset, offset + length);
    offset += length;
    return value;
  };
  try {
    const version = u16();
    if (version < 0x0502 || version > 0x0504) return undefined;
    if (version === 0x0504) {
      const headerLength = u16();
      offset += headerLength;
    }
    u32(); // name type
    const count = u32();
    if (count > 16) return undefined;
    const realm = text();
    const components: string[] = [];
    for (let i = 0; i < count; i++) components.push(text());
    return components.length === 0 ? undefined : `${components.join('/')}@${realm}`;
  } catch {
    return undefined;
  }
}

/** The default principal of a credential cache, when it is a readable FILE cache. */
export function ccachePrincipal(ccache: string): string | undefined {
  const file = ccacheFile(ccache);
  if (file === undefined) return undefined;
  try {
    return parseCcachePrincipal(readFileSync(file));
  } catch {
    return undefined;
  }
}
