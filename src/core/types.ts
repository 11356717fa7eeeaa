// Shared vocabulary of the pure core: Hadoop's HA states, health states and the identity of a
// NameNode as ZooKeeper and configuration know it. Plain data only; no Node types (see
// src/core/tsconfig.json), so every layer can import it.

/** HAServiceProtocol states (HAServiceStateProto). `stopping` has no proto value in Hadoop. */
export const HA_SERVICE_STATES = ['INITIALIZING', 'ACTIVE', 'STANDBY', 'OBSERVER'] as const;
export type HAServiceState = (typeof HA_SERVICE_STATES)[number];

/** Who asks for a state change (HARequestSource); the NameNode gates on it (docs/hadoop-compat.md §2.3). */
export type HARequestSource = 'REQUEST_BY_USER' | 'REQUEST_BY_USER_FORCED' | 'REQUEST_BY_ZKFC';

/** Result of getServiceStatus. */
export interface ServiceStatus {
  readonly state: HAServiceState;
  readonly readyToBecomeActive?: boolean;
  readonly notReadyReason?: string;
}

/** Hadoop HealthMonitor.State (docs/hadoop-compat.md §6.2). */
export const HEALTH_STATES = [
  'INITIALIZING',
  'SERVICE_NOT_RESPONDING',
  'SERVICE_HEALTHY',
  'SERVICE_UNHEALTHY',
  'HEALTH_MONITOR_FAILED',
] as const;
export type HealthState = (typeof HEALTH_STATES)[number];

/** ActiveStandbyElector state (docs/hadoop-compat.md §5.1). */
export const ELECTOR_STATES = ['INIT', 'ACTIVE', 'STANDBY', 'NEUTRAL'] as const;
export type ElectorState = (typeof ELECTOR_STATES)[number];

/** A host and port as configured (the host string is kept as written, as Java's getHostName does). */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/**
 * The decoded form of HAZKInfo.proto ActiveNodeInfo: what the lock and breadcrumb znodes hold.
 * Encoding lives in src/zookeeper/active-node-info.ts (generated protobuf code).
 */
export interface ActiveNodeInfo {
  readonly nameserviceId: string;
  readonly namenodeId: string;
  readonly hostname: string;
  readonly port: number;
  readonly zkfcPort: number;
}

/**
 * A NameNode of the nameservice as our configuration knows it: the target of health checks,
 * transitions and fencing. Addresses follow Hadoop: the service address is servicerpc-address if
 * set, else rpc-address; health checks use the lifeline address when it is configured.
 */
export interface NamenodeTarget {
  readonly nameserviceId: string;
  readonly namenodeId: string;
  readonly serviceAddress: HostPort;
  readonly lifelineAddress?: HostPort;
  readonly httpAddress?: HostPort;
  /** Port of this NameNode's ZKFC RPC server (dfs.ha.zkfc.port, per-nn resolvable). */
  readonly zkfcPort: number;
  /**
   * Other spellings of serviceAddress.host that name the same machine, found by the runtime at
   * start-up (resolved IPs, the reverse-resolved name Java's getHostName() would write). The pure
   * core cannot resolve names; Hadoop compares breadcrumb addresses resolved, so these let a
   * breadcrumb written by a Java ZKFC ("localhost") match a configured "127.0.0.1".
   */
  readonly serviceHostAliases?: readonly string[];
}
