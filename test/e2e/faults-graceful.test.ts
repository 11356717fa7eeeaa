// Goal: the fault catalogue's graceful failover under load: while both NameNodes are hammered by
// repeated health probes (getServiceStatus + monitorHealth on 8 connections each, as monitoring
// and busy clients do), an operator moves the active back and forth with ZKFCProtocol
// gracefulFailover (what `hdfs haadmin -failover` calls). Expected: every request succeeds, the
// requested NameNode becomes active within 2 s of the request, the old one is moved to standby
// (never killed, never fenced), no probe fails, and no two NameNodes are ever active at once.
// Method: FaultCluster (3-member ZooKeeper ensemble, two NameNodes, two zkfc daemons as real
// processes); HealthProbeLoad (tools/testing/probe-load.ts) over real Hadoop IPC; the gracefulFailover
// RPC sent to the target's ZKFC port with our Hadoop IPC client, as the daemon's login user.

import { userInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { RpcZkfcClientFactory } from '../../src/hadoop/zkfc-client.js';
import { HealthProbeLoad } from '../../tools/testing/probe-load.js';
import { msSince, runs, transitionsAfter, withFaultCluster } from '../support/chaos-scenario.js';

const STEADY_BOUND_MS = 15_000;
const FAILOVERS = 4;

describe('fault catalogue: graceful failover under load', () => {
  for (const title of runs(
    `${FAILOVERS} graceful failovers back and forth under health-probe ` +
      `load: each within 2 s, old active to standby, no probe error`,
  )) {
    it(title, async () => {
      await withFaultCluster({ fencing: 'shell' }, async (cluster) => {
        await cluster.startAll();
        await cluster.awaitSteady(STEADY_BOUND_MS, { context: 'before the load' });
        const load = new HealthProbeLoad(
          cluster.ids.map((id) => ({ host: '127.0.0.1', port: cluster.mini.node(id).rpcPort })),
          { concurrency: 8, effectiveUser: userInfo().username },
        );
        const zkfcClients = new RpcZkfcClientFactory({ effectiveUser: userInfo().username });
        try {
          for (let i = 0; i < FAILOVERS; i++) {
            const { active: from } = await cluster.awaitSteady(STEADY_BOUND_MS, {
              context: `before graceful failover ${i + 1}`,
            });
            const to = cluster.ids.find((id) => id !== from)!;
            const client = zkfcClients.create({ host: '127.0.0.1', port: cluster.mini.node(to).zkfcPort });
            const requestedAt = cluster.note(`graceful failover ${i + 1}: ${from} -> ${to}`);
            try {
              await client.gracefulFailover(30_000);
            } finally {
              client.close();
            }
            const next = await cluster.waitForActivation(requestedAt, { timeoutMs: 5000 });
            expect(next.namenodeId).toBe(to);
            expect(msSince(requestedAt, next)).toBeLessThan(2000);
            const stoodDown = transitionsAfter(cluster, requestedAt, { namenodeId: from, to: 'standby' });
            expect(stoodDown).toHaveLength(1);
            expect(BigInt(stoodDown[0]!.monoNs)).toBeLessThan(BigInt(next.monoNs));
          }
          expect(cluster.mini.ends().size).toBe(0); // nobody was killed
        } finally {
          const stats = await load.stop();
          cluster.note(`probe load: ${stats.calls} calls, ${stats.errors} errors`);
          expect(stats.errors).toBe(0);
          expect(stats.calls).toBeGreaterThan(1000);
        }
        await cluster.awaitSteady(STEADY_BOUND_MS, { context: 'after the load' });
      });
    });
  }
});
