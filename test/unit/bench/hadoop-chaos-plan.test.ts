// Goal: the real-Hadoop chaos run (tools/bench/hadoop-chaos.ts, part of `npm run test:hadoop:all`)
// replays from its seed and injects every fault kind of its catalogue: the plan is a pure function
// of the seed, each round of seven faults holds every kind once, and bad options exit 2 before any
// cluster starts. The run itself is real Hadoop: `npm run test:hadoop:all`.
// Method: planHadoopChaos() and hadoopChaosMain() in process.

import { describe, expect, it, vi } from 'vitest';
import { HADOOP_CHAOS_KINDS, hadoopChaosMain, planHadoopChaos } from '../../../tools/bench/hadoop-chaos.js';

describe('the real-Hadoop chaos plan', () => {
  it('is a pure function of the seed', () => {
    expect(planHadoopChaos(42, 50)).toEqual(planHadoopChaos(42, 50));
    expect(planHadoopChaos(42, 50)).not.toEqual(planHadoopChaos(43, 50));
    expect(planHadoopChaos(42, 50).map((s) => s.index)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it('injects every kind once in each round of the catalogue, in a seeded order', () => {
    const plan = planHadoopChaos(7, 49);
    for (let round = 0; round < 7; round++) {
      const kinds = plan.slice(round * 7, round * 7 + 7).map((s) => s.kind);
      expect([...kinds].sort()).toEqual([...HADOOP_CHAOS_KINDS].sort());
    }
    const rounds = new Set(
      [0, 1, 2, 3, 4, 5, 6].map((r) =>
        plan
          .slice(r * 7, r * 7 + 7)
          .map((s) => s.kind)
          .join(),
      ),
    );
    expect(rounds.size).toBeGreaterThan(1);
    for (const step of plan) {
      expect(step.delayBeforeMs).toBeGreaterThanOrEqual(0);
      expect(step.delayBeforeMs).toBeLessThanOrEqual(2000);
      expect(step.pastSessionMs).toBeGreaterThanOrEqual(1000);
      expect(step.pastSessionMs).toBeLessThanOrEqual(4000);
    }
  });

  it('refuses bad options with exit code 2', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await hadoopChaosMain(['--faults', 'many'])).toBe(2);
      expect(await hadoopChaosMain(['--seed', '-1'])).toBe(2);
      expect(await hadoopChaosMain(['--no-such-option'])).toBe(2);
      expect(stderr.mock.calls.map((c) => String(c[0])).join('')).toContain('--faults wants an integer');
    } finally {
      stderr.mockRestore();
    }
  });
});
