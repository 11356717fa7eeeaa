// Goal: the NameNode /stacks capture (src/hadoop/namenode-stacks.ts, DFSZKFailoverController's
// getLocalNNThreadDump) over node:http: a dump is read whole and logged between the markers; a
// dump above STACKS_MAX_BYTES keeps its first STACKS_MAX_BYTES and says it was truncated; an error
// status, a refused connection and a NameNode that never answers are each logged as Hadoop's
// "Can't get local NN thread dump due to ..." with the reason, within the timeout.
// Method: real HTTP servers on 127.0.0.1 standing in for the NameNode's StackServlet; the
// daemon's pino logger writing into an array.

import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { NameNodeStacks, STACKS_MAX_BYTES } from '../../../src/hadoop/namenode-stacks.js';
import { createLogger } from '../../../src/observability/logger.js';
import { HttpStubs } from '../../../tools/testing/http-stub.js';
import { freePort } from '../../../tools/testing/net.js';

const stubs = new HttpStubs();

afterEach(() => stubs.closeAll());

function stacksOn(port: number, timeoutMs = 2000): { stacks: NameNodeStacks; records: Record<string, unknown>[] } {
  const records: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line !== '') records.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const stacks = new NameNodeStacks({
    httpAddress: { host: '127.0.0.1', port },
    namenodeId: 'nn1',
    timeoutMs,
    dir: null,
    keep: 0,
    logger: createLogger({ level: 'info', destination }),
  });
  return { stacks, records };
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('NameNode /stacks capture over node:http', () => {
  it('reads a dump whole and logs it between the markers', async () => {
    const dump = 'Process Thread Dump: \n3 active threads\nThread 1 (main):\n  State: WAITING\n';
    let accept: string | undefined;
    const port = await stubs.serve((request, response) => {
      accept = request.headers.accept;
      response.end(request.url === '/stacks' ? dump : 'wrong path');
    });
    const { stacks, records } = stacksOn(port);
    const capture = await stacks.capture('SERVICE_NOT_RESPONDING');
    expect(capture).toEqual({ text: dump, truncated: false, file: undefined });
    expect(accept).toBe('text/plain');
    await settle();
    const logged = records.find((r) => String(r['msg']).startsWith('-- Local NN thread dump --'));
    expect(logged).toMatchObject({ component: 'nn-stacks', reason: 'SERVICE_NOT_RESPONDING', truncated: false });
    expect(String(logged?.['msg'])).toContain('Thread 1 (main)');
  });

  it('keeps the first STACKS_MAX_BYTES of a larger dump and says it was truncated', async () => {
    const port = await stubs.serve((_request, response) => {
      // No Content-Length: the size is learnt by reading, 64 KiB at a time.
      const chunk = 'x'.repeat(64 * 1024);
      let sent = 0;
      const more = (): void => {
        while (sent < STACKS_MAX_BYTES + 256 * 1024) {
          sent += chunk.length;
          if (!response.write(chunk)) return void response.once('drain', more);
        }
        response.end();
      };
      more();
    });
    const { stacks } = stacksOn(port);
    const capture = await stacks.capture('SERVICE_UNHEALTHY');
    expect(capture?.truncated).toBe(true);
    expect(capture?.text.length).toBe(STACKS_MAX_BYTES);
  });

  it('logs why it cannot get a dump: an error status, a refused connection, no answer within the timeout', async () => {
    const failing = await stubs.serve((_request, response) => {
      response.statusCode = 500;
      response.end('boom');
    });
    const silent = await stubs.serve(() => undefined);
    const refused = await freePort();
    const reasons: string[] = [];
    for (const [port, timeoutMs] of [
      [failing, 2000],
      [refused, 2000],
      [silent, 300],
    ] as const) {
      const { stacks, records } = stacksOn(port, timeoutMs);
      const started = process.hrtime.bigint();
      expect(await stacks.capture('SERVICE_UNHEALTHY')).toBeUndefined();
      expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(timeoutMs + 1000);
      await settle();
      const warn = records.find((r) => r['level'] === 40);
      expect(String(warn?.['msg'])).toMatch(/^Can't get local NN thread dump due to /);
      reasons.push(String(warn?.['msg']).replace("Can't get local NN thread dump due to ", ''));
    }
    expect(reasons[0]).toBe('GET /stacks answered HTTP 500');
    expect(reasons[1]).toMatch(new RegExp(`^GET http://127\\.0\\.0\\.1:${refused}/stacks: ECONNREFUSED`));
    expect(reasons[2]).toBe('no answer within 300 ms');
  });
});
