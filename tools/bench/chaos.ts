// The chaos runner: `npm run chaos -- --seed N --faults K` starts a FaultCluster (3-member
// ZooKeeper ensemble, simulated NameNodes and zkfc daemons as real processes, shell + sshfence
// fencing against a local sshd), puts a light health-probe load on the NameNodes, and injects K
// faults drawn from the fault catalogue with random targets and timings (src/bench/chaos-plan.ts,
// reproducible by seed). The split-brain oracle runs continuously (every 250 ms over the
// transition logs and kill records); after each fault is healed the cluster must be steady again
// (one active, lock and breadcrumb naming it, one controller believing it is active, everyone
// connected and healthy) within the stated bound, unless the plan lets the next fault overlap.
// Prints a summary (faults injected per kind, failovers, longest time without an active NameNode,
// longest time to steady, violations) and exits 1 on any violation, keeping the cluster's
// directory for the post-mortem; 0 otherwise.
//
// Options: --seed N (default: time-based, printed), --faults K (default 20), --namenodes 2|3
// (default 3), --steady-bound-ms (default 20000), --plan-only (print the plan and exit),
// --java-peer (the last NameNode's controller is the Java-compatible peer), --keep (keep the
// directory on success too), --log-level LEVEL (daemons; default info), --quiet.

import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { FaultCluster, type FaultClusterOptions } from '../testing/fault-cluster.js';
import { activityStats, describeViolations, monoNowNs, msBetween, splitBrainOf } from '../testing/oracle.js';
import { PartitionUnavailableError } from '../testing/partition.js';
import { HealthProbeLoad } from '../testing/probe-load.js';
import { RpcZkfcClientFactory } from '../../src/hadoop/zkfc-client.js';
import {
  CHAOS_FAULT_KINDS,
  describeFault,
  planChaos,
  type ChaosFault,
  type ChaosFaultKind,
  type ChaosStep,
  type ChaosTarget,
  type ChaosTimings,
} from './chaos-plan.js';
import { sleep } from '../testing/wait.js';
import { isMain } from './is-main.js';
import { intOption } from './cli-options.js';

export interface ChaosOptions {
  readonly seed: number;
  readonly faults: number;
  readonly namenodes: number;
  readonly steadyBoundMs: number;
  readonly javaPeer: boolean;
  readonly keep: boolean;
  readonly logLevel: string;
  readonly quiet: boolean;
  /** Where progress lines go (stdout by default). */
  readonly print?: (line: string) => void;
}

export interface ChaosStepResult {
  readonly step: ChaosStep;
  /** The NameNode the target resolved to (undefined for cluster-wide faults). */
  readonly targetId: string | undefined;
  readonly injectedAtNs: bigint;
  /** ms from the end of the fault (heal) until the cluster was steady; undefined when not awaited. */
  readonly steadyAfterMs: number | undefined;
  readonly activations: number;
  readonly note: string;
}

export interface ChaosSummary {
  readonly seed: number;
  readonly faultsInjected: number;
  readonly byKind: Readonly<Record<string, number>>;
  readonly failovers: number;
  readonly maxNoActiveMs: number;
  /** The step during which the longest stretch without an active NameNode began. */
  readonly maxNoActiveStep: number | undefined;
  readonly maxSteadyAfterMs: number;
  readonly splitBrainViolations: number;
  readonly livenessViolations: number;
  readonly durationMs: number;
  readonly disabledKinds: readonly string[];
  readonly baseDir: string;
  readonly failure: string | undefined;
}

const CLUSTER: FaultClusterOptions = {
  sessionTimeoutMs: 3000,
  checkIntervalMs: 500,
  healthRpcTimeoutMs: 2000,
  gracefulFenceTimeoutMs: 1000,
  shellFenceTimeoutMs: 2000,
};

class ChaosAbort extends Error {}

export async function runChaos(options: ChaosOptions): Promise<ChaosSummary> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const started = Date.now();
  const ids = Array.from({ length: options.namenodes }, (_, i) => `nn${i + 1}`);
  const javaPeers = options.javaPeer ? [ids[ids.length - 1]!] : [];
  let disabledKinds: string[] = [];
  if (options.javaPeer) disabledKinds.push('graceful-failover (the Java-compatible peer does not serve ZKFCProtocol)');

  let cluster: FaultCluster;
  try {
    cluster = await FaultCluster.start({
      ...CLUSTER,
      namenodeIds: ids,
      partitionable: true,
      javaPeers,
      logLevel: options.logLevel,
    });
  } catch (error) {
    if (!(error instanceof PartitionUnavailableError)) throw error;
    print(`chaos: partition faults disabled: ${error.message}`);
    disabledKinds.push(`zk-partition (${error.message})`);
    cluster = await FaultCluster.start({ ...CLUSTER, namenodeIds: ids, javaPeers, logLevel: options.logLevel });
  }
  const removeSignalHandlers = cluster.stopOnSignals();
  const kinds = CHAOS_FAULT_KINDS.filter((k) => !disabledKinds.some((d) => d.startsWith(`${k} `)));
  disabledKinds = [...disabledKinds];
  const timings: ChaosTimings = {
    sessionTimeoutMs: cluster.sessionTimeoutMs,
    checkIntervalMs: cluster.checkIntervalMs,
    healthRpcTimeoutMs: cluster.healthRpcTimeoutMs,
  };
  const plan = planChaos(options.seed, options.faults, timings, kinds);
  print(
    `chaos: seed ${options.seed}, ${options.faults} faults, ${ids.length} ` +
      `NameNodes${javaPeers.length > 0 ? ` (${javaPeers.join(', ')} under the Java-compatible peer)` : ''}, ` +
      `ZooKeeper ensemble of ${cluster.mini.zk.members.length}, session ${cluster.sessionTimeoutMs} ms, health ` +
      `checks ${cluster.checkIntervalMs} ms, steady bound ${options.steadyBoundMs} ms; dir ${cluster.baseDir}`,
  );

  const results: ChaosStepResult[] = [];
  let splitBrain = 0;
  let liveness = 0;
  let failure: string | undefined;
  let monitor: NodeJS.Timeout | undefined;
  let load: HealthProbeLoad | undefined;
  let windowStartNs = monoNowNs();
  const zkfcClients = new RpcZkfcClientFactory({ effectiveUser: userInfo().username });

  const checkSafety = (): void => {
    const violations = splitBrainOf(cluster.oracleInput());
    if (violations.length > splitBrain) {
      splitBrain = violations.length;
      failure ??= `split brain:\n${describeViolations(violations)}\n${cluster.timeline()}`;
    }
  };
  const assertNoFailure = (): void => {
    if (failure !== undefined) throw new ChaosAbort(failure);
  };

  try {
    await cluster.startAll();
    await cluster.awaitSteady(options.steadyBoundMs, { context: 'initial start' });
    windowStartNs = monoNowNs();
    load = new HealthProbeLoad(
      ids.map((id) => ({ host: '127.0.0.1', port: cluster.mini.node(id).rpcPort })),
      { concurrency: 2, effectiveUser: userInfo().username },
    );
    monitor = setInterval(checkSafety, 250);

    for (const step of plan) {
      assertNoFailure();
      await sleep(step.delayBeforeMs);
      const before = cluster.mini.transitionEntries().filter((e) => e.to === 'active').length;
      const injectedAtNs = cluster.note(`chaos #${step.index}: ${describeFault(step.fault)}`);
      const { targetId, note } = await inject(cluster, step.fault, zkfcClients);
      await cluster.healAll();
      cluster.note(`chaos #${step.index}: healed`);
      checkSafety();
      assertNoFailure();
      let steadyAfterMs: number | undefined;
      if (step.awaitSteady) {
        try {
          steadyAfterMs = (
            await cluster.awaitSteady(options.steadyBoundMs, {
              context: `after chaos #${step.index} ${describeFault(step.fault)}`,
              restartDead: true,
            })
          ).elapsedMs;
        } catch (error) {
          liveness++;
          failure ??= error instanceof Error ? error.message : String(error);
          throw new ChaosAbort(failure);
        }
      }
      const activations = cluster.mini.transitionEntries().filter((e) => e.to === 'active').length - before;
      results.push({ step, targetId, injectedAtNs, steadyAfterMs, activations, note });
      if (!options.quiet) {
        print(
          `#${String(step.index).padStart(3)} ` +
            `${describeFault(step.fault)}${targetId !== undefined ? ` [${targetId}]` : ''}: ` +
            `${activations} activation(s)${note ? `, ${note}` : ''}, ` +
            `${steadyAfterMs !== undefined ? `steady after ${steadyAfterMs} ms` : 'next fault overlaps'}`,
        );
      }
    }
    // The end: everything healed, one last steady state and safety check.
    await cluster.healAll();
    try {
      await cluster.awaitSteady(options.steadyBoundMs, { context: 'end of the chaos run', restartDead: true });
    } catch (error) {
      liveness++;
      failure ??= error instanceof Error ? error.message : String(error);
    }
    checkSafety();
  } catch (error) {
    if (!(error instanceof ChaosAbort)) {
      failure ??=
        `harness error: ` +
        `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n` +
        `${cluster.timeline()}\n${cluster.logTails()}`;
    }
  } finally {
    if (monitor !== undefined) clearInterval(monitor);
    await load?.stop();
  }
  checkSafety();

  const endNs = monoNowNs();
  const stats = activityStats(cluster.oracleInput(), windowStartNs, endNs);
  const maxNoActiveStep =
    stats.maxGapStartNs === undefined
      ? undefined
      : [...results].reverse().find((r) => r.injectedAtNs <= stats.maxGapStartNs!)?.step.index;
  const byKind: Record<string, number> = {};
  for (const r of results) byKind[r.step.fault.kind] = (byKind[r.step.fault.kind] ?? 0) + 1;
  const summary: ChaosSummary = {
    seed: options.seed,
    faultsInjected: results.length,
    byKind,
    failovers: stats.failovers,
    maxNoActiveMs: Number(stats.maxGapNs) / 1e6,
    maxNoActiveStep,
    maxSteadyAfterMs: Math.max(0, ...results.map((r) => r.steadyAfterMs ?? 0)),
    splitBrainViolations: splitBrain,
    livenessViolations: liveness,
    durationMs: Date.now() - started,
    disabledKinds,
    baseDir: cluster.baseDir,
    failure,
  };
  await cluster.stop();
  removeSignalHandlers();
  const failed = summary.splitBrainViolations > 0 || summary.livenessViolations > 0 || failure !== undefined;
  if (!failed && !options.keep) cluster.cleanUp();
  print(formatSummary(summary));
  if (failure !== undefined) print(`\nfirst failure:\n${failure}\n(cluster directory kept: ${cluster.baseDir})`);
  return summary;
}

async function inject(
  cluster: FaultCluster,
  fault: ChaosFault,
  zkfcClients: RpcZkfcClientFactory,
): Promise<{ targetId: string | undefined; note: string }> {
  const s = cluster.sessionTimeoutMs;
  const failoverBoundMs =
    cluster.healthRpcTimeoutMs + cluster.checkIntervalMs + cluster.gracefulFenceTimeoutMs + 2000 + 8000;
  switch (fault.kind) {
    case 'nn-crash': {
      const id = await resolve(cluster, fault.target);
      await cluster.killNamenode(id);
      await sleep(fault.healAfterMs);
      return { targetId: id, note: '' };
    }
    case 'nn-unhealthy': {
      const id = await resolve(cluster, fault.target);
      await cluster.namenodeFault(id, 'unhealthy').catch(() => undefined);
      await sleep(fault.durationMs);
      return { targetId: id, note: '' };
    }
    case 'nn-hang': {
      const id = await resolve(cluster, fault.target);
      cluster.signalNamenode(id, 'SIGSTOP');
      await sleep(fault.durationMs);
      cluster.signalNamenode(id, 'SIGCONT');
      return { targetId: id, note: '' };
    }
    case 'zkfc-crash': {
      const id = await resolve(cluster, fault.target);
      await cluster.killController(id);
      await sleep(fault.healAfterMs);
      return { targetId: id, note: '' };
    }
    case 'zkfc-pause': {
      const id = await resolve(cluster, fault.target);
      cluster.signalController(id, 'SIGSTOP');
      await sleep(fault.durationMs);
      cluster.signalController(id, 'SIGCONT');
      return { targetId: id, note: '' };
    }
    case 'host-loss': {
      const id = await resolve(cluster, fault.target);
      await Promise.all([cluster.killController(id), cluster.killNamenode(id)]);
      await sleep(fault.healAfterMs);
      return { targetId: id, note: '' };
    }
    case 'zk-leader-kill': {
      const leader = await cluster.mini.zk.leader(20_000);
      await cluster.killZkMember(leader);
      await sleep(fault.healAfterMs);
      return { targetId: undefined, note: `member ${leader}` };
    }
    case 'zk-quorum-loss': {
      const leader = await cluster.mini.zk.leader(20_000);
      const follower = cluster.mini.zk.members.map((m) => m.id).find((m) => m !== leader)!;
      await Promise.all([cluster.killZkMember(leader), cluster.killZkMember(follower)]);
      await sleep(fault.durationMs);
      return { targetId: undefined, note: `members ${leader} and ${follower}` };
    }
    case 'zk-partition': {
      const id = await resolve(cluster, fault.target);
      await cluster.partition(id);
      await sleep(fault.durationMs);
      await cluster.healPartition(id);
      return { targetId: id, note: '' };
    }
    case 'fencer-hang': {
      const id = await resolve(cluster, fault.target);
      const at = monoNowNs();
      cluster.setFenceMode({ kind: 'hang' });
      cluster.signalNamenode(id, 'SIGSTOP');
      const took = await failoverWithin(
        cluster,
        at,
        id,
        failoverBoundMs + (cluster.options.shellFenceTimeoutMs ?? 5000),
      );
      cluster.signalNamenode(id, 'SIGCONT');
      return { targetId: id, note: took };
    }
    case 'fencer-fail': {
      const id = await resolve(cluster, fault.target);
      const at = monoNowNs();
      cluster.setFenceMode({ kind: 'fail', rounds: fault.rounds });
      await cluster.namenodeFault(id, 'refuse-transitions').catch(() => undefined);
      await cluster.namenodeFault(id, 'unhealthy').catch(() => undefined);
      const took = await failoverWithin(cluster, at, id, failoverBoundMs + fault.rounds * 6000);
      return { targetId: id, note: took };
    }
    case 'graceful-failover': {
      const id = await resolve(cluster, fault.target);
      if (cluster.isJavaPeer(id))
        return { targetId: id, note: 'skipped: the Java-compatible peer does not serve ZKFCProtocol' };
      const client = zkfcClients.create({ host: '127.0.0.1', port: cluster.mini.node(id).zkfcPort });
      const at = monoNowNs();
      try {
        await client.gracefulFailover(30_000);
        return { targetId: id, note: `gracefulFailover ok in ${msBetween(at, monoNowNs()).toFixed(0)} ms` };
      } catch (error) {
        // Refusals are legitimate while the cluster is not steady (overlapping faults, unhealthy target).
        return {
          targetId: id,
          note: `gracefulFailover refused: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}`,
        };
      } finally {
        client.close();
      }
    }
    case 'rolling-restart': {
      for (const id of cluster.ids) {
        await cluster.stopController(id, 'SIGTERM');
        await cluster.startController(id);
        await sleep(Math.min(s, 1000));
      }
      return { targetId: undefined, note: '' };
    }
  }
}

/** Wait for a NameNode other than `old` to become active after `sinceNs`; describe the outcome. */
async function failoverWithin(cluster: FaultCluster, sinceNs: bigint, old: string, timeoutMs: number): Promise<string> {
  try {
    const next = await cluster.waitForActivation(sinceNs, { not: old, timeoutMs, pollMs: 20 });
    return `failover to ${next.namenodeId} after ${msBetween(sinceNs, BigInt(next.monoNs)).toFixed(0)} ms`;
  } catch {
    return `no failover within ${timeoutMs} ms`;
  }
}

/** The NameNode a target names right now. */
async function resolve(cluster: FaultCluster, target: ChaosTarget): Promise<string> {
  const actives = await cluster.mini.activeNamenodes();
  const active = actives[0] ?? cluster.ids[0]!;
  if (target.role === 'active') return active;
  const standbys = cluster.ids.filter((id) => id !== active);
  return standbys[target.pick % standbys.length]!;
}

export function formatSummary(summary: ChaosSummary): string {
  const kinds = Object.entries(summary.byKind)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  const lines = [
    '',
    `chaos summary (seed ${summary.seed})`,
    `  faults injected:        ${summary.faultsInjected} (${kinds || 'none'})`,
    `  failovers:              ${summary.failovers}`,
    `  max time without an active NameNode: ${summary.maxNoActiveMs.toFixed(0)} ` +
      `ms${summary.maxNoActiveStep !== undefined ? ` (during fault #${summary.maxNoActiveStep})` : ''}`,
    `  max time to steady after a fault ended: ${summary.maxSteadyAfterMs} ms`,
    `  split-brain violations: ${summary.splitBrainViolations}`,
    `  liveness violations:    ${summary.livenessViolations}`,
    `  duration:               ${(summary.durationMs / 1000).toFixed(0)} s`,
    ...(summary.disabledKinds.length > 0 ? [`  disabled fault kinds:   ${summary.disabledKinds.join('; ')}`] : []),
    `  result:                 ` +
      (summary.splitBrainViolations === 0 && summary.livenessViolations === 0 && summary.failure === undefined
        ? 'PASS'
        : 'FAIL'),
  ];
  return lines.join('\n');
}

export async function chaosMain(argv: readonly string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        seed: { type: 'string' },
        faults: { type: 'string' },
        namenodes: { type: 'string' },
        'steady-bound-ms': { type: 'string' },
        'plan-only': { type: 'boolean', default: false },
        'java-peer': { type: 'boolean', default: false },
        keep: { type: 'boolean', default: false },
        quiet: { type: 'boolean', default: false },
        'log-level': { type: 'string', default: 'info' },
      },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`chaos: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  let options: ChaosOptions;
  try {
    options = {
      seed: intOption('seed', values.seed, Date.now() % 1_000_000, 0, 2 ** 31 - 1),
      faults: intOption('faults', values.faults, 20, 1, 100_000),
      namenodes: intOption('namenodes', values.namenodes, 3, 2, 5),
      steadyBoundMs: intOption('steady-bound-ms', values['steady-bound-ms'], 20_000, 1000, 600_000),
      javaPeer: values['java-peer'],
      keep: values.keep,
      quiet: values.quiet,
      logLevel: values['log-level'],
    };
  } catch (error) {
    process.stderr.write(`chaos: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  if (values['plan-only']) {
    const timings = {
      sessionTimeoutMs: CLUSTER.sessionTimeoutMs!,
      checkIntervalMs: CLUSTER.checkIntervalMs!,
      healthRpcTimeoutMs: CLUSTER.healthRpcTimeoutMs!,
    };
    const kinds: ChaosFaultKind[] = CHAOS_FAULT_KINDS.filter((k) => !(options.javaPeer && k === 'graceful-failover'));
    for (const step of planChaos(options.seed, options.faults, timings, kinds)) {
      process.stdout.write(
        `#${step.index} +${step.delayBeforeMs} ms ` +
          `${describeFault(step.fault)}${step.awaitSteady ? '' : ' (next overlaps)'}\n`,
      );
    }
    return 0;
  }
  const summary = await runChaos(options);
  return summary.splitBrainViolations === 0 && summary.livenessViolations === 0 && summary.failure === undefined
    ? 0
    : 1;
}

if (isMain(import.meta.url)) {
  chaosMain(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`chaos: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
