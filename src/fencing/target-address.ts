// Validation and formatting of a fencing target's address. The host and port of the old active
// may come from ZooKeeper (the breadcrumb), so before they reach a remote command line they must
// be proven harmless: an integer port and a plain host name or IP literal, nothing else. Also
// formats the address the way Java's InetSocketAddress.toString() does, for shell()'s
// target_address, with a bounded best-effort DNS lookup.

import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { HostPort } from '../core/types.js';
import type { Clock } from '../runtime/ports.js';
import { FenceTargetRejectedError } from './errors.js';

const MAX_HOST_CHARS = 253;
// RFC 1123 labels, plus '_' (common in internal DNS and harmless in a shell word).
const HOST_LABEL = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/;
const IP_LITERAL_CHARS = /^[0-9A-Fa-f:.]+$/;

/** True when `port` is an integer TCP port (1..65535). */
export function isValidPort(port: number): boolean {
  return Number.isInteger(port) && port >= 1 && port <= 65535;
}

/**
 * True when `host` is an IPv4/IPv6 literal (no zone id) or a DNS host name made of letters,
 * digits, '-', '_' and '.'-separated labels. Such a string contains no shell metacharacter,
 * whitespace or quote, so it is a single inert word in a POSIX shell command line.
 */
export function isSafeHost(host: string): boolean {
  if (host.length === 0 || host.length > MAX_HOST_CHARS) return false;
  if (isIP(host) !== 0) return IP_LITERAL_CHARS.test(host);
  return host.split('.').every((label) => HOST_LABEL.test(label));
}

/** Throws FenceTargetRejectedError unless host and port are safe to put on a command line. */
export function assertSafeFenceAddress(address: HostPort, what = 'fencing target'): void {
  if (!isSafeHost(address.host)) {
    throw new FenceTargetRejectedError(
      `refusing ${what} host ${JSON.stringify(address.host)}: not a valid host name or IP address`,
      address.host,
    );
  }
  if (!isValidPort(address.port)) {
    throw new FenceTargetRejectedError(
      `refusing ${what} port ${JSON.stringify(address.port)}: not an integer in 1..65535`,
      String(address.port),
    );
  }
}

/**
 * Java's InetSocketAddress.toString() (JDK 14+): `host/ip:port`, `host/[ipv6]:port`, or
 * `host/<unresolved>:port` when the name did not resolve. Hadoop builds the target address with
 * the configured host string as its name, so an IP literal appears on both sides (`10.0.0.1/10.0.0.1:8020`).
 */
export function formatJavaSocketAddress(host: string, ip: string | undefined, port: number): string {
  if (ip === undefined) return `${host}/<unresolved>:${port}`;
  const family = isIP(ip);
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
    // Java turns IPv4-mapped IPv6 addresses into plain Inet4Address objects.
    if (mapped) return `${host}/${mapped[1]}:${port}`;
    return `${host}/[${javaInet6Text(ip)}]:${port}`;
  }
  return `${host}/${ip}:${port}`;
}

/** Inet6Address.getHostAddress(): eight hex groups without leading zeros and without '::' compression. */
export function javaInet6Text(ip: string): string {
  let text = ip;
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::', 2);
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = tail === undefined ? [] : new Array<string>(8 - headGroups.length - tailGroups.length).fill('0');
  return [...headGroups, ...zeros, ...tailGroups].map((group) => parseInt(group, 16).toString(16)).join(':');
}

/**
 * Resolve `host` to one address the way Java would pick it (IPv4 first), giving up after
 * `timeoutMs`. Never rejects: undefined means "unresolved". An IP literal is returned as is.
 */
export async function resolveHostBestEffort(
  host: string,
  timeoutMs: number,
  clock: Clock,
): Promise<string | undefined> {
  if (isIP(host) !== 0) return host;
  let cancel: (() => void) | undefined;
  const timedOut = new Promise<undefined>((resolve) => {
    cancel = clock.schedule(timeoutMs, () => resolve(undefined));
  });
  const resolved = lookup(host, { all: true })
    .then((addresses) => (addresses.find((a) => a.family === 4) ?? addresses[0])?.address)
    .catch(() => undefined);
  try {
    return await Promise.race([resolved, timedOut]);
  } finally {
    cancel?.();
  }
}
