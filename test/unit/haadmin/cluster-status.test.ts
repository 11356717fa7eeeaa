// Goal: `haadmin -status` collects the right facts and judges them as documented: HA state per
// NameNode over RPC, health / lock / breadcrumb / fencing / last failover from each zkfc's
// /status, "zkfc unreachable" when a zkfc does not answer (or answers for another NameNode), the
// verdicts and exit codes (0 ok, 1 degraded, 2 no active, 3 several active), the zkfc HTTP
// address resolution, and the exact text of the rendered table.
// Method: simulated NameNodes in-process over real loopback TCP and the daemon's real
// StatusServer (scripted status) over real HTTP, through collectClusterStatus with the real
// RPC client and the undici fetcher; the renderer and the verdict are pure and checked directly.
import { describe, expect, it } from 'vitest';
import { HadoopConfiguration } from '../../../src/config/hadoop-conf.js';
import type { HostPort } from '../../../src/core/types.js';
import { RpcHAServiceClientFactory } from '../../../src/hadoop/ha-service-client.js';
import {
  clusterStatusEndpoints,
  clusterStatusExitCode,
  collectClusterStatus,
  summarize,
  zkfcHttpAddressFor,
  type NamenodeEndpoint,
} from '../../../src/cli/haadmin/cluster-status.js';
import { renderStatusTable } from '../../../src/cli/haadmin/status-table.js';
import type { ZkfcStatus } from '../../../src/observability/status.js';
import { fetchZkfcStatusOverHttp } from '../../../src/cli/haadmin/zkfc-status-client.js';
import { NameNodeSimulator, type NameNodeSimulatorOptions } from '../../../tools/namenode-sim/sim-namenode.js';
import { activeNode, startStatusListener, zkfcStatus, type StatusListener } from '../../support/zkfc-status-fixture.js';
import { cleanupsAfterEach } from '../../support/cleanups.js';

const cleanups = cleanupsAfterEach();

async function sim(namenodeId: string, options: Partial<NameNodeSimulatorOptions> = {}): Promise<NameNodeSimulator> {
  const started = await NameNodeSimulator.start({ nameserviceId: 'ns1', namenodeId, superuser: 'hdfs', ...options });
  cleanups.push(() => started.stop());
  return started;
}

async function listener(...args: Parameters<typeof startStatusListener>): Promise<StatusListener> {
  const started = await startStatusListener(...args);
  cleanups.push(() => started.close());
  return started;
}

const clients = new RpcHAServiceClientFactory({ effectiveUser: 'hdfs', connectTimeoutMs: 2_000 });
const DEAD: HostPort = { host: '127.0.0.1', port: 1 };

function collect(namenodes: NamenodeEndpoint[]) {
  return collectClusterStatus({
    nameserviceId: 'ns1',
    namenodes,
    clients,
    fetchZkfcStatus: fetchZkfcStatusOverHttp,
    rpcTimeoutMs: 2_000,
    httpTimeoutMs: 2_000,
    wallMs: () => Date.parse('2024-05-01T12:00:00.000Z'),
  });
}

describe('collectClusterStatus against NameNodes and zkfc listeners', () => {
  it(
    'a healthy pair: verdict ok (exit 0), lock on the ' + 'active, breadcrumb and last failover from the zkfcs',
    async () => {
      const nn1 = await sim('nn1', { initialState: 'ACTIVE' });
      const nn2 = await sim('nn2');
      const lock = activeNode('nn1', nn1.rpcAddress);
      const failover = {
        at: '2024-05-01T11:00:00.000Z',
        from: 'nn2',
        to: 'nn1',
        reason: 'graceful' as const,
        durationMs: 812,
        phases: { detectionMs: 1, electionMs: 20, fencingMs: 0, promotionMs: 790 },
      };
      const z1 = await listener(
        zkfcStatus('nn1', {
          haState: 'ACTIVE',
          electorState: 'ACTIVE',
          lockHolder: lock,
          breadcrumb: lock,
          lastFailover: failover,
        }),
      );
      const z2 = await listener(zkfcStatus('nn2', { lockHolder: lock, breadcrumb: lock }));
      const status = await collect([
        { namenodeId: 'nn1', serviceAddress: nn1.rpcAddress, zkfcHttpAddress: z1.address },
        { namenodeId: 'nn2', serviceAddress: nn2.rpcAddress, zkfcHttpAddress: z2.address },
      ]);
      expect(status.verdict).toBe('ok');
      expect(clusterStatusExitCode(status.verdict)).toBe(0);
      expect(status.activeNamenodes).toEqual(['nn1']);
      expect(
        status.namenodes.map((nn) => [nn.namenodeId, nn.haState.ok && nn.haState.state, nn.health, nn.holdsLock]),
      ).toEqual([
        ['nn1', 'ACTIVE', 'SERVICE_HEALTHY', true],
        ['nn2', 'STANDBY', 'SERVICE_HEALTHY', false],
      ]);
      expect(status.election).toEqual({ lockHolder: lock, breadcrumb: lock, reportedBy: 'nn1' });
      expect(status.lastFailover).toEqual({ ...failover, reportedBy: 'nn1' });
      expect(status.problems).toEqual([]);
      expect(status.collectedAt).toBe('2024-05-01T12:00:00.000Z');
    },
  );

  it(
    'a zkfc that does not answer: "zkfc unreachable", verdict ' +
      'degraded (exit 1); the other zkfc still gives the election',
    async () => {
      const nn1 = await sim('nn1', { initialState: 'ACTIVE' });
      const nn2 = await sim('nn2');
      const lock = activeNode('nn1', nn1.rpcAddress);
      const z2 = await listener(zkfcStatus('nn2', { lockHolder: lock, breadcrumb: lock }));
      const status = await collect([
        { namenodeId: 'nn1', serviceAddress: nn1.rpcAddress, zkfcHttpAddress: DEAD },
        { namenodeId: 'nn2', serviceAddress: nn2.rpcAddress, zkfcHttpAddress: z2.address },
      ]);
      expect(status.verdict).toBe('degraded');
      expect(clusterStatusExitCode(status.verdict)).toBe(1);
      expect(status.namenodes[0]?.zkfc.ok).toBe(false);
      expect(status.namenodes[0]?.health).toBeNull();
      expect(status.namenodes[0]?.holdsLock).toBe(true);
      expect(status.election?.reportedBy).toBe('nn2');
      expect(status.problems[0]).toMatch(
        /^nn1: zkfc unreachable: GET \/status on 127\.0\.0\.1:1 failed: .*ECONNREFUSED/,
      );
      const table = renderStatusTable(status);
      expect(table.find((line) => line.startsWith('nn1 '))).toMatch(/ active +zkfc unreachable +held +\?$/);
    },
  );

  it('a NameNode that does not answer while another is active: degraded', async () => {
    const nn1 = await sim('nn1', { initialState: 'ACTIVE' });
    const z1 = await listener(zkfcStatus('nn1', { haState: 'ACTIVE' }));
    const z2 = await listener(zkfcStatus('nn2', { haState: null, healthState: 'SERVICE_NOT_RESPONDING' }));
    const status = await collect([
      { namenodeId: 'nn1', serviceAddress: nn1.rpcAddress, zkfcHttpAddress: z1.address },
      { namenodeId: 'nn2', serviceAddress: DEAD, zkfcHttpAddress: z2.address },
    ]);
    expect(status.verdict).toBe('degraded');
    expect(status.problems).toContainEqual(
      expect.stringMatching(/^nn2: NameNode at 127\.0\.0\.1:1 did not answer getServiceStatus: .*ECONNREFUSED/),
    );
    expect(status.problems).toContain('nn2: health is SERVICE_NOT_RESPONDING');
  });

  it('no active NameNode: exit 2, even when everything answered', async () => {
    const nn1 = await sim('nn1');
    const nn2 = await sim('nn2');
    const z1 = await listener(zkfcStatus('nn1'));
    const z2 = await listener(zkfcStatus('nn2'));
    const status = await collect([
      { namenodeId: 'nn1', serviceAddress: nn1.rpcAddress, zkfcHttpAddress: z1.address },
      { namenodeId: 'nn2', serviceAddress: nn2.rpcAddress, zkfcHttpAddress: z2.address },
    ]);
    expect(status.verdict).toBe('no-active');
    expect(clusterStatusExitCode(status.verdict)).toBe(2);
    expect(status.problems).toContain('no NameNode reports active');
  });

  it('two active NameNodes: exit 3 (checked before anything else)', async () => {
    const nn1 = await sim('nn1', { initialState: 'ACTIVE' });
    const nn2 = await sim('nn2', { initialState: 'ACTIVE' });
    const status = await collect([
      { namenodeId: 'nn1', serviceAddress: nn1.rpcAddress, zkfcHttpAddress: DEAD },
      { namenodeId: 'nn2', serviceAddress: nn2.rpcAddress, zkfcHttpAddress: DEAD },
    ]);
    expect(status.verdict).toBe('multiple-active');
    expect(clusterStatusExitCode(status.verdict)).toBe(3);
    expect(status.election).toBeNull();
    expect(status.namenodes.every((nn) => nn.holdsLock === null)).toBe(true);
  });

  it('a zkfc answering for another NameNode (wrong zkfc.http-address) is not believed', async () => {
    const nn1 = await sim('nn1', { initialState: 'ACTIVE' });
    const nn2 = await sim('nn2');
    const z1 = await listener(zkfcStatus('nn1', { haState: 'ACTIVE' }));
    const status = await collect([
      { namenodeId: 'nn1', serviceAddress: nn1.rpcAddress, zkfcHttpAddress: z1.address },
      { namenodeId: 'nn2', serviceAddress: nn2.rpcAddress, zkfcHttpAddress: z1.address },
    ]);
    expect(status.verdict).toBe('degraded');
    const nn2Zkfc = status.namenodes[1]?.zkfc;
    expect(nn2Zkfc?.ok).toBe(false);
    expect(nn2Zkfc && !nn2Zkfc.ok ? nn2Zkfc.error : '').toBe(
      `the zkfc at 127.0.0.1:${z1.address.port} serves ns1.nn1, not ns1.nn2 (check zkfc.http-address)`,
    );
  });
});

describe('summarize: the judgement (pure)', () => {
  const endpoint = (namenodeId: string, port: number): NamenodeEndpoint => ({
    namenodeId,
    serviceAddress: { host: 'h', port },
    zkfcHttpAddress: { host: 'h', port: port + 1 },
  });
  const up = (state: 'ACTIVE' | 'STANDBY') => ({
    ok: true as const,
    state,
    readyToBecomeActive: true,
    notReadyReason: null,
  });

  it(
    "prefers the view of the election's active zkfc and flags " +
      'connected zkfcs that disagree; picks the newest failover',
    () => {
      const a = activeNode('nn1', { host: 'h', port: 1 });
      const b = activeNode('nn2', { host: 'h', port: 3 });
      const old = {
        at: '2024-01-01T00:00:00.000Z',
        from: null,
        to: 'nn1',
        reason: 'initial' as const,
        durationMs: 5,
        phases: { detectionMs: 0, electionMs: 0, fencingMs: 0, promotionMs: 5 },
      };
      const recent = { ...old, at: '2024-02-01T00:00:00.000Z', from: 'nn1', to: 'nn2', reason: 'election' as const };
      const status = summarize('ns1', '2024-05-01T00:00:00.000Z', [
        {
          endpoint: endpoint('nn1', 1),
          haState: up('STANDBY'),
          zkfc: {
            ok: true,
            address: 'h:2',
            status: zkfcStatus('nn1', { zkConnectionState: 'DISCONNECTED', lockHolder: a, lastFailover: old }),
          },
        },
        {
          endpoint: endpoint('nn2', 3),
          haState: up('ACTIVE'),
          zkfc: {
            ok: true,
            address: 'h:4',
            status: zkfcStatus('nn2', { electorState: 'ACTIVE', lockHolder: b, breadcrumb: b, lastFailover: recent }),
          },
        },
        {
          endpoint: endpoint('nn3', 5),
          haState: up('STANDBY'),
          zkfc: { ok: true, address: 'h:6', status: zkfcStatus('nn3', { lockHolder: a }) },
        },
      ]);
      expect(status.election).toEqual({ lockHolder: b, breadcrumb: b, reportedBy: 'nn2' });
      expect(status.electionViewsDiffer).toBe(true);
      expect(status.lastFailover?.to).toBe('nn2');
      expect(status.lastFailover?.reportedBy).toBe('nn2');
      expect(status.namenodes.map((nn) => nn.holdsLock)).toEqual([false, true, false]);
      expect(status.verdict).toBe('ok');
      expect(status.problems).toEqual(['zkfcs disagree about the lock holder or breadcrumb (one view may be stale)']);
    },
  );

  it(
    'a standby zkfc that has not read the breadcrumb (null) does ' +
      'not disagree; a missing field is taken from another view',
    () => {
      const a = activeNode('nn1', { host: 'h', port: 1 });
      const status = summarize('ns1', 't', [
        {
          endpoint: endpoint('nn1', 1),
          haState: up('ACTIVE'),
          zkfc: { ok: true, address: 'h:2', status: zkfcStatus('nn1', { lockHolder: a, breadcrumb: null }) },
        },
        {
          endpoint: endpoint('nn2', 3),
          haState: up('STANDBY'),
          zkfc: { ok: true, address: 'h:4', status: zkfcStatus('nn2', { lockHolder: null, breadcrumb: a }) },
        },
      ]);
      expect(status.electionViewsDiffer).toBe(false);
      expect(status.election).toEqual({ lockHolder: a, breadcrumb: a, reportedBy: 'nn1' });
      expect(status.problems).toEqual([]);
    },
  );

  it('reports a lock held for a NameNode other than the active one, and fencing methods that are not ready', () => {
    const lock = activeNode('nn1', { host: 'h', port: 1 });
    const status = summarize('ns1', '2024-05-01T00:00:00.000Z', [
      {
        endpoint: endpoint('nn1', 1),
        haState: up('STANDBY'),
        zkfc: {
          ok: true,
          address: 'h:2',
          status: zkfcStatus('nn1', {
            lockHolder: lock,
            fencing: [{ method: 'sshfence', ready: false, detail: 'key file unreadable', checkedAt: null }],
          }),
        },
      },
      {
        endpoint: endpoint('nn2', 3),
        haState: up('ACTIVE'),
        zkfc: { ok: true, address: 'h:4', status: zkfcStatus('nn2', { lockHolder: lock }) },
      },
    ]);
    expect(status.problems).toEqual([
      'nn1: fencing method sshfence is not ready: key file unreadable',
      'the lock is held for nn1, but nn2 reports active',
    ]);
  });

  it('reports a failover anti-flap holds back, with its reason and when it proceeds', () => {
    const antiFlap = {
      maxFailovers: 3,
      windowMs: 600_000,
      failoversInWindow: 3,
      lastLockHolderChange: '2024-05-01T00:00:00.000Z',
      heldBackTotal: 1,
      holdingBack: {
        since: '2024-05-01T00:01:00.000Z',
        reason: '3 automatic failovers in the last 600000 ms (limit 3); the local NameNode answers but is unhealthy',
        healthReason: 'low disk',
        failoversInWindow: 3,
        releaseAt: '2024-05-01T00:10:00.000Z',
      },
      lastHoldBackEnded: null,
    };
    const status = summarize('ns1', 't', [
      {
        endpoint: endpoint('nn1', 1),
        haState: up('ACTIVE'),
        zkfc: { ok: true, address: 'h:2', status: zkfcStatus('nn1', { electorState: 'ACTIVE', antiFlap }) },
      },
      {
        endpoint: endpoint('nn2', 3),
        haState: up('STANDBY'),
        zkfc: { ok: true, address: 'h:4', status: zkfcStatus('nn2') },
      },
    ]);
    expect(status.problems).toEqual([
      'zkfc of nn1: anti-flap holds a failover back since 2024-05-01T00:01:00.000Z: 3 automatic failovers in the ' +
        'last 600000 ms (limit 3); the local NameNode answers but is unhealthy (low disk); it proceeds at ' +
        '2024-05-01T00:10:00.000Z if still unhealthy',
    ]);
  });

  it(
    'lists each ZooKeeper problem the zkfcs report once, ' + 'naming every reporter, with the command that clears it',
    () => {
      const squat = {
        problem: 'lock-not-ephemeral',
        detail: 'the lock znode /hadoop-ha/ns1/ActiveStandbyElectorLock is persistent',
        clear: 'zkCli.sh -server zk:2181 delete /hadoop-ha/ns1/ActiveStandbyElectorLock',
      };
      const acl = {
        problem: 'acl-world-writable',
        detail: 'ha.zookeeper.acl is world-writable',
        clear: 'set ha.zookeeper.acl',
      };
      const status = summarize('ns1', 't', [
        {
          endpoint: endpoint('nn1', 1),
          haState: up('STANDBY'),
          zkfc: { ok: true, address: 'h:2', status: zkfcStatus('nn1', { zookeeperProblems: [squat, acl] }) },
        },
        {
          endpoint: endpoint('nn2', 3),
          haState: up('STANDBY'),
          zkfc: { ok: true, address: 'h:4', status: zkfcStatus('nn2', { zookeeperProblems: [squat] }) },
        },
      ]);
      expect(status.problems).toEqual([
        'no NameNode reports active',
        'zkfc of nn1, nn2: the lock znode /hadoop-ha/ns1/ActiveStandbyElectorLock is persistent; ' +
          'to clear: zkCli.sh -server zk:2181 delete /hadoop-ha/ns1/ActiveStandbyElectorLock',
        'zkfc of nn1: ha.zookeeper.acl is world-writable; to clear: set ha.zookeeper.acl',
      ]);
      expect(renderStatusTable(status)).toContain(`  - ${status.problems[1]!}`);
    },
  );
});

describe('renderStatusTable (pure)', () => {
  it('renders the table, election, last failover, fencing and verdict exactly', () => {
    const lock = activeNode('nn1', { host: '10.0.0.1', port: 8020 });
    const status = summarize('ns1', '2024-05-01T12:00:00.000Z', [
      {
        endpoint: {
          namenodeId: 'nn1',
          serviceAddress: { host: '10.0.0.1', port: 8020 },
          zkfcHttpAddress: { host: '10.0.0.1', port: 8021 },
        },
        haState: { ok: true, state: 'ACTIVE', readyToBecomeActive: true, notReadyReason: null },
        zkfc: {
          ok: true,
          address: '10.0.0.1:8021',
          status: zkfcStatus('nn1', {
            lockHolder: lock,
            breadcrumb: lock,
            fencing: [
              {
                method: 'sshfence(hdfs:22)',
                ready: true,
                detail: 'ssh to 10.0.0.2:22 ok',
                checkedAt: '2024-05-01T11:59:00.000Z',
              },
            ],
            lastFailover: {
              at: '2024-05-01T11:00:00.000Z',
              from: 'nn2',
              to: 'nn1',
              reason: 'election',
              durationMs: 4200.4,
              phases: { detectionMs: 3000, electionMs: 39.6, fencingMs: 800, promotionMs: 360.2 },
            },
          }),
        },
      },
      {
        endpoint: {
          namenodeId: 'nn2',
          serviceAddress: { host: '10.0.0.2', port: 8020 },
          zkfcHttpAddress: { host: '10.0.0.2', port: 8021 },
        },
        haState: { ok: true, state: 'STANDBY', readyToBecomeActive: false, notReadyReason: 'safemode' },
        zkfc: {
          ok: false,
          address: '10.0.0.2:8021',
          error: 'GET /status on 10.0.0.2:8021 failed: connect ECONNREFUSED',
        },
      },
    ]);
    expect(renderStatusTable(status)).toEqual([
      'Nameservice ns1 (collected 2024-05-01T12:00:00.000Z)',
      '',
      'NAMENODE  ADDRESS        HA STATE             HEALTH            LOCK  FENCING',
      'nn1       10.0.0.1:8020  active               SERVICE_HEALTHY   held  1/1 ready',
      'nn2       10.0.0.2:8020  standby (not ready)  zkfc unreachable  -     ?',
      '',
      'Lock holder:    nn1 (ns1, 10.0.0.1:8020, zkfc port 8019)',
      'Breadcrumb:     nn1 (ns1, 10.0.0.1:8020, zkfc port 8019)',
      '                (as last read by the zkfc of nn1)',
      'Last failover:  nn2 -> nn1 at 2024-05-01T11:00:00.000Z, reason election, took 4200 ms',
      '                (detection 3000 ms, election 40 ms, fencing ' +
        '800 ms, promotion 360 ms; reported by the zkfc of nn1)',
      '',
      'Fencing (as each zkfc checks the methods it would use):',
      '  nn1  sshfence(hdfs:22)  ready  ssh to 10.0.0.2:22 ok  (checked 2024-05-01T11:59:00.000Z)',
      '',
      'Problems:',
      '  - nn2: zkfc unreachable: GET /status on 10.0.0.2:8021 failed: connect ECONNREFUSED',
      '',
      'Verdict: DEGRADED: one active NameNode, but not every NameNode or zkfc answered (exit 1)',
    ]);
  });

  it("shows each NameNode's HTTP view as its zkfc reads it, down ones with the reason, escaped", () => {
    const view = {
      state: 'STANDBY',
      nnRole: 'NameNode',
      hostAndPort: 'h:8020',
      lastHATransitionTime: null,
      securityEnabled: false,
      namesystemHAState: 'STANDBY',
      millisSinceLastLoadedEdits: 12_400,
      lastWrittenTransactionId: 40,
      safemode: 'Safe mode is ON.',
      inSafemode: true,
      lastAppliedOrWrittenTxId: 42,
      mostRecentCheckpointTxId: 30,
      isActive: true,
    } as const;
    const node = (id: string, namenodeHttp: ZkfcStatus['namenodeHttp']): Parameters<typeof summarize>[2][number] => ({
      endpoint: {
        namenodeId: id,
        serviceAddress: { host: 'h', port: 8020 },
        zkfcHttpAddress: { host: 'h', port: 8021 },
      },
      haState: { ok: true, state: 'STANDBY', readyToBecomeActive: true, notReadyReason: null },
      zkfc: { ok: true, address: 'h:8021', status: zkfcStatus(id, { namenodeHttp }) },
    });
    const status = summarize('ns1', 't', [
      node('nn1', {
        url: 'http://h:9870',
        up: true,
        view,
        readAt: 't',
        ageMs: 2_600,
        isActiveMismatch: true,
        lastError: null,
      }),
      node('nn2', {
        url: 'http://h:9871',
        up: false,
        view: null,
        readAt: null,
        ageMs: null,
        isActiveMismatch: false,
        lastError: { kind: 'malformed', message: 'GET http://h:9871/jmx: "\u001b[2J" is not JSON', at: 't' },
      }),
      node('nn3', null),
    ]);
    const lines = renderStatusTable(status);
    const start = lines.indexOf('NameNode HTTP view (as each zkfc reads its NameNode: JMX and /isActive):');
    expect(lines.slice(start + 1, start + 3)).toEqual([
      '  nn1  standby  SAFE MODE  edits loaded 12 s ago  txid 42  /isActive DISAGREES  up (read 3 s ago)',
      '  nn2  -        -          -                      -        -                    ' +
        'DOWN: GET http://h:9871/jmx: "\\e[2J" is not JSON',
    ]);
    expect(lines[start + 3]).toBe('');
  });

  it('without any zkfc answer the election is "unknown"', () => {
    const status = summarize('ns1', 't', [
      {
        endpoint: {
          namenodeId: 'nn1',
          serviceAddress: { host: 'h', port: 1 },
          zkfcHttpAddress: { host: 'h', port: 2 },
        },
        haState: { ok: false, error: 'connect ECONNREFUSED' },
        zkfc: { ok: false, address: 'h:2', error: 'down' },
      },
    ]);
    const lines = renderStatusTable(status);
    expect(lines).toContain('Lock holder:    unknown (no zkfc answered)');
    expect(lines).toContain('Last failover:  unknown (no zkfc answered)');
    expect(lines.find((l) => l.startsWith('nn1'))).toBe('nn1       h:1      unreachable  zkfc unreachable  ?     ?');
    expect(lines.at(-1)).toBe('Verdict: NO ACTIVE NAMENODE (exit 2)');
  });
});

describe('the cluster view each zkfc reports', () => {
  const observed = (namenodeId: string, state: 'ACTIVE' | 'STANDBY' | null) => ({
    namenodeId,
    address: `10.0.0.${namenodeId.slice(-1)}:8020`,
    local: false,
    state,
    readyToBecomeActive: state === null ? null : true,
    notReadyReason: null,
    health: state === null ? ('SERVICE_NOT_RESPONDING' as const) : ('SERVICE_HEALTHY' as const),
    lastAppliedOrWrittenTxId: null,
    error: state === null ? 'Connection refused' : null,
  });
  const probe = (namenodeId: string, cluster: ZkfcStatus['cluster']) => ({
    endpoint: {
      namenodeId,
      serviceAddress: { host: `10.0.0.${namenodeId.slice(-1)}`, port: 8020 },
      zkfcHttpAddress: { host: `10.0.0.${namenodeId.slice(-1)}`, port: 8021 },
    },
    haState: { ok: true as const, state: 'STANDBY' as const, readyToBecomeActive: true, notReadyReason: null },
    zkfc: { ok: true as const, address: 'x', status: zkfcStatus(namenodeId, { cluster }) },
  });

  it('is shown per zkfc; one that sees two actives is a problem; hostile ids are made visible', () => {
    const base = {
      intervalMs: 5000,
      checkedAt: '2024-05-01T11:59:58.000Z',
      roundDurationMs: 3,
      lastActiveSeenAt: '2024-05-01T11:59:58.000Z',
    };
    const status = summarize('ns1', '2024-05-01T12:00:00.000Z', [
      probe('nn1', {
        ...base,
        activeNamenodes: ['nn1', 'nn2'],
        secondsWithoutActive: 0,
        namenodes: [observed('nn1', 'ACTIVE'), observed('nn2', 'ACTIVE')],
      }),
      probe('nn2', {
        ...base,
        activeNamenodes: [],
        secondsWithoutActive: 42,
        namenodes: [observed('nn1', null), { ...observed('nn2', 'STANDBY'), namenodeId: 'nn2\u001b[2J' }],
      }),
      probe('nn3', null),
    ]);
    expect(status.problems).toContain('zkfc of nn1 sees several active NameNodes: nn1, nn2');
    const lines = renderStatusTable(status);
    const start = lines.indexOf('Cluster view (every NameNode as each zkfc last saw it):');
    expect(lines.slice(start + 1, start + 3)).toEqual([
      '  nn1  nn1 active, nn2 active           (checked 2024-05-01T11:59:58.000Z)',
      '  nn2  nn1 no answer, nn2\\e[2J standby  (checked 2024-05-01T11:59:58.000Z; no active for 42 s)',
    ]);
    // nn3's zkfc has the view off: no row.
    expect(lines[start + 3]).toBe('');
  });
});

describe('where each zkfc serves /status', () => {
  const conf = (entries: Record<string, string>): HadoopConfiguration =>
    HadoopConfiguration.fromEntries(
      {
        'dfs.nameservices': 'ns1',
        'dfs.ha.namenodes.ns1': 'nn1,nn2',
        'dfs.namenode.rpc-address.ns1.nn1': 'host1:8020',
        'dfs.namenode.rpc-address.ns1.nn2': 'host2:8020',
        ...entries,
      },
      { env: {}, systemProperties: {} },
    );

  it(
    'per-NameNode key, then per-nameservice, then generic; a ' +
      'wildcard host means the NameNode host; unset means its host:8021',
    () => {
      expect(zkfcHttpAddressFor(conf({}), 'ns1', 'nn1', 'host1')).toEqual({ host: 'host1', port: 8021 });
      expect(zkfcHttpAddressFor(conf({ 'zkfc.http-address': '0.0.0.0:9999' }), 'ns1', 'nn1', 'host1')).toEqual({
        host: 'host1',
        port: 9999,
      });
      expect(
        zkfcHttpAddressFor(
          conf({ 'zkfc.http-address': '0.0.0.0:9999', 'zkfc.http-address.ns1': 'mgmt:7000' }),
          'ns1',
          'nn1',
          'host1',
        ),
      ).toEqual({ host: 'mgmt', port: 7000 });
      const perNn = conf({ 'zkfc.http-address.ns1': 'mgmt:7000', 'zkfc.http-address.ns1.nn2': 'other:7001' });
      expect(clusterStatusEndpoints(perNn, 'ns1')).toEqual([
        {
          namenodeId: 'nn1',
          serviceAddress: { host: 'host1', port: 8020 },
          zkfcHttpAddress: { host: 'mgmt', port: 7000 },
        },
        {
          namenodeId: 'nn2',
          serviceAddress: { host: 'host2', port: 8020 },
          zkfcHttpAddress: { host: 'other', port: 7001 },
        },
      ]);
    },
  );

  it('a bad value is a ConfigError naming the key; a nameservice without NameNodes too', () => {
    expect(() => zkfcHttpAddressFor(conf({ 'zkfc.http-address.ns1.nn1': 'host:notaport' }), 'ns1', 'nn1', 'h')).toThrow(
      /zkfc\.http-address\.ns1\.nn1/,
    );
    expect(() => clusterStatusEndpoints(conf({}), 'ns9')).toThrow(
      'No NameNodes configured for nameservice ns9: dfs.ha.namenodes.ns9 is not set',
    );
  });
});
