// Goal: our zkfc daemons drive real Hadoop NameNodes (QJM, a DataNode) the way Hadoop's ZKFC does,
// and Hadoop's own `hdfs haadmin` works against them: crash failover with fencing, a hung active
// replaced and never active again, graceful -failover both ways through our ZKFCProtocol server,
// and our haadmin's output equal to Hadoop's for the same commands.
// Method: tools/testing/hadoop/real-cluster.ts (real JVMs from Maven's jars); the NameNodes' own
// JMX view decides who is active; the fencing method kills the old NameNode's JVM by pid.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { RealCluster, ACTIVE_SERVICES_LINE } from '../../tools/testing/hadoop/real-cluster.js';
import { ensureDistBuilt } from '../support/e2e-zkfc.js';
import { ClusterSteps } from '../support/cluster-steps.js';

let cluster: RealCluster;
const steps = new ClusterSteps(() => cluster?.baseDir);
const step = (fn: () => Promise<void>): Promise<void> => steps.step(fn);

beforeAll(async () => {
  await ensureDistBuilt();
  cluster = await RealCluster.start({ healthRpcTimeoutMs: 3000, sessionTimeoutMs: 5000, checkIntervalMs: 1000 });
  await cluster.startController('nn1', 'ours');
  await cluster.waitForActive('nn1', 60_000);
  await cluster.startController('nn2', 'ours');
}, 240_000);

afterAll(async () => {
  await cluster?.stop({ keepLogs: steps.failed });
}, 60_000);

describe('our zkfc against real NameNodes', () => {
  it("our haadmin prints what Hadoop's haadmin prints, with the same exit codes", () =>
    step(async () => {
      for (const args of [
        ['-getAllServiceState'],
        ['-getServiceState', 'nn1'],
        ['-getServiceState', 'nn2'],
        ['-checkHealth', 'nn1'],
        ['-getServiceState', 'nn9'],
      ]) {
        const ours = await cluster.ourHaAdmin(args);
        const theirs = await cluster.hadoopHaAdmin(args);
        expect({ args, code: ours.code, out: ours.stdout.trimEnd() }).toEqual({
          args,
          code: theirs.code,
          out: theirs.stdout.trimEnd(),
        });
      }
      const all = await cluster.ourHaAdmin(['-getAllServiceState']);
      expect(all.stdout).toMatch(/:\d+\s+active/);
      expect(all.stdout).toMatch(/:\d+\s+standby/);
    }));

  it("Hadoop's haadmin -failover moves the active both ways through our ZKFCProtocol server", () =>
    step(async () => {
      const there = await cluster.hadoopHaAdmin(['-failover', 'nn1', 'nn2']);
      expect(there.code, there.stderr).toBe(0);
      expect(there.stdout).toMatch(/^Failover to NameNode at localhost\/127\.0\.0\.1:\d+ successful/);
      await cluster.waitForActive('nn2', 30_000);
      const back = await cluster.ourHaAdmin(['-failover', 'nn2', 'nn1']);
      const javaBack = await cluster.hadoopHaAdmin(['-getServiceState', 'nn1']);
      expect(back.code, back.stderr).toBe(0);
      expect(back.stdout).toMatch(/^Failover to NameNode at localhost\/127\.0\.0\.1:\d+ successful/);
      expect(javaBack.stdout.trim()).toBe('active');
      // Graceful: nobody was fenced, both NameNode JVMs still run.
      expect(cluster.isNameNodeRunning('nn1') && cluster.isNameNodeRunning('nn2')).toBe(true);
    }));

  it('kill -9 of the active NameNode: our zkfc fences it and makes the standby active', () =>
    step(async () => {
      await cluster.waitForActive('nn1', 30_000);
      const before = readFileSync(cluster.node('nn2').log, 'utf8').split(ACTIVE_SERVICES_LINE).length;
      const killedAt = Date.now();
      await cluster.killNameNode('nn1');
      await cluster.waitForActive('nn2', 30_000);
      const tookMs = Date.now() - killedAt;
      expect(readFileSync(cluster.node('nn2').log, 'utf8').split(ACTIVE_SERVICES_LINE).length).toBe(before + 1);
      const zkfcLog = readFileSync(cluster.node('nn2').zkfcLog, 'utf8');
      expect(zkfcLog).toMatch(/fencing successful|Successfully fenced/i);
      expect(tookMs).toBeLessThan(30_000);
      // The dead NameNode comes back as standby; the active stays where it is.
      await cluster.startNameNode('nn1');
      await cluster.waitFor(
        async () => (await cluster.haState('nn1')) === 'standby',
        60_000,
        'nn1 standby after restart',
      );
      expect(await cluster.activeNameNodes()).toEqual(['nn2']);
    }));

  it(
    'a hung active (SIGSTOP past the health RPC timeout) is replaced; ' +
      'resumed, QJM refuses it and it never serves as active again',
    () =>
      step(async () => {
        await cluster.waitForActive('nn2', 30_000);
        // Fencing succeeds without killing: only the JournalNodes' epochs stand between the resumed
        // old active and the namespace (Hadoop's documented QJM setup with shell(/bin/true)).
        cluster.setFenceMode('noop');
        try {
          expect(cluster.signalNameNode('nn2', 'SIGSTOP')).toBe(true);
          await cluster.waitFor(
            async () => (await cluster.haState('nn1')) === 'active',
            60_000,
            'nn1 active while nn2 is stopped',
          );
          // A write through the nameservice lands on nn1 and advances the journal epoch's edits.
          const put = await cluster.fsShell(['-put', '-f', cluster.confDir + '/core-site.xml', '/after-hang.xml']);
          expect(put.code, put.stderr).toBe(0);
          expect(cluster.signalNameNode('nn2', 'SIGCONT')).toBe(true);
          // The resumed nn2 must not accept a write, and must leave the active state (its own zkfc
          // makes it standby, or it aborts when the JournalNodes refuse its old epoch).
          const direct = await cluster.fsShell([
            '-put',
            '-f',
            cluster.confDir + '/hdfs-site.xml',
            `hdfs://127.0.0.1:${cluster.node('nn2').rpcPort}/stale-write.xml`,
          ]);
          expect(direct.code).not.toBe(0);
          await cluster.waitFor(
            async () => (await cluster.haState('nn2')) !== 'active',
            60_000,
            'resumed nn2 out of the active state',
          );
          expect(await cluster.activeNameNodes()).toEqual(['nn1']);
          const ls = await cluster.fsShell(['-ls', '/']);
          expect(ls.stdout).toContain('/after-hang.xml');
          expect(ls.stdout).not.toContain('/stale-write.xml');
        } finally {
          cluster.setFenceMode('kill');
          cluster.signalNameNode('nn2', 'SIGCONT');
        }
      }),
  );
});
