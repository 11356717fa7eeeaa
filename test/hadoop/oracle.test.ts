// Goal: the no-lost-write oracle of the real-Hadoop tests and of the chaos run (tools/hadoop
// Writer: every acknowledged file read back) does catch a broken set-up, so its "VERIFIED n" in
// writes.test.ts and tools/bench/hadoop-chaos.ts means something.
// Method: the split brain that fencing exists to prevent, made by hand: shared edits in a local
// directory (no journal epoch), no failover controllers; nn1 is made active and the writer writes
// through the nameservice (to nn1, the first NameNode); then Hadoop's haadmin forces nn2 active
// (-transitionToActive --forcemanual --forceactive) while nn1 still is. nn2 finalizes the edits
// segment nn1 is writing and stops reading the shared edits (FSEditLog in the active state), so
// the files nn1 acknowledges from then on exist only in nn1's namespace. kill -9 of nn1 sends the
// client to nn2; the files acknowledged by nn1 after the split are gone, and verify says so.

import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RealCluster } from '../../tools/testing/hadoop/real-cluster.js';

let cluster: RealCluster | undefined;
let failed = false;

afterEach(async () => {
  await cluster?.stop({ keepLogs: failed });
  cluster = undefined;
}, 60_000);

function ackedNumbers(file: string): number[] {
  return existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('ACK '))
        .map((l) => Number(l.slice(4)))
    : [];
}

describe('the no-lost-write oracle', () => {
  it('reports LOST for the files a split-brain old active acknowledged (local shared edits, no fencing)', async () => {
    try {
      const c = await RealCluster.start({ sharedEdits: 'local' });
      cluster = c;
      // No controllers: the NameNodes start as standbys and only haadmin moves them.
      const toNn1 = await c.hadoopHaAdmin(['-transitionToActive', '--forcemanual', 'nn1'], 'Y\n');
      expect(toNn1.code, toNn1.stderr).toBe(0);
      await c.waitForActive('nn1', 30_000);
      const ackFile = join(c.baseDir, 'acks.txt');
      const writer = c.startWriter('/oracle', ackFile, 600);
      const exited = new Promise<void>((resolve) => writer.once('exit', () => resolve()));
      await c.waitFor(async () => ackedNumbers(ackFile).length >= 10, 60_000, 'the writer acknowledged 10 files');

      // The split: nn2 active too; nn1 is neither told nor fenced.
      const lastBeforeSplit = Math.max(...ackedNumbers(ackFile));
      const toNn2 = await c.hadoopHaAdmin(['-transitionToActive', '--forcemanual', '--forceactive', 'nn2'], 'Y\n');
      expect(toNn2.code, toNn2.stderr).toBe(0);
      expect(await c.activeNameNodes()).toEqual(['nn1', 'nn2']);
      const atSplit = ackedNumbers(ackFile).length;
      await c.waitFor(
        async () => ackedNumbers(ackFile).length >= atSplit + 10,
        60_000,
        'nn1 acknowledged 10 more files after the split',
      );

      // The old active dies; the client fails over to nn2 and goes on writing there.
      await c.killNameNode('nn1');
      const atKill = ackedNumbers(ackFile).length;
      await c.waitFor(
        async () => ackedNumbers(ackFile).length >= atKill + 5,
        90_000,
        'nn2 acknowledged 5 files after nn1 died',
      );
      writer.kill('SIGTERM');
      await exited;

      const verify = await c.verifyWrites('/oracle', ackFile);
      // What it reported on Hadoop 3.5.0 (2026-12-03; Java stack traces cut at "..."), exit 1:
      //   LOST 14 java.io.FileNotFoundException: File does not exist: /oracle/f-00000014 at
      //     org.apache.hadoop.hdfs.server.namenode.INodeFile.valueOf(INodeFile.java:87) ...
      //   (the same for 15 to 23)
      //   VERIFIED 21
      // Files 1-13 were acknowledged before the split (nn2 read them from the shared edits when it
      // became active), 14-23 by nn1 after it; then nn2 refused writes for a few seconds (FAIL
      // lines: the file's lease unknown to it, then "could only be written to 0 of the 1
      // minReplication nodes") and acknowledged 36-43. A second run: LOST 15-25, VERIFIED 21.
      const lost = verify.stdout
        .split('\n')
        .filter((l) => l.startsWith('LOST '))
        .map((l) => Number(l.split(' ')[1]));
      expect(verify.code, verify.stdout + verify.stderr).toBe(1);
      // nn1 acknowledged 10 files after haadmin returned; the first one or two of them may have
      // reached the shared edits before nn2 read them at its transition (a third run: LOST 13-21,
      // file 12 acknowledged after haadmin returned yet kept), so not all 10 need be lost.
      expect(lost.length).toBeGreaterThanOrEqual(5);
      // Only files acknowledged after the split are lost, each as absent from nn2's namespace; the
      // files nn2 acknowledged after nn1 died (the last one among them) are there.
      expect(lost.every((n) => n > lastBeforeSplit)).toBe(true);
      expect(lost).not.toContain(Math.max(...ackedNumbers(ackFile)));
      expect(verify.stdout).toMatch(
        /^LOST \d+ java\.io\.FileNotFoundException: File does not exist: \/oracle\/f-\d{8}/m,
      );
      expect(verify.stdout).toMatch(/^VERIFIED \d+$/m);
    } catch (error) {
      failed = true;
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n(logs kept in ${cluster?.baseDir})`, {
        cause: error,
      });
    }
  });
});
