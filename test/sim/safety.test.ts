// Goal: safety properties that rested on no test of the real modules, each shown on the real
// ControllerRuntime (core, executor, graceful-failover.ts) in the simulated cluster:
// - graceful failover reports failure when our own transitionToActive failed, and the old active
//   comes back (Hadoop's testGracefulFailoverFailBecomingActive);
// - the lock and breadcrumb the ZKFCs create carry the configured ha.zookeeper.acl, and with that
//   ACL a ZooKeeper client without the credentials can neither remove nor rewrite them (the
//   simulated ZooKeeper enforces ACLs as the real one does);
// - stuck ZooKeeper states are reported once per change, never per retry: a squatted persistent
//   lock, and a forged breadcrumb nobody may fence; both clear once an operator removes the znode.
// Mutations that make these tests fail (tried by hand, see the commit message): graceful-failover.ts
// ignoring `attempt.succeeded`; the executor creating the lock with OPEN_ACL_UNSAFE instead of the
// configured ACL.
// Method: SimWorld without random faults; faults and hostile clients are injected by hand.

import { describe, expect, it } from 'vitest';
import { encodeActiveNodeInfo } from '../../src/hadoop/active-node-info.js';
import { FailoverServiceError } from '../../src/runtime/errors.js';
import type { ControllerRecord } from '../../src/runtime/records.js';
import type { ZkAuthInfo, ZkOpResult } from '../../src/runtime/ports.js';
import { digestAclId, parseZkAcl } from '../../src/zookeeper/acl.js';
import { SimProcess } from './sim-scheduler.js';
import { BREADCRUMB_PATH, LOCK_PATH, SimWorld, type SimOptions } from './sim-world.js';
import { startedWorld as startedSimWorld, type StartedWorld } from './started-world.js';
import { OPEN_ACL, SimZkSession } from './sim-zookeeper.js';

/** The scenario start (./started-world.ts) on seed 11. */
function startedWorld(options: Partial<SimOptions> = {}): Promise<StartedWorld> {
  return startedSimWorld({ seed: 11, ...options });
}

function controller(world: SimWorld, index: number) {
  const c = world.hosts[index]?.controller;
  if (c === undefined) throw new Error(`no controller on host ${index}`);
  return c;
}

/** A ZooKeeper client of the attacker's (or the operator's), on host 0's network. */
function outsider(world: SimWorld, authInfo: readonly ZkAuthInfo[] = []): SimZkSession {
  const options = { connectString: 'zk.sim:2181', sessionTimeoutMs: 10_000, operationTimeoutMs: 10_000, authInfo };
  return new SimZkSession(1, 0, world.zk, new SimProcess(world.scheduler, 'outsider'), options, () => undefined);
}

/** Run the simulation until `operation` settles. */
async function settle<T>(world: SimWorld, operation: Promise<ZkOpResult<T>>): Promise<ZkOpResult<T>> {
  let result: ZkOpResult<T> | undefined;
  void operation.then((value) => (result = value));
  expect(await world.runUntil(() => result !== undefined, 30_000)).toBe(true);
  return result!;
}

function problemRecords(records: readonly ControllerRecord[]): string[] {
  return records.flatMap((r) =>
    r.type === 'zooKeeperProblem' ? [`${r.problem}:${r.present ? 'present' : 'cleared'}`] : [],
  );
}

describe('graceful failover when our transitionToActive fails', () => {
  it('reports the failure (not success), and the old active is active again', async () => {
    const { world } = await startedWorld();
    const nn2 = world.nameNodes[1]!;
    nn2.failToBecomeActive = true;
    const attempt = controller(world, 1).gracefulFailover();
    let outcome: unknown = 'pending';
    attempt.then(
      () => (outcome = 'succeeded'),
      (error: unknown) => (outcome = error),
    );
    expect(await world.runUntil(() => outcome !== 'pending', 90_000)).toBe(true);
    expect(outcome).toBeInstanceOf(FailoverServiceError);
    expect((outcome as Error).message).toMatch(
      /^Failed to become active\. Couldn't make NameNode at nn2\.sim:8020 \(ns1\.nn2\) active/,
    );
    expect(nn2.isActive).toBe(false);
    // nn1's ZKFC rejoins (cedeActive(-1)) and wins again; nn2 keeps failing and never takes over.
    expect(
      await world.runUntil(() => world.activeNameNodes().length === 1 && world.activeNameNodes()[0] === 0, 30_000),
    ).toBe(true);
    expect(world.violations).toEqual([]);
  });
});

describe('ha.zookeeper.acl on the znodes the ZKFCs create', () => {
  const acl = parseZkAcl(`digest:${digestAclId('hdfs', 'zk-secret')}:rwcda`);
  const authInfo: ZkAuthInfo[] = [{ scheme: 'digest', auth: new TextEncoder().encode('hdfs:zk-secret') }];

  it(
    'the lock and the breadcrumb carry the configured ACL; a ' +
      'client without the credentials cannot remove or rewrite them',
    async () => {
      const { world } = await startedWorld({ zkSecurity: { acl, authInfo } });
      expect(world.zk.znode(LOCK_PATH)?.acl).toEqual(acl);
      expect(world.zk.znode(BREADCRUMB_PATH)?.acl).toEqual(acl);
      const stranger = outsider(world);
      expect((await settle(world, stranger.delete(LOCK_PATH, -1))).code).toBe('NOAUTH');
      expect((await settle(world, stranger.delete(BREADCRUMB_PATH, -1))).code).toBe('NOAUTH');
      expect((await settle(world, stranger.setData(BREADCRUMB_PATH, new Uint8Array([1]), -1))).code).toBe('NOAUTH');
      expect(
        (await settle(world, stranger.create(`${LOCK_PATH}-squat`, new Uint8Array([1]), OPEN_ACL, 'PERSISTENT'))).code,
      ).toBe('NOAUTH');
      // A failover still works under the ACL: the new active rewrites the breadcrumb it may write.
      world.nameNodes[0]?.kill('crash');
      expect(await world.runUntil(() => world.activeNameNodes()[0] === 1, 20_000)).toBe(true);
      expect(world.zk.znode(BREADCRUMB_PATH)?.acl).toEqual(acl);
      expect(world.zk.znode(LOCK_PATH)?.acl).toEqual(acl);
      expect(world.violations).toEqual([]);
    },
  );

  it('with the open default ACL the same stranger can remove the lock (what the ACL protects against)', async () => {
    const { world } = await startedWorld();
    expect(world.zk.znode(LOCK_PATH)?.acl).toEqual(OPEN_ACL);
    expect((await settle(world, outsider(world).delete(LOCK_PATH, -1))).code).toBe('OK');
  });
});

describe('stuck ZooKeeper states are reported once per change', () => {
  it(
    'a squatted persistent lock: every ZKFC reports it once, nobody becomes ' +
      'active; deleting it clears the report and the election completes',
    async () => {
      const world = new SimWorld({ seed: 12, nodes: 2, randomFaults: false, fenceMethods: ['sshfence'] });
      const squatter = outsider(world);
      const forged = encodeActiveNodeInfo({
        nameserviceId: 'ns1',
        namenodeId: 'nn9',
        hostname: 'squatter',
        port: 1,
        zkfcPort: 1,
      });
      expect((await settle(world, squatter.create(LOCK_PATH, forged, OPEN_ACL, 'PERSISTENT'))).code).toBe('OK');
      const records: ControllerRecord[][] = [[], []];
      for (let i = 0; i < 2; i++) {
        world.startController(i);
        world.hosts[i]?.controller?.onEvent((record) => records[i]?.push(record));
      }
      await world.runFor(60_000);
      expect(world.activeNameNodes()).toEqual([]);
      for (const list of records)
        expect(problemRecords(list)).toEqual(['lock-not-ephemeral:present', 'lock-holder-unknown:present']);
      expect(world.hosts[0]?.status?.status().zookeeperProblems.map((p) => p.problem)).toEqual([
        'lock-not-ephemeral',
        'lock-holder-unknown',
      ]);
      expect(world.hosts[0]?.status?.status().zookeeperProblems[0]?.clear).toContain(`delete ${LOCK_PATH}`);
      // The operator's fix.
      expect((await settle(world, squatter.delete(LOCK_PATH, -1))).code).toBe('OK');
      expect(
        await world.runUntil(
          () => world.activeNameNodes().length === 1 && records.every((list) => problemRecords(list).length === 4),
          20_000,
        ),
      ).toBe(true);
      for (const list of records)
        expect(problemRecords(list)).toEqual([
          'lock-not-ephemeral:present',
          'lock-holder-unknown:present',
          'lock-not-ephemeral:cleared',
          'lock-holder-unknown:cleared',
        ]);
      // The world's lock invariant assumes only ZKFCs hold the lock, so the squatter's lock breaks
      // it on purpose; every other invariant (one active at most, fenced before activation) holds.
      expect(world.violations.filter((v) => !v.endsWith('the lock is owned by a session the server ended'))).toEqual(
        [],
      );
    },
  );

  it(
    'a forged breadcrumb (60 KiB host name) after the active crashed: every winner refuses to ' +
      'fence and reports it once however often it retries; deleting it lets the failover complete',
    async () => {
      const { world, records } = await startedWorld({ fenceMethods: ['sshfence'] });
      const forger = outsider(world);
      const forged = encodeActiveNodeInfo({
        nameserviceId: 'ns1',
        namenodeId: 'nn1',
        hostname: 'h'.repeat(60 * 1024),
        port: 8020,
        zkfcPort: 8019,
      });
      expect((await settle(world, forger.setData(BREADCRUMB_PATH, forged, -1))).code).toBe('OK');
      world.nameNodes[0]?.kill('crash');
      await world.runFor(60_000);
      expect(world.activeNameNodes()).toEqual([]);
      const refusals = controller(world, 1).coreSnapshot().breadcrumbRefusals.count;
      expect(refusals).toBeGreaterThan(20);
      // Dozens of refusals, one report per ZKFC.
      for (const list of records) expect(problemRecords(list)).toEqual(['breadcrumb-refused:present']);
      const reported = world.hosts[1]?.status?.status().zookeeperProblems[0];
      expect(reported?.detail.length).toBeLessThan(2000);
      expect(reported?.clear).toContain(`delete ${BREADCRUMB_PATH}`);
      // The operator checks that nn1 is not active and removes the breadcrumb.
      expect((await settle(world, forger.delete(BREADCRUMB_PATH, -1))).code).toBe('OK');
      // Whichever ZKFC wins next (nn1's came back after its crash) fences nothing and activates; each
      // ZKFC's report clears, by its own activation or by reading the breadcrumb again.
      expect(
        await world.runUntil(
          () =>
            world.activeNameNodes().length === 1 &&
            records.every((list) => problemRecords(list).at(-1) === 'breadcrumb-refused:cleared'),
          20_000,
        ),
      ).toBe(true);
      for (const list of records)
        expect(problemRecords(list)).toEqual(['breadcrumb-refused:present', 'breadcrumb-refused:cleared']);
      expect(world.violations).toEqual([]);
    },
  );
});
