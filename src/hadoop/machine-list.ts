// Hadoop's MachineList, as ServiceAuthorizationManager uses it for security.<protocol>.hosts and
// .hosts.blocked: a comma- or newline-separated list of IP addresses, IPv4 CIDR blocks
// (commons-net SubnetUtils, network and broadcast addresses included) and host names; "*" alone is
// everyone, an empty list no one. A host name matches the addresses it resolves to. Hadoop resolves
// on every check (the peer's canonical name, then each listed name's first address, through Java's
// 30 s DNS cache); the check here is synchronous on the connection's path, so the listed names are
// resolved ahead (every address of each) and again once the answers are older than
// HOST_CACHE_TTL_MS, in the background. A name that does not resolve matches nothing.

import { promises as dns } from 'node:dns';
import { isIP } from 'node:net';

/** MachineList.WILDCARD_VALUE. */
export const WILDCARD = '*';
/** Java's networkaddress.cache.ttl default (seconds 30) for names that resolved. */
export const HOST_CACHE_TTL_MS = 30_000;
export const HOST_LOOKUP_TIMEOUT_MS = 5_000;

/** Every address of a host name; rejects or returns [] when it does not resolve. */
export type AddressLookup = (host: string) => Promise<readonly string[]>;

export const dnsLookupAll: AddressLookup = async (host) =>
  (await dns.lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/** An entry MachineList refuses (SubnetUtils: "Could not parse [...]", a value out of range). */
export class MachineListError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MachineListError';
  }
}

interface Cidr {
  readonly low: number;
  readonly high: number;
}

const SUBNET = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** SubnetUtils(cidr) with setInclusiveHostCount(true): the whole block. */
function parseCidr(entry: string): Cidr {
  const m = SUBNET.exec(entry);
  if (m === null) throw new MachineListError(`Invalid CIDR syntax : ${entry} (Could not parse [${entry}])`);
  const octets = m.slice(1, 5).map(Number);
  for (const octet of octets)
    if (octet > 255)
      throw new MachineListError(`Invalid CIDR syntax : ${entry} (Value [${octet}] not in range [0,255])`);
  const bits = Number(m[5]);
  if (bits > 32) throw new MachineListError(`Invalid CIDR syntax : ${entry} (Value [${bits}] not in range [0,32])`);
  const address = octets.reduce((acc, octet) => acc * 256 + octet, 0);
  const size = 2 ** (32 - bits);
  const low = Math.floor(address / size) * size;
  return { low, high: low + size - 1 };
}

function ipv4Number(ip: string): number | undefined {
  if (isIP(ip) !== 4) return undefined;
  return ip.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

/**
 * The address as Java's InetAddress.getHostAddress shows a socket's peer: an IPv4-mapped IPv6
 * address (a dual-stack listener's IPv4 peer) is its IPv4 address; IPv6 in one canonical form.
 */
export function peerAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped !== null) return mapped[1]!;
  return canonicalIp(address);
}

/** One text per address (IPv6 compressed by the URL parser), so equal addresses compare equal. */
function canonicalIp(ip: string): string {
  if (isIP(ip) !== 6) return ip;
  try {
    return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  } catch {
    return ip.toLowerCase();
  }
}

export class MachineList {
  readonly all: boolean;
  private readonly ips: ReadonlySet<string>;
  private readonly cidrs: readonly Cidr[];
  readonly hostNames: readonly string[];
  private resolved = new Map<string, ReadonlySet<string>>();
  private resolvedAtMs = Number.NEGATIVE_INFINITY;
  private refreshing: Promise<void> | undefined;

  /** MachineList(String); throws MachineListError for a CIDR entry SubnetUtils refuses. */
  constructor(
    readonly text: string,
    private readonly lookup: AddressLookup = dnsLookupAll,
  ) {
    // StringUtils.getTrimmedStringCollection: split at commas and newlines, trimmed, no empties, no duplicates.
    const entries = [
      ...new Set(
        text
          .trim()
          .split(/\s*[,\n]\s*/)
          .filter((e) => e !== ''),
      ),
    ];
    this.all = entries.length === 1 && entries[0] === WILDCARD;
    const ips = new Set<string>();
    const cidrs: Cidr[] = [];
    const hosts: string[] = [];
    if (!this.all) {
      for (const entry of entries) {
        if (entry.includes('/')) cidrs.push(parseCidr(entry));
        else if (isIP(entry) !== 0) ips.add(canonicalIp(entry));
        else hosts.push(entry);
      }
    }
    this.ips = ips;
    this.cidrs = cidrs;
    this.hostNames = hosts;
  }

  /** Resolve the listed host names now (each bounded by HOST_LOOKUP_TIMEOUT_MS). */
  resolveHostNames(nowMs: number = Date.now()): Promise<void> {
    if (this.hostNames.length === 0) return Promise.resolve();
    this.refreshing ??= (async () => {
      const answers = await Promise.all(
        this.hostNames.map(async (host) => [host, new Set((await this.lookupBounded(host)).map(canonicalIp))] as const),
      );
      this.resolved = new Map(answers);
      this.resolvedAtMs = nowMs;
    })().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async lookupBounded(host: string): Promise<readonly string[]> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<readonly string[]>((resolve) => {
      timer = setTimeout(() => resolve([]), HOST_LOOKUP_TIMEOUT_MS);
      timer.unref();
    });
    try {
      return await Promise.race([this.lookup(host).catch(() => []), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** MachineList.includes(ipAddress); starts a background re-resolution when the names' answers are stale. */
  includes(address: string, nowMs: number = Date.now()): boolean {
    if (this.all) return true;
    const ip = peerAddress(address);
    if (this.ips.has(ip)) return true;
    const v4 = ipv4Number(ip);
    // SubnetUtils reads IPv4 only: an IPv6 peer is in no block.
    if (v4 !== undefined && this.cidrs.some((c) => v4 >= c.low && v4 <= c.high)) return true;
    if (this.hostNames.length === 0) return false;
    if (nowMs - this.resolvedAtMs > HOST_CACHE_TTL_MS) void this.resolveHostNames(nowMs);
    for (const addresses of this.resolved.values()) if (addresses.has(ip)) return true;
    return false;
  }
}
