// Renders a ClusterStatus (cluster-status.ts) as the text `haadmin -status` prints: one row per
// NameNode, then the election (lock holder, breadcrumb), the last failover, fencing readiness per
// method, each NameNode's HTTP view (as its zkfc reads it) and the problems found. Pure: same
// input, same lines; no clock, no I/O (the sandbox and other tools reuse it).
// Most of what it shows was read from ZooKeeper (where any client may write), from NameNodes or
// from zkfcs: every such string goes through `shown` (control characters and line breaks made
// visible, length bounded), so it can neither rewrite the terminal nor add a line of its own
// (a forged "Verdict: OK").

import type { ActiveNodeInfo } from '../../core/types.js';
import type { NameNodeHttpStatus } from '../../observability/status.js';
import type { ClusterStatus, NamenodeStatus } from './cluster-status.js';
import { clusterStatusExitCode } from './cluster-status.js';
import { untrustedText } from '../../observability/untrusted.js';

/** Longest remote string a cell shows (a hostname is at most 253 characters). */
const CELL_MAX_CHARS = 300;
/** Longest problem or fencing detail shown (a ZooKeeper problem carries the command that clears it at its end). */
const DETAIL_MAX_CHARS = 2000;

/** A string from elsewhere, as one bounded piece of one line. */
function shown(text: string, maxChars = CELL_MAX_CHARS): string {
  return untrustedText(text, maxChars);
}

const HEADERS = ['NAMENODE', 'ADDRESS', 'HA STATE', 'HEALTH', 'LOCK', 'FENCING'] as const;

function haStateCell(nn: NamenodeStatus): string {
  if (!nn.haState.ok) return 'unreachable';
  const state = shown(String(nn.haState.state).toLowerCase());
  return nn.haState.state === 'STANDBY' && nn.haState.readyToBecomeActive === false ? `${state} (not ready)` : state;
}

function healthCell(nn: NamenodeStatus): string {
  return nn.zkfc.ok ? shown(String(nn.zkfc.status.healthState)) : 'zkfc unreachable';
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
  return (
    `${shown(node.namenodeId)} (${shown(node.nameserviceId)}, ` +
    `${shown(node.hostname)}:${shown(String(node.port))}, zkfc port ${shown(String(node.zkfcPort))})`
  );
}

/** One row of the NameNode HTTP view section: reachability, state, safe mode, edits age, txid, /isActive. */
function namenodeHttpRow(namenodeId: string, http: NameNodeHttpStatus): string[] {
  const view = http.view;
  const age = http.ageMs === null ? '' : ` (read ${Math.round(http.ageMs / 1000)} s ago)`;
  const why = http.lastError === null ? 'no read yet' : shown(http.lastError.message, DETAIL_MAX_CHARS);
  const reach = http.up ? `up${age}` : `DOWN: ${why}${view === null ? '' : `; last view${age}`}`;
  if (view === null) return ['  ' + shown(namenodeId), '-', '-', '-', '-', '-', reach];
  return [
    '  ' + shown(namenodeId),
    shown(view.state.toLowerCase()),
    view.inSafemode ? 'SAFE MODE' : 'safe mode off',
    `edits loaded ${Math.round(view.millisSinceLastLoadedEdits / 1000)} s ago`,
    `txid ${view.lastAppliedOrWrittenTxId}`,
    http.isActiveMismatch ? '/isActive DISAGREES' : '/isActive agrees',
    reach,
  ];
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
  const lines: string[] = [`Nameservice ${shown(status.nameserviceId)} (collected ${shown(status.collectedAt)})`, ''];
  lines.push(
    ...formatColumns([
      HEADERS,
      ...status.namenodes.map((nn) => [
        shown(nn.namenodeId),
        shown(nn.address),
        haStateCell(nn),
        healthCell(nn),
        lockCell(nn),
        fencingCell(nn),
      ]),
    ]),
  );
  lines.push('');

  const election = status.election;
  if (election === null) {
    lines.push('Lock holder:    unknown (no zkfc answered)');
    lines.push('Breadcrumb:     unknown (no zkfc answered)');
  } else {
    lines.push(`Lock holder:    ${describeNode(election.lockHolder)}`);
    lines.push(`Breadcrumb:     ${describeNode(election.breadcrumb)}`);
    lines.push(
      `                (as last read by the zkfc of ` +
        `${shown(election.reportedBy)}${status.electionViewsDiffer ? '; other zkfcs see it differently' : ''})`,
    );
  }

  const failover = status.lastFailover;
  if (failover === null) {
    lines.push(
      `Last failover:  ` +
        `${status.election === null ? 'unknown (no zkfc answered)' : 'none recorded by a reachable zkfc'}`,
    );
  } else {
    const p = failover.phases;
    const ms = (value: number): string => `${Math.round(value)} ms`;
    lines.push(
      `Last failover:  ${shown(failover.from ?? '(none)')} -> ${shown(failover.to)} at ` +
        `${shown(failover.at)}, reason ${shown(failover.reason)}, took ${ms(failover.durationMs)}`,
    );
    lines.push(
      `                (detection ${ms(p.detectionMs)}, election ${ms(p.electionMs)}, fencing ` +
        `${ms(p.fencingMs)}, promotion ${ms(p.promotionMs)}; reported by the zkfc of ${shown(failover.reportedBy)})`,
    );
  }

  const fencingRows = status.namenodes.flatMap((nn) =>
    (nn.fencing ?? []).map((m) => [
      '  ' + shown(nn.namenodeId),
      shown(m.method),
      m.ready ? 'ready' : 'NOT READY',
      shown(m.detail, DETAIL_MAX_CHARS),
      m.checkedAt === null ? '' : `(checked ${shown(m.checkedAt)})`,
    ]),
  );
  if (fencingRows.length > 0) {
    lines.push('', 'Fencing (as each zkfc checks the methods it would use):');
    lines.push(...formatColumns(fencingRows));
  }

  const httpRows = status.namenodes.flatMap((nn) => {
    const view = nn.zkfc.ok ? nn.zkfc.status.namenodeHttp : null;
    return view === null ? [] : [namenodeHttpRow(nn.namenodeId, view)];
  });
  if (httpRows.length > 0) {
    lines.push('', 'NameNode HTTP view (as each zkfc reads its NameNode: JMX and /isActive):');
    lines.push(...formatColumns(httpRows));
  }

  const viewRows = status.namenodes.flatMap((nn) => {
    const view = nn.zkfc.ok ? nn.zkfc.status.cluster : null;
    if (view === null) return [];
    const seen = view.namenodes
      .map((o) => `${shown(o.namenodeId)} ${o.state === null ? 'no answer' : shown(o.state.toLowerCase())}`)
      .join(', ');
    const without = view.secondsWithoutActive > 0 ? `; no active for ${view.secondsWithoutActive} s` : '';
    return [
      [
        '  ' + shown(nn.namenodeId),
        seen.length === 0 ? 'nothing yet' : seen,
        view.checkedAt === null ? '(not checked yet)' : `(checked ${shown(view.checkedAt)}${without})`,
      ],
    ];
  });
  if (viewRows.length > 0) {
    lines.push('', 'Cluster view (every NameNode as each zkfc last saw it):');
    lines.push(...formatColumns(viewRows));
  }

  if (status.problems.length > 0) {
    lines.push('', 'Problems:');
    for (const problem of status.problems) lines.push(`  - ${shown(problem, DETAIL_MAX_CHARS)}`);
  }
  lines.push('', `Verdict: ${VERDICT_TEXT[status.verdict]} (exit ${clusterStatusExitCode(status.verdict)})`);
  return lines;
}
