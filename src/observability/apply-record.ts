// Keeps the status board, the metrics and the readiness gate in step with the controller's records
// (ControllerRuntime#onEvent). The StatusBoard is the daemon's one status model: /status, the
// metrics' view of the same facts and `haadmin -status` (which reads /status) all come from here.

import type { ControllerRecord } from '../runtime/records.js';
import type { ZkfcMetrics } from './metrics.js';
import type { StatusBoard } from './status.js';

/** What start-up waits for before it tells systemd the daemon is ready. */
export type ReadinessStep = 'zkConnected' | 'firstHealthCheck';

export interface RecordSinks {
  readonly status: StatusBoard;
  readonly metrics?: ZkfcMetrics;
  readonly readiness?: { satisfy(step: ReadinessStep): void };
}

export function applyRecord(record: ControllerRecord, sinks: RecordSinks): void {
  const { status, metrics, readiness } = sinks;
  switch (record.type) {
    case 'healthCheck':
      metrics?.recordHealthCheck(record.outcome, record.durationMs / 1000);
      readiness?.satisfy('firstHealthCheck');
      return;
    case 'serviceStateReported':
      metrics?.setHaState(record.state);
      status.update({ haState: record.state });
      return;
    case 'healthStateChanged':
      metrics?.setHealthState(record.to);
      status.update({ healthState: record.to });
      return;
    case 'electorStateChanged':
      metrics?.setElectorState(record.to);
      // Out of the election (INIT) we hold no session and watch nothing: what we last saw of the
      // lock is stale, so show none rather than a holder that may be gone.
      status.update(record.to === 'INIT' ? { electorState: record.to, lockHolder: null } : { electorState: record.to });
      return;
    case 'zkConnectionStateChanged':
      metrics?.setZkConnectionState(record.to);
      if (record.to === 'CONNECTED') metrics?.setZooKeeperRetry(0);
      status.update({ zkConnectionState: record.to });
      if (record.to === 'CONNECTED') readiness?.satisfy('zkConnected');
      return;
    case 'zkSessionEvent':
      metrics?.recordZkSessionEvent(record.event);
      if (record.sessionId !== undefined) status.update({ zkSessionId: record.sessionId });
      return;
    case 'zkRetry':
      metrics?.setZooKeeperRetry(record.retry === null ? null : record.retry.failures);
      status.update({ zookeeperRetry: record.retry });
      return;
    case 'maintenancePause':
      metrics?.setMaintenancePause(record.pause === null ? null : record.pause.untilWallMs);
      status.update({ maintenancePause: record.pause });
      return;
    case 'transition':
      metrics?.recordTransition(record.to, record.result);
      if (record.result === 'success') {
        // The NameNode confirmed the state: show it now, not at the next health round.
        const state = record.to === 'active' ? 'ACTIVE' : 'STANDBY';
        metrics?.setHaState(state);
        status.update({ haState: state });
      }
      return;
    case 'fencing':
      metrics?.recordFenceOutcome(record.outcome);
      return;
    case 'failover':
      metrics?.recordFailover(record.record);
      status.recordFailover(record.record);
      return;
    case 'lockHolder':
      status.update({ lockHolder: record.info });
      return;
    case 'breadcrumb':
      status.update({ breadcrumb: record.info });
      return;
    case 'cede':
      status.update({ cededUntilWallMs: record.untilWallMs });
      return;
    case 'zooKeeperProblem':
      metrics?.setZooKeeperProblem(record.problem, record.present);
      status.setZooKeeperProblem(
        { problem: record.problem, detail: record.detail, clear: record.clear },
        record.present,
      );
      return;
    case 'antiFlap':
      metrics?.recordAntiFlap(record.report);
      status.recordAntiFlap(record.report, record.atWallMs);
      return;
    case 'readiness': {
      const r = record.readiness;
      metrics?.setReadiness(r.ready, r.lagTxns);
      status.update({
        readiness: {
          ready: r.ready,
          escape: r.escape,
          summary: r.summary,
          blockers: r.blockers,
          candidacyDelayMs: r.candidacyDelayMs,
          standbysAhead: r.standbysAhead,
          lagTxns: r.lagTxns,
        },
      });
      return;
    }
    case 'activeAttempt':
    case 'exit':
      return;
  }
}
