// Shared frame of the fault-catalogue tests (test/e2e/faults-*.test.ts): start a FaultCluster,
// run the scenario, then always apply the oracle (no two NameNodes were ever active at once) and
// stop every process, also when the scenario failed. On failure the cluster's directory (logs,
// transition logs, ends, configuration) is kept and named in the error; on success it is removed.
//
// ZKFC_E2E_ALL=1 (npm run test:e2e:all) runs every scenario REPEATS times and adds the variants
// kept out of `npm test` for time; the default runs each scenario once.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FaultCluster, type FaultClusterOptions } from '../../tools/testing/fault-cluster.js';
import { msBetween } from '../../tools/testing/oracle.js';
import { REPO_ROOT, ensureBuilt } from './namenode-sim-process.js';
import { sleep } from '../../tools/testing/wait.js';

export const ALL = process.env['ZKFC_E2E_ALL'] === '1';
/** How many times each scenario runs: 1 in `npm test`, 3 in `npm run test:e2e:all`. */
export const REPEATS = ALL ? 3 : 1;

/** `it` titles for the repeats: "name" once, or "name (run i/3)". */
export function runs(name: string): string[] {
  return REPEATS === 1 ? [name] : Array.from({ length: REPEATS }, (_, i) => `${name} (run ${i + 1}/${REPEATS})`);
}

/** dist/ must be current: the cluster runs bin/zkfc.js, fence-sim and the Java-compatible peer from it. */
export async function ensureHarnessBuilt(): Promise<void> {
  await ensureBuilt();
  for (const entry of [
    'dist/cli/zkfc-main.js',
    'build/tools/cli/fence-sim-main.js',
    'build/tools/testing/java-peer-main.js',
  ]) {
    if (!existsSync(join(REPO_ROOT, entry))) throw new Error(`${entry} is missing after the build`);
  }
}

export async function withFaultCluster(
  options: FaultClusterOptions,
  scenario: (cluster: FaultCluster) => Promise<void>,
): Promise<void> {
  await ensureHarnessBuilt();
  const cluster = await FaultCluster.start(options);
  let failure: unknown;
  try {
    await scenario(cluster);
    cluster.assertSafe('end of scenario');
  } catch (error) {
    failure = error;
  }
  await cluster.stop();
  if (failure !== undefined) {
    if (failure instanceof Error) failure.message += `\n(cluster directory kept: ${cluster.baseDir})`;
    throw failure;
  }
  cluster.cleanUp();
}

/** ms from a monotonic ns timestamp to a transition log entry. */
export function msSince(fromNs: bigint, entry: { readonly monoNs: string }): number {
  return msBetween(fromNs, BigInt(entry.monoNs));
}

/** Transitions of `namenodeId` to `to` after `sinceNs`. */
export function transitionsAfter(
  cluster: FaultCluster,
  sinceNs: bigint,
  filter: { readonly namenodeId?: string; readonly to?: string } = {},
) {
  return cluster.mini
    .transitionEntries()
    .filter((e) => e.event === 'transition' && BigInt(e.monoNs) > sinceNs)
    .filter((e) => filter.namenodeId === undefined || e.namenodeId === filter.namenodeId)
    .filter((e) => filter.to === undefined || e.to === filter.to);
}

/**
 * A daemon's log once `pattern` shows in it (or as it is after `timeoutMs`). pino writes
 * asynchronously, so a line about a step may reach the file a little after the step's effect
 * (e.g. the NameNode's activation) is visible to the test.
 */
export async function logOnceItShows(path: string, pattern: RegExp, timeoutMs = 5000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = readFileSync(path, 'utf8');
    if (pattern.test(text) || Date.now() > deadline) return text;
    await sleep(50);
  }
}
