// Goal: across many seeded runs of the real controller runtime in the simulated cluster (random
// ZooKeeper partitions and outages, session expiries, NameNode crashes / hangs / slowness /
// unhealthiness / refusals, host isolation, ZKFC kills and stops, graceful failovers, observers,
// broken fencing), never two active NameNodes, never a transitionToActive before the old active was
// fenced or stood down, no leaked lock, and an active again within the bound once faults stop.
// Method: shard 1 of 2 of the seeds (see seeds.ts for SIM_SEED / SIM_SEEDS / SIM_SEED_BASE);
// every failing seed is printed with its faults, its last log lines and how to replay it.

import { describe, expect, it } from 'vitest';
import { RECOVERY_BOUND_MS } from './sim-world.js';
import { runShard } from './seeds.js';

describe('seeded failover simulation (shard 1)', () => {
  it('keeps every invariant on every seed', async () => {
    const report = await runShard(1);
    console.log(
      `shard 1: ${report.seeds} seeds, ${report.events} events, ${report.failovers} failovers, ` +
        `${report.heldBack} held back, max recovery ${report.maxRecoveryMs} ms ` +
        `(bound ${RECOVERY_BOUND_MS} ms), ${Math.round(report.wallMs)} ms`,
    );
    expect(report.failed.map((r) => ({ seed: r.seed, violations: r.violations }))).toEqual([]);
    expect(report.seeds).toBeGreaterThan(0);
  });
});
