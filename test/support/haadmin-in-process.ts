// haadmin run in the test's own process (runHaAdmin from src/cli/haadmin/run.ts): output captured
// line by line, confirmation prompts answered from a script, socket addresses named as Java prints
// them without the host's resolver. The built binary as a child process is ./haadmin-process.ts.

import type { AddressNaming, HaAdminIo } from '../../src/cli/haadmin/context.js';
import { runHaAdmin } from '../../src/cli/haadmin/run.js';
import type { HadoopConfiguration } from '../../src/config/hadoop-conf.js';
import { RpcHAServiceClientFactory } from '../../src/hadoop/ha-service-client.js';
import { RpcZkfcClientFactory } from '../../src/hadoop/zkfc-client.js';

/** Names as Java prints them (`/host:port`, 127.0.0.1 is localhost), without the host's resolver. */
export const JAVA_NAMING: AddressNaming = {
  socketAddress: async ({ host, port }) => `/${host}:${port}`,
  hostName: async (host) => (host === '127.0.0.1' ? 'localhost' : host),
};

export interface HaAdminRun {
  readonly status: number;
  readonly out: string[];
  readonly err: string[];
  /** stderr as the terminal would show it (prompts without newline). */
  readonly errText: string;
}

export interface HaAdminInProcessOptions {
  /** The RPC user (default hdfs). */
  readonly user?: string;
  /** Answers to the confirmation prompts, in order. */
  readonly answers?: readonly string[];
  /** Connect timeout of the HA and ZKFC clients (default 2 s). */
  readonly connectTimeoutMs?: number;
  /** The environment fencing commands see (default: this process's). */
  readonly processEnv?: NodeJS.ProcessEnv;
}

export async function runHaAdminInProcess(
  argv: readonly string[],
  conf: HadoopConfiguration,
  options: HaAdminInProcessOptions = {},
): Promise<HaAdminRun> {
  const out: string[] = [];
  const err: string[] = [];
  let errText = '';
  const answers = [...(options.answers ?? [])];
  const io: HaAdminIo = {
    out: (line) => out.push(line),
    err: (line) => {
      err.push(line);
      errText += `${line}\n`;
    },
    errPartial: (text) => {
      errText += text;
    },
    readLine: async () => answers.shift(),
  };
  const user = options.user ?? 'hdfs';
  const connectTimeoutMs = options.connectTimeoutMs ?? 2_000;
  const status = await runHaAdmin(argv, {
    conf,
    clients: new RpcHAServiceClientFactory({ effectiveUser: user, connectTimeoutMs }),
    zkfcClients: new RpcZkfcClientFactory({ effectiveUser: user, connectTimeoutMs }),
    io,
    naming: JAVA_NAMING,
    ...(options.processEnv !== undefined ? { processEnv: options.processEnv } : {}),
  });
  return { status, out, err, errText };
}
