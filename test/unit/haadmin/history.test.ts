// Goal: `haadmin history` prints the failover journal as a table, newest first: a failover with the
// old active's own reason as its trigger (its stand-down not listed again), its phases and each
// fencing method's outcome; a failover without the loser's word says what the new active saw; a
// graceful one says who asked; anti-flap's records; an empty journal says so; remote strings can
// neither add a line nor move the cursor.
// Method: renderHistory on fixture entries (pure).
import { describe, expect, it } from 'vitest';
import { renderHistory, type HistoryDocument } from '../../../src/cli/haadmin/history.js';
import type { FailoverJournalEntry, JournalEntryRead, StandDownJournalEntry } from '../../../src/runtime/records.js';

const DIR = '/hadoop-ha/ns1/ZkfcFailoverJournal';

const standDown: StandDownJournalEntry & { znode: string } = {
  v: 1,
  at: '2026-12-05T10:00:00.000Z',
  nameservice: 'ns1',
  writer: { namenode: 'nn1', host: 'h1' },
  kind: 'standDown',
  namenode: 'nn1',
  cause: 'not-responding',
  detail: 'NameNode not responding: connect ECONNREFUSED 127.0.0.1:8020',
  requestedBy: null,
  since: null,
  znode: `${DIR}/a`,
};

const failover: FailoverJournalEntry & { znode: string } = {
  v: 1,
  at: '2026-12-05T10:00:00.090Z',
  nameservice: 'ns1',
  writer: { namenode: 'nn2', host: 'h2' },
  kind: 'failover',
  from: 'nn1',
  to: 'nn2',
  reason: 'election',
  durationMs: 90,
  phases: { detectionMs: 14, electionMs: 8, fencingMs: 60, promotionMs: 8 },
  trigger: 'the lock of nn1 went away; the breadcrumb named nn1; nn1 fenced by shell(fence.sh)',
  seen: { lockHolder: 'nn1', ownSessionExpired: false },
  fencing: [
    {
      target: 'nn1',
      fenced: true,
      graceful: false,
      attempts: [
        { method: 'graceful', outcome: 'failure', durationMs: 2, detail: 'refused', outputTail: [] },
        {
          method: 'shell(fence.sh)',
          outcome: 'success',
          durationMs: 50,
          detail: 'exited 0',
          outputTail: ['stdout: ok'],
        },
      ],
    },
  ],
  requestedBy: null,
  znode: `${DIR}/b`,
};

function doc(entries: JournalEntryRead[]): HistoryDocument {
  return { nameservice: 'ns1', journal: DIR, entries, corrupt: [] };
}

describe('haadmin history', () => {
  it("a failover with its loser's own reason, phases and fencing; the stand-down is not listed again", () => {
    const lines = renderHistory(doc([{ ...failover, loser: standDown }, standDown]));
    expect(lines[0]).toBe(`Failover journal of ns1 (${DIR}), newest first:`);
    expect(lines[1]).toMatch(/^TIME +EVENT +NAMENODES +TOOK +TRIGGER +FENCING$/);
    expect(lines).toHaveLength(3);
    const cells = (lines[2] ?? '').split(/ {2,}/);
    expect(cells).toEqual([
      '2026-12-05T10:00:00.090Z',
      'failover',
      'nn1 -> nn2',
      '90 ms (detection 14 ms, election 8 ms, fencing 60 ms, promotion 8 ms)',
      "nn1's zkfc: not-responding: NameNode not responding: connect ECONNREFUSED 127.0.0.1:8020",
      'nn1: graceful failure, shell(fence.sh) success',
    ]);
  });

  it('without the loser: what the new active saw; graceful: who asked; anti-flap; a lone stand-down', () => {
    const lines = renderHistory(
      doc([
        {
          ...failover,
          znode: `${DIR}/g`,
          at: '2026-12-05T10:05:00.000Z',
          reason: 'graceful',
          requestedBy: 'alice at 10.0.0.5',
          trigger: 'graceful failover requested by alice at 10.0.0.5',
          fencing: [],
        },
        {
          v: 1,
          at: '2026-12-05T10:03:00.000Z',
          nameservice: 'ns1',
          writer: { namenode: 'nn2', host: 'h2' },
          kind: 'failoverHeldBack',
          namenode: 'nn2',
          healthReason: 'no resources',
          failoversInWindow: 3,
          maxFailovers: 3,
          windowMs: 600_000,
          releaseAt: '2026-12-05T10:08:00.000Z',
          znode: `${DIR}/h`,
        },
        {
          ...standDown,
          znode: `${DIR}/lone`,
          at: '2026-12-05T10:02:00.000Z',
          cause: 'stop',
          detail: 'zkfc stopped (SIGTERM)',
        },
        failover,
      ]),
    );
    expect(lines).toHaveLength(6);
    expect(lines[2]).toMatch(
      /graceful failover +nn1 -> nn2 .* graceful failover requested by alice at 10\.0\.0\.5 +none$/,
    );
    expect(lines[3]).toMatch(
      /held back +nn2 +anti-flap kept nn2 active: 3 of 3 automatic failovers in 600 s; health: no resources/,
    );
    expect(lines[4]).toMatch(/stand-down +nn1 +nn1's zkfc left the election: stop: zkfc stopped \(SIGTERM\)/);
    expect(lines[5]).toMatch(
      /failover +nn1 -> nn2 .* seen by nn2's zkfc: the lock of nn1 went away; the breadcrumb named nn1/,
    );
  });

  it('an empty journal says so; remote strings stay on their line', () => {
    expect(renderHistory(doc([]))).toEqual([`No failover recorded for ns1 (${DIR})`]);
    const lines = renderHistory(doc([{ ...standDown, detail: 'bad\nVerdict: OK\u001b[2J' }]));
    expect(lines).toHaveLength(3);
    expect(lines[2]).toContain('bad\\nVerdict: OK\\e[2J');
  });
});
