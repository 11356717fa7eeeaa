// The ports: the narrow interfaces through which the runtime reaches the outside world.
// Production adapters (src/zookeeper, src/hadoop, src/fencing, src/runtime/system-clock.ts)
// implement them; the deterministic simulation (test/sim) implements them in memory.
// Each port owns its contract, results and failures alike, in this file's words: ZooKeeper
// operations resolve to a ZkOpResult and never reject; the HA ports (HAServiceClient, ZkfcClient)
// reject with an HaCallError whose kind says what happened; the fencer never rejects. The runtime's
// executor turns all of them into events for the core; the NameNode HTTP view resolves to a
// NameNodeHttpResult and never rejects. No port names an adapter's error class.

import type { ZkResultCode } from '../core/elector/events.js';
import type { HARequestSource, HAServiceState, HostPort, NamenodeTarget, ServiceStatus } from '../core/types.js';
import { ZkfcError, type HaCallErrorCode } from '../errors.js';

// ---------------------------------------------------------------------------------------------
// Time

export type Cancel = () => void;

export interface Clock {
  /** Monotonic milliseconds from an arbitrary origin: the only time source for timeouts and delays. */
  monotonicMs(): number;
  /** Wall-clock epoch milliseconds: for logs, metrics and records, never compared against timeouts. */
  wallMs(): number;
  /** Run `callback` once after `delayMs`; the returned function cancels it. Callback last. */
  schedule(delayMs: number, callback: () => void): Cancel;
}

// ---------------------------------------------------------------------------------------------
// ZooKeeper

/**
 * Result codes, named after ZooKeeper's KeeperException.Code (Hadoop classifies on these). One
 * list, owned by the core (it decides on them); the port takes the failures from it.
 */
export type ZkErrorCode = Exclude<ZkResultCode, 'OK'>;

export type ZkOpResult<T> =
  { readonly code: 'OK'; readonly value: T } | { readonly code: ZkErrorCode; readonly message: string };

export interface ZkStat {
  readonly version: number;
  readonly aversion: number;
  /** Session id of the owner of an ephemeral node, 0n for persistent nodes. */
  readonly ephemeralOwner: bigint;
  readonly czxid: bigint;
  readonly mzxid: bigint;
  readonly dataLength: number;
  readonly numChildren: number;
}

/** One ACL entry, as ha.zookeeper.acl writes it: scheme:id:perms (perms letters rwcda). */
export interface ZkAcl {
  readonly scheme: string;
  readonly id: string;
  /** ZooDefs.Perms bit mask: READ 1, WRITE 2, CREATE 4, DELETE 8, ADMIN 16. */
  readonly perms: number;
}

/** One ha.zookeeper.auth entry: scheme and the auth bytes (UTF-8 of the text after the first ':'). */
export interface ZkAuthInfo {
  readonly scheme: string;
  readonly auth: Uint8Array;
}

export type ZkCreateMode = 'PERSISTENT' | 'EPHEMERAL';

export type ZkWatchEventType = 'NodeCreated' | 'NodeDeleted' | 'NodeDataChanged' | 'NodeChildrenChanged';

export interface ZkWatchEvent {
  readonly type: ZkWatchEventType;
  readonly path: string;
}

/**
 * Connection-level events of one session. `epoch` identifies the session object that produced the
 * event (Hadoop's stale-client guard compares it with the current one).
 * - connected: SyncConnected (first time, or again after a disconnect with the same session)
 * - disconnected: the connection was lost (or declared dead by the read timeout); the session may live
 * - expired: the server expired the session; this session object is dead, open a new one
 * - authFailed: credentials were refused; the session object is dead
 * - connectTimedOut: no server answered within the initial connect bound; the session object is dead
 */
export interface ZkSessionEvent {
  readonly epoch: number;
  readonly state: 'connected' | 'disconnected' | 'expired' | 'authFailed' | 'connectTimedOut';
  /** Why, when the adapter knows more than the state says (connectTimedOut: the last TLS failure). */
  readonly detail?: string;
}

export interface ZkSessionOptions {
  /** Connect string host:port[,host:port...][/chroot] (ha.zookeeper.quorum). */
  readonly connectString: string;
  readonly sessionTimeoutMs: number;
  /** Added with addAuthInfo right after connecting (and re-sent on reconnect). */
  readonly authInfo: readonly ZkAuthInfo[];
  /** Deadline for every operation; an operation that does not finish by then resolves OPERATIONTIMEOUT. */
  readonly operationTimeoutMs: number;
}

/**
 * One ZooKeeper session. Operations never reject: they resolve to a ZkOpResult. When the session
 * expires or is closed, every outstanding operation resolves at once (SESSIONEXPIRED or
 * CONNECTIONLOSS). A session object is never revived after expiry: open a new one.
 */
export interface ZkSession {
  readonly epoch: number;
  /** The server-assigned session id once connected (compare with ZkStat.ephemeralOwner). */
  sessionId(): bigint | undefined;
  /** Negotiated session timeout once connected. */
  negotiatedTimeoutMs(): number | undefined;
  create(path: string, data: Uint8Array, acl: readonly ZkAcl[], mode: ZkCreateMode): Promise<ZkOpResult<string>>;
  /**
   * exists; NONODE is a result code. The watch fires once (NodeCreated/NodeDeleted/NodeDataChanged).
   * A function is one watch per path until it fires, as in Java's client: passing it again (here or
   * to getData) adds nothing, so re-reading an unchanged znode costs no memory.
   */
  exists(path: string, watch?: (event: ZkWatchEvent) => void): Promise<ZkOpResult<ZkStat>>;
  getData(
    path: string,
    watch?: (event: ZkWatchEvent) => void,
  ): Promise<ZkOpResult<{ readonly data: Uint8Array; readonly stat: ZkStat }>>;
  setData(path: string, data: Uint8Array, version: number): Promise<ZkOpResult<ZkStat>>;
  delete(path: string, version: number): Promise<ZkOpResult<void>>;
  getChildren(path: string): Promise<ZkOpResult<readonly string[]>>;
  getAcl(path: string): Promise<ZkOpResult<{ readonly acl: readonly ZkAcl[]; readonly stat: ZkStat }>>;
  setAcl(path: string, acl: readonly ZkAcl[], version: number): Promise<ZkOpResult<ZkStat>>;
  /** Close the session (the server drops its ephemerals at once). Idempotent. */
  close(): Promise<void>;
}

export interface ZkSessionFactory {
  /**
   * Start connecting a new session in the background. Session events, including the first
   * `connected`, go to `listener`. The initial connect is bounded: no server within
   * the session timeout gives `connectTimedOut`.
   */
  open(options: ZkSessionOptions, listener: (event: ZkSessionEvent) => void): ZkSession;
}

// ---------------------------------------------------------------------------------------------
// NameNode HA service (HAServiceProtocol) and peer ZKFCs (ZKFCProtocol)

/**
 * How a call on an HA port failed, as Hadoop's callers tell the cases apart (HealthMonitor,
 * FailoverController, HAAdmin):
 * - unhealthy: monitorHealth answered that the service is not healthy (HealthCheckFailedException);
 *   the message is the NameNode's own;
 * - refused: the service refused the request or could not carry it out (ServiceFailedException: a
 *   state change it will not make, a failover that cannot be done);
 * - failed: the peer answered with any other error (not allowed, still starting, a method or
 *   version it does not know, a fatal protocol reply);
 * - unreachable: no answer could be had: the connection could not be made or was lost, or the
 *   peer did not speak the protocol;
 * - timedOut: no answer in time (the connect or the call timed out).
 */
export type HaCallErrorKind = 'unhealthy' | 'refused' | 'failed' | 'unreachable' | 'timedOut';

const HA_CALL_ERROR_CODES: Readonly<Record<HaCallErrorKind, HaCallErrorCode>> = {
  unhealthy: 'HA_UNHEALTHY',
  refused: 'HA_REFUSED',
  failed: 'HA_FAILED',
  unreachable: 'HA_UNREACHABLE',
  timedOut: 'HA_TIMED_OUT',
};

/** The one way an HA port call rejects. The adapter's own error stays in `cause`. */
export class HaCallError extends ZkfcError {
  readonly code: HaCallErrorCode;
  constructor(
    readonly kind: HaCallErrorKind,
    message: string,
    /** "host:port" of the peer. */
    readonly address: string,
    /**
     * True when the connection could not be made, so the request was never sent: a caller may
     * retry it (Hadoop's connect retries) knowing it has not taken effect.
     */
    readonly notSent: boolean,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.code = HA_CALL_ERROR_CODES[kind];
  }
}

/**
 * HAServiceProtocol on one NameNode address over one persistent Hadoop IPC connection.
 * Calls reject with HaCallError only.
 */
export interface HAServiceClient {
  readonly address: HostPort;
  monitorHealth(timeoutMs: number): Promise<void>;
  getServiceStatus(timeoutMs: number): Promise<ServiceStatus>;
  transitionToActive(source: HARequestSource, timeoutMs: number): Promise<void>;
  transitionToStandby(source: HARequestSource, timeoutMs: number): Promise<void>;
  transitionToObserver(source: HARequestSource, timeoutMs: number): Promise<void>;
  /**
   * Called once each time the underlying TCP connection closes (peer crash, reset, FATAL reply),
   * so a dead NameNode is noticed at once. Returns a function that removes the listener.
   */
  onConnectionClosed(listener: (reason: Error) => void): () => void;
  /** Close the connection; later calls reconnect on demand. */
  close(): void;
}

export interface HAServiceClientFactory {
  create(address: HostPort, options?: { readonly connectTimeoutMs?: number }): HAServiceClient;
}

/** ZKFCProtocol on a peer ZKFC. Calls reject with HaCallError only. */
export interface ZkfcClient {
  readonly address: HostPort;
  /** millisToCede <= 0 means "stop ceding". */
  cedeActive(millisToCede: number, timeoutMs: number): Promise<void>;
  gracefulFailover(timeoutMs: number): Promise<void>;
  close(): void;
}

export interface ZkfcClientFactory {
  create(address: HostPort): ZkfcClient;
}

// ---------------------------------------------------------------------------------------------
// Fencing

export interface FenceAttempt {
  /** 'graceful' for transitionToStandby, else the method as configured, e.g. 'sshfence(hdfs:22)'. */
  readonly method: string;
  readonly outcome: 'success' | 'failure' | 'timeout' | 'error';
  readonly durationMs: number;
  readonly detail: string;
  /** The last lines the method printed (a shell command's output, known secrets redacted), if any. */
  readonly outputTail?: readonly string[];
}

export interface FenceOutcome {
  readonly fenced: boolean;
  /** True when the old active stood down by itself (graceful transitionToStandby). */
  readonly graceful: boolean;
  readonly attempts: readonly FenceAttempt[];
}

/**
 * Fences the old active named by the breadcrumb: graceful transitionToStandby first, then the
 * configured methods in order (docs/hadoop-compat.md §7.3, §8). Every step is bounded in time. Never rejects.
 */
export interface Fencer {
  fenceOldActive(target: NamenodeTarget): Promise<FenceOutcome>;
}

// ---------------------------------------------------------------------------------------------
// The local NameNode's HTTP view (JMX beans and /isActive)

/**
 * How a read of the NameNode's HTTP view failed:
 * - unreachable: no connection, or it was lost before the answer was complete;
 * - timedOut: no complete answer within the read's deadline;
 * - httpStatus: an HTTP status other than the one expected (a 500, a redirect: none is followed);
 * - tooLarge: an answer above the size bound (the read stops there);
 * - malformed: not JSON, or a field of the wrong type or with a value outside its range;
 * - missing: a bean or a field that must be there is not;
 * - notConfigured: the view cannot be read with this configuration (the message names the key).
 */
export const NAMENODE_HTTP_FAILURE_KINDS = [
  'unreachable',
  'timedOut',
  'httpStatus',
  'tooLarge',
  'malformed',
  'missing',
  'notConfigured',
] as const;
export type NameNodeHttpFailureKind = (typeof NAMENODE_HTTP_FAILURE_KINDS)[number];

export interface NameNodeHttpFailure {
  readonly kind: NameNodeHttpFailureKind;
  /** The URL whose answer failed (the peer and the request). */
  readonly url: string;
  /** What was wrong, for people: names the URL, the bean or field, the byte offset of a JSON error. */
  readonly message: string;
}

/**
 * What the local NameNode says about itself over HTTP, typed, in Hadoop's names (the beans'
 * attributes; docs/hadoop-compat.md §10.2 says where each comes from). Everything a readiness decision
 * needs: safe mode, how stale a standby's namespace is, the last transaction id it has.
 */
export interface NameNodeHttpView {
  /** NameNodeStatus.State (NameNode#getState). */
  readonly state: HAServiceState;
  /** NameNodeStatus.NNRole: "NameNode" (or "BackupNode", "CheckpointNode"). */
  readonly nnRole: string;
  /** NameNodeStatus.HostAndPort: the NameNode's RPC address as it names itself. */
  readonly hostAndPort: string;
  /** NameNodeStatus.LastHATransitionTime: epoch milliseconds of its last HA transition, 0 if none. */
  readonly lastHATransitionTimeMs: number;
  /** NameNodeStatus.SecurityEnabled. */
  readonly securityEnabled: boolean;
  /**
   * FSNamesystem tag.HAState (FSNamesystem#getHAState). The FSNamesystem bean is a metrics2 source,
   * served from a cache refreshed every metrics period (10 s by default): its values, this one and
   * the two below, trail the NameNode by up to that long (just after a transition, tag.HAState
   * still shows the old state; NameNodeStatus.State and /isActive are live).
   */
  readonly namesystemHAState: HAServiceState;
  /**
   * FSNamesystem.MillisSinceLastLoadedEdits: on a standby, milliseconds since its EditLogTailer
   * last loaded edits; 0 on an active (FSNamesystem#getMillisSinceLastLoadedEdits).
   */
  readonly millisSinceLastLoadedEdits: number;
  /** FSNamesystem.LastWrittenTransactionId: the last transaction this NameNode wrote (active). */
  readonly lastWrittenTransactionId: number;
  /** NameNodeInfo.Safemode: "" when safe mode is off, else the NameNode's own explanation. */
  readonly safemode: string;
  /** NameNodeInfo.Safemode is not empty. */
  readonly inSafemode: boolean;
  /** NameNodeInfo.JournalTransactionInfo.LastAppliedOrWrittenTxId (FSImage#getLastAppliedOrWrittenTxId). */
  readonly lastAppliedOrWrittenTxId: number;
  /** NameNodeInfo.JournalTransactionInfo.MostRecentCheckpointTxId. */
  readonly mostRecentCheckpointTxId: number;
  /** GET /isActive answered 200 (IsNameNodeActiveServlet); false when it answered 405. */
  readonly isActive: boolean;
}

export type NameNodeHttpResult =
  | { readonly ok: true; readonly view: NameNodeHttpView }
  | { readonly ok: false; readonly failure: NameNodeHttpFailure };

/**
 * Reads the local NameNode's HTTP view. `read` never rejects and is bounded: within `timeoutMs`
 * it resolves to the view or to a failure, whatever the NameNode sends (or does not send).
 */
export interface NameNodeHttpReader {
  /** The NameNode's HTTP base URL, e.g. http://nn1.example.com:9870 (for status and logs). */
  readonly baseUrl: string;
  read(timeoutMs: number): Promise<NameNodeHttpResult>;
}

/**
 * Reads any NameNode's last transaction id over HTTP (NameNodeInfo.JournalTransactionInfo's
 * LastAppliedOrWrittenTxId): the cluster view's input for the readiness gate's lag and ranking.
 * `read` never rejects and is bounded by `timeoutMs`.
 */
export interface NameNodeTxidReader {
  read(
    namenode: NamenodeTarget,
    timeoutMs: number,
  ): Promise<{ readonly ok: true; readonly txid: number } | { readonly ok: false; readonly message: string }>;
}

// ---------------------------------------------------------------------------------------------
// The failover journal's local file

/**
 * The local copy of the failover journal (README "Failover journal"): one line per entry, kept
 * bounded by the adapter (the last entries only). `append` rejects on an I/O failure.
 */
export interface JournalFile {
  /** Where the file is, for logs. */
  readonly path: string;
  /** Append one line; `line` holds no line break. */
  append(line: string): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// The process's own JavaScript heap

/** What the heap holds resident, in two parts. */
export interface HeapUsage {
  /** The young generation (V8's new spaces): grows in a burst of allocation, shrinks in a quiet collection. */
  readonly youngBytes: number;
  /** Everything else: the old generation, code, large objects. */
  readonly oldBytes: number;
}

/**
 * The JavaScript heap of the daemon's process, for the heap reducer (runtime/heap-reducer.ts):
 * how much memory it holds from the system, and one full collection that gives back what it can.
 */
export interface ProcessHeap {
  usage(): HeapUsage;
  /**
   * One full, compacting garbage collection, on the caller's stack (tens of milliseconds for the
   * daemon's heap). With flushCode, the collection also drops the compiled code (bytecode) of
   * every function not running at that moment; a function compiles again when next called. False
   * when this runtime cannot collect (nothing was done).
   */
  compact(options: CompactOptions): boolean;
}

export interface CompactOptions {
  readonly flushCode: boolean;
}
