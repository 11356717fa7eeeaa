// Goal: `haadmin status` against real zkfc daemons (not stand-ins): with an active/standby pair
// it exits 0 and shows nn1 active and healthy, the lock and breadcrumb on nn1 as the daemons read
// them from ZooKeeper, and each daemon's fencing readiness; after `haadmin -failover nn1 nn2` it
// shows the lock on nn2 and the graceful failover nn2's daemon recorded; with nn1's daemon
// stopped it says "zkfc unreachable" for nn1 and exits 1.
// Method: MiniCluster (real ZooKeeper, simulated NameNode processes, the built zkfc daemons with
// zkfc.http-address per NameNode in hdfs-site.xml) and the built haadmin binary; the cluster is
// stopped in afterEach, also when a test fails.
import { afterEach, describe, expect, it } from 'vitest';
import type { MiniCluster } from '../../tools/testing/mini-cluster.js';
import { runHaadmin, startE2eCluster, stopE2eCluster } from '../support/e2e-zkfc.js';
import { eventually } from '../../tools/testing/wait.js';

let cluster: MiniCluster | undefined;

afterEach(async () => {
  await stopE2eCluster(cluster);
  cluster = undefined;
});

interface StatusDocument {
  verdict: string;
  problems: string[];
  activeNamenodes: string[];
  election: { lockHolder: { namenodeId: string } | null; breadcrumb: { namenodeId: string } | null } | null;
  lastFailover: { to: string; reason: string; reportedBy: string } | null;
  namenodes: Array<{
    namenodeId: string;
    health: string | null;
    holdsLock: boolean | null;
    fencing: Array<{ method: string }> | null;
    zkfc: { ok: boolean };
  }>;
}

describe('haadmin status against zkfc daemons', () => {
  it('reports the pair, follows a graceful failover, and notices a stopped daemon', async () => {
    const c = (cluster = await startE2eCluster());
    await Promise.all([c.startNamenode('nn1'), c.startNamenode('nn2')]);
    await c.startZkfc('nn1');
    await c.waitForActive(20_000, 'nn1');
    await c.startZkfc('nn2');
    await eventually(async () => expect((await c.zkfcStatus('nn2'))?.['electorState']).toBe('STANDBY'), 10_000);

    const status = async (): Promise<{ code: number | null; document: StatusDocument }> => {
      const result = await runHaadmin(c, ['status', '--json'], { timeoutMs: 30_000 });
      return { code: result.code, document: JSON.parse(result.stdout) as StatusDocument };
    };

    const before = await status();
    expect(before.code).toBe(0);
    expect(before.document).toMatchObject({
      verdict: 'ok',
      activeNamenodes: ['nn1'],
      election: { lockHolder: { namenodeId: 'nn1' }, breadcrumb: { namenodeId: 'nn1' } },
    });
    // The mini cluster keeps Hadoop's default (world-writable) ZooKeeper ACL: both zkfcs report it, once.
    expect(before.document.problems).toEqual([
      expect.stringMatching(
        /^zkfc of nn1, nn2: ha\.zookeeper\.acl is world-writable .*; to clear: set ha\.zookeeper\.acl/,
      ),
    ]);
    expect(before.document.namenodes.map((nn) => [nn.namenodeId, nn.health, nn.holdsLock])).toEqual([
      ['nn1', 'SERVICE_HEALTHY', true],
      ['nn2', 'SERVICE_HEALTHY', false],
    ]);

    const table = await runHaadmin(c, ['status'], { timeoutMs: 30_000 });
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(
      new RegExp(`\\nnn1 +127\\.0\\.0\\.1:${c.node('nn1').rpcPort} +active +SERVICE_HEALTHY +held `),
    );
    expect(table.stdout).toMatch(/\nLock holder: {4}nn1 \(ns1, /);
    expect(table.stdout).toMatch(/\nLast failover: {2}\(none\) -> nn1 at \S+, reason initial, took \d+ ms\n/);

    const failover = await runHaadmin(c, ['-failover', 'nn1', 'nn2'], { timeoutMs: 60_000 });
    expect(failover.code, failover.stderr).toBe(0);
    await eventually(
      async () => {
        const after = await status();
        expect(after.code).toBe(0);
        expect(after.document).toMatchObject({
          activeNamenodes: ['nn2'],
          election: { lockHolder: { namenodeId: 'nn2' } },
          lastFailover: { to: 'nn2', reason: 'graceful', reportedBy: 'nn2' },
        });
      },
      15_000,
      200,
    );

    await c.stopZkfc('nn1');
    const degraded = await runHaadmin(c, ['status'], { timeoutMs: 30_000 });
    expect(degraded.code).toBe(1);
    expect(degraded.stdout).toMatch(/\nnn1 +\S+ +standby +zkfc unreachable /);
    expect(degraded.stdout).toMatch(/ {2}- nn1: zkfc unreachable: GET \/status on 127\.0\.0\.1:\d+ failed: /);
    expect(c.splitBrainViolations()).toEqual([]);
  });
});
