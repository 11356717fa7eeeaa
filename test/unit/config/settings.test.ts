// Goal: the settings table is the single source of the daemon's configuration, and nothing in it is
// dead: (1) every row lands in its own field of the typed settings value (changing the key changes
// that field, and only it); (2) every field of the typed value is read by some code in src/, under
// its one name `<group>.<field>` (the typed part keeps its group name through the layers); (3) the
// environment names follow the documented rule (ZKFC_ + upper-snake key, our `zkfc.` prefix not
// doubled), are unique, and are the ones the loader honours.
// Method: load a real Hadoop XML configuration with -D / environment overrides and compare the
// typed values; scan the source tree of src/ for each field's reads.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempHdfsSiteDir } from '../../../tools/testing/conf-xml.js';
import { defaultSettings, loadZkfcConfig, settingsFromConf } from '../../../src/config/load.js';
import { HadoopConfiguration } from '../../../src/config/hadoop-conf.js';
import { envName, SETTINGS, type Setting, type ZkfcSettings } from '../../../src/config/schema.js';

const ROOT = join(import.meta.dirname, '../../..');

function confDir(): string {
  return tempHdfsSiteDir('zkfc-settings-', {
    'ha.zookeeper.quorum': 'zk1:2181',
    'dfs.nameservices': 'ns1',
    'dfs.ha.namenodes.ns1': 'nn1,nn2',
    'dfs.namenode.rpc-address.ns1.nn1': '10.1.0.1:8020',
    'dfs.namenode.rpc-address.ns1.nn2': '10.1.0.2:8020',
    'dfs.ha.fencing.methods': 'shell(/bin/true)',
  });
}
const probe = { localAddresses: () => ['10.1.0.1'], resolve: async (host: string) => [host] };

function field(settings: ZkfcSettings, setting: Setting): unknown {
  return (settings[setting.group] as unknown as Record<string, unknown>)[setting.field];
}

/** A valid value for the key that differs from its default, and the typed value it must become. */
function sample(setting: Setting): { readonly raw: string; readonly typed: unknown } {
  const special: Record<string, { raw: string; typed: unknown }> = {
    'hadoop.security.authentication': { raw: 'SIMPLE', typed: 'SIMPLE' },
    // A provider that can be opened (a missing store file is an empty store, as in Hadoop).
    'hadoop.security.credential.provider.path': {
      raw: 'jceks://file/nonexistent/zkfc-settings-test.jceks',
      typed: 'jceks://file/nonexistent/zkfc-settings-test.jceks',
    },
    'hadoop.rpc.protection': { raw: 'privacy,integrity', typed: 'privacy,integrity' },
    'hadoop.security.auth_to_local': { raw: 'RULE:[1:$1] DEFAULT', typed: 'RULE:[1:$1] DEFAULT' },
    'hadoop.security.auth_to_local.mechanism': { raw: 'MIT', typed: 'MIT' },
    'dfs.ha.namenode.id': { raw: 'nn2', typed: 'nn2' },
    'dfs.nameservice.id': { raw: 'ns1', typed: 'ns1' },
    'zkfc.log.level': { raw: 'debug', typed: 'debug' },
    'zkfc.service': { raw: 'namenode', typed: 'namenode' },
    'ha.zookeeper.parent-znode': { raw: '/other-ha', typed: '/other-ha' },
    'zkfc.http-address': { raw: '10.9.9.9:9999', typed: { host: '10.9.9.9', port: 9999 } },
    // At least twice the graceful-fence timeout (10 s by default), or the configuration is refused.
    'zkfc.rpc.cede.max.ms': { raw: '777777', typed: 777777 },
    // At most 1000 (JOURNAL_MAX_RECORDS_LIMIT).
    'zkfc.journal.max-records': { raw: '777', typed: 777 },
  };
  const fixed = special[setting.key];
  if (fixed !== undefined) return fixed;
  switch (setting.format) {
    case 'boolean':
      return { raw: String(setting.default !== true), typed: setting.default !== true };
    case 'optional-boolean':
      return { raw: 'true', typed: true };
    case 'nat':
    case 'int-ms':
    case 'long-ms':
      return { raw: '7777', typed: 7777 };
    case 'port':
      return { raw: '18777', typed: 18777 };
    case 'string':
    case 'optional-string':
      return { raw: 'probe-value', typed: 'probe-value' };
    case 'host-port':
      throw new Error(`no sample for ${setting.key}`);
  }
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/**
 * TypeScript source with comments and the text of string literals blanked (the code inside a
 * template literal's ${...} is kept): a key named in a message or a comment is not a read.
 */
function codeOnly(text: string): string {
  let out = '';
  const templates: number[] = []; // brace depth at which each open template's ${ began
  let depth = 0;
  let i = 0;
  const inTemplateText = (): boolean => templates.length > 0 && templates[templates.length - 1] === -1;
  while (i < text.length) {
    const c = text[i]!;
    const next = text[i + 1];
    if (inTemplateText()) {
      if (c === '\\') i += 2;
      else if (c === '`') {
        templates.pop();
        i += 1;
      } else if (c === '$' && next === '{') {
        templates[templates.length - 1] = depth;
        depth += 1;
        i += 2;
      } else i += 1;
      continue;
    }
    if (c === '/' && next === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
    } else if (c === "'" || c === '"') {
      i++;
      while (i < text.length && text[i] !== c && text[i] !== '\n') i += text[i] === '\\' ? 2 : 1;
      i++;
      out += '""';
    } else if (c === '`') {
      templates.push(-1);
      i++;
      out += '""';
    } else {
      if (c === '{') depth++;
      if (c === '}') {
        depth--;
        if (templates.length > 0 && templates[templates.length - 1] === depth) {
          templates[templates.length - 1] = -1;
          i++;
          continue;
        }
      }
      out += c;
      i++;
    }
  }
  return out;
}

/** src/ as code only, without the table itself (where every field is declared and mapped). */
const sources = sourceFiles(join(ROOT, 'src'))
  .filter((path) => relative(ROOT, path) !== join('src', 'config', 'schema.ts'))
  .map((path) => ({ path: relative(ROOT, path), code: codeOnly(readFileSync(path, 'utf8')) }));

describe('the settings table', () => {
  it('maps each key to one field of the typed settings; the field names are unique', () => {
    const paths = SETTINGS.map((s) => `${s.group}.${s.field}`);
    expect(new Set(paths).size).toBe(SETTINGS.length);
    expect(new Set(SETTINGS.map((s) => s.key)).size).toBe(SETTINGS.length);
    const defaults = defaultSettings();
    const leaves = Object.entries(defaults).flatMap(([group, fields]) =>
      Object.keys(fields as object).map((name) => `${group}.${name}`),
    );
    expect(leaves.sort()).toEqual([...paths].sort());
  });

  it.each(SETTINGS.map((s) => [s.key, s] as const))(
    '%s reaches its field of the typed settings, and only it',
    async (_key, setting) => {
      const dir = confDir();
      const base = await loadZkfcConfig({ hadoopConfDir: dir, env: {}, probe });
      const { raw, typed } = sample(setting);
      const changed = await loadZkfcConfig({ hadoopConfDir: dir, env: {}, defines: [[setting.key, raw]], probe });
      expect(field(changed.settings, setting)).toEqual(typed);
      expect(changed.sourceOf(setting.key)).toBe('-D');
      for (const other of SETTINGS) {
        if (other === setting) continue;
        // The operation deadline derives from the session timeout when it is 0 (its default).
        if (setting.key === 'ha.zookeeper.session-timeout.ms' && other.key === 'zkfc.zookeeper.operation-timeout.ms')
          continue;
        expect(field(changed.settings, other), `${other.key} changed when ${setting.key} did`).toEqual(
          field(base.settings, other),
        );
      }
    },
  );

  it.each(SETTINGS.map((s) => [`${s.group}.${s.field}`, s.key] as const))('%s (%s) is read by code in src/', (path) => {
    const read = new RegExp(`\\b${path.replace('.', '\\.')}\\b`);
    const readers = sources.filter((source) => read.test(source.code)).map((source) => source.path);
    expect(readers, `nothing in src/ reads ${path}: wire the setting or delete it from the table`).not.toEqual([]);
  });
});

describe('environment variables', () => {
  it('are ZKFC_ + the upper-snake key, without doubling our own zkfc. prefix', () => {
    expect(envName('ha.zookeeper.session-timeout.ms')).toBe('ZKFC_HA_ZOOKEEPER_SESSION_TIMEOUT_MS');
    expect(envName('dfs.ha.zkfc.nn.http.timeout.ms')).toBe('ZKFC_DFS_HA_ZKFC_NN_HTTP_TIMEOUT_MS');
    expect(envName('zkfc.log.level')).toBe('ZKFC_LOG_LEVEL');
    expect(envName('zkfc.health.probe-on-disconnect')).toBe('ZKFC_HEALTH_PROBE_ON_DISCONNECT');
    for (const setting of SETTINGS) {
      expect(setting.env).toBe(envName(setting.key));
      expect(setting.env).toMatch(/^ZKFC_[A-Z0-9]+(_[A-Z0-9]+)*$/);
      expect(setting.env.startsWith('ZKFC_ZKFC_')).toBe(false);
    }
    expect(new Set(SETTINGS.map((s) => s.env)).size).toBe(SETTINGS.length);
  });

  it('override the XML, name their variable as the source, and the doubled old names do nothing', async () => {
    const dir = confDir();
    const config = await loadZkfcConfig({
      hadoopConfDir: dir,
      env: { ZKFC_LOG_LEVEL: 'debug', ZKFC_HA_ZOOKEEPER_QUORUM: 'zk9:2181', ZKFC_ZKFC_HTTP_ADDRESS: '10.0.0.9:1' },
      probe,
    });
    expect(config.settings.log.level).toBe('debug');
    expect(config.sourceOf('zkfc.log.level')).toBe('env ZKFC_LOG_LEVEL');
    expect(config.settings.zk.quorum).toBe('zk9:2181');
    expect(config.settings.server.httpAddress).toEqual({ host: '127.0.0.1', port: 8021 });
  });
});

describe('settingsFromConf (haadmin: no local NameNode)', () => {
  it('reads the plain keys with the table defaults and refuses a bad value', () => {
    const conf = new HadoopConfiguration({ env: {} });
    conf.set('ha.failover-controller.cli-check.rpc-timeout.ms', '3000');
    expect(settingsFromConf(conf).failover).toMatchObject({ cliCheckRpcTimeoutMs: 3000, newActiveRpcTimeoutMs: 60000 });
    conf.set('ha.failover-controller.new-active.rpc-timeout.ms', '10s');
    expect(() => settingsFromConf(conf)).toThrow(/new-active\.rpc-timeout\.ms: "10s" is not a number of milliseconds/);
  });

  it("needs no dfs.namenode.keytab.file under Kerberos (the user's ticket cache), but the NameNodes' principal", () => {
    const conf = new HadoopConfiguration({ env: {} });
    conf.set('hadoop.security.authentication', 'kerberos');
    expect(() => settingsFromConf(conf)).toThrow(/dfs\.namenode\.kerberos\.principal: required/);
    expect(() => settingsFromConf(conf)).not.toThrow(/keytab/);
    conf.set('dfs.namenode.kerberos.principal', 'nn/_HOST@EXAMPLE.COM');
    expect(settingsFromConf(conf).security).toMatchObject({ namenodeKeytab: null, authentication: 'kerberos' });
  });
});
