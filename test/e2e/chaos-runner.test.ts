// Goal: the chaos runner (`npm run chaos -- --seed N --faults K`) is reproducible by seed and
// works end to end: the same seed gives the same plan (in-process and through the built CLI's
// --plan-only), other seeds give other plans, a long plan draws every fault kind of the catalogue,
// and a short real run against real processes injects its faults, checks the oracle, prints the
// summary and exits 0 with zero violations. Bad options exit 2.
// Method: planChaos() directly; `node build/tools/bench/chaos.js` as a child process (the real runner:
// FaultCluster with a 3-member ZooKeeper ensemble, NameNodes and zkfc daemons as processes).
// The long runs (200 faults) are done by hand and reported; ZKFC_E2E_ALL=1 runs 25 faults here.

import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHAOS_FAULT_KINDS, planChaos } from '../../tools/bench/chaos-plan.js';
import { ALL, ensureHarnessBuilt } from '../support/chaos-scenario.js';
import { REPO_ROOT } from '../support/namenode-sim-process.js';

const TIMINGS = { sessionTimeoutMs: 3000, checkIntervalMs: 500, healthRpcTimeoutMs: 2000 };

function runChaosCli(args: readonly string[], timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'build/tools/bench/chaos.js'), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    // SIGINT first would leave the runner's children to its exit hooks; a hung runner is a failure anyway.
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('chaos runner', () => {
  it('plans are a pure function of the seed and cover the whole catalogue', () => {
    expect(planChaos(42, 50, TIMINGS)).toEqual(planChaos(42, 50, TIMINGS));
    expect(planChaos(42, 50, TIMINGS)).not.toEqual(planChaos(43, 50, TIMINGS));
    const long = planChaos(1, 200, TIMINGS);
    expect(new Set(long.map((s) => s.fault.kind))).toEqual(new Set(CHAOS_FAULT_KINDS));
    expect(long.some((s) => !s.awaitSteady)).toBe(true);
    // A restricted catalogue is honoured (e.g. no partitions when iptables/cgroup2 are missing).
    expect(
      planChaos(1, 100, TIMINGS, ['nn-crash', 'zkfc-pause']).every(
        (s) => s.fault.kind === 'nn-crash' || s.fault.kind === 'zkfc-pause',
      ),
    ).toBe(true);
  });

  it('--plan-only prints the same plan for the same seed; bad options exit 2', async () => {
    await ensureHarnessBuilt();
    const first = await runChaosCli(['--seed', '9', '--faults', '30', '--plan-only'], 30_000);
    const second = await runChaosCli(['--seed', '9', '--faults', '30', '--plan-only'], 30_000);
    expect(first.code).toBe(0);
    expect(first.output.trim().split('\n')).toHaveLength(30);
    expect(second.output).toBe(first.output);
    const bad = await runChaosCli(['--faults', 'many'], 30_000);
    expect(bad.code).toBe(2);
    expect(bad.output).toContain('--faults wants an integer');
  });

  const faults = ALL ? 25 : 6;
  it(
    `a real run of ${faults} faults (seed 5): zero violations, summary printed, exit 0`,
    async () => {
      await ensureHarnessBuilt();
      const run = await runChaosCli(['--seed', '5', '--faults', String(faults)], 170_000 + (faults - 6) * 15_000);
      expect(run.output).toContain('chaos summary (seed 5)');
      expect(run.output).toMatch(new RegExp(`faults injected: +${faults} `));
      expect(run.output).toMatch(/split-brain violations: 0\n/);
      expect(run.output).toMatch(/liveness violations: +0\n/);
      expect(run.output).toMatch(/max time without an active NameNode: \d+ ms/);
      expect(run.output).toContain('result:                 PASS');
      expect(run.code, run.output).toBe(0);
    },
    180_000 + 25 * 15_000,
  );
});
