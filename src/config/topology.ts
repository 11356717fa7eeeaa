// The HDFS HA topology as Hadoop's DFSUtil / HAUtil / NNHAServiceTarget derive it from
// hdfs-site.xml: nameservices, the NameNode ids of each, their RPC / service RPC / lifeline /
// HTTP addresses and ZKFC ports, the automatic-failover flag, which NameNode is the local one,
// and the "configuration as seen by one NameNode" view (per-nn / per-ns keys promoted to the
// generic key) that shell fencing exports. Errors are ConfigErrors naming the key at fault.
// Nothing here opens a connection; only local NN detection resolves host names.

import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { HostPort, NamenodeTarget } from '../core/types.js';
import { ConfigError } from '../errors.js';
import { addKeySuffixes, type HadoopConfiguration } from './hadoop-conf.js';

export const DFS_NAMESERVICES = 'dfs.nameservices';
export const DFS_NAMESERVICE_ID = 'dfs.nameservice.id';
export const DFS_HA_NAMENODES_KEY_PREFIX = 'dfs.ha.namenodes';
export const DFS_HA_NAMENODE_ID_KEY = 'dfs.ha.namenode.id';
export const DFS_NAMENODE_RPC_ADDRESS_KEY = 'dfs.namenode.rpc-address';
export const DFS_NAMENODE_SERVICE_RPC_ADDRESS_KEY = 'dfs.namenode.servicerpc-address';
export const DFS_NAMENODE_LIFELINE_RPC_ADDRESS_KEY = 'dfs.namenode.lifeline.rpc-address';
export const DFS_NAMENODE_HTTP_ADDRESS_KEY = 'dfs.namenode.http-address';
export const DFS_HA_ZKFC_PORT_KEY = 'dfs.ha.zkfc.port';
export const DFS_HA_AUTO_FAILOVER_ENABLED_KEY = 'dfs.ha.automatic-failover.enabled';
export const FS_DEFAULT_NAME_KEY = 'fs.defaultFS';

export const DFS_NAMENODE_RPC_PORT_DEFAULT = 8020;
export const DFS_NAMENODE_HTTP_PORT_DEFAULT = 9870;
export const DFS_HA_ZKFC_PORT_DEFAULT = 8019;

/**
 * Parity: NameNode.NAMENODE_SPECIFIC_KEYS (Hadoop 3.3): keys that may be suffixed with
 * `.<ns>.<nn>` or `.<ns>` and are promoted to the generic key for one NameNode.
 */
export const NAMENODE_SPECIFIC_KEYS: readonly string[] = [
  'dfs.namenode.rpc-address',
  'dfs.namenode.rpc-bind-host',
  'dfs.namenode.name.dir',
  'dfs.namenode.edits.dir',
  'dfs.namenode.shared.edits.dir',
  'dfs.namenode.checkpoint.dir',
  'dfs.namenode.checkpoint.edits.dir',
  'dfs.namenode.lifeline.rpc-address',
  'dfs.namenode.lifeline.rpc-bind-host',
  'dfs.namenode.servicerpc-address',
  'dfs.namenode.servicerpc-bind-host',
  'dfs.namenode.http-address',
  'dfs.namenode.https-address',
  'dfs.namenode.http-bind-host',
  'dfs.namenode.https-bind-host',
  'dfs.namenode.keytab.file',
  'dfs.namenode.secondary.http-address',
  'dfs.namenode.secondary.https-address',
  'dfs.secondary.namenode.keytab.file',
  'dfs.namenode.backup.address',
  'dfs.namenode.backup.http-address',
  'dfs.namenode.backup.dnrpc-address',
  'dfs.namenode.kerberos.principal',
  'dfs.namenode.kerberos.internal.spnego.principal',
  'dfs.ha.fencing.methods',
  'dfs.ha.zkfc.port',
];

/** Parity: NameNode.NAMESERVICE_SPECIFIC_KEYS: suffixable by `.<ns>` only. */
export const NAMESERVICE_SPECIFIC_KEYS: readonly string[] = ['dfs.ha.automatic-failover.enabled'];

/** Parity: ZKFailoverController.ZKFC_CONF_KEYS, promoted for the local NameNode by DFSZKFailoverController. */
export const ZKFC_CONF_KEYS: readonly string[] = [
  'ha.zookeeper.quorum',
  'ha.zookeeper.session-timeout.ms',
  'ha.zookeeper.parent-znode',
  'ha.zookeeper.acl',
  'ha.zookeeper.auth',
];

/** Every NameNode of one nameservice as configured. */
export interface NameserviceTopology {
  readonly nameserviceId: string;
  readonly namenodeIds: readonly string[];
  readonly automaticFailoverEnabled: boolean;
  readonly namenodes: readonly NamenodeTarget[];
}

/** dfs.nameservices, trimmed, empty items dropped, duplicates removed (getTrimmedStringCollection). */
export function getNameserviceIds(conf: HadoopConfiguration): string[] {
  return [...new Set(conf.getTrimmedStrings(DFS_NAMESERVICES))];
}

/** dfs.ha.namenodes.<ns> (DFSUtilClient.getNameNodeIds). */
export function getNamenodeIds(conf: HadoopConfiguration, nameserviceId: string): string[] {
  return [...new Set(conf.getTrimmedStrings(`${DFS_HA_NAMENODES_KEY_PREFIX}.${nameserviceId}`))];
}

/** Parity: DFSUtil.getOnlyNameServiceIdOrNull: the nameservice when exactly one is configured. */
export function getOnlyNameserviceId(conf: HadoopConfiguration): string | undefined {
  const ids = getNameserviceIds(conf);
  return ids.length === 1 ? ids[0] : undefined;
}

/**
 * The nameservice a command addresses, as NNHAServiceTarget.initializeNnConfig decides: the
 * explicit `-ns`, else the only configured one. The errors carry Hadoop's messages.
 */
export function resolveNameserviceId(conf: HadoopConfiguration, explicit?: string): string {
  if (explicit !== undefined) return explicit;
  const only = getOnlyNameserviceId(conf);
  if (only !== undefined) return only;
  const ids = getNameserviceIds(conf);
  if (ids.length > 1) {
    throw new ConfigError(
      'Unable to determine the name service ID. This is an HA configuration with multiple name services configured. ' +
        `${DFS_NAMESERVICES} is set to [${ids.join(', ')}]. Please re-run with the -ns option.`,
      DFS_NAMESERVICES,
      conf.source(DFS_NAMESERVICES),
    );
  }
  throw new ConfigError('Unable to determine the name service ID.', DFS_NAMESERVICES, conf.source(DFS_NAMESERVICES));
}

/**
 * Parity: HAUtil.isHAEnabled: HA means the nameservice lists more than one NameNode with an RPC
 * address.
 */
export function isHAEnabled(conf: HadoopConfiguration, nameserviceId: string): boolean {
  const withAddress = getNamenodeIds(conf, nameserviceId).filter(
    (nn) => conf.get(addKeySuffixes(DFS_NAMENODE_RPC_ADDRESS_KEY, nameserviceId, nn)) !== undefined,
  );
  return withAddress.length > 1;
}

/** dfs.ha.automatic-failover.enabled[.<ns>], default false (a per-ns key: no per-nn suffix). */
export function isAutomaticFailoverEnabled(conf: HadoopConfiguration, nameserviceId: string): boolean {
  const key = conf.resolveSuffixedKey(DFS_HA_AUTO_FAILOVER_ENABLED_KEY, nameserviceId);
  return key === undefined ? false : conf.getBooleanStrict(key, false);
}

/**
 * Parse an address the way NetUtils.createSocketAddr(target, defaultPort) does: "host:port",
 * "host" (with a default port), "[v6]:port", or a URI "scheme://host:port/path". The host is
 * kept as written. `key` names the configuration key in errors.
 */
export function parseHostPort(text: string, key: string, defaultPort?: number, source?: string): HostPort {
  const target = text.trim();
  const invalid = (why: string): ConfigError =>
    new ConfigError(
      `Does not contain a valid host:port authority: ${target} (configuration property '${key}': ${why})`,
      key,
      source,
    );
  if (target === '') throw invalid('empty');
  let authority = target;
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(authority);
  if (scheme) authority = authority.slice(scheme[0].length);
  const slash = authority.indexOf('/');
  if (slash >= 0) authority = authority.slice(0, slash);
  let host: string;
  let portText: string | undefined;
  if (authority.startsWith('[')) {
    const close = authority.indexOf(']');
    if (close < 0) throw invalid('unclosed [');
    host = authority.slice(1, close);
    const rest = authority.slice(close + 1);
    if (rest !== '') {
      if (!rest.startsWith(':')) throw invalid('junk after ]');
      portText = rest.slice(1);
    }
  } else {
    const colon = authority.lastIndexOf(':');
    if (colon >= 0) {
      if (authority.indexOf(':') !== colon) throw invalid('more than one colon; write IPv6 addresses as [addr]:port');
      host = authority.slice(0, colon);
      portText = authority.slice(colon + 1);
    } else {
      host = authority;
    }
  }
  if (host === '' || /[\s@?#]/.test(host)) throw invalid('bad host');
  let port: number;
  if (portText === undefined || portText === '') {
    if (defaultPort === undefined) throw invalid('no port');
    port = defaultPort;
  } else {
    if (!/^\d{1,5}$/.test(portText)) throw invalid(`bad port '${portText}'`);
    port = Number(portText);
    if (port > 65535) throw invalid(`port ${port} out of range`);
  }
  return { host, port };
}

/**
 * Parity: DFSUtil.getNamenodeServiceAddr: `servicerpc-address.<ns>.<nn>`, else
 * `rpc-address.<ns>.<nn>` (exact suffixes), parsed with default port 8020.
 */
export function getNamenodeServiceAddress(
  conf: HadoopConfiguration,
  nameserviceId: string,
  namenodeId: string,
): HostPort {
  for (const base of [DFS_NAMENODE_SERVICE_RPC_ADDRESS_KEY, DFS_NAMENODE_RPC_ADDRESS_KEY]) {
    const key = addKeySuffixes(base, nameserviceId, namenodeId);
    const value = conf.get(key);
    if (value !== undefined) return parseHostPort(value, key, DFS_NAMENODE_RPC_PORT_DEFAULT, conf.source(key));
  }
  throw new ConfigError(
    `Unable to determine service address for namenode '${namenodeId}'`,
    addKeySuffixes(DFS_NAMENODE_RPC_ADDRESS_KEY, nameserviceId, namenodeId),
  );
}

/** The client RPC address (`rpc-address.<ns>.<nn>`), or undefined when not configured. */
export function getNamenodeRpcAddress(
  conf: HadoopConfiguration,
  nameserviceId: string,
  namenodeId: string,
): HostPort | undefined {
  const key = addKeySuffixes(DFS_NAMENODE_RPC_ADDRESS_KEY, nameserviceId, namenodeId);
  const value = conf.get(key);
  return value === undefined ? undefined : parseHostPort(value, key, DFS_NAMENODE_RPC_PORT_DEFAULT, conf.source(key));
}

/**
 * Resolve one NameNode the way NNHAServiceTarget does. Service address: servicerpc or rpc
 * address; lifeline: `lifeline.rpc-address.<ns>.<nn>` (port required, as
 * NetUtils.createSocketAddr without default); HTTP: http-address with ns/nn suffix resolution,
 * default port 9870, a wildcard host replaced by the service host; ZKFC port: dfs.ha.zkfc.port
 * with ns/nn suffix resolution, default 8019.
 */
export function getNamenodeTarget(
  conf: HadoopConfiguration,
  nameserviceId: string,
  namenodeId: string,
): NamenodeTarget {
  const serviceAddress = getNamenodeServiceAddress(conf, nameserviceId, namenodeId);
  const lifelineKey = addKeySuffixes(DFS_NAMENODE_LIFELINE_RPC_ADDRESS_KEY, nameserviceId, namenodeId);
  const lifelineText = conf.getTrimmed(lifelineKey);
  const lifelineAddress =
    lifelineText === undefined || lifelineText === ''
      ? undefined
      : parseHostPort(lifelineText, lifelineKey, undefined, conf.source(lifelineKey));
  const httpKey = conf.resolveSuffixedKey(DFS_NAMENODE_HTTP_ADDRESS_KEY, nameserviceId, namenodeId);
  let httpAddress: HostPort | undefined;
  if (httpKey !== undefined) {
    const parsed = parseHostPort(
      conf.get(httpKey) ?? '',
      httpKey,
      DFS_NAMENODE_HTTP_PORT_DEFAULT,
      conf.source(httpKey),
    );
    // Parity: DFSUtil.substituteForWildcardAddress: a wildcard bind means "the NameNode's host".
    httpAddress = isWildcardHost(parsed.host) ? { host: serviceAddress.host, port: parsed.port } : parsed;
  }
  const zkfcKey = conf.resolveSuffixedKey(DFS_HA_ZKFC_PORT_KEY, nameserviceId, namenodeId);
  const zkfcPort = zkfcKey === undefined ? DFS_HA_ZKFC_PORT_DEFAULT : conf.getInt(zkfcKey, DFS_HA_ZKFC_PORT_DEFAULT);
  if (zkfcPort < 0 || zkfcPort > 65535) {
    throw new ConfigError(
      `Invalid value for ${zkfcKey}: port ${zkfcPort} out of range`,
      zkfcKey,
      zkfcKey === undefined ? undefined : conf.source(zkfcKey),
    );
  }
  return {
    nameserviceId,
    namenodeId,
    serviceAddress,
    ...(lifelineAddress ? { lifelineAddress } : {}),
    ...(httpAddress ? { httpAddress } : {}),
    zkfcPort,
  };
}

/** Every NameNode of a nameservice; a nameservice without dfs.ha.namenodes.<ns> is a ConfigError. */
export function getNameserviceTopology(conf: HadoopConfiguration, nameserviceId: string): NameserviceTopology {
  const namenodeIds = getNamenodeIds(conf, nameserviceId);
  if (namenodeIds.length === 0) {
    const key = `${DFS_HA_NAMENODES_KEY_PREFIX}.${nameserviceId}`;
    throw new ConfigError(`No NameNodes configured for nameservice ${nameserviceId}: ${key} is not set`, key);
  }
  return {
    nameserviceId,
    namenodeIds,
    automaticFailoverEnabled: isAutomaticFailoverEnabled(conf, nameserviceId),
    namenodes: namenodeIds.map((nn) => getNamenodeTarget(conf, nameserviceId, nn)),
  };
}

/**
 * Parity: DFSUtil.setGenericConf: for each key, copy `key.<ns>.<nn>` (else `key.<ns>`) to `key`.
 * Modifies `conf`.
 */
export function promoteGenericKeys(
  conf: HadoopConfiguration,
  nameserviceId: string | undefined,
  namenodeId: string | undefined,
  keys: readonly string[],
): void {
  for (const key of keys) {
    for (const candidate of [addKeySuffixes(key, nameserviceId, namenodeId), addKeySuffixes(key, nameserviceId)]) {
      if (candidate === key) continue;
      const raw = conf.getRaw(candidate);
      if (raw !== undefined) {
        conf.set(key, raw, conf.source(candidate) ?? candidate);
        break;
      }
    }
  }
}

/**
 * The configuration as one NameNode sees it. Parity: NNHAServiceTarget's targetConf =
 * NameNode.initializeGenericKeys(copy, ns, nn): sets dfs.nameservice.id and dfs.ha.namenode.id,
 * promotes NAMENODE_SPECIFIC_KEYS (ns, nn) and NAMESERVICE_SPECIFIC_KEYS (ns), and points
 * fs.defaultFS at the NameNode's rpc-address. `extraKeys` (e.g. ZKFC_CONF_KEYS) are promoted too.
 */
export function confForNamenode(
  conf: HadoopConfiguration,
  nameserviceId: string,
  namenodeId: string,
  extraKeys: readonly string[] = [],
): HadoopConfiguration {
  const target = conf.copy();
  target.set(DFS_NAMESERVICE_ID, nameserviceId, 'NameNode.initializeGenericKeys');
  target.set(DFS_HA_NAMENODE_ID_KEY, namenodeId, 'NameNode.initializeGenericKeys');
  promoteGenericKeys(target, nameserviceId, namenodeId, NAMENODE_SPECIFIC_KEYS);
  promoteGenericKeys(target, nameserviceId, undefined, NAMESERVICE_SPECIFIC_KEYS);
  if (extraKeys.length > 0) promoteGenericKeys(target, nameserviceId, namenodeId, extraKeys);
  const rpcAddress = target.get(DFS_NAMENODE_RPC_ADDRESS_KEY);
  if (rpcAddress !== undefined)
    target.set(FS_DEFAULT_NAME_KEY, `hdfs://${rpcAddress}`, 'NameNode.initializeGenericKeys');
  return target;
}

// ---------------------------------------------------------------------------------------------
// Local NameNode detection

/** What detection needs from the host; injectable for table tests. */
export interface LocalAddressProbe {
  /** Every IP address of this host's interfaces. */
  localAddresses(): readonly string[];
  /** Resolve a configured host name to its IP addresses; reject (or return []) when unresolvable. */
  resolve(host: string): Promise<readonly string[]>;
}

export const systemLocalAddressProbe: LocalAddressProbe = {
  localAddresses() {
    const result: string[] = [];
    for (const list of Object.values(networkInterfaces())) {
      for (const info of list ?? []) result.push(info.address);
    }
    return result;
  },
  async resolve(host) {
    const addresses = await dnsLookup(host, { all: true });
    return addresses.map((a) => a.address);
  },
};

export interface LocalNamenode {
  readonly nameserviceId: string;
  readonly namenodeId: string;
  /** How it was found: the configured ids, or by matching a local interface address. */
  readonly how: 'configured' | 'address';
}

/**
 * Find which configured NameNode runs on this host, as DFSZKFailoverController does:
 * dfs.nameservice.id (or the only nameservice) and dfs.ha.namenode.id when set; otherwise the
 * single `dfs.namenode.rpc-address.<ns>.<nn>` whose host resolves to a local address
 * (Parity: DFSUtil.getSuffixIDs with LOCAL_ADDRESS_MATCHER, which counts wildcard and loopback
 * addresses as local). More than one match, or none, is a ConfigError with Hadoop's message.
 */
export async function detectLocalNamenode(
  conf: HadoopConfiguration,
  probe: LocalAddressProbe = systemLocalAddressProbe,
  configured: { readonly nameserviceId: string | null; readonly namenodeId: string | null } = {
    nameserviceId: conf.getTrimmed(DFS_NAMESERVICE_ID) || null,
    namenodeId: conf.getTrimmed(DFS_HA_NAMENODE_ID_KEY) || null,
  },
): Promise<LocalNamenode> {
  const configuredNs = configured.nameserviceId ?? undefined;
  const configuredNn = configured.namenodeId ?? undefined;
  const knownNs = configuredNs ?? getOnlyNameserviceId(conf);
  if (knownNs !== undefined && configuredNn !== undefined) {
    return { nameserviceId: knownNs, namenodeId: configuredNn, how: 'configured' };
  }
  const nameservices = knownNs !== undefined ? [knownNs] : getNameserviceIds(conf);
  const local = new Set(probe.localAddresses().map(normalizeAddress));
  const matches: Array<{ nameserviceId: string; namenodeId: string }> = [];
  for (const ns of nameservices) {
    const nnIds = configuredNn !== undefined ? [configuredNn] : getNamenodeIds(conf, ns);
    for (const nn of nnIds) {
      const key = addKeySuffixes(DFS_NAMENODE_RPC_ADDRESS_KEY, ns, nn);
      const value = conf.get(key);
      if (value === undefined) continue;
      const { host } = parseHostPort(value, key, DFS_NAMENODE_RPC_PORT_DEFAULT, conf.source(key));
      let addresses: readonly string[];
      try {
        addresses = isIP(host) ? [host] : await probe.resolve(host);
      } catch {
        addresses = []; // unresolved addresses never match (Parity: s.isUnresolved())
      }
      if (addresses.some((address) => isLocalAddress(address, local)))
        matches.push({ nameserviceId: ns, namenodeId: nn });
    }
  }
  if (matches.length > 1) {
    throw new ConfigError(
      `Configuration has multiple addresses that match local node's address. Please ` +
        `configure the system with ${DFS_NAMESERVICE_ID} and ${DFS_HA_NAMENODE_ID_KEY}`,
      DFS_HA_NAMENODE_ID_KEY,
    );
  }
  const match = matches[0];
  if (match === undefined) {
    throw new ConfigError(
      'Could not get the namenode ID of this node. You may run zkfc on the node other than namenode.',
      DFS_HA_NAMENODE_ID_KEY,
    );
  }
  return { ...match, how: 'address' };
}

/** Parity: NetUtils.isLocalAddress: wildcard, loopback, or an address of a local interface. */
export function isLocalAddress(address: string, localAddresses: ReadonlySet<string>): boolean {
  const normalized = normalizeAddress(address);
  if (normalized === '0.0.0.0' || normalized === '::') return true;
  if (normalized.startsWith('127.') || normalized === '::1') return true;
  return localAddresses.has(normalized);
}

/** IPv4-mapped IPv6 (::ffff:a.b.c.d) as plain IPv4, so both spellings compare equal. */
function normalizeAddress(address: string): string {
  const lower = address.toLowerCase();
  return lower.startsWith('::ffff:') && isIP(lower.slice(7)) === 4 ? lower.slice(7) : lower;
}

function isWildcardHost(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}
