// Strings we do not control (ZooKeeper data, NameNode and peer error messages, anything read from
// the network) on their way into logs, errors and the terminal: cut to a bounded length, control
// characters made visible, and repeated identical messages counted instead of written again.
// Why: any ZooKeeper client can store a 64 KiB "hostname" in the breadcrumb, and the daemon retries
// once a second; written as is, three log lines per retry grow the log by gigabytes a day, and
// escape sequences printed raw can rewrite an operator's terminal.

/** Default bound on one untrusted string in a log line or an error message. */
export const UNTRUSTED_TEXT_MAX_CHARS = 256;

/**
 * Cut `text` to at most `maxChars` characters (plus a marker that says how much was cut).
 * Surrogate pairs are not split.
 */
export function boundText(text: string, maxChars = UNTRUSTED_TEXT_MAX_CHARS): string {
  if (text.length <= maxChars) return text;
  let end = maxChars;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}…[${text.length - end} more chars]`;
}

// C0 controls, DEL, C1 controls (U+0080-U+009F: some terminals take U+009B as CSI), the bidi
// embeddings/overrides/isolates that reorder what is shown (U+202A-U+202E, U+2066-U+2069), and
// the line/paragraph separators some terminals and viewers break lines on.
// eslint-disable-next-line no-control-regex
const CONTROL_ALL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
// The same, but line breaks and tabs are kept (multi-line messages of our own).
// eslint-disable-next-line no-control-regex
const CONTROL_KEEP_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function visible(char: string): string {
  const code = char.charCodeAt(0);
  switch (code) {
    case 0x0a:
      return '\\n';
    case 0x0d:
      return '\\r';
    case 0x09:
      return '\\t';
    case 0x1b:
      return '\\e';
    default:
      return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  }
}

/**
 * Make every control character visible (`\e`, `\r`, `\x07`, `\u202e` ...), so a string cannot move
 * the cursor, clear the screen, recolour, reorder or start a new line on a terminal. With
 * `keepLineBreaks`, '\n' and '\t' pass through (for text we built ourselves around such strings).
 */
export function escapeControl(text: string, options: { readonly keepLineBreaks?: boolean } = {}): string {
  const pattern = options.keepLineBreaks === true ? CONTROL_KEEP_LINES : CONTROL_ALL;
  pattern.lastIndex = 0;
  return pattern.test(text) ? text.replace(pattern, visible) : text;
}

/** boundText then escapeControl: one untrusted string for a single line of a terminal or log. */
export function untrustedText(text: string, maxChars = UNTRUSTED_TEXT_MAX_CHARS): string {
  return escapeControl(boundText(text, maxChars));
}

/**
 * A copy of `value` with every string (in objects and arrays, `maxDepth` levels deep) cut by
 * boundText. Errors become plain { type, message, code, stack, cause } with bounded texts (the
 * cause chain too, within maxDepth). Values it does not know are returned as they are.
 */
export function boundFields(value: unknown, maxChars: number, maxDepth = 4): unknown {
  if (typeof value === 'string') return boundText(value, maxChars);
  if (value === null || typeof value !== 'object') return value;
  if (maxDepth <= 0) return '[nested too deep]';
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return {
      type: value.name,
      message: boundText(value.message, maxChars),
      ...(code !== undefined ? { code: boundFields(code, maxChars, maxDepth - 1) } : {}),
      ...(value.stack !== undefined ? { stack: boundText(value.stack, maxChars) } : {}),
      ...(value.cause !== undefined ? { cause: boundFields(value.cause, maxChars, maxDepth - 1) } : {}),
    };
  }
  if (Array.isArray(value)) {
    const list = value as unknown[];
    const items: unknown[] = list.length > 64 ? [...list.slice(0, 64), `…[${list.length - 64} more items]`] : list;
    return items.map((item: unknown) => boundFields(item, maxChars, maxDepth - 1));
  }
  if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) out[key] = boundFields(field, maxChars, maxDepth - 1);
  return out;
}

/** Does any string in `value` (`maxDepth` levels deep) exceed `maxChars`? Cheap check before copying. */
export function hasLongText(value: unknown, maxChars: number, maxDepth = 4): boolean {
  if (typeof value === 'string') return value.length > maxChars;
  if (value === null || typeof value !== 'object' || maxDepth <= 0) return false;
  if (value instanceof Error)
    return (
      value.message.length > maxChars ||
      (value.stack?.length ?? 0) > maxChars ||
      (value.cause !== undefined && hasLongText(value.cause, maxChars, maxDepth - 1))
    );
  if (Array.isArray(value))
    return value.length > 64 || value.some((item: unknown) => hasLongText(item, maxChars, maxDepth - 1));
  if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) return false;
  return Object.values(value).some((field) => hasLongText(field, maxChars, maxDepth - 1));
}

export interface RepeatDecision {
  /** Write this occurrence. */
  readonly write: boolean;
  /** When writing: identical occurrences that were not written since the last one that was. */
  readonly suppressed: number;
}

export interface RepeatLimiterOptions {
  /** Occurrences of one key written per window before the rest are only counted; default 3. */
  readonly burst?: number;
  /** Length of a window; default 60 s. */
  readonly windowMs?: number;
  /** Keys remembered at once (the oldest is forgotten first); default 256. */
  readonly maxKeys?: number;
}

/**
 * Rate limit for repeated identical messages: per key, the first `burst` occurrences of a window
 * are written, later ones only counted; the first occurrence after the window has passed is
 * written with the count of those it stood in for. Memory is bounded by maxKeys.
 */
export class RepeatLimiter {
  private readonly burst: number;
  private readonly windowMs: number;
  private readonly maxKeys: number;
  private readonly entries = new Map<string, { windowStartMs: number; written: number; suppressed: number }>();

  constructor(options: RepeatLimiterOptions = {}) {
    this.burst = Math.max(1, options.burst ?? 3);
    this.windowMs = options.windowMs ?? 60_000;
    this.maxKeys = Math.max(1, options.maxKeys ?? 256);
  }

  check(key: string, nowMs: number): RepeatDecision {
    let entry = this.entries.get(key);
    if (entry === undefined || nowMs - entry.windowStartMs >= this.windowMs) {
      const suppressed = entry?.suppressed ?? 0;
      this.entries.delete(key);
      entry = { windowStartMs: nowMs, written: 1, suppressed: 0 };
      this.entries.set(key, entry);
      if (this.entries.size > this.maxKeys) {
        const oldest = this.entries.keys().next();
        if (oldest.done !== true) this.entries.delete(oldest.value);
      }
      return { write: true, suppressed };
    }
    if (entry.written < this.burst) {
      entry.written++;
      return { write: true, suppressed: 0 };
    }
    entry.suppressed++;
    return { write: false, suppressed: 0 };
  }

  /**
   * Start a new window for every key now: what repeated so far was not a loop (the situation
   * changed). The next record of a key carries the count of those left out before.
   */
  reset(): void {
    for (const entry of this.entries.values()) entry.windowStartMs = Number.NEGATIVE_INFINITY;
  }
}
