// The YARN ResourceManager HA topology as Hadoop's yarn HAUtil / RMHAServiceTarget derive it from
// yarn-site.xml: the rm-ids, the cluster id, each ResourceManager's admin address (where it serves
// HAServiceProtocol) and web address, which ResourceManager is the local one, and the "view" that
// lets the daemon's settings (ZooKeeper, retries, fencing, ports) be read from the keys a
// ResourceManager operator already has (README "ResourceManager HA"). Errors are ConfigErrors naming
// the key at fault. Nothing here opens a connection; only local RM detection resolves host names.

import { isIP } from 'node:net';
import type { NamenodeTarget } from '../core/types.js';
import { ConfigError } from '../errors.js';
import type { HadoopConfiguration } from './hadoop-conf.js';
import { isLocalAddress, parseHostPort, systemLocalAddressProbe, type LocalAddressProbe } from './topology.js';

export const RM_HA_ENABLED = 'yarn.resourcemanager.ha.enabled';
export const RM_HA_IDS = 'yarn.resourcemanager.ha.rm-ids';
export const RM_HA_ID = 'yarn.resourcemanager.ha.id';
export const RM_CLUSTER_ID = 'yarn.resourcemanager.cluster-id';
export const RM_HOSTNAME = 'yarn.resourcemanager.hostname';
export const RM_ADDRESS = 'yarn.resourcemanager.address';
export const RM_ADMIN_ADDRESS = 'yarn.resourcemanager.admin.address';
export const RM_WEBAPP_ADDRESS = 'yarn.resourcemanager.webapp.address';
export const RM_AUTO_FAILOVER_ENABLED = 'yarn.resourcemanager.ha.automatic-failover.enabled';
export const RM_AUTO_FAILOVER_EMBEDDED = 'yarn.resourcemanager.ha.automatic-failover.embedded';
export const RM_CURATOR_ELECTOR = 'yarn.resourcemanager.ha.curator-leader-elector.enabled';
export const RM_ZK_BASE_PATH = 'yarn.resourcemanager.ha.automatic-failover.zk-base-path';
export const RM_STORE_CLASS = 'yarn.resourcemanager.store.class';
export const RM_RECOVERY_ENABLED = 'yarn.resourcemanager.recovery.enabled';
/** CommonConfigurationKeys.ZK_ADDRESS: the state store's quorum (and the elector's in Hadoop 3.4). */
export const ZK_ADDRESS = 'hadoop.zk.address';
export const ZK_TIMEOUT_MS = 'hadoop.zk.timeout-ms';
/** YarnConfiguration.RM_ZK_ADDRESS / RM_ZK_TIMEOUT_MS: what the embedded elector reads (see confForResourceManager). */
export const RM_ZK_ADDRESS = 'yarn.resourcemanager.zk-address';
export const RM_ZK_TIMEOUT_MS = 'yarn.resourcemanager.zk-timeout-ms';
export const ZK_ACL = 'hadoop.zk.acl';
export const ZK_AUTH = 'hadoop.zk.auth';
/** YarnConfiguration.RM_ZK_CLIENT_SSL_ENABLED (Hadoop 3.4), the embedded elector's TLS switch. */
export const RM_ZK_CLIENT_SSL_ENABLED = 'yarn.resourcemanager.zk-client-ssl.enabled';
export const RM_ELECTOR_ZK_RETRIES = 'yarn.resourcemanager.ha.failover-controller.active-standby-elector.zk.retries';
export const YARN_ADMIN_ACL = 'yarn.admin.acl';
/** Ours (Hadoop has no ZKFC for ResourceManagers): the port of the daemon's ZKFCProtocol server, per rm-id. */
export const ZKFC_RM_PORT = 'zkfc.rm.zkfc-port';
/** Ours: fencing methods for ResourceManagers (optional with ZKRMStateStore, which fences). */
export const ZKFC_RM_FENCING_METHODS = 'zkfc.rm.fencing.methods';

export const ZK_RM_STATE_STORE = 'org.apache.hadoop.yarn.server.resourcemanager.recovery.ZKRMStateStore';
export const RM_ADMIN_PORT_DEFAULT = 8033;
export const RM_WEBAPP_PORT_DEFAULT = 8088;
export const RM_PORT_DEFAULT = 8032;
/** Next to the ResourceManager's own 8030-8033, and not dfs.ha.zkfc.port's 8019 (a host may run both daemons). */
export const ZKFC_RM_PORT_DEFAULT = 8034;
/** The ResourceManager daemon's status listener port (the NameNode daemon's is 8021): both may share a host. */
export const ZKFC_RM_HTTP_PORT_DEFAULT = 8035;
/** YarnConfiguration.DEFAULT_RM_ZK_TIMEOUT_MS. */
export const ZK_TIMEOUT_MS_DEFAULT = 10_000;
export const RM_ZK_BASE_PATH_DEFAULT = '/yarn-leader-election';
/**
 * A ResourceManager's transitionToActive loads the whole state store before it returns; Hadoop's
 * 60 s new-active timeout (made for NameNodes) is short for a store with many applications.
 */
export const RM_NEW_ACTIVE_RPC_TIMEOUT_MS_DEFAULT = 180_000;

/** Every ResourceManager of the cluster as our targets: cluster id as nameservice, rm-id as NameNode id. */
export interface RmClusterTopology {
  readonly clusterId: string;
  readonly rmIds: readonly string[];
  readonly resourceManagers: readonly NamenodeTarget[];
}

/** yarn.resourcemanager.ha.enabled (HAUtil.isHAEnabled), default false. */
export function isRmHaEnabled(conf: HadoopConfiguration): boolean {
  return conf.getBooleanStrict(RM_HA_ENABLED, false);
}

/** yarn.resourcemanager.ha.rm-ids, trimmed, duplicates removed. */
export function getRmIds(conf: HadoopConfiguration): string[] {
  return [...new Set(conf.getTrimmedStrings(RM_HA_IDS))];
}

/** Parity: YarnConfiguration.getClusterId: required for HA ("Configuration doesn't specify …"). */
export function getRmClusterId(conf: HadoopConfiguration): string {
  const id = conf.getTrimmed(RM_CLUSTER_ID);
  if (id === undefined || id === '') {
    throw new ConfigError(`Configuration doesn't specify ${RM_CLUSTER_ID}`, RM_CLUSTER_ID, conf.source(RM_CLUSTER_ID));
  }
  if (id.includes('/')) {
    throw new ConfigError(
      `${RM_CLUSTER_ID} '${id}' must not contain '/': it names the election znode`,
      RM_CLUSTER_ID,
      conf.source(RM_CLUSTER_ID),
    );
  }
  return id;
}

/**
 * One of a ResourceManager's addresses. Parity: HAUtil.checkAndSetRMRPCAddress: `<key>.<rmId>`,
 * else `yarn.resourcemanager.hostname.<rmId>` with the address's default port; neither is an
 * error naming both keys.
 */
export function getRmAddress(
  conf: HadoopConfiguration,
  base: string,
  rmId: string,
  defaultPort: number,
): { host: string; port: number } {
  const key = `${base}.${rmId}`;
  const value = conf.getTrimmed(key);
  if (value !== undefined && value !== '') return parseHostPort(value, key, defaultPort, conf.source(key));
  const hostKey = `${RM_HOSTNAME}.${rmId}`;
  const host = conf.getTrimmed(hostKey);
  if (host !== undefined && host !== '')
    return parseHostPort(`${host}:${defaultPort}`, hostKey, defaultPort, conf.source(hostKey));
  throw new ConfigError(`Invalid configuration! ${hostKey} or ${key} needs to be set in a HA configuration.`, key);
}

/** Every ResourceManager of the cluster; HA half configured is a ConfigError naming the missing key. */
export function getRmClusterTopology(
  conf: HadoopConfiguration,
  options: { readonly requireClusterId?: boolean } = {},
): RmClusterTopology {
  if (!isRmHaEnabled(conf)) {
    throw new ConfigError(`ResourceManager HA is not enabled: ${RM_HA_ENABLED} is not true`, RM_HA_ENABLED);
  }
  const rmIds = getRmIds(conf);
  if (rmIds.length < 2) {
    throw new ConfigError(
      `Invalid configuration! ${RM_HA_IDS} must list at least two ResourceManagers (it is '${rmIds.join(',')}')`,
      RM_HA_IDS,
      conf.source(RM_HA_IDS),
    );
  }
  // Only the elector needs the cluster id; haadmin's per-ResourceManager commands work without it.
  const clusterId =
    options.requireClusterId === false && !conf.has(RM_CLUSTER_ID) ? '(no cluster id)' : getRmClusterId(conf);
  const resourceManagers = rmIds.map((rmId): NamenodeTarget => {
    const admin = getRmAddress(conf, RM_ADMIN_ADDRESS, rmId, RM_ADMIN_PORT_DEFAULT);
    const web = getRmAddress(conf, RM_WEBAPP_ADDRESS, rmId, RM_WEBAPP_PORT_DEFAULT);
    const portKey = conf.resolveSuffixedKey(ZKFC_RM_PORT, rmId);
    const zkfcPort = portKey === undefined ? ZKFC_RM_PORT_DEFAULT : conf.getInt(portKey, ZKFC_RM_PORT_DEFAULT);
    if (zkfcPort < 0 || zkfcPort > 65535) {
      throw new ConfigError(
        `Invalid value for ${portKey}: port ${zkfcPort} out of range`,
        portKey,
        conf.source(portKey ?? ''),
      );
    }
    return {
      nameserviceId: clusterId,
      namenodeId: rmId,
      serviceAddress: admin,
      // A wildcard web bind means "the ResourceManager's host", as for NameNodes.
      httpAddress: web.host === '0.0.0.0' || web.host === '::' ? { host: admin.host, port: web.port } : web,
      zkfcPort,
    };
  });
  return { clusterId, rmIds, resourceManagers };
}

export interface LocalResourceManager {
  readonly clusterId: string;
  readonly rmId: string;
  readonly how: 'configured' | 'address';
}

/**
 * Which ResourceManager runs on this host. Parity: HAUtil.getRMHAId: yarn.resourcemanager.ha.id
 * when set (it must be one of the rm-ids), else the single rm-id whose RPC address
 * (`yarn.resourcemanager.address.<id>`, else its hostname) resolves to a local address.
 */
export async function detectLocalResourceManager(
  conf: HadoopConfiguration,
  probe: LocalAddressProbe = systemLocalAddressProbe,
  configuredRmId: string | null = conf.getTrimmed(RM_HA_ID) || null,
): Promise<LocalResourceManager> {
  const topology = getRmClusterTopology(conf);
  if (configuredRmId !== null) {
    if (!topology.rmIds.includes(configuredRmId)) {
      throw new ConfigError(
        `Invalid configuration! ${RM_HA_ID}: ${configuredRmId} is not one of ${RM_HA_IDS} ` +
          `(${topology.rmIds.join(',')})`,
        RM_HA_ID,
        conf.source(RM_HA_ID),
      );
    }
    return { clusterId: topology.clusterId, rmId: configuredRmId, how: 'configured' };
  }
  const local = new Set(probe.localAddresses().map((a) => a.toLowerCase()));
  const matches: string[] = [];
  for (const rmId of topology.rmIds) {
    let host: string;
    try {
      host = getRmAddress(conf, RM_ADDRESS, rmId, RM_PORT_DEFAULT).host;
    } catch {
      continue;
    }
    let addresses: readonly string[];
    try {
      addresses = isIP(host) ? [host] : await probe.resolve(host);
    } catch {
      addresses = [];
    }
    if (addresses.some((address) => isLocalAddress(address, local))) matches.push(rmId);
  }
  if (matches.length > 1) {
    throw new ConfigError(
      `The HA Configuration has multiple addresses that match local node's address (${matches.join(', ')}). ` +
        `Please configure ${RM_HA_ID}`,
      RM_HA_ID,
    );
  }
  const match = matches[0];
  if (match === undefined) {
    throw new ConfigError(
      `Can not find valid RM_HA_ID. None of ${topology.rmIds.map((id) => `${RM_ADDRESS}.${id}`).join(' ')} ` +
        `are matching the local address OR ${RM_HA_ID} is not specified in HA Configuration`,
      RM_HA_ID,
    );
  }
  return { clusterId: topology.clusterId, rmId: match, how: 'address' };
}

/**
 * The Hadoop configuration as the daemon's settings read it for a ResourceManager: the keys the
 * embedded elector reads (hadoop.zk.*, the zk-base-path, the automatic-failover switch, the
 * retries, yarn.admin.acl) are copied onto the settings' key names, so one settings table serves
 * both kinds and each value still names the key and file it came from. NameNode-only keys
 * (dfs.ha.fencing.methods, dfs.ha.zkfc.port, dfs.nameservice.id, dfs.ha.namenode.id) are dropped:
 * on a host that runs both, they belong to the NameNode's daemon.
 */
export function confForResourceManager(conf: HadoopConfiguration, rmId: string): HadoopConfiguration {
  const view = conf.copy();
  for (const key of [
    'dfs.ha.fencing.methods',
    'dfs.ha.zkfc.port',
    'dfs.nameservice.id',
    'dfs.ha.namenode.id',
    'ha.zookeeper.quorum',
    'ha.zookeeper.session-timeout.ms',
    'ha.zookeeper.parent-znode',
    'ha.zookeeper.acl',
    'ha.zookeeper.auth',
    'dfs.ha.automatic-failover.enabled',
    'dfs.cluster.administrators',
    'dfs.ha.zkfc.nn.http.timeout.ms',
    'dfs.ha.zkfc.client.ssl.enabled',
  ]) {
    for (const name of conf.keys()) if (name === key || name.startsWith(`${key}.`)) view.unset(name);
  }
  const copy = (from: string, to: string, fallback?: string): void => {
    const key = conf.resolveSuffixedKey(from, rmId);
    if (key !== undefined) view.set(to, conf.getRaw(key) ?? '', `${conf.source(key) ?? 'unknown'} as ${key}`);
    else if (fallback !== undefined) view.set(to, fallback, `ResourceManager default of ${from}`);
  };
  // The embedded elector reads yarn.resourcemanager.zk-address / zk-timeout-ms; Hadoop 3.4 maps
  // them to hadoop.zk.* (YarnConfiguration#addDeprecatedKeys), 3.5 reads the old names only
  // (seen on 3.5.0). Either name works here, the ResourceManager's own first.
  const first = (names: readonly string[], to: string, fallback?: string): void =>
    copy(names.find((name) => conf.resolveSuffixedKey(name, rmId) !== undefined) ?? names[0]!, to, fallback);
  first([RM_ZK_ADDRESS, ZK_ADDRESS], 'ha.zookeeper.quorum');
  first([RM_ZK_TIMEOUT_MS, ZK_TIMEOUT_MS], 'ha.zookeeper.session-timeout.ms', String(ZK_TIMEOUT_MS_DEFAULT));
  copy(RM_ZK_BASE_PATH, 'ha.zookeeper.parent-znode', RM_ZK_BASE_PATH_DEFAULT);
  copy(ZK_ACL, 'ha.zookeeper.acl');
  copy(ZK_AUTH, 'ha.zookeeper.auth');
  // Parity: ActiveStandbyElectorBasedElectorService turns TLS on with hadoop.zk.ssl.enabled, else
  // yarn.resourcemanager.zk-client-ssl.enabled (the place dfs.ha.zkfc.client.ssl.enabled has for NameNodes).
  copy(RM_ZK_CLIENT_SSL_ENABLED, 'dfs.ha.zkfc.client.ssl.enabled');
  // The ResourceManager itself runs with automatic failover off (ownElectorProblem); zkfc is its automatic failover.
  view.set('dfs.ha.automatic-failover.enabled', 'true', 'zkfc drives this ResourceManager');
  copy(YARN_ADMIN_ACL, 'dfs.cluster.administrators', '*');
  copy(ZKFC_RM_FENCING_METHODS, 'dfs.ha.fencing.methods');
  copy(ZKFC_RM_PORT, 'dfs.ha.zkfc.port', String(ZKFC_RM_PORT_DEFAULT));
  if (!conf.has('zkfc.http-address') && !conf.has(`zkfc.http-address.${rmId}`)) {
    view.set('zkfc.http-address', `127.0.0.1:${ZKFC_RM_HTTP_PORT_DEFAULT}`, 'ResourceManager daemon default');
  }
  // Parity: ActiveStandbyElectorBasedElectorService reads the RM's own retry key, else the common one.
  if (conf.has(RM_ELECTOR_ZK_RETRIES))
    copy(RM_ELECTOR_ZK_RETRIES, 'ha.failover-controller.active-standby-elector.zk.op.retries');
  // A hung ResourceManager (a stopped JVM) is replaced by the embedded elector once its ZooKeeper
  // session expires; Hadoop's 45 s health-check RPC timeout, made for NameNodes, would take five
  // times longer (bench/results-rm.md). Unless set, a ResourceManager's health check allows the
  // session timeout: the same bound the embedded elector has.
  if (!conf.has('ha.health-monitor.rpc-timeout.ms')) {
    const session = view.getRaw('ha.zookeeper.session-timeout.ms') ?? String(ZK_TIMEOUT_MS_DEFAULT);
    view.set('ha.health-monitor.rpc-timeout.ms', session, 'ResourceManager default (the ZooKeeper session timeout)');
  }
  if (!conf.has('ha.failover-controller.new-active.rpc-timeout.ms')) {
    view.set(
      'ha.failover-controller.new-active.rpc-timeout.ms',
      String(RM_NEW_ACTIVE_RPC_TIMEOUT_MS_DEFAULT),
      'ResourceManager default (its activation loads the state store)',
    );
  }
  return view;
}

/**
 * A ResourceManager with automatic failover on runs an elector of its own (embedded, or Curator's),
 * which would fight us over it; Hadoop 3.4 refuses to start one with automatic failover on and
 * neither elector (HAUtil#verifyLeaderElection). So zkfc drives a ResourceManager whose
 * yarn-site.xml turns automatic failover off: it starts standby, runs no elector and accepts
 * transitions from a controller (as forced user requests: resourceManagerRequests).
 */
export function ownElectorProblem(conf: HadoopConfiguration, rmId: string): ConfigError | undefined {
  const key = conf.resolveSuffixedKey(RM_AUTO_FAILOVER_ENABLED, rmId) ?? RM_AUTO_FAILOVER_ENABLED;
  if (!conf.getBooleanStrict(key, true)) return undefined;
  const curator = conf.getBooleanStrict(RM_CURATOR_ELECTOR, false);
  const embedded = conf.getBooleanStrict(RM_AUTO_FAILOVER_EMBEDDED, true);
  const elector = curator
    ? `Curator's (${RM_CURATOR_ELECTOR})`
    : embedded
      ? 'the embedded one'
      : 'none, so it will not start';
  return new ConfigError(
    `ResourceManager ${rmId} runs automatic failover itself (${RM_AUTO_FAILOVER_ENABLED} is ` +
      `${conf.has(key) ? 'true' : 'unset, default true'}; its elector: ${elector}): set ` +
      `${RM_AUTO_FAILOVER_ENABLED}=false in this ResourceManager's yarn-site.xml and restart it, ` +
      `then zkfc drives it; two electors must not act for one ResourceManager`,
    RM_AUTO_FAILOVER_ENABLED,
    conf.source(key),
  );
}

/** Whether the ResourceManagers' state store fences an old active (ZKRMStateStore does; the others do not). */
export function stateStoreFences(conf: HadoopConfiguration): { fences: boolean; store: string } {
  const recovery = conf.has(RM_RECOVERY_ENABLED) ? conf.getBooleanStrict(RM_RECOVERY_ENABLED, false) : false;
  const store =
    conf.getTrimmed(RM_STORE_CLASS) ?? 'org.apache.hadoop.yarn.server.resourcemanager.recovery.FileSystemRMStateStore';
  return { fences: recovery && store === ZK_RM_STATE_STORE, store: recovery ? store : `${store} (recovery disabled)` };
}
