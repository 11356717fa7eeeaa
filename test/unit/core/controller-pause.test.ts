// Goal: a maintenance pause holds every controller still: the active keeps the lock and its
// NameNode whatever its health (no transition, no fencing), the standby leaves the election and
// does not take over even when the active goes away, cedes are refused; when the pause ends the
// usual rules apply at once (the unhealthy active is replaced).
// Method: CoreCluster (real controller cores, in-memory ZooKeeper, dummy NameNodes, virtual
// clock); the pause arrives as the MaintenancePauseChanged event the runtime's PauseMonitor sends.
import { describe, expect, it } from 'vitest';
import { CoreCluster } from './core-cluster.js';

function pauseAll(cluster: CoreCluster, paused: boolean): void {
  for (let node = 0; node < cluster.size; node++)
    cluster.send(node, { type: 'MaintenancePauseChanged', paused, reason: paused ? 'disk swap' : 'resumed' });
}

describe('maintenance pause in the controller core', () => {
  it('keeps an unhealthy active in place and the standby out; failover happens when it ends', () => {
    const cluster = new CoreCluster();
    cluster.start();
    cluster.waitFor(() => cluster.svc(0).state === 'ACTIVE', 'svc0 active');
    pauseAll(cluster, true);
    expect(cluster.controllers[0]?.snapshot().pausedReason).toBe('disk swap');
    cluster.waitFor(() => cluster.controllers[1]?.snapshot().elector.wantToBeInElection === false, 'svc1 out');

    cluster.setHealthy(0, false);
    cluster.advance(30_000);
    expect(cluster.svc(0).state).toBe('ACTIVE');
    expect(cluster.activeLockHolder()).toBe(0);
    expect(cluster.svc(1).state).toBe('STANDBY');
    expect(cluster.svc(0).fenceCount + cluster.svc(1).fenceCount).toBe(0);

    pauseAll(cluster, false);
    cluster.waitFor(() => cluster.svc(1).state === 'ACTIVE', 'svc1 active after the pause');
    expect(cluster.countActive()).toBe(1);
  });

  it('the standby does not take over while paused even when the active controller goes away', () => {
    const cluster = new CoreCluster();
    cluster.start();
    cluster.waitFor(() => cluster.svc(0).state === 'ACTIVE', 'svc0 active');
    pauseAll(cluster, true);
    cluster.preventSessionReestablishment(0);
    cluster.expireSession(0);
    cluster.advance(30_000);
    expect(cluster.svc(1).state).toBe('STANDBY');
    expect(cluster.svc(0).fenceCount).toBe(0);
    pauseAll(cluster, false);
    cluster.waitFor(() => cluster.svc(1).state === 'ACTIVE', 'svc1 active after the pause');
    expect(cluster.countActive()).toBe(1);
  });

  it('refuses cedeActive while paused, naming the pause', () => {
    const cluster = new CoreCluster();
    cluster.start();
    cluster.waitFor(() => cluster.svc(0).state === 'ACTIVE', 'svc0 active');
    pauseAll(cluster, true);
    const answer = cluster.cedeActive(0, 10_000);
    expect(answer?.ok).toBe(false);
    expect(answer?.error).toContain('paused for maintenance (disk swap)');
    expect(cluster.svc(0).state).toBe('ACTIVE');
  });
});
