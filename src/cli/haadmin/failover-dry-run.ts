// haadmin -failover --dry-run <from> <to> (not in Hadoop): every check the graceful failover
// through the zkfcs (failover.ts → gracefulFailover on <to>'s zkfc → src/runtime/graceful-failover.ts)
// would meet, run without doing it: no cede, no transition, no ZooKeeper write. Only reads: each
// zkfc's GET /status and, for the target NameNode, getServiceStatus and monitorHealth over
// HAServiceProtocol (ha.failover-controller.cli-check.rpc-timeout.ms).
//
// One line per check, "ok", "WARN", "FAIL" or "skip" (not checked: an earlier check it needs
// failed), then the verdict. Exit 0 for go, -1 (255) for no-go. What blocks (FAIL) is what makes
// the real command refuse or leave the nameservice without an active: automatic failover off,
// unknown ids, from = to, the target's zkfc or NameNode not answering, the target unhealthy,
// already active, an observer or not ready, a maintenance pause, nobody (or an unknown node)
// holding the lock, the target's zkfc out of ZooKeeper or ceded for longer than the failover
// waits, another zkfc that cannot be asked to cede, no fencing method ready (a failed graceful
// stand-down would leave no active), the target in safe mode. What only warns: <from> is not the
// current active (the command ignores <from>, as Hadoop's does), fencing partly ready or not yet
// checked, the HTTP view not read, down, stale edits or /isActive disagreeing.
//
// `dryRunChecks` is pure (same facts, same lines); `collectDryRunFacts` does the asking.

import { ConfigError, errorMessage } from '../../errors.js';
import type { ZkfcStatus } from '../../observability/status.js';
import { untrustedText } from '../../observability/untrusted.js';
import { cliClock } from './cli-clock.js';
import {
  clusterStatusEndpoints,
  collectClusterStatus,
  resourceManagerStatusEndpoints,
  type ClusterStatus,
  type NamenodeStatus,
} from './cluster-status.js';
import { FAILED, OK } from './command.js';
import { IllegalArgumentError, type HaAdminContext, type HaTarget } from './context.js';
import { printJson } from './json-output.js';

/** Longest remote string one check line quotes. */
const DETAIL_MAX_CHARS = 500;

/** A standby whose edits are older than this is stale (Hadoop tails edits every 60 s by default). */
export const STALE_EDITS_WARN_MS = 120_000;

export type CheckMark = 'ok' | 'WARN' | 'FAIL' | 'skip';

export interface DryRunCheck {
  readonly mark: CheckMark;
  /** What was checked, e.g. "target NameNode health". */
  readonly check: string;
  /** What was found (remote strings escaped and bounded). */
  readonly found: string;
}

export interface DryRunReport {
  readonly from: string;
  readonly to: string;
  readonly go: boolean;
  readonly checks: readonly DryRunCheck[];
}

/** A string from a NameNode, zkfc or ZooKeeper, as one bounded piece of one line. */
export function shown(text: string, maxChars = DETAIL_MAX_CHARS): string {
  return untrustedText(text, maxChars);
}

/** The result of monitorHealth on the target NameNode. */
export type MonitorHealthProbe = { readonly ok: true } | { readonly ok: false; readonly error: string };

export interface DryRunFacts {
  readonly from: string;
  readonly to: string;
  /** ha automatic failover for the nameservice (dfs.ha.automatic-failover.enabled). */
  readonly autoFailoverEnabled: boolean;
  /** Configuration problems found resolving the ids (unknown id, ...), one sentence each. */
  readonly configProblems: readonly string[];
  /** What every NameNode and zkfc answered (undefined when the configuration stopped the checks). */
  readonly cluster: ClusterStatus | undefined;
  /** monitorHealth on the target NameNode. */
  readonly targetHealth: MonitorHealthProbe | undefined;
  /** How long the zkfcs cede (2 x graceful-fence timeout) plus the wait for the election (60 s). */
  readonly failoverWaitMs: number;
  readonly nowMs: number;
}

function statusOf(nn: NamenodeStatus | undefined): ZkfcStatus | undefined {
  return nn !== undefined && nn.zkfc.ok ? nn.zkfc.status : undefined;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}

/** Every check in the order the graceful failover meets them (file comment). Pure. */
export function dryRunChecks(facts: DryRunFacts): DryRunReport {
  const checks: DryRunCheck[] = [];
  const add = (mark: CheckMark, check: string, found: string): void => {
    checks.push({ mark, check, found });
  };
  const { from, to } = facts;
  const report = (): DryRunReport => ({ from, to, go: !checks.some((c) => c.mark === 'FAIL'), checks });

  // 1. The configuration.
  if (!facts.autoFailoverEnabled)
    add(
      'FAIL',
      'configuration',
      'automatic failover is off (dfs.ha.automatic-failover.enabled): ' +
        '--dry-run checks the graceful failover through the zkfcs only',
    );
  for (const problem of facts.configProblems) add('FAIL', 'configuration', problem);
  if (facts.configProblems.length > 0 || facts.cluster === undefined) return report();
  if (from === to) add('FAIL', 'configuration', `${from} is both <from> and <to>`);
  else if (facts.autoFailoverEnabled)
    add(
      'ok',
      'configuration',
      `automatic failover is on; ${from} and ${to} are NameNodes of ${facts.cluster.nameserviceId}`,
    );

  const cluster = facts.cluster;
  const target = cluster.namenodes.find((nn) => nn.namenodeId === to);
  const others = cluster.namenodes.filter((nn) => nn.namenodeId !== to);
  const targetStatus = statusOf(target);
  const skipTarget = (check: string): void => add('skip', check, `the zkfc of ${to} did not answer`);

  // 2. The target's zkfc, which the command asks (gracefulFailover).
  if (target === undefined) {
    add('FAIL', `zkfc of ${to}`, `${to} is not a NameNode of ${cluster.nameserviceId}`);
    return report();
  }
  if (!target.zkfc.ok) add('FAIL', `zkfc of ${to}`, `does not answer: ${shown(target.zkfc.error)}`);
  else
    add(
      'ok',
      `zkfc of ${to}`,
      `answers at ${shown(target.zkfc.address)} (version ${shown(target.zkfc.status.version) || '?'})`,
    );

  // 3. The target NameNode's health: as its zkfc sees it (what gracefulFailover checks), and monitorHealth.
  const healthProblems: string[] = [];
  if (targetStatus !== undefined && targetStatus.healthState !== 'SERVICE_HEALTHY')
    healthProblems.push(`its zkfc sees it as ${shown(targetStatus.healthState)}`);
  if (facts.targetHealth !== undefined && !facts.targetHealth.ok)
    healthProblems.push(`monitorHealth on ${target.address} failed: ${shown(facts.targetHealth.error)}`);
  if (healthProblems.length > 0) add('FAIL', `health of ${to}`, healthProblems.join('; '));
  else if (targetStatus === undefined) add('WARN', `health of ${to}`, 'monitorHealth ok; its zkfc did not answer');
  else add('ok', `health of ${to}`, 'SERVICE_HEALTHY as its zkfc sees it; monitorHealth ok');

  // 4. Not already active (nor an observer), from getServiceStatus.
  if (!target.haState.ok)
    add('FAIL', `HA state of ${to}`, `getServiceStatus on ${target.address} failed: ${shown(target.haState.error)}`);
  else if (target.haState.state === 'ACTIVE')
    add('FAIL', `HA state of ${to}`, `${to} is already active: the failover would do nothing`);
  else if (target.haState.state === 'OBSERVER')
    add('FAIL', `HA state of ${to}`, `${to} is an observer: it cannot be a failover target`);
  else if (target.haState.state !== 'STANDBY')
    add('FAIL', `HA state of ${to}`, `${to} is ${shown(target.haState.state)}, not standby`);
  else add('ok', `HA state of ${to}`, 'standby');

  // 5. readyToBecomeActive (getServiceStatus).
  if (!target.haState.ok) add('skip', `readiness of ${to}`, 'getServiceStatus failed');
  else if (target.haState.readyToBecomeActive === false)
    add(
      'FAIL',
      `readiness of ${to}`,
      `not ready to become active: ${shown(target.haState.notReadyReason ?? 'no reason given')}`,
    );
  else if (target.haState.readyToBecomeActive === null)
    add('WARN', `readiness of ${to}`, 'the NameNode does not report readyToBecomeActive');
  else add('ok', `readiness of ${to}`, 'readyToBecomeActive');

  // 5b. The readiness gate of the target's zkfc (it refuses gracefulFailover while not ready).
  const gate = targetStatus?.readiness;
  if (gate !== undefined && gate !== null && !gate.ready)
    add('FAIL', `readiness gate of ${to}`, `its zkfc refuses: ${shown(gate.summary)}`);
  else if (gate !== undefined && gate !== null) add('ok', `readiness gate of ${to}`, shown(gate.summary));

  // 6. No maintenance pause (the target refuses gracefulFailover, the others refuse to cede).
  const pauses = cluster.namenodes.flatMap((nn) => {
    const pause = statusOf(nn)?.maintenancePause;
    return pause === null || pause === undefined ? [] : [{ namenodeId: nn.namenodeId, pause }];
  });
  const first = pauses[0];
  if (first !== undefined)
    add(
      'FAIL',
      'maintenance pause',
      `automatic failover is paused until ${shown(first.pause.until ?? '?')} by ${shown(first.pause.by)}: ` +
        `${shown(first.pause.reason)} (seen by the zkfc of ${pauses.map((p) => p.namenodeId).join(', ')}; ` +
        'haadmin resume ends it)',
    );
  else if (targetStatus === undefined) skipTarget('maintenance pause');
  else if (targetStatus.maintenancePause === undefined)
    add('WARN', 'maintenance pause', `the zkfc of ${to} does not report pauses (an older zkfc)`);
  else add('ok', 'maintenance pause', 'none');

  // 7. The election: the lock holder (the active to be asked to cede) and the target's zkfc in ZooKeeper.
  const lockHolder = cluster.election?.lockHolder ?? null;
  if (cluster.election === null) add('skip', 'lock holder', 'no zkfc answered');
  else if (lockHolder === null)
    add('FAIL', 'lock holder', 'nobody holds the lock: the zkfc refuses ("No other node is currently active.")');
  else if (
    lockHolder.nameserviceId !== cluster.nameserviceId ||
    !others.concat([target]).some((nn) => nn.namenodeId === lockHolder.namenodeId)
  )
    add(
      'FAIL',
      'lock holder',
      `the lock names ${shown(lockHolder.nameserviceId)}.${shown(lockHolder.namenodeId)}, ` +
        `not a NameNode of ${cluster.nameserviceId}`,
    );
  else if (lockHolder.namenodeId === to) add('FAIL', 'lock holder', `${to}'s zkfc already holds the lock`);
  else if (lockHolder.namenodeId !== from)
    add(
      'WARN',
      'lock holder',
      `${shown(lockHolder.namenodeId)} holds the lock, not ${from}: ${shown(lockHolder.namenodeId)} is the one asked ` +
        "to step down (the command, as Hadoop's, does not use <from>)",
    );
  else add('ok', 'lock holder', `${from} holds the lock; its zkfc will be asked to cede last`);

  const electionCheck = `election of ${to}`;
  if (targetStatus === undefined) skipTarget(electionCheck);
  else if (targetStatus.zookeeperRetry !== null && targetStatus.zookeeperRetry !== undefined)
    add(
      'FAIL',
      electionCheck,
      'its zkfc is out of the election: ' +
        `ZooKeeper unreachable since ${shown(targetStatus.zookeeperRetry.since ?? '?')} ` +
        `(${shown(targetStatus.zookeeperRetry.reason)})`,
    );
  else {
    // Out of the election (unhealthy, ceded, paused) a zkfc holds no ZooKeeper session, as Hadoop's
    // does: only a zkfc in the election without a connection, or one retrying, is cut off.
    const inElection = targetStatus.electorState === 'ACTIVE' || targetStatus.electorState === 'STANDBY';
    const cededUntilMs = targetStatus.cededUntil === null ? NaN : Date.parse(targetStatus.cededUntil);
    const ceded = Number.isFinite(cededUntilMs) && cededUntilMs > facts.nowMs;
    if (ceded && cededUntilMs - facts.nowMs > facts.failoverWaitMs)
      add(
        'FAIL',
        electionCheck,
        `its zkfc ceded until ${shown(targetStatus.cededUntil ?? '?')}, later than the failover waits ` +
          `(${seconds(facts.failoverWaitMs)})`,
      );
    else if (ceded)
      add(
        'WARN',
        electionCheck,
        `its zkfc ceded until ${shown(targetStatus.cededUntil ?? '?')}; it rejoins the election then`,
      );
    else if (inElection && targetStatus.zkConnectionState !== 'CONNECTED')
      add(
        'FAIL',
        electionCheck,
        `its zkfc is in the election but ${shown(targetStatus.zkConnectionState)} from ZooKeeper`,
      );
    else if (inElection)
      add('ok', electionCheck, `connected to ZooKeeper, in the election (${targetStatus.electorState})`);
    else
      add(
        'ok',
        electionCheck,
        `out of the election now (${shown(targetStatus.electorState)}, ZooKeeper ` +
          `${shown(targetStatus.zkConnectionState)}); it joins when healthy`,
      );
  }

  // 8. Every other zkfc answers: each is asked to cede (the active last).
  for (const nn of others) {
    const check = `zkfc of ${nn.namenodeId}`;
    if (!nn.zkfc.ok) add('FAIL', check, `does not answer, but will be asked to cede: ${shown(nn.zkfc.error)}`);
    else add('ok', check, `answers at ${shown(nn.zkfc.address)}; it will be asked to cede`);
  }

  // 9. Fencing readiness of the target's methods (used if the active does not stand down gracefully).
  const fencingCheck = `fencing of ${to}`;
  if (targetStatus === undefined) skipTarget(fencingCheck);
  else {
    const methods = targetStatus.fencing;
    const notReady = methods.filter((m) => !m.ready);
    const listed = notReady.map((m) => `${shown(m.method)}: ${shown(m.detail)}`).join('; ');
    if (methods.length === 0) add('WARN', fencingCheck, 'no preflight result yet');
    else if (notReady.length === methods.length)
      add(
        'FAIL',
        fencingCheck,
        `no method is ready, so an active that does not stand down gracefully cannot be fenced: ${listed}`,
      );
    else if (notReady.length > 0)
      add('WARN', fencingCheck, `${methods.length - notReady.length}/${methods.length} ready; not ready: ${listed}`);
    else add('ok', fencingCheck, `${methods.length}/${methods.length} methods ready`);
  }

  // 10. The target NameNode's HTTP view, as its zkfc reads it.
  const httpCheck = `HTTP view of ${to}`;
  const http = targetStatus?.namenodeHttp;
  if (targetStatus === undefined) skipTarget(httpCheck);
  else if (http === null || http === undefined) add('ok', httpCheck, 'not read (zkfc.namenode-http.interval.ms=0)');
  else if (http.view === null)
    add('WARN', httpCheck, `no view yet: ${shown(http.lastError?.message ?? 'no read yet')}`);
  else {
    const view = http.view;
    const notes: string[] = [];
    if (!http.up)
      notes.push(`down (last view ${seconds(http.ageMs ?? 0)} old): ${shown(http.lastError?.message ?? '?')}`);
    if (view.millisSinceLastLoadedEdits > STALE_EDITS_WARN_MS)
      notes.push(
        `edits last loaded ${seconds(view.millisSinceLastLoadedEdits)} ago ` +
          `(stale above ${seconds(STALE_EDITS_WARN_MS)})`,
      );
    if (http.isActiveMismatch) notes.push('/isActive disagrees with NameNodeStatus.State');
    if (view.inSafemode) add('FAIL', httpCheck, `in safe mode: ${shown(view.safemode)}`);
    else if (notes.length > 0) add('WARN', httpCheck, notes.join('; '));
    else
      add(
        'ok',
        httpCheck,
        `safe mode off, edits loaded ${seconds(view.millisSinceLastLoadedEdits)} ago, ` +
          `txid ${view.lastAppliedOrWrittenTxId}`,
      );
    if (view.inSafemode && notes.length > 0) add('WARN', httpCheck, notes.join('; '));
  }
  return report();
}

/** The lines -failover --dry-run prints. */
export function renderDryRun(report: DryRunReport): string[] {
  const lines = [`Dry run of -failover ${report.from} ${report.to}: nothing is changed`];
  for (const c of report.checks) lines.push(`${c.mark.padEnd(4)}  ${c.check}: ${c.found}`);
  const failed = report.checks.filter((c) => c.mark === 'FAIL').length;
  const warned = report.checks.filter((c) => c.mark === 'WARN').length;
  lines.push(
    report.go
      ? `Verdict: GO${warned > 0 ? ` (${warned} warning${warned === 1 ? '' : 's'})` : ''}`
      : `Verdict: NO-GO (${failed} check${failed === 1 ? '' : 's'} failed)`,
  );
  return lines;
}

/** Extra wait for the target's attempt after the cedes (src/runtime/controller-runtime.ts). */
const GRACEFUL_BECOME_ACTIVE_WAIT_MS = 60_000;

/** monitorHealth on one NameNode, bounded by the cli-check timeout; never rejects. */
export async function probeMonitorHealth(ctx: HaAdminContext, target: HaTarget): Promise<MonitorHealthProbe> {
  const client = ctx.clients.create(target.address, { connectTimeoutMs: ctx.timeouts.cliCheckMs });
  try {
    await client.monitorHealth(ctx.timeouts.cliCheckMs);
    return { ok: true };
  } catch (error) {
    return { ok: false, error: errorMessage(error) };
  } finally {
    client.close();
  }
}

/** What every NameNode and zkfc of the target's nameservice says, each bounded in time. */
export function collectForTarget(ctx: HaAdminContext, target: HaTarget): Promise<ClusterStatus> {
  return collectClusterStatus({
    nameserviceId: target.nameserviceId,
    namenodes:
      ctx.service === 'resourcemanager'
        ? resourceManagerStatusEndpoints(ctx.conf)
        : clusterStatusEndpoints(ctx.conf, target.nameserviceId),
    clients: ctx.clients,
    fetchZkfcStatus: ctx.fetchZkfcStatus,
    rpcTimeoutMs: ctx.timeouts.cliCheckMs,
  });
}

/** haadmin -failover --dry-run <from> <to> [--json]: exit 0 for go, -1 for no-go. */
export async function runFailoverDryRun(
  ctx: HaAdminContext,
  fromId: string,
  toId: string,
  json: boolean,
): Promise<number> {
  const configProblems: string[] = [];
  const resolve = async (id: string): Promise<HaTarget | undefined> => {
    try {
      return await ctx.resolveTarget(id);
    } catch (error) {
      if (!(error instanceof ConfigError || error instanceof IllegalArgumentError)) throw error;
      configProblems.push(shown(errorMessage(error)));
      return undefined;
    }
  };
  const fromTarget = await resolve(fromId);
  const toTarget = await resolve(toId);
  if (
    fromTarget !== undefined &&
    toTarget !== undefined &&
    fromTarget.autoFailoverEnabled !== toTarget.autoFailoverEnabled
  )
    configProblems.push(`inconsistent automatic failover settings between ${fromId} and ${toId}`);
  const autoFailoverEnabled = (toTarget ?? fromTarget)?.autoFailoverEnabled ?? true;
  const proceed = toTarget !== undefined && configProblems.length === 0;
  const [cluster, targetHealth] = proceed
    ? await Promise.all([collectForTarget(ctx, toTarget), probeMonitorHealth(ctx, toTarget)])
    : [undefined, undefined];
  const report = dryRunChecks({
    from: fromId,
    to: toId,
    autoFailoverEnabled,
    configProblems,
    cluster,
    targetHealth,
    failoverWaitMs: 2 * ctx.settings.failover.gracefulFenceRpcTimeoutMs + GRACEFUL_BECOME_ACTIVE_WAIT_MS,
    nowMs: cliClock.wallMs(),
  });
  if (json) printJson(ctx.io, report);
  else for (const text of renderDryRun(report)) ctx.io.out(text);
  return report.go ? OK : FAILED;
}
