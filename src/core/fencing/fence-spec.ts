// Parser for Hadoop's `dfs.ha.fencing.methods` value (docs/hadoop-compat.md §8.1) into typed fencing-method specs,
// including each method's argument check (FenceMethod.checkArgs). Pure: no Node types, no I/O,
// never throws for bad input (errors are values naming the offending line). It does not decide
// how a method runs; src/fencing does that.
//
// Parity: NodeFencer.parseMethods / parseMethod / createFenceMethod, SshFenceByTcpPort.Args,
// ShellCommandFencer.checkArgs and parseArgs (Hadoop 3.3+). The Java regexes are emulated with
// Java's character classes (ASCII `\s`, `\d`, Java `.`), not JavaScript's Unicode-aware ones.

/** Hadoop's configuration key whose value this module parses. */
export const FENCING_METHODS_KEY = 'dfs.ha.fencing.methods';

/** Bounds: a fencing list is a handful of lines; anything far larger is a mistake, not a config. */
export const FENCE_SPEC_MAX_CHARS = 64 * 1024;
export const FENCE_SPEC_MAX_METHODS = 64;

export const SSH_DEFAULT_PORT = 22;

/** `sshfence([[username][:ssh-port]])` (SshFenceByTcpPort). */
export interface SshFenceMethodSpec {
  readonly kind: 'sshfence';
  /**
   * The line as configured (comment removed, trimmed), e.g. `sshfence(hdfs:2222)`; names the method in logs and
   * metrics.
   */
  readonly text: string;
  /** 1-based line number inside the configured value. */
  readonly lineNumber: number;
  /** Configured ssh user; undefined means "the user this process runs as" (Hadoop: `user.name`). */
  readonly user: string | undefined;
  readonly sshPort: number;
}

/** `shell(command)` (ShellCommandFencer). */
export interface ShellFenceMethodSpec {
  readonly kind: 'shell';
  readonly text: string;
  readonly lineNumber: number;
  /** The argument exactly as written between the first `(` and the final `)`. */
  readonly command: string;
  /**
   * The argument split on ',' as Java's String.split does (trailing empty parts dropped). One part:
   * the command for every target. Zero or two parts: Hadoop 3.3+ picks by the target's transition
   * state, which is unset on the ZKFC path, so running it fails ("Unexpected HA service state:null").
   */
  readonly commandParts: readonly string[];
}

export type FenceMethodSpec = SshFenceMethodSpec | ShellFenceMethodSpec;

export type FenceSpecErrorReason =
  /** The line matches neither `name` nor `name(arg)` (Hadoop: "Unable to parse line"). */
  | 'syntax'
  /** A method Hadoop knows but this daemon cannot run (Java FenceMethod class, powershell). */
  | 'unsupported'
  /** The method's own argument check refused the argument. */
  | 'argument'
  /** The value as a whole is unusable (no method at all, too large). */
  | 'value';

export interface FenceSpecError {
  readonly reason: FenceSpecErrorReason;
  /** Complete message, quoting the offending line. */
  readonly message: string;
  /** The offending line after comment removal and trimming (absent for whole-value errors). */
  readonly line?: string;
  readonly lineNumber?: number;
}

export type FenceSpecParseResult =
  | { readonly ok: true; readonly methods: readonly FenceMethodSpec[] }
  | { readonly ok: false; readonly error: FenceSpecError };

// Java's `\s` (without UNICODE_CHARACTER_CLASS) is exactly [ \t\n\x0B\f\r].
// eslint-disable-next-line no-control-regex -- \x0B (vertical tab) is part of Java's \s
const JAVA_LINE_SPLIT = /[ \t\n\x0B\f\r]*\n[ \t\n\x0B\f\r]*/;
// CLASS_RE = ([a-zA-Z0-9\.\$]+); Java's `.` excludes the line terminators \n \r \u0085 \u2028 \u2029.
const CLASS_WITH_ARGUMENT = /^([a-zA-Z0-9.$]+)\(([^\n\r\u0085\u2028\u2029]+?)\)$/;
const CLASS_WITHOUT_ARGUMENT = /^([a-zA-Z0-9.$]+)$/;
// SshFenceByTcpPort.Args.USER_PORT_RE = ([^:]+?)?(?:\:(\d+))?  (Java \d is ASCII only)
const USER_PORT_RE = /^([^:]+?)?(?::([0-9]+))?$/;

/**
 * Short names Hadoop registers (NodeFencer.STANDARD_METHODS), plus the fully qualified class
 * names of Hadoop's own two portable methods, which existing configurations sometimes spell out.
 */
const METHOD_ALIASES: ReadonlyMap<string, 'sshfence' | 'shell' | 'powershell'> = new Map([
  ['sshfence', 'sshfence'],
  ['shell', 'shell'],
  ['powershell', 'powershell'],
  ['org.apache.hadoop.ha.SshFenceByTcpPort', 'sshfence'],
  ['org.apache.hadoop.ha.ShellCommandFencer', 'shell'],
  ['org.apache.hadoop.ha.PowerShellFencer', 'powershell'],
]);

/**
 * Parse a `dfs.ha.fencing.methods` value. Lines are separated by newlines; `#` starts a comment;
 * blank lines are skipped; each line is `name` or `name(arg)`.
 *
 * Deliberate deviations from Hadoop (all make a bad configuration fail at start instead of at the
 * first failover): a value with no method at all is refused (Hadoop starts, then can never fence);
 * `powershell` and Java class names are refused (we cannot load Java classes); an sshfence port
 * outside 1..65535 is refused with Hadoop's "Port number '...' invalid"; a shell command with more
 * than two comma-separated parts is refused (Hadoop 3.3+ fails it at fence time).
 */
export function parseFenceMethods(value: string): FenceSpecParseResult {
  if (value.length > FENCE_SPEC_MAX_CHARS) {
    return fail({
      reason: 'value',
      message:
        `${FENCING_METHODS_KEY} is ${value.length} characters ` + `long; at most ${FENCE_SPEC_MAX_CHARS} are accepted`,
    });
  }
  const methods: FenceMethodSpec[] = [];
  for (const raw of splitLines(value)) {
    const line = javaTrim(stripHashComment(raw.text));
    if (line.length === 0) continue;
    const lineNumber = raw.lineNumber;
    const parsed = parseMethodLine(line, lineNumber);
    if (!parsed.ok) return parsed;
    methods.push(parsed.method);
    if (methods.length > FENCE_SPEC_MAX_METHODS) {
      return fail({
        reason: 'value',
        message: `${FENCING_METHODS_KEY} lists more than ${FENCE_SPEC_MAX_METHODS} fencing methods`,
      });
    }
  }
  if (methods.length === 0) {
    return fail({
      reason: 'value',
      message:
        `${FENCING_METHODS_KEY} contains no fencing method (only blank ` +
        `lines or comments); configure at least one, e.g. shell(/bin/true)`,
    });
  }
  return { ok: true, methods };
}

type LineResult =
  { readonly ok: true; readonly method: FenceMethodSpec } | { readonly ok: false; readonly error: FenceSpecError };

function parseMethodLine(line: string, lineNumber: number): LineResult {
  let name: string;
  let arg: string | undefined;
  const withArg = CLASS_WITH_ARGUMENT.exec(line);
  if (withArg) {
    name = withArg[1] ?? '';
    arg = withArg[2];
  } else {
    const withoutArg = CLASS_WITHOUT_ARGUMENT.exec(line);
    if (!withoutArg) {
      return fail({ reason: 'syntax', message: `Unable to parse line: '${line}'`, line, lineNumber });
    }
    name = withoutArg[1] ?? '';
    arg = undefined;
  }
  const kind = METHOD_ALIASES.get(name);
  const argError = (message: string): LineResult =>
    fail({ reason: 'argument', message: `${message} (in line '${line}')`, line, lineNumber });

  switch (kind) {
    case 'sshfence':
      return parseSshFenceArgs(line, lineNumber, arg, argError);
    case 'shell': {
      // Parity: ShellCommandFencer.checkArgs.
      if (arg === undefined || arg.length === 0) return argError("No argument passed to 'shell' fencing method");
      const commandParts = javaSplit(arg, ',');
      if (commandParts.length > 2) {
        return argError(`Expecting arguments size of at most two, getting [${commandParts.join(', ')}]`);
      }
      return { ok: true, method: { kind: 'shell', text: line, lineNumber, command: arg, commandParts } };
    }
    case 'powershell':
      return fail({
        reason: 'unsupported',
        message:
          `Could not find configured fencing method ${name}: cannot run powershell in ` +
          `zkfc (Windows PowerShellFencer); use shell(...) or sshfence (in line '${line}')`,
        line,
        lineNumber,
      });
    case undefined:
      return fail({
        reason: 'unsupported',
        message:
          `Could not find configured fencing method ${name}: cannot run Java FenceMethod class ` +
          `${name} in zkfc; only shell(...) and sshfence are supported (in line '${line}')`,
        line,
        lineNumber,
      });
  }
}

function parseSshFenceArgs(
  line: string,
  lineNumber: number,
  arg: string | undefined,
  argError: (message: string) => LineResult,
): LineResult {
  // Parity: SshFenceByTcpPort.Args. `sshfence` without parentheses means all defaults.
  let user: string | undefined;
  let sshPort = SSH_DEFAULT_PORT;
  if (arg !== undefined && arg.length > 0) {
    const match = USER_PORT_RE.exec(arg);
    if (!match) return argError(`Unable to parse user and SSH port: ${arg}`);
    if (match[1] !== undefined) user = match[1];
    const portText = match[2];
    if (portText !== undefined) {
      // Java's Integer.parseInt refuses values beyond 2^31-1; we also refuse 0 and > 65535,
      // which Hadoop would only discover when the ssh connect fails.
      const port = portText.length <= 10 ? Number(portText) : Number.NaN;
      if (!Number.isInteger(port) || port < 1 || port > 65535) return argError(`Port number '${portText}' invalid`);
      sshPort = port;
    }
  }
  return { ok: true, method: { kind: 'sshfence', text: line, lineNumber, user, sshPort } };
}

/** The `shell` command that runs for a ZKFC-initiated fence, or Hadoop's failure message. */
export function resolveShellCommandForZkfc(
  spec: ShellFenceMethodSpec,
): { readonly ok: true; readonly command: string } | { readonly ok: false; readonly message: string } {
  // Parity: ShellCommandFencer.parseArgs with getTransitionTargetHAStatus() == null (always the
  // case when the ZKFC fences the old active): one part runs; anything else throws.
  if (spec.commandParts.length === 1) return { ok: true, command: spec.commandParts[0] ?? '' };
  return { ok: false, message: 'Unexpected HA service state:null' };
}

/**
 * `value.split("\\s*\n\\s*")` as Java does it, keeping each part's 1-based line number (the
 * separator may swallow blank lines, so the part index is not the line number). Trailing empty
 * parts, which Java drops, are harmless here: empty lines are skipped anyway.
 */
function splitLines(value: string): Array<{ readonly text: string; readonly lineNumber: number }> {
  const separator = new RegExp(JAVA_LINE_SPLIT.source, 'g');
  const parts: Array<{ text: string; lineNumber: number }> = [];
  let start = 0;
  let lineNumber = 1;
  for (let match = separator.exec(value); match !== null; match = separator.exec(value)) {
    parts.push({ text: value.slice(start, match.index), lineNumber });
    // The part after this separator starts on the line following its last newline.
    lineNumber += countNewlines(value.slice(start, match.index + match[0].length));
    start = match.index + match[0].length;
  }
  parts.push({ text: value.slice(start), lineNumber });
  return parts;
}

function countNewlines(text: string): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) count++;
  return count;
}

/**
 * Java String.split(literal) semantics: split everywhere, then drop trailing empty strings; an
 * input without the separator comes back whole (so "" gives [""], but "," gives []).
 */
export function javaSplit(text: string, separator: string): string[] {
  if (!text.includes(separator)) return [text];
  const parts = text.split(separator);
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** Java String.trim: strips every char <= U+0020 at both ends (not JavaScript's Unicode whitespace). */
export function javaTrim(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && text.charCodeAt(start) <= 0x20) start++;
  while (end > start && text.charCodeAt(end - 1) <= 0x20) end--;
  return text.slice(start, end);
}

const isJavaLineTerminator = (ch: string): boolean =>
  ch === '\n' || ch === '\r' || ch === '\u0085' || ch === '\u2028' || ch === '\u2029';

/**
 * Emulates `Pattern.compile("#.*$").matcher(line).replaceAll("")`: from the first `#` whose
 * remainder holds no line terminator except one final one, remove up to that final terminator.
 * (Java's `.` stops at line terminators; `$` also matches before a final line terminator.)
 */
export function stripHashComment(line: string): string {
  let from = line.indexOf('#');
  while (from !== -1) {
    let end = from + 1;
    while (end < line.length && !isJavaLineTerminator(line[end] ?? '')) end++;
    const rest = line.slice(end);
    if (rest === '' || rest === '\r\n' || (rest.length === 1 && isJavaLineTerminator(rest))) {
      return line.slice(0, from) + rest;
    }
    from = line.indexOf('#', from + 1);
  }
  return line;
}

function fail(error: FenceSpecError): { readonly ok: false; readonly error: FenceSpecError } {
  return { ok: false, error };
}
