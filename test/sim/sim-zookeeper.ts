// A simulated ZooKeeper ensemble and client, faithful where the failover logic depends on it:
// - znodes with versions; EPHEMERAL nodes owned by a session and deleted when it ends;
// - one-shot exists() watches, delivered in order with operation results on the same connection,
//   held while the client is disconnected and delivered on reconnect, dropped on expiry;
// - sessions expire on the SERVER after the session timeout without contact; a client that is cut
//   off learns "expired" only when it reaches a server again (exactly like real ZooKeeper);
// - a blackholed link is noticed by the client after 2/3 of the session timeout (read timeout), a
//   reset link at once; in-flight operations then fail with CONNECTIONLOSS; operations issued
//   while disconnected wait for the reconnect, fail with SESSIONEXPIRED on expiry, and every
//   operation has a deadline (OPERATIONTIMEOUT);
// - an operation may be applied on the server while its answer is lost (the retried-create case);
// - a quorum outage freezes expiry; when the quorum is back every session gets a fresh timeout;
// - the initial connect is bounded by the session timeout (connectTimedOut);
// - ACLs are enforced as ZooKeeper (3.5+) does: create needs CREATE on the parent, delete DELETE on
//   the parent, getData READ, setData WRITE, setAcl ADMIN, getAcl READ or ADMIN on the node (exists
//   needs none);
//   a session's identities are world:anyone plus its authInfo (digest user:password becomes
//   digest user:base64(sha1), as DigestAuthenticationProvider; other schemes: the auth text);
//   the `auth` scheme in a create stands for every identity the session added, and is
//   INVALIDACL without one; NOAUTH otherwise.
// The link between each ZKFC host and the ensemble is controlled by the world (partitions).

import type {
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
} from '../../src/runtime/ports.js';
import type { Prng, SimProcess, SimScheduler } from './sim-scheduler.js';
import { digestAclId } from '../../src/zookeeper/acl.js';

/** ZooDefs.Perms. */
export const PERMS = { READ: 1, WRITE: 2, CREATE: 4, DELETE: 8, ADMIN: 16, ALL: 31 } as const;
/** ZooDefs.Ids.OPEN_ACL_UNSAFE. */
export const OPEN_ACL: readonly ZkAcl[] = [{ scheme: 'world', id: 'anyone', perms: PERMS.ALL }];

interface Identity {
  readonly scheme: string;
  readonly id: string;
}

/** The identities a session's authInfo gives it on the server (AuthenticationProvider). */
export function identitiesOf(authInfo: ZkSessionOptions['authInfo']): Identity[] {
  return authInfo.map(({ scheme, auth }) => {
    const text = new TextDecoder().decode(auth);
    if (scheme !== 'digest') return { scheme, id: text };
    const colon = text.indexOf(':');
    return { scheme, id: colon < 0 ? text : digestAclId(text.slice(0, colon), text.slice(colon + 1)) };
  });
}

export type LinkState = 'up' | 'blackhole' | 'reset';

interface Znode {
  data: Uint8Array;
  version: number;
  acl: readonly ZkAcl[];
  aversion: number;
  readonly ephemeralOwner: bigint;
  readonly czxid: bigint;
  mzxid: bigint;
}

interface ServerSession {
  readonly id: bigint;
  readonly timeoutMs: number;
  readonly host: number;
  /** Who the session authenticated as (besides world:anyone). */
  readonly identities: readonly Identity[];
  /** The client object (for deliveries); undefined once the client is gone. */
  client: SimZkSession | undefined;
  lastHeardMs: number;
  ended: 'expired' | 'closed' | undefined;
  /** Watch events triggered while the client was not connected. */
  readonly heldWatchEvents: ZkWatchEvent[];
  expiryCheckSeq: number;
}

/** The ensemble, as one logical server (quorum up or down). */
export class SimZkServer {
  quorumUp = true;
  private readonly znodes = new Map<string, Znode>();
  readonly sessions = new Map<bigint, ServerSession>();
  private readonly watches = new Map<string, Set<bigint>>();
  private nextSessionId = 0x10000000n;
  private zxid = 1n;
  /** Per ZKFC host: the link to the ensemble. */
  readonly links: LinkState[] = [];
  private readonly clients = new Set<SimZkSession>();

  constructor(
    readonly scheduler: SimScheduler,
    readonly rng: Prng,
    hosts: number,
    persistent: readonly string[],
    persistentAcl: readonly ZkAcl[] = OPEN_ACL,
  ) {
    for (let i = 0; i < hosts; i++) this.links.push('up');
    for (const path of persistent)
      this.znodes.set(path, {
        data: new Uint8Array(),
        version: 0,
        acl: persistentAcl,
        aversion: 0,
        ephemeralOwner: 0n,
        czxid: 0n,
        mzxid: 0n,
      });
  }

  /** One-way latency of a message between a host and the ensemble. */
  latencyMs(): number {
    return this.rng.int(1, 8);
  }

  reachable(host: number): boolean {
    return this.quorumUp && this.links[host] === 'up';
  }

  // -------------------------------------------------------------------------------------------
  // Faults

  setLink(host: number, state: LinkState): void {
    const before = this.links[host];
    this.links[host] = state;
    if (before === state) return;
    for (const client of [...this.clients]) if (client.host === host) client.linkChanged();
    if (state !== 'up') {
      for (const session of this.sessions.values())
        if (session.host === host && session.ended === undefined) this.stopHearing(session);
    }
  }

  setQuorum(up: boolean): void {
    if (this.quorumUp === up) return;
    this.quorumUp = up;
    if (up) {
      // A new leader gives every session a fresh timeout.
      for (const session of this.sessions.values()) {
        if (session.ended !== undefined) continue;
        session.lastHeardMs = this.scheduler.now();
        if (!this.connected(session)) this.scheduleExpiryCheck(session);
      }
    }
    for (const client of [...this.clients]) client.linkChanged();
  }

  /** Expire a session now, as the server would (MiniZKFCCluster.expireActiveLockHolder). */
  expireSession(id: bigint): void {
    const session = this.sessions.get(id);
    if (session === undefined || session.ended !== undefined) return;
    this.endSession(session, 'expired');
    session.client?.serverDroppedConnection();
  }

  // -------------------------------------------------------------------------------------------
  // Sessions

  registerClient(client: SimZkSession): void {
    this.clients.add(client);
  }

  unregisterClient(client: SimZkSession): void {
    this.clients.delete(client);
  }

  createSession(client: SimZkSession, timeoutMs: number, identities: readonly Identity[] = []): ServerSession {
    const session: ServerSession = {
      id: this.nextSessionId++,
      timeoutMs,
      host: client.host,
      identities,
      client,
      lastHeardMs: this.scheduler.now(),
      ended: undefined,
      heldWatchEvents: [],
      expiryCheckSeq: 0,
    };
    this.sessions.set(session.id, session);
    return session;
  }

  private connected(session: ServerSession): boolean {
    return (
      session.client !== undefined &&
      session.client.isConnectedTo(session) &&
      !session.client.processPaused() &&
      this.reachable(session.host)
    );
  }

  /** A client's process paused or resumed: a paused process sends no pings. */
  clientPauseChanged(client: SimZkSession, paused: boolean): void {
    const session = client.serverSession();
    if (session === undefined || session.ended !== undefined) return;
    if (paused) this.stopHearing(session);
    else if (this.connected(session)) this.heard(session);
  }

  /** Test hook: called when a client sends an operation (the world injects targeted faults). */
  onClientSend: ((host: number, kind: string, path: string) => void) | undefined;

  /** The client stopped reaching the server: expiry runs from now. */
  stopHearing(session: ServerSession): void {
    if (session.ended !== undefined) return;
    session.lastHeardMs = this.scheduler.now();
    this.scheduleExpiryCheck(session);
  }

  heard(session: ServerSession): void {
    session.lastHeardMs = this.scheduler.now();
  }

  private scheduleExpiryCheck(session: ServerSession): void {
    const seq = ++session.expiryCheckSeq;
    this.scheduler.schedule(session.timeoutMs, () => {
      if (seq !== session.expiryCheckSeq || session.ended !== undefined) return;
      if (!this.quorumUp) return; // frozen; setQuorum(true) re-arms
      if (this.connected(session)) return;
      if (this.scheduler.now() - session.lastHeardMs >= session.timeoutMs) {
        this.endSession(session, 'expired');
        // The server closes the expired session's connection; the client notices if it can hear us.
        if (this.reachable(session.host)) session.client?.serverDroppedConnection();
      } else {
        this.scheduleExpiryCheck(session);
      }
    });
  }

  /** Reconnect of an existing session: alive → resumes; ended → the client learns it expired. */
  resume(session: ServerSession): 'resumed' | 'expired' {
    if (session.ended !== undefined) return 'expired';
    session.lastHeardMs = this.scheduler.now();
    session.expiryCheckSeq++;
    return 'resumed';
  }

  endSession(session: ServerSession, how: 'expired' | 'closed'): void {
    if (session.ended !== undefined) return;
    session.ended = how;
    session.expiryCheckSeq++;
    session.heldWatchEvents.length = 0;
    for (const [path, znode] of [...this.znodes]) {
      if (znode.ephemeralOwner === session.id) {
        this.znodes.delete(path);
        this.trigger(path, 'NodeDeleted');
      }
    }
    for (const watchers of this.watches.values()) watchers.delete(session.id);
  }

  // -------------------------------------------------------------------------------------------
  // Data (applied on the server)

  private stat(znode: Znode): ZkStat {
    return {
      version: znode.version,
      aversion: znode.aversion,
      ephemeralOwner: znode.ephemeralOwner,
      czxid: znode.czxid,
      mzxid: znode.mzxid,
      dataLength: znode.data.length,
      numChildren: 0,
    };
  }

  private trigger(path: string, type: ZkWatchEvent['type']): void {
    const watchers = this.watches.get(path);
    if (watchers === undefined) return;
    this.watches.delete(path);
    for (const id of watchers) {
      const session = this.sessions.get(id);
      if (session === undefined || session.ended !== undefined) continue;
      const event: ZkWatchEvent = { type, path };
      if (session.client !== undefined && this.connected(session)) session.client.deliverWatch(event);
      else session.heldWatchEvents.push(event);
    }
  }

  private parentExists(path: string): boolean {
    const parent = path.slice(0, path.lastIndexOf('/'));
    return parent === '' || this.znodes.has(parent);
  }

  /** The parent's ACL ('/' is open to all, as ZooKeeper's root by default). */
  private parentAcl(path: string): readonly ZkAcl[] {
    const parent = path.slice(0, path.lastIndexOf('/'));
    return parent === '' ? OPEN_ACL : (this.znodes.get(parent)?.acl ?? OPEN_ACL);
  }

  /** PrepRequestProcessor.checkACL: does any entry with `perm` name world:anyone or one of the session's identities? */
  private allowed(session: ServerSession, acl: readonly ZkAcl[], perm: number): boolean {
    return acl.some(
      (entry) =>
        (entry.perms & perm) !== 0 &&
        ((entry.scheme === 'world' && entry.id === 'anyone') ||
          session.identities.some((who) => who.scheme === entry.scheme && who.id === entry.id)),
    );
  }

  private noAuth(path: string, what: string): ZkOpResult<never> {
    return { code: 'NOAUTH', message: `KeeperErrorCode = NoAuth for ${path} (${what})` };
  }

  /** PrepRequestProcessor.fixupACL: `auth` entries become the session's identities; empty is invalid. */
  private fixupAcl(session: ServerSession, acl: readonly ZkAcl[]): readonly ZkAcl[] | undefined {
    if (acl.length === 0) return undefined;
    const out: ZkAcl[] = [];
    for (const entry of acl) {
      if (entry.scheme !== 'auth') {
        out.push(entry);
        continue;
      }
      if (session.identities.length === 0) return undefined;
      for (const who of session.identities) out.push({ scheme: who.scheme, id: who.id, perms: entry.perms });
    }
    return out;
  }

  applyCreate(
    session: ServerSession,
    path: string,
    data: Uint8Array,
    mode: ZkCreateMode,
    acl: readonly ZkAcl[] = OPEN_ACL,
  ): ZkOpResult<string> {
    if (!this.parentExists(path)) return { code: 'NONODE', message: `no parent for ${path}` };
    if (!this.allowed(session, this.parentAcl(path), PERMS.CREATE)) return this.noAuth(path, 'create');
    if (this.znodes.has(path)) return { code: 'NODEEXISTS', message: `node exists: ${path}` };
    const fixed = this.fixupAcl(session, acl);
    if (fixed === undefined) return { code: 'INVALIDACL', message: `invalid ACL for ${path}` };
    const zxid = this.zxid++;
    this.znodes.set(path, {
      data: data.slice(),
      version: 0,
      acl: fixed,
      aversion: 0,
      ephemeralOwner: mode === 'EPHEMERAL' ? session.id : 0n,
      czxid: zxid,
      mzxid: zxid,
    });
    this.trigger(path, 'NodeCreated');
    return { code: 'OK', value: path };
  }

  applyExists(session: ServerSession, path: string, watch: boolean): ZkOpResult<ZkStat> {
    if (watch) {
      const watchers = this.watches.get(path) ?? new Set<bigint>();
      watchers.add(session.id);
      this.watches.set(path, watchers);
    }
    const znode = this.znodes.get(path);
    return znode === undefined
      ? { code: 'NONODE', message: `no node ${path}` }
      : { code: 'OK', value: this.stat(znode) };
  }

  applyGetData(session: ServerSession, path: string): ZkOpResult<{ readonly data: Uint8Array; readonly stat: ZkStat }> {
    const znode = this.znodes.get(path);
    if (znode === undefined) return { code: 'NONODE', message: `no node ${path}` };
    if (!this.allowed(session, znode.acl, PERMS.READ)) return this.noAuth(path, 'getData');
    return { code: 'OK', value: { data: znode.data.slice(), stat: this.stat(znode) } };
  }

  applyGetAcl(
    session: ServerSession,
    path: string,
  ): ZkOpResult<{ readonly acl: readonly ZkAcl[]; readonly stat: ZkStat }> {
    const znode = this.znodes.get(path);
    if (znode === undefined) return { code: 'NONODE', message: `no node ${path}` };
    if (!this.allowed(session, znode.acl, PERMS.READ | PERMS.ADMIN)) return this.noAuth(path, 'getAcl');
    return { code: 'OK', value: { acl: znode.acl, stat: this.stat(znode) } };
  }

  applySetAcl(session: ServerSession, path: string, acl: readonly ZkAcl[], version: number): ZkOpResult<ZkStat> {
    const znode = this.znodes.get(path);
    if (znode === undefined) return { code: 'NONODE', message: `no node ${path}` };
    if (!this.allowed(session, znode.acl, PERMS.ADMIN)) return this.noAuth(path, 'setAcl');
    if (version !== -1 && version !== znode.aversion)
      return { code: 'BADVERSION', message: `aversion ${version} != ${znode.aversion}` };
    const fixed = this.fixupAcl(session, acl);
    if (fixed === undefined) return { code: 'INVALIDACL', message: `invalid ACL for ${path}` };
    znode.acl = fixed;
    znode.aversion++;
    return { code: 'OK', value: this.stat(znode) };
  }

  applySetData(session: ServerSession, path: string, data: Uint8Array, version: number): ZkOpResult<ZkStat> {
    const znode = this.znodes.get(path);
    if (znode === undefined) return { code: 'NONODE', message: `no node ${path}` };
    if (!this.allowed(session, znode.acl, PERMS.WRITE)) return this.noAuth(path, 'setData');
    if (version !== -1 && version !== znode.version)
      return { code: 'BADVERSION', message: `version ${version} != ${znode.version}` };
    znode.data = data.slice();
    znode.version++;
    znode.mzxid = this.zxid++;
    this.trigger(path, 'NodeDataChanged');
    return { code: 'OK', value: this.stat(znode) };
  }

  applyDelete(session: ServerSession, path: string, version: number): ZkOpResult<void> {
    const znode = this.znodes.get(path);
    if (znode === undefined) return { code: 'NONODE', message: `no node ${path}` };
    if (!this.allowed(session, this.parentAcl(path), PERMS.DELETE)) return this.noAuth(path, 'delete');
    if (version !== -1 && version !== znode.version)
      return { code: 'BADVERSION', message: `version ${version} != ${znode.version}` };
    this.znodes.delete(path);
    this.trigger(path, 'NodeDeleted');
    return { code: 'OK', value: undefined };
  }

  /**
   * An operator's client (haadmin pause / resume) writing or deleting a persistent znode, with the
   * watches it triggers; it does not count as any ZKFC's session. Ignored while the quorum is down.
   */
  operatorWrite(path: string, data: Uint8Array | null): void {
    if (!this.quorumUp) return;
    const existing = this.znodes.get(path);
    const zxid = this.zxid++;
    if (data === null) {
      if (existing === undefined) return;
      this.znodes.delete(path);
      this.trigger(path, 'NodeDeleted');
      return;
    }
    this.znodes.set(path, {
      data: data.slice(),
      version: existing === undefined ? 0 : existing.version + 1,
      acl: OPEN_ACL,
      aversion: 0,
      ephemeralOwner: 0n,
      czxid: existing?.czxid ?? zxid,
      mzxid: zxid,
    });
    this.trigger(path, existing === undefined ? 'NodeCreated' : 'NodeDataChanged');
  }

  /** Inspection for invariants. */
  znode(path: string):
    | {
        readonly data: Uint8Array;
        readonly version: number;
        readonly ephemeralOwner: bigint;
        readonly acl: readonly ZkAcl[];
      }
    | undefined {
    return this.znodes.get(path);
  }
}

type Pending = {
  readonly apply: (session: ServerSession) => ZkOpResult<unknown>;
  readonly resolve: (result: ZkOpResult<unknown>) => void;
  readonly cancelDeadline: () => void;
  sentOnConnection: number | undefined;
  /** Reached the server (its effect happened even if the answer is then lost). */
  applied: boolean;
  done: boolean;
};

/** A message from the server held by a blackholed link (TCP would retransmit it after the heal). */
interface HeldDelivery {
  readonly connection: number;
  readonly run: () => void;
  readonly lost: () => void;
}

/** One client session object (the ZkSession port). Never revived after expiry or close. */
export class SimZkSession implements ZkSession {
  private state: 'connecting' | 'connected' | 'disconnected' | 'expired' | 'closed' = 'connecting';
  private server: ServerSession | undefined;
  /** Bumped on every (re)connection; answers of an older connection are lost. */
  private connection = 0;
  private readonly pending = new Set<Pending>();
  private lastDeliveryMs = 0;
  private readonly openedMs: number;
  private disconnectTimer: (() => void) | undefined;
  private reconnectTimer: (() => void) | undefined;
  closedAtMs: number | undefined;

  constructor(
    readonly epoch: number,
    readonly host: number,
    private readonly zk: SimZkServer,
    private readonly process: SimProcess,
    private readonly options: ZkSessionOptions,
    private readonly listener: (event: ZkSessionEvent) => void,
  ) {
    this.openedMs = zk.scheduler.now();
    zk.registerClient(this);
    this.scheduleConnectAttempt(zk.latencyMs());
  }

  sessionId(): bigint | undefined {
    return this.server?.id;
  }

  negotiatedTimeoutMs(): number | undefined {
    return this.server?.timeoutMs;
  }

  isConnectedTo(session: ServerSession): boolean {
    return this.state === 'connected' && this.server === session;
  }

  processPaused(): boolean {
    return this.process.paused;
  }

  serverSession(): ServerSession | undefined {
    return this.server;
  }

  get clientState(): string {
    return this.state;
  }

  // -------------------------------------------------------------------------------------------
  // Connection management

  private emit(state: ZkSessionEvent['state']): void {
    this.process.run(() => this.listener({ epoch: this.epoch, state }));
  }

  private scheduleConnectAttempt(delayMs: number): void {
    this.reconnectTimer?.();
    this.reconnectTimer = this.zk.scheduler.schedule(delayMs, () => {
      this.reconnectTimer = undefined;
      this.tryConnect();
    });
  }

  private tryConnect(): void {
    if (!this.process.alive) return this.abandon();
    if (this.state === 'connecting') {
      if (this.zk.reachable(this.host)) {
        this.server = this.zk.createSession(this, this.options.sessionTimeoutMs, identitiesOf(this.options.authInfo));
        this.becomeConnected();
        return;
      }
      if (this.zk.scheduler.now() - this.openedMs >= this.options.sessionTimeoutMs) {
        this.state = 'expired';
        this.failAll('CONNECTIONLOSS', 'connect timed out');
        this.zk.unregisterClient(this);
        this.emit('connectTimedOut');
        return;
      }
      this.scheduleConnectAttempt(this.zk.rng.int(100, 1000));
      return;
    }
    if (this.state !== 'disconnected' || this.server === undefined) return;
    if (!this.zk.reachable(this.host)) {
      this.scheduleConnectAttempt(this.zk.rng.int(100, 1000));
      return;
    }
    if (this.zk.resume(this.server) === 'expired') {
      this.state = 'expired';
      this.failAll('SESSIONEXPIRED', 'session expired');
      this.zk.unregisterClient(this);
      this.emit('expired');
      return;
    }
    this.becomeConnected();
  }

  private becomeConnected(): void {
    const server = this.server;
    if (server === undefined) return;
    this.state = 'connected';
    this.connection++;
    this.emit('connected');
    // Held watch events (triggered while away) come after the reconnect, then queued operations.
    const held = server.heldWatchEvents.splice(0);
    for (const event of held) this.deliverWatch(event);
    for (const op of this.pending) if (op.sentOnConnection === undefined) this.send(op);
  }

  /** The world changed this host's link or the quorum: notice a loss (reset: fast; blackhole: read timeout). */
  linkChanged(): void {
    if (this.state === 'connected' && !this.zk.reachable(this.host)) {
      const blackhole = this.zk.quorumUp && this.zk.links[this.host] === 'blackhole';
      const noticeMs = blackhole ? Math.floor((this.options.sessionTimeoutMs * 2) / 3) : this.zk.rng.int(1, 20);
      if (this.server !== undefined) this.zk.stopHearing(this.server);
      this.disconnectTimer?.();
      const connection = this.connection;
      this.disconnectTimer = this.zk.scheduler.schedule(noticeMs, () => {
        this.disconnectTimer = undefined;
        if (this.state === 'connected' && this.connection === connection) this.becomeDisconnected();
      });
      return;
    }
    if (this.state === 'connected' && this.zk.reachable(this.host) && this.disconnectTimer !== undefined) {
      // Healed before we noticed (short blip): the connection survives, the server hears us
      // again, and what TCP held back on either side now goes through, in order.
      this.disconnectTimer();
      this.disconnectTimer = undefined;
      if (this.server !== undefined) this.zk.heard(this.server);
      const held = this.heldDeliveries.splice(0);
      for (const delivery of held)
        if (delivery.connection === this.connection) this.deliver(delivery.run, delivery.lost);
      for (const op of this.pending) if (!op.applied && op.sentOnConnection === this.connection) this.send(op);
      return;
    }
    if (this.state === 'disconnected' && this.zk.reachable(this.host))
      this.scheduleConnectAttempt(this.zk.rng.int(0, 1000));
  }

  /** The server closed our connection (it expired the session while we were connected). */
  serverDroppedConnection(): void {
    if (this.state !== 'connected') return;
    const connection = this.connection;
    this.zk.scheduler.schedule(this.zk.latencyMs(), () => {
      if (this.state === 'connected' && this.connection === connection) this.becomeDisconnected();
    });
  }

  private becomeDisconnected(): void {
    this.state = 'disconnected';
    if (this.server !== undefined) this.zk.stopHearing(this.server);
    for (const delivery of this.heldDeliveries.splice(0)) delivery.lost();
    // Requests on the wire are lost: CONNECTIONLOSS. Unsent ones wait for the reconnect.
    for (const op of [...this.pending])
      if (op.sentOnConnection !== undefined) this.finish(op, { code: 'CONNECTIONLOSS', message: 'connection lost' });
    this.emit('disconnected');
    this.scheduleConnectAttempt(this.zk.rng.int(0, 1000));
  }

  /** The process died: stop everything without telling anyone (SIGKILL). */
  private abandon(): void {
    if (this.state === 'closed' || this.state === 'expired') return;
    this.state = 'closed';
    this.reconnectTimer?.();
    this.disconnectTimer?.();
    if (this.server !== undefined) this.zk.stopHearing(this.server);
    if (this.server !== undefined) this.server.client = undefined;
    this.zk.unregisterClient(this);
  }

  /** Called by the world when the owning process is SIGKILLed. */
  processKilled(): void {
    this.abandon();
  }

  // -------------------------------------------------------------------------------------------
  // Deliveries, in order on the current connection

  private deliver(run: () => void, lost: () => void): void {
    const connection = this.connection;
    const at = Math.max(this.zk.scheduler.now() + this.zk.latencyMs(), this.lastDeliveryMs);
    this.lastDeliveryMs = at;
    this.zk.scheduler.schedule(at - this.zk.scheduler.now(), () => {
      if (this.connection !== connection || this.state !== 'connected') return lost();
      if (!this.zk.reachable(this.host)) {
        this.heldDeliveries.push({ connection, run, lost });
        return;
      }
      run();
    });
  }

  private readonly heldDeliveries: HeldDelivery[] = [];

  deliverWatch(event: ZkWatchEvent): void {
    const server = this.server;
    this.deliver(
      () => {
        const watchers = this.watchers.get(event.path) ?? [];
        this.watchers.delete(event.path);
        for (const watcher of watchers) this.process.run(() => watcher(event));
        if (server !== undefined) this.zk.heard(server);
      },
      // Lost with the connection: the reconnect's setWatches makes the server fire it again.
      () => {
        if (server !== undefined && server.ended === undefined && this.state !== 'closed' && this.state !== 'expired')
          server.heldWatchEvents.push(event);
      },
    );
  }

  private readonly watchers = new Map<string, ((event: ZkWatchEvent) => void)[]>();

  // -------------------------------------------------------------------------------------------
  // Operations

  private op<T>(apply: (session: ServerSession) => ZkOpResult<T>): Promise<ZkOpResult<T>> {
    if (this.state === 'expired') return Promise.resolve({ code: 'SESSIONEXPIRED', message: 'session expired' });
    if (this.state === 'closed') return Promise.resolve({ code: 'CONNECTIONLOSS', message: 'session closed' });
    return new Promise<ZkOpResult<T>>((resolve) => {
      const op: Pending = {
        apply,
        resolve: resolve as (result: ZkOpResult<unknown>) => void,
        cancelDeadline: this.zk.scheduler.schedule(this.options.operationTimeoutMs, () =>
          this.finish(op, { code: 'OPERATIONTIMEOUT', message: 'operation timed out' }),
        ),
        sentOnConnection: undefined,
        applied: false,
        done: false,
      };
      this.pending.add(op);
      if (this.state === 'connected') this.send(op);
    });
  }

  private send(op: Pending): void {
    op.sentOnConnection = this.connection;
    const connection = this.connection;
    this.zk.scheduler.schedule(this.zk.latencyMs(), () => {
      // Arrives at the server only over a live link on the same connection.
      const server = this.server;
      if (
        op.done ||
        op.applied ||
        server === undefined ||
        connection !== this.connection ||
        !this.zk.reachable(this.host) ||
        server.ended !== undefined
      )
        return;
      op.applied = true;
      const result = op.apply(server);
      this.zk.heard(server);
      // A lost answer ends the operation with CONNECTIONLOSS when the client notices the disconnect.
      this.deliver(
        () => this.finish(op, result),
        () => undefined,
      );
    });
  }

  private finish(op: Pending, result: ZkOpResult<unknown>): void {
    if (op.done) return;
    op.done = true;
    op.cancelDeadline();
    this.pending.delete(op);
    this.process.run(() => op.resolve(result));
  }

  private failAll(code: ZkErrorCode, message: string): void {
    for (const op of [...this.pending]) this.finish(op, { code, message });
  }

  create(path: string, data: Uint8Array, acl: readonly ZkAcl[], mode: ZkCreateMode): Promise<ZkOpResult<string>> {
    this.zk.onClientSend?.(this.host, 'create', path);
    return this.op((session) => this.zk.applyCreate(session, path, data, mode, acl));
  }

  exists(path: string, watch?: (event: ZkWatchEvent) => void): Promise<ZkOpResult<ZkStat>> {
    return this.op((session) => {
      if (watch !== undefined) {
        // One watch per path and function, as the port says (Java's client, NodeZkSession).
        const list = this.watchers.get(path) ?? [];
        if (!list.includes(watch)) list.push(watch);
        this.watchers.set(path, list);
      }
      return this.zk.applyExists(session, path, watch !== undefined);
    });
  }

  getData(path: string): Promise<ZkOpResult<{ readonly data: Uint8Array; readonly stat: ZkStat }>> {
    return this.op((session) => this.zk.applyGetData(session, path));
  }

  setData(path: string, data: Uint8Array, version: number): Promise<ZkOpResult<ZkStat>> {
    this.zk.onClientSend?.(this.host, 'setData', path);
    return this.op((session) => this.zk.applySetData(session, path, data, version));
  }

  delete(path: string, version: number): Promise<ZkOpResult<void>> {
    return this.op((session) => this.zk.applyDelete(session, path, version));
  }

  getChildren(_path: string): Promise<ZkOpResult<readonly string[]>> {
    return this.op(() => ({ code: 'OK', value: [] }));
  }

  getAcl(path: string): Promise<ZkOpResult<{ readonly acl: readonly ZkAcl[]; readonly stat: ZkStat }>> {
    return this.op((session) => this.zk.applyGetAcl(session, path));
  }

  setAcl(path: string, acl: readonly ZkAcl[], version: number): Promise<ZkOpResult<ZkStat>> {
    return this.op((session) => this.zk.applySetAcl(session, path, acl, version));
  }

  close(): Promise<void> {
    if (this.state === 'closed' || this.state === 'expired') return Promise.resolve();
    const wasConnected = this.state === 'connected';
    this.state = 'closed';
    this.closedAtMs = this.zk.scheduler.now();
    this.reconnectTimer?.();
    this.disconnectTimer?.();
    this.failAll('CONNECTIONLOSS', 'session closed');
    const server = this.server;
    this.zk.unregisterClient(this);
    if (server === undefined) return Promise.resolve();
    server.client = undefined;
    if (wasConnected && this.zk.reachable(this.host)) {
      // closeSession reaches the server: ephemerals go at once. Otherwise the server expires it.
      return new Promise<void>((resolve) => {
        this.zk.scheduler.schedule(this.zk.latencyMs(), () => {
          if (this.zk.reachable(this.host)) this.zk.endSession(server, 'closed');
          else this.zk.stopHearing(server);
          resolve();
        });
      });
    }
    this.zk.stopHearing(server);
    return Promise.resolve();
  }
}

/** The ZkSessionFactory of one ZKFC process on `host`. */
export class SimZkSessionFactory implements ZkSessionFactory {
  private nextEpoch = 1;
  readonly opened: SimZkSession[] = [];

  constructor(
    private readonly zk: SimZkServer,
    private readonly process: SimProcess,
    private readonly host: number,
  ) {
    process.onPauseChange((paused) => {
      for (const session of this.opened) zk.clientPauseChanged(session, paused);
    });
  }

  open(options: ZkSessionOptions, listener: (event: ZkSessionEvent) => void): ZkSession {
    const session = new SimZkSession(this.nextEpoch++, this.host, this.zk, this.process, options, listener);
    this.opened.push(session);
    return session;
  }

  processKilled(): void {
    for (const session of this.opened) session.processKilled();
  }
}
