// Host names as Java sees them, for ZooKeeper data that Java ZKFCs read and write.
// Java's ActiveNodeInfo writer stores InetSocketAddress.getHostName() of the NameNode's service
// address: for a configured name that is the name itself, for a configured IP literal it is the
// reverse lookup through the system resolver (getnameinfo: /etc/hosts, then DNS), e.g.
// "127.0.0.1" → "localhost" — and the IP itself when that fails. Java's reader compares resolved
// addresses. We do the lookups once at start-up, bounded in time, so the pure core can compare
// strings (NamenodeTarget.serviceHostAliases).

import { promises as dns } from 'node:dns';
import { isIP } from 'node:net';
import type { NamenodeTarget } from '../core/types.js';

export const HOSTNAME_LOOKUP_TIMEOUT_MS = 2000;

function bounded<T>(promise: Promise<T>, timeoutMs: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), timeoutMs);
    timer.unref();
  });
  return Promise.race([promise.catch(() => fallback), timeout]).finally(() => clearTimeout(timer));
}

/** Parity: InetSocketAddress.getHostName() for a configured host string. */
export async function javaHostName(host: string, timeoutMs = HOSTNAME_LOOKUP_TIMEOUT_MS): Promise<string> {
  if (isIP(host) === 0) return host;
  return bounded(
    dns.lookupService(host, 0).then((r) => r.hostname),
    timeoutMs,
    host,
  );
}

/** Every spelling of `host` a breadcrumb may carry for the same machine: its IPs and their names. */
export async function hostAliases(host: string, timeoutMs = HOSTNAME_LOOKUP_TIMEOUT_MS): Promise<string[]> {
  const ips =
    isIP(host) !== 0 ? [host] : (await bounded(dns.lookup(host, { all: true }), timeoutMs, [])).map((a) => a.address);
  const names = await Promise.all(ips.map((ip) => javaHostName(ip, timeoutMs)));
  return [...new Set([...ips, ...names].filter((alias) => alias.toLowerCase() !== host.toLowerCase()))];
}

/** The targets with serviceHostAliases filled in (lookups in parallel, each bounded). */
export async function withHostAliases(
  targets: readonly NamenodeTarget[],
  timeoutMs = HOSTNAME_LOOKUP_TIMEOUT_MS,
): Promise<NamenodeTarget[]> {
  return Promise.all(
    targets.map(async (target) => ({
      ...target,
      serviceHostAliases: await hostAliases(target.serviceAddress.host, timeoutMs),
    })),
  );
}
