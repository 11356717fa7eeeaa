// Turning breadcrumb data into the NameNode to fence, the way Hadoop's dataToTarget does: the
// bytes name a nameservice and a namenode id; the target is built from OUR configuration for that
// id, and the stored host:port must equal the configured service address. Anything else is
// refused with a message that says what is wrong. We never fence a target we cannot vouch for:
// the operator fixes ZooKeeper (hdfs zkfc -formatZK) instead.
//
// Hadoop compares resolved addresses (InetSocketAddress equality: IP and port). The pure core
// cannot resolve names, so it compares the stored host, case-insensitively, with the configured
// host and the aliases the runtime resolved for it at start-up (serviceHostAliases: its IPs and
// the name Java's getHostName() gives it), which covers a Java ZKFC writing "localhost" for a
// configured "127.0.0.1".

import type { DecodedBreadcrumb } from '../elector/events.js';
import { clipText, toHex } from '../note.js';
import type { ActiveNodeInfo, NamenodeTarget } from '../types.js';

export type BreadcrumbTarget =
  | { readonly ok: true; readonly target: NamenodeTarget; readonly info: ActiveNodeInfo }
  | { readonly ok: false; readonly error: string };

export function formatTarget(target: NamenodeTarget): string {
  return (
    `NameNode at ${target.serviceAddress.host}:${target.serviceAddress.port} ` +
    `(${target.nameserviceId}.${target.namenodeId})`
  );
}

function formatInfo(info: ActiveNodeInfo): string {
  // Every string here was read from ZooKeeper, where any client may have written it.
  return (
    `nameserviceId: "${clipText(info.nameserviceId)}" namenodeId: "${clipText(info.namenodeId)}" ` +
    `hostname: "${clipText(info.hostname)}" port: ${info.port} zkfcPort: ${info.zkfcPort}`
  );
}

/** Parity: DFSZKFailoverController.dataToTarget. `targets` = every NameNode of our nameservice. */
export function breadcrumbTarget(
  data: Uint8Array,
  decoded: DecodedBreadcrumb | undefined,
  targets: readonly NamenodeTarget[],
): BreadcrumbTarget {
  if (decoded === undefined) return { ok: false, error: `Invalid data in ZK: ${toHex(data)}` };
  if (!decoded.ok) return { ok: false, error: decoded.error };
  const info = decoded.info;
  const nameserviceId = targets[0]?.nameserviceId;
  if (info.nameserviceId !== nameserviceId) {
    return {
      ok: false,
      error:
        `Mismatched nameservice stored in ZK: Stored protobuf was ` +
        `${formatInfo(info)}, our nameservice is ${nameserviceId ?? '(none)'}`,
    };
  }
  const target = targets.find((candidate) => candidate.namenodeId === info.namenodeId);
  if (target === undefined) {
    return {
      ok: false,
      error:
        `Unknown namenode id stored in ZK: Stored protobuf was ${formatInfo(info)}, ` +
        `configured namenodes are ${targets.map((t) => t.namenodeId).join(',')}`,
    };
  }
  const address = target.serviceAddress;
  const stored = info.hostname.toLowerCase();
  const known = [address.host, ...(target.serviceHostAliases ?? [])].map((host) => host.toLowerCase());
  if (!known.includes(stored) || info.port !== address.port) {
    return {
      ok: false,
      error:
        `Mismatched address stored in ZK for ${formatTarget(target)}: Stored protobuf was ${formatInfo(info)}, ` +
        `address from our own configuration for this NameNode was ${address.host}:${address.port}`,
    };
  }
  return { ok: true, target, info };
}
