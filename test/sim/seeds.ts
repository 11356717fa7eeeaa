// Seed selection and failure reporting for the seeded simulation runs (shared by the shard files,
// so `npm test` spreads the seeds over the available workers).
//   SIM_SEED=<n>        replay exactly seed n (every shard runs it; shard 1 prints its trace)
//   SIM_SEEDS=<count>   how many seeds in total (default 2000), split across the shards
//   SIM_SEED_BASE=<n>   first seed (default 1), to explore other seeds in CI or nightly runs
//   SIM_TRACE_LINES=<n> how many trailing log lines a failing seed prints (default 400)

import { runSeed, type SimResult } from './sim-world.js';

export const SHARDS = 2;
/** The controller's log line when anti-flap holds a failover back. */
export const HELD_BACK_MESSAGE = 'Anti-flap: failover held back; the local NameNode stays active';

function envInt(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0)
    throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

/** The seeds shard `shard` (1-based) runs. */
export function seedsForShard(shard: number): number[] {
  const single = envInt('SIM_SEED');
  if (single !== undefined) return [single];
  const total = envInt('SIM_SEEDS') ?? 2000;
  const base = envInt('SIM_SEED_BASE') ?? 1;
  const seeds: number[] = [];
  for (let seed = base + shard - 1; seed < base + total; seed += SHARDS) seeds.push(seed);
  return seeds;
}

export interface ShardReport {
  readonly seeds: number;
  readonly failed: readonly SimResult[];
  readonly maxRecoveryMs: number;
  readonly failovers: number;
  /** Failovers anti-flap held back (as shipped it is on in every run). */
  readonly heldBack: number;
  readonly events: number;
  readonly wallMs: number;
}

/** Run the shard's seeds; print every failing seed with how to replay it. */
export async function runShard(shard: number): Promise<ShardReport> {
  const seeds = seedsForShard(shard);
  const started = performance.now();
  const failed: SimResult[] = [];
  let maxRecoveryMs = 0;
  let failovers = 0;
  let heldBack = 0;
  let events = 0;
  const single = envInt('SIM_SEED') !== undefined;
  for (const seed of seeds) {
    const result = await runSeed(seed);
    events += result.events;
    failovers += result.failovers;
    heldBack += result.messageCounts.get(HELD_BACK_MESSAGE) ?? 0;
    if (result.recoveryMs !== undefined) maxRecoveryMs = Math.max(maxRecoveryMs, result.recoveryMs);
    if (result.violations.length > 0) failed.push(result);
    if (single && shard === 1) {
      console.log(
        `SIM_SEED=${seed}: ${result.violations.length === 0 ? 'ok' : 'FAILED'}, recovery ` +
          `${String(result.recoveryMs)} ms\nfaults:\n${result.faults.join('\n')}\n${result.trace()}`,
      );
    }
  }
  for (const result of failed.slice(0, 3)) {
    console.error(
      [
        `Simulation seed ${result.seed} FAILED (replay: SIM_SEED=${result.seed} npx vitest run test/sim):`,
        ...result.violations.map((v) => `  violation: ${v}`),
        'faults:',
        ...result.faults.map((f) => `  ${f}`),
        'last log lines:',
        result.trace(),
      ].join('\n'),
    );
  }
  return {
    seeds: seeds.length,
    failed,
    maxRecoveryMs,
    failovers,
    heldBack,
    events,
    wallMs: performance.now() - started,
  };
}
