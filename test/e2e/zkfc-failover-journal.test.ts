// Goal: every failover leaves its record in the journal, across real daemons: an active NameNode
// turned unhealthy, then killed, each records the loser's own reason written by the old active's
// zkfc (its NameNode's health message; "not responding") with the fencing outcome (graceful
// stand-down; the shell method with its output tail) and the phases; a graceful `haadmin -failover`
// records the requesting user and host, and the old active's cede; `haadmin history --json` shows
// them newest first, and the table says the same; /status carries the newest entries; each daemon's
// local file holds what it wrote; a corrupt entry written by the test is reported with its znode and
// skipped by haadmin and by the daemons, which keep running; the active's zkfc stopping records the
// stop; `zkfc -formatZK` clears the journal.
// Method: MiniCluster (real ZooKeeper, simulated NameNode processes over Hadoop IPC, the built zkfc
// daemons, shell fencing), the built haadmin, an independent ZooKeeper client; the split-brain
// oracle at the end.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import type { ZkfcStatus } from '../../src/observability/status.js';
import type { FailoverJournalEntry, JournalEntryRead, StandDownJournalEntry } from '../../src/runtime/records.js';
import type { HistoryDocument } from '../../src/cli/haadmin/history.js';
import type { MiniCluster } from '../../tools/testing/mini-cluster.js';
import { eventually } from '../../tools/testing/wait.js';
import {
  runHaadmin,
  runZkfc,
  startE2eCluster,
  stopE2eCluster,
  zkfcLogRecords,
  ZkTestClient,
} from '../support/e2e-zkfc.js';

let cluster: MiniCluster | undefined;
let zk: ZkTestClient | undefined;
afterEach(async () => {
  await zk?.close();
  zk = undefined;
  await stopE2eCluster(cluster);
  cluster = undefined;
});

const JOURNAL = '/hadoop-ha/ns1/ZkfcFailoverJournal';

async function status(c: MiniCluster, id: string): Promise<ZkfcStatus> {
  const s = await c.zkfcStatus(id, 3000);
  if (s === undefined) throw new Error(`zkfc ${id} does not serve /status`);
  return s as unknown as ZkfcStatus;
}

async function history(c: MiniCluster): Promise<HistoryDocument & { stderr: string }> {
  const run = await runHaadmin(c, ['history', '--json']);
  expect(run.code, run.stderr).toBe(0);
  return { ...(JSON.parse(run.stdout) as HistoryDocument), stderr: run.stderr };
}

type Failover = FailoverJournalEntry & { znode: string; loser?: StandDownJournalEntry & { znode: string } };

function failovers(document: HistoryDocument): Failover[] {
  return document.entries.filter((entry): entry is Failover => entry.kind === 'failover');
}

function fileEntries(c: MiniCluster, id: string): JournalEntryRead[] {
  const path = join(c.baseDir, `failover-journal-ns1.${id}.jsonl`);
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as JournalEntryRead);
}

describe('the failover journal', () => {
  it('records automatic and graceful failovers with the loser’s own reason; haadmin history shows them', async () => {
    const c = (cluster = await startE2eCluster());
    await Promise.all([c.startNamenode('nn1'), c.startNamenode('nn2')]);
    await c.startZkfc('nn1');
    await c.waitForActive(20_000, 'nn1');
    await c.startZkfc('nn2');
    await eventually(async () => expect((await status(c, 'nn2')).electorState).toBe('STANDBY'), 10_000);

    // 1. The active NameNode turns unhealthy: nn1's zkfc writes why it quits, nn2's the failover.
    await c.namenodeFault('nn1', 'unhealthy');
    await c.waitForActive(20_000, 'nn2');
    let unhealthy: Failover | undefined;
    await eventually(async () => {
      unhealthy = failovers(await history(c)).find((f) => f.from === 'nn1' && f.to === 'nn2');
      expect(unhealthy?.loser).toBeDefined();
    }, 15_000);
    expect(unhealthy).toMatchObject({
      reason: 'election',
      writer: { namenode: 'nn2' },
      seen: { lockHolder: 'nn1' },
      loser: {
        kind: 'standDown',
        namenode: 'nn1',
        writer: { namenode: 'nn1' },
        cause: 'unhealthy',
        detail: expect.stringContaining('The NameNode has no resources available') as unknown,
      },
    });
    expect(unhealthy?.fencing).toEqual([expect.objectContaining({ target: 'nn1', fenced: true, graceful: true })]);
    expect(unhealthy?.fencing[0]?.attempts[0]).toMatchObject({ method: 'graceful', outcome: 'success' });
    for (const phase of ['detectionMs', 'electionMs', 'fencingMs', 'promotionMs'] as const)
      expect(unhealthy?.phases[phase]).toBeGreaterThanOrEqual(0);
    expect(unhealthy?.durationMs).toBeGreaterThan(0);

    // 2. A graceful failover back to nn1 (nn1 healthy again): who asked, and nn2's cede.
    await c.namenodeFault('nn1', 'none');
    await eventually(async () => expect((await status(c, 'nn1')).electorState).toBe('STANDBY'), 20_000);
    const graceful = await runHaadmin(c, ['-failover', 'nn2', 'nn1'], { timeoutMs: 60_000 });
    expect(graceful.code, graceful.stderr).toBe(0);
    await c.waitForActive(20_000, 'nn1');
    let back: Failover | undefined;
    await eventually(async () => {
      back = failovers(await history(c)).find((f) => f.reason === 'graceful');
      expect(back?.loser).toBeDefined();
    }, 15_000);
    const user = userInfo().username;
    expect(back).toMatchObject({
      from: 'nn2',
      to: 'nn1',
      requestedBy: `${user} at 127.0.0.1`,
      trigger: `graceful failover requested by ${user} at 127.0.0.1`,
      loser: { namenode: 'nn2', cause: 'cede', requestedBy: expect.stringMatching(/ at 127\.0\.0\.1$/) as unknown },
    });

    // 3. The active NameNode is killed: nn1's zkfc says its NameNode stopped answering; the shell
    // method fenced it (its output tail kept).
    await c.killNamenode('nn1');
    await c.waitForActive(20_000, 'nn2');
    let crash: Failover | undefined;
    await eventually(async () => {
      crash = failovers(await history(c)).find((f) => f.from === 'nn1' && f.at > (back?.at ?? ''));
      expect(crash?.loser).toBeDefined();
    }, 15_000);
    expect(crash?.loser).toMatchObject({ cause: 'not-responding', writer: { namenode: 'nn1' } });
    const run = crash?.fencing.at(-1);
    expect(run).toMatchObject({ target: 'nn1', fenced: true, graceful: false });
    const shell = run?.attempts.find((attempt) => attempt.method.startsWith('shell('));
    expect(shell).toMatchObject({ outcome: 'success' });
    expect(shell?.outputTail.join('\n')).toMatch(/stdout: /);

    // Newest first: the crash, the graceful failover, the unhealthy one, and the first election.
    const document = await history(c);
    const order = failovers(document).map((f) => `${f.from ?? '-'}>${f.to}:${f.reason}`);
    expect(order).toEqual(['nn1>nn2:election', 'nn2>nn1:graceful', 'nn1>nn2:election', '->nn1:initial']);
    const times = document.entries.map((entry) => Date.parse(entry.at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(document.corrupt).toEqual([]);

    // The table says the same.
    const table = await runHaadmin(c, ['history']);
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toBe(`Failover journal of ns1 (${JOURNAL}), newest first:`);
    expect(lines[2]).toMatch(/ failover +nn1 -> nn2 +\d+ ms \(detection .* nn1's zkfc: not-responding: /);
    expect(lines[3]).toMatch(/ graceful failover +nn2 -> nn1 .* requested by \S+ at 127\.0\.0\.1; nn2's zkfc: cede: /);
    expect(lines[4]).toMatch(
      / failover +nn1 -> nn2 .* nn1's zkfc: unhealthy: .*no resources available.* nn1: graceful success/,
    );

    // /status: the newest entries, failovers joined to their losers.
    await eventually(async () => {
      const shown = (await status(c, 'nn2')).history ?? [];
      expect(shown[0]).toMatchObject({ kind: 'failover', from: 'nn1', to: 'nn2', loser: { cause: 'not-responding' } });
    }, 10_000);

    // Each daemon's local file holds what it wrote.
    const nn2File = fileEntries(c, 'nn2');
    expect(nn2File.filter((e) => e.kind === 'failover').map((e) => (e as Failover).from)).toEqual(['nn1', 'nn1']);
    expect(nn2File.find((e) => e.kind === 'standDown')).toMatchObject({ cause: 'cede' });
    const nn1File = fileEntries(c, 'nn1');
    expect(nn1File.filter((e) => e.kind === 'standDown').map((e) => (e as StandDownJournalEntry).cause)).toEqual([
      'unhealthy',
      'not-responding',
    ]);
    expect(nn1File.every((entry) => entry.znode.startsWith(`${JOURNAL}/`))).toBe(true);

    // 4. Corrupt entries, written by the test: reported with their znode and skipped.
    zk = await ZkTestClient.connect(c.zk.connectString);
    await zk.create(`${JOURNAL}/zz-garbage`, new Uint8Array([0x00, 0xff, 0x13, 0x37]), 'PERSISTENT');
    await zk.create(
      `${JOURNAL}/999999999999999-failover-nn9-1`,
      new TextEncoder().encode(JSON.stringify({ v: 1, kind: 'failover', at: 'never', to: 'x'.repeat(5000) })),
      'PERSISTENT',
    );
    const withCorrupt = await history(c);
    expect(withCorrupt.corrupt.map((entry) => entry.znode).sort()).toEqual([
      `${JOURNAL}/999999999999999-failover-nn9-1`,
      `${JOURNAL}/zz-garbage`,
    ]);
    expect(withCorrupt.corrupt.find((entry) => entry.znode.endsWith('zz-garbage'))?.detail).toContain('not UTF-8');
    expect(withCorrupt.stderr).toContain(`history: skipped ${JOURNAL}/zz-garbage: `);
    expect(failovers(withCorrupt)).toHaveLength(4);

    // 5. The active's zkfc stops: its stand-down says so, and the daemons read the corrupt entries
    // without stopping (each reports them once).
    await c.startNamenode('nn1');
    await c.stopZkfc('nn2');
    await c.waitForActive(20_000, 'nn1');
    await eventually(async () => {
      const stop = (await history(c)).entries.find(
        (entry) => entry.kind === 'standDown' && entry.namenode === 'nn2' && entry.cause === 'stop',
      );
      expect(stop).toMatchObject({ detail: expect.stringContaining('zkfc stopped (SIGTERM)') as unknown });
    }, 15_000);
    await eventually(
      () =>
        expect(
          zkfcLogRecords(c, 'nn1').filter((record) => record['msg'] === 'failover journal: unreadable entry skipped'),
        ).toHaveLength(2),
      15_000,
    );
    expect((await status(c, 'nn1')).electorState).toBe('ACTIVE');

    // 6. -formatZK (every controller stopped) clears the journal with the rest of the working znode.
    await c.stopZkfc('nn1');
    const format = await runZkfc(c, 'nn1', ['-formatZK', '-force', '-nonInteractive']);
    expect(format.code, format.stderr).toBe(0);
    expect(await zk.exists(JOURNAL)).toBeNull();
    const cleared = await runHaadmin(c, ['history']);
    expect(cleared.code).toBe(0);
    expect(cleared.stdout.trim()).toBe(`No failover recorded for ns1 (${JOURNAL})`);
    expect(c.splitBrainViolations()).toEqual([]);
  });
});
