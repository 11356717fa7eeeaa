// Goal: ZooKeeper data cannot drive the operator's terminal through `haadmin status`: a lock znode
// rewritten by any ZooKeeper client (the default ACL is world-writable) with a host name full of
// escape sequences and a forged "Verdict: OK" line is shown escaped, with no raw control byte on
// stdout or stderr and the real verdict as the only verdict line.
// Method: a real nameservice; an attacker's own ZooKeeper session (no credentials) overwrites the
// lock's data; once a daemon reports the forged holder on /status, the built haadmin runs
// `-status` and `-status --json` and their bytes are checked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeActiveNodeInfo } from '../../src/hadoop/active-node-info.js';
import { runHaadmin, ZkTestClient } from '../support/e2e-zkfc.js';
import { RAW_ESCAPES, startAbuseCluster, stopAbuseCluster, type AbuseCluster } from './harness.js';
import { waitUntil } from '../../tools/testing/wait.js';

const FORGED_HOST =
  '\u001b[2J\u001b[H\u001b]0;owned\u0007\r\nVerdict: OK: one active ' +
  'NameNode, every NameNode and zkfc answered (exit 0)\n\u009b31m';

let setup: AbuseCluster | undefined;
let attacker: ZkTestClient | undefined;
beforeAll(async () => {
  setup = await startAbuseCluster();
  attacker = await ZkTestClient.connect(setup.cluster.zk.connectString);
});
afterAll(async () => {
  await attacker?.close();
  await stopAbuseCluster(setup?.cluster);
});

describe('abuse: escape sequences in ZooKeeper data, shown by haadmin status', () => {
  it('prints the forged lock holder escaped: no raw control bytes, one real verdict line', async () => {
    const { cluster, active, standby } = setup!;
    const lock = `/hadoop-ha/${cluster.nameserviceId}/ActiveStandbyElectorLock`;
    const port = cluster.node(active).rpcPort;
    await attacker!.setData(
      lock,
      encodeActiveNodeInfo({
        nameserviceId: cluster.nameserviceId,
        namenodeId: active,
        hostname: FORGED_HOST,
        port,
        zkfcPort: 8019,
      }),
    );
    // The standby's daemon watches the lock and re-reads its holder for /status.
    await waitUntil(
      async () => {
        const status = await cluster.zkfcStatus(standby);
        const holder = status?.['lockHolder'] as { hostname?: string } | null | undefined;
        return holder?.hostname === FORGED_HOST ? true : undefined;
      },
      15_000,
      'the standby daemon reports the forged lock holder',
    );

    const table = await runHaadmin(cluster, ['-ns', cluster.nameserviceId, '-status']);
    expect(table.stdout).toContain('Lock holder:');
    for (const stream of [table.stdout, table.stderr]) expect(stream).not.toMatch(RAW_ESCAPES);
    const lines = table.stdout.split('\n');
    expect(lines.filter((line) => line.startsWith('Verdict:'))).toHaveLength(1);
    expect(lines.find((line) => line.startsWith('Verdict:'))).not.toContain('(exit 0)\\n');
    expect(table.stdout).toContain('\\e[2J\\e[H\\e]0;owned\\x07\\r\\nVerdict: OK');

    const json = await runHaadmin(cluster, ['-ns', cluster.nameserviceId, '-status', '--json']);
    for (const stream of [json.stdout, json.stderr]) expect(stream).not.toMatch(RAW_ESCAPES);
    // Still a faithful document: the forged name parses back byte for byte.
    const parsed = JSON.parse(json.stdout) as { election: { lockHolder: { hostname: string } } };
    expect(parsed.election.lockHolder.hostname).toBe(FORGED_HOST);
  });
});
