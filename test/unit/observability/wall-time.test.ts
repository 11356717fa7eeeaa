// Goal: isoTimestamp and httpDate (src/observability/wall-time.ts) write exactly what V8's
// Date#toISOString and Date#toUTCString write, for every valid time value: the edges of the
// four-digit years, negative and extended years, the ends of the Date range, and random times.
// Method: both side by side over fixed edge values and 20,000 seeded random ones.
import { describe, expect, it } from 'vitest';
import { httpDate, isoTimestamp } from '../../../src/observability/wall-time.js';
import { SeededRandom } from '../../../tools/testing/prng.js';

const EDGES = [
  0,
  -1,
  1,
  999,
  1000,
  1.7e12,
  Date.UTC(2026, 11, 4, 14, 50, 0, 123),
  -62198755200000,
  -62198755200001,
  -62167219200000,
  -62167219200001,
  253402300799999,
  253402300800000,
  8.64e15,
  -8.64e15,
  951782400000,
  1.5,
  -1.5,
];

describe('wall-time formats', () => {
  it('match toISOString and toUTCString at the edges', () => {
    for (const ms of EDGES) {
      expect(isoTimestamp(ms)).toBe(new Date(ms).toISOString());
      expect(httpDate(ms)).toBe(new Date(ms).toUTCString());
    }
  });

  it('match them for 20,000 random times across the whole Date range', () => {
    const random = new SeededRandom(20261204);
    for (let i = 0; i < 20_000; i += 1) {
      const wide = i % 2 === 0;
      const ms = Math.floor((random.next() * 2 - 1) * (wide ? 8.64e15 : 4e12));
      expect(isoTimestamp(ms)).toBe(new Date(ms).toISOString());
      expect(httpDate(ms)).toBe(new Date(ms).toUTCString());
    }
  });

  it('refuse an invalid time as toISOString does', () => {
    for (const ms of [NaN, Infinity, 8.64e15 + 1]) {
      expect(() => isoTimestamp(ms)).toThrow(RangeError);
      expect(() => httpDate(ms)).toThrow(RangeError);
    }
  });
});
