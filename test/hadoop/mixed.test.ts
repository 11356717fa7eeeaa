// Goal: a mixed nameservice during a migration: Hadoop's own DFSZKFailoverController beside nn1,
// our zkfc beside nn2, one ZooKeeper. The active role moves both ways by crash (each side fences
// the other's NameNode) and by graceful -failover (each side cedes to the other over ZKFCProtocol),
// and a -formatZK by either side is accepted by the other. Our failover journal lives beside the
// elector's znodes: Hadoop's ZKFC keeps working with it there (it writes no stand-down, so our
// entry says what our zkfc saw), and Hadoop's -formatZK clears it.
// Method: tools/testing/hadoop/real-cluster.ts with real JVMs; the NameNodes' JMX view decides who
// is active; the fencing method (the same for both controllers) kills the old NameNode by pid.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RealCluster } from '../../tools/testing/hadoop/real-cluster.js';
import { ensureDistBuilt } from '../support/e2e-zkfc.js';
import { ClusterSteps } from '../support/cluster-steps.js';
import type { HistoryDocument } from '../../src/cli/haadmin/history.js';

let cluster: RealCluster;
const steps = new ClusterSteps(() => cluster?.baseDir);
const step = (fn: () => Promise<void>): Promise<void> => steps.step(fn);

beforeAll(async () => {
  await ensureDistBuilt();
  cluster = await RealCluster.start({ healthRpcTimeoutMs: 5000, sessionTimeoutMs: 5000, checkIntervalMs: 1000 });
  await cluster.startController('nn1', 'hadoop');
  await cluster.waitForActive('nn1', 90_000);
  await cluster.startController('nn2', 'ours');
}, 300_000);

afterAll(async () => {
  await cluster?.stop({ keepLogs: steps.failed });
}, 60_000);

const hadoopZkfcLog = (): string => readFileSync(join(cluster.logsDir, 'zkfc-nn1.log'), 'utf8');

/**
 * Waits until Hadoop's ZKFC has seen its NameNode healthy after `mark` (a length of its log).
 * A restarted NameNode is standby on its own; ZKFailoverController#checkEligibleForFailover
 * refuses a graceful failover to it until the HealthMonitor's next good round says
 * SERVICE_HEALTHY, which a 'SERVICE_HEALTHY' from before the restart does not show.
 */
async function waitJavaHealthySince(mark: number): Promise<void> {
  await cluster.waitFor(
    async () => hadoopZkfcLog().slice(mark).includes('SERVICE_HEALTHY'),
    90_000,
    "Hadoop's ZKFC seeing nn1 SERVICE_HEALTHY again",
  );
}

/** Our `haadmin history --json`: the failover journal in ZooKeeper. */
async function journal(): Promise<HistoryDocument> {
  const run = await cluster.ourHaAdmin(['history', '--json']);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as HistoryDocument;
}

describe("Hadoop's ZKFC (nn1) and our zkfc (nn2) in one nameservice", () => {
  it("crash of Hadoop's active: our zkfc fences nn1 and makes nn2 active", () =>
    step(async () => {
      await cluster.killNameNode('nn1');
      await cluster.waitForActive('nn2', 60_000);
      expect(readFileSync(cluster.node('nn2').zkfcLog, 'utf8')).toMatch(/fencing successful/i);
      // Our zkfc journals the failover; Hadoop's ZKFC wrote no stand-down, so the trigger is what ours saw.
      await cluster.waitFor(
        async () => (await journal()).entries.some((entry) => entry.kind === 'failover' && entry.to === 'nn2'),
        30_000,
        'the failover to nn2 in the journal',
      );
      const failover = (await journal()).entries.find((entry) => entry.kind === 'failover' && entry.to === 'nn2');
      expect(failover).toMatchObject({ from: 'nn1', reason: 'election', writer: { namenode: 'nn2' } });
      expect(failover && 'loser' in failover ? failover.loser : undefined).toBeUndefined();
      expect(failover?.kind === 'failover' ? failover.trigger : '').toMatch(
        /^the lock of nn1 went away .*; the breadcrumb named nn1; nn1 fenced by shell\(/,
      );
      const mark = hadoopZkfcLog().length;
      await cluster.startNameNode('nn1');
      // Hadoop's ZKFC sees its NameNode healthy again and rejoins as standby.
      await cluster.waitFor(
        async () => (await cluster.haState('nn1')) === 'standby',
        90_000,
        'nn1 standby under the Java ZKFC',
      );
      await waitJavaHealthySince(mark);
      expect(await cluster.activeNameNodes()).toEqual(['nn2']);
    }));

  it("Hadoop's haadmin -failover to nn1: Hadoop's ZKFC asks ours to cede; ours -failover back: ours asks Java's", () =>
    step(async () => {
      let toJava = await cluster.hadoopHaAdmin(['-failover', 'nn2', 'nn1']);
      if (toJava.code !== 0 && /EOFException|Couldn't make NameNode/.test(toJava.stdout + toJava.stderr)) {
        // Seen with Hadoop 3.4.2: the Java ZKFC's first transitionToActive after its NameNode was
        // restarted can fail on a stale IPC connection (EOFException); its elector retries and the
        // NameNode becomes active, but this gracefulFailover already reported failure. Java's
        // behaviour, not ours: the operator's retry succeeds, and so must ours.
        await cluster.waitFor(
          async () => (await cluster.activeNameNodes()).length === 1,
          30_000,
          'one active after the Java retry',
        );
        if ((await cluster.activeNameNodes())[0] !== 'nn1')
          toJava = await cluster.hadoopHaAdmin(['-failover', 'nn2', 'nn1']);
        else toJava = { ...toJava, code: 0 };
      }
      expect(toJava.code, toJava.stderr + toJava.stdout).toBe(0);
      await cluster.waitForActive('nn1', 60_000);
      expect(readFileSync(cluster.node('nn2').zkfcLog, 'utf8')).toMatch(/cede/i);
      const toOurs = await cluster.ourHaAdmin(['-failover', 'nn1', 'nn2']);
      expect(toOurs.code, toOurs.stderr + toOurs.stdout).toBe(0);
      await cluster.waitForActive('nn2', 60_000);
      expect(hadoopZkfcLog()).toMatch(/Requested by .* to cede active role/);
      expect(cluster.isNameNodeRunning('nn1') && cluster.isNameNodeRunning('nn2')).toBe(true);
    }));

  it("crash of our active: Hadoop's ZKFC fences nn2 with the same method and makes nn1 active", () =>
    step(async () => {
      await cluster.waitForActive('nn2', 30_000);
      await cluster.killNameNode('nn2');
      await cluster.waitForActive('nn1', 90_000);
      expect(hadoopZkfcLog()).toMatch(/Successfully transitioned NameNode at .* to active state/);
      // Hadoop's ZKFC won and activated nn1 with our journal beside its lock; ours wrote its stand-down.
      await cluster.waitFor(
        async () =>
          (await journal()).entries.some(
            (entry) => entry.kind === 'standDown' && entry.namenode === 'nn2' && entry.cause === 'not-responding',
          ),
        30_000,
        "our zkfc's stand-down in the journal",
      );
      await cluster.startNameNode('nn2');
      await cluster.waitFor(
        async () => (await cluster.haState('nn2')) === 'standby',
        90_000,
        'nn2 standby under our zkfc',
      );
    }));

  it('-formatZK -force by either side is accepted by the other', () =>
    step(async () => {
      await cluster.stopController('nn1');
      await cluster.stopController('nn2');
      const javaFormat = await cluster.runJava('zkfc-format', 'org.apache.hadoop.hdfs.tools.DFSZKFailoverController', [
        '-Ddfs.ha.namenode.id=nn1',
        '-formatZK',
        '-force',
        '-nonInteractive',
      ]);
      expect(javaFormat.code, javaFormat.stderr).toBe(0);
      // Hadoop's -formatZK deletes the working znode recursively: our journal went with it.
      expect((await journal()).entries).toEqual([]);
      const oursNoForce = await cluster.runOurZkfc('nn2', ['-formatZK', '-nonInteractive']);
      expect(oursNoForce.code).toBe(2); // exists: Hadoop's ERR_CODE_FORMAT_DENIED
      const oursForce = await cluster.runOurZkfc('nn2', ['-formatZK', '-force', '-nonInteractive']);
      expect(oursForce.code, oursForce.stderr).toBe(0);
      await cluster.startController('nn1', 'hadoop');
      await cluster.startController('nn2', 'ours');
      await cluster.waitFor(
        async () => (await cluster.activeNameNodes()).length === 1,
        90_000,
        'one active after re-formatting',
      );
      const javaNoForce = await cluster.runJava('zkfc-format', 'org.apache.hadoop.hdfs.tools.DFSZKFailoverController', [
        '-Ddfs.ha.namenode.id=nn1',
        '-formatZK',
        '-nonInteractive',
      ]);
      expect(javaNoForce.code).toBe(2);
    }));
});
