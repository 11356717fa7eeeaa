// Goal: the built `haadmin status` reports a nameservice from its NameNode processes and their
// zkfc /status listeners, with the documented exit codes (0 ok, 1 a zkfc or NameNode did not
// answer, 2 no active NameNode, 3 more than one active), both as the table and as --json; and
// --json works on -getServiceState, -getAllServiceState and -checkHealth of the binary with the
// usual exit codes.
// Method: `zkfc-sim namenode` processes on free ports; the zkfc daemons are stood in for by the
// daemon's real read-only HTTP listener (StatusServer) in this process serving scripted
// ZkfcStatus snapshots (the zkfc daemon itself is wired by the lead; an e2e against real daemons
// belongs with it); `node bin/haadmin.js` as a child process. Processes and listeners are
// stopped in afterAll, also when a test fails.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NamenodeSimProcess, ensureBuilt, stopAllSimProcesses } from '../support/namenode-sim-process.js';
import { runHaAdminProcess, writeConfDir } from '../support/haadmin-process.js';
import { activeNode, startStatusListener, zkfcStatus, type StatusListener } from '../support/zkfc-status-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'haadmin-status-e2e-'));
let nn1: NamenodeSimProcess;
let nn2: NamenodeSimProcess;
let z1: StatusListener;
let z2: StatusListener;
let conf: string;

beforeAll(async () => {
  await ensureBuilt();
  [nn1, nn2] = await Promise.all([
    NamenodeSimProcess.start({ nameserviceId: 'ns1', namenodeId: 'nn1', superuser: 'hdfs', initialState: 'active' }),
    NamenodeSimProcess.start({ nameserviceId: 'ns1', namenodeId: 'nn2', superuser: 'hdfs' }),
  ]);
  const lock = activeNode('nn1', nn1.rpcAddress);
  const failover = {
    at: '2024-05-01T11:00:00.000Z',
    from: 'nn2',
    to: 'nn1',
    reason: 'election' as const,
    durationMs: 4200,
    phases: { detectionMs: 3000, electionMs: 40, fencingMs: 800, promotionMs: 360 },
  };
  [z1, z2] = await Promise.all([
    startStatusListener(
      zkfcStatus('nn1', {
        haState: 'ACTIVE',
        electorState: 'ACTIVE',
        lockHolder: lock,
        breadcrumb: lock,
        lastFailover: failover,
      }),
    ),
    startStatusListener(zkfcStatus('nn2', { lockHolder: lock, breadcrumb: lock })),
  ]);
  conf = writeConfDir(dir, 'conf', {
    'dfs.nameservices': 'ns1',
    'dfs.ha.namenodes.ns1': 'nn1,nn2',
    'dfs.namenode.rpc-address.ns1.nn1': `127.0.0.1:${nn1.rpcAddress.port}`,
    'dfs.namenode.rpc-address.ns1.nn2': `127.0.0.1:${nn2.rpcAddress.port}`,
    'dfs.ha.automatic-failover.enabled': 'true',
    'zkfc.http-address.ns1.nn1': `127.0.0.1:${z1.address.port}`,
    'zkfc.http-address.ns1.nn2': `127.0.0.1:${z2.address.port}`,
  });
});

afterAll(async () => {
  await Promise.all([stopAllSimProcesses(), z1?.close(), z2?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('haadmin status (built binary)', () => {
  it('a healthy pair: the table and exit 0', async () => {
    const result = await runHaAdminProcess(['status'], { conf });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^Nameservice ns1 \(collected \d{4}-\d\d-\d\dT/);
    const a1 = `127.0.0.1:${nn1.rpcAddress.port}`;
    const a2 = `127.0.0.1:${nn2.rpcAddress.port}`;
    const width = Math.max(a1.length, a2.length);
    expect(lines.slice(2, 5)).toEqual([
      `NAMENODE  ${'ADDRESS'.padEnd(width)}  HA STATE  HEALTH           LOCK  FENCING`,
      `nn1       ${a1.padEnd(width)}  active    SERVICE_HEALTHY  held  1/1 ready`,
      `nn2       ${a2.padEnd(width)}  standby   SERVICE_HEALTHY  -     1/1 ready`,
    ]);
    expect(result.stdout).toContain(`Lock holder:    nn1 (ns1, 127.0.0.1:${nn1.rpcAddress.port}, zkfc port 8019)`);
    expect(result.stdout).toContain(
      'Last failover:  nn2 -> nn1 at 2024-05-01T11:00:00.000Z, reason election, took 4200 ms',
    );
    expect(lines.at(-2)).toBe('Verdict: OK: one active NameNode, every NameNode and zkfc answered (exit 0)');
  });

  it('--json: the same facts as one document', async () => {
    const result = await runHaAdminProcess(['-status', '--json'], { conf });
    expect(result.code).toBe(0);
    const document = JSON.parse(result.stdout) as {
      nameserviceId: string;
      verdict: string;
      activeNamenodes: string[];
      election: { lockHolder: { namenodeId: string } };
      lastFailover: { reason: string; reportedBy: string };
      namenodes: Array<{
        namenodeId: string;
        haState: { ok: boolean; state?: string };
        health: string;
        holdsLock: boolean;
      }>;
    };
    expect(document).toMatchObject({
      nameserviceId: 'ns1',
      verdict: 'ok',
      activeNamenodes: ['nn1'],
      election: { lockHolder: { namenodeId: 'nn1' } },
    });
    expect(document.lastFailover).toMatchObject({ reason: 'election', reportedBy: 'nn1' });
    expect(document.namenodes.map((nn) => [nn.namenodeId, nn.haState.state, nn.health, nn.holdsLock])).toEqual([
      ['nn1', 'ACTIVE', 'SERVICE_HEALTHY', true],
      ['nn2', 'STANDBY', 'SERVICE_HEALTHY', false],
    ]);
  });

  it('exit 1 when a zkfc does not answer, 2 without an active NameNode, 3 with two', async () => {
    const noZkfc = writeConfDir(dir, 'no-zkfc', {
      'dfs.nameservices': 'ns1',
      'dfs.ha.namenodes.ns1': 'nn1,nn2',
      'dfs.namenode.rpc-address.ns1.nn1': `127.0.0.1:${nn1.rpcAddress.port}`,
      'dfs.namenode.rpc-address.ns1.nn2': `127.0.0.1:${nn2.rpcAddress.port}`,
      'zkfc.http-address.ns1.nn1': `127.0.0.1:${z1.address.port}`,
      'zkfc.http-address.ns1.nn2': '127.0.0.1:1',
    });
    const degraded = await runHaAdminProcess(['status'], { conf: noZkfc });
    expect(degraded.code).toBe(1);
    expect(degraded.stdout).toMatch(
      new RegExp(`\\nnn2 +127\\.0\\.0\\.1:${nn2.rpcAddress.port} +standby +zkfc unreachable +- +\\?\\n`),
    );
    expect(degraded.stdout).toMatch(
      / {2}- nn2: zkfc unreachable: GET \/status on 127\.0\.0\.1:1 failed: .*ECONNREFUSED/,
    );

    await nn1.forceState('standby', 'test: no active');
    try {
      expect((await runHaAdminProcess(['status'], { conf })).code).toBe(2);
      await nn1.forceState('active', 'test: two active');
      await nn2.forceState('active', 'test: two active');
      const split = await runHaAdminProcess(['status', '--json'], { conf });
      expect(split.code).toBe(3);
      expect(JSON.parse(split.stdout)).toMatchObject({ verdict: 'multiple-active', activeNamenodes: ['nn1', 'nn2'] });
    } finally {
      await nn1.forceState('active', 'test: restore');
      await nn2.forceState('standby', 'test: restore');
    }
  });
});

describe('--json on the read commands (built binary)', () => {
  it('-getServiceState, -getAllServiceState and -checkHealth print documents with the usual exit codes', async () => {
    const state = await runHaAdminProcess(['-getServiceState', 'nn1', '--json'], { conf });
    expect(state.code).toBe(0);
    expect(JSON.parse(state.stdout)).toEqual({
      serviceId: 'nn1',
      address: `127.0.0.1:${nn1.rpcAddress.port}`,
      state: 'active',
      readyToBecomeActive: true,
      notReadyReason: null,
    });

    const all = await runHaAdminProcess(['-getAllServiceState', '--json'], { conf });
    expect(all.code).toBe(0);
    expect(JSON.parse(all.stdout)).toEqual({
      namenodes: [
        { serviceId: 'nn1', address: `127.0.0.1:${nn1.rpcAddress.port}`, state: 'active', error: null },
        { serviceId: 'nn2', address: `127.0.0.1:${nn2.rpcAddress.port}`, state: 'standby', error: null },
      ],
    });

    await nn2.fault('unhealthy');
    try {
      const sick = await runHaAdminProcess(['-checkHealth', 'nn2', '--json'], { conf });
      expect(sick.code).toBe(255);
      expect(JSON.parse(sick.stdout)).toEqual({
        serviceId: 'nn2',
        address: `127.0.0.1:${nn2.rpcAddress.port}`,
        healthy: false,
        reason: 'The NameNode has no resources available',
      });
      expect(sick.stderr).toBe('Health check failed: The NameNode has no resources available\n');
    } finally {
      await nn2.fault('none');
    }
    const unknown = await runHaAdminProcess(['-getServiceState', 'nn9', '--json'], { conf });
    expect(unknown.code).toBe(255);
    expect(JSON.parse(unknown.stdout)).toEqual({
      error: {
        kind: 'illegal-argument',
        code: 'CONFIG_INVALID',
        message: "Unable to determine service address for namenode 'nn9'",
      },
    });
  });
});
