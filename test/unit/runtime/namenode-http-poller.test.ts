// Goal: the NameNode HTTP poller reads on its own cadence (at start, then one interval after each
// read ends, never two at once), keeps the last good view with its time while later reads fail,
// keeps the last failure after recovery, flags an /isActive that disagrees with the JMX state, and
// logs only changes, as {from, to, reason} with stable messages; a reader that breaks its contract
// (rejects) is a failed read, not a crash; stop() ends the cadence.
// Method: the poller on a ManualClock with a scripted reader (the NameNodeHttpReader port) and a
// recording log; time moves only by clock.advance.

import { describe, expect, it } from 'vitest';
import { isActiveMismatch, NameNodeHttpPoller } from '../../../src/runtime/namenode-http-poller.js';
import type { RuntimeLog } from '../../../src/runtime/logging.js';
import type { NameNodeHttpReader, NameNodeHttpResult, NameNodeHttpView } from '../../../src/runtime/ports.js';
import { ManualClock } from '../../../tools/testing/clock.js';

const URL = 'http://nn1.example.com:9870';

const STANDBY: NameNodeHttpView = {
  state: 'STANDBY',
  nnRole: 'NameNode',
  hostAndPort: 'nn1.example.com:8020',
  lastHATransitionTimeMs: 0,
  securityEnabled: false,
  namesystemHAState: 'STANDBY',
  millisSinceLastLoadedEdits: 1200,
  lastWrittenTransactionId: 40,
  safemode: '',
  inSafemode: false,
  lastAppliedOrWrittenTxId: 42,
  mostRecentCheckpointTxId: 30,
  isActive: false,
};

interface Line {
  readonly level: string;
  readonly msg: string;
  readonly fields: Record<string, unknown>;
}

function recordingLog(lines: Line[]): RuntimeLog {
  const at =
    (level: string) =>
    (fields: object, msg: string): void => {
      lines.push({ level, msg, fields: fields as Record<string, unknown> });
    };
  const log: RuntimeLog = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    fatal: at('fatal'),
    child: () => log,
  };
  return log;
}

/** A reader whose reads resolve when the test says so, in order. */
class ScriptedReader implements NameNodeHttpReader {
  readonly baseUrl = URL;
  readonly pending: ((result: NameNodeHttpResult | Error) => void)[] = [];
  readonly timeouts: number[] = [];

  read(timeoutMs: number): Promise<NameNodeHttpResult> {
    this.timeouts.push(timeoutMs);
    return new Promise((resolve, reject) =>
      this.pending.push((result) => (result instanceof Error ? reject(result) : resolve(result))),
    );
  }

  async answer(result: NameNodeHttpResult | Error): Promise<void> {
    const next = this.pending.shift();
    if (next === undefined) throw new Error('no read in flight');
    next(result);
    // Let the poller's continuation run.
    for (let i = 0; i < 5; i++) await Promise.resolve();
  }
}

function setUp(): { clock: ManualClock; reader: ScriptedReader; poller: NameNodeHttpPoller; lines: Line[] } {
  const clock = new ManualClock({ startMs: 1000, wallStartMs: Date.UTC(2026, 0, 1) });
  const reader = new ScriptedReader();
  const lines: Line[] = [];
  const poller = new NameNodeHttpPoller({ reader, clock, intervalMs: 5000, timeoutMs: 2000, log: recordingLog(lines) });
  return { clock, reader, poller, lines };
}

const down = (kind: 'timedOut' | 'malformed', message: string): NameNodeHttpResult => ({
  ok: false,
  failure: { kind, url: `${URL}/jmx`, message },
});

describe('NameNodeHttpPoller', () => {
  it('reads at start, then one interval after each read ends; never two at once; stop ends it', async () => {
    const { clock, reader, poller } = setUp();
    poller.start();
    clock.advance(0);
    expect(reader.pending).toHaveLength(1);
    expect(reader.timeouts).toEqual([2000]);
    // A read that takes long delays the next one instead of overlapping it.
    clock.advance(20_000);
    expect(reader.pending).toHaveLength(1);
    await reader.answer({ ok: true, view: STANDBY });
    clock.advance(4999);
    expect(reader.pending).toHaveLength(0);
    clock.advance(1);
    expect(reader.pending).toHaveLength(1);
    poller.stop();
    await reader.answer({ ok: true, view: STANDBY });
    clock.advance(60_000);
    expect(reader.pending).toHaveLength(0);
    expect(poller.snapshot().reads).toBe(2);
  });

  it('keeps the last good view and its time while reads fail, and the last failure after recovery', async () => {
    const { clock, reader, poller, lines } = setUp();
    const seen: string[] = [];
    poller.onRead((_snapshot, outcome) => seen.push(outcome));
    poller.start();
    clock.advance(0);
    await reader.answer({ ok: true, view: STANDBY });
    const goodAt = clock.wallMs();
    expect(poller.snapshot()).toMatchObject({ up: true, view: STANDBY, viewAtWallMs: goodAt, lastFailure: null });

    clock.advance(5000);
    await reader.answer(down('timedOut', `GET ${URL}/jmx: no complete answer within 2000 ms (0 bytes read)`));
    expect(poller.snapshot()).toMatchObject({
      up: false,
      view: STANDBY,
      viewAtWallMs: goodAt,
      lastFailure: { kind: 'timedOut', atWallMs: clock.wallMs() },
      failures: 1,
    });
    clock.advance(5000);
    await reader.answer(down('timedOut', 'again'));
    clock.advance(5000);
    await reader.answer(down('malformed', `GET ${URL}/jmx: the answer ends early at byte 100 (truncated?)`));
    clock.advance(5000);
    await reader.answer({ ok: true, view: { ...STANDBY, lastAppliedOrWrittenTxId: 50 } });
    expect(poller.snapshot()).toMatchObject({ up: true, lastFailure: { kind: 'malformed' }, reads: 5, failures: 3 });
    expect(poller.snapshot().view?.lastAppliedOrWrittenTxId).toBe(50);
    expect(seen).toEqual(['ok', 'timedOut', 'timedOut', 'malformed', 'ok']);

    // Only changes are logged: up, down (timedOut), down (malformed), up; the repeated timeout is not.
    expect(lines.map((l) => [l.level, l.msg, l.fields['from'], l.fields['to']])).toEqual([
      ['info', 'NameNode HTTP view changed', 'unknown', 'up'],
      ['warn', 'NameNode HTTP view changed', 'up', 'down: timedOut'],
      ['warn', 'NameNode HTTP view changed', 'down: timedOut', 'down: malformed'],
      ['info', 'NameNode HTTP view changed', 'down: malformed', 'up'],
    ]);
    expect(lines[1]!.fields).toEqual({
      url: URL,
      from: 'up',
      to: 'down: timedOut',
      reason: `GET ${URL}/jmx: no complete answer within 2000 ms (0 bytes read)`,
    });
  });

  it('logs safe mode entered and left with the NameNode text as the reason', async () => {
    const { clock, reader, poller, lines } = setUp();
    poller.start();
    clock.advance(0);
    const text = 'Safe mode is ON. It was turned on manually.';
    await reader.answer({ ok: true, view: { ...STANDBY, safemode: text, inSafemode: true } });
    clock.advance(5000);
    await reader.answer({ ok: true, view: STANDBY });
    const safemode = lines.filter((l) => l.msg === 'NameNode safe mode changed').map((l) => l.fields);
    expect(safemode).toEqual([
      { url: URL, from: 'unknown', to: 'on', reason: text },
      { url: URL, from: 'on', to: 'off', reason: 'NameNodeInfo.Safemode is empty' },
    ]);
  });

  it('flags /isActive disagreeing with the JMX state, and logs when it starts and ends', async () => {
    const { clock, reader, poller, lines } = setUp();
    expect(isActiveMismatch(STANDBY)).toBeUndefined();
    expect(isActiveMismatch({ ...STANDBY, isActive: true })).toBe(
      '/isActive answered 200 (active) but NameNodeStatus.State is standby',
    );
    // tag.HAState is a metrics2 snapshot that trails transitions by up to 10 s: not compared.
    expect(isActiveMismatch({ ...STANDBY, namesystemHAState: 'ACTIVE' })).toBeUndefined();
    poller.start();
    clock.advance(0);
    await reader.answer({ ok: true, view: { ...STANDBY, isActive: true } });
    expect(poller.snapshot().isActiveMismatch).toBe(true);
    clock.advance(5000);
    await reader.answer({ ok: true, view: STANDBY });
    expect(poller.snapshot().isActiveMismatch).toBe(false);
    expect(
      lines.filter((l) => l.msg === 'NameNode /isActive cross-check changed').map((l) => [l.level, l.fields]),
    ).toEqual([
      [
        'warn',
        {
          url: URL,
          from: 'agree',
          to: 'mismatch',
          reason: '/isActive answered 200 (active) but NameNodeStatus.State is standby',
        },
      ],
      ['info', { url: URL, from: 'mismatch', to: 'agree', reason: '/isActive and NameNodeStatus.State agree' }],
    ]);
  });

  it('a reader that rejects (a broken adapter) is a failed read and the cadence goes on', async () => {
    const { clock, reader, poller } = setUp();
    poller.start();
    clock.advance(0);
    await reader.answer(new Error('socket hang up'));
    expect(poller.snapshot()).toMatchObject({
      up: false,
      lastFailure: { kind: 'malformed', message: `reading ${URL}: socket hang up` },
    });
    clock.advance(5000);
    expect(reader.pending).toHaveLength(1);
  });
});
