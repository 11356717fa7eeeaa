// The simulation's random fault catalogue: ZooKeeper partitions (black hole or reset) and quorum
// outages, session expiry, NameNode crashes, hangs, slow transitions, unhealthiness, failures to
// become active or standby, observers and spontaneous stand-downs, host isolation, ZKFC kills,
// stops and pauses (also right after a breadcrumb write), graceful failovers and broken fencing;
// the list is weighted by repeating kinds. A fault lasts a drawn time, never past the chaos phase;
// overlapping faults of one kind on one host are counted, so the last to end heals it. heal() ends
// every fault at once. The state the simulated ports read (host isolation, fence switches) lives
// here; what the faults act on (NameNodes, processes, ZooKeeper) is the world's.

import type { FenceFaults, SimulatedNameNode } from './sim-namenode.js';
import type { LinkState } from './sim-zookeeper.js';
import type { Host, SimWorld } from './sim-world.js';

export class SimFaults {
  /** Fence switches the simulated fencers read (MiniZKFCCluster.setFailToFence and friends). */
  readonly fence: FenceFaults;
  /** Per host: isolated from the other hosts while above 0. */
  private readonly isolated: number[];
  /** Hosts whose ZKFC pauses for the given ms right after sending its next breadcrumb write. */
  private readonly pauseAtBreadcrumbWrite = new Map<number, number>();
  /** How many faults of each kind and host are in force. */
  private readonly counters = new Map<string, number>();

  constructor(
    private readonly world: SimWorld,
    nodes: number,
  ) {
    this.fence = {
      sshBroken: Array.from({ length: nodes }, () => false),
      powerBroken: Array.from({ length: nodes }, () => false),
    };
    this.isolated = Array.from({ length: nodes }, () => 0);
  }

  /** Can host `from` reach host `to` over the network (not ZooKeeper)? A host always reaches itself. */
  reachable(from: number, to: number): boolean {
    return from === to || ((this.isolated[from] ?? 0) === 0 && (this.isolated[to] ?? 0) === 0);
  }

  /**
   * The ZKFC on `host` has just sent its breadcrumb write: a pending targeted pause freezes it now
   * (the window between winning the lock and transitionToActive, where a pause is most dangerous).
   */
  breadcrumbWriteSent(host: number): void {
    const pauseMs = this.pauseAtBreadcrumbWrite.get(host);
    if (pauseMs === undefined) return;
    this.pauseAtBreadcrumbWrite.delete(host);
    this.world.trace(host, `ZKFC process paused for ${pauseMs} ms right after sending its breadcrumb write`);
    this.world.hosts[host]?.process?.pause(pauseMs);
  }

  private bump(key: string, delta: number): number {
    const value = (this.counters.get(key) ?? 0) + delta;
    this.counters.set(key, value);
    return value;
  }

  private during(key: string, durationMs: number, start: () => void, end: () => void): void {
    if (this.bump(key, 1) === 1) start();
    this.world.scheduler.schedule(durationMs, () => {
      if (this.bump(key, -1) === 0) end();
    });
  }

  private applyLink(host: number): void {
    const reset = (this.counters.get(`zk-reset-${host}`) ?? 0) > 0;
    const blackhole = (this.counters.get(`zk-blackhole-${host}`) ?? 0) > 0;
    const state: LinkState = reset ? 'reset' : blackhole ? 'blackhole' : 'up';
    this.world.zk.setLink(host, state);
  }

  /** Inject one fault drawn from the catalogue; it lasts at most `remainingMs`. */
  injectRandom(remainingMs: number): void {
    const { rng } = this.world;
    const host = rng.int(0, this.world.hosts.length - 1);
    const nn = this.world.nameNodes[host] as SimulatedNameNode;
    const duration = (min: number, max: number): number => Math.max(1, Math.min(rng.int(min, max), remainingMs));
    const kind = rng.pick([
      'zk-partition',
      'zk-partition',
      'zk-partition',
      'zk-outage',
      'expire-session',
      'expire-session',
      'nn-crash',
      'nn-crash',
      'nn-hang',
      'nn-slow',
      'nn-unhealthy',
      'nn-unhealthy',
      'nn-fail-active',
      'nn-fail-standby',
      'host-isolate',
      'host-isolate',
      'zkfc-kill',
      'zkfc-stop',
      'zkfc-pause',
      'zkfc-pause-at-write',
      'graceful-failover',
      'graceful-failover',
      'observer',
      'bad-state',
      'fence-broken',
    ] as const);
    const note = (text: string): void => {
      this.world.faultLog.push(`t=${this.world.scheduler.now()} ${text}`);
      this.world.trace(host, `FAULT ${text}`);
    };
    switch (kind) {
      case 'zk-partition': {
        const how = rng.chance(0.5) ? 'blackhole' : 'reset';
        const d = duration(200, 30_000);
        note(`zk link of host ${host} ${how} for ${d} ms`);
        this.during(
          `zk-${how}-${host}`,
          d,
          () => this.applyLink(host),
          () => this.applyLink(host),
        );
        return;
      }
      case 'zk-outage': {
        const d = duration(1000, 20_000);
        note(`ZooKeeper quorum lost for ${d} ms`);
        this.during(
          'zk-outage',
          d,
          () => this.world.zk.setQuorum(false),
          () => this.world.zk.setQuorum(true),
        );
        return;
      }
      case 'expire-session': {
        const sessions = [...this.world.zk.sessions.values()].filter((s) => s.host === host && s.ended === undefined);
        if (sessions.length === 0) return;
        const victim = rng.pick(sessions);
        note(`expire session 0x${victim.id.toString(16)} of host ${host}`);
        this.world.zk.expireSession(victim.id);
        return;
      }
      case 'nn-crash': {
        note(`NameNode ${nn.target.namenodeId} crashes`);
        nn.kill('crash');
        return;
      }
      case 'nn-hang': {
        const d = duration(2000, 70_000);
        note(`NameNode ${nn.target.namenodeId} hangs for ${d} ms`);
        nn.hungUntilMs = Math.max(nn.hungUntilMs, this.world.scheduler.now() + d);
        return;
      }
      case 'nn-slow': {
        const d = duration(5000, 60_000);
        const slowMs = rng.int(500, 25_000);
        note(`NameNode ${nn.target.namenodeId} transitions take ${slowMs} ms for ${d} ms`);
        this.during(
          `slow-${host}`,
          d,
          () => (nn.slowTransitionMs = slowMs),
          () => (nn.slowTransitionMs = 0),
        );
        return;
      }
      case 'nn-unhealthy': {
        const d = duration(2000, 40_000);
        note(`NameNode ${nn.target.namenodeId} unhealthy for ${d} ms`);
        this.during(
          `unhealthy-${host}`,
          d,
          () => (nn.healthy = false),
          () => (nn.healthy = true),
        );
        return;
      }
      case 'nn-fail-active': {
        const d = duration(3000, 40_000);
        note(`NameNode ${nn.target.namenodeId} fails to become active for ${d} ms`);
        this.during(
          `fail-active-${host}`,
          d,
          () => (nn.failToBecomeActive = true),
          () => (nn.failToBecomeActive = false),
        );
        return;
      }
      case 'nn-fail-standby': {
        const d = duration(3000, 40_000);
        note(`NameNode ${nn.target.namenodeId} fails to become standby for ${d} ms`);
        this.during(
          `fail-standby-${host}`,
          d,
          () => (nn.failToBecomeStandby = true),
          () => (nn.failToBecomeStandby = false),
        );
        return;
      }
      case 'host-isolate': {
        const d = duration(1000, 30_000);
        const alsoZk = rng.chance(0.5);
        note(`host ${host} isolated from the other hosts${alsoZk ? ' and ZooKeeper' : ''} for ${d} ms`);
        this.during(
          `isolate-${host}`,
          d,
          () => (this.isolated[host] = 1),
          () => (this.isolated[host] = 0),
        );
        if (alsoZk)
          this.during(
            `zk-blackhole-${host}`,
            d,
            () => this.applyLink(host),
            () => this.applyLink(host),
          );
        return;
      }
      case 'zkfc-kill':
        note(`ZKFC on host ${host} killed (SIGKILL)`);
        this.world.killController(host, 'SIGKILL');
        return;
      case 'zkfc-stop':
        note(`ZKFC on host ${host} stopped (SIGTERM)`);
        this.world.stopController(host, rng.int(1000, 10_000));
        return;
      case 'zkfc-pause': {
        const d = duration(500, 25_000);
        note(`ZKFC on host ${host} paused (GC / SIGSTOP) for ${d} ms`);
        this.world.hosts[host]?.process?.pause(d);
        return;
      }
      case 'zkfc-pause-at-write': {
        const d = rng.int(4000, 20_000);
        note(`ZKFC on host ${host} will pause ${d} ms right after its next breadcrumb write`);
        this.pauseAtBreadcrumbWrite.set(host, d);
        return;
      }
      case 'graceful-failover': {
        const controller = this.world.hosts[host]?.controller;
        if (controller === undefined || this.world.hosts[host]?.stopping === true) return;
        note(`haadmin -failover to ${nn.target.namenodeId}`);
        controller.gracefulFailover().then(
          () => this.world.trace(host, 'graceful failover succeeded'),
          (error: unknown) =>
            this.world.trace(
              host,
              `graceful failover failed: ${error instanceof Error ? error.message : String(error)}`,
            ),
        );
        return;
      }
      case 'observer': {
        if (nn.process !== 'running' || nn.haState !== 'STANDBY') return;
        const d = duration(3000, 30_000);
        note(`NameNode ${nn.target.namenodeId} made observer by an operator for ${d} ms`);
        nn.setState('OBSERVER', 'haadmin -transitionToObserver');
        this.world.scheduler.schedule(d, () => {
          if (nn.haState === 'OBSERVER') nn.setState('STANDBY', 'haadmin -transitionToStandby');
        });
        return;
      }
      case 'bad-state':
        if (!nn.isActive) return;
        note(`NameNode ${nn.target.namenodeId} drops to standby by itself`);
        nn.setState('STANDBY', 'spontaneous');
        return;
      case 'fence-broken': {
        const d = duration(2000, 30_000);
        const which = rng.chance(0.5) ? 'ssh' : 'power';
        note(`${which} fencing of ${nn.target.namenodeId} broken for ${d} ms`);
        const flags = which === 'ssh' ? this.fence.sshBroken : this.fence.powerBroken;
        this.during(
          `fence-${which}-${host}`,
          d,
          () => (flags[host] = true),
          () => (flags[host] = false),
        );
        return;
      }
      default: {
        const never: never = kind;
        throw new Error(`unknown fault ${String(never)}`);
      }
    }
  }

  /** End every fault: links up, NameNodes running and healthy, ZKFCs running. */
  heal(): void {
    this.world.trace(-1, 'HEAL: all faults end');
    this.counters.clear();
    this.pauseAtBreadcrumbWrite.clear();
    for (let i = 0; i < this.world.hosts.length; i++) {
      this.isolated[i] = 0;
      this.world.zk.setLink(i, 'up');
      this.fence.sshBroken[i] = false;
      this.fence.powerBroken[i] = false;
      const nn = this.world.nameNodes[i] as SimulatedNameNode;
      nn.healthy = true;
      nn.hungUntilMs = 0;
      nn.slowTransitionMs = 0;
      nn.failToBecomeActive = false;
      nn.failToBecomeStandby = false;
      if (nn.haState === 'OBSERVER') nn.setState('STANDBY', 'haadmin -transitionToStandby');
      if (nn.process === 'dead') nn.restart(this.world.rng.int(500, 3000));
      const host = this.world.hosts[i] as Host;
      if (host.controller === undefined && !host.stopping) this.world.scheduleRestart(i, 0);
    }
    this.world.zk.setQuorum(true);
  }
}
