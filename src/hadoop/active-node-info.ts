// Encoding and strict decoding of ActiveNodeInfo (HAZKInfo.proto), the bytes Hadoop's
// ActiveStandbyElector writes into the lock and breadcrumb znodes. Encoding must be
// byte-identical to Java's (fields 1..5 in order, proto2 varints) because the elector compares
// breadcrumb bytes with its own to decide "that was me" (docs/hadoop-compat.md §4.2, §11.2).

import { create, fromBinary, isFieldSet, toBinary, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { ActiveNodeInfoSchema } from '../gen/HAZKInfo_pb.js';
import type { ActiveNodeInfo } from '../core/types.js';
import { ZkfcError, errorMessage } from '../errors.js';

/** Znode data that is not a valid ActiveNodeInfo; carries the bytes in hex (as Hadoop's "Invalid data in ZK"). */
export class InvalidZnodeDataError extends ZkfcError {
  readonly code = 'ZNODE_DATA_INVALID';
  constructor(
    message: string,
    readonly dataHex: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export function encodeActiveNodeInfo(info: ActiveNodeInfo): Uint8Array {
  return toBinary(ActiveNodeInfoSchema, create(ActiveNodeInfoSchema, { ...info }));
}

const REQUIRED = ['nameserviceId', 'namenodeId', 'hostname', 'port', 'zkfcPort'] as const;
const MAX_DATA_BYTES = 64 * 1024;

/**
 * The bounded, checked parse both lock-data formats share (ActiveNodeInfo, ActiveRMInfoProto):
 * empty, oversized or unparsable data is an InvalidZnodeDataError naming the znode and the bytes.
 */
export function parseZnodeData<Desc extends DescMessage>(
  schema: Desc,
  data: Uint8Array,
  path: string,
): { readonly message: MessageShape<Desc>; readonly hex: string } {
  const hex = Buffer.from(data.subarray(0, 256)).toString('hex') + (data.length > 256 ? '…' : '');
  if (data.length === 0) throw new InvalidZnodeDataError(`Invalid data in ZK at ${path}: empty`, hex);
  if (data.length > MAX_DATA_BYTES) {
    throw new InvalidZnodeDataError(
      `Invalid data in ZK at ${path}: ${data.length} bytes is too large for ${schema.name}`,
      hex,
    );
  }
  try {
    return { message: fromBinary(schema, data, { readUnknownFields: true }), hex };
  } catch (cause) {
    throw new InvalidZnodeDataError(`Invalid data in ZK at ${path}: ${hex} (${errorMessage(cause)})`, hex, { cause });
  }
}

/** Decode znode data; throws InvalidZnodeDataError naming what is wrong (never returns garbage). */
export function decodeActiveNodeInfo(data: Uint8Array, path = 'znode'): ActiveNodeInfo {
  const { message, hex } = parseZnodeData(ActiveNodeInfoSchema, data, path);
  for (const field of REQUIRED) {
    if (!isFieldSet(message, ActiveNodeInfoSchema.field[field])) {
      throw new InvalidZnodeDataError(`Invalid data in ZK at ${path}: ${hex} (required field ${field} missing)`, hex);
    }
  }
  if (message.$unknown && message.$unknown.length > 0) {
    throw new InvalidZnodeDataError(`Invalid data in ZK at ${path}: ${hex} (unknown fields)`, hex);
  }
  if (message.port <= 0 || message.port > 65535 || message.zkfcPort < 0 || message.zkfcPort > 65535) {
    throw new InvalidZnodeDataError(
      `Invalid data in ZK at ${path}: port ${message.port} / zkfcPort ${message.zkfcPort} out of range`,
      hex,
    );
  }
  return {
    nameserviceId: message.nameserviceId,
    namenodeId: message.namenodeId,
    hostname: message.hostname,
    port: message.port,
    zkfcPort: message.zkfcPort,
  };
}
