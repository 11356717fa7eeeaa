// The health poller: Hadoop HealthMonitor's loop and cadence (docs/hadoop-compat.md §6.1, §6.3), through the Clock.
// Each round calls getServiceStatus then monitorHealth on the local NameNode (lifeline address if
// configured) and reports the outcome as a HealthProbe value; the pure HealthMonitor classifies.
//   healthy / unhealthy (the port's HaCallError of kind 'unhealthy') → next round after check-interval;
//   anything else → close the client, next round after sleep-after-disconnect (new connection);
//   the client cannot be created → next attempt after connect-retry-interval.
// Faster than Hadoop where it is free (zkfc.health.probe-on-disconnect, on by default): when the
// client's TCP connection closes between rounds (the NameNode crashed or was killed), the next round
// starts at once instead of up to a check interval later, so a dead NameNode is noticed in
// milliseconds. Off, the poller keeps Hadoop's cadence. A round never overlaps another.
//
// Not promised: freshness. A hung NameNode is only noticed when the RPC timeout (45 s) expires.

import type { HealthProbe } from '../core/health/health-monitor.js';
import type { ServiceStatus } from '../core/types.js';
import { errorMessage } from '../errors.js';
import { HaCallError, type Cancel, type Clock, type HAServiceClient } from './ports.js';

/** The health monitor's settings (the `health` part of the daemon's typed settings). */
export interface HealthPollerSettings {
  /** ha.health-monitor.check-interval.ms */
  readonly checkIntervalMs: number;
  /** ha.health-monitor.connect-retry-interval.ms */
  readonly connectRetryIntervalMs: number;
  /** ha.health-monitor.rpc-timeout.ms */
  readonly rpcTimeoutMs: number;
  /** ha.health-monitor.sleep-after-disconnect.ms */
  readonly sleepAfterDisconnectMs: number;
  /** zkfc.health.probe-on-disconnect: probe at once when the NameNode connection closes. */
  readonly probeOnDisconnect: boolean;
}

/** An immediate round after a connection close waits at least this long after the previous round started. */
const MIN_ROUND_SPACING_MS = 50;

export interface HealthPollerOptions {
  readonly clock: Clock;
  /** Creates the client for the health address; may throw (a bad address): that counts as not responding. */
  readonly createClient: () => HAServiceClient;
  readonly health: HealthPollerSettings;
  /** Every round's outcome, with its duration. */
  readonly onProbe: (probe: HealthProbe, durationMs: number) => void;
  /** The poller itself broke (a bug): HEALTH_MONITOR_FAILED. */
  readonly onFailed: (reason: string) => void;
}

/** The NameNode answered monitorHealth: it is not healthy (Hadoop's HealthCheckFailedException). */
function isUnhealthy(error: unknown): error is HaCallError {
  return error instanceof HaCallError && error.kind === 'unhealthy';
}

export class HealthPoller {
  private running = false;
  private probing = false;
  private client: HAServiceClient | undefined;
  private unsubscribe: (() => void) | undefined;
  private timer: Cancel | undefined;
  private lastRoundStartMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: HealthPollerOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.scheduleRound(0);
  }

  stop(): void {
    this.running = false;
    this.timer?.();
    this.timer = undefined;
    this.dropClient();
  }

  get isRunning(): boolean {
    return this.running;
  }

  private scheduleRound(delayMs: number): void {
    this.timer?.();
    this.timer = this.options.clock.schedule(delayMs, () => {
      this.timer = undefined;
      void this.round();
    });
  }

  private onConnectionClosed(): void {
    if (!this.running || this.probing || !this.options.health.probeOnDisconnect) return;
    // Between rounds: probe at once (bounded by the minimum spacing) instead of waiting.
    const sinceLast = this.options.clock.monotonicMs() - this.lastRoundStartMs;
    this.scheduleRound(Math.max(0, MIN_ROUND_SPACING_MS - sinceLast));
  }

  private dropClient(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.client?.close();
    this.client = undefined;
  }

  private async round(): Promise<void> {
    if (!this.running || this.probing) return;
    this.probing = true;
    const { clock, health } = this.options;
    const startedMs = clock.monotonicMs();
    this.lastRoundStartMs = startedMs;
    let probe: HealthProbe;
    let nextDelayMs: number;
    try {
      if (this.client === undefined) {
        try {
          const client = this.options.createClient();
          this.client = client;
          this.unsubscribe = client.onConnectionClosed(() => this.onConnectionClosed());
        } catch (error) {
          this.probing = false;
          if (!this.running) return;
          this.options.onProbe(
            { kind: 'unreachable', reason: `Could not connect to local service: ${errorMessage(error)}` },
            clock.monotonicMs() - startedMs,
          );
          this.scheduleRound(health.connectRetryIntervalMs);
          return;
        }
      }
      const client = this.client;
      let status: ServiceStatus | undefined;
      try {
        status = await client.getServiceStatus(health.rpcTimeoutMs);
        await client.monitorHealth(health.rpcTimeoutMs);
        probe = { kind: 'healthy', status };
        nextDelayMs = health.checkIntervalMs;
      } catch (error) {
        if (isUnhealthy(error)) {
          probe =
            status === undefined
              ? { kind: 'unhealthy', reason: errorMessage(error) }
              : { kind: 'unhealthy', reason: errorMessage(error), status };
          nextDelayMs = health.checkIntervalMs;
        } else {
          // Transport-level failure (or any other exception): drop the connection, reconnect later.
          if (this.client === client) this.dropClient();
          probe = { kind: 'unreachable', reason: errorMessage(error) };
          nextDelayMs = health.sleepAfterDisconnectMs;
        }
      }
    } catch (error) {
      this.probing = false;
      if (this.running) {
        this.running = false;
        this.options.onFailed(`health poller failed: ${errorMessage(error)}`);
      }
      return;
    }
    this.probing = false;
    if (!this.running) return;
    this.options.onProbe(probe, clock.monotonicMs() - startedMs);
    if (this.running && this.timer === undefined) this.scheduleRound(nextDelayMs);
  }
}
