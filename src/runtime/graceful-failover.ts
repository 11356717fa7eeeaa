// Graceful failover to this node (ZKFCProtocol gracefulFailover; haadmin -failover with automatic
// failover on), as the explicit phased procedure of Hadoop's doGracefulFailover (docs/hadoop-compat.md §7.5):
//   1  pre-flight: the local NameNode must be SERVICE_HEALTHY and not an observer;
//   2a find the current active from the lock znode (none → fail; ourselves → done);
//   2b the other NameNodes of the nameservice, from configuration;
//   3  ask every other ZKFC to cede for T = 2 x graceful-fence timeout, the current active last;
//   4  let the normal election run and wait (≤ T + 60 s) for an attempt of ours to become active,
//      giving up early if the local NameNode stops being healthy;
//   5  let the others rejoin (cedeActive(-1)) so a fail-back is possible; report the attempt.
// Each phase is logged. The election itself is untouched: this only asks peers to step aside.
//
// Not promised: that this node becomes active. Another healthy node may win the race after the
// cede delay; the attempt record tells the caller what happened.

import { breadcrumbTarget, formatTarget } from '../core/controller/breadcrumb-target.js';
import type { ActiveAttempt, ControllerSnapshot } from '../core/controller/controller.js';
import type { DecodedBreadcrumb } from '../core/elector/events.js';
import type { NamenodeTarget } from '../core/types.js';
import { FailoverServiceError, PeerCedeError } from './errors.js';
import type { RuntimeLog } from './logging.js';
import type { ZkfcClient, ZkfcClientFactory } from './ports.js';
import { errorMessage } from '../errors.js';

export interface GracefulFailoverDeps {
  readonly local: NamenodeTarget;
  readonly peers: readonly NamenodeTarget[];
  /** 2 x ha.failover-controller.graceful-fence.rpc-timeout.ms (10 s by default). */
  readonly cedeTimeoutMs: number;
  /** Extra wait for our attempt on top of the cede time (Java: 60000 ms). */
  readonly becomeActiveWaitMs: number;
  readonly snapshot: () => ControllerSnapshot;
  readonly monotonicMs: () => number;
  /** The lock znode's data, decoded; null when nobody holds the lock. Rejects on ZooKeeper trouble. */
  readonly readActiveData: () => Promise<{ readonly data: Uint8Array; readonly decoded: DecodedBreadcrumb } | null>;
  readonly zkfcClients: ZkfcClientFactory;
  /** Resolves with our first attempt record at or after `sinceMs`, or null on timeout / bad health. */
  readonly waitForActiveAttempt: (sinceMs: number, timeoutMs: number) => Promise<ActiveAttempt | null>;
  readonly log: RuntimeLog;
}

function zkfcAddress(target: NamenodeTarget): string {
  return `${target.serviceAddress.host}:${target.zkfcPort}`;
}

function sameAddress(a: NamenodeTarget, b: NamenodeTarget): boolean {
  return (
    a.serviceAddress.host.toLowerCase() === b.serviceAddress.host.toLowerCase() &&
    a.serviceAddress.port === b.serviceAddress.port
  );
}

/** Runs the whole procedure; resolves on success, rejects with FailoverServiceError / PeerCedeError. */
export async function runGracefulFailover(deps: GracefulFailoverDeps): Promise<void> {
  const { local, log } = deps;
  const localName = formatTarget(local);

  // Phase 1: pre-flight checks.
  const snapshot = deps.snapshot();
  if (snapshot.healthState !== 'SERVICE_HEALTHY') {
    throw new FailoverServiceError(`${localName} is not currently healthy. Cannot be failover target`);
  }
  if (snapshot.serviceState === 'OBSERVER') {
    throw new FailoverServiceError(`${localName} is in observer state. Cannot be failover target`);
  }

  // Phase 2a: the current active, from the lock znode.
  const lock = await deps.readActiveData();
  if (lock === null) throw new FailoverServiceError('No other node is currently active.');
  const all = [local, ...deps.peers];
  const resolved = breadcrumbTarget(lock.data, lock.decoded, all);
  if (!resolved.ok) throw new FailoverServiceError(resolved.error);
  const oldActive = resolved.target;
  if (sameAddress(oldActive, local)) {
    log.info({ target: localName }, 'Local node is already active. No need to failover. Returning success.');
    return;
  }

  // Phase 2b: every other node of the nameservice (standbys and observers alike).
  const others = deps.peers.filter((peer) => !sameAddress(peer, local));
  const activeNode = others.find((peer) => sameAddress(peer, oldActive));
  if (activeNode === undefined)
    throw new FailoverServiceError(`Active node ${formatTarget(oldActive)} does not match any known remote node`);

  // Phase 3: ask the others to yield, the active one last.
  const startedMs = deps.monotonicMs();
  const contacted: { readonly target: NamenodeTarget; readonly client: ZkfcClient }[] = [];
  try {
    for (const remote of [...others.filter((peer) => peer !== activeNode), activeNode]) {
      log.info(
        { target: formatTarget(remote), zkfc: zkfcAddress(remote), millisToCede: deps.cedeTimeoutMs },
        'Asking remote ZKFC to cede its active state',
      );
      const client = deps.zkfcClients.create({ host: remote.serviceAddress.host, port: remote.zkfcPort });
      contacted.push({ target: remote, client });
      try {
        await client.cedeActive(deps.cedeTimeoutMs, deps.cedeTimeoutMs);
      } catch (cause) {
        const message = errorMessage(cause);
        throw new PeerCedeError(
          `Unable to ask ZKFC at ${zkfcAddress(remote)} (${formatTarget(remote)}) to cede active: ${message}`,
          zkfcAddress(remote),
          { cause },
        );
      }
    }

    // Phase 4: wait for the normal election to make us active.
    log.info(
      { timeoutMs: deps.cedeTimeoutMs + deps.becomeActiveWaitMs },
      'Waiting for the election to make the local node active',
    );
    const attempt = await deps.waitForActiveAttempt(startedMs, deps.cedeTimeoutMs + deps.becomeActiveWaitMs);
    if (attempt === null) {
      if (deps.snapshot().healthState !== 'SERVICE_HEALTHY') {
        throw new FailoverServiceError('Unable to become active. Service became unhealthy while trying to failover.');
      }
      throw new FailoverServiceError(
        'Unable to become active. Local node did not get an opportunity to do so ' +
          'from ZooKeeper, or the local node took too long to transition to active.',
      );
    }

    // Phase 5: let the old active (and everyone else) rejoin, so a fail-back is possible.
    for (const { target, client } of contacted) {
      try {
        await client.cedeActive(-1, deps.cedeTimeoutMs);
      } catch (cause) {
        // Deviation: Java fails the whole call here although the failover itself is done; we log
        // it. The peer rejoins by itself when its cede time runs out.
        log.warn(
          { target: formatTarget(target), err: errorMessage(cause) },
          'Unable to let a peer ZKFC rejoin the election; it will after its cede time',
        );
      }
    }
    if (!attempt.succeeded) throw new FailoverServiceError(`Failed to become active. ${attempt.status}`);
    log.info({ status: attempt.status }, 'Successfully became active.');
  } finally {
    for (const { client } of contacted) client.close();
  }
}
