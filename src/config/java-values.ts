// Hadoop's value parsers, as org.apache.hadoop.conf.Configuration applies them to the text of a
// key: getInt / getLong (Integer.parseInt / Long.parseLong after Configuration#getHexDigits),
// getBoolean, getTimeDuration. Pure functions of the text: each returns undefined for text Java
// would refuse, and the caller names the key, the file and the value.

/** Java's int range. */
const INT_MIN = -2147483648;
const INT_MAX = 2147483647;

/**
 * Parity: Configuration#getInt. Decimal with an optional sign, or hex after `0x` / `0X` (with an
 * optional `-` in front, as getHexDigits allows); no unit suffix, no blanks inside, within Java's
 * int range.
 */
export function parseJavaInt(text: string): number | undefined {
  const value = parseJavaInteger(text);
  return value !== undefined && value >= INT_MIN && value <= INT_MAX ? value : undefined;
}

/**
 * Parity: Configuration#getLong, with the same rules as parseJavaInt. Java's long reaches 2^63 - 1;
 * values beyond Number.MAX_SAFE_INTEGER (2^53 - 1, some 285,000 years of milliseconds) are refused
 * rather than rounded.
 */
export function parseJavaLong(text: string): number | undefined {
  const value = parseJavaInteger(text);
  return value !== undefined && Number.isSafeInteger(value) ? value : undefined;
}

function parseJavaInteger(text: string): number | undefined {
  // Configuration#getHexDigits: "-0x1f" is hex with a sign; "+0x1f" is not (Integer.parseInt refuses it).
  const hex = /^(-?)0[xX]([0-9a-fA-F]+)$/.exec(text);
  if (hex !== null) {
    const magnitude = parseInt(hex[2]!, 16);
    return hex[1] === '-' ? -magnitude : magnitude;
  }
  if (!/^[+-]?\d+$/.test(text)) return undefined;
  return Number(text);
}

/**
 * Parity: Configuration#getBoolean: "true" / "false" in any case; anything else is undefined (Hadoop then takes the
 * default).
 */
export function parseJavaBoolean(text: string): boolean | undefined {
  const lower = text.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  return undefined;
}

export type TimeUnit = 'ns' | 'us' | 'ms' | 's' | 'm' | 'h' | 'd';

const UNIT_MS: Readonly<Record<TimeUnit, number>> = {
  ns: 1e-6,
  us: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/**
 * Parity: Configuration#getTimeDuration: a number with an optional unit suffix (ns, us, ms, s, m,
 * h, d); without one the number is in `unitWithoutSuffix`. Milliseconds, truncated toward zero
 * like TimeUnit#convert. Only for keys Hadoop itself reads with getTimeDuration: a key Hadoop reads
 * with getInt / getLong must refuse "10s" as Hadoop does.
 */
export function parseTimeDurationMs(text: string, unitWithoutSuffix: TimeUnit = 'ms'): number | undefined {
  const match = /^([+-]?\d+)\s*(ns|us|ms|s|m|h|d)?$/i.exec(text.trim());
  if (!match || match[1] === undefined) return undefined;
  const amount = Number(match[1]);
  const unit = (match[2]?.toLowerCase() as TimeUnit | undefined) ?? unitWithoutSuffix;
  const ms = Math.trunc(amount * UNIT_MS[unit]);
  return Number.isSafeInteger(ms) ? ms : undefined;
}
