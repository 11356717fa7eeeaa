// Who may hold a connection to an IPC server, and how many: an optional allow-list of source
// addresses (exact addresses and CIDR blocks, IPv4 and IPv6), and caps on connections in all and
// per source address. At a cap a new connection does not lock everyone out: it replaces the
// oldest connection that is not doing anything (still in its handshake, or idle between calls);
// only when every connection under the cap is busy with a call is the new one refused.
// Sans-IO: the server asks, this answers; nothing here touches a socket.

import { isIPv4, isIPv6 } from 'node:net';

/** An address or CIDR block of the allow-list, parsed. */
interface Block {
  readonly family: 4 | 6;
  readonly bytes: Uint8Array;
  readonly prefixBits: number;
}

/** A list entry that is neither an IP address nor a CIDR block. */
export class BadAddressListError extends Error {}

function parseIPv4(text: string): Uint8Array | undefined {
  if (!isIPv4(text)) return undefined;
  return Uint8Array.from(text.split('.').map(Number));
}

function parseIPv6(text: string): Uint8Array | undefined {
  if (!isIPv6(text)) return undefined;
  let head = text;
  let tail4: Uint8Array | undefined;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    tail4 = parseIPv4(text.slice(lastColon + 1));
    if (tail4 === undefined) return undefined;
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [left = '', right] = head.split('::');
  const leftGroups = left === '' ? [] : left.split(':');
  const rightGroups = right === undefined || right === '' ? [] : right.split(':');
  const missing = 8 - leftGroups.length - rightGroups.length;
  const groups =
    right === undefined ? leftGroups : [...leftGroups, ...Array<string>(missing).fill('0'), ...rightGroups];
  const bytes = new Uint8Array(16);
  groups.forEach((group, i) => {
    const value = parseInt(group, 16);
    bytes[i * 2] = value >> 8;
    bytes[i * 2 + 1] = value & 0xff;
  });
  if (tail4 !== undefined) bytes.set(tail4, 12);
  return bytes;
}

/** An address as 4 bytes (IPv4, also IPv4-mapped IPv6) or 16 bytes; undefined when not an IP. */
function addressBytes(address: string): { family: 4 | 6; bytes: Uint8Array } | undefined {
  const v4 = parseIPv4(address);
  if (v4 !== undefined) return { family: 4, bytes: v4 };
  const v6 = parseIPv6(address.replace(/%.*$/, ''));
  if (v6 === undefined) return undefined;
  const mapped = v6.subarray(0, 10).every((b) => b === 0) && v6[10] === 0xff && v6[11] === 0xff;
  return mapped ? { family: 4, bytes: v6.slice(12) } : { family: 6, bytes: v6 };
}

function matches(block: Block, bytes: Uint8Array): boolean {
  let bits = block.prefixBits;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((block.bytes[i] ?? 0) & mask) !== ((bytes[i] ?? 0) & mask)) return false;
  }
  return true;
}

/** Source addresses allowed to connect: "10.1.0.0/16, 192.0.2.7, ::1, fd00::/8". */
export class AddressAllowList {
  private constructor(
    private readonly blocks: readonly Block[],
    /** The list as configured, for messages. */
    readonly text: string,
  ) {}

  /** Parse a comma- or whitespace-separated list; throws BadAddressListError naming a bad entry. */
  static parse(text: string): AddressAllowList {
    const blocks: Block[] = [];
    for (const entry of text.split(/[\s,]+/).filter((part) => part !== '')) {
      const slash = entry.indexOf('/');
      const address = slash < 0 ? entry : entry.slice(0, slash);
      const parsed = addressBytes(address);
      if (parsed === undefined) throw new BadAddressListError(`'${entry}' is not an IP address or CIDR block`);
      const maxBits = parsed.family === 4 ? 32 : 128;
      const prefixText = slash < 0 ? String(maxBits) : entry.slice(slash + 1);
      const prefixBits = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
      if (!(prefixBits >= 0 && prefixBits <= maxBits))
        throw new BadAddressListError(`'${entry}' has a bad prefix length (0-${maxBits})`);
      blocks.push({ family: parsed.family, bytes: parsed.bytes, prefixBits });
    }
    return new AddressAllowList(blocks, text);
  }

  /** Whether `address` (as a socket reports it) is in one of the blocks. */
  allows(address: string): boolean {
    const parsed = addressBytes(address);
    if (parsed === undefined) return false;
    return this.blocks.some((block) => block.family === parsed.family && matches(block, parsed.bytes));
  }
}

export interface AdmissionLimits {
  /** Connections held at once. */
  readonly maxConnections: number;
  /** Connections held at once from one source address. */
  readonly maxConnectionsPerAddress: number;
}

/** What to do with a new connection. */
export type AdmissionDecision<C> =
  | { readonly admit: true; /** Close these first (oldest idle ones, to make room). */ readonly evict: readonly C[] }
  | { readonly admit: false; readonly reason: 'not-allowed' | 'per-address-cap' | 'total-cap' };

/**
 * The connections a server holds, oldest first, with the caps and the eviction rule of the file
 * comment. `isBusy(connection)` says whether a connection is serving a call right now.
 */
export class ConnectionAdmission<C> {
  /** Oldest first (a Map keeps insertion order). */
  private readonly held = new Map<C, string>();
  private readonly perAddress = new Map<string, number>();

  constructor(
    private readonly limits: AdmissionLimits,
    private readonly isBusy: (connection: C) => boolean,
    private readonly allowList?: AddressAllowList,
  ) {}

  get size(): number {
    return this.held.size;
  }

  countFrom(address: string): number {
    return this.perAddress.get(address) ?? 0;
  }

  /**
   * Decide about a new connection from `address`. When admitted, the caller closes the `evict`
   * connections (they are already forgotten) and then calls add().
   */
  decide(address: string): AdmissionDecision<C> {
    if (this.allowList !== undefined && !this.allowList.allows(address)) return { admit: false, reason: 'not-allowed' };
    const evict: C[] = [];
    if (this.countFrom(address) >= this.limits.maxConnectionsPerAddress) {
      const victim = this.oldestIdle(address);
      if (victim === undefined) return { admit: false, reason: 'per-address-cap' };
      this.remove(victim);
      evict.push(victim);
    }
    if (this.held.size >= this.limits.maxConnections) {
      const victim = this.oldestIdle(undefined);
      // (Never after a per-address eviction: that one already made room.)
      if (victim === undefined) return { admit: false, reason: 'total-cap' };
      this.remove(victim);
      evict.push(victim);
    }
    return { admit: true, evict };
  }

  add(connection: C, address: string): void {
    this.held.set(connection, address);
    this.perAddress.set(address, this.countFrom(address) + 1);
  }

  /** Forget a connection (closed). Idempotent. */
  remove(connection: C): void {
    const address = this.held.get(connection);
    if (address === undefined) return;
    this.held.delete(connection);
    const left = this.countFrom(address) - 1;
    if (left <= 0) this.perAddress.delete(address);
    else this.perAddress.set(address, left);
  }

  /** Every connection held, oldest first. */
  connections(): C[] {
    return [...this.held.keys()];
  }

  private oldestIdle(address: string | undefined): C | undefined {
    for (const [connection, from] of this.held) {
      if (address !== undefined && from !== address) continue;
      if (!this.isBusy(connection)) return connection;
    }
    return undefined;
  }
}
