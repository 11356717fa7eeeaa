// Goal: NodeFencer follows Hadoop's fenceOldActive + NodeFencer.fence: graceful transitionToStandby
// first (success: no method runs), then the configured methods in order with the first success
// winning, every attempt recorded, logged ("step i/n") and reported to the listener; it refuses
// targets that are not configured NameNodes, bounds the graceful step, reproduces the 3.3+ shell
// comma failure, and serializes runs. Method: a small in-memory HAServiceClientFactory (the
// graceful step's NameNode answers as scripted), real bash for shell(...) methods (markers in a
// temp directory show what ran), and one sshfence run against a real sshd killing a real listener.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostPort, NamenodeTarget } from '../../../src/core/types.js';
import { NodeFencer, type FencingTargetConfig, type NodeFencerOptions } from '../../../src/fencing/node-fencer.js';
import {
  HaCallError,
  type FenceAttempt,
  type HAServiceClient,
  type HAServiceClientFactory,
} from '../../../src/runtime/ports.js';
import { startSshd, type SshdHarness } from '../../../tools/testing/sshd.js';
import { captureLogger, spawnListener } from './helpers.js';
import { realClock } from '../../../tools/testing/clock.js';
import { NN1 as nn1, NN2 as nn2 } from '../../support/namenode-targets.js';

const dir = mkdtempSync(join(tmpdir(), 'zkfc-node-fencer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface StandbyCall {
  readonly address: HostPort;
  readonly connectTimeoutMs: number | undefined;
  readonly source: string;
  readonly timeoutMs: number;
}

/** The graceful step's NameNode: transitionToStandby answers with `answer()`. */
class ScriptedHAFactory implements HAServiceClientFactory {
  readonly calls: StandbyCall[] = [];
  closed = 0;
  constructor(public answer: (call: StandbyCall) => Promise<void>) {}
  create(address: HostPort, options?: { readonly connectTimeoutMs?: number }): HAServiceClient {
    const unused = (): Promise<never> => Promise.reject(new Error('not used by fencing'));
    return {
      address,
      monitorHealth: unused,
      getServiceStatus: unused,
      transitionToActive: unused,
      transitionToObserver: unused,
      transitionToStandby: (source, timeoutMs) => {
        const call = { address, connectTimeoutMs: options?.connectTimeoutMs, source, timeoutMs };
        this.calls.push(call);
        return this.answer(call);
      },
      onConnectionClosed: () => () => undefined,
      close: () => {
        this.closed++;
      },
    };
  }
}

const refuses = () =>
  Promise.reject(new HaCallError('refused', 'Cannot transition: disk full', 'nn2.example.com:8020', false));
const refusedConnect = () =>
  Promise.reject(new HaCallError('unreachable', 'connect refused', 'nn2.example.com:8020', true));

function fencer(
  methods: string | undefined,
  factory: HAServiceClientFactory,
  overrides: Partial<NodeFencerOptions> = {},
) {
  const attempts: FenceAttempt[] = [];
  const captured = captureLogger();
  const targets: FencingTargetConfig[] = [
    { target: nn1, fencingMethods: 'shell(true)', conf: new Map() },
    { target: nn2, fencingMethods: methods, conf: new Map([['dfs.ha.namenode.id', 'nn2']]) },
  ];
  const instance = new NodeFencer({
    targets,
    haServiceClientFactory: factory,
    clock: realClock,
    logger: captured.logger,
    gracefulFence: { rpcTimeoutMs: 300, connectionRetries: 1, retryIntervalMs: 50 },
    shell: { baseEnv: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' } },
    onAttempt: (attempt) => attempts.push(attempt),
    ...overrides,
  });
  return { instance, attempts, captured };
}

const marker = (name: string) => join(dir, name);

describe('NodeFencer: graceful step', () => {
  it('stops after a successful graceful transitionToStandby: no method runs', async () => {
    const factory = new ScriptedHAFactory(() => Promise.resolve());
    const { instance, attempts } = fencer(`shell(touch ${marker('graceful-ran-method')})`, factory);
    const outcome = await instance.fenceOldActive(nn2);
    expect(outcome).toMatchObject({ fenced: true, graceful: true });
    expect(outcome.attempts.map((a) => [a.method, a.outcome])).toEqual([['graceful', 'success']]);
    expect(attempts).toEqual(outcome.attempts);
    expect(existsSync(marker('graceful-ran-method'))).toBe(false);
    expect(factory.calls).toEqual([
      { address: nn2.serviceAddress, connectTimeoutMs: 300, source: 'REQUEST_BY_ZKFC', timeoutMs: 300 },
    ]);
    expect(factory.closed).toBe(1);
  });

  it('retries a refused connect connectionRetries times, then runs the methods', async () => {
    const factory = new ScriptedHAFactory(refusedConnect);
    const { instance } = fencer('shell(true)', factory);
    const outcome = await instance.fenceOldActive(nn2);
    expect(factory.calls).toHaveLength(2);
    expect(outcome.attempts.map((a) => [a.method, a.outcome])).toEqual([
      ['graceful', 'error'],
      ['shell(true)', 'success'],
    ]);
    expect(outcome).toMatchObject({ fenced: true, graceful: false });
  });

  it('does not retry when the NameNode answered with a refusal', async () => {
    const factory = new ScriptedHAFactory(refuses);
    const { instance } = fencer('shell(true)', factory);
    const outcome = await instance.fenceOldActive(nn2);
    expect(factory.calls).toHaveLength(1);
    expect(outcome.attempts[0]).toMatchObject({
      method: 'graceful',
      outcome: 'failure',
      detail: expect.stringContaining('refused transitionToStandby: Cannot transition: disk full'),
    });
  });

  it('bounds a graceful call that never answers', async () => {
    const factory = new ScriptedHAFactory(() => new Promise<void>(() => undefined));
    const { instance } = fencer('shell(true)', factory);
    const started = performance.now();
    const outcome = await instance.fenceOldActive(nn2);
    // Backstop: 2 x rpcTimeout + 1 s when the client ignores its own timeout.
    expect(performance.now() - started).toBeLessThan(4000);
    expect(outcome.attempts[0]).toMatchObject({ method: 'graceful', outcome: 'timeout' });
    expect(outcome.fenced).toBe(true);
  });
});

describe('NodeFencer: methods', () => {
  it('tries methods in order; the first success wins and later ones do not run', async () => {
    const factory = new ScriptedHAFactory(refuses);
    const methods = [
      '# comment line',
      `shell(touch ${marker('m1')}; exit 1)`,
      `shell(touch ${marker('m2')})`,
      `shell(touch ${marker('m3')})`,
    ].join('\n');
    const { instance, attempts, captured } = fencer(methods, factory);
    const outcome = await instance.fenceOldActive(nn2);
    expect(outcome).toMatchObject({ fenced: true, graceful: false });
    expect(outcome.attempts.map((a) => [a.method, a.outcome])).toEqual([
      ['graceful', 'failure'],
      [`shell(touch ${marker('m1')}; exit 1)`, 'failure'],
      [`shell(touch ${marker('m2')})`, 'success'],
    ]);
    for (const attempt of outcome.attempts) expect(attempt.durationMs).toBeGreaterThanOrEqual(0);
    expect(attempts).toEqual(outcome.attempts);
    expect([existsSync(marker('m1')), existsSync(marker('m2')), existsSync(marker('m3'))]).toEqual([true, true, false]);
    const steps = captured
      .records()
      .filter((r) => r['msg'] === 'trying fencing method')
      .map((r) => r['step']);
    expect(steps).toEqual(['1/3', '2/3']);
  });

  it('reports not fenced when every method fails', async () => {
    const { instance, captured } = fencer('shell(exit 1)\nshell(exit 2)', new ScriptedHAFactory(refuses));
    const outcome = await instance.fenceOldActive(nn2);
    expect(outcome).toMatchObject({ fenced: false, graceful: false });
    expect(outcome.attempts.map((a) => a.outcome)).toEqual(['failure', 'failure', 'failure']);
    expect(captured.records().some((r) => r['msg'] === 'unable to fence service by any configured method')).toBe(true);
  });

  it('fails a shell command with exactly one comma as Hadoop 3.3+ does, then tries the next method', async () => {
    const { instance } = fencer(
      `shell(touch ${marker('comma-a')},touch ${marker('comma-b')})\nshell(true)`,
      new ScriptedHAFactory(refuses),
    );
    const outcome = await instance.fenceOldActive(nn2);
    expect(outcome.attempts[1]).toMatchObject({ outcome: 'error', detail: 'Unexpected HA service state:null' });
    expect(outcome.fenced).toBe(true);
    expect(existsSync(marker('comma-a')) || existsSync(marker('comma-b'))).toBe(false);
  });

  it('exports the target configuration to shell methods', async () => {
    const out = marker('conf-env');
    const { instance } = fencer(
      `shell(printf %s "$dfs_ha_namenode_id:$target_namenodeid" > ${out})`,
      new ScriptedHAFactory(refuses),
    );
    expect((await instance.fenceOldActive(nn2)).fenced).toBe(true);
    expect(readFileSync(out, 'utf8')).toBe('nn2:nn2');
  });

  it.each<[string, string | undefined, RegExp]>([
    ['missing', undefined, /dfs.ha.fencing.methods is not set/],
    ['unparsable', 'sshfence()', /Unable to parse line: 'sshfence\(\)'/],
    ['a Java class', 'com.example.Fencer', /cannot run Java FenceMethod class com.example.Fencer/],
  ])('records a %s fencing configuration as a failure after the graceful step', async (_name, methods, detail) => {
    const factory = new ScriptedHAFactory(refuses);
    const { instance } = fencer(methods, factory);
    const outcome = await instance.fenceOldActive(nn2);
    expect(factory.calls).toHaveLength(1);
    expect(outcome).toMatchObject({ fenced: false, graceful: false });
    expect(outcome.attempts[1]).toMatchObject({
      method: 'config-check',
      outcome: 'error',
      detail: expect.stringMatching(detail),
    });
  });
});

describe('NodeFencer: safety', () => {
  it.each<[string, NamenodeTarget]>([
    [
      'a hostile host name from the breadcrumb',
      { ...nn2, serviceAddress: { host: `nn2.example.com;touch ${marker('pwned')}`, port: 8020 } },
    ],
    ['another port', { ...nn2, serviceAddress: { host: 'nn2.example.com', port: 8021 } }],
    ['an unknown NameNode id', { ...nn2, namenodeId: 'nn9' }],
    ['another nameservice', { ...nn2, nameserviceId: 'ns2' }],
  ])('refuses %s without any RPC or method', async (_name, target) => {
    const factory = new ScriptedHAFactory(() => Promise.resolve());
    const { instance, attempts } = fencer(`shell(touch ${marker('refused-ran')})`, factory);
    const outcome = await instance.fenceOldActive(target);
    expect(outcome).toEqual({
      fenced: false,
      graceful: false,
      attempts: [expect.objectContaining({ method: 'target-check', outcome: 'error' })],
    });
    expect(outcome.attempts[0]?.detail).toContain('not a configured NameNode');
    expect(attempts).toHaveLength(1);
    expect(factory.calls).toHaveLength(0);
    expect(existsSync(marker('refused-ran'))).toBe(false);
    expect(existsSync(marker('pwned'))).toBe(false);
  });

  it('matches host names case-insensitively and then uses the configured target', async () => {
    const factory = new ScriptedHAFactory(() => Promise.resolve());
    const { instance } = fencer('shell(true)', factory);
    const outcome = await instance.fenceOldActive({ ...nn2, serviceAddress: { host: 'NN2.Example.COM', port: 8020 } });
    expect(outcome.graceful).toBe(true);
    expect(factory.calls[0]?.address).toEqual(nn2.serviceAddress);
  });

  it('survives a listener that throws', async () => {
    const { instance } = fencer('shell(true)', new ScriptedHAFactory(refuses), {
      onAttempt: () => {
        throw new Error('metrics broke');
      },
    });
    expect((await instance.fenceOldActive(nn2)).fenced).toBe(true);
  });

  it('serializes concurrent runs', async () => {
    const log = marker('serial');
    const { instance } = fencer(
      `shell(echo start >> ${log}; sleep 0.3; echo end >> ${log})`,
      new ScriptedHAFactory(refuses),
    );
    const outcomes = await Promise.all([instance.fenceOldActive(nn2), instance.fenceOldActive(nn2)]);
    expect(outcomes.map((o) => o.fenced)).toEqual([true, true]);
    expect(readFileSync(log, 'utf8')).toBe('start\nend\nstart\nend\n');
  });
});

describe('NodeFencer with sshfence against a real sshd', () => {
  let sshd: SshdHarness;
  beforeAll(async () => {
    sshd = await startSshd();
  });
  afterAll(async () => {
    await sshd?.stop();
  });

  it('falls through a failing method to sshfence, which kills the old active', async () => {
    const listener = await spawnListener();
    try {
      const target: NamenodeTarget = {
        nameserviceId: 'ns1',
        namenodeId: 'nn2',
        serviceAddress: { host: '127.0.0.1', port: listener.port },
        zkfcPort: 8019,
      };
      const instance = new NodeFencer({
        targets: [{ target, fencingMethods: `shell(exit 1)\nsshfence(${sshd.user}:${sshd.port})`, conf: new Map() }],
        haServiceClientFactory: new ScriptedHAFactory(refusedConnect),
        clock: realClock,
        logger: captureLogger().logger,
        gracefulFence: { rpcTimeoutMs: 300, connectionRetries: 0 },
        ssh: { privateKeyFiles: [sshd.clientKeyPath], connectTimeoutMs: 10_000, commandTimeoutMs: 15_000 },
      });
      const outcome = await instance.fenceOldActive(target);
      expect(outcome.attempts.map((a) => [a.method, a.outcome])).toEqual([
        ['graceful', 'error'],
        ['shell(exit 1)', 'failure'],
        [`sshfence(${sshd.user}:${sshd.port})`, 'success'],
      ]);
      expect(outcome).toMatchObject({ fenced: true, graceful: false });
      expect(await listener.exited).toEqual({ code: null, signal: 'SIGKILL' });
    } finally {
      listener.kill();
    }
  });
});
