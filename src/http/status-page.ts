// The status page (GET / on zkfc.http-address): the daemon's one status model (ZkfcStatus, the
// same value /status serves) as a read-only HTML page for people: every NameNode as this daemon's
// cluster view sees it (state, health, readiness), this daemon's lock, breadcrumb, elector and
// ZooKeeper state, fencing readiness, the last failover and the failover journal's newest entries.
// Pure: same status, same page; no I/O.
//
// Safe by construction: every value goes through `text()` (HTML-escaped, cut in length) because
// most of them come from elsewhere (ZooKeeper data any client may write, NameNode error messages,
// configuration ids); no script at all, the page refreshes itself with <meta http-equiv=refresh>;
// one inline <style> whose hash the Content-Security-Policy allows, and nothing else may load
// (default-src 'none'), so even a missed escape could neither run code nor fetch from elsewhere.
//
// What the status model does not carry yet is shown as such, never guessed: the transaction lag
// behind the best peer (the local NameNode's own JMX view is shown, not a lag); a daemon too old
// to report pauses or history says so. Those places are marked `data-pending` in the page and
// "PENDING" below.

import { boundText } from '../observability/untrusted.js';
import type { ActiveNodeInfo } from '../core/types.js';
import {
  journalDuration,
  journalEvent,
  journalFencing,
  journalNamenodes,
  journalTrigger,
} from '../observability/journal-text.js';
import type { ClusterNamenodeStatus, ZkfcStatus } from '../observability/status.js';

/** Longest remote string shown in a cell (a hostname is at most 253 characters). */
const CELL_MAX_CHARS = 300;
/** Longest error, detail or problem text shown. */
const DETAIL_MAX_CHARS = 2000;
/** Refresh bounds: at least every 60 s, never more often than every 2 s. */
const REFRESH_MIN_SECONDS = 2;
const REFRESH_MAX_SECONDS = 60;
/** Refresh period when the cluster view is off. */
const REFRESH_DEFAULT_SECONDS = 5;

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#1b1b1b;background:#fafafa}
h1{font-size:1.4em;margin:0 0 .2em}h2{font-size:1.1em;margin:1.4em 0 .4em}
table{border-collapse:collapse;background:#fff}th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left;
vertical-align:top}th{background:#eee}.muted{color:#666}.pending{color:#8a6d00;font-style:italic}
.verdict{padding:.5em .8em;font-weight:bold;border-radius:4px;display:inline-block;margin:.6em 0}
.ok{background:#d8f0d8}.bad{background:#f8d0d0}.warn{background:#fbeec1}
.ACTIVE{color:#0a6b0a;font-weight:bold}.SERVICE_HEALTHY{color:#0a6b0a}
.SERVICE_UNHEALTHY,.SERVICE_NOT_RESPONDING,.HEALTH_MONITOR_FAILED,.down{color:#b00000;font-weight:bold}
dl{display:grid;grid-template-columns:max-content auto;gap:.15em 1em;margin:0}dt{color:#555}dd{margin:0}
code{font-family:ui-monospace,monospace;word-break:break-all}.nowrap{white-space:nowrap}
`;

/**
 * base64(SHA-256(STYLE)), the hash the Content-Security-Policy allows the page's style by. Written
 * out rather than computed, so that the daemon never loads node:crypto (OpenSSL's bindings cost
 * about 1.3 MiB resident, README "A lean daemon"); status-page.test.ts computes it from STYLE and
 * fails when STYLE changes without it.
 */
const STYLE_SHA256 = 'AXN3eg6nmjqZXMDyg1Ext69KrPIUGV4GtQfBwTUO/tM=';

/** The Content-Security-Policy the page is served with: nothing may load, only the page's own style applies. */
export const STATUS_PAGE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${STYLE_SHA256}'`,
  "img-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers of the page besides Content-Type (which the server sets). */
export const STATUS_PAGE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': STATUS_PAGE_CSP,
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
};

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** HTML-escape (text and attribute values alike). */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}

/** A value from the status, bounded and escaped. */
function text(value: string | number | boolean | null | undefined, maxChars = CELL_MAX_CHARS): string {
  if (value === null || value === undefined) return '<span class="muted">–</span>';
  return escapeHtml(boundText(String(value), maxChars));
}

/** A state word with its CSS class (the class only from a closed list of words we know). */
function stateWord(value: string | null, fallback: string): string {
  if (value === null) return `<span class="down">${escapeHtml(fallback)}</span>`;
  const known = /^[A-Z_]{1,40}$/.test(value) ? ` class="${value}"` : '';
  return `<span${known}>${text(value)}</span>`;
}

function node(info: ActiveNodeInfo | null): string {
  if (info === null) return '<span class="muted">none</span>';
  return (
    `<code>${text(info.namenodeId)}</code> (${text(info.nameserviceId)}, ` +
    `${text(info.hostname)}:${text(info.port)}, zkfc port ${text(info.zkfcPort)})`
  );
}

function readiness(nn: ClusterNamenodeStatus): string {
  if (nn.state === null) return '<span class="muted">–</span>';
  if (nn.readyToBecomeActive === false)
    return `not ready${nn.notReadyReason === null ? '' : `: ${text(nn.notReadyReason, DETAIL_MAX_CHARS)}`}`;
  return nn.readyToBecomeActive === true ? 'ready' : '<span class="muted">not reported</span>';
}

function refreshSeconds(status: ZkfcStatus): number {
  const intervalMs = status.cluster?.intervalMs ?? REFRESH_DEFAULT_SECONDS * 1000;
  return Math.min(REFRESH_MAX_SECONDS, Math.max(REFRESH_MIN_SECONDS, Math.round(intervalMs / 1000)));
}

function verdict(status: ZkfcStatus): string {
  const cluster = status.cluster;
  if (cluster === null)
    return (
      '<div class="verdict warn" id="verdict">Cluster view off (zkfc.cluster-view.interval.ms is 0): ' +
      'only this daemon\u2019s NameNode is shown</div>'
    );
  if (cluster.checkedAt === null) return '<div class="verdict warn" id="verdict">Asking the NameNodes…</div>';
  const actives = cluster.activeNamenodes.map((id) => `<code>${text(id)}</code>`).join(', ');
  if (cluster.activeNamenodes.length === 1)
    return `<div class="verdict ok" id="verdict">Active NameNode: ${actives}</div>${checked(cluster.checkedAt)}`;
  if (cluster.activeNamenodes.length > 1)
    return (
      `<div class="verdict bad" id="verdict">${cluster.activeNamenodes.length} ACTIVE NameNodes: ${actives}</div>` +
      checked(cluster.checkedAt)
    );
  return (
    `<div class="verdict bad" id="verdict">No active NameNode for ${text(cluster.secondsWithoutActive)} s` +
    `${cluster.lastActiveSeenAt === null ? '' : ` (last seen ${text(cluster.lastActiveSeenAt)})`}</div>` +
    checked(cluster.checkedAt)
  );
}

function checked(at: string | null): string {
  return `<p class="muted" id="checked">NameNodes last asked at ${text(at)}</p>`;
}

function namenodeTable(status: ZkfcStatus): string {
  const head =
    '<tr><th>NameNode</th><th>address</th><th>HA state</th><th>health</th><th>readiness</th>' +
    '<th>lag</th><th>error</th></tr>';
  const cluster = status.cluster;
  if (cluster === null) {
    const lag = '<td><span class="muted">not read (cluster view off)</span></td>';
    return (
      `<table id="namenodes">${head}<tr data-namenode="${text(status.namenode)}"><td><code>${text(status.namenode)}` +
      `</code> (this daemon)</td><td>${text(status.namenodeAddress)}</td><td>${stateWord(status.haState, 'unknown')}` +
      `</td><td>${stateWord(status.healthState, 'unknown')}</td><td><span class="muted">–</span></td>${lag}` +
      '<td><span class="muted">–</span></td></tr></table>'
    );
  }
  // Lag: each NameNode's last transaction id (read over HTTP by the cluster view) and how far it is
  // behind the highest one seen in the same round (a standby trails the active by up to a log roll).
  const known = cluster.namenodes.flatMap((nn) =>
    nn.lastAppliedOrWrittenTxId === null ? [] : [nn.lastAppliedOrWrittenTxId],
  );
  const highest = known.length === 0 ? null : Math.max(...known);
  const lagCell = (nn: ClusterNamenodeStatus): string => {
    const txid = nn.lastAppliedOrWrittenTxId;
    if (txid === null || highest === null) return '<td><span class="muted">not read</span></td>';
    const behind = highest - txid;
    return `<td>txid ${text(txid)}${behind > 0 ? ` (${text(behind)} behind)` : ''}</td>`;
  };
  const rows = cluster.namenodes.map(
    (nn) =>
      `<tr data-namenode="${text(nn.namenodeId)}"><td><code>${text(nn.namenodeId)}</code>` +
      `${nn.local ? ' (this daemon)' : ''}</td><td>${text(nn.address)}</td>` +
      `<td>${stateWord(nn.state, cluster.checkedAt === null ? 'not asked yet' : 'no answer')}</td>` +
      `<td>${stateWord(nn.health, 'unknown')}</td><td>${readiness(nn)}</td>${lagCell(nn)}` +
      `<td>${nn.error === null ? '<span class="muted">–</span>' : text(nn.error, DETAIL_MAX_CHARS)}</td></tr>`,
  );
  return `<table id="namenodes">${head}${rows.join('')}</table>`;
}

function fencingTable(status: ZkfcStatus): string {
  if (status.fencing.length === 0)
    return '<p class="muted" id="fencing">not checked (zkfc.fencing.preflight.interval.ms is 0, or no run yet)</p>';
  const rows = status.fencing.map(
    (m) =>
      `<tr><td><code>${text(m.method)}</code></td><td class="${m.ready ? 'SERVICE_HEALTHY' : 'down'}">` +
      `${m.ready ? 'ready' : 'NOT READY'}</td><td>${text(m.detail, DETAIL_MAX_CHARS)}</td>` +
      `<td>${text(m.checkedAt)}</td></tr>`,
  );
  return (
    '<table id="fencing"><tr><th>method</th><th>ready</th><th>detail</th><th>checked</th></tr>' +
    `${rows.join('')}</table>`
  );
}

function lastFailover(status: ZkfcStatus): string {
  const f = status.lastFailover;
  if (f === null) return '<p class="muted" id="last-failover">none by this daemon since it started</p>';
  const ms = (value: number): string => `${Math.round(value)} ms`;
  return (
    `<dl id="last-failover"><dt>when</dt><dd>${text(f.at)}</dd><dt>from → to</dt><dd><code>` +
    `${text(f.from ?? '(none)')}</code> → <code>${text(f.to)}</code></dd><dt>reason</dt><dd>${text(f.reason)}</dd>` +
    `<dt>took</dt><dd>${text(ms(f.durationMs))} (detection ${text(ms(f.phases.detectionMs))}, election ` +
    `${text(ms(f.phases.electionMs))}, fencing ${text(ms(f.phases.fencingMs))}, promotion ` +
    `${text(ms(f.phases.promotionMs))})</dd></dl>`
  );
}

/**
 * The failover journal's newest entries (README "Failover journal"): a failover's trigger is the
 * old active's own reason when its zkfc wrote one; a stand-down taken as a failover's trigger is
 * not listed again.
 */
function history(status: ZkfcStatus): string {
  const entries = status.history;
  if (entries === undefined)
    return '<p class="pending" data-pending="history" id="history">not reported by this daemon</p>';
  if (entries === null)
    return '<p class="muted" id="history">the failover journal is off (zkfc.journal.max-records is 0)</p>';
  const joined = new Set(entries.flatMap((e) => (e.kind === 'failover' && e.loser ? [e.loser.znode] : [])));
  const rows = entries.filter((entry) => !joined.has(entry.znode));
  if (rows.length === 0) return '<p class="muted" id="history">no failover recorded yet</p>';
  const cells = rows.map(
    (entry) =>
      `<tr data-kind="${text(entry.kind)}"><td>${text(entry.at)}</td><td>${text(journalEvent(entry))}</td>` +
      `<td class="nowrap">${text(journalNamenodes(entry))}</td><td>${text(journalDuration(entry))}</td>` +
      `<td>${text(journalTrigger(entry), DETAIL_MAX_CHARS)}</td>` +
      `<td>${text(journalFencing(entry), DETAIL_MAX_CHARS)}</td></tr>`,
  );
  return (
    '<table id="history"><tr><th>when</th><th>event</th><th>NameNodes</th><th>took</th><th>trigger</th>' +
    `<th>fencing</th></tr>${cells.join('')}</table>` +
    '<p class="muted">newest first; all of it: <code>haadmin history</code></p>'
  );
}

/** The local NameNode's HTTP view (JMX beans, /isActive), when the daemon reads it. */
function namenodeHttp(status: ZkfcStatus): string {
  const http = status.namenodeHttp;
  if (http === null) return '';
  const v = http.view;
  const rows = [
    `<dt>read from</dt><dd><code>${text(http.url)}</code>: ` +
      `${http.up ? 'answering' : '<span class="down">not answering</span>'}` +
      `${http.readAt === null ? '' : `, read ${text(http.readAt)}`}</dd>`,
  ];
  if (v !== null) {
    rows.push(
      `<dt>JMX state</dt><dd>${stateWord(v.state, 'unknown')} ` +
        `(FSNamesystem ${stateWord(v.namesystemHAState, 'unknown')}, /isActive ${v.isActive ? 'yes' : 'no'}` +
        `${http.isActiveMismatch ? ', <span class="down">they disagree</span>' : ''})</dd>`,
      `<dt>safe mode</dt><dd>` +
        `${v.inSafemode ? `<span class="down">on</span>: ${text(v.safemode, DETAIL_MAX_CHARS)}` : 'off'}</dd>`,
      `<dt>edits last loaded</dt><dd>${text(Math.round(v.millisSinceLastLoadedEdits / 1000))} s ago</dd>`,
      `<dt>transaction ids</dt><dd>last applied or written ${text(v.lastAppliedOrWrittenTxId)}, last written ` +
        `${text(v.lastWrittenTransactionId)}, last checkpoint ${text(v.mostRecentCheckpointTxId)}</dd>`,
    );
  }
  if (http.lastError !== null)
    rows.push(
      `<dt>last error</dt><dd>${text(http.lastError.kind)}: ${text(http.lastError.message, DETAIL_MAX_CHARS)}` +
        `${http.lastError.at === null ? '' : ` (${text(http.lastError.at)})`}</dd>`,
    );
  return `<h2>This daemon\u2019s NameNode over HTTP</h2><dl id="namenode-http">${rows.join('')}</dl>`;
}

/** The maintenance pause (haadmin pause): who set it, why, until when; absent from older daemons. */
function pause(status: ZkfcStatus): string {
  const held = status.maintenancePause;
  if (held === undefined)
    return '<dt>maintenance pause</dt><dd class="pending" data-pending="pause">not reported by this daemon</dd>';
  if (held === null) return '<dt>maintenance pause</dt><dd id="pause">none</dd>';
  return (
    `<dt>maintenance pause</dt><dd class="down" id="pause">PAUSED by ${text(held.by)} since ${text(held.since)} ` +
    `until ${text(held.until)}: ${text(held.reason, DETAIL_MAX_CHARS)} (no transition, no fencing)</dd>`
  );
}

/** The readiness gate's verdict (zkfc.readiness.*): whether this daemon may make its NameNode active. */
function readinessGate(status: ZkfcStatus): string {
  const gate = status.readiness;
  if (gate === undefined)
    return '<dt>readiness gate</dt><dd class="pending" data-pending="readiness">not reported by this daemon</dd>';
  if (gate === null) return '<dt>readiness gate</dt><dd id="readiness" class="muted">off, or not assessed yet</dd>';
  return (
    `<dt>readiness gate</dt><dd id="readiness"${gate.ready ? '' : ' class="down"'}>` +
    `${text(gate.summary, DETAIL_MAX_CHARS)}</dd>`
  );
}

/** Anti-flap (zkfc.anti-flap.*): the count in the window, and a failover held back now. */
function antiFlap(status: ZkfcStatus): string {
  const flap = status.antiFlap;
  if (flap === undefined || flap === null) return '';
  const limit =
    flap.maxFailovers === 0
      ? 'off'
      : `${text(flap.failoversInWindow)} of ${text(flap.maxFailovers)} automatic failovers in ` +
        `${text(Math.round(flap.windowMs / 1000))} s`;
  const held = flap.holdingBack;
  return (
    `<dt>anti-flap</dt><dd id="anti-flap"${held === null ? '' : ' class="down"'}>${limit}` +
    (held === null
      ? ''
      : `; HOLDING BACK a failover since ${text(held.since)}: ${text(held.reason, DETAIL_MAX_CHARS)} ` +
        `(released at ${text(held.releaseAt)} if still unhealthy)`) +
    '</dd>'
  );
}

function zookeeperRetry(status: ZkfcStatus): string {
  const retry = status.zookeeperRetry;
  if (retry === null) return '';
  return (
    `<dt>ZooKeeper retry</dt><dd class="down" id="zookeeper-retry">out of reach since ${text(retry.since)}, ` +
    `${text(retry.failures)} failed attempts (${text(retry.reason, DETAIL_MAX_CHARS)}); ` +
    `next at ${text(retry.nextAttemptAt)}</dd>`
  );
}

function zookeeperProblems(status: ZkfcStatus): string {
  if (status.zookeeperProblems.length === 0) return '';
  const items = status.zookeeperProblems.map(
    (p) =>
      `<li><b>${text(p.problem)}</b>: ${text(p.detail, DETAIL_MAX_CHARS)}<br>to clear: ` +
      `<code>${text(p.clear, DETAIL_MAX_CHARS)}</code></li>`,
  );
  return `<h2>ZooKeeper problems</h2><ul id="zookeeper-problems">${items.join('')}</ul>`;
}

/** The whole page for one snapshot. `generatedAt`: ISO time shown as the page's time. */
export function renderStatusPage(status: ZkfcStatus, generatedAt: string): string {
  const refresh = refreshSeconds(status);
  const member = status.service === 'resourcemanager' ? 'ResourceManager' : 'NameNode';
  const group = status.service === 'resourcemanager' ? 'cluster' : 'nameservice';
  const title = `zkfc ${status.nameservice}/${status.namenode}`;
  return (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">' +
    `<meta http-equiv="refresh" content="${refresh}">` +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${text(title)}</title><style>${STYLE}</style></head><body>` +
    `<h1>zkfc for ${member} <code>${text(status.namenode)}</code> of ${group} ` +
    `<code>${text(status.nameservice)}</code></h1>` +
    `<p class="muted">version ${text(status.version)}, up ${text(status.uptimeSeconds)} s; page generated ` +
    `${text(generatedAt)}, refreshes every ${refresh} s; read-only (JSON: <code>/status</code>, metrics: ` +
    '<code>/metrics</code>)</p>' +
    verdict(status) +
    `<h2>${member}s${status.cluster === null ? '' : ' as this daemon sees them'}</h2>` +
    namenodeTable(status) +
    '<h2>This daemon</h2><dl id="daemon">' +
    `<dt>local ${member}</dt><dd>${stateWord(status.haState, 'unknown')}, ${stateWord(status.healthState, 'unknown')}` +
    ` (<code>${text(status.namenodeAddress)}</code>)</dd>` +
    `<dt>elector</dt><dd>${stateWord(status.electorState, 'unknown')}</dd>` +
    `<dt>ZooKeeper</dt><dd>${stateWord(status.zkConnectionState, 'unknown')}, ` +
    `session ${text(status.zkSessionId)}</dd>` +
    `<dt>lock holder</dt><dd id="lock-holder">${node(status.lockHolder)}</dd>` +
    `<dt>breadcrumb</dt><dd id="breadcrumb">${node(status.breadcrumb)}</dd>` +
    zookeeperRetry(status) +
    `<dt>ceded until</dt><dd>${text(status.cededUntil)}</dd>` +
    pause(status) +
    readinessGate(status) +
    antiFlap(status) +
    '</dl>' +
    namenodeHttp(status) +
    zookeeperProblems(status) +
    '<h2>Fencing readiness</h2>' +
    fencingTable(status) +
    '<h2>Last failover</h2>' +
    lastFailover(status) +
    '<h2>History</h2>' +
    history(status) +
    '</body></html>\n'
  );
}
