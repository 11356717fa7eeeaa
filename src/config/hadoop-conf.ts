// Hadoop's configuration as org.apache.hadoop.conf.Configuration holds it: resources read in order
// (hadoop-xml.ts reads the XML, xi:include included), later ones overriding earlier ones except
// keys an earlier one marked <final>true</final> (the attempt is reported with Hadoop's warning);
// deprecated key names mapped to their new names (deprecations.ts, with Hadoop's warning);
// `${var}` expansion (variable-expansion.ts) from system properties, other keys and `${env.NAME}`; typed getters with
// Hadoop's parsing rules (java-values.ts); DFSUtil's ns/nn suffix resolution; and where every
// value came from. It does not read *-default.xml (callers pass defaults) and never touches the
// network.

import { homedir, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';
import { deprecationOf, deprecationWarning } from './deprecations.js';
import { readConfigurationFile, parseConfigurationXml, type XmlProperty } from './hadoop-xml.js';
import { parseJavaBoolean, parseJavaInt, parseJavaLong, parseTimeDurationMs, type TimeUnit } from './java-values.js';
import { expandVariables, MAX_SUBSTITUTIONS } from './variable-expansion.js';

/** Source name used for values given with `-D key=value` (Hadoop's GenericOptionsParser says "command line"). */
export const COMMAND_LINE_SOURCE = '-D';
/** Source name for values set programmatically without a file. */
export const PROGRAMMATIC_SOURCE = 'programmatically';

interface Entry {
  readonly value: string;
  /** Every source that set the key, oldest first (Configuration.getPropertySources). */
  readonly sources: readonly string[];
}

/**
 * Something Hadoop logs while loading a configuration, with Hadoop's text, for the caller to log:
 * a deprecated key name (Hadoop's logger org.apache.hadoop.conf.Configuration.deprecation), or a
 * later resource's attempt to change a key an earlier one marked final (Configuration#loadProperty:
 * the value is kept, the attempt ignored).
 */
export type ConfigurationWarning =
  | {
      readonly kind: 'deprecated';
      readonly key: string;
      readonly newKeys: readonly string[];
      readonly source: string;
      readonly message: string;
    }
  | {
      readonly kind: 'final-override';
      readonly key: string;
      readonly finalSource: string;
      readonly ignoredSource: string;
      readonly message: string;
    };

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
  /** Parity: Configuration.finalParameters (a key can be final without a value). */
  private readonly finalKeys = new Set<string>();
  private readonly loadWarnings: ConfigurationWarning[] = [];
  /** Deprecated names already warned about (Hadoop warns once per key). */
  private readonly warnedDeprecations = new Set<string>();
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

  /** Read one XML resource (and what it includes) and merge it. `optional`: a missing file is not an error. */
  addResource(path: string, options: { readonly optional?: boolean } = {}): void {
    for (const property of readConfigurationFile(path, options) ?? []) this.loadProperty(property);
  }

  /** Parse Hadoop configuration XML text; `sourceName` names it in errors and in source(). */
  addXml(text: string, sourceName: string): void {
    for (const property of parseConfigurationXml(text, sourceName)) this.loadProperty(property);
  }

  /**
   * Set a value, as `-D key=value` or Configuration#set does: overrides even final keys. A
   * deprecated name sets its new name(s) instead, with Hadoop's warning.
   */
  set(key: string, value: string, source: string = COMMAND_LINE_SOURCE): void {
    for (const name of this.newNames(key, source)) {
      const previous = this.props.get(name);
      this.props.set(name, { value, sources: [...(previous?.sources ?? []), source] });
    }
  }

  unset(key: string): void {
    for (const name of this.newNames(key)) this.props.delete(name);
  }

  /** A deep copy (Hadoop's `new Configuration(conf)`). */
  copy(): HadoopConfiguration {
    const other = new HadoopConfiguration({ env: this.env, systemProperties: this.systemProperties });
    for (const [key, entry] of this.props) other.props.set(key, entry);
    for (const key of this.finalKeys) other.finalKeys.add(key);
    other.loadWarnings.push(...this.loadWarnings);
    for (const key of this.warnedDeprecations) other.warnedDeprecations.add(key);
    return other;
  }

  has(key: string): boolean {
    return this.entry(key) !== undefined;
  }

  /** The value as written, without `${}` expansion. */
  getRaw(key: string): string | undefined {
    return this.entry(key)?.value;
  }

  /** The value with `${}` expanded (Configuration.get). */
  get(key: string): string | undefined;
  get(key: string, defaultValue: string): string;
  get(key: string, defaultValue?: string): string | undefined {
    const raw = this.entry(key)?.value;
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

  /**
   * Parity: Configuration#getInt: decimal or 0x hex, no unit suffix; unset gives the default, and
   * anything else Java's Integer.parseInt refuses (empty text, "10s") is a ConfigError naming the
   * key, the value and where it came from.
   */
  getInt(key: string, defaultValue: number): number {
    const value = this.getTrimmed(key);
    if (value === undefined) return defaultValue;
    return this.parsed(
      key,
      value,
      parseJavaInt(value),
      'is not an integer (Hadoop reads this key as a Java int: decimal or 0x hex, no unit suffix)',
    );
  }

  /** Parity: Configuration#getLong, with getInt's rules and Java's long range (up to 2^53 here). */
  getLong(key: string, defaultValue: number): number {
    const value = this.getTrimmed(key);
    if (value === undefined) return defaultValue;
    return this.parsed(
      key,
      value,
      parseJavaLong(value),
      'is not an integer (Hadoop reads this key as a Java long: decimal or 0x hex, no unit suffix)',
    );
  }

  /** Parity: Configuration#getBoolean: "true"/"false" (any case); anything else gives the default. */
  getBoolean(key: string, defaultValue: boolean): boolean {
    const value = this.getTrimmed(key);
    if (value === undefined || value === '') return defaultValue;
    return parseJavaBoolean(value) ?? defaultValue;
  }

  /** Like getBoolean, but a value other than true/false is a ConfigError naming the key. */
  getBooleanStrict(key: string, defaultValue: boolean): boolean {
    const value = this.getTrimmed(key);
    if (value === undefined || value === '') return defaultValue;
    return this.parsed(key, value, parseJavaBoolean(value), 'is not true or false');
  }

  /**
   * A duration in milliseconds. Parity: Configuration#getTimeDuration: a number with an optional
   * unit suffix (ns, us, ms, s, m, h, d); without a suffix the number is in `unitWithoutSuffix`.
   * Only for keys Hadoop reads with getTimeDuration (a key Hadoop reads with getInt takes getInt).
   */
  getTimeDurationMs(key: string, defaultMs: number, unitWithoutSuffix: TimeUnit = 'ms'): number {
    const value = this.getTrimmed(key);
    if (value === undefined) return defaultMs;
    return this.parsed(
      key,
      value,
      parseTimeDurationMs(value, unitWithoutSuffix),
      'is not a duration (a number with an optional unit ns, us, ms, s, m, h or d)',
    );
  }

  private parsed<T>(key: string, value: string, result: T | undefined, problem: string): T {
    if (result === undefined)
      throw new ConfigError(
        `Invalid value for ${key}: '${value}' ${problem}${this.sourceSuffix(key)}`,
        key,
        this.source(key),
      );
    return result;
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
    const sources = this.entry(key)?.sources;
    return sources === undefined ? undefined : sources[sources.length - 1];
  }

  /** Every source that set the key, oldest first. */
  sources(key: string): readonly string[] {
    return this.entry(key)?.sources ?? [];
  }

  isFinal(key: string): boolean {
    return this.newNames(key).some((name) => this.finalKeys.has(name));
  }

  /**
   * What loading logged, in order, with Hadoop's texts: deprecated key names and ignored
   * overrides of final keys. The composition roots log them (Hadoop logs them while loading).
   */
  warnings(): readonly ConfigurationWarning[] {
    return this.loadWarnings;
  }

  /**
   * Parity: Configuration#loadProperty for one property of a resource: a deprecated name loads
   * its new name(s); a key an earlier resource marked final keeps its value, and a different
   * value is reported (Configuration#checkForOverride) and dropped; <final>true</final> marks the
   * key final even when the value was dropped or absent.
   */
  private loadProperty(property: XmlProperty): void {
    for (const key of this.newNames(property.name, property.source)) {
      if (property.value !== undefined) {
        const previous = this.props.get(key);
        if (!this.finalKeys.has(key)) {
          this.props.set(key, { value: property.value, sources: [...(previous?.sources ?? []), property.source] });
        } else if (previous !== undefined && previous.value !== property.value) {
          this.loadWarnings.push({
            kind: 'final-override',
            key,
            finalSource: previous.sources[previous.sources.length - 1] ?? property.source,
            ignoredSource: property.source,
            message: `${property.source}:an attempt to override final parameter: ${key};  Ignoring.`,
          });
        }
      }
      if (property.final) this.finalKeys.add(key);
    }
  }

  /**
   * The names a key is stored under: its new name(s) when it is deprecated, else itself. With a
   * `source` (a value is being set), the first use of a deprecated name is reported.
   */
  private newNames(key: string, source?: string): readonly string[] {
    const deprecated = deprecationOf(key);
    if (deprecated === undefined) return [key];
    if (source !== undefined && !this.warnedDeprecations.has(key)) {
      this.warnedDeprecations.add(key);
      this.loadWarnings.push({
        kind: 'deprecated',
        key,
        newKeys: deprecated.newKeys,
        source,
        message: deprecationWarning(deprecated, source),
      });
    }
    return deprecated.newKeys;
  }

  private entry(key: string): Entry | undefined {
    for (const name of this.newNames(key)) {
      const entry = this.props.get(name);
      if (entry !== undefined) return entry;
    }
    return undefined;
  }

  private sourceSuffix(key: string): string {
    const source = this.source(key);
    return source === undefined ? '' : ` (from ${source})`;
  }

  /** Parity: Configuration#substituteVars (variable-expansion.ts); too many rounds is an error naming the key. */
  private substitute(expression: string, key: string): string {
    const expanded = expandVariables(expression, {
      env: this.env,
      systemProperties: this.systemProperties,
      property: (name) => this.entry(name)?.value,
    });
    if (expanded !== undefined) return expanded;
    throw new ConfigError(
      `Variable substitution depth too large: ${MAX_SUBSTITUTIONS} ${expression} (in ${key}${this.sourceSuffix(key)})`,
      key,
      this.source(key),
    );
  }
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
