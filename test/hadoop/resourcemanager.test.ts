// Goal: our zkfc drives real YARN ResourceManagers (ZKRMStateStore, automatic failover off in the
// ResourceManagers' own yarn-site.xml, as Hadoop 3.4 requires for an external controller):
//   - the active ResourceManager killed → the standby becomes active, fenced by the state store;
//     the restarted one comes back standby;
//   - graceful `haadmin -rm -failover` (which Hadoop's `yarn rmadmin` lacks) both ways;
//   - Hadoop's `yarn rmadmin` (-getServiceState, -getAllServiceState, -checkHealth) prints what
//     our `haadmin -rm` prints for the same commands;
//   - the ZooKeeper leader killed → no failover and no standby (the embedded elector would
//     drop to standby on the disconnection); the active's session expired → the peer takes over
//     and the old one goes standby and stays there;
//   - a YARN client sees the new active through REST /ws/v1/cluster/info (haState);
//   - migration: a ResourceManager with Hadoop's embedded elector beside a zkfc-driven one: the lock
//     bytes are identical, failover works both ways, and the embedded one restarts cleanly while
//     our lock is held (its isParentZnodeSafe check accepts our data); a daemon pointed at the
//     embedded one's yarn-site.xml refuses to start, naming the key.
// Method: tools/testing/hadoop/real-rm-cluster.ts (real ResourceManager JVMs from Maven's jars,
// Debian's ZooKeeper, a 3-member ensemble for the leader test); each ResourceManager's own REST
// view decides who is active; ZooKeeper read with a test client.

import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { encodeActiveRmInfo } from '../../src/hadoop/active-rm-info.js';
import { RealRmCluster, RM_ACTIVE_LINE } from '../../tools/testing/hadoop/real-rm-cluster.js';
import { sleep } from '../../tools/testing/wait.js';
import { ensureDistBuilt, ZkTestClient } from '../support/e2e-zkfc.js';
import { ClusterSteps } from '../support/cluster-steps.js';
import { readFileSync } from 'node:fs';

let cluster: RealRmCluster | undefined;
let zk: ZkTestClient | undefined;
const steps = new ClusterSteps(() => cluster?.baseDir);
const step = (fn: () => Promise<void>): Promise<void> => steps.step(fn);
const LOCK = '/yarn-leader-election/yc1/ActiveStandbyElectorLock';
const CRUMB = '/yarn-leader-election/yc1/ActiveBreadCrumb';

beforeAll(async () => {
  await ensureDistBuilt();
}, 120_000);

afterEach(async () => {
  await zk?.close();
  zk = undefined;
  await cluster?.stop({ keepLogs: steps.failed });
  cluster = undefined;
}, 60_000);

/** Both ResourceManagers driven by our daemons; rm1 active. */
async function zkfcPair(options: Parameters<typeof RealRmCluster.start>[0] = {}): Promise<RealRmCluster> {
  const c = (cluster = await RealRmCluster.start(options));
  await c.startController('rm1');
  await c.waitForActive('rm1', 60_000);
  await c.startController('rm2');
  zk = await ZkTestClient.connect(c.zk.connectString);
  return c;
}

async function lockBytes(): Promise<string> {
  const data = await zk!.getData(LOCK);
  return data === null ? '(none)' : Buffer.from(data.data).toString('hex');
}
const rmInfoHex = (rmId: string): string => Buffer.from(encodeActiveRmInfo({ clusterId: 'yc1', rmId })).toString('hex');

/** Samples every ResourceManager's REST state for `ms`; returns the distinct states seen per id. */
async function watchStates(c: RealRmCluster, ms: number): Promise<Map<string, Set<string>>> {
  const seen = new Map<string, Set<string>>();
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    for (const id of c.rms.keys()) {
      const state = (await c.haState(id, 1000)) ?? 'unreachable';
      (seen.get(id) ?? seen.set(id, new Set()).get(id)!).add(state);
    }
    await sleep(200);
  }
  return seen;
}

describe('our zkfc drives real ResourceManagers', () => {
  it('fails over when the active is killed, gracefully both ways, and rmadmin agrees with haadmin -rm', () =>
    step(async () => {
      const c = await zkfcPair();
      expect(await lockBytes()).toBe(rmInfoHex('rm1'));

      // Hadoop's yarn rmadmin and ours print the same.
      for (const args of [
        ['-getAllServiceState'],
        ['-getServiceState', 'rm1'],
        ['-checkHealth', 'rm2'],
        ['-getServiceState', 'rm9'],
      ]) {
        const theirs = await c.rmadmin(args);
        const ours = await c.ourHaAdmin(['-rm', ...args]);
        expect({ args, code: ours.code, out: ours.stdout.trimEnd() }).toEqual({
          args,
          code: theirs.code,
          out: theirs.stdout.trimEnd(),
        });
      }
      // rmadmin has no -failover; ours goes through the daemons.
      expect((await c.rmadmin(['-failover', 'rm1', 'rm2'])).stderr).toContain('failover: Unknown command');
      const there = await c.ourHaAdmin(['-rm', '-failover', 'rm1', 'rm2']);
      expect(there.code, there.stderr).toBe(0);
      expect(there.stdout).toMatch(/^Failover to ResourceManager rm2 at \/127\.0\.0\.1:\d+ successful/);
      await c.waitForActive('rm2', 30_000);
      expect((await c.rmadmin(['-getServiceState', 'rm1'])).stdout.trim()).toBe('standby');
      const back = await c.ourHaAdmin(['-rm', '-failover', 'rm2', 'rm1']);
      expect(back.code, back.stderr).toBe(0);
      await c.waitForActive('rm1', 30_000);

      // Crash: the standby takes over; no fencing method is configured, the state store fences.
      const killedAt = Date.now();
      await c.signalRm('rm1', 'SIGKILL');
      await c.waitForActive('rm2', 60_000);
      const tookMs = Date.now() - killedAt;
      expect(await lockBytes()).toBe(rmInfoHex('rm2'));
      const crumb = await zk!.getData(CRUMB);
      expect(Buffer.from(crumb!.data).toString('hex')).toBe(rmInfoHex('rm2'));
      expect(readFileSync(c.rm('rm2').zkfcLog, 'utf8')).toContain('fencing delegated to the state store');
      // Faster than a session timeout (5 s): the daemon saw its ResourceManager refuse connections.
      expect(tookMs).toBeLessThan(5000);

      await c.startRm('rm1');
      await c.waitFor(async () => (await c.haState('rm1')) === 'standby', 30_000, 'rm1 back as standby');
      const states = await watchStates(c, 3000);
      expect([...(states.get('rm1') ?? [])]).toEqual(['standby']);
      expect([...(states.get('rm2') ?? [])]).toEqual(['active']);
    }));

  it('keeps the active through a ZooKeeper leader loss; a session expiry hands over, the old one stays standby', () =>
    step(async () => {
      const c = await zkfcPair({ zkNodes: 3, sessionTimeoutMs: 6000 });
      const leader = await c.zk.leader();
      const standbyBefore = c.activeTimes('rm2').length;
      const toStandby = (): number =>
        readFileSync(c.rm('rm1').log, 'utf8').split('Transitioning to standby state').length;
      const rm1StandbyBefore = toStandby();
      await c.zk.kill(leader);
      // Twice the session timeout: the clients move to another member and nothing changes.
      const states = await watchStates(c, 12_000);
      expect([...(states.get('rm1') ?? [])]).toEqual(['active']);
      expect([...(states.get('rm2') ?? [])]).toEqual(['standby']);
      expect(c.activeTimes('rm2')).toHaveLength(standbyBefore);
      expect(toStandby()).toBe(rm1StandbyBefore);
      await c.zk.restart(leader);

      // rm1's daemon paused past its session: rm2's daemon takes the lock, fences rm1 gracefully.
      c.rm('rm1').controller!.kill('SIGSTOP');
      await c.waitForActive('rm2', 60_000);
      expect(await c.haState('rm1')).toBe('standby');
      c.rm('rm1').controller!.kill('SIGCONT');
      const after = await watchStates(c, 8000);
      expect([...(after.get('rm1') ?? [])]).toEqual(['standby']);
      expect([...(after.get('rm2') ?? [])]).toEqual(['active']);
      expect(await lockBytes()).toBe(rmInfoHex('rm2'));
    }));

  it('migrates from the embedded elector: identical lock bytes, failover both ways, clean restarts', () =>
    step(async () => {
      const c = (cluster = await RealRmCluster.start({ embedded: new Set(['rm1']) }));
      zk = await ZkTestClient.connect(c.zk.connectString);
      await c.waitForActive('rm1', 60_000);
      // The embedded elector's bytes are exactly what our daemon writes for the same rm-id.
      expect(await lockBytes()).toBe(rmInfoHex('rm1'));

      // Our daemon refuses to drive the embedded one, naming the key.
      const refused = await c.runOurZkfcFor('rm1');
      expect(refused.code).toBe(78);
      expect(refused.stderr).toContain('yarn.resourcemanager.ha.automatic-failover.enabled');

      await c.startController('rm2');
      await c.signalRm('rm1', 'SIGKILL');
      await c.waitForActive('rm2', 60_000);
      expect(await lockBytes()).toBe(rmInfoHex('rm2'));
      // The embedded ResourceManager restarts while our lock is held: isParentZnodeSafe accepts it.
      await c.startRm('rm1');
      await c.waitFor(async () => (await c.haState('rm1')) === 'standby', 30_000, 'embedded rm1 standby');
      expect(readFileSync(c.rm('rm1').log, 'utf8')).not.toContain('invalid data in znode');

      // Back to the embedded one: our ResourceManager dies, its daemon quits the election.
      await c.signalRm('rm2', 'SIGKILL');
      await c.waitForActive('rm1', 60_000);
      expect(await lockBytes()).toBe(rmInfoHex('rm1'));
      expect(c.activeTimes('rm1').length).toBeGreaterThanOrEqual(2);
      expect(readFileSync(c.rm('rm1').log, 'utf8')).toContain(RM_ACTIVE_LINE);
    }));
});
