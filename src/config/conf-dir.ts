// Where the Hadoop configuration directory is, found the same way by `zkfc` and `haadmin`, as
// Hadoop's scripts find it (hadoop-functions.sh: `hdfs --config DIR`, else $HADOOP_CONF_DIR, else
// hadoop_find_confdir's $HADOOP_HOME/etc/hadoop, or $HADOOP_HOME/conf for a Hadoop 1.x layout),
// then /etc/hadoop/conf, where distribution packages put it. A directory the operator chose (by
// option or variable) must exist; the built-in default may be missing (nothing is read then).

import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';

export const DEFAULT_HADOOP_CONF_DIR = '/etc/hadoop/conf';

export interface HadoopConfDir {
  readonly dir: string;
  /** How it was chosen: the option's name, 'HADOOP_CONF_DIR', 'HADOOP_HOME' or 'default'. */
  readonly from: string;
  /** False only for a missing default directory. */
  readonly exists: boolean;
}

/**
 * The configuration directory. `option` is a command-line choice (zkfc's --hadoop-conf-dir).
 * Empty variables count as unset, as the scripts' ${VAR:-default} does. Throws a ConfigError
 * naming the directory and how it was chosen when a chosen directory does not exist.
 */
export function findHadoopConfDir(
  env: Readonly<Record<string, string | undefined>>,
  option?: { readonly name: string; readonly dir: string },
): HadoopConfDir {
  const home = nonEmpty(env['HADOOP_HOME']);
  const confDir = nonEmpty(env['HADOOP_CONF_DIR']);
  let chosen: { dir: string; from: string } | undefined;
  if (option !== undefined) chosen = { dir: option.dir, from: option.name };
  else if (confDir !== undefined) chosen = { dir: confDir, from: 'HADOOP_CONF_DIR' };
  else if (home !== undefined) {
    // Parity: hadoop_find_confdir ("An attempt at compatibility with some Hadoop 1.x installs").
    const legacy = existsSync(join(home, 'conf', 'hadoop-env.sh'));
    chosen = { dir: join(home, legacy ? 'conf' : 'etc/hadoop'), from: 'HADOOP_HOME' };
  }
  if (chosen === undefined)
    return { dir: DEFAULT_HADOOP_CONF_DIR, from: 'default', exists: isDirectory(DEFAULT_HADOOP_CONF_DIR) };
  if (!isDirectory(chosen.dir)) {
    throw new ConfigError(
      `Hadoop configuration directory ${chosen.dir} (from ${chosen.from}) does not exist or is not a directory`,
      chosen.from,
    );
  }
  return { ...chosen, exists: true };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
