// Goal: two NameNode rules only a real NameNode shows. An Observer NameNode: the zkfc beside it
// stays out of the election, so a crash of the active promotes the standby, never the observer.
// Out of resources: the active's name directory on a small tmpfs is filled up, the NameNode's own
// resource checker fails monitorHealth, and our zkfc fails over gracefully (the old active is
// made standby, not killed).
// Method: tools/testing/hadoop/real-cluster.ts; the observer is made with Hadoop's haadmin
// `-transitionToObserver --forcemanual` (confirmed on stdin); the tmpfs is mounted as root.

import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { RealCluster } from '../../tools/testing/hadoop/real-cluster.js';
import { ensureDistBuilt } from '../support/e2e-zkfc.js';
import { ClusterSteps } from '../support/cluster-steps.js';
import { sleep } from '../../tools/testing/wait.js';

let cluster: RealCluster | undefined;
const steps = new ClusterSteps(() => cluster?.baseDir);
const step = (fn: () => Promise<void>): Promise<void> => steps.step(fn);
const cleanups: (() => void)[] = [];

afterEach(async () => {
  await cluster?.stop({ keepLogs: steps.failed });
  cluster = undefined;
  for (const cleanup of cleanups.splice(0)) cleanup();
}, 60_000);

describe('real NameNode rules', () => {
  it('the zkfc beside an Observer stays out of the election; a crash promotes the standby, not the observer', () =>
    step(async () => {
      await ensureDistBuilt();
      const c = await RealCluster.start({ namenodeIds: ['nn1', 'nn2', 'nn3'], healthRpcTimeoutMs: 5000 });
      cluster = c;
      await c.startController('nn1', 'ours');
      await c.waitForActive('nn1', 60_000);
      const observe = await c.hadoopHaAdmin(['-transitionToObserver', '--forcemanual', 'nn3'], 'Y\n');
      expect(observe.code, observe.stderr).toBe(0);
      expect(await c.haState('nn3')).toBe('observer');
      await c.startController('nn3', 'ours');
      await c.startController('nn2', 'ours');
      await sleep(3000);
      await c.killNameNode('nn1');
      await c.waitForActive('nn2', 60_000);
      expect(await c.haState('nn3')).toBe('observer');
      const log = readFileSync(c.node('nn3').zkfcLog, 'utf8');
      expect(log).not.toMatch(/Trying to make local NameNode active/);
      expect(log).toMatch(/observer/i);
    }));

  it('the active runs out of space in its name directory: monitorHealth fails and our zkfc fails over gracefully', () =>
    step(async () => {
      if (process.getuid?.() !== 0) throw new Error('this test mounts a tmpfs: run it as root');
      await ensureDistBuilt();
      const mountPoint = join(tmpdir(), `zkfc-tmpfs-${process.pid}`);
      mkdirSync(mountPoint, { recursive: true });
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', mountPoint]);
      cleanups.push(() => execFileSync('umount', ['-l', mountPoint]));
      const c = await RealCluster.start({
        healthRpcTimeoutMs: 5000,
        nameDirs: { nn1: join(mountPoint, 'nn1') },
        hdfsSite: {
          'dfs.namenode.resource.du.reserved': String(8 * 1024 * 1024),
          'dfs.namenode.resource.check.interval': '1000',
        },
      });
      cluster = c;
      await c.startController('nn1', 'ours');
      await c.waitForActive('nn1', 60_000);
      await c.startController('nn2', 'ours');
      // Leave less than the reserved 8 MiB free on nn1's name directory.
      execFileSync('dd', ['if=/dev/zero', `of=${join(mountPoint, 'filler')}`, 'bs=1M', 'count=18'], {
        stdio: 'ignore',
      });
      await c.waitForActive('nn2', 60_000);
      expect(readFileSync(c.node('nn1').zkfcLog, 'utf8')).toMatch(/SERVICE_UNHEALTHY/);
      // Graceful: nn1 is standby, its JVM still runs (nothing was killed).
      expect(c.isNameNodeRunning('nn1')).toBe(true);
      expect(await c.haState('nn1')).toBe('standby');
    }));
});
