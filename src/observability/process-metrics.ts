// The Node.js process metrics of the daemon's /metrics (process_* and nodejs_*): prom-client's own
// collectors, the ones collectDefaultMetrics runs, except two that cost an idle daemon all the
// time for what a scrape rarely needs: the event-loop-delay histogram (perf_hooks'
// monitorEventLoopDelay: a 0.35 MiB HdrHistogram, fed by a timer that wakes the process every
// 100 ms; its nodejs_eventloop_lag_{min,max,mean,stddev,p50,p90,p99}_seconds) and the GC observer
// (a PerformanceEntry for every garbage collection; nodejs_gc_duration_seconds). What stays of the
// event loop is nodejs_eventloop_lag_seconds, measured as prom-client measures it: how late a
// setImmediate queued at a scrape runs, reported by the next scrape. (README "A lean daemon".)

import { Gauge, type Registry } from 'prom-client';
import heapSizeAndUsed from 'prom-client/lib/metrics/heapSizeAndUsed.js';
import heapSpacesSizeAndUsed from 'prom-client/lib/metrics/heapSpacesSizeAndUsed.js';
import osMemoryHeap from 'prom-client/lib/metrics/osMemoryHeap.js';
import processCpuTotal from 'prom-client/lib/metrics/processCpuTotal.js';
import processHandles from 'prom-client/lib/metrics/processHandles.js';
import processMaxFileDescriptors from 'prom-client/lib/metrics/processMaxFileDescriptors.js';
import processOpenFileDescriptors from 'prom-client/lib/metrics/processOpenFileDescriptors.js';
import processRequests from 'prom-client/lib/metrics/processRequests.js';
import processResources from 'prom-client/lib/metrics/processResources.js';
import processStartTime from 'prom-client/lib/metrics/processStartTime.js';
import version from 'prom-client/lib/metrics/version.js';

const COLLECTORS = [
  processCpuTotal,
  processStartTime,
  osMemoryHeap,
  processOpenFileDescriptors,
  processMaxFileDescriptors,
  processResources,
  processHandles,
  processRequests,
  heapSizeAndUsed,
  heapSpacesSizeAndUsed,
  version,
];

/** Registers the process metrics on `registry` (its default labels apply to them too). */
export function registerProcessMetrics(registry: Registry): void {
  for (const collect of COLLECTORS) collect(registry);
  new Gauge({
    name: 'nodejs_eventloop_lag_seconds',
    help: 'Lag of event loop in seconds.',
    registers: [registry],
    collect() {
      const queuedNs = process.hrtime.bigint();
      setImmediate(() => this.set(Number(process.hrtime.bigint() - queuedNs) / 1e9));
    },
  });
}
