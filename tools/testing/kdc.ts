// A throwaway MIT Kerberos realm for tests: Debian's krb5kdc and kadmin.local (packages krb5-kdc,
// krb5-admin-server; kinit and klist from krb5-user), a database, a krb5.conf and a kdc.conf in a
// temp dir, the KDC on a free loopback port (TCP and UDP), principals and keytabs made on demand.
// Nothing outside the temp dir is read or written: every command and every client the tests start
// get KRB5_CONFIG (our krb5.conf) and KRB5_KDC_PROFILE (our kdc.conf) in their environment, and a
// JVM gets -Djava.security.krb5.conf (javaOptions). The KDC runs in the foreground (-n) in its own
// process group and is stopped by its pid, also when this process exits.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './net.js';
import { sleep } from './wait.js';

/** The line that tells a developer or CI what to install. */
export const KDC_INSTALL_HINT =
  'apt-get install -y --no-install-recommends krb5-kdc krb5-admin-server krb5-user ' +
  '(or run scripts/ensure-deps.sh as root)';

const TOOLS = {
  kdb5Util: '/usr/sbin/kdb5_util',
  kadminLocal: '/usr/sbin/kadmin.local',
  krb5kdc: '/usr/sbin/krb5kdc',
  kinit: '/usr/bin/kinit',
  klist: '/usr/bin/klist',
} as const;

/** Encryption types both MIT Kerberos 1.20 and Java 17 speak. */
const ENCTYPES = 'aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96';

export interface StartKdcOptions {
  /** Default ZKFC.TEST. */
  readonly realm?: string;
  /** Directory for the database, configs, keytabs and the log. Default: a new temp dir, removed by stop(). */
  readonly baseDir?: string;
  /** Keep baseDir after stop() (also ZKFC_KDC_KEEP=1). */
  readonly keepBaseDir?: boolean;
  /** Longest ticket the KDC issues (kdc.conf max_life), e.g. "10h" or "60s". Default 10h. */
  readonly maxLife?: string;
  /**
   * krb5.conf clockskew in seconds (MIT's default 300): how long past its end a ticket is still
   * taken by the KDC and acceptors. Tests of expiry set it small.
   */
  readonly clockSkewSec?: number;
}

export interface Kdc {
  readonly realm: string;
  readonly baseDir: string;
  readonly port: number;
  /** Our krb5.conf. */
  readonly krb5Conf: string;
  /** Our kdc.conf. */
  readonly kdcConf: string;
  /** KRB5_CONFIG and KRB5_KDC_PROFILE: add to the environment of anything that talks Kerberos. */
  readonly env: Readonly<Record<string, string>>;
  /** JVM flags that point Java's Kerberos at this realm. */
  readonly javaOptions: readonly string[];
  /** The KDC process. */
  readonly process: ChildProcess;
  /** `name@REALM` for a principal name without a realm. */
  principal(name: string): string;
  /** Create principals with random keys and write them all to `keytab` (made if missing); returns the file. */
  addServicePrincipals(names: readonly string[], keytab: string): string;
  /** Create a principal with a password (a user). */
  addUser(name: string, password: string): void;
  /** Run kadmin.local with one query; throws with its output on failure. */
  kadmin(query: string): string;
  /** kinit from a keytab into `ccache` (a FILE: cache); throws with kinit's output on failure. */
  kinitKeytab(principal: string, keytab: string, ccache: string): void;
  /** kinit with a password into `ccache`. */
  kinitPassword(principal: string, password: string, ccache: string): void;
  /** Stop the KDC by its pid; remove baseDir unless kept. Idempotent. */
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** Throws the install hint when a tool of the realm is missing. */
export function checkKdcTools(): void {
  const missing = Object.values(TOOLS).filter((path) => !existsSync(path));
  if (missing.length > 0) throw new Error(`MIT Kerberos tools missing (${missing.join(', ')}): ${KDC_INSTALL_HINT}`);
}

function run(
  command: string,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  input = '',
): { status: number | null; output: string } {
  const result = spawnSync(command, args, {
    env: { ...process.env, ...env },
    input,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

/** Create a realm, start its KDC on a free loopback port and wait until it answers kinit. */
export async function startKdc(options: StartKdcOptions = {}): Promise<Kdc> {
  checkKdcTools();
  const realm = options.realm ?? 'ZKFC.TEST';
  const baseDir = options.baseDir ?? mkdtempSync(join(tmpdir(), 'zkfc-kdc-'));
  mkdirSync(join(baseDir, 'keytabs'), { recursive: true });
  const port = await freePort();
  const krb5Conf = join(baseDir, 'krb5.conf');
  const kdcConf = join(baseDir, 'kdc.conf');
  const log = join(baseDir, 'krb5kdc.log');
  writeFileSync(
    krb5Conf,
    [
      '[libdefaults]',
      `  default_realm = ${realm}`,
      // Host names are taken as given: no DNS canonicalisation or reverse lookups of service hosts.
      '  dns_canonicalize_hostname = false',
      '  rdns = false',
      '  dns_lookup_kdc = false',
      '  dns_lookup_realm = false',
      // TCP only (Java and MIT alike): the harness checks the TCP port is free.
      '  udp_preference_limit = 1',
      `  default_tkt_enctypes = ${ENCTYPES}`,
      `  default_tgs_enctypes = ${ENCTYPES}`,
      `  permitted_enctypes = ${ENCTYPES}`,
      '  forwardable = true',
      '  ticket_lifetime = 10h',
      ...(options.clockSkewSec !== undefined ? [`  clockskew = ${options.clockSkewSec}`] : []),
      '',
      '[realms]',
      `  ${realm} = {`,
      `    kdc = 127.0.0.1:${port}`,
      '  }',
      '',
      '[domain_realm]',
      `  localhost = ${realm}`,
      '',
    ].join('\n'),
  );
  writeFileSync(
    kdcConf,
    [
      '[kdcdefaults]',
      `  kdc_listen = 127.0.0.1:${port}`,
      `  kdc_tcp_listen = 127.0.0.1:${port}`,
      '',
      '[realms]',
      `  ${realm} = {`,
      `    database_name = ${join(baseDir, 'principal')}`,
      `    key_stash_file = ${join(baseDir, 'stash')}`,
      `    acl_file = ${join(baseDir, 'kadm5.acl')}`,
      `    max_life = ${options.maxLife ?? '10h'}`,
      '    max_renewable_life = 0',
      `    supported_enctypes = ${ENCTYPES.split(' ')
        .map((e) => `${e}:normal`)
        .join(' ')}`,
      '  }',
      '',
      '[logging]',
      `  kdc = FILE:${log}`,
      '',
    ].join('\n'),
  );
  writeFileSync(join(baseDir, 'kadm5.acl'), '');
  const env = { KRB5_CONFIG: krb5Conf, KRB5_KDC_PROFILE: kdcConf };
  const created = run(TOOLS.kdb5Util, ['create', '-s', '-r', realm, '-P', 'kdc-master-key-for-tests'], env);
  if (created.status !== 0) throw new Error(`kdb5_util create failed: ${created.output}`);

  const child = spawn(TOOLS.krb5kdc, ['-n', '-r', realm], {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...env },
  });
  live.add(child);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  child.on('exit', () => live.delete(child));

  let stopped = false;
  const kadmin = (query: string): string => {
    const result = run(TOOLS.kadminLocal, ['-r', realm, '-q', query], env);
    // kadmin.local exits 0 even when a query fails; its errors name the query.
    if (result.status !== 0 || /\b(error|failed|not found|No such)\b/i.test(result.output))
      throw new Error(`kadmin.local -q "${query}" failed: ${result.output}`);
    return result.output;
  };
  const principal = (name: string): string => (name.includes('@') ? name : `${name}@${realm}`);
  const kdc: Kdc = {
    realm,
    baseDir,
    port,
    krb5Conf,
    kdcConf,
    env,
    javaOptions: [`-Djava.security.krb5.conf=${krb5Conf}`],
    process: child,
    principal,
    kadmin,
    addServicePrincipals(names, keytab) {
      for (const name of names) kadmin(`addprinc -randkey ${principal(name)}`);
      kadmin(`ktadd -k ${keytab} ${names.map(principal).join(' ')}`);
      return keytab;
    },
    addUser(name, password) {
      kadmin(`addprinc -pw ${password} ${principal(name)}`);
    },
    kinitKeytab(name, keytab, ccache) {
      const result = run(TOOLS.kinit, ['-k', '-t', keytab, '-c', ccache, principal(name)], env);
      if (result.status !== 0) throw new Error(`kinit -kt ${keytab} ${principal(name)} failed: ${result.output}`);
    },
    kinitPassword(name, password, ccache) {
      const result = run(TOOLS.kinit, ['-c', ccache, principal(name)], env, `${password}\n`);
      if (result.status !== 0) throw new Error(`kinit ${principal(name)} failed: ${result.output}`);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        try {
          process.kill(-child.pid, 'SIGTERM');
        } catch {
          // already gone
        }
        const timer = setTimeout(() => {
          try {
            process.kill(-child.pid!, 'SIGKILL');
          } catch {
            // already gone
          }
        }, 5000);
        await exited;
        clearTimeout(timer);
      }
      const keep = options.keepBaseDir === true || process.env['ZKFC_KDC_KEEP'] === '1';
      if (!keep && options.baseDir === undefined) rmSync(baseDir, { recursive: true, force: true });
    },
  };

  // Ready when a kinit with a throwaway principal succeeds (the KDC answers on its port).
  try {
    kdc.addUser('harness-probe', 'harness-probe-password');
    const probeCache = `FILE:${join(baseDir, 'probe.ccache')}`;
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`krb5kdc exited (${child.exitCode ?? child.signalCode}): ${stderr}${readLog(log)}`);
      try {
        kdc.kinitPassword('harness-probe', 'harness-probe-password', probeCache);
        break;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await sleep(100);
      }
    }
  } catch (error) {
    await kdc.stop();
    throw new Error(`the test KDC did not start: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  return kdc;
}

function readLog(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '';
  }
}
