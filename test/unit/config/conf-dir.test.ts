// Goal: zkfc and haadmin find the Hadoop configuration directory the same way, as Hadoop's
// scripts do: the option, else $HADOOP_CONF_DIR, else $HADOOP_HOME/etc/hadoop ($HADOOP_HOME/conf
// when it holds hadoop-env.sh, Hadoop 1.x), else /etc/hadoop/conf; empty variables count as
// unset; a chosen directory that does not exist is a ConfigError naming it and how it was chosen.
// Method: temp directories and injected environments.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_HADOOP_CONF_DIR, findHadoopConfDir } from '../../../src/config/conf-dir.js';
import { ConfigError } from '../../../src/errors.js';

const root = mkdtempSync(join(tmpdir(), 'conf-dir-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const dir = (name: string): string => {
  const path = join(root, name);
  mkdirSync(path, { recursive: true });
  return path;
};

describe('findHadoopConfDir', () => {
  it('takes the option first, then HADOOP_CONF_DIR, then HADOOP_HOME/etc/hadoop', () => {
    const option = dir('option');
    const confDir = dir('conf-dir');
    const home = dir('home');
    dir('home/etc/hadoop');
    const env = { HADOOP_CONF_DIR: confDir, HADOOP_HOME: home };
    expect(findHadoopConfDir(env, { name: '--hadoop-conf-dir', dir: option })).toEqual({
      dir: option,
      from: '--hadoop-conf-dir',
      exists: true,
    });
    expect(findHadoopConfDir(env)).toEqual({ dir: confDir, from: 'HADOOP_CONF_DIR', exists: true });
    expect(findHadoopConfDir({ HADOOP_HOME: home })).toEqual({
      dir: join(home, 'etc/hadoop'),
      from: 'HADOOP_HOME',
      exists: true,
    });
    expect(findHadoopConfDir({ HADOOP_CONF_DIR: '', HADOOP_HOME: home }).dir).toBe(join(home, 'etc/hadoop'));
  });

  it('takes HADOOP_HOME/conf for a Hadoop 1.x layout (conf/hadoop-env.sh), as hadoop_find_confdir does', () => {
    const home = dir('legacy-home');
    writeFileSync(join(dir('legacy-home/conf'), 'hadoop-env.sh'), '');
    expect(findHadoopConfDir({ HADOOP_HOME: home }).dir).toBe(join(home, 'conf'));
  });

  it('falls back to /etc/hadoop/conf, which may be missing', () => {
    const found = findHadoopConfDir({ HADOOP_CONF_DIR: '', HADOOP_HOME: '' });
    expect(found.dir).toBe(DEFAULT_HADOOP_CONF_DIR);
    expect(found.from).toBe('default');
  });

  it.each([
    [
      'the option',
      (missing: string) => findHadoopConfDir({}, { name: '--hadoop-conf-dir', dir: missing }),
      '--hadoop-conf-dir',
    ],
    ['HADOOP_CONF_DIR', (missing: string) => findHadoopConfDir({ HADOOP_CONF_DIR: missing }), 'HADOOP_CONF_DIR'],
    ['HADOOP_HOME', (missing: string) => findHadoopConfDir({ HADOOP_HOME: missing }), 'HADOOP_HOME'],
  ])('a missing directory chosen by %s is a ConfigError naming it', (_label, find, from) => {
    const missing = join(root, 'missing');
    let error: unknown;
    try {
      find(missing);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain(missing);
    expect((error as ConfigError).message).toContain(`(from ${from})`);
  });
});
