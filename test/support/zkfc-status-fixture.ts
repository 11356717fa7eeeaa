// Test fixture: a zkfc's read-only HTTP listener standing in for a running daemon. It is the
// daemon's real StatusServer (src/http/status-server.ts) on a free loopback port, serving a
// ZkfcStatus the test sets; only the daemon's state behind it is scripted. Shared by the haadmin
// unit tests and the e2e tests of the built binary (which query it over HTTP).
import type { ActiveNodeInfo, HostPort } from '../../src/core/types.js';
import { StatusServer } from '../../src/http/status-server.js';
import { silentLogger } from '../../src/observability/logger.js';
import type { MetricsSource } from '../../src/observability/metrics.js';
import type { StatusSource, ZkfcStatus } from '../../src/observability/status.js';

export function activeNode(namenodeId: string, address: HostPort, zkfcPort = 8019): ActiveNodeInfo {
  return { nameserviceId: 'ns1', namenodeId, hostname: address.host, port: address.port, zkfcPort };
}

/** A plausible status of the zkfc next to `namenode`; override what the test is about. */
export function zkfcStatus(namenode: string, overrides: Partial<ZkfcStatus> = {}): ZkfcStatus {
  return {
    service: 'namenode',
    nameservice: 'ns1',
    namenode,
    namenodeAddress: '127.0.0.1:8020',
    haState: 'STANDBY',
    healthState: 'SERVICE_HEALTHY',
    electorState: 'STANDBY',
    zkConnectionState: 'CONNECTED',
    zkSessionId: '0x100000000000001',
    lockHolder: null,
    breadcrumb: null,
    fencing: [{ method: 'shell(/bin/true)', ready: true, detail: 'bash found', checkedAt: '2024-05-01T12:00:00.000Z' }],
    cluster: null,
    lastFailover: null,
    cededUntil: null,
    zookeeperProblems: [],
    zookeeperRetry: null,
    namenodeHttp: null,
    antiFlap: null,
    uptimeSeconds: 60,
    version: '0.1.0',
    ...overrides,
  };
}

const noMetrics: MetricsSource = { contentType: 'text/plain; version=0.0.4', metricsText: async () => '' };

export interface StatusListener {
  readonly address: HostPort;
  current: ZkfcStatus;
  close(): Promise<void>;
}

/** Start a StatusServer on 127.0.0.1:0 serving `initial` (mutable through `current`). */
export async function startStatusListener(initial: ZkfcStatus): Promise<StatusListener> {
  const holder = { current: initial };
  const source: StatusSource = { status: () => holder.current };
  const server = new StatusServer({
    host: '127.0.0.1',
    port: 0,
    metrics: noMetrics,
    status: source,
    logger: silentLogger(),
  });
  const address = await server.listen();
  return {
    address,
    get current() {
      return holder.current;
    },
    set current(value: ZkfcStatus) {
      holder.current = value;
    },
    close: () => server.close(),
  };
}
