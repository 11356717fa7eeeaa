// Goal: the readiness gate in the controller core and the elector's candidacy delay: a NameNode
// that is not ready stays out of the election (and leaves it), so a failure of the active goes to a
// ready standby; with no ready standby nobody is promoted until the escape hatch's verdict arrives;
// an active is never demoted by the gate; a handicapped standby loses the race for a free lock to
// the one without a handicap, whichever would have won without it.
// Method: CoreCluster (real controller cores, in-memory ZooKeeper, dummy NameNodes, virtual
// clock); verdicts arrive as the ReadinessAssessed events the runtime sends.
import { describe, expect, it } from 'vitest';
import type { Readiness } from '../../../src/core/controller/readiness.js';
import { CoreCluster } from './core-cluster.js';

function verdict(ready: boolean, overrides: Partial<Readiness> = {}): Readiness {
  return {
    ready,
    blockers: ready ? [] : ['the NameNode is in safe mode: Safe mode is ON.'],
    escape: false,
    candidacyDelayMs: 0,
    standbysAhead: [],
    lagTxns: null,
    summary: ready ? 'ready' : 'not ready: the NameNode is in safe mode: Safe mode is ON.',
    ...overrides,
  };
}

function assess(cluster: CoreCluster, node: number, readiness: Readiness): void {
  cluster.send(node, { type: 'ReadinessAssessed', readiness });
}

/** A gated cluster whose node 0 is active and the others standby, all ready. */
function gatedCluster(size: number): CoreCluster {
  const cluster = new CoreCluster(size, undefined, true);
  for (let node = 0; node < size; node++) assess(cluster, node, verdict(true));
  cluster.start();
  cluster.waitFor(() => cluster.svc(0).state === 'ACTIVE', 'svc0 active');
  return cluster;
}

describe('readiness gate in the controller core', () => {
  it('keeps every controller out of the election until a verdict says ready', () => {
    const cluster = new CoreCluster(2, undefined, true);
    for (let node = 0; node < 2; node++) cluster.send(node, { type: 'ControllerStarted' });
    cluster.healthRound(0);
    cluster.healthRound(1);
    cluster.advance(10_000);
    expect(cluster.countActive()).toBe(0);
    expect(cluster.controllers[0]?.snapshot().elector.wantToBeInElection).toBe(false);
    expect(cluster.controllers[0]?.snapshot().readiness.summary).toBe('not ready: readiness not assessed yet');
    assess(cluster, 1, verdict(true));
    cluster.waitFor(() => cluster.svc(1).state === 'ACTIVE', 'svc1 active once ready');
    expect(cluster.countActive()).toBe(1);
  });

  it('a standby that is not ready leaves the election; the ready one takes over', () => {
    const cluster = gatedCluster(3);
    cluster.waitFor(() => cluster.controllers[1]?.snapshot().elector.state === 'STANDBY', 'svc1 standby');
    assess(cluster, 1, verdict(false));
    expect(cluster.controllers[1]?.snapshot().elector.wantToBeInElection).toBe(false);
    expect(
      cluster.notes[1]?.some((n) => n.msg === 'Leaving the election: local NameNode not ready to become active'),
    ).toBe(true);
    cluster.setHealthy(0, false);
    cluster.waitFor(() => cluster.svc(2).state === 'ACTIVE', 'svc2 active');
    cluster.advance(20_000);
    expect(cluster.svc(1).state).toBe('STANDBY');
    expect(cluster.countActive()).toBe(1);
  });

  it('with no ready standby nobody is promoted until a verdict (the escape hatch) says ready', () => {
    const cluster = gatedCluster(2);
    assess(cluster, 1, verdict(false));
    cluster.setHealthy(0, false);
    cluster.advance(60_000);
    // The unhealthy NameNode stays active until a winner fences it (as in Hadoop); nobody wins.
    expect(cluster.activeLockHolder()).toBeNull();
    expect(cluster.svc(1).state).toBe('STANDBY');
    assess(cluster, 1, verdict(true, { escape: true, blockers: ['the NameNode is in safe mode'], summary: 'escape' }));
    cluster.waitFor(() => cluster.svc(1).state === 'ACTIVE', 'svc1 active by the escape hatch');
    expect(cluster.countActive()).toBe(1);
    expect(cluster.controllers[1]?.snapshot().readiness.escape).toBe(true);
  });

  it('never demotes the active: a not-ready verdict leaves it in place', () => {
    const cluster = gatedCluster(2);
    assess(cluster, 0, verdict(false));
    cluster.advance(30_000);
    expect(cluster.svc(0).state).toBe('ACTIVE');
    expect(cluster.activeLockHolder()).toBe(0);
    expect(cluster.svc(1).state).toBe('STANDBY');
  });

  it('a verdict that only moves numbers does not make the controller leave or rejoin', () => {
    const cluster = gatedCluster(2);
    const sessionBefore = cluster.sessionIdOf(1);
    assess(cluster, 1, verdict(true, { lagTxns: 10, summary: 'ready (10 transactions behind the best peer)' }));
    cluster.advance(5000);
    expect(cluster.sessionIdOf(1)).toBe(sessionBefore);
  });
});

describe('candidacy delay (the race for a free lock)', () => {
  /** Node 0 active; its ZooKeeper session expires and it may not come back; who wins? */
  function race(delays: readonly [number, number]): number | null {
    const cluster = new CoreCluster(3);
    cluster.start();
    cluster.waitFor(
      () => cluster.electorState(1) === 'STANDBY' && cluster.electorState(2) === 'STANDBY',
      'both standbys in the election',
    );
    assess(cluster, 1, verdict(true, { candidacyDelayMs: delays[0] }));
    assess(cluster, 2, verdict(true, { candidacyDelayMs: delays[1] }));
    cluster.preventSessionReestablishment(0);
    cluster.setHealthy(0, false);
    cluster.waitFor(() => cluster.countActive() === 1 && cluster.svc(0).state !== 'ACTIVE', 'a new active');
    cluster.advance(10_000);
    expect(cluster.countActive()).toBe(1);
    return cluster.activeLockHolder();
  }

  it('the standby without a handicap wins, whichever wins without one', () => {
    const unhandicapped = race([0, 0]);
    expect(unhandicapped === 1 || unhandicapped === 2).toBe(true);
    const loser = unhandicapped === 1 ? 2 : 1;
    // Handicap the natural winner: the other one must win now.
    expect(race(unhandicapped === 1 ? [4000, 0] : [0, 4000])).toBe(loser);
  });

  it('a quit during the wait cancels the delayed create', () => {
    const cluster = new CoreCluster(2);
    cluster.start();
    cluster.waitFor(() => cluster.electorState(1) === 'STANDBY', 'svc1 standby');
    assess(cluster, 1, verdict(true, { candidacyDelayMs: 5000 }));
    cluster.preventSessionReestablishment(0);
    cluster.setHealthy(0, false);
    cluster.waitFor(() => cluster.controllers[1]?.snapshot().elector.candidacyWaiting === true, 'svc1 waiting');
    assess(cluster, 1, verdict(false, { candidacyDelayMs: 5000 }));
    cluster.advance(20_000);
    expect(cluster.svc(1).state).toBe('STANDBY');
    expect(cluster.controllers[1]?.snapshot().elector.candidacyWaiting).toBe(false);
    expect(cluster.activeLockHolder()).toBeNull();
  });
});
