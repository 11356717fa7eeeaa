// Goal: the small runtime pieces keep their promises: the mailbox handles events one at a time in
// order (also when a handler posts), is bounded, and turns a throwing handler into one failure;
// SystemClock's timers fire and cancel; notes are logged with their level, message and fields.
// Method: direct use with real timers (a few milliseconds) and a recording log.

import { describe, expect, it } from 'vitest';
import { logNote, silentRuntimeLog } from '../../../src/runtime/logging.js';
import { Mailbox } from '../../../src/runtime/mailbox.js';
import { SystemClock } from '../../../src/runtime/system-clock.js';
import { sleep } from '../../../tools/testing/wait.js';
import { recordingLog } from '../../../tools/testing/recording-log.js';

describe('Mailbox', () => {
  it('runs each event to completion before the next, in posting order, including posts made by a handler', () => {
    const seen: string[] = [];
    const mailbox: Mailbox<string> = new Mailbox<string>(
      (event) => {
        seen.push(`start ${event}`);
        if (event === 'a') mailbox.post('c');
        seen.push(`end ${event}`);
      },
      10,
      () => undefined,
    );
    mailbox.post('a');
    mailbox.post('b');
    expect(seen).toEqual(['start a', 'end a', 'start c', 'end c', 'start b', 'end b']);
  });

  it('reports an overflow once and then drops everything', () => {
    const failures: string[] = [];
    const handled: number[] = [];
    const mailbox: Mailbox<number> = new Mailbox<number>(
      (event) => {
        handled.push(event);
        if (event === 0) for (let i = 1; i <= 5; i++) mailbox.post(i);
      },
      3,
      (reason) => failures.push(reason),
    );
    mailbox.post(0);
    mailbox.post(99);
    expect(failures).toEqual(['event queue overflow: more than 3 events waiting']);
    expect(handled).toEqual([0]);
  });

  it('turns an exception in a handler (a bug) into one failure with the cause', () => {
    const failures: unknown[] = [];
    const mailbox = new Mailbox<number>(
      () => {
        throw new Error('assertion failed');
      },
      10,
      (reason, cause) => failures.push(reason, cause),
    );
    mailbox.post(1);
    mailbox.post(2);
    expect(failures[0]).toBe('internal error while handling an event: assertion failed');
    expect(failures).toHaveLength(2);
  });
});

describe('SystemClock', () => {
  it('fires scheduled callbacks after their delay, not cancelled ones, on a monotonic clock', async () => {
    const clock = new SystemClock();
    const start = clock.monotonicMs();
    const fired: string[] = [];
    clock.schedule(20, () => fired.push('late'));
    clock.schedule(5, () => fired.push('early'));
    const cancel = clock.schedule(10, () => fired.push('cancelled'));
    cancel();
    await sleep(60);
    expect(fired).toEqual(['early', 'late']);
    expect(clock.monotonicMs()).toBeGreaterThanOrEqual(start + 20);
    expect(Math.abs(clock.wallMs() - Date.now())).toBeLessThan(1000);
  });
});

describe('logNote', () => {
  it('writes a note at its level with its fields; bigints as 0x hex; undefined fields dropped', () => {
    const { log, lines } = recordingLog();
    logNote(log, {
      level: 'warn',
      msg: 'Session connected.',
      fields: { sessionId: 0x1000a2bn, epoch: 3, gone: undefined },
    });
    expect(lines).toEqual([{ level: 'warn', msg: 'Session connected.', fields: { sessionId: '0x1000a2b', epoch: 3 } }]);
    expect(() => logNote(silentRuntimeLog(), { level: 'info', msg: 'x', fields: {} })).not.toThrow();
  });
});
