// Goal: anti-flap in the pure core (README "Anti-flap"). The window counts lock-holder changes
// (first holder, same holder, graceful changes not counted; old ones leave the window; bounded),
// and the controller, with the limit reached, keeps an active whose NameNode answers but is
// unhealthy (log line, ReportAntiFlap record), while it never holds back when the NameNode stops
// answering, the session expires, an administrator fails over gracefully, or the limit is off.
// Method: AntiFlapWindow directly; the controller through CoreCluster (real controller cores, an
// in-memory ZooKeeper, dummy NameNodes on a virtual clock), asserting on NameNode states, the lock
// holder, the notes and the commands.

import { describe, expect, it } from 'vitest';
import { AntiFlapWindow } from '../../../src/core/controller/anti-flap.js';
import type { AntiFlapReport } from '../../../src/core/controller/commands.js';
import { CoreCluster } from './core-cluster.js';

const WINDOW_MS = 600_000;
const HELD_BACK = 'Anti-flap: failover held back; the local NameNode stays active';

describe('AntiFlapWindow', () => {
  it('counts changes of the holder, not the first holder seen nor the same one again', () => {
    const window = new AntiFlapWindow({ maxFailovers: 2, windowMs: 1000 });
    expect(window.observeHolder(1n, 0, false)).toBe('first');
    expect(window.observeHolder(1n, 10, false)).toBe('same');
    expect(window.observeHolder(2n, 20, false)).toBe('counted');
    expect(window.limitReached(20)).toBe(false);
    expect(window.observeHolder(1n, 30, false)).toBe('counted');
    expect(window.countInWindow(30)).toBe(2);
    expect(window.limitReached(30)).toBe(true);
    // The change at 20 leaves the window at 1020: the limit is no longer reached then.
    expect(window.releaseInMs(30)).toBe(990);
    expect(window.limitReached(1019)).toBe(true);
    expect(window.limitReached(1020)).toBe(false);
    expect(window.releaseInMs(1020)).toBe(0);
    expect(window.recent(1020)).toEqual([30]);
  });

  it('does not count graceful changes: the target knows, and a ceded ZKFC expects the next one', () => {
    const window = new AntiFlapWindow({ maxFailovers: 1, windowMs: 1000 });
    window.observeHolder(1n, 0, false);
    expect(window.observeHolder(2n, 10, true)).toBe('graceful');
    window.expectGraceful(100);
    expect(window.observeHolder(3n, 50, false)).toBe('graceful');
    // Only the next change: the expectation is used up.
    expect(window.observeHolder(4n, 60, false)).toBe('counted');
    // An expectation that ran out does not excuse a later change.
    window.expectGraceful(70);
    expect(window.observeHolder(5n, 80, false)).toBe('counted');
    expect(window.countInWindow(80)).toBe(1); // bounded to the newest maxFailovers
  });

  it('is off with 0 failovers', () => {
    const window = new AntiFlapWindow({ maxFailovers: 0, windowMs: WINDOW_MS });
    expect(window.enabled).toBe(false);
    window.observeHolder(1n, 0, false);
    window.observeHolder(2n, 1, false);
    expect(window.limitReached(2)).toBe(false);
  });
});

function reports(cluster: CoreCluster, node: number): AntiFlapReport[] {
  return (cluster.commands[node] ?? []).flatMap((c) => (c.type === 'ReportAntiFlap' ? [c.report] : []));
}

function holding(cluster: CoreCluster, node: number): boolean {
  return cluster.controllers[node]?.snapshot().antiFlap.holdingBack !== undefined;
}

/** Node `from` (active) turns unhealthy until `to` is active, then is healthy and standby again. */
function flap(cluster: CoreCluster, from: number, to: number): void {
  cluster.setHealthy(from, false);
  cluster.waitFor(() => cluster.svc(to).state === 'ACTIVE' && cluster.svc(from).state === 'STANDBY', `svc${to} active`);
  cluster.setHealthy(from, true);
  cluster.waitFor(() => cluster.electorState(from) === 'STANDBY', `svc${from} standby in the election`);
  cluster.advance(2000);
}

/** With a limit of 2: two failovers, then node 0 (active again) turns unhealthy and is held back. */
function heldBack(): CoreCluster {
  const cluster = new CoreCluster(2, { maxFailovers: 2, windowMs: WINDOW_MS });
  cluster.start();
  flap(cluster, 0, 1);
  flap(cluster, 1, 0);
  cluster.setHealthy(0, false);
  cluster.waitFor(() => holding(cluster, 0), 'svc0 held back');
  return cluster;
}

describe('ZKFailoverController anti-flap', () => {
  it('holds the failover beyond the limit back: the unhealthy active keeps the lock and stays active', () => {
    const cluster = heldBack();
    // Both ZKFCs counted the same two lock-holder changes.
    expect(cluster.controllers.map((c) => c.snapshot().antiFlap.failoversInWindow)).toEqual([2, 2]);
    cluster.advance(60_000);
    expect(cluster.svc(0).state).toBe('ACTIVE');
    expect(cluster.svc(1).state).toBe('STANDBY');
    expect(cluster.activeLockHolder()).toBe(0);
    expect(cluster.countActive()).toBe(1);
    const note = cluster.notes[0]?.find((n) => n.msg === HELD_BACK);
    expect(note?.level).toBe('warn');
    expect(note?.fields).toMatchObject({
      reason: '2 automatic failovers in the last 600000 ms (limit 2); the local NameNode answers but is unhealthy',
      healthReason: 'Injected unhealthiness',
      failoversInWindow: 2,
      maxFailovers: 2,
      windowMs: WINDOW_MS,
    });
    expect(reports(cluster, 0).filter((r) => r.kind === 'failoverHeldBack')).toEqual([
      {
        kind: 'failoverHeldBack',
        namenode: 'nn1',
        healthReason: 'Injected unhealthiness',
        failoversInWindow: 2,
        maxFailovers: 2,
        windowMs: WINDOW_MS,
        releaseInMs: expect.any(Number) as number,
      },
    ]);
    // Healthy again: the hold ends and nothing moved.
    cluster.setHealthy(0, true);
    cluster.waitFor(() => !holding(cluster, 0), 'hold ended');
    expect(reports(cluster, 0).at(-1)).toMatchObject({ kind: 'holdBackEnded', reason: 'healthy' });
    cluster.advance(10_000);
    expect(cluster.activeLockHolder()).toBe(0);
    expect(cluster.svc(0).state).toBe('ACTIVE');
  });

  it('fails over when the held-back NameNode stops answering', () => {
    const cluster = heldBack();
    cluster.svc(0).unreachable = true;
    cluster.waitFor(() => cluster.svc(1).state === 'ACTIVE', 'svc1 active');
    expect(cluster.svc(0).fenceCount).toBe(1);
    expect(reports(cluster, 0).at(-1)).toMatchObject({ kind: 'holdBackEnded', reason: 'not-responding' });
    expect(cluster.countActive()).toBe(1);
  });

  it('fails over when the held-back active loses its session, and the unhealthy node stays out', () => {
    const cluster = heldBack();
    cluster.preventSessionReestablishment(0);
    cluster.expireSession(0);
    cluster.waitFor(() => cluster.svc(1).state === 'ACTIVE', 'svc1 active');
    cluster.allowSessionReestablishment(0);
    cluster.advance(10_000);
    expect(reports(cluster, 0).find((r) => r.kind === 'holdBackEnded')).toMatchObject({ reason: 'lock-released' });
    expect(cluster.electorState(0)).toBe('INIT');
    expect(cluster.activeLockHolder()).toBe(1);
    expect(cluster.countActive()).toBe(1);
  });

  it('fails over when the oldest counted failover leaves the window', () => {
    const cluster = heldBack();
    const release = reports(cluster, 0).find((r) => r.kind === 'failoverHeldBack');
    if (release?.kind !== 'failoverHeldBack') throw new Error('no hold-back record');
    cluster.advance(release.releaseInMs - 1000);
    expect(cluster.svc(0).state).toBe('ACTIVE');
    cluster.waitFor(() => cluster.svc(1).state === 'ACTIVE', 'svc1 active', 5000);
    expect(reports(cluster, 0).at(-1)).toMatchObject({ kind: 'holdBackEnded', reason: 'window-passed' });
  });

  it('never holds back a graceful failover away from the held-back active', async () => {
    const cluster = heldBack();
    expect(await cluster.gracefulFailover(1)).toEqual({ ok: true });
    expect(cluster.svc(1).state).toBe('ACTIVE');
    expect(cluster.svc(0).state).toBe('STANDBY');
    expect(reports(cluster, 0).find((r) => r.kind === 'holdBackEnded')).toMatchObject({ reason: 'lock-released' });
    // The graceful change was not counted by either side.
    cluster.setHealthy(0, true);
    cluster.advance(15_000);
    expect(cluster.controllers.map((c) => c.snapshot().antiFlap.failoversInWindow)).toEqual([2, 2]);
  });

  it('with the limit off fails over every time, as Hadoop does', () => {
    const cluster = new CoreCluster(2, { maxFailovers: 0, windowMs: WINDOW_MS });
    cluster.start();
    flap(cluster, 0, 1);
    flap(cluster, 1, 0);
    flap(cluster, 0, 1);
    flap(cluster, 1, 0);
    expect(cluster.notes.flat().some((n) => n.msg === HELD_BACK)).toBe(false);
    expect(reports(cluster, 0)).toEqual([]);
  });

  it('keeps holding back through a ZooKeeper disconnection that does not expire the session', () => {
    const cluster = heldBack();
    cluster.stopZooKeeper();
    cluster.advance(3000);
    expect(holding(cluster, 0)).toBe(true);
    cluster.startZooKeeper();
    cluster.advance(5000);
    expect(holding(cluster, 0)).toBe(true);
    expect(cluster.activeLockHolder()).toBe(0);
    expect(cluster.svc(0).state).toBe('ACTIVE');
    expect(cluster.countActive()).toBe(1);
  });
});
