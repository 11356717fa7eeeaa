// Encoding and strict decoding of ActiveRMInfoProto, the bytes a ResourceManager's embedded elector
// (ActiveStandbyElectorBasedElectorService#createActiveNodeInfo) writes into the lock and
// breadcrumb znodes under /yarn-leader-election/<cluster-id>. Our encoding is byte-identical to
// Hadoop 3.4's and 3.5's (clusterId, rmId), so an embedded ResourceManager's start-up check
// (isParentZnodeSafe) accepts a lock we hold. The bytes carry no address: decoding looks the rm-id
// up in our configuration to give the core the same ActiveNodeInfo shape as a NameNode's.

import { create, isFieldSet, toBinary } from '@bufbuild/protobuf';
import type { ActiveNodeInfo, HARequestSource, NamenodeTarget } from '../core/types.js';
import type { HAServiceClientFactory } from '../runtime/ports.js';
import { ActiveRMInfoProtoSchema } from '../gen/ActiveRMInfo_pb.js';
import { InvalidZnodeDataError, parseZnodeData } from './active-node-info.js';

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
  const { message, hex } = parseZnodeData(ActiveRMInfoProtoSchema, data, path);
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

/**
 * A ResourceManager accepts transitions from an external controller only as a forced user
 * request: Hadoop 3.4 refuses to start one with automatic failover on and no embedded (or Curator)
 * elector (HAUtil#verifyLeaderElection), and with automatic failover off its AdminService refuses
 * REQUEST_BY_ZKFC (checkHaStateChange). REQUEST_BY_USER_FORCED is accepted by both a
 * zkfc-driven ResourceManager and one still running the embedded elector (with a warning there),
 * so the daemon's transitions and graceful fences reach either during a migration.
 */
export function resourceManagerRequests(factory: HAServiceClientFactory): HAServiceClientFactory {
  const source = (requested: HARequestSource): HARequestSource =>
    requested === 'REQUEST_BY_ZKFC' ? 'REQUEST_BY_USER_FORCED' : requested;
  return {
    create(address, options) {
      const client = factory.create(address, options);
      return {
        address: client.address,
        monitorHealth: (timeoutMs) => client.monitorHealth(timeoutMs),
        getServiceStatus: (timeoutMs) => client.getServiceStatus(timeoutMs),
        transitionToActive: (requested, timeoutMs) => client.transitionToActive(source(requested), timeoutMs),
        transitionToStandby: (requested, timeoutMs) => client.transitionToStandby(source(requested), timeoutMs),
        transitionToObserver: (requested, timeoutMs) => client.transitionToObserver(source(requested), timeoutMs),
        onConnectionClosed: (listener) => client.onConnectionClosed(listener),
        close: () => client.close(),
      };
    },
  };
}
