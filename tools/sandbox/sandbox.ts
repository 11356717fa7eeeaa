// The sandbox behind `npm start`: a whole nameservice on this machine with no configuration — a
// local ZooKeeper, two simulated NameNodes and two zkfc daemons on free loopback ports, configured
// through generated Hadoop XML exactly as an operator would — plus a live status view. A NameNode
// that dies is restarted after a few seconds (as systemd would), so one can watch it come back as
// standby. `--check` runs a scripted failover instead of the live view and exits 0 when it worked.

import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { MiniCluster, REPO_ROOT } from '../testing/mini-cluster.js';
import { sleep } from '../testing/wait.js';

export interface SandboxOptions {
  readonly check: boolean;
  readonly baseDir: string;
  readonly out: (text: string) => void;
}

interface NodeView {
  readonly id: string;
  readonly state: string;
  readonly health: string;
  readonly elector: string;
  readonly holdsLock: boolean;
  readonly lastFailover: string;
}

export async function runSandbox(options: SandboxOptions): Promise<number> {
  const { out } = options;
  if (existsSync(options.baseDir)) rmSync(options.baseDir, { recursive: true, force: true });
  mkdirSync(options.baseDir, { recursive: true });
  out('starting ZooKeeper ...\n');
  // Hadoop's defaults (10 s session, 1 s health checks, 45 s health RPC timeout).
  const cluster = await MiniCluster.start({
    baseDir: options.baseDir,
    sessionTimeoutMs: 10_000,
    checkIntervalMs: 1000,
    healthRpcTimeoutMs: 45_000,
  });
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    out('\nstopping the sandbox ...\n');
    await cluster.stop();
  };
  process.once('SIGINT', () => void stop().then(() => process.exit(0)));
  process.once('SIGTERM', () => void stop().then(() => process.exit(0)));
  try {
    for (const id of cluster.nodes.keys()) await cluster.startNamenode(id);
    for (const id of cluster.nodes.keys()) await cluster.startZkfc(id);
    const active = await cluster.waitForActive(30_000);
    out(describeSandbox(cluster, active));
    if (options.check) return await scriptedFailover(cluster, active, out);
    keepNamenodesRunning(cluster, () => stopping, out);
    // The live view is `haadmin status` itself, as an operator would run it.
    for (;;) {
      const table = await haadminStatus(cluster);
      if (process.stdout.isTTY) out('\x1b[2J\x1b[H' + describeSandbox(cluster, undefined));
      out(`$ haadmin status   (${new Date().toLocaleTimeString()})\n${table}\n`);
      await sleep(1000);
    }
  } catch (error) {
    out(`sandbox failed: ${(error as Error).message}\n`);
    await stop();
    return 1;
  }
}

/** Kill the active NameNode, wait for the other to take over, check the oracle. */
async function scriptedFailover(cluster: MiniCluster, active: string, out: (text: string) => void): Promise<number> {
  const started = performance.now();
  out(`check: killing the active NameNode ${active} (kill -9)\n`);
  await cluster.killNamenode(active);
  const next = await cluster.waitForActive(30_000);
  out(`check: ${next} is active ${Math.round(performance.now() - started)} ms after the kill\n`);
  out(renderTable(await collect(cluster)) + '\n');
  const violations = cluster.splitBrainViolations();
  await cluster.stop();
  if (next === active || violations.length > 0) {
    out(`check FAILED: ${violations.length} split-brain violations\n`);
    return 1;
  }
  out('check OK\n');
  return 0;
}

function keepNamenodesRunning(cluster: MiniCluster, stopping: () => boolean, out: (text: string) => void): void {
  const watch = (id: string): void => {
    const child = cluster.node(id).sim;
    child?.once('exit', () => {
      if (stopping()) return;
      out(`NameNode ${id} exited; restarting it in 3 s\n`);
      setTimeout(() => {
        if (stopping()) return;
        cluster.startNamenode(id).then(
          () => watch(id),
          (error: unknown) => out(`restart of ${id} failed: ${(error as Error).message}\n`),
        );
      }, 3000);
    });
  };
  for (const id of cluster.nodes.keys()) watch(id);
}

function haadminStatus(cluster: MiniCluster): Promise<string> {
  return new Promise((resolveStatus) => {
    execFile(
      process.execPath,
      [join(REPO_ROOT, 'bin/haadmin.js'), 'status'],
      { env: { ...process.env, HADOOP_CONF_DIR: cluster.confDir }, timeout: 10_000 },
      (_error, stdout, stderr) => resolveStatus(`${stdout}${stderr}`),
    );
  });
}

async function collect(cluster: MiniCluster): Promise<NodeView[]> {
  return Promise.all(
    [...cluster.nodes.keys()].map(async (id) => {
      const [state, status] = await Promise.all([cluster.namenodeState(id, 500), cluster.zkfcStatus(id, 500)]);
      const lock = status?.['lockHolder'] as { namenodeId?: string } | null | undefined;
      const last = status?.['lastFailover'] as
        { from?: string; to?: string; reason?: string; durationMs?: number } | null | undefined;
      return {
        id,
        state: state ?? 'down',
        health: (status?.['healthState'] as string | undefined) ?? 'zkfc unreachable',
        elector: (status?.['electorState'] as string | undefined) ?? '-',
        holdsLock: lock?.namenodeId === id,
        lastFailover: last
          ? `${last.from ?? '-'} -> ${last.to} (${last.reason}, ${Math.round(last.durationMs ?? 0)} ms)`
          : '-',
      };
    }),
  );
}

function renderTable(views: readonly NodeView[]): string {
  const header = ['NAMENODE', 'STATE', 'HEALTH', 'ELECTOR', 'LOCK', 'LAST FAILOVER (seen by its zkfc)'];
  const rows = views.map((v) => [v.id, v.state, v.health, v.elector, v.holdsLock ? 'holder' : '', v.lastFailover]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [header, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ')).join('\n');
}

function describeSandbox(cluster: MiniCluster, active: string | undefined): string {
  const lines = [
    '',
    `zkfc sandbox: nameservice ${cluster.nameserviceId}, ZooKeeper ${cluster.zk.connectString}`,
    `  Hadoop configuration: ${cluster.confDir}   (export HADOOP_CONF_DIR=${cluster.confDir})`,
  ];
  for (const node of cluster.nodes.values()) {
    lines.push(
      `  ${node.namenodeId}: NameNode rpc 127.0.0.1:${node.rpcPort} http http://127.0.0.1:${node.httpPort}/isActive` +
        ` | zkfc rpc :${node.zkfcPort} metrics http://127.0.0.1:${node.statusPort}/metrics ` +
        `status http://127.0.0.1:${node.statusPort}/status page http://127.0.0.1:${node.statusPort}/` +
        ` | logs ${node.zkfcLog}`,
    );
  }
  if (active !== undefined) lines.push(`  active NameNode: ${active}`);
  lines.push(
    '',
    'Try, in another shell:',
    `  kill -9 $(cat ${join(cluster.baseDir, 'nn-nn1.pid')})          # crash nn1; it restarts as standby after 3 s`,
    `  curl -X POST -d '{"fault":"unhealthy"}' ` +
      `http://127.0.0.1:${cluster.node('nn1').httpPort}/sim/fault   # make nn1 unhealthy ('none' heals)`,
    `  HADOOP_CONF_DIR=${cluster.confDir} node ${join(REPO_ROOT, 'bin/haadmin.js')} -getAllServiceState`,
    `  HADOOP_CONF_DIR=${cluster.confDir} node ` +
      `${join(REPO_ROOT, 'bin/haadmin.js')} -failover nn1 nn2   # graceful failover`,
    'Ctrl-C stops everything.',
    '',
  );
  return lines.join('\n') + '\n';
}
