// Goal: the failover journal turns the controller's records into the right entries: the old
// active's zkfc writes its own reason when it leaves the election while holding the lock
// (unhealthy with the NameNode's message, not responding, a cede and who asked, its session
// expired with since when, stopped, fatal) and nothing when it did not hold the lock; the new
// active's zkfc writes the failover with its phases, fencing attempts and output tail, what it saw
// and, for a graceful failover, who asked; anti-flap's hold-backs are written as they are. A
// failing ZooKeeper copy loses only the ZooKeeper copy (the file still gets every entry) and is
// logged once; the history given to the status joins failovers to their losers, and an unreadable
// znode is reported once. The ZooKeeper store writes under the journal znode (creating it), keeps
// the newest maxRecords of its own names, reads back newest first, skips and reports what is not
// an entry, and refuses to create the election znode.
// Method: the journal with a ManualClock, a recording log and in-memory stores; the store against
// an in-memory ZooKeeper session.
import { describe, expect, it } from 'vitest';
import type { ActiveNodeInfo, NamenodeTarget } from '../../../src/core/types.js';
import { FailoverJournal, HISTORY_FIRST_READ_MS, type JournalStore } from '../../../src/runtime/failover-journal.js';
import { JournalZkError, JournalZkStore, type JournalReadResult } from '../../../src/runtime/journal-zk.js';
import type {
  JournalFile,
  ZkAcl,
  ZkOpResult,
  ZkSession,
  ZkSessionEvent,
  ZkSessionFactory,
  ZkStat,
} from '../../../src/runtime/ports.js';
import type { ControllerRecord, JournalEntry, JournalEntryRead } from '../../../src/runtime/records.js';
import { ManualClock } from '../../../tools/testing/clock.js';
import { recordingLog } from '../../../tools/testing/recording-log.js';

const T0 = Date.UTC(2026, 0, 1);

class MemoryStore implements JournalStore {
  readonly path = '/hadoop-ha/ns1/ZkfcFailoverJournal';
  readonly entries: JournalEntryRead[] = [];
  corrupt: JournalReadResult['corrupt'] = [];
  failing = false;
  hanging = false;
  append(entry: JournalEntry, znode: string): Promise<string> {
    if (this.hanging) return new Promise(() => undefined);
    if (this.failing)
      return Promise.reject(new JournalZkError(`cannot create ${znode}: CONNECTIONLOSS`, znode, 'CONNECTIONLOSS'));
    this.entries.push({ ...entry, znode });
    return Promise.resolve(znode);
  }
  readNewest(): Promise<JournalReadResult> {
    return Promise.resolve({ entries: [...this.entries].reverse(), corrupt: this.corrupt });
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

class MemoryFile implements JournalFile {
  readonly path = '/var/lib/zkfc/failover-journal-ns1.nn1.jsonl';
  readonly lines: string[] = [];
  append(line: string): Promise<void> {
    this.lines.push(line);
    return Promise.resolve();
  }
}

function setup(namenode = 'nn1') {
  const clock = new ManualClock();
  const { log, lines } = recordingLog();
  const store = new MemoryStore();
  const file = new MemoryFile();
  const history: (readonly JournalEntryRead[])[] = [];
  const journal = new FailoverJournal({
    nameservice: 'ns1',
    namenode,
    host: `${namenode}.example.com`,
    clock,
    log,
    store,
    file,
    onHistory: (entries) => history.push(entries),
  });
  const feed = (...records: ControllerRecord[]) => records.forEach((record) => journal.observe(record));
  return { clock, lines, store, file, history, journal, feed };
}

/** Let queued microtasks and the journal's writes run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

const active: ControllerRecord[] = [
  { type: 'electorStateChanged', from: 'INIT', to: 'STANDBY' },
  { type: 'electorStateChanged', from: 'STANDBY', to: 'ACTIVE' },
];

const target = (id: string): NamenodeTarget => ({
  nameserviceId: 'ns1',
  namenodeId: id,
  serviceAddress: { host: '127.0.0.1', port: 8020 },
  zkfcPort: 8019,
});
const holder = (id: string): ActiveNodeInfo => ({
  nameserviceId: 'ns1',
  namenodeId: id,
  hostname: 'localhost',
  port: 8020,
  zkfcPort: 8019,
});

describe('the old active writes its own reason as it leaves the election', () => {
  it('unhealthy: the NameNode message, in ZooKeeper and in the file', async () => {
    const { store, file, feed } = setup();
    feed(
      ...active,
      { type: 'healthCheck', outcome: 'unhealthy', durationMs: 3, reason: 'The NameNode has no resources available' },
      { type: 'healthStateChanged', from: 'SERVICE_HEALTHY', to: 'SERVICE_UNHEALTHY' },
      { type: 'electorStateChanged', from: 'ACTIVE', to: 'INIT' },
    );
    await settle();
    expect(store.entries).toHaveLength(1);
    expect(store.entries[0]).toMatchObject({
      kind: 'standDown',
      namenode: 'nn1',
      cause: 'unhealthy',
      detail: 'health check failed: The NameNode has no resources available',
      requestedBy: null,
      writer: { namenode: 'nn1', host: 'nn1.example.com' },
      at: new Date(T0).toISOString(),
    });
    expect(file.lines).toHaveLength(1);
    expect(JSON.parse(file.lines[0]!)).toMatchObject({
      kind: 'standDown',
      cause: 'unhealthy',
      znode: store.entries[0]?.znode,
    });
  });

  it.each([
    [
      'not responding',
      [
        { type: 'healthCheck', outcome: 'unreachable', durationMs: 1, reason: 'connect ECONNREFUSED 127.0.0.1:8020' },
        { type: 'healthStateChanged', from: 'SERVICE_HEALTHY', to: 'SERVICE_NOT_RESPONDING' },
        { type: 'electorStateChanged', from: 'ACTIVE', to: 'INIT' },
      ],
      { cause: 'not-responding', detail: 'NameNode not responding: connect ECONNREFUSED 127.0.0.1:8020' },
    ],
    [
      'a fatal error',
      [
        { type: 'electorStateChanged', from: 'ACTIVE', to: 'INIT' },
        { type: 'exit', exitCode: 1, message: 'ZK Failover Controller failed: boom' },
      ],
      { cause: 'fatal', detail: 'ZK Failover Controller failed: boom' },
    ],
    [
      'its NameNode reporting standby',
      [
        { type: 'serviceStateReported', state: 'STANDBY' },
        { type: 'electorStateChanged', from: 'ACTIVE', to: 'INIT' },
      ],
      { cause: 'service-state', detail: 'NameNode reported STANDBY while this zkfc held the lock' },
    ],
    ['nothing known', [{ type: 'electorStateChanged', from: 'ACTIVE', to: 'STANDBY' }], { cause: 'other' }],
  ] as const)('%s', async (_label, records, expected) => {
    const { store, feed } = setup();
    feed(...active, ...(records as readonly ControllerRecord[]));
    await settle();
    expect(store.entries).toHaveLength(1);
    expect(store.entries[0]).toMatchObject(expected);
  });

  it('a cede: who asked and for how long', async () => {
    const { store, feed, journal } = setup();
    feed(...active);
    journal.cedeRequested('alice at 10.0.0.5', 4000);
    feed(
      { type: 'transition', to: 'standby', result: 'success', durationMs: 2 },
      { type: 'electorStateChanged', from: 'ACTIVE', to: 'INIT' },
      { type: 'cede', untilWallMs: T0 + 4000 },
    );
    await settle();
    expect(store.entries[0]).toMatchObject({
      cause: 'cede',
      requestedBy: 'alice at 10.0.0.5',
      detail: 'cedeActive for 4000 ms: stepped aside for a graceful failover',
    });
  });

  it('its ZooKeeper session expired: since when it was disconnected', async () => {
    const { store, feed, clock } = setup();
    feed(...active, { type: 'electorStateChanged', from: 'ACTIVE', to: 'NEUTRAL' });
    clock.advance(5000);
    feed({ type: 'zkSessionEvent', event: 'expired', sessionId: undefined });
    feed({ type: 'electorStateChanged', from: 'NEUTRAL', to: 'INIT' });
    await settle();
    expect(store.entries).toHaveLength(1);
    expect(store.entries[0]).toMatchObject({
      cause: 'session-expired',
      since: new Date(T0).toISOString(),
      at: new Date(T0 + 5000).toISOString(),
    });
  });

  it('a reconnection without expiry is not a stand-down; stopping is', async () => {
    const { store, feed, journal } = setup();
    feed(
      ...active,
      { type: 'electorStateChanged', from: 'ACTIVE', to: 'NEUTRAL' },
      { type: 'electorStateChanged', from: 'NEUTRAL', to: 'ACTIVE' },
    );
    await settle();
    expect(store.entries).toHaveLength(0);
    journal.stopping('SIGTERM');
    feed({ type: 'electorStateChanged', from: 'ACTIVE', to: 'INIT' });
    await journal.close(1000);
    expect(store.entries).toEqual([
      expect.objectContaining({
        cause: 'stop',
        detail: 'zkfc stopped (SIGTERM); the next active fences this NameNode',
      }),
    ]);
  });

  it('a standby leaving the election writes nothing', async () => {
    const { store, feed } = setup();
    feed(
      { type: 'electorStateChanged', from: 'INIT', to: 'STANDBY' },
      { type: 'healthStateChanged', from: 'SERVICE_HEALTHY', to: 'SERVICE_UNHEALTHY' },
      { type: 'electorStateChanged', from: 'STANDBY', to: 'INIT' },
    );
    await settle();
    expect(store.entries).toEqual([]);
  });
});

describe('the new active writes the failover', () => {
  it('phases, fencing with outcomes and output tail, what it saw', async () => {
    const { store, feed } = setup('nn2');
    feed(
      { type: 'electorStateChanged', from: 'INIT', to: 'STANDBY' },
      { type: 'lockHolder', info: holder('nn1') },
      { type: 'lockHolder', info: null },
      {
        type: 'fencing',
        target: target('nn1'),
        outcome: {
          fenced: true,
          graceful: false,
          attempts: [
            { method: 'graceful', outcome: 'failure', durationMs: 2, detail: 'refused' },
            {
              method: 'shell(/bin/fence.sh)',
              outcome: 'success',
              durationMs: 40,
              detail: 'exited 0',
              outputTail: ['stdout: killed'],
            },
          ],
        },
      },
      {
        type: 'failover',
        record: {
          atWallMs: T0,
          from: 'nn1',
          to: 'nn2',
          reason: 'election',
          durationMs: 60,
          phases: { detectionMs: 5, electionMs: 5, fencingMs: 42, promotionMs: 8 },
        },
      },
    );
    await settle();
    expect(store.entries).toHaveLength(1);
    expect(store.entries[0]).toMatchObject({
      kind: 'failover',
      from: 'nn1',
      to: 'nn2',
      reason: 'election',
      durationMs: 60,
      phases: { detectionMs: 5, electionMs: 5, fencingMs: 42, promotionMs: 8 },
      seen: { lockHolder: 'nn1', ownSessionExpired: false },
      requestedBy: null,
      fencing: [
        {
          target: 'nn1',
          fenced: true,
          graceful: false,
          attempts: [
            { method: 'graceful', outcome: 'failure', outputTail: [] },
            { method: 'shell(/bin/fence.sh)', outcome: 'success', outputTail: ['stdout: killed'] },
          ],
        },
      ],
      trigger:
        'the lock of nn1 went away (its zkfc quit the election or its ZooKeeper session expired); ' +
        'the breadcrumb named nn1; nn1 fenced by shell(/bin/fence.sh)',
    });
  });

  it('a graceful failover: who asked; the old active is the lock holder it saw (no breadcrumb)', async () => {
    const { store, feed, journal } = setup('nn2');
    feed({ type: 'electorStateChanged', from: 'INIT', to: 'STANDBY' }, { type: 'lockHolder', info: holder('nn1') });
    const ended = journal.gracefulFailoverRequested('bob at 10.0.0.9');
    feed({
      type: 'failover',
      record: {
        atWallMs: T0,
        // The old active deleted its breadcrumb as it ceded (quitElection(false)).
        from: null,
        to: 'nn2',
        reason: 'graceful',
        durationMs: 15,
        phases: { detectionMs: 10, electionMs: 2, fencingMs: 0, promotionMs: 3 },
      },
    });
    ended();
    await settle();
    expect(store.entries[0]).toMatchObject({
      from: 'nn1',
      requestedBy: 'bob at 10.0.0.9',
      trigger: 'graceful failover requested by bob at 10.0.0.9',
    });
  });

  it("anti-flap's hold-back and its end, as they are", async () => {
    const { store, feed } = setup();
    feed(
      {
        type: 'antiFlap',
        atWallMs: T0,
        report: {
          kind: 'failoverHeldBack',
          namenode: 'nn1',
          healthReason: 'no resources',
          failoversInWindow: 3,
          maxFailovers: 3,
          windowMs: 600_000,
          releaseInMs: 30_000,
        },
      },
      {
        type: 'antiFlap',
        atWallMs: T0 + 1,
        report: { kind: 'lockHolderChanged', counted: true, failoversInWindow: 1 },
      },
      {
        type: 'antiFlap',
        atWallMs: T0 + 30_000,
        report: { kind: 'holdBackEnded', namenode: 'nn1', reason: 'window-passed', heldBackMs: 30_000 },
      },
    );
    await settle();
    expect(store.entries.map((entry) => entry.kind)).toEqual(['failoverHeldBack', 'holdBackEnded']);
    expect(store.entries[0]).toMatchObject({
      releaseAt: new Date(T0 + 30_000).toISOString(),
      healthReason: 'no resources',
    });
    expect(store.entries[1]).toMatchObject({ reason: 'window-passed', heldBackMs: 30_000 });
  });
});

describe('writing and the history', () => {
  it('ZooKeeper failing: the file gets every entry, the failure is logged once, and its recovery', async () => {
    const { store, file, feed, lines } = setup();
    store.failing = true;
    for (let i = 0; i < 3; i++) {
      feed(...active, { type: 'electorStateChanged', from: 'ACTIVE', to: 'INIT' });
      await settle();
    }
    expect(file.lines).toHaveLength(3);
    expect(store.entries).toHaveLength(0);
    const failures = lines.filter((l) => l.msg.startsWith('failover journal: ZooKeeper write failed'));
    expect(failures).toHaveLength(1);
    const intended = (JSON.parse(file.lines[0]!) as { znode: string }).znode;
    expect(intended).toMatch(/^\/hadoop-ha\/ns1\/ZkfcFailoverJournal\/\d{15}-standDown-nn1-[0-9a-f]+$/);
    expect(failures[0]?.fields).toMatchObject({ znode: intended });
    store.failing = false;
    feed(...active, { type: 'electorStateChanged', from: 'ACTIVE', to: 'INIT' });
    await settle();
    expect(store.entries).toHaveLength(1);
    expect(lines.filter((l) => l.msg === 'failover journal: ZooKeeper writes work again')).toHaveLength(1);
  });

  it('stopping with ZooKeeper hanging: the file has every entry, close returns within its bound', async () => {
    const { store, file, feed, journal, clock } = setup();
    store.hanging = true;
    journal.stopping('SIGTERM');
    feed(...active, { type: 'electorStateChanged', from: 'ACTIVE', to: 'INIT' });
    feed({
      type: 'antiFlap',
      atWallMs: T0,
      report: { kind: 'holdBackEnded', namenode: 'nn1', reason: 'lock-released', heldBackMs: 5 },
    });
    const closed = journal.close(1000);
    await settle();
    clock.advance(1000);
    await settle();
    clock.advance(1000);
    await closed;
    expect(file.lines.map((line) => (JSON.parse(line) as JournalEntry).kind)).toEqual(['holdBackEnded', 'standDown']);
    expect(store.entries).toEqual([]);
  });

  it('the status gets the newest entries, failovers joined to losers; a corrupt one is reported once', async () => {
    const { store, feed, clock, history, journal, lines } = setup('nn2');
    store.entries.push({
      v: 1,
      at: new Date(T0 - 50).toISOString(),
      nameservice: 'ns1',
      writer: { namenode: 'nn1', host: 'h1' },
      kind: 'standDown',
      namenode: 'nn1',
      cause: 'not-responding',
      detail: 'NameNode not responding: refused',
      requestedBy: null,
      since: null,
      znode: '/hadoop-ha/ns1/ZkfcFailoverJournal/standdown',
    });
    store.corrupt = [{ znode: '/hadoop-ha/ns1/ZkfcFailoverJournal/junk', detail: 'not JSON' }];
    journal.start();
    clock.advance(HISTORY_FIRST_READ_MS);
    await settle();
    expect(history.at(-1)?.map((entry) => entry.kind)).toEqual(['standDown']);
    feed({
      type: 'failover',
      record: {
        atWallMs: T0,
        from: 'nn1',
        to: 'nn2',
        reason: 'election',
        durationMs: 80,
        phases: { detectionMs: 10, electionMs: 10, fencingMs: 50, promotionMs: 10 },
      },
    });
    await settle();
    clock.advance(0);
    await settle();
    const shown = history.at(-1) ?? [];
    expect(shown.map((entry) => entry.kind)).toEqual(['failover', 'standDown']);
    expect(shown[0]?.loser?.detail).toBe('NameNode not responding: refused');
    clock.advance(10_000);
    await settle();
    expect(lines.filter((l) => l.msg === 'failover journal: unreadable entry skipped')).toHaveLength(1);
    await journal.close(100);
  });
});

// ---------------------------------------------------------------------------------------------
// The ZooKeeper store against an in-memory session

class MemoryZk implements ZkSessionFactory {
  readonly nodes = new Map<string, Uint8Array>([
    ['/hadoop-ha', new Uint8Array()],
    ['/hadoop-ha/ns1', new Uint8Array()],
  ]);
  readonly acls = new Map<string, readonly ZkAcl[]>();
  opened = 0;
  open(_options: unknown, listener: (event: ZkSessionEvent) => void): ZkSession {
    const epoch = ++this.opened;
    queueMicrotask(() => listener({ epoch, state: 'connected' }));
    const stat = (data: Uint8Array): ZkStat => ({
      version: 0,
      aversion: 0,
      ephemeralOwner: 0n,
      czxid: 0n,
      mzxid: 0n,
      dataLength: data.length,
      numChildren: 0,
    });
    const nonode = { code: 'NONODE', message: 'no node' } as const;
    const parent = (path: string) => path.slice(0, path.lastIndexOf('/')) || '/';
    const children = (path: string) =>
      [...this.nodes.keys()].filter((p) => parent(p) === path && p !== path).map((p) => p.slice(path.length + 1));
    const session: Partial<ZkSession> = {
      epoch,
      create: (path, data, acl): Promise<ZkOpResult<string>> => {
        if (!this.nodes.has(parent(path))) return Promise.resolve(nonode);
        if (this.nodes.has(path)) return Promise.resolve({ code: 'NODEEXISTS', message: 'exists' });
        this.nodes.set(path, data);
        this.acls.set(path, acl);
        return Promise.resolve({ code: 'OK', value: path });
      },
      getChildren: (path) => Promise.resolve(this.nodes.has(path) ? { code: 'OK', value: children(path) } : nonode),
      getData: (path) => {
        const data = this.nodes.get(path);
        return Promise.resolve(data === undefined ? nonode : { code: 'OK', value: { data, stat: stat(data) } });
      },
      delete: (path) => Promise.resolve(this.nodes.delete(path) ? { code: 'OK', value: undefined } : nonode),
      close: () => Promise.resolve(),
    };
    return session as ZkSession;
  }
}

function entryAt(ms: number): JournalEntry {
  return {
    v: 1,
    at: new Date(ms).toISOString(),
    nameservice: 'ns1',
    writer: { namenode: 'nn1', host: 'h' },
    kind: 'holdBackEnded',
    namenode: 'nn1',
    reason: 'healthy',
    heldBackMs: 1,
  };
}

describe('the ZooKeeper store', () => {
  const acl: readonly ZkAcl[] = [{ scheme: 'digest', id: 'hdfs:x', perms: 31 }];
  const options = (zk: MemoryZk, clock: ManualClock, workingDir = '/hadoop-ha/ns1') => ({
    zk,
    zkSession: { connectString: 'zk:2181', sessionTimeoutMs: 3000, authInfo: [], operationTimeoutMs: 3000 },
    workingDir,
    acl,
    maxRecords: 3,
    clock,
    idleCloseMs: 1000,
  });

  it('creates the journal znode with the ACL, keeps the newest maxRecords, newest first, skips junk', async () => {
    const zk = new MemoryZk();
    const clock = new ManualClock();
    const store = new JournalZkStore(options(zk, clock));
    for (let i = 0; i < 5; i++) await store.append(entryAt(T0 + i));
    expect(zk.acls.get('/hadoop-ha/ns1/ZkfcFailoverJournal')).toEqual(acl);
    zk.nodes.set('/hadoop-ha/ns1/ZkfcFailoverJournal/not-ours', new TextEncoder().encode('\u0000garbage'));
    const read = await store.readNewest(10);
    expect(read.entries.map((entry) => entry.at)).toEqual([4, 3, 2].map((i) => new Date(T0 + i).toISOString()));
    expect(read.entries.every((entry) => zk.acls.get(entry.znode) === acl)).toBe(true);
    expect(read.corrupt).toEqual([
      {
        znode: '/hadoop-ha/ns1/ZkfcFailoverJournal/not-ours',
        detail: expect.stringContaining('/hadoop-ha/ns1/ZkfcFailoverJournal/not-ours: not a failover journal entry'),
      },
    ]);
    // Trimming never deletes what it did not write.
    await store.append(entryAt(T0 + 9));
    expect(zk.nodes.has('/hadoop-ha/ns1/ZkfcFailoverJournal/not-ours')).toBe(true);
    // One session, closed when idle, opened again on demand.
    expect(zk.opened).toBe(1);
    clock.advance(1000);
    await settle();
    await store.readNewest(1);
    expect(zk.opened).toBe(2);
    await store.close();
  });

  it('never creates the election znode: a missing one is an error naming -formatZK', async () => {
    const zk = new MemoryZk();
    const store = new JournalZkStore(options(zk, new ManualClock(), '/hadoop-ha/gone'));
    await expect(store.append(entryAt(T0))).rejects.toThrow(
      'cannot create /hadoop-ha/gone/ZkfcFailoverJournal: the election znode /hadoop-ha/gone does not exist ' +
        '(run zkfc -formatZK)',
    );
    expect(zk.nodes.has('/hadoop-ha/gone')).toBe(false);
    expect((await store.readNewest(10)).entries).toEqual([]);
    await store.close();
  });
});
