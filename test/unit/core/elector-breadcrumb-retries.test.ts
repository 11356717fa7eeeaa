// Goal: the breadcrumb write that follows a won election (and fencing) stops at exactly the
// configured number of attempts, ha.failover-controller.active-standby-elector.zk.op.retries
// (Java's maxRetryNum: zkDoWithRetries makes that many attempts in all), for the create of a new
// breadcrumb and for the versioned rewrite of an old one, and only for retryable errors; then the
// activation is abandoned (no transitionToActive) and the elector rejoins later.
// One more attempt than configured (the mutation `attempt <= zkOpRetries`) fails these tests.
// Method: the real ActiveStandbyElector through the elector harness; ZooKeeper's answers are fed.
import { describe, expect, it } from 'vitest';
import type { ZkResultCode } from '../../../src/core/elector/events.js';
import { ElectorHarness } from './elector-harness.js';

const data = new Uint8Array([1, 2, 3]);
const otherData = new Uint8Array([9, 9]);

/** An elector that won the lock and is about to write its breadcrumb (`existing`: an old one to rewrite). */
function wonElection(zkOpRetries: number, existing: boolean): ElectorHarness {
  const h = new ElectorHarness({ zkOpRetries });
  h.startConnected();
  h.step({ type: 'JoinElectionRequested', appData: data });
  h.create('OK');
  if (existing) {
    h.breadcrumb({ data: otherData, version: 4 });
    // Fencing of the old active succeeded.
    h.step({ type: 'FenceFinished', activationId: h.last('FenceOldActive').activationId, ok: true, reason: 'fenced' });
  } else {
    h.breadcrumb('none');
  }
  return h;
}

const writes = (h: ElectorHarness): number => h.count('CreateBreadcrumb') + h.count('SetBreadcrumb');

describe('breadcrumb write retries (zk.op.retries)', () => {
  it.each([
    [1, false],
    [3, false],
    [5, false],
    [3, true],
    [4, true],
  ])(
    'with zk.op.retries=%i (old breadcrumb: %s) the write is ' +
      'attempted exactly that often, then the activation is abandoned',
    (zkOpRetries, existing) => {
      const h = wonElection(zkOpRetries, existing);
      const codes: ZkResultCode[] = ['CONNECTIONLOSS', 'OPERATIONTIMEOUT'];
      for (let i = 0; i < zkOpRetries + 3; i++) {
        if (writes(h) === i) break; // no further attempt was made
        h.breadcrumbWritten(codes[i % 2]);
      }
      expect(writes(h)).toBe(zkOpRetries);
      expect(h.count(existing ? 'CreateBreadcrumb' : 'SetBreadcrumb')).toBe(0);
      expect(h.count('BecomeActive')).toBe(0);
      expect(
        h.notes.some(
          (n) =>
            n.msg === 'Exception handling the winning of election' &&
            String(n.fields['reason']).includes('could not write the breadcrumb'),
        ),
      ).toBe(true);
      // Hadoop's reJoinElectionAfterFailureToBecomeActive: the lock is released and a rejoin is scheduled.
      expect(h.count('CloseZkSession')).toBeGreaterThan(0);
      expect(h.count('ScheduleElectorTimer')).toBeGreaterThan(0);
    },
  );

  it('a retry that succeeds goes on to transitionToActive; a non-retryable error is not retried at all', () => {
    const h = wonElection(3, false);
    h.breadcrumbWritten('CONNECTIONLOSS');
    h.breadcrumbWritten('OK');
    expect(writes(h)).toBe(2);
    expect(h.count('BecomeActive')).toBe(1);

    const denied = wonElection(3, true);
    denied.breadcrumbWritten('BADVERSION');
    expect(writes(denied)).toBe(1);
    expect(denied.count('BecomeActive')).toBe(0);
  });
});
