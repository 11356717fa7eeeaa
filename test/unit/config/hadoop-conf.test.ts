// Goal: HadoopConfiguration reads site files exactly as org.apache.hadoop.conf.Configuration:
// override order, final keys (with Hadoop's warning for an ignored override), deprecated key
// names (mapped, with Hadoop's warning), ${var} expansion (keys, system properties, env with
// defaults, loops, depth limit), Hadoop's typed getters (getInt / getLong refuse "10s",
// getTimeDuration takes it), DFSUtil suffix resolution, source tracking, and ConfigErrors that
// name the file/line/key for bad input.
// Method: real XML files written to a temp dir, table-driven cases.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HadoopConfiguration } from '../../../src/config/hadoop-conf.js';
import { parseJavaInt, parseJavaLong, parseTimeDurationMs } from '../../../src/config/java-values.js';
import { ConfigError } from '../../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'hadoop-conf-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileCounter = 0;
function confDir(files: Record<string, string>): string {
  const d = join(dir, `conf${fileCounter++}`);
  mkdirSync(d);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(d, name), text);
  return d;
}

function xml(properties: Array<[string, string] | [string, string, boolean]>): string {
  const body = properties
    .map(
      ([name, value, final]) =>
        `  <property>\n    <name>${name}</name>\n    ` +
        `<value>${value}</value>${final ? '\n    <final>true</final>' : ''}\n  </property>`,
    )
    .join('\n');
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<?xml-stylesheet type="text/xsl" ` +
    `href="configuration.xsl"?>\n<configuration>\n${body}\n</configuration>\n`
  );
}

const noEnv = { env: {}, systemProperties: { 'user.name': 'hdfs' } };

describe('HadoopConfiguration loading', () => {
  it('reads core-site.xml then hdfs-site.xml; the later file wins and source() names it', () => {
    const d = confDir({
      'core-site.xml': xml([
        ['a', 'from-core'],
        ['only.core', 'c'],
      ]),
      'hdfs-site.xml': xml([
        ['a', 'from-hdfs'],
        ['only.hdfs', 'h'],
      ]),
    });
    const conf = HadoopConfiguration.load(d, noEnv);
    expect(conf.get('a')).toBe('from-hdfs');
    expect(conf.get('only.core')).toBe('c');
    expect(conf.get('only.hdfs')).toBe('h');
    expect(conf.source('a')).toBe(join(d, 'hdfs-site.xml'));
    expect(conf.sources('a')).toEqual([join(d, 'core-site.xml'), join(d, 'hdfs-site.xml')]);
    expect(conf.source('only.core')).toBe(join(d, 'core-site.xml'));
  });

  it(
    'a key marked final in an earlier file is not overridden by ' +
      "a later one, and the attempt is reported with Hadoop's text",
    () => {
      const d = confDir({
        'core-site.xml': xml([
          ['locked', 'first', true],
          ['same', 'v', true],
        ]),
        'hdfs-site.xml': xml([
          ['locked', 'second'],
          ['same', 'v'],
        ]),
      });
      const conf = HadoopConfiguration.load(d, noEnv);
      expect(conf.get('locked')).toBe('first');
      expect(conf.source('locked')).toBe(join(d, 'core-site.xml'));
      expect(conf.isFinal('locked')).toBe(true);
      // Parity: Configuration#checkForOverride warns only when the value differs.
      expect(conf.warnings()).toEqual([
        {
          kind: 'final-override',
          key: 'locked',
          finalSource: join(d, 'core-site.xml'),
          ignoredSource: join(d, 'hdfs-site.xml'),
          message: `${join(d, 'hdfs-site.xml')}:an attempt to override final parameter: locked;  Ignoring.`,
        },
      ]);
    },
  );

  it(
    '<final>true</final> marks a key final even when that ' +
      'property has no value, and only the exact text "true" counts',
    () => {
      const conf = new HadoopConfiguration(noEnv);
      conf.addXml(
        '<configuration><property><name>a</name><value>1</value></property>' +
          '<property><name>a</name><final>true</final></property><property><name>b</name><value>1</value><final> ' +
          'true </final></property></configuration>',
        'one.xml',
      );
      conf.addXml(
        '<configuration><property><name>a</name><value>2</value></property>' +
          '<property><name>b</name><value>2</value></property></configuration>',
        'two.xml',
      );
      expect(conf.get('a')).toBe('1');
      expect(conf.get('b')).toBe('2');
      expect(conf.warnings().map((w) => w.message)).toEqual([
        'two.xml:an attempt to override final parameter: a;  Ignoring.',
      ]);
    },
  );

  it.each([
    ['dfs.federation.nameservices', 'dfs.nameservices'],
    ['dfs.federation.nameservice.id', 'dfs.nameservice.id'],
    ['dfs.http.address', 'dfs.namenode.http-address'],
    ['fs.default.name', 'fs.defaultFS'],
    ['dfs.name.dir', 'dfs.namenode.name.dir'],
  ])("the deprecated %s in a site file sets %s, with Hadoop's deprecation warning naming the file", (old, current) => {
    const d = confDir({
      'hdfs-site.xml': xml([
        [old, 'v1'],
        [old, 'v2'],
      ]),
    });
    const file = join(d, 'hdfs-site.xml');
    const conf = HadoopConfiguration.load(d, noEnv);
    expect(conf.get(current)).toBe('v2');
    expect(conf.source(current)).toBe(file);
    expect(conf.get(old)).toBe('v2');
    expect(conf.keys()).toEqual([current]);
    // Once per key, as Hadoop warns once.
    expect(conf.warnings()).toEqual([
      {
        kind: 'deprecated',
        key: old,
        newKeys: [current],
        source: file,
        message: `${old} in ${file} is deprecated. Instead, use ${current}`,
      },
    ]);
  });

  it('a deprecated name given with -D sets the new key over the files, and is reported with its source', () => {
    const d = confDir({ 'hdfs-site.xml': xml([['dfs.nameservices', 'from-file']]) });
    const conf = HadoopConfiguration.load(d, noEnv);
    conf.set('dfs.federation.nameservices', 'from-cli');
    expect(conf.get('dfs.nameservices')).toBe('from-cli');
    expect(conf.source('dfs.nameservices')).toBe('-D');
    expect(conf.warnings().map((w) => w.message)).toEqual([
      'dfs.federation.nameservices in -D is deprecated. Instead, use dfs.nameservices',
    ]);
  });

  it('a deprecated name marked final keeps its new key final', () => {
    const d = confDir({
      'core-site.xml': xml([['fs.default.name', 'hdfs://a', true]]),
      'hdfs-site.xml': xml([['fs.defaultFS', 'hdfs://b']]),
    });
    const conf = HadoopConfiguration.load(d, noEnv);
    expect(conf.get('fs.defaultFS')).toBe('hdfs://a');
    expect(conf.warnings().map((w) => w.kind)).toEqual(['deprecated', 'final-override']);
  });

  it('set() (a -D override) beats files, even final keys, and is reported as the source', () => {
    const d = confDir({ 'core-site.xml': xml([['locked', 'file', true]]) });
    const conf = HadoopConfiguration.load(d, noEnv);
    conf.set('locked', 'cli');
    expect(conf.get('locked')).toBe('cli');
    expect(conf.source('locked')).toBe('-D');
  });

  it('extra files are read after the site files; missing site files are fine, missing extra files are not', () => {
    const d = confDir({ 'hdfs-site.xml': xml([['k', 'site']]), 'extra.xml': xml([['k', 'extra']]) });
    expect(HadoopConfiguration.load(d, { ...noEnv, extraFiles: ['extra.xml'] }).get('k')).toBe('extra');
    expect(() => HadoopConfiguration.load(d, { ...noEnv, extraFiles: ['missing.xml'] })).toThrow(/missing\.xml/);
    expect(HadoopConfiguration.load(join(dir, 'does-not-exist'), noEnv).keys()).toEqual([]);
  });

  it(
    'keeps values untrimmed and names trimmed, decodes entities ' +
      'and CDATA, accepts the attribute form, skips empty <value>s',
    () => {
      const conf = new HadoopConfiguration(noEnv);
      conf.addXml(
        `<configuration>
        <property><name>  spaced.name </name><value>  v &amp; w  </value></property>
        <property><name>cdata</name><value><![CDATA[<b>bold</b>]]></value></property>
        <property name="attr.form" value="from-attrs" final="true"/>
        <property><name>empty</name><value/></property>
        <property><name>no.value</name></property>
        <property name="attr.empty" value=""/>
      </configuration>`,
        'inline.xml',
      );
      expect(conf.get('spaced.name')).toBe('  v & w  ');
      expect(conf.getTrimmed('spaced.name')).toBe('v & w');
      expect(conf.get('cdata')).toBe('<b>bold</b>');
      expect(conf.get('attr.form')).toBe('from-attrs');
      expect(conf.isFinal('attr.form')).toBe(true);
      // Parity: Hadoop keeps only non-empty <value> text, so an empty element sets nothing.
      expect(conf.has('empty')).toBe(false);
      expect(conf.has('no.value')).toBe(false);
      expect(conf.get('attr.empty')).toBe('');
    },
  );

  it.each([
    ['unclosed tag', '<configuration>\n<property>\n<name>x</name>\n</property>\n', /line \d+/],
    ['mismatched tag', '<configuration>\n  <property><name>x</name></propert>\n</configuration>', /line 2/],
    [
      'wrong root',
      '<conf><property><name>x</name><value>1</value></property></conf>',
      /top-level element not <configuration>/,
    ],
    ['not XML', 'dfs.nameservices=ns1', /Malformed XML/],
  ])('malformed XML (%s) is a ConfigError naming the file', (_name, text, detail) => {
    const d = confDir({ 'hdfs-site.xml': text });
    const file = join(d, 'hdfs-site.xml');
    let error: unknown;
    try {
      HadoopConfiguration.load(d, noEnv);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).file).toBe(file);
    expect((error as ConfigError).message).toContain(file);
    expect((error as ConfigError).message).toMatch(detail);
  });

  it('a property without a name is a ConfigError naming the file and line', () => {
    const d = confDir({
      'core-site.xml':
        '<configuration>\n  <!-- <property> in a comment does not count ' +
        '-->\n  <property><name>ok</name><value>1</value></property>\n\n ' +
        ' <property>\n    <value>orphan</value>\n  </property>\n</configuration>\n',
    });
    expect(() => HadoopConfiguration.load(d, noEnv)).toThrow(
      new RegExp(`Property without a name in .*core-site\\.xml line 5`),
    );
  });

  it('a <value> holding elements is a ConfigError naming the key', () => {
    const conf = new HadoopConfiguration(noEnv);
    expect(() =>
      conf.addXml(
        '<configuration><property><name>k1</name><value><a>x</a></value></property></configuration>',
        'f.xml',
      ),
    ).toThrow(/k1.*f\.xml/);
  });
});

describe('HadoopConfiguration ${var} expansion', () => {
  const env = { HADOOP_HOME: '/opt/hadoop', EMPTY: '' };
  const conf = HadoopConfiguration.fromEntries(
    {
      'hadoop.tmp.dir': '/tmp/hadoop-${user.name}',
      base: '/data',
      nested: '${base}/nn',
      deeper: '${nested}/current',
      home: '${env.HADOOP_HOME}/etc',
      'unset.env': '${env.NOPE}/x',
      'default.env': '${env.NOPE:-/fallback}',
      'empty.default': '${env.EMPTY:-/was-empty}',
      'dash.default.keeps.empty': '[${env.EMPTY-/unused}]',
      'dash.default.unset': '${env.NOPE-/dash}',
      unbound: 'a-${no.such.key}-${base}',
      self: 'x${self}',
      'not.a.var': '$base ${ base} ${} {base}',
      'two.vars': '${base}:${base}',
    },
    { env, systemProperties: { 'user.name': 'hdfs' } },
  );

  it.each([
    ['hadoop.tmp.dir', '/tmp/hadoop-hdfs'],
    ['nested', '/data/nn'],
    ['deeper', '/data/nn/current'],
    ['home', '/opt/hadoop/etc'],
    ['unset.env', '${env.NOPE}/x'],
    ['default.env', '/fallback'],
    ['empty.default', '/was-empty'],
    ['dash.default.keeps.empty', '[]'],
    ['dash.default.unset', '/dash'],
    ['unbound', 'a-${no.such.key}-${base}'],
    ['self', 'x${self}'],
    ['not.a.var', '$base ${ base} ${} {base}'],
    ['two.vars', '/data:/data'],
  ])('%s expands to %s', (key, expected) => {
    expect(conf.get(key)).toBe(expected);
  });

  it('getRaw and entries() give the unexpanded text; entries({expand}) the expanded one', () => {
    expect(conf.getRaw('nested')).toBe('${base}/nn');
    expect(new Map(conf.entries()).get('nested')).toBe('${base}/nn');
    expect(new Map(conf.entries({ expand: true })).get('nested')).toBe('/data/nn');
  });

  it('a two-key cycle runs into the depth limit, as in Hadoop, and names the key', () => {
    // loop.a -> ${loop.b} -> ${loop.a} -> ...: no single value contains its own reference, so
    // Hadoop keeps substituting until MAX_SUBST and throws.
    const loop = HadoopConfiguration.fromEntries({ 'loop.a': '${loop.b}', 'loop.b': '${loop.a}' }, noEnv);
    expect(() => loop.get('loop.a')).toThrow(/depth too large.*loop\.a/);
  });

  it('more than 20 rounds of expansion is a ConfigError naming the key', () => {
    const chain: Record<string, string> = {};
    for (let i = 0; i < 25; i++) chain[`k${i}`] = `\${k${i + 1}}`;
    chain['k25'] = 'end';
    const deep = HadoopConfiguration.fromEntries(chain, noEnv);
    expect(deep.get('k10')).toBe('end');
    expect(() => deep.get('k0')).toThrow(ConfigError);
    expect(() => deep.get('k0')).toThrow(/depth too large.*k0/);
  });
});

describe('HadoopConfiguration typed getters', () => {
  const conf = HadoopConfiguration.fromEntries(
    {
      int: ' 42 ',
      hex: '0x10',
      negative: '-7',
      'bad.int': '4o',
      big: '3000000000',
      'bool.true': 'TRUE',
      'bool.false': ' false ',
      'bool.junk': 'yes',
      list: ' a, b ,,c ',
      'dur.plain': '1500',
      'dur.s': '30s',
      'dur.m': '2m',
      'dur.bad': 'soon',
      'empty.int': '',
    },
    noEnv,
  );

  it(
    'getInt parses decimal, hex and sign, defaults when unset, ' +
      'and refuses empty text, a unit suffix and junk naming the key',
    () => {
      expect(conf.getInt('int', 0)).toBe(42);
      expect(conf.getInt('hex', 0)).toBe(16);
      expect(conf.getInt('negative', 0)).toBe(-7);
      expect(conf.getInt('unset', 9)).toBe(9);
      // Parity: Integer.parseInt("") and Integer.parseInt("30s") throw NumberFormatException.
      expect(() => conf.getInt('empty.int', 9)).toThrow(/empty\.int/);
      expect(() => conf.getInt('dur.s', 0)).toThrow(/dur\.s.*'30s'.*no unit suffix.*programmatically/);
      expect(() => conf.getInt('bad.int', 0)).toThrow(/bad\.int.*'4o'/);
      expect(() => conf.getInt('big', 0)).toThrow(ConfigError);
    },
  );

  it('getLong takes what getInt takes and beyond the int range, and refuses a unit suffix', () => {
    expect(conf.getLong('big', 0)).toBe(3_000_000_000);
    expect(conf.getLong('hex', 0)).toBe(16);
    expect(conf.getLong('unset', 5)).toBe(5);
    expect(() => conf.getLong('dur.s', 0)).toThrow(/dur\.s.*'30s'/);
  });

  it('getBoolean follows Hadoop (junk gives the default); getBooleanStrict refuses junk', () => {
    expect(conf.getBoolean('bool.true', false)).toBe(true);
    expect(conf.getBoolean('bool.false', true)).toBe(false);
    expect(conf.getBoolean('bool.junk', true)).toBe(true);
    expect(conf.getBoolean('unset', true)).toBe(true);
    expect(() => conf.getBooleanStrict('bool.junk', true)).toThrow(/bool\.junk/);
  });

  it('getTrimmedStrings splits on commas, trims, drops empties', () => {
    expect(conf.getTrimmedStrings('list')).toEqual(['a', 'b', 'c']);
    expect(conf.getTrimmedStrings('unset')).toEqual([]);
  });

  it('getTimeDurationMs understands unit suffixes and names the key on bad input', () => {
    expect(conf.getTimeDurationMs('dur.plain', 0)).toBe(1500);
    expect(conf.getTimeDurationMs('dur.plain', 0, 's')).toBe(1_500_000);
    expect(conf.getTimeDurationMs('dur.s', 0)).toBe(30_000);
    expect(conf.getTimeDurationMs('dur.m', 0)).toBe(120_000);
    expect(conf.getTimeDurationMs('unset', 77)).toBe(77);
    expect(() => conf.getTimeDurationMs('dur.bad', 0)).toThrow(/dur\.bad/);
  });

  it.each([
    ['10ns', 0],
    ['2500us', 2],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    ['5 S', 5000],
  ])('parseTimeDurationMs(%s) = %d', (text, ms) => {
    expect(parseTimeDurationMs(text)).toBe(ms);
  });

  it('parseJavaInt / parseJavaLong follow Integer.parseInt / Long.parseLong after getHexDigits', () => {
    expect(parseJavaInt('2147483647')).toBe(2147483647);
    expect(parseJavaInt('-2147483648')).toBe(-2147483648);
    expect(parseJavaInt('2147483648')).toBeUndefined();
    expect(parseJavaInt('+12')).toBe(12);
    expect(parseJavaInt('-0x10')).toBe(-16);
    expect(parseJavaInt('+0x10')).toBeUndefined();
    for (const text of ['1e3', '10s', '1 000', '', '0x', '1.5']) expect(parseJavaInt(text), text).toBeUndefined();
    expect(parseJavaLong('9007199254740991')).toBe(9007199254740991);
    expect(parseJavaLong('9007199254740992')).toBeUndefined();
    expect(parseJavaLong('10s')).toBeUndefined();
  });
});

describe('HadoopConfiguration.getWithSuffix (DFSUtil suffix resolution)', () => {
  const conf = HadoopConfiguration.fromEntries(
    {
      'dfs.ha.zkfc.port': '8019',
      'dfs.ha.zkfc.port.ns1': '8029',
      'dfs.ha.zkfc.port.ns1.nn2': '8039',
      'only.generic': 'g',
      'only.ns.ns1': 'n',
    },
    noEnv,
  );

  it.each([
    ['dfs.ha.zkfc.port', 'ns1', 'nn2', '8039', 'dfs.ha.zkfc.port.ns1.nn2'],
    ['dfs.ha.zkfc.port', 'ns1', 'nn1', '8029', 'dfs.ha.zkfc.port.ns1'],
    ['dfs.ha.zkfc.port', 'ns2', 'nn1', '8019', 'dfs.ha.zkfc.port'],
    ['dfs.ha.zkfc.port', undefined, undefined, '8019', 'dfs.ha.zkfc.port'],
    ['only.generic', 'ns1', 'nn1', 'g', 'only.generic'],
    ['only.ns', 'ns1', 'nn1', 'n', 'only.ns.ns1'],
    ['only.ns', 'ns2', 'nn1', undefined, undefined],
  ])('%s for %s.%s = %s (from %s)', (key, ns, nn, value, resolvedKey) => {
    expect(conf.getWithSuffix(key, ns, nn)).toBe(value);
    expect(conf.resolveSuffixedKey(key, ns, nn)).toBe(resolvedKey);
  });

  it('copy() is independent of the original', () => {
    const copy = conf.copy();
    copy.set('only.generic', 'changed');
    expect(conf.get('only.generic')).toBe('g');
    expect(copy.get('only.generic')).toBe('changed');
  });
});
