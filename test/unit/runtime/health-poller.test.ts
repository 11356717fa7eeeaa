// Goal: the health poller follows Hadoop's HealthMonitor cadence and classification: healthy and
// unhealthy rounds one check interval apart on one connection; anything else (refused, timed out,
// lost, a client that throws) drops the connection and retries after sleep-after-disconnect; a
// client that cannot be created is retried after the connect-retry interval; a connection that
// closes between rounds starts the next round at once (probe-on-disconnect), or not when that is
// off; rounds never overlap; stop() ends everything.
// Method: HealthPoller on a ManualClock with a scripted NameNode behind a fake client factory
// (the HAServiceClient port: answers, HaCallError kinds, connection-closed notifications). Time
// moves only by clock.advance, so every cadence is asserted to the millisecond.

import { afterEach, describe, expect, it } from 'vitest';
import type { HealthProbe } from '../../../src/core/health/health-monitor.js';
import type { HAServiceState, HostPort, ServiceStatus } from '../../../src/core/types.js';
import { HealthPoller, type HealthPollerSettings } from '../../../src/runtime/health-poller.js';
import { HaCallError, type HAServiceClient, type HaCallErrorKind } from '../../../src/runtime/ports.js';
import { ManualClock } from '../../../tools/testing/clock.js';

const ADDRESS: HostPort = { host: 'nn1.example.com', port: 8020 };
const WHERE = 'nn1.example.com:8020';

const SETTINGS: HealthPollerSettings = {
  checkIntervalMs: 1000,
  connectRetryIntervalMs: 300,
  rpcTimeoutMs: 45_000,
  sleepAfterDisconnectMs: 700,
  probeOnDisconnect: true,
};

/** How the scripted NameNode answers the next calls. */
type Behaviour =
  | { readonly kind: 'healthy'; readonly state: HAServiceState }
  | {
      readonly kind: 'fail';
      readonly error: HaCallErrorKind;
      readonly message: string;
      readonly onCall: 'getServiceStatus' | 'monitorHealth';
    }
  | { readonly kind: 'throw'; readonly error: Error }
  | { readonly kind: 'hang' };

/** One client the poller made: its calls, whether it was closed, and a way to close its connection. */
class FakeClient implements HAServiceClient {
  readonly address = ADDRESS;
  readonly calls: string[] = [];
  closed = false;
  private readonly listeners = new Set<(reason: Error) => void>();
  private readonly held: ((error: Error) => void)[] = [];

  constructor(private readonly nn: ScriptedNameNode) {}

  getServiceStatus(): Promise<ServiceStatus> {
    this.calls.push('getServiceStatus');
    return this.answer('getServiceStatus', (state) => ({ state, readyToBecomeActive: true }));
  }

  monitorHealth(): Promise<void> {
    this.calls.push('monitorHealth');
    return this.answer('monitorHealth', () => undefined);
  }

  transitionToActive(): Promise<void> {
    return Promise.reject(new Error('not used by the health poller'));
  }

  transitionToStandby(): Promise<void> {
    return Promise.reject(new Error('not used by the health poller'));
  }

  transitionToObserver(): Promise<void> {
    return Promise.reject(new Error('not used by the health poller'));
  }

  onConnectionClosed(listener: (reason: Error) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    if (this.nn.closeThrows) throw new Error('close failed');
    this.closed = true;
  }

  /** The NameNode went away: held calls fail as a lost connection and listeners hear of it. */
  connectionLost(): void {
    const reason = new HaCallError('unreachable', `connection to ${WHERE} closed by peer`, WHERE, false);
    for (const fail of this.held.splice(0)) fail(reason);
    for (const listener of [...this.listeners]) listener(reason);
  }

  private answer<T>(method: 'getServiceStatus' | 'monitorHealth', value: (state: HAServiceState) => T): Promise<T> {
    const behaviour = this.nn.behaviour;
    switch (behaviour.kind) {
      case 'healthy':
        return Promise.resolve(value(behaviour.state));
      case 'fail':
        if (behaviour.onCall !== method) return Promise.resolve(value('STANDBY'));
        return Promise.reject(
          new HaCallError(behaviour.error, behaviour.message, WHERE, behaviour.error === 'unreachable'),
        );
      case 'throw':
        return Promise.reject(behaviour.error);
      case 'hang':
        return new Promise<T>((_resolve, reject) => this.held.push(reject));
    }
  }
}

class ScriptedNameNode {
  behaviour: Behaviour = { kind: 'healthy', state: 'STANDBY' };
  closeThrows = false;
  readonly clients: FakeClient[] = [];
  /** When set, creating a client throws this (a bad address). */
  createFails: Error | undefined;
  createAttempts = 0;

  create(): HAServiceClient {
    this.createAttempts++;
    if (this.createFails !== undefined) throw this.createFails;
    const client = new FakeClient(this);
    this.clients.push(client);
    return client;
  }

  get current(): FakeClient {
    const client = this.clients.at(-1);
    if (client === undefined) throw new Error('no client made yet');
    return client;
  }
}

interface Probe {
  readonly probe: HealthProbe;
  readonly atMs: number;
}

const pollers: HealthPoller[] = [];
afterEach(() => {
  for (const poller of pollers.splice(0)) poller.stop();
});

function setup(settings: Partial<HealthPollerSettings> = {}) {
  const clock = new ManualClock();
  const nn = new ScriptedNameNode();
  const probes: Probe[] = [];
  const failures: string[] = [];
  const poller = new HealthPoller({
    clock,
    createClient: () => nn.create(),
    health: { ...SETTINGS, ...settings },
    onProbe: (probe) => probes.push({ probe, atMs: clock.monotonicMs() }),
    onFailed: (reason) => failures.push(reason),
  });
  pollers.push(poller);
  /** Let the promises of the round in progress settle (the fake answers in microtasks). */
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 10; i++) await Promise.resolve();
  };
  /** Advance the clock by `ms`, then let the round it started finish. */
  const advance = async (ms: number): Promise<void> => {
    clock.advance(ms);
    await settle();
  };
  const kinds = () => probes.map((p) => `${p.atMs}:${p.probe.kind}`);
  return { clock, nn, poller, probes, failures, advance, settle, kinds };
}

describe('HealthPoller (Hadoop HealthMonitor cadence, on a manual clock)', () => {
  it(
    'probes at once, then one check interval apart, ' + 'getServiceStatus before monitorHealth, on one connection',
    async () => {
      const { nn, poller, probes, advance, kinds } = setup();
      poller.start();
      await advance(0);
      await advance(1000);
      await advance(999);
      expect(kinds()).toEqual(['0:healthy', '1000:healthy']);
      await advance(1);
      expect(kinds()).toEqual(['0:healthy', '1000:healthy', '2000:healthy']);
      expect(probes[0]?.probe).toEqual({ kind: 'healthy', status: { state: 'STANDBY', readyToBecomeActive: true } });
      expect(nn.clients).toHaveLength(1);
      expect(nn.current.calls).toEqual([
        'getServiceStatus',
        'monitorHealth',
        'getServiceStatus',
        'monitorHealth',
        'getServiceStatus',
        'monitorHealth',
      ]);
    },
  );

  it(
    'unhealthy (the NameNode says so): its message is the reason, the ' +
      'status is kept, the connection too, next round after the check interval',
    async () => {
      const { nn, poller, probes, advance, kinds } = setup();
      nn.behaviour = {
        kind: 'fail',
        error: 'unhealthy',
        message: 'The NameNode has no resources available',
        onCall: 'monitorHealth',
      };
      poller.start();
      await advance(0);
      await advance(1000);
      expect(kinds()).toEqual(['0:unhealthy', '1000:unhealthy']);
      expect(probes[0]?.probe).toEqual({
        kind: 'unhealthy',
        reason: 'The NameNode has no resources available',
        status: { state: 'STANDBY', readyToBecomeActive: true },
      });
      expect(nn.clients).toHaveLength(1);
      expect(nn.current.closed).toBe(false);
    },
  );

  it.each([
    ['refused (ServiceFailedException)', 'refused'],
    ['failed (AccessControlException, RetriableException...)', 'failed'],
    ['unreachable', 'unreachable'],
    ['timed out', 'timedOut'],
  ] as const)(
    '%s is not responding: the client is closed, a new one is made after sleep-after-disconnect',
    async (_name, error) => {
      const { nn, poller, probes, advance, kinds } = setup();
      nn.behaviour = { kind: 'fail', error, message: `answer: ${error}`, onCall: 'getServiceStatus' };
      poller.start();
      await advance(0);
      expect(probes[0]?.probe).toEqual({ kind: 'unreachable', reason: `answer: ${error}` });
      expect(nn.clients[0]?.closed).toBe(true);
      await advance(699);
      expect(nn.clients).toHaveLength(1);
      nn.behaviour = { kind: 'healthy', state: 'ACTIVE' };
      await advance(1);
      expect(kinds()).toEqual(['0:unreachable', '700:healthy']);
      expect(nn.clients).toHaveLength(2);
    },
  );

  it('an unexpected exception from the client (not a port error) also counts as not responding', async () => {
    const { nn, poller, probes, advance } = setup();
    nn.behaviour = { kind: 'throw', error: new TypeError('bug in a client') };
    poller.start();
    await advance(0);
    expect(probes.map((p) => p.probe)).toEqual([{ kind: 'unreachable', reason: 'bug in a client' }]);
    expect(nn.clients[0]?.closed).toBe(true);
  });

  it(
    'a client that cannot be created counts as not responding ' + 'and is retried after the connect-retry interval',
    async () => {
      const { nn, poller, probes, advance, kinds } = setup();
      nn.createFails = new Error('bad address nn9.invalid');
      poller.start();
      await advance(0);
      await advance(300);
      await advance(300);
      expect(nn.createAttempts).toBe(3);
      expect(kinds()).toEqual(['0:unreachable', '300:unreachable', '600:unreachable']);
      expect(probes[0]?.probe).toEqual({
        kind: 'unreachable',
        reason: 'Could not connect to local service: bad address nn9.invalid',
      });
    },
  );

  it(
    'a connection that closes between rounds starts the ' + 'next round at once instead of a check interval later',
    async () => {
      const { nn, poller, advance, kinds } = setup({ checkIntervalMs: 10_000 });
      poller.start();
      await advance(0);
      await advance(1000);
      nn.behaviour = { kind: 'fail', error: 'unreachable', message: 'connect refused', onCall: 'getServiceStatus' };
      nn.current.connectionLost();
      await advance(0);
      expect(kinds()).toEqual(['0:healthy', '1000:unreachable']);
    },
  );

  it('a close right after a round waits out the minimum spacing (50 ms after that round started)', async () => {
    const { nn, poller, advance, kinds } = setup({ checkIntervalMs: 10_000 });
    poller.start();
    await advance(0);
    await advance(10);
    nn.behaviour = { kind: 'fail', error: 'unreachable', message: 'connect refused', onCall: 'getServiceStatus' };
    nn.current.connectionLost();
    await advance(39);
    expect(kinds()).toEqual(['0:healthy']);
    await advance(1);
    expect(kinds()).toEqual(['0:healthy', '50:unreachable']);
  });

  it(
    'with probe-on-disconnect off, a closed connection ' + "is noticed only by the next round (Hadoop's cadence)",
    async () => {
      const { nn, poller, advance, kinds } = setup({ checkIntervalMs: 1500, probeOnDisconnect: false });
      poller.start();
      await advance(0);
      await advance(200);
      nn.behaviour = { kind: 'fail', error: 'unreachable', message: 'connection closed', onCall: 'getServiceStatus' };
      nn.current.connectionLost();
      await advance(1299);
      expect(kinds()).toEqual(['0:healthy']);
      await advance(1);
      expect(kinds()).toEqual(['0:healthy', '1500:unreachable']);
    },
  );

  it('a round never overlaps another: a hung call holds the cadence, a close during it answers it', async () => {
    const { nn, poller, advance, kinds, clock } = setup();
    poller.start();
    await advance(0);
    nn.behaviour = { kind: 'hang' };
    await advance(1000);
    // The round of t=1000 waits on the NameNode (the RPC timeout bounds it in production).
    await advance(5000);
    expect(kinds()).toEqual(['0:healthy']);
    expect(clock.pendingTimers).toBe(0);
    expect(nn.current.calls).toEqual(['getServiceStatus', 'monitorHealth', 'getServiceStatus']);
    nn.behaviour = { kind: 'healthy', state: 'STANDBY' };
    nn.current.connectionLost();
    await advance(0);
    expect(kinds()).toEqual(['0:healthy', '6000:unreachable']);
    await advance(700);
    expect(kinds()).toEqual(['0:healthy', '6000:unreachable', '6700:healthy']);
  });

  it('stop() cancels the next round and closes the client; start() again resumes', async () => {
    const { nn, poller, advance, kinds, clock } = setup();
    poller.start();
    await advance(0);
    poller.stop();
    expect(poller.isRunning).toBe(false);
    expect(clock.pendingTimers).toBe(0);
    expect(nn.current.closed).toBe(true);
    await advance(5000);
    expect(kinds()).toEqual(['0:healthy']);
    poller.start();
    await advance(0);
    expect(kinds()).toEqual(['0:healthy', '5000:healthy']);
    expect(nn.clients).toHaveLength(2);
  });

  it('a round that ends after stop() reports nothing', async () => {
    const { nn, poller, advance, kinds } = setup();
    nn.behaviour = { kind: 'hang' };
    poller.start();
    await advance(0);
    poller.stop();
    nn.clients[0]?.connectionLost();
    await advance(0);
    expect(kinds()).toEqual([]);
  });

  it('the poller breaking itself (closing a client throws) reports HEALTH_MONITOR_FAILED once and stops', async () => {
    const { nn, poller, advance, failures, kinds } = setup();
    nn.behaviour = { kind: 'fail', error: 'unreachable', message: 'connect refused', onCall: 'getServiceStatus' };
    nn.closeThrows = true;
    poller.start();
    await advance(0);
    await advance(10_000);
    expect(failures).toEqual(['health poller failed: close failed']);
    expect(kinds()).toEqual([]);
    expect(poller.isRunning).toBe(false);
    nn.closeThrows = false;
  });
});
