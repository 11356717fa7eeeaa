// Goal: xi:include in configuration files works as Hadoop's Configuration#loadResource does it:
// the ViewFs documentation's `<xi:include href="mountTable.xml"/>` loads that file in place (order
// and final keys as if inline); a relative href is resolved against the including file; an
// <xi:fallback> is used only when the file is missing; a missing file without fallback is a
// ConfigError naming both files; network hrefs, cycles and nesting deeper than MAX_INCLUDE_DEPTH
// are refused; line numbers of errors stay right around include elements.
// Method: real files in a temp dir, loaded through HadoopConfiguration.load / addResource.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { HadoopConfiguration } from '../../../src/config/hadoop-conf.js';
import { MAX_INCLUDE_DEPTH } from '../../../src/config/hadoop-xml.js';
import { ConfigError } from '../../../src/errors.js';

const root = mkdtempSync(join(tmpdir(), 'hadoop-xml-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let counter = 0;
/** A fresh directory holding these files (paths may contain sub-directories). */
function files(entries: Record<string, string>): string {
  const dir = join(root, `d${counter++}`);
  for (const [name, text] of Object.entries(entries)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const XI = 'xmlns:xi="http://www.w3.org/2001/XInclude"';
const prop = (name: string, value: string, final = false): string =>
  `<property><name>${name}</name><value>${value}</value>${final ? '<final>true</final>' : ''}</property>`;
const conf = (...body: string[]): string =>
  `<?xml version="1.0"?>\n<configuration ${XI}>\n${body.join('\n')}\n</configuration>\n`;
const noEnv = { env: {}, systemProperties: {} };

function loadError(dir: string): ConfigError {
  try {
    HadoopConfiguration.load(dir, noEnv);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('xi:include', () => {
  it("loads Hadoop's ViewFs example in place: the mount table from mountTable.xml, its source that file", () => {
    const dir = files({
      'core-site.xml': conf(
        prop('fs.defaultFS', 'viewfs://ClusterX'),
        '<xi:include href="mountTable.xml"/>',
        prop('after', 'core'),
      ),
      'mountTable.xml': conf(
        prop('fs.viewfs.mounttable.ClusterX.link./data', 'hdfs://nn1-clusterx.example.com:8020/data'),
        prop('after', 'mount'),
        prop('before', 'mount'),
      ),
    });
    const c = HadoopConfiguration.load(dir, noEnv);
    expect(c.get('fs.viewfs.mounttable.ClusterX.link./data')).toBe('hdfs://nn1-clusterx.example.com:8020/data');
    expect(c.source('fs.viewfs.mounttable.ClusterX.link./data')).toBe(join(dir, 'mountTable.xml'));
    // In place: what follows the include overrides it.
    expect(c.get('after')).toBe('core');
    expect(c.get('before')).toBe('mount');
    expect(c.get('fs.defaultFS')).toBe('viewfs://ClusterX');
  });

  it(
    'resolves a relative href against the including file, ' + 'at every level, and takes absolute paths and file: URLs',
    () => {
      const other = files({ 'abs.xml': conf(prop('abs', '1')), 'url.xml': conf(prop('url', '1')) });
      const dir = files({
        'hdfs-site.xml': conf(
          '<xi:include href="sub/a.xml"/>',
          `<xi:include href="${join(other, 'abs.xml')}"/>`,
          `<xi:include href="${pathToFileURL(join(other, 'url.xml')).href}"/>`,
        ),
        'sub/a.xml': conf(prop('a', '1'), '<xi:include href="b.xml"/>'),
        'sub/b.xml': conf(prop('b', '1')),
      });
      const c = HadoopConfiguration.load(dir, noEnv);
      expect([c.get('a'), c.get('b'), c.get('abs'), c.get('url')]).toEqual(['1', '1', '1', '1']);
      expect(c.source('b')).toBe(join(dir, 'sub/b.xml'));
    },
  );

  it('uses <xi:fallback> only when the included file is missing', () => {
    const dir = files({
      'core-site.xml': conf(
        `<xi:include href="present.xml"><xi:fallback>${prop('from.fallback.1', 'yes')}</xi:fallback></xi:include>`,
        `<xi:include href="absent.xml"><xi:fallback>${prop('from.fallback.2', 'yes')}</xi:fallback></xi:include>`,
        '<xi:include href="absent-too.xml"><xi:fallback/></xi:include>',
      ),
      'present.xml': conf(prop('from.present', 'yes')),
    });
    const c = HadoopConfiguration.load(dir, noEnv);
    expect(c.get('from.present')).toBe('yes');
    expect(c.has('from.fallback.1')).toBe(false);
    expect(c.get('from.fallback.2')).toBe('yes');
  });

  it(
    'a missing file without fallback is an error naming the href, the file ' +
      "it resolved to and the including file (Hadoop's 'Fetch fail on include')",
    () => {
      const dir = files({ 'core-site.xml': conf('<xi:include href="mountTable.xml"/>') });
      const error = loadError(dir);
      expect(error.message).toContain("Fetch fail on include for 'mountTable.xml' with no fallback while loading");
      expect(error.message).toContain(join(dir, 'core-site.xml'));
      expect(error.message).toContain(join(dir, 'mountTable.xml'));
      expect(error.file).toBe(join(dir, 'core-site.xml'));
    },
  );

  it.each(['http://config.example.com/mountTable.xml', 'https://x/y.xml', 'ftp://x/y.xml'])(
    'refuses the network href %s, even with a fallback',
    (href) => {
      const dir = files({ 'core-site.xml': conf(`<xi:include href="${href}"><xi:fallback/></xi:include>`) });
      expect(loadError(dir).message).toMatch(/not a local file.*never fetched over the network/);
    },
  );

  it('refuses a cycle, naming the chain', () => {
    const dir = files({
      'core-site.xml': conf('<xi:include href="a.xml"/>'),
      'a.xml': conf('<xi:include href="b.xml"/>'),
      'b.xml': conf('<xi:include href="a.xml"/>'),
    });
    expect(loadError(dir).message).toBe(
      `xi:include cycle: ${['core-site.xml', 'a.xml', 'b.xml', 'a.xml'].map((f) => join(dir, f)).join(' includes ')}`,
    );
  });

  it(`nests at most ${MAX_INCLUDE_DEPTH} deep`, () => {
    const chain: Record<string, string> = {};
    for (let i = 0; i <= MAX_INCLUDE_DEPTH; i++)
      chain[`f${i}.xml`] = conf(prop(`k${i}`, 'v'), `<xi:include href="f${i + 1}.xml"/>`);
    chain[`f${MAX_INCLUDE_DEPTH + 1}.xml`] = conf(prop('deepest', 'v'));
    const ok = files({
      ...chain,
      [`f${MAX_INCLUDE_DEPTH}.xml`]: conf(prop('last', 'v')),
      'core-site.xml': conf('<xi:include href="f1.xml"/>'),
    });
    expect(HadoopConfiguration.load(ok, noEnv).get('last')).toBe('v');
    const tooDeep = files({ ...chain, 'core-site.xml': conf('<xi:include href="f1.xml"/>') });
    expect(loadError(tooDeep).message).toMatch(new RegExp(`nests more than ${MAX_INCLUDE_DEPTH} deep`));
  });

  it('ignores an include without href, and its fallback, as Hadoop does', () => {
    const dir = files({
      'core-site.xml': conf(`<xi:include><xi:fallback>${prop('x', '1')}</xi:fallback></xi:include>`, prop('y', '2')),
    });
    const c = HadoopConfiguration.load(dir, noEnv);
    expect(c.has('x')).toBe(false);
    expect(c.get('y')).toBe('2');
  });

  it('a final key from an included file holds against the including file, with the warning naming both', () => {
    const dir = files({
      'core-site.xml': conf('<xi:include href="locked.xml"/>', prop('k', 'mine')),
      'locked.xml': conf(prop('k', 'locked', true)),
    });
    const c = HadoopConfiguration.load(dir, noEnv);
    expect(c.get('k')).toBe('locked');
    expect(c.warnings()).toMatchObject([
      { kind: 'final-override', finalSource: join(dir, 'locked.xml'), ignoredSource: join(dir, 'core-site.xml') },
    ]);
  });

  it(
    'an error in an included file names that file, and line ' + 'numbers count the fallback properties of the includer',
    () => {
      const dir = files({
        'core-site.xml': conf(
          `<xi:include href="inc.xml"><xi:fallback>\n${prop('skipped', '1')}\n</xi:fallback></xi:include>`,
          '<property>\n<value>orphan</value>\n</property>',
        ),
        'inc.xml': conf(prop('fine', '1')),
      });
      expect(loadError(dir).message).toBe(`Property without a name in ${join(dir, 'core-site.xml')} line 6`);
      const broken = files({
        'core-site.xml': conf('<xi:include href="inc.xml"/>'),
        'inc.xml': '<configuration><property>',
      });
      const error = loadError(broken);
      expect(error.file).toBe(join(broken, 'inc.xml'));
      expect(error.message).toContain(`Malformed XML in ${join(broken, 'inc.xml')}`);
    },
  );
});
