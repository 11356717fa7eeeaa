// The side-by-side benchmark on real Hadoop (`npm run bench -- --hadoop`): one real HDFS HA
// cluster (tools/testing/hadoop/real-cluster.ts: ZooKeeper, three JournalNodes, two NameNodes with
// their name directories on small tmpfs mounts, a DataNode), driven in turn by our zkfc daemons and
// by Hadoop's DFSZKFailoverController as `hdfs zkfc` starts it (JVM defaults), with the same
// settings: 1 s health-check interval, 5 s ZooKeeper session, 3 s health RPC timeout, the same
// shell fencing script (kills the old NameNode JVM by pid).
//
// Per scenario, the controllers take turns (ours, then Hadoop's, each for --runs runs): NameNode
// crash (kill -9), hang (SIGSTOP past the health RPC timeout), out of resources (the active's name
// directory tmpfs filled below dfs.namenode.resource.du.reserved, so the NameNode's own resource
// checker fails monitorHealth), host loss (controller and NameNode killed together), the active's
// controller paused alone past the session timeout, and a graceful `-failover` by Hadoop's
// DFSHAAdmin. Two times per run: the controllers' share, from the fault to the new NameNode's own
// log line "Starting services required for active state" (FSNamesystem#startActiveServices, the
// same marker for both), and end to end, from the fault to the new NameNode answering active over
// JMX (polled every 25 ms). A monitor polls both NameNodes' JMX state throughout and counts any
// sample with two actives. Then, per controller: idle RSS and CPU over --idle-seconds after
// --warmup-seconds, and start-up from spawn to the first health check done with ZooKeeper
// connected (ours: "zkfc ready"; Hadoop's: HealthMonitor "Entering state SERVICE_HEALTHY", logged
// after ZKFailoverController#initZK). Hadoop's ZKFC is measured as shipped and also with the
// harness's small-heap flags (96 MiB, serial GC, C1 only), its floor. Prints a markdown report
// with zkfc/Java ratios, checks the targets and writes bench/results-hadoop.md.

import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  statfsSync,
  writeFileSync,
} from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import {
  RealCluster,
  activeServicesTimes,
  type ControllerKind,
  type JvmSizing,
} from '../testing/hadoop/real-cluster.js';
import { SeededRandom } from '../testing/prng.js';
import { sleep } from '../testing/wait.js';
import { stats } from './stats.js';

export const HADOOP_SCENARIOS = ['crash', 'hang', 'resources', 'host-loss', 'controller-pause', 'graceful'] as const;
export type HadoopScenario = (typeof HADOOP_SCENARIOS)[number];

export interface HadoopBenchOptions {
  readonly runs: number;
  readonly scenarios: readonly HadoopScenario[];
  readonly idleSeconds: number;
  readonly warmupSeconds: number;
  readonly startupRuns: number;
  readonly out: string;
  readonly keep: boolean;
  readonly hadoopVersion?: string;
}

interface Run {
  readonly controller: ControllerKind;
  readonly scenario: HadoopScenario;
  readonly shareMs: number;
  readonly endToEndMs: number;
  /** Fault to the new active's controller winning the election, fencing, promotion (from its log or status). */
  readonly phases: { readonly electedMs?: number; readonly fencingMs?: number; readonly promotionMs?: number };
}

interface Usage {
  readonly variant: string;
  readonly rssMiB: number;
  readonly cpuPercent: number;
}

interface Startup {
  readonly variant: string;
  readonly ms: number;
}

const SESSION_TIMEOUT_MS = 5000;
const CHECK_INTERVAL_MS = 1000;
/** ipc.client.connect.retry.interval as Hadoop ships it. */
const HADOOP_CONNECT_RETRY_INTERVAL_MS = 1000;
const HEALTH_RPC_TIMEOUT_MS = 3000;
const TMPFS_MIB = 48;
const RESERVED_MIB = 8;
const SHIPPED: JvmSizing = 'shipped';
const SMALL: JvmSizing = { heap: '96m' };

/** The log line each controller writes once it runs as standby in the election (after a (re)join). */
const STANDBY_LINE = /should become standby/;
/** Hadoop's ZKFC lines, for where its time goes (ActiveStandbyElector, NodeFencer, ZKFailoverController). */
const JAVA_ELECTED = /Checking for any old active which needs to be fenced/;
const JAVA_FENCED = /Trying to make NameNode at .* active/;
const JAVA_PROMOTED = /Successfully transitioned NameNode at .* to active state/;

/** log4j ISO8601 in this machine's zone ("2026-12-03 09:45:55,473") or our pino ISO time. */
function lineTimeMs(line: string): number | undefined {
  const java = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}),(\d{3})/.exec(line);
  if (java !== null) {
    return new Date(+java[1]!, +java[2]! - 1, +java[3]!, +java[4]!, +java[5]!, +java[6]!, +java[7]!).getTime();
  }
  const ours = /"time":"([^"]+)"/.exec(line)?.[1];
  return ours === undefined ? undefined : Date.parse(ours);
}

function sizeOf(file: string): number {
  return existsSync(file) ? statSync(file).size : 0;
}

function textFrom(file: string, offset: number): string {
  return existsSync(file) ? readFileSync(file).subarray(offset).toString('utf8') : '';
}

function firstTime(text: string, pattern: RegExp): number | undefined {
  for (const line of text.split('\n')) if (pattern.test(line)) return lineTimeMs(line);
  return undefined;
}

function controllerLog(cluster: RealCluster, id: string): string {
  // Ours appends JSON lines, Hadoop's log4j text, to the same file per NameNode.
  return cluster.node(id).zkfcLog;
}

class OverlapMonitor {
  samples = 0;
  overlaps: string[] = [];
  private running = true;
  private readonly done: Promise<void>;

  constructor(private readonly cluster: RealCluster) {
    this.done = this.loop();
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const active = await this.cluster.activeNameNodes();
      this.samples++;
      if (active.length > 1) this.overlaps.push(`${new Date().toISOString()} ${active.join(' and ')} both active`);
      await sleep(100);
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
  }
}

class HadoopBench {
  private readonly rng = new SeededRandom(2026_12_03);
  readonly runs: Run[] = [];

  constructor(
    private readonly cluster: RealCluster,
    private readonly mounts: Readonly<Record<string, string>>,
    private readonly log: (line: string) => void,
  ) {}

  async useControllers(kind: ControllerKind, jvm: JvmSizing = SHIPPED): Promise<void> {
    const ids = [...this.cluster.nodes.keys()];
    await Promise.all(ids.map((id) => this.cluster.stopController(id)));
    for (const id of ids) if (!this.cluster.isNameNodeRunning(id)) await this.cluster.startNameNode(id);
    const [first, second] = ids as [string, string];
    const active = (await this.cluster.activeNameNodes())[0] ?? first;
    const standby = active === first ? second : first;
    const offset = sizeOf(controllerLog(this.cluster, standby));
    await this.cluster.startController(active, kind, jvm);
    await this.cluster.waitForActive(active, 90_000);
    await this.cluster.startController(standby, kind, jvm);
    await this.waitStandby(standby, offset);
  }

  /** Wait until `id`'s controller has (re)joined the election as standby since `offset` of its log. */
  private async waitStandby(id: string, offset: number): Promise<void> {
    try {
      await this.cluster.waitFor(
        async () => STANDBY_LINE.test(textFrom(controllerLog(this.cluster, id), offset)),
        120_000,
        `${id}'s controller back in the election as standby`,
      );
    } catch (error) {
      throw new Error(`${String(error)}\n${await this.controllerDiagnostics(id)}`, { cause: error });
    }
  }

  /** What a stuck controller is doing: process state, CPU over 2 s, whether it answers /status. */
  private async controllerDiagnostics(id: string): Promise<string> {
    const controller = this.cluster.node(id).controller;
    const pid = controller?.process.pid;
    if (pid === undefined) return `${id}: no controller process`;
    try {
      const stateOf = () => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[0] ?? '?';
      const before = procStat(pid).ticks;
      const stateBefore = stateOf();
      await sleep(2000);
      const cpu = ((procStat(pid).ticks - before) / CLOCK_TICKS / 2) * 100;
      let status = 'no answer';
      if (controller?.kind === 'ours') {
        status = await fetch(`http://127.0.0.1:${this.cluster.node(id).statusPort}/status`, {
          signal: AbortSignal.timeout(3000),
        }).then(
          (r) => r.text(),
          (e: unknown) => `no answer (${String(e)})`,
        );
      }
      const wchan = readFileSync(`/proc/${pid}/wchan`, 'utf8');
      const threads = readdirSync(`/proc/${pid}/task`)
        .map((tid) => {
          const read = (f: string) => {
            try {
              return readFileSync(`/proc/${pid}/task/${tid}/${f}`, 'utf8').trim();
            } catch {
              return '?';
            }
          };
          const syscall = read('syscall').split(' ').slice(0, 3).join(' ');
          return `  ${tid} ${read('comm')} wchan=${read('wchan')} syscall=${syscall}`;
        })
        .join('\n');
      const fds = readdirSync(`/proc/${pid}/fd`)
        .map((fd) => {
          try {
            return `${fd}->${readlinkSync(`/proc/${pid}/fd/${fd}`)}`;
          } catch {
            return fd;
          }
        })
        .join(' ');
      return (
        `${id}'s ${controller?.kind ?? '?'} controller pid ${pid}: state ${stateBefore}, wchan ${wchan}, ` +
        `CPU ${cpu.toFixed(0)} % over 2 s; threads:\n${threads}\nfds: ${fds}\n/status: ${status}`
      );
    } catch (error) {
      return `${id}'s controller pid ${pid}: ${String(error)}`;
    }
  }

  /** The active NameNode and the other; a JMX answer can be slow on a loaded machine, so ask for up to 30 s. */
  private async activeId(): Promise<[string, string]> {
    const [first, second] = [...this.cluster.nodes.keys()] as [string, string];
    let active: string[] = [];
    await this.cluster
      .waitFor(async () => (active = await this.cluster.activeNameNodes()).length === 1, 30_000, 'one active NameNode')
      .catch((error: unknown) => {
        throw new Error(`expected one active NameNode before a run, saw [${active.join(', ')}]`, { cause: error });
      });
    return active[0] === first ? [first, second] : [second, first];
  }

  async measure(kind: ControllerKind, scenario: HadoopScenario, runs: number): Promise<void> {
    const c = this.cluster;
    for (let run = 1; run <= runs; run++) {
      const [old, next] = await this.activeId();
      const activationsBefore = activeServicesTimes(c.node(next).log).length;
      const oldLogOffset = sizeOf(controllerLog(c, old));
      const nextLogOffset = sizeOf(controllerLog(c, next));
      // Decorrelate the fault from the health-check cycle and, where the session's expiry bounds
      // the failover, from the old controller's ZooKeeper ping cycle (a ping after timeout/3 of
      // silence): the session expires timeout after the last packet the server heard. A delay
      // uniform over one session timeout covers whole numbers of both cycles (5 checks, 3 pings).
      const sessionBound = scenario === 'host-loss' || scenario === 'controller-pause';
      await sleep(this.rng.int(0, sessionBound ? SESSION_TIMEOUT_MS : CHECK_INTERVAL_MS));
      let faultAt: number;
      let filler: string | undefined;
      let haadmin: Promise<unknown> | undefined;
      switch (scenario) {
        case 'crash':
          faultAt = Date.now();
          await c.killNameNode(old);
          break;
        case 'hang':
          faultAt = Date.now();
          if (!c.signalNameNode(old, 'SIGSTOP')) throw new Error(`${old} is not running`);
          break;
        case 'resources': {
          const mount = this.mounts[old]!;
          const fs = statfsSync(mount);
          const free = fs.bavail * fs.bsize;
          const size = free - (RESERVED_MIB / 2) * 1024 * 1024;
          filler = join(mount, 'filler');
          writeFileSync(filler, Buffer.alloc(Math.max(0, size)));
          faultAt = Date.now();
          break;
        }
        case 'host-loss':
          faultAt = Date.now();
          await Promise.all([c.stopController(old, 'SIGKILL'), c.killNameNode(old)]);
          break;
        case 'controller-pause': {
          const pid = c.node(old).controller?.process.pid;
          if (pid === undefined) throw new Error(`no controller for ${old}`);
          faultAt = Date.now();
          process.kill(pid, 'SIGSTOP');
          break;
        }
        case 'graceful':
          faultAt = Date.now();
          haadmin = c.hadoopHaAdmin(['-failover', old, next]);
          break;
      }
      let endToEndAt: number | undefined;
      const deadline = faultAt + 90_000;
      while (endToEndAt === undefined) {
        if (Date.now() > deadline) throw new Error(`${kind} ${scenario} run ${run}: ${next} not active in 90 s`);
        if ((await c.haState(next, 1000)) === 'active') endToEndAt = Date.now();
        else await sleep(25);
      }
      await c.waitFor(
        async () => activeServicesTimes(c.node(next).log).length > activationsBefore,
        30_000,
        `${next}'s active-services log line`,
      );
      const activatedAt = activeServicesTimes(c.node(next).log).at(-1)!;
      const phases = await this.phases(kind, next, nextLogOffset, faultAt);
      const result: Run = {
        controller: kind,
        scenario,
        shareMs: activatedAt - faultAt,
        endToEndMs: endToEndAt - faultAt,
        phases,
      };
      this.runs.push(result);
      this.log(
        `  ${kind} ${scenario} run ${run}: share ${result.shareMs} ms, end to end ${result.endToEndMs} ms` +
          ` (elected +${phases.electedMs ?? '?'} ms, fencing ${phases.fencingMs ?? '?'} ms,` +
          ` promotion ${phases.promotionMs ?? '?'} ms)`,
      );
      // Bring the old side back as standby for the next run.
      switch (scenario) {
        case 'crash':
        case 'hang':
          await c.killNameNode(old);
          await c.startNameNode(old);
          break;
        case 'resources':
          rmSync(filler!, { force: true });
          break;
        case 'host-loss':
          await c.startNameNode(old);
          await c.startController(old, kind, SHIPPED);
          break;
        case 'controller-pause':
          process.kill(c.node(old).controller!.process.pid!, 'SIGCONT');
          break;
        case 'graceful':
          await haadmin;
          break;
      }
      await this.waitStandby(old, oldLogOffset);
      if ((await c.activeNameNodes()).join() !== next)
        throw new Error(`after ${scenario} run ${run}: ${next} not active`);
    }
  }

  /** Where the new active's controller spent the time: from its status (ours) or its log (Hadoop's). */
  private async phases(kind: ControllerKind, id: string, logOffset: number, faultAt: number): Promise<Run['phases']> {
    if (kind === 'hadoop') {
      const text = textFrom(controllerLog(this.cluster, id), logOffset);
      const elected = firstTime(text, JAVA_ELECTED);
      const fenced = firstTime(text, JAVA_FENCED);
      const promoted = firstTime(text, JAVA_PROMOTED);
      return {
        ...(elected !== undefined ? { electedMs: elected - faultAt } : {}),
        ...(elected !== undefined && fenced !== undefined ? { fencingMs: fenced - elected } : {}),
        ...(fenced !== undefined && promoted !== undefined ? { promotionMs: promoted - fenced } : {}),
      };
    }
    try {
      const response = await fetch(`http://127.0.0.1:${this.cluster.node(id).statusPort}/status`, {
        signal: AbortSignal.timeout(2000),
      });
      const status = (await response.json()) as {
        lastFailover?: { at: string; phases: Record<string, number> } | null;
      };
      const last = status.lastFailover;
      if (last === null || last === undefined) return {};
      // `at` is when the local NameNode became active (FailoverRecord.atWallMs); the lock was held
      // and the breadcrumb read fencing + promotion before that.
      const { fencingMs = 0, promotionMs = 0 } = last.phases;
      return {
        electedMs: Math.round(Date.parse(last.at) - promotionMs - fencingMs - faultAt),
        fencingMs: Math.round(fencingMs),
        promotionMs: Math.round(promotionMs),
      };
    } catch {
      return {};
    }
  }

  /** Idle RSS and CPU of both controllers of one kind, after warm-up. */
  async idle(kind: ControllerKind, jvm: JvmSizing, warmupSeconds: number, seconds: number): Promise<Usage> {
    await this.useControllers(kind, jvm);
    await sleep(warmupSeconds * 1000);
    const pids = [...this.cluster.nodes.values()].map((n) => n.controller!.process.pid!);
    const before = pids.map(procStat);
    const rss: number[] = [];
    for (let s = 0; s < seconds; s++) {
      await sleep(1000);
      rss.push(...pids.map((p) => procStat(p).rssKiB / 1024));
    }
    const after = pids.map(procStat);
    const ticks = after.reduce((sum, a, i) => sum + a.ticks - before[i]!.ticks, 0) / pids.length;
    return {
      variant: variantName(kind, jvm),
      rssMiB: stats(rss).median,
      cpuPercent: (ticks / CLOCK_TICKS / seconds) * 100,
    };
  }

  /** Spawn to first health check with ZooKeeper connected, on the standby's side. */
  async startup(kind: ControllerKind, jvm: JvmSizing, runs: number): Promise<Startup[]> {
    await this.useControllers(kind, jvm);
    const results: Startup[] = [];
    for (let run = 0; run < runs; run++) {
      const [, standby] = await this.activeId();
      await this.cluster.stopController(standby);
      await sleep(500);
      const offset = sizeOf(controllerLog(this.cluster, standby));
      const spawnedAt = Date.now();
      await this.cluster.startController(standby, kind, jvm);
      const marker = kind === 'ours' ? /zkfc ready/ : /Entering state SERVICE_HEALTHY/;
      let readyAt: number | undefined;
      await this.cluster.waitFor(
        async () => (readyAt = firstTime(textFrom(controllerLog(this.cluster, standby), offset), marker)) !== undefined,
        60_000,
        `${kind} controller's first health check`,
      );
      await this.waitStandby(standby, offset);
      results.push({ variant: variantName(kind, jvm), ms: readyAt! - spawnedAt });
    }
    this.log(`  start-up ${variantName(kind, jvm)}: ${results.map((r) => r.ms).join(', ')} ms`);
    return results;
  }
}

function variantName(kind: ControllerKind, jvm: JvmSizing): string {
  if (kind === 'ours') return 'zkfc';
  return jvm === 'shipped'
    ? "Hadoop's ZKFC (as `hdfs zkfc` starts it)"
    : `Hadoop's ZKFC (-Xmx${jvm.heap}, serial GC, C1)`;
}

const CLOCK_TICKS = 100;

function procStat(pid: number): { ticks: number; rssKiB: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
  return { ticks, rssKiB };
}

const fmt = (n: number | undefined): string => (n === undefined || !Number.isFinite(n) ? '-' : String(Math.round(n)));
const ratio = (a: number, b: number): string => (b > 0 && Number.isFinite(a / b) ? (a / b).toFixed(2) : '-');

interface Verdict {
  readonly target: string;
  readonly met: boolean;
  readonly detail: string;
}

export function renderHadoopReport(input: {
  runs: readonly Run[];
  idle: readonly Usage[];
  startup: readonly Startup[];
  overlaps: readonly string[];
  overlapSamples: number;
  environment: string;
}): string {
  const lines: string[] = ["# zkfc beside Hadoop's ZKFC on real NameNodes", '', input.environment, ''];
  const verdicts: Verdict[] = [];
  lines.push(
    '## Failover (ms)',
    '',
    'Controllers\' share: fault to the new NameNode\'s "Starting services required for active state". ' +
      'End to end: fault to the new NameNode answering active over JMX. zkfc/Java is the ratio of medians.',
    '',
    '| scenario | time | zkfc median | p95 | max | Java median | p95 | max | zkfc/Java |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
  );
  const scenarios = HADOOP_SCENARIOS.filter((s) => input.runs.some((r) => r.scenario === s));
  for (const scenario of scenarios) {
    for (const [label, key] of [
      ['share', 'shareMs'],
      ['end to end', 'endToEndMs'],
    ] as const) {
      const of = (kind: ControllerKind) =>
        stats(input.runs.filter((r) => r.scenario === scenario && r.controller === kind).map((r) => r[key]));
      const ours = of('ours');
      const java = of('hadoop');
      lines.push(
        `| ${scenario} | ${label} | ${fmt(ours.median)} | ${fmt(ours.p95)} | ${fmt(ours.max)} | ` +
          `${fmt(java.median)} | ${fmt(java.p95)} | ${fmt(java.max)} | ${ratio(ours.median, java.median)} |`,
      );
      if (key === 'shareMs') {
        const limit = scenario === 'crash' ? 0.1 : 1;
        verdicts.push({
          target: `${scenario}, controllers' share: zkfc/Java ≤ ${limit}`,
          met: ours.median / java.median <= limit,
          detail: `${fmt(ours.median)} vs ${fmt(java.median)} ms (${ratio(ours.median, java.median)})`,
        });
      } else if (scenario !== 'crash') {
        verdicts.push({
          target: `${scenario}, end to end: zkfc/Java ≤ 1`,
          met: ours.median / java.median <= 1,
          detail: `${fmt(ours.median)} vs ${fmt(java.median)} ms (${ratio(ours.median, java.median)})`,
        });
      }
    }
  }
  lines.push(
    '',
    '## Where the time goes (medians, ms)',
    '',
    'Fault to the new active\'s controller holding the lock ("elected"), its fencing, its promotion ' +
      "(transitionToActive). Ours from its /status lastFailover; Hadoop's from its log lines " +
      '(ActiveStandbyElector "Checking for any old active", ZKFailoverController "Trying to make ... active", ' +
      '"Successfully transitioned ... to active state").',
    '',
    '| scenario | zkfc elected | fencing | promotion | Java elected | fencing | promotion |',
    '|---|---:|---:|---:|---:|---:|---:|',
  );
  for (const scenario of scenarios) {
    const med = (kind: ControllerKind, key: keyof Run['phases']) =>
      stats(
        input.runs
          .filter((r) => r.scenario === scenario && r.controller === kind)
          .map((r) => r.phases[key])
          .filter((v): v is number => v !== undefined),
      ).median;
    lines.push(
      `| ${scenario} | ${fmt(med('ours', 'electedMs'))} | ${fmt(med('ours', 'fencingMs'))} | ` +
        `${fmt(med('ours', 'promotionMs'))} | ${fmt(med('hadoop', 'electedMs'))} | ` +
        `${fmt(med('hadoop', 'fencingMs'))} | ${fmt(med('hadoop', 'promotionMs'))} |`,
    );
  }
  if (input.idle.length > 0 || input.startup.length > 0) {
    lines.push('', '## The controller itself', '');
    lines.push(
      '| controller | idle RSS (MiB) | idle CPU (%) | start-up median (ms) | p95 | max |',
      '|---|---:|---:|---:|---:|---:|',
    );
    const variants = [...new Set([...input.idle.map((u) => u.variant), ...input.startup.map((s) => s.variant)])];
    for (const variant of variants) {
      const idle = input.idle.find((u) => u.variant === variant);
      const start = stats(input.startup.filter((s) => s.variant === variant).map((s) => s.ms));
      lines.push(
        `| ${variant} | ${idle ? idle.rssMiB.toFixed(1) : '-'} | ${idle ? idle.cpuPercent.toFixed(2) : '-'} | ` +
          `${fmt(start.median)} | ${fmt(start.p95)} | ${fmt(start.max)} |`,
      );
    }
    const ours = input.idle.find((u) => u.variant === 'zkfc');
    const oursStart = stats(input.startup.filter((s) => s.variant === 'zkfc').map((s) => s.ms)).median;
    for (const variant of variants.filter((v) => v !== 'zkfc')) {
      const java = input.idle.find((u) => u.variant === variant);
      const javaStart = stats(input.startup.filter((s) => s.variant === variant).map((s) => s.ms)).median;
      lines.push(
        '',
        `zkfc / ${variant}: RSS ${ratio(ours?.rssMiB ?? NaN, java?.rssMiB ?? NaN)}, ` +
          `CPU ${ratio(ours?.cpuPercent ?? NaN, java?.cpuPercent ?? NaN)}, start-up ${ratio(oursStart, javaStart)}.`,
      );
      if (ours !== undefined && java !== undefined) {
        verdicts.push(
          {
            target: `idle RSS ≤ 1/3 of ${variant}`,
            met: ours.rssMiB <= java.rssMiB / 3,
            detail: `${ours.rssMiB.toFixed(1)} vs ${java.rssMiB.toFixed(1)} MiB`,
          },
          {
            target: `idle CPU ≤ ${variant}`,
            met: ours.cpuPercent <= java.cpuPercent,
            detail: `${ours.cpuPercent.toFixed(2)} vs ${java.cpuPercent.toFixed(2)} %`,
          },
        );
      }
      if (Number.isFinite(oursStart) && Number.isFinite(javaStart)) {
        verdicts.push({
          target: `start-up ≤ 1/5 of ${variant}`,
          met: oursStart <= javaStart / 5,
          detail: `${fmt(oursStart)} vs ${fmt(javaStart)} ms`,
        });
      }
    }
  }
  verdicts.push({
    target: 'never two NameNodes active',
    met: input.overlaps.length === 0,
    detail:
      `${input.overlaps.length} of ${input.overlapSamples} samples` +
      (input.overlaps.length > 0 ? `: ${input.overlaps.slice(0, 3).join('; ')}` : ''),
  });
  lines.push('', '## Targets', '');
  for (const v of verdicts) lines.push(`- ${v.met ? 'met' : '**missed**'}: ${v.target} (${v.detail})`);
  lines.push('');
  return lines.join('\n');
}

export async function runHadoopBench(
  options: HadoopBenchOptions,
  log: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
): Promise<string> {
  if (process.getuid?.() !== 0 && options.scenarios.includes('resources')) {
    throw new Error('the resources scenario mounts a tmpfs per NameNode: run as root, or leave it out of --scenarios');
  }
  const mounts: Record<string, string> = {};
  const mounted: string[] = [];
  const started = Date.now();
  let cluster: RealCluster | undefined;
  let monitor: OverlapMonitor | undefined;
  try {
    for (const id of ['nn1', 'nn2']) {
      const dir = join(tmpdir(), `zkfc-bench-${process.pid}-${id}`);
      mkdirSync(dir, { recursive: true });
      if (process.getuid?.() === 0) {
        execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${TMPFS_MIB}m`, 'tmpfs', dir]);
        mounted.push(dir);
      }
      mounts[id] = dir;
    }
    log(`starting a real cluster (Hadoop ${options.hadoopVersion ?? process.env['HADOOP_VERSION'] ?? '3.4.2'})`);
    cluster = await RealCluster.start({
      ...(options.hadoopVersion !== undefined ? { hadoopVersion: options.hadoopVersion } : {}),
      sessionTimeoutMs: SESSION_TIMEOUT_MS,
      checkIntervalMs: CHECK_INTERVAL_MS,
      healthRpcTimeoutMs: HEALTH_RPC_TIMEOUT_MS,
      nameDirs: { nn1: join(mounts['nn1']!, 'name'), nn2: join(mounts['nn2']!, 'name') },
      // Hadoop's default, not the test harness's 200 ms: Hadoop's ZKFC waits this long before its
      // second graceful-fence connect to a NameNode that refused the first (ours does not wait),
      // so the crash row compares the controllers as an operator runs them.
      coreSite: { 'ipc.client.connect.retry.interval': String(HADOOP_CONNECT_RETRY_INTERVAL_MS) },
      hdfsSite: {
        'dfs.namenode.resource.du.reserved': String(RESERVED_MIB * 1024 * 1024),
        'dfs.namenode.resource.check.interval': '1000',
      },
      keepLogs: options.keep,
    });
    log(`cluster up in ${Math.round((Date.now() - started) / 1000)} s (${cluster.baseDir})`);
    const bench = new HadoopBench(cluster, mounts, log);
    monitor = new OverlapMonitor(cluster);
    for (const scenario of options.scenarios) {
      for (const kind of ['ours', 'hadoop'] as const) {
        log(`scenario ${scenario}, ${kind === 'ours' ? 'zkfc' : "Hadoop's ZKFC"}: ${options.runs} runs`);
        await bench.useControllers(kind, SHIPPED);
        await bench.measure(kind, scenario, options.runs);
      }
    }
    const idle: Usage[] = [];
    const startup: Startup[] = [];
    for (const [kind, jvm] of [
      ['ours', SHIPPED],
      ['hadoop', SHIPPED],
      ['hadoop', SMALL],
    ] as const) {
      if (options.idleSeconds > 0) {
        log(`idle: ${variantName(kind, jvm)} (${options.warmupSeconds} s warm-up, ${options.idleSeconds} s measured)`);
        idle.push(await bench.idle(kind, jvm, options.warmupSeconds, options.idleSeconds));
      }
      if (options.startupRuns > 0) startup.push(...(await bench.startup(kind, jvm, options.startupRuns)));
    }
    await monitor.stop();
    const minutes = ((Date.now() - started) / 60_000).toFixed(1);
    const environment =
      `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${cpus().length} × ` +
      `${cpus()[0]?.model.trim() ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ` +
      `Hadoop ${cluster.hadoopVersion}, ${javaVersion()}; load average at the end ` +
      `${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}; ${minutes} min in all. One real cluster (ZooKeeper, 3 JournalNodes, 2 NameNodes, ` +
      `a DataNode, all on loopback), the controllers taking turns per scenario; ` +
      `ha.health-monitor.check-interval.ms=${CHECK_INTERVAL_MS}, ` +
      `ha.zookeeper.session-timeout.ms=${SESSION_TIMEOUT_MS}, ` +
      `ha.health-monitor.rpc-timeout.ms=${HEALTH_RPC_TIMEOUT_MS}, ` +
      `ipc.client.connect.retry.interval=${HADOOP_CONNECT_RETRY_INTERVAL_MS} (Hadoop's default), ` +
      `fencing shell(kill the old NameNode JVM by pid), ${options.runs} runs per scenario and controller, ` +
      'the fault at a random point of the health-check cycle (and of the ZooKeeper ping cycle for host ' +
      'loss and controller pause). ' +
      "Hadoop's ZKFC runs with the JVM's defaults, as `hdfs zkfc` starts it, in the failover runs; graceful " +
      "failovers are requested with Hadoop's DFSHAAdmin for both (its JVM start-up is part of both times).";
    const report = renderHadoopReport({
      runs: bench.runs,
      idle,
      startup,
      overlaps: monitor.overlaps,
      overlapSamples: monitor.samples,
      environment,
    });
    mkdirSync(dirname(options.out), { recursive: true });
    writeFileSync(options.out, report);
    return report;
  } catch (error) {
    if (cluster !== undefined) log(cluster.describe());
    throw error;
  } finally {
    await monitor?.stop();
    await cluster?.stop({ keepLogs: options.keep });
    for (const dir of mounted) {
      try {
        execFileSync('umount', ['-l', dir]);
      } catch {
        // already unmounted
      }
    }
  }
}

function javaVersion(): string {
  // `java -version` writes to stderr.
  const run = spawnSync('java', ['-version'], { encoding: 'utf8' });
  return (run.stderr ?? '').split('\n')[0]?.trim() || 'java (version unknown)';
}
