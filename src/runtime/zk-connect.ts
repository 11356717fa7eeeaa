// "Connect once or fail": open one ZooKeeper session and wait until it connects within the session
// timeout; any other first outcome (expired, auth failed, connect timed out) closes it and rejects.
// Used for -formatZK, for the daemon's connection at start-up (ZKFailoverController:
// ERR_CODE_NO_ZK, exit 6, unless zkfc.zookeeper.retry-forever keeps it trying) and for the
// short-lived session graceful failover reads the lock through when the elector has none.

import type { ZkSession, ZkSessionEvent, ZkSessionFactory, ZkSessionOptions } from './ports.js';
import { ExitCode, ZkfcError } from '../errors.js';

export class ZkUnavailableError extends ZkfcError {
  readonly code = 'ZK_UNAVAILABLE';
  /** Hadoop's ERR_CODE_NO_ZK. */
  readonly exitCode = ExitCode.NO_ZK;
  constructor(
    message: string,
    /** What the adapter knew of the last failure (a TLS handshake's), if anything. */
    readonly detail?: string,
  ) {
    super(message);
  }
}

function unavailable(options: ZkSessionOptions, event: ZkSessionEvent): ZkUnavailableError {
  return new ZkUnavailableError(
    `Unable to connect to ZooKeeper quorum at ${options.connectString} (${event.state}). Please ` +
      `check the configured value for ha.zookeeper.quorum and ensure that ZooKeeper is running.` +
      (event.detail !== undefined ? ` Last failure: ${event.detail}` : ''),
    event.detail,
  );
}

/**
 * Open one session and wait for its first outcome. Events after `connected` go to `later` (the
 * session's new owner, if any); without it they are dropped.
 */
export function connectOnce(
  factory: ZkSessionFactory,
  options: ZkSessionOptions,
  later?: (event: ZkSessionEvent) => void,
): Promise<ZkSession> {
  return new Promise<ZkSession>((resolve, reject) => {
    let settled = false;
    const session = factory.open(options, (event) => {
      if (settled) {
        later?.(event);
        return;
      }
      if (event.state === 'connected') {
        settled = true;
        resolve(session);
      } else if (event.state !== 'disconnected') {
        settled = true;
        void session.close();
        reject(unavailable(options, event));
      }
    });
  });
}

/**
 * Hands the session the daemon connects at start-up (to check the election znode) to the
 * controller's runtime as its first session, instead of closing it and connecting a second one:
 * start-up then costs one ZooKeeper handshake, not two. `connect()` is connectOnce that keeps the
 * session; the next `open()` returns it and replays its `connected` event (and any event since)
 * to the runtime's listener; every later `open()` goes to the wrapped factory.
 */
export class AdoptingZkSessionFactory implements ZkSessionFactory {
  private kept: { readonly session: ZkSession; readonly relay: EventRelay } | undefined;

  constructor(private readonly inner: ZkSessionFactory) {}

  async connect(options: ZkSessionOptions): Promise<ZkSession> {
    const relay = new EventRelay();
    const session = await connectOnce(this.inner, options, (event) => relay.deliver(event));
    // The adopter sees `connected` first, as a fresh session's listener would.
    relay.deliver({ epoch: session.epoch, state: 'connected' });
    await this.discard();
    this.kept = { session, relay };
    return session;
  }

  open(options: ZkSessionOptions, listener: (event: ZkSessionEvent) => void): ZkSession {
    const kept = this.kept;
    if (kept === undefined) return this.inner.open(options, listener);
    this.kept = undefined;
    // After open() returns, as a fresh session's events arrive (the caller keeps the session first).
    queueMicrotask(() => kept.relay.adopt(listener));
    return kept.session;
  }

  /** The session connect() keeps until the next open(), if any. */
  keptSession(): ZkSession | undefined {
    return this.kept?.session;
  }

  /** Close a kept session nobody adopted (start-up ended early). */
  async discard(): Promise<void> {
    const kept = this.kept;
    this.kept = undefined;
    await kept?.session.close();
  }
}

/** Buffers session events until a listener adopts them, then forwards. */
class EventRelay {
  private buffered: ZkSessionEvent[] = [];
  private listener: ((event: ZkSessionEvent) => void) | undefined;

  deliver(event: ZkSessionEvent): void {
    if (this.listener === undefined) this.buffered.push(event);
    else this.listener(event);
  }

  adopt(listener: (event: ZkSessionEvent) => void): void {
    this.listener = listener;
    const buffered = this.buffered;
    this.buffered = [];
    for (const event of buffered) listener(event);
  }
}
