// Encoding and strict decoding of ActiveRMInfoProto, the bytes a ResourceManager's embedded elector
// (ActiveStandbyElectorBasedElectorService#createActiveNodeInfo) writes into the lock and
// breadcrumb znodes under /yarn-leader-election/<cluster-id>. Our encoding is byte-identical to
// Hadoop 3.4's and 3.5's (clusterId, rmId), so an embedded ResourceManager's start-up check
// (isParentZnodeSafe) accepts a lock we hold. The bytes carry no address: decoding looks the rm-id
// up in our configuration to give the core the same ActiveNodeInfo shape as a NameNode's.

import { create, fromBinary, isFieldSet, toBinary } from '@bufbuild/protobuf';
import type { ActiveNodeInfo, NamenodeTarget } from '../core/types.js';
import { errorMessage } from '../errors.js';
import { ActiveRMInfoProtoSchema } from '../gen/ActiveRMInfo_pb.js';
import { InvalidZnodeDataError } from './active-node-info.js';

const MAX_DATA_BYTES = 64 * 1024;

export interface ActiveRmInfo {
  readonly clusterId: string;
  readonly rmId: string;
}

export function encodeActiveRmInfo(info: ActiveRmInfo): Uint8Array {
  return toBinary(
    ActiveRMInfoProtoSchema,
    create(ActiveRMInfoProtoSchema, { clusterId: info.clusterId, rmId: info.rmId }),
  );
}

/**
 * Decode znode data; throws InvalidZnodeDataError naming the znode and the bytes. Fields a later
 * Hadoop adds (unknown here) are allowed, as the embedded elector's protobuf parser allows them.
 */
export function decodeActiveRmInfo(data: Uint8Array, path = 'znode'): ActiveRmInfo {
  const hex = Buffer.from(data.subarray(0, 256)).toString('hex') + (data.length > 256 ? '…' : '');
  if (data.length === 0) throw new InvalidZnodeDataError(`Invalid data in ZK at ${path}: empty`, hex);
  if (data.length > MAX_DATA_BYTES) {
    throw new InvalidZnodeDataError(
      `Invalid data in ZK at ${path}: ${data.length} bytes is too large for ActiveRMInfoProto`,
      hex,
    );
  }
  let message;
  try {
    message = fromBinary(ActiveRMInfoProtoSchema, data, { readUnknownFields: true });
  } catch (cause) {
    throw new InvalidZnodeDataError(`Invalid data in ZK at ${path}: ${hex} (${errorMessage(cause)})`, hex, { cause });
  }
  for (const field of ['clusterId', 'rmId'] as const) {
    if (!isFieldSet(message, ActiveRMInfoProtoSchema.field[field])) {
      throw new InvalidZnodeDataError(
        `Invalid data in ZK at ${path}: ${hex} (ActiveRMInfoProto field ${field} missing)`,
        hex,
      );
    }
  }
  return { clusterId: message.clusterId, rmId: message.rmId };
}

/**
 * The lock / breadcrumb codec for a ResourceManager cluster: our own bytes, and a decoder that
 * turns an rm-id into the ActiveNodeInfo the core fences and reports by (the admin address, the
 * daemon's ZKFC port). An rm-id we do not know decodes with an empty host, so the core refuses
 * to fence it and names it ("Unknown namenode id stored in ZK").
 */
export function resourceManagerCodec(
  targets: readonly NamenodeTarget[],
): (data: Uint8Array, path: string) => ActiveNodeInfo {
  return (data, path) => {
    const info = decodeActiveRmInfo(data, path);
    const target = targets.find((t) => t.namenodeId === info.rmId && t.nameserviceId === info.clusterId);
    return {
      nameserviceId: info.clusterId,
      namenodeId: info.rmId,
      hostname: target?.serviceAddress.host ?? '',
      port: target?.serviceAddress.port ?? 0,
      zkfcPort: target?.zkfcPort ?? 0,
    };
  };
}
