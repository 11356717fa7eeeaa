// Goal: haadmin on a kerberized configuration where the GSSAPI binding cannot load (koffi, an
// optional dependency, not installed) fails the command as Hadoop's haadmin fails one (status -1,
// "Operation failed: ...") with what to install, instead of an uncaught error; --json gets the same
// as an operation-failed document.
// Method: runHaAdmin in this process with a kerberosClients that fails as loadGssapi does without koffi.
import { describe, expect, it } from 'vitest';
import { runHaAdmin } from '../../../src/cli/haadmin/run.js';
import { HadoopConfiguration } from '../../../src/config/hadoop-conf.js';
import { RpcHAServiceClientFactory } from '../../../src/hadoop/ha-service-client.js';
import { GSSAPI_INSTALL_HINT, GssUnavailableError } from '../../../src/kerberos/gssapi.js';

async function run(argv: string[]): Promise<{ status: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const conf = HadoopConfiguration.fromEntries(
    {
      'dfs.nameservices': 'ns1',
      'dfs.ha.namenodes.ns1': 'nn1,nn2',
      'dfs.namenode.rpc-address.ns1.nn1': '127.0.0.1:1',
      'dfs.namenode.rpc-address.ns1.nn2': '127.0.0.1:2',
      'hadoop.security.authentication': 'kerberos',
      'dfs.namenode.kerberos.principal': 'nn/_HOST@EXAMPLE.COM',
    },
    { env: {}, systemProperties: {} },
  );
  const status = await runHaAdmin(argv, {
    conf,
    clients: new RpcHAServiceClientFactory({ connectTimeoutMs: 500 }),
    io: {
      out: (l) => out.push(l),
      err: (l) => err.push(l),
      errPartial: () => undefined,
      readLine: async () => undefined,
    },
    kerberosClients: async () => {
      throw new GssUnavailableError(`cannot load koffi (${GSSAPI_INSTALL_HINT})`, {
        cause: new Error("Cannot find package 'koffi'"),
      });
    },
  });
  return { status, out, err };
}

describe('haadmin with kerberos and no GSSAPI binding', () => {
  it('fails the command with status -1 and says to install koffi', async () => {
    const { status, err } = await run(['-getServiceState', 'nn1']);
    expect(status).toBe(-1);
    expect(err.join('\n')).toMatch(/^Operation failed: Kerberos is not available: cannot load koffi/);
    expect(err.join('\n')).toContain('npm install koffi');
  });

  it('answers --json with an operation-failed document', async () => {
    const { status, out } = await run(['-getServiceState', 'nn1', '--json']);
    expect(status).toBe(-1);
    const doc = JSON.parse(out.join('\n')) as { error: { kind: string; code: string; message: string } };
    expect(doc.error.kind).toBe('operation-failed');
    expect(doc.error.code).toBe('KERBEROS_UNAVAILABLE');
  });
});
