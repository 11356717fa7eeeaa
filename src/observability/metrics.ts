// Every Prometheus metric the daemon exports, defined in this one file with a doc comment each,
// behind intention-named methods (recordHealthCheck, setHaState, recordFailover, ...) so no other
// module builds metric names or label strings.
//
// Conventions (https://prometheus.io/docs/practices/naming): `zkfc_` prefix, base units (seconds),
// `_total` on counters, `_info` for build metadata, and only bounded label values: states come
// from the closed lists in src/core/types.ts, and a fencing method is labelled by its configured
// name (`sshfence`, `shell`, `graceful`), never by its arguments (which may hold paths or hosts).
// Every label combination that can exist is created at zero up front, so `rate()` and absence
// checks in alert rules see a series from the first scrape rather than only after the first event.
//
// One Registry per daemon instance, never prom-client's global one: tests and several daemons in
// one process (the simulator) must not share counters. The nameservice and namenode ids, when
// given, are attached to every series as default labels, so alert rules can group by nameservice
// without relying on the scrape configuration.
//
// Not promised: metrics are observations for operators. Nothing in the failover logic reads them.

import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AntiFlapReport } from '../core/controller/commands.js';
import {
  ELECTOR_STATES,
  HA_SERVICE_STATES,
  HEALTH_STATES,
  type ElectorState,
  type HAServiceState,
  type HealthState,
} from '../core/types.js';
import {
  NAMENODE_HTTP_FAILURE_KINDS,
  type FenceAttempt,
  type FenceOutcome,
  type ZkSessionEvent,
} from '../runtime/ports.js';
import { registerProcessMetrics } from './process-metrics.js';
import { ZOOKEEPER_PROBLEMS, type ClusterViewRecord, type ZooKeeperProblem } from '../runtime/records.js';
import {
  FAILOVER_PHASES,
  FAILOVER_REASONS,
  ZK_CONNECTION_STATES,
  type FailoverRecord,
  type NameNodeHttpInput,
  type ZkConnectionState,
} from './status.js';

/**
 * Outcome of one health round (docs/hadoop-compat.md §6.3): both calls answered / HealthCheckFailedException /
 * transport failure.
 */
export const HEALTH_CHECK_OUTCOMES = ['healthy', 'unhealthy', 'unreachable'] as const;
export type HealthCheckOutcome = (typeof HEALTH_CHECK_OUTCOMES)[number];

/** Result of one fencing attempt; the same words as the Fencer port's FenceAttempt.outcome. */
export const FENCING_RESULTS = [
  'success',
  'failure',
  'timeout',
  'error',
] as const satisfies readonly FenceAttempt['outcome'][];
export type FencingResult = (typeof FENCING_RESULTS)[number];

/** Result of one whole fenceOldActive: stood down gracefully, fenced by a method, or not fenced at all. */
export const FENCING_OPERATION_RESULTS = ['graceful', 'fenced', 'failed'] as const;
export type FencingOperationResult = (typeof FENCING_OPERATION_RESULTS)[number];

/** Session events as the ZkSession port names them. */
export const ZK_SESSION_EVENTS = [
  'connected',
  'disconnected',
  'expired',
  'authFailed',
  'connectTimedOut',
] as const satisfies readonly ZkSessionEvent['state'][];
export type ZkSessionEventName = (typeof ZK_SESSION_EVENTS)[number];

/** HA transitions this ZKFC asks of its local NameNode (transitionToActive / ToStandby / ToObserver). */
export const TRANSITION_TARGETS = ['active', 'standby', 'observer'] as const;
export type TransitionTarget = (typeof TRANSITION_TARGETS)[number];
export const TRANSITION_RESULTS = ['success', 'failure'] as const;
export type TransitionResult = (typeof TRANSITION_RESULTS)[number];

/** Kinds of lock-holder change (anti-flap): counted automatic ones, and administrators' graceful ones. */
export const LOCK_HOLDER_CHANGE_KINDS = ['automatic', 'graceful'] as const;

/** Outcome of one read of the NameNode HTTP view: ok, or the port's failure kind. */
export const NAMENODE_HTTP_READ_RESULTS = ['ok', ...NAMENODE_HTTP_FAILURE_KINDS] as const;
export type NameNodeHttpReadResult = (typeof NAMENODE_HTTP_READ_RESULTS)[number];

/** The method label of the graceful transitionToStandby step of fencing (Fencer port convention). */
export const GRACEFUL_FENCE_METHOD = 'graceful';
const OTHER_LABEL = 'other';
const METHOD_NAME = /^\s*([A-Za-z_][A-Za-z0-9_.$-]{0,63})\s*(?:\(|$)/;

/**
 * The bounded label of a fencing method: its name without arguments. `sshfence(hdfs:2222)` →
 * `sshfence`, `shell(/usr/local/bin/fence.sh $target_host)` → `shell`, `graceful` → `graceful`.
 * Anything that does not start with a method name becomes `other`.
 */
export function fenceMethodLabel(method: string): string {
  const match = METHOD_NAME.exec(method);
  return match?.[1] ?? OTHER_LABEL;
}

// Buckets. Health checks: Hadoop's RPC timeout is 45 s, a healthy NameNode answers in
// milliseconds, so the buckets are dense at the low end and reach the timeout.
const HEALTH_CHECK_BUCKETS_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 45];
// Failover phases: detection is bounded by the ZooKeeper session timeout (10 s default) or the
// health RPC timeout (45 s); promotion by new-active.rpc-timeout (60 s); fencing by ssh/shell
// deadlines (30 s each, several methods).
const FAILOVER_PHASE_BUCKETS_SECONDS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180];

export interface ZkfcMetricsOptions {
  /** This daemon's version (package.json), exported in zkfc_build_info. */
  readonly version: string;
  /** Defaults to process.version. */
  readonly nodeVersion?: string;
  /** The HA master driven, zkfc_build_info's `service` label; default 'namenode'. */
  readonly service?: 'namenode' | 'resourcemanager';
  /** Attached to every series as the `nameservice` label when given (a ResourceManager's cluster id). */
  readonly nameservice?: string;
  /** Attached to every series as the `namenode` label when given. */
  readonly namenode?: string;
  /** Configured fencing methods (as configured, arguments allowed): their series start at zero. */
  readonly fencingMethods?: readonly string[];
  /**
   * The cluster view is on (zkfc.cluster-view.interval.ms > 0): the NameNode ids it asks (their
   * zkfc_cluster_* series start at zero) and the monotonic clock it counts "without an active" on.
   */
  readonly clusterView?: { readonly namenodes: readonly string[]; readonly monotonicMs: () => number };
  /** Node.js process metrics (process_*, nodejs_*: CPU, memory, heap, descriptors, event loop lag). Default true. */
  readonly processMetrics?: boolean;
  /**
   * The NameNode HTTP view is read (zkfc.namenode-http.interval.ms > 0): its up, reads and
   * mismatch series exist from the first scrape. Without it no zkfc_namenode_* series exists.
   */
  readonly namenodeHttpView?: boolean;
}

/** What the HTTP listener needs to serve /metrics. */
export interface MetricsSource {
  readonly contentType: string;
  metricsText(): Promise<string>;
}

/** The daemon's metrics. One instance per daemon; see the file comment. */
export class ZkfcMetrics implements MetricsSource {
  readonly registry: Registry;

  /** zkfc_build_info: always 1; labels carry the daemon and Node.js versions. */
  private readonly buildInfo: Gauge<'version' | 'node_version' | 'service'>;
  /**
   * zkfc_ha_state: 1 for the HAServiceState the local NameNode reported in the last successful
   * getServiceStatus, 0 for the others; all 0 while the NameNode is unreachable or not yet asked.
   */
  private readonly haState: Gauge<'state'>;
  /** zkfc_is_active: 1 while the local NameNode last reported ACTIVE, else 0. Sum by nameservice: must be 1. */
  private readonly isActive: Gauge;
  /** zkfc_health_state: 1 for the current HealthMonitor state (docs/hadoop-compat.md §6.2), 0 for the others. */
  private readonly healthState: Gauge<'state'>;
  /** zkfc_elector_state: 1 for the current ActiveStandbyElector state (INIT/ACTIVE/STANDBY/NEUTRAL). */
  private readonly electorState: Gauge<'state'>;
  /** zkfc_zk_connection_state: 1 for the ZooKeeper connection state (Hadoop's ConnectionState). */
  private readonly zkConnectionState: Gauge<'state'>;
  /** zkfc_zk_session_expirations_total: sessions the server expired under us (each forces a rejoin). */
  private readonly zkSessionExpirations: Counter;
  /**
   * zkfc_zk_connect_failures: failed ZooKeeper connection attempts in a row while the daemon stays
   * up and retries (zkfc.zookeeper.retry-forever); 0 once a session connects. Above 0 means out
   * of the election for want of ZooKeeper.
   */
  private readonly zkConnectFailures: Gauge;
  /** zkfc_maintenance_paused: 1 while an operator's maintenance pause holds this controller still. */
  private readonly maintenancePaused: Gauge;
  /** zkfc_maintenance_pause_end_timestamp_seconds: when the pause ends by itself; 0 when none holds. */
  private readonly maintenancePauseEnd: Gauge;
  /** zkfc_readiness_ready: 1 while the readiness gate lets the local NameNode become active (or is off). */
  private readonly readinessReady: Gauge;
  /** zkfc_readiness_lag_transactions: transactions behind the best other NameNode; -1 when not known. */
  private readonly readinessLag: Gauge;
  /** zkfc_zk_session_events_total: session events by kind (connected, disconnected, expired, ...). */
  private readonly zkSessionEvents: Counter<'event'>;
  /**
   * zkfc_lock_holder_changes_total: changes of the session holding the lock znode this ZKFC saw
   * (anti-flap's count), by kind: automatic (counted) or graceful (an administrator's, not counted).
   */
  private readonly lockHolderChanges: Counter<'kind'>;
  /** zkfc_failovers_held_back_total: failovers anti-flap held back (each hold-back once). */
  private readonly failoversHeldBack: Counter;
  /** zkfc_failover_held_back: 1 while anti-flap holds a failover back (this NameNode stays active though unhealthy). */
  private readonly failoverHeldBack: Gauge;
  /**
   * zkfc_health_check_duration_seconds: duration of one health round (getServiceStatus + monitorHealth), by outcome.
   */
  private readonly healthCheckDuration: Histogram<'outcome'>;
  /** zkfc_failovers_total: times this ZKFC made its NameNode active, by reason. */
  private readonly failovers: Counter<'reason'>;
  /** zkfc_failover_phase_duration_seconds: duration of each phase of a failover this ZKFC completed, and the total. */
  private readonly failoverPhaseDuration: Histogram<'phase'>;
  /** zkfc_last_failover_timestamp_seconds: wall-clock time this ZKFC last completed a failover; 0 if never. */
  private readonly lastFailoverTimestamp: Gauge;
  /** zkfc_fencing_attempts_total: fencing attempts against an old active, by method name and result. */
  private readonly fencingAttempts: Counter<'method' | 'result'>;
  /** zkfc_fencing_operations_total: whole fenceOldActive runs by result (graceful, fenced, failed). */
  private readonly fencingOperations: Counter<'result'>;
  /** zkfc_fencing_ready: 1 when the last preflight says the method could fence right now, else 0. */
  private readonly fencingReady: Gauge<'method'>;
  /** zkfc_transitions_total: HA transitions requested of the local NameNode, by target state and result. */
  private readonly transitions: Counter<'to' | 'result'>;
  /**
   * zkfc_zookeeper_problem: 1 while the ZooKeeper problem named by `problem` is present (ZOOKEEPER_PROBLEMS), else 0.
   */
  private readonly zookeeperProblem: Gauge<'problem'>;
  /** zkfc_namenode_http_view_up: 1 when the last read of the NameNode's HTTP view (JMX, /isActive) succeeded. */
  private readonly namenodeHttpViewUp: Gauge;
  /** zkfc_namenode_http_reads_total: reads of the NameNode HTTP view by result (ok or the failure kind). */
  private readonly namenodeHttpReads: Counter<'result'>;
  /** zkfc_namenode_http_view_timestamp_seconds: wall-clock time of the last good read (its age: time() - this). */
  private readonly namenodeHttpViewTimestamp: Gauge;
  /** zkfc_namenode_isactive_mismatch: 1 when /isActive disagrees with NameNodeStatus.State. */
  private readonly namenodeIsActiveMismatch: Gauge;
  /** zkfc_namenode_safemode: 1 when NameNodeInfo.Safemode is not empty (safe mode on), else 0. */
  private readonly namenodeSafemode: Gauge;
  /** zkfc_namenode_since_last_loaded_edits_seconds: FSNamesystem.MillisSinceLastLoadedEdits in seconds (0: active). */
  private readonly namenodeSinceLastLoadedEdits: Gauge;
  /** zkfc_namenode_last_applied_or_written_txid: NameNodeInfo JournalTransactionInfo.LastAppliedOrWrittenTxId. */
  private readonly namenodeLastAppliedOrWrittenTxid: Gauge;
  /** zkfc_namenode_most_recent_checkpoint_txid: NameNodeInfo JournalTransactionInfo.MostRecentCheckpointTxId. */
  private readonly namenodeMostRecentCheckpointTxid: Gauge;
  /** The view's value gauges are registered with the first good read (absent, not 0, before). */
  private namenodeViewRegistered = false;

  /** The zkfc_cluster_* families, present only while the cluster view is on. */
  private readonly cluster: ClusterMetrics | undefined;

  constructor(options: ZkfcMetricsOptions) {
    this.registry = new Registry();
    const defaultLabels: Record<string, string> = {};
    if (options.nameservice !== undefined) defaultLabels['nameservice'] = options.nameservice;
    if (options.namenode !== undefined) defaultLabels['namenode'] = options.namenode;
    this.registry.setDefaultLabels(defaultLabels);
    const registers = [this.registry];

    this.buildInfo = new Gauge({
      name: 'zkfc_build_info',
      help: 'Build information of the zkfc daemon; always 1.',
      labelNames: ['version', 'node_version', 'service'] as const,
      registers,
    });
    this.buildInfo.set(
      {
        version: options.version,
        node_version: options.nodeVersion ?? process.version,
        service: options.service ?? 'namenode',
      },
      1,
    );

    this.haState = new Gauge({
      name: 'zkfc_ha_state',
      help:
        'HA service state of the local NameNode as last reported by ' +
        'getServiceStatus (1 for the current state; all 0 when unknown).',
      labelNames: ['state'] as const,
      registers,
    });
    this.isActive = new Gauge({
      name: 'zkfc_is_active',
      help: '1 while the local NameNode last reported ACTIVE, else 0.',
      registers,
    });
    this.healthState = new Gauge({
      name: 'zkfc_health_state',
      help: 'HealthMonitor state of the local NameNode (1 for the current state).',
      labelNames: ['state'] as const,
      registers,
    });
    this.electorState = new Gauge({
      name: 'zkfc_elector_state',
      help: 'ActiveStandbyElector state (1 for the current state).',
      labelNames: ['state'] as const,
      registers,
    });
    this.zkConnectionState = new Gauge({
      name: 'zkfc_zk_connection_state',
      help: 'ZooKeeper connection state of the elector (1 for the current state).',
      labelNames: ['state'] as const,
      registers,
    });
    this.zkSessionExpirations = new Counter({
      name: 'zkfc_zk_session_expirations_total',
      help: 'ZooKeeper sessions expired by the server.',
      registers,
    });
    this.zkConnectFailures = new Gauge({
      name: 'zkfc_zk_connect_failures',
      help: 'Failed ZooKeeper connection attempts in a row while retrying out of the election; 0 when connected.',
      registers,
    });
    this.maintenancePaused = new Gauge({
      name: 'zkfc_maintenance_paused',
      help: 'Whether a maintenance pause (haadmin pause) holds this controller still: no transition, no fencing.',
      registers,
    });
    this.maintenancePauseEnd = new Gauge({
      name: 'zkfc_maintenance_pause_end_timestamp_seconds',
      help: 'When the current maintenance pause ends by itself (Unix time); 0 when none holds.',
      registers,
    });
    this.readinessReady = new Gauge({
      name: 'zkfc_readiness_ready',
      help: 'Whether the readiness gate lets the local NameNode become active (1; also when the gate is off).',
      registers,
    });
    this.readinessLag = new Gauge({
      name: 'zkfc_readiness_lag_transactions',
      help: 'Transactions the local NameNode is behind the best other NameNode of the nameservice; -1 when not known.',
      registers,
    });
    this.lockHolderChanges = new Counter({
      name: 'zkfc_lock_holder_changes_total',
      help: 'Changes of the ZooKeeper session holding the election lock seen by this ZKFC (anti-flap count), by kind.',
      labelNames: ['kind'] as const,
      registers,
    });
    this.failoversHeldBack = new Counter({
      name: 'zkfc_failovers_held_back_total',
      help: 'Automatic failovers held back by anti-flap (zkfc.anti-flap.max-failovers reached).',
      registers,
    });
    this.failoverHeldBack = new Gauge({
      name: 'zkfc_failover_held_back',
      help: '1 while anti-flap holds a failover back: the local NameNode stays active although unhealthy.',
      registers,
    });
    this.zkSessionEvents = new Counter({
      name: 'zkfc_zk_session_events_total',
      help: 'ZooKeeper session events by kind.',
      labelNames: ['event'] as const,
      registers,
    });
    this.healthCheckDuration = new Histogram({
      name: 'zkfc_health_check_duration_seconds',
      help: 'Duration of one health check round of the local NameNode, by outcome.',
      labelNames: ['outcome'] as const,
      buckets: HEALTH_CHECK_BUCKETS_SECONDS,
      registers,
    });
    this.failovers = new Counter({
      name: 'zkfc_failovers_total',
      help: 'Failovers completed by this ZKFC (its NameNode became active), by reason.',
      labelNames: ['reason'] as const,
      registers,
    });
    this.failoverPhaseDuration = new Histogram({
      name: 'zkfc_failover_phase_duration_seconds',
      help:
        'Duration of each phase of the failovers completed by this ' +
        'ZKFC (detection, election, fencing, promotion) and in total.',
      labelNames: ['phase'] as const,
      buckets: FAILOVER_PHASE_BUCKETS_SECONDS,
      registers,
    });
    this.lastFailoverTimestamp = new Gauge({
      name: 'zkfc_last_failover_timestamp_seconds',
      help: 'Unix time of the last failover completed by this ZKFC; 0 if none since start.',
      registers,
    });
    this.fencingAttempts = new Counter({
      name: 'zkfc_fencing_attempts_total',
      help: 'Fencing attempts against an old active NameNode, by method name and result.',
      labelNames: ['method', 'result'] as const,
      registers,
    });
    this.fencingOperations = new Counter({
      name: 'zkfc_fencing_operations_total',
      help: 'Complete fencing operations against an old active NameNode, by result.',
      labelNames: ['result'] as const,
      registers,
    });
    this.fencingReady = new Gauge({
      name: 'zkfc_fencing_ready',
      help: 'Whether the last preflight found the fencing method able to fence (1) or not (0).',
      labelNames: ['method'] as const,
      registers,
    });
    this.transitions = new Counter({
      name: 'zkfc_transitions_total',
      help: 'HA state transitions requested of the local NameNode, by target state and result.',
      labelNames: ['to', 'result'] as const,
      registers,
    });

    this.zookeeperProblem = new Gauge({
      name: 'zkfc_zookeeper_problem',
      help:
        'Whether a ZooKeeper problem that needs an operator is present (1) or not (0): ' +
        'acl-world-writable, lock-not-ephemeral, lock-holder-unknown, breadcrumb-refused, pause-unreadable, ' +
        'zookeeper-tls, zookeeper-sasl.',
      labelNames: ['problem'] as const,
      registers,
    });

    // The NameNode HTTP view: registered only when the view is read; its values only once known
    // (a made-up 0 would say "not in safe mode" about a NameNode never read).
    this.namenodeHttpViewUp = new Gauge({
      name: 'zkfc_namenode_http_view_up',
      help:
        "Whether the last read of the local NameNode's HTTP view (JMX beans and /isActive) " +
        'succeeded (1) or not (0).',
      registers: [],
    });
    this.namenodeHttpReads = new Counter({
      name: 'zkfc_namenode_http_reads_total',
      help: "Reads of the local NameNode's HTTP view, by result (ok or the failure kind).",
      labelNames: ['result'] as const,
      registers: [],
    });
    this.namenodeIsActiveMismatch = new Gauge({
      name: 'zkfc_namenode_isactive_mismatch',
      help: "Whether the NameNode's /isActive disagrees with its JMX NameNodeStatus.State (1) or not (0).",
      registers: [],
    });
    this.namenodeHttpViewTimestamp = new Gauge({
      name: 'zkfc_namenode_http_view_timestamp_seconds',
      help: "Unix time of the last good read of the local NameNode's HTTP view.",
      registers: [],
    });
    this.namenodeSafemode = new Gauge({
      name: 'zkfc_namenode_safemode',
      help: 'Whether the local NameNode is in safe mode (NameNodeInfo.Safemode not empty), as last read.',
      registers: [],
    });
    this.namenodeSinceLastLoadedEdits = new Gauge({
      name: 'zkfc_namenode_since_last_loaded_edits_seconds',
      help:
        'Seconds since the local standby NameNode last loaded edits ' +
        '(FSNamesystem.MillisSinceLastLoadedEdits; 0 on an active), as last read.',
      registers: [],
    });
    this.namenodeLastAppliedOrWrittenTxid = new Gauge({
      name: 'zkfc_namenode_last_applied_or_written_txid',
      help:
        "The local NameNode's last applied or written transaction id " +
        '(NameNodeInfo JournalTransactionInfo), as last read.',
      registers: [],
    });
    this.namenodeMostRecentCheckpointTxid = new Gauge({
      name: 'zkfc_namenode_most_recent_checkpoint_txid',
      help:
        "The local NameNode's most recent checkpoint transaction id " +
        '(NameNodeInfo JournalTransactionInfo), as last read.',
      registers: [],
    });
    if (options.namenodeHttpView === true) {
      for (const metric of [this.namenodeHttpViewUp, this.namenodeHttpReads, this.namenodeIsActiveMismatch])
        this.registry.registerMetric(metric);
      this.namenodeHttpViewUp.set(0);
      this.namenodeIsActiveMismatch.set(0);
      for (const result of NAMENODE_HTTP_READ_RESULTS) this.namenodeHttpReads.inc({ result }, 0);
    }

    // Start every series that can exist, so the first scrape already shows them (see file comment).
    this.setHaState(null);
    this.setHealthState('INITIALIZING');
    this.setElectorState('INIT');
    this.setZkConnectionState('DISCONNECTED');
    this.zkSessionExpirations.inc(0);
    this.zkConnectFailures.set(0);
    this.maintenancePaused.set(0);
    this.maintenancePauseEnd.set(0);
    this.readinessReady.set(1);
    this.readinessLag.set(-1);
    for (const event of ZK_SESSION_EVENTS) this.zkSessionEvents.inc({ event }, 0);
    for (const kind of LOCK_HOLDER_CHANGE_KINDS) this.lockHolderChanges.inc({ kind }, 0);
    this.failoversHeldBack.inc(0);
    this.failoverHeldBack.set(0);
    for (const outcome of HEALTH_CHECK_OUTCOMES) this.healthCheckDuration.zero({ outcome });
    for (const reason of FAILOVER_REASONS) this.failovers.inc({ reason }, 0);
    for (const phase of FAILOVER_PHASES) this.failoverPhaseDuration.zero({ phase });
    this.lastFailoverTimestamp.set(0);
    for (const result of FENCING_OPERATION_RESULTS) this.fencingOperations.inc({ result }, 0);
    for (const method of [GRACEFUL_FENCE_METHOD, ...(options.fencingMethods ?? [])]) {
      for (const result of FENCING_RESULTS) this.fencingAttempts.inc({ method: fenceMethodLabel(method), result }, 0);
    }
    for (const to of TRANSITION_TARGETS) {
      for (const result of TRANSITION_RESULTS) this.transitions.inc({ to, result }, 0);
    }
    for (const problem of ZOOKEEPER_PROBLEMS) this.zookeeperProblem.set({ problem }, 0);

    this.cluster = options.clusterView === undefined ? undefined : new ClusterMetrics(options.clusterView, registers);

    if (options.processMetrics ?? true) {
      registerProcessMetrics(this.registry);
      // prom-client exports a few gauges named *_total (nodejs_active_handles_total, ...), which
      // break the naming rule and fail `promtool check metrics`; drop them rather than ship lint.
      for (const metric of this.registry.getMetricsAsArray()) {
        if (metric.name.endsWith('_total') && String(metric.type) !== 'counter')
          this.registry.removeSingleMetric(metric.name);
      }
    }
  }

  /** Prometheus text exposition content type, for the Content-Type header. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** The text exposition of every metric (what GET /metrics serves). */
  metricsText(): Promise<string> {
    return this.registry.metrics();
  }

  /** The state from the last successful getServiceStatus, or null when the NameNode is unreachable / not yet asked. */
  setHaState(state: HAServiceState | null): void {
    setOneOf(this.haState, HA_SERVICE_STATES, state);
    this.isActive.set(state === 'ACTIVE' ? 1 : 0);
  }

  setHealthState(state: HealthState): void {
    setOneOf(this.healthState, HEALTH_STATES, state);
  }

  setElectorState(state: ElectorState): void {
    setOneOf(this.electorState, ELECTOR_STATES, state);
  }

  setZkConnectionState(state: ZkConnectionState): void {
    setOneOf(this.zkConnectionState, ZK_CONNECTION_STATES, state);
  }

  /** A maintenance pause holds until this wall-clock time (ms), or none does (null). */
  setMaintenancePause(untilWallMs: number | null): void {
    this.maintenancePaused.set(untilWallMs === null ? 0 : 1);
    this.maintenancePauseEnd.set(untilWallMs === null ? 0 : untilWallMs / 1000);
  }

  /** The readiness gate's verdict: ready or not, and the lag behind the best peer (null: not known). */
  setReadiness(ready: boolean, lagTxns: number | null): void {
    this.readinessReady.set(ready ? 1 : 0);
    this.readinessLag.set(lagTxns ?? -1);
  }

  /** Failed connection attempts in a row (null: an attempt is under way, the count stays). */
  setZooKeeperRetry(failures: number | null): void {
    if (failures !== null) this.zkConnectFailures.set(failures);
  }

  /** Anti-flap: a lock-holder change seen, a failover held back, or a hold-back ended. */
  recordAntiFlap(report: AntiFlapReport): void {
    switch (report.kind) {
      case 'lockHolderChanged':
        this.lockHolderChanges.inc({ kind: report.counted ? 'automatic' : 'graceful' });
        return;
      case 'failoverHeldBack':
        this.failoversHeldBack.inc();
        this.failoverHeldBack.set(1);
        return;
      case 'holdBackEnded':
        this.failoverHeldBack.set(0);
        return;
    }
  }

  /** Count one session event; an `expired` also counts in zkfc_zk_session_expirations_total. */
  recordZkSessionEvent(event: ZkSessionEventName): void {
    this.zkSessionEvents.inc({ event });
    if (event === 'expired') this.zkSessionExpirations.inc();
  }

  /** One health round of the local NameNode took `durationSeconds` and ended with `outcome`. */
  recordHealthCheck(outcome: HealthCheckOutcome, durationSeconds: number): void {
    this.healthCheckDuration.observe({ outcome }, nonNegative(durationSeconds));
  }

  /**
   * A failover this ZKFC completed (its NameNode is now active): counts it by reason, observes each
   * phase and the total, and sets the last-failover timestamp.
   */
  recordFailover(record: FailoverRecord): void {
    this.failovers.inc({ reason: record.reason });
    const { phases } = record;
    this.failoverPhaseDuration.observe({ phase: 'detection' }, msToSeconds(phases.detectionMs));
    this.failoverPhaseDuration.observe({ phase: 'election' }, msToSeconds(phases.electionMs));
    this.failoverPhaseDuration.observe({ phase: 'fencing' }, msToSeconds(phases.fencingMs));
    this.failoverPhaseDuration.observe({ phase: 'promotion' }, msToSeconds(phases.promotionMs));
    this.failoverPhaseDuration.observe({ phase: 'total' }, msToSeconds(record.durationMs));
    this.lastFailoverTimestamp.set(msToSeconds(record.atWallMs));
  }

  /**
   * One fencing attempt (a Fencer listener hook calls this per attempt). `method` is the method as
   * configured, e.g. `sshfence(hdfs:22)`, or `graceful`; only its name becomes the label.
   * Do not also call recordFenceOutcome for the same run: that would count the attempts twice.
   */
  recordFencingAttempt(method: string, result: FencingResult): void {
    this.fencingAttempts.inc({ method: fenceMethodLabel(method), result });
  }

  /** One whole fenceOldActive run ended with `result`. */
  recordFencingOperation(result: FencingOperationResult): void {
    this.fencingOperations.inc({ result });
  }

  /** Convenience for callers that only see the Fencer port's result: records every attempt and the operation. */
  recordFenceOutcome(outcome: FenceOutcome): void {
    for (const attempt of outcome.attempts) this.recordFencingAttempt(attempt.method, attempt.outcome);
    this.recordFencingOperation(outcome.fenced ? (outcome.graceful ? 'graceful' : 'fenced') : 'failed');
  }

  /** Readiness of one fencing method (as configured; only its name becomes the label). */
  setFencingReady(method: string, ready: boolean): void {
    this.fencingReady.set({ method: fenceMethodLabel(method) }, ready ? 1 : 0);
  }

  /**
   * Readiness of all configured methods at once (replaces the previous set). Methods sharing a
   * name, e.g. two `shell(...)` entries, share one series that is 1 only if all of them are ready.
   */
  setFencingReadiness(entries: readonly { readonly method: string; readonly ready: boolean }[]): void {
    const byLabel = new Map<string, boolean>();
    for (const { method, ready } of entries) {
      const label = fenceMethodLabel(method);
      byLabel.set(label, (byLabel.get(label) ?? true) && ready);
    }
    this.fencingReady.reset();
    for (const [method, ready] of byLabel) this.fencingReady.set({ method }, ready ? 1 : 0);
  }

  /** A ZooKeeper problem appeared (true) or went away (false). */
  setZooKeeperProblem(problem: ZooKeeperProblem, present: boolean): void {
    this.zookeeperProblem.set({ problem }, present ? 1 : 0);
  }

  /**
   * One read of the NameNode HTTP view ended with `result`; `view` is the poller's snapshot after
   * it (the last good view is kept while reads fail, so its values stay as last read).
   */
  recordNameNodeHttpRead(result: NameNodeHttpReadResult, view: NameNodeHttpInput): void {
    this.namenodeHttpReads.inc({ result });
    this.namenodeHttpViewUp.set(view.up ? 1 : 0);
    this.namenodeIsActiveMismatch.set(view.isActiveMismatch ? 1 : 0);
    const latest = view.view;
    if (latest === null) return;
    if (!this.namenodeViewRegistered) {
      this.namenodeViewRegistered = true;
      for (const metric of [
        this.namenodeHttpViewTimestamp,
        this.namenodeSafemode,
        this.namenodeSinceLastLoadedEdits,
        this.namenodeLastAppliedOrWrittenTxid,
        this.namenodeMostRecentCheckpointTxid,
      ])
        this.registry.registerMetric(metric);
    }
    if (view.viewAtWallMs !== null) this.namenodeHttpViewTimestamp.set(msToSeconds(view.viewAtWallMs));
    this.namenodeSafemode.set(latest.inSafemode ? 1 : 0);
    this.namenodeSinceLastLoadedEdits.set(msToSeconds(latest.millisSinceLastLoadedEdits));
    this.namenodeLastAppliedOrWrittenTxid.set(latest.lastAppliedOrWrittenTxId);
    this.namenodeMostRecentCheckpointTxid.set(latest.mostRecentCheckpointTxId);
  }

  /** The local NameNode was asked to transition to `to`, with `result`. */
  recordTransition(to: TransitionTarget, result: TransitionResult): void {
    this.transitions.inc({ to, result });
  }

  /** A round of the cluster view ended (no-op while the view is off). */
  setClusterView(record: ClusterViewRecord): void {
    this.cluster?.set(record);
  }
}

/** States zkfc_cluster_namenode_health takes (HealthMonitor's words; INITIALIZING before the first round). */
const CLUSTER_HEALTH_STATES = [
  'INITIALIZING',
  'SERVICE_HEALTHY',
  'SERVICE_UNHEALTHY',
  'SERVICE_NOT_RESPONDING',
] as const satisfies readonly HealthState[];

/**
 * The cluster view's metrics: what this daemon sees of every NameNode of its nameservice. The
 * NameNode a series is about is the `observed_namenode` label (`namenode` is this daemon's own).
 */
class ClusterMetrics {
  /** zkfc_cluster_active_namenodes: NameNodes that answered ACTIVE in the last round (0 before the first). */
  private readonly activeNamenodes: Gauge;
  /** zkfc_cluster_namenode_state: 1 for the state each NameNode answered in the last round; all 0 without answer. */
  private readonly namenodeState: Gauge<'observed_namenode' | 'state'>;
  /** zkfc_cluster_namenode_health: 1 for each NameNode's monitorHealth verdict in the last round. */
  private readonly namenodeHealth: Gauge<'observed_namenode' | 'state'>;
  /** zkfc_cluster_view_timestamp_seconds: Unix time the last round ended; 0 before the first. */
  private readonly timestamp: Gauge;
  private noActiveSinceMs: number | null;

  constructor(
    options: { readonly namenodes: readonly string[]; readonly monotonicMs: () => number },
    registers: Registry[],
  ) {
    this.noActiveSinceMs = options.monotonicMs();
    const view = (): number | null => this.noActiveSinceMs;
    this.activeNamenodes = new Gauge({
      name: 'zkfc_cluster_active_namenodes',
      help: 'NameNodes of the nameservice that answered ACTIVE to this zkfc in its last cluster-view round.',
      registers,
    });
    // zkfc_cluster_seconds_without_active: 0 while the last round saw a NameNode answer ACTIVE;
    // else the seconds since the end of the last round that saw one (since the view started if
    // none has), computed at scrape time. Registered only: its collect() reads the view's state.
    new Gauge({
      name: 'zkfc_cluster_seconds_without_active',
      help:
        'Seconds since this zkfc last saw a NameNode of its nameservice answer ACTIVE ' +
        '(end of the last cluster-view round that saw one, or the start of the view); 0 while it sees one.',
      registers,
      collect() {
        const since = view();
        this.set(since === null ? 0 : Math.max(0, options.monotonicMs() - since) / 1000);
      },
    });
    this.namenodeState = new Gauge({
      name: 'zkfc_cluster_namenode_state',
      help:
        'HA state each NameNode of the nameservice (observed_namenode) answered to this zkfc in the ' +
        'last cluster-view round (1 for the state; all 0 when it did not answer).',
      labelNames: ['observed_namenode', 'state'] as const,
      registers,
    });
    this.namenodeHealth = new Gauge({
      name: 'zkfc_cluster_namenode_health',
      help:
        'monitorHealth of each NameNode of the nameservice (observed_namenode) in the last ' +
        'cluster-view round (1 for the state).',
      labelNames: ['observed_namenode', 'state'] as const,
      registers,
    });
    this.timestamp = new Gauge({
      name: 'zkfc_cluster_view_timestamp_seconds',
      help: 'Unix time the last cluster-view round of this zkfc ended; 0 before the first.',
      registers,
    });
    this.activeNamenodes.set(0);
    this.timestamp.set(0);
    for (const id of options.namenodes) {
      for (const state of HA_SERVICE_STATES) this.namenodeState.set({ observed_namenode: id, state }, 0);
      for (const state of CLUSTER_HEALTH_STATES)
        this.namenodeHealth.set({ observed_namenode: id, state }, state === 'INITIALIZING' ? 1 : 0);
    }
  }

  set(record: ClusterViewRecord): void {
    this.noActiveSinceMs = record.noActiveSinceMonotonicMs;
    this.activeNamenodes.set(record.activeNamenodes.length);
    this.timestamp.set(msToSeconds(record.finishedAtWallMs));
    for (const nn of record.namenodes) {
      for (const state of HA_SERVICE_STATES)
        this.namenodeState.set({ observed_namenode: nn.namenodeId, state }, state === nn.state ? 1 : 0);
      for (const state of CLUSTER_HEALTH_STATES)
        this.namenodeHealth.set({ observed_namenode: nn.namenodeId, state }, state === nn.health ? 1 : 0);
    }
  }
}

function setOneOf<S extends string>(gauge: Gauge<'state'>, states: readonly S[], current: S | null): void {
  for (const state of states) gauge.set({ state }, state === current ? 1 : 0);
}

function nonNegative(value: number): number {
  return Number.isFinite(value) && value > 0 ? value : 0;
}

function msToSeconds(ms: number): number {
  return nonNegative(ms) / 1000;
}
