// Anti-flap (not in Hadoop; README "Anti-flap"): at most `maxFailovers` automatic failovers in a
// sliding window of `windowMs`. This file keeps the count; the controller decides with it.
//
// What counts is what every ZKFC of the nameservice can see for itself in ZooKeeper: a change of
// the session that holds the lock znode. A standby sees the holder's session through exists()
// (stat.ephemeralOwner) after a NodeDeleted watch or when it joins; a winner sees its own create
// succeed. Both sides of a flap therefore count the same changes (a ZKFC out of the election sees
// the change late, when it joins again, which only makes its count lag, never exceed). The first
// holder a process sees is not a change (nothing before it is known), and a change seen while a
// graceful failover is expected (this ZKFC is its target, or was asked to cede) is not counted:
// administrators' failovers neither count nor are held back. The same NameNode winning again with
// a new session (after its session expired) is a change too: the count cannot tell sessions of one
// NameNode from another's, and counting it only makes holding back more likely in the one case
// where holding back is safe (see the controller's holdBackFailover).
//
// Pure: times are the controller's monotonic milliseconds; nothing here survives a restart (a
// restarted daemon starts from an empty window, i.e. as Hadoop behaves).

/** zkfc.anti-flap.max-failovers (0 = off) and zkfc.anti-flap.window.ms. */
export interface AntiFlapConfig {
  readonly maxFailovers: number;
  readonly windowMs: number;
}

/** The stable text of why a failover is held back (the controller's log line, /status, haadmin status). */
export function heldBackReason(failoversInWindow: number, windowMs: number, maxFailovers: number): string {
  return (
    `${failoversInWindow} automatic failovers in the last ${windowMs} ms (limit ${maxFailovers}); ` +
    'the local NameNode answers but is unhealthy'
  );
}

/** What one observation of the lock holder meant for the count. */
export type HolderObservation = 'first' | 'same' | 'counted' | 'graceful';

export class AntiFlapWindow {
  private lastHolder: bigint | undefined;
  /** Monotonic times of the counted changes, oldest first, none older than the window. */
  private times: number[] = [];
  /** A holder change seen until this time is an administrator's graceful failover. */
  private gracefulUntilMs = Number.NEGATIVE_INFINITY;

  constructor(readonly config: AntiFlapConfig) {}

  get enabled(): boolean {
    return this.config.maxFailovers > 0 && this.config.windowMs > 0;
  }

  /**
   * The lock znode is held by `sessionId` (seen at `nowMs`); `graceful` when this ZKFC knows a
   * graceful failover is under way (it is its target).
   */
  observeHolder(sessionId: bigint, nowMs: number, graceful: boolean): HolderObservation {
    const previous = this.lastHolder;
    this.lastHolder = sessionId;
    if (previous === undefined) return 'first';
    if (previous === sessionId) return 'same';
    if (graceful || nowMs <= this.gracefulUntilMs) {
      this.gracefulUntilMs = Number.NEGATIVE_INFINITY;
      return 'graceful';
    }
    this.prune(nowMs);
    this.times.push(nowMs);
    // Only the newest maxFailovers matter for the decision; keep the list bounded either way.
    const keep = Math.max(1, this.config.maxFailovers);
    if (this.times.length > keep) this.times = this.times.slice(this.times.length - keep);
    return 'counted';
  }

  /** cedeActive(millisToCede): the next holder change until the cede ends (plus as long again) is graceful. */
  expectGraceful(untilMs: number): void {
    this.gracefulUntilMs = Math.max(this.gracefulUntilMs, untilMs);
  }

  /** Counted changes within the window ending at `nowMs`. */
  countInWindow(nowMs: number): number {
    this.prune(nowMs);
    return this.times.length;
  }

  /** The counted changes still in the window (monotonic ms, oldest first). */
  recent(nowMs: number): readonly number[] {
    this.prune(nowMs);
    return [...this.times];
  }

  /** True when the limit is reached at `nowMs`: one more automatic failover would exceed it. */
  limitReached(nowMs: number): boolean {
    return this.enabled && this.countInWindow(nowMs) >= this.config.maxFailovers;
  }

  /**
   * How long until the limit is no longer reached (the change that makes it so leaves the window);
   * 0 when it is not reached now.
   */
  releaseInMs(nowMs: number): number {
    if (!this.limitReached(nowMs)) return 0;
    const oldestThatMatters = this.times[this.times.length - this.config.maxFailovers] ?? nowMs;
    return Math.max(1, oldestThatMatters + this.config.windowMs - nowMs);
  }

  private prune(nowMs: number): void {
    const cutoff = nowMs - this.config.windowMs;
    let drop = 0;
    while (drop < this.times.length && (this.times[drop] ?? 0) <= cutoff) drop++;
    if (drop > 0) this.times = this.times.slice(drop);
  }
}
