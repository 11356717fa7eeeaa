// haadmin explain <serviceId> [--json] (also -explain; not in Hadoop): why this NameNode is or is
// not active right now, along the decision chain the zkfcs follow: the NameNode reachable and its
// HA state (getServiceStatus, cli-check timeout); its health as its zkfc sees it; readiness (safe
// mode and edits age from the HTTP view, readyToBecomeActive); a cede; who holds the lock; the
// breadcrumb; fencing readiness; a maintenance pause; a failover anti-flap holds back; the zkfc's
// ZooKeeper connection or retry;
// then one concluding sentence. Only reads: every zkfc's GET /status and every NameNode's
// getServiceStatus (cluster-status.ts), all in parallel and bounded in time. Remote strings are
// escaped and bounded as in the status table. Exit 0 once explained; -1 for bad arguments.
//
// `explainNamenode` is pure (same facts, same lines).

import type { ActiveNodeInfo } from '../../core/types.js';
import type { ZkfcStatus } from '../../observability/status.js';
import type { ClusterStatus, NamenodeStatus } from './cluster-status.js';
import { incorrectArgumentCount, OK, type HaAdminCommand } from './command.js';
import { collectForTarget, shown, STALE_EDITS_WARN_MS } from './failover-dry-run.js';
import { printJson } from './json-output.js';
import { commandUsageLine, type CommandUsage } from './usage.js';
import { cliClock } from './cli-clock.js';

export interface ExplainFact {
  /** What was checked, e.g. "lock". */
  readonly check: string;
  /** What was found (remote strings escaped and bounded). */
  readonly found: string;
}

export interface Explanation {
  readonly namenode: string;
  readonly nameservice: string;
  readonly collectedAt: string;
  /** ACTIVE, STANDBY, OBSERVER, INITIALIZING, or null when the NameNode did not answer. */
  readonly haState: string | null;
  readonly active: boolean;
  readonly facts: readonly ExplainFact[];
  readonly conclusion: string;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}

function nodeName(node: ActiveNodeInfo): string {
  return `${shown(node.namenodeId)} (${shown(node.hostname)}:${node.port})`;
}

function statusOf(nn: NamenodeStatus | undefined): ZkfcStatus | undefined {
  return nn !== undefined && nn.zkfc.ok ? nn.zkfc.status : undefined;
}

/** In the election a zkfc holds a ZooKeeper session; out of it (unhealthy, ceded, paused) none. */
function inElection(status: ZkfcStatus): boolean {
  return status.electorState === 'ACTIVE' || status.electorState === 'STANDBY';
}

/** The facts and the conclusion for `namenodeId`, from what the cluster answered. Pure. */
export function explainNamenode(cluster: ClusterStatus, namenodeId: string, nowMs: number): Explanation {
  const nn = cluster.namenodes.find((n) => n.namenodeId === namenodeId);
  const facts: ExplainFact[] = [];
  const add = (check: string, found: string): void => {
    facts.push({ check, found });
  };
  const base = { namenode: namenodeId, nameservice: cluster.nameserviceId, collectedAt: cluster.collectedAt };
  if (nn === undefined) {
    const conclusion = `${namenodeId} is not a NameNode of ${cluster.nameserviceId}.`;
    return { ...base, haState: null, active: false, facts, conclusion };
  }
  const status = statusOf(nn);
  const zkfcDown = nn.zkfc.ok ? undefined : nn.zkfc.error;

  // The NameNode and its HA state.
  if (nn.haState.ok) add('NameNode', `answers getServiceStatus at ${nn.address}: ${shown(nn.haState.state)}`);
  else add('NameNode', `does not answer getServiceStatus at ${nn.address}: ${shown(nn.haState.error)}`);
  if (zkfcDown !== undefined) add('zkfc', `does not answer: ${shown(zkfcDown)}`);

  // Health as its zkfc sees it.
  add(
    'health',
    status === undefined ? 'unknown (its zkfc did not answer)' : `${shown(status.healthState)} as its zkfc sees it`,
  );

  // Readiness: safe mode, edits age (HTTP view), readyToBecomeActive (RPC).
  const readiness: string[] = [];
  if (nn.haState.ok) {
    if (nn.haState.readyToBecomeActive === true) readiness.push('readyToBecomeActive');
    else if (nn.haState.readyToBecomeActive === false)
      readiness.push(`not ready to become active: ${shown(nn.haState.notReadyReason ?? 'no reason given')}`);
    else readiness.push('readyToBecomeActive not reported');
  }
  const http = status?.namenodeHttp;
  if (http !== null && http !== undefined && http.view !== null) {
    const view = http.view;
    readiness.push(view.inSafemode ? `in safe mode: ${shown(view.safemode)}` : 'safe mode off');
    const stale = view.millisSinceLastLoadedEdits > STALE_EDITS_WARN_MS ? ' (stale)' : '';
    readiness.push(`edits loaded ${seconds(view.millisSinceLastLoadedEdits)} ago${stale}`);
    if (!http.up) readiness.push(`HTTP view down, last view ${seconds(http.ageMs ?? 0)} old`);
  } else if (status !== undefined) {
    readiness.push(http === null || http === undefined ? 'HTTP view not read' : 'no HTTP view yet');
  }
  add('readiness', readiness.length > 0 ? readiness.join('; ') : 'unknown');
  // The readiness gate's own verdict, as its zkfc acts on it.
  const gate = status?.readiness;
  if (gate !== undefined && gate !== null) add('readiness gate', shown(gate.summary));
  else if (status !== undefined) add('readiness gate', gate === null ? 'off or not assessed yet' : 'not reported');

  // Cede.
  const cededUntilMs = status?.cededUntil ? Date.parse(status.cededUntil) : NaN;
  const ceded = Number.isFinite(cededUntilMs) && cededUntilMs > nowMs;
  if (status !== undefined)
    add('cede', ceded ? `its zkfc ceded: out of the election until ${shown(status.cededUntil ?? '?')}` : 'not ceded');

  // Lock holder and breadcrumb.
  const lock = cluster.election?.lockHolder ?? null;
  const holder = lock === null ? undefined : cluster.namenodes.find((n) => n.namenodeId === lock.namenodeId);
  if (cluster.election === null) add('lock', 'unknown (no zkfc answered)');
  else if (lock === null) add('lock', `nobody holds it (as the zkfc of ${cluster.election.reportedBy} read it)`);
  else add('lock', `held for ${nodeName(lock)}${lock.namenodeId === namenodeId ? ': this NameNode' : ''}`);
  const crumb = cluster.election?.breadcrumb ?? null;
  if (cluster.election !== null)
    add(
      'breadcrumb',
      crumb === null
        ? 'none (the last active stood down gracefully, or none yet)'
        : `names ${nodeName(crumb)} as the last active: a new active fences it unless it stood down gracefully`,
    );

  // Fencing readiness of its zkfc's methods.
  if (status !== undefined) {
    const methods = status.fencing;
    const notReady = methods.filter((m) => !m.ready);
    add(
      'fencing',
      methods.length === 0
        ? 'no preflight result yet'
        : notReady.length === 0
          ? `${methods.length}/${methods.length} methods ready`
          : `${methods.length - notReady.length}/${methods.length} ready; not ready: ` +
            notReady.map((m) => `${shown(m.method)}: ${shown(m.detail)}`).join('; '),
    );
  }

  // Maintenance pause (any zkfc).
  const pause = cluster.namenodes.map((n) => statusOf(n)?.maintenancePause).find((p) => p !== null && p !== undefined);
  add(
    'maintenance pause',
    pause === undefined
      ? 'none'
      : `paused until ${shown(pause.until ?? '?')} by ${shown(pause.by)}: ${shown(pause.reason)}`,
  );

  // Anti-flap: the active's zkfc may hold an automatic failover back (README "Anti-flap").
  const holding = cluster.namenodes.flatMap((n) => {
    const hold = statusOf(n)?.antiFlap?.holdingBack;
    return hold === null || hold === undefined ? [] : [{ namenodeId: n.namenodeId, hold }];
  });
  const holdOf = (namenode: string | undefined) => holding.find((h) => h.namenodeId === namenode)?.hold;
  const antiFlap = status?.antiFlap;
  add(
    'anti-flap',
    holding.length > 0
      ? holding
          .map(
            ({ namenodeId: holder, hold }) =>
              `the zkfc of ${holder} holds a failover back since ${shown(hold.since ?? '?')}: ${shown(hold.reason)} ` +
              `(${shown(hold.healthReason)}); it proceeds at ${shown(hold.releaseAt ?? '?')} if still unhealthy`,
          )
          .join('; ')
      : antiFlap === null || antiFlap === undefined
        ? 'nothing held back (its zkfc does not report anti-flap)'
        : antiFlap.maxFailovers === 0
          ? 'off'
          : `nothing held back (${antiFlap.failoversInWindow} of at most ${antiFlap.maxFailovers} automatic ` +
            `failovers in ${seconds(antiFlap.windowMs)})`,
  );

  // ZooKeeper connection of its zkfc.
  const retry = status?.zookeeperRetry;
  if (status !== undefined)
    add(
      'ZooKeeper',
      retry !== null && retry !== undefined
        ? `its zkfc is out of the election, ZooKeeper unreachable since ${shown(retry.since ?? '?')} ` +
            `(${retry.failures} failed attempts, next at ${shown(retry.nextAttemptAt ?? '?')}): ${shown(retry.reason)}`
        : `its zkfc is ${shown(status.zkConnectionState)}, elector ${shown(status.electorState)}` +
            (inElection(status) ? '' : ' (out of the election: no session, as a Hadoop ZKFC)'),
    );

  // The conclusion.
  const haState = nn.haState.ok ? nn.haState.state : null;
  const holderHealth = (): string => {
    const s = statusOf(holder);
    return s === undefined
      ? 'its zkfc did not answer'
      : s.healthState === 'SERVICE_HEALTHY'
        ? 'is healthy'
        : `its zkfc sees it as ${shown(s.healthState)}`;
  };
  let conclusion: string;
  const id = namenodeId;
  if (!nn.haState.ok) conclusion = `${id} is not active: its NameNode does not answer at ${nn.address}.`;
  else if (haState === 'ACTIVE') {
    if (lock !== null && lock.namenodeId === id)
      conclusion =
        status === undefined || status.healthState === 'SERVICE_HEALTHY'
          ? `${id} is active because its zkfc holds the lock and it is healthy.`
          : holdOf(id) !== undefined
            ? `${id} is active and keeps the lock although its zkfc sees it as ${shown(status.healthState)}: ` +
              `anti-flap holds the failover back until ${shown(holdOf(id)?.releaseAt ?? '?')}.`
            : pause !== undefined
              ? `${id} is active and keeps the lock during the maintenance pause, ` +
                `although its zkfc sees it as ${shown(status.healthState)}.`
              : `${id} is active and holds the lock, but its zkfc sees it as ${shown(status.healthState)}: ` +
                'it will quit the election.';
    else if (lock !== null)
      conclusion = `${id} reports active, but the lock is held for ${shown(lock.namenodeId)}: it is to be fenced.`;
    else conclusion = `${id} reports active, but nobody holds the lock.`;
  } else {
    const state = shown(String(haState).toLowerCase());
    if (haState === 'OBSERVER') conclusion = `${id} is an observer: its zkfc stays out of the election.`;
    else if (status === undefined) conclusion = `${id} is ${state}; its zkfc does not answer, so it cannot be elected.`;
    else if (pause !== undefined)
      conclusion = `${id} is ${state} because automatic failover is paused until ${shown(pause.until ?? '?')}.`;
    else if (retry !== null && retry !== undefined)
      conclusion = `${id} is ${state} because its zkfc cannot reach ZooKeeper.`;
    else if (status.healthState !== 'SERVICE_HEALTHY')
      conclusion = `${id} is ${state} because its zkfc sees it as ${shown(status.healthState)}.`;
    else if (ceded) conclusion = `${id} is ${state} because its zkfc ceded until ${shown(status.cededUntil ?? '?')}.`;
    else if (status.readiness !== undefined && status.readiness !== null && !status.readiness.ready)
      conclusion =
        `${id} is ${state} because the readiness gate keeps its zkfc out of the election: ` +
        `${shown(status.readiness.summary).replace(/\.$/, '')}.`;
    else if (inElection(status) && status.zkConnectionState !== 'CONNECTED')
      conclusion = `${id} is ${state} because its zkfc lost its ZooKeeper connection.`;
    else if (lock !== null && lock.namenodeId !== id && holdOf(lock.namenodeId) !== undefined)
      conclusion =
        `${id} is ${state} because ${shown(lock.namenodeId)} holds the lock: anti-flap holds the failover back ` +
        `until ${shown(holdOf(lock.namenodeId)?.releaseAt ?? '?')} ` +
        `(the zkfc of ${shown(lock.namenodeId)} sees it as ${shown(statusOf(holder)?.healthState ?? '?')}).`;
    else if (lock !== null && lock.namenodeId !== id)
      conclusion = `${id} is ${state} because ${shown(lock.namenodeId)} holds the lock and ${holderHealth()}.`;
    else if (lock !== null)
      conclusion =
        `${id} is ${state} although its zkfc holds the lock: ` + 'the transition to active is under way or failed.';
    else
      conclusion =
        `${id} is ${state} and nobody holds the lock: ` +
        `its zkfc (elector ${shown(status.electorState)}) should take it.`;
    if (nn.haState.readyToBecomeActive === false && haState === 'STANDBY' && status?.readiness?.ready !== false)
      conclusion += ` It is also not ready to become active.`;
  }
  return { ...base, haState, active: haState === 'ACTIVE', facts, conclusion };
}

export function renderExplanation(explanation: Explanation): string[] {
  const width = Math.max(...explanation.facts.map((f) => f.check.length), 0);
  return [
    `Why ${explanation.namenode} is${explanation.active ? '' : ' not'} active ` +
      `(${explanation.nameservice}, collected ${explanation.collectedAt})`,
    ...explanation.facts.map((f) => `  ${`${f.check}:`.padEnd(width + 1)}  ${f.found}`),
    explanation.conclusion,
  ];
}

const usage: CommandUsage = {
  name: '-explain',
  args: '<serviceId> [--json]',
  help:
    'Explains why the service is or is not active now: its HA state, health, readiness, cede,\n' +
    'lock holder, breadcrumb, fencing readiness, maintenance pause and ZooKeeper connection,\n' +
    'then one concluding sentence. Not in Hadoop; also accepted as "explain". Reads only.',
};

export const explain: HaAdminCommand = {
  usage,
  options: ['json'],
  async run(ctx, line) {
    const [id] = line.args;
    if (line.args.length !== 1 || id === undefined) return incorrectArgumentCount(ctx, usage, commandUsageLine(usage));
    const target = await ctx.resolveTarget(id);
    const cluster = await collectForTarget(ctx, target);
    const explanation = explainNamenode(cluster, id, cliClock.wallMs());
    if (line.options.has('json')) printJson(ctx.io, explanation);
    else for (const text of renderExplanation(explanation)) ctx.io.out(text);
    return OK;
  },
};
