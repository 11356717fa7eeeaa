// Goal: a daemon's status listener stays useful while slow clients attack it: a Prometheus scrape
// of /metrics and a load balancer's /active and /healthz probes are all still answered, on time,
// while (a) 70 sockets from another address trickle their request headers and are reopened as
// soon as the daemon closes one, and (b) the review's attack, 70 trickling sockets from the
// scraper's own address, runs too.
// Method: a real nameservice (two daemons as processes); the attacks run against the active
// daemon's zkfc.http-address (attacker (a) binds 127.0.0.2) while 33 rounds of scrapes and probes
// go through fresh connections from 127.0.0.1 (as a load balancer's probe does), 5 s deadline each.
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plainGet, socketFlood, startAbuseCluster, stopAbuseCluster, type AbuseCluster } from './harness.js';
import { sleep } from '../../tools/testing/wait.js';

let setup: AbuseCluster | undefined;
beforeAll(async () => {
  setup = await startAbuseCluster();
});
afterAll(async () => {
  await stopAbuseCluster(setup?.cluster);
});

describe('abuse: slow HTTP clients against the status listener', () => {
  it(
    '70 header-trickling sockets: every /metrics scrape ' + 'and every /active and /healthz probe is answered',
    async () => {
      const { cluster, active } = setup!;
      const port = cluster.node(active).statusPort;
      const trickle = { everyMs: 200, every: (socket: Socket) => socket.write('a') };
      const header = 'GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ';
      const attack = socketFlood(port, 70, header, { ...trickle, from: '127.0.0.2', reopenAfterMs: 20 });
      const replay = socketFlood(port, 70, header, { ...trickle, from: '127.0.0.1', reopenAfterMs: null });
      try {
        await Promise.all([attack.started, replay.started]);
        const failures: string[] = [];
        for (let round = 0; round < 33; round++) {
          for (const [path, expected] of [
            ['/metrics', 200],
            ['/active', 200],
            ['/healthz', 200],
          ] as const) {
            const started = Date.now();
            try {
              const reply = await plainGet(port, path);
              if (reply.status !== expected) failures.push(`round ${round} ${path}: HTTP ${reply.status}`);
              else if (path === '/metrics' && !reply.body.includes('zkfc_is_active'))
                failures.push(`round ${round} /metrics: no zkfc_is_active`);
            } catch (error) {
              failures.push(`round ${round} ${path}: ${(error as Error).message} after ${Date.now() - started} ms`);
            }
          }
          await sleep(30);
        }
        expect(failures).toEqual([]);
        // The attack really ran at full strength the whole time.
        expect(attack.opened()).toBeGreaterThanOrEqual(70);
        expect(attack.open()).toBeGreaterThan(0);
      } finally {
        attack.stop();
        replay.stop();
      }
    },
  );
});
