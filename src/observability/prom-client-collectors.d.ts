// Types for prom-client's per-metric collectors (lib/metrics/*.js), which its index.d.ts does not
// declare: each registers its metrics on the registry it is given. Used by process-metrics.ts.
declare module 'prom-client/lib/metrics/*' {
  import type { Registry } from 'prom-client';
  const collector: (registry: Registry, config?: Record<string, unknown>) => void;
  export default collector;
}
