// Stuck states of the election that only an operator can clear, found in what the controller
// reads from ZooKeeper anyway: a lock znode that is persistent (no session owns it, none will ever
// release it), a lock whose data names no NameNode of this nameservice, and a breadcrumb this ZKFC
// refused to fence. Hadoop's ZKFC gets stuck the same way, silently; here each problem is logged
// once when it appears (with the znode and the command that clears it) and once when it goes, and
// emitted as a zooKeeperProblem record for /status, `haadmin status` and the metrics. Never per
// retry: the elector retries about once a second while stuck.
//
// Not promised: noticing a problem that the controller has no reason to look at (a forged
// breadcrumb is only read when this ZKFC wins the lock), or that a problem was cleared while this
// ZKFC does not watch (a refused breadcrumb is re-read every BREADCRUMB_RECHECK_MS while reported).

import { breadcrumbTarget } from '../core/controller/breadcrumb-target.js';
import type { DecodedBreadcrumb } from '../core/elector/events.js';
import type { NamenodeTarget } from '../core/types.js';
import type { RuntimeLog } from './logging.js';
import type { ControllerRecord, ZooKeeperProblem } from './records.js';

/** How often a reported refused breadcrumb is read again to see whether an operator cleared it. */
export const BREADCRUMB_RECHECK_MS = 10_000;

export interface ZooKeeperProblemsOptions {
  readonly lockPath: string;
  readonly breadcrumbPath: string;
  /** ha.zookeeper.quorum, for the commands printed. */
  readonly quorum: string;
  /** Every NameNode of the nameservice, local included. */
  readonly targets: readonly NamenodeTarget[];
  readonly log: RuntimeLog;
  readonly emit: (record: ControllerRecord) => void;
}

interface Reported {
  readonly detail: string;
  readonly clear: string;
}

export class ZooKeeperProblems {
  private readonly reported = new Map<ZooKeeperProblem, Reported>();

  constructor(private readonly options: ZooKeeperProblemsOptions) {}

  has(problem: ZooKeeperProblem): boolean {
    return this.reported.has(problem);
  }

  /**
   * The lock znode as the elector's monitor saw it: absent (null), or present with its owner session (0 = persistent).
   */
  lockObserved(stat: { readonly ephemeralOwner: bigint } | null): void {
    if (stat === null) {
      this.set('lock-not-ephemeral', undefined);
      this.set('lock-holder-unknown', undefined);
      return;
    }
    if (stat.ephemeralOwner !== 0n) {
      this.set('lock-not-ephemeral', undefined);
      return;
    }
    this.set('lock-not-ephemeral', {
      detail:
        `the lock znode ${this.options.lockPath} is persistent: no ZooKeeper session owns it ` +
        `and none will ever release it, so no NameNode can become active through the election`,
      clear:
        `make sure no NameNode is active (haadmin -getAllServiceState), then: ` +
        `zkCli.sh -server ${this.options.quorum} delete ${this.options.lockPath}`,
    });
  }

  /** The maintenance pause znode holds no pause record (detail), or it does again / is gone (undefined). */
  pauseUnreadable(detail: string | undefined): void {
    if (detail === undefined) {
      this.set('pause-unreadable', undefined);
      return;
    }
    this.set('pause-unreadable', {
      detail: `${detail}; it is ignored, so failover stays automatic`,
      clear: 'haadmin resume (deletes it), or haadmin pause --ttl <time> --reason <text> to pause again',
    });
  }

  /** The lock's data as last read: is it a zkfc of this nameservice? */
  lockDataRead(data: Uint8Array, decoded: DecodedBreadcrumb): void {
    const resolved = breadcrumbTarget(data, decoded, this.options.targets);
    if (resolved.ok) {
      this.set('lock-holder-unknown', undefined);
      return;
    }
    this.set('lock-holder-unknown', {
      detail:
        `the lock znode ${this.options.lockPath} is held by a client ` +
        `that is not a zkfc of this nameservice: ${resolved.error}`,
      clear:
        `stop that ZooKeeper client, or make sure no NameNode is active (haadmin -getAllServiceState) ` +
        `and run: zkCli.sh -server ${this.options.quorum} delete ${this.options.lockPath}`,
    });
  }

  /** This ZKFC won the lock and refused to fence the breadcrumb (the core counts refusals). */
  breadcrumbRefused(error: string): void {
    this.set('breadcrumb-refused', {
      detail:
        `the breadcrumb znode ${this.options.breadcrumbPath} names a NameNode this ` +
        `zkfc refuses to fence, so no zkfc that wins the lock becomes active: ${error}`,
      clear:
        `make sure the NameNode it names is not active (haadmin -getAllServiceState), ` +
        `then: zkCli.sh -server ${this.options.quorum} delete ${this.options.breadcrumbPath}`,
    });
  }

  /** The breadcrumb as read again: absent (null) or a NameNode we would fence clears the refusal. */
  breadcrumbChecked(read: { readonly data: Uint8Array; readonly decoded: DecodedBreadcrumb } | null): void {
    if (read === null || breadcrumbTarget(read.data, read.decoded, this.options.targets).ok)
      this.set('breadcrumb-refused', undefined);
  }

  /** This ZKFC made its NameNode active: whatever it refused before is gone. */
  activated(): void {
    this.set('breadcrumb-refused', undefined);
  }

  private set(problem: ZooKeeperProblem, now: Reported | undefined): void {
    const before = this.reported.get(problem);
    if (now === undefined) {
      if (before === undefined) return;
      this.reported.delete(problem);
      this.options.log.info({ problem }, 'ZooKeeper problem cleared');
      this.options.emit({
        type: 'zooKeeperProblem',
        problem,
        present: false,
        detail: before.detail,
        clear: before.clear,
      });
      return;
    }
    if (before !== undefined && before.detail === now.detail) return;
    this.reported.set(problem, now);
    this.options.log.error(
      { problem, detail: now.detail, clear: now.clear },
      'ZooKeeper data blocks automatic failover; an operator must clear it',
    );
    this.options.emit({ type: 'zooKeeperProblem', problem, present: true, detail: now.detail, clear: now.clear });
  }
}
