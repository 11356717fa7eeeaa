// Hadoop's XML configuration (core-site.xml, hdfs-site.xml, ...) read the way
// org.apache.hadoop.conf.Configuration reads it: later resources override earlier ones except
// keys an earlier resource marked <final>true</final>; `${var}` expansion from system
// properties, other keys and `${env.NAME}`; typed getters with Hadoop's parsing rules; and
// DFSUtil's ns/nn suffix resolution. It does not read *-default.xml (callers pass defaults),
// does not support xi:include or key deprecation, and never touches the network.

import { readFileSync, statSync } from 'node:fs';
import { homedir, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { ConfigError, errorMessage } from '../errors.js';

/** Source name used for values given with `-D key=value` (Hadoop's GenericOptionsParser says "command line"). */
export const COMMAND_LINE_SOURCE = '-D';
/** Source name for values set programmatically without a file. */
export const PROGRAMMATIC_SOURCE = 'programmatically';

/** Parity: Configuration.MAX_SUBST. */
const MAX_SUBSTITUTIONS = 20;
/** A Hadoop site file is a few hundred KiB at most; refuse anything absurd before reading it. */
const MAX_CONFIG_FILE_BYTES = 16 * 1024 * 1024;

interface Entry {
  readonly value: string;
  readonly final: boolean;
  /** Every source that set the key, oldest first (Configuration.getPropertySources). */
  readonly sources: readonly string[];
}

/** A later resource tried to change a key an earlier one marked final (Hadoop logs and ignores it). */
export interface IgnoredFinalOverride {
  readonly key: string;
  readonly finalSource: string;
  readonly ignoredSource: string;
}

export interface HadoopConfigurationOptions {
  /** Environment for `${env.NAME}`; defaults to process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * Java system properties consulted before configuration keys, as Configuration.getProperty
   * does (`${user.name}` in hadoop.tmp.dir). Defaults to the handful a JVM always has.
   */
  readonly systemProperties?: Readonly<Record<string, string>>;
}

export interface LoadOptions extends HadoopConfigurationOptions {
  /** Files read from the conf dir in order; missing ones are skipped. Default core-site.xml, hdfs-site.xml. */
  readonly files?: readonly string[];
  /** Further files (absolute or relative to the conf dir) read after `files`; these must exist. */
  readonly extraFiles?: readonly string[];
}

/** Java's default system properties that Hadoop configurations commonly reference. */
export function defaultSystemProperties(): Record<string, string> {
  let userName = 'unknown';
  try {
    userName = userInfo().username;
  } catch {
    // no passwd entry for this uid (containers): Java falls back to '?', we keep 'unknown'
  }
  return {
    'user.name': userName,
    'user.home': homedir(),
    'user.dir': process.cwd(),
    'java.io.tmpdir': tmpdir(),
    'file.separator': '/',
    'path.separator': ':',
    'line.separator': '\n',
  };
}

export class HadoopConfiguration {
  private readonly props = new Map<string, Entry>();
  private readonly ignored: IgnoredFinalOverride[] = [];
  private readonly env: Readonly<Record<string, string | undefined>>;
  private readonly systemProperties: Readonly<Record<string, string>>;

  constructor(options: HadoopConfigurationOptions = {}) {
    this.env = options.env ?? process.env;
    this.systemProperties = options.systemProperties ?? defaultSystemProperties();
  }

  /**
   * Load a conf dir (HADOOP_CONF_DIR): core-site.xml then hdfs-site.xml (the order
   * HdfsConfiguration adds them), then any extra files. Missing site files are skipped like
   * Hadoop's quiet default resources; a malformed one is a ConfigError naming the file.
   */
  static load(confDir: string, options: LoadOptions = {}): HadoopConfiguration {
    const conf = new HadoopConfiguration(options);
    for (const name of options.files ?? ['core-site.xml', 'hdfs-site.xml']) {
      conf.addResource(join(confDir, name), { optional: true });
    }
    for (const name of options.extraFiles ?? []) {
      conf.addResource(name.startsWith('/') ? name : join(confDir, name));
    }
    return conf;
  }

  /** A configuration holding exactly these raw values (tests, programmatic use). */
  static fromEntries(
    entries: Readonly<Record<string, string>>,
    options: HadoopConfigurationOptions = {},
  ): HadoopConfiguration {
    const conf = new HadoopConfiguration(options);
    for (const [key, value] of Object.entries(entries)) conf.set(key, value, PROGRAMMATIC_SOURCE);
    return conf;
  }

  /** Read one XML resource and merge it. `optional`: a missing file is not an error. */
  addResource(path: string, options: { readonly optional?: boolean } = {}): void {
    let size: number;
    try {
      size = statSync(path).size;
    } catch (cause) {
      if (options.optional && (cause as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new ConfigError(`Cannot read configuration file ${path}: ${errorMessage(cause)}`, undefined, path, { cause });
    }
    if (size > MAX_CONFIG_FILE_BYTES) {
      throw new ConfigError(`Configuration file ${path} is ${size} bytes, more than the ${MAX_CONFIG_FILE_BYTES} allowed`, undefined, path);
    }
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (cause) {
      throw new ConfigError(`Cannot read configuration file ${path}: ${errorMessage(cause)}`, undefined, path, { cause });
    }
    this.addXml(text, path);
  }

  /** Parse Hadoop configuration XML text; `sourceName` names it in errors and in source(). */
  addXml(text: string, sourceName: string): void {
    for (const property of parseConfigurationXml(text, sourceName)) {
      this.mergeFromResource(property.name, property.value, property.final, sourceName);
    }
  }

  /** Set a value, as `-D key=value` or Configuration.set does: overrides even final keys. */
  set(key: string, value: string, source: string = COMMAND_LINE_SOURCE): void {
    const previous = this.props.get(key);
    this.props.set(key, { value, final: previous?.final ?? false, sources: [...(previous?.sources ?? []), source] });
  }

  unset(key: string): void {
    this.props.delete(key);
  }

  /** A deep copy (Hadoop's `new Configuration(conf)`). */
  copy(): HadoopConfiguration {
    const other = new HadoopConfiguration({ env: this.env, systemProperties: this.systemProperties });
    for (const [key, entry] of this.props) other.props.set(key, entry);
    other.ignored.push(...this.ignored);
    return other;
  }

  has(key: string): boolean {
    return this.props.has(key);
  }

  /** The value as written, without `${}` expansion. */
  getRaw(key: string): string | undefined {
    return this.props.get(key)?.value;
  }

  /** The value with `${}` expanded (Configuration.get). */
  get(key: string): string | undefined;
  get(key: string, defaultValue: string): string;
  get(key: string, defaultValue?: string): string | undefined {
    const raw = this.props.get(key)?.value;
    if (raw === undefined) return defaultValue === undefined ? undefined : this.substitute(defaultValue, key);
    return this.substitute(raw, key);
  }

  /** Expanded and trimmed (Configuration.getTrimmed). */
  getTrimmed(key: string): string | undefined;
  getTrimmed(key: string, defaultValue: string): string;
  getTrimmed(key: string, defaultValue?: string): string | undefined {
    const value = this.get(key);
    if (value === undefined) return defaultValue;
    return value.trim();
  }

  /** Comma-separated, each trimmed, empty items dropped (getTrimmedStringCollection). */
  getTrimmedStrings(key: string): string[] {
    const value = this.get(key);
    if (value === undefined) return [];
    return value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0);
  }

  /** Integer with Hadoop's parsing (decimal, or hex with 0x); a bad value is a ConfigError naming the key. */
  getInt(key: string, defaultValue: number): number {
    const value = this.getTrimmed(key);
    if (value === undefined || value === '') return defaultValue;
    const parsed = parseJavaInt(value);
    if (parsed === undefined) {
      throw new ConfigError(`Invalid value for ${key}: '${value}' is not an integer${this.sourceSuffix(key)}`, key, this.source(key));
    }
    return parsed;
  }

  /** Parity: Configuration.getBoolean: "true"/"false" (any case); anything else gives the default. */
  getBoolean(key: string, defaultValue: boolean): boolean {
    const value = this.getTrimmed(key);
    if (value === undefined || value === '') return defaultValue;
    const lower = value.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
    return defaultValue;
  }

  /** Like getBoolean, but a value other than true/false is a ConfigError naming the key. */
  getBooleanStrict(key: string, defaultValue: boolean): boolean {
    const value = this.getTrimmed(key);
    if (value === undefined || value === '') return defaultValue;
    const lower = value.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
    throw new ConfigError(`Invalid value for ${key}: '${value}' is not true or false${this.sourceSuffix(key)}`, key, this.source(key));
  }

  /**
   * A duration in milliseconds. Parity: Configuration.getTimeDuration: a number with an optional
   * unit suffix (ns, us, ms, s, m, h, d); without a suffix the number is in `unitWithoutSuffix`.
   */
  getTimeDurationMs(key: string, defaultMs: number, unitWithoutSuffix: TimeUnit = 'ms'): number {
    const value = this.getTrimmed(key);
    if (value === undefined || value === '') return defaultMs;
    const parsed = parseTimeDurationMs(value, unitWithoutSuffix);
    if (parsed === undefined) {
      throw new ConfigError(
        `Invalid value for ${key}: '${value}' is not a duration (a number with an optional unit ns, us, ms, s, m, h or d)${this.sourceSuffix(key)}`,
        key,
        this.source(key),
      );
    }
    return parsed;
  }

  /**
   * Parity: DFSUtil suffix resolution (setGenericConf): `key.<ns>.<nn>` wins, then `key.<ns>`,
   * then `key`. Either id may be omitted. Returns the expanded value.
   */
  getWithSuffix(key: string, nameserviceId?: string, namenodeId?: string): string | undefined {
    const resolved = this.resolveSuffixedKey(key, nameserviceId, namenodeId);
    return resolved === undefined ? undefined : this.get(resolved);
  }

  /** Which key getWithSuffix would read (so errors can name it), or undefined if none is set. */
  resolveSuffixedKey(key: string, nameserviceId?: string, namenodeId?: string): string | undefined {
    for (const candidate of suffixCandidates(key, nameserviceId, namenodeId)) {
      if (this.props.has(candidate)) return candidate;
    }
    return undefined;
  }

  /**
   * Every key with its value. Parity: iterating a Hadoop Configuration yields the raw values
   * (no `${}` expansion), which is what ShellCommandFencer exports; pass `expand` for expanded ones.
   */
  entries(options: { readonly expand?: boolean } = {}): Array<[string, string]> {
    const result: Array<[string, string]> = [];
    for (const [key, entry] of this.props) {
      result.push([key, options.expand ? this.substitute(entry.value, key) : entry.value]);
    }
    return result;
  }

  keys(): string[] {
    return [...this.props.keys()];
  }

  /** Where the current value came from: a file path, '-D', or 'programmatically'. */
  source(key: string): string | undefined {
    const sources = this.props.get(key)?.sources;
    return sources === undefined ? undefined : sources[sources.length - 1];
  }

  /** Every source that set the key, oldest first. */
  sources(key: string): readonly string[] {
    return this.props.get(key)?.sources ?? [];
  }

  isFinal(key: string): boolean {
    return this.props.get(key)?.final ?? false;
  }

  /** Overrides of final keys that were ignored while loading (for the caller to log as Hadoop warns). */
  ignoredFinalOverrides(): readonly IgnoredFinalOverride[] {
    return this.ignored;
  }

  private mergeFromResource(key: string, value: string, final: boolean, source: string): void {
    const previous = this.props.get(key);
    if (previous?.final) {
      // Parity: Configuration.checkForOverride: a final key keeps its value; a different
      // value from a later resource is reported and dropped.
      if (previous.value !== value) {
        this.ignored.push({ key, finalSource: previous.sources[previous.sources.length - 1] ?? source, ignoredSource: source });
      }
      return;
    }
    this.props.set(key, { value, final, sources: [...(previous?.sources ?? []), source] });
  }

  private sourceSuffix(key: string): string {
    const source = this.source(key);
    return source === undefined ? '' : ` (from ${source})`;
  }

  /**
   * Parity: Configuration.substituteVars. At most MAX_SUBST rounds; an unbound variable stops
   * expansion and leaves the text as it is at that point; a value that refers to itself
   * returns the original expression; more rounds than the limit is an error naming the key.
   */
  private substitute(expression: string, key: string): string {
    let current = expression;
    for (let round = 0; round < MAX_SUBSTITUTIONS; round++) {
      const bounds = findVariable(current);
      if (bounds === undefined) return current;
      const name = current.slice(bounds.start, bounds.end);
      const value = this.lookupVariable(name);
      if (value === undefined) return current;
      const reference = current.slice(bounds.start - 2, bounds.end + 1);
      if (value.includes(reference)) return expression;
      current = current.slice(0, bounds.start - 2) + value + current.slice(bounds.end + 1);
    }
    throw new ConfigError(
      `Variable substitution depth too large: ${MAX_SUBSTITUTIONS} ${expression} (in ${key}${this.sourceSuffix(key)})`,
      key,
      this.source(key),
    );
  }

  private lookupVariable(name: string): string | undefined {
    if (name.startsWith('env.') && name.length > 4) {
      const spec = name.slice(4);
      // ${env.NAME:-default}: default when unset or empty; ${env.NAME-default}: only when unset.
      for (let i = 0; i < spec.length; i++) {
        const c = spec[i];
        if (c === ':' && i < spec.length - 1 && spec[i + 1] === '-') {
          const value = this.env[spec.slice(0, i)];
          return value === undefined || value === '' ? spec.slice(i + 2) : value;
        }
        if (c === '-') {
          const value = this.env[spec.slice(0, i)];
          return value === undefined ? spec.slice(i + 1) : value;
        }
      }
      const value = this.env[spec];
      if (value !== undefined) return value;
      return this.props.get(name)?.value;
    }
    return this.systemProperties[name] ?? this.props.get(name)?.value;
  }
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

/** Parse "30s", "500", "2m" into milliseconds (truncated toward zero like Java's TimeUnit.convert). */
export function parseTimeDurationMs(text: string, unitWithoutSuffix: TimeUnit = 'ms'): number | undefined {
  const match = /^([+-]?\d+)\s*(ns|us|ms|s|m|h|d)?$/i.exec(text.trim());
  if (!match || match[1] === undefined) return undefined;
  const amount = Number(match[1]);
  const unit = (match[2]?.toLowerCase() as TimeUnit | undefined) ?? unitWithoutSuffix;
  const ms = Math.trunc(amount * UNIT_MS[unit]);
  return Number.isSafeInteger(ms) ? ms : undefined;
}

/** Java Integer.decode-like parsing as Configuration.getInt does it (decimal, 0x hex, sign). */
export function parseJavaInt(text: string): number | undefined {
  const match = /^([+-]?)(0[xX][0-9a-fA-F]+|\d+)$/.exec(text);
  if (!match || match[2] === undefined) return undefined;
  const digits = match[2];
  const magnitude = /^0[xX]/.test(digits) ? parseInt(digits.slice(2), 16) : parseInt(digits, 10);
  const value = match[1] === '-' ? -magnitude : magnitude;
  if (value > 2147483647 || value < -2147483648) return undefined;
  return value;
}

/** key.<ns>.<nn>, key.<ns>, key: most specific first, skipping absent ids. */
export function suffixCandidates(key: string, nameserviceId?: string, namenodeId?: string): string[] {
  const candidates: string[] = [];
  if (nameserviceId && namenodeId) candidates.push(`${key}.${nameserviceId}.${namenodeId}`);
  else if (namenodeId) candidates.push(`${key}.${namenodeId}`);
  if (nameserviceId) candidates.push(`${key}.${nameserviceId}`);
  candidates.push(key);
  return candidates;
}

/** Parity: DFSUtilClient.concatSuffixes / DFSUtil.addKeySuffixes: key plus the ids that are set. */
export function addKeySuffixes(key: string, ...ids: ReadonlyArray<string | undefined>): string {
  let result = key;
  for (const id of ids) {
    if (id !== undefined && id !== '') result += `.${id}`;
  }
  return result;
}

/**
 * Parity: Configuration.findSubVariable: the first `${name}` whose name is non-empty and
 * holds no space or `$`. Returns the bounds of the name (between the braces).
 */
function findVariable(text: string): { start: number; end: number } | undefined {
  let from = 1;
  for (let brace = text.indexOf('{', from); brace > 0 && brace + 2 < text.length; brace = text.indexOf('{', from)) {
    if (text[brace - 1] !== '$') {
      from = brace + 1;
      continue;
    }
    const start = brace + 1;
    let length = 0;
    let reset = false;
    for (let i = start; i < text.length; i++) {
      const c = text[i];
      if (c === '}' && length > 0) return { start, end: start + length };
      if (c === '}' || c === ' ' || c === '$') {
        from = i + 1;
        reset = true;
        break;
      }
      length++;
    }
    if (!reset) return undefined;
  }
  return undefined;
}

interface ParsedProperty {
  readonly name: string;
  readonly value: string;
  readonly final: boolean;
}

const xmlParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  isArray: (_name, jpath) => jpath === 'configuration.property',
});

/**
 * Parse one configuration document into its properties, in document order. Accepts Hadoop's
 * element form (<property><name/><value/><final/></property>) and its attribute form
 * (<property name=".." value=".." final="true"/>). A property with no value is skipped, as
 * Hadoop does; a property with no name is an error naming the file and line.
 */
export function parseConfigurationXml(text: string, sourceName: string): ParsedProperty[] {
  const validation = XMLValidator.validate(text);
  if (validation !== true) {
    const { msg, line, col } = validation.err;
    throw new ConfigError(`Malformed XML in ${sourceName} at line ${line}, column ${col}: ${msg}`, undefined, sourceName);
  }
  let document: unknown;
  try {
    document = xmlParser.parse(text);
  } catch (cause) {
    throw new ConfigError(`Malformed XML in ${sourceName}: ${errorMessage(cause)}`, undefined, sourceName, { cause });
  }
  const roots = Object.keys(document as Record<string, unknown>).filter((k) => k !== '#text' && !k.startsWith('?'));
  if (roots.length !== 1 || roots[0] !== 'configuration') {
    throw new ConfigError(`Bad configuration file ${sourceName}: top-level element not <configuration>`, undefined, sourceName);
  }
  const root = (document as Record<string, unknown>)['configuration'];
  if (root === '' || root === undefined || typeof root === 'string') return [];
  const rootObject = root as Record<string, unknown>;
  if ('xi:include' in rootObject) {
    throw new ConfigError(`Unsupported <xi:include> in ${sourceName}: inline the included properties`, undefined, sourceName);
  }
  const properties = (rootObject['property'] ?? []) as unknown[];
  const lines = propertyLines(text);
  const result: ParsedProperty[] = [];
  properties.forEach((raw, index) => {
    const where = `${sourceName}${lines[index] !== undefined ? ` line ${lines[index]}` : ''}`;
    const property = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
    const name = textField(property, 'name', where);
    if (name === undefined || name.trim() === '') {
      throw new ConfigError(`Property without a name in ${where}`, undefined, sourceName);
    }
    const key = name.trim();
    const value = textField(property, 'value', where, key);
    if (value === undefined) return;
    const finalText = textField(property, 'final', where, key);
    result.push({ name: key, value, final: finalText?.trim() === 'true' });
  });
  return result;
}

function textField(property: Record<string, unknown>, field: string, where: string, key?: string): string | undefined {
  const element = property[field];
  const attribute = property[`@_${field}`];
  const value = element !== undefined ? element : attribute;
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    throw new ConfigError(`Property ${key ?? ''} in ${where} has more than one <${field}>`.replace('  ', ' '), key, where);
  }
  // An element with attributes or children: take its text when it has only text.
  const object = value as Record<string, unknown>;
  const text = object['#text'];
  const hasChildren = Object.keys(object).some((k) => k !== '#text' && !k.startsWith('@_'));
  if (!hasChildren) return typeof text === 'string' || typeof text === 'number' ? String(text) : '';
  throw new ConfigError(`Property ${key ?? ''} in ${where}: <${field}> must hold text, not elements`.replace('  ', ' '), key, where);
}

/** 1-based line of each <property> start tag, in order, ignoring comments and CDATA. */
function propertyLines(text: string): number[] {
  const masked = text.replace(/<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>/g, (m) => m.replace(/[^\n]/g, ' '));
  const lines: number[] = [];
  const pattern = /<property[\s/>]/g;
  let line = 1;
  let last = 0;
  for (let match = pattern.exec(masked); match !== null; match = pattern.exec(masked)) {
    for (let i = last; i < match.index; i++) if (masked.charCodeAt(i) === 10) line++;
    last = match.index;
    lines.push(line);
  }
  return lines;
}
