// When the daemon's periodic side work starts: the fencing preflight, the NameNode HTTP view and
// the cluster view (each a PeriodicTask) start once the daemon is ready (ZooKeeper connected and
// the first health check done), or maxDelayMs after the controller starts at the latest (a first
// health check that waits for a hung NameNode's RPC timeout). Started before, their first rounds
// (child processes, HTTP reads of JMX, RPCs to every NameNode) ran on the one event loop beside the
// ZooKeeper session and the first health check, and made the start-up slower (`npm run bench`,
// start-up; README "Start-up"). Each start runs once; none after cancel() (shutdown).

import type { Cancel, Clock } from './ports.js';

export class SideWork {
  private readonly starts: (() => void)[] = [];
  private state: 'waiting' | 'started' | 'cancelled' = 'waiting';
  private cancelTimer: Cancel | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly maxDelayMs: number,
  ) {}

  /** A start to run with the others; at once if they have started. */
  add(start: () => void): void {
    if (this.state === 'started') start();
    else if (this.state === 'waiting') this.starts.push(start);
  }

  /** The controller is starting: start the side work in maxDelayMs if the daemon is not ready by then. */
  startWithin(): void {
    if (this.state !== 'waiting' || this.cancelTimer !== undefined) return;
    this.cancelTimer = this.clock.schedule(this.maxDelayMs, () => this.start());
  }

  /** The daemon is ready (or the deadline has come): start every side task, once. */
  start(): void {
    if (this.state !== 'waiting') return;
    this.state = 'started';
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    for (const start of this.starts.splice(0)) start();
  }

  /** Shutdown: nothing starts from now on (the tasks already started are stopped by their owners). */
  cancel(): void {
    if (this.state === 'waiting') this.state = 'cancelled';
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.starts.length = 0;
  }
}
