// Renders a ClusterStatus (cluster-status.ts) as the text `haadmin -status` prints: one row per
// NameNode, then the election (lock holder, breadcrumb), the last failover, fencing readiness per
// method and the problems found. Pure: same input, same lines; no clock, no I/O (the sandbox and
// other tools reuse it).

import type { ActiveNodeInfo } from '../../core/types.js';
import type { ClusterStatus, NamenodeStatus } from './cluster-status.js';
import { clusterStatusExitCode } from './cluster-status.js';

const HEADERS = ['NAMENODE', 'ADDRESS', 'HA STATE', 'HEALTH', 'LOCK', 'FENCING'] as const;

function haStateCell(nn: NamenodeStatus): string {
  if (!nn.haState.ok) return 'unreachable';
  const state = nn.haState.state.toLowerCase();
  return nn.haState.state === 'STANDBY' && nn.haState.readyToBecomeActive === false ? `${state} (not ready)` : state;
}

function healthCell(nn: NamenodeStatus): string {
  return nn.zkfc.ok ? nn.zkfc.status.healthState : 'zkfc unreachable';
}

function lockCell(nn: NamenodeStatus): string {
  if (nn.holdsLock === null) return '?';
  return nn.holdsLock ? 'held' : '-';
}

function fencingCell(nn: NamenodeStatus): string {
  if (nn.fencing === null) return '?';
  if (nn.fencing.length === 0) return 'not checked';
  const ready = nn.fencing.filter((m) => m.ready).length;
  return `${ready}/${nn.fencing.length} ready`;
}

function describeNode(node: ActiveNodeInfo | null): string {
  if (node === null) return 'none';
  return `${node.namenodeId} (${node.nameserviceId}, ${node.hostname}:${node.port}, zkfc port ${node.zkfcPort})`;
}

/** Left-aligned columns separated by two spaces; trailing spaces trimmed. */
export function formatColumns(rows: ReadonlyArray<readonly string[]>): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

const VERDICT_TEXT: Readonly<Record<ClusterStatus['verdict'], string>> = {
  ok: 'OK: one active NameNode, every NameNode and zkfc answered',
  degraded: 'DEGRADED: one active NameNode, but not every NameNode or zkfc answered',
  'no-active': 'NO ACTIVE NAMENODE',
  'multiple-active': 'MORE THAN ONE ACTIVE NAMENODE',
};

/** The lines of the status report (without trailing newlines). */
export function renderStatusTable(status: ClusterStatus): string[] {
  const lines: string[] = [`Nameservice ${status.nameserviceId} (collected ${status.collectedAt})`, ''];
  lines.push(
    ...formatColumns([HEADERS, ...status.namenodes.map((nn) => [nn.namenodeId, nn.address, haStateCell(nn), healthCell(nn), lockCell(nn), fencingCell(nn)])]),
  );
  lines.push('');

  const election = status.election;
  if (election === null) {
    lines.push('Lock holder:    unknown (no zkfc answered)');
    lines.push('Breadcrumb:     unknown (no zkfc answered)');
  } else {
    lines.push(`Lock holder:    ${describeNode(election.lockHolder)}`);
    lines.push(`Breadcrumb:     ${describeNode(election.breadcrumb)}`);
    lines.push(`                (as last read by the zkfc of ${election.reportedBy}${status.electionViewsDiffer ? '; other zkfcs see it differently' : ''})`);
  }

  const failover = status.lastFailover;
  if (failover === null) {
    lines.push(`Last failover:  ${status.election === null ? 'unknown (no zkfc answered)' : 'none recorded by a reachable zkfc'}`);
  } else {
    const p = failover.phases;
    const ms = (value: number): string => `${Math.round(value)} ms`;
    lines.push(`Last failover:  ${failover.from ?? '(none)'} -> ${failover.to} at ${failover.at}, reason ${failover.reason}, took ${ms(failover.durationMs)}`);
    lines.push(
      `                (detection ${ms(p.detectionMs)}, election ${ms(p.electionMs)}, fencing ${ms(p.fencingMs)}, promotion ${ms(p.promotionMs)}; reported by the zkfc of ${failover.reportedBy})`,
    );
  }

  const fencingRows = status.namenodes.flatMap((nn) =>
    (nn.fencing ?? []).map((m) => ['  ' + nn.namenodeId, m.method, m.ready ? 'ready' : 'NOT READY', m.detail, m.checkedAt === null ? '' : `(checked ${m.checkedAt})`]),
  );
  if (fencingRows.length > 0) {
    lines.push('', 'Fencing (as each zkfc checks the methods it would use):');
    lines.push(...formatColumns(fencingRows));
  }

  if (status.problems.length > 0) {
    lines.push('', 'Problems:');
    for (const problem of status.problems) lines.push(`  - ${problem}`);
  }
  lines.push('', `Verdict: ${VERDICT_TEXT[status.verdict]} (exit ${clusterStatusExitCode(status.verdict)})`);
  return lines;
}
