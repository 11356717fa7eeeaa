// The one mailbox of a controller: events are handled one at a time, each run to completion
// (core step, notes logged, commands started) before the next, whatever posts them (ZooKeeper
// callbacks, RPC results, timers, admin requests). This is how the single-threaded runtime gets
// the mutual exclusion Java gets from its elector → ZKFC lock order.
//
// Bounded: more than `maxQueued` waiting events means something floods us; that, or a handler
// throwing (an assertion in the core = a bug), is reported through onFailure, once, and the
// mailbox then drops everything (the controller exits; systemd restarts it).

import { errorMessage } from '../errors.js';

export class Mailbox<E> {
  private readonly queue: E[] = [];
  private draining = false;
  private failed = false;

  constructor(
    private readonly handler: (event: E) => void,
    private readonly maxQueued: number,
    private readonly onFailure: (reason: string, cause?: unknown) => void,
  ) {}

  post(event: E): void {
    if (this.failed) return;
    if (this.queue.length >= this.maxQueued) {
      this.fail(`event queue overflow: more than ${this.maxQueued} events waiting`);
      return;
    }
    this.queue.push(event);
    if (!this.draining) this.drain();
  }

  get size(): number {
    return this.queue.length;
  }

  private drain(): void {
    this.draining = true;
    try {
      while (this.queue.length > 0 && !this.failed) {
        const event = this.queue.shift() as E;
        try {
          this.handler(event);
        } catch (cause) {
          this.fail(`internal error while handling an event: ${errorMessage(cause)}`, cause);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private fail(reason: string, cause?: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.queue.length = 0;
    this.onFailure(reason, cause);
  }
}
