// Helpers for the end-to-end tests of the `zkfc` daemon (test/e2e/zkfc-*.test.ts): a MiniCluster
// with the short timings these tests use, one-shot runs of the built `zkfc` / `haadmin` binaries
// with a deadline (killed when it passes, so a hung binary fails its test instead of the suite),
// a plain Prometheus text parser, `promtool check metrics`, HTTP probes of the status listener,
// `eventually`, and an independent ZooKeeper client (node-zookeeper-client used directly, not our
// adapter) to inspect znodes and to play a Java ZKFC's part in ZooKeeper.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import zookeeper from 'node-zookeeper-client';
import type { ACL, Client, Stat } from 'node-zookeeper-client';
import { MiniCluster, tail, type MiniClusterOptions } from '../../tools/testing/mini-cluster.js';
import { REPO_ROOT, ensureBuilt } from './namenode-sim-process.js';

export const ZKFC_BIN = join(REPO_ROOT, 'bin/zkfc.js');
export const HAADMIN_BIN = join(REPO_ROOT, 'bin/haadmin.js');
export const PROMTOOL = '/usr/bin/promtool';

/** Timings of the e2e clusters: quick session expiry and health rounds, bounded RPCs. */
export const E2E_SESSION_TIMEOUT_MS = 3000;
export const E2E_CHECK_INTERVAL_MS = 500;

/** Build dist/ when stale (bin/*.js load it), including the zkfc and fence-sim entry points. */
export async function ensureDistBuilt(): Promise<void> {
  await ensureBuilt();
  for (const entry of [
    'dist/cli/zkfc-main.js',
    'build/tools/cli/fence-sim-main.js',
    'build/tools/testing/mini-cluster.js',
  ]) {
    if (!existsSync(join(REPO_ROOT, entry))) throw new Error(`${entry} is missing after the build`);
  }
}

/** A MiniCluster with the e2e timings (3 s sessions, 500 ms health checks) unless overridden. */
export async function startE2eCluster(options: MiniClusterOptions = {}): Promise<MiniCluster> {
  await ensureDistBuilt();
  return MiniCluster.start({
    sessionTimeoutMs: E2E_SESSION_TIMEOUT_MS,
    checkIntervalMs: E2E_CHECK_INTERVAL_MS,
    healthRpcTimeoutMs: 3000,
    ...options,
    extraConf: {
      // A fast graceful fence: a dead NameNode refuses the connection at once anyway.
      'ha.failover-controller.graceful-fence.rpc-timeout.ms': '2000',
      'ha.failover-controller.new-active.rpc-timeout.ms': '10000',
      'ipc.client.connect.timeout': '2000',
      ...(options.extraConf ?? {}),
    },
  });
}

/** Stop every process of the cluster and remove its directory (kept with ZKFC_E2E_KEEP=1). */
export async function stopE2eCluster(cluster: MiniCluster | undefined): Promise<void> {
  if (cluster === undefined) return;
  await cluster.stop();
  if (process.env['ZKFC_E2E_KEEP'] !== '1') cluster.cleanUp();
}

// ---------------------------------------------------------------------------------------------
// One-shot processes

export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
}

export interface RunOptions {
  readonly env?: Readonly<Record<string, string>>;
  /** Written to stdin, then stdin is closed (end of input). */
  readonly input?: string;
  /** SIGKILL after this; default 30 s. */
  readonly timeoutMs?: number;
}

const oneShots = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of oneShots) child.kill('SIGKILL');
});

/** Run `node <args>` to completion with a deadline; never rejects for a non-zero exit. */
export function runNode(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const startedMs = Date.now();
  return new Promise<RunResult>((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      cwd: REPO_ROOT,
    });
    oneShots.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      oneShots.delete(child);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      oneShots.delete(child);
      resolve({ code, signal, stdout, stderr, durationMs: Date.now() - startedMs });
    });
    // A child that exits before reading its stdin makes the write fail with EPIPE: not an error here.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

/** `zkfc <args>` as the cluster's NameNode `id` would run it (its conf dir and ids), to completion. */
export function runZkfc(
  cluster: MiniCluster,
  id: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  return runNode([ZKFC_BIN, ...cluster.zkfcArgs(id), ...args], {
    ...options,
    env: { ...cluster.zkfcEnv(), ...(options.env ?? {}) },
  });
}

/** `haadmin <args>` against the cluster's configuration. */
export function runHaadmin(
  cluster: MiniCluster,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  return runNode([HAADMIN_BIN, ...args], {
    ...options,
    env: {
      HADOOP_CONF_DIR: cluster.confDir,
      HADOOP_USER_NAME: cluster.zkfcEnv()['HADOOP_USER_NAME'] ?? 'root',
      ...(options.env ?? {}),
    },
  });
}

/** The pino lines of a process's output, parsed (other lines skipped). */
export function logRecords(text: string): Array<Record<string, unknown>> {
  const records: Array<Record<string, unknown>> = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      records.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // a torn line of a killed process
    }
  }
  return records;
}

/** The pino lines of a daemon's log file. */
export function zkfcLogRecords(cluster: MiniCluster, id: string): Array<Record<string, unknown>> {
  const file = cluster.node(id).zkfcLog;
  return existsSync(file) ? logRecords(readFileSync(file, 'utf8')) : [];
}

export function zkfcLogTail(cluster: MiniCluster, id: string, lines = 40): string {
  return tail(cluster.node(id).zkfcLog, lines);
}

// ---------------------------------------------------------------------------------------------
// Waiting

// ---------------------------------------------------------------------------------------------
// The status listener

/** GET http://127.0.0.1:<statusPort><path>: status code and body. */
export async function httpGet(
  port: number,
  path: string,
  timeoutMs = 3000,
): Promise<{ status: number; body: string; contentType: string | null }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
  return { status: response.status, body: await response.text(), contentType: response.headers.get('content-type') };
}

export interface MetricSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL_PAIR = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parse the Prometheus text exposition format (samples only; HELP/TYPE lines skipped). */
export function parsePrometheusText(text: string): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const match = SAMPLE_LINE.exec(line.trim());
    if (match === null) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(LABEL_PAIR)) {
      labels[pair[1]!] = pair[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    }
    const raw = match[3]!;
    const value = raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : Number(raw);
    samples.push({ name: match[1]!, labels, value });
  }
  return samples;
}

/** Sum of the samples named `name` whose labels include `labels`; throws when none matches. */
export function metricValue(
  samples: readonly MetricSample[],
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number {
  const matching = samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (matching.length === 0) throw new Error(`no sample ${name}${JSON.stringify(labels)}`);
  return matching.reduce((sum, s) => sum + s.value, 0);
}

/** GET /metrics of the NameNode `id`'s daemon, parsed, with the raw text. */
export async function scrapeMetrics(
  cluster: MiniCluster,
  id: string,
): Promise<{ text: string; samples: MetricSample[]; contentType: string | null }> {
  const { status, body, contentType } = await httpGet(cluster.node(id).statusPort, '/metrics');
  if (status !== 200) throw new Error(`GET /metrics of ${id}: HTTP ${status}: ${body}`);
  return { text: body, samples: parsePrometheusText(body), contentType };
}

/** `promtool check metrics` with the text on stdin: exit code and its complaints. */
export async function promtoolCheckMetrics(text: string): Promise<RunResult> {
  const startedMs = Date.now();
  return new Promise<RunResult>((resolve, reject) => {
    const child = spawn(PROMTOOL, ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, durationMs: Date.now() - startedMs });
    });
    child.stdin.end(text);
  });
}

// ---------------------------------------------------------------------------------------------
// An independent ZooKeeper client

export const ZK_PERMISSION = zookeeper.Permission;

export interface ZnodeData {
  readonly data: Buffer;
  readonly stat: Stat;
}

/**
 * node-zookeeper-client used directly: the tests inspect what the daemon wrote, and play a Java
 * ZKFC's part (its own session holding the EPHEMERAL lock), without going through our adapter.
 */
export class ZkTestClient {
  private closed = false;

  private constructor(private readonly client: Client) {}

  static async connect(
    connectString: string,
    options: { sessionTimeoutMs?: number; auth?: readonly [string, string] } = {},
  ): Promise<ZkTestClient> {
    const client = zookeeper.createClient(connectString, {
      sessionTimeout: options.sessionTimeoutMs ?? 30_000,
      spinDelay: 100,
      retries: 0,
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        client.close();
        reject(new Error(`test ZooKeeper client could not connect to ${connectString} within 10 s`));
      }, 10_000);
      client.once('connected', () => {
        clearTimeout(timer);
        resolve();
      });
      client.connect();
    });
    if (options.auth !== undefined) client.addAuthInfo(options.auth[0], Buffer.from(options.auth[1]));
    return new ZkTestClient(client);
  }

  /** This client's session id as ZooKeeper's ephemeralOwner bytes. */
  get sessionId(): Buffer {
    return this.client.getSessionId();
  }

  exists(path: string): Promise<Stat | null> {
    return new Promise((resolve, reject) =>
      this.client.exists(path, (error, stat) => (error ? reject(error) : resolve(stat ?? null))),
    );
  }

  /** Data and stat, or null when the znode does not exist. */
  getData(path: string): Promise<ZnodeData | null> {
    return new Promise((resolve, reject) =>
      this.client.getData(path, (error, data, stat) => {
        if (error) {
          if (isNoNode(error)) resolve(null);
          else reject(error);
        } else resolve({ data: data ?? Buffer.alloc(0), stat });
      }),
    );
  }

  getChildren(path: string): Promise<string[]> {
    return new Promise((resolve, reject) =>
      this.client.getChildren(path, (error, children) => (error ? reject(error) : resolve(children))),
    );
  }

  /**
   * The znode's ACL. (The library's objects carry the permission bits as `permission`, not as its typings' `perms`.)
   */
  getAcl(path: string): Promise<Array<{ scheme: string; id: string; perms: number }>> {
    return new Promise((resolve, reject) =>
      this.client.getACL(path, (error, acls) => {
        if (error) reject(error);
        else
          resolve(
            acls.map((a) => ({
              scheme: a.id.scheme,
              id: a.id.id,
              perms: (a as unknown as { permission: number }).permission,
            })),
          );
      }),
    );
  }

  create(
    path: string,
    data: Uint8Array,
    mode: 'EPHEMERAL' | 'PERSISTENT',
    acl: ACL[] = [new zookeeper.ACL(zookeeper.Permission.ALL, new zookeeper.Id('world', 'anyone'))],
  ): Promise<void> {
    return new Promise((resolve, reject) =>
      this.client.create(path, Buffer.from(data), acl, zookeeper.CreateMode[mode], (error) =>
        error ? reject(error) : resolve(),
      ),
    );
  }

  setData(path: string, data: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) =>
      this.client.setData(path, Buffer.from(data), -1, (error) => (error ? reject(error) : resolve())),
    );
  }

  remove(path: string): Promise<void> {
    return new Promise((resolve, reject) =>
      this.client.remove(path, -1, (error) => (error ? reject(error) : resolve())),
    );
  }

  /** Close the session (its ephemerals vanish at once); resolves when the server confirmed or after 3 s. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 3000);
      this.client.once('disconnected', () => {
        clearTimeout(timer);
        resolve();
      });
      this.client.close();
    });
  }
}

/** ZooKeeper's error code of a client error (NO_NODE = -101, NO_AUTH = -102, ...), if it has one. */
export function zkErrorCode(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'getCode' in error && typeof error.getCode === 'function') {
    return (error as { getCode: () => number }).getCode();
  }
  return undefined;
}

function isNoNode(error: unknown): boolean {
  return zkErrorCode(error) === zookeeper.Exception.NO_NODE;
}
