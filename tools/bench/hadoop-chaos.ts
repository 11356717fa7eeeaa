// The chaos run on a real HDFS HA cluster (`node build/tools/bench/hadoop-chaos.js --seed S --faults N`,
// part of `npm run test:hadoop:all`): real NameNodes on three JournalNodes and a DataNode
// (tools/testing/hadoop/real-cluster.ts), our zkfc on both NameNodes, Hadoop's own HDFS client
// (tools/hadoop Writer) writing numbered files through the nameservice the whole time. N faults
// from the catalogue below (the simulator run's names, tools/bench/chaos-plan.ts), in an order
// that is a pure function of the seed, each aimed at the current active:
//   nn-crash                   kill -9 of the active NameNode; restarted after the failover
//   nn-hang                    SIGSTOP of the active NameNode past ha.health-monitor.rpc-timeout.ms;
//                              the fencing method (kill by pid) kills it; restarted
//   zkfc-crash                 kill -9 of the active's controller; restarted after the failover
//   zkfc-pause                 SIGSTOP of the active's controller past the ZooKeeper session, then SIGCONT
//   host-loss                  the active NameNode and its controller killed together; both restarted
//   graceful-failover-hadoop   `hdfs haadmin -failover active other` (Hadoop's DFSHAAdmin)
//   graceful-failover-ours     our `haadmin -failover active other`
// Oracles: a monitor samples both NameNodes' own JMX state (NameNodeStatus.State) together every
// ~100 ms and counts every sample in which two report active (must be 0); at the end the writer
// stops and every acknowledged file is read back (Writer verify: must lose none). After each fault
// the cluster must be steady again (both NameNodes and controllers up, one active, one standby) and
// the writer must have acknowledged more files, within a bound. Each fault is bounded in time; a
// failure names the fault, the seed and the kept log directory. Exits 1 on any violation.
//
// Options: --seed S (default time-based, printed), --faults N (default 50), --plan-only,
// --keep (keep the cluster's directory on success too), --hadoop-version V (default
// $HADOOP_VERSION or 3.5.0), --fault-bound-ms (default 240000).

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ChildProcess } from 'node:child_process';
import { RealCluster, activeServicesTimes, type HaState } from '../testing/hadoop/real-cluster.js';
import { SeededRandom } from '../testing/prng.js';
import { sleep } from '../testing/wait.js';
import { isMain } from './is-main.js';
import { intOption } from './cli-options.js';

export const HADOOP_CHAOS_KINDS = [
  'nn-crash',
  'nn-hang',
  'zkfc-crash',
  'zkfc-pause',
  'host-loss',
  'graceful-failover-hadoop',
  'graceful-failover-ours',
] as const;

export type HadoopChaosKind = (typeof HADOOP_CHAOS_KINDS)[number];

export interface HadoopChaosStep {
  /** 1-based. */
  readonly index: number;
  readonly kind: HadoopChaosKind;
  /** Quiet time after the cluster is steady, before the fault. */
  readonly delayBeforeMs: number;
  /** zkfc-pause: how long past the session timeout the controller stays stopped. */
  readonly pastSessionMs: number;
}

/** The settings of the brief: 1 s health checks, 5 s ZooKeeper session, 3 s health RPC timeout. */
export const HADOOP_CHAOS_TIMINGS = { checkIntervalMs: 1000, sessionTimeoutMs: 5000, healthRpcTimeoutMs: 3000 };

/**
 * The schedule as a pure function of the seed: the faults come in shuffled rounds of the whole
 * catalogue, so every kind is injected (about N/7 times each) and their order is random.
 */
export function planHadoopChaos(seed: number, faults: number): HadoopChaosStep[] {
  const rng = new SeededRandom(seed);
  const steps: HadoopChaosStep[] = [];
  let round: HadoopChaosKind[] = [];
  for (let index = 1; index <= faults; index++) {
    if (round.length === 0) {
      round = [...HADOOP_CHAOS_KINDS];
      for (let i = round.length - 1; i > 0; i--) {
        const j = rng.int(0, i);
        [round[i], round[j]] = [round[j]!, round[i]!];
      }
    }
    const kind = round.shift()!;
    steps.push({ index, kind, delayBeforeMs: rng.int(0, 2000), pastSessionMs: rng.int(1000, 4000) });
  }
  return steps;
}

// ---------------------------------------------------------------------------------------------
// The overlap monitor

interface StateSample {
  readonly startedAtMs: number;
  readonly endedAtMs: number;
  readonly states: Readonly<Record<string, HaState | undefined>>;
}

/** Samples every NameNode's JMX state together every ~100 ms; counts samples with two actives. */
class StateMonitor {
  samples = 0;
  overlaps: StateSample[] = [];
  latest: StateSample | undefined;
  private running = true;
  private readonly loop: Promise<void>;

  constructor(
    private readonly cluster: RealCluster,
    private readonly onOverlap: (sample: StateSample) => void,
  ) {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    const ids = [...this.cluster.nodes.keys()];
    while (this.running) {
      const startedAtMs = Date.now();
      const got = await Promise.all(ids.map((id) => this.cluster.haState(id, 1000)));
      const sample: StateSample = {
        startedAtMs,
        endedAtMs: Date.now(),
        states: Object.fromEntries(ids.map((id, i) => [id, got[i]])),
      };
      this.samples++;
      this.latest = sample;
      if (got.filter((s) => s === 'active').length > 1) {
        this.overlaps.push(sample);
        this.onOverlap(sample);
      }
      await sleep(100);
    }
  }

  /** The first sample taken after `sinceMs` that satisfies `accept`, or undefined after `timeoutMs`. */
  async waitFor(
    sinceMs: number,
    accept: (sample: StateSample) => boolean,
    timeoutMs: number,
  ): Promise<StateSample | undefined> {
    const deadline = Date.now() + timeoutMs;
    let seen: StateSample | undefined;
    while (Date.now() < deadline) {
      const sample = this.latest;
      if (sample !== undefined && sample !== seen && sample.startedAtMs >= sinceMs) {
        seen = sample;
        if (accept(sample)) return sample;
      }
      await sleep(20);
    }
    return undefined;
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}

export function onlyActive(sample: StateSample): string | undefined {
  const actives = Object.entries(sample.states).filter(([, s]) => s === 'active');
  return actives.length === 1 ? actives[0]![0] : undefined;
}

function describeSample(sample: StateSample): string {
  const states = Object.entries(sample.states)
    .map(([id, s]) => `${id}=${s ?? 'no answer'}`)
    .join(' ');
  const tookMs = sample.endedAtMs - sample.startedAtMs;
  return `${states} (sampled ${new Date(sample.startedAtMs).toISOString()} + ${tookMs} ms)`;
}

// ---------------------------------------------------------------------------------------------
// The run

export interface HadoopChaosOptions {
  readonly seed: number;
  readonly faults: number;
  readonly keep: boolean;
  readonly hadoopVersion: string;
  readonly faultBoundMs: number;
  readonly print?: (line: string) => void;
}

export interface HadoopChaosResult {
  readonly step: HadoopChaosStep;
  readonly target: string;
  /** ms from the injection (or the haadmin command's start) to a sample with the other NameNode the only active. */
  readonly newActiveMs: number;
}

export interface HadoopChaosSummary {
  readonly seed: number;
  readonly hadoopVersion: string;
  readonly results: readonly HadoopChaosResult[];
  readonly failovers: number;
  readonly acked: number;
  readonly failedWrites: number;
  readonly verified: number | undefined;
  readonly lost: readonly string[];
  readonly samples: number;
  readonly overlaps: number;
  readonly wallMs: number;
  readonly baseDir: string;
  readonly failure: string | undefined;
}

class FaultError extends Error {}

function countLines(file: string, prefix: string): number {
  if (!existsSync(file)) return 0;
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith(prefix)).length;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Reject after `ms` with `what`; the timer does not keep the process alive. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new FaultError(`${what}: not done within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export async function runHadoopChaos(options: HadoopChaosOptions): Promise<HadoopChaosSummary> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const startedMs = Date.now();
  const plan = planHadoopChaos(options.seed, options.faults);
  print(
    `hadoop-chaos: seed ${options.seed}, ${options.faults} faults, Hadoop ${options.hadoopVersion}, QJM, ` +
      `our zkfc on nn1 and nn2; health checks ${HADOOP_CHAOS_TIMINGS.checkIntervalMs} ms, session ` +
      `${HADOOP_CHAOS_TIMINGS.sessionTimeoutMs} ms, health RPC timeout ${HADOOP_CHAOS_TIMINGS.healthRpcTimeoutMs} ms`,
  );
  const cluster = await RealCluster.start({ ...HADOOP_CHAOS_TIMINGS, hadoopVersion: options.hadoopVersion });
  print(`hadoop-chaos: cluster up in ${((Date.now() - startedMs) / 1000).toFixed(0)} s; logs in ${cluster.baseDir}`);
  const onSignal = (signal: NodeJS.Signals): void => {
    print(`hadoop-chaos: ${signal}: stopping the cluster (logs kept in ${cluster.baseDir})`);
    void cluster.stop({ keepLogs: true }).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const ids = [...cluster.nodes.keys()];
  const ackFile = join(cluster.baseDir, 'acks.txt');
  const acked = (): number => countLines(ackFile, 'ACK ');
  const results: HadoopChaosResult[] = [];
  let failure: string | undefined;
  let monitor: StateMonitor | undefined;
  let writer: ChildProcess | undefined;
  let writerExited: Promise<void> | undefined;
  let verified: number | undefined;
  const lost: string[] = [];

  const other = (id: string): string => ids.find((x) => x !== id)!;
  const controllerPid = (id: string): number => {
    const pid = cluster.node(id).controller?.process.pid;
    if (pid === undefined) throw new FaultError(`no controller process for ${id}`);
    return pid;
  };
  const controllerRunning = (id: string): boolean => {
    const c = cluster.node(id).controller?.process;
    return c !== undefined && c.exitCode === null && c.signalCode === null;
  };
  /** Wait for a sample, taken after `sinceMs`, with `from`'s peer the only active; ms since `sinceMs`. */
  const newActive = async (from: string, sinceMs: number, what: string): Promise<number> => {
    const to = other(from);
    const sample = await monitor!.waitFor(sinceMs, (s) => onlyActive(s) === to, 90_000);
    if (sample === undefined)
      throw new FaultError(
        `${what}: ${to} not the only active within 90000 ms; last ${describeSample(monitor!.latest!)}`,
      );
    return sample.endedAtMs - sinceMs;
  };
  /** Both NameNodes and controllers up (restarting what is down), one active, one standby, new acks. */
  const steady = async (acksBefore: number, what: string): Promise<void> => {
    for (const id of ids) {
      if (!cluster.isNameNodeRunning(id)) await cluster.startNameNode(id);
    }
    for (const id of ids) {
      if (!controllerRunning(id)) await cluster.startController(id, 'ours');
    }
    const since = Date.now();
    const sample = await monitor!.waitFor(
      since,
      (s) => onlyActive(s) !== undefined && Object.values(s.states).filter((x) => x === 'standby').length === 1,
      120_000,
    );
    if (sample === undefined)
      throw new FaultError(`${what}: no active + standby within 120000 ms; last ${describeSample(monitor!.latest!)}`);
    const deadline = Date.now() + 120_000;
    while (acked() < acksBefore + 3) {
      if (writer === undefined || writer.exitCode !== null || writer.signalCode !== null)
        throw new FaultError(`${what}: the writer exited (${writer?.exitCode ?? writer?.signalCode})`);
      if (Date.now() > deadline)
        throw new FaultError(`${what}: the writer acknowledged ${acked() - acksBefore} file(s) in 120000 ms, want 3`);
      await sleep(200);
    }
  };
  const gracefulFailover = async (
    via: 'hadoop' | 'ours',
    from: string,
    what: string,
  ): Promise<{ startedMs: number }> => {
    const args = ['-failover', from, other(from)];
    const run = (): ReturnType<RealCluster['ourHaAdmin']> =>
      via === 'ours' ? cluster.ourHaAdmin(args) : cluster.hadoopHaAdmin(args);
    // Right after a restart the target's controller may not have seen its NameNode healthy yet and
    // refuses ("not currently healthy"), as Hadoop's does: retry as an operator would.
    for (let attempt = 1; ; attempt++) {
      const startedMs = Date.now();
      const r = await run();
      if (r.code === 0) return { startedMs };
      if (attempt >= 30 || !/not currently healthy|not ready|is not healthy/i.test(r.stderr + r.stdout))
        throw new FaultError(`${what}: haadmin ${args.join(' ')} exited ${r.code}: ${(r.stderr + r.stdout).trim()}`);
      await sleep(1000);
    }
  };

  const inject = async (step: HadoopChaosStep, what: string): Promise<HadoopChaosResult> => {
    const active = onlyActive(monitor!.latest!);
    if (active === undefined) throw new FaultError(`${what}: no single active before the fault`);
    const to = other(active);
    let startedMs = Date.now();
    let resumed: Promise<void> | undefined;
    switch (step.kind) {
      case 'nn-crash': {
        await cluster.killNameNode(active);
        break;
      }
      case 'nn-hang': {
        if (!cluster.signalNameNode(active, 'SIGSTOP')) throw new FaultError(`${what}: ${active} not running`);
        break;
      }
      case 'zkfc-crash': {
        await cluster.stopController(active, 'SIGKILL');
        break;
      }
      case 'zkfc-pause': {
        // Resumed in the background: the new active is looked for while the controller is stopped,
        // so the time measured is the failover's, not the length of the pause.
        const pid = controllerPid(active);
        process.kill(-pid, 'SIGSTOP');
        resumed = sleep(HADOOP_CHAOS_TIMINGS.sessionTimeoutMs + step.pastSessionMs).then(() => {
          process.kill(-pid, 'SIGCONT');
        });
        // A failed SIGCONT surfaces where `resumed` is awaited, not as an unhandled rejection
        // while the new active is still being looked for.
        resumed.catch(() => undefined);
        break;
      }
      case 'host-loss': {
        await Promise.all([cluster.killNameNode(active), cluster.stopController(active, 'SIGKILL')]);
        break;
      }
      case 'graceful-failover-hadoop':
      case 'graceful-failover-ours': {
        ({ startedMs } = await gracefulFailover(
          step.kind === 'graceful-failover-ours' ? 'ours' : 'hadoop',
          active,
          what,
        ));
        break;
      }
    }
    let newActiveMs: number;
    try {
      newActiveMs = await newActive(active, startedMs, what);
    } finally {
      await resumed;
      if (step.kind === 'nn-hang' && cluster.isNameNodeRunning(active)) {
        // Not fenced (no failover, or the fencer left it): resume it so that nothing stays stopped.
        cluster.signalNameNode(active, 'SIGCONT');
      }
    }
    // The fencer waits until the JVM is gone before it returns; give this process's exit event a moment.
    for (let i = 0; i < 40 && step.kind === 'nn-hang' && cluster.isNameNodeRunning(active); i++) await sleep(50);
    if (step.kind === 'nn-hang' && cluster.isNameNodeRunning(active))
      throw new FaultError(`${what}: ${to} became active while the hung ${active} was not fenced (still running)`);
    // Graceful failovers leave everything running; the other faults are healed by steady().
    return { step, target: active, newActiveMs };
  };

  try {
    await cluster.startController('nn1', 'ours');
    await cluster.waitForActive('nn1', 60_000);
    await cluster.startController('nn2', 'ours');
    monitor = new StateMonitor(cluster, (sample) => {
      const line = `hadoop-chaos: OVERLAP: two NameNodes report active: ${describeSample(sample)}`;
      print(line);
      failure ??= line;
    });
    writer = cluster.startWriter('/chaos', ackFile, 4 * 3600);
    const w = writer;
    writerExited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
    await steady(7, 'start-up');
    for (const step of plan) {
      if (failure !== undefined) break;
      const what = `fault #${step.index} ${step.kind} (seed ${options.seed}, logs kept in ${cluster.baseDir})`;
      await sleep(step.delayBeforeMs);
      const acksBefore = acked();
      try {
        const result = await within(
          (async () => {
            const r = await inject(step, what);
            await steady(acksBefore, what);
            return r;
          })(),
          options.faultBoundMs,
          what,
        );
        results.push(result);
        print(
          `#${String(step.index).padStart(3)} ${step.kind.padEnd(24)} ${result.target} -> ${other(result.target)}: ` +
            `new active after ${result.newActiveMs} ms; acked ${acked()}`,
        );
      } catch (error) {
        failure ??= `${what}: ${errorText(error)}`;
        break;
      }
    }
  } catch (error) {
    failure ??= `harness error (seed ${options.seed}, logs kept in ${cluster.baseDir}): ${
      error instanceof Error ? (error.stack ?? error.message) : String(error)
    }\n${cluster.describe()}`;
  }
  await monitor?.stop();
  if (writer !== undefined && writer.exitCode === null && writer.signalCode === null) {
    writer.kill('SIGTERM');
    const w = writer;
    await within(writerExited!, 60_000, 'the writer stopping').catch(() => w.kill('SIGKILL'));
  }
  await writerExited;
  try {
    // Leave nothing stopped, so that the reads are served.
    for (const id of ids) cluster.signalNameNode(id, 'SIGCONT');
    const verify = await cluster.verifyWrites('/chaos', ackFile);
    const m = /VERIFIED (\d+)/.exec(verify.stdout);
    verified = m === null ? undefined : Number(m[1]);
    lost.push(...verify.stdout.split('\n').filter((l) => l.startsWith('LOST ')));
    if (verify.code !== 0 || verified === undefined) {
      failure ??=
        `verify exited ${verify.code}: ${lost.length} lost acknowledged write(s) (seed ${options.seed}, ` +
        `logs kept in ${cluster.baseDir})\n${lost.slice(0, 20).join('\n')}\n` +
        verify.stderr.split('\n').slice(-10).join('\n');
    }
  } catch (error) {
    failure ??= `verify failed (logs kept in ${cluster.baseDir}): ${errorText(error)}`;
  }
  const activations = ids.reduce((n, id) => n + activeServicesTimes(cluster.node(id).log).length, 0);
  const summary: HadoopChaosSummary = {
    seed: options.seed,
    hadoopVersion: options.hadoopVersion,
    results,
    failovers: Math.max(0, activations - 1),
    acked: acked(),
    failedWrites: countLines(ackFile, 'FAIL '),
    verified,
    lost,
    samples: monitor?.samples ?? 0,
    overlaps: monitor?.overlaps.length ?? 0,
    wallMs: Date.now() - startedMs,
    baseDir: cluster.baseDir,
    failure,
  };
  const failed = failure !== undefined || results.length < options.faults;
  await cluster.stop({ keepLogs: failed || options.keep });
  process.removeListener('SIGINT', onSignal);
  process.removeListener('SIGTERM', onSignal);
  print(formatHadoopChaosSummary(summary, options.faults));
  return summary;
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : Math.round((s[mid - 1]! + s[mid]!) / 2);
}

export function hadoopChaosPassed(summary: HadoopChaosSummary, faults: number): boolean {
  return (
    summary.failure === undefined &&
    summary.overlaps === 0 &&
    summary.lost.length === 0 &&
    summary.verified !== undefined &&
    summary.results.length === faults
  );
}

export function formatHadoopChaosSummary(summary: HadoopChaosSummary, faults: number): string {
  const lines = [
    '',
    `hadoop-chaos summary (seed ${summary.seed}, Hadoop ${summary.hadoopVersion})`,
    `  faults injected:   ${summary.results.length} of ${faults}`,
    '  time to a new active (ms, from the injection; graceful: from the haadmin command):',
    `    ${'kind'.padEnd(26)} ${'faults'.padStart(6)} ${'median'.padStart(7)} ${'max'.padStart(7)}`,
  ];
  for (const kind of HADOOP_CHAOS_KINDS) {
    const times = summary.results.filter((r) => r.step.kind === kind).map((r) => r.newActiveMs);
    lines.push(
      `    ${kind.padEnd(26)} ${String(times.length).padStart(6)} ` +
        `${(times.length > 0 ? String(median(times)) : '-').padStart(7)} ` +
        `${(times.length > 0 ? String(Math.max(...times)) : '-').padStart(7)}`,
    );
  }
  lines.push(
    `  failovers:         ${summary.failovers} (activations in the NameNodes' logs after the first)`,
    `  acked writes:      ${summary.acked} (failed, not acknowledged: ${summary.failedWrites})`,
    `  verified:          ${summary.verified ?? 'not verified'}`,
    `  lost:              ${summary.lost.length}`,
    `  overlaps:          ${summary.overlaps} (of ${summary.samples} samples of both NameNodes' JMX state)`,
    `  wall time:         ${(summary.wallMs / 1000).toFixed(0)} s`,
    `  result:            ${hadoopChaosPassed(summary, faults) ? 'PASS' : 'FAIL'}`,
  );
  if (summary.failure !== undefined) lines.push('', `first failure: ${summary.failure}`);
  return lines.join('\n');
}

export async function hadoopChaosMain(argv: readonly string[]): Promise<number> {
  let options: HadoopChaosOptions;
  let planOnly: boolean;
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        seed: { type: 'string' },
        faults: { type: 'string' },
        'plan-only': { type: 'boolean', default: false },
        keep: { type: 'boolean', default: false },
        'hadoop-version': { type: 'string' },
        'fault-bound-ms': { type: 'string' },
      },
      strict: true,
    });
    planOnly = values['plan-only'];
    options = {
      seed: intOption('seed', values.seed, Date.now() % 1_000_000, 0, 2 ** 31 - 1),
      faults: intOption('faults', values.faults, 50, 1, 10_000),
      keep: values.keep,
      hadoopVersion: values['hadoop-version'] ?? process.env['HADOOP_VERSION'] ?? '3.5.0',
      faultBoundMs: intOption('fault-bound-ms', values['fault-bound-ms'], 240_000, 10_000, 3_600_000),
    };
  } catch (error) {
    process.stderr.write(`hadoop-chaos: ${errorText(error)}\n`);
    return 2;
  }
  if (planOnly) {
    for (const step of planHadoopChaos(options.seed, options.faults))
      process.stdout.write(`#${step.index} +${step.delayBeforeMs} ms ${step.kind}\n`);
    return 0;
  }
  const summary = await runHadoopChaos(options);
  return hadoopChaosPassed(summary, options.faults) ? 0 : 1;
}

if (isMain(import.meta.url)) {
  hadoopChaosMain(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(
        `hadoop-chaos: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(1);
    },
  );
}
