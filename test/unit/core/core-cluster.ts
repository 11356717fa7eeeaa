// A tiny, synchronous, in-memory cluster for the pure ZKFailoverController core, in the spirit of
// Hadoop's MiniZKFCCluster: N controller cores, one ZooKeeper model (znodes, ephemeral owners,
// one-shot watches, session expiry) and N DummyHAService-like NameNodes with Hadoop's fault
// switches (setHealthy, setFailToBecomeActive, setFailToBecomeStandby, setFailToFence,
// setUnreachable). Commands are executed at once and their results queued as events; timers and
// health rounds run on a virtual clock. A graceful failover (haadmin -failover) runs the runtime's
// own procedure, runtime/graceful-failover.ts, against the cluster. Otherwise it is a test harness
// for the core only; the full simulation with the real runtime lives in test/sim.

import { ZKFailoverController, type ActiveAttempt } from '../../../src/core/controller/controller.js';
import type { AntiFlapConfig } from '../../../src/core/controller/anti-flap.js';
import type { ControllerCommand } from '../../../src/core/controller/commands.js';
import type { ControllerEvent } from '../../../src/core/controller/events.js';
import type { ZkResultCode } from '../../../src/core/elector/events.js';
import type { Note } from '../../../src/core/note.js';
import type { ActiveNodeInfo, HAServiceState, HostPort, NamenodeTarget } from '../../../src/core/types.js';
import { defaultSettings } from '../../../src/config/load.js';
import { FailoverServiceError, PeerCedeError } from '../../../src/runtime/errors.js';
import { runGracefulFailover } from '../../../src/runtime/graceful-failover.js';
import { silentRuntimeLog } from '../../../src/runtime/logging.js';
import type { ZkfcClient } from '../../../src/runtime/ports.js';

/** ControllerRuntime's wait for the attempt on top of the cede time (Java's fixed 60 s). */
const GRACEFUL_BECOME_ACTIVE_WAIT_MS = 60_000;

export type GracefulFailoverOutcome = { readonly ok: true } | { readonly ok: false; readonly error: string };

export const NS = 'ns1';
export const WORKING_DIR = `/hadoop-ha/${NS}`;
export const LOCK = `${WORKING_DIR}/ActiveStandbyElectorLock`;
export const BREADCRUMB = `${WORKING_DIR}/ActiveBreadCrumb`;

export function target(index: number): NamenodeTarget {
  return {
    nameserviceId: NS,
    namenodeId: `nn${index + 1}`,
    serviceAddress: { host: `host${index + 1}`, port: 8020 },
    zkfcPort: 8019,
  };
}

/** A stand-in for the ActiveNodeInfo protobuf: the core only compares bytes, the runtime decodes. */
export function encodeInfo(info: ActiveNodeInfo): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(info));
}

function decodeInfo(data: Uint8Array): { ok: true; info: ActiveNodeInfo } | { ok: false; error: string } {
  try {
    return { ok: true, info: JSON.parse(new TextDecoder().decode(data)) as ActiveNodeInfo };
  } catch {
    return { ok: false, error: 'Invalid data in ZK' };
  }
}

export function infoOf(t: NamenodeTarget): ActiveNodeInfo {
  return {
    nameserviceId: t.nameserviceId,
    namenodeId: t.namenodeId,
    hostname: t.serviceAddress.host,
    port: t.serviceAddress.port,
    zkfcPort: t.zkfcPort,
  };
}

export class DummyNameNode {
  state: HAServiceState = 'STANDBY';
  healthy = true;
  failToBecomeActive = false;
  failToBecomeStandby = false;
  failToFence = false;
  unreachable = false;
  fenceCount = 0;
  activeTransitionCount = 0;
}

interface Znode {
  data: Uint8Array;
  version: number;
  owner: bigint;
}

interface Session {
  readonly node: number;
  readonly epoch: number;
  readonly id: bigint;
  alive: boolean;
}

interface Timer {
  readonly dueMs: number;
  readonly seq: number;
  readonly node: number;
  readonly event: ControllerEvent;
}

export class CoreCluster {
  readonly controllers: ZKFailoverController[] = [];
  readonly services: DummyNameNode[] = [];
  readonly notes: Note[][] = [];
  readonly commands: ControllerCommand[][] = [];
  readonly cedeAnswers = new Map<number, { ok: boolean; error?: string }>();
  readonly exits: ({ exitCode: number; message: string } | undefined)[] = [];
  nowMs = 0;
  zkUp = true;

  private readonly znodes = new Map<string, Znode>([[WORKING_DIR, { data: new Uint8Array(), version: 0, owner: 0n }]]);
  private readonly sessions = new Map<bigint, Session>();
  private readonly watches = new Map<string, { node: number; epoch: number }[]>();
  private readonly queue: { node: number; event: ControllerEvent }[] = [];
  private timers: Timer[] = [];
  private timerSeq = 0;
  private nextSessionId = 0x100n;
  private readonly healthMonitoring: boolean[] = [];
  private nextRequestId = 1;
  private nextRoundMs = 1000;
  private readonly heldSessions = new Map<number, number[]>();

  /**
   * `antiFlap`: zkfc.anti-flap.* of every controller (default off, as in Hadoop's tests).
   * `readinessGate`: controllers join only once a ReadinessAssessed event says ready (default off).
   */
  constructor(
    readonly size = 2,
    antiFlap?: AntiFlapConfig,
    readinessGate = false,
  ) {
    for (let i = 0; i < size; i++) {
      const local = target(i);
      const peers = Array.from({ length: size }, (_, j) => target(j)).filter((_, j) => j !== i);
      this.controllers.push(
        new ZKFailoverController({
          local,
          peers,
          appData: encodeInfo(infoOf(local)),
          workingDir: WORKING_DIR,
          ...defaultSettings().failover,
          ...(antiFlap !== undefined ? { antiFlap } : {}),
          readinessGate,
        }),
      );
      this.services.push(new DummyNameNode());
      this.notes.push([]);
      this.commands.push([]);
      this.exits.push(undefined);
      this.healthMonitoring.push(false);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Driving

  send(node: number, event: ControllerEvent): void {
    this.queue.push({ node, event });
    this.drain();
  }

  /** Start all controllers, let them connect and run health rounds until node 0 is active. */
  start(): void {
    for (let i = 0; i < this.size; i++) this.send(i, { type: 'ControllerStarted' });
    // Node 0 gets healthy first so it wins, as MiniZKFCCluster.start waits for svc0 active.
    this.healthRound(0);
    this.advance(1);
    this.waitFor(() => this.services[0]?.state === 'ACTIVE', 'svc0 active');
    this.advance(3000);
  }

  /** Run time forward by `ms`, with a health round of every monitored node each second. */
  advance(ms: number): void {
    const end = this.nowMs + ms;
    for (;;) {
      const nextTimer = this.timers[0];
      const timerDue = nextTimer?.dueMs ?? Infinity;
      const due = Math.min(timerDue, this.nextRoundMs);
      if (due > end) break;
      this.nowMs = due;
      if (nextTimer !== undefined && timerDue <= this.nextRoundMs) {
        this.timers.shift();
        this.send(nextTimer.node, nextTimer.event);
        continue;
      }
      this.nextRoundMs += 1000;
      for (let i = 0; i < this.size; i++) if (this.healthMonitoring[i] === true) this.healthRound(i);
    }
    this.nowMs = end;
  }

  /** Advance in small steps until `condition` holds (like MiniZKFCCluster.waitFor...). */
  waitFor(condition: () => boolean, what: string, limitMs = 120_000): void {
    const start = this.nowMs;
    while (!condition()) {
      if (this.nowMs - start > limitMs) throw new Error(`timed out waiting for ${what}`);
      this.advance(100);
    }
  }

  healthRound(node: number): void {
    const svc = this.services[node];
    if (svc === undefined) return;
    if (svc.unreachable) {
      this.send(node, { type: 'HealthProbeFinished', probe: { kind: 'unreachable', reason: 'Connection refused' } });
    } else if (!svc.healthy) {
      this.send(node, {
        type: 'HealthProbeFinished',
        probe: { kind: 'unhealthy', reason: 'Injected unhealthiness', status: { state: svc.state } },
      });
    } else {
      this.send(node, { type: 'HealthProbeFinished', probe: { kind: 'healthy', status: { state: svc.state } } });
    }
  }

  cedeActive(node: number, millisToCede: number): { ok: boolean; error?: string } | undefined {
    const requestId = this.nextRequestId++;
    this.send(node, { type: 'CedeActiveRequested', requestId, millisToCede, requester: 'test' });
    return this.cedeAnswers.get(requestId);
  }

  /**
   * haadmin -failover to `to`, as the daemon serves it (ControllerRuntime#gracefulFailover): the
   * core hears GracefulFailoverStarted/Ended around the runtime's runGracefulFailover, whose ports
   * are this cluster (the lock znode, the peers' cedeActive, the core's attempt record, virtual
   * time). Resolves with the outcome the ZKFC protocol would report.
   */
  async gracefulFailover(to: number): Promise<GracefulFailoverOutcome> {
    const controller = this.controllers[to];
    if (controller === undefined) throw new Error(`no node ${to}`);
    const requestId = this.nextRequestId++;
    this.send(to, { type: 'GracefulFailoverStarted', requestId });
    try {
      await runGracefulFailover({
        local: target(to),
        peers: this.controllers.map((_, i) => target(i)).filter((_, i) => i !== to),
        cedeTimeoutMs: 2 * defaultSettings().failover.gracefulFenceRpcTimeoutMs,
        becomeActiveWaitMs: GRACEFUL_BECOME_ACTIVE_WAIT_MS,
        snapshot: () => controller.snapshot(),
        monotonicMs: () => this.nowMs,
        readActiveData: () => {
          const lock = this.znodes.get(LOCK);
          return Promise.resolve(lock === undefined ? null : { data: lock.data, decoded: decodeInfo(lock.data) });
        },
        zkfcClients: { create: (address) => this.zkfcClient(address) },
        waitForActiveAttempt: (sinceMs, timeoutMs) =>
          Promise.resolve(this.waitForActiveAttempt(to, sinceMs, timeoutMs)),
        log: silentRuntimeLog(),
      });
      return { ok: true };
    } catch (error) {
      if (error instanceof FailoverServiceError || error instanceof PeerCedeError)
        return { ok: false, error: error.message };
      throw error;
    } finally {
      this.send(to, { type: 'GracefulFailoverEnded', requestId });
    }
  }

  /** ZKFCProtocol to the node whose ZKFC listens at `address`: cedeActive only. */
  private zkfcClient(address: HostPort): ZkfcClient {
    const node = this.controllers.findIndex(
      (_, i) => target(i).serviceAddress.host === address.host && target(i).zkfcPort === address.port,
    );
    if (node < 0) throw new Error(`no ZKFC at ${address.host}:${address.port}`);
    return {
      address,
      cedeActive: (millisToCede) => {
        const answer = this.cedeActive(node, millisToCede);
        if (answer?.ok === true) return Promise.resolve();
        return Promise.reject(new Error(answer?.error ?? 'no answer'));
      },
      gracefulFailover: () => Promise.reject(new Error('not used by the graceful failover procedure')),
      close: () => undefined,
    };
  }

  /**
   * ControllerRuntime#waitForActiveAttempt on virtual time: the node's first attempt to become
   * active at or after `sinceMs`, or null once its NameNode is not healthy or `timeoutMs` passed.
   */
  private waitForActiveAttempt(node: number, sinceMs: number, timeoutMs: number): ActiveAttempt | null {
    const startMs = this.nowMs;
    for (;;) {
      const snapshot = this.controllers[node]?.snapshot();
      const attempt = snapshot?.lastActiveAttempt;
      if (attempt !== undefined && attempt.atMs >= sinceMs) return attempt;
      if (snapshot?.healthState !== 'SERVICE_HEALTHY' || this.nowMs - startMs >= timeoutMs) return null;
      this.advance(100);
    }
  }

  setHealthy(node: number, healthy: boolean): void {
    this.svc(node).healthy = healthy;
  }

  /** Expire the node's current session on the server (MiniZKFCCluster.expireActiveLockHolder). */
  expireSession(node: number): void {
    const epoch = this.controllers[node]?.snapshot().elector.epoch;
    for (const session of this.sessions.values()) {
      if (session.node === node && session.epoch === epoch && session.alive) {
        this.killSession(session);
        this.send(node, { type: 'ZkSessionStateChanged', epoch: session.epoch, state: 'expired' });
      }
    }
  }

  /** Stop the ZooKeeper server: every client sees a disconnect; sessions survive (restart). */
  stopZooKeeper(): void {
    this.zkUp = false;
    for (const session of this.sessions.values()) {
      if (session.alive)
        this.send(session.node, { type: 'ZkSessionStateChanged', epoch: session.epoch, state: 'disconnected' });
    }
  }

  startZooKeeper(): void {
    this.zkUp = true;
    for (const session of this.sessions.values()) {
      if (session.alive)
        this.send(session.node, {
          type: 'ZkSessionStateChanged',
          epoch: session.epoch,
          state: 'connected',
          sessionId: session.id,
        });
    }
  }

  /**
   * Hold back new sessions of `node` (Java's preventSessionReestablishmentForTests): without it an
   * expired active may simply win again before its peer notices, the race the Java test avoids.
   */
  preventSessionReestablishment(node: number): void {
    this.heldSessions.set(node, []);
  }

  allowSessionReestablishment(node: number): void {
    const held = this.heldSessions.get(node) ?? [];
    this.heldSessions.delete(node);
    for (const epoch of held) this.connectSession(node, epoch);
    this.drain();
  }

  private connectSession(node: number, epoch: number): void {
    const session: Session = { node, epoch, id: this.nextSessionId++, alive: true };
    this.sessions.set(session.id, session);
    this.reply(node, { type: 'ZkSessionStateChanged', epoch, state: 'connected', sessionId: session.id });
  }

  /** A third party writes a persistent znode (e.g. a stale breadcrumb). */
  writeZnode(path: string, data: Uint8Array): void {
    const existing = this.znodes.get(path);
    this.znodes.set(path, { data, version: existing === undefined ? 0 : existing.version + 1, owner: 0n });
  }

  // -------------------------------------------------------------------------------------------
  // Observing

  svc(node: number): DummyNameNode {
    const svc = this.services[node];
    if (svc === undefined) throw new Error(`no node ${node}`);
    return svc;
  }

  electorState(node: number): string {
    return this.controllers[node]?.snapshot().elector.state ?? 'none';
  }

  healthState(node: number): string {
    return this.controllers[node]?.snapshot().healthState ?? 'none';
  }

  sessionIdOf(node: number): bigint | undefined {
    return this.controllers[node]?.snapshot().elector.sessionId;
  }

  /** Index of the node whose session owns the lock, or null. */
  activeLockHolder(): number | null {
    const lock = this.znodes.get(LOCK);
    if (lock === undefined) return null;
    return this.sessions.get(lock.owner)?.node ?? null;
  }

  breadcrumbHolder(): string | null {
    const crumb = this.znodes.get(BREADCRUMB);
    if (crumb === undefined) return null;
    const decoded = decodeInfo(crumb.data);
    return decoded.ok ? decoded.info.namenodeId : null;
  }

  countActive(): number {
    return this.services.filter((svc) => svc.state === 'ACTIVE').length;
  }

  commandsOf<T extends ControllerCommand['type']>(node: number, type: T): Extract<ControllerCommand, { type: T }>[] {
    return (this.commands[node] ?? []).filter((c): c is Extract<ControllerCommand, { type: T }> => c.type === type);
  }

  // -------------------------------------------------------------------------------------------
  // Execution of commands

  private drain(): void {
    for (let guard = 0; this.queue.length > 0; guard++) {
      if (guard > 100_000) throw new Error('event loop does not settle');
      const next = this.queue.shift();
      if (next === undefined) break;
      const controller = this.controllers[next.node];
      if (controller === undefined || this.exits[next.node] !== undefined) continue;
      const result = controller.step(next.event, this.nowMs);
      this.notes[next.node]?.push(...result.notes);
      this.commands[next.node]?.push(...result.commands);
      for (const command of result.commands) this.execute(next.node, command);
    }
  }

  private reply(node: number, event: ControllerEvent): void {
    this.queue.push({ node, event });
  }

  private schedule(node: number, delayMs: number, event: ControllerEvent): void {
    this.timers.push({ dueMs: this.nowMs + delayMs, seq: this.timerSeq++, node, event });
    this.timers.sort((a, b) => a.dueMs - b.dueMs || a.seq - b.seq);
  }

  private liveSession(node: number, epoch: number): Session | undefined {
    for (const session of this.sessions.values())
      if (session.node === node && session.epoch === epoch && session.alive) return session;
    return undefined;
  }

  private zkOp(node: number, epoch: number, op: (session: Session) => void): void {
    const session = this.liveSession(node, epoch);
    if (session === undefined) return; // closed session: nothing comes back
    if (!this.zkUp) return; // held until reconnect (never in these tests: ops are issued when up)
    op(session);
  }

  private result(
    node: number,
    type: 'LockCreateFinished' | 'BreadcrumbWriteFinished' | 'BreadcrumbDeleteFinished',
    epoch: number,
    code: ZkResultCode,
  ): void {
    this.reply(node, { type, epoch, code });
  }

  private fireWatches(path: string, watchType: 'NodeCreated' | 'NodeDeleted' | 'NodeDataChanged'): void {
    const watchers = this.watches.get(path) ?? [];
    this.watches.delete(path);
    for (const watcher of watchers) {
      if (this.liveSession(watcher.node, watcher.epoch) !== undefined) {
        this.reply(watcher.node, { type: 'LockWatchFired', epoch: watcher.epoch, watchType, path });
      }
    }
  }

  private killSession(session: Session): void {
    session.alive = false;
    for (const [path, znode] of [...this.znodes]) {
      if (znode.owner === session.id) {
        this.znodes.delete(path);
        this.fireWatches(path, 'NodeDeleted');
      }
    }
  }

  private execute(node: number, command: ControllerCommand): void {
    const svc = this.svc(node);
    switch (command.type) {
      case 'OpenZkSession': {
        if (this.heldSessions.has(node)) {
          this.heldSessions.get(node)?.push(command.epoch);
          return;
        }
        this.connectSession(node, command.epoch);
        return;
      }
      case 'CloseZkSession': {
        const session = this.liveSession(node, command.epoch);
        if (session !== undefined) this.killSession(session);
        return;
      }
      case 'CreateLockZnode':
        return this.zkOp(node, command.epoch, (session) => {
          if (this.znodes.has(command.path))
            return this.result(node, 'LockCreateFinished', command.epoch, 'NODEEXISTS');
          this.znodes.set(command.path, { data: command.data, version: 0, owner: session.id });
          this.fireWatches(command.path, 'NodeCreated');
          this.result(node, 'LockCreateFinished', command.epoch, 'OK');
        });
      case 'MonitorLockZnode':
        return this.zkOp(node, command.epoch, () => {
          const watchers = this.watches.get(command.path) ?? [];
          watchers.push({ node, epoch: command.epoch });
          this.watches.set(command.path, watchers);
          const lock = this.znodes.get(command.path);
          this.reply(
            node,
            lock === undefined
              ? { type: 'LockMonitorFinished', epoch: command.epoch, code: 'NONODE' }
              : { type: 'LockMonitorFinished', epoch: command.epoch, code: 'OK', ephemeralOwner: lock.owner },
          );
        });
      case 'ReadBreadcrumb':
        return this.zkOp(node, command.epoch, () => {
          const crumb = this.znodes.get(command.path);
          this.reply(
            node,
            crumb === undefined
              ? { type: 'BreadcrumbReadFinished', epoch: command.epoch, code: 'NONODE' }
              : {
                  type: 'BreadcrumbReadFinished',
                  epoch: command.epoch,
                  code: 'OK',
                  data: crumb.data,
                  version: crumb.version,
                  decoded: decodeInfo(crumb.data),
                },
          );
        });
      case 'CreateBreadcrumb':
        return this.zkOp(node, command.epoch, () => {
          if (this.znodes.has(command.path))
            return this.result(node, 'BreadcrumbWriteFinished', command.epoch, 'NODEEXISTS');
          this.znodes.set(command.path, { data: command.data, version: 0, owner: 0n });
          this.result(node, 'BreadcrumbWriteFinished', command.epoch, 'OK');
        });
      case 'SetBreadcrumb':
        return this.zkOp(node, command.epoch, () => {
          const crumb = this.znodes.get(command.path);
          if (crumb === undefined) return this.result(node, 'BreadcrumbWriteFinished', command.epoch, 'NONODE');
          if (crumb.version !== command.version)
            return this.result(node, 'BreadcrumbWriteFinished', command.epoch, 'BADVERSION');
          crumb.data = command.data;
          crumb.version++;
          this.result(node, 'BreadcrumbWriteFinished', command.epoch, 'OK');
        });
      case 'DeleteBreadcrumb':
        return this.zkOp(node, command.epoch, () => {
          const crumb = this.znodes.get(command.path);
          if (crumb === undefined) return this.result(node, 'BreadcrumbDeleteFinished', command.epoch, 'NONODE');
          if (crumb.version !== command.version)
            return this.result(node, 'BreadcrumbDeleteFinished', command.epoch, 'BADVERSION');
          this.znodes.delete(command.path);
          this.result(node, 'BreadcrumbDeleteFinished', command.epoch, 'OK');
        });
      case 'ScheduleElectorTimer':
        this.schedule(node, command.delayMs, { type: 'ElectorTimerFired', timer: command.timer, token: command.token });
        return;
      case 'ScheduleControllerTimer':
        this.schedule(node, command.delayMs, {
          type: 'ControllerTimerFired',
          timer: command.timer,
          token: command.token,
        });
        return;
      case 'StartHealthMonitor':
        this.healthMonitoring[node] = true;
        return;
      case 'StopHealthMonitor':
        this.healthMonitoring[node] = false;
        return;
      case 'TransitionLocalToActive':
        if (svc.failToBecomeActive) {
          this.reply(node, { type: 'LocalTransitionFinished', seq: command.seq, ok: false, error: 'injected failure' });
        } else {
          if (svc.state !== 'ACTIVE') svc.activeTransitionCount++;
          svc.state = 'ACTIVE';
          this.reply(node, { type: 'LocalTransitionFinished', seq: command.seq, ok: true });
        }
        return;
      case 'TransitionLocalToStandby':
        if (svc.failToBecomeStandby) {
          this.reply(node, { type: 'LocalTransitionFinished', seq: command.seq, ok: false, error: 'injected failure' });
        } else {
          svc.state = 'STANDBY';
          this.reply(node, { type: 'LocalTransitionFinished', seq: command.seq, ok: true });
        }
        return;
      case 'FenceTarget': {
        const victimIndex = this.controllers.findIndex((_, j) => target(j).namenodeId === command.target.namenodeId);
        const victim = this.svc(victimIndex);
        // Graceful first (FailoverController.tryGracefulFence), then the fencer.
        if (!victim.unreachable && !victim.failToBecomeStandby) {
          victim.state = 'STANDBY';
          this.reply(node, {
            type: 'FenceTargetFinished',
            activationId: command.activationId,
            fenced: true,
            graceful: true,
            detail: 'graceful',
          });
          return;
        }
        if (victim.failToFence) {
          this.reply(node, {
            type: 'FenceTargetFinished',
            activationId: command.activationId,
            fenced: false,
            graceful: false,
            detail: 'Unable to fence service by any configured method.',
          });
          return;
        }
        victim.fenceCount++;
        victim.state = 'STANDBY';
        this.reply(node, {
          type: 'FenceTargetFinished',
          activationId: command.activationId,
          fenced: true,
          graceful: false,
          detail: 'fenced by shell',
        });
        return;
      }
      case 'CompleteCedeActive':
        this.cedeAnswers.set(
          command.requestId,
          command.error === undefined ? { ok: command.ok } : { ok: command.ok, error: command.error },
        );
        return;
      case 'ReportActiveAttempt':
      case 'ReportFailover':
      case 'ReportAntiFlap':
        return;
      case 'ExitProcess':
        this.exits[node] = { exitCode: command.exitCode, message: command.message };
        return;
      default: {
        const never: never = command;
        throw new Error(`unhandled command ${JSON.stringify(never)}`);
      }
    }
  }
}
