// Goal: what we ship for Prometheus and Grafana works with the real tools and matches the
// metrics the daemon really exports: the /metrics text passes `promtool check metrics`, the alert
// rules pass `promtool check rules` and their own `promtool test rules` cases, every metric name
// in the rules and the dashboard exists in the registry, every dashboard query is valid PromQL,
// and every zkfc_ metric is shown or alerted on somewhere.
// Method: build a real ZkfcMetrics registry with values, run Debian's promtool (/usr/bin/promtool)
// as a child process on its text and on the files under config/, and parse the dashboard JSON.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ZkfcMetrics } from '../../../src/observability/metrics.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const ALERTS = join(ROOT, 'config/prometheus/zkfc-alerts.yml');
const ALERT_TESTS = join(ROOT, 'config/prometheus/zkfc-alerts.test.yml');
const DASHBOARD = join(ROOT, 'config/grafana/zkfc-dashboard.json');
const PROMTOOL = '/usr/bin/promtool';

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(command: string, args: readonly string[], stdin?: string): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = execFile(
      command,
      [...args],
      { timeout: 30_000, maxBuffer: 4 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(
            new Error(`${command} did not run: ${error.message} (is it installed? apt-get install -y prometheus)`),
          );
          return;
        }
        resolvePromise({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
      },
    );
    child.stdin?.end(stdin ?? '');
  });
}

/** A registry with values in every family, like a daemon after a failover. */
function busyMetrics(): ZkfcMetrics {
  const metrics = new ZkfcMetrics({
    version: '0.1.0',
    nameservice: 'ns1',
    namenode: 'nn1',
    fencingMethods: ['sshfence(hdfs:22)', 'shell(/bin/true)'],
    namenodeHttpView: true,
    clusterView: { namenodes: ['nn1', 'nn2'], monotonicMs: () => performance.now() },
  });
  metrics.setHaState('ACTIVE');
  metrics.recordNameNodeHttpRead('ok', {
    baseUrl: 'http://127.0.0.1:9870',
    up: true,
    viewAtMonotonicMs: 1,
    viewAtWallMs: Date.now(),
    lastFailure: null,
    isActiveMismatch: false,
    view: {
      state: 'ACTIVE',
      nnRole: 'NameNode',
      hostAndPort: 'localhost:8020',
      lastHATransitionTimeMs: Date.now(),
      securityEnabled: false,
      namesystemHAState: 'ACTIVE',
      millisSinceLastLoadedEdits: 0,
      lastWrittenTransactionId: 71,
      safemode: '',
      inSafemode: false,
      lastAppliedOrWrittenTxId: 71,
      mostRecentCheckpointTxId: 0,
      isActive: true,
    },
  });
  metrics.setHealthState('SERVICE_HEALTHY');
  metrics.setElectorState('ACTIVE');
  metrics.setZkConnectionState('CONNECTED');
  metrics.recordZkSessionEvent('connected');
  metrics.recordZkSessionEvent('expired');
  metrics.recordHealthCheck('healthy', 0.004);
  metrics.recordHealthCheck('unreachable', 45);
  metrics.recordFenceOutcome({
    fenced: true,
    graceful: false,
    attempts: [
      { method: 'graceful', outcome: 'timeout', durationMs: 5000, detail: '' },
      { method: 'sshfence(hdfs:22)', outcome: 'success', durationMs: 800, detail: '' },
    ],
  });
  metrics.setFencingReady('sshfence(hdfs:22)', true);
  metrics.setFencingReady('shell(/bin/true)', true);
  metrics.recordTransition('active', 'success');
  metrics.setZooKeeperProblem('acl-world-writable', true);
  metrics.setZooKeeperProblem('breadcrumb-refused', true);
  metrics.recordFailover({
    atWallMs: Date.now(),
    from: 'nn2',
    to: 'nn1',
    reason: 'election',
    durationMs: 6_500,
    phases: { detectionMs: 4_000, electionMs: 30, fencingMs: 2_000, promotionMs: 470 },
  });
  const observed = (namenodeId: string, state: 'ACTIVE' | 'STANDBY' | null) => ({
    namenodeId,
    address: `${namenodeId}.example.com:8020`,
    local: namenodeId === 'nn1',
    state,
    readyToBecomeActive: state === null ? null : true,
    notReadyReason: null,
    health: state === null ? ('SERVICE_NOT_RESPONDING' as const) : ('SERVICE_HEALTHY' as const),
    lastAppliedOrWrittenTxId: state === null ? null : 42,
    error: state === null ? 'Connection refused' : null,
  });
  metrics.setClusterView({
    finishedAtWallMs: Date.now(),
    durationMs: 3,
    namenodes: [observed('nn1', 'ACTIVE'), observed('nn2', null)],
    activeNamenodes: ['nn1'],
    noActiveSinceMonotonicMs: null,
    lastActiveSeenWallMs: Date.now(),
  });
  return metrics;
}

/** Metric names the registry exposes, with the series suffixes histograms add. */
async function exposedNames(metrics: ZkfcMetrics): Promise<Set<string>> {
  const names = new Set<string>();
  for (const metric of await metrics.registry.getMetricsAsJSON()) {
    names.add(metric.name);
    if (String(metric.type) === 'histogram')
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(metric.name + suffix);
  }
  return names;
}

const ZKFC_NAME = /\bzkfc_[a-z_]+/g;

function zkfcNamesIn(text: string): string[] {
  return [...text.matchAll(ZKFC_NAME)].map((m) => m[0]);
}

/** Every PromQL string of a Grafana dashboard: panel targets (rows nest panels), annotations, variables. */
function dashboardQueries(dashboard: unknown): { promql: string[]; variableQueries: string[] } {
  const promql: string[] = [];
  const variableQueries: string[] = [];
  const board = dashboard as {
    panels?: { targets?: { expr?: string }[]; panels?: unknown[] }[];
    annotations?: { list?: { expr?: string }[] };
    templating?: { list?: { type?: string; query?: unknown; definition?: string }[] };
  };
  const visit = (panels: unknown[] | undefined): void => {
    for (const panel of (panels ?? []) as { targets?: { expr?: string }[]; panels?: unknown[] }[]) {
      for (const target of panel.targets ?? []) if (typeof target.expr === 'string') promql.push(target.expr);
      visit(panel.panels);
    }
  };
  visit(board.panels);
  for (const annotation of board.annotations?.list ?? [])
    if (typeof annotation.expr === 'string') promql.push(annotation.expr);
  for (const variable of board.templating?.list ?? []) {
    if (variable.type !== 'query') continue;
    const query =
      typeof variable.query === 'string' ? variable.query : (variable.query as { query?: string } | undefined)?.query;
    if (query !== undefined) variableQueries.push(query);
    if (variable.definition !== undefined) variableQueries.push(variable.definition);
  }
  return { promql, variableQueries };
}

/** Grafana's variables replaced by values Prometheus accepts, so promtool can parse the query. */
function concretePromql(expr: string): string {
  return expr
    .replaceAll('$__rate_interval', '1m')
    .replaceAll('$__range', '6h')
    .replaceAll('$__interval', '30s')
    .replace(/\$\{?(nameservice|namenode)\}?/g, '.*');
}

describe('Prometheus and Grafana artefacts', () => {
  it('the /metrics text of a busy registry passes promtool check metrics', async () => {
    const text = await busyMetrics().metricsText();
    const result = await run(PROMTOOL, ['check', 'metrics'], text);
    // promtool prints lint problems (one per line) and exits 1 on any of them.
    expect(result.stdout + result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('promtool check metrics is strict enough to catch a bad family (the check can fail)', async () => {
    const bad =
      '# HELP zkfc_broken_count a counter without _total\n# TYPE zkfc_broken_count counter\nzkfc_broken_count 1\n';
    const result = await run(PROMTOOL, ['check', 'metrics'], bad);
    expect(result.code).not.toBe(0);
  });

  it('the alert rules pass promtool check rules and their unit tests', async () => {
    const check = await run(PROMTOOL, ['check', 'rules', ALERTS]);
    expect(check.stdout + check.stderr).toMatch(/SUCCESS: \d+ rules found/);
    expect(check.code).toBe(0);
    const tests = await run(PROMTOOL, ['test', 'rules', ALERT_TESTS]);
    expect(tests.stdout + tests.stderr).toContain('SUCCESS');
    expect(tests.code).toBe(0);
  });

  it("the alert rules only name metrics the daemon exports (or Prometheus' own up)", async () => {
    const known = await exposedNames(busyMetrics());
    const text = await readFile(ALERTS, 'utf8');
    const exprs = [...text.matchAll(/^\s*expr:\s*(.+)$/gm)].map((m) => m[1] ?? '');
    expect(exprs.length).toBeGreaterThanOrEqual(10);
    const unknown = exprs.flatMap(zkfcNamesIn).filter((name) => !known.has(name));
    expect(unknown).toEqual([]);
  });

  it('the dashboard only queries metrics the daemon exports', async () => {
    const known = await exposedNames(busyMetrics());
    const dashboard: unknown = JSON.parse(await readFile(DASHBOARD, 'utf8'));
    const { promql, variableQueries } = dashboardQueries(dashboard);
    expect(promql.length).toBeGreaterThanOrEqual(15);
    const unknown = [...promql, ...variableQueries].flatMap(zkfcNamesIn).filter((name) => !known.has(name));
    expect(unknown).toEqual([]);
    // The nameservice/namenode variables are filled from labels the daemon really sets.
    expect(variableQueries.join('\n')).toMatch(/label_values\(zkfc_build_info[^)]*, nameservice\)/);
    const buildInfo = (await busyMetrics().metricsText())
      .split('\n')
      .find((line) => line.startsWith('zkfc_build_info{'));
    expect(buildInfo).toMatch(/nameservice="ns1"/);
    expect(buildInfo).toMatch(/namenode="nn1"/);
  });

  it('every panel of the dashboard shows a metric the daemon exports', async () => {
    const known = await exposedNames(busyMetrics());
    const dashboard = JSON.parse(await readFile(DASHBOARD, 'utf8')) as {
      panels: { type: string; title: string; targets?: { expr?: string }[] }[];
    };
    const panels = dashboard.panels.filter((panel) => panel.type !== 'row');
    expect(panels.length).toBeGreaterThanOrEqual(20);
    const withoutOurs = panels
      .filter((panel) => !(panel.targets ?? []).some((t) => zkfcNamesIn(t.expr ?? '').some((name) => known.has(name))))
      .map((panel) => panel.title);
    expect(withoutOurs).toEqual([]);
    // The cluster view has its panels.
    const titles = panels.map((panel) => panel.title);
    for (const metric of [
      'zkfc_cluster_active_namenodes',
      'zkfc_cluster_seconds_without_active',
      'zkfc_cluster_namenode_state',
      'zkfc_cluster_namenode_health',
      'zkfc_cluster_view_timestamp_seconds',
    ]) {
      const showing = panels.filter((panel) =>
        (panel.targets ?? []).some((t) => zkfcNamesIn(t.expr ?? '').includes(metric)),
      );
      expect(
        showing.map((panel) => panel.title),
        metric,
      ).not.toEqual([]);
    }
    expect(titles).toContain('Seconds without an active NameNode');
  });

  it('every dashboard query is valid PromQL (parsed by promtool as recording rules)', async () => {
    const dashboard: unknown = JSON.parse(await readFile(DASHBOARD, 'utf8'));
    const { promql } = dashboardQueries(dashboard);
    const dir = await mkdtemp(join(tmpdir(), 'zkfc-dashboard-'));
    try {
      const rules = promql
        .map(
          (expr, i) =>
            `      - record: zkfc_dashboard_query_${i}\n        expr: ${JSON.stringify(concretePromql(expr))}\n`,
        )
        .join('');
      const file = join(dir, 'dashboard-queries.yml');
      await writeFile(file, `groups:\n  - name: dashboard\n    rules:\n${rules}`);
      const check = await run(PROMTOOL, ['check', 'rules', file]);
      expect(check.stdout + check.stderr).toContain(`SUCCESS: ${promql.length} rules found`);
      expect(check.code).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('every zkfc_ metric is on the dashboard or in an alert rule', async () => {
    const metrics = busyMetrics();
    const families = (await metrics.registry.getMetricsAsJSON())
      .map((m) => m.name)
      .filter((name) => name.startsWith('zkfc_'));
    const used = new Set(
      [...zkfcNamesIn(await readFile(DASHBOARD, 'utf8')), ...zkfcNamesIn(await readFile(ALERTS, 'utf8'))].map((name) =>
        name.replace(/_(bucket|sum|count)$/, ''),
      ),
    );
    expect(families.filter((name) => !used.has(name))).toEqual([]);
  });
});
