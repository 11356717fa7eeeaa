// Entry point of `haadmin` (bin/haadmin.js): `haadmin [genericOptions] [-ns <nameserviceId>]
// <command>`, a drop-in for `hdfs haadmin` on the commands it implements. Reads core-site.xml and
// hdfs-site.xml from the configuration directory zkfc uses too (findHadoopConfDir: $HADOOP_CONF_DIR,
// else $HADOOP_HOME/etc/hadoop, else /etc/hadoop/conf), acts as $HADOOP_USER_NAME (else the OS
// user) towards NameNodes and ZKFCs, prints Hadoop's texts, and exits 0 or 255 (Hadoop's -1, also
// for a configuration it cannot read); `-status` (not in Hadoop) exits 0-3 as its help explains; 1
// only for an unexpected error (a bug: a JVM's uncaught exception exits 1 too).
// --forcemanual confirmations are read from stdin, whether it is a terminal or a pipe.

import { createInterface, type Interface } from 'node:readline';
import { findHadoopConfDir } from '../config/conf-dir.js';
import { HadoopConfiguration } from '../config/hadoop-conf.js';
import { ConfigError } from '../errors.js';
import { cliKerberos } from '../daemon/kerberos.js';
import { RpcHAServiceClientFactory } from '../hadoop/ha-service-client.js';
import { RpcZkfcClientFactory } from '../hadoop/zkfc-client.js';
import { defaultEffectiveUser } from '../ipc/client.js';
import { FAILED } from './haadmin/command.js';
import { exitCodeFor, runHaAdmin } from './haadmin/run.js';
import type { HaAdminIo } from './haadmin/context.js';

/** stdin lines on demand; the reader is created only if a command asks, so stdin is not held open otherwise. */
function stdinLines(): { readLine(): Promise<string | undefined>; close(): void } {
  let reader: Interface | undefined;
  const buffered: string[] = [];
  const waiting: Array<(line: string | undefined) => void> = [];
  let ended = false;
  const open = (): void => {
    if (reader) return;
    reader = createInterface({ input: process.stdin, terminal: false });
    reader.on('line', (line) => {
      const next = waiting.shift();
      if (next) next(line);
      else buffered.push(line);
    });
    reader.on('close', () => {
      ended = true;
      for (const next of waiting.splice(0)) next(undefined);
    });
  };
  return {
    readLine() {
      open();
      const line = buffered.shift();
      if (line !== undefined) return Promise.resolve(line);
      if (ended) return Promise.resolve(undefined);
      return new Promise((resolve) => waiting.push(resolve));
    },
    close() {
      if (!reader) return;
      reader.close();
      process.stdin.destroy();
    },
  };
}

async function main(): Promise<number> {
  let conf: HadoopConfiguration;
  let connectTimeoutMs: number;
  try {
    const confDir = findHadoopConfDir(process.env);
    conf = confDir.exists
      ? HadoopConfiguration.load(confDir.dir, { files: ['core-site.xml', 'hdfs-site.xml', 'yarn-site.xml'] })
      : new HadoopConfiguration();
    connectTimeoutMs = conf.getInt('ipc.client.connect.timeout', 20_000);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`haadmin: ${error.message}\n`);
    return exitCodeFor(FAILED);
  }
  const stdin = stdinLines();
  const io: HaAdminIo = {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    errPartial: (text) => process.stderr.write(text),
    readLine: () => stdin.readLine(),
  };
  try {
    const status = await runHaAdmin(process.argv.slice(2), {
      conf,
      clients: new RpcHAServiceClientFactory({ connectTimeoutMs }),
      io,
      // Kerberos: the user's ticket cache (kinit), as `hdfs haadmin`.
      kerberosClients: async (effective) => {
        const sasl = await cliKerberos(effective, defaultEffectiveUser());
        const timeoutMs = effective.getInt('ipc.client.connect.timeout', 20_000);
        return {
          clients: new RpcHAServiceClientFactory({ connectTimeoutMs: timeoutMs, sasl }),
          zkfcClients: new RpcZkfcClientFactory({ connectTimeoutMs: timeoutMs, sasl }),
        };
      },
    });
    return exitCodeFor(status);
  } finally {
    stdin.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `haadmin: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
