// Test layers: unit (pure code, codecs, in-process TCP on loopback), sim (deterministic
// simulation, seeded), integration (real ZooKeeper / sshd / TCP), e2e (built binaries as processes),
// abuse (attacks replayed against daemons as processes).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 20_000 } },
      { test: { name: 'sim', include: ['test/sim/**/*.test.ts'], testTimeout: 180_000 } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        // Real processes replaying attacks of hostile clients and hostile ZooKeeper data against a
        // daemon, each asserting its stated bound (README, "Security model").
        test: {
          name: 'abuse',
          include: ['test/abuse/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'hadoop',
          include: ['test/hadoop/**/*.test.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
