// Goal: the transition log is what a split-brain checker needs: every line parses back, torn or
// foreign lines are reported (not thrown), active periods end at the next non-active line, at a
// harness-observed death, or never, and overlapping active periods of different NameNodes of one
// nameservice are found while clean hand-overs and other nameservices are not flagged.
// Method: a real file written with TransitionLogWriter, plus hand-built entries with chosen times.
import { mkdtempSync, rmSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  activePeriods,
  findSplitBrain,
  parseTransitionLog,
  readTransitionLogs,
  TransitionLogWriter,
  type LoggedState,
  type TransitionLogEntry,
} from '../../../tools/namenode-sim/transition-log.js';

const dir = mkdtempSync(join(tmpdir(), 'transition-log-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function entry(
  pid: number,
  nn: string,
  at: number,
  from: LoggedState | null,
  to: LoggedState,
  ns = 'ns1',
): TransitionLogEntry {
  return {
    v: 1,
    event: from === null ? 'start' : to === 'stopped' ? 'exit' : 'transition',
    nameserviceId: ns,
    namenodeId: nn,
    pid,
    monoNs: String(at),
    wallMs: 0,
    from,
    to,
    cause: 'test',
  };
}

describe('TransitionLogWriter', () => {
  it('writes one JSON line per call with pid, ids, monotonic and wall time, and reads back', () => {
    const path = join(dir, 'a.log');
    const writer = new TransitionLogWriter(path, { nameserviceId: 'ns1', namenodeId: 'nn1', pid: 4242 });
    const before = process.hrtime.bigint();
    writer.append('start', null, 'standby', 'process started');
    writer.append('transition', 'standby', 'active', 'transitionToActive by hdfs');
    writer.append('exit', 'active', 'stopped', 'SIGTERM');
    const after = process.hrtime.bigint();
    const { entries, errors } = readTransitionLogs([path, join(dir, 'missing.log')]);
    expect(errors).toEqual([]);
    expect(entries.map((e) => [e.event, e.from, e.to, e.pid, e.namenodeId])).toEqual([
      ['start', null, 'standby', 4242, 'nn1'],
      ['transition', 'standby', 'active', 4242, 'nn1'],
      ['exit', 'active', 'stopped', 4242, 'nn1'],
    ]);
    for (const e of entries) {
      expect(BigInt(e.monoNs) >= before && BigInt(e.monoNs) <= after).toBe(true);
      expect(e.wallMs).toBeGreaterThan(1_600_000_000_000);
    }
    expect(BigInt(entries[0]!.monoNs) <= BigInt(entries[1]!.monoNs)).toBe(true);
  });

  it('a torn last line and foreign lines are reported with file and line, the rest still parses', () => {
    const path = join(dir, 'torn.log');
    new TransitionLogWriter(path, { nameserviceId: 'ns1', namenodeId: 'nn1', pid: 1 }).append(
      'start',
      null,
      'standby',
      'x',
    );
    appendFileSync(path, '{"v":1,"event":"transition","nameser');
    const { entries, errors } = readTransitionLogs([path]);
    expect(entries).toHaveLength(1);
    expect(errors).toEqual([{ file: path, line: 2, reason: 'not JSON' }]);
    expect(parseTransitionLog('{"event":"party"}\n[]\n', 'f').errors.map((e) => e.reason)).toEqual([
      'bad event',
      'not an object',
    ]);
  });
});

describe('active periods and split-brain detection', () => {
  it('a clean hand-over (nn1 leaves active before nn2 enters) is not a split brain', () => {
    const log = [
      entry(1, 'nn1', 10, 'standby', 'active'),
      entry(1, 'nn1', 20, 'active', 'standby'),
      entry(2, 'nn2', 21, 'standby', 'active'),
    ];
    expect(findSplitBrain(log)).toEqual([]);
    expect(activePeriods(log).map((p) => [p.namenodeId, p.startNs, p.endNs])).toEqual([
      ['nn1', 10n, 20n],
      ['nn2', 21n, undefined],
    ]);
  });

  it('overlapping active periods of two NameNodes are reported', () => {
    const log = [
      entry(1, 'nn1', 10, 'standby', 'active'),
      entry(2, 'nn2', 15, 'standby', 'active'),
      entry(1, 'nn1', 20, 'active', 'standby'),
    ];
    const violations = findSplitBrain(log);
    expect(violations).toHaveLength(1);
    expect(violations[0]!.first.namenodeId).toBe('nn1');
    expect(violations[0]!.second.namenodeId).toBe('nn2');
  });

  it('an exit line ends the active period', () => {
    const log = [
      entry(1, 'nn1', 10, 'standby', 'active'),
      entry(1, 'nn1', 12, 'active', 'stopped'),
      entry(2, 'nn2', 13, 'standby', 'active'),
    ];
    expect(findSplitBrain(log)).toEqual([]);
  });

  it('a SIGKILLed active NameNode stays active forever unless the harness says when it died', () => {
    const log = [entry(1, 'nn1', 10, null, 'active'), entry(2, 'nn2', 50, 'standby', 'active')];
    expect(findSplitBrain(log)).toHaveLength(1);
    expect(findSplitBrain(log, new Map([[1, 40n]]))).toEqual([]);
    expect(findSplitBrain(log, new Map([[1, 60n]]))).toHaveLength(1);
  });

  it('different nameservices may each have an active NameNode', () => {
    expect(
      findSplitBrain([
        entry(1, 'nn1', 10, 'standby', 'active', 'ns1'),
        entry(2, 'nn1', 11, 'standby', 'active', 'ns2'),
      ]),
    ).toEqual([]);
  });

  it('several simulated NameNodes in one process (same pid) are told apart by id', () => {
    const log = [entry(7, 'nn1', 10, 'standby', 'active'), entry(7, 'nn2', 11, 'standby', 'active')];
    expect(findSplitBrain(log)).toHaveLength(1);
  });

  it('lines are ordered by monotonic time, not file order (logs of several processes merged)', () => {
    const log = [
      entry(2, 'nn2', 21, 'standby', 'active'),
      entry(1, 'nn1', 20, 'active', 'standby'),
      entry(1, 'nn1', 10, 'standby', 'active'),
    ];
    expect(findSplitBrain(log)).toEqual([]);
  });
});
