// Goal: the readiness gate's verdict (src/core/controller/readiness.ts) for each input that blocks
// promotion (readyToBecomeActive false, safe mode, stale edits, lag), the escape hatch when no
// NameNode has been active for long enough, the handicap that lets the most caught-up standby win,
// and that a broken HTTP side channel never blocks (only what was read counts).
// Method: the pure function on hand-built inputs.
import { describe, expect, it } from 'vitest';
import {
  assessReadiness,
  readinessChanged,
  type PeerReadiness,
  type ReadinessInput,
  type ReadinessPolicy,
} from '../../../src/core/controller/readiness.js';

const POLICY: ReadinessPolicy = {
  enabled: true,
  maxEditsAgeMs: 600_000,
  maxLagTxns: 1000,
  escapeAfterMs: 30_000,
  raceHandicapMs: 2000,
};

function peer(namenodeId: string, txid: number | null, overrides: Partial<PeerReadiness> = {}): PeerReadiness {
  return {
    namenodeId,
    state: 'STANDBY',
    health: 'SERVICE_HEALTHY',
    readyToBecomeActive: true,
    lastAppliedOrWrittenTxId: txid,
    ...overrides,
  };
}

function input(overrides: Partial<ReadinessInput> = {}): ReadinessInput {
  return {
    nowMs: 100_000,
    localNamenodeId: 'nn1',
    serviceReady: { ready: true, reason: '' },
    http: {
      kind: 'read',
      state: 'STANDBY',
      safemode: '',
      millisSinceLastLoadedEdits: 1000,
      lastAppliedOrWrittenTxId: 500,
    },
    peers: [peer('nn2', 500, { state: 'ACTIVE' })],
    noActiveSinceMs: null,
    ...overrides,
  };
}

describe('assessReadiness', () => {
  it('is ready with no blocker, and says how far behind the best other standby it is', () => {
    const verdict = assessReadiness(
      POLICY,
      input({ peers: [peer('nn2', 9000, { state: 'ACTIVE' }), peer('nn3', 520, { readyToBecomeActive: false })] }),
    );
    expect(verdict.ready).toBe(true);
    expect(verdict.escape).toBe(false);
    expect(verdict.blockers).toEqual([]);
    // Not against the active: a standby trails it by up to a log roll however healthy it is.
    expect(verdict.lagTxns).toBe(20);
    // nn3 is ahead but not ready, the active is no rival: no handicap.
    expect(verdict.candidacyDelayMs).toBe(0);
  });

  it('a disabled gate is always ready with no delay', () => {
    const verdict = assessReadiness(
      { ...POLICY, enabled: false },
      input({ serviceReady: { ready: false, reason: 'safe mode' } }),
    );
    expect(verdict).toMatchObject({ ready: true, candidacyDelayMs: 0, summary: 'readiness gate off' });
  });

  it('blocks on readyToBecomeActive false, safe mode, stale edits and lag, naming each', () => {
    const verdict = assessReadiness(
      POLICY,
      input({
        serviceReady: { ready: false, reason: 'The NameNode is in safemode.' },
        http: {
          kind: 'read',
          state: 'STANDBY',
          safemode: 'Safe mode is ON. The reported blocks 0 needs additional 10 blocks.',
          millisSinceLastLoadedEdits: 900_000,
          lastAppliedOrWrittenTxId: 100,
        },
        peers: [peer('nn2', 9000, { state: 'ACTIVE' }), peer('nn3', 5000)],
      }),
    );
    expect(verdict.ready).toBe(false);
    expect(verdict.blockers).toHaveLength(4);
    expect(verdict.summary).toContain('not ready to become active: The NameNode is in safemode.');
    expect(verdict.summary).toContain('in safe mode: Safe mode is ON');
    expect(verdict.summary).toContain('has not loaded edits for 900000 ms (zkfc.readiness.max-edits-age.ms 600000)');
    expect(verdict.summary).toContain('4900 transactions behind nn3 (zkfc.readiness.max-lag-txns 1000)');
  });

  it('does not count edits age on an active NameNode, and a 0 bound turns checks off', () => {
    const stale = {
      kind: 'read',
      state: 'ACTIVE',
      safemode: '',
      millisSinceLastLoadedEdits: 9e6,
      lastAppliedOrWrittenTxId: 1,
    } as const;
    expect(assessReadiness(POLICY, input({ http: stale, peers: [] })).ready).toBe(true);
    const behind = input({ peers: [peer('nn2', 1_000_000)] });
    expect(assessReadiness(POLICY, behind).ready).toBe(false);
    expect(assessReadiness({ ...POLICY, maxLagTxns: 0 }, behind).ready).toBe(true);
  });

  it('does not call a standby stale when it is level with the best peer (nothing to load)', () => {
    const idle = {
      kind: 'read',
      state: 'STANDBY',
      safemode: '',
      millisSinceLastLoadedEdits: 900_000,
      lastAppliedOrWrittenTxId: 500,
    } as const;
    expect(assessReadiness(POLICY, input({ http: idle, peers: [peer('nn2', 500)] })).ready).toBe(true);
    expect(assessReadiness(POLICY, input({ http: idle, peers: [peer('nn2', 501)] })).ready).toBe(false);
    // Level with the active only: the standbys' comparison is unknown, the age counts.
    expect(assessReadiness(POLICY, input({ http: idle, peers: [peer('nn2', 500, { state: 'ACTIVE' })] })).ready).toBe(
      false,
    );
    // Nobody to compare with: the age counts.
    expect(assessReadiness(POLICY, input({ http: idle, peers: [] })).ready).toBe(false);
  });

  it('waits for the first HTTP read, but a failed read only drops the HTTP checks', () => {
    expect(assessReadiness(POLICY, input({ http: { kind: 'pending' } })).blockers).toEqual([
      "the NameNode's HTTP view has not been read yet",
    ]);
    const failed = assessReadiness(POLICY, input({ http: { kind: 'failed', reason: 'ECONNREFUSED' } }));
    expect(failed.ready).toBe(true);
    expect(failed.lagTxns).toBeNull();
    expect(assessReadiness(POLICY, input({ http: { kind: 'off' } })).ready).toBe(true);
  });

  it('is not ready before any health round has ended', () => {
    expect(assessReadiness(POLICY, input({ serviceReady: undefined })).blockers).toEqual([
      'no health round has ended yet',
    ]);
  });

  it('handicaps a standby by the healthy ready standbys ahead of it, not by those behind or sick', () => {
    const verdict = assessReadiness(
      POLICY,
      input({
        peers: [
          peer('nn2', 600),
          peer('nn3', 700),
          peer('nn4', 400),
          peer('nn5', 900, { health: 'SERVICE_UNHEALTHY' }),
          peer('nn6', 900, { readyToBecomeActive: false }),
          peer('nn7', 900, { state: 'OBSERVER' }),
          peer('nn8', null),
        ],
      }),
    );
    expect(verdict.ready).toBe(true);
    expect(verdict.standbysAhead).toEqual(['nn2', 'nn3']);
    expect(verdict.candidacyDelayMs).toBe(4000);
    // Equal positions race as Hadoop does.
    expect(assessReadiness(POLICY, input({ peers: [peer('nn2', 500)] })).candidacyDelayMs).toBe(0);
  });

  it('defers to every ranked standby when its own position is unknown', () => {
    const verdict = assessReadiness(
      POLICY,
      input({ http: { kind: 'failed', reason: 'timed out' }, peers: [peer('nn2', 1), peer('nn3', null)] }),
    );
    expect(verdict.standbysAhead).toEqual(['nn2']);
    expect(verdict.candidacyDelayMs).toBe(2000);
  });

  describe('the escape hatch', () => {
    const inSafemode = {
      kind: 'read',
      state: 'STANDBY',
      safemode: 'Safe mode is ON.',
      millisSinceLastLoadedEdits: 0,
      lastAppliedOrWrittenTxId: 500,
    } as const;

    it('stays shut while an active is seen or not long enough without one', () => {
      expect(assessReadiness(POLICY, input({ http: inSafemode, noActiveSinceMs: null })).ready).toBe(false);
      expect(assessReadiness(POLICY, input({ http: inSafemode, noActiveSinceMs: 100_000 - 29_999 })).ready).toBe(false);
    });

    it('opens for the most caught-up healthy standby after escapeAfterMs without an active', () => {
      const verdict = assessReadiness(
        POLICY,
        input({ http: inSafemode, peers: [peer('nn2', 400)], noActiveSinceMs: 100_000 - 30_000 }),
      );
      expect(verdict.ready).toBe(true);
      expect(verdict.escape).toBe(true);
      expect(verdict.candidacyDelayMs).toBe(0);
      expect(verdict.summary).toContain('ready by the escape hatch: no NameNode active for 30000 ms');
      expect(verdict.summary).toContain('overriding: the NameNode is in safe mode');
    });

    it('stays shut for a standby with a healthy standby ahead of it (even one not ready)', () => {
      const verdict = assessReadiness(
        POLICY,
        input({
          http: inSafemode,
          peers: [peer('nn2', 501, { readyToBecomeActive: false })],
          noActiveSinceMs: 0,
        }),
      );
      expect(verdict.ready).toBe(false);
      expect(verdict.escape).toBe(false);
    });

    it('lets equals both through (the lock decides between them)', () => {
      const verdict = assessReadiness(
        POLICY,
        input({ http: inSafemode, peers: [peer('nn2', 500)], noActiveSinceMs: 0 }),
      );
      expect(verdict.escape).toBe(true);
    });
  });

  it('readinessChanged ignores numbers that move every round, not a change of kind', () => {
    const a = assessReadiness(POLICY, input({ peers: [peer('nn2', 5000)] }));
    const b = assessReadiness(POLICY, input({ peers: [peer('nn2', 6000)] }));
    expect(a.summary).not.toBe(b.summary);
    expect(readinessChanged(a, b)).toBe(false);
    const c = assessReadiness(POLICY, input({ serviceReady: { ready: false, reason: 'x' } }));
    expect(readinessChanged(a, c)).toBe(true);
  });
});
