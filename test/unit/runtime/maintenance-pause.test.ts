// Goal: the pause record is untrusted: what haadmin writes reads back; anything else (too big,
// not UTF-8, not JSON, wrong fields, an end before its start) is refused naming the znode; a pause
// ends at its TTL but never later than zkfc.pause.max-ttl.ms after it was set; haadmin's --ttl
// parser refuses nonsense, zero and anything beyond the bound.
import { describe, expect, it } from 'vitest';
import { parseTtlMs } from '../../../src/cli/haadmin/pause.js';
import {
  PauseDataError,
  decodePause,
  encodePause,
  pauseEndWallMs,
  pausePath,
} from '../../../src/runtime/maintenance-pause.js';

const PATH = pausePath('/hadoop-ha/ns1');
const T0 = Date.parse('2026-12-04T06:00:00.000Z');
const text = (s: string) => new TextEncoder().encode(s);

describe('maintenance pause record', () => {
  it('round-trips what haadmin writes', () => {
    const pause = { atWallMs: T0, untilWallMs: T0 + 1_800_000, reason: 'disk swap', by: 'hdfs@nn1' };
    expect(PATH).toBe('/hadoop-ha/ns1/ZkfcMaintenancePause');
    expect(decodePause(encodePause(pause), PATH)).toEqual(pause);
  });

  it.each([
    ['too big', new Uint8Array(5000).fill(0x20), '5000 bytes'],
    ['not UTF-8', new Uint8Array([0xff, 0xfe]), 'not UTF-8'],
    ['not JSON', text('{"until":'), 'not JSON'],
    ['an array', text('[]'), 'not a JSON object'],
    ['no times', text('{"reason":"x","by":"y"}'), '"at" is not an ISO-8601 time'],
    [
      'until before at',
      text(`{"at":"2026-12-04T06:00:00Z","until":"2026-12-04T05:00:00Z","reason":"x","by":"y"}`),
      '"until" is not after "at"',
    ],
    [
      'reason not a string',
      text(`{"at":"2026-12-04T06:00:00Z","until":"2026-12-04T07:00:00Z","reason":7,"by":"y"}`),
      '"reason" is not a string',
    ],
  ])('refuses %s, naming the znode', (_label, data, what) => {
    expect(() => decodePause(data, PATH)).toThrow(PauseDataError);
    expect(() => decodePause(data, PATH)).toThrow(`${PATH}: not a maintenance pause record: ${what}`);
  });

  it('ends at its TTL, capped at the maximum after it was set', () => {
    const pause = { atWallMs: T0, untilWallMs: T0 + 10 * 86_400_000, reason: 'r', by: 'b' };
    expect(pauseEndWallMs(pause, 86_400_000)).toBe(T0 + 86_400_000);
    expect(pauseEndWallMs({ ...pause, untilWallMs: T0 + 60_000 }, 86_400_000)).toBe(T0 + 60_000);
  });

  it('haadmin --ttl: units, a bare number in seconds, and clear refusals', () => {
    expect(parseTtlMs('30m', 86_400_000)).toBe(1_800_000);
    expect(parseTtlMs('90', 86_400_000)).toBe(90_000);
    expect(parseTtlMs('2h', 86_400_000)).toBe(7_200_000);
    expect(() => parseTtlMs('soon', 86_400_000)).toThrow("--ttl 'soon' is not a duration");
    expect(() => parseTtlMs('0s', 86_400_000)).toThrow('must be longer than 0');
    expect(() => parseTtlMs('-5m', 86_400_000)).toThrow('is not a duration');
    expect(() => parseTtlMs('2d', 86_400_000)).toThrow('longer than zkfc.pause.max-ttl.ms');
  });
});
