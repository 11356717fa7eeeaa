// Goal: the built `haadmin -failover --dry-run` and `haadmin explain` against real zkfc daemons:
// with an active/standby pair the dry run is GO (exit 0), with the target NameNode unhealthy it is
// NO-GO (exit 255) naming the failed check; neither changes anything (nn1 stays active, the
// NameNodes' transition logs gain no entry); explain says why nn1 is active and why nn2 is not.
// Method: MiniCluster (real ZooKeeper, simulated NameNode processes, the built zkfc daemons with
// zkfc.http-address per NameNode) and the built haadmin binary; the target is made unhealthy with
// the simulator's fault endpoint. The cluster is stopped in afterEach, also when a test fails.
import { afterEach, describe, expect, it } from 'vitest';
import type { MiniCluster } from '../../tools/testing/mini-cluster.js';
import { runHaadmin, startE2eCluster, stopE2eCluster } from '../support/e2e-zkfc.js';
import { eventually } from '../../tools/testing/wait.js';

let cluster: MiniCluster | undefined;

afterEach(async () => {
  await stopE2eCluster(cluster);
  cluster = undefined;
});

describe('haadmin -failover --dry-run and explain against zkfc daemons', () => {
  it('GO, then NO-GO with the target unhealthy, nothing changed; explain on the active and the standby', async () => {
    const c = (cluster = await startE2eCluster());
    await Promise.all([c.startNamenode('nn1'), c.startNamenode('nn2')]);
    await c.startZkfc('nn1');
    await c.waitForActive(20_000, 'nn1');
    await c.startZkfc('nn2');
    await eventually(async () => expect((await c.zkfcStatus('nn2'))?.['electorState']).toBe('STANDBY'), 10_000);
    // Both daemons have a fencing preflight result (else the dry run only warns about it).
    await eventually(async () => {
      const fencing = (await c.zkfcStatus('nn2'))?.['fencing'] as unknown[] | undefined;
      expect(fencing?.length ?? 0).toBeGreaterThan(0);
    }, 15_000);
    const transitions = c.transitionEntries().length;

    const go = await runHaadmin(c, ['-failover', '--dry-run', 'nn1', 'nn2'], { timeoutMs: 30_000 });
    expect(go.code, `${go.stdout}\n${go.stderr}`).toBe(0);
    const goLines = go.stdout.trimEnd().split('\n');
    expect(goLines[0]).toBe('Dry run of -failover nn1 nn2: nothing is changed');
    expect(goLines.filter((l) => l.startsWith('FAIL'))).toEqual([]);
    expect(goLines).toContain('ok    health of nn2: SERVICE_HEALTHY as its zkfc sees it; monitorHealth ok');
    expect(goLines).toContain('ok    lock holder: nn1 holds the lock; its zkfc will be asked to cede last');
    expect(goLines.at(-1)).toMatch(/^Verdict: GO/);

    const explainActive = await runHaadmin(c, ['explain', 'nn1'], { timeoutMs: 30_000 });
    expect(explainActive.code, explainActive.stderr).toBe(0);
    expect(explainActive.stdout.trimEnd().split('\n').at(-1)).toBe(
      'nn1 is active because its zkfc holds the lock and it is healthy.',
    );
    const explainStandby = await runHaadmin(c, ['-explain', 'nn2', '--json'], { timeoutMs: 30_000 });
    expect(explainStandby.code, explainStandby.stderr).toBe(0);
    expect(JSON.parse(explainStandby.stdout)).toMatchObject({
      namenode: 'nn2',
      haState: 'STANDBY',
      active: false,
      conclusion: 'nn2 is standby because nn1 holds the lock and is healthy.',
    });

    await c.namenodeFault('nn2', 'unhealthy');
    await eventually(
      async () => expect((await c.zkfcStatus('nn2'))?.['healthState']).toBe('SERVICE_UNHEALTHY'),
      10_000,
    );
    const noGo = await runHaadmin(c, ['-failover', '--dry-run', 'nn1', 'nn2'], { timeoutMs: 30_000 });
    expect(noGo.code, `${noGo.stdout}\n${noGo.stderr}`).toBe(255);
    const noGoLines = noGo.stdout.trimEnd().split('\n');
    expect(noGoLines).toContainEqual(
      expect.stringMatching(/^FAIL {2}health of nn2: its zkfc sees it as SERVICE_UNHEALTHY; monitorHealth on /),
    );
    expect(noGoLines.at(-1)).toMatch(/^Verdict: NO-GO/);
    const explainUnhealthy = await runHaadmin(c, ['explain', 'nn2'], { timeoutMs: 30_000 });
    expect(explainUnhealthy.stdout.trimEnd().split('\n').at(-1)).toBe(
      'nn2 is standby because its zkfc sees it as SERVICE_UNHEALTHY.',
    );

    // Nothing changed: the active stays, no NameNode made a transition, nn1 still holds the lock.
    expect(await c.activeNamenodes()).toEqual(['nn1']);
    expect(c.transitionEntries().length).toBe(transitions);
    expect((await c.zkfcStatus('nn1'))?.['electorState']).toBe('ACTIVE');
  });
});
