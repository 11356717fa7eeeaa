// Goal: the status page at GET / is what an operator's browser shows and follows a failover by
// itself: before, nn1 is the active NameNode and both NameNodes are listed with state and health;
// after nn1 is killed, the page (never reloaded by the test: its own refresh) shows nn2 active,
// nn1 not answering, the lock on nn2, the failover nn1 -> nn2, and in the history that failover
// with nn1's zkfc's own reason (its NameNode stopped answering). It loads nothing but itself
// (every request goes to the daemon's own address, the Content-Security-Policy is sent), and a
// hostile status (markup in NameNode ids, host names and messages) is shown as text, runs nothing.
// Method: MiniCluster (real ZooKeeper, two simulated NameNode processes, the built zkfc daemons,
// cluster view every 500 ms) and Debian's Chromium driven by playwright-core (test/support/
// browser.ts); assertions on the DOM text; a screenshot before and after under the cluster's
// directory. The hostile status is served by the daemon's real StatusServer in-process
// (test/support/zkfc-status-fixture.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { MiniCluster } from '../../tools/testing/mini-cluster.js';
import { STATUS_PAGE_CSP } from '../../src/http/status-page.js';
import { launchChromium } from '../support/browser.js';
import { startE2eCluster, stopE2eCluster } from '../support/e2e-zkfc.js';
import { activeNode, startStatusListener, zkfcStatus, type StatusListener } from '../support/zkfc-status-fixture.js';

let cluster: MiniCluster | undefined;
let browser: Browser | undefined;
let listener: StatusListener | undefined;

afterEach(async () => {
  await browser?.close();
  browser = undefined;
  await listener?.close();
  listener = undefined;
  await stopE2eCluster(cluster);
  cluster = undefined;
});

/** The page's text of `selector` once `wanted` holds, following the page's own refreshes. */
async function waitForText(page: Page, selector: string, wanted: RegExp, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      // A refresh may replace the document between two calls: then the next try reads the new one.
      last = (await page.locator(selector).innerText({ timeout: 1_000 })).replace(/\s+/g, ' ').trim();
      if (wanted.test(last)) return last;
    } catch {
      // navigating
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${selector} did not show ${wanted} within ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
}

/** The rows of a table, each as its cells' text joined by tabs (read again if a refresh gets in the way). */
async function tableRows(page: Page, selector: string): Promise<string[]> {
  for (let attempt = 0; ; attempt++) {
    try {
      const rows = await page.locator(selector).allInnerTexts();
      if (rows.length > 0 || attempt >= 10) return rows;
    } catch (error) {
      if (attempt >= 10) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function rowText(page: Page, namenodeId: string): Promise<string> {
  return waitForText(page, `#namenodes tr[data-namenode="${namenodeId}"]`, /./, 5_000);
}

async function screenshot(page: Page, path: string): Promise<void> {
  await page.screenshot({ path, fullPage: true });
  // A PNG, not an empty file.
  expect(readFileSync(path).subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
}

describe('the status page in a browser', () => {
  it('shows the NameNodes before and after a failover, refreshing itself, loading nothing else', async () => {
    const c = (cluster = await startE2eCluster({ extraConf: { 'zkfc.cluster-view.interval.ms': '500' } }));
    await Promise.all([c.startNamenode('nn1'), c.startNamenode('nn2')]);
    await c.startZkfc('nn1');
    await c.waitForActive(20_000, 'nn1');
    await c.startZkfc('nn2');

    browser = await launchChromium();
    const page = await browser.newPage();
    const origin = `http://127.0.0.1:${c.node('nn2').statusPort}`;
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    let loads = 0;
    page.on('load', () => loads++);

    const response = await page.goto(`${origin}/`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toBe(STATUS_PAGE_CSP);

    // Before: nn1 active, seen by nn2's daemon; nn2 is this daemon's NameNode, standby.
    expect(await waitForText(page, '#verdict', /Active NameNode: nn1$/, 20_000)).toBe('Active NameNode: nn1');
    expect(await rowText(page, 'nn1')).toMatch(
      /^nn1 127\.0\.0\.1:\d+ ACTIVE SERVICE_HEALTHY ready txid \d+( \(\d+ behind\))? –$/,
    );
    expect(await rowText(page, 'nn2')).toMatch(
      /^nn2 \(this daemon\) 127\.0\.0\.1:\d+ STANDBY SERVICE_HEALTHY ready txid \d+( \(\d+ behind\))? –$/,
    );
    expect(await page.locator('#lock-holder').innerText()).toMatch(/^nn1 \(ns1, \S+:\d+, zkfc port \d+\)$/);
    expect(await page.locator('#daemon').innerText()).toMatch(/elector\s+STANDBY/);
    expect(await page.locator('#last-failover').innerText()).toBe('none by this daemon since it started');
    // The journal's first read: nn1's first election, written by nn1's zkfc.
    const before = await waitForText(page, '#history', /\(none\) -> nn1/, 20_000);
    expect(before).toMatch(/failover \(none\) -> nn1 \d+ ms \(detection .*\) seen by nn1's zkfc: no previous active/);
    expect(await page.locator('h1').innerText()).toBe('zkfc for NameNode nn2 of nameservice ns1');
    await screenshot(page, join(c.baseDir, 'status-page-before.png'));
    const loadsBefore = loads;

    await c.killNamenode('nn1');
    await c.waitForActive(15_000, 'nn2');

    // After, without reloading: the page's own refresh shows nn2 active and nn1 gone.
    expect(await waitForText(page, '#verdict', /Active NameNode: nn2$/, 20_000)).toBe('Active NameNode: nn2');
    expect(loads).toBeGreaterThan(loadsBefore);
    await waitForText(page, '#namenodes tr[data-namenode="nn1"]', /no answer SERVICE_NOT_RESPONDING/, 10_000);
    expect(await rowText(page, 'nn1')).toMatch(/^nn1 127\.0\.0\.1:\d+ no answer SERVICE_NOT_RESPONDING – not read .+/);
    expect(await rowText(page, 'nn2')).toMatch(/^nn2 \(this daemon\) 127\.0\.0\.1:\d+ ACTIVE SERVICE_HEALTHY ready/);
    expect(await waitForText(page, '#lock-holder', /^nn2 /, 10_000)).toMatch(/^nn2 \(ns1, \S+:\d+, zkfc port \d+\)$/);
    const failover = await waitForText(page, '#last-failover', /nn1 → nn2/, 10_000);
    expect(failover).toMatch(/from → to nn1 → nn2 reason election took \d+ ms/);
    // The history: the failover with nn1's zkfc's own reason, the fencing, and the one before it.
    await waitForText(page, '#history', /nn1 -> nn2 .*nn1's zkfc: not-responding/, 20_000);
    const rows = await tableRows(page, '#history tr');
    expect(rows[0]?.split('\t')).toEqual(['when', 'event', 'NameNodes', 'took', 'trigger', 'fencing']);
    const [at, event, namenodes, took, trigger, fencing] = rows[1]?.split('\t') ?? [];
    expect([at, event, namenodes]).toEqual([expect.stringMatching(/^\d{4}-.*Z$/), 'failover', 'nn1 -> nn2']);
    expect(took).toMatch(/^\d+ ms \(detection \d+ ms, election \d+ ms, fencing \d+ ms, promotion \d+ ms\)$/);
    expect(trigger).toMatch(/^nn1's zkfc: not-responding: NameNode not responding: /);
    expect(fencing).toMatch(/^nn1: graceful \w+, shell\(.*\) success$/);
    expect(rows.at(-1)).toMatch(/\tfailover\t\(none\) -> nn1\t/);
    await screenshot(page, join(c.baseDir, 'status-page-after.png'));

    // Nothing but the page itself was requested (and perhaps the browser's own favicon probe).
    expect(requests.length).toBeGreaterThan(1);
    expect(requests.filter((url) => !url.startsWith(`${origin}/`))).toEqual([]);
    expect(new Set(requests.map((url) => new URL(url).pathname))).toEqual(
      new Set(requests.some((url) => url.endsWith('/favicon.ico')) ? ['/', '/favicon.ico'] : ['/']),
    );
    // No CSP violation or script error on the page (a 404 favicon is not one).
    expect(problems.filter((text) => !/favicon|404/.test(text))).toEqual([]);
  });

  it('shows hostile ids, host names and messages as text and runs none of them', async () => {
    const evil = '<script>window.pwned=1</script><img src=x onerror="window.pwned=2">';
    const lock = { ...activeNode('nn2', { host: evil, port: 8020 }), namenodeId: evil };
    listener = await startStatusListener(
      zkfcStatus('nn1', {
        lockHolder: lock,
        breadcrumb: lock,
        cluster: {
          intervalMs: 5000,
          checkedAt: '2024-05-01T12:00:00.000Z',
          roundDurationMs: 2,
          activeNamenodes: [evil],
          secondsWithoutActive: 0,
          lastActiveSeenAt: '2024-05-01T12:00:00.000Z',
          namenodes: [
            {
              namenodeId: evil,
              address: evil,
              local: false,
              state: 'ACTIVE',
              readyToBecomeActive: true,
              notReadyReason: null,
              health: 'SERVICE_UNHEALTHY',
              lastAppliedOrWrittenTxId: null,
              error: `The NameNode has no resources available ${evil}`,
            },
          ],
        },
        fencing: [{ method: `shell(${evil})`, ready: false, detail: evil, checkedAt: null }],
      }),
    );
    browser = await launchChromium();
    const page = await browser.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    const requests: string[] = [];
    page.on('request', (request) => requests.push(new URL(request.url()).pathname));
    await page.goto(`http://127.0.0.1:${listener.address.port}/`);
    expect(await page.locator('#verdict').innerText()).toBe(`Active NameNode: ${evil}`);
    expect(await page.locator('#namenodes').innerText()).toContain(`The NameNode has no resources available ${evil}`);
    expect(await page.locator('#lock-holder').innerText()).toContain(evil);
    expect(await page.evaluate('typeof window.pwned')).toBe('undefined');
    expect(await page.locator('script, img').count()).toBe(0);
    expect(dialogs).toEqual([]);
    // The <img src=x> never became an element, so it was never fetched.
    expect(requests.filter((path) => path !== '/' && path !== '/favicon.ico')).toEqual([]);
  });
});
