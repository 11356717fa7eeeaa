// ResourceManager failover time, zkfc beside Hadoop's embedded elector, measured the same way on
// real ResourceManagers (tools/testing/hadoop/real-rm-cluster.ts): a fault on the active
// ResourceManager, then the time until the other one logs "Transitioned to active state"
// (ResourceManager#transitionToActive, its own clock, the same machine). Faults: crash (SIGKILL)
// and hang (SIGSTOP). After each run the faulted ResourceManager is killed and started again as a
// standby, so every run starts from the same state. Both controllers run with Hadoop's defaults
// (hadoop.zk.timeout-ms 10 s; ha.health-monitor.* for zkfc). `npm run bench -- --rm [--runs N
// --hang-runs N --out FILE]` prints the table and writes it to bench/results-rm.md.

import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname } from 'node:path';
import { RealRmCluster } from '../testing/hadoop/real-rm-cluster.js';
import { sleep } from '../testing/wait.js';
import { stats } from './stats.js';

export type RmController = 'embedded' | 'zkfc';
export type RmFault = 'crash' | 'hang';

export interface RmBenchOptions {
  readonly runs: number;
  readonly hangRuns: number;
  readonly out: string;
  readonly hadoopVersion?: string;
  readonly log?: (line: string) => void;
}

const SESSION_TIMEOUT_MS = 10_000; // YarnConfiguration.DEFAULT_RM_ZK_TIMEOUT_MS

/** One controller's pair; every run: fault the active, time the other's activation, restore. */
async function measure(
  controller: RmController,
  fault: RmFault,
  runs: number,
  hadoopVersion?: string,
): Promise<number[]> {
  const cluster = await RealRmCluster.start({
    ...(hadoopVersion !== undefined ? { hadoopVersion } : {}),
    sessionTimeoutMs: SESSION_TIMEOUT_MS,
    embedded: new Set(controller === 'embedded' ? ['rm1', 'rm2'] : []),
    yarnSite: { 'ha.failover-controller.new-active.rpc-timeout.ms': '180000' },
  });
  const samples: number[] = [];
  try {
    if (controller === 'zkfc') {
      await cluster.startController('rm1');
      await cluster.waitForActive('rm1', 60_000);
      await cluster.startController('rm2');
    }
    await cluster.waitFor(async () => (await cluster.activeRms()).length === 1, 90_000, 'one active ResourceManager');
    for (let run = 0; run < runs; run++) {
      const active = (await cluster.activeRms())[0]!;
      const other = active === 'rm1' ? 'rm2' : 'rm1';
      await cluster.waitFor(async () => (await cluster.haState(other)) === 'standby', 60_000, `${other} standby`);
      await sleep(2000); // the standby's daemon / elector settled in the election
      const before = cluster.activeTimes(other).length;
      const faultAtMs = Date.now();
      await cluster.signalRm(active, fault === 'crash' ? 'SIGKILL' : 'SIGSTOP');
      await cluster.waitFor(
        async () => cluster.activeTimes(other).length > before,
        180_000,
        `${other} active after ${fault} of ${active}`,
      );
      samples.push(cluster.activeTimes(other)[before]! - faultAtMs);
      await cluster.signalRm(active, 'SIGCONT');
      await cluster.signalRm(active, 'SIGKILL');
      await cluster.startRm(active);
    }
  } finally {
    await cluster.stop();
  }
  return samples;
}

export async function runRmBench(options: RmBenchOptions): Promise<string> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const started = Date.now();
  const rows: string[] = [];
  for (const fault of ['crash', 'hang'] as const) {
    const runs = fault === 'crash' ? options.runs : options.hangRuns;
    if (runs === 0) continue;
    const result: Record<RmController, number[]> = { embedded: [], zkfc: [] };
    for (const controller of ['embedded', 'zkfc'] as const) {
      log(`[rm-bench] ${fault}, ${controller}: ${runs} runs`);
      result[controller] = await measure(controller, fault, runs, options.hadoopVersion);
      log(`[rm-bench]   ${result[controller].join(' ')} ms`);
    }
    const e = stats(result.embedded);
    const z = stats(result.zkfc);
    rows.push(
      `| ${fault} | ${runs} | ${e.median} | ${e.max} | ${z.median} | ${z.max} | ${(z.median / e.median).toFixed(2)} |`,
    );
  }
  const report = [
    '# ResourceManager failover: zkfc beside the embedded elector',
    '',
    `Measured ${new Date().toISOString()} by \`npm run bench -- --rm\` (tools/bench/rm-bench.ts), ` +
      `Hadoop ${options.hadoopVersion ?? process.env['HADOOP_VERSION'] ?? '3.4.2'}, ${cpus().length} cores ` +
      `(${cpus()[0]?.model ?? '?'}), load average ${loadavg()[0]?.toFixed(2)} at the end, ` +
      `${((Date.now() - started) / 60_000).toFixed(1)} min.`,
    '',
    'Time from the fault on the active ResourceManager (crash: SIGKILL; hang: SIGSTOP) to the other',
    "ResourceManager's own log line `Transitioned to active state`, in ms. Two real ResourceManagers",
    'with ZKRMStateStore; both controllers with their defaults (hadoop.zk.timeout-ms 10000; zkfc:',
    'health check every 1 s, RPC timeout = the session timeout for ResourceManagers, graceful fence',
    '5 s, no fencing method: the state store fences).',
    '',
    '| fault | runs | embedded median | embedded max | zkfc median | zkfc max | zkfc/embedded |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...rows,
    '',
  ].join('\n');
  mkdirSync(dirname(options.out), { recursive: true });
  writeFileSync(options.out, report);
  return report;
}
