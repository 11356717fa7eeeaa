// The built `haadmin` binary as the e2e tests run it: generated Hadoop conf dirs (hdfs-site.xml /
// core-site.xml in a temp dir) and `node bin/haadmin.js` as a child process with a hard kill after
// a deadline, collecting exit code, stdout and stderr.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configurationXml } from '../../tools/testing/conf-xml.js';
import { REPO_ROOT } from './namenode-sim-process.js';

export const HAADMIN = join(REPO_ROOT, 'bin/haadmin.js');

/** Write hdfs-site.xml (the given properties) and core-site.xml into `<dir>/<name>`; returns the dir. */
export function writeConfDir(dir: string, name: string, properties: Record<string, string>): string {
  const confDir = join(dir, name);
  mkdirSync(confDir, { recursive: true });
  writeFileSync(join(confDir, 'hdfs-site.xml'), configurationXml(properties));
  writeFileSync(join(confDir, 'core-site.xml'), configurationXml({ 'fs.defaultFS': 'hdfs://ns1' }));
  return confDir;
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  readonly conf: string;
  readonly user?: string;
  readonly stdin?: string;
  /** Added to this process's environment; undefined removes a variable. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** SIGKILL after this long (default 60 s); the result then has code null. */
  readonly timeoutMs?: number;
}

/** Run the built haadmin with `args`; resolves when it exits (never rejects for its exit code). */
export function runHaAdminProcess(args: readonly string[], options: CliOptions): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const env: Record<string, string | undefined> = {
      ...process.env,
      HADOOP_CONF_DIR: options.conf,
      HADOOP_USER_NAME: options.user ?? 'hdfs',
      ...options.env,
    };
    for (const [key, value] of Object.entries(env)) if (value === undefined) delete env[key];
    const child = spawn(process.execPath, [HAADMIN, ...args], {
      cwd: REPO_ROOT,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
    child.stdin.end(options.stdin ?? '');
  });
}
