// Goal: readiness-gated promotion (README "Readiness-gated promotion") on real NameNodes, three of
// them, with our daemon beside each:
// - the safe-mode cold start: every NameNode in safe mode (entered by hand with Hadoop's dfsadmin,
//   so it never ends by itself) when the controllers start; Hadoop's ZKFC would promote one at
//   once, ours promotes none until zkfc.readiness.escape-after.ms has passed without an active,
//   then exactly one (the escape hatch: the cold start cannot deadlock);
// - a stale standby: nn3's edit tailer runs once an hour (dfs.ha.tail-edits.period on its JVM
//   only), so after some namespace changes (and a roll of the active's edit log, since standbys
//   load finalized segments only) it is far behind nn2: its daemon says why it is
//   not ready and stays out of the election, `haadmin -failover` to it is refused with the reason;
// - the three-NameNode race: when the active NameNode is killed, the caught-up standby (nn2) takes
//   over, never the stale one.
// Method: tools/testing/hadoop/real-cluster.ts (QJM, a DataNode), our zkfc beside each NameNode,
// Hadoop's dfsadmin and FsShell for safe mode and namespace changes, /status of each daemon.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ZkfcStatus } from '../../src/observability/status.js';
import { RealCluster } from '../../tools/testing/hadoop/real-cluster.js';
import { eventually } from '../../tools/testing/wait.js';
import { ensureDistBuilt } from '../support/e2e-zkfc.js';
import { ClusterSteps } from '../support/cluster-steps.js';

const IDS = ['nn1', 'nn2', 'nn3'] as const;
const ESCAPE_AFTER_MS = 20_000;
const MAX_LAG_TXNS = 10;

let cluster: RealCluster;
const steps = new ClusterSteps(() => cluster?.baseDir);
const step = (fn: () => Promise<void>): Promise<void> => steps.step(fn);

beforeAll(async () => {
  await ensureDistBuilt();
  cluster = await RealCluster.start({
    namenodeIds: IDS,
    healthRpcTimeoutMs: 5000,
    coreSite: {
      'zkfc.readiness.escape-after.ms': String(ESCAPE_AFTER_MS),
      'zkfc.readiness.max-lag-txns': String(MAX_LAG_TXNS),
    },
    // nn3's tailer loads edits at its start and then once an hour: a stale standby.
    nameNodeProperties: { nn3: { 'dfs.ha.tail-edits.period': '3600s' } },
  });
}, 300_000);

afterAll(async () => {
  await cluster?.stop({ keepLogs: steps.failed });
}, 60_000);

async function status(id: string): Promise<ZkfcStatus> {
  const response = await fetch(`http://127.0.0.1:${cluster.node(id).statusPort}/status`, {
    signal: AbortSignal.timeout(5000),
  });
  return (await response.json()) as ZkfcStatus;
}

async function dfsAdmin(id: string, args: readonly string[]): Promise<void> {
  const fs = `hdfs://127.0.0.1:${cluster.node(id).rpcPort}`;
  const result = await cluster.runJava(
    'dfsadmin',
    'org.apache.hadoop.hdfs.tools.DFSAdmin',
    ['-fs', fs, ...args],
    60_000,
    '96m',
  );
  expect(result.code, `dfsadmin ${args.join(' ')} on ${id}: ${result.stderr}`).toBe(0);
}

describe('readiness-gated promotion on real NameNodes', () => {
  it('safe-mode cold start: no active until the escape hatch opens, then exactly one', () =>
    step(async () => {
      for (const id of IDS) await dfsAdmin(id, ['-safemode', 'enter']);
      const startedAt = Date.now();
      await Promise.all(IDS.map((id) => cluster.startController(id, 'ours')));
      // Not ready: every daemon says safe mode is why.
      await eventually(async () => {
        for (const id of IDS) {
          const readiness = (await status(id)).readiness;
          expect(readiness?.ready, id).toBe(false);
          expect(readiness?.summary, id).toContain('safe');
        }
      }, 15_000);
      // Until the escape hatch: nobody active (Hadoop's ZKFC would have promoted one at once).
      while (Date.now() - startedAt < ESCAPE_AFTER_MS - 3000) {
        expect(await cluster.activeNameNodes()).toEqual([]);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      await cluster.waitFor(
        async () => (await cluster.activeNameNodes()).length === 1,
        45_000,
        'an active by the escape hatch',
      );
      const [winner] = await cluster.activeNameNodes();
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(ESCAPE_AFTER_MS - 3000);
      const winnerStatus = await status(winner!);
      expect(winnerStatus.electorState).toBe('ACTIVE');
      // It stays the only one.
      await new Promise((resolve) => setTimeout(resolve, 5000));
      expect(await cluster.activeNameNodes()).toEqual([winner]);
      for (const id of IDS) await dfsAdmin(id, ['-safemode', 'leave']);
      // The daemons see safe mode end at their next HTTP read and cluster-view round (5 s each).
      await eventually(async () => {
        for (const id of IDS) expect((await status(id)).readiness?.ready, id).toBe(true);
      }, 30_000);
    }));

  it('a stale standby stays out of the election and -failover to it is refused with the reason', () =>
    step(async () => {
      // Make nn1 the active (graceful failover, if the escape hatch chose another).
      const [active] = await cluster.activeNameNodes();
      if (active !== 'nn1') {
        const moved = await cluster.ourHaAdmin(['-failover', active!, 'nn1']);
        expect(moved.code, moved.stderr + moved.stdout).toBe(0);
      }
      await cluster.waitForActive('nn1', 60_000);
      // Namespace changes: nn2 tails them within a second, nn3 not for an hour.
      const dirs = Array.from({ length: 3 * MAX_LAG_TXNS }, (_, i) => `/readiness/d${i}`);
      const mkdir = await cluster.fsShell(['-mkdir', '-p', ...dirs]);
      expect(mkdir.code, mkdir.stderr).toBe(0);
      // A standby loads finalized segments only (no in-progress tailing): roll the active's edit
      // log so nn2 can load the changes now rather than at the next dfs.ha.log-roll.period.
      await dfsAdmin('nn1', ['-rollEdits']);
      await eventually(async () => {
        const stale = (await status('nn3')).readiness;
        expect(stale?.ready).toBe(false);
        expect(stale?.summary).toMatch(/transactions behind nn[12] \(zkfc.readiness.max-lag-txns 10\)/);
        expect((await status('nn3')).electorState).toBe('INIT');
        expect((await status('nn2')).readiness?.ready).toBe(true);
      }, 30_000);
      const refused = await cluster.ourHaAdmin(['-failover', 'nn1', 'nn3']);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr + refused.stdout).toContain('nn3 is not ready to become active');
      expect(await cluster.activeNameNodes()).toEqual(['nn1']);
    }));

  it('three NameNodes: when the active dies the caught-up standby wins, never the stale one', () =>
    step(async () => {
      const killedAt = Date.now();
      await cluster.killNameNode('nn1');
      await cluster.waitForActive('nn2', 60_000);
      const tookMs = Date.now() - killedAt;
      expect(await cluster.activeNameNodes()).toEqual(['nn2']);
      expect((await status('nn3')).electorState).toBe('INIT');
      // Well before the escape hatch could have mattered.
      expect(tookMs).toBeLessThan(ESCAPE_AFTER_MS);
      await new Promise((resolve) => setTimeout(resolve, 5000));
      expect(await cluster.activeNameNodes()).toEqual(['nn2']);
    }));
});
