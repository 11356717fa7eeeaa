// Goal: the pure HealthMonitor classifies health rounds as Hadoop's does and reports only changes.
// Method: feed probe outcomes, check the states entered and the order of the two reports
// (status then state on a healthy round; state then status on an unhealthy one).

import { describe, expect, it } from 'vitest';
import { HealthMonitor } from '../../../src/core/health/health-monitor.js';

describe('HealthMonitor', () => {
  it('starts INITIALIZING and reports the status before entering SERVICE_HEALTHY', () => {
    const monitor = new HealthMonitor();
    expect(monitor.healthState()).toBe('INITIALIZING');
    const result = monitor.step({
      type: 'HealthProbeFinished',
      probe: { kind: 'healthy', status: { state: 'STANDBY' } },
    });
    expect(result.commands.map((c) => c.type)).toEqual(['ReportServiceStatus', 'EnterHealthState']);
    expect(result.commands[1]).toMatchObject({ from: 'INITIALIZING', to: 'SERVICE_HEALTHY' });
    expect(monitor.serviceStatus()).toEqual({ state: 'STANDBY' });
  });

  it('reports a state only when it changes, but every status', () => {
    const monitor = new HealthMonitor();
    monitor.step({ type: 'HealthProbeFinished', probe: { kind: 'healthy', status: { state: 'ACTIVE' } } });
    const again = monitor.step({
      type: 'HealthProbeFinished',
      probe: { kind: 'healthy', status: { state: 'ACTIVE' } },
    });
    expect(again.commands.map((c) => c.type)).toEqual(['ReportServiceStatus']);
  });

  it('an unhealthy round enters SERVICE_UNHEALTHY first, then reports the status it got', () => {
    const monitor = new HealthMonitor();
    const result = monitor.step({
      type: 'HealthProbeFinished',
      probe: { kind: 'unhealthy', reason: 'no resources', status: { state: 'ACTIVE' } },
    });
    expect(result.commands.map((c) => c.type)).toEqual(['EnterHealthState', 'ReportServiceStatus']);
    expect(monitor.healthState()).toBe('SERVICE_UNHEALTHY');
  });

  it('an unreachable service is SERVICE_NOT_RESPONDING with no status', () => {
    const monitor = new HealthMonitor();
    const result = monitor.step({
      type: 'HealthProbeFinished',
      probe: { kind: 'unreachable', reason: 'Connection refused' },
    });
    expect(result.commands).toEqual([
      { type: 'EnterHealthState', from: 'INITIALIZING', to: 'SERVICE_NOT_RESPONDING', reason: 'Connection refused' },
    ]);
  });

  it('HEALTH_MONITOR_FAILED is final', () => {
    const monitor = new HealthMonitor();
    monitor.step({ type: 'HealthMonitorFailed', reason: 'boom' });
    expect(monitor.healthState()).toBe('HEALTH_MONITOR_FAILED');
    const later = monitor.step({
      type: 'HealthProbeFinished',
      probe: { kind: 'healthy', status: { state: 'STANDBY' } },
    });
    expect(later.commands).toEqual([]);
    expect(monitor.healthState()).toBe('HEALTH_MONITOR_FAILED');
  });
});
