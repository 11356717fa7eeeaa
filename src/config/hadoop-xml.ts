// Hadoop's configuration XML (core-site.xml, hdfs-site.xml, ...) read into properties in document
// order, as Configuration#loadResource reads it: <property> in its element form
// (<name/><value/><final/>) or its attribute form, and <xi:include href="..."/> with
// <xi:fallback>, the way Hadoop's ViewFs documentation includes mountTable.xml. What the
// properties mean (order, final keys, deprecated names) is HadoopConfiguration's business; this
// file only reads files and says where each property was written.
//
// Differences from Hadoop, all on the safe side: an href with a scheme other than file: is
// refused (Hadoop would fetch it over the network), includes nest at most MAX_INCLUDE_DEPTH deep
// and never in a cycle, the classpath is not searched (Hadoop finds a bare href there first; in a
// deployment the conf dir is that classpath entry, which is where a relative href points anyway),
// and a property names the file that holds it, where Hadoop names the including file.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { ConfigError, errorMessage } from '../errors.js';

/** A Hadoop site file is a few hundred KiB at most; refuse anything absurd before reading it. */
const MAX_CONFIG_FILE_BYTES = 16 * 1024 * 1024;
/** How deep xi:include may nest (core-site.xml → mountTable.xml is depth 1). */
export const MAX_INCLUDE_DEPTH = 8;

/** One <property> as written. */
export interface XmlProperty {
  /** Trimmed, as Hadoop trims names. */
  readonly name: string;
  /**
   * The text as written (not trimmed). Undefined when the property has no value, or an empty
   * <value/> element: Hadoop loads no value then, though a <final>true</final> still marks the key final.
   */
  readonly value: string | undefined;
  /** <final>true</final> or final="true", exactly: Hadoop compares the text with "true". */
  readonly final: boolean;
  /** The file (or the name given to parseConfigurationXml) that holds the property. */
  readonly source: string;
}

interface ReadState {
  readonly depth: number;
  /** The files being read, outermost first: an include of one of them is a cycle. */
  readonly chain: readonly string[];
}

/**
 * Read one configuration file and everything it includes. `optional`: a missing file gives
 * undefined (Hadoop's quiet default resources) instead of a ConfigError naming the file.
 */
export function readConfigurationFile(
  path: string,
  options: { readonly optional?: boolean } = {},
): XmlProperty[] | undefined {
  return readFile(path, options.optional ?? false, { depth: 0, chain: [] });
}

/**
 * Parse configuration XML text. `sourceName` names it in errors and in XmlProperty.source, and a
 * relative xi:include href is resolved against its directory.
 */
export function parseConfigurationXml(text: string, sourceName: string): XmlProperty[] {
  return parseText(text, sourceName, { depth: 0, chain: [resolve(sourceName)] });
}

function readFile(path: string, optional: boolean, state: ReadState): XmlProperty[] | undefined {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (cause) {
    if (optional && (cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError(`Cannot read configuration file ${path}: ${errorMessage(cause)}`, undefined, path, { cause });
  }
  if (size > MAX_CONFIG_FILE_BYTES) {
    throw new ConfigError(
      `Configuration file ${path} is ${size} bytes, more than the ${MAX_CONFIG_FILE_BYTES} allowed`,
      undefined,
      path,
    );
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new ConfigError(`Cannot read configuration file ${path}: ${errorMessage(cause)}`, undefined, path, { cause });
  }
  return parseText(text, path, { depth: state.depth, chain: [...state.chain, resolve(path)] });
}

/** fast-xml-parser's preserveOrder form: one key per element (its children), attributes under ':@'. */
type OrderedNode = Record<string, unknown>;

const xmlParser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

function parseText(text: string, sourceName: string, state: ReadState): XmlProperty[] {
  const validation = XMLValidator.validate(text);
  if (validation !== true) {
    const { msg, line, col } = validation.err;
    throw new ConfigError(
      `Malformed XML in ${sourceName} at line ${line}, column ${col}: ${msg}`,
      undefined,
      sourceName,
    );
  }
  let document: OrderedNode[];
  try {
    document = xmlParser.parse(text) as OrderedNode[];
  } catch (cause) {
    throw new ConfigError(`Malformed XML in ${sourceName}: ${errorMessage(cause)}`, undefined, sourceName, { cause });
  }
  const roots = document.filter((node) => elementName(node) !== undefined);
  if (roots.length !== 1 || localName(elementName(roots[0]!)!) !== 'configuration') {
    throw new ConfigError(
      `Bad configuration file ${sourceName}: top-level element not <configuration>`,
      undefined,
      sourceName,
    );
  }
  const reader = new DocumentReader(sourceName, propertyLines(text), state);
  reader.walk(children(roots[0]!), true);
  return reader.properties;
}

/** Walks one document's elements in order, as Configuration#loadResource's StAX loop does. */
class DocumentReader {
  readonly properties: XmlProperty[] = [];
  /** Index of the next <property> start tag in the text (for its line number). */
  private propertyIndex = 0;

  constructor(
    private readonly sourceName: string,
    private readonly lines: readonly number[],
    private readonly state: ReadState,
  ) {}

  /** `load` false: only count the properties (the fallback of an include that worked). */
  walk(nodes: readonly OrderedNode[], load: boolean): void {
    for (const node of nodes) {
      const name = elementName(node);
      if (name === undefined) continue;
      switch (localName(name)) {
        case 'property':
          this.property(node, load);
          break;
        case 'include':
          this.include(node, load);
          break;
        case 'fallback':
          // Outside an include Hadoop enters the fallback state and skips what follows: skip it.
          this.walk(children(node), false);
          break;
        default:
          this.walk(children(node), load);
      }
    }
  }

  private property(node: OrderedNode, load: boolean): void {
    const line = this.lines[this.propertyIndex++];
    if (!load) return;
    const where = `${this.sourceName}${line !== undefined ? ` line ${line}` : ''}`;
    const attributes = attributesOf(node);
    const fields = new Map<string, string>();
    for (const child of children(node)) {
      const name = elementName(child);
      if (name === undefined) continue;
      const field = localName(name);
      if (field !== 'name' && field !== 'value' && field !== 'final') continue;
      const key = field === 'name' ? undefined : fields.get('name');
      if (fields.has(field)) {
        throw new ConfigError(
          `Property ${key ?? ''} in ${where} has more than one <${field}>`.replace('  ', ' '),
          key,
          this.sourceName,
        );
      }
      fields.set(field, textOf(child, field, where, key, this.sourceName));
    }
    // Parity: an empty element leaves what the attribute form gave (Hadoop keeps only non-empty text).
    const pick = (field: string): string | undefined => {
      const text = fields.get(field);
      return text !== undefined && text !== '' ? text : attributes[`@_${field}`];
    };
    const name = pick('name')?.trim();
    if (name === undefined || name === '')
      throw new ConfigError(`Property without a name in ${where}`, undefined, this.sourceName);
    this.properties.push({ name, value: pick('value'), final: pick('final') === 'true', source: this.sourceName });
  }

  /** Parity: the "include" and "fallback" cases of Configuration#loadResource. */
  private include(node: OrderedNode, load: boolean): void {
    const nested = children(node);
    const fallback = nested.filter((child) => {
      const name = elementName(child);
      return name !== undefined && localName(name) === 'fallback';
    });
    const href = attributesOf(node)['@_href'];
    if (!load || href === undefined || href === '') {
      // Hadoop ignores an include without href, and skips its fallback.
      this.walkFallback(fallback, false);
      return;
    }
    const target = this.resolveHref(href);
    if (!existsSync(target)) {
      if (fallback.length === 0) {
        throw new ConfigError(
          `Fetch fail on include for '${href}' with no fallback while loading '${this.sourceName}' (no file ${target})`,
          undefined,
          this.sourceName,
        );
      }
      this.walkFallback(fallback, true);
      return;
    }
    if (this.state.chain.includes(target)) {
      throw new ConfigError(
        `xi:include cycle: ${[...this.state.chain, target].join(' includes ')}`,
        undefined,
        this.sourceName,
      );
    }
    if (this.state.depth + 1 > MAX_INCLUDE_DEPTH) {
      throw new ConfigError(
        `xi:include of '${href}' in ${this.sourceName} nests more than ` +
          `${MAX_INCLUDE_DEPTH} deep: ${[...this.state.chain, target].join(' includes ')}`,
        undefined,
        this.sourceName,
      );
    }
    this.properties.push(...(readFile(target, false, { depth: this.state.depth + 1, chain: this.state.chain }) ?? []));
    this.walkFallback(fallback, false);
  }

  private walkFallback(fallback: readonly OrderedNode[], load: boolean): void {
    for (const element of fallback) this.walk(children(element), load);
  }

  /** A file path for the href: absolute, file: URL, or relative to the including file's directory. */
  private resolveHref(href: string): string {
    const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(href)?.[1]?.toLowerCase();
    if (scheme === 'file') {
      try {
        return fileURLToPath(href);
      } catch (cause) {
        throw new ConfigError(
          `xi:include href '${href}' in ${this.sourceName} is not a usable file: URL: ${errorMessage(cause)}`,
          undefined,
          this.sourceName,
          { cause },
        );
      }
    }
    if (scheme !== undefined) {
      throw new ConfigError(
        `xi:include href '${href}' in ${this.sourceName} is not a local file: configuration ` +
          `is never fetched over the network; copy it into the configuration directory`,
        undefined,
        this.sourceName,
      );
    }
    return isAbsolute(href) ? href : resolve(dirname(this.sourceName), href);
  }
}

function elementName(node: OrderedNode): string | undefined {
  for (const key of Object.keys(node)) if (key !== ':@' && key !== '#text') return key;
  return undefined;
}

/** Parity: Hadoop matches elements by local name (`xi:include`, `include` and `x:include` alike). */
function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon === -1 ? name : name.slice(colon + 1);
}

function children(node: OrderedNode): OrderedNode[] {
  const name = elementName(node);
  const value = name === undefined ? undefined : node[name];
  return Array.isArray(value) ? (value as OrderedNode[]) : [];
}

function attributesOf(node: OrderedNode): Record<string, string | undefined> {
  const attributes = node[':@'];
  return typeof attributes === 'object' && attributes !== null
    ? (attributes as Record<string, string | undefined>)
    : {};
}

/** The text of <name>, <value> or <final>; an element inside it is an error naming the key. */
function textOf(node: OrderedNode, field: string, where: string, key: string | undefined, sourceName: string): string {
  let text = '';
  for (const child of children(node)) {
    if (elementName(child) !== undefined) {
      throw new ConfigError(
        `Property ${key ?? ''} in ${where}: <${field}> must hold text, not elements`.replace('  ', ' '),
        key,
        sourceName,
      );
    }
    const part = child['#text'];
    if (typeof part === 'string' || typeof part === 'number' || typeof part === 'boolean') text += String(part);
  }
  return text;
}

/** 1-based line of each <property> start tag (any namespace prefix), in order, ignoring comments and CDATA. */
function propertyLines(text: string): number[] {
  const masked = text.replace(/<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>/g, (m) => m.replace(/[^\n]/g, ' '));
  const lines: number[] = [];
  const pattern = /<(?:[A-Za-z_][\w.-]*:)?property[\s/>]/g;
  let line = 1;
  let last = 0;
  for (let match = pattern.exec(masked); match !== null; match = pattern.exec(masked)) {
    for (let i = last; i < match.index; i++) if (masked.charCodeAt(i) === 10) line++;
    last = match.index;
    lines.push(line);
  }
  return lines;
}
