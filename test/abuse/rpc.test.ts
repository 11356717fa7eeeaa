// Goal: the ZKFC RPC port (dfs.ha.zkfc.port) withstands the review's attacks, each within its
// stated bound (README, "Security model"):
// - eight connections announcing 128 MiB frames (before and after the connection context) and
//   sending 16 MiB each: the daemon stays below RSS_BOUND_MIB and keeps serving;
// - 1,024 idle sockets (from the haadmin host itself, and from another address that reopens every
//   socket the daemon closes): `haadmin -failover` still succeeds;
// - cedeActive(0x7fffffff) sent to both ZKFCs by a client claiming the daemons' user: refused, the
//   active NameNode stays active, and the attempt is logged with caller, address and duration.
// Method: a real nameservice (two daemons as processes); the attacker uses raw sockets and our own
// ZKFCProtocol client; memory is read from /proc/<pid>/status.
import { connect, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeConnectionContextFrame } from '../../src/ipc/codec/messages.js';
import { RpcZkfcClientFactory } from '../../src/hadoop/zkfc-client.js';
import { runHaadmin } from '../support/e2e-zkfc.js';
import { SPEC_CLIENT_ID, SPEC_PREAMBLE, concatBytes } from '../support/ipc-bytes.js';
import { plainGet, rssMiB, socketFlood, startAbuseCluster, stopAbuseCluster, type AbuseCluster } from './harness.js';
import { sleep, waitUntil } from '../../tools/testing/wait.js';

/** Stated bound (README, "Security model", and systemd MemoryMax leaves room above it). */
const RSS_BOUND_MIB = 160;

let setup: AbuseCluster | undefined;
beforeAll(async () => {
  setup = await startAbuseCluster();
});
afterAll(async () => {
  await stopAbuseCluster(setup?.cluster);
});

function lengthPrefix(length: number): Uint8Array {
  return Uint8Array.from([(length >>> 24) & 0xff, (length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff]);
}

/**
 * Open a socket, write `head` and then up to `bytes` of filler as fast as the daemon takes it; resolves when closed or
 * done.
 */
function partialFrame(
  port: number,
  head: Uint8Array,
  bytes: number,
): Promise<{ closedByServer: boolean; sent: number }> {
  return new Promise((resolve) => {
    const socket: Socket = connect({ host: '127.0.0.1', port });
    let sent = 0;
    let done = false;
    const chunk = Buffer.alloc(256 * 1024, 0x41);
    const finish = (closedByServer: boolean): void => {
      if (done) return;
      done = true;
      socket.destroy();
      resolve({ closedByServer, sent });
    };
    socket.on('error', () => finish(true));
    socket.on('close', () => finish(true));
    const pump = (): void => {
      while (!done && sent < bytes) {
        sent += chunk.length;
        if (!socket.write(chunk)) {
          socket.once('drain', pump);
          return;
        }
      }
      if (sent >= bytes) setTimeout(() => finish(false), 500);
    };
    socket.once('connect', () => {
      socket.write(head);
      pump();
    });
  });
}

describe('abuse: the ZKFC RPC port', () => {
  it(
    '8 partial 128 MiB frames: memory stays below the bound, ' +
      'every such connection is closed, the daemon keeps serving',
    async () => {
      const { cluster, active } = setup!;
      const node = cluster.node(active);
      const pid = node.zkfc!.pid!;
      const before = rssMiB(pid);
      const context = encodeConnectionContextFrame({
        clientId: SPEC_CLIENT_ID,
        effectiveUser: userInfo().username,
        protocol: 'org.apache.hadoop.ha.ZKFCProtocol',
      });
      const announced = lengthPrefix(128 * 1024 * 1024);
      const heads = [
        ...Array.from({ length: 4 }, () => concatBytes(SPEC_PREAMBLE, announced)),
        ...Array.from({ length: 4 }, () => concatBytes(SPEC_PREAMBLE, context, announced)),
      ];
      let peak = before;
      const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(pid))), 20);
      const results = await Promise.all(heads.map((head) => partialFrame(node.zkfcPort, head, 16 * 1024 * 1024)));
      clearInterval(sampler);
      peak = Math.max(peak, rssMiB(pid));
      expect(results.map((r) => r.closedByServer)).toEqual(Array.from({ length: 8 }, () => true));
      expect(peak, `RSS ${before.toFixed(0)} -> peak ${peak.toFixed(0)} MiB`).toBeLessThan(RSS_BOUND_MIB);
      expect((await plainGet(node.statusPort, '/healthz')).status).toBe(200);
    },
  );

  it('1,024 idle sockets on both ZKFC ports: haadmin -failover still succeeds', async () => {
    const { cluster, active, standby } = setup!;
    const floods = [active, standby].flatMap((id) => [
      // The review's replay: from the haadmin host itself, never reopened.
      socketFlood(cluster.node(id).zkfcPort, 1024, '', { from: '127.0.0.1', reopenAfterMs: null }),
      // A persistent attacker elsewhere: every socket the daemon closes is reopened after a second.
      socketFlood(cluster.node(id).zkfcPort, 1024, '', { from: '127.0.0.2', reopenAfterMs: 1000 }),
    ]);
    try {
      await Promise.all(floods.map((flood) => flood.started));
      const result = await runHaadmin(cluster, ['-ns', cluster.nameserviceId, '-failover', active, standby], {
        timeoutMs: 60_000,
      });
      expect(result.code, result.stdout + result.stderr).toBe(0);
      expect(result.stdout).toContain(`Failover to NameNode at`);
      await cluster.waitForActive(20_000, standby);
      for (const id of [active, standby]) expect(rssMiB(cluster.node(id).zkfc!.pid!)).toBeLessThan(RSS_BOUND_MIB);
    } finally {
      for (const flood of floods) flood.stop();
    }
    // Back again, for the next test.
    const back = await runHaadmin(cluster, ['-ns', cluster.nameserviceId, '-failover', standby, active], {
      timeoutMs: 60_000,
    });
    expect(back.code, back.stdout + back.stderr).toBe(0);
    await cluster.waitForActive(20_000, active);
  });

  it(
    'cedeActive(0x7fffffff) to both ZKFCs is refused and logged ' +
      'with caller, address and duration; the active stays active',
    async () => {
      const { cluster, active, standby } = setup!;
      const factory = new RpcZkfcClientFactory({ effectiveUser: userInfo().username });
      const outcomes: string[] = [];
      for (const id of [active, standby]) {
        const client = factory.create({ host: '127.0.0.1', port: cluster.node(id).zkfcPort });
        try {
          await client.cedeActive(0x7fffffff, 5000);
          outcomes.push(`${id}: accepted`);
        } catch (error) {
          outcomes.push(`${id}: ${(error as Error).message}`);
        } finally {
          client.close();
        }
      }
      for (const outcome of outcomes)
        expect(outcome).toMatch(
          new RegExp(
            String.raw`cedeActive for 2147483647 ms refused: longer than the ` +
              String.raw`300000 ms this ZKFC allows \(zkfc\.rpc\.cede\.max\.ms\)`,
          ),
        );
      // Nothing moved: the active is still the only active a while later.
      await sleep(2000);
      expect(await cluster.activeNamenodes()).toEqual([active]);
      for (const id of [active, standby]) {
        const line = await waitUntil(
          () =>
            readFileSync(cluster.node(id).zkfcLog, 'utf8')
              .split('\n')
              .find((l) => l.includes('"msg":"cedeActive refused: longer than zkfc.rpc.cede.max.ms"')),
          5000,
          `${id} logs the refused cede`,
        );
        expect(line).toContain(`"user":"${userInfo().username}"`);
        expect(line).toContain('"address":"127.0.0.1"');
        expect(line).toContain('"millisToCede":2147483647');
      }
    },
  );
});
