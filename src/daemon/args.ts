// Command line of `zkfc`, as `hdfs zkfc` takes it plus our additions:
//   zkfc [generic options] [-formatZK [-force] [-nonInteractive]]
//   zkfc [generic options] check-config
// Generic options (Hadoop's GenericOptionsParser subset): -D key=value (also -Dkey=value),
// --hadoop-conf-dir DIR (Hadoop: --config DIR on the hdfs script), --config FILE (our own file).

export type ZkfcCommand =
  | { readonly kind: 'run' }
  | { readonly kind: 'formatZK'; readonly force: boolean; readonly interactive: boolean }
  | { readonly kind: 'checkConfig' }
  | { readonly kind: 'help' };

export interface ZkfcArgs {
  readonly command: ZkfcCommand;
  readonly defines: readonly (readonly [string, string])[];
  readonly hadoopConfDir?: string;
  readonly configFile?: string;
}

export class BadArgumentError extends Error {
  override readonly name = 'BadArgumentError';
}

export const USAGE =
  'Usage: zkfc [-D key=value]... [--hadoop-conf-dir DIR] [--config FILE] [-formatZK [-force] [-nonInteractive]]\n' +
  `       zkfc [-D key=value]... [--hadoop-conf-dir DIR] [--config FILE] check-config

  (no command)       run the failover controller for the local NameNode
  -formatZK          create the nameservice's znode in ZooKeeper
    -force           delete an existing znode first, without asking
    -nonInteractive  never ask; refuse (exit 2) if the znode exists
  check-config       validate the configuration and print every setting with its source
  -D key=value       set a configuration key (highest precedence)
  --hadoop-conf-dir  directory of core-site.xml / hdfs-site.xml (default $HADOOP_CONF_DIR, then
                     $HADOOP_HOME/etc/hadoop, then /etc/hadoop/conf)
  --config FILE      our own JSON configuration file (keys as in Hadoop)
`;

/** Parity: DFSZKFailoverController / ZKFailoverController.run argument handling. */
export function parseZkfcArgs(argv: readonly string[]): ZkfcArgs {
  const defines: Array<readonly [string, string]> = [];
  let hadoopConfDir: string | undefined;
  let configFile: string | undefined;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = (): string => {
      const value = argv[++i];
      if (value === undefined) throw new BadArgumentError(`Bad argument: ${arg} needs a value`);
      return value;
    };
    if (arg === '-D' || (arg.startsWith('-D') && arg.length > 2 && arg !== '-Dhelp')) {
      const text = arg === '-D' ? next() : arg.slice(2);
      const eq = text.indexOf('=');
      if (eq <= 0) throw new BadArgumentError(`Bad argument: -D ${text} (expected key=value)`);
      defines.push([text.slice(0, eq).trim(), text.slice(eq + 1)]);
    } else if (arg === '--hadoop-conf-dir' || arg === '--conf-dir') {
      hadoopConfDir = next();
    } else if (arg === '--config') {
      configFile = next();
    } else {
      rest.push(arg);
    }
  }
  let command: ZkfcCommand;
  if (rest.length === 0) command = { kind: 'run' };
  else if (rest.some((a) => a === '-h' || a === '-help' || a === '--help')) command = { kind: 'help' };
  else if (rest[0] === 'check-config' && rest.length === 1) command = { kind: 'checkConfig' };
  else if (rest[0] === '-formatZK') {
    let force = false;
    let interactive = true;
    for (const flag of rest.slice(1)) {
      if (flag === '-force') force = true;
      else if (flag === '-nonInteractive') interactive = false;
      else throw new BadArgumentError(`Bad argument: ${flag}`);
    }
    command = { kind: 'formatZK', force, interactive };
  } else {
    throw new BadArgumentError(`Bad argument: ${rest[0]}`);
  }
  return {
    command,
    defines,
    ...(hadoopConfDir !== undefined ? { hadoopConfDir } : {}),
    ...(configFile !== undefined ? { configFile } : {}),
  };
}
