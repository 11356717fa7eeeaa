// The ZooKeeper adapter: ZkSessionFactory / ZkSession (src/runtime/ports.ts) on
// node-zookeeper-client 1.1.3, with the library's measured gaps closed (docs/hadoop-compat.md §12):
//
// - read timeout: a connection silent for 2/3 of the negotiated session timeout is dropped and the
//   library moves to another server (client-internals.ts), as Java's ClientCnxn does;
// - every operation has a deadline (OPERATIONTIMEOUT) and resolves exactly once;
// - on expiry, authFailed, connectTimedOut and close() every outstanding operation resolves at
//   once, including requests the library queued while disconnected (it would never call them back);
// - a session object is dead after expiry (the library's client is stopped for good); open a new one;
// - the initial connect is bounded by the session timeout (Hadoop's ActiveStandbyElector waits one
//   session timeout for the first event), after which the client is stopped and leaves no timer or
//   socket behind;
// - close() works in every state (the library's close() throws if it never connected);
// - TLS (tls.ts): with `tls` set, every connection is a TLS one; the stores are read when a session
//   opens, and a store that cannot be used, or a handshake that fails, is logged, reported to the
//   factory's TLS-problem listener and given as the detail of connectTimedOut;
// - SASL (sasl.ts): with `sasl` set, every connection runs ZooKeeper's SASL exchange before the
//   library may use it (client-internals.ts); a refused or failed exchange is logged (naming the
//   principal or user, the JAAS file and the server), reported to the factory's SASL-problem
//   listener, the connection dropped and tried again, and given as the detail of connectTimedOut.
//   The session is "connected" only once authenticated.
//
// The adapter makes no decisions: no retries, no policy. Results are data (ZkOpResult), never
// exceptions. Parity: Hadoop's ActiveStandbyElector/ZooKeeper client semantics (docs/hadoop-compat.md
// §5.2, §5.6); auth info is registered before connecting so the library sends it right after the
// ConnectRequest on every (re)connect, before any queued operation.

import zookeeper from 'node-zookeeper-client';
import type { Client } from 'node-zookeeper-client';
import type {
  Cancel,
  Clock,
  ZkAcl,
  ZkCreateMode,
  ZkErrorCode,
  ZkOpResult,
  ZkSession,
  ZkSessionEvent,
  ZkSessionFactory,
  ZkSessionOptions,
  ZkStat,
  ZkWatchEvent,
} from '../runtime/ports.js';
import { ConfigError, errorMessage } from '../errors.js';
import { silentLogger, type Logger } from '../observability/logger.js';
import { ClientInternals, type ClientInternalsHooks } from './client-internals.js';
import {
  aclFromLibrary,
  aclToLibrary,
  formatSessionId,
  int64FromBuffer,
  statFromLibrary,
  watchEventFromLibrary,
} from './zk-convert.js';
import { failureFromLibraryError } from './zk-errors.js';
// Types only: tls.ts (node:tls, node:crypto) is loaded by tls-loader.ts when TLS is configured.
import type { ZkTlsConnector, ZkTlsMaterial, ZkTlsProblem } from './tls.js';
// Types only: sasl.ts (node:crypto, the GSSAPI binding) is loaded when SASL is configured.
import type { ZkSaslAuthenticator } from './sasl.js';

export interface NodeZkSessionFactoryOptions {
  /** Time source for deadlines and the read-timeout watchdog. */
  readonly clock: Clock;
  readonly logger?: Logger;
  /**
   * After every server was tried once, the library waits a random time up to this before the next
   * round (its `spinDelay`). Default 250 ms: quick failover between members without a busy loop.
   */
  readonly spinDelayMs?: number;
  /** How long close() waits for the server to confirm the close-session request. Default 2000 ms. */
  readonly closeTimeoutMs?: number;
  /** Connect over TLS (hadoop.zk.ssl.*: loadZkTlsConnector); plain TCP without. */
  readonly tls?: ZkTlsConnector;
  /** Authenticate every connection with SASL (JAAS Client section: loadZkSaslAuthenticator). */
  readonly sasl?: ZkSaslAuthenticator;
}

/** Why SASL authentication to ZooKeeper fails right now; undefined once a connection authenticated. */
export type ZkSaslProblemListener = (problem: ZkTlsProblem | undefined) => void;

/** Why TLS to ZooKeeper fails right now; undefined when the last session connected. */
export type ZkTlsProblemListener = (problem: ZkTlsProblem | undefined) => void;

/** ZooKeeper's packet limit (jute.maxbuffer default); the library refuses larger data anyway. */
const DATA_BYTES_MAX = 1024 * 1024;

/** One parsed `host:port` of a connect string. */
export interface ZkServerAddress {
  readonly host: string;
  readonly port: number;
}

/**
 * Validate a connect string (ha.zookeeper.quorum) the way the library will read it:
 * host[:port][,host[:port]...][/chroot]. IPv6 literals are refused (the library splits on ':').
 * Throws ConfigError naming the key and the bad entry.
 */
export function parseConnectString(
  connectString: string,
  key = 'ha.zookeeper.quorum',
): { readonly servers: readonly ZkServerAddress[]; readonly chroot: string | undefined } {
  const slash = connectString.indexOf('/');
  const hostList = slash === -1 ? connectString : connectString.slice(0, slash);
  const chrootText = slash === -1 ? undefined : connectString.slice(slash);
  const chroot = chrootText === undefined || chrootText === '/' ? undefined : chrootText;
  if (chroot !== undefined && (chroot.endsWith('/') || chroot.includes('//'))) {
    throw new ConfigError(`${key}: invalid chroot "${chroot}" in "${connectString}"`, key);
  }
  const servers: ZkServerAddress[] = [];
  for (const raw of hostList.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    if (entry.startsWith('['))
      throw new ConfigError(`${key}: IPv6 literal "${entry}" is not supported by the ZooKeeper client`, key);
    const parts = entry.split(':');
    const host = parts[0] ?? '';
    const portText = parts[1];
    if (host === '' || parts.length > 2) throw new ConfigError(`${key}: "${entry}" is not host[:port]`, key);
    const port = portText === undefined ? 2181 : Number(portText);
    if (!/^\d+$/.test(portText ?? '2181') || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw new ConfigError(`${key}: bad port in "${entry}"`, key);
    }
    servers.push({ host, port });
  }
  if (servers.length === 0) throw new ConfigError(`${key}: no ZooKeeper server in "${connectString}"`, key);
  return { servers, chroot };
}

/**
 * Opens sessions; epochs increase by one per open() and are never reused by this factory.
 */
export class NodeZkSessionFactory implements ZkSessionFactory {
  private lastEpoch = 0;
  private readonly logger: Logger;
  private tlsProblem: ZkTlsProblem | undefined;
  private readonly tlsProblemListeners: ZkTlsProblemListener[] = [];
  private saslProblem: ZkTlsProblem | undefined;
  private readonly saslProblemListeners: ZkSaslProblemListener[] = [];

  constructor(private readonly options: NodeZkSessionFactoryOptions) {
    this.logger = (options.logger ?? silentLogger()).child({ component: 'zk' });
  }

  open(options: ZkSessionOptions, listener: (event: ZkSessionEvent) => void): NodeZkSession {
    this.lastEpoch += 1;
    return new NodeZkSession(this.lastEpoch, options, listener, {
      clock: this.options.clock,
      logger: this.logger,
      spinDelayMs: this.options.spinDelayMs ?? 250,
      closeTimeoutMs: this.options.closeTimeoutMs ?? 2000,
      ...(this.options.tls !== undefined ? { tls: this.options.tls } : {}),
      reportTlsProblem: (problem) => this.setTlsProblem(problem),
      ...(this.options.sasl !== undefined ? { sasl: this.options.sasl } : {}),
      reportSaslProblem: (problem) => this.setSaslProblem(problem),
    });
  }

  /** Hear of SASL failing and working again; a listener added while it fails hears of it at once. */
  onSaslProblem(listener: ZkSaslProblemListener): void {
    this.saslProblemListeners.push(listener);
    if (this.saslProblem !== undefined) listener(this.saslProblem);
  }

  private setSaslProblem(problem: ZkTlsProblem | undefined): void {
    if (problem?.detail === this.saslProblem?.detail) return;
    this.saslProblem = problem;
    for (const listener of this.saslProblemListeners) listener(problem);
  }

  /** Hear of TLS failing and working again; a listener added while it fails hears of it at once. */
  onTlsProblem(listener: ZkTlsProblemListener): void {
    this.tlsProblemListeners.push(listener);
    if (this.tlsProblem !== undefined) listener(this.tlsProblem);
  }

  private setTlsProblem(problem: ZkTlsProblem | undefined): void {
    if (problem?.detail === this.tlsProblem?.detail) return;
    this.tlsProblem = problem;
    for (const listener of this.tlsProblemListeners) listener(problem);
  }
}

interface SessionDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly spinDelayMs: number;
  readonly closeTimeoutMs: number;
  readonly tls?: ZkTlsConnector;
  readonly reportTlsProblem: (problem: ZkTlsProblem | undefined) => void;
  readonly sasl?: ZkSaslAuthenticator;
  readonly reportSaslProblem: (problem: ZkTlsProblem | undefined) => void;
}

type ConnectionState =
  'connecting' | 'connected' | 'disconnected' | 'expired' | 'authFailed' | 'connectTimedOut' | 'closed';

interface OutstandingOperation {
  settle(result: ZkOpResult<never>): void;
}

type LibraryCallback = (error: unknown, ...values: unknown[]) => void;

/** A watch handed to the library (NodeZkSession.armWatch). */
interface ArmedWatch {
  readonly fn: (event: unknown) => void;
  /** Calls under way that passed `fn`. */
  pending: number;
  /** Some call registered `fn` with the library (it stays registered until it fires). */
  registered: boolean;
  /** False once delivered or given up: `fn` then does nothing. */
  armed: boolean;
}

export class NodeZkSession implements ZkSession {
  private readonly client: Client;
  private readonly internals: ClientInternals;
  private readonly log: Logger;
  private readonly outstanding = new Set<OutstandingOperation>();
  /** Watches handed to the library and not yet fired, by path and the caller's function. */
  private readonly watches = new Map<string, Map<(event: ZkWatchEvent) => void, ArmedWatch>>();
  private state: ConnectionState = 'connecting';
  /** Result code for operations on a dead session. */
  private deathCode: ZkErrorCode | undefined;
  private everConnected = false;
  private cancelConnectBound: Cancel | undefined;
  private cancelWatchdog: Cancel | undefined;
  private closing: Promise<void> | undefined;
  /** The last TLS or SASL failure of this session, the detail of connectTimedOut. */
  private lastConnectFailure: string | undefined;

  constructor(
    readonly epoch: number,
    private readonly options: ZkSessionOptions,
    private readonly listener: (event: ZkSessionEvent) => void,
    private readonly deps: SessionDeps,
  ) {
    this.log = deps.logger.child({ epoch });
    // Timeouts arrive validated (src/config/load.ts); the connect string is this client's own input.
    parseConnectString(options.connectString);
    for (const auth of options.authInfo) {
      if (auth.scheme === '') throw new ConfigError('ha.zookeeper.auth: empty scheme', 'ha.zookeeper.auth');
    }

    this.client = zookeeper.createClient(options.connectString, {
      sessionTimeout: options.sessionTimeoutMs,
      spinDelay: deps.spinDelayMs,
      retries: 0, // retry policy belongs to the core (Hadoop's maxRetryNum), not the library
    });
    const tls = deps.tls === undefined ? undefined : this.loadTls(deps.tls);
    this.internals = ClientInternals.install(this.client, {
      now: () => deps.clock.monotonicMs(),
      onDataError: (error, server) =>
        this.log.warn({ err: error, server }, 'zookeeper server data not understood, dropping connection'),
      ...(deps.tls !== undefined && tls !== undefined ? this.tlsHooks(deps.tls, tls) : {}),
      ...(deps.sasl !== undefined ? this.saslHooks(deps.sasl) : {}),
    });
    // Stored by the library and sent right after the ConnectRequest on every (re)connect.
    for (const auth of options.authInfo) this.client.addAuthInfo(auth.scheme, Buffer.from(auth.auth));

    this.client.on('connected', () => this.onConnected());
    this.client.on('disconnected', () => this.onDisconnected());
    this.client.on('expired', () => this.die('expired', 'SESSIONEXPIRED', 'the server expired the session'));
    this.client.on('authenticationFailed', () =>
      this.die('authFailed', 'AUTHFAILED', 'the server refused the auth info'),
    );

    this.cancelConnectBound = deps.clock.schedule(options.sessionTimeoutMs, () => {
      if (!this.everConnected)
        this.die(
          'connectTimedOut',
          'CONNECTIONLOSS',
          `no ZooKeeper server answered within ${options.sessionTimeoutMs} ms`,
          this.lastConnectFailure,
        );
    });
    this.scheduleWatchdog();
    this.log.info(
      {
        connectString: options.connectString,
        sessionTimeoutMs: options.sessionTimeoutMs,
        tls: deps.tls !== undefined,
        ...(deps.sasl !== undefined ? { sasl: deps.sasl.identity().mechanism } : {}),
      },
      'zookeeper session connecting',
    );
    if (deps.tls !== undefined && tls === undefined) {
      // The stores are unusable: no connection can succeed. Fail as an unanswered connect does,
      // after open() has returned (listeners expect events later, not during open()).
      const detail = this.lastConnectFailure;
      this.cancelConnectBound?.();
      this.cancelConnectBound = deps.clock.schedule(0, () =>
        this.die('connectTimedOut', 'CONNECTIONLOSS', detail ?? 'TLS key stores unusable', detail),
      );
      return;
    }
    this.client.connect();
  }

  /** Read the TLS stores; undefined (logged, reported, kept as the failure) when they cannot be used. */
  private loadTls(connector: ZkTlsConnector): ZkTlsMaterial | undefined {
    try {
      const material = connector.loadMaterial();
      this.log.debug(
        { client: material.clientSubject, trusted: material.trustedCount },
        'zookeeper TLS key stores read',
      );
      return material;
    } catch (error) {
      const detail = errorMessage(error);
      this.lastConnectFailure = detail;
      this.log.error({ reason: detail }, 'zookeeper TLS key stores unusable; not connecting');
      this.deps.reportTlsProblem({
        detail,
        clear: 'fix the file it names; the next connection attempt reads the stores again (no restart needed)',
      });
      return undefined;
    }
  }

  /** The ClientInternals hooks that make every connection a TLS one. */
  private tlsHooks(
    connector: ZkTlsConnector,
    material: ZkTlsMaterial,
  ): Pick<ClientInternalsHooks, 'connectSocket' | 'onSocketError'> {
    return {
      connectSocket: (server) => ({ socket: connector.connect(material, server), readyEvent: 'secureConnect' }),
      onSocketError: (error, server, ready) => {
        const problem = connector.describeFailure(error, server, ready);
        if (problem === undefined) return;
        if (problem.detail !== this.lastConnectFailure)
          this.log.warn({ server, reason: problem.detail }, 'zookeeper TLS connection failed');
        this.lastConnectFailure = problem.detail;
        this.deps.reportTlsProblem(problem);
      },
    };
  }

  /** The ClientInternals hooks that authenticate every connection with SASL. */
  private saslHooks(sasl: ZkSaslAuthenticator): Pick<ClientInternalsHooks, 'authenticate' | 'onAuthenticationFailed'> {
    return {
      authenticate: (server, transport) => sasl.authenticate(server, transport),
      onAuthenticationFailed: (error, server) => {
        const detail = errorMessage(error);
        // Logged once per distinct failure: the library retries at once, the server closes each time.
        if (detail !== this.lastConnectFailure)
          this.log.error({ server, ...sasl.identity(), reason: detail }, 'zookeeper SASL authentication failed');
        this.lastConnectFailure = detail;
        this.deps.reportSaslProblem({
          detail,
          clear:
            'fix the JAAS section (principal and keytab, or username and password) or the ZooKeeper ' +
            "server's; the next connection attempt authenticates again (a new JAAS file needs a restart)",
        });
      },
    };
  }

  sessionId(): bigint | undefined {
    if (!this.everConnected) return undefined;
    return int64FromBuffer(this.client.getSessionId(), 'sessionId');
  }

  negotiatedTimeoutMs(): number | undefined {
    return this.everConnected ? this.client.getSessionTimeout() : undefined;
  }

  /** host:port of the server of the current (or last) connection attempt, for logs and tests. */
  currentServer(): string | undefined {
    return this.internals.currentServer();
  }

  /** The connection state as this adapter sees it. */
  connectionState(): ConnectionState {
    return this.state;
  }

  // -------------------------------------------------------------------------------------------
  // Connection events

  private setState(to: ConnectionState, reason: string, level: 'info' | 'warn' = 'info'): void {
    const from = this.state;
    this.state = to;
    this.log[level]({ from, to, reason, server: this.internals.currentServer() }, 'zookeeper connection state changed');
  }

  private emit(state: ZkSessionEvent['state'], detail?: string): void {
    try {
      this.listener(detail === undefined ? { epoch: this.epoch, state } : { epoch: this.epoch, state, detail });
    } catch (error) {
      // A listener bug must not break the library's socket handling.
      this.log.error({ err: error, state }, 'zookeeper session listener threw');
    }
  }

  private onConnected(): void {
    if (this.deathCode !== undefined) return;
    const first = !this.everConnected;
    this.everConnected = true;
    this.cancelConnectBound?.();
    this.cancelConnectBound = undefined;
    const sessionId = this.sessionId();
    if (this.deps.tls !== undefined) {
      this.lastConnectFailure = undefined;
      this.deps.reportTlsProblem(undefined);
    }
    if (this.deps.sasl !== undefined) {
      this.lastConnectFailure = undefined;
      this.deps.reportSaslProblem(undefined);
    }
    this.setState('connected', first ? 'session established' : 'session re-established after disconnect');
    if (first) {
      this.log.info(
        {
          sessionId: sessionId === undefined ? undefined : formatSessionId(sessionId),
          negotiatedTimeoutMs: this.client.getSessionTimeout(),
          server: this.internals.currentServer(),
          tls: this.deps.tls !== undefined,
          ...(this.deps.sasl !== undefined ? this.deps.sasl.identity() : {}),
        },
        'zookeeper session established',
      );
    }
    this.emit('connected');
  }

  private onDisconnected(): void {
    if (this.deathCode !== undefined || !this.everConnected) return;
    const reason = this.internals.takeDropReason() ?? 'connection closed';
    this.setState('disconnected', reason, 'warn');
    this.emit('disconnected');
  }

  /** Terminal states: stop the client, resolve everything outstanding, tell the listener. */
  private die(
    state: 'expired' | 'authFailed' | 'connectTimedOut',
    code: ZkErrorCode,
    reason: string,
    detail?: string,
  ): void {
    if (this.deathCode !== undefined) return;
    this.markDead(code);
    this.internals.terminate();
    this.setState(state, reason, 'warn');
    this.emit(state, detail);
  }

  private markDead(code: ZkErrorCode): void {
    this.deathCode = code;
    this.cancelConnectBound?.();
    this.cancelConnectBound = undefined;
    this.cancelWatchdog?.();
    this.cancelWatchdog = undefined;
    const message = `session ${this.state === 'closed' ? 'closed' : 'ended'}: ${code}`;
    for (const operation of [...this.outstanding]) operation.settle({ code, message });
    this.outstanding.clear();
    // A dead session delivers no watch: drop them all (a closed client keeps its own lists).
    for (const byWatch of this.watches.values()) for (const entry of byWatch.values()) entry.armed = false;
    this.watches.clear();
  }

  private scheduleWatchdog(delayMs?: number): void {
    // While a connection is up, wake exactly when it would go silent too long (the deadline moves
    // with every inbound packet, so usually we wake about once per ping and find it moved).
    // Otherwise poll at 1/20 of the timeout (10..100 ms) so detection lands close to the 2/3 mark.
    const pollMs = Math.max(10, Math.min(100, Math.floor(this.internals.sessionTimeoutMs() / 20)));
    this.cancelWatchdog = this.deps.clock.schedule(delayMs ?? pollMs, () => {
      if (this.deathCode !== undefined) return;
      const { dropped, deadlineInMs } = this.internals.check();
      if (dropped !== undefined) {
        this.log.warn(
          {
            reason: dropped.reason,
            silentMs: Math.round(dropped.silentMs),
            limitMs: dropped.limitMs,
            server: dropped.server,
          },
          'zookeeper connection silent too long, dropping it',
        );
      }
      this.scheduleWatchdog(deadlineInMs === undefined ? undefined : Math.max(1, Math.ceil(deadlineInMs) + 1));
    });
  }

  // -------------------------------------------------------------------------------------------
  // Operations

  /**
   * Run one library call with a deadline. `start` receives the library callback; `convert` turns
   * its values into the result (and may throw on malformed data → OTHER). `onSettled` sees the
   * final result synchronously (used to disarm watches of failed calls).
   */
  private run<T>(
    operation: string,
    path: string,
    start: (callback: LibraryCallback) => void,
    convert: (error: unknown, values: unknown[]) => ZkOpResult<T>,
    onSettled?: (result: ZkOpResult<T>) => void,
  ): Promise<ZkOpResult<T>> {
    if (this.deathCode !== undefined) {
      const result: ZkOpResult<T> = { code: this.deathCode, message: `${operation} ${path}: session ${this.state}` };
      onSettled?.(result);
      return Promise.resolve(result);
    }
    const startedMs = this.deps.clock.monotonicMs();
    return new Promise<ZkOpResult<T>>((resolve) => {
      let settled = false;
      const entry: OutstandingOperation = { settle: (result) => settle(result) };
      const cancelDeadline = this.deps.clock.schedule(this.options.operationTimeoutMs, () =>
        settle({
          code: 'OPERATIONTIMEOUT',
          message: `${operation} ${path}: no result within ${this.options.operationTimeoutMs} ms`,
        }),
      );
      const settle = (result: ZkOpResult<T>): void => {
        if (settled) return;
        settled = true;
        cancelDeadline();
        this.outstanding.delete(entry);
        onSettled?.(result);
        this.log.debug(
          { op: operation, path, code: result.code, durationMs: Math.round(this.deps.clock.monotonicMs() - startedMs) },
          'zookeeper operation finished',
        );
        resolve(result);
      };
      this.outstanding.add(entry);
      try {
        start((error, ...values) => {
          if (settled) return;
          let result: ZkOpResult<T>;
          try {
            result = convert(error, values);
          } catch (conversionError) {
            result = { code: 'OTHER', message: `${operation} ${path}: ${errorMessage(conversionError)}` };
          }
          settle(result);
        });
      } catch (error) {
        // The library validates arguments synchronously (path syntax, data size, ACL shape).
        settle({ code: 'OTHER', message: `${operation} ${path}: ${errorMessage(error)}` });
      }
    });
  }

  /**
   * The function handed to the library for `watch` on `path`: one per (path, function) until it
   * fires, as Java's client keeps one registration per Watcher object and path
   * (ZKWatchManager). The library also keeps a function once per path, by identity
   * (WatcherManager.registerWatcher), so registering the same watch again adds nothing; a fresh
   * wrapper per call would add a listener each time a standby or the pause monitor re-reads a
   * znode that does not change: unbounded growth in a long-lived session. Delivered at most once,
   * never after the session died, never when no call registered it.
   */
  private armWatch(path: string, watch: (event: ZkWatchEvent) => void): ArmedWatch {
    let byWatch = this.watches.get(path);
    const existing = byWatch?.get(watch);
    if (existing !== undefined) {
      existing.pending += 1;
      return existing;
    }
    const entry: ArmedWatch = {
      pending: 1,
      registered: false,
      armed: true,
      fn: (event: unknown) => {
        if (!entry.armed) return;
        this.forgetWatch(path, watch, entry);
        if (this.deathCode !== undefined) return;
        const mapped = watchEventFromLibrary(event);
        if (mapped === undefined) {
          this.log.warn({ event: String(event) }, 'zookeeper watch event of unknown type ignored');
          return;
        }
        try {
          watch(mapped);
        } catch (error) {
          this.log.error({ err: error, path: mapped.path }, 'zookeeper watch callback threw');
        }
      },
    };
    if (byWatch === undefined) {
      byWatch = new Map();
      this.watches.set(path, byWatch);
    }
    byWatch.set(watch, entry);
    return entry;
  }

  /** A call that passed `entry` finished: it registered the watch, or (failed) did not. */
  private watchCallSettled(
    path: string,
    watch: (event: ZkWatchEvent) => void,
    entry: ArmedWatch,
    registered: boolean,
  ): void {
    entry.pending -= 1;
    if (registered) entry.registered = true;
    else if (!entry.registered && entry.pending === 0) this.forgetWatch(path, watch, entry);
  }

  private forgetWatch(path: string, watch: (event: ZkWatchEvent) => void, entry: ArmedWatch): void {
    entry.armed = false;
    const byWatch = this.watches.get(path);
    if (byWatch?.get(watch) !== entry) return;
    byWatch.delete(watch);
    if (byWatch.size === 0) this.watches.delete(path);
  }

  create(path: string, data: Uint8Array, acl: readonly ZkAcl[], mode: ZkCreateMode): Promise<ZkOpResult<string>> {
    if (data.length > DATA_BYTES_MAX)
      return Promise.resolve({
        code: 'OTHER',
        message: `create ${path}: ${data.length} bytes exceed ${DATA_BYTES_MAX}`,
      });
    return this.run<string>(
      'create',
      path,
      (callback) =>
        this.client.create(
          path,
          Buffer.from(data),
          aclToLibrary(acl),
          mode === 'EPHEMERAL' ? zookeeper.CreateMode.EPHEMERAL : zookeeper.CreateMode.PERSISTENT,
          callback,
        ),
      (error, [createdPath]) => {
        if (error) return failureFromLibraryError(error, 'create', path);
        if (typeof createdPath !== 'string') return { code: 'OTHER', message: `create ${path}: no path in reply` };
        return { code: 'OK', value: createdPath };
      },
    );
  }

  exists(path: string, watch?: (event: ZkWatchEvent) => void): Promise<ZkOpResult<ZkStat>> {
    const armed = watch === undefined ? undefined : this.armWatch(path, watch);
    return this.run<ZkStat>(
      'exists',
      path,
      (callback) =>
        armed === undefined ? this.client.exists(path, callback) : this.client.exists(path, armed.fn, callback),
      (error, [stat]) => {
        if (error) return failureFromLibraryError(error, 'exists', path);
        // The library reports a missing node as success with a null stat (and keeps the watch).
        if (stat === null || stat === undefined) return { code: 'NONODE', message: `exists ${path}: no node` };
        return { code: 'OK', value: statFromLibrary(stat) };
      },
      // A watch stays armed for OK (data/delete watch) and NONODE (creation watch), as in Java.
      (result) => {
        if (armed !== undefined && watch !== undefined)
          this.watchCallSettled(path, watch, armed, result.code === 'OK' || result.code === 'NONODE');
      },
    );
  }

  getData(
    path: string,
    watch?: (event: ZkWatchEvent) => void,
  ): Promise<ZkOpResult<{ readonly data: Uint8Array; readonly stat: ZkStat }>> {
    const armed = watch === undefined ? undefined : this.armWatch(path, watch);
    return this.run<{ readonly data: Uint8Array; readonly stat: ZkStat }>(
      'getData',
      path,
      (callback) =>
        armed === undefined ? this.client.getData(path, callback) : this.client.getData(path, armed.fn, callback),
      (error, [data, stat]) => {
        if (error) return failureFromLibraryError(error, 'getData', path);
        const bytes = Buffer.isBuffer(data) ? new Uint8Array(data) : new Uint8Array(0); // null data reads as empty
        return { code: 'OK', value: { data: bytes, stat: statFromLibrary(stat) } };
      },
      (result) => {
        if (armed !== undefined && watch !== undefined) this.watchCallSettled(path, watch, armed, result.code === 'OK');
      },
    );
  }

  setData(path: string, data: Uint8Array, version: number): Promise<ZkOpResult<ZkStat>> {
    if (data.length > DATA_BYTES_MAX)
      return Promise.resolve({
        code: 'OTHER',
        message: `setData ${path}: ${data.length} bytes exceed ${DATA_BYTES_MAX}`,
      });
    return this.run<ZkStat>(
      'setData',
      path,
      (callback) => this.client.setData(path, Buffer.from(data), version, callback),
      (error, [stat]) =>
        error ? failureFromLibraryError(error, 'setData', path) : { code: 'OK', value: statFromLibrary(stat) },
    );
  }

  delete(path: string, version: number): Promise<ZkOpResult<void>> {
    return this.run<void>(
      'delete',
      path,
      (callback) => this.client.remove(path, version, callback),
      (error) => (error ? failureFromLibraryError(error, 'delete', path) : { code: 'OK', value: undefined }),
    );
  }

  getChildren(path: string): Promise<ZkOpResult<readonly string[]>> {
    return this.run<readonly string[]>(
      'getChildren',
      path,
      (callback) => this.client.getChildren(path, callback),
      (error, [children]) => {
        if (error) return failureFromLibraryError(error, 'getChildren', path);
        if (!Array.isArray(children) || !children.every((child) => typeof child === 'string'))
          return { code: 'OTHER', message: `getChildren ${path}: malformed reply` };
        return { code: 'OK', value: children };
      },
    );
  }

  getAcl(path: string): Promise<ZkOpResult<{ readonly acl: readonly ZkAcl[]; readonly stat: ZkStat }>> {
    return this.run<{ readonly acl: readonly ZkAcl[]; readonly stat: ZkStat }>(
      'getAcl',
      path,
      (callback) => this.client.getACL(path, callback),
      (error, [acl, stat]) =>
        error
          ? failureFromLibraryError(error, 'getAcl', path)
          : { code: 'OK', value: { acl: aclFromLibrary(acl), stat: statFromLibrary(stat) } },
    );
  }

  setAcl(path: string, acl: readonly ZkAcl[], version: number): Promise<ZkOpResult<ZkStat>> {
    return this.run<ZkStat>(
      'setAcl',
      path,
      (callback) => this.client.setACL(path, aclToLibrary(acl), version, callback),
      (error, [stat]) =>
        error ? failureFromLibraryError(error, 'setAcl', path) : { code: 'OK', value: statFromLibrary(stat) },
    );
  }

  // -------------------------------------------------------------------------------------------
  // Close

  close(): Promise<void> {
    if (this.closing !== undefined) return this.closing;
    this.closing = this.closeOnce();
    return this.closing;
  }

  private async closeOnce(): Promise<void> {
    if (this.deathCode !== undefined) {
      this.internals.terminate();
      return;
    }
    const connected = this.internals.isConnected();
    this.setState('closed', 'close requested');
    this.markDead('CONNECTIONLOSS');
    if (connected) {
      // Ask the server to end the session now (its ephemerals vanish at once); bounded wait.
      const socketClosed = this.internals.whenSocketClosed();
      try {
        this.client.close();
        let cancelTimer: Cancel | undefined;
        await Promise.race([
          socketClosed,
          new Promise<void>((resolve) => (cancelTimer = this.deps.clock.schedule(this.deps.closeTimeoutMs, resolve))),
        ]);
        cancelTimer?.();
      } catch (error) {
        this.log.warn({ err: error }, 'zookeeper close-session request failed');
      }
    }
    this.internals.terminate();
  }
}
