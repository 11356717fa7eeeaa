// Goal: the fencing preflight tells, per configured method, whether it could fence right now:
// sshfence needs SSH login with the configured key and fuser + nc on every peer host; shell needs
// bash and a resolvable first word, and is flagged when Hadoop's comma rule would make it fail.
// Runs are bounded and never overlap; listeners hear about changes. Method: real sshd instances
// (one with a PATH lacking fuser and nc), real bash, peer targets on loopback addresses.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NamenodeTarget } from '../../../src/core/types.js';
import type { FencingTargetConfig } from '../../../src/fencing/node-fencer.js';
import {
  firstWord,
  FencingPreflight,
  type FencingPreflightOptions,
  type FencingReadiness,
} from '../../../src/fencing/preflight.js';
import { startSshd, type SshdHarness } from '../../../tools/testing/sshd.js';
import { freePort } from '../../../tools/testing/net.js';
import { captureLogger } from './helpers.js';
import { realClock } from '../../../tools/testing/clock.js';
import { sleep } from '../../../tools/testing/wait.js';

let sshd: SshdHarness;
let bareSshd: SshdHarness;
const emptyBin = mkdtempSync(join(tmpdir(), 'zkfc-emptybin-'));
const nonExecutable = join(emptyBin, 'fence-not-executable.sh');
writeFileSync(nonExecutable, '#!/bin/sh\nexit 0\n', { mode: 0o644 });

beforeAll(async () => {
  [sshd, bareSshd] = await Promise.all([startSshd(), startSshd({ sessionEnv: { PATH: emptyBin } })]);
});
afterAll(async () => {
  await Promise.all([sshd?.stop(), bareSshd?.stop()]);
  rmSync(emptyBin, { recursive: true, force: true });
});

function peer(namenodeId: string, host: string, fencingMethods: string): FencingTargetConfig {
  const target: NamenodeTarget = {
    nameserviceId: 'ns1',
    namenodeId,
    serviceAddress: { host, port: 8020 },
    zkfcPort: 8019,
  };
  return { target, fencingMethods, conf: new Map() };
}

function preflight(targets: FencingTargetConfig[], overrides: Partial<FencingPreflightOptions> = {}): FencingPreflight {
  return new FencingPreflight({
    targets,
    ssh: { privateKeyFiles: [sshd.clientKeyPath], connectTimeoutMs: 5000 },
    checkTimeoutMs: 5000,
    shellBaseEnv: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: '/root' },
    clock: realClock,
    logger: captureLogger().logger,
    ...overrides,
  });
}

const byMethod = (readiness: readonly FencingReadiness[], method: string) =>
  readiness.find((entry) => entry.method === method);

describe('preflight: sshfence', () => {
  it('is ready when every peer accepts the key and has fuser and nc', async () => {
    const method = `sshfence(${sshd.user}:${sshd.port})`;
    const check = preflight([peer('nn2', '127.0.0.1', method), peer('nn3', 'localhost', method)]);
    expect(check.readiness()).toEqual([{ method, ready: false, detail: 'not checked yet', checkedAtMs: null }]);
    const before = Date.now();
    const entry = byMethod(await check.runOnce(), method);
    expect(entry).toMatchObject({ ready: true });
    expect(entry?.checkedAtMs).toBeGreaterThanOrEqual(before);
    expect(entry?.targets).toEqual([
      { namenodeId: 'nn2', ready: true, detail: `ssh to ${sshd.user}@127.0.0.1:${sshd.port} ok, fuser and nc found` },
      { namenodeId: 'nn3', ready: true, detail: `ssh to ${sshd.user}@localhost:${sshd.port} ok, fuser and nc found` },
    ]);
  });

  it('is not ready when one peer is unreachable, and says which', async () => {
    const method = `sshfence(${sshd.user}:${sshd.port})`;
    // sshd listens on 127.0.0.1 only: another loopback address refuses the connection.
    const entry = byMethod(
      await preflight([peer('nn2', '127.0.0.1', method), peer('nn3', '127.0.0.2', method)]).runOnce(),
      method,
    );
    expect(entry?.ready).toBe(false);
    expect(entry?.targets?.map((t) => [t.namenodeId, t.ready])).toEqual([
      ['nn2', true],
      ['nn3', false],
    ]);
    expect(entry?.detail).toMatch(/nn3: unable to connect to .*127\.0\.0\.2.*ECONNREFUSED/);
  });

  it('is not ready when the key is refused', async () => {
    const method = `sshfence(${sshd.user}:${sshd.port})`;
    const check = preflight([peer('nn2', '127.0.0.1', method)], {
      ssh: { privateKeyFiles: [sshd.createUnauthorizedKey('preflight-wrong')] },
    });
    const entry = byMethod(await check.runOnce(), method);
    expect(entry).toMatchObject({ ready: false, detail: expect.stringContaining('authentication methods failed') });
  });

  it('is not ready when fuser and nc are missing on the peer', async () => {
    const method = `sshfence(${bareSshd.user}:${bareSshd.port})`;
    const check = preflight([peer('nn2', '127.0.0.1', method)], { ssh: { privateKeyFiles: [bareSshd.clientKeyPath] } });
    const entry = byMethod(await check.runOnce(), method);
    expect(entry).toMatchObject({
      ready: false,
      detail: expect.stringContaining('fuser and nc not found on the host'),
    });
  });

  it('does not connect to a host name that is not a plain host name', async () => {
    const method = `sshfence(${sshd.user}:${sshd.port})`;
    const entry = byMethod(await preflight([peer('nn2', '127.0.0.1;reboot', method)]).runOnce(), method);
    expect(entry).toMatchObject({ ready: false, detail: expect.stringContaining('not a valid host name') });
  });

  it('fails fast when the ssh port is closed', async () => {
    const method = `sshfence(${sshd.user}:${await freePort()})`;
    const started = performance.now();
    const entry = byMethod(
      await preflight([peer('nn2', '127.0.0.1', method)], { checkTimeoutMs: 1000 }).runOnce(),
      method,
    );
    expect(entry?.ready).toBe(false);
    expect(performance.now() - started).toBeLessThan(3000);
  });
});

describe('preflight: shell', () => {
  it.each<[string, boolean, string | RegExp]>([
    ['shell(/bin/true)', true, '"/bin/true" is a file'],
    ['shell(true)', true, '"true" is a builtin'],
    ['shell(echo $target_host)', true, '"echo" is a builtin'],
    ['shell(FOO=1 sleep 1)', true, '"sleep" is a file'],
    ['shell(if true; then exit 0; fi)', true, '"if" is a keyword'],
    ['shell(zkfc-no-such-command --kill)', false, '"zkfc-no-such-command" not found'],
    [`shell(${nonExecutable} --now)`, false, `"${nonExecutable}" not found`],
    ['shell(/etc)', false, '"/etc" not found'],
    ['shell(/nonexistent/fence.sh)', false, '"/nonexistent/fence.sh" not found'],
    ['shell($HOME/bin/fence.sh)', true, 'computed when the command runs; not checked'],
    ['shell(/bin/true,/bin/false)', false, 'Unexpected HA service state:null'],
  ])('%s → ready=%s', async (method, ready, detail) => {
    const entry = byMethod(await preflight([peer('nn2', 'nn2.example.com', method)]).runOnce(), method);
    expect(entry?.ready).toBe(ready);
    if (typeof detail === 'string') expect(entry?.detail).toContain(detail);
    else expect(entry?.detail).toMatch(detail);
  });

  it('is not ready when bash cannot be started', async () => {
    const method = 'shell(/bin/true)';
    const entry = byMethod(
      await preflight([peer('nn2', 'nn2.example.com', method)], { shellBaseEnv: { PATH: emptyBin } }).runOnce(),
      method,
    );
    expect(entry).toMatchObject({ ready: false, detail: expect.stringContaining('cannot start bash') });
  });

  it('never runs the command itself (a command substitution in the first word is not evaluated)', async () => {
    const marker = join(emptyBin, 'ran');
    const method = `shell($(touch ${marker}))`;
    await preflight([peer('nn2', 'nn2.example.com', method)]).runOnce();
    const { existsSync } = await import('node:fs');
    expect(existsSync(marker)).toBe(false);
  });

  it.each<[string, ReturnType<typeof firstWord>]>([
    ['/bin/true', { kind: 'word', text: '/bin/true' }],
    ['  A=1 B=2 "/opt/fence" --x', { kind: 'word', text: '/opt/fence' }],
    ["'run me'", { kind: 'dynamic', text: "'run" }],
    ['`id`', { kind: 'dynamic', text: '`id`' }],
    ['   ', { kind: 'empty' }],
  ])('firstWord(%j)', (command, expected) => {
    expect(firstWord(command)).toEqual(expected);
  });
});

describe('preflight: scheduling and listeners', () => {
  it('lists each method once across peers, in configuration order', () => {
    const check = preflight([
      peer('nn2', 'a', 'shell(true)\nshell(/bin/true)'),
      peer('nn3', 'b', 'shell(/bin/true)\nshell(echo)'),
    ]);
    expect(check.readiness().map((entry) => entry.method)).toEqual(['shell(true)', 'shell(/bin/true)', 'shell(echo)']);
  });

  it('never overlaps runs and notifies onChange only when something changed', async () => {
    const check = preflight([peer('nn2', 'a', 'shell(true)')]);
    const changes: number[] = [];
    const runs: number[] = [];
    check.onChange((readiness) => changes.push(readiness.length));
    check.onRun((readiness) => runs.push(readiness.length));
    const [first, second] = [check.runOnce(), check.runOnce()];
    expect(first).toBe(second);
    await first;
    await check.runOnce();
    expect(runs).toEqual([1, 1]);
    expect(changes).toEqual([1]);
  });

  it('runs periodically after start() and stops after stop()', async () => {
    const check = preflight([peer('nn2', 'a', 'shell(true)')], { intervalMs: 100 });
    let runs = 0;
    check.onRun(() => runs++);
    check.start();
    await sleep(700);
    await check.stop();
    const afterStop = runs;
    expect(afterStop).toBeGreaterThanOrEqual(2);
    await sleep(300);
    expect(runs).toBe(afterStop);
  });
});
