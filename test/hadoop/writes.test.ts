// Goal: no acknowledged write is lost across failovers of real NameNodes driven by our zkfc, and
// with shared edits in a local directory (the NFS-style setup, where no journal epoch protects the
// namespace) our fencer is the only protection: the old NameNode's process is gone before the new
// one starts its active services.
// Method: Hadoop's own HDFS client (tools/hadoop Writer, ConfiguredFailoverProxyProvider) writes
// numbered files through hdfs://ns1 and records each file whose close() returned; after the
// failovers it reads every acknowledged file back. Failover times come from the NameNodes' logs
// and this process's exit events of the NameNode JVMs.

import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RealCluster, activeServicesTimes } from '../../tools/testing/hadoop/real-cluster.js';
import { ensureDistBuilt } from '../support/e2e-zkfc.js';
import { ClusterSteps } from '../support/cluster-steps.js';
import { sleep } from '../../tools/testing/wait.js';

let cluster: RealCluster | undefined;
const steps = new ClusterSteps(() => cluster?.baseDir);
const step = (fn: () => Promise<void>): Promise<void> => steps.step(fn);

afterEach(async () => {
  await cluster?.stop({ keepLogs: steps.failed });
  cluster = undefined;
}, 60_000);

function acks(file: string): number {
  return existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('ACK ')).length
    : 0;
}

async function startOurs(options: Parameters<typeof RealCluster.start>[0]): Promise<RealCluster> {
  await ensureDistBuilt();
  const c = await RealCluster.start(options);
  cluster = c;
  await c.startController('nn1', 'ours');
  await c.waitForActive('nn1', 60_000);
  await c.startController('nn2', 'ours');
  return c;
}

describe('writes through the nameservice across failovers', () => {
  it('QJM: a client writing continuously across 6 failovers (crash and graceful) loses no acknowledged write', () =>
    step(async () => {
      const c = await startOurs({ healthRpcTimeoutMs: 5000, sessionTimeoutMs: 5000, checkIntervalMs: 1000 });
      const ackFile = join(c.baseDir, 'acks.txt');
      const writer = c.startWriter('/writes', ackFile, 600);
      const exited = new Promise<void>((resolve) => writer.once('exit', () => resolve()));
      await c.waitFor(async () => acks(ackFile) >= 10, 60_000, 'the writer acknowledged 10 files');
      let active = 'nn1';
      for (let round = 0; round < 6; round++) {
        const other = active === 'nn1' ? 'nn2' : 'nn1';
        const before = acks(ackFile);
        if (round % 2 === 0) {
          await c.killNameNode(active);
          await c.waitForActive(other, 60_000);
          await c.startNameNode(active);
          await c.waitFor(async () => (await c.haState(active)) === 'standby', 90_000, `${active} back as standby`);
        } else {
          // Right after a restart the target's zkfc may not have seen its NameNode healthy yet and
          // refuses ("not currently healthy"), as Hadoop's does, or its readiness gate refuses while
          // the NameNode is still in safe mode waiting for block reports ("not ready to become
          // active", README "Readiness-gated promotion"): retry as an operator would.
          let r = await c.ourHaAdmin(['-failover', active, other]);
          const refusedForNow = /not currently healthy|is not ready to become active/;
          for (let i = 0; i < 60 && r.code !== 0 && refusedForNow.test(r.stderr + r.stdout); i++) {
            await sleep(1000);
            r = await c.ourHaAdmin(['-failover', active, other]);
          }
          expect(r.code, r.stderr + r.stdout).toBe(0);
          await c.waitForActive(other, 60_000);
        }
        active = other;
        // The client goes on writing against the new active.
        await c.waitFor(
          async () => acks(ackFile) >= before + 5,
          90_000,
          `writes acknowledged after failover ${round + 1}`,
        );
      }
      writer.kill('SIGTERM');
      await exited;
      const total = acks(ackFile);
      const verify = await c.verifyWrites('/writes', ackFile);
      expect(verify.stdout, verify.stderr).toContain(`VERIFIED ${total}`);
      expect(verify.code).toBe(0);
      expect(total).toBeGreaterThanOrEqual(40);
    }));

  it(
    "shared edits in a local directory: the hung old active's " +
      'JVM is gone before the new active starts its services',
    () =>
      step(async () => {
        const c = await startOurs({
          sharedEdits: 'local',
          healthRpcTimeoutMs: 3000,
          sessionTimeoutMs: 5000,
          checkIntervalMs: 1000,
        });
        const ackFile = join(c.baseDir, 'acks.txt');
        const writer = c.startWriter('/writes', ackFile, 600);
        const exited = new Promise<void>((resolve) => writer.once('exit', () => resolve()));
        await c.waitFor(async () => acks(ackFile) >= 10, 60_000, 'the writer acknowledged 10 files');
        const activationsBefore = activeServicesTimes(c.node('nn2').log).length;
        expect(c.signalNameNode('nn1', 'SIGSTOP')).toBe(true);
        await c.waitForActive('nn2', 60_000);
        const activations = activeServicesTimes(c.node('nn2').log);
        expect(activations.length).toBe(activationsBefore + 1);
        const nn1GoneAt = c.node('nn1').exitedAtMs;
        expect(nn1GoneAt, 'the fencer killed the hung nn1').toBeDefined();
        // Log times have millisecond resolution; the kill must come first.
        expect(nn1GoneAt!).toBeLessThanOrEqual(activations.at(-1)! + 1);
        const before = acks(ackFile);
        await c.waitFor(async () => acks(ackFile) >= before + 5, 90_000, 'writes acknowledged by nn2');
        writer.kill('SIGTERM');
        await exited;
        const verify = await c.verifyWrites('/writes', ackFile);
        expect(verify.code, verify.stdout + verify.stderr).toBe(0);
      }),
  );
});
