// Wiring of the local NameNode's HTTP view (README "NameNode HTTP view"): the JMX reader at the
// NameNode's dfs.namenode.http-address, the poller on its own timer (zkfc.namenode-http.*), and
// its results into the daemon's one status model and its metrics. NameNodes only: a
// ResourceManager has no such beans. A part of the composition root, kept out of daemon.ts.

import type { ZkfcConfig } from '../config/load.js';
import { DFS_NAMENODE_HTTP_PORT_DEFAULT } from '../config/topology.js';
import type { HostPort, NamenodeTarget } from '../core/types.js';
import { NameNodeJmxReader } from '../hadoop/namenode-jmx.js';
import type { Logger } from '../observability/logger.js';
import type { ZkfcMetrics } from '../observability/metrics.js';
import type { StatusBoard } from '../observability/status.js';
import { NameNodeHttpPoller } from '../runtime/namenode-http-poller.js';
import type { Clock, NameNodeHttpReader, NameNodeHttpResult } from '../runtime/ports.js';

export const DFS_HTTP_POLICY_KEY = 'dfs.http.policy';

/** Whether this daemon reads its NameNode's HTTP view at all. */
export function namenodeHttpEnabled(config: ZkfcConfig): boolean {
  return config.service === 'namenode' && config.settings.namenodeHttp.intervalMs > 0;
}

/**
 * Why the view cannot be read with this configuration, or undefined. Hadoop's dfs.http.policy
 * HTTPS_ONLY leaves the NameNode without plain HTTP; the view is read over plain HTTP only (an
 * HTTPS client would need the truststore of ssl-client.xml, a Java keystore).
 */
export function namenodeHttpConfigProblem(config: ZkfcConfig): string | undefined {
  const policy = (config.confForNamenode(config.local.namenodeId).get(DFS_HTTP_POLICY_KEY) ?? 'HTTP_ONLY').trim();
  if (policy.toUpperCase() !== 'HTTPS_ONLY') return undefined;
  return (
    `${DFS_HTTP_POLICY_KEY} is HTTPS_ONLY: the NameNode serves no plain HTTP, and zkfc reads its HTTP view ` +
    `(JMX, /isActive) over plain HTTP only; set zkfc.namenode-http.interval.ms=0 to stop trying`
  );
}

/**
 * The HTTP address the readiness gate reads any NameNode's transaction id from (cluster view), or
 * why it cannot: that NameNode's dfs.http.policy is HTTPS_ONLY.
 */
export function namenodeHttpAddressOf(config: ZkfcConfig): (nn: NamenodeTarget) => HostPort | string {
  // Each NameNode's policy is read once: the configuration does not change while the daemon runs,
  // and confForNamenode expands every key of the configuration into a new Map, which the cluster
  // view would otherwise redo for each NameNode at each of its reads (about 1.5 KiB of garbage per
  // read in the sandbox). Bounded: one entry per NameNode of the configuration.
  const httpsOnly = new Map<string, boolean>();
  const isHttpsOnly = (namenodeId: string): boolean => {
    let known = httpsOnly.get(namenodeId);
    if (known === undefined) {
      const policy = (config.confForNamenode(namenodeId).get(DFS_HTTP_POLICY_KEY) ?? 'HTTP_ONLY').trim();
      known = policy.toUpperCase() === 'HTTPS_ONLY';
      httpsOnly.set(namenodeId, known);
    }
    return known;
  };
  return (nn) => {
    if (isHttpsOnly(nn.namenodeId))
      return (
        `${DFS_HTTP_POLICY_KEY} is HTTPS_ONLY for ${nn.namenodeId}: ` +
        'its transaction id is not read (plain HTTP only)'
      );
    return nn.httpAddress ?? { host: nn.serviceAddress.host, port: DFS_NAMENODE_HTTP_PORT_DEFAULT };
  };
}

/** A reader that cannot read: every read fails at once as notConfigured with `message`. */
class UnreadableNameNodeHttp implements NameNodeHttpReader {
  constructor(
    readonly baseUrl: string,
    private readonly message: string,
  ) {}

  read(): Promise<NameNodeHttpResult> {
    return Promise.resolve({ ok: false, failure: { kind: 'notConfigured', url: this.baseUrl, message: this.message } });
  }
}

export interface NameNodeHttpViewParts {
  readonly config: ZkfcConfig;
  readonly local: NamenodeTarget;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly status: StatusBoard;
  readonly metrics: ZkfcMetrics;
}

/**
 * The view's poller (when enabled), wired to the status board and the metrics; the daemon starts it
 * (with its other side work, once ready) and stops it at shutdown.
 */
export function makeNameNodeHttpView(parts: NameNodeHttpViewParts): NameNodeHttpPoller | undefined {
  const { config, local, clock, logger, status, metrics } = parts;
  if (!namenodeHttpEnabled(config)) return undefined;
  const { intervalMs, timeoutMs } = config.settings.namenodeHttp;
  // Parity: DFSUtil#getInfoServer: without a configured http-address, the default port on the
  // NameNode's host (as the /stacks capture does).
  const httpAddress = local.httpAddress ?? { host: local.serviceAddress.host, port: DFS_NAMENODE_HTTP_PORT_DEFAULT };
  const problem = namenodeHttpConfigProblem(config);
  const jmx = new NameNodeJmxReader({ httpAddress });
  const reader = problem === undefined ? jmx : new UnreadableNameNodeHttp(jmx.baseUrl, problem);
  const poller = new NameNodeHttpPoller({
    reader,
    clock,
    intervalMs,
    timeoutMs,
    log: logger.child({ component: 'nn-http' }),
  });
  status.setNameNodeHttp(poller.snapshot());
  poller.onRead((snapshot, outcome) => {
    status.setNameNodeHttp(snapshot);
    metrics.recordNameNodeHttpRead(outcome, snapshot);
  });
  return poller;
}
