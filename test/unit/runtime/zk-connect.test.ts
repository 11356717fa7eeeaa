// Goal: the start-up session is handed over, not duplicated: AdoptingZkSessionFactory keeps the
// session connect() opened, gives it to the next open() with its `connected` event (and any event
// since) replayed to the new listener, sends later opens to the wrapped factory, and closes a
// session nobody adopted; a first outcome other than connected rejects naming the quorum key.
// Method: a scripted ZkSessionFactory whose sessions record their listener and close calls.
import { describe, expect, it } from 'vitest';
import type { ZkSession, ZkSessionEvent, ZkSessionFactory, ZkSessionOptions } from '../../../src/runtime/ports.js';
import { AdoptingZkSessionFactory, ZkUnavailableError } from '../../../src/runtime/zk-connect.js';

const options: ZkSessionOptions = {
  connectString: 'zk1:2181',
  sessionTimeoutMs: 1000,
  authInfo: [],
  operationTimeoutMs: 1000,
};

class ScriptedFactory implements ZkSessionFactory {
  readonly opened: { session: ZkSession; emit: (state: ZkSessionEvent['state']) => void; closed: () => boolean }[] = [];
  open(_options: ZkSessionOptions, listener: (event: ZkSessionEvent) => void): ZkSession {
    const epoch = this.opened.length + 1;
    let closed = false;
    const session = {
      epoch,
      close: async () => {
        closed = true;
      },
    } as unknown as ZkSession;
    this.opened.push({ session, emit: (state) => listener({ epoch, state }), closed: () => closed });
    return session;
  }
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('AdoptingZkSessionFactory', () => {
  it('hands the start-up session to the next open(), replaying its events; later opens are fresh', async () => {
    const inner = new ScriptedFactory();
    const factory = new AdoptingZkSessionFactory(inner);
    const connecting = factory.connect(options);
    inner.opened[0]!.emit('connected');
    const first = await connecting;
    inner.opened[0]!.emit('disconnected'); // before anyone adopted it
    expect(factory.keptSession()).toBe(first);

    const seen: string[] = [];
    const adopted = factory.open(options, (event) => seen.push(event.state));
    expect(adopted).toBe(first);
    expect(inner.opened).toHaveLength(1);
    await flush();
    expect(seen).toEqual(['connected', 'disconnected']);
    inner.opened[0]!.emit('connected');
    expect(seen).toEqual(['connected', 'disconnected', 'connected']);

    const second = factory.open(options, () => {});
    expect(second).not.toBe(first);
    expect(inner.opened).toHaveLength(2);
    expect(factory.keptSession()).toBeUndefined();
  });

  it('closes a kept session on discard, and rejects when the first event is not connected', async () => {
    const inner = new ScriptedFactory();
    const factory = new AdoptingZkSessionFactory(inner);
    const connecting = factory.connect(options);
    inner.opened[0]!.emit('connected');
    await connecting;
    await factory.discard();
    expect(inner.opened[0]!.closed()).toBe(true);
    expect(factory.keptSession()).toBeUndefined();

    const failing = factory.connect(options);
    inner.opened[1]!.emit('connectTimedOut');
    await expect(failing).rejects.toBeInstanceOf(ZkUnavailableError);
    await expect(failing).rejects.toThrow(/zk1:2181.*ha\.zookeeper\.quorum/s);
    expect(inner.opened[1]!.closed()).toBe(true);
  });
});
