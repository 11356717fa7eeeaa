// Manual failover, as `haadmin -failover <from> <to>` runs it when automatic failover is off:
// Hadoop's FailoverController.failover(fromSvc, toSvc, forceFence, forceActive), step by step:
//   1. the from-node must have a fencer ("failover requires a fencer", an illegal argument);
//   2. pre-checks on the to-node: not the same address as the from-node; getServiceStatus says
//      STANDBY; ready to become active unless --forceactive; monitorHealth passes
//      (RPC timeout ha.failover-controller.new-active.rpc-timeout.ms);
//   3. graceful: transitionToStandby on the from-node (ha.failover-controller.graceful-fence.*:
//      5 s, 1 connection retry);
//   4. fence with the two-target form when the graceful step failed or --forcefence was given;
//      a failed fence ends the failover ("Unable to fence ... Fencing failed.");
//   5. transitionToActive on the to-node (new-active timeout);
//   6. if that failed and the from-node was not fenced, fail back: failover(to, from, true, true).
// ManualFailover is Hadoop's FailoverController (renamed here: the daemon's controller is a different
// thing). Failures are FailoverFailedError (printed as "Failover failed: <message>"); the messages
// and the log lines on stderr are Hadoop's: the HA port's error kinds stand for Java's exception
// classes (refused = ServiceFailedException, unhealthy = HealthCheckFailedException, any = an
// IOException), and javaExceptionLine prints the class the NameNode named. Parity:
// FailoverController (Hadoop 3.3).
//
// Deliberate difference: in the fail-back the nodes' transition states swap with their roles (the
// failed target is now moved to STANDBY, the old active to ACTIVE). Hadoop keeps the states
// DFSHAAdmin set at the start, so a shell(...) fencer that fences `$source_*` (or the second
// part of `shell(a,b)`) would fence the very NameNode being failed back to.
//
// Not promised: atomicity. As in Hadoop, a failover that fails half way can leave no active
// NameNode; the messages say what happened.

import type { HARequestSource, HAServiceState, HostPort } from '../../core/types.js';
import { ZkfcError } from '../../errors.js';
import { javaExceptionLine } from '../../hadoop/ha-errors.js';
import { HaCallError, type Clock, type HAServiceClient, type HAServiceClientFactory } from '../../runtime/ports.js';
import { cliClock, sleep } from './cli-clock.js';
import type { ConsoleLog } from './console-log.js';
import { IllegalArgumentError } from './context.js';
import type { FencingSubject, TwoTargetFencer } from './two-target-fencer.js';

/** Hadoop's FailoverFailedException: the failover could not be done; the message says why. */
export class FailoverFailedError extends ZkfcError {
  readonly code = 'HAADMIN_FAILOVER_FAILED';
}

/** One side of the failover: where it is, how it is named, its fencer and the state it moves to. */
export interface FailoverNode extends FencingSubject {
  /** The fencer configured for this node (dfs.ha.fencing.methods); undefined when none is usable. */
  readonly fencer: Pick<TwoTargetFencer, 'fence'> | undefined;
  /** Why there is no fencer (logged before "failover requires a fencer"). */
  readonly fencerProblem?: string;
}

export interface FailoverTimeouts {
  /** ha.failover-controller.new-active.rpc-timeout.ms (60000): pre-checks and transitionToActive. */
  readonly newActiveRpcMs: number;
  /** ha.failover-controller.graceful-fence.rpc-timeout.ms (5000). */
  readonly gracefulFenceRpcMs: number;
  /** ha.failover-controller.graceful-fence.connection.retries (1). */
  readonly gracefulFenceConnectionRetries: number;
  /** ipc.client.connect.retry.interval (1000): pause between refused graceful connects. */
  readonly connectRetryIntervalMs: number;
}

export interface ManualFailoverOptions {
  readonly clients: HAServiceClientFactory;
  /** REQUEST_BY_USER, or REQUEST_BY_USER_FORCED after a confirmed --forcemanual. */
  readonly requestSource: HARequestSource;
  readonly timeouts: FailoverTimeouts;
  readonly log: ConsoleLog;
  /** InetSocketAddress.equals of two service addresses (resolved IP and port). */
  readonly sameAddress: (a: HostPort, b: HostPort) => Promise<boolean>;
  readonly clock?: Clock;
}

const CATEGORY = 'ha.FailoverController';

/** An IOException in Hadoop's sense: the remote side answered with an error or could not be reached. */
function isIoError(error: unknown): error is HaCallError {
  return error instanceof HaCallError;
}

/** ServiceFailedException: the service refused the request or could not carry it out. */
function isRefused(error: unknown): error is HaCallError {
  return error instanceof HaCallError && error.kind === 'refused';
}

/** HAServiceState.toString(): the lower-case name. */
function stateName(state: HAServiceState): string {
  return state.toLowerCase();
}

export class ManualFailover {
  private readonly clock: Clock;

  constructor(private readonly options: ManualFailoverOptions) {
    this.clock = options.clock ?? cliClock;
  }

  /**
   * Fail over from `fromNode` to `toNode`; on failure try to fail back. Rejects with
   * FailoverFailedError (or IllegalArgumentError when the from-node has no fencer).
   */
  async failover(
    fromNode: FailoverNode,
    toNode: FailoverNode,
    forceFence: boolean,
    forceActive: boolean,
  ): Promise<void> {
    const fencer = fromNode.fencer;
    if (fencer === undefined) {
      // Hadoop says only the last part; the reason is what an operator needs to fix it.
      if (fromNode.fencerProblem !== undefined)
        this.options.log.log('ha.NodeFencer', 'WARN', `No usable fencer: ${fromNode.fencerProblem}`);
      throw new IllegalArgumentError('failover requires a fencer');
    }
    await this.preFailoverChecks(fromNode, toNode, forceActive);

    // Try to make the from-node standby; fence it if that fails or the user insists.
    let tryFence = true;
    if (await this.tryGracefulFence(fromNode)) tryFence = forceFence;
    if (tryFence && !(await fencer.fence(fromNode, toNode))) {
      throw new FailoverFailedError(`Unable to fence ${fromNode.description}. Fencing failed.`);
    }

    let cause: unknown;
    let failed = false;
    try {
      await this.withClient(toNode.address, undefined, (client) =>
        client.transitionToActive(this.options.requestSource, this.options.timeouts.newActiveRpcMs),
      );
    } catch (error) {
      if (isRefused(error)) {
        this.log('ERROR', `Unable to make ${toNode.description} active (${error.message}). Failing back.`);
      } else if (isIoError(error)) {
        this.log(
          'ERROR',
          `Unable to make ${toNode.description} active (unable to connect). Failing back.\n${javaExceptionLine(error)}`,
        );
      } else {
        throw error;
      }
      failed = true;
      cause = error;
    }

    if (failed) {
      let message = `Unable to failover to ${toNode.description}`;
      // Only fail back if the from-node was not fenced: it may still serve.
      if (!tryFence) {
        try {
          // Fence the to-node unconditionally (it may still be becoming active, e.g. we timed
          // out waiting for it) and force the from-node active: it was active when we started.
          // The nodes swap roles, and so do their transition states (see the file comment).
          await this.failover(
            { ...toNode, transitionTargetState: 'STANDBY' },
            { ...fromNode, transitionTargetState: 'ACTIVE' },
            true,
            true,
          );
        } catch (error) {
          if (!(error instanceof FailoverFailedError)) throw error;
          message += `. Failback to ${fromNode.description} failed (${error.message})`;
          this.log('ERROR', message);
        }
      }
      throw new FailoverFailedError(message, { cause });
    }
  }

  /** Parity: FailoverController.preFailoverChecks. */
  private async preFailoverChecks(fromNode: FailoverNode, toNode: FailoverNode, forceActive: boolean): Promise<void> {
    if (await this.options.sameAddress(fromNode.address, toNode.address)) {
      throw new FailoverFailedError("Can't failover a service to itself");
    }
    const rpcMs = this.options.timeouts.newActiveRpcMs;
    await this.withClient(toNode.address, undefined, async (client) => {
      let status;
      try {
        status = await client.getServiceStatus(rpcMs);
      } catch (error) {
        if (!isIoError(error)) throw error;
        const message = `Unable to get service state for ${toNode.description}`;
        this.log('ERROR', `${message}\n${javaExceptionLine(error)}`);
        throw new FailoverFailedError(message, { cause: error });
      }
      if (status.state !== 'STANDBY') {
        throw new FailoverFailedError(`Can't failover to an ${stateName(status.state)} service`);
      }
      // Parity: the client translator treats an absent readyToBecomeActive as "not ready" and an
      // absent reason as "".
      if (status.readyToBecomeActive !== true) {
        const reason = status.notReadyReason ?? '';
        if (!forceActive)
          throw new FailoverFailedError(`${toNode.description} is not ready to become active: ${reason}`);
        this.log('WARN', `Service is not ready to become active, but forcing: ${reason}`);
      }
      try {
        await client.monitorHealth(rpcMs);
      } catch (error) {
        if (error instanceof HaCallError && error.kind === 'unhealthy')
          throw new FailoverFailedError("Can't failover to an unhealthy service", { cause: error });
        if (isIoError(error)) throw new FailoverFailedError('Got an IO exception', { cause: error });
        throw error;
      }
    });
  }

  /**
   * Parity: FailoverController.tryGracefulFence: transitionToStandby with a short timeout and
   * few connection retries; true when the node confirmed it is standby.
   */
  private async tryGracefulFence(node: FailoverNode): Promise<boolean> {
    const { gracefulFenceRpcMs, gracefulFenceConnectionRetries, connectRetryIntervalMs } = this.options.timeouts;
    const attempts = 1 + Math.max(0, Math.trunc(gracefulFenceConnectionRetries));
    for (let attempt = 1; ; attempt++) {
      try {
        await this.withClient(node.address, gracefulFenceRpcMs, (client) =>
          client.transitionToStandby(this.options.requestSource, gracefulFenceRpcMs),
        );
        return true;
      } catch (error) {
        // Connection retries (Hadoop's ipc.client.connect.max.retries for this proxy); none after a connect timeout.
        if (error instanceof HaCallError && error.notSent && attempt < attempts) {
          if (error.kind !== 'timedOut') await sleep(connectRetryIntervalMs, this.clock);
          continue;
        }
        if (isRefused(error)) {
          this.log('WARN', `Unable to gracefully make ${node.description} standby (${error.message})`);
          return false;
        }
        if (isIoError(error)) {
          this.log(
            'WARN',
            `Unable to gracefully make ${node.description} standby (unable to connect)\n${javaExceptionLine(error)}`,
          );
          return false;
        }
        throw error;
      }
    }
  }

  private async withClient<T>(
    address: HostPort,
    connectTimeoutMs: number | undefined,
    call: (client: HAServiceClient) => Promise<T>,
  ): Promise<T> {
    const client = this.options.clients.create(address, connectTimeoutMs === undefined ? {} : { connectTimeoutMs });
    try {
      return await call(client);
    } finally {
      client.close();
    }
  }

  private log(level: 'INFO' | 'WARN' | 'ERROR', message: string): void {
    this.options.log.log(CATEGORY, level, message);
  }
}
