// The simulation's invariant checkers (the list is in sim-world.ts's header): split brain and a
// transitionToActive while another NameNode is active, checked as they happen; a leaked lock after
// every event; leaked sessions and ZKFCs in the wrong state at the end; and the liveness window
// after the faults stop (a stable healthy active). They only read the world; sim-checkers.test.ts
// shows that each catches the bug it is for.

import { decodeActiveNodeInfo } from '../../src/hadoop/active-node-info.js';
import type { ControllerRuntime } from '../../src/runtime/controller-runtime.js';
import type { ZkSession } from '../../src/runtime/ports.js';
import type { SimulatedNameNode } from './sim-namenode.js';
import type { Host, SimWorld } from './sim-world.js';

/** The znodes the checkers read. */
export interface ElectionPaths {
  readonly lock: string;
  readonly breadcrumb: string;
}

export class SimCheckers {
  readonly violations: string[] = [];
  /** While the liveness window is open: since when the healthy active has held (undefined: not now). */
  private liveness: { stableSinceMs: number | undefined } | undefined;

  constructor(
    private readonly world: SimWorld,
    private readonly paths: ElectionPaths,
  ) {}

  violation(message: string): void {
    const text = `t=${this.world.scheduler.now()}ms: ${message}`;
    if (!this.violations.includes(text)) this.violations.push(text);
    this.world.trace(-1, `VIOLATION ${message}`);
  }

  /** Invariant 2: a ZKFC on host `from` is sending transitionToActive to `nn`. */
  transitionToActiveSent(from: number, nn: SimulatedNameNode): void {
    // Invariant 5: the readiness gate decides who may become active. A controller that does not
    // expect its NameNode to be active yet only promotes it on a ready verdict (never demoting
    // one it believes active is the gate's design, so that case is not judged).
    const core = this.world.hosts[from]?.controller?.coreSnapshot();
    if (core !== undefined && !core.readiness.ready && core.serviceState !== 'ACTIVE' && !nn.isActive)
      this.violation(
        `ZKFC on host ${from} sent transitionToActive to ${nn.target.namenodeId} ` +
          `while not ready (${core.readiness.summary})`,
      );
    for (const other of this.world.nameNodes) {
      if (other !== nn && other.isActive) {
        this.violation(
          `ZKFC on host ${from} sent transitionToActive to ${nn.target.namenodeId} ` +
            `while ${other.target.namenodeId} is still active (not fenced, not stood down)`,
        );
      }
    }
  }

  /** Invariant 1, judged by the NameNodes' own state. */
  checkSplitBrain(): void {
    const active = this.world.nameNodes.filter((nn) => nn.isActive);
    if (active.length > 1)
      this.violation(`split brain: ${active.map((nn) => nn.target.namenodeId).join(' and ')} are both active`);
  }

  /** After every simulated event: invariants 1 and 3, and the liveness window once it is open. */
  afterEvent(): void {
    this.checkSplitBrain();
    this.checkLock();
    if (this.liveness !== undefined) {
      if (this.healthyActive()) this.liveness.stableSinceMs ??= this.world.scheduler.now();
      else this.liveness.stableSinceMs = undefined;
    }
  }

  /**
   * Open the liveness window (the faults have stopped). With `judgeNow`, the state right now
   * counts; otherwise the first event after this judges.
   */
  openLivenessWindow(judgeNow: boolean): void {
    this.liveness = { stableSinceMs: judgeNow && this.healthyActive() ? this.world.scheduler.now() : undefined };
  }

  /** Since when a stable healthy active holds, or undefined. */
  get stableSinceMs(): number | undefined {
    return this.liveness?.stableSinceMs;
  }

  /** Invariant 3: the lock is owned only by a session its ZKFC still uses, closed or lost. */
  private checkLock(): void {
    const { zk, hosts } = this.world;
    const lock = zk.znode(this.paths.lock);
    if (lock === undefined) return;
    const owner = zk.sessions.get(lock.ephemeralOwner);
    if (owner === undefined || owner.ended !== undefined) {
      this.violation('the lock is owned by a session the server ended');
      return;
    }
    const client = owner.client;
    if (client === undefined) return; // closed or lost by its process: the server ends it within the timeout
    const host = hosts[owner.host];
    if (
      host === undefined ||
      host.zkFactory === undefined ||
      !host.zkFactory.opened.includes(client) ||
      host.controller === undefined
    )
      return;
    if (!this.uses(host.controller, client)) {
      this.violation(
        `leaked lock: host ${owner.host} holds the lock with a ` +
          `session (0x${owner.id.toString(16)}) its ZKFC no longer uses`,
      );
    }
  }

  private uses(controller: ControllerRuntime, client: ZkSession): boolean {
    return controller.liveZkSessions().some((live) => live === client || this.world.innerOf.get(live) === client);
  }

  /** The state liveness wants: exactly one active NameNode, owned lock, matching breadcrumb. */
  private healthyActive(): boolean {
    const { zk, hosts } = this.world;
    const active = this.world.nameNodes.filter((nn) => nn.isActive);
    if (active.length !== 1) return false;
    const nn = active[0] as SimulatedNameNode;
    const host = hosts[nn.index] as Host;
    const controller = host.controller;
    if (controller === undefined || host.process?.alive !== true) return false;
    const snapshot = controller.coreSnapshot();
    if (snapshot.elector.state !== 'ACTIVE' || snapshot.healthState !== 'SERVICE_HEALTHY') return false;
    const lock = zk.znode(this.paths.lock);
    if (lock === undefined || lock.ephemeralOwner !== snapshot.elector.sessionId) return false;
    const crumb = zk.znode(this.paths.breadcrumb);
    if (crumb === undefined) return false;
    try {
      return decodeActiveNodeInfo(crumb.data).namenodeId === nn.target.namenodeId;
    } catch {
      return false;
    }
  }

  /** At the end of a run: no leaked session, and every ZKFC but the active's is STANDBY. */
  checkEnd(): void {
    const { zk, hosts } = this.world;
    // No live server session may be unused by its ZKFC (sessions of dead processes are expired by now).
    for (const session of zk.sessions.values()) {
      if (session.ended !== undefined) continue;
      const host = hosts[session.host];
      const client = session.client;
      if (host?.controller === undefined || client === undefined) {
        this.violation(`leaked session 0x${session.id.toString(16)} of host ${session.host} still alive at the end`);
        continue;
      }
      if (!this.uses(host.controller, client))
        this.violation(
          `leaked session 0x${session.id.toString(16)} of host ` +
            `${session.host} still alive at the end (not used by its ZKFC)`,
        );
    }
    for (const host of hosts) {
      const state = host.controller?.coreSnapshot().elector.state;
      if (host.nn.isActive) continue;
      if (state !== 'STANDBY')
        this.violation(`at the end ${host.nn.target.namenodeId}'s ZKFC is ${state ?? 'not running'}, expected STANDBY`);
    }
  }
}
