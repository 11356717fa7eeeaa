// Goal: the status page shows what the status model holds (every NameNode of the cluster view with
// state, health and readiness; the verdict: one active, several, or none and for how long; this
// daemon's lock, breadcrumb, elector and ZooKeeper state; fencing; the last failover), marks what
// the model does not carry yet instead of inventing it, escapes and bounds every value (hostile
// ids, host names and messages cannot add markup), refreshes itself without script, and is served
// at GET / with a Content-Security-Policy that lets nothing load and allows only its own style.
// Method: renderStatusPage on fixture statuses, its tags checked against the page's own short
// list; the daemon's real StatusServer (test/support/zkfc-status-fixture.ts) over loopback HTTP.
// A real browser renders it in test/e2e/status-page-browser.test.ts.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { renderStatusPage, STATUS_PAGE_CSP } from '../../../src/http/status-page.js';
import type { ClusterNamenodeStatus, ZkfcStatus } from '../../../src/observability/status.js';
import { activeNode, startStatusListener, zkfcStatus } from '../../support/zkfc-status-fixture.js';
import { cleanupsAfterEach } from '../../support/cleanups.js';

const cleanups = cleanupsAfterEach();
const NOW = '2024-05-01T12:00:05.000Z';

function observed(namenodeId: string, overrides: Partial<ClusterNamenodeStatus> = {}): ClusterNamenodeStatus {
  return {
    namenodeId,
    address: `${namenodeId}.example.com:8020`,
    local: false,
    state: 'STANDBY',
    readyToBecomeActive: true,
    notReadyReason: null,
    health: 'SERVICE_HEALTHY',
    lastAppliedOrWrittenTxId: null,
    error: null,
    ...overrides,
  };
}

function withCluster(namenodes: ClusterNamenodeStatus[], overrides: Partial<ZkfcStatus> = {}): ZkfcStatus {
  return zkfcStatus('nn1', {
    cluster: {
      intervalMs: 5000,
      checkedAt: '2024-05-01T12:00:04.000Z',
      roundDurationMs: 3,
      activeNamenodes: namenodes.filter((nn) => nn.state === 'ACTIVE').map((nn) => nn.namenodeId),
      secondsWithoutActive: 0,
      lastActiveSeenAt: '2024-05-01T12:00:04.000Z',
      namenodes,
    },
    ...overrides,
  });
}

/** The page's text as a browser shows it, roughly: tags dropped, entities decoded. */
function visibleText(html: string): string {
  return html
    .replace(/<style>[\s\S]*?<\/style>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .replace(/ ([,):;])/g, '$1')
    .replace(/\( /g, '(');
}

/** Every tag name the page uses. */
function tags(html: string): Set<string> {
  return new Set([...html.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9]*)/g)].map((m) => m[1]!.toLowerCase()));
}

const PAGE_TAGS = [
  'html',
  'head',
  'meta',
  'title',
  'style',
  'body',
  'h1',
  'h2',
  'p',
  'div',
  'span',
  'code',
  'table',
  'tr',
  'th',
  'td',
  'dl',
  'dt',
  'dd',
  'ul',
  'li',
  'b',
  'br',
];

describe('renderStatusPage', () => {
  it('shows every NameNode, the active one, this daemon and the last failover', () => {
    const lock = activeNode('nn2', { host: 'nn2.example.com', port: 8020 });
    const html = renderStatusPage(
      withCluster(
        [
          observed('nn1', { local: true, readyToBecomeActive: false, notReadyReason: 'NameNode still in safe mode' }),
          observed('nn2', { state: 'ACTIVE' }),
          observed('nn3', { state: null, health: 'SERVICE_NOT_RESPONDING', error: 'connect ECONNREFUSED' }),
        ],
        {
          lockHolder: lock,
          breadcrumb: lock,
          maintenancePause: null,
          lastFailover: {
            at: '2024-05-01T11:00:00.000Z',
            from: 'nn1',
            to: 'nn2',
            reason: 'election',
            durationMs: 812.4,
            phases: { detectionMs: 500, electionMs: 12, fencingMs: 200, promotionMs: 100 },
          },
        },
      ),
      NOW,
    );
    const shown = visibleText(html);
    expect(shown).toContain('Active NameNode: nn2');
    expect(shown).toContain('nn1 (this daemon) nn1.example.com:8020 STANDBY SERVICE_HEALTHY not ready: NameNode still');
    expect(shown).toContain('nn2 nn2.example.com:8020 ACTIVE SERVICE_HEALTHY ready');
    expect(shown).toContain('nn3 nn3.example.com:8020 no answer SERVICE_NOT_RESPONDING');
    expect(shown).toContain('connect ECONNREFUSED');
    expect(shown).toContain('lock holder nn2 (ns1, nn2.example.com:8020, zkfc port 8019)');
    expect(shown).toContain('elector STANDBY');
    expect(shown).toContain('shell(/bin/true) ready bash found');
    expect(shown).toContain('from → to nn1 → nn2 reason election took 812 ms (detection 500 ms');
    expect(html).toContain('<meta http-equiv="refresh" content="5">');
    // What the status model does not carry is marked, not made up.
    expect(html).toContain('data-pending="history"');
    // Transaction ids not read (older zkfc, no HTTP view): said so, not made up.
    expect(html).not.toContain('data-pending="lag"');
    expect(shown).toContain('not read');
    expect(shown).toContain('maintenance pause none');
    expect(html).not.toMatch(/<script/i);
    expect([...tags(html)].filter((tag) => !PAGE_TAGS.includes(tag))).toEqual([]);
  });

  it("shows each NameNode's transaction id and lag, and the readiness gate's verdict, escaped", () => {
    const evil = '<script>window.pwned=1</script>';
    const html = renderStatusPage(
      withCluster(
        [
          observed('nn1', { local: true, lastAppliedOrWrittenTxId: 1000 }),
          observed('nn2', { state: 'ACTIVE', lastAppliedOrWrittenTxId: 1050 }),
          observed('nn3', { state: null, health: 'SERVICE_NOT_RESPONDING', lastAppliedOrWrittenTxId: null }),
        ],
        {
          readiness: {
            ready: false,
            escape: false,
            summary: `not ready: the NameNode is in safe mode: ${evil}`,
            blockers: [],
            candidacyDelayMs: 0,
            standbysAhead: [],
            lagTxns: null,
          },
        },
      ),
      NOW,
    );
    const shown = visibleText(html);
    expect(shown).toContain('txid 1000 (50 behind)');
    expect(shown).toContain('nn2 nn2.example.com:8020 ACTIVE SERVICE_HEALTHY ready txid 1050');
    expect(shown).toMatch(/nn3 nn3\.example\.com:8020 no answer SERVICE_NOT_RESPONDING – not read/);
    expect(shown).toContain(`readiness gate not ready: the NameNode is in safe mode: ${evil}`);
    expect(html).not.toMatch(/<script/i);
  });

  it('says when no NameNode or several are active', () => {
    const none = withCluster([observed('nn1'), observed('nn2', { state: null, error: 'timed out' })]);
    const noneHtml = renderStatusPage(
      {
        ...none,
        cluster: { ...none.cluster!, secondsWithoutActive: 42, lastActiveSeenAt: '2024-05-01T11:59:23.000Z' },
      },
      NOW,
    );
    expect(visibleText(noneHtml)).toContain('No active NameNode for 42 s (last seen 2024-05-01T11:59:23.000Z)');
    const two = renderStatusPage(
      withCluster([observed('nn1', { state: 'ACTIVE' }), observed('nn2', { state: 'ACTIVE' })]),
      NOW,
    );
    expect(visibleText(two)).toContain('2 ACTIVE NameNodes: nn1, nn2');
  });

  it('without the cluster view shows this daemon\u2019s NameNode and says the view is off', () => {
    const html = renderStatusPage(zkfcStatus('nn1', { haState: 'ACTIVE', electorState: 'ACTIVE' }), NOW);
    const shown = visibleText(html);
    expect(shown).toContain('Cluster view off (zkfc.cluster-view.interval.ms is 0)');
    expect(shown).toContain('nn1 (this daemon) 127.0.0.1:8020 ACTIVE SERVICE_HEALTHY');
    // A status without the pause field (a daemon older than pauses) is marked, not shown as "none".
    expect(shown).toContain('maintenance pause not reported by this daemon');
  });

  it('escapes and bounds every value from elsewhere: no markup gets through', () => {
    const evil = '<script>window.pwned=1</script><img src=x onerror="window.pwned=2">"\'&';
    const evilNode = { nameserviceId: evil, namenodeId: evil, hostname: evil + 'x'.repeat(5000), port: 1, zkfcPort: 2 };
    const html = renderStatusPage(
      withCluster(
        [
          observed(evil, {
            address: evil,
            state: 'ACTIVE',
            error: evil,
            readyToBecomeActive: false,
            notReadyReason: evil,
          }),
          observed('nn2', { state: null, health: 'SERVICE_NOT_RESPONDING', error: evil + 'y'.repeat(10_000) }),
        ],
        {
          nameservice: evil,
          namenode: evil,
          namenodeAddress: evil,
          version: evil,
          lockHolder: evilNode,
          breadcrumb: evilNode,
          zkSessionId: evil,
          fencing: [{ method: evil, ready: false, detail: evil, checkedAt: evil }],
          zookeeperProblems: [{ problem: evil, detail: evil, clear: evil }],
          lastFailover: {
            at: evil,
            from: evil,
            to: evil,
            reason: 'election',
            durationMs: 1,
            phases: { detectionMs: 0, electionMs: 0, fencingMs: 0, promotionMs: 0 },
          },
        },
      ),
      NOW,
    );
    expect(html).not.toMatch(/<script|<img|onerror="/i);
    expect([...tags(html)].filter((tag) => !PAGE_TAGS.includes(tag))).toEqual([]);
    // Shown literally, as text.
    expect(html).toContain(
      '&lt;script&gt;window.pwned=1&lt;/script&gt;&lt;img src=x onerror=&quot;window.pwned=2&quot;&gt;&quot;&#39;&amp;',
    );
    expect(visibleText(html)).toContain('<script>window.pwned=1</script>');
    // Long strings are cut.
    expect(html).not.toContain('x'.repeat(400));
    expect(html).not.toContain('y'.repeat(2100));
    expect(html.length).toBeLessThan(40_000);
  });

  it('allows exactly its own style in the Content-Security-Policy, and nothing to load', () => {
    const html = renderStatusPage(withCluster([observed('nn1')]), NOW);
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    const hash = createHash('sha256').update(style, 'utf8').digest('base64');
    expect(STATUS_PAGE_CSP).toContain(`style-src 'sha256-${hash}'`);
    expect(STATUS_PAGE_CSP).toContain("default-src 'none'");
    expect(STATUS_PAGE_CSP).not.toMatch(/script-src|unsafe-inline|https?:/);
    expect(html.match(/<style>/g)).toHaveLength(1);
  });
});

describe('renderStatusPage: what the status model carries beyond the cluster view', () => {
  it("shows the local NameNode's HTTP view, a ZooKeeper outage and a maintenance pause, escaped", () => {
    const evil = '<script>window.pwned=1</script>';
    const html = renderStatusPage(
      withCluster([observed('nn1', { local: true })], {
        maintenancePause: {
          reason: `disk swap ${evil}`,
          by: 'ops@admin1',
          since: '2024-05-01T11:00:00.000Z',
          until: '2024-05-01T13:00:00.000Z',
        },
        zookeeperRetry: {
          failures: 3,
          reason: `connect timed out ${evil}`,
          since: '2024-05-01T11:59:00.000Z',
          nextAttemptAt: '2024-05-01T12:00:20.000Z',
        },
        namenodeHttp: {
          url: 'http://nn1.example.com:9870',
          up: false,
          view: {
            state: 'STANDBY',
            nnRole: 'NameNode',
            hostAndPort: 'nn1.example.com:8020',
            lastHATransitionTime: null,
            securityEnabled: false,
            namesystemHAState: 'STANDBY',
            millisSinceLastLoadedEdits: 42_400,
            lastWrittenTransactionId: 1200,
            safemode: `Safe mode is ON. ${evil}`,
            inSafemode: true,
            lastAppliedOrWrittenTxId: 1199,
            mostRecentCheckpointTxId: 1000,
            isActive: false,
          },
          readAt: '2024-05-01T12:00:00.000Z',
          ageMs: 5000,
          isActiveMismatch: false,
          lastError: { kind: 'timedOut', message: `no answer ${evil}`, at: '2024-05-01T12:00:04.000Z' },
        },
      }),
      NOW,
    );
    const shown = visibleText(html);
    expect(shown).toContain(
      'ZooKeeper retry out of reach since 2024-05-01T11:59:00.000Z, 3 failed attempts (connect timed out ' +
        '<script>window.pwned=1</script>); next at 2024-05-01T12:00:20.000Z',
    );
    expect(shown).toContain('read from http://nn1.example.com:9870: not answering, read 2024-05-01T12:00:00.000Z');
    expect(shown).toContain('JMX state STANDBY (FSNamesystem STANDBY, /isActive no)');
    expect(shown).toContain('safe mode on: Safe mode is ON. <script>window.pwned=1</script>');
    expect(shown).toContain('edits last loaded 42 s ago');
    expect(shown).toContain('last applied or written 1199, last written 1200, last checkpoint 1000');
    expect(shown).toContain('last error timedOut: no answer <script>');
    expect(html).not.toMatch(/<script/i);
    expect(shown).toContain(
      'maintenance pause PAUSED by ops@admin1 since 2024-05-01T11:00:00.000Z until 2024-05-01T13:00:00.000Z: ' +
        'disk swap <script>window.pwned=1</script> (no transition, no fencing)',
    );
    expect(html).not.toContain('data-pending="lag"');
  });

  it("shows the failover journal: the loser's own reason, phases and fencing, escaped; off or empty says so", () => {
    const evil = '<script>window.pwned=1</script>';
    const base = { v: 1 as const, nameservice: 'ns1' };
    const standDown = {
      ...base,
      at: '2024-05-01T11:00:00.000Z',
      writer: { namenode: 'nn1', host: 'h1' },
      kind: 'standDown' as const,
      namenode: 'nn1',
      cause: 'unhealthy' as const,
      detail: `health check failed: no resources ${evil}`,
      requestedBy: null,
      since: null,
      znode: '/hadoop-ha/ns1/ZkfcFailoverJournal/a',
    };
    const failover = {
      ...base,
      at: '2024-05-01T11:00:00.500Z',
      writer: { namenode: 'nn2', host: 'h2' },
      kind: 'failover' as const,
      from: 'nn1',
      to: 'nn2',
      reason: 'election' as const,
      durationMs: 90,
      phases: { detectionMs: 14, electionMs: 8, fencingMs: 60, promotionMs: 8 },
      trigger: 'the lock of nn1 went away',
      seen: { lockHolder: 'nn1', ownSessionExpired: false },
      fencing: [
        {
          target: 'nn1',
          fenced: true,
          graceful: true,
          attempts: [
            { method: `graceful${evil}`, outcome: 'success' as const, durationMs: 5, detail: '', outputTail: [] },
          ],
        },
      ],
      requestedBy: null,
      znode: '/hadoop-ha/ns1/ZkfcFailoverJournal/b',
      loser: standDown,
    };
    const html = renderStatusPage(
      withCluster([observed('nn1', { local: true })], { history: [failover, standDown] }),
      NOW,
    );
    const shown = visibleText(html);
    expect(shown).toContain(
      `History when event NameNodes took trigger fencing 2024-05-01T11:00:00.500Z failover nn1 -> nn2 90 ms ` +
        `(detection 14 ms, election 8 ms, fencing 60 ms, promotion 8 ms) nn1's zkfc: unhealthy: health check failed: ` +
        `no resources ${evil} nn1: graceful${evil} success newest first`,
    );
    // The stand-down is the failover's trigger: not listed again.
    expect(html.match(/<tr data-kind=/g)).toHaveLength(1);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain('data-pending="history"');
    const off = visibleText(renderStatusPage(withCluster([], { history: null }), NOW));
    expect(off).toContain('History the failover journal is off (zkfc.journal.max-records is 0)');
    const none = visibleText(renderStatusPage(withCluster([], { history: [] }), NOW));
    expect(none).toContain('History no failover recorded yet');
  });

  it('shows anti-flap: the count in the window, and a failover held back, escaped', () => {
    const evil = '<script>window.pwned=1</script>';
    const quiet = visibleText(
      renderStatusPage(
        withCluster([observed('nn1', { local: true })], {
          antiFlap: {
            maxFailovers: 3,
            windowMs: 600_000,
            failoversInWindow: 1,
            lastLockHolderChange: null,
            heldBackTotal: 0,
            holdingBack: null,
            lastHoldBackEnded: null,
          },
        }),
        NOW,
      ),
    );
    expect(quiet).toContain('anti-flap 1 of 3 automatic failovers in 600 s');
    const html = renderStatusPage(
      withCluster([observed('nn1', { local: true })], {
        antiFlap: {
          maxFailovers: 3,
          windowMs: 600_000,
          failoversInWindow: 3,
          lastLockHolderChange: '2024-05-01T11:59:00.000Z',
          heldBackTotal: 1,
          holdingBack: {
            since: '2024-05-01T12:00:00.000Z',
            reason: `3 automatic failovers ${evil}`,
            healthReason: 'unhealthy',
            failoversInWindow: 3,
            releaseAt: '2024-05-01T12:09:00.000Z',
          },
          lastHoldBackEnded: null,
        },
      }),
      NOW,
    );
    expect(visibleText(html)).toContain(
      'anti-flap 3 of 3 automatic failovers in 600 s; HOLDING BACK a failover since 2024-05-01T12:00:00.000Z: ' +
        '3 automatic failovers <script>window.pwned=1</script> ' +
        '(released at 2024-05-01T12:09:00.000Z if still unhealthy)',
    );
    expect(html).not.toMatch(/<script/i);
  });
});

describe('GET / on the status listener', () => {
  it('serves the page as HTML with its security headers, HEAD without a body', async () => {
    const listener = await startStatusListener(withCluster([observed('nn1', { state: 'ACTIVE' })]));
    cleanups.push(() => listener.close());
    const url = `http://127.0.0.1:${listener.address.port}/`;
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe(STATUS_PAGE_CSP);
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(visibleText(await response.text())).toContain('Active NameNode: nn1');
    // The page follows the status it is given.
    listener.current = withCluster([observed('nn1'), observed('nn2', { state: 'ACTIVE' })]);
    expect(visibleText(await (await fetch(url)).text())).toContain('Active NameNode: nn2');
    const head = await fetch(url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const post = await fetch(url, { method: 'POST' });
    expect(post.status).toBe(405);
    const missing = await fetch(`http://127.0.0.1:${listener.address.port}/index.html`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('try / /metrics /status');
  });
});
