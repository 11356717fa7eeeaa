// The cluster view: every daemon asks every NameNode of its nameservice (its own included) for its
// HA state and health, on a timer of its own (zkfc.cluster-view.interval.ms), so each daemon can
// say how many NameNodes report ACTIVE and how long it has seen none (metrics, /status, the status
// page). Not a Hadoop feature: Hadoop's ZKFC only watches its own NameNode, and an operator finds
// two actives or none with `hdfs haadmin -getAllServiceState`.
//
// Off the election path: the view has its own HAServiceProtocol connections (one per NameNode,
// reopened after a failure), its own timer, and nothing in the failover logic reads what it finds.
// Bounded: both calls of a round (getServiceStatus, monitorHealth, as haadmin -getServiceState and
// -checkHealth make them) run at once with rpcTimeoutMs each, and a round that has not ended by its
// deadline (rpcTimeoutMs plus a margin) ends anyway with the late NameNodes as not responding.
// Rounds never overlap: the next one is scheduled when the previous one has ended (periodic-task.ts).

import type { HAServiceState, HealthState, NamenodeTarget } from '../core/types.js';
import type { Logger } from '../observability/logger.js';
import { boundText } from '../observability/untrusted.js';
import {
  HaCallError,
  type Clock,
  type HAServiceClient,
  type HAServiceClientFactory,
  type NameNodeTxidReader,
} from './ports.js';
import type { ClusterNamenodeObservation, ClusterViewRecord } from './records.js';
import { PeriodicTask } from './periodic-task.js';

/** Default of zkfc.cluster-view.interval.ms. */
export const CLUSTER_VIEW_INTERVAL_DEFAULT_MS = 5_000;
/** Longest a call of a round may take (haadmin status uses the same bound). Shorter when the interval is. */
export const CLUSTER_VIEW_RPC_TIMEOUT_MAX_MS = 5_000;
/** Room after the calls' own timeouts before a round is ended regardless. */
const ROUND_DEADLINE_MARGIN_MS = 500;
/** Longest NameNode text (error, not-ready reason) kept in a record. */
const TEXT_MAX_CHARS = 512;

export interface ClusterViewOptions {
  /** Every NameNode of the nameservice, in configuration order. */
  readonly namenodes: readonly NamenodeTarget[];
  readonly localNamenodeId: string;
  readonly clients: HAServiceClientFactory;
  /**
   * Reads each NameNode's last transaction id over HTTP in the same round (the readiness gate's lag
   * and ranking); absent: transaction ids are not read.
   */
  readonly txids?: NameNodeTxidReader;
  /** Pause between the end of one round and the start of the next (> 0). */
  readonly intervalMs: number;
  /** Timeout of each call (and connect); default min(intervalMs, CLUSTER_VIEW_RPC_TIMEOUT_MAX_MS). */
  readonly rpcTimeoutMs?: number;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** The call timeout the view uses for an interval (see CLUSTER_VIEW_RPC_TIMEOUT_MAX_MS). */
export function clusterViewRpcTimeoutMs(intervalMs: number): number {
  return Math.max(1, Math.min(intervalMs, CLUSTER_VIEW_RPC_TIMEOUT_MAX_MS));
}

export class ClusterView {
  private readonly clients = new Map<string, HAServiceClient>();
  private readonly listeners = new Set<(record: ClusterViewRecord) => void>();
  private readonly rpcTimeoutMs: number;
  private readonly startedMonotonicMs: number;
  private lastActiveSeenMonotonicMs: number | null = null;
  private lastActiveSeenWallMs: number | null = null;
  private latestRecord: ClusterViewRecord | undefined;
  private readonly task: PeriodicTask<ClusterViewRecord>;

  constructor(private readonly options: ClusterViewOptions) {
    this.rpcTimeoutMs = options.rpcTimeoutMs ?? clusterViewRpcTimeoutMs(options.intervalMs);
    this.startedMonotonicMs = options.clock.monotonicMs();
    this.task = new PeriodicTask({
      clock: options.clock,
      run: () => this.round(),
      delayAfter: () => options.intervalMs,
      onError: (error) => options.logger.error({ err: error }, 'cluster view round failed'),
    });
  }

  /** The last completed round, if any. */
  latest(): ClusterViewRecord | undefined {
    return this.latestRecord;
  }

  /** Called after every round. */
  onRound(listener: (record: ClusterViewRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Run a round now, then one every intervalMs after each ends. */
  start(): void {
    this.task.start();
  }

  /** Stop scheduling, wait for a round in progress (itself bounded), close the connections. */
  async stop(): Promise<void> {
    await this.task.stop();
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }

  /** One round; while one is in progress, its result (rounds never overlap). */
  runOnce(): Promise<ClusterViewRecord> {
    return this.task.runOnce();
  }

  private async round(): Promise<ClusterViewRecord> {
    const { clock } = this.options;
    const started = clock.monotonicMs();
    const namenodes = await Promise.all(this.options.namenodes.map((nn) => this.observe(nn)));
    const finished = clock.monotonicMs();
    const activeNamenodes = namenodes.filter((nn) => nn.state === 'ACTIVE').map((nn) => nn.namenodeId);
    if (activeNamenodes.length > 0) {
      this.lastActiveSeenMonotonicMs = finished;
      this.lastActiveSeenWallMs = clock.wallMs();
    }
    const record: ClusterViewRecord = {
      finishedAtWallMs: clock.wallMs(),
      durationMs: Math.max(0, finished - started),
      namenodes,
      activeNamenodes,
      noActiveSinceMonotonicMs:
        activeNamenodes.length > 0 ? null : (this.lastActiveSeenMonotonicMs ?? this.startedMonotonicMs),
      lastActiveSeenWallMs: this.lastActiveSeenWallMs,
    };
    this.logChanges(this.latestRecord, record);
    this.latestRecord = record;
    for (const listener of this.listeners) {
      try {
        listener(record);
      } catch (error) {
        this.options.logger.error({ err: error }, 'cluster view listener failed');
      }
    }
    return record;
  }

  /** Both calls at once on this NameNode's connection, ended by the round's deadline at the latest. */
  private async observe(nn: NamenodeTarget): Promise<ClusterNamenodeObservation> {
    const address = `${nn.serviceAddress.host}:${nn.serviceAddress.port}`;
    const local = nn.namenodeId === this.options.localNamenodeId;
    const client = this.clientFor(nn);
    const timeoutMs = this.rpcTimeoutMs;
    const late = new Error(`no answer within ${timeoutMs + ROUND_DEADLINE_MARGIN_MS} ms`);
    const txids = this.options.txids;
    const [status, health, txid] = await withDeadline(
      Promise.allSettled([
        client.getServiceStatus(timeoutMs),
        client.monitorHealth(timeoutMs),
        // Bounded on its own, inside the round's deadline: a hanging HTTP side must not make the
        // RPC answers of this NameNode count as late.
        txids === undefined
          ? Promise.resolve(null)
          : withDeadline(txids.read(nn, timeoutMs), timeoutMs + ROUND_DEADLINE_MARGIN_MS / 2, this.options.clock, null),
      ]),
      timeoutMs + ROUND_DEADLINE_MARGIN_MS,
      this.options.clock,
      [
        { status: 'rejected', reason: late },
        { status: 'rejected', reason: late },
        { status: 'rejected', reason: late },
      ] as const,
    );
    if (status.status === 'rejected' || health.status === 'rejected') this.dropClient(nn.namenodeId);
    const state: HAServiceState | null = status.status === 'fulfilled' ? status.value.state : null;
    const healthState: HealthState =
      health.status === 'fulfilled'
        ? 'SERVICE_HEALTHY'
        : health.reason instanceof HaCallError && health.reason.kind === 'unhealthy'
          ? 'SERVICE_UNHEALTHY'
          : 'SERVICE_NOT_RESPONDING';
    const errors = [status, health].flatMap((result) =>
      result.status === 'rejected' ? [reasonText(result.reason)] : [],
    );
    const notReadyReason = status.status === 'fulfilled' ? status.value.notReadyReason : undefined;
    return {
      namenodeId: nn.namenodeId,
      address,
      local,
      state,
      readyToBecomeActive: status.status === 'fulfilled' ? (status.value.readyToBecomeActive ?? null) : null,
      notReadyReason:
        notReadyReason === undefined || notReadyReason === '' ? null : boundText(notReadyReason, TEXT_MAX_CHARS),
      health: healthState,
      lastAppliedOrWrittenTxId: txid.status === 'fulfilled' && txid.value?.ok === true ? txid.value.txid : null,
      // Both calls usually fail for the same reason; say it once.
      error: errors.length === 0 ? null : boundText([...new Set(errors)].join('; '), TEXT_MAX_CHARS),
    };
  }

  private clientFor(nn: NamenodeTarget): HAServiceClient {
    let client = this.clients.get(nn.namenodeId);
    if (client === undefined) {
      client = this.options.clients.create(nn.serviceAddress, { connectTimeoutMs: this.rpcTimeoutMs });
      this.clients.set(nn.namenodeId, client);
    }
    return client;
  }

  /** After a failed or late call the connection may hold a stuck call: start the next round afresh. */
  private dropClient(namenodeId: string): void {
    this.clients.get(namenodeId)?.close();
    this.clients.delete(namenodeId);
  }

  /** One log line per change of what the view sees, never one per round. */
  private logChanges(before: ClusterViewRecord | undefined, after: ClusterViewRecord): void {
    const log = this.options.logger;
    const was = before?.activeNamenodes.join(',') ?? '';
    const now = after.activeNamenodes.join(',');
    if (before === undefined || was !== now) {
      const fields = { from: before === undefined ? null : before.activeNamenodes, to: after.activeNamenodes };
      if (after.activeNamenodes.length === 1) log.info(fields, 'cluster view: active NameNodes changed');
      else log.warn(fields, 'cluster view: active NameNodes changed');
    }
    for (const nn of after.namenodes) {
      const previous = before?.namenodes.find((p) => p.namenodeId === nn.namenodeId);
      const answered = nn.state !== null;
      if (previous === undefined ? !answered : answered !== (previous.state !== null)) {
        if (answered) log.info({ target: nn.namenodeId }, 'cluster view: NameNode answers again');
        else log.warn({ target: nn.namenodeId, error: nn.error }, 'cluster view: NameNode does not answer');
      }
    }
  }
}

function reasonText(reason: unknown): string {
  return reason instanceof Error ? reason.message : String(reason);
}

/** `promise`, or `fallback` once `ms` have passed on `clock`. */
function withDeadline<T>(promise: Promise<T>, ms: number, clock: Clock, fallback: T): Promise<T> {
  return new Promise<T>((resolve) => {
    const cancel = clock.schedule(ms, () => resolve(fallback));
    promise.then(
      (value) => {
        cancel();
        resolve(value);
      },
      () => {
        cancel();
        resolve(fallback);
      },
    );
  });
}
