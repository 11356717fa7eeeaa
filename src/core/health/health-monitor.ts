// Hadoop's HealthMonitor state classification, pure: one health round's outcome (a HealthProbe)
// in, the HealthMonitor.State it implies out, reported only when it changes (enterState), plus the
// service status to report to the controller's service-state check. The cadence (check interval,
// connect retry, sleep after disconnect, RPC timeout) is the runtime's health poller's business.
//
// What a probe means (docs/hadoop-compat.md §6.3): both getServiceStatus and monitorHealth answered → healthy; the
// NameNode raised HealthCheckFailedException → unhealthy (the connection stays usable); anything
// else (timeout, refused, closed, RetriableException, AccessControlException...) → unreachable.
//
// Parity: org.apache.hadoop.ha.HealthMonitor.doHealthChecks / enterState, including the order of
// the two callbacks: a healthy round reports the status first and then the state; an unhealthy
// round enters SERVICE_UNHEALTHY first and then reports whatever status it obtained.

import { assertNever } from '../assert.js';
import { StepOutput, type StepResult } from '../note.js';
import type { HealthState, ServiceStatus } from '../types.js';

/** The outcome of one health round, as a value (the runtime never lets an exception through). */
export type HealthProbe =
  | { readonly kind: 'healthy'; readonly status: ServiceStatus }
  | { readonly kind: 'unhealthy'; readonly reason: string; readonly status?: ServiceStatus }
  | { readonly kind: 'unreachable'; readonly reason: string };

export type HealthEvent =
  | { readonly type: 'HealthProbeFinished'; readonly probe: HealthProbe }
  /** The monitor itself broke (Java: uncaught exception in the monitor thread). */
  | { readonly type: 'HealthMonitorFailed'; readonly reason: string };

export type HealthOutput =
  | { readonly type: 'ReportServiceStatus'; readonly status: ServiceStatus }
  | {
      readonly type: 'EnterHealthState';
      readonly from: HealthState;
      readonly to: HealthState;
      readonly reason: string;
    };

export class HealthMonitor {
  private state: HealthState = 'INITIALIZING';
  private lastServiceStatus: ServiceStatus | undefined;

  healthState(): HealthState {
    return this.state;
  }

  /** The status from the last round that obtained one (HealthMonitor.getLastServiceStatus). */
  serviceStatus(): ServiceStatus | undefined {
    return this.lastServiceStatus;
  }

  step(event: HealthEvent): StepResult<HealthOutput> {
    const out = new StepOutput<HealthOutput>();
    if (this.state === 'HEALTH_MONITOR_FAILED') {
      // The Java monitor thread is dead at this point; nothing it could report matters.
      out.note('debug', 'Health event ignored after the health monitor failed', { event: event.type });
      return out.result();
    }
    switch (event.type) {
      case 'HealthProbeFinished':
        this.onProbe(event.probe, out);
        break;
      case 'HealthMonitorFailed':
        out.note('error', 'Health monitor failed', { reason: event.reason });
        this.enterState('HEALTH_MONITOR_FAILED', event.reason, out);
        break;
      default:
        assertNever(event, 'health event');
    }
    return out.result();
  }

  private onProbe(probe: HealthProbe, out: StepOutput<HealthOutput>): void {
    switch (probe.kind) {
      case 'healthy':
        this.reportStatus(probe.status, out);
        this.enterState('SERVICE_HEALTHY', 'health check passed', out);
        return;
      case 'unhealthy':
        out.note('warn', 'Service health check failed', { reason: probe.reason });
        this.enterState('SERVICE_UNHEALTHY', probe.reason, out);
        if (probe.status !== undefined) this.reportStatus(probe.status, out);
        return;
      case 'unreachable':
        out.note('warn', 'Transport-level exception trying to monitor health', { reason: probe.reason });
        this.enterState('SERVICE_NOT_RESPONDING', probe.reason, out);
        return;
      default:
        assertNever(probe, 'health probe');
    }
  }

  private reportStatus(status: ServiceStatus, out: StepOutput<HealthOutput>): void {
    this.lastServiceStatus = status;
    out.command({ type: 'ReportServiceStatus', status });
  }

  private enterState(to: HealthState, reason: string, out: StepOutput<HealthOutput>): void {
    if (to === this.state) return;
    const from = this.state;
    out.stateChange('health', from, to, reason);
    this.state = to;
    out.command({ type: 'EnterHealthState', from, to, reason });
  }
}
