// Goal: stuck ZooKeeper states are reported once per change, never per retry: each appears with
// the znode and the command that clears it (log line at error level and a record), disappears
// with one info line and one record, and repeating the same observation says nothing new.
// Method: ZooKeeperProblems with a recording log and record list, fed the observations the
// executor and the runtime make.
import { describe, expect, it } from 'vitest';
import type { NamenodeTarget } from '../../../src/core/types.js';
import { encodeActiveNodeInfo } from '../../../src/hadoop/active-node-info.js';
import type { ControllerRecord } from '../../../src/runtime/records.js';
import { ZooKeeperProblems } from '../../../src/runtime/zookeeper-problems.js';
import { NN1 as nn1, NN2 as nn2 } from '../../support/namenode-targets.js';
import { recordingLog } from '../../../tools/testing/recording-log.js';

function setup() {
  const { log, lines } = recordingLog();
  const records: ControllerRecord[] = [];
  const problems = new ZooKeeperProblems({
    lockPath: '/hadoop-ha/ns1/ActiveStandbyElectorLock',
    breadcrumbPath: '/hadoop-ha/ns1/ActiveBreadCrumb',
    quorum: 'zk1:2181,zk2:2181',
    targets: [nn1, nn2],
    log,
    emit: (record) => records.push(record),
  });
  return { problems, lines, records };
}

const info = (target: NamenodeTarget, hostname = target.serviceAddress.host) => ({
  nameserviceId: target.nameserviceId,
  namenodeId: target.namenodeId,
  hostname,
  port: target.serviceAddress.port,
  zkfcPort: target.zkfcPort,
});

describe('ZooKeeperProblems', () => {
  it(
    'a persistent lock is reported once, with the delete command, ' +
      'however often it is seen; its deletion clears it once',
    () => {
      const { problems, lines, records } = setup();
      for (let i = 0; i < 5; i++) problems.lockObserved({ ephemeralOwner: 0n });
      expect(records).toEqual([
        {
          type: 'zooKeeperProblem',
          problem: 'lock-not-ephemeral',
          present: true,
          detail: expect.stringContaining('/hadoop-ha/ns1/ActiveStandbyElectorLock is persistent'),
          clear:
            'make sure no NameNode is active (haadmin -getAllServiceState), then: zkCli.sh ' +
            '-server zk1:2181,zk2:2181 delete /hadoop-ha/ns1/ActiveStandbyElectorLock',
        },
      ]);
      expect(lines.filter((l) => l.level === 'error')).toHaveLength(1);
      problems.lockObserved(null);
      problems.lockObserved(null);
      problems.lockObserved({ ephemeralOwner: 0x1234n });
      expect(records.map((r) => (r.type === 'zooKeeperProblem' ? `${r.problem}:${r.present}` : r.type))).toEqual([
        'lock-not-ephemeral:true',
        'lock-not-ephemeral:false',
      ]);
      expect(lines.map((l) => `${l.level} ${l.msg}`)).toEqual([
        'error ZooKeeper data blocks automatic failover; an operator must clear it',
        'info ZooKeeper problem cleared',
      ]);
    },
  );

  it('a lock whose data names no NameNode of ours is reported; a zkfc of ours holding it is not', () => {
    const { problems, records } = setup();
    const ours = encodeActiveNodeInfo(info(nn2));
    problems.lockDataRead(ours, { ok: true, info: info(nn2) });
    expect(records).toEqual([]);
    const forged = info(nn2, 'attacker.example.com');
    problems.lockDataRead(encodeActiveNodeInfo(forged), { ok: true, info: forged });
    problems.lockDataRead(new Uint8Array([1, 2]), { ok: false, error: 'Invalid data in ZK' });
    problems.lockDataRead(ours, { ok: true, info: info(nn2) });
    expect(records.map((r) => (r.type === 'zooKeeperProblem' ? `${r.problem}:${r.present}` : r.type))).toEqual([
      'lock-holder-unknown:true',
      // A different reason is a change: reported again.
      'lock-holder-unknown:true',
      'lock-holder-unknown:false',
    ]);
  });

  it(
    'a refused breadcrumb is reported once per breadcrumb; a later ' +
      'read that is absent or resolvable, or an activation, clears it',
    () => {
      const { problems, records } = setup();
      for (let i = 0; i < 10; i++) problems.breadcrumbRefused('Mismatched address stored in ZK');
      problems.breadcrumbChecked({ data: new Uint8Array([9]), decoded: { ok: false, error: 'still garbage' } });
      expect(problems.has('breadcrumb-refused')).toBe(true);
      problems.breadcrumbChecked(null);
      problems.breadcrumbRefused('Mismatched address stored in ZK');
      problems.breadcrumbChecked({ data: encodeActiveNodeInfo(info(nn1)), decoded: { ok: true, info: info(nn1) } });
      problems.breadcrumbRefused('Mismatched address stored in ZK');
      problems.activated();
      expect(records.map((r) => (r.type === 'zooKeeperProblem' ? `${r.problem}:${r.present}` : r.type))).toEqual([
        'breadcrumb-refused:true',
        'breadcrumb-refused:false',
        'breadcrumb-refused:true',
        'breadcrumb-refused:false',
        'breadcrumb-refused:true',
        'breadcrumb-refused:false',
      ]);
      const first = records[0];
      expect(first?.type === 'zooKeeperProblem' ? first.clear : '').toBe(
        'make sure the NameNode it names is not active (haadmin -getAllServiceState), ' +
          'then: zkCli.sh -server zk1:2181,zk2:2181 delete /hadoop-ha/ns1/ActiveBreadCrumb',
      );
    },
  );
});
