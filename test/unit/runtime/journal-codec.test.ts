// Goal: the failover journal's znode data is untrusted: what the journal writes reads back; every
// field is bounded when written (a NameNode's 100 KiB message, a fencing script's endless output)
// so an entry stays under its byte bound; anything else (garbage bytes, not UTF-8, not JSON, an
// unknown version or kind, a field of the wrong type or too long, too many bytes) is refused naming
// the znode; names sort by time; a failover is joined to the old active's own stand-down by
// NameNode and time, closest first, each stand-down at most once.
import { describe, expect, it } from 'vitest';
import {
  JOURNAL_ENTRY_MAX_BYTES,
  JournalDataError,
  attachLosers,
  boundEntry,
  decodeJournalEntry,
  encodeJournalEntry,
  entryZnodeName,
  isEntryZnodeName,
  journalPath,
} from '../../../src/runtime/journal-codec.js';
import type {
  FailoverJournalEntry,
  JournalEntry,
  JournalEntryRead,
  StandDownJournalEntry,
} from '../../../src/runtime/records.js';

const DIR = journalPath('/hadoop-ha/ns1');
const PATH = `${DIR}/000001796515200000-failover-nn2-abc`;
const T0 = Date.parse('2026-12-05T10:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const bytes = (s: string) => new TextEncoder().encode(s);

function failover(overrides: Partial<FailoverJournalEntry> = {}): FailoverJournalEntry {
  return {
    v: 1,
    at: iso(T0),
    nameservice: 'ns1',
    writer: { namenode: 'nn2', host: 'host2' },
    kind: 'failover',
    from: 'nn1',
    to: 'nn2',
    reason: 'election',
    durationMs: 90,
    phases: { detectionMs: 14, electionMs: 8, fencingMs: 60, promotionMs: 8 },
    trigger: 'the lock of nn1 went away',
    seen: { lockHolder: 'nn1', ownSessionExpired: false },
    fencing: [
      {
        target: 'nn1',
        fenced: true,
        graceful: false,
        attempts: [
          { method: 'graceful', outcome: 'failure', durationMs: 3, detail: 'refused', outputTail: [] },
          {
            method: 'shell(/bin/fence.sh)',
            outcome: 'success',
            durationMs: 50,
            detail: "fencing command '/bin/fence.sh' exited 0",
            outputTail: ['stdout: killed 1234'],
          },
        ],
      },
    ],
    requestedBy: null,
    ...overrides,
  };
}

function standDown(overrides: Partial<StandDownJournalEntry> = {}): StandDownJournalEntry {
  return {
    v: 1,
    at: iso(T0 - 80),
    nameservice: 'ns1',
    writer: { namenode: 'nn1', host: 'host1' },
    kind: 'standDown',
    namenode: 'nn1',
    cause: 'unhealthy',
    detail: 'health check failed: The NameNode has no resources available',
    requestedBy: null,
    since: null,
    ...overrides,
  };
}

const read = <T extends JournalEntry>(entry: T, znode: string): T & { znode: string } => ({ ...entry, znode });

describe('failover journal entries', () => {
  it('round-trip: every kind reads back as written', () => {
    const entries: JournalEntry[] = [
      failover(),
      standDown({ cause: 'session-expired', since: iso(T0 - 4000) }),
      {
        v: 1,
        at: iso(T0),
        nameservice: 'ns1',
        writer: { namenode: 'nn1', host: 'h' },
        kind: 'failoverHeldBack',
        namenode: 'nn1',
        healthReason: 'no resources',
        failoversInWindow: 3,
        maxFailovers: 3,
        windowMs: 600_000,
        releaseAt: iso(T0 + 60_000),
      },
      {
        v: 1,
        at: iso(T0),
        nameservice: 'ns1',
        writer: { namenode: 'nn1', host: 'h' },
        kind: 'holdBackEnded',
        namenode: 'nn1',
        reason: 'window-passed',
        heldBackMs: 60_000,
      },
    ];
    for (const entry of entries) expect(decodeJournalEntry(encodeJournalEntry(entry), PATH)).toEqual(entry);
  });

  it('bounds what it writes: long messages are cut, tails and runs limited, and the entry stays small', () => {
    const huge = 'x'.repeat(100_000);
    const line = 'y'.repeat(5000);
    const attempt = { method: huge, outcome: 'failure' as const, durationMs: 1.7, detail: huge, outputTail: [] };
    const entry = failover({
      trigger: huge,
      from: huge,
      fencing: Array.from({ length: 9 }, () => ({
        target: 'nn1',
        fenced: false,
        graceful: false,
        attempts: Array.from({ length: 20 }, () => ({
          ...attempt,
          outputTail: Array.from({ length: 50 }, () => line),
        })),
      })),
    });
    const bounded = boundEntry(entry) as FailoverJournalEntry;
    expect(bounded.trigger.length).toBeLessThan(2100);
    expect(bounded.fencing).toHaveLength(4);
    expect(bounded.fencing[0]?.attempts).toHaveLength(8);
    expect(bounded.fencing[0]?.attempts[0]?.outputTail).toHaveLength(10);
    expect(bounded.fencing[0]?.attempts[0]?.durationMs).toBe(2);
    const data = encodeJournalEntry(entry);
    expect(data.length).toBeLessThanOrEqual(JOURNAL_ENTRY_MAX_BYTES);
    const back = decodeJournalEntry(data, PATH) as FailoverJournalEntry;
    // Tails went first, then the oldest runs, until it fit.
    expect(back.trigger).toBe(bounded.trigger);
    expect(back.fencing.every((run) => run.attempts.every((a) => a.outputTail.length === 0))).toBe(true);
  });

  it.each([
    ['garbage bytes', new Uint8Array([0x00, 0x9f, 0x13, 0x37]), 'not UTF-8'],
    ['not UTF-8', new Uint8Array([0xff, 0xfe, 0x7b]), 'not UTF-8'],
    ['not JSON', bytes('{"kind":'), 'not JSON'],
    ['a JSON list', bytes('[1,2]'), 'the entry is not a JSON object'],
    [
      'too many bytes',
      bytes(`"${'a'.repeat(JOURNAL_ENTRY_MAX_BYTES)}"`),
      `${JOURNAL_ENTRY_MAX_BYTES + 2} bytes, more than ${JOURNAL_ENTRY_MAX_BYTES}`,
    ],
    ['another version', bytes(JSON.stringify({ ...failover(), v: 2 })), 'version 2 is not 1'],
    ['an unknown kind', bytes(JSON.stringify({ ...failover(), kind: 'party' })), '"kind" is not one of'],
    ['a bad time', bytes(JSON.stringify({ ...failover(), at: 'yesterday' })), '"at" is not an ISO-8601 time'],
    ['a negative duration', bytes(JSON.stringify({ ...failover(), durationMs: -1 })), '"durationMs" is not a number'],
    ['a string phase', bytes(JSON.stringify({ ...failover(), phases: { detectionMs: '1' } })), '"detectionMs"'],
    ['an oversize field', bytes(JSON.stringify({ ...failover(), to: 'n'.repeat(400) })), '"to" is longer than 256'],
    [
      'an oversize output line',
      bytes(
        JSON.stringify({
          ...failover(),
          fencing: [
            {
              target: 'nn1',
              fenced: true,
              graceful: false,
              attempts: [{ ...failover().fencing[0]!.attempts[0]!, outputTail: ['z'.repeat(900)] }],
            },
          ],
        }),
      ),
      'an output line is not a string',
    ],
    [
      'too many fencing runs',
      bytes(JSON.stringify({ ...failover(), fencing: Array(5).fill(failover().fencing[0]) })),
      '"fencing" has more than 4',
    ],
    ['no writer', bytes(JSON.stringify({ ...failover(), writer: null })), '"writer" is not a JSON object'],
    ['an unknown cause', bytes(JSON.stringify({ ...standDown(), cause: 'boredom' })), '"cause" is not one of'],
    [
      'a bool as a string',
      bytes(JSON.stringify({ ...failover(), seen: { lockHolder: null, ownSessionExpired: 'yes' } })),
      '"ownSessionExpired" is not true or false',
    ],
  ])('refuses %s, naming the znode', (_label, data, what) => {
    expect(() => decodeJournalEntry(data, PATH)).toThrow(JournalDataError);
    expect(() => decodeJournalEntry(data, PATH)).toThrow(`${PATH}: not a failover journal entry: ${what}`);
  });

  it('drops fields it does not know (a newer writer may add some)', () => {
    const data = bytes(JSON.stringify({ ...standDown(), extra: { nested: true } }));
    expect(decodeJournalEntry(data, PATH)).toEqual(standDown());
  });

  it('names sort by time and carry the kind and NameNode; odd ids are made znode-safe', () => {
    const a = entryZnodeName(standDown({ at: iso(T0 - 1) }), 'ff01');
    const b = entryZnodeName(failover(), '00');
    expect(a).toBe(`00${T0 - 1}-standDown-nn1-ff01`);
    expect(b).toBe(`00${T0}-failover-nn2-00`);
    expect([b, a].sort()).toEqual([a, b]);
    const odd = entryZnodeName(standDown({ namenode: 'nn/1 <x>' }), 'zz!');
    expect(odd).toMatch(/^\d{15}-standDown-nn_1__x_-0$/);
    expect([a, b, odd].every(isEntryZnodeName)).toBe(true);
    expect(isEntryZnodeName('garbage')).toBe(false);
  });
});

describe('attachLosers', () => {
  it("joins a failover to its old active's own stand-down, newest first", () => {
    const entries: JournalEntryRead[] = [read(standDown(), `${DIR}/a`), read(failover(), `${DIR}/b`)];
    const joined = attachLosers(entries);
    expect(joined.map((entry) => entry.znode)).toEqual([`${DIR}/b`, `${DIR}/a`]);
    expect(joined[0]?.loser).toEqual(read(standDown(), `${DIR}/a`));
  });

  it('takes the closest stand-down of the right NameNode within the window, each at most once', () => {
    const entries: JournalEntryRead[] = [
      read(standDown({ at: iso(T0 - 120_000) }), `${DIR}/too-old`),
      read(standDown({ namenode: 'nn3', writer: { namenode: 'nn3', host: 'h3' } }), `${DIR}/other-nn`),
      read(standDown({ at: iso(T0 - 5000) }), `${DIR}/far`),
      read(standDown({ at: iso(T0 - 100) }), `${DIR}/near`),
      read(failover(), `${DIR}/first`),
      read(failover({ at: iso(T0 + 10) }), `${DIR}/second`),
    ];
    const joined = new Map(attachLosers(entries).map((entry) => [entry.znode, entry]));
    expect(joined.get(`${DIR}/first`)?.loser?.znode).toBe(`${DIR}/near`);
    expect(joined.get(`${DIR}/second`)?.loser?.znode).toBe(`${DIR}/far`);
  });

  it("a session expiry learnt late joins by when the connection was lost; no 'from', no join", () => {
    const late = standDown({ cause: 'session-expired', at: iso(T0 + 300_000), since: iso(T0 - 4000) });
    const joined = attachLosers([read(late, `${DIR}/late`), read(failover(), `${DIR}/f`)]);
    expect(joined.find((entry) => entry.znode === `${DIR}/f`)?.loser?.cause).toBe('session-expired');
    const initial = attachLosers([
      read(standDown(), `${DIR}/s`),
      read(failover({ from: null, reason: 'initial' }), `${DIR}/i`),
    ]);
    expect(initial.find((entry) => entry.znode === `${DIR}/i`)?.loser).toBeUndefined();
  });
});
