// The command executor: carries out the core's commands through the ports and turns every outcome,
// failures included, into an event posted back to the mailbox. It never throws and never decides
// anything: retries, ordering and interpretation all live in the core. ZooKeeper sessions are kept
// by the core's epoch number; the lock/breadcrumb data it reads is decoded here (the core compares
// bytes and never parses protobuf). It also reads the lock for graceful failover (readActiveData),
// the one ZooKeeper read the core does not order.

import type { ControllerCommand } from '../core/controller/commands.js';
import type { ControllerEvent } from '../core/controller/events.js';
import type { DecodedBreadcrumb, ZkResultCode } from '../core/elector/events.js';
import type { ActiveNodeInfo, NamenodeTarget } from '../core/types.js';
import { errorMessage } from '../errors.js';
import { FailoverServiceError } from './errors.js';
import type { RuntimeLog } from './logging.js';
import type { ControllerRecord } from './records.js';
import type {
  Cancel,
  Clock,
  Fencer,
  FenceOutcome,
  HAServiceClient,
  ZkAcl,
  ZkOpResult,
  ZkSession,
  ZkSessionFactory,
  ZkSessionOptions,
  ZkWatchEvent,
} from './ports.js';
import { connectOnce, ZkUnavailableError } from './zk-connect.js';

export interface ExecutorHost {
  post(event: ControllerEvent): void;
  emit(record: ControllerRecord): void;
  startHealthMonitor(): void;
  stopHealthMonitor(): void;
  completeCedeActive(requestId: number, ok: boolean, error: string | undefined): void;
  activeAttempt(succeeded: boolean, status: string): void;
  exit(exitCode: number, message: string): void;
  /** The lock znode as the monitor saw it (null: absent), for zookeeper-problems.ts. */
  lockObserved?(stat: { readonly ephemeralOwner: bigint } | null): void;
  /** The lock znode's data as read for the status, for zookeeper-problems.ts. */
  lockDataRead?(data: Uint8Array, decoded: DecodedBreadcrumb): void;
}

export interface ExecutorOptions {
  readonly clock: Clock;
  readonly zkFactory: ZkSessionFactory;
  readonly zkOptions: ZkSessionOptions;
  readonly acl: readonly ZkAcl[];
  /** The local NameNode's HAServiceProtocol client for transitions (service address). */
  readonly localClient: HAServiceClient;
  readonly fencer: Fencer;
  /** Decodes lock/breadcrumb bytes (src/hadoop/active-node-info.ts); throws on bad data. */
  readonly decode: (data: Uint8Array, path: string) => ActiveNodeInfo;
  readonly log: RuntimeLog;
  readonly host: ExecutorHost;
}

export class CommandExecutor {
  private readonly sessions = new Map<number, ZkSession>();
  private readonly closing = new Set<Promise<void>>();
  private readonly timers = new Set<Cancel>();
  private readonly watchers = new Map<
    string,
    { readonly state: { armed: boolean }; readonly fire: (event: ZkWatchEvent) => void }
  >();
  private halted = false;

  constructor(private readonly options: ExecutorOptions) {}

  /** The open session of `epoch`, if any (graceful failover reads the lock through it). */
  session(epoch: number | undefined): ZkSession | undefined {
    return epoch === undefined ? undefined : this.sessions.get(epoch);
  }

  /** Decode for the core: a value, never an exception. */
  decodeForCore(data: Uint8Array, path: string): DecodedBreadcrumb {
    try {
      return { ok: true, info: this.options.decode(data, path) };
    } catch (error) {
      return { ok: false, error: errorMessage(error) };
    }
  }

  /**
   * The lock znode's data (Java's ActiveStandbyElector#getActiveData), through the session of
   * `epoch` when the elector has a connected one, else through a short-lived session. Retryable
   * errors are retried up to `zkOpRetries` attempts in all. Null when nobody holds the lock; rejects
   * with FailoverServiceError on any other ZooKeeper trouble.
   */
  async readActiveData(
    path: string,
    epoch: number | undefined,
    zkOpRetries: number,
  ): Promise<{ readonly data: Uint8Array; readonly decoded: DecodedBreadcrumb } | null> {
    let temporary: ZkSession | undefined;
    try {
      let session = this.session(epoch);
      if (session === undefined) {
        try {
          session = temporary = await connectOnce(this.options.zkFactory, this.options.zkOptions);
        } catch (error) {
          if (!(error instanceof ZkUnavailableError)) throw error;
          throw new FailoverServiceError(`Unable to connect to ZooKeeper to find the active node: ${error.message}`, {
            cause: error,
          });
        }
      }
      let result: ZkOpResult<{ readonly data: Uint8Array }> | undefined;
      for (let attempt = 1; attempt <= zkOpRetries; attempt++) {
        result = await session.getData(path);
        if (result.code !== 'CONNECTIONLOSS' && result.code !== 'OPERATIONTIMEOUT') break;
      }
      if (result === undefined || result.code === 'NONODE') return null;
      if (result.code !== 'OK')
        throw new FailoverServiceError(
          `Unexpected ZooKeeper issue fetching active node info: ${result.code} ${result.message}`,
        );
      return { data: result.value.data, decoded: this.decodeForCore(result.value.data, path) };
    } finally {
      if (temporary !== undefined) void temporary.close();
    }
  }

  /** Stop everything this executor started: timers, sessions. Resolves when sessions are closed. */
  async halt(): Promise<void> {
    this.halted = true;
    for (const cancel of this.timers) cancel();
    this.timers.clear();
    for (const epoch of [...this.sessions.keys()]) this.closeSession(epoch);
    await Promise.allSettled([...this.closing]);
  }

  execute(command: ControllerCommand): void {
    if (this.halted && command.type !== 'ExitProcess' && command.type !== 'CompleteCedeActive') return;
    const { log } = this.options;
    if (log.isLevelEnabled?.('debug') === true) log.debug({ command: describe(command) }, 'Executing command');
    switch (command.type) {
      case 'OpenZkSession':
        this.openSession(command.epoch);
        return;
      case 'CloseZkSession':
        this.closeSession(command.epoch);
        return;
      case 'CreateLockZnode':
        this.zk(
          command.epoch,
          (s) => s.create(command.path, command.data, this.options.acl, 'EPHEMERAL'),
          (r) => ({ type: 'LockCreateFinished', epoch: command.epoch, code: r.code }),
        );
        return;
      case 'MonitorLockZnode':
        this.monitorLock(command.epoch, command.path);
        return;
      case 'ReadBreadcrumb':
        this.zk(
          command.epoch,
          (s) => s.getData(command.path),
          (r) => {
            if (r.code !== 'OK') {
              if (r.code === 'NONODE') this.options.host.emit({ type: 'breadcrumb', info: null });
              return { type: 'BreadcrumbReadFinished', epoch: command.epoch, code: r.code };
            }
            const decoded = this.decodeForCore(r.value.data, command.path);
            this.options.host.emit({ type: 'breadcrumb', info: decoded.ok ? decoded.info : null });
            return {
              type: 'BreadcrumbReadFinished',
              epoch: command.epoch,
              code: 'OK',
              data: r.value.data,
              version: r.value.stat.version,
              decoded,
            };
          },
        );
        return;
      case 'CreateBreadcrumb':
        this.zk(
          command.epoch,
          (s) => s.create(command.path, command.data, this.options.acl, 'PERSISTENT'),
          (r) => {
            if (r.code === 'OK') this.emitOwnBreadcrumb(command.data, command.path);
            return { type: 'BreadcrumbWriteFinished', epoch: command.epoch, code: r.code };
          },
        );
        return;
      case 'SetBreadcrumb':
        this.zk(
          command.epoch,
          (s) => s.setData(command.path, command.data, command.version),
          (r) => {
            if (r.code === 'OK') this.emitOwnBreadcrumb(command.data, command.path);
            return { type: 'BreadcrumbWriteFinished', epoch: command.epoch, code: r.code };
          },
        );
        return;
      case 'DeleteBreadcrumb':
        this.zk(
          command.epoch,
          (s) => s.delete(command.path, command.version),
          (r) => {
            if (r.code === 'OK') this.options.host.emit({ type: 'breadcrumb', info: null });
            return { type: 'BreadcrumbDeleteFinished', epoch: command.epoch, code: r.code };
          },
        );
        return;
      case 'ScheduleElectorTimer':
        this.timer(command.delayMs, { type: 'ElectorTimerFired', timer: command.timer, token: command.token });
        return;
      case 'ScheduleControllerTimer':
        this.timer(command.delayMs, { type: 'ControllerTimerFired', timer: command.timer, token: command.token });
        return;
      case 'StartHealthMonitor':
        this.options.host.startHealthMonitor();
        return;
      case 'StopHealthMonitor':
        this.options.host.stopHealthMonitor();
        return;
      case 'TransitionLocalToActive':
        this.transition('active', command.seq, command.timeoutMs);
        return;
      case 'TransitionLocalToStandby':
        this.transition('standby', command.seq, command.timeoutMs);
        return;
      case 'FenceTarget':
        this.fence(command.activationId, command.target);
        return;
      case 'CompleteCedeActive':
        this.options.host.completeCedeActive(command.requestId, command.ok, command.error);
        return;
      case 'ReportActiveAttempt':
        this.options.host.activeAttempt(command.succeeded, command.status);
        return;
      case 'ReportFailover':
        this.options.host.emit({
          type: 'failover',
          record: { ...command.report, atWallMs: this.options.clock.wallMs() },
        });
        return;
      case 'ReportAntiFlap':
        this.options.host.emit({ type: 'antiFlap', report: command.report, atWallMs: this.options.clock.wallMs() });
        return;
      case 'ExitProcess':
        this.options.host.exit(command.exitCode, command.message);
        return;
      default: {
        const never: never = command;
        log.error({ command: String(never) }, 'Unknown command ignored');
      }
    }
  }

  // -------------------------------------------------------------------------------------------

  private openSession(epoch: number): void {
    const { host, zkFactory, zkOptions } = this.options;
    const holder: { session?: ZkSession } = {};
    try {
      holder.session = zkFactory.open(zkOptions, (event) => {
        if (this.halted) return;
        const sessionId =
          event.state === 'connected' ? (holder.session ?? this.sessions.get(epoch))?.sessionId() : undefined;
        host.emit({ type: 'zkSessionEvent', event: event.state, sessionId });
        host.post(
          sessionId === undefined
            ? { type: 'ZkSessionStateChanged', epoch, state: event.state }
            : { type: 'ZkSessionStateChanged', epoch, state: event.state, sessionId },
        );
      });
      this.sessions.set(epoch, holder.session);
    } catch (error) {
      // The factory should not throw; if it does, the session never connects.
      this.options.log.error({ err: errorMessage(error), epoch }, 'Could not open a ZooKeeper session');
      host.post({ type: 'ZkSessionStateChanged', epoch, state: 'connectTimedOut' });
    }
  }

  private closeSession(epoch: number): void {
    const session = this.sessions.get(epoch);
    if (session === undefined) return;
    this.sessions.delete(epoch);
    for (const key of [...this.watchers.keys()]) if (key.startsWith(`${epoch}\u0000`)) this.watchers.delete(key);
    const closing = session.close().catch((error: unknown) => {
      this.options.log.warn({ err: errorMessage(error), epoch }, 'Closing a ZooKeeper session failed');
    });
    this.closing.add(closing);
    void closing.finally(() => this.closing.delete(closing));
  }

  /** Run one ZooKeeper operation on the session of `epoch`; post the event `toEvent` builds. */
  private zk<T>(
    epoch: number,
    run: (session: ZkSession) => Promise<ZkOpResult<T>>,
    toEvent: (result: ZkOpResult<T>) => ControllerEvent,
  ): void {
    const { host } = this.options;
    const session = this.sessions.get(epoch);
    const failed = (code: ZkResultCode, why: string): ZkOpResult<T> => ({
      code: code as Exclude<ZkResultCode, 'OK'>,
      message: why,
    });
    if (session === undefined) {
      // The core never uses a session it closed; answer as the ZooKeeper client would.
      host.post(toEvent(failed('SESSIONEXPIRED', 'session closed')));
      return;
    }
    let promise: Promise<ZkOpResult<T>>;
    try {
      promise = run(session);
    } catch (error) {
      promise = Promise.resolve(failed('OTHER', errorMessage(error)));
    }
    promise.then(
      (result) => {
        if (!this.halted) host.post(toEvent(result));
      },
      (error: unknown) => {
        // Ports resolve; a rejection is an adapter bug. Report it as a non-retryable error.
        if (!this.halted) host.post(toEvent(failed('OTHER', errorMessage(error))));
      },
    );
  }

  /**
   * One watcher per session and path, as Java's single Watcher object: ZooKeeper (or a client
   * library) may call a watch once per registration, and the elector registers again on every
   * exists(); a change must still reach the core once.
   */
  private lockWatcher(epoch: number, path: string): (event: ZkWatchEvent) => void {
    const key = `${epoch}\u0000${path}`;
    let watcher = this.watchers.get(key);
    if (watcher === undefined) {
      const state = { armed: false };
      const fire = (event: ZkWatchEvent): void => {
        if (this.halted || !state.armed) return;
        state.armed = false;
        this.options.host.post({ type: 'LockWatchFired', epoch, watchType: event.type, path: event.path });
      };
      watcher = { state, fire };
      this.watchers.set(key, watcher);
    }
    watcher.state.armed = true;
    return watcher.fire;
  }

  private monitorLock(epoch: number, path: string): void {
    const { host } = this.options;
    this.zk(
      epoch,
      (session) => session.exists(path, this.lockWatcher(epoch, path)),
      (result) => {
        if (result.code === 'OK') {
          host.lockObserved?.({ ephemeralOwner: result.value.ephemeralOwner });
          this.readLockHolderForStatus(epoch, path);
          return { type: 'LockMonitorFinished', epoch, code: 'OK', ephemeralOwner: result.value.ephemeralOwner };
        }
        if (result.code === 'NONODE') {
          host.lockObserved?.(null);
          host.emit({ type: 'lockHolder', info: null });
        }
        return { type: 'LockMonitorFinished', epoch, code: result.code };
      },
    );
  }

  private emitOwnBreadcrumb(data: Uint8Array, path: string): void {
    const decoded = this.decodeForCore(data, path);
    this.options.host.emit({ type: 'breadcrumb', info: decoded.ok ? decoded.info : null });
  }

  /** Status only: who holds the lock (the core does not need it). */
  private readLockHolderForStatus(epoch: number, path: string): void {
    const session = this.sessions.get(epoch);
    if (session === undefined) return;
    session.getData(path).then(
      (result) => {
        if (this.halted) return;
        if (result.code === 'OK') {
          const decoded = this.decodeForCore(result.value.data, path);
          this.options.host.lockDataRead?.(result.value.data, decoded);
          this.options.host.emit({ type: 'lockHolder', info: decoded.ok ? decoded.info : null });
        } else if (result.code === 'NONODE') {
          this.options.host.emit({ type: 'lockHolder', info: null });
        }
      },
      () => undefined,
    );
  }

  private timer(delayMs: number, event: ControllerEvent): void {
    const cancel = this.options.clock.schedule(delayMs, () => {
      this.timers.delete(cancel);
      if (!this.halted) this.options.host.post(event);
    });
    this.timers.add(cancel);
  }

  private transition(to: 'active' | 'standby', seq: number, timeoutMs: number): void {
    const { clock, localClient, host } = this.options;
    const startedMs = clock.monotonicMs();
    let call: Promise<void>;
    try {
      call =
        to === 'active'
          ? localClient.transitionToActive('REQUEST_BY_ZKFC', timeoutMs)
          : localClient.transitionToStandby('REQUEST_BY_ZKFC', timeoutMs);
    } catch (error) {
      call = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    call.then(
      () => {
        if (this.halted) return;
        host.emit({ type: 'transition', to, result: 'success', durationMs: clock.monotonicMs() - startedMs });
        host.post({ type: 'LocalTransitionFinished', seq, ok: true });
      },
      (error: unknown) => {
        if (this.halted) return;
        host.emit({
          type: 'transition',
          to,
          result: 'failure',
          durationMs: clock.monotonicMs() - startedMs,
          error: errorMessage(error),
        });
        host.post({ type: 'LocalTransitionFinished', seq, ok: false, error: errorMessage(error) });
      },
    );
  }

  private fence(activationId: number, target: NamenodeTarget): void {
    const { fencer, host } = this.options;
    let run: Promise<FenceOutcome>;
    try {
      run = fencer.fenceOldActive(target);
    } catch (error) {
      run = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    run.then(
      (outcome) => {
        if (this.halted) return;
        host.emit({ type: 'fencing', target, outcome });
        const detail = outcome.attempts
          .map((a) => `${a.method}: ${a.outcome}${a.detail === '' ? '' : ` (${a.detail})`}`)
          .join('; ');
        host.post({
          type: 'FenceTargetFinished',
          activationId,
          fenced: outcome.fenced,
          graceful: outcome.graceful,
          detail: detail === '' ? 'no fencing attempt' : detail,
        });
      },
      (error: unknown) => {
        if (this.halted) return;
        host.post({
          type: 'FenceTargetFinished',
          activationId,
          fenced: false,
          graceful: false,
          detail: `fencer failed: ${errorMessage(error)}`,
        });
      },
    );
  }
}

/** A loggable summary of a command (no data bytes). */
function describe(command: ControllerCommand): Record<string, unknown> {
  const summary: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(command)) {
    if (value instanceof Uint8Array) summary[key] = `${value.length} bytes`;
    else if (key === 'target' && typeof value === 'object' && value !== null)
      summary[key] = (value as NamenodeTarget).namenodeId;
    else if (key === 'report') summary[key] = 'failover report';
    else summary[key] = value;
  }
  return summary;
}
