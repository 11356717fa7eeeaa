// Goal: the status snapshot is plain JSON (survives JSON round trips unchanged), starts at
// "nothing known yet", reflects each update exactly, prints ZooKeeper session ids as ZooKeeper
// does, and measures uptime on the monotonic clock.
// Method: drive a StatusBoard with the shared ManualClock and compare snapshots.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../tools/testing/clock.js';
import {
  formatZkSessionId,
  isoTime,
  lastFailoverStatus,
  StatusBoard,
  type FailoverRecord,
} from '../../../src/observability/status.js';

const identity = { nameservice: 'ns1', namenode: 'nn1', namenodeAddress: 'nn1.example.com:8020', version: '0.1.0' };
const nn2 = { nameserviceId: 'ns1', namenodeId: 'nn2', hostname: 'nn2.example.com', port: 8020, zkfcPort: 8019 };

describe('status snapshot', () => {
  it('starts with nothing known', () => {
    const board = new StatusBoard(identity, new ManualClock({ startMs: 5_000 }));
    expect(board.status()).toEqual({
      service: 'namenode',
      nameservice: 'ns1',
      namenode: 'nn1',
      namenodeAddress: 'nn1.example.com:8020',
      haState: null,
      healthState: 'INITIALIZING',
      electorState: 'INIT',
      zkConnectionState: 'DISCONNECTED',
      zkSessionId: null,
      lockHolder: null,
      breadcrumb: null,
      fencing: [],
      cluster: null,
      lastFailover: null,
      cededUntil: null,
      zookeeperProblems: [],
      zookeeperRetry: null,
      maintenancePause: null,
      readiness: null,
      history: null,
      namenodeHttp: null,
      antiFlap: null,
      uptimeSeconds: 0,
      version: '0.1.0',
    });
  });

  it('shows anti-flap: the limit, the counted changes in the window, a hold-back and how it ended', () => {
    const clock = new ManualClock({ startMs: 5_000, wallStartMs: Date.UTC(2026, 0, 1) });
    const board = new StatusBoard(identity, clock);
    board.configureAntiFlap({ maxFailovers: 2, windowMs: 60_000 });
    const at = clock.wallMs();
    board.recordAntiFlap({ kind: 'lockHolderChanged', counted: true, failoversInWindow: 1 }, at);
    board.recordAntiFlap({ kind: 'lockHolderChanged', counted: false, failoversInWindow: 1 }, at);
    clock.advance(10_000);
    board.recordAntiFlap({ kind: 'lockHolderChanged', counted: true, failoversInWindow: 2 }, at + 10_000);
    board.recordAntiFlap(
      {
        kind: 'failoverHeldBack',
        namenode: 'nn1',
        healthReason: 'low disk',
        failoversInWindow: 2,
        maxFailovers: 2,
        windowMs: 60_000,
        releaseInMs: 50_000,
      },
      at + 10_000,
    );
    expect(board.status().antiFlap).toEqual({
      maxFailovers: 2,
      windowMs: 60_000,
      failoversInWindow: 2,
      lastLockHolderChange: '2026-01-01T00:00:10.000Z',
      heldBackTotal: 1,
      holdingBack: {
        since: '2026-01-01T00:00:10.000Z',
        reason: '2 automatic failovers in the last 60000 ms (limit 2); the local NameNode answers but is unhealthy',
        healthReason: 'low disk',
        failoversInWindow: 2,
        releaseAt: '2026-01-01T00:01:00.000Z',
      },
      lastHoldBackEnded: null,
    });
    // The first change leaves the window.
    clock.advance(50_000);
    board.recordAntiFlap(
      { kind: 'holdBackEnded', namenode: 'nn1', reason: 'window-passed', heldBackMs: 50_000 },
      at + 60_000,
    );
    expect(board.status().antiFlap).toMatchObject({
      failoversInWindow: 1,
      heldBackTotal: 1,
      holdingBack: null,
      lastHoldBackEnded: { at: '2026-01-01T00:01:00.000Z', reason: 'window-passed', heldBackMs: 50_000 },
    });
  });

  it('shows each ZooKeeper problem once, with its latest detail, in the order they appeared, until it clears', () => {
    const board = new StatusBoard(identity, new ManualClock({ startMs: 5_000 }));
    const lock = { problem: 'lock-not-ephemeral', detail: 'lock persistent', clear: 'zkCli.sh delete lock' };
    const acl = { problem: 'acl-world-writable', detail: 'open ACL', clear: 'set ha.zookeeper.acl' };
    board.setZooKeeperProblem(acl, true);
    board.setZooKeeperProblem(lock, true);
    board.setZooKeeperProblem({ ...acl, detail: 'open ACL (again)' }, true);
    expect(board.status().zookeeperProblems).toEqual([{ ...acl, detail: 'open ACL (again)' }, lock]);
    board.setZooKeeperProblem(lock, false);
    board.setZooKeeperProblem(lock, false);
    expect(board.status().zookeeperProblems).toEqual([{ ...acl, detail: 'open ACL (again)' }]);
  });

  it('applies partial updates and leaves other fields alone', () => {
    const board = new StatusBoard(identity, new ManualClock({ startMs: 5_000 }));
    board.update({
      haState: 'STANDBY',
      healthState: 'SERVICE_HEALTHY',
      zkConnectionState: 'CONNECTED',
      zkSessionId: 0x10000a1b2c30005n,
    });
    board.update({ electorState: 'STANDBY', lockHolder: nn2, breadcrumb: nn2 });
    const status = board.status();
    expect(status).toMatchObject({
      haState: 'STANDBY',
      healthState: 'SERVICE_HEALTHY',
      electorState: 'STANDBY',
      zkConnectionState: 'CONNECTED',
      zkSessionId: '0x10000a1b2c30005',
      lockHolder: nn2,
      breadcrumb: nn2,
    });
    board.update({ haState: null, zkSessionId: null, lockHolder: null });
    expect(board.status()).toMatchObject({
      haState: null,
      zkSessionId: null,
      lockHolder: null,
      breadcrumb: nn2,
      healthState: 'SERVICE_HEALTHY',
    });
  });

  it('converts times to ISO-8601 and fencing readiness from the preflight shape', () => {
    const board = new StatusBoard(identity, new ManualClock({ startMs: 5_000 }));
    board.update({ cededUntilWallMs: Date.UTC(2024, 4, 1, 12, 0, 10) });
    board.setFencingReadiness([
      {
        method: 'sshfence(hdfs:22)',
        ready: false,
        detail: 'connect to nn2.example.com:22 refused',
        checkedAtMs: Date.UTC(2024, 4, 1, 12, 0, 0),
      },
      { method: 'shell(/bin/true)', ready: true, detail: 'bash and /bin/true found', checkedAtMs: null },
    ]);
    const status = board.status();
    expect(status.cededUntil).toBe('2024-05-01T12:00:10.000Z');
    expect(status.fencing).toEqual([
      {
        method: 'sshfence(hdfs:22)',
        ready: false,
        detail: 'connect to nn2.example.com:22 refused',
        checkedAt: '2024-05-01T12:00:00.000Z',
      },
      { method: 'shell(/bin/true)', ready: true, detail: 'bash and /bin/true found', checkedAt: null },
    ]);
    board.update({ cededUntilWallMs: null });
    expect(board.status().cededUntil).toBeNull();
  });

  it('keeps the last failover with its phases', () => {
    const board = new StatusBoard(identity, new ManualClock({ startMs: 5_000 }));
    const record: FailoverRecord = {
      atWallMs: Date.UTC(2024, 4, 1, 11, 59, 0),
      from: 'nn2',
      to: 'nn1',
      reason: 'election',
      durationMs: 4200,
      phases: { detectionMs: 3000, electionMs: 40, fencingMs: 800, promotionMs: 360 },
    };
    board.recordFailover(record);
    expect(board.status().lastFailover).toEqual({
      at: '2024-05-01T11:59:00.000Z',
      from: 'nn2',
      to: 'nn1',
      reason: 'election',
      durationMs: 4200,
      phases: { detectionMs: 3000, electionMs: 40, fencingMs: 800, promotionMs: 360 },
    });
    expect(lastFailoverStatus({ ...record, from: null, reason: 'initial' })).toMatchObject({
      from: null,
      reason: 'initial',
    });
  });

  it('measures uptime in whole seconds on the monotonic clock', () => {
    const clock = new ManualClock({ startMs: 5_000 });
    const board = new StatusBoard(identity, clock);
    clock.advance(1_999);
    expect(board.status().uptimeSeconds).toBe(1);
    clock.advance(3_600_000);
    expect(board.status().uptimeSeconds).toBe(3601);
    // a clock that went backwards never yields a negative uptime
    clock.setMonotonicMs(clock.monotonicMs() - 10_000_000);
    expect(board.status().uptimeSeconds).toBe(0);
  });

  it('shows the NameNode HTTP view with its age on the monotonic clock, and its last error', () => {
    const clock = new ManualClock({ startMs: 5_000, wallStartMs: Date.UTC(2026, 0, 1) });
    const board = new StatusBoard(identity, clock);
    const view = {
      state: 'STANDBY',
      nnRole: 'NameNode',
      hostAndPort: 'nn1.example.com:8020',
      lastHATransitionTimeMs: 0,
      securityEnabled: false,
      namesystemHAState: 'STANDBY',
      millisSinceLastLoadedEdits: 1200,
      lastWrittenTransactionId: 40,
      safemode: '',
      inSafemode: false,
      lastAppliedOrWrittenTxId: 42,
      mostRecentCheckpointTxId: 30,
      isActive: false,
    } as const;
    board.setNameNodeHttp({
      baseUrl: 'http://nn1.example.com:9870',
      up: false,
      view,
      viewAtMonotonicMs: 5_000,
      viewAtWallMs: Date.UTC(2026, 0, 1),
      lastFailure: {
        kind: 'timedOut',
        url: 'http://nn1.example.com:9870/isActive',
        message: 'GET …: no answer',
        atWallMs: Date.UTC(2026, 0, 1, 0, 0, 7),
      },
      isActiveMismatch: false,
    });
    clock.advance(7_500);
    expect(board.status().namenodeHttp).toEqual({
      url: 'http://nn1.example.com:9870',
      up: false,
      view: {
        state: 'STANDBY',
        nnRole: 'NameNode',
        hostAndPort: 'nn1.example.com:8020',
        lastHATransitionTime: null,
        securityEnabled: false,
        namesystemHAState: 'STANDBY',
        millisSinceLastLoadedEdits: 1200,
        lastWrittenTransactionId: 40,
        safemode: '',
        inSafemode: false,
        lastAppliedOrWrittenTxId: 42,
        mostRecentCheckpointTxId: 30,
        isActive: false,
      },
      readAt: '2026-01-01T00:00:00.000Z',
      ageMs: 7_500,
      isActiveMismatch: false,
      lastError: { kind: 'timedOut', message: 'GET …: no answer', at: '2026-01-01T00:00:07.000Z' },
    });
    board.setNameNodeHttp(null);
    expect(board.status().namenodeHttp).toBeNull();
  });

  it('is plain JSON: a round trip gives the same value', () => {
    const board = new StatusBoard(identity, new ManualClock({ startMs: 5_000 }));
    board.update({ haState: 'ACTIVE', zkSessionId: 2n ** 63n + 5n, lockHolder: nn2, cededUntilWallMs: 0 });
    board.setFencingReadiness([{ method: 'sshfence', ready: true, detail: 'ok', checkedAtMs: 1 }]);
    const status = board.status();
    expect(JSON.parse(JSON.stringify(status))).toEqual(status);
  });

  it.each([
    [0x10000a1b2c30005n, '0x10000a1b2c30005'],
    [1n, '0x1'],
    [-1n, '0xffffffffffffffff'], // Java longs are signed; ZooKeeper prints them as unsigned hex
    [undefined, null],
    [null, null],
  ])('formats session id %s as %s', (id, text) => {
    expect(formatZkSessionId(id)).toBe(text);
  });

  it.each([
    [0, '1970-01-01T00:00:00.000Z'],
    [Number.NaN, null],
    [Number.POSITIVE_INFINITY, null],
    [9e15, null], // beyond Date's range
    [null, null],
  ])('isoTime(%s) is %s', (ms, text) => {
    expect(isoTime(ms)).toBe(text);
  });
});
