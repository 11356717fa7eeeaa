// Goal: failover scenarios driven only through the `zkfc` daemons and the operator CLI, as an
// operator sees them: the active NameNode process dies (the other becomes active, the dead one
// comes back as standby); the active NameNode turns unhealthy (failover, the old one is fenced
// gracefully and rejoins as standby when healthy again); the active's zkfc is SIGKILLed or paused
// past the session timeout (the peer takes over when the session expires; a resumed zkfc must not
// bring its NameNode back to active); `haadmin -failover` (graceful: the old
// active goes standby and is not killed, its breadcrumb is deleted so no fencing method runs);
// an unhealthy target is refused; cedeActive over ZKFCProtocol (stand down, peer takes over, rejoin
// after the cede time or at once with -1; other users are refused); `zkfc check-config`.
// Method: MiniCluster (real ZooKeeper, simulated NameNode processes, the built zkfc daemons,
// Hadoop XML, shell fencing that kills the simulated NameNode and records the kill), the built
// `haadmin` binary, and our Hadoop IPC ZKFCProtocol client for cedeActive. The split-brain oracle
// (NameNode transition logs + recorded kills) is checked after every scenario.
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { RpcZkfcClientFactory, type RpcZkfcClient } from '../../src/hadoop/zkfc-client.js';
import type { MiniCluster } from '../../tools/testing/mini-cluster.js';
import type { ZkfcStatus } from '../../src/observability/status.js';
import {
  metricValue,
  runHaadmin,
  runZkfc,
  scrapeMetrics,
  startE2eCluster,
  stopE2eCluster,
} from '../support/e2e-zkfc.js';
import { eventually, sleep } from '../../tools/testing/wait.js';

let cluster: MiniCluster | undefined;
const zkfcClients: RpcZkfcClient[] = [];

afterEach(async () => {
  for (const client of zkfcClients.splice(0)) client.close();
  await stopE2eCluster(cluster);
  cluster = undefined;
});

/** Two NameNodes and their daemons; nn1 active, nn2's daemon standby in the election. */
async function activeStandbyPair(options: Parameters<typeof startE2eCluster>[0] = {}): Promise<MiniCluster> {
  const c = (cluster = await startE2eCluster(options));
  await Promise.all([c.startNamenode('nn1'), c.startNamenode('nn2')]);
  await c.startZkfc('nn1');
  await c.waitForActive(20_000, 'nn1');
  await c.startZkfc('nn2');
  await eventually(async () => expect((await c.zkfcStatus('nn2'))?.['electorState']).toBe('STANDBY'), 10_000);
  return c;
}

async function zkfcStatus(c: MiniCluster, id: string): Promise<ZkfcStatus> {
  const status = await c.zkfcStatus(id, 3000);
  if (status === undefined) throw new Error(`zkfc ${id} does not serve /status`);
  return status as unknown as ZkfcStatus;
}

/** PIDs the shell fencing method killed (ends file written by fence-sim), beyond those the test killed. */
function fencedPids(c: MiniCluster): number[] {
  if (!existsSync(c.endsFile)) return [];
  return readFileSync(c.endsFile, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => (JSON.parse(l) as { pid: number }).pid);
}

function zkfcClient(c: MiniCluster, id: string, user?: string): RpcZkfcClient {
  const factory = new RpcZkfcClientFactory({
    effectiveUser: user ?? c.zkfcEnv()['HADOOP_USER_NAME'] ?? 'root',
    connectTimeoutMs: 3000,
  });
  const client = factory.create({ host: '127.0.0.1', port: c.node(id).zkfcPort });
  zkfcClients.push(client);
  return client;
}

describe('zkfc failover: the active NameNode fails', () => {
  it(
    'its process is killed: the other becomes active within ' + 'the session timeout; restarted, it rejoins as standby',
    async () => {
      const c = await activeStandbyPair();
      const killedMs = Date.now();
      await c.killNamenode('nn1');
      await c.waitForActive(c.sessionTimeoutMs, 'nn2');
      expect(Date.now() - killedMs).toBeLessThan(c.sessionTimeoutMs);

      await c.startNamenode('nn1');
      await eventually(
        async () =>
          expect(await zkfcStatus(c, 'nn1')).toMatchObject({
            electorState: 'STANDBY',
            healthState: 'SERVICE_HEALTHY',
            haState: 'STANDBY',
          }),
        15_000,
      );
      expect(await c.activeNamenodes()).toEqual(['nn2']);
      expect(c.splitBrainViolations()).toEqual([]);
    },
  );

  it(
    'it turns unhealthy: failover; the old active is ' + 'fenced gracefully (not killed) and rejoins when healthy',
    async () => {
      const c = await activeStandbyPair();
      await c.namenodeFault('nn1', 'unhealthy');
      await c.waitForActive(15_000, 'nn2');
      expect(await c.namenodeState('nn1')).toBe('standby');
      expect(c.node('nn1').sim?.exitCode).toBeNull();
      expect(fencedPids(c)).toEqual([]);
      await eventually(
        async () =>
          expect(await zkfcStatus(c, 'nn1')).toMatchObject({ healthState: 'SERVICE_UNHEALTHY', electorState: 'INIT' }),
        10_000,
      );
      const m2 = (await scrapeMetrics(c, 'nn2')).samples;
      expect(metricValue(m2, 'zkfc_fencing_operations_total', { result: 'graceful' })).toBe(1);
      expect(metricValue(m2, 'zkfc_fencing_attempts_total', { method: 'shell' })).toBe(0);

      await c.namenodeFault('nn1', 'none');
      await eventually(
        async () =>
          expect(await zkfcStatus(c, 'nn1')).toMatchObject({ healthState: 'SERVICE_HEALTHY', electorState: 'STANDBY' }),
        10_000,
      );
      expect(await c.activeNamenodes()).toEqual(['nn2']);
      expect(c.splitBrainViolations()).toEqual([]);
    },
  );
});

describe('zkfc failover: the active zkfc fails', () => {
  it('SIGKILLed: its session expires and the peer takes over, fencing nn1 gracefully', async () => {
    const c = await activeStandbyPair();
    const killedMs = Date.now();
    c.signalZkfc('nn1', 'SIGKILL');
    await c.waitForActive(c.sessionTimeoutMs + 10_000, 'nn2');
    // The lock was an ephemeral of a session nobody closed: it lasted until the server expired it.
    expect(Date.now() - killedMs).toBeGreaterThanOrEqual(c.sessionTimeoutMs - 1000);
    expect(await c.namenodeState('nn1')).toBe('standby');
    expect(fencedPids(c)).toEqual([]);
    expect(c.splitBrainViolations()).toEqual([]);
  });

  it(
    'paused (SIGSTOP) past the session timeout: the peer takes ' +
      'over; resumed, it rejoins as standby and nn1 stays standby',
    async () => {
      const c = await activeStandbyPair();
      c.signalZkfc('nn1', 'SIGSTOP');
      try {
        await c.waitForActive(c.sessionTimeoutMs + 10_000, 'nn2');
        expect(await c.namenodeState('nn1')).toBe('standby');
      } finally {
        c.signalZkfc('nn1', 'SIGCONT');
      }
      // The resumed daemon learns its session expired and joins again, as standby.
      await eventually(
        async () =>
          expect(await zkfcStatus(c, 'nn1')).toMatchObject({ electorState: 'STANDBY', zkConnectionState: 'CONNECTED' }),
        15_000,
      );
      // A few health rounds later nothing flipped back.
      await sleep(4 * c.checkIntervalMs);
      expect(await c.activeNamenodes()).toEqual(['nn2']);
      expect(await c.namenodeState('nn1')).toBe('standby');
      expect(c.splitBrainViolations()).toEqual([]);
    },
  );
});

describe('zkfc failover: graceful, through haadmin -failover', () => {
  it('moves the active to nn2; nn1 goes standby and is not killed; no fencing method runs; and back', async () => {
    const c = await activeStandbyPair();
    const nn1Pid = c.node('nn1').sim?.pid;

    const result = await runHaadmin(c, ['-failover', 'nn1', 'nn2'], { timeoutMs: 60_000 });
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(result.stdout).toBe(`Failover to NameNode at localhost/127.0.0.1:${c.node('nn2').rpcPort} successful\n`);
    // gracefulFailover returns once nn2 is active: no waiting needed.
    expect(await c.activeNamenodes()).toEqual(['nn2']);
    expect(await c.namenodeState('nn1')).toBe('standby');
    expect(c.node('nn1').sim?.pid).toBe(nn1Pid);
    expect(c.node('nn1').sim?.exitCode).toBeNull();
    expect(fencedPids(c)).toEqual([]);
    // nn1's daemon deleted its breadcrumb when it ceded (needFence = false), so nn2 fenced nothing.
    const m2 = (await scrapeMetrics(c, 'nn2')).samples;
    expect(metricValue(m2, 'zkfc_fencing_attempts_total')).toBe(0);
    expect(metricValue(m2, 'zkfc_failovers_total', { reason: 'graceful' })).toBe(1);
    const s2 = await zkfcStatus(c, 'nn2');
    expect(s2.lastFailover).toMatchObject({ from: null, to: 'nn2', reason: 'graceful' });
    expect(s2.lastFailover?.phases.fencingMs).toBe(0);
    // nn1's daemon is back in the election (cedeActive(-1) at the end of the failover).
    await eventually(
      async () => expect(await zkfcStatus(c, 'nn1')).toMatchObject({ electorState: 'STANDBY', cededUntil: null }),
      10_000,
    );

    const back = await runHaadmin(c, ['-failover', 'nn2', 'nn1'], { timeoutMs: 60_000 });
    expect(back.code, back.stderr).toBe(0);
    expect(await c.activeNamenodes()).toEqual(['nn1']);
    expect(await c.namenodeState('nn2')).toBe('standby');
    expect(fencedPids(c)).toEqual([]);
    expect(c.splitBrainViolations()).toEqual([]);
  });

  it('a failover to the node that is already active succeeds without any transition', async () => {
    const c = await activeStandbyPair();
    const transitions = c.transitionEntries().length;
    const result = await runHaadmin(c, ['-failover', 'nn2', 'nn1'], { timeoutMs: 60_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(c.transitionEntries().length).toBe(transitions);
    expect(await c.activeNamenodes()).toEqual(['nn1']);
  });

  it('an unhealthy target is refused ("Failover failed", exit 255) and nothing changes', async () => {
    const c = await activeStandbyPair();
    await c.namenodeFault('nn2', 'unhealthy');
    await eventually(async () => expect((await zkfcStatus(c, 'nn2')).healthState).toBe('SERVICE_UNHEALTHY'), 10_000);
    const result = await runHaadmin(c, ['-failover', 'nn1', 'nn2'], { timeoutMs: 60_000 });
    expect(result.code).toBe(255);
    expect(result.stderr).toMatch(/^Failover failed: .*is not currently healthy\. Cannot be failover target/);
    expect(await c.activeNamenodes()).toEqual(['nn1']);
    expect(c.splitBrainViolations()).toEqual([]);
  });
});

describe('zkfc failover: cedeActive over ZKFCProtocol', () => {
  it(
    'the active stands down for the given time, the peer ' + 'takes over without fencing, then it rejoins as standby',
    async () => {
      const c = await activeStandbyPair();
      const cedeMs = 4000;
      const calledMs = Date.now();
      await zkfcClient(c, 'nn1').cedeActive(cedeMs, 10_000);
      // cedeActive returns after the local transitionToStandby.
      expect(await c.namenodeState('nn1')).toBe('standby');
      await c.waitForActive(10_000, 'nn2');
      const s1 = await zkfcStatus(c, 'nn1');
      expect(s1.cededUntil).not.toBeNull();
      expect(Date.parse(s1.cededUntil!)).toBeGreaterThanOrEqual(calledMs + cedeMs - 1000);
      expect(s1.electorState).toBe('INIT');
      expect(metricValue((await scrapeMetrics(c, 'nn2')).samples, 'zkfc_fencing_attempts_total')).toBe(0);
      expect(fencedPids(c)).toEqual([]);

      // After the cede time nn1's daemon rejoins, as standby: nn2 keeps the lock.
      await eventually(
        async () => expect(await zkfcStatus(c, 'nn1')).toMatchObject({ electorState: 'STANDBY' }),
        cedeMs + 10_000,
      );
      expect(Date.now() - calledMs).toBeGreaterThanOrEqual(cedeMs - 500);
      expect(await c.activeNamenodes()).toEqual(['nn2']);
      expect(c.splitBrainViolations()).toEqual([]);
    },
  );

  it('cedeActive(-1) ends a cede at once', async () => {
    const c = await activeStandbyPair();
    const client = zkfcClient(c, 'nn2');
    await client.cedeActive(120_000, 10_000);
    await eventually(async () => expect((await zkfcStatus(c, 'nn2')).electorState).toBe('INIT'), 5_000);
    const stoppedCedingMs = Date.now();
    await client.cedeActive(-1, 10_000);
    await eventually(
      async () => expect(await zkfcStatus(c, 'nn2')).toMatchObject({ electorState: 'STANDBY', cededUntil: null }),
      10_000,
    );
    expect(Date.now() - stoppedCedingMs).toBeLessThan(10_000);
    expect(await c.activeNamenodes()).toEqual(['nn1']);
  });

  it('a caller that is neither the zkfc user nor in dfs.cluster.administrators is refused', async () => {
    const c = await activeStandbyPair();
    const error = await zkfcClient(c, 'nn1', 'mallory')
      .cedeActive(10_000, 10_000)
      .then(
        () => undefined,
        (e: unknown) => e as Error,
      );
    expect(error?.message).toMatch(/Disallowed RPC access from mallory.*Not listed in dfs\.cluster\.administrators/s);
    expect(await c.activeNamenodes()).toEqual(['nn1']);
    expect((await zkfcStatus(c, 'nn1')).electorState).toBe('ACTIVE');
  });
});

describe('zkfc check-config', () => {
  it('prints the NameNodes and every setting with its source, secrets redacted, and exits 0', async () => {
    const c = (cluster = await startE2eCluster());
    const result = await runZkfc(c, 'nn1', ['-D', 'ha.zookeeper.auth=digest:zkfcs:top-secret', 'check-config']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      `nameservice ns1, namenode nn1 (found by configured), Hadoop conf dir ${c.confDir}`,
    );
    expect(result.stdout).toContain(
      `* nn1 service 127.0.0.1:${c.node('nn1').rpcPort} zkfc port ${c.node('nn1').zkfcPort}`,
    );
    expect(result.stdout).toContain(
      `  nn2 service 127.0.0.1:${c.node('nn2').rpcPort} zkfc port ${c.node('nn2').zkfcPort}`,
    );
    expect(result.stdout).toMatch(
      new RegExp(
        `ha\\.zookeeper\\.quorum +"${c.zk.connectString.replace(/\./g, '\\.')}" +\\(${c.confDir}/core-site\\.xml\\)`,
      ),
    );
    expect(result.stdout).toMatch(/ha\.zookeeper\.auth +\[redacted\] +\(-D\)/);
    expect(result.stdout).not.toContain('top-secret');
    expect(result.stdout).toMatch(/ha\.zookeeper\.parent-znode +"\/hadoop-ha" +\(default\)/);
    expect(result.stdout).toContain('configuration OK');
  });

  it.each([
    [
      'automatic failover off',
      ['-D', 'dfs.ha.automatic-failover.enabled=false'],
      5,
      'Automatic failover is not enabled',
    ],
    [
      "a peer's fencing method unparsable",
      ['-D', 'dfs.ha.fencing.methods.ns1.nn2=sshfence()'],
      4,
      'nn2: Fencing is not configured',
    ],
    ['no quorum', ['-D', 'ha.zookeeper.quorum='], 78, "Missing required configuration 'ha.zookeeper.quorum'"],
  ])('%s: the problem on stderr and its exit code', async (_label, defines, code, message) => {
    const c = (cluster = await startE2eCluster());
    const result = await runZkfc(c, 'nn1', [...defines, 'check-config']);
    expect(result.code).toBe(code);
    expect(result.stderr).toContain(message);
    expect(result.stdout).not.toContain('configuration OK');
  });
});
