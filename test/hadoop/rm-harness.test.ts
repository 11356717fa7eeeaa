// Goal: the facts about real ResourceManagers that tools/testing/hadoop/real-rm-cluster.ts and the
// daemon's ResourceManager support rest on, checked against Hadoop itself (no zkfc daemon here):
//   - embedded electors (ActiveStandbyElector inside ResourceManager): one becomes active; the lock
//     and breadcrumb hold ActiveRMInfoProto {clusterId, rmId} and nothing else; a crashed active is
//     replaced once its ZooKeeper session expires; such a ResourceManager refuses REQUEST_BY_USER
//     and obeys REQUEST_BY_ZKFC;
//   - REST /ws/v1/cluster/info answers on a standby (no redirect, unlike /ws/v1/cluster/metrics);
//   - without an elector (automatic failover off in the ResourceManager's yarn-site.xml) both stay
//     standby; such a ResourceManager denies REQUEST_BY_ZKFC and obeys REQUEST_BY_USER_FORCED;
//     `yarn rmadmin` moves it (with --forcemanual when its own conf leaves automatic failover on)
//     and prints -getServiceState / -getAllServiceState in the format haadmin -rm copies;
//   - automatic failover on with the embedded elector off: the ResourceManager does not start.
// Method: RealRmCluster (real ResourceManager JVMs from Maven's jars, Debian's ZooKeeper); our
// HAServiceProtocol client sends the request sources rmadmin cannot.

import { afterEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RpcHAServiceClientFactory } from '../../src/hadoop/ha-service-client.js';
import type { HARequestSource } from '../../src/core/types.js';
import { RealRmCluster } from '../../tools/testing/hadoop/real-rm-cluster.js';
import { xml } from '../../tools/testing/hadoop/real-cluster.js';
import { sleep } from '../../tools/testing/wait.js';
import { ClusterSteps } from '../support/cluster-steps.js';
import { ZkTestClient } from '../support/e2e-zkfc.js';

let cluster: RealRmCluster | undefined;
let zk: ZkTestClient | undefined;
const steps = new ClusterSteps(() => cluster?.baseDir);
const step = (fn: () => Promise<void>): Promise<void> => steps.step(fn);
const rpc = new RpcHAServiceClientFactory();

afterEach(async () => {
  await zk?.close();
  zk = undefined;
  await cluster?.stop({ keepLogs: steps.failed });
  cluster = undefined;
}, 60_000);

/** ActiveRMInfoProto as Hadoop 3.4.2 / 3.5.0 write it: 0a <len> clusterId 12 <len> rmId. */
const lockHex = (rmId: string): string =>
  `0a03${Buffer.from('yc1').toString('hex')}12${'03'}${Buffer.from(rmId).toString('hex')}`;

/** A transition sent with `source` over HAServiceProtocol; the error text, or 'ok'. */
async function transition(
  c: RealRmCluster,
  id: string,
  to: 'active' | 'standby',
  source: HARequestSource,
): Promise<string> {
  const client = rpc.create({ host: '127.0.0.1', port: c.rm(id).adminPort });
  try {
    if (to === 'active') await client.transitionToActive(source, 30_000);
    else await client.transitionToStandby(source, 30_000);
    return 'ok';
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    client.close();
  }
}

async function statesFor(c: RealRmCluster, ms: number): Promise<Set<string>> {
  const seen = new Set<string>();
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    for (const id of c.rms.keys()) seen.add(`${id}=${(await c.haState(id)) ?? 'unreachable'}`);
    await sleep(200);
  }
  return seen;
}

/** RMAdminCLI -getAllServiceState's line: "<host>:<admin port>" padded to 50, a space, the state padded to 10. */
function allServiceStateLine(line: string): { port: number; state: string } {
  const m = /^(\S+):(\d+) +(\S+) *$/.exec(line);
  expect(m, line).not.toBeNull();
  const [, host, port, state] = m!;
  expect(line).toBe(`${`${host}:${port}`.padEnd(50)} ${state!.padEnd(10)}`);
  return { port: Number(port), state: state! };
}

describe('real ResourceManagers through the harness', () => {
  it('embedded electors: one active, ActiveRMInfoProto lock, crash replaced after the session expires', () =>
    step(async () => {
      const c = (cluster = await RealRmCluster.start({ embedded: new Set(['rm1', 'rm2']), sessionTimeoutMs: 5000 }));
      await c.waitFor(async () => (await c.activeRms()).length === 1, 60_000, 'one active ResourceManager');
      const [active] = await c.activeRms();
      const standby = active === 'rm1' ? 'rm2' : 'rm1';
      expect(await c.haState(standby)).toBe('standby');

      zk = await ZkTestClient.connect(c.zk.connectString);
      const lock = await zk.getData('/yarn-leader-election/yc1/ActiveStandbyElectorLock');
      const crumb = await zk.getData('/yarn-leader-election/yc1/ActiveBreadCrumb');
      expect(Buffer.from(lock!.data).toString('hex')).toBe(lockHex(active!));
      expect(Buffer.from(crumb!.data).toString('hex')).toBe(lockHex(active!));
      expect(lock!.stat.ephemeralOwner.toString('hex')).not.toBe('0000000000000000');

      // The standby serves cluster info itself; other REST paths redirect to the active.
      const web = `http://127.0.0.1:${c.rm(standby).webPort}/ws/v1/cluster`;
      const info = await fetch(`${web}/info`, { redirect: 'manual', headers: { accept: 'application/json' } });
      expect(info.status).toBe(200);
      expect(((await info.json()) as { clusterInfo: { haState: string } }).clusterInfo.haState).toBe('STANDBY');
      const metrics = await fetch(`${web}/metrics`, { redirect: 'manual' });
      expect(metrics.status).toBe(307);
      await metrics.body?.cancel();

      // With automatic failover on: user requests refused (rmadmin and RPC), the ZKFC's obeyed.
      const manual = await c.rmadmin(['-transitionToActive', standby]);
      expect(manual.code).toBe(255);
      expect(manual.stderr).toContain('Refusing to manually manage HA state');
      expect(await transition(c, standby, 'active', 'REQUEST_BY_USER')).toContain(
        'Manual failover for this ResourceManager is disallowed, because automatic failover is enabled',
      );
      expect(await transition(c, standby, 'standby', 'REQUEST_BY_ZKFC')).toBe('ok');

      // Crash: the standby's elector waits for the dead one's session to expire (5 s).
      const before = c.activeTimes(standby).length;
      const killedAt = Date.now();
      await c.signalRm(active!, 'SIGKILL');
      await c.waitForHaState(standby, 'active', 30_000);
      const activeAt = c.activeTimes(standby)[before];
      expect(activeAt).toBeDefined();
      // The log's clock has ms resolution; the bound is the session timeout plus a loaded machine's slack.
      expect(activeAt! - killedAt).toBeGreaterThan(2000);
      expect(activeAt! - killedAt).toBeLessThan(15_000);
      const after = await zk.getData('/yarn-leader-election/yc1/ActiveStandbyElectorLock');
      expect(Buffer.from(after!.data).toString('hex')).toBe(lockHex(standby));
    }));

  it('no elector: both stay standby; rmadmin and REQUEST_BY_USER_FORCED move them, REQUEST_BY_ZKFC is denied', () =>
    step(async () => {
      const c = (cluster = await RealRmCluster.start({ embedded: new Set() }));
      expect([...(await statesFor(c, 3000))].sort()).toEqual(['rm1=standby', 'rm2=standby']);

      const all = await c.rmadmin(['-getAllServiceState']);
      expect(all.code).toBe(0);
      const lines = all.stdout.split('\n');
      expect(lines.pop()).toBe('');
      expect(lines.map(allServiceStateLine)).toEqual([
        { port: c.rm('rm1').adminPort, state: 'standby' },
        { port: c.rm('rm2').adminPort, state: 'standby' },
      ]);
      const health = await c.rmadmin(['-checkHealth', 'rm1']);
      expect({ code: health.code, out: health.stdout }).toEqual({ code: 0, out: '' });
      const unknown = await c.rmadmin(['-getServiceState', 'rm9']);
      expect(unknown.code).toBe(255);
      expect(unknown.stderr).toContain('Illegal argument: rm9 is not a valid serviceId. It should be one of rm1 rm2');

      // The client conf leaves automatic failover at YARN's default (on): rmadmin wants --forcemanual.
      const refused = await c.rmadmin(['-transitionToActive', 'rm1']);
      expect(refused.code).toBe(255);
      expect(refused.stderr).toContain('specify the --forcemanual flag');
      const forced = await c.rmadmin(['-transitionToActive', '--forcemanual', 'rm1'], { input: 'Y\n' });
      expect(forced.code, forced.stderr).toBe(0);
      await c.waitForHaState('rm1', 'active', 30_000);
      expect((await c.rmadmin(['-getServiceState', 'rm1'])).stdout).toBe('active\n');
      // RMAdminCLI checks that no other ResourceManager is active first.
      const second = await c.rmadmin(['-transitionToActive', '--forcemanual', 'rm2'], { input: 'Y\n' });
      expect(second.code).toBe(255);
      expect(second.stderr).toContain('transitionToActive: Node rm1 is already active');
      // With the ResourceManager's own conf (automatic failover off) no flag is needed.
      const own = await c.rmadmin(['-transitionToStandby', 'rm1'], { confDir: c.rmConfDir('rm1') });
      expect(own.code, own.stderr).toBe(0);
      await c.waitForHaState('rm1', 'standby', 30_000);

      // What a controller can send: the ZKFC's source is denied, a forced user request obeyed.
      expect(await transition(c, 'rm2', 'active', 'REQUEST_BY_ZKFC')).toContain(
        'Request from ZK failover controller at 127.0.0.1 denied since automatic failover is not enabled',
      );
      expect(await transition(c, 'rm2', 'active', 'REQUEST_BY_USER_FORCED')).toBe('ok');
      await c.waitForHaState('rm2', 'active', 30_000);
      expect(c.activeTimes('rm2')).toHaveLength(1);

      // Automatic failover on without the embedded elector: HAUtil refuses the configuration.
      await c.stopRm('rm1');
      writeFileSync(
        join(c.rmConfDir('rm1'), 'yarn-site.xml'),
        xml({
          ...c.sharedYarnSite(),
          'yarn.resourcemanager.ha.id': 'rm1',
          'yarn.resourcemanager.ha.automatic-failover.enabled': 'true',
          'yarn.resourcemanager.ha.automatic-failover.embedded': 'false',
        }),
      );
      const start = await c.startRm('rm1').then(
        () => 'started',
        (error: unknown) => String(error),
      );
      expect(start).toContain('ResourceManager rm1 exited 255');
      expect(start).toContain(
        'The yarn.resourcemanager.ha.automatic-failover.embedded and ' +
          'yarn.resourcemanager.ha.curator-leader-elector.enabled properties are both false',
      );
    }));
});
