// Wall-clock times as text, the way the daemon writes them: ISO-8601 in UTC (logs, /status, the
// failover journal) and HTTP's IMF-fixdate (the status listener's Date header).
//
// Why not Date#toISOString / #toUTCString: V8 answers those through its date cache, whose first
// use sets up ICU's default time zone, reading ICU's zone data from the node executable: 0.9 MiB
// more resident memory for the life of the process, though both formats are UTC and need no zone
// (measured: README "A lean daemon"). These build the same text from Date's getUTC* fields,
// which do not touch the zone. Same output as V8's for every valid time value (test/unit/
// observability/wall-time.test.ts compares them); an invalid one is a RangeError from both
// (toUTCString would say "Invalid Date").

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const pad = (value: number, width: number): string => String(value).padStart(width, '0');

function utcDate(ms: number): Date {
  const date = new Date(ms);
  if (Number.isNaN(date.getTime())) throw new RangeError(`Invalid time value: ${String(ms)}`);
  return date;
}

/** `ms` since the epoch as Date#toISOString writes it: `2026-12-04T14:50:00.123Z` (±YYYYYY outside 0000-9999). */
export function isoTimestamp(ms: number): string {
  const date = utcDate(ms);
  const year = date.getUTCFullYear();
  const yearText = year >= 0 && year <= 9999 ? pad(year, 4) : `${year < 0 ? '-' : '+'}${pad(Math.abs(year), 6)}`;
  return (
    `${yearText}-${pad(date.getUTCMonth() + 1, 2)}-${pad(date.getUTCDate(), 2)}` +
    `T${pad(date.getUTCHours(), 2)}:${pad(date.getUTCMinutes(), 2)}:${pad(date.getUTCSeconds(), 2)}` +
    `.${pad(date.getUTCMilliseconds(), 3)}Z`
  );
}

/**
 * `ms` since the epoch as an HTTP date (RFC 9110 IMF-fixdate, as Date#toUTCString writes it):
 * `Fri, 04 Dec 2026 14:50:00 GMT`.
 */
export function httpDate(ms: number): string {
  const date = utcDate(ms);
  const year = date.getUTCFullYear();
  const yearText = year < 0 ? `-${pad(-year, 4)}` : pad(year, 4);
  return (
    `${DAYS[date.getUTCDay()]!}, ${pad(date.getUTCDate(), 2)} ${MONTHS[date.getUTCMonth()]!} ${yearText} ` +
    `${pad(date.getUTCHours(), 2)}:${pad(date.getUTCMinutes(), 2)}:${pad(date.getUTCSeconds(), 2)} GMT`
  );
}
