// Failover episodes: the timestamps of one failover, from noticing the old active's loss to the
// local NameNode becoming active, turned into the phase durations of a FailoverReport (metrics,
// /status). Observation only: no decision of the controller depends on anything here.
//
// An episode opens when the loss of the lock is seen (lock deleted, session expired), when this
// ZKFC starts contending for the lock, or when a graceful failover to it starts; it ends when the
// local NameNode becomes active (finish) or when the elector settles as STANDBY or leaves (INIT).

import type { ElectorSnapshot } from '../elector/elector.js';
import { bytesEqual } from '../note.js';
import type { ControllerEvent } from './events.js';
import type { FailoverReason, FailoverReport } from './commands.js';

interface Episode {
  lossNoticedAtMs: number | undefined;
  contendSinceMs: number | undefined;
  breadcrumbReadAtMs: number | undefined;
  fenceStartMs: number | undefined;
  fenceEndMs: number | undefined;
  oldActive: string | null;
  reelected: boolean;
}

export class FailoverEpisodes {
  private episode: Episode | undefined;

  /**
   * @param localNamenodeId the NameNode this ZKFC makes active
   * @param appData our ActiveNodeInfo bytes (a breadcrumb equal to them means "reelected")
   */
  constructor(
    private readonly localNamenodeId: string,
    private readonly appData: Uint8Array,
  ) {}

  /** An event of the elector's current session, seen before the elector handles it. */
  observe(event: ControllerEvent, elector: ElectorSnapshot, nowMs: number, gracefulSinceMs: number | undefined): void {
    const current = 'epoch' in event && event.epoch === elector.epoch;
    if (!current) return;
    if (
      (event.type === 'LockWatchFired' && event.watchType === 'NodeDeleted') ||
      (event.type === 'LockMonitorFinished' && event.code === 'NONODE') ||
      (event.type === 'ZkSessionStateChanged' && event.state === 'expired')
    ) {
      const episode = this.open(gracefulSinceMs);
      episode.lossNoticedAtMs ??= nowMs;
    }
    if (event.type === 'BreadcrumbReadFinished' && elector.activationStep === 'readingBreadcrumb') {
      const episode = this.open(gracefulSinceMs);
      // A new attempt: forget the fencing of an earlier failed attempt in this episode.
      episode.fenceStartMs = undefined;
      episode.fenceEndMs = undefined;
      if (event.code === 'OK' && event.data !== undefined) {
        episode.breadcrumbReadAtMs = nowMs;
        episode.reelected = bytesEqual(event.data, this.appData);
        episode.oldActive = episode.reelected
          ? this.localNamenodeId
          : event.decoded?.ok === true
            ? event.decoded.info.namenodeId
            : null;
      } else if (event.code === 'NONODE') {
        episode.breadcrumbReadAtMs = nowMs;
        episode.reelected = false;
        episode.oldActive = null;
      }
    }
  }

  /** The elector asked to create the lock znode: we contend from now on. */
  contending(nowMs: number, gracefulSinceMs: number | undefined): void {
    this.open(gracefulSinceMs).contendSinceMs ??= nowMs;
  }

  /** Fencing of the old active starts (`oldActive` null when the breadcrumb named no usable target). */
  fenceStarted(nowMs: number, oldActive: string | null, gracefulSinceMs: number | undefined): void {
    const episode = this.open(gracefulSinceMs);
    episode.fenceStartMs = nowMs;
    if (oldActive !== null) episode.oldActive = oldActive;
  }

  fenceEnded(nowMs: number): void {
    if (this.episode !== undefined) this.episode.fenceEndMs = nowMs;
  }

  electorStateChanged(to: string): void {
    // ACTIVE is reported by the transition result (finish); losing or leaving ends the episode.
    if (to === 'STANDBY' || to === 'INIT') this.episode = undefined;
  }

  /** The local NameNode became active: the episode as a FailoverReport (undefined when none was open). */
  finish(nowMs: number, graceful: boolean): FailoverReport | undefined {
    const episode = this.episode;
    this.episode = undefined;
    if (episode === undefined) return undefined;
    const contendSince = episode.contendSinceMs ?? nowMs;
    const lossNoticed = Math.min(episode.lossNoticedAtMs ?? contendSince, contendSince);
    const breadcrumbRead = episode.breadcrumbReadAtMs ?? contendSince;
    const fenced = episode.fenceStartMs !== undefined && episode.fenceEndMs !== undefined;
    const fencingMs = fenced ? (episode.fenceEndMs ?? 0) - (episode.fenceStartMs ?? 0) : 0;
    const promotionStart = fenced ? (episode.fenceEndMs ?? breadcrumbRead) : breadcrumbRead;
    let reason: FailoverReason;
    if (graceful) reason = 'graceful';
    else if (episode.reelected) reason = 'reelected';
    else if (episode.oldActive === null) reason = 'initial';
    else reason = 'election';
    return {
      from: episode.oldActive,
      to: this.localNamenodeId,
      reason,
      durationMs: Math.max(0, nowMs - lossNoticed),
      phases: {
        detectionMs: Math.max(0, contendSince - lossNoticed),
        electionMs: Math.max(0, breadcrumbRead - contendSince),
        fencingMs: Math.max(0, fencingMs),
        promotionMs: Math.max(0, nowMs - promotionStart),
      },
    };
  }

  private open(gracefulSinceMs: number | undefined): Episode {
    this.episode ??= {
      lossNoticedAtMs: gracefulSinceMs,
      contendSinceMs: undefined,
      breadcrumbReadAtMs: undefined,
      fenceStartMs: undefined,
      fenceEndMs: undefined,
      oldActive: null,
      reelected: false,
    };
    return this.episode;
  }
}
