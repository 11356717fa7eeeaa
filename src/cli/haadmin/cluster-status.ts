// What `haadmin -status` knows about one nameservice, and how it finds out: every NameNode's HA
// state over HAServiceProtocol (getServiceStatus, short timeout) and every zkfc's GET /status
// (health as its HealthMonitor sees it, the lock holder and breadcrumb it last read, fencing
// readiness of its methods, its last failover), all asked in parallel with bounded timeouts.
// `collectClusterStatus` does the asking (ports injected, so the sandbox can reuse it);
// `clusterStatusVerdict` judges the result; rendering is status-table.ts (pure).
//
// Exit codes of -status (documented in its help):
//   0  exactly one NameNode is active and every NameNode and zkfc answered
//   1  degraded: one NameNode is active, but some NameNode or zkfc did not answer (or a zkfc
//      answered for a different NameNode than configured)
//   2  no NameNode reports active
//   3  more than one NameNode reports active
// Configuration errors are "Illegal argument: ..." with 255, as for every haadmin command.

import type { HostPort, ActiveNodeInfo, HAServiceState, HealthState } from '../../core/types.js';
import { getNamenodeIds, getNamenodeTarget, parseHostPort } from '../../config/topology.js';
import type { HadoopConfiguration } from '../../config/hadoop-conf.js';
import { getRmClusterTopology, ZKFC_RM_HTTP_PORT_DEFAULT } from '../../config/yarn-topology.js';
import { ConfigError, errorMessage } from '../../errors.js';
import type { FencingReadiness, LastFailoverStatus, ZkfcStatus } from '../../observability/status.js';
import type { HAServiceClientFactory } from '../../runtime/ports.js';
import { cliClock } from './cli-clock.js';
import { formatHostPort, type ZkfcStatusFetcher } from './zkfc-status-client.js';

export const ZKFC_HTTP_ADDRESS_KEY = 'zkfc.http-address';
export const ZKFC_HTTP_PORT_DEFAULT = 8021;

/** Defaults of -status: short, so one dead host cannot stall the command. */
export const STATUS_RPC_TIMEOUT_DEFAULT_MS = 5_000;
export const STATUS_HTTP_TIMEOUT_DEFAULT_MS = 3_000;

export const StatusExitCode = { OK: 0, DEGRADED: 1, NO_ACTIVE: 2, MULTIPLE_ACTIVE: 3 } as const;
export type ClusterVerdict = 'ok' | 'degraded' | 'no-active' | 'multiple-active';

/** One NameNode to ask about, with where its zkfc serves /status. */
export interface NamenodeEndpoint {
  readonly namenodeId: string;
  readonly serviceAddress: HostPort;
  readonly zkfcHttpAddress: HostPort;
}

export type HaStateProbe =
  | {
      readonly ok: true;
      readonly state: HAServiceState;
      readonly readyToBecomeActive: boolean | null;
      readonly notReadyReason: string | null;
    }
  | { readonly ok: false; readonly error: string };

export type ZkfcProbe =
  | { readonly ok: true; readonly address: string; readonly status: ZkfcStatus }
  | { readonly ok: false; readonly address: string; readonly error: string };

export interface NamenodeStatus {
  readonly namenodeId: string;
  /** "host:port" of the service RPC address. */
  readonly address: string;
  readonly haState: HaStateProbe;
  readonly zkfc: ZkfcProbe;
  /** The zkfc's HealthMonitor state; null when its zkfc did not answer. */
  readonly health: HealthState | null;
  /** Whether the lock znode names this NameNode; null when no zkfc answered. */
  readonly holdsLock: boolean | null;
  /** Readiness of the fencing methods this NameNode's zkfc would use; null when it did not answer. */
  readonly fencing: readonly FencingReadiness[] | null;
}

/** The election as one zkfc last read it from ZooKeeper. */
export interface ElectionView {
  readonly lockHolder: ActiveNodeInfo | null;
  readonly breadcrumb: ActiveNodeInfo | null;
  /** NameNode id whose zkfc reported this view. */
  readonly reportedBy: string;
}

export interface ClusterStatus {
  readonly nameserviceId: string;
  /** ISO-8601 time the status was collected. */
  readonly collectedAt: string;
  readonly namenodes: readonly NamenodeStatus[];
  /**
   * Lock holder and breadcrumb as reachable zkfcs last read them (the election's active zkfc
   * first, then those connected to ZooKeeper); null if no zkfc answered.
   */
  readonly election: ElectionView | null;
  /** True when reachable zkfcs disagree about the lock holder or breadcrumb. */
  readonly electionViewsDiffer: boolean;
  /** The most recent failover any reachable zkfc performed. */
  readonly lastFailover: (LastFailoverStatus & { readonly reportedBy: string }) | null;
  /** NameNode ids that report ACTIVE. */
  readonly activeNamenodes: readonly string[];
  /** Things that did not answer or do not add up, one sentence each. */
  readonly problems: readonly string[];
  readonly verdict: ClusterVerdict;
}

export interface CollectClusterStatusOptions {
  readonly nameserviceId: string;
  readonly namenodes: readonly NamenodeEndpoint[];
  readonly clients: HAServiceClientFactory;
  readonly fetchZkfcStatus: ZkfcStatusFetcher;
  /** getServiceStatus timeout (also its connect timeout). Default 5000. */
  readonly rpcTimeoutMs?: number;
  /** GET /status timeout. Default 3000. */
  readonly httpTimeoutMs?: number;
  /** Wall-clock ms for collectedAt. Default: the CLI's clock. */
  readonly wallMs?: () => number;
}

/**
 * Where a NameNode's zkfc serves /status: `zkfc.http-address.<ns>.<nn>`, else `.<ns>`, else the
 * generic key; a wildcard host means "the NameNode's host". When nothing is configured, the
 * NameNode's service host with port 8021 (the daemon binds loopback by default, so that only
 * works on the NameNode's own host; configure the key for remote use).
 */
export function zkfcHttpAddressFor(
  conf: HadoopConfiguration,
  nameserviceId: string,
  namenodeId: string,
  serviceHost: string,
): HostPort {
  const key = conf.resolveSuffixedKey(ZKFC_HTTP_ADDRESS_KEY, nameserviceId, namenodeId);
  if (key === undefined) return { host: serviceHost, port: ZKFC_HTTP_PORT_DEFAULT };
  const parsed = parseHostPort(conf.get(key) ?? '', key, ZKFC_HTTP_PORT_DEFAULT, conf.source(key));
  return parsed.host === '0.0.0.0' || parsed.host === '::' ? { host: serviceHost, port: parsed.port } : parsed;
}

/** Every NameNode of the nameservice with its service address and zkfc HTTP address. */
export function clusterStatusEndpoints(conf: HadoopConfiguration, nameserviceId: string): NamenodeEndpoint[] {
  const ids = getNamenodeIds(conf, nameserviceId);
  if (ids.length === 0) {
    const key = `dfs.ha.namenodes.${nameserviceId}`;
    throw new ConfigError(`No NameNodes configured for nameservice ${nameserviceId}: ${key} is not set`, key);
  }
  return ids.map((namenodeId) => {
    const target = getNamenodeTarget(conf, nameserviceId, namenodeId);
    return {
      namenodeId,
      serviceAddress: target.serviceAddress,
      zkfcHttpAddress: zkfcHttpAddressFor(conf, nameserviceId, namenodeId, target.serviceAddress.host),
    };
  });
}

/**
 * Every ResourceManager with its admin address and its zkfc's HTTP address
 * (`zkfc.http-address.<rmId>`, else the generic key, else the ResourceManager's host with the
 * ResourceManager daemon's default port, 8035).
 */
export function resourceManagerStatusEndpoints(conf: HadoopConfiguration): NamenodeEndpoint[] {
  const topology = getRmClusterTopology(conf);
  return topology.resourceManagers.map((rm) => {
    const key = conf.resolveSuffixedKey(ZKFC_HTTP_ADDRESS_KEY, rm.namenodeId);
    const host = rm.serviceAddress.host;
    let zkfcHttpAddress: HostPort = { host, port: ZKFC_RM_HTTP_PORT_DEFAULT };
    if (key !== undefined) {
      const parsed = parseHostPort(conf.get(key) ?? '', key, ZKFC_RM_HTTP_PORT_DEFAULT, conf.source(key));
      zkfcHttpAddress = parsed.host === '0.0.0.0' || parsed.host === '::' ? { host, port: parsed.port } : parsed;
    }
    return { namenodeId: rm.namenodeId, serviceAddress: rm.serviceAddress, zkfcHttpAddress };
  });
}

/** Ask every NameNode and every zkfc, in parallel. Never rejects for a failure of a remote part. */
export async function collectClusterStatus(options: CollectClusterStatusOptions): Promise<ClusterStatus> {
  const rpcTimeoutMs = options.rpcTimeoutMs ?? STATUS_RPC_TIMEOUT_DEFAULT_MS;
  const httpTimeoutMs = options.httpTimeoutMs ?? STATUS_HTTP_TIMEOUT_DEFAULT_MS;
  const collectedAt = new Date((options.wallMs ?? cliClock.wallMs)()).toISOString();
  const probes = await Promise.all(
    options.namenodes.map(async (endpoint) => {
      const [haState, zkfc] = await Promise.all([
        probeHaState(options.clients, endpoint.serviceAddress, rpcTimeoutMs),
        probeZkfc(options.fetchZkfcStatus, endpoint, options.nameserviceId, httpTimeoutMs),
      ]);
      return { endpoint, haState, zkfc };
    }),
  );
  return summarize(options.nameserviceId, collectedAt, probes);
}

async function probeHaState(
  clients: HAServiceClientFactory,
  address: HostPort,
  timeoutMs: number,
): Promise<HaStateProbe> {
  const client = clients.create(address, { connectTimeoutMs: timeoutMs });
  try {
    const status = await client.getServiceStatus(timeoutMs);
    return {
      ok: true,
      state: status.state,
      readyToBecomeActive: status.readyToBecomeActive ?? null,
      notReadyReason: status.notReadyReason ?? null,
    };
  } catch (error) {
    return { ok: false, error: errorMessage(error) };
  } finally {
    client.close();
  }
}

async function probeZkfc(
  fetch: ZkfcStatusFetcher,
  endpoint: NamenodeEndpoint,
  nameserviceId: string,
  timeoutMs: number,
): Promise<ZkfcProbe> {
  const address = formatHostPort(endpoint.zkfcHttpAddress);
  try {
    const status = await fetch(endpoint.zkfcHttpAddress, timeoutMs);
    // A misconfigured address can reach another NameNode's zkfc; its answer must not be taken for this one's.
    if (status.nameservice !== nameserviceId || status.namenode !== endpoint.namenodeId) {
      return {
        ok: false,
        address,
        error:
          `the zkfc at ${address} serves ${status.nameservice}.${status.namenode}, ` +
          `not ${nameserviceId}.${endpoint.namenodeId} (check ${ZKFC_HTTP_ADDRESS_KEY})`,
      };
    }
    return { ok: true, address, status };
  } catch (error) {
    return { ok: false, address, error: errorMessage(error) };
  }
}

interface Probe {
  readonly endpoint: NamenodeEndpoint;
  readonly haState: HaStateProbe;
  readonly zkfc: ZkfcProbe;
}

function sameNode(a: ActiveNodeInfo | null, b: ActiveNodeInfo | null): boolean {
  if (a === null || b === null) return a === b;
  return (
    a.nameserviceId === b.nameserviceId &&
    a.namenodeId === b.namenodeId &&
    a.hostname === b.hostname &&
    a.port === b.port
  );
}

/** Pure: judge the probes (exported for tests and the sandbox). */
export function summarize(nameserviceId: string, collectedAt: string, probes: readonly Probe[]): ClusterStatus {
  const reachable = probes.flatMap((p) =>
    p.zkfc.ok ? [{ namenodeId: p.endpoint.namenodeId, status: p.zkfc.status }] : [],
  );
  // Whose view to trust first: the zkfc that is active in the election (it holds the lock and
  // wrote the breadcrumb), then others connected to ZooKeeper, then the rest. A null field means
  // "absent or not read" (a standby zkfc may never read the breadcrumb), so take the first view
  // that has a value.
  const rank = (r: (typeof reachable)[number]): number =>
    r.status.zkConnectionState !== 'CONNECTED' ? 2 : r.status.electorState === 'ACTIVE' ? 0 : 1;
  const ordered = [...reachable].sort((a, b) => rank(a) - rank(b));
  const withLock = ordered.find((r) => r.status.lockHolder !== null);
  const withBreadcrumb = ordered.find((r) => r.status.breadcrumb !== null);
  const first = withLock ?? withBreadcrumb ?? ordered[0];
  const election: ElectionView | null =
    first === undefined
      ? null
      : {
          lockHolder: withLock?.status.lockHolder ?? null,
          breadcrumb: withBreadcrumb?.status.breadcrumb ?? null,
          reportedBy: first.namenodeId,
        };
  // Views that both have a value and differ (among zkfcs connected to ZooKeeper) disagree.
  const differs = (a: ActiveNodeInfo | null, b: ActiveNodeInfo | null): boolean =>
    a !== null && b !== null && !sameNode(a, b);
  const connected = reachable.filter((r) => r.status.zkConnectionState === 'CONNECTED');
  const electionViewsDiffer =
    election !== null &&
    connected.some(
      (r) => differs(r.status.lockHolder, election.lockHolder) || differs(r.status.breadcrumb, election.breadcrumb),
    );

  let lastFailover: ClusterStatus['lastFailover'] = null;
  for (const r of reachable) {
    const failover = r.status.lastFailover;
    if (failover !== null && (lastFailover === null || Date.parse(failover.at) > Date.parse(lastFailover.at))) {
      lastFailover = { ...failover, reportedBy: r.namenodeId };
    }
  }

  const lockHolder = election?.lockHolder ?? null;
  const namenodes: NamenodeStatus[] = probes.map(({ endpoint, haState, zkfc }) => ({
    namenodeId: endpoint.namenodeId,
    address: formatHostPort(endpoint.serviceAddress),
    haState,
    zkfc,
    health: zkfc.ok ? zkfc.status.healthState : null,
    holdsLock:
      election === null
        ? null
        : lockHolder !== null &&
          lockHolder.nameserviceId === nameserviceId &&
          lockHolder.namenodeId === endpoint.namenodeId,
    fencing: zkfc.ok ? zkfc.status.fencing : null,
  }));

  const problems: string[] = [];
  for (const nn of namenodes) {
    if (!nn.haState.ok)
      problems.push(`${nn.namenodeId}: NameNode at ${nn.address} did not answer getServiceStatus: ${nn.haState.error}`);
    if (!nn.zkfc.ok) problems.push(`${nn.namenodeId}: zkfc unreachable: ${nn.zkfc.error}`);
    else if (nn.health !== null && nn.health !== 'SERVICE_HEALTHY')
      problems.push(`${nn.namenodeId}: health is ${nn.health}`);
    for (const method of nn.fencing ?? []) {
      if (!method.ready)
        problems.push(`${nn.namenodeId}: fencing method ${method.method} is not ready: ${method.detail}`);
    }
  }
  const activeNamenodes = namenodes
    .filter((nn) => nn.haState.ok && nn.haState.state === 'ACTIVE')
    .map((nn) => nn.namenodeId);
  if (activeNamenodes.length === 0) problems.push('no NameNode reports active');
  if (activeNamenodes.length > 1) problems.push(`several NameNodes report active: ${activeNamenodes.join(', ')}`);
  if (lockHolder !== null && activeNamenodes.length === 1 && lockHolder.namenodeId !== activeNamenodes[0]) {
    problems.push(`the lock is held for ${lockHolder.namenodeId}, but ${activeNamenodes[0]} reports active`);
  }
  // A zkfc that sees two actives where this command sees one (a partition, a stale NameNode):
  // worth saying even when our own probes agree.
  for (const nn of namenodes) {
    const view = nn.zkfc.ok ? nn.zkfc.status.cluster : null;
    if (view !== null && view.activeNamenodes.length > 1)
      problems.push(`zkfc of ${nn.namenodeId} sees several active NameNodes: ${view.activeNamenodes.join(', ')}`);
  }
  if (electionViewsDiffer) problems.push('zkfcs disagree about the lock holder or breadcrumb (one view may be stale)');
  // ZooKeeper problems the zkfcs report (a squatted lock, a refused breadcrumb, an open ACL), each
  // once with every zkfc that reports it, and the command that clears it.
  const reported = new Map<string, { readonly reporters: string[]; readonly detail: string; readonly clear: string }>();
  for (const nn of namenodes) {
    if (!nn.zkfc.ok) continue;
    for (const entry of nn.zkfc.status.zookeeperProblems) {
      const key = `${entry.problem}\0${entry.detail}`;
      const known = reported.get(key) ?? { reporters: [], detail: entry.detail, clear: entry.clear };
      known.reporters.push(nn.namenodeId);
      reported.set(key, known);
    }
  }
  for (const { reporters, detail, clear } of reported.values())
    problems.push(`zkfc of ${reporters.join(', ')}: ${detail}; to clear: ${clear}`);
  const pauses = new Set<string>();
  for (const nn of namenodes) {
    const pause = nn.zkfc.ok ? nn.zkfc.status.maintenancePause : null;
    if (pause !== null && pause !== undefined)
      pauses.add(`automatic failover paused until ${pause.until ?? '?'} by ${pause.by}: ${pause.reason}`);
  }
  problems.push(...pauses);
  for (const nn of namenodes) {
    const retry = nn.zkfc.ok ? nn.zkfc.status.zookeeperRetry : null;
    if (retry !== null && retry !== undefined)
      problems.push(
        `zkfc of ${nn.namenodeId}: out of the election, ZooKeeper unreachable since ${retry.since ?? '?'} ` +
          `(${retry.failures} failed attempts, next at ${retry.nextAttemptAt ?? '?'}): ${retry.reason}`,
      );
  }

  for (const nn of namenodes) {
    const hold = nn.zkfc.ok ? nn.zkfc.status.antiFlap?.holdingBack : null;
    if (hold !== null && hold !== undefined)
      problems.push(
        `zkfc of ${nn.namenodeId}: anti-flap holds a failover back since ${hold.since ?? '?'}: ${hold.reason} ` +
          `(${hold.healthReason}); it proceeds at ${hold.releaseAt ?? '?'} if still unhealthy`,
      );
  }

  const everyPartAnswered = namenodes.every((nn) => nn.haState.ok && nn.zkfc.ok);
  const verdict: ClusterVerdict =
    activeNamenodes.length > 1
      ? 'multiple-active'
      : activeNamenodes.length === 0
        ? 'no-active'
        : everyPartAnswered
          ? 'ok'
          : 'degraded';
  return {
    nameserviceId,
    collectedAt,
    namenodes,
    election,
    electionViewsDiffer,
    lastFailover,
    activeNamenodes,
    problems,
    verdict,
  };
}

/** The process exit code for a verdict (see the file comment). */
export function clusterStatusExitCode(verdict: ClusterVerdict): number {
  switch (verdict) {
    case 'ok':
      return StatusExitCode.OK;
    case 'degraded':
      return StatusExitCode.DEGRADED;
    case 'no-active':
      return StatusExitCode.NO_ACTIVE;
    case 'multiple-active':
      return StatusExitCode.MULTIPLE_ACTIVE;
  }
}
