// Goal: strings we do not control are bounded and made harmless on their way into logs: cut with a
// marker, control characters made visible, errors and nested fields bounded, repeated identical
// messages counted instead of written; the daemon's logger and the runtime's note logging apply
// the bounds whatever the caller passes.
// Method: the helpers directly; createLogger with a capturing destination; logNote with a
// recording RuntimeLog.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, LOG_TEXT_MAX_CHARS, resetRepeats } from '../../../src/observability/logger.js';
import {
  boundFields,
  boundText,
  escapeControl,
  RepeatLimiter,
  untrustedText,
} from '../../../src/observability/untrusted.js';
import { logNote, NOTE_FIELD_MAX_CHARS } from '../../../src/runtime/logging.js';
import { recordingLog } from '../../../tools/testing/recording-log.js';

/** A log destination that keeps each record's line. */
function captureLines(): { lines: string[]; destination: Writable } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(
        ...chunk
          .toString('utf8')
          .split('\n')
          .filter((line) => line !== ''),
      );
      done();
    },
  });
  return { lines, destination };
}

describe('boundText / escapeControl / untrustedText', () => {
  it('keeps short strings, cuts long ones and says by how much, never splitting a surrogate pair', () => {
    expect(boundText('abc', 3)).toBe('abc');
    expect(boundText('abcdef', 3)).toBe('abc…[3 more chars]');
    expect(boundText('ab\u{1f600}cd', 3)).toBe('ab…[4 more chars]');
  });

  it('makes C0, DEL, C1 and bidi controls visible; keeps line breaks only when asked', () => {
    expect(escapeControl('a\u001b[2Jb\r\n\t\u0007\u007f\u009b\u202e')).toBe('a\\e[2Jb\\r\\n\\t\\x07\\x7f\\x9b\\u202e');
    expect(escapeControl('a\nb\tc\u001b', { keepLineBreaks: true })).toBe('a\nb\tc\\e');
    expect(escapeControl('plain ünïcödé')).toBe('plain ünïcödé');
    expect(untrustedText('\u001b'.repeat(10), 4)).toBe('\\e\\e\\e\\e…[6 more chars]');
  });

  it('boundFields bounds strings in nested objects, arrays and errors and leaves other values alone', () => {
    const error = Object.assign(new Error('x'.repeat(50)), { code: 'E_LONG' });
    const bounded = boundFields(
      { a: 'y'.repeat(20), n: 5, nested: { list: ['z'.repeat(20), 1] }, err: error, none: null },
      10,
    ) as Record<string, unknown>;
    expect(bounded['a']).toBe('yyyyyyyyyy…[10 more chars]');
    expect(bounded['n']).toBe(5);
    expect(bounded['none']).toBeNull();
    expect(bounded['nested']).toEqual({ list: ['zzzzzzzzzz…[10 more chars]', 1] });
    expect(bounded['err']).toMatchObject({ type: 'Error', message: 'xxxxxxxxxx…[40 more chars]', code: 'E_LONG' });
  });
});

describe('RepeatLimiter', () => {
  it(
    'writes the first burst of a window, counts the rest, ' + 'and reports the count with the first after the window',
    () => {
      const limiter = new RepeatLimiter({ burst: 2, windowMs: 1_000 });
      const decisions = [0, 10, 20, 30, 40].map((t) => limiter.check('same', t));
      expect(decisions.map((d) => d.write)).toEqual([true, true, false, false, false]);
      expect(limiter.check('other', 50)).toEqual({ write: true, suppressed: 0 });
      expect(limiter.check('same', 1_000)).toEqual({ write: true, suppressed: 3 });
      expect(limiter.check('same', 1_001)).toEqual({ write: true, suppressed: 0 });
    },
  );

  it('remembers at most maxKeys keys', () => {
    const limiter = new RepeatLimiter({ burst: 1, windowMs: 1_000, maxKeys: 2 });
    limiter.check('a', 0);
    limiter.check('b', 0);
    limiter.check('c', 0);
    // 'a' was forgotten, so it is written again at once; 'c' is still limited.
    expect(limiter.check('a', 1).write).toBe(true);
    expect(limiter.check('c', 1).write).toBe(false);
  });
});

describe('createLogger', () => {
  it(
    'cuts every over-long string of a record (fields, nested ' +
      'fields, error messages, the message) to LOG_TEXT_MAX_CHARS',
    async () => {
      const { lines, destination } = captureLines();
      const log = createLogger({ level: 'info', destination }).child({ component: 'test' });
      const huge = 'h'.repeat(64 * 1024);
      log.warn({ hostname: huge, nested: { data: huge }, err: new Error(huge) }, `message ${huge}`);
      log.info({ auth: 'digest:u:secret' }, 'short');
      await new Promise((resolve) => setImmediate(resolve));
      expect(lines).toHaveLength(2);
      const record = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
      expect(lines[0]!.length).toBeLessThan(LOG_TEXT_MAX_CHARS * 6);
      expect(record['hostname']).toBe(
        `${'h'.repeat(LOG_TEXT_MAX_CHARS)}…[${64 * 1024 - LOG_TEXT_MAX_CHARS} more chars]`,
      );
      expect((record['nested'] as Record<string, string>)['data']).toHaveLength(
        LOG_TEXT_MAX_CHARS + `…[${64 * 1024 - LOG_TEXT_MAX_CHARS} more chars]`.length,
      );
      expect(String(record['msg']).length).toBeLessThan(LOG_TEXT_MAX_CHARS + 32);
      expect(String((record['err'] as Record<string, unknown>)['message']).length).toBeLessThan(
        LOG_TEXT_MAX_CHARS + 32,
      );
      // Redaction by path still applies.
      expect(JSON.parse(lines[1] ?? '{}')).toMatchObject({ auth: '[redacted]', msg: 'short' });
    },
  );
});

describe('createLogger: errors with a cause', () => {
  it('keeps an error message as it is and writes its cause as a nested record', async () => {
    const { lines, destination } = captureLines();
    const log = createLogger({ level: 'info', destination });
    const refused = new Error('connect ECONNREFUSED 127.0.0.1:8020');
    const connect = new Error(`connect to 127.0.0.1:8020 failed: ${refused.message}`, { cause: refused });
    log.warn({ err: new Error(connect.message, { cause: connect }) }, 'graceful fence could not connect');
    await new Promise((resolve) => setImmediate(resolve));
    const err = (JSON.parse(lines[0] ?? '{}') as { err: Record<string, unknown> }).err;
    expect(err['message']).toBe('connect to 127.0.0.1:8020 failed: connect ECONNREFUSED 127.0.0.1:8020');
    expect(err['cause']).toMatchObject({ message: connect.message, cause: { message: refused.message } });
  });

  it('cuts an over-long message deep in the cause chain', async () => {
    const { lines, destination } = captureLines();
    const log = createLogger({ level: 'info', destination });
    const huge = 'n'.repeat(64 * 1024);
    log.error({ err: new Error('transitionToStandby failed', { cause: new Error(huge) }) }, 'fence failed');
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines[0]!.length).toBeLessThan(LOG_TEXT_MAX_CHARS * 4);
    const err = (JSON.parse(lines[0] ?? '{}') as { err: { message: string; cause: { message: string } } }).err;
    expect(err.message).toBe('transitionToStandby failed');
    expect(err.cause.message.startsWith('n'.repeat(LOG_TEXT_MAX_CHARS))).toBe(true);
    expect(err.cause.message.length).toBeLessThan(LOG_TEXT_MAX_CHARS + 32);
  });
});

describe('logNote', () => {
  it('cuts string and list fields of a note to NOTE_FIELD_MAX_CHARS and writes bigints as hex', () => {
    const { log, lines: written } = recordingLog();
    const huge = 'x'.repeat(64 * 1024);
    logNote(log, {
      level: 'error',
      msg: 'Refusing to fence',
      fields: { error: huge, aliases: [huge], owner: 255n, port: 8020 },
    });
    const fields = written[0]?.fields as Record<string, unknown>;
    expect(String(fields['error']).length).toBeLessThan(NOTE_FIELD_MAX_CHARS + 32);
    expect(String((fields['aliases'] as string[])[0]).length).toBeLessThan(NOTE_FIELD_MAX_CHARS + 32);
    expect(fields['owner']).toBe('0xff');
    expect(fields['port']).toBe(8020);
  });
});

describe('createLogger: repeated identical records', () => {
  it('resetRepeats (a health change, a completed failover) lets the records of the next failover through', async () => {
    const { lines, destination } = captureLines();
    const root = createLogger({ level: 'info', destination });
    const log = root.child({ component: 'controller' });
    // Five failovers within a minute, each logging the same milestone; the runtime resets the
    // limiter at each (ControllerRuntime's resetLogRepeats).
    for (let failover = 1; failover <= 5; failover++) {
      resetRepeats(root);
      log.info({ target: 'NameNode at nn2:8020' }, 'Successfully transitioned local NameNode to active state');
    }
    // Without resets, a loop: three written, the rest counted.
    for (let i = 0; i < 5; i++) log.info({}, 'Rejoin already scheduled; joining then');
    resetRepeats(root);
    log.info({}, 'Rejoin already scheduled; joining then');
    await new Promise((resolve) => setImmediate(resolve));
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.filter((r) => r['msg'] === 'Successfully transitioned local NameNode to active state')).toHaveLength(
      5,
    );
    const loop = records.filter((r) => r['msg'] === 'Rejoin already scheduled; joining then');
    expect(loop).toHaveLength(4);
    expect(loop[3]?.['repeated']).toBe(2);
  });

  it(
    'writes at most REPEAT_BURST identical info/warn/error records ' +
      'a window (session ids and epochs do not count), then the count',
    async () => {
      const { lines, destination } = captureLines();
      const log = createLogger({ level: 'debug', destination }).child({ component: 'controller' });
      for (let epoch = 0; epoch < 10; epoch++) {
        log.warn(
          { epoch, sessionId: `0x${epoch}`, reason: 'unable to fence old active' },
          'Exception handling the winning of election',
        );
        log.debug({ epoch }, 'Executing command');
      }
      log.warn({ reason: 'something else' }, 'Exception handling the winning of election');
      log.error(new Error('boom'), 'failed');
      log.fatal({}, 'fatal is never held back');
      log.fatal({}, 'fatal is never held back');
      await new Promise((resolve) => setImmediate(resolve));
      const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
      const warned = records.filter((r) => r['msg'] === 'Exception handling the winning of election');
      expect(warned.map((r) => r['reason'])).toEqual([
        'unable to fence old active',
        'unable to fence old active',
        'unable to fence old active',
        'something else',
      ]);
      expect(records.filter((r) => r['msg'] === 'Executing command')).toHaveLength(10);
      expect(records.filter((r) => r['msg'] === 'fatal is never held back')).toHaveLength(2);
      expect(records.find((r) => r['msg'] === 'failed')?.['err']).toMatchObject({ message: 'boom' });
    },
  );
});
