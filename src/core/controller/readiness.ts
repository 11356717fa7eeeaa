// The readiness gate (not in Hadoop; README "Readiness-gated promotion", docs/hadoop-compat.md
// §6.7): whether the local NameNode is fit to be made active, as a pure function of what the
// daemon last saw: getServiceStatus's readyToBecomeActive, the NameNode's HTTP view (safe mode,
// milliseconds since its tailer last loaded edits, its last transaction id) and the cluster view
// (every other NameNode's state, health and last transaction id, and how long no NameNode has
// been active). The controller stays out of the election while the verdict is "not ready" and
// refuses graceful failovers to it; the verdict's candidacy delay handicaps a standby that is
// behind another healthy standby in the race for a free lock, so the most caught-up one wins.
//
// Why it cannot deadlock: when no NameNode has been active for escapeAfterMs, the most caught-up
// healthy standby is ready whatever blocks it (the escape hatch); with QJM a lagging standby loses
// no edits (transitionToActive reads the journal to its end first), it only takes longer, so
// promoting it is safe, just slower than promoting a caught-up one.
//
// Why it never blocks on a broken side channel: only what was read counts. An HTTP view that fails
// removes the HTTP-based checks (the RPC's readyToBecomeActive still counts); a peer whose
// transaction id is unknown is left out of the lag and the ranking.

import type { HAServiceState, HealthState } from '../types.js';

export interface ReadinessPolicy {
  /** zkfc.readiness.enabled: false makes every verdict "ready", with no delay (Hadoop's behaviour). */
  readonly enabled: boolean;
  /** zkfc.readiness.max-edits-age.ms: a standby whose tailer has not loaded edits for longer is stale (0: off). */
  readonly maxEditsAgeMs: number;
  /** zkfc.readiness.max-lag-txns: more transactions behind the best other standby than this is stale (0: off). */
  readonly maxLagTxns: number;
  /** zkfc.readiness.escape-after.ms: with no active NameNode for this long, the best standby goes anyway. */
  readonly escapeAfterMs: number;
  /** zkfc.readiness.race-handicap.ms: delay per healthy standby ahead of us in the race for the lock (0: off). */
  readonly raceHandicapMs: number;
}

/** The local NameNode's HTTP view as the gate needs it. */
export type LocalHttpReadiness =
  /** No HTTP view configured (no dfs.namenode.http-address for this NameNode). */
  | { readonly kind: 'off' }
  /** Configured, but no read has ended since the daemon started. */
  | { readonly kind: 'pending' }
  /** The last read failed: the HTTP-based checks are left out. */
  | { readonly kind: 'failed'; readonly reason: string }
  | {
      readonly kind: 'read';
      readonly state: HAServiceState;
      readonly safemode: string;
      readonly millisSinceLastLoadedEdits: number;
      readonly lastAppliedOrWrittenTxId: number;
    };

/** Another NameNode of the nameservice as the cluster view last saw it. */
export interface PeerReadiness {
  readonly namenodeId: string;
  readonly state: HAServiceState | null;
  readonly health: HealthState;
  readonly readyToBecomeActive: boolean | null;
  /** NameNodeInfo.JournalTransactionInfo.LastAppliedOrWrittenTxId, null when not read. */
  readonly lastAppliedOrWrittenTxId: number | null;
}

export interface ReadinessInput {
  readonly nowMs: number;
  readonly localNamenodeId: string;
  /** getServiceStatus's readyToBecomeActive and notReadyReason of the last health round (undefined: none yet). */
  readonly serviceReady: { readonly ready: boolean; readonly reason: string } | undefined;
  readonly http: LocalHttpReadiness;
  /** Empty before the cluster view's first round (or without a cluster view). */
  readonly peers: readonly PeerReadiness[];
  /** Monotonic ms since which the cluster view has seen no active NameNode; null: one is active, or not known. */
  readonly noActiveSinceMs: number | null;
}

export interface Readiness {
  readonly ready: boolean;
  /** Why not ready; when ready by the escape hatch, what it overrode; else empty. */
  readonly blockers: readonly string[];
  /** Ready only because no NameNode has been active for escapeAfterMs and this one is the best standby. */
  readonly escape: boolean;
  /** Handicap in the race for a free lock (ElectorEvent CandidacyDelayChanged). */
  readonly candidacyDelayMs: number;
  /** Healthy standbys known to be ahead of the local NameNode (by transaction id). */
  readonly standbysAhead: readonly string[];
  /** Transactions behind the best other standby (or observer), null when either side is not known. */
  readonly lagTxns: number | null;
  /** One line for logs, status and refusals. */
  readonly summary: string;
}

export const READY_WITHOUT_GATE: Readiness = {
  ready: true,
  blockers: [],
  escape: false,
  candidacyDelayMs: 0,
  standbysAhead: [],
  lagTxns: null,
  summary: 'readiness gate off',
};

/** A healthy standby that could be promoted (the candidates the race and the escape rank). */
function isCandidate(peer: PeerReadiness): boolean {
  return peer.health === 'SERVICE_HEALTHY' && peer.state === 'STANDBY';
}

export function assessReadiness(policy: ReadinessPolicy, input: ReadinessInput): Readiness {
  if (!policy.enabled) return READY_WITHOUT_GATE;
  const blockers: string[] = [];
  if (input.serviceReady === undefined) blockers.push('no health round has ended yet');
  else if (!input.serviceReady.ready)
    blockers.push(`the NameNode says it is not ready to become active: ${input.serviceReady.reason}`);

  const http = input.http;
  const localTxid = http.kind === 'read' ? http.lastAppliedOrWrittenTxId : null;
  if (http.kind === 'pending') blockers.push("the NameNode's HTTP view has not been read yet");
  if (http.kind === 'read') {
    if (http.safemode !== '') blockers.push(`the NameNode is in safe mode: ${http.safemode}`);
  }

  // The lag is measured against the other standbys (and observers), not the active: without
  // in-progress tailing (dfs.ha.tail-edits.in-progress) a standby only loads finalized segments, so
  // it trails the active by up to a log roll (dfs.ha.log-roll.period) however healthy it is. What
  // the race needs is its position among those who could replace the active.
  let best: PeerReadiness | undefined;
  for (const peer of input.peers) {
    if (peer.lastAppliedOrWrittenTxId === null || peer.state === 'ACTIVE') continue;
    if (best === undefined || (best.lastAppliedOrWrittenTxId ?? 0) < peer.lastAppliedOrWrittenTxId) best = peer;
  }
  const bestTxid = best?.lastAppliedOrWrittenTxId ?? null;
  const lagTxns = localTxid !== null && bestTxid !== null ? Math.max(0, bestTxid - localTxid) : null;
  // A tailer loads nothing while there is nothing to load (no active writing): a standby known to be
  // level with the best peer is not stale however long ago it last loaded edits.
  if (
    http.kind === 'read' &&
    http.state === 'STANDBY' &&
    policy.maxEditsAgeMs > 0 &&
    http.millisSinceLastLoadedEdits > policy.maxEditsAgeMs &&
    lagTxns !== 0
  )
    blockers.push(
      `the NameNode has not loaded edits for ${http.millisSinceLastLoadedEdits} ms ` +
        `(zkfc.readiness.max-edits-age.ms ${policy.maxEditsAgeMs})`,
    );
  if (lagTxns !== null && best !== undefined && policy.maxLagTxns > 0 && lagTxns > policy.maxLagTxns)
    blockers.push(
      `the NameNode is ${lagTxns} transactions behind ${best.namenodeId} ` +
        `(zkfc.readiness.max-lag-txns ${policy.maxLagTxns})`,
    );

  // Healthy standbys ahead of us: with our own position unknown, every candidate whose position is
  // known counts as ahead (we defer to those we can rank).
  const standbysAhead = input.peers
    .filter(
      (peer) =>
        isCandidate(peer) &&
        peer.readyToBecomeActive !== false &&
        peer.lastAppliedOrWrittenTxId !== null &&
        (localTxid === null || peer.lastAppliedOrWrittenTxId > localTxid),
    )
    .map((peer) => peer.namenodeId);
  const candidacyDelayMs = standbysAhead.length * policy.raceHandicapMs;

  if (blockers.length === 0) {
    const behind = standbysAhead.length > 0 ? `; ${standbysAhead.length} healthy standby(s) ahead` : '';
    return {
      ready: true,
      blockers,
      escape: false,
      candidacyDelayMs,
      standbysAhead,
      lagTxns,
      summary: `ready${lagTxns !== null ? ` (${lagTxns} transactions behind the best peer)` : ''}${behind}`,
    };
  }

  // The escape hatch: nobody active for escapeAfterMs, and no healthy standby known to be ahead.
  const noActiveForMs = input.noActiveSinceMs === null ? null : input.nowMs - input.noActiveSinceMs;
  const aheadForEscape = input.peers.filter(
    (peer) =>
      isCandidate(peer) &&
      peer.lastAppliedOrWrittenTxId !== null &&
      (localTxid === null || peer.lastAppliedOrWrittenTxId > localTxid),
  );
  if (
    noActiveForMs !== null &&
    noActiveForMs >= policy.escapeAfterMs &&
    input.serviceReady !== undefined &&
    aheadForEscape.length === 0
  ) {
    return {
      ready: true,
      blockers,
      escape: true,
      candidacyDelayMs: 0,
      standbysAhead: [],
      lagTxns,
      summary:
        `ready by the escape hatch: no NameNode active for ${noActiveForMs} ms ` +
        `(zkfc.readiness.escape-after.ms ${policy.escapeAfterMs}) and no healthy standby is ahead; ` +
        `overriding: ${blockers.join('; ')}`,
    };
  }
  return {
    ready: false,
    blockers,
    escape: false,
    candidacyDelayMs,
    standbysAhead,
    lagTxns,
    summary: `not ready: ${blockers.join('; ')}`,
  };
}

/** Whether two verdicts differ in what the controller acts on (ready, escape, delay) or says (summary class). */
export function readinessChanged(before: Readiness, after: Readiness): boolean {
  return (
    before.ready !== after.ready ||
    before.escape !== after.escape ||
    before.candidacyDelayMs !== after.candidacyDelayMs ||
    before.blockers.length !== after.blockers.length ||
    before.blockers.some((blocker, index) => blockerKind(blocker) !== blockerKind(after.blockers[index] ?? ''))
  );
}

/** A blocker's kind: its text up to the first digit or colon (numbers change every round; kinds do not). */
function blockerKind(blocker: string): string {
  return blocker.replace(/[:\d].*$/s, '');
}
