// Test layers, by what a test needs (the rule that decides where a new test goes):
//   unit        pure code, codecs, in-process servers on loopback TCP; no other process (but git and
//               dependency-cruiser reading the source tree), no root
//   sim         the deterministic simulation: seeded, virtual time, no I/O
//   integration real ZooKeeper / sshd / iptables (root) / other processes, one component at a time
//   e2e         the built binaries as processes, whole nameservices (tools/testing/mini-cluster.ts)
//   abuse       attacks replayed against daemons as processes, each with its stated bound
//   hadoop      real Hadoop daemons from Maven (tools/testing/hadoop/real-cluster.ts)
// Shared helpers (clocks, waiting, free ports, process liveness, the PRNG) live in tools/testing/,
// once; fixtures more than one layer uses live in test/support/.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 20_000 } },
      { test: { name: 'sim', include: ['test/sim/**/*.test.ts'], testTimeout: 180_000 } },
      {
        // The edit loop's share of the integration layer (npm run test:fast): the quick files.
        test: {
          name: 'integration-fast',
          include: [
            'test/integration/zookeeper/node-zk-session.test.ts',
            'test/integration/zookeeper/parent-znode.test.ts',
            'test/integration/fencing/shell-fence.test.ts',
            'test/integration/fencing/graceful-fence-sim.test.ts',
            'test/integration/namenode-sim/sim-in-process.test.ts',
            'test/integration/namenode-sim/haadmin-in-process.test.ts',
          ],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
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
