// The graceful step of fencing: ask the old active to stand down (transitionToStandby with
// REQUEST_BY_ZKFC) before any fencing method runs. If it agrees, nothing is killed.
//
// Parity: ZKFailoverController.fenceOldActive → tryGracefulFence: a proxy with RPC timeout
// ha.failover-controller.graceful-fence.rpc-timeout.ms (5000) and connect retries (normal and on
// timeouts) ha.failover-controller.graceful-fence.connection.retries (1); retries are for
// connection failures only (Hadoop's ipc.client.connect.* policies), with
// ipc.client.connect.retry.interval (1000 ms) between refused connects and none after a connect
// timeout. Difference: Java's connect timeout there is ipc.client.connect.timeout (20 s, so up to
// 40 s against a black-holed host); ours is the RPC timeout, so the whole step stays within about
// (1 + retries) x rpc-timeout.

import type { HostPort } from '../core/types.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import { HaCallError, type Clock, type HAServiceClientFactory } from '../runtime/ports.js';
import type { FenceMethodResult } from './ssh-fence.js';

export const GRACEFUL_FENCE_RPC_TIMEOUT_DEFAULT_MS = 5_000;
export const GRACEFUL_FENCE_CONNECTION_RETRIES_DEFAULT = 1;
/** ipc.client.connect.retry.interval default. */
export const GRACEFUL_FENCE_RETRY_INTERVAL_DEFAULT_MS = 1_000;

export interface GracefulFenceOptions {
  readonly address: HostPort;
  readonly haServiceClientFactory: HAServiceClientFactory;
  readonly rpcTimeoutMs: number;
  readonly connectionRetries: number;
  readonly retryIntervalMs: number;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** Never rejects. 'success' means the old active confirmed it is now standby. */
export async function gracefulFence(options: GracefulFenceOptions): Promise<FenceMethodResult> {
  const { address, rpcTimeoutMs, clock, logger: log } = options;
  const where = `${address.host}:${address.port}`;
  const attempts = 1 + Math.max(0, Math.trunc(options.connectionRetries));
  for (let attempt = 1; ; attempt++) {
    const client = options.haServiceClientFactory.create(address, { connectTimeoutMs: rpcTimeoutMs });
    try {
      // The client bounds connect and call; this backstop bounds a client that does not.
      await withDeadline(client.transitionToStandby('REQUEST_BY_ZKFC', rpcTimeoutMs), 2 * rpcTimeoutMs + 1000, clock);
      log.info({ address: where }, 'successfully transitioned old active to standby state without fencing');
      return { outcome: 'success', detail: `${where} transitioned to standby` };
    } catch (cause) {
      if (cause instanceof HaCallError && cause.notSent && attempt < attempts) {
        log.warn({ address: where, attempt, attempts, err: cause }, 'graceful fence could not connect; retrying');
        if (cause.kind !== 'timedOut') await sleep(options.retryIntervalMs, clock);
        continue;
      }
      const result = classify(cause, where, rpcTimeoutMs);
      log.warn(
        { address: where, outcome: result.outcome, detail: result.detail },
        'unable to gracefully make old active standby',
      );
      return result;
    } finally {
      client.close();
    }
  }
}

function classify(cause: unknown, where: string, rpcTimeoutMs: number): FenceMethodResult {
  if (cause instanceof DeadlineError || (cause instanceof HaCallError && cause.kind === 'timedOut')) {
    return {
      outcome: 'timeout',
      detail: `transitionToStandby on ${where} did not complete within ${rpcTimeoutMs} ms: ${errorMessage(cause)}`,
    };
  }
  if (cause instanceof HaCallError && cause.kind !== 'unreachable') {
    // The NameNode answered and refused (it could not, or we are not allowed: the message says which).
    return { outcome: 'failure', detail: `${where} refused transitionToStandby: ${cause.message}` };
  }
  return { outcome: 'error', detail: `transitionToStandby on ${where} failed: ${errorMessage(cause)}` };
}

class DeadlineError extends Error {}

function withDeadline<T>(promise: Promise<T>, deadlineMs: number, clock: Clock): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const cancel = clock.schedule(deadlineMs, () => reject(new DeadlineError(`no answer within ${deadlineMs} ms`)));
    promise.then(
      (value) => {
        cancel();
        resolve(value);
      },
      (error: unknown) => {
        cancel();
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

function sleep(ms: number, clock: Clock): Promise<void> {
  return new Promise((resolve) => clock.schedule(ms, resolve));
}
