// Simulated NameNodes and the RPC ports that reach them (HAServiceClient), the fencer (graceful
// transitionToStandby, then methods that really kill the NameNode), and peer ZKFC clients
// (ZKFCProtocol cedeActive). Faults follow Hadoop's MiniZKFCCluster switches and a bit more:
// unhealthy, hung (requests wait), slow transitions, crashed (killed, restarted later as standby),
// fail to become active / standby, observer, and a state that changes behind the ZKFC's back.
// What a NameNode answers is decided by the NameNode simulator's HA rules (decideHARequest,
// tools/namenode-sim/ha-state.ts: Hadoop's checks and messages), and a refusal reaches the ZKFC
// with the kind the real HA client gives that Java exception (HA_REMOTE_ERRORS, haCallErrorKind).
//
// Semantics that keep the simulation honest:
// - HA transitions on one NameNode are processed one at a time in arrival order (the NameNode
//   serialises state changes), so a transitionToActive sent earlier completes before a fencing
//   transitionToStandby sent later;
// - a call that times out at the client may still be processed by the NameNode later;
// - a fencing method that reports success has killed the NameNode process (its queued requests
//   die with it); there is no "fence" that only pretends.

import type { HAServiceState, HARequestSource, HostPort, NamenodeTarget, ServiceStatus } from '../../src/core/types.js';
import { errorMessage } from '../../src/errors.js';
import { HA_REMOTE_ERRORS, haCallErrorKind } from '../../src/hadoop/ha-errors.js';
import { ExceptionClassName } from '../../src/hadoop/protocol-names.js';
import { remoteErrorFor } from '../../src/ipc/errors.js';
import {
  HaCallError,
  type FenceAttempt,
  type FenceOutcome,
  type Fencer,
  type HAServiceClient,
  type HAServiceClientFactory,
  type HaCallErrorKind,
  type ZkfcClient,
  type ZkfcClientFactory,
} from '../../src/runtime/ports.js';
import {
  decideHARequest,
  type HACaller,
  type HADecision,
  type HARequest,
  type SimHAConfig,
} from '../../tools/namenode-sim/ha-state.js';
import type { Prng, SimProcess, SimScheduler } from './sim-scheduler.js';

/** What the NameNodes and RPC ports need from the world. */
export interface SimNetwork {
  readonly scheduler: SimScheduler;
  readonly rng: Prng;
  /** Can a message from host `from` reach host `to` (RPC)? A host always reaches itself. */
  reachable(from: number, to: number): boolean;
  /** The address of host `index`, as a NameNode sees its callers (Server#getRemoteAddress). */
  hostAddress(index: number): string;
  /** Invariant hook: a ZKFC on `from` is sending transitionToActive to `nn`. */
  transitionToActiveSent(from: number, nn: SimulatedNameNode): void;
  /** Invariant hook: a NameNode's HA state changed. */
  nameNodeChanged(nn: SimulatedNameNode, why: string): void;
  /** A NameNode process died (crash or fencing): its supervisor restarts it later. */
  nameNodeKilled(nn: SimulatedNameNode): void;
  /** Is the NameNode in safe mode now (the readiness model; getServiceStatus says it is not ready)? */
  inSafemode(nn: SimulatedNameNode): boolean;
  trace(host: number, msg: string): void;
}

export type NameNodeProcess = 'running' | 'starting' | 'dead';

const CONNECT_TIMEOUT_MS = 20_000;

/**
 * The configuration the HA rules read: HA with automatic failover on, never in safe mode, and
 * permissions off (the simulation has no users; every caller is the superuser anyway).
 */
const SIM_HA_CONFIG: SimHAConfig = {
  haEnabled: true,
  automaticFailoverEnabled: true,
  superuser: 'hdfs',
  supergroupMembers: [],
  permissionsEnabled: false,
  notBecomeActiveInSafemode: false,
};

type HAException = Extract<HADecision, { readonly kind: 'exception' }>;

export class SimulatedNameNode {
  process: NameNodeProcess = 'running';
  haState: HAServiceState = 'STANDBY';
  healthy = true;
  hungUntilMs = 0;
  slowTransitionMs = 0;
  failToBecomeActive = false;
  failToBecomeStandby = false;
  incarnation = 0;
  activeTransitions = 0;
  kills = 0;
  private readonly clients = new Set<SimHAServiceClient>();

  constructor(
    readonly index: number,
    readonly target: NamenodeTarget,
    private readonly net: SimNetwork,
  ) {}

  /** Active as far as the cluster is concerned: its own state says so and the process exists. */
  get isActive(): boolean {
    return this.process !== 'dead' && this.haState === 'ACTIVE';
  }

  setState(state: HAServiceState, why: string): void {
    if (this.haState === state) return;
    this.haState = state;
    this.net.nameNodeChanged(this, why);
  }

  /** The HA rules' answer to `request` from `caller`, for the NameNode as it is now. */
  private decide(request: HARequest, caller: HACaller): HADecision {
    const condition = {
      state: this.haState,
      started: this.process !== 'starting',
      safemode: this.net.inSafemode(this),
      hasResources: this.healthy,
    };
    return decideHARequest(request, caller, condition, SIM_HA_CONFIG);
  }

  /**
   * The NameNode answered with a Java exception: the call fails as it does through the real HA
   * client (the IPC layer types the exception, haCall gives the port's kind).
   */
  private answer(exception: HAException): HaCallError {
    const { host, port } = this.target.serviceAddress;
    const where = `${host}:${port}`;
    const remote = remoteErrorFor(
      {
        className: exception.className,
        errorMsg: exception.message,
        status: 'ERROR',
        errorDetail: 'ERROR_APPLICATION',
        address: where,
      },
      HA_REMOTE_ERRORS,
    );
    return new HaCallError(haCallErrorKind(remote), remote.message, where, false, { cause: remote });
  }

  /** A fault switch's refusal, thrown as DummyHAService (MiniZKFCCluster) throws it. */
  private injected(message: string): HaCallError {
    return this.answer({ kind: 'exception', className: ExceptionClassName.ServiceFailed, message });
  }

  attach(client: SimHAServiceClient): void {
    this.clients.add(client);
  }

  detach(client: SimHAServiceClient): void {
    this.clients.delete(client);
  }

  /** SIGKILL: the process and everything queued in it are gone; connections close. */
  kill(why: string): void {
    if (this.process === 'dead') return;
    this.process = 'dead';
    this.incarnation++;
    this.kills++;
    this.lane.length = 0;
    this.laneBusy = false;
    this.hungUntilMs = 0;
    this.net.trace(this.index, `NameNode killed (${why})`);
    this.setState('STANDBY', why);
    for (const client of [...this.clients]) client.connectionLost(this.net.rng.int(1, 5));
    this.net.nameNodeKilled(this);
  }

  /** Start a dead NameNode: "still not started" for a while, then STANDBY. */
  restart(startupMs: number): void {
    if (this.process !== 'dead') return;
    this.process = 'starting';
    this.haState = 'STANDBY';
    this.slowTransitionMs = 0;
    const incarnation = this.incarnation;
    this.net.scheduler.schedule(startupMs, () => {
      if (this.incarnation !== incarnation || this.process !== 'starting') return;
      this.process = 'running';
      this.net.trace(this.index, 'NameNode started');
    });
  }

  // -------------------------------------------------------------------------------------------
  // Request processing (on arrival)

  /** Health calls: answered as soon as the NameNode is not hung. */
  handleHealth(
    method: 'getServiceStatus' | 'monitorHealth',
    caller: HACaller,
    respond: (result: { ok: true; value?: ServiceStatus } | { ok: false; error: Error }) => void,
  ): void {
    const incarnation = this.incarnation;
    const run = (): void => {
      if (this.incarnation !== incarnation || this.process === 'dead') return;
      if (this.hungUntilMs > this.net.scheduler.now()) {
        this.net.scheduler.schedule(this.hungUntilMs - this.net.scheduler.now(), run);
        return;
      }
      const decision = this.decide({ method }, caller);
      if (decision.kind === 'exception') return respond({ ok: false, error: this.answer(decision) });
      respond(decision.status === undefined ? { ok: true } : { ok: true, value: decision.status });
    };
    this.net.scheduler.schedule(1, run);
  }

  /**
   * HA transitions: one at a time in arrival order. Each takes 2 ms plus the slowness in force
   * when it starts, and waits while the NameNode is hung; a NameNode that stops being slow
   * works off its backlog at normal speed.
   */
  handleTransition(
    to: 'active' | 'standby',
    source: HARequestSource,
    caller: HACaller,
    respond: (result: { ok: true } | { ok: false; error: Error }) => void,
  ): void {
    this.lane.push({ incarnation: this.incarnation, run: () => this.applyTransition(to, source, caller, respond) });
    if (!this.laneBusy) this.nextTransition();
  }

  private readonly lane: { readonly incarnation: number; readonly run: () => void }[] = [];
  private laneBusy = false;

  private nextTransition(): void {
    const item = this.lane.shift();
    if (item === undefined) {
      this.laneBusy = false;
      return;
    }
    this.laneBusy = true;
    const { scheduler } = this.net;
    const complete = (): void => {
      if (this.incarnation !== item.incarnation || this.process === 'dead') return; // died: kill() cleared the lane
      if (this.hungUntilMs > scheduler.now()) {
        scheduler.schedule(this.hungUntilMs - scheduler.now(), complete);
        return;
      }
      item.run();
      this.nextTransition();
    };
    scheduler.schedule(2 + this.slowTransitionMs, complete);
  }

  /**
   * The HA rules decide; the fault switches act where DummyHAService has them: a failure to become
   * active once the NameNode has started, before any state rule; a failure to become standby after
   * the rules (an observer refuses the ZKFC first).
   */
  private applyTransition(
    to: 'active' | 'standby',
    source: HARequestSource,
    caller: HACaller,
    respond: (result: { ok: true } | { ok: false; error: Error }) => void,
  ): void {
    const method = to === 'active' ? 'transitionToActive' : 'transitionToStandby';
    const decision = this.decide({ method, source }, caller);
    if (to === 'active' && this.failToBecomeActive && this.process !== 'starting')
      return respond({ ok: false, error: this.injected('injected failure to become active') });
    if (decision.kind === 'exception') return respond({ ok: false, error: this.answer(decision) });
    if (to === 'standby' && this.failToBecomeStandby)
      return respond({ ok: false, error: this.injected('injected failure to become standby') });
    if (decision.nextState !== undefined) {
      if (decision.nextState === 'ACTIVE') this.activeTransitions++;
      this.setState(decision.nextState, method);
    }
    respond({ ok: true });
  }
}

/** A failed call as the HA port reports it. `notSent`: the connection could not be made. */
function callError(kind: HaCallErrorKind, message: string, where: string, notSent = false): HaCallError {
  return new HaCallError(kind, message, where, notSent);
}

type Outcome<T> = { ok: true; value?: T } | { ok: false; error: Error };

/** HAServiceProtocol from a process on host `from` to NameNode `nn`, over one "connection". */
export class SimHAServiceClient implements HAServiceClient {
  readonly address: HostPort;
  private connected = false;
  private connection = 0;
  private readonly inFlight = new Map<number, (error: Error) => void>();
  private nextCall = 1;
  private readonly listeners = new Set<(reason: Error) => void>();

  constructor(
    private readonly net: SimNetwork,
    private readonly process: SimProcess,
    private readonly from: number,
    readonly nn: SimulatedNameNode,
    private readonly connectTimeoutMs = CONNECT_TIMEOUT_MS,
  ) {
    this.address = nn.target.serviceAddress;
  }

  private get where(): string {
    return `${this.address.host}:${this.address.port}`;
  }

  /** Who calls, as the NameNode sees it: the ZKFC's user on its host. */
  private get caller(): HACaller {
    return { user: SIM_HA_CONFIG.superuser, remoteAddress: this.net.hostAddress(this.from) };
  }

  private call<T>(
    method: string,
    timeoutMs: number,
    send: (respond: (outcome: Outcome<T>) => void) => void,
  ): Promise<T> {
    if (!this.process.alive) return new Promise<T>(() => undefined);
    const { scheduler, rng } = this.net;
    return new Promise<T>((resolve, reject) => {
      const id = this.nextCall++;
      let done = false;
      const finish = (outcome: Outcome<T>): void => {
        if (done) return;
        done = true;
        this.inFlight.delete(id);
        cancelTimeout();
        // Answers reach the calling process only when it runs (held during a pause).
        this.process.run(() => {
          if (outcome.ok) resolve(outcome.value as T);
          else reject(outcome.error);
        });
      };
      this.inFlight.set(id, (error) => finish({ ok: false, error }));
      const wasConnected = this.connected;
      const cancelTimeout = this.process.later(
        wasConnected ? timeoutMs : Math.min(timeoutMs, this.connectTimeoutMs),
        () => {
          finish({
            ok: false,
            error: this.connected
              ? callError('timedOut', `Call ${method} to ${this.where} timed out after ${timeoutMs} ms`, this.where)
              : callError('timedOut', `connect to ${this.where} timed out`, this.where, true),
          });
        },
      );
      const latency = rng.int(1, 4);
      scheduler.schedule(latency, () => {
        if (done || !this.net.reachable(this.from, this.nn.index)) return; // black hole: the timeout answers
        if (this.nn.process === 'dead') {
          if (this.connected) return; // the close notification answers in-flight calls
          finish({ ok: false, error: callError('unreachable', `connect to ${this.where} refused`, this.where, true) });
          return;
        }
        if (!this.connected) {
          this.connected = true;
          this.connection++;
          this.nn.attach(this);
        }
        const connection = this.connection;
        send((outcome) => {
          // The answer travels back; it is lost if the connection went away meanwhile.
          scheduler.schedule(rng.int(1, 4), () => {
            if (connection === this.connection && this.connected && this.net.reachable(this.nn.index, this.from))
              finish(outcome);
          });
        });
      });
    });
  }

  /** The NameNode died: the connection closes, in-flight calls fail, listeners hear about it. */
  connectionLost(delayMs: number): void {
    if (!this.connected) return;
    this.net.scheduler.schedule(delayMs, () => {
      if (!this.connected) return;
      this.connected = false;
      this.connection++;
      this.nn.detach(this);
      const reason = callError('unreachable', `connection to ${this.where} closed by peer`, this.where);
      for (const fail of [...this.inFlight.values()]) fail(reason);
      this.process.run(() => {
        for (const listener of [...this.listeners]) listener(reason);
      });
    });
  }

  monitorHealth(timeoutMs: number): Promise<void> {
    return this.call<void>('monitorHealth', timeoutMs, (respond) =>
      this.nn.handleHealth('monitorHealth', this.caller, (r) => respond(r.ok ? { ok: true } : r)),
    );
  }

  getServiceStatus(timeoutMs: number): Promise<ServiceStatus> {
    return this.call<ServiceStatus>('getServiceStatus', timeoutMs, (respond) =>
      this.nn.handleHealth('getServiceStatus', this.caller, (r) =>
        respond(r.ok ? { ok: true, value: r.value as ServiceStatus } : r),
      ),
    );
  }

  transitionToActive(source: HARequestSource, timeoutMs: number): Promise<void> {
    this.net.transitionToActiveSent(this.from, this.nn);
    return this.call<void>('transitionToActive', timeoutMs, (respond) =>
      this.nn.handleTransition('active', source, this.caller, respond),
    );
  }

  transitionToStandby(source: HARequestSource, timeoutMs: number): Promise<void> {
    return this.call<void>('transitionToStandby', timeoutMs, (respond) =>
      this.nn.handleTransition('standby', source, this.caller, respond),
    );
  }

  transitionToObserver(_source: HARequestSource, _timeoutMs: number): Promise<void> {
    return Promise.reject(new Error('transitionToObserver is not used by the ZKFC'));
  }

  onConnectionClosed(listener: (reason: Error) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    if (this.connected) {
      this.connected = false;
      this.connection++;
      this.nn.detach(this);
    }
    const reason = callError('unreachable', `connection to ${this.where} closed`, this.where);
    for (const fail of [...this.inFlight.values()]) fail(reason);
  }
}

export class SimHAServiceClientFactory implements HAServiceClientFactory {
  constructor(
    private readonly net: SimNetwork,
    private readonly process: SimProcess,
    private readonly from: number,
    private readonly nameNodes: readonly SimulatedNameNode[],
  ) {}

  create(address: HostPort, options?: { readonly connectTimeoutMs?: number }): HAServiceClient {
    const nn = this.nameNodes.find(
      (candidate) =>
        candidate.target.serviceAddress.host === address.host && candidate.target.serviceAddress.port === address.port,
    );
    if (nn === undefined) throw new Error(`no NameNode at ${address.host}:${address.port}`);
    return new SimHAServiceClient(
      this.net,
      this.process,
      this.from,
      nn,
      options?.connectTimeoutMs ?? CONNECT_TIMEOUT_MS,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Fencing

export type SimFenceMethod = 'sshfence' | 'powerfence';

/** Fence switches the world flips (MiniZKFCCluster.setFailToFence and friends). */
export interface FenceFaults {
  /** sshfence fails against this NameNode (e.g. fuser missing, key refused). */
  readonly sshBroken: boolean[];
  /** The power-fencing controller is broken for this NameNode. */
  readonly powerBroken: boolean[];
}

export class SimFencer implements Fencer {
  constructor(
    private readonly net: SimNetwork,
    private readonly process: SimProcess,
    private readonly from: number,
    private readonly nameNodes: readonly SimulatedNameNode[],
    private readonly methods: readonly SimFenceMethod[],
    private readonly faults: FenceFaults,
    /** Mutation for checker tests: report success without touching the NameNode. */
    private readonly lying = false,
  ) {}

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => this.process.later(ms, resolve));
  }

  async fenceOldActive(target: NamenodeTarget): Promise<FenceOutcome> {
    const nn = this.nameNodes.find((candidate) => candidate.target.namenodeId === target.namenodeId);
    if (nn === undefined)
      return {
        fenced: false,
        graceful: false,
        attempts: [{ method: 'target-check', outcome: 'error', durationMs: 0, detail: 'unknown target' }],
      };
    const attempts: FenceAttempt[] = [];
    const { scheduler, rng } = this.net;
    let started = scheduler.now();
    if (this.lying) {
      await this.sleep(10);
      return {
        fenced: true,
        graceful: false,
        attempts: [{ method: 'shell(/bin/true)', outcome: 'success', durationMs: 10, detail: 'lied' }],
      };
    }
    const client = new SimHAServiceClient(this.net, this.process, this.from, nn, 5000);
    try {
      await client.transitionToStandby('REQUEST_BY_ZKFC', 5000);
      attempts.push({ method: 'graceful', outcome: 'success', durationMs: scheduler.now() - started, detail: '' });
      return { fenced: true, graceful: true, attempts };
    } catch (error) {
      attempts.push({
        method: 'graceful',
        outcome: error instanceof HaCallError && error.kind === 'timedOut' ? 'timeout' : 'failure',
        durationMs: scheduler.now() - started,
        detail: errorMessage(error),
      });
    } finally {
      client.close();
    }
    for (const method of this.methods) {
      started = scheduler.now();
      if (method === 'sshfence') {
        if (!this.net.reachable(this.from, nn.index)) {
          await this.sleep(3000); // ssh connect timeout (dfs.ha.fencing.ssh.connect-timeout, shortened)
          attempts.push({
            method: 'sshfence',
            outcome: 'timeout',
            durationMs: scheduler.now() - started,
            detail: 'ssh connect timed out',
          });
          continue;
        }
        await this.sleep(rng.int(20, 400));
        if (this.faults.sshBroken[nn.index] === true || !this.net.reachable(this.from, nn.index)) {
          attempts.push({
            method: 'sshfence',
            outcome: 'failure',
            durationMs: scheduler.now() - started,
            detail: 'fuser failed',
          });
          continue;
        }
        nn.kill(`sshfence from host ${this.from}`);
        attempts.push({
          method: 'sshfence',
          outcome: 'success',
          durationMs: scheduler.now() - started,
          detail: 'killed',
        });
        return { fenced: true, graceful: false, attempts };
      }
      await this.sleep(rng.int(500, 2500));
      if (this.faults.powerBroken[nn.index] === true) {
        attempts.push({
          method: 'powerfence',
          outcome: 'failure',
          durationMs: scheduler.now() - started,
          detail: 'power controller unavailable',
        });
        continue;
      }
      nn.kill(`power fence from host ${this.from}`);
      attempts.push({
        method: 'powerfence',
        outcome: 'success',
        durationMs: scheduler.now() - started,
        detail: 'powered off',
      });
      return { fenced: true, graceful: false, attempts };
    }
    return { fenced: false, graceful: false, attempts };
  }
}

// ---------------------------------------------------------------------------------------------
// Peer ZKFCs (ZKFCProtocol)

/** What a peer ZKFC exposes to ZKFCProtocol callers (the ControllerRuntime of that host, if up). */
export interface SimZkfcEndpoint {
  cedeActive(millisToCede: number, requester: string): Promise<void>;
}

export class SimZkfcClientFactory implements ZkfcClientFactory {
  constructor(
    private readonly net: SimNetwork,
    private readonly process: SimProcess,
    private readonly from: number,
    private readonly hostOf: (address: HostPort) => number,
    private readonly endpoint: (host: number) => SimZkfcEndpoint | undefined,
  ) {}

  create(address: HostPort): ZkfcClient {
    const to = this.hostOf(address);
    const { net, process, from } = this;
    const where = `${address.host}:${address.port}`;
    const endpoint = this.endpoint;
    return {
      address,
      cedeActive(millisToCede: number, timeoutMs: number): Promise<void> {
        if (!process.alive) return new Promise<void>(() => undefined);
        return new Promise<void>((resolve, reject) => {
          let done = false;
          const finish = (error?: Error): void => {
            if (done) return;
            done = true;
            cancel();
            process.run(() => {
              if (error === undefined) resolve();
              else reject(error);
            });
          };
          const cancel = process.later(timeoutMs, () =>
            finish(callError('timedOut', `Call cedeActive to ${where} timed out after ${timeoutMs} ms`, where)),
          );
          net.scheduler.schedule(net.rng.int(1, 4), () => {
            if (!net.reachable(from, to)) return;
            const peer = endpoint(to);
            if (peer === undefined) return finish(callError('unreachable', `connect to ${where} refused`, where, true));
            peer.cedeActive(millisToCede, `zkfc on host ${from}`).then(
              () => net.scheduler.schedule(net.rng.int(1, 4), () => finish()),
              // The peer's ZKFCProtocol server answers a failed cede with its message.
              (error: unknown) =>
                net.scheduler.schedule(net.rng.int(1, 4), () =>
                  finish(callError('refused', errorMessage(error), where)),
                ),
            );
          });
        });
      },
      gracefulFailover(): Promise<void> {
        return Promise.reject(new Error('not used in the simulation'));
      },
      close(): void {},
    };
  }
}
