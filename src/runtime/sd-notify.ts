// systemd readiness and status notifications (the sd_notify protocol) without native modules.
//
// The protocol is one AF_UNIX SOCK_DGRAM datagram of newline-separated VAR=VALUE lines sent to
// $NOTIFY_SOCKET. Node has no Unix datagram sockets in core, so each notification runs systemd's
// own `systemd-notify` binary (always installed where systemd runs). Why this is robust:
// - systemd-notify (v246+) waits until the manager has processed the message (sd_notify_barrier:
//   it sends BARRIER=1 with a pipe fd and waits up to 5 s for the manager to close it). The message
//   is therefore always attributed while the sender is still alive, which closes the classic race
//   where a short-lived helper exits before systemd can map its PID to the unit.
// - systemd-notify sends with our PID as the credentials' PID ("the parent pretends to be the
//   sender"). That needs CAP_SYS_ADMIN; as root it works and NotifyAccess=main would do. Running as
//   the unprivileged hdfs user the kernel refuses the fake PID, systemd-notify falls back to its own
//   PID, and systemd accepts the datagram only with NotifyAccess=all. systemd/zkfc@.service sets
//   NotifyAccess=all for that reason.
// The alternative (Type=exec with an ExecStartPost= that polls GET /healthz) was rejected: it
// cannot express "connected to ZooKeeper and first health check done", and a poller is one more
// process with its own timeouts.
//
// Every call is bounded (a deadline per systemd-notify run, a bounded queue of pending messages)
// and never throws: a failure is logged and resolves false. Without NOTIFY_SOCKET every call is a
// no-op that resolves false, so the daemon runs the same way outside systemd.
//
// Not promised: delivery. If systemd-notify is missing or fails, systemd never sees READY=1 and
// fails the start after TimeoutStartSec; that is the honest outcome.

import { execFile } from 'node:child_process';
import type { Cancel, Clock } from './ports.js';

/** The logging this module needs; a pino Logger satisfies it. */
export interface NotifyLog {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export interface SdNotifierOptions {
  /** $NOTIFY_SOCKET as systemd set it (a path, or @name for an abstract socket); undefined disables. */
  readonly notifySocket: string | undefined;
  readonly log: NotifyLog;
  /** The systemd-notify binary; default `systemd-notify`, looked up in `path`. */
  readonly command?: string;
  /** PATH for the child; default process.env.PATH or /usr/bin:/bin. */
  readonly path?: string;
  /** Deadline of one systemd-notify run, after which it is killed; default 10 s (its barrier waits up to 5 s). */
  readonly timeoutMs?: number;
  /**
   * Messages in flight or queued; beyond it STATUS/WATCHDOG messages are dropped (READY/STOPPING never are); default 8.
   */
  readonly maxPending?: number;
  /** WATCHDOG_USEC, when the unit has WatchdogSec= and the watchdog is meant for this process. */
  readonly watchdogUsec?: number;
}

const MAX_STATUS_CHARS = 200;

/** Sends sd_notify messages through systemd-notify. One instance per daemon. */
export class SdNotifier {
  private readonly command: string;
  private readonly timeoutMs: number;
  private readonly maxPending: number;
  private chain: Promise<unknown> = Promise.resolve();
  private pending = 0;
  private missingBinaryLogged = false;

  constructor(private readonly options: SdNotifierOptions) {
    this.command = options.command ?? 'systemd-notify';
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.maxPending = options.maxPending ?? 8;
  }

  /** True when NOTIFY_SOCKET was set, i.e. systemd (Type=notify) is listening. */
  get enabled(): boolean {
    return this.options.notifySocket !== undefined && this.options.notifySocket.length > 0;
  }

  /** READY=1: startup is complete. Call once ZooKeeper is connected and the first health check is done. */
  ready(status?: string): Promise<boolean> {
    return this.send({ READY: '1', ...(status !== undefined ? { STATUS: status } : {}) }, true);
  }

  /** STATUS=...: a one-line human-readable status shown by `systemctl status`. */
  status(text: string): Promise<boolean> {
    return this.send({ STATUS: text }, false);
  }

  /** STOPPING=1: shutdown has begun (quitting the election). */
  stopping(status?: string): Promise<boolean> {
    return this.send({ STOPPING: '1', ...(status !== undefined ? { STATUS: status } : {}) }, true);
  }

  /** WATCHDOG=1: the event loop is alive. */
  watchdog(): Promise<boolean> {
    return this.send({ WATCHDOG: '1' }, false);
  }

  /**
   * Ping the watchdog at half of WATCHDOG_USEC (as sd_watchdog_enabled(3) recommends) through
   * `clock`. A no-op returning a no-op canceller when no watchdog is configured.
   */
  startWatchdog(clock: Pick<Clock, 'schedule'>): Cancel {
    const usec = this.options.watchdogUsec;
    if (!this.enabled || usec === undefined || !(usec > 0)) return () => {};
    const intervalMs = Math.max(100, Math.floor(usec / 2000));
    let cancelled = false;
    let cancelTimer: Cancel = () => {};
    const tick = (): void => {
      if (cancelled) return;
      void this.watchdog();
      cancelTimer = clock.schedule(intervalMs, tick);
    };
    this.options.log.info({ intervalMs }, 'systemd watchdog enabled');
    tick();
    return () => {
      cancelled = true;
      cancelTimer();
    };
  }

  /** Wait until every queued message has been handed to systemd-notify (shutdown). */
  async flush(): Promise<void> {
    await this.chain;
  }

  private send(fields: Readonly<Record<string, string>>, essential: boolean): Promise<boolean> {
    if (!this.enabled) return Promise.resolve(false);
    if (!essential && this.pending >= this.maxPending) {
      this.options.log.debug({ fields: Object.keys(fields) }, 'sd_notify message dropped: queue full');
      return Promise.resolve(false);
    }
    const args = Object.entries(fields).map(([name, value]) => `${name}=${oneLine(value)}`);
    this.pending += 1;
    const result = this.chain.then(() => this.run(args));
    this.chain = result.finally(() => {
      this.pending -= 1;
    });
    return result;
  }

  private run(args: readonly string[]): Promise<boolean> {
    const socket = this.options.notifySocket ?? '';
    const env = { NOTIFY_SOCKET: socket, PATH: this.options.path ?? process.env['PATH'] ?? '/usr/bin:/bin' };
    return new Promise<boolean>((resolve) => {
      execFile(
        this.command,
        [...args],
        { env, timeout: this.timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024, windowsHide: true },
        (error, _stdout, stderr) => {
          if (error === null) {
            this.options.log.debug({ message: args }, 'sd_notify sent');
            resolve(true);
            return;
          }
          const code = (error as NodeJS.ErrnoException).code;
          if (code === 'ENOENT') {
            if (!this.missingBinaryLogged) {
              this.missingBinaryLogged = true;
              this.options.log.warn(
                { command: this.command },
                'systemd-notify not found: cannot report readiness to systemd',
              );
            }
          } else {
            this.options.log.warn(
              {
                command: this.command,
                message: args,
                notifySocket: socket,
                killed: error.killed,
                exitCode: code,
                stderr: String(stderr).trim().slice(0, 500),
              },
              'sd_notify failed',
            );
          }
          resolve(false);
        },
      );
    });
  }
}

/**
 * Builds an SdNotifier from the environment systemd gave us. With `unsetEnvironment` (recommended
 * in the daemon), NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID are removed from `env` afterwards,
 * as sd_notify(unset_environment=1) does, so fencing scripts and other children cannot send
 * READY=1 or STOPPING=1 on the daemon's behalf (NotifyAccess=all would accept them).
 */
export function sdNotifierFromEnv(
  env: NodeJS.ProcessEnv,
  log: NotifyLog,
  options: { readonly unsetEnvironment?: boolean; readonly pid?: number } & Omit<
    SdNotifierOptions,
    'notifySocket' | 'log' | 'watchdogUsec'
  > = {},
): SdNotifier {
  const notifySocket = env['NOTIFY_SOCKET'];
  const watchdogPid = env['WATCHDOG_PID'];
  const watchdogUsecText = env['WATCHDOG_USEC'];
  const pid = options.pid ?? process.pid;
  const watchdogForUs = watchdogPid === undefined || Number(watchdogPid) === pid;
  const watchdogUsec = watchdogUsecText !== undefined && watchdogForUs ? Number(watchdogUsecText) : undefined;
  if (options.unsetEnvironment === true) {
    delete env['NOTIFY_SOCKET'];
    delete env['WATCHDOG_USEC'];
    delete env['WATCHDOG_PID'];
  }
  const { unsetEnvironment: _unset, pid: _pid, ...rest } = options;
  return new SdNotifier({
    ...rest,
    notifySocket: notifySocket !== undefined && notifySocket.length > 0 ? notifySocket : undefined,
    log,
    ...(watchdogUsec !== undefined && Number.isFinite(watchdogUsec) && watchdogUsec > 0 ? { watchdogUsec } : {}),
  });
}

/**
 * Fires `onReady` once, the first time every named condition has been satisfied (e.g.
 * 'zkConnected' and 'firstHealthCheck'), or at construction when there are none; later calls
 * change nothing. Pure bookkeeping.
 */
export class ReadinessGate<Condition extends string> {
  private readonly missing: Set<Condition>;
  private fired = false;

  constructor(
    conditions: readonly Condition[],
    private readonly onReady: () => void,
  ) {
    this.missing = new Set(conditions);
    if (this.missing.size === 0) {
      this.fired = true;
      onReady();
    }
  }

  satisfy(condition: Condition): void {
    this.missing.delete(condition);
    if (!this.fired && this.missing.size === 0) {
      this.fired = true;
      this.onReady();
    }
  }

  get isReady(): boolean {
    return this.fired;
  }

  /** Conditions still awaited (for a STATUS= line such as "waiting for: zkConnected"). */
  waitingFor(): readonly Condition[] {
    return [...this.missing];
  }
}

/** The protocol is line-based: a value must not contain a newline; keep STATUS short. */
function oneLine(value: string): string {
  const flat = value.replace(/[\r\n]+/g, ' ');
  return flat.length > MAX_STATUS_CHARS ? flat.slice(0, MAX_STATUS_CHARS - 1) + '…' : flat;
}
