// The failover benchmark (`npm run bench`): on this machine, with real processes on loopback - a
// 3-member ZooKeeper ensemble, two simulated NameNodes and two zkfc daemons configured through
// Hadoop XML with shell fencing - it measures, per scenario, the failover time from the fault to
// the new active NameNode's own transition-log line (CLOCK_MONOTONIC, same clock as the fault
// stamp) over N runs (default 20): NameNode crash (kill -9), NameNode unhealthy, host loss (daemon
// and NameNode kill -9 together), graceful failover (ZKFCProtocol gracefulFailover). Each run is
// split into detection, election, fencing and promotion from the new active daemon's /status
// lastFailover phases, with detection taken as what the harness measured minus the other three
// (the daemon only sees the loss once the old lock is gone). Then the daemon's resident memory and
// CPU while idle (VmRSS and utime+stime from /proc over 30 s at a 1 s check interval) and its
// start-up time from spawn to the first health check ("zkfc ready" log line), each beside bare
// Node measured in the same run under the same load: the idle RSS of `node -e
// "setInterval(()=>{},1000)"` sampled in the same window, and the exec-to-exit time of `node -e 0`
// spawned right before each daemon start. The daemons run with the NODE_OPTIONS of the shipped
// systemd unit (systemd/zkfc@.service); idle and start-up are also measured without them. Prints a
// markdown report and writes it to bench/results.md. Missed targets are reported with where the
// time goes.
//
// With --hadoop it runs tools/bench/hadoop-bench.ts instead: our zkfc beside Hadoop's ZKFC on a
// real HDFS cluster (defaults there: --runs 10, --idle-seconds 60, --warmup-seconds 30,
// --startup-runs 10, --out bench/results-hadoop.md, its own --scenarios). With --rm it runs
// tools/bench/rm-bench.ts: ResourceManager failover, zkfc beside the embedded elector (--runs 10
// crashes, --hang-runs 5 hangs, --out bench/results-rm.md).
//
// Options: --runs N (default 20), --idle-seconds S (default 30), --startup-runs N (default 20),
// --out PATH (default bench/results.md), --session-timeout-ms (default 5000), --scenarios LIST
// (default crash,unhealthy,host-loss,graceful,idle,startup), --node-options 'A;B' (the NODE_OPTIONS
// variants measured for idle and start-up, ';'-separated, '' = none; default: none and the unit's),
// --keep (keep the cluster directory and its logs).

import { readFileSync, statSync, writeFileSync, mkdirSync, openSync, readSync, closeSync } from 'node:fs';
import { cpus, loadavg, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { RpcZkfcClientFactory } from '../../src/hadoop/zkfc-client.js';
import { FaultCluster } from '../testing/fault-cluster.js';
import { REPO_ROOT } from '../testing/mini-cluster.js';
import { msBetween } from '../testing/oracle.js';
import { SeededRandom } from '../testing/prng.js';
import { sleep, waitUntil } from '../testing/wait.js';
import { isMain } from './is-main.js';
import { stats, type Stats } from './stats.js';
import { HADOOP_SCENARIOS, runHadoopBench, type HadoopScenario } from './hadoop-bench.js';
import { runRmBench } from './rm-bench.js';

export const FAILOVER_SCENARIOS = ['crash', 'unhealthy', 'host-loss', 'graceful'] as const;
export type FailoverScenario = (typeof FAILOVER_SCENARIOS)[number];
export const BENCH_SCENARIOS = [...FAILOVER_SCENARIOS, 'idle', 'startup'] as const;
export type BenchScenario = (typeof BENCH_SCENARIOS)[number];

/** Targets for the daemon's own cost (issue "A lean daemon"). */
export const STARTUP_TARGET_MS = 150;
export const IDLE_RSS_TARGET_MIB = 50;
export const IDLE_CPU_TARGET_PERCENT = 0.3;

interface Phases {
  readonly detectionMs: number;
  readonly electionMs: number;
  readonly fencingMs: number;
  readonly promotionMs: number;
}

export interface BenchRun {
  readonly scenario: FailoverScenario;
  /** Fault (or request) to the new active's transition line. */
  readonly totalMs: number;
  /** The daemon's own report (status lastFailover). */
  readonly reported: Phases & { readonly durationMs: number };
  /** totalMs minus the reported election, fencing and promotion. */
  readonly detectionMs: number;
}

interface BenchOptions {
  readonly scenarios: readonly BenchScenario[];
  /** NODE_OPTIONS variants for the idle and start-up measurements ('' = none). */
  readonly nodeOptions: readonly string[];
  /** Keep the cluster directory (logs, transition logs) after the run. */
  readonly keep: boolean;
  readonly runs: number;
  readonly idleSeconds: number;
  readonly startupRuns: number;
  readonly out: string;
  readonly sessionTimeoutMs: number;
}

const CHECK_INTERVAL_MS = 1000;
const ZK_TICK_MS = 100;

async function lastFailover(
  cluster: FaultCluster,
  id: string,
): Promise<{ at: string; durationMs: number; phases: Phases } | undefined> {
  const status = await cluster.mini.zkfcStatus(id, 2000);
  return (status?.['lastFailover'] ?? undefined) as { at: string; durationMs: number; phases: Phases } | undefined;
}

/** Wait for a lastFailover newer than `previousAt` on daemon `id`. */
async function newFailover(
  cluster: FaultCluster,
  id: string,
  previousAt: string | undefined,
): Promise<{ at: string; durationMs: number; phases: Phases }> {
  return waitUntil(
    async () => {
      const last = await lastFailover(cluster, id);
      return last !== undefined && last.at !== previousAt && last;
    },
    10_000,
    `daemon ${id} reporting a new failover`,
    10,
  );
}

async function measureScenario(
  cluster: FaultCluster,
  scenario: FailoverScenario,
  runs: number,
  rng: SeededRandom,
  log: (line: string) => void,
): Promise<BenchRun[]> {
  const results: BenchRun[] = [];
  const zkfcClients = new RpcZkfcClientFactory({ effectiveUser: userInfo().username });
  for (let run = 1; run <= runs; run++) {
    const { active: old } = await cluster.awaitSteady(60_000, {
      context: `before ${scenario} run ${run}`,
      restartDead: true,
    });
    const next = cluster.ids.find((id) => id !== old)!;
    const previous = (await lastFailover(cluster, next))?.at;
    // Decorrelate the fault from the health-check cycle.
    await sleep(rng.int(0, CHECK_INTERVAL_MS));
    let faultAt: bigint;
    switch (scenario) {
      case 'crash':
        faultAt = cluster.note(`bench crash run ${run}`);
        await cluster.killNamenode(old);
        break;
      case 'unhealthy':
        faultAt = cluster.note(`bench unhealthy run ${run}`);
        await cluster.namenodeFault(old, 'unhealthy');
        break;
      case 'host-loss':
        faultAt = cluster.note(`bench host loss run ${run}`);
        await Promise.all([cluster.killController(old), cluster.killNamenode(old)]);
        break;
      case 'graceful': {
        const client = zkfcClients.create({ host: '127.0.0.1', port: cluster.mini.node(next).zkfcPort });
        faultAt = cluster.note(`bench graceful run ${run}`);
        try {
          await client.gracefulFailover(30_000);
        } finally {
          client.close();
        }
        break;
      }
    }
    const activation = await cluster.waitForActivation(faultAt, { not: old, timeoutMs: 60_000, pollMs: 2 });
    const totalMs = msBetween(faultAt, BigInt(activation.monoNs));
    const report = await newFailover(cluster, activation.namenodeId, previous);
    const { electionMs, fencingMs, promotionMs } = report.phases;
    results.push({
      scenario,
      totalMs,
      reported: { ...report.phases, durationMs: report.durationMs },
      detectionMs: Math.max(0, totalMs - electionMs - fencingMs - promotionMs),
    });
    log(
      `  ${scenario} run ${run}: ${totalMs.toFixed(1)} ms (election ${electionMs.toFixed(1)}, ` +
        `fencing ${fencingMs.toFixed(1)}, promotion ${promotionMs.toFixed(1)})`,
    );
    // Bring the old side back for the next run.
    if (scenario === 'unhealthy') await cluster.namenodeFault(old, 'none');
    await cluster.healAll();
  }
  cluster.assertSafe(`after the ${scenario} runs`);
  return results;
}

function procStat(pid: number): { ticks: number; rssKiB: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields after the command name start at field 3 (state): utime is field 14, stime field 15.
  const ticks = Number(fields[11]) + Number(fields[12]);
  const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { ticks, rssKiB: Number(rss?.[1] ?? NaN) };
}

function clockTicksPerSecond(): number {
  const result = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const value = Number(result.stdout?.trim());
  return Number.isInteger(value) && value > 0 ? value : 100;
}

export interface IdleUsage {
  /** A daemon's NameNode id, or 'node' for the bare Node baseline. */
  readonly namenodeId: string;
  readonly role: 'active' | 'standby' | 'bare node';
  /** NODE_OPTIONS the process ran with ('' = none). */
  readonly nodeOptions: string;
  readonly rssMedianKiB: number;
  readonly rssMaxKiB: number;
  readonly cpuPercent: number;
}

/**
 * The NODE_OPTIONS that the shipped systemd unit sets (`Environment=NODE_OPTIONS=...` or
 * `Environment="NODE_OPTIONS=..."`), '' when it sets none: what production daemons run with.
 */
export function unitNodeOptions(unitText: string): string {
  for (const line of unitText.split('\n')) {
    const match = /^\s*Environment=(?:"NODE_OPTIONS=([^"]*)"|NODE_OPTIONS=(\S*))\s*$/.exec(line);
    if (match !== null) return (match[1] ?? match[2] ?? '').trim();
  }
  return '';
}

export const SHIPPED_NODE_OPTIONS = unitNodeOptions(readFileSync(join(REPO_ROOT, 'systemd/zkfc@.service'), 'utf8'));

const BARE_IDLE_SCRIPT = 'setInterval(()=>{},1000)';

function nodeEnv(nodeOptions: string): NodeJS.ProcessEnv {
  return { ...process.env, NODE_OPTIONS: nodeOptions };
}

/** Restart every daemon whose NODE_OPTIONS differ, one at a time; the cluster stays steady in between. */
async function useNodeOptions(cluster: FaultCluster, nodeOptions: string): Promise<void> {
  if ((cluster.controllerEnv['NODE_OPTIONS'] ?? '') === nodeOptions) return;
  cluster.controllerEnv = { ...cluster.controllerEnv, NODE_OPTIONS: nodeOptions };
  for (const id of cluster.ids) {
    await cluster.awaitSteady(60_000, {
      context: `before restarting ${id} with NODE_OPTIONS='${nodeOptions}'`,
      restartDead: true,
    });
    await cluster.stopController(id, 'SIGTERM');
    await cluster.startController(id);
  }
}

/** Between the steady cluster and the first idle sample (see measureIdle). */
const IDLE_SETTLE_MS = 25_000;

async function measureIdle(cluster: FaultCluster, seconds: number, nodeOptions: string): Promise<IdleUsage[]> {
  await useNodeOptions(cluster, nodeOptions);
  const { active } = await cluster.awaitSteady(60_000, { context: 'before the idle measurement', restartDead: true });
  // The baseline: an idle Node process with the same options, sampled in the same window.
  const bare = spawn(process.execPath, ['-e', BARE_IDLE_SCRIPT], { env: nodeEnv(nodeOptions), stdio: 'ignore' });
  try {
    // Let start-up work and the last failover settle. The heap reducer's collection after HA
    // activity comes 6 s after the last of it (src/runtime/heap-reducer.ts QUIET_MS), later when the
    // steady check or a cede's end made more, or when the young generation stayed large through a
    // collection (then after a back-off of 2 intervals): until then the daemon still holds what the
    // burst grew (53-55 MiB). 10 s of settling let that collection land in the window now and then.
    await sleep(IDLE_SETTLE_MS);
    const hz = clockTicksPerSecond();
    const pids = [
      ...cluster.ids.map((id) => ({ id, pid: cluster.mini.node(id).zkfc!.pid! })),
      { id: 'node', pid: bare.pid! },
    ];
    const first = pids.map(({ pid }) => procStat(pid));
    const samples = first.map((s) => [s.rssKiB]);
    const startedAt = process.hrtime.bigint();
    for (let i = 0; i < seconds; i++) {
      await sleep(1000);
      pids.forEach(({ pid }, index) => samples[index]!.push(procStat(pid).rssKiB));
    }
    const elapsedS = Number(process.hrtime.bigint() - startedAt) / 1e9;
    return pids.map(({ id, pid }, index) => {
      const last = procStat(pid);
      const rss = stats(samples[index]!);
      return {
        namenodeId: id,
        role: id === 'node' ? 'bare node' : id === active ? 'active' : 'standby',
        nodeOptions,
        rssMedianKiB: rss.median,
        rssMaxKiB: rss.max,
        cpuPercent: ((last.ticks - first[index]!.ticks) / hz / elapsedS) * 100,
      };
    });
  } finally {
    bare.kill('SIGKILL');
  }
}

export interface StartupRun {
  readonly nodeOptions: string;
  /** spawn → exit of `node -e 0`, spawned right before the daemon (the same load). */
  readonly bareNodeMs: number;
  /** spawn → first log line (Node start-up and module loading). */
  readonly firstLogMs: number;
  /** spawn → "zkfc started" (config, ZooKeeper checks, listeners). */
  readonly startedMs: number;
  /** spawn → "zkfc ready" (ZooKeeper session and first health check done). */
  readonly readyMs: number;
}

/** Exec to exit of a bare `node -e 0` (ms). */
async function bareNodeExecMs(nodeOptions: string): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, ['-e', '0'], { env: nodeEnv(nodeOptions), stdio: 'ignore' });
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', () => resolve());
  });
  return performance.now() - started;
}

function readFrom(path: string, offset: number): string {
  const fd = openSync(path, 'r');
  try {
    const size = statSync(path).size;
    const buffer = Buffer.alloc(Math.max(0, size - offset));
    readSync(fd, buffer, 0, buffer.length, offset);
    return buffer.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function logTimeOf(text: string, message: RegExp): number | undefined {
  for (const line of text.split('\n')) {
    if (!message.test(line)) continue;
    const time = /"time":"([^"]+)"/.exec(line)?.[1];
    if (time !== undefined) return Date.parse(time);
  }
  return undefined;
}

async function measureStartup(
  cluster: FaultCluster,
  runs: number,
  variants: readonly string[],
  log: (line: string) => void,
): Promise<StartupRun[]> {
  const results: StartupRun[] = [];
  for (let run = 1; run <= runs; run++) {
    // Variants interleave run by run, so a change of load on the machine hits them alike.
    for (const nodeOptions of variants) {
      await useNodeOptions(cluster, nodeOptions);
      const { active } = await cluster.awaitSteady(60_000, { context: `before start-up run ${run}` });
      const standby = cluster.ids.find((id) => id !== active)!;
      await cluster.stopController(standby, 'SIGTERM');
      await sleep(200); // the stopped daemon's exit work is not the next start-up's load
      const bareNodeMs = await bareNodeExecMs(nodeOptions);
      const logFile = cluster.mini.node(standby).zkfcLog;
      const offset = statSync(logFile).size;
      const spawnedAtMs = Date.now();
      await cluster.startController(standby);
      const deadline = Date.now() + 20_000;
      let text = '';
      let ready: number | undefined;
      while (ready === undefined && Date.now() < deadline) {
        text = readFrom(logFile, offset);
        ready = logTimeOf(text, /"msg":"zkfc ready/);
        if (ready === undefined) await sleep(10);
      }
      if (ready === undefined) throw new Error(`start-up run ${run}: no "zkfc ready" line from ${standby}`);
      const firstLine = text.split('\n').find((l) => l.includes('"time":"'));
      const firstLog = firstLine !== undefined ? Date.parse(/"time":"([^"]+)"/.exec(firstLine)![1]!) : ready;
      const started = logTimeOf(text, /"msg":"zkfc started"/) ?? ready;
      results.push({
        nodeOptions,
        bareNodeMs,
        firstLogMs: firstLog - spawnedAtMs,
        startedMs: started - spawnedAtMs,
        readyMs: ready - spawnedAtMs,
      });
      log(
        `  start-up run ${run} (NODE_OPTIONS='${nodeOptions}'): node -e 0 ` +
          `${bareNodeMs.toFixed(0)} ms; daemon first log ${firstLog - spawnedAtMs} ms, ` +
          `started ${started - spawnedAtMs} ms, ready ${ready - spawnedAtMs} ms`,
      );
    }
  }
  return results;
}

const fmt = (ms: number): string => (Number.isFinite(ms) ? ms.toFixed(ms < 10 ? 1 : 0) : '-');

const optionsText = (nodeOptions: string): string => (nodeOptions === '' ? '(none)' : `\`${nodeOptions}\``);
const mib = (kib: number): string => `${(kib / 1024).toFixed(1)} MiB`;
const verdict = (ok: boolean): string => (ok ? 'met' : '**missed**');

function renderIdle(lines: string[], idle: readonly IdleUsage[], idleSeconds: number): void {
  lines.push('', `## Daemon resources while idle (${idleSeconds} s, health checks every ${CHECK_INTERVAL_MS} ms)`, '');
  lines.push(
    `| process | NODE_OPTIONS | VmRSS median | VmRSS max | above bare Node (median) | ` +
      `RSS ≤ ${IDLE_RSS_TARGET_MIB} MiB (max) | CPU | CPU ≤ ${IDLE_CPU_TARGET_PERCENT} % |`,
    '|---|---|---:|---:|---:|---|---:|---|',
  );
  for (const u of idle) {
    const bare = idle.find((b) => b.role === 'bare node' && b.nodeOptions === u.nodeOptions);
    if (u.role === 'bare node') {
      lines.push(
        `| bare \`node -e "${BARE_IDLE_SCRIPT}"\` | ${optionsText(u.nodeOptions)} | ` +
          `${mib(u.rssMedianKiB)} | ${mib(u.rssMaxKiB)} | - | - | ${u.cpuPercent.toFixed(2)} % | - |`,
      );
      continue;
    }
    const above =
      bare === undefined
        ? '-'
        : `+${mib(u.rssMedianKiB - bare.rssMedianKiB)} (×${(u.rssMedianKiB / bare.rssMedianKiB).toFixed(2)})`;
    lines.push(
      `| zkfc ${u.namenodeId} (${u.role}) | ${optionsText(u.nodeOptions)} ` +
        `| ${mib(u.rssMedianKiB)} | ${mib(u.rssMaxKiB)} | ${above} | ` +
        `${verdict(u.rssMaxKiB / 1024 <= IDLE_RSS_TARGET_MIB)} | ${u.cpuPercent.toFixed(2)} ` +
        `% | ${verdict(u.cpuPercent <= IDLE_CPU_TARGET_PERCENT)} |`,
    );
  }
  lines.push(
    '',
    `VmRSS sampled once a second from /proc/<pid>/status after ${IDLE_SETTLE_MS / 1000} s of settling ` +
      "(the heap reducer's collection after the last failover is done by then; until it, a daemon " +
      'holds what the burst grew); ' +
      `bare Node is an idle \`node -e "${BARE_IDLE_SCRIPT}"\` (Node ${process.version}) ` +
      'sampled in the same window with the same NODE_OPTIONS. ' +
      'CPU = utime + stime from /proc/<pid>/stat over the window.',
  );
}

function renderStartup(lines: string[], startup: readonly StartupRun[]): void {
  lines.push('', '## Start-up: exec to first health check (ms)', '');
  lines.push(
    '| NODE_OPTIONS | runs | bare `node -e 0` median | daemon median ' +
      '| p95 | max | daemon − bare (median) | ratio | target | result |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|---|',
  );
  const variants = [...new Set(startup.map((r) => r.nodeOptions))];
  const splits: string[] = [];
  for (const nodeOptions of variants) {
    const runs = startup.filter((r) => r.nodeOptions === nodeOptions);
    const ready = stats(runs.map((r) => r.readyMs));
    const bare = stats(runs.map((r) => r.bareNodeMs));
    const firstLog = stats(runs.map((r) => r.firstLogMs));
    const started = stats(runs.map((r) => r.startedMs));
    lines.push(
      `| ${optionsText(nodeOptions)} | ${runs.length} | ${fmt(bare.median)} ` +
        `| ${fmt(ready.median)} | ${fmt(ready.p95)} | ${fmt(ready.max)} | ` +
        `${fmt(ready.median - bare.median)} | ×${(ready.median / bare.median).toFixed(2)} | ` +
        `≤ ${STARTUP_TARGET_MS} ms (median) | ${verdict(ready.median <= STARTUP_TARGET_MS)} |`,
    );
    splits.push(
      `${optionsText(nodeOptions)}: first log line ${fmt(firstLog.median)} ms, ` +
        `"zkfc started" ${fmt(started.median)} ms, "zkfc ready" ${fmt(ready.median)} ms`,
    );
  }
  lines.push(
    '',
    "The daemon: spawn of `bin/zkfc` (the installed command: it tunes glibc's malloc " +
      'and execs `node --v8-pool-size=1 bin/zkfc.js`) to the time stamp of its ' +
      '"zkfc ready" log line (ZooKeeper connected and the first health ' +
      'check done). Bare Node: spawn to exit of `node -e 0`, run right ' +
      'before each daemon start. Split (medians) - to the first log line ' +
      '(Node start-up, module loading, configuration); to "zkfc started" ' +
      '(the ZooKeeper session and the parent znode check, RPC and status ' +
      'listeners, the controller adopting that session and starting its ' +
      `health monitor); to "zkfc ready" (the first health check): ${splits.join('; ')}. ` +
      'Log times have millisecond resolution.',
  );
}

function renderFailover(
  lines: string[],
  input: ReadonlyMap<FailoverScenario, readonly BenchRun[]>,
  sessionTimeoutMs: number,
): void {
  const targets: Record<
    FailoverScenario,
    { readonly what: string; readonly ok: (s: Stats) => boolean; readonly floor: string }
  > = {
    crash: {
      what: 'median ≤ 100 ms',
      ok: (s) => s.median <= 100,
      floor: 'none: the daemon probes its NameNode as soon as the RPC connection closes',
    },
    unhealthy: {
      what: `p95 ≤ ${CHECK_INTERVAL_MS + 50} ms (check interval + 50)`,
      ok: (s) => s.p95 <= CHECK_INTERVAL_MS + 50,
      floor:
        `health check interval (${CHECK_INTERVAL_MS} ms): the fault is ` +
        `seen at the next check, uniformly 0-${CHECK_INTERVAL_MS} ms later`,
    },
    'host-loss': {
      what: `max ≤ ${sessionTimeoutMs + 200} ms (session timeout + 200)`,
      ok: (s) => s.max <= sessionTimeoutMs + 200,
      floor:
        `ZooKeeper session timeout (${sessionTimeoutMs} ms): the lock goes when the dead daemon's session ` +
        `expires, between 2/3 of the timeout after its last ping and the timeout plus one tick (${ZK_TICK_MS} ms)`,
    },
    graceful: {
      what: 'median ≤ 50 ms',
      ok: (s) => s.median <= 50,
      floor: 'none (an administrator request): cedeActive on the old active, then the normal election',
    },
  };
  const names: Record<FailoverScenario, string> = {
    crash: 'NameNode crash (kill -9)',
    unhealthy: 'NameNode unhealthy',
    'host-loss': 'host loss (daemon + NameNode kill -9)',
    graceful: 'graceful failover',
  };
  lines.push("## Failover time: fault to new active (ms, from the NameNodes' transition logs)", '');
  lines.push(
    '| scenario | runs | median | p95 | max | target | result | bounded by |',
    '|---|---:|---:|---:|---:|---|---|---|',
  );
  for (const [scenario, runs] of input) {
    const s = stats(runs.map((r) => r.totalMs));
    lines.push(
      `| ${names[scenario]} | ${runs.length} | ${fmt(s.median)} | ${fmt(s.p95)} | ${fmt(s.max)} | ` +
        `${targets[scenario].what} | ${targets[scenario].ok(s) ? 'met' : '**missed**'} | ${targets[scenario].floor} |`,
    );
  }
  lines.push('', '## Where the time goes: phases (ms, median / p95 / max)', '');
  lines.push(
    '| scenario | detection | election | fencing | promotion | daemon-reported total |',
    '|---|---|---|---|---|---|',
  );
  const triple = (values: number[]) => {
    const s = stats(values);
    return `${fmt(s.median)} / ${fmt(s.p95)} / ${fmt(s.max)}`;
  };
  for (const [scenario, runs] of input) {
    lines.push(
      `| ${names[scenario]} | ${triple(runs.map((r) => r.detectionMs))} ` +
        `| ${triple(runs.map((r) => r.reported.electionMs))} | ` +
        `${triple(runs.map((r) => r.reported.fencingMs))} | ${triple(runs.map((r) => r.reported.promotionMs))} ` +
        `| ${triple(runs.map((r) => r.reported.durationMs))} |`,
    );
  }
  lines.push(
    '',
    "Detection = the harness's fault-to-active time minus the election, " +
      'fencing and promotion phases the new active daemon reports ' +
      '(/status lastFailover): the time until the surviving daemon ' +
      'could start the election - the old daemon noticing the fault and ' +
      'releasing the lock (crash, unhealthy), the session expiring ' +
      '(host loss), or cedeActive on the old active (graceful). ' +
      'Election = creating the lock and reading the breadcrumb; fencing ' +
      '= graceful transitionToStandby of the old active and, if that ' +
      'fails, the fencing methods (shell); promotion = writing the breadcrumb and transitionToActive.',
  );
}

export function renderReport(input: {
  readonly runs: ReadonlyMap<FailoverScenario, readonly BenchRun[]>;
  readonly failoverNodeOptions: string;
  readonly idle: readonly IdleUsage[];
  readonly idleSeconds: number;
  readonly startup: readonly StartupRun[];
  readonly sessionTimeoutMs: number;
  readonly environment: string;
}): string {
  const { sessionTimeoutMs } = input;
  const lines: string[] = [];
  lines.push('# Failover benchmark', '', input.environment, '');
  if (input.runs.size > 0) {
    renderFailover(lines, input.runs, sessionTimeoutMs);
    lines.push(
      '',
      `Daemons ran with NODE_OPTIONS ${optionsText(input.failoverNodeOptions)} (the shipped systemd unit's).`,
    );
  }
  if (input.idle.length > 0) renderIdle(lines, input.idle, input.idleSeconds);
  if (input.startup.length > 0) renderStartup(lines, input.startup);
  return `${lines.join('\n')}\n`;
}

export async function runBench(
  options: BenchOptions,
  log: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
): Promise<string> {
  const rng = new SeededRandom(20_26);
  const cluster = await FaultCluster.start({
    fencing: 'shell',
    zookeeperTickMs: ZK_TICK_MS,
    zookeeperSyncLimitTicks: 20,
    zookeeperInitLimitTicks: 50,
    sessionTimeoutMs: options.sessionTimeoutMs,
    checkIntervalMs: CHECK_INTERVAL_MS,
    // Hadoop's defaults for the RPC timeouts: they bound hangs, not these scenarios.
    healthRpcTimeoutMs: 45_000,
    gracefulFenceTimeoutMs: 5000,
    // Anti-flap off (Hadoop's behaviour): the scenarios inject 20 failovers in a row, and the
    // default limit (3 in 10 minutes) would hold back every unhealthy one after the third.
    extraConf: { 'zkfc.fencing.preflight.interval.ms': '60000', 'zkfc.anti-flap.max-failovers': '0' },
  });
  const removeSignalHandlers = cluster.stopOnSignals();
  const runs = new Map<FailoverScenario, BenchRun[]>();
  let report: string;
  try {
    cluster.controllerEnv = { NODE_OPTIONS: SHIPPED_NODE_OPTIONS };
    await cluster.startAll();
    for (const scenario of FAILOVER_SCENARIOS.filter((x) => options.scenarios.includes(x))) {
      log(`scenario ${scenario}: ${options.runs} runs (NODE_OPTIONS='${SHIPPED_NODE_OPTIONS}')`);
      runs.set(scenario, await measureScenario(cluster, scenario, options.runs, rng, log));
    }
    const idle: IdleUsage[] = [];
    if (options.scenarios.includes('idle')) {
      for (const nodeOptions of options.nodeOptions) {
        log(`idle resources: ${options.idleSeconds} s (NODE_OPTIONS='${nodeOptions}')`);
        idle.push(...(await measureIdle(cluster, options.idleSeconds, nodeOptions)));
      }
    }
    let startup: StartupRun[] = [];
    if (options.scenarios.includes('startup')) {
      log(`start-up: ${options.startupRuns} runs per NODE_OPTIONS variant`);
      startup = await measureStartup(cluster, options.startupRuns, options.nodeOptions, log);
    }
    cluster.assertSafe('end of the benchmark');
    const environment =
      `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} ` +
      `× ${cpus()[0]?.model.trim() ?? 'cpu'}, Node ${process.version}, ` +
      `load average at the end ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}. Real processes on loopback: ZooKeeper 3.8 ensemble of 3 (tick ${ZK_TICK_MS} ms), ` +
      `two simulated NameNodes and two zkfc daemons; ha.zookeeper.session-timeout.ms=${options.sessionTimeoutMs}, ` +
      `ha.health-monitor.check-interval.ms=${CHECK_INTERVAL_MS}, other timeouts ` +
      `at Hadoop's defaults; fencing shell(kill the simulated NameNode by pid). ` +
      `${options.runs} runs per failover scenario; the fault is injected at a random point of the health-check cycle.`;
    report = renderReport({
      runs,
      failoverNodeOptions: SHIPPED_NODE_OPTIONS,
      idle,
      idleSeconds: options.idleSeconds,
      startup,
      sessionTimeoutMs: options.sessionTimeoutMs,
      environment,
    });
  } catch (error) {
    log(`benchmark failed: ${error instanceof Error ? error.message : String(error)}`);
    log(cluster.logTails());
    await cluster.stop();
    removeSignalHandlers();
    throw error;
  }
  await cluster.stop();
  removeSignalHandlers();
  if (options.keep) log(`cluster directory kept: ${cluster.baseDir}`);
  else cluster.cleanUp();
  mkdirSync(dirname(options.out), { recursive: true });
  writeFileSync(options.out, report);
  return report;
}

if (isMain(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      hadoop: { type: 'boolean', default: false },
      rm: { type: 'boolean', default: false },
      'hang-runs': { type: 'string' },
      runs: { type: 'string' },
      'idle-seconds': { type: 'string' },
      'warmup-seconds': { type: 'string', default: '30' },
      'startup-runs': { type: 'string' },
      'session-timeout-ms': { type: 'string', default: '5000' },
      out: { type: 'string' },
      scenarios: { type: 'string' },
      'node-options': { type: 'string' },
      keep: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const count = (name: string, text: string, min: number): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) {
      process.stderr.write(`bench: --${name} wants an integer ≥ ${min}, got '${text}'\n`);
      process.exit(2);
    }
    return n;
  };
  const known: readonly string[] = values.hadoop ? HADOOP_SCENARIOS : BENCH_SCENARIOS;
  const scenarios = (values.scenarios ?? known.join(',')).split(',').map((x) => x.trim());
  const unknown = scenarios.filter((x) => !known.includes(x));
  if (unknown.length > 0) {
    process.stderr.write(`bench: unknown scenario ${unknown.join(', ')}; known: ${known.join(', ')}\n`);
    process.exit(2);
  }
  const finish = (out: string) => (report: string) => {
    process.stdout.write(`\n${report}\nwritten to ${out}\n`);
    process.exit(0);
  };
  const fail = (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  };
  if (values.rm) {
    const out = values.out ?? join(REPO_ROOT, 'bench/results-rm.md');
    runRmBench({
      runs: count('runs', values.runs ?? '10', 1),
      hangRuns: count('hang-runs', values['hang-runs'] ?? '5', 0),
      out,
    }).then(finish(out), fail);
  } else if (values.hadoop) {
    const out = values.out ?? join(REPO_ROOT, 'bench/results-hadoop.md');
    runHadoopBench({
      scenarios: scenarios as HadoopScenario[],
      runs: count('runs', values.runs ?? '10', 1),
      idleSeconds: count('idle-seconds', values['idle-seconds'] ?? '60', 0),
      warmupSeconds: count('warmup-seconds', values['warmup-seconds'], 0),
      startupRuns: count('startup-runs', values['startup-runs'] ?? '10', 0),
      out,
      keep: values.keep,
    }).then(finish(out), fail);
  } else {
    const out = values.out ?? join(REPO_ROOT, 'bench/results.md');
    const nodeOptions =
      values['node-options'] !== undefined
        ? values['node-options'].split(';').map((x) => x.trim())
        : [...new Set(['', SHIPPED_NODE_OPTIONS])];
    runBench({
      scenarios: scenarios as BenchScenario[],
      nodeOptions,
      keep: values.keep,
      runs: count('runs', values.runs ?? '20', 1),
      idleSeconds: count('idle-seconds', values['idle-seconds'] ?? '30', 1),
      startupRuns: count('startup-runs', values['startup-runs'] ?? '20', 1),
      sessionTimeoutMs: count('session-timeout-ms', values['session-timeout-ms'], 1),
      out,
    }).then(finish(out), fail);
  }
}
